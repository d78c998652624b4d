// Implementation header of the JavaScript decoder evaluator (js_eval.cc, js_eval_parse.cc,
// js_eval_values.cc and their tests): the parsed subset, values, and the heap that charges every
// string and array made to the run's limits.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/js_eval.h"

namespace tq::webroot::jseval {

using U16 = std::u16string;

// UTF-8 (as the lexer keeps a literal) to JavaScript's UTF-16 code units; a byte that starts
// no valid sequence stands for itself. And back (a lone surrogate as its own code point).
U16 ToU16(std::string_view s);
// The same, a byte that starts no valid sequence read as U+FFFD when `replace` (TextDecoder).
U16 Utf8ToU16(std::string_view s, bool replace);
std::string ToU8(const U16& s);
inline U16 Ascii(std::string_view s) { return U16(s.begin(), s.end()); }
// A code point appended as UTF-16 (a surrogate pair past U+FFFF).
inline void AppendUtf16(U16& out, uint32_t cp) {
  if (cp >= 0x10000) {
    cp -= 0x10000;
    out += static_cast<char16_t>(0xD800 + (cp >> 10));
    out += static_cast<char16_t>(0xDC00 + (cp & 0x3ff));
  } else {
    out += static_cast<char16_t>(cp);
  }
}
inline bool In(std::string_view w, std::initializer_list<std::string_view> set) {
  for (std::string_view x : set)
    if (x == w) return true;
  return false;
}
// A numeric literal's value (decimal, exponent, 0x, 0o, 0b, legacy octal).
std::optional<double> NumberLiteral(std::string_view s);
bool AssignOp(std::string_view op);

// ---------------------------------------------------------------------------------------------
// The parsed subset (js_eval_parse.cc).
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
    // the scoped subset: a function (declaration when op is "decl", else an expression; num
    // holds its parameter list's "(" token), try (kids: block, catch name or -1, catch block
    // or -1, finally block or -1), throw, a label (op) on a statement, this, an object literal
    // (kids: key kStr, value, key, value...)
    kFunc,
    kTry,
    kThrow,
    kLabel,
    kThis,
    kObject,
    kSwitch,  // kids: the value, then a case's test (-1 for default) and its block, in pairs
    kSpread,  // `...x` in an array literal or a call's arguments
  };
  Kind k = kUndef;
  std::string op;  // operator, or the name (kName, kMember, kVar), or a break's label
  double num = 0;  // kNum: the value; kName: its token (for its binding); kFunc: its '('
  U16 str;
  std::vector<int> kids;  // -1 for an absent part
};

// A function body t[b, e) as one block into `pool`; -1 when it holds anything outside the
// subset (a regular expression, switch, a getter, an arrow function...), more than `max_nodes`
// nodes, or nesting deeper than the parser follows. A nested function is one kFunc node: its
// body is parsed when it is called.
int ParseJsBody(const std::vector<Token>& t, size_t b, size_t e, std::vector<Node>& pool,
                size_t max_nodes);
// One expression t[b, e) (a parameter's default) into `pool`; -1 when it is not one.
int ParseJsExpr(const std::vector<Token>& t, size_t b, size_t e, std::vector<Node>& pool,
                size_t max_nodes);
// The script's top-level statements one by one, each with its tokens; a statement that does
// not parse has node -1 (the parse goes on after it, at the next ";" or "}" outside brackets).
struct TopStatement {
  int node = -1;
  size_t b = 0, e = 0;
};
std::vector<TopStatement> ParseJsScript(const std::vector<Token>& t, std::vector<Node>& pool,
                                        size_t max_nodes);

// ---------------------------------------------------------------------------------------------
// Values and the conversions of the language (js_eval_values.cc).
struct Val;
using ArrPtr = std::shared_ptr<std::vector<Val>>;
using ObjPtr = std::shared_ptr<std::vector<std::pair<std::u16string, Val>>>;
struct Val {
  enum K : uint8_t { kUndef, kNull, kBool, kNum, kStr, kArr, kFn, kBuiltin, kObj } k = kUndef;
  double n = 0;  // kFn: the "(" token of the function's parameters
  U16 s;
  ArrPtr a;
  std::string name;  // kBuiltin: "String", "Math", "parseInt", ...; kObj: "global", "TextDecoder"
  std::shared_ptr<void> env;  // kFn: the scope it closes over (js_eval.cc's Frame)
  ObjPtr o;                   // kObj (and kFn): its own properties

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

double ToInteger(double d);
int32_t ToInt32(double d);
uint32_t ToUint32(double d);
U16 NumberText(double d);            // Number.prototype.toString()
U16 RadixText(double d, int radix);  // (n).toString(radix), integers; others as NumberText
double StrToNumber(const U16& s);    // Number("..")
double ParseInt(const U16& s, int radix);

// The run's accounting (steps, bytes made, the reason it stopped) and what needs it: the
// conversions that build strings, the operators, and the built-in functions and methods.
class Heap {
 public:
  explicit Heap(const JsEvalLimits& l) : l_(l) {}
  size_t steps = 0;
  std::string why;  // empty while running

  std::nullopt_t Stop(std::string reason);
  bool Step();
  bool Charge(size_t n);
  std::optional<Val> MakeStr(U16 s);
  U16 ToStr(const Val& v, int depth = 0);
  double ToNum(const Val& v);
  static bool Truthy(const Val& v);
  static bool StrictEq(const Val& a, const Val& b);
  bool LooseEq(const Val& a, const Val& b);
  std::optional<Val> Binary(const std::string& op, const Val& a, const Val& b);
  // recv.m(a...) on a string, an array or a number.
  std::optional<Val> Method(const Val& recv, const std::string& m, const std::vector<Val>& a);
  // String.fromCharCode, Math.floor, parseInt, atob, ... ("String", "Array" as functions).
  std::optional<Val> Builtin(const std::string& name, const std::vector<Val>& a);

  // A new array or object, charged and kept in a list: values can hold each other (an array
  // holding itself, a closure in the scope it closes over), so the run's owner empties them
  // all when it is done (Release), or keeps them (TakeMade) while they are still read.
  ArrPtr NewArr();
  ObjPtr NewObj();
  struct Made {
    std::vector<ArrPtr> arrays;
    std::vector<ObjPtr> objects;
  };
  Made TakeMade() { return std::move(made_); }
  static void Release(Made& m);

 protected:
  const JsEvalLimits& l_;
  size_t bytes_ = 0;
  Made made_;

 private:
  double Arg(const std::vector<Val>& a, size_t i, double missing = NAN);
  static size_t Rel(double v, size_t len);
};

}  // namespace tq::webroot::jseval
