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
  for (const char* body :
       {"var f=function(){return 1};return f()", "return {a:1}", "return s.replace(/a/g,'')",
        "try{x()}catch(e){}", "switch(a){case 1:break}", "l:for(;;){break l}", "for(var k in o){}",
        "return `a${b}`", "return this.x", "throw 1"}) {
    std::vector<Node> pool;
    EXPECT_EQ(Parse(body, pool), -1) << body;
  }
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
