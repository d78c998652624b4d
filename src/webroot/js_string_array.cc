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

#include "webroot/js_objects.h"
#include "webroot/js_tokens.h"

namespace tq::webroot {
namespace {

using namespace js;  // NOLINT: the token helpers and objects of this component

constexpr size_t kMaxItems = 1u << 16;    // entries of one array
constexpr size_t kMaxDecoderBody = 4096;  // tokens of a decoder function
constexpr size_t kMaxCallTokens = 256;    // tokens of one call's argument list

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
    bool rc4_xor = false, atob = false;
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
      // A hand-made array whose decoder runs each entry through the browser's atob().
      if (Word(t[j], "atob") && j + 1 < f.close && Op(t[j + 1], "(") &&
          !(j > 0 && Op(t[j - 1], ".")))
        atob = true;
    }
    if (array.empty()) return false;
    d.array = array;
    if (d.alphabet.empty() && atob && !rc4_xor)
      d.alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
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
  // The control-flow transform's objects hold the strings the calls just gave.
  return js::ResolveObjects(t, budget) || changed;
}

}  // namespace tq::webroot
