// Lexical scopes of a JavaScript token stream (used by the decoder evaluator, js_eval.cc): which
// declaration each name refers to, as the language resolves it. Function scopes hold their
// parameters, their `var` declarations wherever they stand in the body, and their function
// declarations (hoisted); block scopes (`{...}`, a `for (...)` head with its body, a `catch`
// clause) hold `let`, `const`, `class` and the function declarations written in them. A name
// resolves to the innermost scope around it that declares it, so a parameter or a local hides an
// outer binding of the same name; a name no scope declares is a global. Property names
// (`a.name`, object keys) and labels are not references. Destructuring patterns are not read:
// a name declared only in one is not a binding of the scope, so it resolves outward (and the
// evaluator, finding no value it knows, refuses).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {

class JsScopes {
 public:
  static constexpr int32_t kGlobal = -1;   // a name no scope declares
  static constexpr int32_t kNotName = -2;  // a property name, a label, a keyword, not a word

  // Bounded: one pass over the tokens to find scopes and declarations, one to resolve names;
  // scope nesting deeper than kMaxNest leaves the names inside it global.
  explicit JsScopes(const std::vector<Token>& t);

  // For the word at token i: the token index of its declaration (a declaration's own token
  // resolves to itself), kGlobal or kNotName.
  int32_t Binding(size_t i) const { return i < bind_.size() ? bind_[i] : kNotName; }
  // The declaration at token d is in the outermost scope (the script's own).
  bool TopLevel(int32_t d) const {
    return d >= 0 && static_cast<size_t>(d) < top_.size() && top_[d];
  }
  // The declaration at token d is a function declaration's name (`function d(`).
  bool FunctionDecl(int32_t d) const {
    return d >= 0 && static_cast<size_t>(d) < fn_decl_.size() && fn_decl_[d];
  }
  // The function (its parameter list's "(" token) whose body the token i is in, or -1 at the
  // top level.
  int32_t FunctionOf(size_t i) const { return i < fn_of_.size() ? fn_of_[i] : -1; }

  // The declarations of the outermost scope, in token order.
  const std::vector<int32_t>& TopDecls() const { return top_decls_; }

  static constexpr int kMaxNest = 256;

 private:
  std::vector<int32_t> top_decls_;
  std::vector<int32_t> bind_;
  std::vector<bool> top_, fn_decl_;
  std::vector<int32_t> fn_of_;
};

}  // namespace tq::webroot
