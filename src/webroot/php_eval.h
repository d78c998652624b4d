// Implementation header (code_fold.cc, php_eval.cc and their tests only): a bounded evaluator
// for the file's own decoder functions. Obfuscated PHP often carries a function of its own
// (a loop of chr/ord/xor/substr over its argument, or a chain of base64_decode/strrev/
// str_rot13) and calls it on string literals: `eval(dx('6A76...', 'k'))`. No fixed fold can
// read that; running the function can. The evaluator interprets a small, side-effect-free
// subset of PHP (variables, arrays, arithmetic and string operators, loops, if, return, calls
// of pure string built-ins and of other functions in the same file) and gives up on anything
// else (objects, globals, output, request input). Every run is capped in steps, bytes created,
// string size and call depth, so an infinite loop or a doubling string ends as a refusal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {

struct EvalLimits {
  size_t max_steps = 1u << 21;   // expression and statement evaluations per call
  size_t max_bytes = 32u << 20;  // bytes of strings and array items created per call
  size_t max_string = 4u << 20;  // longest string a value may hold
  size_t max_array = 1u << 18;   // items in one array
  int max_call_depth = 16;       // nested calls of the file's own functions
  size_t max_nodes = 1u << 16;   // parsed nodes per function body
};

enum class EvalStatus : uint8_t {
  kOk,
  kUnknownFunction,  // no definition of that name in the code
  kUnsupported,      // the body uses something the evaluator does not run
  kStepLimit,
  kMemoryLimit,
  kDepthLimit,
  kNotString,  // ran, but returned no string
};
const char* EvalStatusName(EvalStatus s);

struct EvalResult {
  EvalStatus status = EvalStatus::kUnsupported;
  std::string value;  // the returned string (kOk)
  size_t steps = 0;
};

// The functions one PHP layer defines (plain `function name(...) {...}`), parsed on first use.
class UserFunctions {
 public:
  explicit UserFunctions(const std::vector<Token>& tokens);
  ~UserFunctions();
  UserFunctions(const UserFunctions&) = delete;
  UserFunctions& operator=(const UserFunctions&) = delete;

  // Names (lowercase) whose body looks like a decoder: a loop over bytes (chr, ord, xor,
  // substr, ...) or a chain of decoding built-ins. Only these are run by FoldUserDecoders.
  const std::vector<std::string>& decoders() const { return decoders_; }
  bool IsDecoder(const std::string& lower_name) const;

  // Runs `name(args...)` (literal arguments, strings or numbers spelled as PHP writes them).
  EvalResult Call(const std::string& name, const std::vector<Token>& args,
                  const EvalLimits& limits);

  struct Def;

 private:
  friend class Machine;
  const std::vector<Token>& t_;
  std::vector<Def*> defs_;  // owned
  std::vector<std::string> decoders_;
  Def* Find(const std::string& lower_name) const;
  bool Parse(Def& d, const EvalLimits& limits);
};

// The fold step: every call of one of the file's decoder functions whose arguments are all
// literals is run and, when it returns a string, replaced by that string, its `decoded_by`
// naming the function ("dx()") so the layer path says which decoder peeled it. Steps are
// charged to `budget.eval_steps_left` and created bytes to `budget.bytes_left`. True when
// anything was replaced.
bool FoldUserDecoders(std::vector<Token>& tokens, FoldBudget& budget);

// The same for a decoder written inline: `for (...) { $d .= chr(...); } eval($d);` at the top
// level. The code before the eval is run (no function, no output, no request input allowed)
// and $d becomes the literal it built ("decoder-loop()"). True when it replaced one.
bool FoldInlineDecoder(std::vector<Token>& tokens, FoldBudget& budget);

}  // namespace tq::webroot
