// A bounded evaluator for a JavaScript file's own decoder functions (implementation header:
// code_fold.cc and its tests), the JavaScript counterpart of php_eval.h. Skimmers often carry a
// function of their own that rebuilds each string from a literal (a loop of charCodeAt,
// fromCharCode, XOR or shifts with a key, a custom alphabet, a reversed or split string) and
// call it on literals: `window[d('zbo.,', 3)](d('..'))`. No fixed fold reads that; running the
// function can. Only a small, side-effect-free subset is run: numbers, strings and arrays,
// operators, var/let/const, if, for, while, do-while, break, continue, return, calls of the
// file's other decoder functions and of pure built-ins (String.fromCharCode, charCodeAt,
// indexOf, slice, split, join, parseInt, atob, Math...). Anything else (objects, the DOM,
// closures, regular expressions, try, a global that is not a constant literal) ends the run as
// a refusal. Nothing in the evidence is executed: the evaluator reads the code as data and
// computes what it would return, under caps on steps, bytes created, string and array size,
// and call depth.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {

struct JsEvalLimits {
  size_t max_steps = 1u << 20;   // expression and statement evaluations per call
  size_t max_bytes = 16u << 20;  // bytes of strings and array items created per call
  size_t max_string = 1u << 20;  // longest string (UTF-16 units) a value may hold
  size_t max_array = 1u << 16;   // items in one array
  int max_call_depth = 8;        // nested calls of the file's own functions
  size_t max_nodes = 1u << 12;   // parsed nodes per function body
};

// The fold step: every call `name(args)` of a decoder function the file declares once
// (`function name(..){..}` or `var name = function(..){..}`), whose arguments are literals or
// constants the file declares at its top level, is run and, when it returns a string, replaced
// by that string, `decoded_by` naming the function ("d()"). Steps are charged to
// `budget.eval_steps_left`, created bytes to `budget.bytes_left`; a function that cannot run is
// put in `budget.eval_refused`. True when anything was replaced.
bool FoldJsDecoders(std::vector<Token>& tokens, FoldBudget& budget);

// One call, for tests: runs `name` with `args` (string and number tokens) on the functions and
// constants `tokens` declares. Returns false (with `why`) when it cannot.
bool RunJsDecoder(const std::vector<Token>& tokens, const std::string& name,
                  const std::vector<Token>& args, const JsEvalLimits& limits, std::string* out,
                  std::string* why);

}  // namespace tq::webroot
