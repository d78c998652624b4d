// Lexical scopes (js_scope.cc): each name resolves to the declaration the language would use.
#include "webroot/js_scope.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tq::webroot {
namespace {

std::vector<Token> Lex(std::string_view src) { return LexJs(src, LexLimits()).tokens; }

// The token index of the n-th (0-based) word `w`.
size_t Nth(const std::vector<Token>& t, std::string_view w, int n) {
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i].type == Tok::kWord && t[i].text == w && n-- == 0) return i;
  ADD_FAILURE() << "no " << w;
  return 0;
}

TEST(JsScopes, ParametersAndLocalsHideOuterNames) {
  std::vector<Token> t =
      Lex("var a=1;function f(a){return a}function g(){var a=2;return a}function h(){return a}");
  JsScopes s(t);
  size_t outer = Nth(t, "a", 0);
  EXPECT_EQ(s.Binding(outer), static_cast<int32_t>(outer));
  EXPECT_TRUE(s.TopLevel(s.Binding(outer)));
  // f's parameter, g's local, h reads the outer one.
  EXPECT_EQ(s.Binding(Nth(t, "a", 2)), static_cast<int32_t>(Nth(t, "a", 1)));
  EXPECT_EQ(s.Binding(Nth(t, "a", 4)), static_cast<int32_t>(Nth(t, "a", 3)));
  EXPECT_FALSE(s.TopLevel(s.Binding(Nth(t, "a", 4))));
  EXPECT_EQ(s.Binding(Nth(t, "a", 5)), static_cast<int32_t>(outer));
  EXPECT_GE(s.FunctionOf(Nth(t, "a", 4)), 0);
  EXPECT_EQ(s.FunctionOf(outer), -1);
}

TEST(JsScopes, VarIsHoistedToTheFunctionLetStaysInItsBlock) {
  std::vector<Token> t =
      Lex("function f(){x=1;if(1){var x;let y=2;y}return y}var q=function r(){return r}");
  JsScopes s(t);
  // The write before the `var` is the function's own x.
  EXPECT_EQ(s.Binding(Nth(t, "x", 0)), static_cast<int32_t>(Nth(t, "x", 1)));
  EXPECT_FALSE(s.TopLevel(s.Binding(Nth(t, "x", 0))));
  EXPECT_EQ(s.Binding(Nth(t, "y", 1)), static_cast<int32_t>(Nth(t, "y", 0)));
  // Outside the block, y is no binding of the function: global.
  EXPECT_EQ(s.Binding(Nth(t, "y", 2)), JsScopes::kGlobal);
  // A named function expression's name is bound inside it only.
  EXPECT_EQ(s.Binding(Nth(t, "r", 1)), static_cast<int32_t>(Nth(t, "r", 0)));
  EXPECT_FALSE(s.TopLevel(Nth(t, "r", 0)));
  EXPECT_FALSE(s.FunctionDecl(static_cast<int32_t>(Nth(t, "r", 0))));
}

TEST(JsScopes, FunctionDeclarationsAreHoistedAndWinOverParameters) {
  std::vector<Token> t = Lex("d('x');function d(s){return s}function g(d){function d(){}return d}");
  JsScopes s(t);
  size_t decl = Nth(t, "d", 1);
  EXPECT_TRUE(s.FunctionDecl(static_cast<int32_t>(decl)));
  EXPECT_EQ(s.Binding(Nth(t, "d", 0)), static_cast<int32_t>(decl));  // called before it
  // In g, the inner declaration is what `d` is, over the parameter.
  EXPECT_EQ(s.Binding(Nth(t, "d", 4)), static_cast<int32_t>(Nth(t, "d", 3)));
  // A function declared in a block is that block's.
  t = Lex("if(a){function k(){}k()}k()");
  JsScopes b(t);
  EXPECT_EQ(b.Binding(Nth(t, "k", 1)), static_cast<int32_t>(Nth(t, "k", 0)));
  EXPECT_EQ(b.Binding(Nth(t, "k", 2)), JsScopes::kGlobal);
}

TEST(JsScopes, PropertiesKeysLabelsAndCatchArePlacedApart) {
  std::vector<Token> t =
      Lex("var e=1;o.e;x={e:2};l:for(;;){break l}try{}catch(e){e}(e)=>e;for(let i=0;;){i}i");
  JsScopes s(t);
  EXPECT_EQ(s.Binding(Nth(t, "e", 1)), JsScopes::kNotName);  // o.e
  EXPECT_EQ(s.Binding(Nth(t, "e", 2)), JsScopes::kNotName);  // {e: 2}
  EXPECT_EQ(s.Binding(Nth(t, "l", 0)), JsScopes::kNotName);
  EXPECT_EQ(s.Binding(Nth(t, "l", 1)), JsScopes::kNotName);
  EXPECT_EQ(s.Binding(Nth(t, "e", 4)), static_cast<int32_t>(Nth(t, "e", 3)));  // catch (e)
  EXPECT_EQ(s.Binding(Nth(t, "e", 6)), static_cast<int32_t>(Nth(t, "e", 5)));  // arrow's e
  EXPECT_EQ(s.Binding(Nth(t, "i", 1)), static_cast<int32_t>(Nth(t, "i", 0)));
  EXPECT_EQ(s.Binding(Nth(t, "i", 2)), JsScopes::kGlobal);
  std::vector<int32_t> top = s.TopDecls();
  EXPECT_EQ(top, (std::vector<int32_t>{static_cast<int32_t>(Nth(t, "e", 0))}));
}

TEST(JsScopes, BrokenAndDeepInputStaysBounded) {
  // Unclosed brackets, a stray close, 5,000 nested functions: no crash, every token answered.
  for (std::string src : {std::string("function f(a{var b=(;}}}) a b"), std::string("}}})) x")}) {
    std::vector<Token> t = Lex(src);
    JsScopes s(t);
    for (size_t i = 0; i < t.size(); ++i) (void)s.Binding(i);
  }
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "function f" + std::to_string(i) + "(a){";
  deep += "a";
  deep += std::string(5000, '}');
  std::vector<Token> t = Lex(deep);
  JsScopes s(t);
  size_t a = 0;
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i].type == Tok::kWord && t[i].text == "a") a = i;
  // Beyond the nesting cap the innermost parameter is not seen; the name still resolves to a
  // declaration, outward.
  EXPECT_GE(s.Binding(a), 0);
  EXPECT_EQ(s.Binding(t.size() + 10), JsScopes::kNotName);
}

}  // namespace
}  // namespace tq::webroot
