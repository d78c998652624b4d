// The subset of JavaScript the decoder evaluator runs, parsed (see js_eval_internal.h).
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webroot/js_eval_internal.h"
#include "webroot/js_tokens.h"

namespace tq::webroot::jseval {
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
    AppendUtf16(out, cp);
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

namespace {

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

}  // namespace

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

namespace {

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
        if (k.quote == '"') return Fail();  // a template with ${...}
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

}  // namespace

int ParseJsBody(const std::vector<Token>& t, size_t b, size_t e, std::vector<Node>& pool,
                size_t max_nodes) {
  return Parser(t, b, e, pool, max_nodes).Body();
}

}  // namespace tq::webroot::jseval
