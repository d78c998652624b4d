// Folding passes over lexed PHP/JS tokens (the decoders they call are in code_decode.cc).
// Each pass is a left-to-right rewrite into a new vector (linear); a pass runs only while
// the previous one changed something, at most `passes` times, and every string it creates
// is charged to a byte budget so that doubling tricks ($b=$a.$a; $c=$b.$b; ...) stop instead of
// growing.

#include <cctype>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "core/text.h"
#include "webroot/code_lexer.h"
#include "webroot/js_eval.h"
#include "webroot/js_pack.h"
#include "webroot/js_string_array.h"
#include "webroot/php_eval.h"

namespace tq::webroot {
namespace {

bool IEq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

bool IsAssignOp(const Token& t) {
  if (t.type != Tok::kOp) return false;
  static const char* ops[] = {"=",  ".=",   "+=",  "-=",  "*=",  "/=",  "%=",  "&=", "|=",
                              "^=", "?\?=", "<<=", ">>=", "**=", "||=", "&&=", "++", "--"};
  for (const char* o : ops)
    if (t.text == o) return true;
  return false;
}

// `if (!isset($x)) $x = ...` (or empty($x), !$x, $x == ''), braced or not: a default that
// only runs when $x is absent, so $x holds no one value (register_globals and extract()
// code fills it from the request first). `name` is assigned at `i` (tokens before it are read).
bool ConditionalDefault(const std::vector<Token>& t, size_t i, const std::string& name) {
  size_t j = i;
  if (j > 0 && IsOp(t[j - 1], "{")) --j;
  if (j < 4 || !IsOp(t[j - 1], ")")) return false;
  size_t close = j - 1, open = close;
  for (int depth = 0, n = 0; open > 0 && n < 12; --open, ++n) {
    if (IsOp(t[open], ")")) ++depth;
    if (IsOp(t[open], "(") && --depth == 0) break;
  }
  if (open == 0 || !IsOp(t[open], "(") || t[open - 1].type != Tok::kWord ||
      !(IEq(t[open - 1].text, "if") || IEq(t[open - 1].text, "elseif")))
    return false;
  bool same = false, test = false;
  for (size_t k = open + 1; k < close; ++k) {
    if (t[k].type == Tok::kVar) {
      if (t[k].text != name) return false;
      same = true;
    }
    if ((t[k].type == Tok::kWord && (IEq(t[k].text, "isset") || IEq(t[k].text, "empty"))) ||
        (t[k].type == Tok::kOp && (t[k].text == "!" || t[k].text == "==" || t[k].text == "===")))
      test = true;
  }
  return same && test;
}

bool IsKeyword(std::string_view w) {
  static const char* kw[] = {"var",       "let",  "const",  "function", "return", "new",
                             "typeof",    "this", "window", "document", "self",   "if",
                             "else",      "for",  "while",  "true",     "false",  "null",
                             "undefined", "in",   "of"};
  for (const char* k : kw)
    if (w == k) return true;
  return false;
}

struct Constant {
  bool string = true;
  std::string value;
  std::string decoded_by;          // the decoders that produced `value` (kept for names called)
  std::vector<std::string> items;  // JS string arrays
  int assignments = 0;
  bool poisoned = false;
  bool element_write = false;  // $a[...] = ...: its value changes in ways not followed
  bool usable() const { return !poisoned && assignments == 1; }
};

// Names assigned exactly once, to a literal string (or, in JS, a literal array of strings).
std::map<std::string, Constant> FindConstants(const std::vector<Token>& t, Lang lang) {
  std::map<std::string, Constant> c;
  Tok name_type = lang == Lang::kPhp ? Tok::kVar : Tok::kWord;
  // A JS function's parameter is another variable in each call (an obfuscator gives the same
  // name to a parameter here and a constant there): never a constant.
  for (size_t i = 0; lang == Lang::kJs && i + 1 < t.size(); ++i) {
    if (!(t[i].type == Tok::kWord && t[i].text == "function")) continue;
    size_t j = i + 1;
    if (j < t.size() && t[j].type == Tok::kWord) ++j;
    if (j >= t.size() || !IsOp(t[j], "(")) continue;
    for (++j; j < t.size() && j < i + 64 && !IsOp(t[j], ")"); ++j)
      if (t[j].type == Tok::kWord) c[t[j].text].poisoned = true;
  }
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i].type != name_type || t[i].text.size() < 2) continue;
    if (lang == Lang::kJs && (IsKeyword(t[i].text) || (i > 0 && IsOp(t[i - 1], ".")))) continue;
    if (lang == Lang::kPhp && i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::"))) continue;
    const Token& n = t[i + 1];
    bool element = IsOp(n, "[") || (lang == Lang::kPhp && IsOp(n, "{"));
    if (element) {
      // $a[...] = ... : an element write poisons the name
      size_t j = i + 2;
      int depth = 1;
      while (j < t.size() && depth > 0 && j < i + 64) {
        if (IsOp(t[j], "[") || IsOp(t[j], "{")) ++depth;
        if (IsOp(t[j], "]") || IsOp(t[j], "}")) --depth;
        ++j;
      }
      if (j < t.size() && IsAssignOp(t[j]) && t[j].text != "==") {
        c[t[i].text].poisoned = true;
        c[t[i].text].element_write = true;
      }
      continue;
    }
    if (lang == Lang::kJs && IsOp(n, ".") && i + 2 < t.size() && t[i + 2].type == Tok::kWord) {
      static const char* mut[] = {"push", "shift", "unshift", "splice", "reverse", "sort", "pop"};
      for (const char* m : mut)
        if (t[i + 2].text == m) c[t[i].text].poisoned = true;
      continue;
    }
    if (i > 0 && (IsOp(t[i - 1], "++") || IsOp(t[i - 1], "--") || IsOp(t[i - 1], "&")))
      c[t[i].text].poisoned = true;
    if (lang == Lang::kPhp && i > 0 && t[i - 1].type == Tok::kWord &&
        (IEq(t[i - 1].text, "as") || IEq(t[i - 1].text, "global") || IEq(t[i - 1].text, "static")))
      c[t[i].text].poisoned = true;
    if (!IsAssignOp(n)) continue;
    Constant& k = c[t[i].text];
    ++k.assignments;
    if (lang == Lang::kPhp && ConditionalDefault(t, i, t[i].text)) k.poisoned = true;
    if (n.text != "=" || i + 3 >= t.size() + 1) {
      k.poisoned = true;
      continue;
    }
    auto ends = [&](size_t j) {
      return j >= t.size() || IsOp(t[j], ";") || IsOp(t[j], ",") || IsOp(t[j], ")");
    };
    if (i + 2 < t.size() && t[i + 2].type == Tok::kString && t[i + 2].quote == '\'' &&
        ends(i + 3)) {
      k.string = true;
      k.value = t[i + 2].text;
      k.decoded_by = t[i + 2].decoded_by;
      continue;
    }
    bool php_array = lang == Lang::kPhp && i + 3 < t.size() && t[i + 2].type == Tok::kWord &&
                     IEq(t[i + 2].text, "array") && IsOp(t[i + 3], "(");
    if (i + 2 < t.size() && (IsOp(t[i + 2], "[") || php_array)) {
      std::vector<std::string> items;
      size_t j = php_array ? i + 4 : i + 3;
      while (j < t.size() && t[j].type == Tok::kString && t[j].quote == '\'') {
        items.push_back(t[j].text);
        if (j + 1 < t.size() && IsOp(t[j + 1], ","))
          j += 2;
        else {
          ++j;
          break;
        }
      }
      if (j < t.size() && IsOp(t[j], php_array ? ")" : "]") && !items.empty() && ends(j + 1)) {
        k.string = false;
        k.items = std::move(items);
        continue;
      }
    }
    k.poisoned = true;
  }
  return c;
}

// PHP functions without parameters whose body ends in its only return of a literal
// (function k() { return 'l($_PO'; }): a call of one is that literal. Defined once only.
std::map<std::string, std::string> FindConstantFunctions(const std::vector<Token>& t) {
  std::map<std::string, std::string> out;
  std::set<std::string> defined_twice;
  for (size_t i = 0; i + 5 < t.size(); ++i) {
    if (!(t[i].type == Tok::kWord && IEq(t[i].text, "function") && t[i + 1].type == Tok::kWord &&
          IsOp(t[i + 2], "(") && IsOp(t[i + 3], ")") && IsOp(t[i + 4], "{")))
      continue;
    std::string name = Lower(t[i + 1].text);
    if (out.count(name)) defined_twice.insert(name);
    size_t j = i + 5, returns = 0, ret = 0;
    for (; j < t.size() && j < i + 512 && !IsOp(t[j], "}") && !IsOp(t[j], "{"); ++j)
      if (t[j].type == Tok::kWord && IEq(t[j].text, "return")) ++returns, ret = j;
    if (j < t.size() && IsOp(t[j], "}") && returns == 1 && ret + 3 == j &&
        t[ret + 1].type == Tok::kString && t[ret + 1].quote == '\'' && IsOp(t[ret + 2], ";"))
      out[name] = t[ret + 1].text;
    else
      defined_twice.insert(name);  // a function of that name that is not a constant
  }
  for (const std::string& n : defined_twice) out.erase(n);
  return out;
}

class Folder {
 public:
  Folder(std::vector<Token>& t, Lang lang, FoldBudget& b) : in_(t), lang_(lang), budget_(b) {}

  bool Charge(size_t n) {
    if (n > budget_.bytes_left) {
      budget_.exhausted = true;
      return false;
    }
    budget_.bytes_left -= n;
    return true;
  }

  // A bare word PHP would read as a string: not a call, constant access, keyword or type.
  bool BareWord(const Token& t, size_t next, bool strict = true) const {
    if (t.type != Tok::kWord || t.concealed) return false;
    if (next < in_.size() &&
        (IsOp(in_[next], "(") || IsOp(in_[next], "::") || IsOp(in_[next], "\\")))
      return false;
    std::string l;
    for (char c : t.text) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static const char* reserved[] = {"true",
                                     "false",
                                     "null",
                                     "php_eol",
                                     "return",
                                     "echo",
                                     "print",
                                     "new",
                                     "as",
                                     "and",
                                     "or",
                                     "xor",
                                     "instanceof",
                                     "array",
                                     "list",
                                     "isset",
                                     "empty",
                                     "function",
                                     "fn",
                                     "static",
                                     "global",
                                     "const",
                                     "case",
                                     "default",
                                     "include",
                                     "require",
                                     "include_once",
                                     "require_once",
                                     "use",
                                     "namespace",
                                     "class",
                                     "__dir__",
                                     "__file__",
                                     "__line__",
                                     "__class__",
                                     "__function__",
                                     "__method__",
                                     "__namespace__",
                                     "directory_separator",
                                     "path_separator",
                                     "php_version",
                                     "abspath",
                                     "wpinc",
                                     "self",
                                     "parent",
                                     "static"};
    for (const char* r : reserved)
      if (l == r) return false;
    if (!strict) return true;
    for (char c : t.text)
      if (std::isupper(static_cast<unsigned char>(c)) == 0 && c != '_' &&
          !std::isdigit(static_cast<unsigned char>(c)))
        return true;  // ALL_CAPS names are real constants; mixed case is the trick
    return false;
  }
  bool BitwiseOperand(const Token& t, size_t next) const {
    return (t.type == Tok::kString && t.quote == '\'') || BareWord(t, next, false);
  }
  // The operator on the left of an operand binds no tighter than `op` (so folding is right).
  static bool LooseLeft(const Token* t, const std::string& op) {
    if (!t) return true;
    if (t->type != Tok::kOp)
      return t->type == Tok::kWord && (t->text == "return" || t->text == "echo");
    static const char* ok[] = {
        "=", "(", ",", ";", "[", ".=", "^=", "|=", "&=", "=>", "{", "?", ":"};
    for (const char* k : ok)
      if (t->text == k) return true;
    return t->text == op || (op == "|" && t->text == "|") || (op == "^" && t->text == "|");
  }
  static bool LooseRight(const Token* t, const std::string& op) {
    if (!t) return true;
    if (t->type != Tok::kOp) return false;
    static const char* ok[] = {";",  ")",  ",",   "]",  "}",  "?", ":",
                               "=>", "==", "===", "!=", "&&", "||"};
    for (const char* k : ok)
      if (t->text == k) return true;
    // a lower-or-equal precedence bitwise operator follows
    return t->text == op || t->text == "|" || (op == "&" && t->text == "^");
  }

  std::string_view Concat() const { return lang_ == Lang::kPhp ? "." : "+"; }

  // The decoders a call of `fn` on a literal applies; false when `fn` is not one.
  bool Decode(std::string_view fn, const std::string& in, std::string& out) {
    constexpr size_t kMax = 8u << 20;
    if (lang_ == Lang::kPhp) {
      if (IEq(fn, "base64_decode")) {
        Decoded d = DecodeBase64(in, kMax);
        if (!d.ok) return false;
        out = std::move(d.out);
        return true;
      }
      int bits = IEq(fn, "gzinflate")      ? -15
                 : IEq(fn, "gzuncompress") ? 15
                 : IEq(fn, "gzdecode")     ? 31
                                           : 0;
      if (bits) {
        Decoded d = Inflate(in, bits, kMax);
        if (!d.ok) return false;
        out = std::move(d.out);
        return true;
      }
      if (IEq(fn, "str_rot13")) return out = Rot13(in), true;
      if (IEq(fn, "strrev")) return out.assign(in.rbegin(), in.rend()), true;
      if (IEq(fn, "hex2bin")) {
        Decoded d = HexToBin(in);
        return d.ok ? (out = std::move(d.out), true) : false;
      }
      if (IEq(fn, "urldecode") || IEq(fn, "rawurldecode")) {
        out = UrlDecode(in, IEq(fn, "urldecode")).out;
        return true;
      }
      if (IEq(fn, "strtolower") || IEq(fn, "strtoupper")) {
        out = in;
        bool up = IEq(fn, "strtoupper");
        for (char& ch : out)
          ch = static_cast<char>(up ? std::toupper(static_cast<unsigned char>(ch))
                                    : std::tolower(static_cast<unsigned char>(ch)));
        return true;
      }
      if (IEq(fn, "stripslashes")) {
        out.clear();
        for (size_t i = 0; i < in.size(); ++i) {
          if (in[i] == '\\' && i + 1 < in.size()) ++i;
          out += in[i];
        }
        return true;
      }
      if (IEq(fn, "trim")) {
        size_t a = in.find_first_not_of(" \t\r\n\v");
        size_t b = in.find_last_not_of(" \t\r\n\v");
        out = a == std::string::npos ? "" : in.substr(a, b - a + 1);
        return true;
      }
      return false;
    }
    if (fn == "atob") {
      Decoded d = DecodeBase64(in, kMax);
      return d.ok ? (out = std::move(d.out), true) : false;
    }
    if (fn == "unescape" || fn == "decodeURIComponent" || fn == "decodeURI") {
      // unescape also knows %uXXXX
      out.clear();
      for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 5 < in.size() && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
          Decoded d = HexToBin(in.substr(i + 2, 4));
          if (d.ok && d.out.size() == 2) {
            uint32_t cp =
                (static_cast<unsigned char>(d.out[0]) << 8) | static_cast<unsigned char>(d.out[1]);
            if (cp < 0x80)
              out += static_cast<char>(cp);
            else
              out += '?';
            i += 5;
            continue;
          }
        }
        out += in[i];
      }
      out = UrlDecode(out, false).out;
      return true;
    }
    return false;
  }

  // One pass; true when anything changed.
  bool Pass() {
    consts_ = FindConstants(in_, lang_);
    if (lang_ == Lang::kPhp) const_functions_ = FindConstantFunctions(in_);
    seq_.clear();
    pending_.clear();
    std::vector<Token> o;
    o.reserve(in_.size());
    bool changed = false;
    const size_t n = in_.size();
    int offset_braces = 0;
    blocks_.clear();
    BlockKind block_kind = kPlainBlock;  // of the next '{': set by the keyword before it
    // Loop bodies are scanned ahead for the names they assign; nested loops share a budget
    // so that a hostile nest of loops stays linear.
    size_t loop_scan_budget = 1u << 20;
    // Inside a function's parameter list (depth of its brackets): a parameter is declared
    // there, never replaced by a value of the same name elsewhere.
    int param_depth = 0;
    bool after_function = false;
    for (size_t i = 0; i < n; ++i) {
      Token cur = std::move(in_[i]);
      {
        // (JavaScript too: a parameter's default, `function f(a, b = {k: 1}, c)`, holds braces
        // that are no block, and `c` is no name of the code before it.)
        if (cur.type == Tok::kWord &&
            (IEq(cur.text, "function") || (lang_ == Lang::kPhp && IEq(cur.text, "fn"))))
          after_function = true;
        else if (after_function && IsOp(cur, "(")) {
          after_function = false;
          param_depth = 1;
        } else if (param_depth > 0 && IsOp(cur, "(")) {
          ++param_depth;
        } else if (param_depth > 0 && IsOp(cur, ")")) {
          --param_depth;
        } else if (after_function && !(cur.type == Tok::kWord || IsOp(cur, "&"))) {
          after_function = false;
        }
      }
      auto at = [&](size_t k) -> const Token* { return i + k < n ? &in_[i + k] : nullptr; };
      auto back = [&](size_t k) -> Token* { return o.size() >= k ? &o[o.size() - k] : nullptr; };

      // A constant used: its value (or, for X[N], one character / one array item).
      bool is_name = (lang_ == Lang::kPhp && cur.type == Tok::kVar) ||
                     (lang_ == Lang::kJs && cur.type == Tok::kWord);
      // In order: the value a name holds at this point of straight-line code, so that
      // $f = 'base'.'64_decode'; $f = $f('...'); reads as a decode (flow-insensitive
      // single assignments below cover names used before they are written).
      if (IsOp(cur, ";")) {
        for (const std::string& name : pending_) seq_.erase(name);
        pending_.clear();
      }
      // Blocks: a function body starts with no values and gives the outer ones back at its
      // end; a loop body does not see the values of names it assigns itself ($c = ''; for
      // (...) { $c = $c . chr(...); }); after any other block (if, else) the names assigned
      // inside it may hold either branch's value. The body of an if still sees the values
      // from before it. ($x{28} is a string offset in PHP < 8, not a block.)
      bool offset_open =
          IsOp(cur, "{") && back(1) &&
          (back(1)->type == Tok::kVar || back(1)->type == Tok::kString || IsOp(*back(1), "]"));
      if (offset_open) ++offset_braces;
      bool offset_close = IsOp(cur, "}") && offset_braces > 0;
      if (offset_close) --offset_braces;
      if (cur.type == Tok::kWord) {
        if (IEq(cur.text, "for") || IEq(cur.text, "foreach") || IEq(cur.text, "while") ||
            IEq(cur.text, "do"))
          block_kind = kLoopBlock;
        else if (IEq(cur.text, "function") || IEq(cur.text, "fn"))
          block_kind = kFunctionBlock;
      }
      if (IsOp(cur, "{") && !offset_open && param_depth == 0 && blocks_.size() < 256) {
        blocks_.push_back({block_kind, {}, {}});
        if (block_kind == kFunctionBlock) {
          blocks_.back().saved.swap(seq_);
          pending_.clear();
        } else if (block_kind == kLoopBlock && loop_scan_budget < (1u << 12)) {
          seq_.clear();  // nested loops past the budget: forget everything (still right)
        } else if (block_kind == kLoopBlock) {
          for (size_t j = i + 1, depth = 1; j < n && j < i + (1u << 16) && depth > 0; ++j) {
            if (loop_scan_budget > 0) --loop_scan_budget;
            if (IsOp(in_[j], "{")) ++depth;
            if (IsOp(in_[j], "}")) --depth;
            if (((lang_ == Lang::kPhp && in_[j].type == Tok::kVar) ||
                 (lang_ == Lang::kJs && in_[j].type == Tok::kWord)) &&
                j + 1 < n && IsAssignOp(in_[j + 1]))
              seq_.erase(in_[j].text);
          }
        }
        block_kind = kPlainBlock;
      } else if (IsOp(cur, "}") && !offset_close && param_depth == 0 && !blocks_.empty()) {
        Block b = std::move(blocks_.back());
        blocks_.pop_back();
        if (b.kind == kFunctionBlock) {
          seq_.swap(b.saved);
          pending_.clear();
        } else {
          for (const std::string& name : b.assigned) {
            seq_.erase(name);
            if (!blocks_.empty()) blocks_.back().assigned.insert(name);
          }
        }
      }
      if (is_name && at(1) && IsAssignOp(*at(1))) {
        if (!blocks_.empty()) blocks_.back().assigned.insert(cur.text);
        if (at(1)->text == "=" && at(2) && at(2)->type == Tok::kString && at(2)->quote == '\'' &&
            (!at(3) || IsOp(*at(3), ";")) &&
            !(lang_ == Lang::kPhp && ConditionalDefault(o, o.size(), cur.text))) {
          Constant k;
          k.value = at(2)->text;
          k.decoded_by = at(2)->decoded_by;
          if (k.value.size() < (1u << 20)) seq_[cur.text] = std::move(k);
        } else {
          pending_.push_back(cur.text);
        }
      }
      const Constant* known = nullptr;
      if (is_name && param_depth == 0) {
        auto sq = seq_.find(cur.text);
        auto fi = consts_.find(cur.text);
        bool element_write = fi != consts_.end() && fi->second.element_write;
        if (sq != seq_.end() && !element_write)
          known = &sq->second;
        else if (fi != consts_.end() && fi->second.usable())
          known = &fi->second;
      }
      if (known && !(at(1) && IsAssignOp(*at(1))) &&
          !(back(1) && ((lang_ == Lang::kJs && IsOp(*back(1), ".")) || IsOp(*back(1), "->") ||
                        IsOp(*back(1), "::") ||
                        (back(1)->type == Tok::kWord &&
                         (back(1)->text == "var" || back(1)->text == "let" ||
                          back(1)->text == "const" || back(1)->text == "function")))) &&
          !(lang_ == Lang::kJs && at(1) && IsOp(*at(1), ":"))) {
        const Constant& k = *known;
        if (at(3) && (IsOp(*at(1), "[") || (lang_ == Lang::kPhp && IsOp(*at(1), "{"))) &&
            at(2)->type == Tok::kNumber && (IsOp(*at(3), "]") || IsOp(*at(3), "}"))) {
          std::optional<int64_t> idx = IntegerLiteral(at(2)->text);
          const size_t size = k.string ? k.value.size() : k.items.size();
          if (idx && *idx >= 0 && static_cast<size_t>(*idx) < size) {
            Token s;
            s.type = Tok::kString;
            s.text = k.string ? std::string(1, k.value[*idx]) : k.items[*idx];
            if (Charge(s.text.size())) {
              o.push_back(std::move(s));
              i += 3;
              changed = true;
              continue;
            }
          }
        } else if (k.string && Charge(k.value.size())) {
          cur.type = Tok::kString;
          cur.text = k.value;
          cur.quote = '\'';
          // $f = decoder('..'); $f(...): the name called was decoded (only calls keep the
          // mark, so a decoded value used as data is not counted again at every use).
          // So does the code eval() runs ($p = base64_decode('..'); eval($p)).
          bool evaluated = back(2) && IsOp(*back(1), "(") && back(2)->type == Tok::kWord &&
                           (IEq(back(2)->text, "eval") || IEq(back(2)->text, "assert"));
          if ((at(1) && IsOp(*at(1), "(")) || evaluated) cur.decoded_by = k.decoded_by;
          changed = true;
        }
      }

      // bypass() of a function that only returns a literal: the literal.
      if (!const_functions_.empty() && cur.type == Tok::kWord && at(2) && IsOp(*at(1), "(") &&
          IsOp(*at(2), ")") &&
          !(back(1) && (IsOp(*back(1), "->") || IsOp(*back(1), "::") ||
                        (back(1)->type == Tok::kWord &&
                         (IEq(back(1)->text, "function") || IEq(back(1)->text, "new"))))) &&
          const_functions_.count(Lower(cur.text))) {
        const std::string& v = const_functions_.at(Lower(cur.text));
        if (Charge(v.size())) {
          Token str;
          str.type = Tok::kString;
          str.quote = '\'';
          str.text = v;
          o.push_back(std::move(str));
          i += 2;
          changed = true;
          continue;
        }
      }

      // JS: X['word'] -> X.word, so window['eval'] and String['fromCharCode'] read plainly.
      if (lang_ == Lang::kJs && cur.type == Tok::kString && IsIdentifier(cur.text) && back(1) &&
          IsOp(*back(1), "[") && back(2) &&
          (back(2)->type == Tok::kWord || IsOp(*back(2), ")") || IsOp(*back(2), "]")) && at(1) &&
          IsOp(*at(1), "]")) {
        o.back().text = ".";
        cur.type = Tok::kWord;
        cur.concealed = true;
        o.push_back(std::move(cur));
        ++i;
        changed = true;
        continue;
      }

      // String.fromCharCode.apply(null, [N, ...]): the same run passed as an array.
      if (lang_ == Lang::kJs && cur.type == Tok::kWord && cur.text == "fromCharCode" && at(6) &&
          IsOp(*at(1), ".") && at(2)->type == Tok::kWord && at(2)->text == "apply" &&
          IsOp(*at(3), "(") && at(4)->type == Tok::kWord && IsOp(*at(5), ",") &&
          IsOp(*at(6), "[")) {
        std::string s;
        size_t j = i + 7;
        while (j + 1 < n && in_[j].type == Tok::kNumber && s.size() < (1u << 20)) {
          std::optional<int64_t> v = IntegerLiteral(in_[j].text);
          if (!v) break;
          s += *v > 0 && *v < 0x80 ? static_cast<char>(*v) : '?';
          if (!IsOp(in_[j + 1], ",")) {
            ++j;
            break;
          }
          j += 2;
        }
        if (j + 1 < n && IsOp(in_[j], "]") && IsOp(in_[j + 1], ")") && !s.empty() &&
            Charge(s.size())) {
          if (back(2) && back(2)->type == Tok::kWord && back(2)->text == "String" &&
              IsOp(*back(1), "."))
            o.resize(o.size() - 2);
          cur = Token();
          cur.type = Tok::kString;
          cur.text = std::move(s);
          cur.decoded_by = "fromCharCode";
          o.push_back(std::move(cur));
          i = j + 1;
          changed = true;
          continue;
        }
      }

      // chr(N) / String.fromCharCode(N, ...)
      if (cur.type == Tok::kWord && at(1) && IsOp(*at(1), "(")) {
        bool chr = lang_ == Lang::kPhp && IEq(cur.text, "chr");
        bool fcc = lang_ == Lang::kJs && cur.text == "fromCharCode";
        if (chr || fcc) {
          std::string s;
          size_t j = i + 2;
          bool ok = true;
          while (j < n) {
            if (in_[j].type != Tok::kNumber) {
              ok = false;
              break;
            }
            std::optional<int64_t> v = IntegerLiteral(in_[j].text);
            if (!v) {
              ok = false;
              break;
            }
            if (chr)
              s += static_cast<char>(*v & 0xFF);
            else if (*v < 0x80)
              s += static_cast<char>(*v);
            else
              s += '?';
            ++j;
            if (j < n && IsOp(in_[j], ",") && fcc) {
              ++j;
              continue;
            }
            break;
          }
          if (ok && j < n && IsOp(in_[j], ")") && !s.empty() && Charge(s.size())) {
            if (fcc && back(2) && back(2)->type == Tok::kWord && back(2)->text == "String" &&
                IsOp(*back(1), "."))
              o.resize(o.size() - 2);
            cur = Token();
            cur.type = Tok::kString;
            cur.text = std::move(s);
            // JS builds hidden URLs and names this way; PHP's chr() runs are judged by what
            // they spell (a chr() per letter is common in plain PHP code).
            if (fcc) cur.decoded_by = "fromCharCode";
            i = j;
            changed = true;
          }
        }
      }

      // (literal) -> literal, (N op M) -> value, when the parenthesis is not a call.
      if (IsOp(cur, "(") && !(back(1) && (back(1)->type == Tok::kWord ||
                                          back(1)->type == Tok::kVar || IsOp(*back(1), ")") ||
                                          IsOp(*back(1), "]") || back(1)->type == Tok::kString))) {
        if (at(2) && (at(1)->type == Tok::kString || at(1)->type == Tok::kNumber) &&
            IsOp(*at(2), ")")) {
          o.push_back(in_[i + 1]);
          i += 2;
          changed = true;
          continue;
        }
        if (at(4) && at(1)->type == Tok::kNumber && at(3)->type == Tok::kNumber &&
            IsOp(*at(4), ")") && at(2)->type == Tok::kOp &&
            (at(2)->text == "*" || at(2)->text == "+" || at(2)->text == "-")) {
          std::optional<int64_t> a = IntegerLiteral(at(1)->text), b = IntegerLiteral(at(3)->text);
          if (a && b) {
            int64_t v = at(2)->text == "*" ? *a * *b : at(2)->text == "+" ? *a + *b : *a - *b;
            Token num;
            num.type = Tok::kNumber;
            num.text = std::to_string(v);
            o.push_back(std::move(num));
            i += 4;
            changed = true;
            continue;
          }
        }
      }

      // PHP ${'name'} and $'name' (from $$x with x constant) -> $name
      if (lang_ == Lang::kPhp && cur.type == Tok::kString && IsIdentifier(cur.text)) {
        // The variable's name was built (concealed), as a webshell spells $_POST.
        if (back(1) && back(1)->type == Tok::kVar && back(1)->text == "$") {
          back(1)->text = "$" + cur.text;
          back(1)->concealed = true;
          changed = true;
          continue;
        }
        if (back(2) && back(2)->type == Tok::kVar && back(2)->text == "$" && IsOp(*back(1), "{") &&
            at(1) && IsOp(*at(1), "}")) {
          o.pop_back();
          o.back().text = "$" + cur.text;
          o.back().concealed = true;
          ++i;
          changed = true;
          continue;
        }
      }

      // A decoder called on a literal: the decoded literal.
      if (cur.type == Tok::kString && cur.quote == '\'' && back(2) && IsOp(*back(1), "(") &&
          back(2)->type == Tok::kWord && at(1) && IsOp(*at(1), ")") &&
          !(back(3) && (IsOp(*back(3), "->") || IsOp(*back(3), "::") ||
                        (back(3)->type == Tok::kWord && IEq(back(3)->text, "function"))))) {
        std::string out;
        std::string fn = back(2)->text;
        if (Decode(fn, cur.text, out) && Charge(out.size())) {
          std::string chain = cur.decoded_by.empty() ? fn : cur.decoded_by + ">" + fn;
          o.resize(o.size() - 2);
          // window.atob('..') / this.atob('..')
          if (lang_ == Lang::kJs && back(2) && IsOp(*back(1), ".") && back(2)->type == Tok::kWord &&
              (back(2)->text == "window" || back(2)->text == "this" || back(2)->text == "self"))
            o.resize(o.size() - 2);
          cur.text = std::move(out);
          cur.decoded_by = std::move(chain);
          o.push_back(std::move(cur));
          ++i;
          changed = true;
          continue;
        }
      }
      // pack('H*', 'hex') and str_replace('a', 'b', 'subject') on literals.
      if (lang_ == Lang::kPhp && cur.type == Tok::kWord && at(1) && IsOp(*at(1), "(")) {
        // implode('', $pieces) / join(null, $pieces) of a constant array of strings: a name
        // or URL spelt out piece by piece.
        if ((IEq(cur.text, "implode") || IEq(cur.text, "join")) && at(3)) {
          const Token* sep = nullptr;
          const Token* arr = nullptr;
          size_t close = 0;
          if (at(2)->type == Tok::kVar && IsOp(*at(3), ")")) {
            arr = at(2), close = 3;
          } else if (at(5) && IsOp(*at(3), ",") && IsOp(*at(5), ")")) {
            bool sep_first = at(2)->type == Tok::kString ||
                             (at(2)->type == Tok::kWord && IEq(at(2)->text, "null"));
            if (sep_first && at(4)->type == Tok::kVar) sep = at(2), arr = at(4), close = 5;
            if (at(2)->type == Tok::kVar && at(4)->type == Tok::kString)
              arr = at(2), sep = at(4), close = 5;
          }
          auto c = arr ? consts_.find(arr->text) : consts_.end();
          if (c != consts_.end() && c->second.usable() && !c->second.string) {
            std::string glue = sep && sep->type == Tok::kString ? sep->text : "", joined;
            for (size_t k = 0; k < c->second.items.size(); ++k)
              joined += (k ? glue : "") + c->second.items[k];
            if (Charge(joined.size())) {
              Token str;
              str.type = Tok::kString;
              str.text = std::move(joined);
              str.decoded_by = "implode";
              o.push_back(std::move(str));
              i += close;
              changed = true;
              continue;
            }
          }
        }
        // pack('c*', 112, 97, ...): bytes from numbers, like chr() runs.
        if (IEq(cur.text, "pack") && at(4) && at(2)->type == Tok::kString &&
            (at(2)->text == "c*" || at(2)->text == "C*") && IsOp(*at(3), ",")) {
          std::string bytes;
          size_t j = i + 4;
          bool ok = true;
          while (j < n && in_[j].type == Tok::kNumber) {
            std::optional<int64_t> v = IntegerLiteral(in_[j].text);
            if (!v) {
              ok = false;
              break;
            }
            bytes += static_cast<char>(*v & 0xFF);
            if (j + 1 < n && IsOp(in_[j + 1], ","))
              j += 2;
            else {
              ++j;
              break;
            }
          }
          if (ok && !bytes.empty() && j < n && IsOp(in_[j], ")") && Charge(bytes.size())) {
            Token str;
            str.type = Tok::kString;
            str.text = std::move(bytes);
            str.decoded_by = "pack";
            o.push_back(std::move(str));
            i = j;
            changed = true;
            continue;
          }
        }
        if (IEq(cur.text, "pack") && at(5) && at(2)->type == Tok::kString && IsOp(*at(3), ",") &&
            at(4)->type == Tok::kString && IsOp(*at(5), ")") &&
            (at(2)->text == "H*" || at(2)->text == "h*")) {
          Decoded d = HexToBin(at(4)->text);
          if (d.ok && Charge(d.out.size())) {
            Token s;
            s.type = Tok::kString;
            s.text = std::move(d.out);
            s.decoded_by = "pack";
            o.push_back(std::move(s));
            i += 5;
            changed = true;
            continue;
          }
        }
        // substr('sysatem', 0, 3) . substr('sysatem', 4): a name cut out of a decoy word, as
        // PHP computes it (negative start and length count from the end).
        if (IEq(cur.text, "substr") && at(5) && at(2)->type == Tok::kString && IsOp(*at(3), ",")) {
          size_t j = i + 4;
          auto integer = [&](int64_t& v) {
            bool neg = j < n && IsOp(in_[j], "-");
            if (neg) ++j;
            if (j >= n || in_[j].type != Tok::kNumber) return false;
            std::optional<int64_t> p = IntegerLiteral(in_[j].text);
            if (!p || *p > (1ll << 40)) return false;
            v = neg ? -*p : *p;
            ++j;
            return true;
          };
          const std::string& s = at(2)->text;
          const int64_t size = static_cast<int64_t>(s.size());
          int64_t start = 0, len = size;
          bool ok = integer(start);
          if (ok && j < n && IsOp(in_[j], ",")) {
            ++j;
            ok = integer(len);
          }
          if (ok && j < n && IsOp(in_[j], ")")) {
            if (start < 0) start = std::max<int64_t>(0, size + start);
            start = std::min(start, size);
            int64_t end = len < 0 ? std::max(start, size + len) : std::min(size, start + len);
            std::string r = s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
            if (Charge(r.size())) {
              Token t;
              t.type = Tok::kString;
              t.quote = '\'';
              t.text = std::move(r);
              t.decoded_by = at(2)->decoded_by;
              o.push_back(std::move(t));
              i = j;
              changed = true;
              continue;
            }
          }
        }
        if ((IEq(cur.text, "str_replace") || IEq(cur.text, "str_ireplace")) && at(7) &&
            at(2)->type == Tok::kString && IsOp(*at(3), ",") && at(4)->type == Tok::kString &&
            IsOp(*at(5), ",") && at(6)->type == Tok::kString && IsOp(*at(7), ")") &&
            !at(2)->text.empty()) {
          std::string s = at(6)->text, from = at(2)->text, to = at(4)->text, r;
          for (size_t p = 0;;) {
            size_t q = s.find(from, p);
            if (q == std::string::npos) {
              r.append(s, p);
              break;
            }
            r.append(s, p, q - p).append(to);
            p = q + from.size();
          }
          if (Charge(r.size())) {
            Token t;
            t.type = Tok::kString;
            t.text = std::move(r);
            t.decoded_by = at(6)->decoded_by;
            o.push_back(std::move(t));
            i += 7;
            changed = true;
            continue;
          }
        }
      }

      // PHP bitwise operators on strings ('a3!'^'@Z{'): byte by byte, as PHP does. Bare
      // words are strings there (undefined constants, PHP < 8), a favourite of these tricks.
      if (lang_ == Lang::kPhp && BitwiseOperand(cur, i + 1) && back(2) &&
          back(1)->type == Tok::kOp &&
          (back(1)->text == "^" || back(1)->text == "|" || back(1)->text == "&") &&
          BitwiseOperand(*back(2), i) && LooseLeft(back(3), back(1)->text) &&
          LooseRight(at(1), back(1)->text) &&
          (back(2)->type == Tok::kString || cur.type == Tok::kString || BareWord(*back(2), i) ||
           BareWord(cur, i + 1))) {
        const std::string& a = back(2)->text;
        const std::string& b = cur.text;
        char op = back(1)->text[0];
        std::string r;
        size_t n = op == '|' ? std::max(a.size(), b.size()) : std::min(a.size(), b.size());
        if (Charge(n)) {
          r.resize(n);
          for (size_t k = 0; k < n; ++k) {
            unsigned char x = k < a.size() ? a[k] : 0, y = k < b.size() ? b[k] : 0;
            r[k] = static_cast<char>(op == '^' ? x ^ y : op == '|' ? x | y : x & y);
          }
          o.pop_back();
          o.back().type = Tok::kString;
          o.back().quote = '\'';
          o.back().text = std::move(r);
          o.back().decoded_by = "xor";
          changed = true;
          continue;
        }
      }
      // ~'string' and ~bareword: bytewise NOT (the same family of tricks).
      if (lang_ == Lang::kPhp && back(1) && IsOp(*back(1), "~") && BitwiseOperand(cur, i + 1) &&
          (!back(2) || back(2)->type == Tok::kOp) && Charge(cur.text.size())) {
        o.pop_back();
        for (char& ch : cur.text) ch = static_cast<char>(~static_cast<unsigned char>(ch));
        cur.type = Tok::kString;
        cur.quote = '\'';
        cur.decoded_by = "xor";
        o.push_back(std::move(cur));
        changed = true;
        continue;
      }
      // A bare word next to '.' is a string too (PHP < 8).
      if (lang_ == Lang::kPhp && cur.type == Tok::kWord && BareWord(cur, i + 1, false) && back(2) &&
          IsOp(*back(1), ".") && back(2)->type == Tok::kString && back(2)->quote == '\'') {
        cur.type = Tok::kString;
        cur.quote = '\'';
      }
      if (lang_ == Lang::kPhp && cur.type == Tok::kWord && BareWord(cur, i + 1, false) && at(2) &&
          IsOp(*at(1), ".") && at(2)->type == Tok::kString && back(1) &&
          (IsOp(*back(1), "=") || IsOp(*back(1), "(") || IsOp(*back(1), ",") ||
           IsOp(*back(1), "|") || IsOp(*back(1), "^") || IsOp(*back(1), "&"))) {
        cur.type = Tok::kString;
        cur.quote = '\'';
      }

      // Concatenation of literals.
      if ((cur.type == Tok::kString || (lang_ == Lang::kPhp && cur.type == Tok::kNumber)) &&
          cur.quote == '\'' && back(2) && IsOp(*back(1), Concat()) &&
          ((back(2)->type == Tok::kString && back(2)->quote == '\'') ||
           (lang_ == Lang::kPhp && back(2)->type == Tok::kNumber)) &&
          (back(2)->type == Tok::kString || cur.type == Tok::kString) &&
          !(at(1) && (IsOp(*at(1), "[") || IsOp(*at(1), "(") || IsOp(*at(1), "->") ||
                      IsOp(*at(1), "::") || IsOp(*at(1), "*") || IsOp(*at(1), "/"))) &&
          !(back(3) && (IsOp(*back(3), "*") || IsOp(*back(3), "/") || IsOp(*back(3), "-") ||
                        IsOp(*back(3), "%")))) {
        std::string add = cur.type == Tok::kNumber
                              ? std::to_string(IntegerLiteral(cur.text).value_or(0))
                              : cur.text;
        Token* left = back(2);
        if (left->type == Tok::kNumber) {
          left->text = std::to_string(IntegerLiteral(left->text).value_or(0));
          left->type = Tok::kString;
        }
        if (Charge(left->text.size() + add.size())) {
          left->text += add;
          if (left->decoded_by.empty()) left->decoded_by = cur.decoded_by;
          o.pop_back();
          changed = true;
          continue;
        }
      }

      // $$c with $c a known string ('love'): the variable it names, $love.
      if (lang_ == Lang::kPhp && cur.type == Tok::kString && IsIdentifier(cur.text) && back(1) &&
          back(1)->type == Tok::kVar && back(1)->text == "$") {
        back(1)->text += cur.text;
        changed = true;
        continue;
      }
      // A literal called as a function: the function name was built from pieces.
      if (cur.type == Tok::kString && cur.quote == '\'' && IsIdentifier(cur.text) && at(1) &&
          IsOp(*at(1), "(") && lang_ == Lang::kPhp &&
          !(back(1) && (IsOp(*back(1), "->") || IsOp(*back(1), "::")))) {
        cur.type = Tok::kWord;
        cur.concealed = true;
        changed = true;
      }
      o.push_back(std::move(cur));
    }
    in_ = std::move(o);
    return changed;
  }

 private:
  std::vector<Token>& in_;
  Lang lang_;
  FoldBudget& budget_;
  std::map<std::string, Constant> consts_;
  std::map<std::string, std::string> const_functions_;
  std::map<std::string, Constant> seq_;
  std::vector<std::string> pending_;
  enum BlockKind { kPlainBlock, kLoopBlock, kFunctionBlock };
  struct Block {
    BlockKind kind;
    std::map<std::string, Constant> saved;  // a function's: the values outside it
    std::set<std::string> assigned;         // names assigned inside the block
  };
  std::vector<Block> blocks_;
};

}  // namespace

void Fold(std::vector<Token>& tokens, Lang lang, FoldBudget& budget) {
  // javascript-obfuscator's decoder calls become their strings before the passes fold them.
  if (lang == Lang::kJs) ResolveStringArrays(tokens, budget);
  Folder f(tokens, lang, budget);
  bool changed = true;
  while (budget.passes > 0 && !budget.exhausted && changed) {
    --budget.passes;
    changed = f.Pass();
    // The file's own decoders run on the literals the pass left as their arguments.
    if (lang == Lang::kPhp && FoldUserDecoders(tokens, budget)) changed = true;
    if (lang == Lang::kJs && FoldJsDecoders(tokens, budget)) changed = true;
    if (lang == Lang::kJs && FoldPackedGlobals(tokens, budget)) changed = true;
    if (lang == Lang::kPhp && !changed && FoldInlineDecoder(tokens, budget)) changed = true;
  }
  // Out of passes while still folding: what is left is reported as cut, not as done.
  if (changed && budget.passes == 0) budget.exhausted = true;
}

}  // namespace tq::webroot
