// javascript-obfuscator's string array, undone (see js_string_array.h).

#include "webroot/js_string_array.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace tq::webroot {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);
constexpr size_t kMaxItems = 1u << 16;    // entries of one array
constexpr size_t kMaxDecoderBody = 4096;  // tokens of a decoder function
constexpr size_t kMaxCallTokens = 256;    // tokens of one call's argument list
constexpr int kMaxDepth = 24;             // wrapper chains and nested expressions

bool Op(const Token& t, std::string_view s) { return t.type == Tok::kOp && t.text == s; }
bool Word(const Token& t) { return t.type == Tok::kWord; }
bool Word(const Token& t, std::string_view s) { return t.type == Tok::kWord && t.text == s; }
bool Decl(const Token& t) { return Word(t, "var") || Word(t, "let") || Word(t, "const"); }

// The token closing the bracket t[i] opens, or kNone (searched up to `limit` tokens).
size_t Close(const std::vector<Token>& t, size_t i, size_t limit) {
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
size_t OpenOf(const std::vector<Token>& t, size_t i, size_t limit) {
  int depth = 0;
  for (size_t j = i + 1; j-- > 0 && i - j < limit;) {
    if (Op(t[j], "}"))
      ++depth;
    else if (Op(t[j], "{") && --depth == 0)
      return j;
  }
  return kNone;
}

// A JavaScript value as far as these expressions go: a number (NaN for undefined) or a string.
struct Val {
  bool is_str = false;
  double num = std::nan("");
  std::string str;
};

Val Num(double d) {
  Val v;
  v.num = d;
  return v;
}
Val Str(std::string s) {
  Val v;
  v.is_str = true;
  v.str = std::move(s);
  return v;
}

bool Space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Number("..") and the spelling of a numeric literal: decimal, 0x, 0o, 0b, legacy octal.
double ToNumber(std::string_view s) {
  while (!s.empty() && Space(s.front())) s.remove_prefix(1);
  while (!s.empty() && Space(s.back())) s.remove_suffix(1);
  if (s.empty()) return 0;
  if (s.size() > 40) return std::nan("");
  int base = 0;
  size_t i = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, i = 2;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8, i = 2;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, i = 2;
  if (base) {
    double v = 0;
    for (; i < s.size(); ++i) {
      int d = HexVal(s[i]);
      if (d < 0 || d >= base) return std::nan("");
      v = v * base + d;
    }
    return v;
  }
  std::string z(s);
  char* end = nullptr;
  double v = std::strtod(z.c_str(), &end);
  return end == z.c_str() + z.size() ? v : std::nan("");
}

double ToNumber(const Val& v) { return v.is_str ? ToNumber(v.str) : v.num; }

// parseInt(s) with radix 10 (or 16 after 0x), as the checksum calls it.
double ParseInt(const Val& v) {
  if (!v.is_str) return std::isfinite(v.num) ? std::trunc(v.num) : std::nan("");
  std::string_view s = v.str;
  while (!s.empty() && Space(s.front())) s.remove_prefix(1);
  double sign = 1;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') sign = -1;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s.remove_prefix(2);
  double out = 0;
  size_t n = 0;
  for (; n < s.size(); ++n) {
    int d = HexVal(s[n]);
    if (d < 0 || d >= base) break;
    out = out * base + d;
  }
  return n ? sign * out : std::nan("");
}

// The obfuscator's atob: the alphabet its decoder holds, characters outside it skipped.
std::string DecodeWith(std::string_view in, const std::string& alphabet) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    size_t k = alphabet.find(c);
    if (k == std::string::npos || k >= 64) continue;
    acc = (acc << 6) | static_cast<uint32_t>(k);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// UTF-8 bytes to code points (decodeURIComponent of the %xx form); a bad byte is taken as is.
std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    int n = b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    if (b >= 0xf8) n = 0;
    uint32_t cp = n == 3 ? b & 0x07 : n == 2 ? b & 0x0f : n == 1 ? b & 0x1f : b;
    bool ok = true;
    for (int k = 1; ok && k <= n; ++k) {
      if (i + k >= s.size()) {
        ok = false;
        break;
      }
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) {
      out.push_back(b);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += n + 1;
  }
  return out;
}

std::string Utf8Of(const std::vector<uint32_t>& cps) {
  std::string out;
  for (uint32_t cp : cps) AppendUtf8(out, cp);
  return out;
}

// RC4 over the code units of the decoded string, keyed by the key's characters.
std::string Rc4(const std::string& decoded, const std::string& key) {
  std::vector<uint32_t> k = CodePoints(key);
  if (k.empty()) return {};
  uint32_t s[256];
  for (uint32_t i = 0; i < 256; ++i) s[i] = i;
  for (uint32_t i = 0, j = 0; i < 256; ++i) {
    j = (j + s[i] + k[i % k.size()]) % 256;
    std::swap(s[i], s[j]);
  }
  std::vector<uint32_t> in = CodePoints(decoded), out;
  out.reserve(in.size());
  for (uint32_t y = 0, i = 0, j = 0; y < in.size(); ++y) {
    i = (i + 1) % 256;
    j = (j + s[i]) % 256;
    std::swap(s[i], s[j]);
    out.push_back(in[y] ^ s[(s[i] + s[j]) % 256]);
  }
  return Utf8Of(out);
}

bool IsAlphabet(std::string_view s) {
  if (s.size() != 65 || s.back() != '=') return false;
  std::set<char> seen;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='))
      return false;
    seen.insert(c);
  }
  return seen.size() == 65;
}

using Ranges = std::vector<std::pair<size_t, size_t>>;

// The top-level comma-separated parts of t[b, e).
void SplitTop(const std::vector<Token>& t, size_t b, size_t e, Ranges& out) {
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

bool IsAssign(const Token& t) {
  if (t.type != Tok::kOp) return false;
  const std::string& s = t.text;
  return s == "=" || (s.size() >= 2 && s.back() == '=' && s != "==" && s != "===" && s != "!=" &&
                      s != "!==" && s != "<=" && s != ">=");
}

// Function scopes: each token's innermost function, and the names each function declares
// (parameters, var/let/const, inner function names). An obfuscator gives the same short name
// to unrelated variables of sibling functions, so a name is looked up the way JavaScript does.
struct Scopes {
  std::vector<int> of;      // token -> scope (0: the script)
  std::vector<int> parent;  // scope -> enclosing scope (-1 for the script)
  std::vector<std::set<std::string>> names;

  explicit Scopes(const std::vector<Token>& t) : of(t.size(), 0), parent{-1}, names(1) {
    std::vector<std::pair<int, size_t>> open;  // scope, index of its closing brace
    // Per bracket depth: inside `var a = .., b = ..` (so `, b =` declares b).
    std::vector<bool> in_decl(1, false);
    for (size_t i = 0; i < t.size(); ++i) {
      while (!open.empty() && i > open.back().second) open.pop_back();
      int cur = open.empty() ? 0 : open.back().first;
      of[i] = cur;
      if (Op(t[i], "(") || Op(t[i], "[") || Op(t[i], "{")) {
        if (in_decl.size() < 4096) in_decl.push_back(false);
      } else if (Op(t[i], ")") || Op(t[i], "]") || Op(t[i], "}")) {
        if (in_decl.size() > 1) in_decl.pop_back();
      } else if (Op(t[i], ";")) {
        in_decl.back() = false;
      }
      if (Decl(t[i]) && i + 1 < t.size() && Word(t[i + 1])) {
        names[cur].insert(t[i + 1].text);
        in_decl.back() = true;
      }
      if (Op(t[i], ",") && in_decl.back() && i + 2 < t.size() && Word(t[i + 1]) &&
          Op(t[i + 2], "="))
        names[cur].insert(t[i + 1].text);
      if (!Word(t[i], "function")) continue;
      size_t j = i + 1;
      if (j < t.size() && Word(t[j])) names[cur].insert(t[j++].text);
      if (j >= t.size() || !Op(t[j], "(")) continue;
      std::set<std::string> params;
      size_t p = j + 1;
      for (; p < t.size() && Word(t[p]) && params.size() < 64; ++p) {
        params.insert(t[p].text);
        if (p + 1 < t.size() && Op(t[p + 1], ",")) ++p;
      }
      if (p + 1 >= t.size() || !Op(t[p], ")") || !Op(t[p + 1], "{")) continue;
      size_t close = Close(t, p + 1, 1u << 22);
      if (close == kNone) continue;
      parent.push_back(cur);
      names.push_back(std::move(params));
      open.emplace_back(static_cast<int>(parent.size() - 1), close);
      // The parameter list is read by the loop as it goes on (its brackets counted there);
      // from the body's brace on, tokens are in the new scope.
    }
  }
};

// Objects the control-flow and object-key transforms leave: `var o={'KXDiG':'..'}` or
// `o={};o['KXDiG']='..'`, with literals (string parts joined by + are one) and proxy
// functions (`function(a,b){return a<b;}`, `function(f,x){return f(x);}`), and aliases of
// them (`var p=o`). A key written twice with different values, or with anything else, is not
// read; nor is an object written through a computed key or assigned again in its scope.
class ObjectTable {
 public:
  struct Entry {
    bool proxy = false;
    Token value;        // a literal
    bool call = false;  // proxy: f(a, ..) rather than a OP b
    std::string op;
  };

  void Build(const std::vector<Token>& t) {
    scopes_.emplace(t);
    using Key = std::pair<std::string, int>;  // object name, scope
    std::set<Key> declared, spoiled;
    std::map<Key, std::map<std::string, std::optional<Entry>>> objs;
    auto put = [&](const Key& obj, const std::string& key, std::optional<Entry> e) {
      auto [it, fresh] = objs[obj].try_emplace(key, e);
      if (fresh || !it->second) return;
      const Entry& was = *it->second;
      if (!e || was.proxy != e->proxy || was.value.type != e->value.type ||
          was.value.text != e->value.text || was.call != e->call || was.op != e->op)
        it->second.reset();
    };
    // The scope whose object `n` the name at t[i] means, or -1.
    auto owner = [&](size_t i, const std::string& n) {
      for (int sc = scopes_->of[i]; sc >= 0; sc = scopes_->parent[sc]) {
        if (declared.count({n, sc})) return sc;
        if (scopes_->names[sc].count(n)) return -1;
      }
      return -1;
    };
    for (size_t i = 0; i + 2 < t.size(); ++i)
      if (Word(t[i]) && !(i > 0 && Op(t[i - 1], ".")) && Op(t[i + 1], "=") && Op(t[i + 2], "{")) {
        Key k{t[i].text, scopes_->of[i]};
        if (declared.count(k)) spoiled.insert(k);
        declared.insert(k);
      }
    for (size_t i = 0; i + 2 < t.size(); ++i) {
      if (!Word(t[i]) || (i > 0 && Op(t[i - 1], "."))) continue;
      const std::string& n = t[i].text;
      if (Op(t[i + 1], "=") && Op(t[i + 2], "{")) {
        Key obj{n, scopes_->of[i]};
        size_t c = Close(t, i + 2, 1u << 20);
        if (c == kNone) continue;
        Ranges entries;
        SplitTop(t, i + 3, c, entries);
        for (auto [b, e] : entries)
          if (e - b >= 3 && (t[b].type == Tok::kString || Word(t[b])) && Op(t[b + 1], ":"))
            put(obj, t[b].text, Value(t, b + 2, e));
        continue;
      }
      int sc = owner(i, n);
      if (sc < 0) continue;
      Key obj{n, sc};
      if (IsAssign(t[i + 1])) spoiled.insert(obj);
      // o['k']=v / o.k=v
      size_t key = kNone, after = kNone;
      if (i + 3 < t.size() && Op(t[i + 1], "[") && t[i + 2].type == Tok::kString &&
          Op(t[i + 3], "]"))
        key = i + 2, after = i + 4;
      else if (Op(t[i + 1], ".") && Word(t[i + 2]))
        key = i + 2, after = i + 3;
      else if (Op(t[i + 1], "[")) {
        size_t c = Close(t, i + 1, 256);
        if (c != kNone && c + 1 < t.size() && IsAssign(t[c + 1])) spoiled.insert(obj);
        continue;
      }
      if (key == kNone || after >= t.size() || !IsAssign(t[after])) continue;
      std::optional<Entry> v;
      if (Op(t[after], "=")) {
        size_t e = after + 1;
        int depth = 0;
        for (; e < t.size() && e - after < 512; ++e) {
          if (Op(t[e], "(") || Op(t[e], "[") || Op(t[e], "{")) ++depth;
          if (Op(t[e], ")") || Op(t[e], "]") || Op(t[e], "}")) --depth;
          if (depth < 0 || (depth == 0 && (Op(t[e], ";") || Op(t[e], ",")))) break;
        }
        v = Value(t, after + 1, e);
      }
      put(obj, t[key].text, v);
    }
    for (auto& [k, m] : objs) {
      if (!declared.count(k) || spoiled.count(k)) continue;
      for (auto& [key, v] : m)
        if (v) entries_[k][key] = *v;
    }
    // var p=o: the same object under another name (in the alias's own scope).
    for (size_t i = 1; i + 2 < t.size(); ++i) {
      if (!((Decl(t[i - 1]) || Op(t[i - 1], ",")) && Word(t[i]) && Op(t[i + 1], "=") &&
            Word(t[i + 2]) && (i + 3 >= t.size() || Op(t[i + 3], ",") || Op(t[i + 3], ";"))))
        continue;
      int sc = owner(i + 2, t[i + 2].text);
      auto it = entries_.find({t[i + 2].text, sc});
      Key alias{t[i].text, scopes_->of[i]};
      if (sc < 0 || it == entries_.end() || declared.count(alias) || entries_.count(alias))
        continue;
      declared.insert(alias);
      alias_of_[alias] = it->first;
    }
  }

  bool empty() const { return entries_.empty(); }

  // o['k'] or o.k at t[i]: the entry, with `end` at the member's last token.
  const Entry* At(const std::vector<Token>& t, size_t i, size_t& end) const {
    if (entries_.empty() || i + 2 >= t.size() || !Word(t[i])) return nullptr;
    std::string key;
    if (Op(t[i + 1], "[") && t[i + 2].type == Tok::kString) {
      // o['k'], o['o'+'k'] (split strings)
      size_t j = i + 2;
      key = t[j].text;
      while (j + 2 < t.size() && Op(t[j + 1], "+") && t[j + 2].type == Tok::kString &&
             key.size() < 256)
        key += t[j + 2].text, j += 2;
      if (j + 1 >= t.size() || !Op(t[j + 1], "]")) return nullptr;
      end = j + 1;
    } else if (Op(t[i + 1], ".") && Word(t[i + 2])) {
      key = t[i + 2].text, end = i + 2;
    } else {
      return nullptr;
    }
    const std::string& n = t[i].text;
    for (int sc = scopes_->of[i]; sc >= 0; sc = scopes_->parent[sc]) {
      std::pair<std::string, int> k{n, sc};
      if (auto a = alias_of_.find(k); a != alias_of_.end()) k = a->second;
      if (auto it = entries_.find(k); it != entries_.end()) {
        auto e = it->second.find(key);
        return e == it->second.end() ? nullptr : &e->second;
      }
      if (scopes_->names[sc].count(n)) return nullptr;
    }
    return nullptr;
  }

 private:
  // t[b, e): a literal, or a proxy function; nullopt for anything else.
  static std::optional<Entry> Value(const std::vector<Token>& t, size_t b, size_t e) {
    Entry en;
    if (e == b + 1 && (t[b].type == Tok::kString || t[b].type == Tok::kNumber)) {
      en.value = t[b];
      return en;
    }
    // 'inp'+'ut': the split-strings transform's pieces
    if (e > b && (e - b) % 2 == 1 && t[b].type == Tok::kString) {
      en.value = t[b];
      for (size_t j = b + 1; j < e; j += 2) {
        if (!Op(t[j], "+") || t[j + 1].type != Tok::kString) return std::nullopt;
        if (en.value.text.size() + t[j + 1].text.size() > (1u << 16)) return std::nullopt;
        en.value.text += t[j + 1].text;
        if (en.value.decoded_by.empty()) en.value.decoded_by = t[j + 1].decoded_by;
      }
      return en;
    }
    std::vector<std::string> params;
    if (!(e > b + 6 && Word(t[b], "function") && Op(t[b + 1], "(") && Op(t[e - 1], "}")))
      return std::nullopt;
    size_t j = b + 2;
    for (; j < e && Word(t[j]) && params.size() < 8; ++j) {
      params.push_back(t[j].text);
      if (Op(t[j + 1], ",")) ++j;
    }
    if (params.empty() || !Op(t[j], ")") || !Op(t[j + 1], "{") || !Word(t[j + 2], "return"))
      return std::nullopt;
    size_t r = j + 3, last = Op(t[e - 2], ";") ? e - 2 : e - 1;  // body [r, last)
    en.proxy = true;
    // return a OP b;
    if (params.size() == 2 && last == r + 3 && Word(t[r], params[0]) && t[r + 1].type == Tok::kOp &&
        Word(t[r + 2], params[1])) {
      static const std::set<std::string> kBinary = {
          "+",  "-",  "*",  "/", "%", "==", "===", "!=", "!==", "<",  "<=",        ">",
          ">=", "&&", "||", "&", "|", "^",  "<<",  ">>", ">>>", "in", "instanceof"};
      if (!kBinary.count(t[r + 1].text)) return std::nullopt;
      en.op = t[r + 1].text;
      return en;
    }
    // return f(a, b, ..);
    if (!(Word(t[r], params[0]) && Op(t[r + 1], "(") && Op(t[last - 1], ")"))) return std::nullopt;
    size_t k = r + 2;
    for (size_t p = 1; p < params.size(); ++p) {
      if (!Word(t[k], params[p])) return std::nullopt;
      k += (p + 1 < params.size()) ? 2 : 1;
    }
    if (k != last - 1) return std::nullopt;
    en.call = true;
    return en;
  }

  std::optional<Scopes> scopes_;
  std::map<std::pair<std::string, int>, std::map<std::string, Entry>> entries_;
  std::map<std::pair<std::string, int>, std::pair<std::string, int>> alias_of_;
};

// Members and proxy calls replaced: o.k -> its literal, o.p(a, b) -> a OP b, o.f(g, x) -> g(x).
class ObjectRewriter {
 public:
  ObjectRewriter(const std::vector<Token>& t, const ObjectTable& table, FoldBudget& b)
      : t_(t), table_(table), budget_(b) {}

  bool Run(std::vector<Token>& out) {
    out.reserve(t_.size());
    Emit(0, t_.size(), out, 0);
    return changed_;
  }

 private:
  bool Simple(size_t b, size_t e) const {  // one token, or a.b.c
    for (size_t j = b; j < e; ++j)
      if (!((j - b) % 2 == 0
                ? Word(t_[j]) || t_[j].type == Tok::kString || t_[j].type == Tok::kNumber
                : Op(t_[j], ".")))
        return false;
    return e > b && (e - b) % 2 == 1;
  }

  void Operand(size_t b, size_t e, std::vector<Token>& out, int depth) {
    bool wrap = !Simple(b, e);
    if (wrap) out.push_back(Paren("("));
    Emit(b, e, out, depth + 1);
    if (wrap) out.push_back(Paren(")"));
  }

  static Token Paren(const char* s) {
    Token k;
    k.type = Tok::kOp;
    k.text = s;
    return k;
  }

  void Emit(size_t b, size_t e, std::vector<Token>& out, int depth) {
    for (size_t i = b; i < e; ++i) {
      size_t end = 0;
      const ObjectTable::Entry* en = nullptr;
      if (depth < kMaxDepth && !(i > 0 && Op(t_[i - 1], ".")) && out.size() < (t_.size() << 2))
        en = table_.At(t_, i, end);
      if (en && end < e && !en->proxy && !(end + 1 < t_.size() && IsAssign(t_[end + 1])) &&
          budget_.bytes_left >= en->value.text.size()) {
        budget_.bytes_left -= en->value.text.size();
        out.push_back(en->value);
        i = end;
        changed_ = true;
        continue;
      }
      if (en && en->proxy && end + 1 < e && Op(t_[end + 1], "(")) {
        size_t c = Close(t_, end + 1, 1u << 16);
        Ranges args;
        if (c != kNone && c < e) SplitTop(t_, end + 2, c, args);
        if (c != kNone && c < e && (en->call ? !args.empty() : args.size() == 2)) {
          if (en->call) {
            Operand(args[0].first, args[0].second, out, depth);
            out.push_back(Paren("("));
            for (size_t a = 1; a < args.size(); ++a) {
              if (a > 1) out.push_back(Paren(","));
              Emit(args[a].first, args[a].second, out, depth + 1);
            }
            out.push_back(Paren(")"));
          } else {
            Operand(args[0].first, args[0].second, out, depth);
            Token op = Paren("");
            op.text = en->op;
            if (std::isalpha(static_cast<unsigned char>(en->op[0]))) op.type = Tok::kWord;
            out.push_back(std::move(op));
            Operand(args[1].first, args[1].second, out, depth);
          }
          i = c;
          changed_ = true;
          continue;
        }
      }
      out.push_back(t_[i]);
    }
  }

  const std::vector<Token>& t_;
  const ObjectTable& table_;
  FoldBudget& budget_;
  bool changed_ = false;
};

struct Decoder {
  std::string array;
  double offset = 0;
  enum { kPlain, kBase64, kRc4 } enc = kPlain;
  std::string alphabet;
  size_t body_open = 0, body_close = 0;
};

struct Wrapper {
  std::vector<std::string> params;
  std::string callee;
  std::vector<std::pair<size_t, size_t>> args;  // token ranges in the callee's argument list
};

struct Function {
  std::string name;
  std::vector<std::string> params;
  size_t open = 0, close = 0;  // the body's braces
};

using Env = std::map<std::string, Val>;

class Resolver {
 public:
  Resolver(const std::vector<Token>& t, FoldBudget& b) : t_(t), budget_(b) {}

  bool Find() {
    FindArrays();
    if (arrays_.empty()) return false;
    FindFunctions();
    if (decoders_.empty()) return false;
    FindAliases();
    objects_.Build(t_);  // the calls transform passes indexes and keys in objects
    return true;
  }

  void RotateArrays() {
    for (auto& [name, items] : arrays_) Rotate(name, items);
    for (const std::string& a : unresolved_)
      for (auto it = decoders_.begin(); it != decoders_.end();)
        it = it->second.array == a ? decoders_.erase(it) : std::next(it);
    // An array read only through decoders of base64 or RC4: its raw entries are noise once
    // the calls hold their strings (random text that spells `cvc` is no card field).
    std::map<std::string, bool> encoded;
    for (const auto& [n, d] : decoders_) {
      auto [it, fresh] = encoded.try_emplace(d.array, true);
      if (d.enc == Decoder::kPlain) it->second = false;
    }
    for (const auto& [a, enc] : encoded)
      if (enc && items_at_.count(a)) drop_.emplace(items_at_[a].first, items_at_[a].second);
  }

  bool Rewrite(std::vector<Token>& out) {
    bool changed = false;
    out.reserve(t_.size());
    for (size_t i = 0; i < t_.size(); ++i) {
      if (auto d = drop_.find(i); d != drop_.end()) {
        i = d->second - 1;  // to the array's closing bracket
        changed = true;
        continue;
      }
      if (budget_.exhausted) {
        out.push_back(t_[i]);
        continue;
      }
      const bool member = i > 0 && Op(t_[i - 1], ".");
      if (Word(t_[i]) && !member && i + 1 < t_.size() && Op(t_[i + 1], "(") &&
          Callable(t_[i].text) && !(i > 0 && Word(t_[i - 1], "function"))) {
        size_t c = Close(t_, i + 1, kMaxCallTokens);
        std::vector<Val> args;
        std::optional<std::string> s;
        if (c != kNone && EvalArgs(i + 2, c, nullptr, 0, args)) s = Resolve(t_[i].text, args, 0);
        if (s && Charge(s->size())) {
          Token k;
          k.type = Tok::kString;
          k.text = std::move(*s);
          // (not marked decoded: a whole-file obfuscator hides every string, a sign of nothing)
          out.push_back(std::move(k));
          i = c;
          changed = true;
          continue;
        }
      }
      size_t end = 0;
      if (Word(t_[i]) && !member) {
        if (const Token* v = Member(i, end);
            v && !(end + 1 < t_.size() && IsAssign(t_[end + 1])) && Charge(v->text.size())) {
          out.push_back(*v);
          i = end;
          changed = true;
          continue;
        }
      }
      out.push_back(t_[i]);
    }
    return changed;
  }

 private:
  bool Charge(size_t n) {
    if (budget_.bytes_left < n) {
      budget_.exhausted = true;
      return false;
    }
    budget_.bytes_left -= n;
    return true;
  }

  bool Step(size_t n) {
    if (budget_.eval_steps_left < n) {
      budget_.exhausted = true;
      return false;
    }
    budget_.eval_steps_left -= n;
    return true;
  }

  // Reads `'a','b',...]` from t[j]; the index after "]" or kNone.
  size_t ReadStrings(size_t j, std::vector<std::string>& items) const {
    while (j < t_.size() && items.size() < kMaxItems) {
      if (t_[j].type != Tok::kString || t_[j].quote != '\'') return kNone;
      items.push_back(t_[j].text);
      if (j + 1 < t_.size() && Op(t_[j + 1], ",")) {
        j += 2;
        continue;
      }
      return j + 1 < t_.size() && Op(t_[j + 1], "]") ? j + 2 : kNone;
    }
    return kNone;
  }

  void AddArray(const std::string& name, std::vector<std::string> items, bool call_form,
                size_t first, size_t end) {
    if (items.size() < 2) return;
    items_at_[name] = {first, end - 1};
    if (arrays_.count(name) || bad_.count(name)) {
      arrays_.erase(name);
      bad_.insert(name);
      return;
    }
    arrays_[name] = std::move(items);
    if (call_form) call_form_.insert(name);
  }

  void FindArrays() {
    const std::vector<Token>& t = t_;
    for (size_t i = 0; i + 8 < t.size(); ++i) {
      // function A(){var s=['..',..]; ...}
      if (Word(t[i], "function") && Word(t[i + 1]) && Op(t[i + 2], "(") && Op(t[i + 3], ")") &&
          Op(t[i + 4], "{") && Decl(t[i + 5]) && Word(t[i + 6]) && Op(t[i + 7], "=") &&
          Op(t[i + 8], "[")) {
        std::vector<std::string> items;
        size_t e = ReadStrings(i + 9, items);
        if (e != kNone) AddArray(t[i + 1].text, std::move(items), true, i + 9, e);
        i += 8;
        continue;
      }
      // var s=['..',..];
      if (Decl(t[i]) && Word(t[i + 1]) && Op(t[i + 2], "=") && Op(t[i + 3], "[")) {
        std::vector<std::string> items;
        size_t e = ReadStrings(i + 4, items);
        if (e != kNone && (e >= t.size() || Op(t[e], ";") || Op(t[e], ",")))
          AddArray(t[i + 1].text, std::move(items), false, i + 4, e);
      }
    }
  }

  // Parameters from t[j] == "(": identifiers separated by commas; the index of ")" or kNone.
  size_t Params(size_t j, std::vector<std::string>& out) const {
    ++j;
    while (j < t_.size() && out.size() < 16) {
      if (Op(t_[j], ")")) return j;
      if (!Word(t_[j])) return kNone;
      out.push_back(t_[j].text);
      ++j;
      if (j < t_.size() && Op(t_[j], ",")) ++j;
    }
    return kNone;
  }

  void FindFunctions() {
    const std::vector<Token>& t = t_;
    std::vector<Function> fns;
    for (size_t i = 0; i + 4 < t.size(); ++i) {
      Function f;
      size_t p = kNone;
      if (Word(t[i], "function") && Word(t[i + 1]) && Op(t[i + 2], "(")) {
        f.name = t[i + 1].text;
        p = i + 2;
      } else if (Word(t[i]) && Op(t[i + 1], "=") && Word(t[i + 2], "function") &&
                 Op(t[i + 3], "(") && !(i > 0 && Op(t[i - 1], "."))) {
        f.name = t[i].text;
        p = i + 3;
      }
      if (p == kNone) continue;
      size_t rp = Params(p, f.params);
      if (rp == kNone || rp + 1 >= t.size() || !Op(t[rp + 1], "{")) continue;
      f.open = rp + 1;
      f.close = Close(t, f.open, 1u << 20);
      if (f.close == kNone) continue;
      fns.push_back(std::move(f));
    }
    // Decoders first (a decoder reassigns its own name inside itself: that inner function
    // is part of it, not a second definition).
    for (const Function& f : fns) {
      bool inside = false;
      for (const auto& [n, d] : decoders_)
        if (f.open > d.body_open && f.close <= d.body_close) inside = true;
      if (inside || arrays_.count(f.name)) continue;
      if (f.close - f.open > kMaxDecoderBody) continue;
      Decoder d;
      if (!ReadDecoder(f, d)) continue;
      if (decoders_.count(f.name)) {
        decoders_.erase(f.name);
        bad_.insert(f.name);
        continue;
      }
      if (!bad_.count(f.name)) decoders_[f.name] = std::move(d);
    }
    for (const Function& f : fns) {
      if (decoders_.count(f.name)) continue;
      // function W(a,b,c){return D(c- -0x12,a);}
      const size_t o = f.open;
      if (!(o + 4 < t.size() && Word(t[o + 1], "return") && Word(t[o + 2]) && Op(t[o + 3], "(")))
        continue;
      size_t c = Close(t, o + 3, kMaxCallTokens);
      if (c == kNone || !(c + 1 == f.close || (c + 2 == f.close && Op(t[c + 1], ";")))) continue;
      Wrapper w;
      w.params = f.params;
      w.callee = t[o + 2].text;
      SplitTop(t, o + 4, c, w.args);
      if (wrappers_.count(f.name)) {
        wrappers_.erase(f.name);
        bad_.insert(f.name);
        continue;
      }
      if (!bad_.count(f.name)) wrappers_[f.name] = std::move(w);
    }
  }

  bool ReadDecoder(const Function& f, Decoder& d) {
    const std::vector<Token>& t = t_;
    std::string array;
    bool found_offset = false;
    bool rc4_xor = false;
    for (size_t j = f.open + 1; j < f.close; ++j) {
      if (Word(t[j]) && arrays_.count(t[j].text) && !(j > 0 && Op(t[j - 1], "."))) {
        bool call = call_form_.count(t[j].text) > 0;
        bool ref = call ? j + 2 < f.close && Op(t[j + 1], "(") && Op(t[j + 2], ")")
                        : j + 1 < f.close && Op(t[j + 1], "[");
        if (!ref) continue;
        if (!array.empty() && array != t[j].text) return false;
        array = t[j].text;
      }
      // i=i-OFFSET;
      if (!found_offset && Word(t[j]) && j + 4 < f.close && Op(t[j + 1], "=") &&
          Word(t[j + 2], t[j].text) && Op(t[j + 3], "-")) {
        size_t e = j + 4;
        int depth = 0;
        for (; e < f.close; ++e) {
          if (Op(t[e], "(")) ++depth;
          if (Op(t[e], ")")) --depth;
          if (depth == 0 && (Op(t[e], ";") || Op(t[e], ","))) break;
        }
        std::optional<Val> v = Eval(j + 4, e, nullptr, 0);
        if (v && !v->is_str && std::isfinite(v->num)) {
          d.offset = v->num;
          found_offset = true;
        }
      }
      if (t[j].type == Tok::kString && IsAlphabet(t[j].text)) d.alphabet = t[j].text;
      if (Op(t[j], "^")) rc4_xor = true;  // RC4's keystream; the base64 decoder has no XOR
    }
    if (array.empty()) return false;
    d.array = array;
    if (!d.alphabet.empty()) d.enc = rc4_xor ? Decoder::kRc4 : Decoder::kBase64;
    d.body_open = f.open;
    d.body_close = f.close;
    return true;
  }

  bool Callable(const std::string& name) const {
    return decoders_.count(name) || wrappers_.count(name) || aliases_.count(name);
  }

  void FindAliases() {
    const std::vector<Token>& t = t_;
    for (int round = 0; round < 4; ++round) {
      size_t before = aliases_.size();
      for (size_t i = 1; i + 2 < t.size(); ++i) {
        if (!(Decl(t[i - 1]) || Op(t[i - 1], ",")) || !Word(t[i]) || !Op(t[i + 1], "=") ||
            !Word(t[i + 2]) || !Callable(t[i + 2].text))
          continue;
        if (i + 3 < t.size() && !(Op(t[i + 3], ",") || Op(t[i + 3], ";") || Op(t[i + 3], "}")))
          continue;
        const std::string& n = t[i].text;
        if (decoders_.count(n) || wrappers_.count(n) || arrays_.count(n) || bad_.count(n)) continue;
        auto it = aliases_.find(n);
        if (it != aliases_.end() && it->second != t[i + 2].text) {
          aliases_.erase(it);
          bad_.insert(n);
          continue;
        }
        aliases_[n] = t[i + 2].text;
      }
      if (aliases_.size() == before) break;
    }
  }

  // o['k'] or o.k at t[i] holding a literal: its token, with `end` at the member's last token.
  const Token* Member(size_t i, size_t& end) const {
    const ObjectTable::Entry* en = objects_.At(t_, i, end);
    return en && !en->proxy ? &en->value : nullptr;
  }

  bool EvalArgs(size_t b, size_t e, const Env* env, int depth, std::vector<Val>& out) {
    std::vector<std::pair<size_t, size_t>> ranges;
    SplitTop(t_, b, e, ranges);
    if (ranges.size() > 8) return false;
    for (auto [x, y] : ranges) {
      std::optional<Val> v = Eval(x, y, env, depth + 1);
      if (!v) return false;
      out.push_back(std::move(*v));
    }
    return true;
  }

  std::optional<Val> Eval(size_t b, size_t e, const Env* env, int depth) {
    if (depth > kMaxDepth || b >= e || !Step(e - b)) return std::nullopt;
    size_t p = b;
    std::optional<Val> v = Sum(p, e, env, depth);
    if (!v || p != e) return std::nullopt;
    return v;
  }

  std::optional<Val> Sum(size_t& p, size_t e, const Env* env, int depth) {
    std::optional<Val> l = Product(p, e, env, depth);
    while (l && p < e && (Op(t_[p], "+") || Op(t_[p], "-"))) {
      bool plus = t_[p].text == "+";
      ++p;
      std::optional<Val> r = Product(p, e, env, depth);
      if (!r) return std::nullopt;
      if (plus && (l->is_str || r->is_str)) {
        if (!l->is_str || !r->is_str) return std::nullopt;  // no number formatting here
        if (l->str.size() + r->str.size() > (1u << 20)) return std::nullopt;
        l = Str(l->str + r->str);
      } else {
        double a = ToNumber(*l), c = ToNumber(*r);
        l = Num(plus ? a + c : a - c);
      }
    }
    return l;
  }

  std::optional<Val> Product(size_t& p, size_t e, const Env* env, int depth) {
    std::optional<Val> l = Unary(p, e, env, depth);
    while (l && p < e && (Op(t_[p], "*") || Op(t_[p], "/") || Op(t_[p], "%"))) {
      char op = t_[p].text[0];
      ++p;
      std::optional<Val> r = Unary(p, e, env, depth);
      if (!r) return std::nullopt;
      double a = ToNumber(*l), c = ToNumber(*r);
      l = Num(op == '*' ? a * c : op == '/' ? a / c : std::fmod(a, c));
    }
    return l;
  }

  std::optional<Val> Unary(size_t& p, size_t e, const Env* env, int depth) {
    if (p >= e || depth > kMaxDepth) return std::nullopt;
    if (Op(t_[p], "-") || Op(t_[p], "+")) {
      bool neg = t_[p].text == "-";
      ++p;
      std::optional<Val> v = Unary(p, e, env, depth + 1);
      if (!v) return std::nullopt;
      double d = ToNumber(*v);
      return Num(neg ? -d : d);
    }
    return Primary(p, e, env, depth);
  }

  std::optional<Val> Primary(size_t& p, size_t e, const Env* env, int depth) {
    const Token& k = t_[p];
    if (k.type == Tok::kNumber) {
      ++p;
      return Num(ToNumber(k.text));
    }
    if (k.type == Tok::kString) {
      ++p;
      return Str(k.text);
    }
    if (Op(k, "(")) {
      size_t c = Close(t_, p, e - p);
      if (c == kNone || c >= e) return std::nullopt;
      std::optional<Val> v = Eval(p + 1, c, env, depth + 1);
      p = c + 1;
      return v;
    }
    if (!Word(k)) return std::nullopt;
    if (env) {
      auto it = env->find(k.text);
      if (it != env->end()) {
        ++p;
        return it->second;
      }
    }
    if (p + 1 < e && Op(t_[p + 1], "(")) {
      size_t c = Close(t_, p + 1, e - p);
      if (c == kNone || c >= e) return std::nullopt;
      std::vector<Val> args;
      if (!EvalArgs(p + 2, c, env, depth, args)) return std::nullopt;
      std::optional<Val> out;
      if (k.text == "parseInt" && !args.empty()) {
        out = Num(ParseInt(args[0]));
      } else if (Callable(k.text)) {
        std::optional<std::string> s = Resolve(k.text, args, depth + 1);
        if (s) out = Str(std::move(*s));
      }
      p = c + 1;
      return out;
    }
    size_t end = 0;
    if (const Token* v = Member(p, end); v && end < e) {
      p = end + 1;
      return v->type == Tok::kString ? Str(v->text) : Num(ToNumber(v->text));
    }
    return std::nullopt;
  }

  std::optional<std::string> Resolve(std::string name, const std::vector<Val>& args, int depth) {
    if (depth > kMaxDepth || !Step(16)) return std::nullopt;
    for (int k = 0; k < 8; ++k) {
      auto a = aliases_.find(name);
      if (a == aliases_.end()) break;
      name = a->second;
    }
    if (auto d = decoders_.find(name); d != decoders_.end()) {
      if (args.empty()) return std::nullopt;
      const std::vector<std::string>& items = arrays_.at(d->second.array);
      double idx = ToNumber(args[0]) - d->second.offset;
      if (!(idx >= 0 && idx < static_cast<double>(items.size()) && idx == std::floor(idx)))
        return std::nullopt;
      const std::string& raw = items[static_cast<size_t>(idx)];
      if (d->second.enc == Decoder::kPlain) return raw;
      if (!Step(raw.size() + 256)) return std::nullopt;
      std::string bytes = DecodeWith(raw, d->second.alphabet);
      if (d->second.enc == Decoder::kBase64) return bytes;
      if (args.size() < 2 || !args[1].is_str) return std::nullopt;
      return Rc4(bytes, args[1].str);
    }
    auto w = wrappers_.find(name);
    if (w == wrappers_.end()) return std::nullopt;
    Env env;
    for (size_t i = 0; i < w->second.params.size(); ++i)
      env[w->second.params[i]] = i < args.size() ? args[i] : Val{};
    std::vector<Val> inner;
    for (auto [b, e] : w->second.args) {
      std::optional<Val> v = Eval(b, e, &env, depth + 1);
      if (!v) return std::nullopt;
      inner.push_back(std::move(*v));
    }
    return Resolve(w->second.callee, inner, depth + 1);
  }

  // The load-time rotation: `(function(a,t){...}(A,0x359df))`, its checksum expression
  // evaluated after each shift until it equals the target; without one (older releases),
  // shifted by the count passed.
  void Rotate(const std::string& name, std::vector<std::string>& items) {
    const std::vector<Token>& t = t_;
    for (size_t i = 2; i + 2 < t.size(); ++i) {
      if (!(Word(t[i], name) && Op(t[i - 1], "(") && Op(t[i - 2], "}") && Op(t[i + 1], ",")))
        continue;
      size_t c = Close(t, i - 1, kMaxCallTokens);
      size_t open = OpenOf(t, i - 2, 1u << 20);
      if (c == kNone || open == kNone) continue;
      std::optional<Val> target = Eval(i + 2, c, nullptr, 0);
      if (!target || target->is_str || !std::isfinite(target->num)) continue;
      bool shifts = false;
      size_t expr_b = kNone, expr_e = kNone;
      for (size_t j = open; j < i - 2; ++j) {
        if (t[j].type == Tok::kString && (t[j].text == "push" || t[j].text == "shift"))
          shifts = true;
        if (Word(t[j], "push") || Word(t[j], "shift")) shifts = true;
        if (expr_b == kNone && Decl(t[j]) && j + 3 < i && Word(t[j + 1]) && Op(t[j + 2], "=")) {
          size_t e = j + 3;
          int depth = 0;
          bool parse_int = false;
          for (; e < i - 2; ++e) {
            if (Op(t[e], "(")) ++depth;
            if (Op(t[e], ")")) --depth;
            if (Word(t[e], "parseInt")) parse_int = true;
            if (depth == 0 && (Op(t[e], ";") || Op(t[e], ","))) break;
          }
          if (parse_int) expr_b = j + 3, expr_e = e;
        }
      }
      if (!shifts) continue;
      if (expr_b == kNone) {
        size_t n = static_cast<size_t>(std::fmod(std::fabs(target->num), items.size()));
        std::rotate(items.begin(), items.begin() + n, items.end());
        return;
      }
      for (size_t r = 0; r <= items.size(); ++r) {
        if (budget_.exhausted) break;
        std::optional<Val> v = Eval(expr_b, expr_e, nullptr, 0);
        if (v && !v->is_str && v->num == target->num) return;
        std::rotate(items.begin(), items.begin() + 1, items.end());
      }
      unresolved_.insert(name);
      return;
    }
  }

  const std::vector<Token>& t_;
  FoldBudget& budget_;
  std::map<std::string, std::vector<std::string>> arrays_;
  std::map<std::string, std::pair<size_t, size_t>> items_at_;  // first entry, closing bracket
  std::map<size_t, size_t> drop_;                              // entries left out of the output
  std::set<std::string> call_form_, bad_, unresolved_;
  std::map<std::string, Decoder> decoders_;
  std::map<std::string, Wrapper> wrappers_;
  std::map<std::string, std::string> aliases_;
  ObjectTable objects_;
};

}  // namespace

bool ResolveStringArrays(std::vector<Token>& t, FoldBudget& budget) {
  Resolver r(t, budget);
  bool changed = false;
  if (r.Find()) {
    r.RotateArrays();
    std::vector<Token> out;
    changed = r.Rewrite(out);
    if (changed) t = std::move(out);
  }
  // Objects are read in the obfuscator's output only (its _0x names), not in every bundle.
  size_t hex_names = 0;
  for (const Token& k : t)
    if (k.type == Tok::kWord && k.text.rfind("_0x", 0) == 0 && ++hex_names >= 8) break;
  if (!changed && hex_names < 8) return false;
  // The control-flow transform's objects hold the strings the calls just gave, and members of
  // the objects of enclosing functions: each round reads one more level.
  for (int round = 0; round < 4 && !budget.exhausted; ++round) {
    ObjectTable table;
    table.Build(t);
    if (table.empty()) break;
    std::vector<Token> again;
    if (!ObjectRewriter(t, table, budget).Run(again)) break;
    t = std::move(again);
    changed = true;
  }
  return changed;
}

}  // namespace tq::webroot
