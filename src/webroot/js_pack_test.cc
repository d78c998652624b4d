// Code run through Function with an object of globals (js_pack.cc): inside the code, the
// object's members are the globals they hand back.
#include "webroot/js_pack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tq::webroot {
namespace {

std::vector<Token> Lex(std::string_view src) { return LexJs(src, LexLimits()).tokens; }

// The code literal after the fold (the last string argument of the first Function call).
std::string CodeAfter(std::string_view src, bool* changed = nullptr) {
  std::vector<Token> t = Lex(src);
  FoldBudget budget;
  bool c = FoldPackedGlobals(t, budget);
  if (changed) *changed = c;
  std::string last;
  for (size_t i = 0; i < t.size() && t[i].text != ")"; ++i)
    if (t[i].type == Tok::kString) last = t[i].text;
  return last;
}

TEST(JsPack, MembersOfTheGlobalsObjectAreTheGlobals) {
  bool changed = false;
  std::string code = CodeAfter(
      "Function('o','var f=o[\"k1\"]; o.k2(\"https://x.example\",f); if (o[\"t\"]===\"x\") "
      "o[\"k3\"]=1')({get 'k1'(){return document}, get k2(){return fetch}, "
      "set 'k3'(v){return onload=v}, get 't'(){return typeof jQuery}});",
      &changed);
  EXPECT_TRUE(changed);
  EXPECT_NE(code.find("f=document"), std::string::npos) << code;
  EXPECT_NE(code.find("fetch('https://x.example',f)"), std::string::npos) << code;
  EXPECT_NE(code.find("typeof jQuery==="), std::string::npos) << code;
  EXPECT_NE(code.find("onload=1"), std::string::npos) << code;
  // `key: name` members as well, with several parameters.
  code = CodeAfter("Function('a','b','return b.x(a)')(1,{x: atob});");
  EXPECT_NE(code.find("atob(a)"), std::string::npos) << code;
}

TEST(JsPack, TheRewrittenCodeLexesToTheSameTokens) {
  // Quotes, backslashes and newlines in its strings, `a- -b`, a regular expression: the code
  // after the rewrite reads as before but for the globals.
  std::string inner = "var s='it\\'s \\\\ \\n',n=a- -b,r=/x+/;o.k(s)";
  std::string quoted;  // inner as a double-quoted JavaScript string
  for (char c : inner) {
    if (c == '\\' || c == '"') quoted += '\\';
    quoted += c;
  }
  std::string code = CodeAfter("Function('o',\"" + quoted + "\")({k: alert});");
  std::vector<std::string> want, got;
  std::vector<Token> before = Lex(inner);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i].text == "o" && i + 2 < before.size() && before[i + 2].text == "k") {
      want.push_back("alert");
      i += 2;
    } else {
      want.push_back(before[i].text);
    }
  }
  for (const Token& k : Lex(code)) got.push_back(k.text);
  EXPECT_EQ(got, want) << code;
  EXPECT_NE(code.find("a- -b"), std::string::npos) << code;
  EXPECT_NE(code.find("/x+/;"), std::string::npos) << code;
  EXPECT_NE(CodeAfter("Function('o','o.k(/a[/]b/gi)')({k: f})").find("f(/a[/]b/gi)"),
            std::string::npos);
}

TEST(JsPack, AWholeScriptSoRunIsMarkedAsAWrapper) {
  auto step = [](std::string_view src) {
    std::vector<Token> t = Lex(src);
    FoldBudget budget;
    FoldPackedGlobals(t, budget);
    for (const Token& k : t)
      if (k.type == Tok::kString && !k.decoded_by.empty()) return k.decoded_by;
    return std::string();
  };
  EXPECT_EQ(step("Function('o','o.k(1)')({k: f});"), "Function-wrapper");
  EXPECT_EQ(step("g();Function('o','o.k(1)')({k: f});"), "Function-globals");
}

TEST(JsPack, AnythingElseLeavesTheCodeAsItIs) {
  bool changed = true;
  // A member that computes; the parameter used on its own; a key not in the object; a
  // computed key; no call after Function.
  for (const char* src :
       {"Function('o','o.k()')({get k(){return a+b}});", "Function('o','g(o);o.k()')({k: fetch});",
        "Function('o','o.z()')({k: fetch});", "Function('o','o[x]()')({k: fetch});",
        "var f=Function('o','o.k()');f({k: fetch});"}) {
    CodeAfter(src, &changed);
    EXPECT_FALSE(changed) << src;
  }
  // Broken input: unclosed calls and objects, no crash.
  for (const char* src :
       {"Function('o','o.k()')({get k(){return", "Function('o','o.k(", "Function("}) {
    CodeAfter(src, &changed);
    EXPECT_FALSE(changed) << src;
  }
}

TEST(JsPack, TemplateStringsAreWrittenBackAsTheyWere) {
  // The rewritten code is lexed again as a layer: a template literal (with or without
  // substitutions, with quotes and a line break inside) must come back as the same token.
  const std::string body = "var a=`it's \"plain\"`;var b=`line\none ${o.k}/${'x'+1}`;o.k2(a+b)";
  std::string quoted;  // the body as a double-quoted JavaScript string
  for (char c : body) {
    if (c == '\\' || c == '"') quoted += '\\';
    quoted += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  std::string code = CodeAfter("Function('o',\"" + quoted +
                               "\")({get k(){return location}, get k2(){return fetch}});");
  EXPECT_NE(code.find("fetch(a+b)"), std::string::npos) << code;
  // The same strings with the same values (a template without substitutions may come back
  // single-quoted; one with them as it was, `${o.k}` inside it left as written).
  std::vector<Token> before = Lex(body), after = Lex(code);
  std::vector<std::string> a, b;
  for (const Token& k : before)
    if (k.type == Tok::kString) a.push_back(k.text);
  for (const Token& k : after)
    if (k.type == Tok::kString) b.push_back(k.text);
  ASSERT_EQ(a.size(), 2u) << code;
  EXPECT_EQ(a, b) << code;
  EXPECT_NE(code.find("`line\none ${o.k}/${'x'+1}`"), std::string::npos) << code;
}

}  // namespace
}  // namespace tq::webroot
