// Implementation of the decoder evaluator's values: PHP's conversions and comparisons, and
// the pure built-ins a decoder may call (string, byte, array and number functions; nothing
// that reads or writes outside the run). Every string a built-in creates goes through the
// host, which charges it to the run's limits.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "webroot/code_lexer.h"
#include "webroot/php_value.h"

namespace tq::webroot::php_eval {

using K = Value::K;

// A numeric prefix of a string as PHP reads it ("12abc" -> 12, " 3.5" -> 3.5, "x" -> 0);
// `whole` says whether the whole string was the number (a numeric string).
Value StrToNum(const std::string& s, bool* whole) {
  size_t i = 0, n = s.size();
  while (i < n && std::strchr(" \t\n\r\v\f", s[i]) && s[i]) ++i;
  size_t start = i;
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = i;
  while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  bool frac = false;
  size_t int_end = i;
  if (i < n && s[i] == '.') {
    size_t j = i + 1;
    while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i + 1 || int_end > digits) frac = true, i = j;
  }
  if (int_end == digits && !frac) {
    if (whole) *whole = false;
    return Value::Int(0);
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) {
      while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      frac = true, i = j;
    }
  }
  size_t end = i;
  while (i < n && std::strchr(" \t\n\r\v\f", s[i]) && s[i]) ++i;
  if (whole) *whole = i == n;
  std::string num = s.substr(start, end - start);
  if (!frac && int_end - digits < 19) return Value::Int(std::strtoll(num.c_str(), nullptr, 10));
  return Value::Float(std::strtod(num.c_str(), nullptr));
}

bool Numeric(const std::string& s) {
  if (s.empty()) return false;
  bool whole = false;
  StrToNum(s, &whole);
  return whole;
}

std::string FloatStr(double d) {
  if (std::isnan(d)) return "NAN";
  if (std::isinf(d)) return d > 0 ? "INF" : "-INF";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14G", d);
  return buf;
}

bool ToBool(const Value& v) {
  switch (v.k) {
    case K::kNull: return false;
    case K::kBool:
    case K::kInt: return v.i != 0;
    case K::kFloat: return v.f != 0;
    case K::kStr: return !v.str().empty() && v.str() != "0";
    case K::kArr: return v.a && !v.a->items.empty();
  }
  return false;
}

Value ToNum(const Value& v) {
  switch (v.k) {
    case K::kInt:
    case K::kFloat: return v;
    case K::kBool: return Value::Int(v.i);
    case K::kStr: return StrToNum(v.str());
    default: return Value::Int(0);
  }
}

int64_t ToInt(const Value& v) {
  Value n = ToNum(v);
  if (n.k == K::kInt) return n.i;
  if (!std::isfinite(n.f) || std::fabs(n.f) >= 9.2e18) return 0;
  return static_cast<int64_t>(n.f);
}

double ToFloat(const Value& v) {
  Value n = ToNum(v);
  return n.k == K::kInt ? static_cast<double>(n.i) : n.f;
}

std::string ToStr(const Value& v) {
  switch (v.k) {
    case K::kNull: return "";
    case K::kBool: return v.i ? "1" : "";
    case K::kInt: return std::to_string(v.i);
    case K::kFloat: return FloatStr(v.f);
    case K::kStr: return v.str();
    case K::kArr: return "Array";
  }
  return "";
}

// The canonical key of an array index: integers and decimal-integer strings are one key.
std::pair<std::string, Value> KeyOf(const Value& k) {
  if (k.is_str()) {
    const std::string& s = k.str();
    bool dec = !s.empty() && s.size() < 19 && (s == "0" || (s[0] != '0' && s[0] != '-')) &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (dec) return {"i" + s, Value::Int(std::stoll(s))};
    return {"s" + s, k};
  }
  int64_t n = k.k == K::kNull ? 0 : ToInt(k);
  if (k.k == K::kNull) return {"s", Value::Str("")};
  return {"i" + std::to_string(n), Value::Int(n)};
}

int Compare(const Value& a, const Value& b) {
  auto sign = [](double d) { return d < 0 ? -1 : d > 0 ? 1 : 0; };
  if (a.is_str() && b.is_str()) {
    if (Numeric(a.str()) && Numeric(b.str())) return sign(ToFloat(a) - ToFloat(b));
    int c = a.str().compare(b.str());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.k == K::kBool || b.k == K::kBool || a.is_null() || b.is_null()) {
    if (a.is_null() && b.is_str()) return b.str().empty() ? 0 : -1;
    if (b.is_null() && a.is_str()) return a.str().empty() ? 0 : 1;
    return static_cast<int>(ToBool(a)) - static_cast<int>(ToBool(b));
  }
  if (a.is_arr() || b.is_arr()) {
    size_t x = a.is_arr() && a.a ? a.a->items.size() : 0,
           y = b.is_arr() && b.a ? b.a->items.size() : 0;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_str() && !Numeric(a.str())) return Compare(a, Value::Str(ToStr(b)));
  if (b.is_str() && !Numeric(b.str())) return Compare(Value::Str(ToStr(a)), b);
  Value x = ToNum(a), y = ToNum(b);
  if (x.k == K::kInt && y.k == K::kInt) return x.i < y.i ? -1 : x.i > y.i ? 1 : 0;
  return sign(ToFloat(x) - ToFloat(y));
}

bool Identical(const Value& a, const Value& b) {
  if (a.k != b.k) return false;
  switch (a.k) {
    case K::kNull: return true;
    case K::kBool:
    case K::kInt: return a.i == b.i;
    case K::kFloat: return a.f == b.f;
    case K::kStr: return a.str() == b.str();
    case K::kArr: return Compare(a, b) == 0;
  }
  return false;
}

namespace {

// Items a built-in may put in one array (the machine's own limit, checked before the
// strings are made, so a split of a long string cannot outgrow it first).
constexpr size_t kMaxItems = 1u << 18;

std::string TrimChars(const std::vector<Value>& a) {
  if (a.size() < 2) return std::string(" \t\n\r\v", 5) + std::string(1, '\0');
  const std::string& c = a[1].str();
  std::string set;
  for (size_t i = 0; i < c.size(); ++i) {  // "a..z" ranges
    if (i + 3 < c.size() + 0 && c[i + 1] == '.' && c[i + 2] == '.') {
      for (int ch = static_cast<unsigned char>(c[i]); ch <= static_cast<unsigned char>(c[i + 3]);
           ++ch)
        set += static_cast<char>(ch);
      i += 3;
    } else {
      set += c[i];
    }
  }
  return set;
}

std::string ToBase(uint64_t v, int base) {
  if (v == 0) return "0";
  std::string out;
  for (; v; v /= base) out += "0123456789abcdefghijklmnopqrstuvwxyz"[v % base];
  return std::string(out.rbegin(), out.rend());
}

uint64_t FromBase(const std::string& s, int base) {
  uint64_t v = 0;
  for (unsigned char c : s) {
    int d = std::isdigit(c) ? c - '0' : std::isalpha(c) ? std::tolower(c) - 'a' + 10 : 99;
    if (d >= base) continue;  // PHP skips characters that are not digits of the base
    v = v * base + d;
  }
  return v;
}

std::string Replace(const std::string& s, const std::string& from, const std::string& to,
                    bool nocase) {
  if (from.empty()) return s;
  std::string r, hay = nocase ? Lower(s) : s, needle = nocase ? Lower(from) : from;
  size_t p = 0;
  for (size_t q; (q = hay.find(needle, p)) != std::string::npos; p = q + from.size())
    r.append(s, p, q - p).append(to);
  return r.append(s, p);
}

}  // namespace

bool CallBuiltin(const std::string& f, std::vector<Value>& a, Value& out, BuiltinHost& h) {
  auto arg = [&](size_t i) -> const Value& {
    static const Value kNull;
    return i < a.size() ? a[i] : kNull;
  };
  auto s0 = [&] { return ToStr(arg(0)); };
  auto items = [&](const Value& v) -> const std::vector<std::pair<Value, Value>>* {
    return v.is_arr() && v.a ? &v.a->items : nullptr;
  };
  // Settings a script changes before it decodes: nothing a decoder's result depends on.
  if (f == "error_reporting" || f == "set_time_limit" || f == "ini_set" || f == "ignore_user_abort")
    return out = Value(), true;
  if (f == "strlen") return out = Value::Int(static_cast<int64_t>(s0().size())), true;
  if (f == "chr") return out = h.Str(std::string(1, static_cast<char>(ToInt(arg(0)) & 0xFF))), true;
  if (f == "ord") {
    std::string s = s0();
    return out = Value::Int(s.empty() ? 0 : static_cast<unsigned char>(s[0])), true;
  }
  if (f == "substr") {
    std::string s = s0();
    int64_t n = static_cast<int64_t>(s.size()), st = ToInt(arg(1));
    if (st < 0) st = std::max<int64_t>(0, n + st);
    if (st > n) return out = h.Str(""), true;
    int64_t len = a.size() > 2 && !arg(2).is_null() ? ToInt(arg(2)) : n - st;
    if (len < 0) len = std::max<int64_t>(0, n - st + len);
    return out = h.Str(s.substr(static_cast<size_t>(st), static_cast<size_t>(len))), true;
  }
  if (f == "strrev") {
    std::string s = s0();
    return out = h.Str(std::string(s.rbegin(), s.rend())), true;
  }
  if (f == "str_rot13") return out = h.Str(Rot13(s0())), true;
  if (f == "strtolower" || f == "strtoupper" || f == "ucfirst" || f == "lcfirst") {
    std::string s = s0();
    bool up = f == "strtoupper" || f == "ucfirst";
    size_t n = f == "ucfirst" || f == "lcfirst" ? std::min<size_t>(1, s.size()) : s.size();
    for (size_t i = 0; i < n; ++i)
      s[i] = static_cast<char>(up ? std::toupper(static_cast<unsigned char>(s[i]))
                                  : std::tolower(static_cast<unsigned char>(s[i])));
    return out = h.Str(std::move(s)), true;
  }
  if (f == "trim" || f == "ltrim" || f == "rtrim" || f == "chop") {
    std::string s = s0(), set = TrimChars(a);
    size_t b = f == "rtrim" || f == "chop" ? 0 : s.find_first_not_of(set);
    if (b == std::string::npos) return out = h.Str(""), true;
    size_t e = f == "ltrim" ? s.size() : s.find_last_not_of(set) + 1;
    return out = h.Str(s.substr(b, e > b ? e - b : 0)), true;
  }
  if (f == "base64_decode") {
    // PHP (not strict) skips what is not of the alphabet and decodes any length.
    std::string clean;
    for (char c : s0())
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' ||
          c == '_')
        clean += c;
    size_t want = clean.size() * 6 / 8;
    if (clean.size() < 4) clean.append(4 - clean.size(), 'A');
    Decoded d = DecodeBase64(clean, 64u << 20);
    if (d.ok) d.out.resize(std::min(d.out.size(), want));
    return out = d.ok ? h.Str(std::move(d.out)) : Value::Bool(false), true;
  }
  if (f == "base64_encode") {
    static const char* kA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string s = s0(), r;
    for (size_t i = 0; i < s.size(); i += 3) {
      uint32_t v = static_cast<unsigned char>(s[i]) << 16;
      if (i + 1 < s.size()) v |= static_cast<unsigned char>(s[i + 1]) << 8;
      if (i + 2 < s.size()) v |= static_cast<unsigned char>(s[i + 2]);
      r += kA[(v >> 18) & 63];
      r += kA[(v >> 12) & 63];
      r += i + 1 < s.size() ? kA[(v >> 6) & 63] : '=';
      r += i + 2 < s.size() ? kA[v & 63] : '=';
    }
    return out = h.Str(std::move(r)), true;
  }
  if (f == "gzinflate" || f == "gzuncompress" || f == "gzdecode") {
    Decoded d = Inflate(s0(), f == "gzinflate" ? -15 : f == "gzuncompress" ? 15 : 31, 16u << 20);
    return out = d.ok ? h.Str(std::move(d.out)) : Value::Bool(false), true;
  }
  if (f == "hex2bin") {
    Decoded d = HexToBin(s0());
    return out = d.ok ? h.Str(std::move(d.out)) : Value::Bool(false), true;
  }
  if (f == "bin2hex") {
    std::string s = s0(), r;
    for (unsigned char c : s) r += "0123456789abcdef"[c >> 4], r += "0123456789abcdef"[c & 15];
    return out = h.Str(std::move(r)), true;
  }
  if (f == "hexdec" || f == "octdec" || f == "bindec") {
    uint64_t v = FromBase(s0(), f == "hexdec" ? 16 : f == "octdec" ? 8 : 2);
    return out = Value::Int(static_cast<int64_t>(v & INT64_MAX)), true;
  }
  if (f == "dechex" || f == "decoct" || f == "decbin") {
    uint64_t v = static_cast<uint64_t>(ToInt(arg(0)));
    return out = h.Str(ToBase(v, f == "dechex" ? 16 : f == "decoct" ? 8 : 2)), true;
  }
  if (f == "base_convert") {
    int64_t from = ToInt(arg(1)), to = ToInt(arg(2));
    if (from < 2 || from > 36 || to < 2 || to > 36) return h.Refuse(), true;
    return out = h.Str(ToBase(FromBase(Lower(s0()), static_cast<int>(from)), static_cast<int>(to))),
           true;
  }
  if (f == "intval") {
    if (a.size() > 1 && arg(0).is_str()) {
      int64_t base = ToInt(arg(1));
      if (base < 2 || base > 36) return h.Refuse(), true;
      return out = Value::Int(
                 static_cast<int64_t>(FromBase(s0(), static_cast<int>(base)) & INT64_MAX)),
             true;
    }
    return out = Value::Int(ToInt(arg(0))), true;
  }
  if (f == "strval") return out = h.Str(s0()), true;
  if (f == "urldecode" || f == "rawurldecode")
    return out = h.Str(UrlDecode(s0(), f == "urldecode").out), true;
  if (f == "str_split" || f == "mb_str_split") {
    std::string s = s0();
    int64_t n = a.size() > 1 ? ToInt(arg(1)) : 1;
    if (n < 1) return h.Refuse(), true;
    if (s.size() / static_cast<size_t>(n) > kMaxItems) return h.Refuse(true), true;
    std::vector<Value> parts;
    for (size_t i = 0; i < s.size(); i += static_cast<size_t>(n))
      parts.push_back(h.Str(s.substr(i, static_cast<size_t>(n))));
    return out = h.NewArray(std::move(parts)), true;
  }
  if (f == "explode") {
    std::string d = ToStr(arg(0)), s = ToStr(arg(1));
    if (d.empty()) return h.Refuse(), true;
    std::vector<Value> parts;
    size_t p = 0;
    for (size_t q; (q = s.find(d, p)) != std::string::npos; p = q + d.size()) {
      if (parts.size() >= kMaxItems) return h.Refuse(true), true;
      parts.push_back(h.Str(s.substr(p, q - p)));
    }
    parts.push_back(h.Str(s.substr(p)));
    return out = h.NewArray(std::move(parts)), true;
  }
  if (f == "implode" || f == "join") {
    const Value* arr = arg(0).is_arr() ? &arg(0) : &arg(1);
    std::string glue = arg(0).is_arr() ? ToStr(arg(1)) : (a.size() > 1 ? ToStr(arg(0)) : "");
    std::string r;
    if (const auto* it = items(*arr))
      for (size_t i = 0; i < it->size(); ++i) {
        if (i) r += glue;
        r += ToStr((*it)[i].second);
        if (r.size() > (64u << 20)) return h.Refuse(true), true;
      }
    return out = h.Str(std::move(r)), true;
  }
  if (f == "count" || f == "sizeof") {
    const auto* it = items(arg(0));
    return out = Value::Int(it ? static_cast<int64_t>(it->size()) : 1), true;
  }
  if (f == "str_repeat") {
    std::string s = s0();
    int64_t n = ToInt(arg(1));
    if (n < 0 || (n > 0 && s.size() * static_cast<uint64_t>(n) > (64u << 20)))
      return h.Refuse(true), true;
    std::string r;
    for (int64_t i = 0; i < n; ++i) r += s;
    return out = h.Str(std::move(r)), true;
  }
  if (f == "str_replace" || f == "str_ireplace") {
    std::string s = ToStr(arg(2));
    bool nocase = f == "str_ireplace";
    if (const auto* from = items(arg(0))) {
      const auto* to = items(arg(1));
      for (size_t i = 0; i < from->size(); ++i) {
        std::string t = to ? (i < to->size() ? ToStr((*to)[i].second) : "") : ToStr(arg(1));
        s = Replace(s, ToStr((*from)[i].second), t, nocase);
        if (s.size() > (64u << 20)) return h.Refuse(true), true;
      }
    } else {
      s = Replace(s, ToStr(arg(0)), ToStr(arg(1)), nocase);
    }
    return out = h.Str(std::move(s)), true;
  }
  if (f == "strtr") {
    std::string s = s0();
    if (a.size() == 3) {
      std::string from = ToStr(arg(1)), to = ToStr(arg(2));
      size_t n = std::min(from.size(), to.size());
      unsigned char map[256];
      for (int i = 0; i < 256; ++i) map[i] = static_cast<unsigned char>(i);
      for (size_t i = 0; i < n; ++i)
        map[static_cast<unsigned char>(from[i])] = static_cast<unsigned char>(to[i]);
      for (char& c : s) c = static_cast<char>(map[static_cast<unsigned char>(c)]);
      return out = h.Str(std::move(s)), true;
    }
    const auto* pairs = items(arg(1));
    if (!pairs) return h.Refuse(), true;
    // Longest match first at each position, as PHP does.
    std::string r;
    for (size_t i = 0; i < s.size();) {
      size_t best = 0;
      const Value* rep = nullptr;
      for (const auto& [k, v] : *pairs) {
        std::string ks = ToStr(k);
        if (!ks.empty() && ks.size() > best && s.compare(i, ks.size(), ks) == 0)
          best = ks.size(), rep = &v;
      }
      if (rep) {
        r += ToStr(*rep);
        i += best;
      } else {
        r += s[i++];
      }
      if (r.size() > (64u << 20)) return h.Refuse(true), true;
    }
    return out = h.Str(std::move(r)), true;
  }
  if (f == "strpos" || f == "stripos") {
    std::string hay = s0(), needle = ToStr(arg(1));
    if (f == "stripos") hay = Lower(hay), needle = Lower(needle);
    int64_t off = ToInt(arg(2));
    if (off < 0) off += static_cast<int64_t>(hay.size());
    if (off < 0 || static_cast<size_t>(off) > hay.size()) return h.Refuse(), true;
    size_t p = hay.find(needle, static_cast<size_t>(off));
    return out = p == std::string::npos ? Value::Bool(false) : Value::Int(static_cast<int64_t>(p)),
           true;
  }
  if (f == "array_reverse" || f == "array_values" || f == "array_keys" || f == "array_flip") {
    const auto* it = items(arg(0));
    if (!it) return h.Refuse(), true;
    if (f == "array_flip") {
      Value r = h.NewArray({});
      if (!r.is_arr()) return true;
      for (const auto& [k, v] : *it) {
        auto key = KeyOf(v);
        if (!r.a->index.count(key.first)) {
          r.a->index.emplace(key.first, r.a->items.size());
          r.a->items.emplace_back(key.second, k);
        } else {
          r.a->items[r.a->index[key.first]].second = k;
        }
      }
      return out = std::move(r), true;
    }
    std::vector<Value> list;
    for (const auto& [k, v] : *it) list.push_back(f == "array_keys" ? k : v);
    if (f == "array_reverse") std::reverse(list.begin(), list.end());
    return out = h.NewArray(std::move(list)), true;
  }
  if (f == "array_merge") {
    std::vector<Value> list;
    for (const Value& v : a) {
      const auto* it = items(v);
      if (!it) return h.Refuse(), true;
      for (const auto& [k, x] : *it) {
        if (!k.is_str())
          list.push_back(x);
        else
          return h.Refuse(), true;  // string keys: not a plain list
      }
    }
    return out = h.NewArray(std::move(list)), true;
  }
  if (f == "range") {
    bool chars = arg(0).is_str() && arg(1).is_str() && arg(0).str().size() == 1 &&
                 arg(1).str().size() == 1 &&
                 !std::isdigit(static_cast<unsigned char>(arg(0).str()[0]));
    int64_t lo = chars ? static_cast<unsigned char>(arg(0).str()[0]) : ToInt(arg(0));
    int64_t hi = chars ? static_cast<unsigned char>(arg(1).str()[0]) : ToInt(arg(1));
    int64_t step = a.size() > 2 ? std::llabs(ToInt(arg(2))) : 1;
    if (step == 0 || (hi > lo ? hi - lo : lo - hi) / step > static_cast<int64_t>(kMaxItems))
      return h.Refuse(true), true;
    std::vector<Value> list;
    for (int64_t v = lo; hi >= lo ? v <= hi : v >= hi; v += hi >= lo ? step : -step)
      list.push_back(chars ? h.Str(std::string(1, static_cast<char>(v))) : Value::Int(v));
    return out = h.NewArray(std::move(list)), true;
  }
  if (f == "in_array" || f == "array_search") {
    const auto* it = items(arg(1));
    if (!it) return h.Refuse(), true;
    bool strict = ToBool(arg(2));
    for (const auto& [k, v] : *it)
      if (strict ? Identical(v, arg(0)) : Compare(v, arg(0)) == 0)
        return out = f == "in_array" ? Value::Bool(true) : k, true;
    return out = Value::Bool(false), true;
  }
  if (f == "array_key_exists") {
    const auto* it = items(arg(1));
    if (!it) return h.Refuse(), true;
    return out = Value::Bool(arg(1).a->index.count(KeyOf(arg(0)).first) > 0), true;
  }
  if (f == "min" || f == "max") {
    std::vector<Value> list = a;
    if (a.size() == 1 && items(a[0]))
      for (list.clear(); const auto& [k, v] : *items(a[0])) list.push_back(v);
    if (list.empty()) return h.Refuse(), true;
    Value best = list[0];
    for (const Value& v : list)
      if ((f == "min") ? Compare(v, best) < 0 : Compare(v, best) > 0) best = v;
    return out = best, true;
  }
  if (f == "abs") {
    Value n = ToNum(arg(0));
    return out = n.k == K::kInt && n.i != INT64_MIN ? Value::Int(std::llabs(n.i))
                                                    : Value::Float(std::fabs(ToFloat(n))),
           true;
  }
  if (f == "floor" || f == "ceil" || f == "round") {
    double d = ToFloat(arg(0));
    return out = Value::Float(f == "floor"  ? std::floor(d)
                              : f == "ceil" ? std::ceil(d)
                                            : std::round(d)),
           true;
  }
  if (f == "str_pad") {
    std::string s = s0(), pad = a.size() > 2 ? ToStr(arg(2)) : " ";
    int64_t len = ToInt(arg(1)), type = a.size() > 3 ? ToInt(arg(3)) : 1;  // STR_PAD_RIGHT
    if (pad.empty() || len > (16 << 20)) return h.Refuse(), true;
    if (len <= static_cast<int64_t>(s.size())) return out = h.Str(std::move(s)), true;
    size_t total = static_cast<size_t>(len) - s.size();
    size_t left = type == 0 ? total : type == 2 ? total / 2 : 0, right = total - left;
    auto fill = [&](size_t n) {
      std::string r;
      while (r.size() < n) r += pad;
      return r.substr(0, n);
    };
    return out = h.Str(fill(left) + s + fill(right)), true;
  }
  if (f == "is_numeric")
    return out = Value::Bool(arg(0).k == K::kInt || arg(0).k == K::kFloat ||
                             (arg(0).is_str() && Numeric(arg(0).str()))),
           true;
  if (f == "is_array") return out = Value::Bool(arg(0).is_arr()), true;
  if (f == "is_string") return out = Value::Bool(arg(0).is_str()), true;
  if (f == "is_int" || f == "is_integer") return out = Value::Bool(arg(0).k == K::kInt), true;
  if (f == "pack") {
    std::string fmt = s0();
    if ((fmt == "H*" || fmt == "h*") && a.size() == 2) {
      Decoded d = HexToBin(ToStr(arg(1)));
      return out = d.ok ? h.Str(std::move(d.out)) : Value::Bool(false), true;
    }
    if (fmt == "C*" || fmt == "c*") {
      std::string r;
      for (size_t i = 1; i < a.size(); ++i) r += static_cast<char>(ToInt(a[i]) & 0xFF);
      return out = h.Str(std::move(r)), true;
    }
    return h.Refuse(), true;
  }
  if (f == "array_map") {
    if (!arg(0).is_str() || a.size() != 2 || !items(arg(1))) return h.Refuse(), true;
    std::string fn = Lower(arg(0).str());
    std::vector<Value> list;
    for (const auto& [k, v] : *items(arg(1))) {
      Value r;
      if (!h.CallNamed(fn, {v}, r)) return true;
      list.push_back(std::move(r));
    }
    return out = h.NewArray(std::move(list)), true;
  }
  return false;
}

}  // namespace tq::webroot::php_eval
