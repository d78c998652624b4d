// The decoder evaluator: hand-written decoder functions (not corpus samples) are run on their
// literals and the decoded layer is analysed again; PHP semantics the decoders rely on; a
// benign helper that must not raise anything; and the limits (endless loops, doubling
// strings, deep recursion, unsupported code) end as refusals, never as a hang or a crash.
#include "webroot/php_eval.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "webroot/code_lexer.h"
#include "webroot/normalize.h"
#include "webroot/php_eval_test_support.h"

namespace tq::webroot {
namespace {

std::string Hex(std::string_view s, unsigned char key) {
  std::string out;
  for (unsigned char c : s) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", c ^ key);
    out += buf;
  }
  return out;
}

std::string Base64(std::string_view s) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string r;
  for (size_t i = 0; i < s.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(s[i]) << 16;
    if (i + 1 < s.size()) v |= static_cast<unsigned char>(s[i + 1]) << 8;
    if (i + 2 < s.size()) v |= static_cast<unsigned char>(s[i + 2]);
    r += a[(v >> 18) & 63];
    r += a[(v >> 12) & 63];
    r += i + 1 < s.size() ? a[(v >> 6) & 63] : '=';
    r += i + 2 < s.size() ? a[v & 63] : '=';
  }
  return r;
}

std::string Rot13(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
    if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
  }
  return s;
}

const CodeTrait* FindTrait(const NormalizedCode& n, std::string_view id) {
  for (const CodeTrait& t : n.traits)
    if (t.id == id) return &t;
  return nullptr;
}

const CodeLayer* FindLayer(const NormalizedCode& n, std::string_view path) {
  for (const CodeLayer& l : n.layers)
    if (l.path == path) return &l;
  return nullptr;
}

TEST(PhpEval, HexXorLoopDecoderIsRunAndItsLayerAnalysed) {
  std::string payload = "system($_GET['c']);";
  std::string src =
      "<?php\nfunction unmask($s, $k) {\n  $o = '';\n"
      "  for ($i = 0; $i < strlen($s); $i += 2) {\n"
      "    $o .= chr(hexdec(substr($s, $i, 2)) ^ $k);\n  }\n  return $o;\n}\n"
      "eval(unmask('" +
      Hex(payload, 0x2a) + "', 42));\n";
  NormalizedCode n = Normalize(src, CodeKind::kPhp);
  const CodeLayer* l = FindLayer(n, "php>eval>unmask()");
  ASSERT_NE(l, nullptr);
  EXPECT_NE(l->text.find("system($_GET['c'])"), std::string::npos) << l->text;
  const CodeTrait* t = FindTrait(n, "php.request_to_shell");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->layer, "php>eval>unmask()");
  EXPECT_GE(t->strength, 4);
  EXPECT_NE(FindTrait(n, "php.decode_and_run"), nullptr);
}

TEST(PhpEval, BuiltinChainDecoderNamesTheLayer) {
  std::string payload = "@eval($_POST['z']);";
  std::string encoded = Base64(std::string(payload.rbegin(), payload.rend()));
  encoded = Rot13(encoded);
  // decode: rot13, then base64, then reverse
  std::string src =
      "<?php function peel($x) { return strrev(base64_decode(str_rot13($x))); }\n"
      "$code = peel('" +
      encoded + "');\neval($code);\n";
  NormalizedCode n = Normalize(src, CodeKind::kPhp);
  const CodeTrait* t = FindTrait(n, "php.request_to_exec");
  ASSERT_NE(t, nullptr);
  EXPECT_NE(t->layer.find("peel()"), std::string::npos) << t->layer;
}

TEST(PhpEval, SubstitutionTableDecoderRevealsAFunctionName) {
  // A decoder with a lookup alphabet and foreach over the characters; its output names the
  // function that the request input is handed to.
  std::string src =
      "<?php\nfunction tr($s) {\n  $from = 'abcdefghijklmnopqrstuvwxyz';\n"
      "  $to = 'zyxwvutsrqponmlkjihgfedcba';\n  $r = '';\n"
      "  foreach (str_split($s) as $c) {\n    $p = strpos($from, $c);\n"
      "    $r .= $p === false ? $c : $to[$p];\n  }\n  return $r;\n}\n"
      "$f = tr('zhhvig');\n$f($_REQUEST['q']);\n";
  NormalizedCode n = Normalize(src, CodeKind::kPhp);
  bool hidden = FindTrait(n, "php.hidden_exec_call") || FindTrait(n, "php.request_to_exec");
  EXPECT_TRUE(hidden);
  const CodeLayer* l = FindLayer(n, "php");
  ASSERT_NE(l, nullptr);
  EXPECT_NE(l->text.find("assert"), std::string::npos) << l->text;
}

TEST(PhpEval, InlineDecoderLoopBeforeEval) {
  // A top-level loop turning pairs of hex digits into bytes, then eval of what it built.
  std::string src = "<?php error_reporting(0); $s = '" + Hex("system($_POST['x']);", 0x2a) +
                    "'; $d = ''; for ($i = 0; $i < strlen($s); $i += 2) { $d .= chr(hexdec("
                    "substr($s, $i, 2)) ^ 42); } eval($d);";
  NormalizedCode n = Normalize(src, CodeKind::kPhp);
  const CodeTrait* t = FindTrait(n, "php.request_to_shell");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->layer, "php>eval>decoder-loop()");
  // A template loop that echoes rows before an eval of compiled code: output is not run.
  NormalizedCode quiet =
      Normalize("<?php foreach ($rows as $r) { echo chr(65); } eval($compiled);", CodeKind::kPhp);
  EXPECT_EQ(FindLayer(quiet, "php>eval>decoder-loop()"), nullptr);
}

TEST(PhpEval, BenignHelperRaisesNothing) {
  // An e-mail obfuscator of the kind themes carry: a loop of ord() over a literal. It runs,
  // and what it returns is an HTML entity string, not code: no trait above weak.
  std::string src =
      "<?php\nfunction entities($s) {\n  $o = '';\n  for ($i = 0; $i < strlen($s); $i++) {\n"
      "    $o .= '&#' . ord($s[$i]) . ';';\n  }\n  return $o;\n}\n"
      "echo '<a href=\"mailto:' . entities('shop@example.com') . '\">mail us</a>';\n";
  NormalizedCode n = Normalize(src, CodeKind::kPhp);
  for (const CodeTrait& t : n.traits) EXPECT_LT(t.strength, 2) << t.id << " " << t.what;
  const CodeLayer* l = FindLayer(n, "php");
  ASSERT_NE(l, nullptr);
  EXPECT_NE(l->text.find("&#115;&#104;&#111;&#112;"), std::string::npos) << l->text;
}

TEST(PhpEval, Semantics) {
  struct Case {
    const char* body;
    const char* arg;
    const char* want;
  } cases[] = {
      {"return substr($s, -3) . substr($s, 1, 2) . substr($s, 10);", "abcdef", "defbc"},
      {"return $s{0} . $s[strlen($s) - 1];", "xyz", "xz"},
      {"return ($s ?: 'empty') . (isset($s[5]) ? 'y' : 'n');", "abc", "abcn"},
      {"return 'a3!' ^ $s;", "@Z{", "!iZ"},
      {"$a = array('k' => 'v', 2 => 'x'); $a[] = 'y'; return implode(',', $a) . count($a);", "",
       "v,x,y3"},
      {"$o = ''; for ($i = 0; $i < 3; $i++) { for ($j = 0; $j < 3; $j++) { if ($j == 1) "
       "continue 2; $o .= $i; } } return $o;",
       "", "012"},
      {"$i = 0; do { $i++; } while ($i < 5); return (string)$i . (int)'12abc';", "", "512"},
      {"return strtr($s, array('a' => 'b', 'ab' => 'X')) . strtr($s, 'ab', 'ba');", "aab", "bXbba"},
      {"return str_replace(array('-', '_'), array('+', '/'), $s);", "a-b_c", "a+b/c"},
      {"$n = func_get_args(); return implode(array_map('chr', array(104, 105))) . count($n);", "",
       "hi1"},
      {"$r = ''; foreach (array_reverse(str_split($s, 2)) as $k => $v) $r .= $k . $v; return $r;",
       "aabbc", "0c1bb2aa"},
      {"return base64_decode($s) . '|' . bin2hex('AB') . '|' . dechex(255) . hexdec('ff');",
       "aGk=", "hi|4142|ff255"},
      {"$x = 7; $x ^= 5; $x <<= 2; $y = 10 % 4; return $x . ':' . $y . ':' . (7 / 2);", "",
       "8:2:3.5"},
      {"$r = ''; $i = 0; while (true) { if (++$i > 3) break; $r .= $i; } return $r;", "", "123"},
      {"return ord($s) + 1 . '' . chr(ord($s) + 1);", "a", "98b"},
  };
  for (const Case& c : cases) {
    std::string code = std::string("function f($s) {") + c.body + "}";
    EvalResult r = RunFn(code, "f", {c.arg});
    EXPECT_EQ(r.status, EvalStatus::kOk) << c.body << ": " << EvalStatusName(r.status);
    EXPECT_EQ(r.value, c.want) << c.body;
  }
}

TEST(PhpEval, EndlessLoopStopsAtTheStepLimit) {
  auto start = std::chrono::steady_clock::now();
  EvalResult r = RunFn("function spin($s) { while (true) { $s = $s; } return $s; }", "spin", {"x"});
  EXPECT_EQ(r.status, EvalStatus::kStepLimit);
  EXPECT_LE(r.steps, EvalLimits().max_steps + 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // Inside a file: the rest is still analysed, and the file as a whole stays bounded.
  std::string src =
      "<?php function spin($s) { for (;;) { $s = strrev($s); } return $s; }\n"
      "eval(spin('abc')); system($_GET['x']);";
  NormalizedCode n = Normalize(src, CodeKind::kPhp);
  EXPECT_NE(FindTrait(n, "php.request_to_shell"), nullptr);
}

TEST(PhpEval, HugeOutputStopsAtTheMemoryLimit) {
  EvalResult doubling =
      RunFn("function grow($s) { for ($i = 0; $i < 64; $i++) { $s .= $s; } return $s; }", "grow",
            {"abcd"});
  EXPECT_EQ(doubling.status, EvalStatus::kMemoryLimit);
  EvalResult repeat =
      RunFn("function rep($s) { return str_repeat($s, 1000000000); }", "rep", {"ab"});
  EXPECT_EQ(repeat.status, EvalStatus::kMemoryLimit);
  EvalResult array = RunFn(
      "function fill($s) { $a = array(); while (true) { $a[] = $s; } return ''; }", "fill", {"x"});
  EXPECT_EQ(array.status, EvalStatus::kMemoryLimit);
  // Splitting a long string into single bytes is refused before the pieces are made.
  EvalResult split =
      RunFn("function sp($s) { $s = str_repeat($s, 1 << 20); return implode('', str_split($s)); }",
            "sp", {"abcd"});
  EXPECT_EQ(split.status, EvalStatus::kMemoryLimit);
}

TEST(PhpEval, RecursionStopsAtTheDepthLimit) {
  EvalResult r = RunFn("function down($s) { return down($s . 'a'); }", "down", {"x"});
  EXPECT_EQ(r.status, EvalStatus::kDepthLimit);
}

TEST(PhpEval, WhatItDoesNotRunIsRefused) {
  struct Case {
    const char* code;
    EvalStatus want;
  } cases[] = {
      {"function f($s) { return $this->key($s); }", EvalStatus::kUnsupported},
      {"function f($s) { return file_get_contents($s); }", EvalStatus::kUnsupported},
      {"function f($s) { return $s . $_GET['k']; }", EvalStatus::kUnsupported},
      {"function f($s) { global $k; return $s ^ $k; }", EvalStatus::kUnsupported},
      {"function f($s) { echo $s; return $s; }", EvalStatus::kUnsupported},
      {"function f($s) { return SOME_CONSTANT . $s; }", EvalStatus::kUnsupported},
      {"function f($s) { return 10 % 0; }", EvalStatus::kUnsupported},
      {"function f($s) { return strlen($s); }", EvalStatus::kNotString},
      {"function f($s) { $x = (", EvalStatus::kUnknownFunction},  // no body: no definition
      {"function f($s) { switch ($s) { case 'a': return 'x'; } return 'y'; }",
       EvalStatus::kUnsupported},
      {"function f($s) { static $n = 0; return $s; }", EvalStatus::kUnsupported},
      {"function f($s) { $o = new ArrayObject(); return $s; }", EvalStatus::kUnsupported},
      {"function f($s) { return nowhere($s); }", EvalStatus::kUnsupported},  // no such function
      {"function f($s) { return array($s); }", EvalStatus::kNotString},
  };
  for (const Case& c : cases) {
    EvalResult r = RunFn(c.code, "f", {"abc"});
    EXPECT_EQ(r.status, c.want) << c.code << ": " << EvalStatusName(r.status);
  }
  // A function the file does not define.
  EXPECT_EQ(RunFn("function f($s) { return $s; }", "g", {"a"}).status,
            EvalStatus::kUnknownFunction);
}

TEST(PhpEval, OnlyDecoderShapedFunctionsAreFolded) {
  LexResult lr = LexPhp(
      "function a($s) { $o=''; foreach (str_split($s) as $c) $o .= chr(ord($c) - 1); return $o; }"
      "function b($s) { return gzinflate(base64_decode($s)); }"
      "function c($s) { return strtoupper($s); }"
      "function d() { for ($i = 0; $i < 3; $i++) { $x = chr($i); } return $x; }",
      true, LexLimits());
  UserFunctions fns(lr.tokens);
  EXPECT_TRUE(fns.IsDecoder("a"));
  EXPECT_TRUE(fns.IsDecoder("b"));
  EXPECT_FALSE(fns.IsDecoder("c"));  // no loop, no decoder
  EXPECT_FALSE(fns.IsDecoder("d"));  // no argument to decode
}

TEST(PhpEval, FoldBudgetBoundsAWholeFile) {
  // Many calls of a decoder that never ends: the file's step budget is spent once, the
  // decoder is refused after its first failure, and the fold returns.
  std::string src = "function spin($s) { while (1) { $s = strrev($s); } return $s; }\n";
  for (int i = 0; i < 200; ++i) src += "$v" + std::to_string(i) + " = spin('abc');\n";
  LexResult lr = LexPhp(src, true, LexLimits());
  FoldBudget b;
  auto start = std::chrono::steady_clock::now();
  Fold(lr.tokens, Lang::kPhp, b);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(b.eval_refused.count("spin"), 1u);
}

}  // namespace
}  // namespace tq::webroot
