// The file's own JavaScript decoder functions, run on literals (see js_eval.h).
#include "webroot/js_eval.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "webroot/js_tokens.h"

namespace tq::webroot {
namespace {

using U16 = std::u16string;

// UTF-8 (as the lexer keeps a literal) to JavaScript's UTF-16 code units; a byte that starts
// no valid sequence stands for itself.
U16 ToU16(std::string_view s) {
  U16 out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    if (ok && n > 1) {
      cp = c & (0x7f >> n);
      for (size_t k = 1; k < n && ok; ++k) {
        unsigned char d = static_cast<unsigned char>(s[i + k]);
        ok = (d >> 6) == 2;
        cp = (cp << 6) | (d & 0x3f);
      }
    }
    if (!ok) cp = c, n = 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3ff));
    } else {
      out += static_cast<char16_t>(cp);
    }
    i += n;
  }
  return out;
}

std::string ToU8(const U16& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t c = s[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000)
      c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00);
    AppendUtf8(out, c);
  }
  return out;
}

U16 Ascii(std::string_view s) { return U16(s.begin(), s.end()); }

bool In(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

// ---------------------------------------------------------------------------------------------
// The parsed subset.
struct Node {
  enum Kind : uint8_t {
    // expressions
    kNum,
    kStr,
    kName,
    kUndef,
    kNull,
    kBool,
    kArray,
    kUnary,
    kPrefix,
    kPostfix,
    kBinary,
    kLogical,
    kCond,
    kAssign,
    kSeq,
    kMember,
    kIndex,
    kCall,
    kNew,
    // statements
    kVar,
    kExpr,
    kIf,
    kFor,
    kWhile,
    kDo,
    kReturn,
    kBreak,
    kContinue,
    kBlock,
    kEmpty,
  };
  Kind k = kUndef;
  std::string op;  // operator, or the name (kName, kMember, kVar)
  double num = 0;
  U16 str;
  std::vector<int> kids;  // -1 for an absent part
};

int Precedence(std::string_view op) {
  static const std::pair<std::string_view, int> table[] = {
      {"??", 1}, {"||", 1},  {"&&", 2},  {"|", 3},         {"^", 4}, {"&", 5},  {"==", 6},
      {"!=", 6}, {"===", 6}, {"!==", 6}, {"<", 7},         {">", 7}, {"<=", 7}, {">=", 7},
      {"<<", 8}, {">>", 8},  {">>>", 8}, {"+", 9},         {"-", 9}, {"*", 10}, {"/", 10},
      {"%", 10}, {"**", 11}, {"in", 7},  {"instanceof", 7}};
  for (const auto& [o, p] : table)
    if (o == op) return p;
  return 0;
}

bool AssignOp(std::string_view op) {
  static const std::string_view ops[] = {
      "=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "**="};
  return std::find(std::begin(ops), std::end(ops), op) != std::end(ops);
}

std::optional<double> NumberLiteral(std::string_view s) {
  if (std::optional<int64_t> v = IntegerLiteral(s)) return static_cast<double>(*v);
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string z(s);
  z.erase(std::remove(z.begin(), z.end(), '_'), z.end());
  char* end = nullptr;
  double v = std::strtod(z.c_str(), &end);
  if (end != z.c_str() + z.size()) return std::nullopt;
  return v;
}

class Parser {
 public:
  Parser(const std::vector<Token>& t, size_t b, size_t e, std::vector<Node>& pool, size_t max)
      : t_(t), i_(b), e_(e), pool_(pool), max_(max) {}

  // Statements up to the end of the range, as one block; -1 when something is not read.
  int Body() {
    std::vector<int> list;
    while (ok_ && i_ < e_) list.push_back(Statement());
    int n = Make(Node::kBlock);
    if (ok_) pool_[n].kids = std::move(list);
    return ok_ ? n : -1;
  }

 private:
  const std::vector<Token>& t_;
  size_t i_, e_;
  std::vector<Node>& pool_;
  size_t max_;
  bool ok_ = true;
  int depth_ = 0;

  bool At(std::string_view op) const { return i_ < e_ && js::Op(t_[i_], op); }
  bool AtWord(std::string_view w) const { return i_ < e_ && js::Word(t_[i_], w); }
  bool Eat(std::string_view op) {
    if (!At(op)) return false;
    ++i_;
    return true;
  }
  void Expect(std::string_view op) {
    if (!Eat(op)) ok_ = false;
  }
  int Fail() {
    ok_ = false;
    return -1;
  }
  int Make(Node::Kind k, std::string op = {}) {
    if (pool_.size() >= max_) return Fail(), static_cast<int>(pool_.size()) - 1;
    pool_.push_back(Node{k, std::move(op), 0, {}, {}});
    return static_cast<int>(pool_.size()) - 1;
  }
  int Make(Node::Kind k, std::string op, std::vector<int> kids) {
    int n = Make(k, std::move(op));
    if (n >= 0) pool_[n].kids = std::move(kids);
    return n;
  }
  void EndStatement() {
    Eat(";");  // a missing semicolon: the newline the lexer dropped
  }

  int Statement() {
    if (!ok_ || i_ >= e_) return Fail();
    if (++depth_ > 200) return Fail();
    int n = StatementInner();
    --depth_;
    return ok_ ? n : -1;
  }

  int StatementInner() {
    if (Eat(";")) return Make(Node::kEmpty);
    if (Eat("{")) {
      std::vector<int> list;
      while (ok_ && i_ < e_ && !At("}")) list.push_back(Statement());
      Expect("}");
      return Make(Node::kBlock, {}, std::move(list));
    }
    if (AtWord("var") || AtWord("let") || AtWord("const")) {
      ++i_;
      int n = Declarations();
      EndStatement();
      return n;
    }
    if (AtWord("if")) {
      ++i_;
      Expect("(");
      int c = Expr();
      Expect(")");
      int then = Statement(), other = -1;
      if (AtWord("else")) ++i_, other = Statement();
      return Make(Node::kIf, {}, {c, then, other});
    }
    if (AtWord("for")) {
      ++i_;
      Expect("(");
      int init = -1, cond = -1, step = -1;
      if (AtWord("var") || AtWord("let") || AtWord("const")) {
        ++i_;
        init = Declarations();
      } else if (!At(";")) {
        init = Expr();
      }
      if (AtWord("in") || AtWord("of")) return Fail();
      Expect(";");
      if (!At(";")) cond = Expr();
      Expect(";");
      if (!At(")")) step = Expr();
      Expect(")");
      int body = Statement();
      return Make(Node::kFor, {}, {init, cond, step, body});
    }
    if (AtWord("while")) {
      ++i_;
      Expect("(");
      int c = Expr();
      Expect(")");
      return Make(Node::kWhile, {}, {c, Statement()});
    }
    if (AtWord("do")) {
      ++i_;
      int body = Statement();
      if (!AtWord("while")) return Fail();
      ++i_;
      Expect("(");
      int c = Expr();
      Expect(")");
      EndStatement();
      return Make(Node::kDo, {}, {body, c});
    }
    if (AtWord("return")) {
      ++i_;
      int v = (At(";") || At("}") || i_ >= e_) ? -1 : Expr();
      EndStatement();
      return Make(Node::kReturn, {}, {v});
    }
    if (AtWord("break") || AtWord("continue")) {
      Node::Kind k = AtWord("break") ? Node::kBreak : Node::kContinue;
      ++i_;
      if (i_ < e_ && t_[i_].type == Tok::kWord) return Fail();  // a label
      EndStatement();
      return Make(k);
    }
    if (i_ < e_ && t_[i_].type == Tok::kWord &&
        In(t_[i_].text,
           {"function", "try", "switch", "throw", "class", "with", "async", "await", "yield",
            "import", "export", "debugger", "case", "default", "else", "catch", "finally"}))
      return Fail();
    int x = Expr();
    EndStatement();
    return Make(Node::kExpr, {}, {x});
  }

  int Declarations() {
    std::vector<int> list;
    do {
      if (i_ >= e_ || t_[i_].type != Tok::kWord) return Fail();
      int target = Make(Node::kName, t_[i_++].text);
      int value = Eat("=") ? Assign() : -1;
      list.push_back(Make(Node::kVar, {}, {target, value}));
    } while (ok_ && Eat(","));
    return Make(Node::kBlock, {}, std::move(list));
  }

  int Expr() {
    int x = Assign();
    if (!At(",")) return x;
    std::vector<int> list{x};
    while (ok_ && Eat(",")) list.push_back(Assign());
    return Make(Node::kSeq, {}, std::move(list));
  }

  int Assign() {
    if (++depth_ > 200) return Fail();
    int x = Conditional();
    if (ok_ && i_ < e_ && t_[i_].type == Tok::kOp && AssignOp(t_[i_].text)) {
      std::string op = t_[i_++].text;
      Node::Kind k = pool_[x].k;
      if (k != Node::kName && k != Node::kIndex && k != Node::kMember) return Fail();
      int v = Assign();
      x = Make(Node::kAssign, op, {x, v});
    }
    --depth_;
    return x;
  }

  int Conditional() {
    int c = Binary(1);
    if (!Eat("?")) return c;
    int a = Assign();
    Expect(":");
    int b = Assign();
    return Make(Node::kCond, {}, {c, a, b});
  }

  int Binary(int min) {
    int left = Unary();
    while (ok_ && i_ < e_) {
      const Token& k = t_[i_];
      if (k.type != Tok::kOp &&
          !(k.type == Tok::kWord && (k.text == "in" || k.text == "instanceof")))
        break;
      int p = Precedence(k.text);
      if (p == 0 || p < min) break;
      std::string op = k.text;
      ++i_;
      int right = Binary(op == "**" ? p : p + 1);
      bool logical = op == "&&" || op == "||" || op == "??";
      left = Make(logical ? Node::kLogical : Node::kBinary, op, {left, right});
    }
    return left;
  }

  int Unary() {
    if (!ok_ || i_ >= e_) return Fail();
    if (++depth_ > 200) return Fail();
    int n;
    const Token& k = t_[i_];
    if (k.type == Tok::kOp && In(k.text, {"!", "~", "+", "-"})) {
      std::string op = k.text;
      ++i_;
      n = Make(Node::kUnary, op, {Unary()});
    } else if (k.type == Tok::kOp && (k.text == "++" || k.text == "--")) {
      std::string op = k.text;
      ++i_;
      n = Make(Node::kPrefix, op, {Unary()});
    } else if (k.type == Tok::kWord && (k.text == "typeof" || k.text == "void")) {
      std::string op = k.text;
      ++i_;
      n = Make(Node::kUnary, op, {Unary()});
    } else if (k.type == Tok::kWord && k.text == "new") {
      ++i_;
      int callee = Primary();
      std::vector<int> kids{callee};
      if (Eat("(")) Arguments(kids);
      n = Postfix(Make(Node::kNew, {}, std::move(kids)));
    } else {
      n = Postfix(Primary());
    }
    --depth_;
    return n;
  }

  void Arguments(std::vector<int>& kids) {
    while (ok_ && i_ < e_ && !At(")")) {
      kids.push_back(Assign());
      if (!Eat(",")) break;
    }
    Expect(")");
  }

  int Postfix(int x) {
    while (ok_ && i_ < e_) {
      if (Eat(".")) {
        if (i_ >= e_ || t_[i_].type != Tok::kWord) return Fail();
        x = Make(Node::kMember, t_[i_++].text, {x});
      } else if (Eat("[")) {
        int idx = Expr();
        Expect("]");
        x = Make(Node::kIndex, {}, {x, idx});
      } else if (Eat("(")) {
        std::vector<int> kids{x};
        Arguments(kids);
        x = Make(Node::kCall, {}, std::move(kids));
      } else if (At("++") || At("--")) {
        x = Make(Node::kPostfix, t_[i_++].text, {x});
      } else {
        break;
      }
    }
    return x;
  }

  int Primary() {
    if (!ok_ || i_ >= e_) return Fail();
    const Token& k = t_[i_++];
    switch (k.type) {
      case Tok::kNumber: {
        std::optional<double> v = NumberLiteral(k.text);
        if (!v) return Fail();
        int n = Make(Node::kNum);
        if (n >= 0) pool_[n].num = *v;
        return n;
      }
      case Tok::kString: {
        if (k.quote == '`') return Fail();  // a template may hold ${...}
        int n = Make(Node::kStr);
        if (n >= 0) pool_[n].str = ToU16(k.text);
        return n;
      }
      case Tok::kWord:
        if (k.text == "true" || k.text == "false") {
          int n = Make(Node::kBool);
          if (n >= 0) pool_[n].num = k.text == "true";
          return n;
        }
        if (k.text == "undefined") return Make(Node::kUndef);
        if (k.text == "null") return Make(Node::kNull);
        if (In(k.text, {"function", "this", "class", "super", "arguments", "eval", "new", "yield",
                        "await", "import"}))
          return Fail();
        return Make(Node::kName, k.text);
      case Tok::kOp:
        if (k.text == "(") {
          int x = Expr();
          Expect(")");
          return x;
        }
        if (k.text == "[") {
          std::vector<int> items;
          while (ok_ && i_ < e_ && !At("]")) {
            if (At(",")) {
              items.push_back(Make(Node::kUndef));
              ++i_;
              continue;
            }
            items.push_back(Assign());
            if (!Eat(",")) break;
          }
          Expect("]");
          return Make(Node::kArray, {}, std::move(items));
        }
        return Fail();
      default: return Fail();
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Values.
struct Val;
using ArrPtr = std::shared_ptr<std::vector<Val>>;
struct Val {
  enum K : uint8_t { kUndef, kNull, kBool, kNum, kStr, kArr, kFn, kBuiltin } k = kUndef;
  double n = 0;
  U16 s;
  ArrPtr a;
  std::string name;  // kFn: the file's function; kBuiltin: "String", "Math", "parseInt", ...

  static Val Num(double v) {
    Val x;
    x.k = kNum, x.n = v;
    return x;
  }
  static Val Str(U16 v) {
    Val x;
    x.k = kStr, x.s = std::move(v);
    return x;
  }
  static Val Bool(bool v) {
    Val x;
    x.k = kBool, x.n = v;
    return x;
  }
};

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

// ---------------------------------------------------------------------------------------------
// The file's functions and constants.
struct Fn {
  std::string name;
  std::vector<std::string> params;
  size_t body_b = 0, body_e = 0;
  std::vector<Node> pool;
  int root = -1;
  bool parsed = false;
};

bool DecoderWord(std::string_view w) {
  return In(w, {"fromCharCode", "fromCodePoint", "charCodeAt", "atob", "unescape",
                "decodeURIComponent", "charAt", "reverse", "indexOf", "split"});
}

const char* const kMutators[] = {"push",    "pop",  "shift", "unshift",   "splice",
                                 "reverse", "sort", "fill",  "copyWithin"};

class Program {
 public:
  // `any_call`: read the functions even when no call passes them a literal (a test's run).
  Program(const std::vector<Token>& t, bool any_call) : t_(t), match_(t.size(), js::kNone) {
    // Brackets matched once (a search per bracket would be quadratic on nested input), and
    // which names a var/let/const list declares (`var a = 1, b = [c, d], e;`: a, b and e).
    std::vector<size_t> open;
    std::vector<bool> in_list{false};
    std::vector<bool> declares(t.size(), false);
    std::vector<int> depth_at(t.size(), 0);
    for (size_t i = 0; i < t.size(); ++i) {
      const Token& k = t[i];
      depth_at[i] = static_cast<int>(open.size());
      if (k.type == Tok::kOp && k.text.size() == 1) {
        char c = k.text[0];
        if (c == '(' || c == '[' || c == '{') {
          open.push_back(i);
          in_list.push_back(false);
        } else if ((c == ')' || c == ']' || c == '}') && !open.empty()) {
          match_[open.back()] = i;
          open.pop_back();
          in_list.pop_back();
        } else if (c == ';') {
          in_list.back() = false;
        }
      }
      if (js::Decl(k)) in_list.back() = true;
      if (k.type == Tok::kWord && i > 0 &&
          (js::Decl(t[i - 1]) || (js::Op(t[i - 1], ",") && in_list.back())))
        declares[i] = true;
    }
    // The decoder functions, and the top-level constants, that might be used: a function is
    // kept only when some call passes it a literal.
    struct Candidate {
      std::string_view name;
      size_t open;  // its parameter list, or kNone for a constant
      size_t value;
    };
    std::vector<Candidate> found;
    std::unordered_set<std::string_view> names;
    for (size_t i = 0; i + 1 < t.size(); ++i) {
      if (t[i].type != Tok::kWord) continue;
      if (i > 0 && js::Word(t[i - 1], "function") && js::Op(t[i + 1], "(")) {
        if (DecoderBody(i + 1)) found.push_back({t[i].text, i + 1, 0}), names.insert(t[i].text);
      } else if (declares[i] && i + 2 < t.size() && js::Op(t[i + 1], "=")) {
        if (js::Word(t[i + 2], "function") && i + 3 < t.size() && js::Op(t[i + 3], "(")) {
          if (DecoderBody(i + 3)) found.push_back({t[i].text, i + 3, 0}), names.insert(t[i].text);
        } else if (depth_at[i] == 0) {
          found.push_back({t[i].text, js::kNone, i + 2}), names.insert(t[i].text);
        }
      }
    }
    bool called = any_call;
    for (size_t i = 0; i + 2 < t.size() && !called; ++i)
      called = t[i].type == Tok::kWord && js::Op(t[i + 1], "(") &&
               (t[i + 2].type == Tok::kString || t[i + 2].type == Tok::kNumber ||
                js::Op(t[i + 2], "-")) &&
               names.count(t[i].text) && !(i > 0 && js::Op(t[i - 1], "."));
    if (!called) return;
    // Every declaration and assignment of those names, to keep only names bound once.
    std::unordered_map<std::string_view, int> declared;
    std::unordered_set<std::string_view> assigned;
    auto writes = [&](size_t j) {
      return j < t.size() && t[j].type == Tok::kOp &&
             (AssignOp(t[j].text) || t[j].text == "++" || t[j].text == "--");
    };
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i].type != Tok::kWord || !names.count(t[i].text)) continue;
      if (i > 0 && (js::Op(t[i - 1], ".") || js::Op(t[i - 1], "?."))) continue;
      std::string_view w = t[i].text;
      if (declares[i] || (i > 0 && js::Word(t[i - 1], "function"))) ++declared[w];
      if (!declares[i] &&
          (writes(i + 1) || (i > 0 && (js::Op(t[i - 1], "++") || js::Op(t[i - 1], "--")))))
        assigned.insert(w);
      // a[i] = .., a.push(..): the array changes.
      if (i + 1 < t.size() && js::Op(t[i + 1], "[") && match_[i + 1] != js::kNone &&
          writes(match_[i + 1] + 1))
        assigned.insert(w);
      if (i + 2 < t.size() && js::Op(t[i + 1], ".") && t[i + 2].type == Tok::kWord &&
          std::find(std::begin(kMutators), std::end(kMutators), t[i + 2].text) !=
              std::end(kMutators))
        assigned.insert(w);
    }
    for (const Candidate& c : found) {
      if (declared[c.name] != 1 || assigned.count(c.name)) continue;
      std::string name(c.name);
      if (c.open != js::kNone) {
        AddFunction(name, c.open);
      } else if (std::optional<Val> v = Literal(c.value)) {
        consts_[name] = std::move(*v);
      }
    }
  }

  const std::vector<Token>& tokens() const { return t_; }
  Fn* Find(const std::string& name) {
    auto it = fns_.find(name);
    return it == fns_.end() ? nullptr : &it->second;
  }
  const Val* Const(const std::string& name) const {
    auto it = consts_.find(name);
    return it == consts_.end() ? nullptr : &it->second;
  }
  bool IsDecoder(const std::string& name) const { return decoders_.count(name) > 0; }
  size_t Match(size_t open) const { return match_[open]; }
  bool HasDecoders() const { return !decoders_.empty(); }

 private:
  const std::vector<Token>& t_;
  std::vector<size_t> match_;  // the closing bracket of each opening one
  std::map<std::string, Fn> fns_;
  std::map<std::string, Val> consts_;
  std::set<std::string> decoders_;

  void AddFunction(const std::string& name, size_t open) {
    size_t close = match_[open];
    if (close == js::kNone || close + 1 >= t_.size() || !js::Op(t_[close + 1], "{")) return;
    Fn f;
    f.name = name;
    for (size_t j = open + 1; j < close; ++j) {
      if (t_[j].type == Tok::kWord)
        f.params.push_back(t_[j].text);
      else if (!js::Op(t_[j], ","))
        return;  // defaults, rest, destructuring
    }
    size_t end = match_[close + 1];
    if (end == js::kNone) return;
    f.body_b = close + 2, f.body_e = end;
    decoders_.insert(name);
    fns_.emplace(name, std::move(f));
  }

  // Does the function whose parameters open at `open` look like a decoder: a body of at most
  // kMaxBody tokens, with a return and a character or decoding built-in?
  bool DecoderBody(size_t open) const {
    static constexpr size_t kMaxBody = 4096;
    size_t close = match_[open];
    if (close == js::kNone || close + 1 >= t_.size() || !js::Op(t_[close + 1], "{")) return false;
    size_t end = match_[close + 1];
    if (end == js::kNone || end - close > kMaxBody) return false;
    bool decoder = false, returns = false;
    for (size_t j = close + 2; j < end; ++j) {
      if (t_[j].type != Tok::kWord) continue;
      if (DecoderWord(t_[j].text)) decoder = true;
      if (t_[j].text == "return") returns = true;
    }
    return decoder && returns;
  }

  // A literal at `i` ending the declaration: a string, a number, or an array of them.
  std::optional<Val> Literal(size_t i) const {
    auto ends = [&](size_t j) {
      return j >= t_.size() || js::Op(t_[j], ";") || js::Op(t_[j], ",") || js::Op(t_[j], "}") ||
             t_[j].type == Tok::kWord;
    };
    auto scalar = [&](size_t& j) -> std::optional<Val> {
      bool neg = false;
      if (j < t_.size() && js::Op(t_[j], "-")) neg = true, ++j;
      if (j >= t_.size()) return std::nullopt;
      if (t_[j].type == Tok::kString && t_[j].quote != '`' && !neg)
        return Val::Str(ToU16(t_[j++].text));
      if (t_[j].type == Tok::kNumber) {
        std::optional<double> v = NumberLiteral(t_[j++].text);
        if (v) return Val::Num(neg ? -*v : *v);
      }
      return std::nullopt;
    };
    size_t j = i;
    if (js::Op(t_[j], "[")) {
      Val arr;
      arr.k = Val::kArr;
      arr.a = std::make_shared<std::vector<Val>>();
      ++j;
      while (j < t_.size() && !js::Op(t_[j], "]")) {
        std::optional<Val> v = scalar(j);
        if (!v || arr.a->size() >= (1u << 16)) return std::nullopt;
        arr.a->push_back(std::move(*v));
        if (j < t_.size() && js::Op(t_[j], ","))
          ++j;
        else if (!(j < t_.size() && js::Op(t_[j], "]")))
          return std::nullopt;
      }
      if (j >= t_.size()) return std::nullopt;
      return ends(j + 1) ? std::optional<Val>(arr) : std::nullopt;
    }
    std::optional<Val> v = scalar(j);
    return v && ends(j) ? v : std::nullopt;
  }
};

// ---------------------------------------------------------------------------------------------
// The machine.
class Machine {
 public:
  Machine(Program& p, const JsEvalLimits& l) : p_(p), l_(l) {}
  size_t steps = 0;
  std::string why;  // empty while running

  std::optional<Val> Call(Fn& f, std::vector<Val> args) {
    if (depth_ >= l_.max_call_depth) return Stop("call depth");
    if (!f.parsed) {
      f.parsed = true;
      Parser parser(p_.tokens(), f.body_b, f.body_e, f.pool, l_.max_nodes);
      f.root = parser.Body();
    }
    if (f.root < 0) return Stop("unsupported code in " + f.name);
    Env env;
    for (size_t i = 0; i < f.params.size(); ++i)
      env[f.params[i]] = i < args.size() ? std::move(args[i]) : Val();
    ++depth_;
    Val ret;
    Flow fl = Exec(f, f.root, env, ret);
    --depth_;
    if (!why.empty()) return std::nullopt;
    return fl == Flow::kReturn ? ret : Val();
  }

 private:
  using Env = std::unordered_map<std::string, Val>;
  enum class Flow { kNext, kBreak, kContinue, kReturn };
  Program& p_;
  const JsEvalLimits& l_;
  int depth_ = 0;
  int nest_ = 0;  // Exec/Eval frames on the stack, across calls
  size_t bytes_ = 0;
  static constexpr int kMaxNest = 1500;

  struct Nest {
    Machine& m;
    explicit Nest(Machine& x) : m(x) { ++m.nest_; }
    ~Nest() { --m.nest_; }
  };

  std::nullopt_t Stop(std::string reason) {
    if (why.empty()) why = std::move(reason);
    return std::nullopt;
  }
  bool Step() {
    if (++steps > l_.max_steps) Stop("step limit");
    return why.empty();
  }
  bool Charge(size_t n) {
    bytes_ += n;
    if (bytes_ > l_.max_bytes) Stop("memory limit");
    return why.empty();
  }
  std::optional<Val> MakeStr(U16 s) {
    if (s.size() > l_.max_string) return Stop("string limit");
    if (!Charge(s.size() * 2)) return std::nullopt;
    return Val::Str(std::move(s));
  }

  // Conversions.
  U16 ToStr(const Val& v, int depth = 0) {
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
  double ToNum(const Val& v) {
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
  static bool Truthy(const Val& v) {
    switch (v.k) {
      case Val::kUndef:
      case Val::kNull: return false;
      case Val::kBool:
      case Val::kNum: return v.n != 0 && !std::isnan(v.n);
      case Val::kStr: return !v.s.empty();
      default: return true;
    }
  }
  static bool StrictEq(const Val& a, const Val& b) {
    if (a.k != b.k) return false;
    switch (a.k) {
      case Val::kUndef:
      case Val::kNull: return true;
      case Val::kBool:
      case Val::kNum: return a.n == b.n;
      case Val::kStr: return a.s == b.s;
      case Val::kArr: return a.a == b.a;
      default: return a.name == b.name;
    }
  }
  bool LooseEq(const Val& a, const Val& b) {
    bool an = a.k == Val::kUndef || a.k == Val::kNull, bn = b.k == Val::kUndef || b.k == Val::kNull;
    if (an || bn) return an && bn;
    if (a.k == b.k) return StrictEq(a, b);
    if (a.k == Val::kArr || b.k == Val::kArr)
      return ToStr(a) == ToStr(b) || (a.k != Val::kStr && b.k != Val::kStr && ToNum(a) == ToNum(b));
    return ToNum(a) == ToNum(b);
  }

  std::optional<Val> Lookup(const std::string& name, Env& env) {
    if (auto it = env.find(name); it != env.end()) return it->second;
    if (const Val* c = p_.Const(name)) return *c;
    Val v;
    if (p_.Find(name)) {
      v.k = Val::kFn, v.name = name;
      return v;
    }
    if (In(name, {"String", "Math", "Array", "Number", "parseInt", "parseFloat", "isNaN", "atob",
                  "unescape", "decodeURIComponent", "Infinity", "NaN"})) {
      if (name == "Infinity") return Val::Num(INFINITY);
      if (name == "NaN") return Val::Num(NAN);
      v.k = Val::kBuiltin, v.name = name;
      return v;
    }
    return Stop("unknown name " + name.substr(0, 40));
  }

  // Statements.
  Flow Exec(Fn& f, int n, Env& env, Val& ret) {
    Nest nest(*this);
    if (nest_ > kMaxNest) Stop("nesting");
    if (n < 0 || !Step()) return Flow::kReturn;
    const Node& x = f.pool[n];
    switch (x.k) {
      case Node::kEmpty: return Flow::kNext;
      case Node::kBlock:
        for (int s : x.kids) {
          Flow fl = Exec(f, s, env, ret);
          if (fl != Flow::kNext || !why.empty()) return fl;
        }
        return Flow::kNext;
      case Node::kVar: {
        Val v;
        if (x.kids[1] >= 0) {
          std::optional<Val> e = Eval(f, x.kids[1], env);
          if (!e) return Flow::kReturn;
          v = std::move(*e);
        } else if (env.count(f.pool[x.kids[0]].op)) {
          return Flow::kNext;  // `var i;` again keeps the value
        }
        env[f.pool[x.kids[0]].op] = std::move(v);
        return Flow::kNext;
      }
      case Node::kExpr: return Eval(f, x.kids[0], env) ? Flow::kNext : Flow::kReturn;
      case Node::kReturn: {
        if (x.kids[0] >= 0) {
          std::optional<Val> e = Eval(f, x.kids[0], env);
          if (!e) return Flow::kReturn;
          ret = std::move(*e);
        }
        return Flow::kReturn;
      }
      case Node::kBreak: return Flow::kBreak;
      case Node::kContinue: return Flow::kContinue;
      case Node::kIf: {
        std::optional<Val> c = Eval(f, x.kids[0], env);
        if (!c) return Flow::kReturn;
        int branch = Truthy(*c) ? x.kids[1] : x.kids[2];
        return branch < 0 ? Flow::kNext : Exec(f, branch, env, ret);
      }
      case Node::kFor:
      case Node::kWhile:
      case Node::kDo: {
        int init = x.k == Node::kFor ? x.kids[0] : -1;
        int cond = x.k == Node::kFor ? x.kids[1] : x.k == Node::kWhile ? x.kids[0] : x.kids[1];
        int step = x.k == Node::kFor ? x.kids[2] : -1;
        int body = x.k == Node::kFor ? x.kids[3] : x.k == Node::kWhile ? x.kids[1] : x.kids[0];
        if (init >= 0) {
          if (f.pool[init].k == Node::kBlock) {
            if (Exec(f, init, env, ret) != Flow::kNext) return Flow::kReturn;
          } else if (!Eval(f, init, env)) {
            return Flow::kReturn;
          }
        }
        for (bool first = true;; first = false) {
          if (!(x.k == Node::kDo && first) && cond >= 0) {
            std::optional<Val> c = Eval(f, cond, env);
            if (!c) return Flow::kReturn;
            if (!Truthy(*c)) break;
          }
          Flow fl = Exec(f, body, env, ret);
          if (!why.empty() || fl == Flow::kReturn) return Flow::kReturn;
          if (fl == Flow::kBreak) break;
          if (step >= 0 && !Eval(f, step, env)) return Flow::kReturn;
          if (!Step()) return Flow::kReturn;
        }
        return Flow::kNext;
      }
      default: {
        std::optional<Val> e = Eval(f, n, env);
        return e ? Flow::kNext : Flow::kReturn;
      }
    }
  }

  // Expressions.
  std::optional<Val> Eval(Fn& f, int n, Env& env) {
    Nest nest(*this);
    if (nest_ > kMaxNest) Stop("nesting");
    if (n < 0 || !Step()) return std::nullopt;
    const Node& x = f.pool[n];
    switch (x.k) {
      case Node::kNum: return Val::Num(x.num);
      case Node::kStr: return MakeStr(x.str);
      case Node::kBool: return Val::Bool(x.num != 0);
      case Node::kUndef: return Val();
      case Node::kNull: {
        Val v;
        v.k = Val::kNull;
        return v;
      }
      case Node::kName: return Lookup(x.op, env);
      case Node::kArray: {
        Val v;
        v.k = Val::kArr;
        v.a = std::make_shared<std::vector<Val>>();
        for (int e : x.kids) {
          std::optional<Val> item = Eval(f, e, env);
          if (!item) return std::nullopt;
          v.a->push_back(std::move(*item));
        }
        if (!Charge(16 * v.a->size())) return std::nullopt;
        return v;
      }
      case Node::kSeq: {
        std::optional<Val> last;
        for (int e : x.kids)
          if (!(last = Eval(f, e, env))) return std::nullopt;
        return last;
      }
      case Node::kCond: {
        std::optional<Val> c = Eval(f, x.kids[0], env);
        if (!c) return std::nullopt;
        return Eval(f, Truthy(*c) ? x.kids[1] : x.kids[2], env);
      }
      case Node::kLogical: {
        std::optional<Val> a = Eval(f, x.kids[0], env);
        if (!a) return std::nullopt;
        bool take_left = x.op == "&&"   ? !Truthy(*a)
                         : x.op == "||" ? Truthy(*a)
                                        : (a->k != Val::kUndef && a->k != Val::kNull);
        return take_left ? a : Eval(f, x.kids[1], env);
      }
      case Node::kUnary: {
        if (x.op == "typeof" && f.pool[x.kids[0]].k == Node::kName) {
          const std::string& name = f.pool[x.kids[0]].op;
          if (!env.count(name) && !p_.Const(name) && !p_.Find(name)) {
            std::optional<Val> known = Lookup(name, env);
            if (!known) why.clear();
            return MakeStr(known ? u"function" : u"undefined");
          }
        }
        std::optional<Val> a = Eval(f, x.kids[0], env);
        if (!a) return std::nullopt;
        if (x.op == "!") return Val::Bool(!Truthy(*a));
        if (x.op == "-") return Val::Num(-ToNum(*a));
        if (x.op == "+") return Val::Num(ToNum(*a));
        if (x.op == "~") return Val::Num(~ToInt32(ToNum(*a)));
        if (x.op == "void") return Val();
        static const char16_t* names[] = {u"undefined", u"object", u"boolean",  u"number",
                                          u"string",    u"object", u"function", u"function"};
        return MakeStr(names[a->k]);
      }
      case Node::kBinary: {
        std::optional<Val> a = Eval(f, x.kids[0], env);
        if (!a) return std::nullopt;
        std::optional<Val> b = Eval(f, x.kids[1], env);
        if (!b) return std::nullopt;
        return Binary(x.op, *a, *b);
      }
      case Node::kAssign: return Assign(f, x, env);
      case Node::kPrefix:
      case Node::kPostfix: {
        std::optional<Val> old = Eval(f, x.kids[0], env);
        if (!old) return std::nullopt;
        double v = ToNum(*old);
        Val nv = Val::Num(x.op == "++" ? v + 1 : v - 1);
        if (!Store(f, x.kids[0], env, nv)) return std::nullopt;
        return x.k == Node::kPrefix ? nv : Val::Num(v);
      }
      case Node::kMember:
      case Node::kIndex: {
        std::optional<Val> obj = Eval(f, x.kids[0], env);
        if (!obj) return std::nullopt;
        Val key;
        if (x.k == Node::kMember) {
          key = Val::Str(Ascii(x.op));
        } else {
          std::optional<Val> k = Eval(f, x.kids[1], env);
          if (!k) return std::nullopt;
          key = std::move(*k);
        }
        return Get(*obj, key);
      }
      case Node::kCall: return CallNode(f, x, env);
      case Node::kNew: {
        const Node& c = f.pool[x.kids[0]];
        if (c.k == Node::kName && (c.op == "Array" || c.op == "String")) return CallNode(f, x, env);
        return Stop("new");
      }
      default: return Stop("unsupported expression");
    }
  }

  std::optional<Val> Binary(const std::string& op, const Val& a, const Val& b) {
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

  std::optional<Val> Assign(Fn& f, const Node& x, Env& env) {
    std::optional<Val> v = Eval(f, x.kids[1], env);
    if (!v) return std::nullopt;
    if (x.op != "=") {
      std::optional<Val> old = Eval(f, x.kids[0], env);
      if (!old) return std::nullopt;
      v = Binary(x.op.substr(0, x.op.size() - 1), *old, *v);
      if (!v) return std::nullopt;
    }
    if (!Store(f, x.kids[0], env, *v)) return std::nullopt;
    return v;
  }

  bool Store(Fn& f, int target, Env& env, const Val& v) {
    const Node& t = f.pool[target];
    if (t.k == Node::kName) {
      // Only the function's own variables: a constant of the file stays what it was.
      if (!env.count(t.op)) return Stop("assignment to " + t.op.substr(0, 40)), false;
      env[t.op] = v;
      return true;
    }
    if (t.k == Node::kIndex) {
      std::optional<Val> obj = Eval(f, t.kids[0], env);
      if (!obj) return false;
      std::optional<Val> k = Eval(f, t.kids[1], env);
      if (!k) return false;
      if (obj->k != Val::kArr) return Stop("element of a non-array"), false;
      if (f.pool[t.kids[0]].k == Node::kName && !env.count(f.pool[t.kids[0]].op))
        return Stop("constant array written"), false;
      double i = ToNum(*k);
      if (!(i >= 0) || i != std::trunc(i) || i >= l_.max_array) return Stop("array index"), false;
      size_t at = static_cast<size_t>(i);
      if (at >= obj->a->size()) {
        if (!Charge(16 * (at + 1 - obj->a->size()))) return false;
        obj->a->resize(at + 1);
      }
      (*obj->a)[at] = v;
      return true;
    }
    return Stop("assignment target"), false;
  }

  std::optional<Val> Get(const Val& obj, const Val& key) {
    if (obj.k == Val::kStr || obj.k == Val::kArr) {
      if (key.k == Val::kStr && key.s == u"length")
        return Val::Num(static_cast<double>(obj.k == Val::kStr ? obj.s.size() : obj.a->size()));
      double i = key.k == Val::kNum ? key.n : key.k == Val::kStr ? StrToNumber(key.s) : NAN;
      if (i >= 0 && i == std::trunc(i)) {
        size_t at = static_cast<size_t>(i);
        if (obj.k == Val::kStr) {
          if (at < obj.s.size()) return MakeStr(U16(1, obj.s[at]));
          return Val();
        }
        if (at < obj.a->size()) return (*obj.a)[at];
        return Val();
      }
      if (key.k == Val::kStr) {
        Val m;
        m.k = Val::kBuiltin, m.name = "." + ToU8(key.s);
        return m;  // a method, called by CallNode
      }
      return Val();
    }
    if (obj.k == Val::kBuiltin && key.k == Val::kStr) {
      Val m;
      m.k = Val::kBuiltin, m.name = obj.name + "." + ToU8(key.s);
      if (m.name == "Math.PI") return Val::Num(M_PI);
      return m;
    }
    if (obj.k == Val::kNum && key.k == Val::kStr) {
      Val m;
      m.k = Val::kBuiltin, m.name = "." + ToU8(key.s);
      return m;
    }
    return Stop("property of a " + std::to_string(obj.k));
  }

  std::optional<Val> CallNode(Fn& f, const Node& x, Env& env) {
    const Node& callee = f.pool[x.kids[0]];
    std::vector<Val> args;
    auto eval_args = [&]() {
      for (size_t i = 1; i < x.kids.size(); ++i) {
        std::optional<Val> a = Eval(f, x.kids[i], env);
        if (!a) return false;
        args.push_back(std::move(*a));
      }
      return true;
    };
    if (callee.k == Node::kMember || callee.k == Node::kIndex) {
      std::optional<Val> recv = Eval(f, callee.kids[0], env);
      if (!recv) return std::nullopt;
      std::string method;
      if (callee.k == Node::kMember) {
        method = callee.op;
      } else {
        std::optional<Val> k = Eval(f, callee.kids[1], env);
        if (!k) return std::nullopt;
        if (k->k != Val::kStr) return Stop("computed call");
        method = ToU8(k->s);
      }
      if (!eval_args()) return std::nullopt;
      if (recv->k == Val::kBuiltin) return Builtin(recv->name + "." + method, args);
      return Method(*recv, method, args);
    }
    std::optional<Val> fn = Eval(f, x.kids[0], env);
    if (!fn) return std::nullopt;
    if (!eval_args()) return std::nullopt;
    if (fn->k == Val::kFn) {
      Fn* g = p_.Find(fn->name);
      if (!g) return Stop("function");
      return Call(*g, std::move(args));
    }
    if (fn->k == Val::kBuiltin) return Builtin(fn->name, args);
    return Stop("call of a value");
  }

  double Arg(const std::vector<Val>& a, size_t i, double missing = NAN) {
    return i < a.size() && a[i].k != Val::kUndef ? ToNum(a[i]) : missing;
  }

  // Relative index (slice's negative counting from the end), clamped to [0, len].
  static size_t Rel(double v, size_t len) {
    v = ToInteger(v);
    if (v < 0) v = std::max(0.0, static_cast<double>(len) + v);
    return static_cast<size_t>(std::min(v, static_cast<double>(len)));
  }

  std::optional<Val> Method(const Val& recv, const std::string& m, const std::vector<Val>& a) {
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
        out.a = std::make_shared<std::vector<Val>>();
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
        while (e > b &&
               (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r'))
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
        if (v.size() + a.size() > l_.max_array || !Charge(16 * a.size()))
          return Stop("array limit");
        v.insert(v.end(), a.begin(), a.end());
        return Val::Num(static_cast<double>(v.size()));
      }
      if (m == "unshift") {
        if (v.size() + a.size() > l_.max_array || !Charge(16 * a.size()))
          return Stop("array limit");
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
        out.a = std::make_shared<std::vector<Val>>();
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

  std::optional<Val> Builtin(const std::string& name, const std::vector<Val>& a) {
    if (name == "String.fromCharCode" || name == "String.fromCodePoint") {
      U16 out;
      for (size_t i = 0; i < a.size(); ++i) {
        double c = ToNum(a[i]);
        if (name == "String.fromCharCode") {
          out += static_cast<char16_t>(ToUint32(c) & 0xffff);
        } else {
          if (!(c >= 0 && c <= 0x10ffff) || c != std::trunc(c)) return Stop("code point");
          uint32_t cp = static_cast<uint32_t>(c);
          if (cp >= 0x10000) {
            cp -= 0x10000;
            out += static_cast<char16_t>(0xD800 + (cp >> 10));
            out += static_cast<char16_t>(0xDC00 + (cp & 0x3ff));
          } else {
            out += static_cast<char16_t>(cp);
          }
        }
      }
      return MakeStr(std::move(out));
    }
    if (name == "String") return MakeStr(a.empty() ? U16() : ToStr(a[0]));
    if (name == "Number") return Val::Num(a.empty() ? 0 : ToNum(a[0]));
    if (name == "Array") {
      Val out;
      out.k = Val::kArr;
      out.a = std::make_shared<std::vector<Val>>();
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
};

// The call's arguments when all are literals or the file's constants; nullopt otherwise.
std::optional<std::vector<Val>> LiteralArgs(const std::vector<Token>& t, size_t open, size_t close,
                                            const Program& p, bool* has_literal) {
  std::vector<Val> out;
  for (size_t j = open + 1; j < close;) {
    bool neg = false;
    if (js::Op(t[j], "-") && j + 1 < close && t[j + 1].type == Tok::kNumber) neg = true, ++j;
    const Token& a = t[j];
    if (a.type == Tok::kString && a.quote != '`') {
      out.push_back(Val::Str(ToU16(a.text)));
      *has_literal = true;
    } else if (a.type == Tok::kNumber) {
      std::optional<double> v = NumberLiteral(a.text);
      if (!v) return std::nullopt;
      out.push_back(Val::Num(neg ? -*v : *v));
      *has_literal = true;
    } else if (a.type == Tok::kWord && p.Const(a.text)) {
      out.push_back(*p.Const(a.text));
    } else {
      return std::nullopt;
    }
    ++j;
    if (j < close && !js::Op(t[j], ",")) return std::nullopt;
    if (j < close) ++j;
  }
  return out;
}

std::optional<std::string> Run(Program& p, const std::string& name, std::vector<Val> args,
                               const JsEvalLimits& limits, size_t* steps, std::string* why) {
  Fn* f = p.Find(name);
  if (!f) {
    *why = "no function " + name;
    return std::nullopt;
  }
  Machine m(p, limits);
  std::optional<Val> v = m.Call(*f, std::move(args));
  *steps = m.steps;
  if (!v) {
    *why = m.why;
    return std::nullopt;
  }
  if (v->k != Val::kStr) {
    *why = "not a string";
    return std::nullopt;
  }
  why->clear();
  return ToU8(v->s);
}

}  // namespace

bool RunJsDecoder(const std::vector<Token>& tokens, const std::string& name,
                  const std::vector<Token>& args, const JsEvalLimits& limits, std::string* out,
                  std::string* why) {
  Program p(tokens, true);
  std::vector<Val> values;
  for (const Token& a : args) {
    if (a.type == Tok::kString) {
      values.push_back(Val::Str(ToU16(a.text)));
    } else if (std::optional<double> v = NumberLiteral(a.text); a.type == Tok::kNumber && v) {
      values.push_back(Val::Num(*v));
    } else {
      *why = "argument not a literal";
      return false;
    }
  }
  size_t steps = 0;
  std::optional<std::string> r = Run(p, name, std::move(values), limits, &steps, why);
  if (r) *out = std::move(*r);
  return r.has_value();
}

bool FoldJsDecoders(std::vector<Token>& t, FoldBudget& budget) {
  if (budget.eval_steps_left == 0 || budget.exhausted) return false;
  bool any = false;
  for (const Token& k : t)
    if (k.type == Tok::kWord && DecoderWord(k.text)) {
      any = true;
      break;
    }
  if (!any) return false;
  Program p(t, false);
  if (!p.HasDecoders()) return false;
  std::vector<Token> out;
  out.reserve(t.size());
  bool changed = false;
  std::map<std::string, std::optional<std::string>> done;  // call (name + arguments) -> result
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    bool candidate = k.type == Tok::kWord && i + 1 < t.size() && js::Op(t[i + 1], "(") &&
                     p.IsDecoder(k.text) && !budget.eval_refused.count("js:" + k.text) &&
                     !(i > 0 && (js::Op(t[i - 1], ".") || js::Word(t[i - 1], "function") ||
                                 js::Word(t[i - 1], "new")));
    size_t close = candidate ? p.Match(i + 1) : js::kNone;
    bool has_literal = false;
    std::optional<std::vector<Val>> args;
    if (close != js::kNone) args = LiteralArgs(t, i + 1, close, p, &has_literal);
    if (!args || !has_literal) {
      out.push_back(k);
      continue;
    }
    std::string key = k.text;
    for (size_t j = i + 2; j < close; ++j) key += '\0' + t[j].text;
    auto hit = done.find(key);
    if (hit == done.end()) {
      JsEvalLimits l;
      l.max_steps = std::min(l.max_steps, budget.eval_steps_left);
      size_t steps = 0;
      std::string why;
      std::optional<std::string> r = Run(p, k.text, std::move(*args), l, &steps, &why);
      budget.eval_steps_left -= std::min(budget.eval_steps_left, steps);
      // A decoder that cannot run on one literal will not run on the next either.
      if (!r && why != "not a string") budget.eval_refused.insert("js:" + k.text);
      hit = done.emplace(key, std::move(r)).first;
    }
    const std::optional<std::string>& value = hit->second;
    if (!value || value->empty() || value->size() > budget.bytes_left) {
      out.push_back(k);
      continue;
    }
    budget.bytes_left -= value->size();
    Token s;
    s.type = Tok::kString;
    s.quote = '\'';
    s.text = *value;
    // The layer path names the decoder; its name is the attacker's, so only word characters.
    std::string shown;
    for (char c : k.text.substr(0, 32))
      shown += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ? c : '?';
    s.decoded_by = shown + "()";
    out.push_back(std::move(s));
    i = close;
    changed = true;
  }
  if (changed) t = std::move(out);
  return changed;
}

}  // namespace tq::webroot
