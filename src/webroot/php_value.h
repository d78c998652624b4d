// Implementation header (php_eval.cc and php_eval_run.cc only): the values and the syntax
// tree of the decoder evaluator. Strings and arrays are shared and copied on write, so that
// reading `$s[$i]` or `strlen($s)` in a loop costs nothing per iteration; what a run creates
// is charged to its limits by the machine (php_eval_run.cc).
#pragma once

#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "webroot/php_eval.h"

namespace tq::webroot::php_eval {

using tq::Lower;

struct Array;

struct Value {
  enum class K : uint8_t { kNull, kBool, kInt, kFloat, kStr, kArr };
  K k = K::kNull;
  int64_t i = 0;  // kInt, kBool
  double f = 0;   // kFloat
  std::shared_ptr<std::string> s;
  std::shared_ptr<Array> a;

  static Value Bool(bool b) {
    Value v;
    v.k = K::kBool;
    v.i = b;
    return v;
  }
  static Value Int(int64_t n) {
    Value v;
    v.k = K::kInt;
    v.i = n;
    return v;
  }
  static Value Float(double d) {
    Value v;
    v.k = K::kFloat;
    v.f = d;
    return v;
  }
  static Value Str(std::string text) {
    Value v;
    v.k = K::kStr;
    v.s = std::make_shared<std::string>(std::move(text));
    return v;
  }
  bool is_str() const { return k == K::kStr; }
  bool is_arr() const { return k == K::kArr; }
  bool is_null() const { return k == K::kNull; }
  const std::string& str() const {
    static const std::string kEmpty;
    return s ? *s : kEmpty;
  }
};

// An ordered map of int or string keys, as PHP's arrays are.
struct Array {
  std::vector<std::pair<Value, Value>> items;
  std::map<std::string, size_t> index;  // canonical key -> position in items
  int64_t next = 0;
};

// Node kinds: expressions, then statements.
enum class N : uint8_t {
  kNop,
  kLit,
  kVar,
  kIndex,   // kids: base, key
  kAppend,  // $a[] (assignment target only)
  kCall,    // text: lowercase name
  kBin,     // text: operator
  kAnd,
  kOr,
  kCoalesce,
  kUnary,  // text: ! - + ~
  kCast,   // text: int, string, ...
  kTernary,
  kAssign,  // text: operator
  kIncDec,  // text: ++ or --; flag 1 prefix
  kArrayLit,
  kIsset,
  kEmpty,
  kInterp,
  kBlock,
  kExpr,
  kIf,
  kWhile,
  kDoWhile,
  kFor,
  kForeach,
  kReturn,
  kBreak,  // flag: levels
  kContinue,
  kUnset,
};

struct Node {
  N kind = N::kNop;
  std::string text;
  Value lit;
  std::vector<uint32_t> kids;
  int flag = 0;
};

// A PHP number literal (decimal, 0x, 0b, 0o / leading-zero octal, floats, `_` separators).
inline std::optional<Value> ParseNumberToken(std::string_view s) {
  std::string clean;
  for (char c : s)
    if (c != '_') clean += c;
  if (clean.empty() || clean.size() > 64) return std::nullopt;
  int base = 10;
  size_t i = 0;
  if (clean.size() > 2 && clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'X'))
    base = 16, i = 2;
  else if (clean.size() > 2 && clean[0] == '0' && (clean[1] == 'b' || clean[1] == 'B'))
    base = 2, i = 2;
  else if (clean.size() > 2 && clean[0] == '0' && (clean[1] == 'o' || clean[1] == 'O'))
    base = 8, i = 2;
  else if (clean.find_first_of(".eE") != std::string::npos) {
    char* end = nullptr;
    double d = std::strtod(clean.c_str(), &end);
    if (end != clean.c_str() + clean.size()) return std::nullopt;
    return Value::Float(d);
  } else if (clean.size() > 1 && clean[0] == '0')
    base = 8, i = 1;
  uint64_t v = 0;
  for (; i < clean.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(clean[i]);
    int d = std::isdigit(c) ? c - '0' : std::isxdigit(c) ? std::tolower(c) - 'a' + 10 : 99;
    if (d >= base) return std::nullopt;
    if (v > (UINT64_MAX - d) / base) return Value::Float(1e19);  // PHP makes it a float
    v = v * base + d;
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(v));
  return Value::Int(static_cast<int64_t>(v));
}

// PHP's conversions and comparisons (php_eval_builtins.cc).
Value StrToNum(const std::string& s, bool* whole = nullptr);
bool Numeric(const std::string& s);
bool ToBool(const Value& v);
Value ToNum(const Value& v);
int64_t ToInt(const Value& v);
double ToFloat(const Value& v);
std::string ToStr(const Value& v);
std::pair<std::string, Value> KeyOf(const Value& k);  // canonical key, stored key
int Compare(const Value& a, const Value& b);          // loose (==, <, <=>)
bool Identical(const Value& a, const Value& b);       // ===

// What a built-in needs from the machine running it: strings and arrays charged to the
// run's limits, a refusal, and calls of callbacks (array_map) by name.
class BuiltinHost {
 public:
  virtual ~BuiltinHost() = default;
  virtual Value Str(std::string s) = 0;                  // Null (and the run stopped) past a limit
  virtual Value NewArray(std::vector<Value> items) = 0;  // a list, keys 0..n-1
  virtual void Refuse(bool too_big = false) = 0;  // the call cannot be evaluated (or is too big)
  virtual bool CallNamed(const std::string& lower_name, std::vector<Value> args, Value& out) = 0;
};

// Runs the built-in `lower_name`; false when there is no such built-in here.
bool CallBuiltin(const std::string& lower_name, std::vector<Value>& a, Value& out,
                 BuiltinHost& host);

}  // namespace tq::webroot::php_eval

namespace tq::webroot {

// One function the code defines: where its tokens are, and its tree once parsed.
struct UserFunctions::Def {
  std::string name;  // as written
  size_t params_open = 0, params_close = 0, body_open = 0, body_close = 0;
  bool parsed = false, ok = false;
  std::vector<php_eval::Node> nodes;
  std::vector<std::pair<std::string, int64_t>> params;  // name, default's node or -1
  uint32_t body = 0;
};

}  // namespace tq::webroot
