// The evaluator's statements and calls (php_eval_run.cc): calls between the file's own
// functions with default arguments and bounded recursion, loops over keys and values. What it
// refuses to run rather than guess is tested in one table, in php_eval_test.cc.
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

}  // namespace
}  // namespace tq::webroot
