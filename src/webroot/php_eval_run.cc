// The machine of the decoder evaluator (php_eval.h): runs a parsed function body on
// copy-on-write values with PHP's conversions, a table of pure string built-ins, and every
// step and created byte counted against the limits; and the fold step that replaces calls of
// the file's decoders on literals with what they return.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "webroot/php_eval.h"
#include "webroot/php_value.h"

namespace tq::webroot {

using php_eval::Array;
using php_eval::Lower;
using php_eval::N;
using php_eval::Node;
using php_eval::Value;
using K = Value::K;
using php_eval::Compare;
using php_eval::Identical;
using php_eval::KeyOf;
using php_eval::ToBool;
using php_eval::ToFloat;
using php_eval::ToInt;
using php_eval::ToNum;
using php_eval::ToStr;

// What one array item really costs (key and value, the index entry and its key string), so
// that the byte limit bounds the memory arrays take, not just their strings.
constexpr size_t kItemBytes = 160;

class Machine : public php_eval::BuiltinHost {
 public:
  Machine(UserFunctions& fns, const EvalLimits& l) : fns_(fns), l_(l) {}
  EvalStatus status = EvalStatus::kOk;
  size_t steps = 0;

  bool Run(UserFunctions::Def& d, std::vector<Value> args, Value& ret) {
    if (!Ok()) return false;
    if (depth_ >= l_.max_call_depth) return Stop(EvalStatus::kDepthLimit);
    if (!fns_.Parse(d, l_)) return Stop(EvalStatus::kUnsupported);
    const std::vector<Node>* saved = ns_;
    ns_ = &d.nodes;
    Frame f;
    for (size_t p = 0; p < d.params.size(); ++p) {
      if (p < args.size())
        f.vars[d.params[p].first] = args[p];
      else if (d.params[p].second >= 0)
        f.vars[d.params[p].first] = Eval(static_cast<uint32_t>(d.params[p].second), f);
    }
    f.args = std::move(args);
    ++depth_;
    ret = Value();
    Exec(d.body, f, ret);
    --depth_;
    ns_ = saved;
    return Ok();
  }

 private:
  struct Frame {
    std::map<std::string, Value> vars;
    std::vector<Value> args;
  };
  enum class Flow { kNext, kBreak, kContinue, kReturn };

  bool Ok() const { return status == EvalStatus::kOk; }
  bool Stop(EvalStatus s) {
    if (status == EvalStatus::kOk) status = s;
    return false;
  }
  bool Tick() {
    if (++steps > l_.max_steps) return Stop(EvalStatus::kStepLimit);
    return Ok();
  }
  bool Charge(size_t n) {
    bytes_ += n;
    if (bytes_ > l_.max_bytes) return Stop(EvalStatus::kMemoryLimit);
    return Ok();
  }
  Value Str(std::string s) override {
    if (s.size() > l_.max_string || !Charge(s.size())) {
      Stop(EvalStatus::kMemoryLimit);
      return Value();
    }
    return Value::Str(std::move(s));
  }
  Value NewArray(std::vector<Value> list) override {
    if (list.size() > l_.max_array || !Charge(list.size() * kItemBytes)) {
      Stop(EvalStatus::kMemoryLimit);
      return Value();
    }
    Value v;
    v.k = K::kArr;
    v.a = std::make_shared<Array>();
    for (Value& x : list) {
      v.a->index.emplace("i" + std::to_string(v.a->next), v.a->items.size());
      v.a->items.emplace_back(Value::Int(v.a->next++), std::move(x));
    }
    return v;
  }
  void Refuse(bool too_big) override {
    Stop(too_big ? EvalStatus::kMemoryLimit : EvalStatus::kUnsupported);
  }
  bool CallNamed(const std::string& name, std::vector<Value> args, Value& out) override {
    if (php_eval::CallBuiltin(name, args, out, *this)) return Ok();
    UserFunctions::Def* d = fns_.Find(name);
    if (!d) return Stop(EvalStatus::kUnsupported);
    return Run(*d, std::move(args), out);
  }
  const Node& At(uint32_t n) const { return (*ns_)[n]; }
  static std::string& MutStr(Value& v) {
    if (!v.s) v.s = std::make_shared<std::string>();
    if (v.s.use_count() > 1) v.s = std::make_shared<std::string>(*v.s);
    return *v.s;
  }
  Array& MutArr(Value& v) {
    if (!v.is_arr() || !v.a) {
      v = Value();
      v.k = K::kArr;
      v.a = std::make_shared<Array>();
    } else if (v.a.use_count() > 1) {
      Charge(v.a->items.size() * kItemBytes);
      v.a = std::make_shared<Array>(*v.a);
    }
    return *v.a;
  }
  Value* Insert(Array& a, const Value& key, bool append) {
    if (a.items.size() >= l_.max_array || !Charge(kItemBytes)) {
      Stop(EvalStatus::kMemoryLimit);
      return nullptr;
    }
    std::pair<std::string, Value> k = append ? KeyOf(Value::Int(a.next)) : KeyOf(key);
    auto it = a.index.find(k.first);
    if (it != a.index.end()) return &a.items[it->second].second;
    if (k.second.k == K::kInt && k.second.i >= a.next) a.next = k.second.i + 1;
    a.index.emplace(k.first, a.items.size());
    a.items.emplace_back(k.second, Value());
    return &a.items.back().second;
  }
  static const Value* Lookup(const Value& arr, const Value& key) {
    if (!arr.is_arr() || !arr.a) return nullptr;
    auto it = arr.a->index.find(KeyOf(key).first);
    return it == arr.a->index.end() ? nullptr : &arr.a->items[it->second].second;
  }

  // The variable or element a node names, without creating it (nullptr: not set).
  const Value* Peek(uint32_t n, Frame& f) {
    const Node& x = At(n);
    if (x.kind == N::kVar) {
      auto it = f.vars.find(x.text);
      return it == f.vars.end() ? nullptr : &it->second;
    }
    if (x.kind == N::kIndex && (At(x.kids[0]).kind == N::kVar || At(x.kids[0]).kind == N::kIndex)) {
      Value key = Eval(x.kids[1], f);
      const Value* base = Peek(x.kids[0], f);
      return base ? Lookup(*base, key) : nullptr;
    }
    return nullptr;
  }

  // The variable or element a node names, created when missing (an assignment target).
  Value* Ref(uint32_t n, Frame& f) {
    if (!Ok()) return nullptr;
    const Node& x = At(n);
    if (x.kind == N::kVar) return &f.vars[x.text];
    if (x.kind == N::kIndex || x.kind == N::kAppend) {
      Value key = x.kind == N::kIndex ? Eval(x.kids[1], f) : Value();
      Value* base = Ref(x.kids[0], f);
      if (!base || !Ok()) return nullptr;
      if (base->is_str() && !base->str().empty()) {
        Stop(EvalStatus::kUnsupported);  // nested string offsets
        return nullptr;
      }
      return Insert(MutArr(*base), key, x.kind == N::kAppend);
    }
    Stop(EvalStatus::kUnsupported);
    return nullptr;
  }

  Value Index(const Value& base, const Value& key) {
    if (base.is_str()) {
      const std::string& s = base.str();
      int64_t i = ToInt(key);
      if (i < 0) i += static_cast<int64_t>(s.size());
      if (i < 0 || static_cast<size_t>(i) >= s.size()) return Str("");
      return Str(std::string(1, s[static_cast<size_t>(i)]));
    }
    const Value* v = Lookup(base, key);
    return v ? *v : Value();
  }

  Value Eval(uint32_t n, Frame& f);
  Value Binary(const std::string& op, const Value& a, const Value& b);
  Value Call(const Node& x, Frame& f);
  bool Builtin(const std::string& name, std::vector<Value>& a, Value& out);
  bool Assign(const Node& x, Frame& f, Value& out);
  Flow Exec(uint32_t n, Frame& f, Value& ret);

  UserFunctions& fns_;
  EvalLimits l_;
  const std::vector<Node>* ns_ = nullptr;
  size_t bytes_ = 0;
  int depth_ = 0;
  int levels_ = 0;  // break/continue levels still to leave
};

Value Machine::Binary(const std::string& op, const Value& a, const Value& b) {
  if (op == ".") {
    std::string r = ToStr(a);
    r += ToStr(b);
    return Str(std::move(r));
  }
  if ((op == "^" || op == "|" || op == "&") && a.is_str() && b.is_str()) {
    const std::string &x = a.str(), &y = b.str();
    size_t n = op == "|" ? std::max(x.size(), y.size()) : std::min(x.size(), y.size());
    std::string r(n, '\0');
    for (size_t k = 0; k < n; ++k) {
      unsigned char p = k < x.size() ? x[k] : 0, q = k < y.size() ? y[k] : 0;
      r[k] = static_cast<char>(op == "^" ? p ^ q : op == "|" ? p | q : p & q);
    }
    return Str(std::move(r));
  }
  if (op == "==" || op == "<>" || op == "!=")
    return Value::Bool((Compare(a, b) == 0) == (op == "=="));
  if (op == "===") return Value::Bool(Identical(a, b));
  if (op == "!==") return Value::Bool(!Identical(a, b));
  if (op == "<") return Value::Bool(Compare(a, b) < 0);
  if (op == ">") return Value::Bool(Compare(a, b) > 0);
  if (op == "<=") return Value::Bool(Compare(a, b) <= 0);
  if (op == ">=") return Value::Bool(Compare(a, b) >= 0);
  if (op == "<=>") return Value::Int(Compare(a, b));
  if (op == "lxor") return Value::Bool(ToBool(a) != ToBool(b));
  if (a.is_arr() || b.is_arr()) {
    Stop(EvalStatus::kUnsupported);
    return Value();
  }
  int64_t x = ToInt(a), y = ToInt(b);
  if (op == "^") return Value::Int(x ^ y);
  if (op == "|") return Value::Int(x | y);
  if (op == "&") return Value::Int(x & y);
  if (op == "<<" || op == ">>") {
    if (y < 0) return Stop(EvalStatus::kUnsupported), Value();
    if (y >= 64) return Value::Int(op == "<<" || x >= 0 ? 0 : -1);
    return Value::Int(op == "<<" ? static_cast<int64_t>(static_cast<uint64_t>(x) << y) : x >> y);
  }
  if (op == "%") {
    if (y == 0) return Stop(EvalStatus::kUnsupported), Value();  // DivisionByZeroError
    return Value::Int(y == -1 ? 0 : x % y);
  }
  Value p = ToNum(a), q = ToNum(b);
  bool ints = p.k == K::kInt && q.k == K::kInt;
  if (op == "/") {
    if (ToFloat(q) == 0) return Stop(EvalStatus::kUnsupported), Value();
    if (ints && q.i != -1 && p.i % q.i == 0) return Value::Int(p.i / q.i);
    return Value::Float(ToFloat(p) / ToFloat(q));
  }
  if (op == "**") {
    double r = std::pow(ToFloat(p), ToFloat(q));
    if (ints && q.i >= 0 && std::fabs(r) < 9e18) return Value::Int(static_cast<int64_t>(r));
    return Value::Float(r);
  }
  int64_t r = 0;
  if (ints && op == "+" && !__builtin_add_overflow(p.i, q.i, &r)) return Value::Int(r);
  if (ints && op == "-" && !__builtin_sub_overflow(p.i, q.i, &r)) return Value::Int(r);
  if (ints && op == "*" && !__builtin_mul_overflow(p.i, q.i, &r)) return Value::Int(r);
  double d = op == "+"   ? ToFloat(p) + ToFloat(q)
             : op == "-" ? ToFloat(p) - ToFloat(q)
             : op == "*" ? ToFloat(p) * ToFloat(q)
                         : 0;
  if (op != "+" && op != "-" && op != "*") return Stop(EvalStatus::kUnsupported), Value();
  return Value::Float(d);
}

Value Machine::Call(const Node& x, Frame& f) {
  std::vector<Value> args;
  for (uint32_t k : x.kids) {
    args.push_back(Eval(k, f));
    if (!Ok()) return Value();
  }
  if (x.text == "func_get_args") return NewArray(f.args);
  if (x.text == "func_num_args") return Value::Int(static_cast<int64_t>(f.args.size()));
  Value out;
  CallNamed(x.text, std::move(args), out);
  return out;
}

bool Machine::Assign(const Node& x, Frame& f, Value& out) {
  const Node& target = At(x.kids[0]);
  const std::string& op = x.text;
  // $o = $o . chr(...): an append, not a copy of the whole string per byte.
  const Node& rhs = At(x.kids[1]);
  bool self_append = op == "=" && target.kind == N::kVar && rhs.kind == N::kBin &&
                     rhs.text == "." && At(rhs.kids[0]).kind == N::kVar &&
                     At(rhs.kids[0]).text == target.text;
  Value v = Eval(self_append ? rhs.kids[1] : x.kids[1], f);
  if (!Ok()) return false;
  std::string bop = self_append ? "." : op.substr(0, op.size() - 1);
  // A string offset write: $s[$i] = 'x'.
  if (target.kind == N::kIndex && op == "=") {
    const Value* base = Peek(target.kids[0], f);
    if (base && base->is_str() && !base->str().empty()) {
      Value key = Eval(target.kids[1], f);
      Value* b = Ref(target.kids[0], f);
      if (!b || !Ok()) return false;
      int64_t i = ToInt(key);
      std::string& s = MutStr(*b);
      if (i < 0) i += static_cast<int64_t>(s.size());
      std::string c = ToStr(v);
      if (i < 0 || static_cast<size_t>(i) >= l_.max_string || c.empty())
        return Stop(EvalStatus::kUnsupported);
      if (static_cast<size_t>(i) >= s.size()) {
        if (!Charge(static_cast<size_t>(i) + 1 - s.size())) return false;
        s.resize(static_cast<size_t>(i) + 1, ' ');
      }
      s[static_cast<size_t>(i)] = c[0];
      out = Str(c.substr(0, 1));
      return Ok();
    }
  }
  Value* ref = Ref(x.kids[0], f);
  if (!ref || !Ok()) return false;
  if (op == "=" && !self_append) {
    *ref = v;
  } else if (bop == "??") {
    if (ref->is_null()) *ref = v;
  } else if (bop == "." && (ref->is_str() || ref->is_null())) {
    std::string add = ToStr(v);
    if (ref->str().size() + add.size() > l_.max_string || !Charge(add.size()))
      return Stop(EvalStatus::kMemoryLimit);
    if (ref->is_null()) *ref = Value::Str("");
    MutStr(*ref) += add;
  } else {
    Value cur = *ref;
    Value r = Binary(bop, cur, v);
    if (!Ok()) return false;
    *ref = std::move(r);  // Binary touches no variable: `ref` still names the target
  }
  out = *ref;
  return Ok();
}

Value Machine::Eval(uint32_t n, Frame& f) {
  if (!Tick()) return Value();
  const Node& x = At(n);
  switch (x.kind) {
    case N::kNop: return Value();
    case N::kLit: return x.lit;
    case N::kVar: {
      auto it = f.vars.find(x.text);
      return it == f.vars.end() ? Value() : it->second;
    }
    case N::kIndex: {
      N base = At(x.kids[0]).kind;
      if (base == N::kVar || base == N::kIndex) {
        Value key = Eval(x.kids[1], f);
        const Value* b = Peek(x.kids[0], f);
        return b ? Index(*b, key) : Value();
      }
      Value b = Eval(x.kids[0], f);
      return Index(b, Eval(x.kids[1], f));
    }
    case N::kAppend: return Stop(EvalStatus::kUnsupported), Value();
    case N::kCall: return Call(x, f);
    case N::kBin: {
      Value a = Eval(x.kids[0], f);
      Value b = Eval(x.kids[1], f);
      return Ok() ? Binary(x.text, a, b) : Value();
    }
    case N::kAnd: return Value::Bool(ToBool(Eval(x.kids[0], f)) && ToBool(Eval(x.kids[1], f)));
    case N::kOr: return Value::Bool(ToBool(Eval(x.kids[0], f)) || ToBool(Eval(x.kids[1], f)));
    case N::kCoalesce: {
      const Value* p = Peek(x.kids[0], f);
      Value a = p ? *p
                : At(x.kids[0]).kind == N::kVar || At(x.kids[0]).kind == N::kIndex
                    ? Value()
                    : Eval(x.kids[0], f);
      return a.is_null() ? Eval(x.kids[1], f) : a;
    }
    case N::kUnary: {
      Value a = Eval(x.kids[0], f);
      if (x.text == "!") return Value::Bool(!ToBool(a));
      if (x.text == "~") {
        if (a.is_str()) {
          std::string s = a.str();
          for (char& c : s) c = static_cast<char>(~static_cast<unsigned char>(c));
          return Str(std::move(s));
        }
        return Value::Int(~ToInt(a));
      }
      Value num = ToNum(a);
      if (x.text == "+") return num;
      if (num.k == K::kInt && num.i != INT64_MIN) return Value::Int(-num.i);
      return Value::Float(-ToFloat(num));
    }
    case N::kCast: {
      Value a = Eval(x.kids[0], f);
      const std::string& c = x.text;
      if (c == "int" || c == "integer") return Value::Int(ToInt(a));
      if (c == "string") return Str(ToStr(a));
      if (c == "bool" || c == "boolean") return Value::Bool(ToBool(a));
      if (c == "float" || c == "double") return Value::Float(ToFloat(a));
      return a.is_arr() ? a : NewArray({a});
    }
    case N::kTernary: {
      Value c = Eval(x.kids[0], f);
      if (ToBool(c)) return At(x.kids[1]).kind == N::kNop ? c : Eval(x.kids[1], f);
      return Eval(x.kids[2], f);
    }
    case N::kAssign: {
      Value out;
      Assign(x, f, out);
      return out;
    }
    case N::kIncDec: {
      Value* ref = Ref(x.kids[0], f);
      if (!ref) return Value();
      Value old = *ref;
      if (old.is_str() && !php_eval::Numeric(old.str()))
        return Stop(EvalStatus::kUnsupported), Value();  // "a"++ is "b": not worth following
      Value one = Value::Int(1);
      Value now =
          old.is_null() && x.text == "--"
              ? Value()
              : Binary(x.text == "++" ? "+" : "-", old.is_null() ? Value::Int(0) : old, one);
      *ref = now;  // Binary touches no variable
      return x.flag ? now : old;
    }
    case N::kArrayLit: {
      Value arr = NewArray({});
      for (size_t k = 0; k + 1 < x.kids.size() && Ok(); k += 2) {
        Value v = Eval(x.kids[k + 1], f);
        bool append = At(x.kids[k]).kind == N::kNop;
        Value key = append ? Value() : Eval(x.kids[k], f);
        if (!arr.is_arr()) return Value();
        Value* slot = Insert(*arr.a, key, append);
        if (slot) *slot = std::move(v);
      }
      return arr;
    }
    case N::kIsset:
    case N::kEmpty: {
      bool all = true;
      for (uint32_t k : x.kids) {
        const Node& t = At(k);
        bool set;
        if (t.kind == N::kIndex) {
          Value key = Eval(t.kids[1], f);
          const Value* b = Peek(t.kids[0], f);
          if (b && b->is_str()) {
            int64_t i = ToInt(key);
            set = i >= 0 && static_cast<size_t>(i) < b->str().size();
            if (x.kind == N::kEmpty) set = set && b->str()[static_cast<size_t>(i)] != '0';
          } else {
            const Value* v = b ? Lookup(*b, key) : nullptr;
            set = v && !v->is_null() && (x.kind == N::kIsset || ToBool(*v));
          }
        } else if (t.kind == N::kVar) {
          const Value* v = Peek(k, f);
          set = v && !v->is_null() && (x.kind == N::kIsset || ToBool(*v));
        } else {
          set = ToBool(Eval(k, f));
        }
        all = all && set;
      }
      return Value::Bool(x.kind == N::kIsset ? all : !all);
    }
    case N::kInterp: {
      std::string r;
      for (uint32_t k : x.kids) r += ToStr(Eval(k, f));
      return Str(std::move(r));
    }
    default: return Stop(EvalStatus::kUnsupported), Value();
  }
}

Machine::Flow Machine::Exec(uint32_t n, Frame& f, Value& ret) {
  if (!Tick()) return Flow::kReturn;
  const Node& x = At(n);
  // After a break or continue: leave this loop (levels_ > 1: and the ones around it too).
  auto leave = [&](Flow fl, bool& stop) {
    stop = false;
    if (fl == Flow::kReturn) return stop = true, Flow::kReturn;
    if (fl == Flow::kBreak || fl == Flow::kContinue) {
      if (--levels_ > 0) return stop = true, fl;
      if (fl == Flow::kBreak) return stop = true, Flow::kNext;
    }
    return Flow::kNext;
  };
  bool stop = false;
  switch (x.kind) {
    case N::kNop: return Flow::kNext;
    case N::kBlock:
      for (uint32_t k : x.kids) {
        Flow fl = Exec(k, f, ret);
        if (fl != Flow::kNext || !Ok()) return Ok() ? fl : Flow::kReturn;
      }
      return Flow::kNext;
    case N::kExpr: Eval(x.kids[0], f); return Ok() ? Flow::kNext : Flow::kReturn;
    case N::kIf:
      if (ToBool(Eval(x.kids[0], f))) return Exec(x.kids[1], f, ret);
      if (x.kids.size() > 2) return Exec(x.kids[2], f, ret);
      return Flow::kNext;
    case N::kWhile:
    case N::kDoWhile: {
      bool first = x.kind == N::kDoWhile;
      uint32_t cond = x.kind == N::kWhile ? x.kids[0] : x.kids[1];
      uint32_t body = x.kind == N::kWhile ? x.kids[1] : x.kids[0];
      while (Ok() && (first || ToBool(Eval(cond, f)))) {
        first = false;
        Flow fl = leave(Exec(body, f, ret), stop);
        if (stop) return fl;
      }
      return Ok() ? Flow::kNext : Flow::kReturn;
    }
    case N::kFor: {
      for (uint32_t k : At(x.kids[0]).kids) Eval(k, f);
      while (Ok()) {
        Value c = Value::Bool(true);
        for (uint32_t k : At(x.kids[1]).kids) c = Eval(k, f);
        if (!ToBool(c)) break;
        Flow fl = leave(Exec(x.kids[3], f, ret), stop);
        if (stop) return fl;
        for (uint32_t k : At(x.kids[2]).kids) Eval(k, f);
      }
      return Ok() ? Flow::kNext : Flow::kReturn;
    }
    case N::kForeach: {
      Value coll = Eval(x.kids[0], f);  // by value: PHP walks a copy
      if (!coll.is_arr() || !coll.a) return Flow::kNext;
      std::shared_ptr<Array> keep = coll.a;
      for (size_t k = 0; k < keep->items.size() && Ok(); ++k) {
        if (At(x.kids[1]).kind != N::kNop) {
          Value* kr = Ref(x.kids[1], f);
          if (!kr) break;
          *kr = keep->items[k].first;
        }
        Value* vr = Ref(x.kids[2], f);
        if (!vr) break;
        *vr = keep->items[k].second;
        Flow fl = leave(Exec(x.kids[3], f, ret), stop);
        if (stop) return fl;
      }
      return Ok() ? Flow::kNext : Flow::kReturn;
    }
    case N::kReturn: ret = x.kids.empty() ? Value() : Eval(x.kids[0], f); return Flow::kReturn;
    case N::kBreak:
    case N::kContinue:
      levels_ = x.flag;
      return x.kind == N::kBreak ? Flow::kBreak : Flow::kContinue;
    case N::kUnset:
      for (uint32_t k : x.kids)
        if (At(k).kind == N::kVar)
          f.vars.erase(At(k).text);
        else
          return Stop(EvalStatus::kUnsupported), Flow::kReturn;
      return Flow::kNext;
    default: Stop(EvalStatus::kUnsupported); return Flow::kReturn;
  }
}

EvalResult UserFunctions::Call(const std::string& name, const std::vector<Token>& args,
                               const EvalLimits& limits) {
  EvalResult r;
  Def* d = Find(Lower(name));
  if (!d) return r.status = EvalStatus::kUnknownFunction, r;
  std::vector<Value> values;
  for (const Token& a : args) {
    if (a.type == Tok::kString) {
      values.push_back(Value::Str(a.text));
    } else if (a.type == Tok::kNumber) {
      std::optional<Value> v = php_eval::ParseNumberToken(a.text);
      if (!v) return r;
      values.push_back(*v);
    } else {
      return r;
    }
  }
  Machine m(*this, limits);
  Value out;
  m.Run(*d, std::move(values), out);
  r.steps = m.steps;
  r.status = m.status;
  if (r.status == EvalStatus::kOk && !out.is_str()) r.status = EvalStatus::kNotString;
  if (r.status == EvalStatus::kOk) r.value = out.str();
  return r;
}

bool FoldUserDecoders(std::vector<Token>& t, FoldBudget& budget) {
  if (budget.eval_steps_left == 0 || budget.exhausted) return false;
  bool any = false;
  for (const Token& k : t)
    if (k.type == Tok::kWord && k.text.size() == 8 && Lower(k.text) == "function") {
      any = true;
      break;
    }
  if (!any) return false;
  UserFunctions fns(t);
  if (fns.decoders().empty()) return false;
  std::vector<Token> out;
  bool changed = false;
  std::map<std::string, std::string> done;  // call (name + arguments) -> result
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    std::string lower = k.type == Tok::kWord ? Lower(k.text) : std::string();
    bool candidate =
        !lower.empty() && i + 2 < t.size() && IsOp(t[i + 1], "(") && fns.IsDecoder(lower) &&
        !budget.eval_refused.count(lower) &&
        !(i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::") ||
                    (t[i - 1].type == Tok::kWord &&
                     (Lower(t[i - 1].text) == "function" || Lower(t[i - 1].text) == "new"))));
    std::vector<Token> args;
    size_t j = i + 2;
    bool literal_args = candidate, has_string = false;
    while (literal_args && j < t.size() && !IsOp(t[j], ")")) {
      Token a = t[j];
      if (IsOp(a, "-") && j + 1 < t.size() && t[j + 1].type == Tok::kNumber) {
        a = t[++j];
        a.text = "-" + a.text;
      }
      if (a.type == Tok::kString && a.quote != '\'') literal_args = false;
      if (a.type != Tok::kString && a.type != Tok::kNumber) literal_args = false;
      has_string = has_string || a.type == Tok::kString;
      args.push_back(std::move(a));
      ++j;
      if (j < t.size() && IsOp(t[j], ","))
        ++j;
      else if (!(j < t.size() && IsOp(t[j], ")")))
        literal_args = false;
    }
    if (!literal_args || !has_string || j >= t.size()) {
      out.push_back(k);
      continue;
    }
    std::string key = lower;
    for (const Token& a : args) key += '\0' + a.text;
    auto hit = done.find(key);
    std::string value;
    if (hit != done.end()) {
      value = hit->second;
    } else {
      EvalLimits l;
      l.max_steps = std::min(l.max_steps, budget.eval_steps_left);
      EvalResult r = fns.Call(lower, args, l);
      budget.eval_steps_left -= std::min(budget.eval_steps_left, r.steps);
      // A decoder that cannot run on one literal will not run on the next either.
      if (r.status != EvalStatus::kOk && r.status != EvalStatus::kNotString)
        budget.eval_refused.insert(lower);
      if (r.status == EvalStatus::kOk) value = std::move(r.value);
      done.emplace(key, value);
    }
    if (value.empty() || value.size() > budget.bytes_left) {
      out.push_back(k);
      continue;
    }
    budget.bytes_left -= value.size();
    Token s;
    s.type = Tok::kString;
    s.quote = '\'';
    s.text = std::move(value);
    // The layer path names the decoder; its name is the attacker's, so only word characters.
    std::string shown;
    for (char c : k.text.substr(0, 32))
      shown += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '?';
    s.decoded_by = shown + "()";
    for (const Token& a : args)
      if (!a.decoded_by.empty()) s.decoded_by = a.decoded_by + ">" + s.decoded_by;
    out.push_back(std::move(s));
    i = j;
    changed = true;
  }
  if (changed) t = std::move(out);
  return changed;
}

}  // namespace tq::webroot
