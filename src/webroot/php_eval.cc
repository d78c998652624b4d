// The bounded evaluator for the file's own decoder functions (see php_eval.h): a parser from
// folded PHP tokens to a small tree, and a tree walker over copy-on-write values. Anything
// outside the subset (objects, globals, request input, output, unknown functions) stops the
// run as kUnsupported; nothing here touches files, the network or the clock.
#include "webroot/php_eval.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "webroot/php_value.h"

namespace tq::webroot {

namespace {

using php_eval::Lower;
using php_eval::N;
using php_eval::Node;
using php_eval::ParseNumberToken;
using php_eval::Value;

bool IsWord(const Token& t, std::string_view w) {
  return t.type == Tok::kWord && Lower(t.text) == w;
}

// Statement words the subset does not run (their presence makes the parse fail).
bool Unsupported(const std::string& w) {
  static const char* kNo[] = {"global",   "static",  "echo",         "print",        "switch",
                              "try",      "throw",   "goto",         "exit",         "die",
                              "function", "fn",      "class",        "declare",      "yield",
                              "include",  "require", "include_once", "require_once", "eval",
                              "list",     "new",     "clone",        "match",        "case",
                              "default",  "endif",   "endwhile",     "endfor",       "endforeach"};
  for (const char* k : kNo)
    if (w == k) return true;
  return false;
}

class Parser {
 public:
  Parser(const std::vector<Token>& t, size_t pos, size_t end, std::vector<Node>& ns,
         size_t max_nodes)
      : t_(t), pos_(pos), end_(end), ns_(ns), max_nodes_(max_nodes) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ >= end_; }

  // Statements up to the end of the range, as one block.
  uint32_t Body() {
    Node b;
    b.kind = N::kBlock;
    while (ok_ && pos_ < end_) b.kids.push_back(Statement());
    return Add(std::move(b));
  }
  uint32_t Expr(int min_prec = 0);

 private:
  const Token* Peek(size_t k = 0) const { return pos_ + k < end_ ? &t_[pos_ + k] : nullptr; }
  bool PeekOp(std::string_view op, size_t k = 0) const { return Peek(k) && IsOp(*Peek(k), op); }
  bool Accept(std::string_view op) {
    if (!PeekOp(op)) return false;
    ++pos_;
    return true;
  }
  void Expect(std::string_view op) {
    if (!Accept(op)) ok_ = false;
  }
  uint32_t Fail() {
    ok_ = false;
    pos_ = end_;
    return 0;
  }
  uint32_t Add(Node n) {
    if (ns_.size() >= max_nodes_) return Fail();
    ns_.push_back(std::move(n));
    return static_cast<uint32_t>(ns_.size() - 1);
  }
  uint32_t Make(N kind, std::vector<uint32_t> kids, std::string text = {}, int flag = 0) {
    Node n;
    n.kind = kind;
    n.kids = std::move(kids);
    n.text = std::move(text);
    n.flag = flag;
    return Add(std::move(n));
  }
  struct Depth {
    explicit Depth(Parser& p) : p_(p) {
      if (++p_.depth_ > 96) p_.Fail();
    }
    ~Depth() { --p_.depth_; }
    Parser& p_;
  };

  uint32_t Statement();
  uint32_t ExprList(std::string_view stop);
  uint32_t Unary();
  uint32_t Postfix();
  uint32_t Primary();
  uint32_t ArrayItems(std::string_view close);
  uint32_t Interpolated(const std::string& s);

  const std::vector<Token>& t_;
  size_t pos_, end_;
  std::vector<Node>& ns_;
  size_t max_nodes_;
  int depth_ = 0;
  bool ok_ = true;
};

uint32_t Parser::Statement() {
  Depth guard(*this);
  const Token* k = Peek();
  if (!ok_ || !k) return Fail();
  if (Accept(";")) return Make(N::kNop, {});
  if (Accept("{")) {
    Node b;
    b.kind = N::kBlock;
    while (ok_ && Peek() && !PeekOp("}")) b.kids.push_back(Statement());
    Expect("}");
    return Add(std::move(b));
  }
  if (k->type == Tok::kWord) {
    std::string w = Lower(k->text);
    if (w == "if" || w == "elseif" || w == "while") {
      ++pos_;
      Expect("(");
      uint32_t cond = Expr();
      Expect(")");
      if (PeekOp(":")) return Fail();  // alternative syntax
      uint32_t body = Statement();
      if (w == "while") return Make(N::kWhile, {cond, body});
      std::vector<uint32_t> kids = {cond, body};
      if (Peek() && IsWord(*Peek(), "elseif")) {
        kids.push_back(Statement());
      } else if (Peek() && IsWord(*Peek(), "else")) {
        ++pos_;
        kids.push_back(Statement());
      }
      return Make(N::kIf, std::move(kids));
    }
    if (w == "do") {
      ++pos_;
      uint32_t body = Statement();
      if (!Peek() || !IsWord(*Peek(), "while")) return Fail();
      ++pos_;
      Expect("(");
      uint32_t cond = Expr();
      Expect(")");
      Accept(";");
      return Make(N::kDoWhile, {body, cond});
    }
    if (w == "for") {
      ++pos_;
      Expect("(");
      uint32_t init = ExprList(";");
      Expect(";");
      uint32_t cond = ExprList(";");
      Expect(";");
      uint32_t step = ExprList(")");
      Expect(")");
      if (PeekOp(":")) return Fail();
      return Make(N::kFor, {init, cond, step, Statement()});
    }
    if (w == "foreach") {
      ++pos_;
      Expect("(");
      uint32_t coll = Expr();
      if (!Peek() || !IsWord(*Peek(), "as")) return Fail();
      ++pos_;
      if (!Peek() || Peek()->type != Tok::kVar) return Fail();
      uint32_t key = Make(N::kNop, {});
      uint32_t val = Postfix();
      if (Accept("=>")) {
        key = val;
        if (!Peek() || Peek()->type != Tok::kVar) return Fail();
        val = Postfix();
      }
      Expect(")");
      if (PeekOp(":")) return Fail();
      return Make(N::kForeach, {coll, key, val, Statement()});
    }
    if (w == "return") {
      ++pos_;
      if (Accept(";") || !Peek()) return Make(N::kReturn, {});
      uint32_t v = Expr();
      if (Peek()) Expect(";");
      return Make(N::kReturn, {v});
    }
    if (w == "break" || w == "continue") {
      ++pos_;
      int levels = 1;
      if (Peek() && Peek()->type == Tok::kNumber) {
        levels = static_cast<int>(
            std::clamp<int64_t>(ParseNumberToken(Peek()->text).value_or(Value::Int(1)).i, 1, 16));
        ++pos_;
      }
      Accept(";");
      return Make(w == "break" ? N::kBreak : N::kContinue, {}, {}, levels);
    }
    if (w == "unset") {
      ++pos_;
      Expect("(");
      Node u;
      u.kind = N::kUnset;
      while (ok_ && Peek() && !PeekOp(")")) {
        u.kids.push_back(Postfix());
        if (!Accept(",")) break;
      }
      Expect(")");
      Accept(";");
      return Add(std::move(u));
    }
    if (w == "else" || Unsupported(w)) return Fail();
  }
  uint32_t e = Expr();
  if (Peek()) Expect(";");
  return Make(N::kExpr, {e});
}

uint32_t Parser::ExprList(std::string_view stop) {
  Node b;
  b.kind = N::kBlock;
  while (ok_ && Peek() && !PeekOp(stop)) {
    b.kids.push_back(Expr());
    if (!Accept(",")) break;
  }
  return Add(std::move(b));
}

// Binary operator precedence (higher binds tighter); -1 when `t` is none.
int Precedence(const Token& t, bool& right) {
  right = false;
  if (t.type == Tok::kWord) {
    std::string w = Lower(t.text);
    return w == "or" ? 1 : w == "xor" ? 2 : w == "and" ? 3 : -1;
  }
  if (t.type != Tok::kOp) return -1;
  const std::string& o = t.text;
  if (o == "??") return right = true, 7;
  if (o == "||") return 8;
  if (o == "&&") return 9;
  if (o == "|") return 10;
  if (o == "^") return 11;
  if (o == "&") return 12;
  if (o == "==" || o == "!=" || o == "===" || o == "!==" || o == "<>" || o == "<=>") return 13;
  if (o == "<" || o == ">" || o == "<=" || o == ">=") return 14;
  if (o == ".") return 15;
  if (o == "<<" || o == ">>") return 16;
  if (o == "+" || o == "-") return 17;
  if (o == "*" || o == "/" || o == "%") return 18;
  if (o == "**") return right = true, 20;
  return -1;
}

uint32_t Parser::Expr(int min_prec) {
  Depth guard(*this);
  uint32_t lhs = Unary();
  while (ok_ && Peek()) {
    if (PeekOp("?") && min_prec <= 6) {
      ++pos_;
      uint32_t mid = Make(N::kNop, {});
      if (!PeekOp(":")) mid = Expr(0);
      Expect(":");
      uint32_t rhs = Expr(7);
      lhs = Make(N::kTernary, {lhs, mid, rhs});
      continue;
    }
    bool right = false;
    int p = Precedence(*Peek(), right);
    if (p < 0 || p < min_prec) break;
    std::string op = Lower(Peek()->text);
    ++pos_;
    uint32_t rhs = Expr(right ? p : p + 1);
    N kind = op == "&&" || op == "and"  ? N::kAnd
             : op == "||" || op == "or" ? N::kOr
             : op == "??"               ? N::kCoalesce
                                        : N::kBin;
    lhs = Make(kind, {lhs, rhs}, op == "xor" ? "lxor" : op);
  }
  return lhs;
}

uint32_t Parser::Unary() {
  Depth guard(*this);
  const Token* k = Peek();
  if (!ok_ || !k) return Fail();
  if (k->type == Tok::kOp) {
    const std::string& o = k->text;
    if (o == "!" || o == "-" || o == "+" || o == "~") {
      ++pos_;
      return Make(N::kUnary, {Unary()}, o);
    }
    if (o == "@") {
      ++pos_;
      return Unary();
    }
    if (o == "++" || o == "--") {
      ++pos_;
      return Make(N::kIncDec, {Postfix()}, o, 1);
    }
    static const char* kCasts[] = {"int",     "integer", "string", "bool",
                                   "boolean", "float",   "double", "array"};
    if (o == "(" && Peek(2) && Peek(1)->type == Tok::kWord && IsOp(*Peek(2), ")")) {
      std::string c = Lower(Peek(1)->text);
      for (const char* cast : kCasts)
        if (c == cast) {
          pos_ += 3;
          return Make(N::kCast, {Unary()}, c);
        }
    }
  }
  return Postfix();
}

uint32_t Parser::Postfix() {
  Depth guard(*this);
  uint32_t p = Primary();
  while (ok_ && Peek()) {
    bool lvalue = ns_[p].kind == N::kVar || ns_[p].kind == N::kIndex;
    if (Accept("[")) {
      if (Accept("]")) {
        p = Make(N::kAppend, {p});
        continue;
      }
      uint32_t idx = Expr();
      Expect("]");
      p = Make(N::kIndex, {p, idx});
      continue;
    }
    if (lvalue && PeekOp("{")) {  // $s{0}: the old string offset
      ++pos_;
      uint32_t idx = Expr();
      Expect("}");
      p = Make(N::kIndex, {p, idx});
      continue;
    }
    if (lvalue && (PeekOp("++") || PeekOp("--"))) {
      p = Make(N::kIncDec, {p}, Peek()->text, 0);
      ++pos_;
      continue;
    }
    if (PeekOp("->") || PeekOp("::") || PeekOp("?->") || PeekOp("(")) return Fail();
    break;
  }
  const Token* k = Peek();
  if (ok_ && k && k->type == Tok::kOp &&
      (ns_[p].kind == N::kVar || ns_[p].kind == N::kIndex || ns_[p].kind == N::kAppend)) {
    static const char* kAssign[] = {
        "=", ".=", "+=", "-=", "*=", "/=", "%=", "^=", "|=", "&=", "<<=", ">>=", "**=", "?\?="};
    for (const char* a : kAssign)
      if (k->text == a) {
        std::string op = k->text;
        ++pos_;
        if (op == "=" && PeekOp("&")) return Fail();  // references
        return Make(N::kAssign, {p, Expr(5)}, op);
      }
  }
  return p;
}

uint32_t Parser::ArrayItems(std::string_view close) {
  Node a;
  a.kind = N::kArrayLit;
  while (ok_ && Peek() && !PeekOp(close)) {
    if (PeekOp("...") || PeekOp("&")) return Fail();
    uint32_t v = Expr();
    if (Accept("=>")) {
      a.kids.push_back(v);
      a.kids.push_back(Expr());
    } else {
      a.kids.push_back(Make(N::kNop, {}));
      a.kids.push_back(v);
    }
    if (!Accept(",")) break;
  }
  Expect(close);
  return Add(std::move(a));
}

// "...$name..." with plain $name only; anything richer is left unsupported.
uint32_t Parser::Interpolated(const std::string& s) {
  Node c;
  c.kind = N::kInterp;
  std::string lit;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{' && i + 1 < s.size() && s[i + 1] == '$') return Fail();
    if (s[i] != '$' || i + 1 >= s.size() ||
        !(std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '_')) {
      lit += s[i];
      continue;
    }
    size_t e = i + 1;
    while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_')) ++e;
    if (e < s.size() && (s[e] == '[' || (s[e] == '-' && e + 1 < s.size() && s[e + 1] == '>')))
      return Fail();
    Node l;
    l.kind = N::kLit;
    l.lit = Value::Str(std::move(lit));
    lit.clear();
    c.kids.push_back(Add(std::move(l)));
    std::string name = s.substr(i, e - i);
    if (name.rfind("$_", 0) == 0 || name == "$GLOBALS" || name == "$this") return Fail();
    c.kids.push_back(Make(N::kVar, {}, std::move(name)));
    i = e - 1;
  }
  Node l;
  l.kind = N::kLit;
  l.lit = Value::Str(std::move(lit));
  c.kids.push_back(Add(std::move(l)));
  return Add(std::move(c));
}

uint32_t Parser::Primary() {
  Depth guard(*this);
  const Token* k = Peek();
  if (!ok_ || !k) return Fail();
  ++pos_;
  Node n;
  switch (k->type) {
    case Tok::kNumber: {
      std::optional<Value> v = ParseNumberToken(k->text);
      if (!v) return Fail();
      n.kind = N::kLit;
      n.lit = *v;
      return Add(std::move(n));
    }
    case Tok::kString:
      if (k->quote == '`') return Fail();
      if (k->quote == '"') return Interpolated(k->text);
      n.kind = N::kLit;
      n.lit = Value::Str(k->text);
      return Add(std::move(n));
    case Tok::kVar:
      // Request input, globals and objects are not constant: not this evaluator's business.
      if (k->text == "$" || k->text == "$this" || k->text == "$GLOBALS" ||
          k->text.rfind("$_", 0) == 0 || k->text.rfind("$HTTP_", 0) == 0)
        return Fail();
      return Make(N::kVar, {}, k->text);
    case Tok::kWord: {
      std::string w = Lower(k->text);
      if (w == "true" || w == "false" || w == "null" || w == "php_eol") {
        n.kind = N::kLit;
        n.lit = w == "true"    ? Value::Bool(true)
                : w == "false" ? Value::Bool(false)
                : w == "null"  ? Value()
                               : Value::Str("\n");
        return Add(std::move(n));
      }
      if (w == "array" && Accept("(")) return ArrayItems(")");
      if ((w == "isset" || w == "empty") && Accept("(")) {
        Node c;
        c.kind = w == "isset" ? N::kIsset : N::kEmpty;
        while (ok_ && Peek() && !PeekOp(")")) {
          c.kids.push_back(Expr());
          if (!Accept(",")) break;
        }
        Expect(")");
        return Add(std::move(c));
      }
      if (Unsupported(w) || !Accept("(")) return Fail();  // constants are not known here
      Node c;
      c.kind = N::kCall;
      c.text = w;
      while (ok_ && Peek() && !PeekOp(")")) {
        if (PeekOp("...") || PeekOp("&")) return Fail();
        c.kids.push_back(Expr());
        if (!Accept(",")) break;
      }
      Expect(")");
      return Add(std::move(c));
    }
    case Tok::kOp:
      if (k->text == "[") return ArrayItems("]");
      if (k->text == "(") {
        uint32_t e = Expr();
        Expect(")");
        return e;
      }
      return Fail();
    case Tok::kHtml: return Fail();
  }
  return Fail();
}

}  // namespace

const char* EvalStatusName(EvalStatus s) {
  switch (s) {
    case EvalStatus::kOk: return "ok";
    case EvalStatus::kUnknownFunction: return "unknown function";
    case EvalStatus::kUnsupported: return "unsupported code";
    case EvalStatus::kStepLimit: return "step limit";
    case EvalStatus::kMemoryLimit: return "memory limit";
    case EvalStatus::kDepthLimit: return "call depth limit";
    case EvalStatus::kNotString: return "returned no string";
  }
  return "?";
}

UserFunctions::UserFunctions(const std::vector<Token>& t) : t_(t) {
  std::vector<size_t> open;
  std::map<size_t, size_t> match;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].type != Tok::kOp) continue;
    if (t[i].text == "(" || t[i].text == "{" || t[i].text == "[") open.push_back(i);
    if ((t[i].text == ")" || t[i].text == "}" || t[i].text == "]") && !open.empty()) {
      match[open.back()] = i;
      open.pop_back();
    }
  }
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (!IsWord(t[i], "function")) continue;
    size_t j = i + 1;
    if (IsOp(t[j], "&")) ++j;
    if (j + 1 >= t.size() || t[j].type != Tok::kWord || !IsOp(t[j + 1], "(")) continue;
    if (i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::"))) continue;
    auto pc = match.find(j + 1);
    if (pc == match.end()) continue;
    size_t b = pc->second + 1;
    while (b < t.size() && b < pc->second + 8 && !IsOp(t[b], "{") && !IsOp(t[b], ";")) ++b;
    if (b >= t.size() || !IsOp(t[b], "{") || !match.count(b)) continue;
    auto d = std::make_unique<Def>();
    d->name = t[j].text;
    d->params_open = j + 1;
    d->params_close = pc->second;
    d->body_open = b;
    d->body_close = match[b];
    // A decoder: a loop over bytes, or a chain of decoding built-ins.
    bool loop = false, bytes = false, chain = false, param = pc->second > j + 2;
    for (size_t k = b; k < d->body_close; ++k) {
      if (IsOp(t[k], "^")) bytes = true;
      if (t[k].type != Tok::kWord) continue;
      std::string w = Lower(t[k].text);
      if (w == "for" || w == "foreach" || w == "while" || w == "do") loop = true;
      if (w == "chr" || w == "ord" || w == "substr" || w == "str_split" || w == "strtr" ||
          w == "hexdec" || w == "dechex" || w == "bin2hex" || w == "base_convert")
        bytes = true;
      if (w == "base64_decode" || w == "gzinflate" || w == "gzuncompress" || w == "gzdecode" ||
          w == "str_rot13" || w == "strrev" || w == "hex2bin" || w == "convert_uudecode")
        chain = true;
    }
    std::string lower = Lower(d->name);
    if (Find(lower)) continue;  // a second definition of a name (in another class): not ours
    if (param && ((loop && (bytes || chain)) || chain)) decoders_.push_back(lower);
    defs_.push_back(d.release());
  }
}

UserFunctions::~UserFunctions() {
  for (Def* d : defs_) delete d;
}

UserFunctions::Def* UserFunctions::Find(const std::string& lower_name) const {
  for (Def* d : defs_)
    if (Lower(d->name) == lower_name) return d;
  return nullptr;
}

bool UserFunctions::IsDecoder(const std::string& lower_name) const {
  return std::find(decoders_.begin(), decoders_.end(), lower_name) != decoders_.end();
}

bool UserFunctions::Parse(Def& d, const EvalLimits& limits) {
  if (d.parsed) return d.ok;
  d.parsed = true;
  // Parameters: [type] [&] $name [= default], ...
  for (size_t k = d.params_open + 1; k < d.params_close; ++k) {
    if (IsOp(t_[k], "...")) return false;
    if (t_[k].type != Tok::kVar) continue;
    std::string name = t_[k].text;
    int64_t def = -1;
    if (k + 1 < d.params_close && IsOp(t_[k + 1], "=")) {
      size_t e = k + 2;
      int depth = 0;
      while (e < d.params_close && !(depth == 0 && IsOp(t_[e], ","))) {
        if (IsOp(t_[e], "(") || IsOp(t_[e], "[")) ++depth;
        if (IsOp(t_[e], ")") || IsOp(t_[e], "]")) --depth;
        ++e;
      }
      Parser p(t_, k + 2, e, d.nodes, limits.max_nodes);
      def = p.Expr();
      if (!p.ok() || !p.done()) return false;
      k = e;
    }
    d.params.emplace_back(std::move(name), def);
  }
  Parser p(t_, d.body_open + 1, d.body_close, d.nodes, limits.max_nodes);
  d.body = p.Body();
  d.ok = p.ok();
  return d.ok;
}

// eval($d) after top-level code that builds $d in a loop (a decoder with no function of its
// own): the code before the eval, run as the body of a function returning $d.
bool FoldInlineDecoder(std::vector<Token>& t, FoldBudget& budget) {
  if (budget.eval_steps_left == 0 || budget.exhausted) return false;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (t[i].type == Tok::kHtml) start = i + 1;
    if (IsOp(t[i], "{")) ++depth;
    if (IsOp(t[i], "}")) --depth;
    if (depth != 0 || t[i].type != Tok::kWord || !IsOp(t[i + 1], "(") ||
        t[i + 2].type != Tok::kVar || !IsOp(t[i + 3], ")"))
      continue;
    std::string w = Lower(t[i].text);
    if ((w != "eval" && w != "assert") || i - start > 20000 || i == start) continue;
    bool loop = false, bytes = false;
    for (size_t k = start; k < i; ++k) {
      if (IsOp(t[k], "^") || IsOp(t[k], "<<")) bytes = true;
      if (t[k].type != Tok::kWord) continue;
      std::string x = Lower(t[k].text);
      if (x == "for" || x == "while" || x == "foreach") loop = true;
      if (x == "chr" || x == "ord" || x == "substr" || x == "str_split" || x == "hexdec")
        bytes = true;
    }
    if (!loop || !bytes) continue;
    std::vector<Token> body;
    auto push = [&](Tok type, std::string text) {
      Token k;
      k.type = type;
      k.text = std::move(text);
      body.push_back(std::move(k));
    };
    push(Tok::kWord, "function");
    push(Tok::kWord, "tq_inline");
    push(Tok::kOp, "(");
    push(Tok::kOp, ")");
    push(Tok::kOp, "{");
    body.insert(body.end(), t.begin() + static_cast<ptrdiff_t>(start),
                t.begin() + static_cast<ptrdiff_t>(i));
    push(Tok::kOp, ";");
    push(Tok::kWord, "return");
    push(Tok::kVar, t[i + 2].text);
    push(Tok::kOp, ";");
    push(Tok::kOp, "}");
    UserFunctions fns(body);
    EvalLimits limits;
    limits.max_steps = std::min(limits.max_steps, budget.eval_steps_left);
    EvalResult r = fns.Call("tq_inline", {}, limits);
    budget.eval_steps_left -= std::min(budget.eval_steps_left, r.steps);
    if (r.status != EvalStatus::kOk || r.value.empty() || r.value.size() > budget.bytes_left)
      return false;  // one try per file: the same prologue will not run better later
    budget.bytes_left -= r.value.size();
    Token& v = t[i + 2];
    v.type = Tok::kString;
    v.quote = '\'';
    v.text = std::move(r.value);
    v.decoded_by = "decoder-loop()";
    return true;
  }
  return false;
}

}  // namespace tq::webroot
