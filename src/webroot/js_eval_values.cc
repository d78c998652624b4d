// Values, conversions and built-ins of the decoder evaluator (see js_eval_internal.h).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "webroot/js_eval_internal.h"

namespace tq::webroot::jseval {

double ToInteger(double d) { return std::isfinite(d) ? std::trunc(d) : (std::isnan(d) ? 0 : d); }

int32_t ToInt32(double d) {
  if (!std::isfinite(d)) return 0;
  double m = std::fmod(std::trunc(d), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}
uint32_t ToUint32(double d) { return static_cast<uint32_t>(ToInt32(d)); }

U16 NumberText(double d) {
  if (std::isnan(d)) return u"NaN";
  if (std::isinf(d)) return d > 0 ? u"Infinity" : u"-Infinity";
  if (d == 0) return u"0";
  char buf[64];
  if (std::fabs(d) < 1e21 && d == std::trunc(d)) {
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(d));
    return Ascii(std::string_view(buf, p - buf));
  }
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return Ascii(std::string_view(buf, p - buf));
}

U16 RadixText(double d, int radix) {
  if (radix == 10 || !std::isfinite(d) || d != std::trunc(d) || std::fabs(d) > 9e15)
    return NumberText(d);
  bool neg = d < 0;
  uint64_t v = static_cast<uint64_t>(std::fabs(d));
  U16 out;
  do {
    out += static_cast<char16_t>("0123456789abcdefghijklmnopqrstuvwxyz"[v % radix]);
    v /= radix;
  } while (v);
  if (neg) out += u'-';
  std::reverse(out.begin(), out.end());
  return out;
}

double StrToNumber(const U16& s) {
  size_t b = 0, e = s.size();
  auto space = [](char16_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0;
  };
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  if (b == e) return 0;
  if (e - b > 64) return NAN;
  std::string a;
  for (size_t i = b; i < e; ++i) {
    if (s[i] > 0x7f) return NAN;
    a += static_cast<char>(s[i]);
  }
  if (a.size() > 2 && a[0] == '0' &&
      (a[1] == 'x' || a[1] == 'X' || a[1] == 'o' || a[1] == 'O' || a[1] == 'b' || a[1] == 'B')) {
    std::optional<int64_t> v = IntegerLiteral(a);
    return v ? static_cast<double>(*v) : NAN;
  }
  if (a == "Infinity" || a == "+Infinity") return INFINITY;
  if (a == "-Infinity") return -INFINITY;
  for (char c : a)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-'))
      return NAN;
  char* end = nullptr;
  double v = std::strtod(a.c_str(), &end);
  return end == a.c_str() + a.size() ? v : NAN;
}

// parseInt(s, radix).
double ParseInt(const U16& s, int radix) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (radix == 0) radix = 10;
  if ((radix == 16 || radix == 10) && i + 1 < s.size() && s[i] == '0' &&
      (s[i + 1] == 'x' || s[i + 1] == 'X') && radix != 10)
    i += 2;
  else if (radix == 10 && i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
    radix = 16, i += 2;
  if (radix < 2 || radix > 36) return NAN;
  double v = 0;
  size_t start = i;
  for (; i < s.size() && i - start < 400; ++i) {
    char16_t c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    if (d >= radix) break;
    v = v * radix + d;
  }
  if (i == start) return NAN;
  return neg ? -v : v;
}

std::nullopt_t Heap::Stop(std::string reason) {
  if (why.empty()) why = std::move(reason);
  return std::nullopt;
}
bool Heap::Step() {
  if (++steps > l_.max_steps) Stop("step limit");
  return why.empty();
}
bool Heap::Charge(size_t n) {
  bytes_ += n;
  if (bytes_ > l_.max_bytes) Stop("memory limit");
  return why.empty();
}
std::optional<Val> Heap::MakeStr(U16 s) {
  if (s.size() > l_.max_string) return Stop("string limit");
  if (!Charge(s.size() * 2)) return std::nullopt;
  return Val::Str(std::move(s));
}

// Conversions.
U16 Heap::ToStr(const Val& v, int depth) {
  switch (v.k) {
    case Val::kUndef: return u"undefined";
    case Val::kNull: return u"null";
    case Val::kBool: return v.n ? u"true" : u"false";
    case Val::kNum: return NumberText(v.n);
    case Val::kStr: return v.s;
    case Val::kArr: {
      if (depth > 4) return {};
      U16 out;
      for (size_t i = 0; i < v.a->size() && why.empty(); ++i) {
        if (i) out += u',';
        const Val& e = (*v.a)[i];
        if (e.k != Val::kUndef && e.k != Val::kNull) out += ToStr(e, depth + 1);
        if (out.size() > l_.max_string) return Stop("string limit"), U16();
      }
      return out;
    }
    default: Stop("function as a string"); return {};
  }
}
double Heap::ToNum(const Val& v) {
  switch (v.k) {
    case Val::kUndef: return NAN;
    case Val::kNull: return 0;
    case Val::kBool:
    case Val::kNum: return v.n;
    case Val::kStr: return StrToNumber(v.s);
    case Val::kArr: return StrToNumber(ToStr(v));
    default: return NAN;
  }
}
bool Heap::Truthy(const Val& v) {
  switch (v.k) {
    case Val::kUndef:
    case Val::kNull: return false;
    case Val::kBool:
    case Val::kNum: return v.n != 0 && !std::isnan(v.n);
    case Val::kStr: return !v.s.empty();
    default: return true;
  }
}
bool Heap::StrictEq(const Val& a, const Val& b) {
  if (a.k != b.k) return false;
  switch (a.k) {
    case Val::kUndef:
    case Val::kNull: return true;
    case Val::kBool:
    case Val::kNum: return a.n == b.n;
    case Val::kStr: return a.s == b.s;
    case Val::kArr: return a.a == b.a;
    case Val::kObj: return a.o == b.o && a.name == b.name;
    case Val::kFn: return a.n == b.n && a.env == b.env;
    default: return a.name == b.name;
  }
}
bool Heap::LooseEq(const Val& a, const Val& b) {
  bool an = a.k == Val::kUndef || a.k == Val::kNull, bn = b.k == Val::kUndef || b.k == Val::kNull;
  if (an || bn) return an && bn;
  if (a.k == b.k) return StrictEq(a, b);
  if (a.k == Val::kArr || b.k == Val::kArr)
    return ToStr(a) == ToStr(b) || (a.k != Val::kStr && b.k != Val::kStr && ToNum(a) == ToNum(b));
  return ToNum(a) == ToNum(b);
}

std::optional<Val> Heap::Binary(const std::string& op, const Val& a, const Val& b) {
  if (op == "+") {
    if (a.k == Val::kStr || b.k == Val::kStr || a.k == Val::kArr || b.k == Val::kArr) {
      U16 l = ToStr(a), r = ToStr(b);
      if (!why.empty()) return std::nullopt;
      return MakeStr(l + r);
    }
    return Val::Num(ToNum(a) + ToNum(b));
  }
  if (op == "===") return Val::Bool(StrictEq(a, b));
  if (op == "!==") return Val::Bool(!StrictEq(a, b));
  if (op == "==") return Val::Bool(LooseEq(a, b));
  if (op == "!=") return Val::Bool(!LooseEq(a, b));
  if (op == "<" || op == ">" || op == "<=" || op == ">=") {
    if (a.k == Val::kStr && b.k == Val::kStr) {
      int c = a.s.compare(b.s);
      return Val::Bool(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
    }
    double l = ToNum(a), r = ToNum(b);
    return Val::Bool(op == "<" ? l < r : op == ">" ? l > r : op == "<=" ? l <= r : l >= r);
  }
  double l = ToNum(a), r = ToNum(b);
  if (op == "-") return Val::Num(l - r);
  if (op == "*") return Val::Num(l * r);
  if (op == "/") return Val::Num(l / r);
  if (op == "%") return Val::Num(std::fmod(l, r));
  if (op == "**") return Val::Num(std::pow(l, r));
  if (op == "&") return Val::Num(ToInt32(l) & ToInt32(r));
  if (op == "|") return Val::Num(ToInt32(l) | ToInt32(r));
  if (op == "^") return Val::Num(ToInt32(l) ^ ToInt32(r));
  if (op == "<<") return Val::Num(static_cast<int32_t>(ToUint32(l) << (ToUint32(r) & 31)));
  if (op == ">>") return Val::Num(ToInt32(l) >> (ToUint32(r) & 31));
  if (op == ">>>") return Val::Num(ToUint32(l) >> (ToUint32(r) & 31));
  return Stop("operator " + op);
}

ArrPtr Heap::NewArr() {
  Charge(48);
  made_.arrays.push_back(std::make_shared<std::vector<Val>>());
  return made_.arrays.back();
}

ObjPtr Heap::NewObj() {
  Charge(48);
  made_.objects.push_back(std::make_shared<std::vector<std::pair<U16, Val>>>());
  return made_.objects.back();
}

void Heap::Release(Made& m) {
  for (ArrPtr& a : m.arrays) a->clear();
  for (ObjPtr& o : m.objects) o->clear();
  m.arrays.clear();
  m.objects.clear();
}

double Heap::Arg(const std::vector<Val>& a, size_t i, double missing) {
  return i < a.size() && a[i].k != Val::kUndef ? ToNum(a[i]) : missing;
}

// Relative index (slice's negative counting from the end), clamped to [0, len].
size_t Heap::Rel(double v, size_t len) {
  v = ToInteger(v);
  if (v < 0) v = std::max(0.0, static_cast<double>(len) + v);
  return static_cast<size_t>(std::min(v, static_cast<double>(len)));
}

std::optional<Val> Heap::Method(const Val& recv, const std::string& m, const std::vector<Val>& a) {
  if (recv.k == Val::kNum) {
    if (m == "toString") {
      double r = Arg(a, 0, 10);
      if (r < 2 || r > 36) return Stop("radix");
      return MakeStr(RadixText(recv.n, static_cast<int>(r)));
    }
    return Stop("number method " + m.substr(0, 40));
  }
  if (recv.k == Val::kStr) {
    const U16& s = recv.s;
    size_t len = s.size();
    if (m == "charCodeAt" || m == "codePointAt") {
      double i = ToInteger(Arg(a, 0, 0));
      if (i < 0 || i >= len) return Val::Num(NAN);
      return Val::Num(s[static_cast<size_t>(i)]);
    }
    if (m == "charAt" || m == "at") {
      double i = ToInteger(Arg(a, 0, 0));
      if (m == "at" && i < 0) i += len;
      if (i < 0 || i >= len) return m == "at" ? Val() : Val::Str(U16());
      return MakeStr(U16(1, s[static_cast<size_t>(i)]));
    }
    if (m == "indexOf" || m == "lastIndexOf" || m == "includes") {
      U16 needle = a.empty() ? u"undefined" : ToStr(a[0]);
      size_t at = m == "lastIndexOf" ? s.rfind(needle) : s.find(needle, Rel(Arg(a, 1, 0), len));
      if (m == "includes") return Val::Bool(at != U16::npos);
      return Val::Num(at == U16::npos ? -1.0 : static_cast<double>(at));
    }
    if (m == "slice") {
      size_t b = Rel(Arg(a, 0, 0), len), e = Rel(Arg(a, 1, static_cast<double>(len)), len);
      return MakeStr(b < e ? s.substr(b, e - b) : U16());
    }
    if (m == "substring") {
      auto clamp = [&](double v) {
        v = ToInteger(v);
        return static_cast<size_t>(std::clamp(v, 0.0, static_cast<double>(len)));
      };
      size_t b = clamp(Arg(a, 0, 0)), e = clamp(Arg(a, 1, static_cast<double>(len)));
      if (b > e) std::swap(b, e);
      return MakeStr(s.substr(b, e - b));
    }
    if (m == "substr") {
      size_t b = Rel(Arg(a, 0, 0), len);
      double n = ToInteger(Arg(a, 1, static_cast<double>(len)));
      size_t count = n <= 0 ? 0 : static_cast<size_t>(std::min(n, static_cast<double>(len)));
      return MakeStr(s.substr(b, count));
    }
    if (m == "split") {
      Val out;
      out.k = Val::kArr;
      out.a = NewArr();
      if (a.empty() || a[0].k == Val::kUndef) {
        out.a->push_back(recv);
      } else {
        if (a[0].k != Val::kStr) return Stop("split by a non-string");
        const U16& sep = a[0].s;
        if (!Charge(16 * (len + 1))) return std::nullopt;
        if (sep.empty()) {
          for (char16_t c : s) out.a->push_back(Val::Str(U16(1, c)));
        } else {
          size_t at = 0;
          for (size_t next; (next = s.find(sep, at)) != U16::npos; at = next + sep.size())
            out.a->push_back(Val::Str(s.substr(at, next - at)));
          out.a->push_back(Val::Str(s.substr(at)));
        }
        if (out.a->size() > l_.max_array) return Stop("array limit");
      }
      return out;
    }
    if (m == "concat") {
      U16 out = s;
      for (const Val& v : a) out += ToStr(v);
      return MakeStr(std::move(out));
    }
    if (m == "toLowerCase" || m == "toUpperCase") {
      U16 out = s;
      for (char16_t& c : out) {
        if (m == "toLowerCase" && c >= 'A' && c <= 'Z') c = static_cast<char16_t>(c + 32);
        if (m == "toUpperCase" && c >= 'a' && c <= 'z') c = static_cast<char16_t>(c - 32);
      }
      return MakeStr(std::move(out));
    }
    if (m == "trim") {
      size_t b = 0, e = len;
      while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
      while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r'))
        --e;
      return MakeStr(s.substr(b, e - b));
    }
    if (m == "replace" || m == "replaceAll") {
      if (a.size() < 2 || a[0].k != Val::kStr || a[1].k != Val::kStr)
        return Stop("replace with a pattern or a function");
      const U16 &from = a[0].s, &to = a[1].s;
      if (to.find(u'$') != U16::npos) return Stop("replacement pattern");
      U16 out;
      size_t at = 0;
      for (size_t next; (next = s.find(from, at)) != U16::npos;) {
        out += s.substr(at, next - at) + to;
        at = next + from.size();
        if (m == "replace" || from.empty()) break;
        if (out.size() > l_.max_string) return Stop("string limit");
      }
      out += s.substr(std::min(at, len));
      return MakeStr(std::move(out));
    }
    if (m == "repeat") {
      double n = ToInteger(Arg(a, 0, 0));
      if (n < 0 || n * len > l_.max_string) return Stop("repeat");
      U16 out;
      for (int i = 0; i < n; ++i) out += s;
      return MakeStr(std::move(out));
    }
    if (m == "toString" || m == "valueOf") return recv;
    return Stop("string method " + m.substr(0, 40));
  }
  if (recv.k == Val::kArr) {
    std::vector<Val>& v = *recv.a;
    if (m == "push") {
      if (v.size() + a.size() > l_.max_array || !Charge(16 * a.size())) return Stop("array limit");
      v.insert(v.end(), a.begin(), a.end());
      return Val::Num(static_cast<double>(v.size()));
    }
    if (m == "unshift") {
      if (v.size() + a.size() > l_.max_array || !Charge(16 * a.size())) return Stop("array limit");
      v.insert(v.begin(), a.begin(), a.end());
      return Val::Num(static_cast<double>(v.size()));
    }
    if (m == "pop" || m == "shift") {
      if (v.empty()) return Val();
      Val out = m == "pop" ? v.back() : v.front();
      if (m == "pop")
        v.pop_back();
      else
        v.erase(v.begin());
      return out;
    }
    if (m == "join") {
      U16 sep = a.empty() || a[0].k == Val::kUndef ? U16(u",") : ToStr(a[0]);
      U16 out;
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += sep;
        if (v[i].k != Val::kUndef && v[i].k != Val::kNull) out += ToStr(v[i]);
        if (out.size() > l_.max_string || !why.empty()) return Stop("string limit");
      }
      return MakeStr(std::move(out));
    }
    if (m == "reverse") {
      std::reverse(v.begin(), v.end());
      return recv;
    }
    if (m == "slice" || m == "concat") {
      Val out;
      out.k = Val::kArr;
      out.a = NewArr();
      if (m == "slice") {
        size_t b = Rel(Arg(a, 0, 0), v.size()),
               e = Rel(Arg(a, 1, static_cast<double>(v.size())), v.size());
        if (b < e) out.a->assign(v.begin() + b, v.begin() + e);
      } else {
        *out.a = v;
        for (const Val& x : a) {
          if (x.k == Val::kArr)
            out.a->insert(out.a->end(), x.a->begin(), x.a->end());
          else
            out.a->push_back(x);
          if (out.a->size() > l_.max_array) return Stop("array limit");
        }
      }
      if (!Charge(16 * out.a->size())) return std::nullopt;
      return out;
    }
    if (m == "indexOf") {
      for (size_t i = 0; i < v.size(); ++i)
        if (!a.empty() && StrictEq(v[i], a[0])) return Val::Num(static_cast<double>(i));
      return Val::Num(-1);
    }
    if (m == "toString") return MakeStr(ToStr(recv));
    return Stop("array method " + m.substr(0, 40));
  }
  return Stop("method of a value");
}

std::optional<Val> Heap::Builtin(const std::string& name, const std::vector<Val>& a) {
  if (name == "String.fromCharCode" || name == "String.fromCodePoint") {
    U16 out;
    for (size_t i = 0; i < a.size(); ++i) {
      double c = ToNum(a[i]);
      if (name == "String.fromCharCode") {
        out += static_cast<char16_t>(ToUint32(c) & 0xffff);
      } else {
        if (!(c >= 0 && c <= 0x10ffff) || c != std::trunc(c)) return Stop("code point");
        AppendUtf16(out, static_cast<uint32_t>(c));
      }
    }
    return MakeStr(std::move(out));
  }
  if (name == "String") return MakeStr(a.empty() ? U16() : ToStr(a[0]));
  if (name == "Number") return Val::Num(a.empty() ? 0 : ToNum(a[0]));
  if (name == "Array") {
    Val out;
    out.k = Val::kArr;
    out.a = NewArr();
    if (a.size() == 1 && a[0].k == Val::kNum) {
      double n = a[0].n;
      if (!(n >= 0) || n > l_.max_array || n != std::trunc(n)) return Stop("array length");
      if (!Charge(16 * static_cast<size_t>(n))) return std::nullopt;
      out.a->resize(static_cast<size_t>(n));
    } else {
      *out.a = a;
    }
    return out;
  }
  if (name == "parseInt") {
    U16 s = a.empty() ? U16(u"undefined") : ToStr(a[0]);
    return Val::Num(ParseInt(s, static_cast<int>(ToInteger(Arg(a, 1, 0)))));
  }
  if (name == "parseFloat") return Val::Num(a.empty() ? NAN : StrToNumber(ToStr(a[0])));
  if (name == "isNaN") return Val::Bool(std::isnan(Arg(a, 0)));
  if (name.rfind("Math.", 0) == 0) {
    std::string m = name.substr(5);
    double x = Arg(a, 0);
    if (m == "floor") return Val::Num(std::floor(x));
    if (m == "ceil") return Val::Num(std::ceil(x));
    if (m == "round") return Val::Num(std::floor(x + 0.5));
    if (m == "abs") return Val::Num(std::fabs(x));
    if (m == "trunc") return Val::Num(std::trunc(x));
    if (m == "sqrt") return Val::Num(std::sqrt(x));
    if (m == "pow") return Val::Num(std::pow(x, Arg(a, 1)));
    if (m == "max" || m == "min") {
      double r = m == "max" ? -INFINITY : INFINITY;
      for (size_t i = 0; i < a.size(); ++i) {
        double v = ToNum(a[i]);
        if (std::isnan(v)) return Val::Num(NAN);
        r = m == "max" ? std::max(r, v) : std::min(r, v);
      }
      return Val::Num(r);
    }
    return Stop(name.substr(0, 40));  // Math.random among them: not the same answer twice
  }
  if (name == "atob" || name == "unescape" || name == "decodeURIComponent") {
    U16 s = a.empty() ? U16() : ToStr(a[0]);
    std::string bytes;
    for (char16_t c : s) {
      if (c > 0xff) return Stop(name + " of wide text");
      bytes += static_cast<char>(c);
    }
    if (name == "atob") {
      Decoded d = DecodeBase64(bytes, l_.max_string);
      if (!d.ok) return Stop("atob of no base64");
      return MakeStr(U16(d.out.begin(), d.out.end()));  // bytes as Latin-1, as atob gives
    }
    if (name == "decodeURIComponent") {
      Decoded d = UrlDecode(bytes, false);
      if (!d.ok) return Stop("decodeURIComponent");
      return MakeStr(ToU16(d.out));
    }
    U16 out;  // unescape: %XX and %uXXXX
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 5 < s.size() + 0 && s[i + 1] == 'u') {
        int v = 0;
        bool ok = true;
        for (size_t k = 2; k < 6 && ok; ++k) {
          int h = s[i + k] < 0x80 ? HexVal(static_cast<char>(s[i + k])) : -1;
          ok = h >= 0, v = v * 16 + h;
        }
        if (ok) {
          out += static_cast<char16_t>(v);
          i += 5;
          continue;
        }
      }
      if (s[i] == '%' && i + 2 < s.size()) {
        int h1 = s[i + 1] < 0x80 ? HexVal(static_cast<char>(s[i + 1])) : -1;
        int h2 = s[i + 2] < 0x80 ? HexVal(static_cast<char>(s[i + 2])) : -1;
        if (h1 >= 0 && h2 >= 0) {
          out += static_cast<char16_t>(h1 * 16 + h2);
          i += 2;
          continue;
        }
      }
      out += s[i];
    }
    return MakeStr(std::move(out));
  }
  return Stop("built-in " + name.substr(0, 40));
}

}  // namespace tq::webroot::jseval
