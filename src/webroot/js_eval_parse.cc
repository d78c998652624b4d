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
U16 ToU16(std::string_view s) { return Utf8ToU16(s, false); }

U16 Utf8ToU16(std::string_view s, bool replace) {
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
    if (!ok) cp = replace ? 0xFFFD : c, n = 1;
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
  // Statements, assignments and unary operands open at once: an obfuscator's flattened
  // function nests a few hundred deep; the evaluator's own nesting cap (kMaxNest) is higher.
  static constexpr int kMaxDepth = 600;

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

  static bool Keyword(std::string_view w) {
    return In(w,
              {"var",   "let",    "const", "function", "return", "if",     "else",      "for",
               "while", "do",     "break", "continue", "new",    "typeof", "void",      "in",
               "of",    "this",   "null",  "true",     "false",  "try",    "catch",     "finally",
               "throw", "switch", "case",  "default",  "class",  "delete", "instanceof"});
  }

  // The index after the bracket closing the one at i_, or e_ when it does not close.
  size_t Skip(size_t at) const {
    int depth = 0;
    for (size_t j = at; j < e_; ++j) {
      const Token& k = t_[j];
      if (k.type != Tok::kOp || k.text.size() != 1) continue;
      char c = k.text[0];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if ((c == ')' || c == ']' || c == '}') && --depth == 0) return j + 1;
    }
    return e_;
  }

  // A method's `(params) {body}` at i_, as a function expression.
  int Method() {
    if (!js::MethodParams(t_, i_, Skip(i_) - 1)) return Fail();
    return Function(false);
  }
  // `function [name](params) {body}` at i_: one kFunc node (num: the "(" token); the body is
  // parsed when the function is called.
  int Function(bool keyword = true) {
    if (keyword) ++i_;           // function
    if (At("*")) return Fail();  // a generator
    if (keyword && i_ < e_ && t_[i_].type == Tok::kWord) ++i_;
    if (!At("(")) return Fail();
    size_t open = i_;
    i_ = Skip(open);
    if (!At("{")) return Fail();
    size_t end = Skip(i_);
    if (end > e_ || !js::Op(t_[end - 1], "}")) return Fail();
    i_ = end;
    int n = Make(Node::kFunc);
    if (n >= 0) pool_[n].num = static_cast<double>(open);
    return n;
  }

 public:
  // One top-level statement: its node, or -1 with the parse moved past it.
  int TopLevel() {
    size_t start = i_;
    ok_ = true;
    depth_ = 0;
    int n = Statement();
    if (ok_) return n;
    ok_ = true;
    i_ = start;
    int depth = 0;
    for (; i_ < e_; ++i_) {
      const Token& k = t_[i_];
      if (k.type != Tok::kOp || k.text.size() != 1) continue;
      char c = k.text[0];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') {
        if (--depth == 0 && c == '}' && i_ + 1 < e_ && t_[i_ + 1].type == Tok::kWord &&
            In(t_[i_ + 1].text,
               {"var", "let", "const", "function", "if", "for", "while", "do", "try", "return"})) {
          ++i_;
          break;
        }
        if (depth < 0) depth = 0;
      }
      if (c == ';' && depth == 0) {
        ++i_;
        break;
      }
    }
    if (i_ == start) ++i_;
    return -1;
  }
  int WholeExpr() {
    int x = Expr();
    return ok_ && i_ == e_ ? x : -1;
  }
  bool More() const { return i_ < e_; }
  size_t Pos() const { return i_; }

 private:
  int Statement() {
    if (!ok_ || i_ >= e_) return Fail();
    if (++depth_ > kMaxDepth) return Fail();
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
      std::string label;
      if (i_ < e_ && t_[i_].type == Tok::kWord && !Keyword(t_[i_].text)) label = t_[i_++].text;
      EndStatement();
      return Make(k, std::move(label));
    }
    if (AtWord("function")) {
      int f = Function();
      if (f >= 0) pool_[f].op = "decl";
      return f;
    }
    if (AtWord("try")) {
      ++i_;
      if (!At("{")) return Fail();
      int body = Statement(), name = -1, handler = -1, finally = -1;
      if (AtWord("catch")) {
        ++i_;
        if (Eat("(")) {
          if (i_ >= e_ || t_[i_].type != Tok::kWord) return Fail();
          name = Make(Node::kName, t_[i_].text);
          if (name >= 0) pool_[name].num = static_cast<double>(i_);
          ++i_;
          Expect(")");
        }
        if (!At("{")) return Fail();
        handler = Statement();
      }
      if (AtWord("finally")) {
        ++i_;
        if (!At("{")) return Fail();
        finally = Statement();
      }
      if (handler < 0 && finally < 0) return Fail();
      return Make(Node::kTry, {}, {body, name, handler, finally});
    }
    if (AtWord("throw")) {
      ++i_;
      int v = Expr();
      EndStatement();
      return Make(Node::kThrow, {}, {v});
    }
    if (i_ + 1 < e_ && t_[i_].type == Tok::kWord && !Keyword(t_[i_].text) &&
        js::Op(t_[i_ + 1], ":")) {
      std::string label = t_[i_].text;
      i_ += 2;
      return Make(Node::kLabel, std::move(label), {Statement()});
    }
    if (AtWord("switch")) {
      ++i_;
      Expect("(");
      std::vector<int> kids{Expr()};
      Expect(")");
      Expect("{");
      while (ok_ && i_ < e_ && !At("}")) {
        int test = -1;
        if (AtWord("case")) {
          ++i_;
          test = Expr();
        } else if (AtWord("default")) {
          ++i_;
        } else {
          return Fail();
        }
        Expect(":");
        std::vector<int> list;
        while (ok_ && i_ < e_ && !At("}") && !AtWord("case") && !AtWord("default"))
          list.push_back(Statement());
        kids.push_back(test);
        kids.push_back(Make(Node::kBlock, {}, std::move(list)));
      }
      Expect("}");
      return Make(Node::kSwitch, {}, std::move(kids));
    }
    if (i_ < e_ && t_[i_].type == Tok::kWord &&
        In(t_[i_].text, {"class", "with", "async", "await", "yield", "import", "export", "debugger",
                         "case", "default", "else", "catch", "finally"}))
      return Fail();
    int x = Expr();
    EndStatement();
    return Make(Node::kExpr, {}, {x});
  }

  int Declarations() {
    std::vector<int> list;
    do {
      if (i_ >= e_ || t_[i_].type != Tok::kWord) return Fail();
      int target = Make(Node::kName, t_[i_].text);
      if (target >= 0) pool_[target].num = static_cast<double>(i_);
      ++i_;
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
    if (++depth_ > kMaxDepth) return Fail();
    int x = Conditional();
    if (ok_ && i_ < e_ && t_[i_].type == Tok::kOp && AssignOp(t_[i_].text)) {
      std::string op = t_[i_++].text;
      Node::Kind k = pool_[x].k;
      // (`[a, b = 1, ...c] = v`: an array pattern, when the operator is a plain `=`.)
      if (k != Node::kName && k != Node::kIndex && k != Node::kMember &&
          !(k == Node::kArray && op == "="))
        return Fail();
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
    if (++depth_ > kMaxDepth) return Fail();
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
      // new a.b[c](...): the member chain is the constructor.
      int callee = Postfix(Primary(), false);
      std::vector<int> kids{callee};
      if (Eat("(")) Arguments(kids);
      n = Postfix(Make(Node::kNew, {}, std::move(kids)));
    } else {
      n = Postfix(Primary());
    }
    --depth_;
    return n;
  }

  // An item of an argument list or array literal: `...x` spreads x.
  int Item() {
    if (Eat("...")) return Make(Node::kSpread, {}, {Assign()});
    return Assign();
  }

  void Arguments(std::vector<int>& kids) {
    while (ok_ && i_ < e_ && !At(")")) {
      kids.push_back(Item());
      if (!Eat(",")) break;
    }
    Expect(")");
  }

  // Members, indexes, and (when `calls`) calls and ++/-- after x.
  int Postfix(int x, bool calls = true) {
    while (ok_ && i_ < e_) {
      if (Eat(".")) {
        if (i_ >= e_ || t_[i_].type != Tok::kWord) return Fail();
        x = Make(Node::kMember, t_[i_++].text, {x});
      } else if (Eat("[")) {
        int idx = Expr();
        Expect("]");
        x = Make(Node::kIndex, {}, {x, idx});
      } else if (calls && Eat("(")) {
        std::vector<int> kids{x};
        Arguments(kids);
        x = Make(Node::kCall, {}, std::move(kids));
      } else if (calls && (At("++") || At("--"))) {
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
        if (k.text == "this") return Make(Node::kThis);
        if (k.text == "function") {
          --i_;
          return Function();
        }
        if (In(k.text, {"class", "super", "arguments", "eval", "new", "yield", "await", "import"}))
          return Fail();
        {
          int n = Make(Node::kName, k.text);
          if (n >= 0) pool_[n].num = static_cast<double>(i_ - 1);
          return n;
        }
      case Tok::kOp:
        if (k.text == "(") {
          int x = Expr();
          Expect(")");
          return x;
        }
        if (k.text == "{") {
          // An object literal of `key: value` pairs (no getters, methods or spreads).
          std::vector<int> kids;
          while (ok_ && i_ < e_ && !At("}")) {
            if (Eat("[")) {
              // {[expr]: value}: a computed key; {[expr](a){..}}: a method.
              int kn = Expr();
              Expect("]");
              kids.push_back(kn);
              if (At("(")) {
                kids.push_back(Method());
              } else {
                Expect(":");
                kids.push_back(Assign());
              }
              if (!Eat(",")) break;
              continue;
            }
            bool method = i_ + 1 < e_ && js::Op(t_[i_ + 1], "(");
            if (i_ + 1 >= e_ || (!js::Op(t_[i_ + 1], ":") && !method)) return Fail();
            const Token& key = t_[i_];
            std::optional<double> num;
            if (key.type == Tok::kNumber) num = NumberLiteral(key.text);
            if (key.type != Tok::kWord && !(key.type == Tok::kString && key.quote != '"') && !num)
              return Fail();
            int kn = Make(Node::kStr);
            if (kn >= 0) pool_[kn].str = num ? NumberText(*num) : ToU16(key.text);
            i_ += method ? 1 : 2;
            kids.push_back(kn);
            kids.push_back(method ? Method() : Assign());
            if (!Eat(",")) break;
          }
          Expect("}");
          return Make(Node::kObject, {}, std::move(kids));
        }
        if (k.text == "[") {
          std::vector<int> items;
          while (ok_ && i_ < e_ && !At("]")) {
            if (At(",")) {
              items.push_back(Make(Node::kUndef));
              ++i_;
              continue;
            }
            items.push_back(Item());
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

int ParseJsExpr(const std::vector<Token>& t, size_t b, size_t e, std::vector<Node>& pool,
                size_t max_nodes) {
  return Parser(t, b, e, pool, max_nodes).WholeExpr();
}

std::vector<TopStatement> ParseJsScript(const std::vector<Token>& t, std::vector<Node>& pool,
                                        size_t max_nodes) {
  std::vector<TopStatement> out;
  Parser p(t, 0, t.size(), pool, max_nodes);
  while (p.More()) {
    TopStatement s;
    s.b = p.Pos();
    s.node = p.TopLevel();
    s.e = p.Pos();
    out.push_back(s);
    if (pool.size() >= max_nodes) {
      if (s.e < t.size()) out.push_back({-1, s.e, t.size()});
      break;
    }
  }
  return out;
}

}  // namespace tq::webroot::jseval
