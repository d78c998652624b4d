// Token helpers shared by the JavaScript deobfuscation passes (js_string_array.cc,
// js_objects.cc); implementation header.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot::js {

constexpr size_t kNone = static_cast<size_t>(-1);
constexpr int kMaxDepth = 24;  // wrapper chains, nested expressions and proxies

inline bool Op(const Token& t, std::string_view s) { return IsOp(t, s); }
inline bool Word(const Token& t) { return t.type == Tok::kWord; }
inline bool Word(const Token& t, std::string_view s) { return t.type == Tok::kWord && t.text == s; }
inline bool Decl(const Token& t) { return Word(t, "var") || Word(t, "let") || Word(t, "const"); }

// The token closing the bracket t[i] opens, or kNone (searched up to `limit` tokens).
inline size_t Close(const std::vector<Token>& t, size_t i, size_t limit) {
  const char o = t[i].text[0];
  const char c = o == '(' ? ')' : o == '[' ? ']' : '}';
  int depth = 0;
  for (size_t j = i; j < t.size() && j - i < limit; ++j) {
    if (t[j].type != Tok::kOp || t[j].text.size() != 1) continue;
    if (t[j].text[0] == o)
      ++depth;
    else if (t[j].text[0] == c && --depth == 0)
      return j;
  }
  return kNone;
}

// The "{" that the "}" at t[i] closes, or kNone.
inline size_t OpenOf(const std::vector<Token>& t, size_t i, size_t limit) {
  int depth = 0;
  for (size_t j = i + 1; j-- > 0 && i - j < limit;) {
    if (Op(t[j], "}"))
      ++depth;
    else if (Op(t[j], "{") && --depth == 0)
      return j;
  }
  return kNone;
}

// The "(" at t[i] opens a method's parameters in an object literal, `{key(a){..}}` or
// `{[expr](a){..}}`: `close` (its ")") is followed by "{" and the key follows "{" or ",". A
// getter or setter (`get key(){}`) is not one: its key follows the word.
inline bool MethodParams(const std::vector<Token>& t, size_t i, size_t close) {
  if (i < 2 || close == kNone || close + 1 >= t.size() || !Op(t[close + 1], "{")) return false;
  const Token& key = t[i - 1];
  size_t before = i - 2;
  if (Op(key, "]")) {
    int depth = 0;
    size_t j = i - 1;
    for (; j-- > 0 && i - j < 4096;) {
      if (Op(t[j], "]")) ++depth;
      if (Op(t[j], "[") && depth-- == 0) break;
    }
    if (j == static_cast<size_t>(-1) || j == 0 || !Op(t[j], "[")) return false;
    before = j - 1;
  } else if (key.type != Tok::kWord && key.type != Tok::kString && key.type != Tok::kNumber) {
    return false;
  } else if (key.type == Tok::kWord &&
             (key.text == "if" || key.text == "for" || key.text == "while" ||
              key.text == "switch" || key.text == "catch" || key.text == "with" ||
              key.text == "function")) {
    return false;
  }
  return Op(t[before], "{") || Op(t[before], ",");
}

using Ranges = std::vector<std::pair<size_t, size_t>>;

// The top-level comma-separated parts of t[b, e).
inline void SplitTop(const std::vector<Token>& t, size_t b, size_t e, Ranges& out) {
  int depth = 0;
  size_t start = b;
  for (size_t j = b; j < e; ++j) {
    if (Op(t[j], "(") || Op(t[j], "[") || Op(t[j], "{")) ++depth;
    if (Op(t[j], ")") || Op(t[j], "]") || Op(t[j], "}")) --depth;
    if (depth == 0 && Op(t[j], ",")) {
      out.emplace_back(start, j);
      start = j + 1;
    }
  }
  if (start < e) out.emplace_back(start, e);
}

inline bool IsAssign(const Token& t) {
  if (t.type != Tok::kOp) return false;
  const std::string& s = t.text;
  return s == "=" || (s.size() >= 2 && s.back() == '=' && s != "==" && s != "===" && s != "!=" &&
                      s != "!==" && s != "<=" && s != ">=");
}

}  // namespace tq::webroot::js
