// The decoder evaluator's parser (js_eval_parse.cc): the statements and expressions of the
// subset become nodes; what is outside it, or too big or deep, is refused with -1.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "webroot/js_eval_internal.h"

namespace tq::webroot::jseval {
namespace {

int Parse(std::string_view body, std::vector<Node>& pool, size_t max_nodes = 4096) {
  std::vector<Token> t = LexJs(body, LexLimits()).tokens;
  return ParseJsBody(t, 0, t.size(), pool, max_nodes);
}

TEST(JsEvalParse, StatementsOfTheSubset) {
  std::vector<Node> pool;
  int root = Parse(
      "var o='',i=0,a=[1,,'x'];for(i=0;i<3;i++){if(i%2)continue;else o+=a[i]}"
      "while(i>0){i--;if(!i)break}do{i+=2}while(i<4);return o.length>0?o:typeof o",
      pool);
  ASSERT_GE(root, 0);
  EXPECT_EQ(pool[root].k, Node::kBlock);
  std::vector<Node::Kind> kinds;
  for (int s : pool[root].kids) kinds.push_back(pool[s].k);
  EXPECT_EQ(kinds, (std::vector<Node::Kind>{Node::kBlock, Node::kFor, Node::kWhile, Node::kDo,
                                            Node::kReturn}));
  // Precedence: 1+2*3 is 1+(2*3); a=b=c assigns right to left.
  pool.clear();
  root = Parse("return 1+2*3", pool);
  ASSERT_GE(root, 0);
  const Node& sum = pool[pool[pool[root].kids[0]].kids[0]];
  EXPECT_EQ(sum.op, "+");
  EXPECT_EQ(pool[sum.kids[1]].op, "*");
}

TEST(JsEvalParse, OutsideTheSubsetIsRefused) {
  for (const char* body : {"return s.replace(/a/g,'')", "switch(a){x;case 1:}", "for(var k in o){}",
                           "return `a${b}`", "return {get a(){return 1}}", "return (a)=>a",
                           "return {...o}", "try{x()}", "function*g(){}"}) {
    std::vector<Node> pool;
    EXPECT_EQ(Parse(body, pool), -1) << body;
  }
}

TEST(JsEvalParse, FunctionsTryLabelsObjectsAndThis) {
  std::vector<Node> pool;
  int root = Parse(
      "function g(a){return a}var f=function(){return this};try{f()}catch(e){throw e}"
      "finally{}l:for(;;){for(;;){continue l}}return {a:1,'b':g,2:[]}",
      pool);
  ASSERT_GE(root, 0);
  std::vector<Node::Kind> kinds;
  for (int s : pool[root].kids) kinds.push_back(pool[s].k);
  EXPECT_EQ(kinds, (std::vector<Node::Kind>{Node::kFunc, Node::kBlock, Node::kTry, Node::kLabel,
                                            Node::kReturn}));
  EXPECT_EQ(pool[pool[root].kids[0]].op, "decl");
  // The nested function is one node: its body is not in the pool.
  const Node& obj = pool[pool[pool[root].kids[4]].kids[0]];
  ASSERT_EQ(obj.k, Node::kObject);
  ASSERT_EQ(obj.kids.size(), 6u);
  EXPECT_EQ(pool[obj.kids[2]].str, u"b");
  EXPECT_EQ(pool[obj.kids[4]].str, u"2");
}

TEST(JsEvalParse, ScriptStatementsThatDoNotParseAreSkipped) {
  std::vector<Token> t =
      LexJs("var a=1;x=/re/.test(a);function f(){x=/a/}if(a){x=/b/}var b=2", LexLimits()).tokens;
  std::vector<Node> pool;
  std::vector<TopStatement> list = ParseJsScript(t, pool, 4096);
  std::vector<bool> read;
  for (const TopStatement& s : list) read.push_back(s.node >= 0);
  // The statements with a regular expression are skipped; the function is one node
  // (its body is read when it is called).
  EXPECT_EQ(read, (std::vector<bool>{true, false, true, false, true}));
  EXPECT_EQ(list.back().e, t.size());
  // Only a cap's worth of nodes.
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "a=[1,2,3];";
  t = LexJs(many, LexLimits()).tokens;
  pool.clear();
  list = ParseJsScript(t, pool, 1000);
  EXPECT_LE(pool.size(), 1000u);
  EXPECT_EQ(list.back().e, t.size());
}

TEST(JsEvalParse, BoundedInSizeAndDepth) {
  std::vector<Node> pool;
  std::string deep = "return " + std::string(5000, '(') + "1" + std::string(5000, ')');
  EXPECT_EQ(Parse(deep, pool), -1);
  pool.clear();
  std::string wide = "return 1";
  for (int i = 0; i < 3000; ++i) wide += "+1";
  EXPECT_EQ(Parse(wide, pool, 1000), -1);
  EXPECT_LE(pool.size(), 1000u);
  pool.clear();
  EXPECT_EQ(Parse("return (1+", pool), -1);
  pool.clear();
  EXPECT_EQ(Parse("if(", pool), -1);
}

TEST(JsEvalParse, LiteralsAndText) {
  EXPECT_EQ(NumberLiteral("0x1f"), 31);
  EXPECT_EQ(NumberLiteral("1e3"), 1000);
  EXPECT_EQ(NumberLiteral(".5"), 0.5);
  EXPECT_EQ(NumberLiteral("1x"), std::nullopt);
  EXPECT_EQ(ToU8(ToU16("a\xc3\xa9\xf0\x9f\x98\x80")), "a\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(ToU16("\xf0\x9f\x98\x80").size(), 2u);  // a surrogate pair
  EXPECT_EQ(ToU16("\xff\xfe").size(), 2u);          // invalid bytes stand for themselves
}

}  // namespace
}  // namespace tq::webroot::jseval
