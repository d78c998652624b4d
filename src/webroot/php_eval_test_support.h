// Shared by the evaluator's tests (php_eval_test.cc, php_eval_run_test.cc,
// php_eval_builtins_test.cc): one of the file's functions run on literal arguments.
#pragma once

#include <string>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/php_eval.h"

namespace tq::webroot {

// Runs `fn` of `code` (a PHP body without tags) on literal arguments.
inline EvalResult RunFn(const std::string& code, const std::string& fn,
                        std::vector<std::string> args, EvalLimits limits = EvalLimits()) {
  LexResult lr = LexPhp(code, true, LexLimits());
  UserFunctions fns(lr.tokens);
  std::vector<Token> toks;
  for (std::string& a : args) {
    Token t;
    t.type = Tok::kString;
    t.text = std::move(a);
    toks.push_back(std::move(t));
  }
  return fns.Call(fn, toks, limits);
}

}  // namespace tq::webroot
