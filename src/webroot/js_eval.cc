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
#include "webroot/js_scope.h"
#include "webroot/js_tokens.h"

namespace tq::webroot {
namespace {

using jseval::Ascii;
using jseval::AssignOp;
using jseval::Heap;
using jseval::In;
using jseval::Node;
using jseval::NumberLiteral;
using jseval::NumberText;
using jseval::StrToNumber;
using jseval::ToInt32;
using jseval::ToU16;
using jseval::ToU8;
using jseval::U16;
using jseval::Val;

// ---------------------------------------------------------------------------------------------
// The file's functions, its scopes and the state its top-level statements leave.

// The bindings of one running scope: a call's parameters and locals, or the script's own.
struct Frame {
  std::shared_ptr<Frame> parent;
  std::unordered_map<int32_t, Val> vars;  // by declaration token (JsScopes)
  Val self;                               // `this`
};
using FramePtr = std::shared_ptr<Frame>;

struct Param {
  int32_t binding = -1;                 // its declaration token
  size_t default_b = 0, default_e = 0;  // `= value` tokens, when given
  int default_node = -2;                // parsed when first needed (-1: not read)
  bool rest = false;                    // `...name`
};

struct Fn {
  size_t open = 0;  // the "(" of its parameters
  std::vector<Param> params;
  size_t body_b = 0, body_e = 0;
  std::vector<Node> pool;
  int root = -1;
  bool parsed = false, simple = true;
  std::vector<int32_t> vars;  // `var` bindings of its body, hoisted as undefined
  std::vector<int> decls;     // function declarations of its body (kFunc nodes), hoisted
};

bool DecoderWord(std::string_view w) {
  return In(w, {"fromCharCode", "fromCodePoint", "charCodeAt", "atob", "unescape",
                "decodeURIComponent", "charAt", "reverse", "indexOf", "split"});
}

const char* const kMutators[] = {"push",    "pop",  "shift", "unshift",   "splice",
                                 "reverse", "sort", "fill",  "copyWithin"};
bool Mutator(std::string_view m) {
  return std::find(std::begin(kMutators), std::end(kMutators), m) != std::end(kMutators);
}

// Globals of a browser that a script may test for and not find (`typeof Buffer`, a `global`
// read inside try): reading one throws a ReferenceError, a property of the global object by
// that name is undefined.
bool AbsentInBrowser(std::string_view w) {
  return In(w, {"global", "Buffer", "process", "require", "module", "exports"});
}
bool KnownBuiltin(std::string_view w) {
  return In(w, {"String", "Math", "Array", "Number", "parseInt", "parseFloat", "isNaN", "atob",
                "unescape", "decodeURIComponent", "Object", "TextDecoder", "Uint8Array"});
}

class Machine;

constexpr size_t kInitSteps = 1u << 18;
constexpr size_t kTraceSteps = 1u << 23;  // a traced run's steps (TraceDecoderCalls)
constexpr size_t kTraceCallbacks = 32;    // functions handed to the host, each run once

// What a traced run saw a call site return (FoldJsDecoders' second look, below): the string of
// its first completed call, and whether every later one returned the same.
struct TraceSite {
  U16 value;
  bool same = true;
};
using TraceSites = std::unordered_map<size_t, TraceSite>;  // by the callee's token

class Program {
 public:
  // `any_call`: read the functions even when no call passes them a literal (a test's run).
  Program(const std::vector<Token>& t, bool any_call) : t_(t), match_(t.size(), js::kNone) {
    std::vector<size_t> open;
    for (size_t i = 0; i < t.size(); ++i) {
      const Token& k = t[i];
      if (k.type == Tok::kOp && k.text.size() == 1) {
        char c = k.text[0];
        if (c == '(' || c == '[' || c == '{') {
          open.push_back(i);
        } else if ((c == ')' || c == ']' || c == '}') && !open.empty()) {
          match_[open.back()] = i;
          open.pop_back();
        }
      }
    }
    // The functions: `function [name](..){..}` anywhere, and an object literal's methods.
    for (size_t i = 0; i + 1 < t.size(); ++i) {
      if (js::Op(t[i], "(") && js::MethodParams(t, i, match_[i])) AddFunction(i);
      if (!js::Word(t[i], "function")) continue;
      size_t o = i + 1;
      if (o < t.size() && t[o].type == Tok::kWord) ++o;
      if (o < t.size() && js::Op(t[o], "(")) AddFunction(o);
    }
    if (fns_.empty()) return;
    scopes_ = std::make_unique<JsScopes>(t);
    // Decoders: a function whose body returns and uses a character or decoding built-in, or
    // calls such a function; and the bindings that hold one.
    std::unordered_set<int32_t> decoder_bindings;
    for (int round = 0; round < 4; ++round) {
      size_t before = decoder_bindings.size();
      for (auto& [o, f] : fns_) {
        int32_t b = FunctionBinding(o);
        if (b < 0 || decoder_bindings.count(b)) continue;
        bool decoder = false, returns = false, calls = false;
        for (size_t j = f.body_b; j < f.body_e; ++j) {
          if (t_[j].type != Tok::kWord) continue;
          if (DecoderWord(t_[j].text)) decoder = true;
          if (t_[j].text == "return") returns = true;
          if (j + 1 < f.body_e && js::Op(t_[j + 1], "(") &&
              decoder_bindings.count(scopes_->Binding(j)))
            calls = true;
        }
        if (returns && (decoder || calls) && f.body_e - f.body_b <= kMaxBody)
          decoder_bindings.insert(b);
      }
      if (decoder_bindings.size() == before) break;
    }
    decoders_ = std::move(decoder_bindings);
    bool called = any_call;
    for (size_t i = 0; i + 2 < t.size() && !called; ++i)
      called = t[i].type == Tok::kWord && js::Op(t[i + 1], "(") &&
               (t[i + 2].type == Tok::kString || t[i + 2].type == Tok::kNumber ||
                js::Op(t[i + 2], "-")) &&
               IsDecoder(i) && !(i > 0 && js::Op(t[i - 1], "."));
    if (!called) decoders_.clear();
    if (decoders_.empty() && !any_call) return;
    for (size_t i = 0; i < t.size() && !changes_prototypes_; ++i) {
      const Token& k = t[i];
      if (k.type != Tok::kWord && k.type != Tok::kString) continue;
      if (In(k.text, {"defineProperty", "defineProperties", "setPrototypeOf"})) {
        changes_prototypes_ = true;
      } else if (k.text == "prototype" || k.text == "__proto__") {
        // Over the rest of the member chain to what follows it.
        size_t j = i + 1;
        while (j < t.size()) {
          if (js::Op(t[j], "]")) {
            ++j;
          } else if (js::Op(t[j], ".") && j + 1 < t.size()) {
            j += 2;
          } else if (js::Op(t[j], "[") && match_[j] != js::kNone) {
            j = match_[j] + 1;
          } else {
            break;
          }
        }
        changes_prototypes_ = j < t.size() && t[j].type == Tok::kOp && AssignOp(t[j].text);
      }
    }
    // Writes of each top-level binding, to know which the script's own statements settle.
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i].type != Tok::kWord) continue;
      int32_t b = scopes_->Binding(i);
      if (!scopes_->TopLevel(b)) continue;
      bool inside = scopes_->FunctionOf(i) >= 0;
      bool decl = static_cast<size_t>(b) == i;
      bool assigns = i + 1 < t.size() && t[i + 1].type == Tok::kOp &&
                     (AssignOp(t[i + 1].text) || t[i + 1].text == "++" || t[i + 1].text == "--");
      if (decl && !assigns) continue;  // `var x;` or a function declaration
      if (!decl && i > 0 && js::Word(t[i - 1], "function") && scopes_->FunctionDecl(b)) {
        ++writes_[b].other_inside;  // declared again: which one a call meets is not settled
        continue;
      }
      if (!Writes(i)) continue;
      WriteCount& w = writes_[b];
      bool fn_value =
          assigns && js::Op(t[i + 1], "=") && i + 2 < t.size() && js::Word(t[i + 2], "function");
      if (inside) {
        if (fn_value)
          ++w.fn_inside;
        else
          ++w.other_inside;
      } else {
        ++w.top;
      }
    }
  }

  const std::vector<Token>& tokens() const { return t_; }
  const JsScopes& scopes() const { return *scopes_; }
  size_t Match(size_t open) const { return match_[open]; }
  bool HasDecoders() const { return !decoders_.empty(); }
  bool HasScopes() const { return scopes_ != nullptr; }
  // The call at token i (a name before "(") is of a decoder function.
  bool IsDecoder(size_t i) const { return scopes_ && decoders_.count(scopes_->Binding(i)) > 0; }
  Fn* FnAt(size_t open) {
    auto it = fns_.find(open);
    return it == fns_.end() ? nullptr : &it->second;
  }
  // The function a declaration token names: `function d(`, `var d = function (`.
  std::optional<size_t> FunctionOfBinding(int32_t d) const {
    if (d < 0) return std::nullopt;
    size_t i = static_cast<size_t>(d);
    if (i + 1 < t_.size() && js::Op(t_[i + 1], "(") && scopes_->FunctionDecl(d)) return i + 1;
    if (i + 3 < t_.size() && js::Op(t_[i + 1], "=") && js::Word(t_[i + 2], "function")) {
      size_t o = i + 3;
      if (t_[o].type == Tok::kWord && o + 1 < t_.size()) ++o;
      if (js::Op(t_[o], "(")) return o;
    }
    return std::nullopt;
  }
  // Whether the value the script's top-level statements left in binding d is the one every
  // later call sees: written only by those statements, once (beside its declaration), and not
  // spoiled by a statement that stopped half-way. A binding every function-body write of which
  // stores a function (a function that replaces itself) is kept too: a run writes it in a copy.
  bool Settled(int32_t d) const {
    if (spoiled_.count(d)) return false;
    auto it = writes_.find(d);
    if (it == writes_.end()) return true;
    const WriteCount& w = it->second;
    // A function declaration written at the top level: a call before the write meets the
    // declaration, one after it the new value.
    if (scopes_->FunctionDecl(d)) return w.other_inside == 0 && w.top == 0;
    return w.other_inside == 0 && w.top <= 1;
  }
  bool FunctionValued(int32_t d) const {
    auto it = writes_.find(d);
    return it != writes_.end() && it->second.other_inside == 0 && it->second.top == 0;
  }
  const FramePtr& Globals() const { return globals_; }
  // The file writes a prototype (`X.prototype.y = `, `__proto__` assigned, defineProperty,
  // setPrototypeOf): what an object inherits is then not the standard set.
  bool ChangesPrototypes() const { return changes_prototypes_; }
  // The name at token i is written there: assigned, incremented, an element or property of it
  // assigned, or a method that changes an array called on it.
  bool Writes(size_t i) const {
    const std::vector<Token>& t = t_;
    if (i + 1 < t.size() && t[i + 1].type == Tok::kOp &&
        (AssignOp(t[i + 1].text) || t[i + 1].text == "++" || t[i + 1].text == "--"))
      return true;
    if (i > 0 && (js::Op(t[i - 1], "++") || js::Op(t[i - 1], "--"))) return true;
    if (i + 1 < t.size() && js::Op(t[i + 1], "[") && match_[i + 1] != js::kNone &&
        match_[i + 1] + 1 < t.size() && t[match_[i + 1] + 1].type == Tok::kOp &&
        AssignOp(t[match_[i + 1] + 1].text))
      return true;
    return i + 2 < t.size() && js::Op(t[i + 1], ".") &&
           (Mutator(t[i + 2].text) || (i + 3 < t.size() && js::Op(t[i + 3], "=")));
  }

  // Runs the top-level statements once (js_eval.cc's InitRun below).
  void Init(const JsEvalLimits& limits, size_t* steps);

 private:
  static constexpr size_t kMaxBody = 4096;
  struct WriteCount {
    int top = 0, fn_inside = 0, other_inside = 0;
  };
  const std::vector<Token>& t_;
  std::vector<size_t> match_;  // the closing bracket of each opening one
  std::unique_ptr<JsScopes> scopes_;
  std::map<size_t, Fn> fns_;
  std::unordered_set<int32_t> decoders_;
  std::unordered_map<int32_t, WriteCount> writes_;
  std::unordered_set<int32_t> spoiled_;
  FramePtr globals_ = std::make_shared<Frame>();
  bool changes_prototypes_ = false;
  // What the script's own statements made, read by every later call: emptied at the end.
  std::vector<FramePtr> kept_frames_;
  Heap::Made kept_made_;
  friend class Machine;

 public:
  ~Program() {
    for (FramePtr& f : kept_frames_) f->vars.clear(), f->parent.reset(), f->self = Val();
    Heap::Release(kept_made_);
    globals_->vars.clear();
    globals_->self = Val();
  }

 private:
  void AddFunction(size_t open) {
    size_t close = match_[open];
    if (close == js::kNone || close + 1 >= t_.size() || !js::Op(t_[close + 1], "{")) return;
    size_t end = match_[close + 1];
    if (end == js::kNone) return;
    Fn f;
    f.open = open;
    // name, `...name` (last), `name = value`; a destructuring pattern is not read.
    for (size_t j = open + 1; j < close;) {
      Param prm;
      if (js::Op(t_[j], "...")) prm.rest = true, ++j;
      if (j >= close || t_[j].type != Tok::kWord) {
        f.simple = false;
        break;
      }
      prm.binding = static_cast<int32_t>(j++);
      if (j < close && js::Op(t_[j], "=") && !prm.rest) {
        size_t b = ++j;
        while (j < close && !js::Op(t_[j], ",")) {
          if ((js::Op(t_[j], "(") || js::Op(t_[j], "[") || js::Op(t_[j], "{")) &&
              match_[j] != js::kNone && match_[j] < close)
            j = match_[j];
          ++j;
        }
        prm.default_b = b, prm.default_e = j;
      }
      f.params.push_back(prm);
      if (j < close && !js::Op(t_[j], ",")) {
        f.simple = false;
        break;
      }
      ++j;
      if (prm.rest && j < close) f.simple = false;
    }
    f.body_b = close + 2, f.body_e = end;
    fns_.emplace(open, std::move(f));
  }

  // The binding a function is reached by: its declared name, or the variable it initialises.
  int32_t FunctionBinding(size_t open) const {
    if (open == 0) return -1;
    size_t k = open - 1;
    if (t_[k].type == Tok::kWord && !js::Word(t_[k], "function")) {
      if (scopes_->FunctionDecl(static_cast<int32_t>(k))) return static_cast<int32_t>(k);
      if (k == 0) return -1;
      --k;  // a named function expression: the variable it initialises, if any
    }
    if (!js::Word(t_[k], "function") || k < 2 || !js::Op(t_[k - 1], "=") ||
        t_[k - 2].type != Tok::kWord)
      return -1;
    int32_t b = scopes_->Binding(k - 2);
    return b == static_cast<int32_t>(k - 2) ? b : -1;  // `var x = function`, not `x = function`
  }
};

// ---------------------------------------------------------------------------------------------
// The machine.

class Machine : public Heap {
 public:
  // `init`: running the script's top-level statements, which write the global frame itself;
  // otherwise a run writes the global bindings it may write in a copy of its own.
  Machine(Program& p, const JsEvalLimits& l, bool init) : Heap(l), p_(p), init_(init) {
    global_.k = Val::kObj, global_.name = "global";
  }
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;
  // Frames, arrays and objects can hold each other in cycles; a run's are emptied when it ends,
  // the script's own statements' are kept by the program (which empties them in its turn).
  ~Machine() {
    if (init_) {
      for (FramePtr& f : frames_) p_.kept_frames_.push_back(std::move(f));
      Made m = TakeMade();
      for (jseval::ArrPtr& a : m.arrays) p_.kept_made_.arrays.push_back(std::move(a));
      for (jseval::ObjPtr& o : m.objects) p_.kept_made_.objects.push_back(std::move(o));
      return;
    }
    for (FramePtr& f : frames_) f->vars.clear(), f->parent.reset(), f->self = Val();
    own_.clear();
    array_props_.clear();
    Made m = TakeMade();
    Release(m);
  }

  std::optional<Val> Call(const Val& fv, std::vector<Val> args, const Val& self) {
    if (fv.k != Val::kFn) return Stop("call of a value");
    if (depth_ >= l_.max_call_depth) return Stop("call depth");
    Fn* f = p_.FnAt(static_cast<size_t>(fv.n));
    if (!f || !f->simple) {
      return Stop(f ? "parameters" : "function");
    }
    if (!f->parsed) {
      f->parsed = true;
      f->root = jseval::ParseJsBody(p_.tokens(), f->body_b, f->body_e, f->pool, l_.max_nodes);
      if (f->root >= 0) Hoisted(*f);
    }
    if (f->root < 0) {
      return Stop("unsupported code in a function");
    }
    auto frame = std::make_shared<Frame>();
    if (!Charge(96)) return std::nullopt;
    frames_.push_back(frame);
    frame->parent = std::static_pointer_cast<Frame>(fv.env);
    frame->self = self;
    for (int32_t v : f->vars) frame->vars[v] = Val();
    for (size_t i = 0; i < f->params.size(); ++i) {
      Param& prm = f->params[i];
      Val v;
      if (prm.rest) {
        v.k = Val::kArr;
        v.a = NewArr();
        for (size_t k = i; k < args.size(); ++k) v.a->push_back(std::move(args[k]));
      } else if (i < args.size()) {
        v = std::move(args[i]);
      }
      if (v.k == Val::kUndef && prm.default_e > prm.default_b) {
        if (prm.default_node == -2)
          prm.default_node =
              jseval::ParseJsExpr(p_.tokens(), prm.default_b, prm.default_e, f->pool, l_.max_nodes);
        if (prm.default_node < 0) return Stop("parameter default");
        std::optional<Val> d = Eval(*f, prm.default_node, frame);
        if (!d) return std::nullopt;
        v = std::move(*d);
      }
      frame->vars[prm.binding] = std::move(v);
    }
    for (int d : f->decls) frame->vars[DeclName(f->pool[d])] = Closure(f->pool[d], frame);
    if (!Charge(32 * (frame->vars.size() + 1))) return std::nullopt;
    ++depth_;
    Val ret;
    Flow fl = Exec(*f, f->root, frame, ret);
    --depth_;
    if (fl == Flow::kThrow || fl == Flow::kStop) return std::nullopt;
    return fl == Flow::kReturn ? ret : Val();
  }

  // The script's statements in order, on the global frame. A statement that does not parse or
  // stops (a DOM call, an unknown name) leaves what it may have written unknown: the bindings it
  // writes and the arrays and objects it changed are spoiled.
  void RunScript(std::vector<Node>& pool, const std::vector<jseval::TopStatement>& list) {
    Fn script;
    script.pool = std::move(pool);
    const FramePtr& g = p_.globals_;
    g->self = global_;
    for (int32_t d : p_.scopes().TopDecls()) {
      if (auto o = p_.FunctionOfBinding(d); o && p_.scopes().FunctionDecl(d)) {
        Val v;
        v.k = Val::kFn, v.n = static_cast<double>(*o), v.env = g;
        v.o = NewObj();
        g->vars[d] = v;
      } else {
        g->vars[d] = Val();
      }
    }
    bool stopped = false;
    for (const jseval::TopStatement& s : list) {
      written_.clear();
      changed_.clear();
      bool ok = false;
      if (!stopped && s.node >= 0) {
        Val ret;
        Flow fl = Exec(script, s.node, g, ret);
        ok = fl == Flow::kNext;
        // A Function body's own `return` (a packed layer) ends the script, its writes done.
        if (trace_ && fl == Flow::kReturn) ok = true, stopped = true;
        if (why == "step limit" || why == "memory limit") stopped = true;
        why.clear();
        throwing_ = false;
      }
      if (ok) continue;
      // What the statement's own code writes (writes inside the functions it holds are
      // counted by Program::Settled already).
      for (size_t j = s.b; j < s.e && j < p_.tokens().size(); ++j) {
        int32_t b = p_.scopes().Binding(j);
        if (p_.scopes().TopLevel(b) && p_.scopes().FunctionOf(j) < 0 && p_.Writes(j))
          p_.spoiled_.insert(b);
      }
      for (int32_t b : written_) p_.spoiled_.insert(b);
      for (const auto& [b, v] : g->vars)
        if ((v.k == Val::kArr && changed_.count(v.a.get())) ||
            (v.k == Val::kObj && v.o && changed_.count(v.o.get())))
          p_.spoiled_.insert(b);
    }
  }

  const Val& global() const { return global_; }

  // Trace mode, for the script's own statements (`init`): the host's objects (document, an
  // element, what a host function returns, a global the subset does not know) are one opaque
  // value. Reading a property of it, calling it or computing with it gives the opaque value
  // again; writing to it does nothing; a branch, a loop test, a switch or a built-in that
  // would need to know it stops the statement, as anything else outside the subset does. A
  // function handed to the host (a listener, a timer, a property of the host's) is kept and
  // called afterwards, once, with an opaque argument (RunCallbacks). Every call of the file's
  // own function by name that returns a string is recorded at its call site in `sites`: a
  // decoder whose arguments are computed (from a flattened program's state array, a
  // dispatcher's table) is read as what it returned where it was called.
  void Trace(TraceSites* sites) { trace_ = sites; }
  void RunCallbacks(size_t max_callbacks) {
    // Depth first: the listeners a listener adds run right after it, before the next one the
    // script added (the page's own order: set up, the visitor types, the page is left).
    for (size_t i = 0; i < callbacks_.size() && i < max_callbacks; ++i) {
      if (why == "step limit" || why == "memory limit") return;
      written_.clear();
      why.clear();
      throwing_ = false;
      Val cb = callbacks_[i];
      size_t before = callbacks_.size();
      bool ok = Call(cb, {Host()}, global_).has_value();
      if (!ok)
        for (int32_t b : written_) p_.spoiled_.insert(b);
      std::rotate(callbacks_.begin() + static_cast<std::ptrdiff_t>(i + 1),
                  callbacks_.begin() + static_cast<std::ptrdiff_t>(before), callbacks_.end());
    }
  }

  // The value the name at token i has where it stands (for a call's callee and arguments).
  std::optional<Val> Resolve(size_t i) {
    Node x;
    x.k = Node::kName, x.op = p_.tokens()[i].text, x.num = static_cast<double>(i);
    return Lookup(x, nullptr);
  }

 private:
  enum class Flow { kNext, kBreak, kContinue, kReturn, kThrow, kStop };
  Program& p_;
  bool init_;
  Val global_;
  int depth_ = 0;
  int nest_ = 0;  // Exec/Eval frames on the stack, across calls
  static constexpr int kMaxNest = 1500;
  bool throwing_ = false;  // an exception is on its way up (Eval's nullopt with no `why`)
  Val thrown_;
  std::string label_;                            // the label a break or continue names
  std::string pending_;                          // the label of the loop about to run
  std::unordered_map<int32_t, Val> own_;         // a run's copies of global bindings
  std::vector<FramePtr> frames_;                 // every call's
  std::unordered_set<int32_t> written_;          // global bindings written (the script's run)
  std::unordered_set<const void*> changed_;      // arrays and objects changed (the script's run)
  TraceSites* trace_ = nullptr;                  // trace mode (Trace) when set
  std::vector<Val> callbacks_;                   // functions handed to the host (trace mode)
  std::unordered_map<const Node*, int> forced_;  // tests on the host's values met, by node
  std::unordered_set<const void*> host_keyed_;   // objects given properties the host named
  static constexpr size_t kMaxCallbacks = 64;
  // Named properties given to arrays, by array (kept alive with them).
  std::unordered_map<const void*, std::pair<jseval::ArrPtr, std::vector<std::pair<U16, Val>>>>
      array_props_;

  struct Nest {
    Machine& m;
    explicit Nest(Machine& x) : m(x) { ++m.nest_; }
    ~Nest() { --m.nest_; }
  };

  Flow Failed() { return throwing_ && why.empty() ? Flow::kThrow : Flow::kStop; }

  // Trace mode's opaque value of the host's (a value of the host's known by its name, `global:`,
  // is one as well).
  static Val Host() {
    Val v;
    v.k = Val::kBuiltin, v.name = "host";
    return v;
  }
  bool IsHost(const Val& v) const {
    return trace_ && v.k == Val::kBuiltin && (v.name == "host" || v.name.rfind("global:", 0) == 0);
  }
  bool AnyHost(const std::vector<Val>& a) const {
    for (const Val& v : a)
      if (IsHost(v)) return true;
    return false;
  }
  // A function handed to the host: called after the script (trace mode).
  void Keep(const Val& v) {
    if (trace_ && v.k == Val::kFn && callbacks_.size() < kMaxCallbacks) callbacks_.push_back(v);
  }
  // What the host does with a call: the functions among its arguments kept, an opaque result.
  Val HostCall(const std::vector<Val>& args) {
    for (const Val& a : args) Keep(a);
    return Host();
  }
  // A statement that leaves where it stands (return, throw, break, continue, or a block
  // ending in one).
  static bool Ends(const Fn& f, int n) {
    if (n < 0) return false;
    const Node& x = f.pool[n];
    if (x.k == Node::kBlock) return !x.kids.empty() && Ends(f, x.kids.back());
    return x.k == Node::kReturn || x.k == Node::kThrow || x.k == Node::kBreak ||
           x.k == Node::kContinue;
  }
  std::nullopt_t Throw(Val v) {
    throwing_ = true;
    thrown_ = std::move(v);
    return std::nullopt;
  }

  static int32_t DeclName(const Node& fn) { return static_cast<int32_t>(fn.num) - 1; }
  Val Closure(const Node& fn, const FramePtr& env) {
    Val v;
    v.k = Val::kFn, v.n = fn.num, v.env = env;
    v.o = NewObj();  // its own properties
    return v;
  }
  static bool FunctionProto(std::string_view w) {
    return In(w, {"name", "length", "prototype", "call", "apply", "bind", "toString", "constructor",
                  "caller", "arguments", "__proto__", "valueOf", "hasOwnProperty"});
  }

  // The body's `var` bindings and function declarations, outside nested functions.
  void Hoisted(Fn& f) {
    for (const Node& x : f.pool) {
      if (x.k == Node::kVar && f.pool[x.kids[0]].k == Node::kName) {
        int32_t b = p_.scopes().Binding(static_cast<size_t>(f.pool[x.kids[0]].num));
        if (b >= 0 &&
            p_.scopes().FunctionOf(static_cast<size_t>(b)) == static_cast<int32_t>(f.open))
          f.vars.push_back(b);
      }
    }
    for (size_t n = 0; n < f.pool.size(); ++n)
      if (f.pool[n].k == Node::kFunc && f.pool[n].op == "decl")
        f.decls.push_back(static_cast<int>(n));
  }

  // A copy of a value a run reads from the global frame, so that nothing it does changes it.
  std::optional<Val> Copy(const Val& v, int depth = 0) {
    if (v.k == Val::kArr) {
      if (depth > 4 || !Charge(16 * v.a->size())) return Stop("copy");
      Val c = v;
      c.a = NewArr();
      c.a->reserve(v.a->size());
      for (const Val& e : *v.a) {
        std::optional<Val> x = Copy(e, depth + 1);
        if (!x) return std::nullopt;
        c.a->push_back(std::move(*x));
      }
      return c;
    }
    if (v.k == Val::kObj && v.o) {
      if (depth > 4 || !Charge(32 * v.o->size())) return Stop("copy");
      Val c = v;
      c.o = NewObj();
      for (const auto& [k, e] : *v.o) {
        std::optional<Val> x = Copy(e, depth + 1);
        if (!x) return std::nullopt;
        c.o->emplace_back(k, std::move(*x));
      }
      return c;
    }
    return v;
  }

  // A global the subset knows.
  std::optional<Val> Global(const std::string& name) {
    if (name == "Infinity") return Val::Num(INFINITY);
    if (name == "NaN") return Val::Num(NAN);
    if (In(name, {"globalThis", "window", "self"})) return global_;
    if (AbsentInBrowser(name)) return Throw(Val::Str(u"ReferenceError"));
    if (!KnownBuiltin(name)) {
      if (trace_) return Host();
      return Stop("unknown name " + name.substr(0, 40));
    }
    Val v;
    v.k = Val::kBuiltin, v.name = name;
    return v;
  }

  std::optional<Val> Lookup(const Node& x, const FramePtr& frame) {
    const JsScopes& sc = p_.scopes();
    int32_t b = sc.Binding(static_cast<size_t>(x.num));
    if (b == JsScopes::kGlobal) return Global(x.op);
    if (b < 0) return Stop("name " + x.op.substr(0, 40));
    const FramePtr& g = p_.globals_;
    for (Frame* fr = frame.get(); fr && fr != g.get(); fr = fr->parent.get())
      if (auto it = fr->vars.find(b); it != fr->vars.end()) return it->second;
    if (sc.TopLevel(b)) {
      if (init_) {
        if (trace_ && p_.spoiled_.count(b))
          return Stop("binding not settled: " + x.op.substr(0, 40));
        if (auto it = g->vars.find(b); it != g->vars.end()) return it->second;
        return Stop("unknown binding");
      }
      if (auto it = own_.find(b); it != own_.end()) return it->second;
      auto it = g->vars.find(b);
      if (it == g->vars.end() || !(p_.Settled(b) || p_.FunctionValued(b)))
        return Stop("binding not settled: " + x.op.substr(0, 40));
      std::optional<Val> c = Copy(it->second);
      if (!c) return std::nullopt;
      if (c->k == Val::kArr || c->k == Val::kObj) own_[b] = *c;
      return c;
    }
    // A function declared in a scope that is not running (a block or function the run did not
    // enter): callable, closing over nothing but the global frame.
    if (sc.FunctionDecl(b)) {
      if (auto o = p_.FunctionOfBinding(b)) {
        Val v;
        v.k = Val::kFn, v.n = static_cast<double>(*o), v.env = g;
        return v;
      }
    }
    return Stop("binding out of reach: " + x.op.substr(0, 40));
  }

  bool StoreName(const Node& x, const FramePtr& frame, const Val& v) {
    const JsScopes& sc = p_.scopes();
    int32_t b = sc.Binding(static_cast<size_t>(x.num));
    if (b < 0) return Stop("assignment to " + x.op.substr(0, 40)), false;
    const FramePtr& g = p_.globals_;
    for (Frame* fr = frame.get(); fr && fr != g.get(); fr = fr->parent.get())
      if (auto it = fr->vars.find(b); it != fr->vars.end()) {
        it->second = v;
        return true;
      }
    if (sc.TopLevel(b)) {
      if (init_) {
        g->vars[b] = v;
        written_.insert(b);
        return true;
      }
      if (p_.FunctionValued(b) || own_.count(b)) {
        own_[b] = v;
        return true;
      }
    }
    return Stop("assignment to an outer binding " + x.op.substr(0, 40)), false;
  }

  // Statements.
  Flow Exec(Fn& f, int n, const FramePtr& env, Val& ret) {
    Nest nest(*this);
    if (nest_ > kMaxNest) Stop("nesting");
    if (n < 0 || !Step()) return Flow::kStop;
    const Node& x = f.pool[n];
    switch (x.k) {
      case Node::kEmpty: return Flow::kNext;
      case Node::kFunc:
        if (x.op == "decl" && init_ && env == p_.globals_) return Flow::kNext;  // hoisted
        if (x.op == "decl") {
          // A block's declaration: bound where the block runs (hoisted in a call already).
          int32_t b = DeclName(x);
          for (Frame* fr = env.get(); fr; fr = fr->parent.get())
            if (fr->vars.count(b)) return Flow::kNext;
          env->vars[b] = Closure(x, env);
        }
        return Flow::kNext;
      case Node::kBlock:
        for (int s : x.kids) {
          Flow fl = Exec(f, s, env, ret);
          if (fl != Flow::kNext) return fl;
        }
        return Flow::kNext;
      case Node::kVar: {
        const Node& target = f.pool[x.kids[0]];
        if (x.kids[1] < 0) {
          // `var i;` again keeps the value; `let i;` in a loop body starts undefined.
          Val probe;
          int32_t b = p_.scopes().Binding(static_cast<size_t>(target.num));
          for (Frame* fr = env.get(); fr; fr = fr->parent.get())
            if (fr->vars.count(b)) return Flow::kNext;
          env->vars[b] = Val();
          return Flow::kNext;
        }
        std::optional<Val> e = Eval(f, x.kids[1], env);
        if (!e) return Failed();
        int32_t b = p_.scopes().Binding(static_cast<size_t>(target.num));
        if (b < 0) return Stop("declaration"), Flow::kStop;
        for (Frame* fr = env.get(); fr; fr = fr->parent.get())
          if (auto it = fr->vars.find(b); it != fr->vars.end()) {
            it->second = std::move(*e);
            if (fr == p_.globals_.get()) written_.insert(b);
            return Flow::kNext;
          }
        env->vars[b] = std::move(*e);  // let/const in a block
        return Flow::kNext;
      }
      case Node::kExpr: return Eval(f, x.kids[0], env) ? Flow::kNext : Failed();
      case Node::kReturn: {
        if (x.kids[0] >= 0) {
          std::optional<Val> e = Eval(f, x.kids[0], env);
          if (!e) return Failed();
          ret = std::move(*e);
        }
        return Flow::kReturn;
      }
      case Node::kBreak:
      case Node::kContinue:
        label_ = x.op;
        return x.k == Node::kBreak ? Flow::kBreak : Flow::kContinue;
      case Node::kLabel: {
        pending_ = x.op;
        Flow fl = Exec(f, x.kids[0], env, ret);
        pending_.clear();
        if (fl == Flow::kBreak && label_ == x.op) {
          label_.clear();
          return Flow::kNext;
        }
        return fl;
      }
      case Node::kThrow: {
        std::optional<Val> e = Eval(f, x.kids[0], env);
        if (!e) return Failed();
        Throw(std::move(*e));
        return Flow::kThrow;
      }
      case Node::kTry: {
        Flow fl = Exec(f, x.kids[0], env, ret);
        if (fl == Flow::kThrow && x.kids[2] >= 0) {
          throwing_ = false;
          if (x.kids[1] >= 0) {
            int32_t b = p_.scopes().Binding(static_cast<size_t>(f.pool[x.kids[1]].num));
            if (b >= 0) env->vars[b] = thrown_;
          }
          fl = Exec(f, x.kids[2], env, ret);
        }
        if (fl != Flow::kStop && x.kids[3] >= 0) {
          bool was = throwing_;
          throwing_ = false;
          Flow after = Exec(f, x.kids[3], env, ret);
          if (after != Flow::kNext) return after;
          throwing_ = was;
        }
        return fl;
      }
      case Node::kSwitch: {
        std::string mine = std::move(pending_);
        pending_.clear();
        std::optional<Val> v = Eval(f, x.kids[0], env);
        if (!v) return Failed();
        size_t start = 0, deflt = 0;
        for (size_t i = 1; i + 1 < x.kids.size() && !start; i += 2) {
          if (x.kids[i] < 0) {
            deflt = i;
            continue;
          }
          std::optional<Val> c = Eval(f, x.kids[i], env);
          if (!c) return Failed();
          if (IsHost(*v) || IsHost(*c)) return Stop("switch on a value of the host's"), Flow::kStop;
          if (StrictEq(*v, *c)) start = i;
        }
        if (!start) start = deflt;
        if (!start) return Flow::kNext;
        for (size_t i = start; i + 1 < x.kids.size(); i += 2) {
          Flow fl = Exec(f, x.kids[i + 1], env, ret);
          if (fl == Flow::kBreak && (label_.empty() || label_ == mine)) {
            label_.clear();
            return Flow::kNext;
          }
          if (fl != Flow::kNext) return fl;
        }
        return Flow::kNext;
      }
      case Node::kIf: {
        std::optional<Val> c = Eval(f, x.kids[0], env);
        if (!c) return Failed();
        bool yes = Truthy(*c);
        // On what the page holds, the run goes on past a guard (`if (!field) return;`, `if
        // (location.href.indexOf('checkout') < 0) return;`): the branch that does not leave,
        // else the first. Either is a path the script can take; each decoder call on it is run
        // on what the script itself computed.
        // The second time the same test is met (a loop a flattener turned into states), the
        // other branch, so that the loop ends.
        if (IsHost(*c)) {
          yes = !Ends(f, x.kids[1]) || (x.kids[2] >= 0 && Ends(f, x.kids[2]));
          if (++forced_[&x] > 1) yes = !yes;
        }
        int branch = yes ? x.kids[1] : x.kids[2];
        return branch < 0 ? Flow::kNext : Exec(f, branch, env, ret);
      }
      case Node::kFor:
      case Node::kWhile:
      case Node::kDo: {
        std::string mine = std::move(pending_);
        pending_.clear();
        int init = x.k == Node::kFor ? x.kids[0] : -1;
        int cond = x.k == Node::kFor ? x.kids[1] : x.k == Node::kWhile ? x.kids[0] : x.kids[1];
        int step = x.k == Node::kFor ? x.kids[2] : -1;
        int body = x.k == Node::kFor ? x.kids[3] : x.k == Node::kWhile ? x.kids[1] : x.kids[0];
        if (init >= 0) {
          if (f.pool[init].k == Node::kBlock) {
            Flow fl = Exec(f, init, env, ret);
            if (fl != Flow::kNext) return fl;
          } else if (!Eval(f, init, env)) {
            return Failed();
          }
        }
        for (bool first = true;; first = false) {
          if (!(x.k == Node::kDo && first) && cond >= 0) {
            std::optional<Val> c = Eval(f, cond, env);
            if (!c) return Failed();
            // A loop over what the page holds runs once.
            if (IsHost(*c) ? !first || x.k == Node::kDo : !Truthy(*c)) break;
          }
          Flow fl = Exec(f, body, env, ret);
          if (fl == Flow::kBreak || fl == Flow::kContinue) {
            bool ours = label_.empty() || label_ == mine;
            if (!ours) return fl;
            label_.clear();
            if (fl == Flow::kBreak) break;
          } else if (fl != Flow::kNext) {
            return fl;
          }
          if (step >= 0 && !Eval(f, step, env)) return Failed();
          if (!Step()) return Flow::kStop;
        }
        return Flow::kNext;
      }
      default: {
        std::optional<Val> e = Eval(f, n, env);
        return e ? Flow::kNext : Failed();
      }
    }
  }

  // Expressions.
  std::optional<Val> Eval(Fn& f, int n, const FramePtr& env) {
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
      case Node::kThis: return env ? env->self : global_;
      case Node::kFunc: return Closure(x, env);
      case Node::kName: return Lookup(x, env);
      case Node::kArray: {
        Val v;
        v.k = Val::kArr;
        v.a = NewArr();
        if (!Items(f, x.kids, 0, env, *v.a)) return std::nullopt;
        if (!Charge(16 * v.a->size())) return std::nullopt;
        return v;
      }
      case Node::kObject: {
        Val v;
        v.k = Val::kObj;
        v.o = NewObj();
        for (size_t i = 0; i + 1 < x.kids.size(); i += 2) {
          U16 key;
          if (f.pool[x.kids[i]].k == Node::kStr) {
            key = f.pool[x.kids[i]].str;
          } else {
            std::optional<Val> k = Eval(f, x.kids[i], env);  // a computed key
            if (!k) return std::nullopt;
            if (k->k != Val::kStr && k->k != Val::kNum) return Stop("property key");
            key = ToStr(*k);
          }
          std::optional<Val> item = Eval(f, x.kids[i + 1], env);
          if (!item) return std::nullopt;
          SetProp(v, key, std::move(*item));
        }
        if (!Charge(32 * v.o->size())) return std::nullopt;
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
        return Eval(f, IsHost(*c) || Truthy(*c) ? x.kids[1] : x.kids[2], env);
      }
      case Node::kLogical: {
        std::optional<Val> a = Eval(f, x.kids[0], env);
        if (!a) return std::nullopt;
        if (IsHost(*a)) return x.op == "&&" ? Eval(f, x.kids[1], env) : a;  // taken as an object
        bool take_left = x.op == "&&"   ? !Truthy(*a)
                         : x.op == "||" ? Truthy(*a)
                                        : (a->k != Val::kUndef && a->k != Val::kNull);
        return take_left ? a : Eval(f, x.kids[1], env);
      }
      case Node::kUnary: {
        // typeof of a name nothing binds is "undefined", not an error.
        if (x.op == "typeof" && f.pool[x.kids[0]].k == Node::kName) {
          const Node& name = f.pool[x.kids[0]];
          if (p_.scopes().Binding(static_cast<size_t>(name.num)) == JsScopes::kGlobal &&
              !KnownBuiltin(name.op) && (!trace_ || AbsentInBrowser(name.op)) &&
              !In(name.op, {"globalThis", "window", "self", "Infinity", "NaN"}))
            return MakeStr(u"undefined");
        }
        std::optional<Val> a = Eval(f, x.kids[0], env);
        if (!a) return std::nullopt;
        if (IsHost(*a)) return x.op == "void" ? Val() : Host();
        if (x.op == "!") return Val::Bool(!Truthy(*a));
        if (x.op == "-") return Val::Num(-ToNum(*a));
        if (x.op == "+") return Val::Num(ToNum(*a));
        if (x.op == "~") return Val::Num(~ToInt32(ToNum(*a)));
        if (x.op == "void") return Val();
        static const char16_t* names[] = {u"undefined", u"object",   u"boolean",
                                          u"number",    u"string",   u"object",
                                          u"function",  u"function", u"object"};
        if (a->k == Val::kBuiltin && In(a->name, {"Math", "String.prototype"}))
          return MakeStr(u"object");
        if (a->k == Val::kBuiltin && a->name.rfind("global:", 0) == 0)
          return Stop("typeof of the host's " + a->name.substr(7, 40));
        return MakeStr(names[a->k]);
      }
      case Node::kBinary: {
        std::optional<Val> a = Eval(f, x.kids[0], env);
        if (!a) return std::nullopt;
        std::optional<Val> b = Eval(f, x.kids[1], env);
        if (!b) return std::nullopt;
        if (IsHost(*a) || IsHost(*b)) return Host();
        if (x.op == "in") return HasProperty(*b, *a);
        if ((a->k == Val::kObj || a->k == Val::kFn || b->k == Val::kObj || b->k == Val::kFn) &&
            !In(x.op, {"===", "!==", "==", "!="}))
          return Stop("operator " + x.op + " on an object");
        return Binary(x.op, *a, *b);
      }
      case Node::kAssign: return Assign(f, x, env);
      case Node::kPrefix:
      case Node::kPostfix: {
        std::optional<Val> old = Eval(f, x.kids[0], env);
        if (!old) return std::nullopt;
        if (IsHost(*old))
          return Store(f, x.kids[0], env, Host()) ? std::optional<Val>(Host()) : std::nullopt;
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
        if (IsHost(*obj) || IsHost(key)) return Host();
        return Get(*obj, key);
      }
      case Node::kCall: return CallNode(f, x, env);
      case Node::kNew: return New(f, x, env);
      default: return Stop("unsupported expression");
    }
  }

  // The values of kids[from..], a spread item's elements each in its place.
  bool Items(Fn& f, const std::vector<int>& kids, size_t from, const FramePtr& env,
             std::vector<Val>& out) {
    for (size_t i = from; i < kids.size(); ++i) {
      bool spread = kids[i] >= 0 && f.pool[kids[i]].k == Node::kSpread;
      std::optional<Val> item = Eval(f, spread ? f.pool[kids[i]].kids[0] : kids[i], env);
      if (!item) return false;
      if (!spread) {
        out.push_back(std::move(*item));
      } else if (item->k == Val::kArr) {
        if (out.size() + item->a->size() > l_.max_array) return Stop("array limit"), false;
        out.insert(out.end(), item->a->begin(), item->a->end());
      } else if (item->k == Val::kStr) {
        if (out.size() + item->s.size() > l_.max_array) return Stop("array limit"), false;
        for (char16_t c : item->s) out.push_back(Val::Str(U16(1, c)));
      } else {
        return Stop("spread of this"), false;
      }
      if (!Charge(16)) return false;
    }
    return true;
  }

  std::optional<Val> Assign(Fn& f, const Node& x, const FramePtr& env) {
    std::optional<Val> v = Eval(f, x.kids[1], env);
    if (!v) return std::nullopt;
    if (x.op != "=") {
      std::optional<Val> old = Eval(f, x.kids[0], env);
      if (!old) return std::nullopt;
      if (IsHost(*old) || IsHost(*v))
        v = Host();
      else
        v = Binary(x.op.substr(0, x.op.size() - 1), *old, *v);
      if (!v) return std::nullopt;
    }
    if (!Store(f, x.kids[0], env, *v)) return std::nullopt;
    return v;
  }

  static void SetProp(Val& obj, const U16& key, Val v) {
    for (auto& [k, e] : *obj.o)
      if (k == key) {
        e = std::move(v);
        return;
      }
    obj.o->emplace_back(key, std::move(v));
  }

  bool Store(Fn& f, int target, const FramePtr& env, const Val& v) {
    const Node& t = f.pool[target];
    if (t.k == Node::kName) return StoreName(t, env, v);
    if (t.k == Node::kArray) {
      // An array pattern: each place takes its element (`x = d` its default when undefined,
      // `...r` the rest).
      if (v.k != Val::kArr) return Stop("pattern of a non-array"), false;
      std::vector<Val> items = *v.a;
      for (size_t i = 0; i < t.kids.size(); ++i) {
        const Node& place = f.pool[t.kids[i]];
        if (place.k == Node::kUndef) continue;  // a hole
        Val item = i < items.size() ? items[i] : Val();
        int to = t.kids[i];
        if (place.k == Node::kSpread) {
          item = Val();
          item.k = Val::kArr;
          item.a = NewArr();
          if (i < items.size()) item.a->assign(items.begin() + i, items.end());
          if (!Charge(16 * item.a->size())) return false;
          to = place.kids[0];
        } else if (place.k == Node::kAssign && place.op == "=") {
          to = place.kids[0];
          if (item.k == Val::kUndef) {
            std::optional<Val> d = Eval(f, place.kids[1], env);
            if (!d) return false;
            item = std::move(*d);
          }
        }
        if (!Store(f, to, env, item)) return false;
      }
      return true;
    }
    if (t.k != Node::kIndex && t.k != Node::kMember) return Stop("assignment target"), false;
    std::optional<Val> obj = Eval(f, t.kids[0], env);
    if (!obj) return false;
    Val key;
    if (t.k == Node::kMember) {
      key = Val::Str(Ascii(t.op));
    } else {
      std::optional<Val> k = Eval(f, t.kids[1], env);
      if (!k) return false;
      key = std::move(*k);
    }
    if (IsHost(*obj) || (trace_ && obj->k == Val::kObj && obj->name == "global")) {
      Keep(v);  // `el.onsubmit = function`, `window.onload = function`
      return true;
    }
    if (IsHost(key)) {
      // `store[field.id] = field.value`: the object holds what the page named; a property
      // it does not show may be one of those (Get).
      if (!((obj->k == Val::kObj || obj->k == Val::kFn) && obj->o && obj->name.empty()))
        return Stop("a property named by the host"), false;
      changed_.insert(obj->o.get());
      host_keyed_.insert(obj->o.get());
      return true;
    }
    if ((obj->k == Val::kObj || obj->k == Val::kFn) && obj->o && obj->name.empty()) {
      if (obj->k == Val::kFn && key.k == Val::kStr && FunctionProto(ToU8(key.s)))
        return Stop("a function's own property"), false;
      if (key.k != Val::kStr && key.k != Val::kNum) return Stop("property key"), false;
      if (obj->o->size() >= l_.max_array || !Charge(32)) return Stop("object limit"), false;
      changed_.insert(obj->o.get());
      SetProp(*obj, key.k == Val::kStr ? key.s : NumberText(key.n), v);
      return true;
    }
    if (obj->k != Val::kArr) return Stop("element of a non-array"), false;
    changed_.insert(obj->a.get());
    if (key.k == Val::kStr && key.s == u"length") {
      double len = ToNum(v);
      if (!(len >= 0) || len != std::trunc(len) || len > l_.max_array) return Stop("length"), false;
      size_t at = static_cast<size_t>(len);
      if (at > obj->a->size() && !Charge(16 * (at - obj->a->size()))) return false;
      obj->a->resize(at);
      return true;
    }
    double i = ToNum(key);
    if ((key.k == Val::kStr || key.k == Val::kNum) && !(i >= 0 && i == std::trunc(i))) {
      // A named property of an array (an obfuscator keeps locals in one, under any key).
      U16 name = ToStr(key);
      auto& [keep, props] = array_props_[obj->a.get()];
      keep = obj->a;
      if (props.size() >= 4096 || !Charge(32 + 2 * name.size())) return Stop("object limit"), false;
      for (auto& [k, e] : props)
        if (k == name) {
          e = v;
          return true;
        }
      props.emplace_back(std::move(name), v);
      return true;
    }
    if (!(i >= 0) || i != std::trunc(i) || i >= l_.max_array)
      return Stop("array index " + ToU8(ToStr(key)).substr(0, 20)), false;
    size_t at = static_cast<size_t>(i);
    if (at >= obj->a->size()) {
      if (!Charge(16 * (at + 1 - obj->a->size()))) return false;
      obj->a->resize(at + 1);
    }
    (*obj->a)[at] = v;
    return true;
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
      if ((key.k == Val::kStr || key.k == Val::kNum) && obj.k == Val::kArr) {
        if (auto it = array_props_.find(obj.a.get()); it != array_props_.end()) {
          U16 name = ToStr(key);
          for (const auto& [k, e] : it->second.second)
            if (k == name) return e;
        }
      }
      if (key.k == Val::kStr) {
        Val m;
        m.k = Val::kBuiltin;
        if (obj.k == Val::kStr && (key.s == u"__proto__" || key.s == u"constructor")) {
          m.name = key.s == u"constructor" ? "String" : "String.prototype";
          return m;
        }
        m.name = "." + ToU8(key.s);
        return m;  // a method, called by CallNode
      }
      return Val();
    }
    if (obj.k == Val::kObj) {
      if (key.k != Val::kStr && key.k != Val::kNum) return Stop("property key");
      U16 k = key.k == Val::kStr ? key.s : NumberText(key.n);
      if (obj.name == "global") {
        std::string w = ToU8(k);
        if (In(w, {"globalThis", "window", "self"})) return global_;
        if (AbsentInBrowser(w)) return Val();
        Val m;
        m.k = Val::kBuiltin, m.name = w;
        if (KnownBuiltin(w)) return m;
        // Another global (document, location, fetch): a value of the host's, known only by
        // its name. Nothing can be done with it but hand it back (see FoldJsDecoders).
        if (w.empty() || w.size() > 64 || w.find_first_of(" .:") != std::string::npos)
          return Stop("property of the global object");
        m.name = "global:" + w;
        return m;
      }
      if (obj.name == "TextDecoder") {
        if (k != u"decode") return Stop("TextDecoder property");
        Val m;
        m.k = Val::kBuiltin, m.name = ".decode";
        return m;
      }
      for (const auto& [name, v] : *obj.o)
        if (name == k) return v;
      if (In(ToU8(k), {"__proto__", "constructor", "toString", "valueOf", "hasOwnProperty",
                       "__defineGetter__", "__lookupGetter__", "isPrototypeOf"}))
        return Stop("object's prototype");
      if (host_keyed_.count(obj.o.get())) return Host();
      return Val();
    }
    if (obj.k == Val::kBuiltin && obj.name.rfind("global:", 0) == 0)
      return Stop("property of the host's " + obj.name.substr(7, 40));
    if (obj.k == Val::kBuiltin && key.k == Val::kStr) {
      Val m;
      m.k = Val::kBuiltin;
      if (obj.name == "String.prototype" && key.s == u"constructor") {
        m.name = "String";
        return m;
      }
      if (key.s == u"name" && KnownBuiltin(obj.name)) return MakeStr(Ascii(obj.name));
      m.name = obj.name + "." + ToU8(key.s);
      if (m.name == "Math.PI") return Val::Num(M_PI);
      return m;
    }
    if (obj.k == Val::kNum && key.k == Val::kStr) {
      Val m;
      m.k = Val::kBuiltin, m.name = "." + ToU8(key.s);
      return m;
    }
    if (obj.k == Val::kFn && obj.o && (key.k == Val::kStr || key.k == Val::kNum)) {
      U16 k = ToStr(key);
      for (const auto& [name, v] : *obj.o)
        if (name == k) return v;
      if (FunctionProto(ToU8(k))) return Stop("a function's property");
      return Val();
    }
    return Stop("property of a " + std::to_string(obj.k));
  }

  // `key in obj` for what the subset knows: an object literal's own keys (its prototype's
  // are not known), an array's indexes and length, the global object's built-ins.
  std::optional<Val> HasProperty(const Val& obj, const Val& key) {
    if (IsHost(obj) || IsHost(key)) return Host();
    if (key.k != Val::kStr && key.k != Val::kNum) return Stop("in with this key");
    U16 k = ToStr(key);
    if (obj.k == Val::kArr) {
      double i = StrToNumber(k);
      if (k == u"length") return Val::Bool(true);
      if (i >= 0 && i == std::trunc(i)) return Val::Bool(i < obj.a->size());
      return Stop("in of an array's property");
    }
    // Beyond its own keys, an object has its prototypes' (Function.prototype, Object.prototype):
    // the standard ones, unless this file changes a prototype.
    if (obj.k == Val::kFn && obj.o) {
      for (const auto& [name, v] : *obj.o)
        if (name == k) return Val::Bool(true);
      if (FunctionProto(ToU8(k))) return Val::Bool(true);
      if (p_.ChangesPrototypes()) return Stop("in of a function's prototype");
      return Val::Bool(false);
    }
    if (obj.k != Val::kObj || !obj.o) return Stop("in of this");
    if (obj.name == "global") {
      std::string w = ToU8(k);
      if (KnownBuiltin(w) || In(w, {"globalThis", "window", "self"})) return Val::Bool(true);
      if (AbsentInBrowser(w)) return Val::Bool(false);
      return Stop("in of the global object");
    }
    if (!obj.name.empty()) return Stop("in of this");
    for (const auto& [name, v] : *obj.o)
      if (name == k) return Val::Bool(true);
    if (FunctionProto(ToU8(k)) || p_.ChangesPrototypes())
      return Stop("in of an object's prototype");
    if (host_keyed_.count(obj.o.get())) return Host();
    return Val::Bool(false);
  }

  std::optional<Val> New(Fn& f, const Node& x, const FramePtr& env) {
    std::optional<Val> c = Eval(f, x.kids[0], env);
    if (!c) return std::nullopt;
    std::vector<Val> args;
    if (!Items(f, x.kids, 1, env, args)) return std::nullopt;
    if (IsHost(*c)) return HostCall(args);
    if (c->k == Val::kFn) {
      // `new F(..)` of the file's own function: a fresh object as `this`, which it returns
      // unless it returns an object of its own.
      Val self;
      self.k = Val::kObj;
      self.o = NewObj();
      std::optional<Val> r = Call(*c, std::move(args), self);
      if (!r) return std::nullopt;
      if (r->k == Val::kObj || r->k == Val::kArr || r->k == Val::kFn) return r;
      return self;
    }
    if (c->k != Val::kBuiltin) return Stop("new");
    if (c->name == "Array" || c->name == "String") return Builtin(c->name, args);
    if (c->name == "TextDecoder") {
      if (!args.empty() &&
          !(args[0].k == Val::kStr && In(ToU8(args[0].s), {"utf-8", "utf8", "UTF-8"})))
        return Stop("TextDecoder of another encoding");
      Val v;
      v.k = Val::kObj, v.name = "TextDecoder";
      v.o = NewObj();
      return v;
    }
    if (c->name == "Object" && args.empty()) {
      Val v;
      v.k = Val::kObj;
      v.o = NewObj();
      return v;
    }
    if (c->name == "Uint8Array") {
      Val v;
      v.k = Val::kArr;
      v.a = NewArr();
      if (args.size() == 1 && args[0].k == Val::kArr) {
        if (!Charge(16 * args[0].a->size())) return std::nullopt;
        for (const Val& e : *args[0].a)
          v.a->push_back(Val::Num(static_cast<double>(jseval::ToUint32(ToNum(e)) & 0xff)));
        return v;
      }
      if (args.size() == 1 && args[0].k == Val::kNum) {
        double n = args[0].n;
        if (!(n >= 0) || n > l_.max_array || n != std::trunc(n)) return Stop("array length");
        if (!Charge(16 * static_cast<size_t>(n))) return std::nullopt;
        v.a->assign(static_cast<size_t>(n), Val::Num(0));
        return v;
      }
      return Stop("Uint8Array of this");
    }
    return Stop("new " + c->name.substr(0, 40));
  }

  // arr.forEach(fn), map, filter, some, every, reduce(fn[, initial]) with a function of the
  // file's: called for each item (item, index, array) in order, on a copy of the items (a
  // callback that changes the array is not followed further than the language would).
  std::optional<Val> Iterate(const Val& arr, const std::string& method, std::vector<Val>& args) {
    std::vector<Val> items = *arr.a;
    if (!Charge(16 * items.size())) return std::nullopt;
    Val out;
    out.k = Val::kArr;
    out.a = NewArr();
    bool reduce = method == "reduce";
    size_t from = 0;
    Val acc;
    if (reduce) {
      if (args.size() > 1) {
        acc = args[1];
      } else if (!items.empty()) {
        acc = items[0], from = 1;
      } else {
        return Throw(Val::Str(u"TypeError"));
      }
    }
    for (size_t i = from; i < items.size(); ++i) {
      std::vector<Val> call_args;
      if (reduce) call_args.push_back(acc);
      call_args.push_back(items[i]);
      call_args.push_back(Val::Num(static_cast<double>(i)));
      call_args.push_back(arr);
      std::optional<Val> r = Call(args[0], std::move(call_args), Val());
      if (!r) return std::nullopt;
      if (reduce) {
        acc = std::move(*r);
        continue;
      }
      if (method == "map") {
        out.a->push_back(std::move(*r));
        if (!Charge(16)) return std::nullopt;
        continue;
      }
      if (IsHost(*r)) return Stop("a test on a value of the host's");
      bool yes = Truthy(*r);
      if (method == "filter" && yes) out.a->push_back(items[i]);
      if (method == "some" && yes) return Val::Bool(true);
      if (method == "every" && !yes) return Val::Bool(false);
    }
    if (reduce) return acc;
    if (method == "forEach") return Val();
    if (method == "some") return Val::Bool(false);
    if (method == "every") return Val::Bool(true);
    return out;
  }

  // UTF-8 bytes to text, as TextDecoder does (a bad sequence as U+FFFD).
  std::optional<Val> DecodeUtf8(const std::vector<Val>& a) {
    if (a.empty() || a[0].k != Val::kArr) return Stop("decode of this");
    std::string bytes;
    for (const Val& e : *a[0].a) bytes += static_cast<char>(jseval::ToUint32(ToNum(e)) & 0xff);
    return MakeStr(jseval::Utf8ToU16(bytes, true));
  }

  std::optional<Val> CallNode(Fn& f, const Node& x, const FramePtr& env) {
    const Node& callee = f.pool[x.kids[0]];
    std::vector<Val> args;
    auto eval_args = [&]() { return Items(f, x.kids, 1, env, args); };
    if (callee.k == Node::kMember || callee.k == Node::kIndex) {
      std::optional<Val> recv = Eval(f, callee.kids[0], env);
      if (!recv) return std::nullopt;
      std::string method;
      if (callee.k == Node::kMember) {
        method = callee.op;
      } else {
        std::optional<Val> k = Eval(f, callee.kids[1], env);
        if (!k) return std::nullopt;
        if (k->k == Val::kNum && recv->k == Val::kArr) {
          // a[i](): the element, called with the array as `this`.
          std::optional<Val> fn = Get(*recv, *k);
          if (!fn) return std::nullopt;
          if (!eval_args()) return std::nullopt;
          return Call(*fn, std::move(args), *recv);
        }
        if (IsHost(*recv) || IsHost(*k))
          return eval_args() ? std::optional<Val>(HostCall(args)) : std::nullopt;
        if (k->k != Val::kStr) return Stop("computed call");
        method = ToU8(k->s);
      }
      if (!eval_args()) return std::nullopt;
      if (IsHost(*recv)) return HostCall(args);
      if (recv->k == Val::kBuiltin && recv->name == "Object" && method == "create" &&
          args.size() == 1 && args[0].k == Val::kNull) {
        Val v;  // an object with no prototype: a cache, a table
        v.k = Val::kObj;
        v.o = NewObj();
        return v;
      }
      if (recv->k == Val::kObj && recv->name == "global" && trace_) {
        std::optional<Val> m = Get(*recv, Val::Str(Ascii(method)));
        if (!m) return std::nullopt;
        if (IsHost(*m)) return HostCall(args);
      }
      if (AnyHost(args) && recv->k != Val::kObj) {
        // An opaque item kept in an array is still an item; what else a method would do with
        // one is not known.
        if (recv->k == Val::kArr && In(method, {"push", "unshift"}))
          return changed_.insert(recv->a.get()), Method(*recv, method, args);
        if (recv->k == Val::kArr && Mutator(method)) return Stop("array method on a host's value");
        return HostCall(args);
      }
      if (recv->k == Val::kBuiltin) return Builtin(recv->name + "." + method, args);
      if (recv->k == Val::kObj) {
        if (recv->name == "TextDecoder" && method == "decode") return DecodeUtf8(args);
        std::optional<Val> m = Get(*recv, Val::Str(Ascii(method)));
        if (!m) return std::nullopt;
        if (m->k == Val::kBuiltin) return Builtin(m->name, args);
        return Call(*m, std::move(args), *recv);
      }
      if (recv->k == Val::kArr && Mutator(method)) changed_.insert(recv->a.get());
      if (recv->k == Val::kArr && !args.empty() && args[0].k == Val::kFn &&
          In(method, {"forEach", "map", "filter", "some", "every", "reduce"}))
        return Iterate(*recv, method, args);
      return Method(*recv, method, args);
    }
    std::optional<Val> fn = Eval(f, x.kids[0], env);
    if (!fn) return std::nullopt;
    if (!eval_args()) return std::nullopt;
    if (IsHost(*fn)) return HostCall(args);
    if (fn->k == Val::kFn) {
      std::optional<Val> r = Call(*fn, std::move(args), global_);
      if (r && trace_ && callee.k == Node::kName && r->k == Val::kStr) {
        auto [it, fresh] = trace_->try_emplace(static_cast<size_t>(callee.num));
        if (fresh)
          it->second.value = r->s;
        else if (it->second.value != r->s)
          it->second.same = false;
      }
      return r;
    }
    if (AnyHost(args)) return HostCall(args);
    if (fn->k == Val::kBuiltin) {
      if (fn->name.size() > 1 && fn->name[0] == '.') return Stop("method without its object");
      return Builtin(fn->name, args);
    }
    return Stop("call of a value");
  }
};

void Program::Init(const JsEvalLimits& limits, size_t* steps) {
  if (!scopes_) return;
  std::vector<Node> pool;
  std::vector<jseval::TopStatement> list = jseval::ParseJsScript(t_, pool, 1u << 16);
  Machine m(*this, limits, true);
  m.RunScript(pool, list);
  *steps = m.steps;
}

// FoldJsDecoders' second look: the script run once in trace mode (Machine::Trace), then the
// functions it handed the host. The call sites of the file's decoders whose arguments are not
// literals (a flattened program computes them from its state array) and that returned one and
// the same string every time the run passed them, by the callee's token.
std::map<size_t, std::string> TraceDecoderCalls(const std::vector<Token>& t, FoldBudget& budget) {
  std::map<size_t, std::string> out;
  Program p(t, true);
  if (!p.HasDecoders()) return out;
  // Only where a decoder is called with something other than literals.
  bool computed = false;
  for (size_t i = 0; i + 2 < t.size() && !computed; ++i) {
    if (t[i].type != Tok::kWord || !js::Op(t[i + 1], "(") || !p.IsDecoder(i) ||
        (i > 0 && (js::Op(t[i - 1], ".") || js::Word(t[i - 1], "function"))))
      continue;
    size_t close = p.Match(i + 1);
    for (size_t j = i + 2; j < close && j < t.size() && !computed; ++j)
      computed = t[j].type == Tok::kWord || js::Op(t[j], "[") || js::Op(t[j], "(");
  }
  if (!computed) return out;
  JsEvalLimits l;
  // Its own steps (the literal calls have had theirs), at most twice what the file has left.
  l.max_steps = std::min(kTraceSteps, 2 * budget.eval_steps_left);
  l.max_call_depth = 24;   // a listener, its flattened body, a decoder and its helpers
  l.max_nodes = 1u << 16;  // a flattened program is one function
  // Charged as made and never given back: a decoder builds its string piece by piece.
  l.max_bytes = 256u << 20;
  TraceSites sites;
  size_t steps = 0;
  {
    std::vector<Node> pool;
    std::vector<jseval::TopStatement> list = jseval::ParseJsScript(t, pool, 1u << 16);
    Machine m(p, l, true);
    m.Trace(&sites);
    m.RunScript(pool, list);
    m.RunCallbacks(kTraceCallbacks);
    steps = m.steps;
  }
  budget.eval_steps_left -= std::min(budget.eval_steps_left, steps);
  for (auto& [i, site] : sites) {
    if (!site.same || site.value.empty() || !p.IsDecoder(i)) continue;
    out.emplace(i, ToU8(site.value));
  }
  return out;
}

// The call's arguments when each is a literal, a settled binding of the file holding a string
// or a number, or an element of one (`k[3]`); nullopt otherwise.
std::optional<std::vector<Val>> LiteralArgs(const std::vector<Token>& t, size_t open, size_t close,
                                            Machine& m, bool* has_literal) {
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
    } else if (a.type == Tok::kWord && !neg) {
      std::optional<Val> v = m.Resolve(j);
      if (!v) return std::nullopt;
      if (j + 3 < close + 1 && js::Op(t[j + 1], "[") && t[j + 2].type == Tok::kNumber &&
          js::Op(t[j + 3], "]")) {
        std::optional<double> k = NumberLiteral(t[j + 2].text);
        if (!k || v->k != Val::kArr || !(*k >= 0) || *k >= v->a->size()) return std::nullopt;
        v = (*v->a)[static_cast<size_t>(*k)];
        j += 3;
        *has_literal = true;
      }
      if (v->k != Val::kStr && v->k != Val::kNum) return std::nullopt;
      out.push_back(std::move(*v));
    } else {
      return std::nullopt;
    }
    ++j;
    if (j < close && !js::Op(t[j], ",")) return std::nullopt;
    if (j < close) ++j;
  }
  return out;
}

// The string a call returns, or (`global` set) the name of the global it returns.
std::optional<std::string> Run(Machine& m, const Val& fn, std::vector<Val> args, std::string* why,
                               bool* global) {
  *global = false;
  std::optional<Val> v = m.Call(fn, std::move(args), m.global());
  if (!v) {
    *why = m.why.empty() ? "an exception" : m.why;
    return std::nullopt;
  }
  if (v->k == Val::kObj && v->name == "global") {
    why->clear();
    *global = true;
    return std::string("window");
  }
  if (v->k == Val::kBuiltin && v->name.rfind("global:", 0) == 0) {
    why->clear();
    *global = true;
    return v->name.substr(7);
  }
  if (v->k == Val::kBuiltin && KnownBuiltin(v->name)) {
    why->clear();
    *global = true;
    return v->name;
  }
  if (v->k != Val::kStr) {
    *why = "not a string";
    return std::nullopt;
  }
  why->clear();
  return ToU8(v->s);
}

// A call's arguments as LiteralArgs reads them: literals, names, `name[number]`.
bool LiteralShaped(const std::vector<Token>& t, size_t open, size_t close) {
  for (size_t j = open + 1; j < close && j < t.size(); ++j) {
    const Token& a = t[j];
    bool ok =
        a.type == Tok::kString || a.type == Tok::kNumber || a.type == Tok::kWord ||
        js::Op(a, ",") || js::Op(a, "-") ||
        (js::Op(a, "[") && j + 2 < close && t[j + 1].type == Tok::kNumber && js::Op(t[j + 2], "]"));
    if (!ok) return false;
    if (js::Op(a, "[")) j += 2;
  }
  return true;
}

// The layer path names the decoder; its name is the attacker's, so only word characters.
std::string DecoderShown(const std::string& name) {
  std::string shown;
  for (char c : name.substr(0, 32))
    shown += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ? c : '?';
  return shown + "()";
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
  if (!p.HasScopes()) {
    *why = "no function " + name;
    return false;
  }
  size_t steps = 0;
  p.Init(limits, &steps);
  // The first function declared by that name (or a variable it initialises).
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].type != Tok::kWord || tokens[i].text != name) continue;
    if (!p.FunctionOfBinding(static_cast<int32_t>(i))) continue;
    Machine m(p, limits, false);
    std::optional<Val> fn = m.Resolve(i);
    if (!fn) {
      *why = m.why;
      return false;
    }
    bool global = false;
    std::optional<std::string> r = Run(m, *fn, std::move(values), why, &global);
    if (r) *out = global ? "<global " + *r + ">" : std::move(*r);
    return r.has_value();
  }
  *why = "no function " + name;
  return false;
}

namespace {

// The fold with the literal calls run, and the call sites `traced` names replaced by what the
// traced run saw them return where the literal run cannot.
bool FoldWith(std::vector<Token>& t, FoldBudget& budget,
              const std::map<size_t, std::string>& traced) {
  if ((budget.eval_steps_left == 0 && traced.empty()) || budget.exhausted) return false;
  bool any = false;
  for (const Token& k : t)
    if (k.type == Tok::kWord && DecoderWord(k.text)) {
      any = true;
      break;
    }
  if (!any) return false;
  Program p(t, false);
  if (!p.HasDecoders() && traced.empty()) return false;
  if (p.HasDecoders()) {
    // The state the script's own top-level statements leave, charged to the same budget (half
    // of it at most, and a quarter million steps a pass: the calls are what the budget is for;
    // a decoder's tables are set up in thousands, a flattened program's main loop runs on until
    // it meets the page).
    JsEvalLimits l;
    l.max_steps = std::min({l.max_steps, budget.eval_steps_left / 2, kInitSteps});
    size_t steps = 0;
    p.Init(l, &steps);
    budget.eval_steps_left -= std::min(budget.eval_steps_left, steps);
  }
  std::vector<Token> out;
  out.reserve(t.size());
  bool changed = false;
  // callee + arguments -> result (a global's name when the flag is set)
  std::map<std::string, std::pair<std::optional<std::string>, bool>> done;
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    // The token as it is, or the string the traced run saw its call return.
    auto keep = [&]() {
      auto tr = traced.find(i);
      size_t close = tr == traced.end() ? js::kNone : p.Match(i + 1);
      if (close == js::kNone || tr->second.size() > budget.bytes_left) {
        out.push_back(k);
        return;
      }
      budget.bytes_left -= tr->second.size();
      Token s;
      s.type = Tok::kString;
      s.quote = '\'';
      s.text = tr->second;
      s.decoded_by = DecoderShown(k.text);
      // "d(...)": run on arguments the script computed, not on literals (behaviour_js.cc).
      if (!LiteralShaped(t, i + 1, close)) s.decoded_by.insert(s.decoded_by.size() - 1, "...");
      out.push_back(std::move(s));
      i = close;
      changed = true;
    };
    if (!p.HasDecoders()) {
      keep();
      continue;
    }
    std::string refused = "js:" + k.text + "@" + std::to_string(p.scopes().Binding(i));
    bool candidate = k.type == Tok::kWord && i + 1 < t.size() && js::Op(t[i + 1], "(") &&
                     p.IsDecoder(i) && !budget.eval_refused.count(refused) &&
                     !(i > 0 && (js::Op(t[i - 1], ".") || js::Word(t[i - 1], "function") ||
                                 js::Word(t[i - 1], "new")));
    size_t close = candidate ? p.Match(i + 1) : js::kNone;
    if (close == js::kNone || budget.eval_steps_left == 0) {
      keep();
      continue;
    }
    JsEvalLimits l;
    l.max_steps = std::min(l.max_steps, budget.eval_steps_left);
    Machine m(p, l, false);
    bool has_literal = false;
    std::optional<std::vector<Val>> args = LiteralArgs(t, i + 1, close, m, &has_literal);
    std::optional<Val> fn = args && has_literal ? m.Resolve(i) : std::nullopt;
    if (!fn || fn->k != Val::kFn) {
      keep();
      continue;
    }
    std::string key = std::to_string(fn->n) + '\0';
    for (const Val& a : *args)
      key += (a.k == Val::kStr ? "s" + ToU8(a.s) : "n" + ToU8(jseval::NumberText(a.n))) + '\0';
    auto hit = done.find(key);
    if (hit == done.end()) {
      std::string why;
      bool global = false;
      std::optional<std::string> r = Run(m, *fn, std::move(*args), &why, &global);
      budget.eval_steps_left -= std::min(budget.eval_steps_left, m.steps);
      // A decoder that cannot run on one literal will not run on the next either.
      if (!r && why != "not a string") budget.eval_refused.insert(refused);
      hit = done.emplace(key, std::make_pair(std::move(r), global)).first;
    }
    const std::optional<std::string>& value = hit->second.first;
    if (!value || value->empty() || value->size() > budget.bytes_left) {
      keep();
      continue;
    }
    budget.bytes_left -= value->size();
    Token s;
    s.type = Tok::kString;
    s.quote = '\'';
    s.text = *value;
    if (hit->second.second) {
      // The call hands back a global by name (`g('x')` is `document`): the name, as a word.
      s.type = Tok::kWord;
      s.concealed = true;
      out.push_back(std::move(s));
      i = close;
      changed = true;
      continue;
    }
    s.decoded_by = DecoderShown(k.text);
    out.push_back(std::move(s));
    i = close;
    changed = true;
  }
  if (changed) t = std::move(out);
  return changed;
}

}  // namespace

bool FoldJsDecoders(std::vector<Token>& t, FoldBudget& budget) {
  if (FoldWith(t, budget, {})) return true;
  // Once the literal calls are all read, once a layer: the traced run, on its own steps.
  if (budget.js_traced || budget.exhausted || budget.eval_steps_left == 0) return false;
  budget.js_traced = true;
  std::map<size_t, std::string> traced = TraceDecoderCalls(t, budget);
  return !traced.empty() && FoldWith(t, budget, traced);
}

}  // namespace tq::webroot
