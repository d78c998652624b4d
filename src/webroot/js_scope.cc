// Lexical scopes of a JavaScript token stream (see js_scope.h).
#include "webroot/js_scope.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "webroot/js_tokens.h"

namespace tq::webroot {
namespace {

bool Keyword(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "var",        "let",   "const", "function", "return",  "if",     "else",   "for",
      "while",      "do",    "break", "continue", "new",     "delete", "typeof", "void",
      "instanceof", "in",    "of",    "this",     "null",    "true",   "false",  "class",
      "extends",    "super", "try",   "catch",    "finally", "throw",  "switch", "case",
      "default",    "with",  "yield", "async",    "await",   "import", "export", "debugger"};
  return w.size() >= 2 && w.size() <= 10 && kWords.count(w) > 0;
}

struct Scope {
  bool function = false;
  int32_t parent = -1;
  size_t end = 0;   // the last token inside it
  int32_t fn = -1;  // FunctionOf for the tokens directly in it
  std::unordered_map<std::string_view, int32_t> decls;
};

}  // namespace

JsScopes::JsScopes(const std::vector<Token>& t)
    : bind_(t.size(), kNotName),
      top_(t.size(), false),
      fn_decl_(t.size(), false),
      fn_of_(t.size(), -1) {
  const size_t n = t.size();
  if (n == 0) return;
  std::vector<size_t> match(n, js::kNone);
  {
    std::vector<size_t> open;
    for (size_t i = 0; i < n; ++i) {
      if (t[i].type != Tok::kOp || t[i].text.size() != 1) continue;
      char c = t[i].text[0];
      if (c == '(' || c == '[' || c == '{') {
        open.push_back(i);
      } else if ((c == ')' || c == ']' || c == '}') && !open.empty()) {
        match[open.back()] = i;
        open.pop_back();
      }
    }
  }
  auto op = [&](size_t i, std::string_view s) { return i < n && js::Op(t[i], s); };
  // The end of a function or clause whose head closes at `close`: its `{...}` body, or for an
  // arrow with an expression body, the last token before a `,` `;` or closing bracket at its
  // own depth.
  auto body_end = [&](size_t after) -> size_t {
    if (op(after, "{") && match[after] != js::kNone) return match[after];
    int depth = 0;
    size_t j = after;
    for (; j < n; ++j) {
      if (t[j].type == Tok::kOp && t[j].text.size() == 1) {
        char c = t[j].text[0];
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') {
          if (depth == 0) break;
          --depth;
        }
        if ((c == ',' || c == ';') && depth == 0) break;
      }
    }
    return j > after ? j - 1 : after;
  };
  // `function` at t[k] starts a statement (a declaration), not an expression.
  auto statement_at = [&](size_t k) {
    if (k == 0) return true;
    const Token& p = t[k - 1];
    return js::Op(p, ";") || js::Op(p, "{") || js::Op(p, "}") || js::Op(p, ")") ||
           js::Word(p, "else") || js::Word(p, "do");
  };

  std::vector<Scope> scopes(1);
  scopes[0].function = true;
  scopes[0].end = n - 1;
  std::vector<int32_t> stack{0};
  std::vector<int32_t> scope_of(n, 0);
  std::vector<char> list{0};      // per bracket depth: 'v' in a var list, 'l' in a let/const list
  size_t skip_brace = js::kNone;  // the body "{" of a scope opened at its head
  int32_t pending_self = -1;      // a named function expression's name, declared in its scope

  auto nearest_function = [&]() {
    for (size_t k = stack.size(); k-- > 0;)
      if (scopes[stack[k]].function) return stack[k];
    return int32_t{0};
  };
  auto declare = [&](int32_t scope, size_t i) {
    auto [it, fresh] = scopes[scope].decls.emplace(t[i].text, static_cast<int32_t>(i));
    (void)fresh;  // a second `var x` is the same binding: the first token stands for it
    bind_[i] = it->second;
  };
  auto push = [&](bool function, size_t end) -> bool {
    if (stack.size() >= static_cast<size_t>(kMaxNest)) return false;
    Scope s;
    s.function = function;
    s.parent = stack.back();
    s.end = end;
    scopes.push_back(std::move(s));
    stack.push_back(static_cast<int32_t>(scopes.size() - 1));
    return true;
  };
  // Parameters or a catch binding in t(open, close): the words at its own depth that follow
  // "(", "," or "...".
  auto params = [&](int32_t scope, size_t open, size_t close) {
    int depth = 0;
    for (size_t j = open + 1; j < close; ++j) {
      if (t[j].type == Tok::kOp && t[j].text.size() == 1) {
        char c = t[j].text[0];
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') --depth;
      }
      if (depth == 0 && t[j].type == Tok::kWord && !Keyword(t[j].text) &&
          (js::Op(t[j - 1], "(") || js::Op(t[j - 1], ",") || js::Op(t[j - 1], "...")))
        declare(scope, j);
    }
  };

  for (size_t i = 0; i < n; ++i) {
    while (stack.size() > 1 && scopes[stack.back()].end < i) stack.pop_back();
    const Token& k = t[i];
    // Scopes that open here.
    if (js::Op(k, "(") && match[i] != js::kNone) {
      size_t close = match[i];
      bool fn_params = (i > 0 && js::Word(t[i - 1], "function")) ||
                       (i > 1 && t[i - 1].type == Tok::kWord && js::Word(t[i - 2], "function")) ||
                       (i > 1 && js::Op(t[i - 1], "*") && js::Word(t[i - 2], "function"));
      bool arrow = op(close + 1, "=>");
      fn_params = fn_params || js::MethodParams(t, i, close);  // `{key(a){..}}`
      bool clause = i > 0 && (js::Word(t[i - 1], "catch") || js::Word(t[i - 1], "for"));
      if (fn_params || arrow || clause) {
        size_t after = arrow ? close + 2 : close + 1;
        size_t end = (fn_params || arrow || js::Word(t[i - 1], "catch") || op(after, "{"))
                         ? body_end(after)
                         : close;
        if (push(fn_params || arrow, end)) {
          scopes[stack.back()].fn =
              fn_params || arrow ? static_cast<int32_t>(i) : scopes[scopes[stack.back()].parent].fn;
          if (op(after, "{")) skip_brace = after;
          if (pending_self >= 0) declare(stack.back(), static_cast<size_t>(pending_self));
          if (fn_params || arrow || js::Word(t[i - 1], "catch")) params(stack.back(), i, close);
        }
        pending_self = -1;
      }
    } else if (k.type == Tok::kWord && op(i + 1, "=>") && !Keyword(k.text)) {
      if (push(true, body_end(i + 2))) {
        scopes[stack.back()].fn = static_cast<int32_t>(i);
        if (op(i + 2, "{")) skip_brace = i + 2;
        declare(stack.back(), i);
      }
    } else if (js::Op(k, "{") && match[i] != js::kNone) {
      if (i == skip_brace) {
        skip_brace = js::kNone;
      } else if (push(false, match[i])) {
        scopes[stack.back()].fn = scopes[scopes[stack.back()].parent].fn;
      }
    }
    scope_of[i] = stack.back();
    fn_of_[i] = scopes[stack.back()].fn;

    // Declaration lists, by bracket depth.
    if (k.type == Tok::kOp && k.text.size() == 1) {
      char c = k.text[0];
      if (c == '(' || c == '[' || c == '{') list.push_back(0);
      if ((c == ')' || c == ']' || c == '}') && list.size() > 1) list.pop_back();
      if (c == ';') list.back() = 0;
    }
    if (k.type != Tok::kWord) continue;
    if (js::Word(k, "var")) {
      list.back() = 'v';
      continue;
    }
    if (js::Word(k, "let") || js::Word(k, "const")) {
      list.back() = 'l';
      continue;
    }
    if (Keyword(k.text) || bind_[i] != kNotName) continue;
    const Token* prev = i > 0 ? &t[i - 1] : nullptr;
    if (prev && (js::Word(*prev, "var") || js::Word(*prev, "let") || js::Word(*prev, "const") ||
                 (js::Op(*prev, ",") && list.back() != 0))) {
      bool is_var = prev->text == "var" || (prev->text == "," && list.back() == 'v');
      declare(is_var ? nearest_function() : stack.back(), i);
    } else if (prev && js::Word(*prev, "class")) {
      declare(stack.back(), i);
    } else if (prev && (js::Word(*prev, "function") ||
                        (js::Op(*prev, "*") && i > 1 && js::Word(t[i - 2], "function")))) {
      size_t fk = js::Word(*prev, "function") ? i - 1 : i - 2;
      if (statement_at(fk)) {
        // A function declaration's binding is set when its scope is entered, over a parameter
        // or a `var` of the same name: the name resolves to it.
        scopes[stack.back()].decls[k.text] = static_cast<int32_t>(i);
        bind_[i] = static_cast<int32_t>(i);
        fn_decl_[i] = true;
      } else {
        pending_self = static_cast<int32_t>(i);
      }
    }
  }

  // References: every other word that is not a property name, an object key or a label.
  for (size_t i = 0; i < n; ++i) {
    const Token& k = t[i];
    if (k.type != Tok::kWord || Keyword(k.text)) continue;
    if (bind_[i] >= 0 && static_cast<size_t>(bind_[i]) == i) continue;  // a declaration
    if (i > 0 && (js::Op(t[i - 1], ".") || js::Op(t[i - 1], "?.") || js::Word(t[i - 1], "break") ||
                  js::Word(t[i - 1], "continue")))
      continue;
    if (op(i + 1, ":") && (i == 0 || js::Op(t[i - 1], "{") || js::Op(t[i - 1], ",") ||
                           js::Op(t[i - 1], ";") || js::Op(t[i - 1], "}")))
      continue;
    int32_t found = kGlobal;
    for (int32_t s = scope_of[i]; s >= 0; s = scopes[s].parent) {
      auto it = scopes[s].decls.find(k.text);
      if (it != scopes[s].decls.end()) {
        found = it->second;
        break;
      }
    }
    bind_[i] = found;
  }
  for (const auto& [name, d] : scopes[0].decls) {
    top_[d] = true;
    top_decls_.push_back(d);
  }
  std::sort(top_decls_.begin(), top_decls_.end());
}

}  // namespace tq::webroot
