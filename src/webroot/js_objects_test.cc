// The obfuscator's flattening objects (js_objects.cc): literals, split strings, proxy functions
// and aliases replaced where the name means the object, by JavaScript's scopes; objects written
// again are left as they are; hostile shapes stay bounded.
#include "webroot/js_objects.h"

#include <gtest/gtest.h>

#include <string>

namespace tq::webroot {
namespace {

// The script after the objects pass, as the folds then see it.
std::string Resolved(std::string_view js, bool* changed = nullptr) {
  LexResult lr = LexJs(js, LexLimits());
  FoldBudget b;
  bool c = js::ResolveObjects(lr.tokens, b);
  if (changed) *changed = c;
  return Render(lr.tokens, 1 << 20);
}

TEST(JsObjects, ObjectsOfTheFlatteningTransform) {
  std::string js =
      "function f(){var _0xo={'aB':'input'+'[name]','cD':function(a,b){return a<b;},"
      "'eF':function(g,x){return g(x);}},_0xp=_0xo;if(_0xp.cD(1,2))_0xp['eF'](send,"
      "_0xp['a'+'B']);}"
      // the same name, another function: its own variable, not the object
      "function g(){var _0xo=5;_0xo.aB=1;}";
  std::string out = Resolved(js);
  EXPECT_NE(out.find("if(1<2)send('input[name]')"), std::string::npos) << out;
  EXPECT_NE(out.find("_0xo.aB=1"), std::string::npos) << out;
  // A flattened function's object holding members of its enclosing function's object.
  std::string nested =
      "function f(){var _0xa={'u':'https://c.example/x'};return function(){var _0xb={'v':"
      "_0xa['u']};send(_0xb.v);};}";
  out = Resolved(nested);
  EXPECT_NE(out.find("send('https://c.example/x')"), std::string::npos) << out;
}

TEST(JsObjects, ObjectsWrittenAgainAreNotRead) {
  std::string js =
      "var _0xo={'k':'one'};_0xo['k']='two';use(_0xo.k);"
      "var _0xq={'k':'one'};_0xq[name]='z';use(_0xq.k);"
      "var _0xr={'k':'one'};use(_0xr.k);_0xr.j=f();use(_0xr.j);"
      "";
  std::string out = Resolved(js);
  EXPECT_NE(out.find("use(_0xo.k)"), std::string::npos) << out;
  EXPECT_NE(out.find("use(_0xq.k)"), std::string::npos) << out;
  EXPECT_NE(out.find("use('one')"), std::string::npos) << out;  // never written again
  EXPECT_NE(out.find("use(_0xr.j)"), std::string::npos) << out;
}

TEST(JsObjects, AnObjectOfFunctionsThatAreNoProxiesIsLeftAlone) {
  bool changed = true;
  std::string js = "var o={'a':function(x){log(x);return x+1;},'b':g()};o.a(2);o['b'];";
  EXPECT_NE(Resolved(js, &changed).find("o.a(2)"), std::string::npos);
  EXPECT_FALSE(changed);
}

TEST(JsObjects, ProxyChainsAndDeepNestingStayBounded) {
  std::string js = "var o={'k':function(a,b){return a+b;}};x(";
  for (int i = 0; i < 3000; ++i) js += "o.k(1,";
  js += "1";
  for (int i = 0; i < 3000; ++i) js += ")";
  js += ");";
  std::string out = Resolved(js);
  EXPECT_FALSE(out.empty());
  Resolved("var o={'k':function(a,b){return a+b;}};o.k(o.k(o.k(");
  Resolved("var o={'k':'v'");
}

}  // namespace
}  // namespace tq::webroot
