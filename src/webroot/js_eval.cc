// The file's own JavaScript decoder functions, run on literals (see js_eval.h).
#include "webroot/js_eval.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "webroot/js_eval_internal.h"
#include "webroot/js_tokens.h"

namespace tq::webroot {
namespace {

using jseval::Ascii;
using jseval::AssignOp;
using jseval::Heap;
using jseval::In;
using jseval::Node;
using jseval::NumberLiteral;
using jseval::StrToNumber;
using jseval::ToInt32;
using jseval::ToU16;
using jseval::ToU8;
using jseval::U16;
using jseval::Val;

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
    // A parameter of a function, an arrow function or a catch clause hides the name inside
    // it as a second declaration would: `function g(d){return d('x')}` calls the parameter.
    std::vector<bool> param(t.size(), false);
    for (size_t i = 0; i < t.size(); ++i) {
      if (!js::Op(t[i], "(") || match_[i] == js::kNone) continue;
      size_t close = match_[i];
      bool fn = (i > 0 && (js::Word(t[i - 1], "function") || js::Word(t[i - 1], "catch"))) ||
                (i > 1 && t[i - 1].type == Tok::kWord && js::Word(t[i - 2], "function")) ||
                (close + 1 < t.size() && js::Op(t[close + 1], "=>"));
      if (fn)
        for (size_t j = i + 1; j < close; ++j)
          if (t[j].type == Tok::kWord) param[j] = true;
    }
    for (size_t i = 0; i + 1 < t.size(); ++i)
      if (t[i].type == Tok::kWord && js::Op(t[i + 1], "=>")) param[i] = true;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i].type != Tok::kWord || !names.count(t[i].text)) continue;
      if (i > 0 && (js::Op(t[i - 1], ".") || js::Op(t[i - 1], "?."))) continue;
      std::string_view w = t[i].text;
      if (declares[i] || param[i] || (i > 0 && js::Word(t[i - 1], "function"))) ++declared[w];
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
      if (t_[j].type == Tok::kString && t_[j].quote != '"' && !neg)
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

class Machine : public Heap {
 public:
  Machine(Program& p, const JsEvalLimits& l) : Heap(l), p_(p) {}

  std::optional<Val> Call(Fn& f, std::vector<Val> args) {
    if (depth_ >= l_.max_call_depth) return Stop("call depth");
    if (!f.parsed) {
      f.parsed = true;
      f.root = jseval::ParseJsBody(p_.tokens(), f.body_b, f.body_e, f.pool, l_.max_nodes);
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
  int depth_ = 0;
  int nest_ = 0;  // Exec/Eval frames on the stack, across calls
  static constexpr int kMaxNest = 1500;

  struct Nest {
    Machine& m;
    explicit Nest(Machine& x) : m(x) { ++m.nest_; }
    ~Nest() { --m.nest_; }
  };

  // A global the subset knows: a function of the file or a pure built-in; nullopt otherwise.
  std::optional<Val> Global(const std::string& name) const {
    Val v;
    if (p_.Find(name)) {
      v.k = Val::kFn, v.name = name;
      return v;
    }
    if (name == "Infinity") return Val::Num(INFINITY);
    if (name == "NaN") return Val::Num(NAN);
    if (!In(name, {"String", "Math", "Array", "Number", "parseInt", "parseFloat", "isNaN", "atob",
                   "unescape", "decodeURIComponent"}))
      return std::nullopt;
    v.k = Val::kBuiltin, v.name = name;
    return v;
  }

  std::optional<Val> Lookup(const std::string& name, Env& env) {
    if (auto it = env.find(name); it != env.end()) return it->second;
    if (const Val* c = p_.Const(name)) return *c;
    if (std::optional<Val> g = Global(name)) return g;
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
        // typeof of a name nothing binds is "undefined", not an error.
        if (x.op == "typeof" && f.pool[x.kids[0]].k == Node::kName) {
          const std::string& name = f.pool[x.kids[0]].op;
          if (!env.count(name) && !p_.Const(name) && !Global(name)) return MakeStr(u"undefined");
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
};

// The call's arguments when all are literals or the file's constants; nullopt otherwise.
std::optional<std::vector<Val>> LiteralArgs(const std::vector<Token>& t, size_t open, size_t close,
                                            const Program& p, bool* has_literal) {
  std::vector<Val> out;
  for (size_t j = open + 1; j < close;) {
    bool neg = false;
    if (js::Op(t[j], "-") && j + 1 < close && t[j + 1].type == Tok::kNumber) neg = true, ++j;
    const Token& a = t[j];
    if (a.type == Tok::kString && a.quote != '"') {
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