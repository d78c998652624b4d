// The evaluator's built-ins (php_eval_builtins.cc), each family as PHP computes it: string
// case and trimming, encodings (base64, hex, URL, pack), number bases, arrays, search, maths.
// A decoder that relies on one of them gets the bytes PHP would give it, or nothing.
#include <gtest/gtest.h>

#include <string>

#include "webroot/php_eval_test_support.h"

namespace tq::webroot {
namespace {

struct Case {
  const char* expr;  // returned by `function f($s)`, called with "abc"
  const char* want;
};

void ExpectAll(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EvalResult r = RunFn(std::string("function f($s) { return ") + c.expr + "; }", "f", {"abc"});
    EXPECT_EQ(r.status, EvalStatus::kOk) << c.expr << ": " << EvalStatusName(r.status);
    EXPECT_EQ(r.value, c.want) << c.expr;
  }
}

TEST(PhpEvalBuiltins, StringsAsPhpChangesThem) {
  ExpectAll({
      {"strrev($s) . str_rot13('Uryyb')", "cbaHello"},
      {"strtoupper('aB') . strtolower('Cd') . ucfirst($s) . lcfirst('ABC')", "ABcdAbcaBC"},
      {"trim('  x ') . '|' . rtrim('y  ') . '|' . ltrim('  z') . '|' . trim('xxaxx', 'x')",
       "x|y|z|a"},
      {"str_repeat('ab', 3) . str_pad('7', 3, '0')", "ababab700"},
      {"str_replace('b', 'B', $s) . str_ireplace('A', 'z', $s) . strtr($s, 'abc', 'xyz')",
       "aBczbcxyz"},
      {"strlen($s) . strpos('abcabc', 'c') . stripos('ABC', 'b')", "321"},
  });
}

TEST(PhpEvalBuiltins, EncodingsRoundTrip) {
  ExpectAll({
      {"base64_encode('hi') . base64_decode('aGk=')", "aGk=hi"},
      {"hex2bin('4142') . bin2hex('AB') . pack('H*', '6869')", "AB4142hi"},
      {"urldecode('a%20b+c') . '|' . rawurldecode('a+b%21')", "a b c|a+b!"},
  });
}

TEST(PhpEvalBuiltins, NumberBases) {
  ExpectAll({
      {"dechex(255) . decoct(8) . decbin(5)", "ff10101"},
      {"hexdec('ff') . octdec('17') . bindec('101')", "255155"},
      {"base_convert('ff', 16, 2) . intval('12abc') . strval(7)", "11111111127"},
      {"chr(104) . ord('i')", "h105"},
  });
}

TEST(PhpEvalBuiltins, ArraysAndMaths) {
  ExpectAll({
      {"implode('-', explode(',', 'a,b,c')) . join('', str_split($s))", "a-b-cabc"},
      {"count(str_split('abcde', 2)) . sizeof(array(1, 2))", "32"},
      {"implode(',', array_keys(array('a' => 1, 'b' => 2))) . implode(array_values(array(3, 4)))",
       "a,b34"},
      {"implode(array_reverse(range(1, 4))) . implode(array_merge(array('x'), array('y')))",
       "4321xy"},
      {"implode(array_map('strrev', array('ab', 'cd')))", "badc"},
      {"(in_array('b', array('a', 'b')) ? 'y' : 'n') . array_search('b', array('a', 'b'))", "y1"},
      {"min(3, 1, 2) . max(array(4, 9)) . abs(-5) . floor(2.7) . ceil(2.1) . round(2.5)", "195233"},
      {"(is_numeric('12') ? 'n' : '-') . (is_array(array()) ? 'a' : '-') . (is_string($s) ? 's' : "
       "'-')",
       "nas"},
  });
}

// What needs the world (the clock, randomness, files, the network, output) is not a built-in:
// the call is refused, not guessed.
TEST(PhpEvalBuiltins, FunctionsWithEffectsAreRefused) {
  for (const char* call : {"time()", "rand(1, 9)", "file_get_contents('/etc/passwd')",
                           "fsockopen('x', 80)", "md5($s)", "sprintf('%s', $s)"}) {
    EvalResult r = RunFn(std::string("function f($s) { return ") + call + "; }", "f", {"abc"});
    EXPECT_NE(r.status, EvalStatus::kOk) << call;
  }
}

}  // namespace
}  // namespace tq::webroot
