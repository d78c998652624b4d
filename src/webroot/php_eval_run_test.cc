// The evaluator's statements and calls (php_eval_run.cc): calls between the file's own
// functions with default arguments and bounded recursion, and what it refuses to run rather
// than guess (switch, static, global, objects, output, request input, a function the file does
// not define, a result that is not a string).
#include <gtest/gtest.h>

#include <string>

#include "webroot/php_eval_test_support.h"

namespace tq::webroot {
namespace {

TEST(PhpEvalRun, TheFilesOwnFunctionsCallEachOther) {
  const std::string code =
      "function pre($a, $b = '-') { return $b . $a; }\n"
      "function up($n) { return $n <= 0 ? '' : up($n - 1) . $n; }\n"
      "function f($s) { return pre($s) . pre($s, '+') . up(3); }\n";
  EvalResult r = RunFn(code, "f", {"x"});
  EXPECT_EQ(r.status, EvalStatus::kOk) << EvalStatusName(r.status);
  EXPECT_EQ(r.value, "-x+x123");
}

TEST(PhpEvalRun, LoopsOverKeysAndValues) {
  const std::string code =
      "function f($s) { $m = array('b' => 2, 'a' => 1); $o = '';"
      " foreach ($m as $k => $v) { $o .= $k . $v; }"
      " for ($i = strlen($s) - 1; $i >= 0; $i--) { $o .= $s[$i]; }"
      " return $o; }";
  EvalResult r = RunFn(code, "f", {"xyz"});
  EXPECT_EQ(r.status, EvalStatus::kOk) << EvalStatusName(r.status);
  EXPECT_EQ(r.value, "b2a1zyx");
}

TEST(PhpEvalRun, WhatItCannotRunIsRefused) {
  struct Case {
    const char* body;
    EvalStatus want;
  } cases[] = {
      {"switch ($s) { case 'a': return 'x'; } return 'y';", EvalStatus::kUnsupported},
      {"static $n = 0; return $s;", EvalStatus::kUnsupported},
      {"global $k; return $s . $k;", EvalStatus::kUnsupported},
      {"$o = new ArrayObject(); return $s;", EvalStatus::kUnsupported},
      {"echo $s; return $s;", EvalStatus::kUnsupported},
      {"return $_GET['x'] . $s;", EvalStatus::kUnsupported},
      {"return nowhere($s);", EvalStatus::kUnsupported},  // a name no file or built-in has
      {"return array($s);", EvalStatus::kNotString},
  };
  for (const Case& c : cases) {
    EvalResult r = RunFn(std::string("function f($s) {") + c.body + "}", "f", {"a"});
    EXPECT_EQ(r.status, c.want) << c.body << ": " << EvalStatusName(r.status);
  }
  EXPECT_EQ(RunFn("function f($s) { return $s; }", "g", {"a"}).status,
            EvalStatus::kUnknownFunction);
}

}  // namespace
}  // namespace tq::webroot
