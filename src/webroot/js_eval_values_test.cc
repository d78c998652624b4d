// The decoder evaluator's values (js_eval_values.cc): JavaScript's conversions, operators and
// built-ins as a decoder uses them, and the heap's limits on what they make.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "webroot/js_eval_internal.h"

namespace tq::webroot::jseval {
namespace {

Val S(const char16_t* s) { return Val::Str(s); }

TEST(JsEvalValues, Conversions) {
  EXPECT_EQ(NumberText(42), u"42");
  EXPECT_EQ(NumberText(-0.5), u"-0.5");
  EXPECT_EQ(NumberText(NAN), u"NaN");
  EXPECT_EQ(RadixText(255, 16), u"ff");
  EXPECT_EQ(RadixText(-35, 36), u"-z");
  EXPECT_EQ(StrToNumber(u" 12 "), 12);
  EXPECT_EQ(StrToNumber(u""), 0);
  EXPECT_EQ(StrToNumber(u"0x10"), 16);
  EXPECT_TRUE(std::isnan(StrToNumber(u"12px")));
  EXPECT_EQ(ParseInt(u"12px", 10), 12);
  EXPECT_EQ(ParseInt(u"0x1A", 0), 26);
  EXPECT_EQ(ParseInt(u"z", 36), 35);
  EXPECT_TRUE(std::isnan(ParseInt(u"g", 16)));
  EXPECT_EQ(ToInt32(4294967296.0 + 5), 5);
  EXPECT_EQ(ToInt32(2147483648.0), -2147483648);
  EXPECT_EQ(ToUint32(-1), 4294967295u);
}

TEST(JsEvalValues, OperatorsAndMethods) {
  JsEvalLimits l;
  Heap h(l);
  EXPECT_EQ(h.Binary("+", S(u"a"), Val::Num(1))->s, u"a1");
  EXPECT_EQ(h.Binary("+", Val::Num(1), Val::Num(2))->n, 3);
  EXPECT_EQ(h.Binary("^", Val::Num(0x41), Val::Num(0x20))->n, 0x61);
  EXPECT_EQ(h.Binary(">>>", Val::Num(-1), Val::Num(28))->n, 15);
  EXPECT_TRUE(h.Binary("==", S(u"1"), Val::Num(1))->n);
  EXPECT_FALSE(h.Binary("===", S(u"1"), Val::Num(1))->n);
  EXPECT_EQ(h.Method(S(u"abc"), "charCodeAt", {Val::Num(1)})->n, 'b');
  EXPECT_TRUE(std::isnan(h.Method(S(u"abc"), "charCodeAt", {Val::Num(9)})->n));
  EXPECT_EQ(h.Method(S(u"abcdef"), "slice", {Val::Num(-2)})->s, u"ef");
  EXPECT_EQ(h.Method(S(u"abcdef"), "substr", {Val::Num(1), Val::Num(2)})->s, u"bc");
  EXPECT_EQ(h.Method(S(u"abcdef"), "substring", {Val::Num(4), Val::Num(1)})->s, u"bcd");
  EXPECT_EQ(h.Method(S(u"a-b-c"), "split", {S(u"-")})->a->size(), 3u);
  EXPECT_EQ(h.Method(S(u"aXbX"), "replace", {S(u"X"), S(u"")})->s, u"abX");
  EXPECT_EQ(h.Builtin("String.fromCharCode", {Val::Num(104), Val::Num(105)})->s, u"hi");
  EXPECT_EQ(h.Builtin("String.fromCodePoint", {Val::Num(0x1F600)})->s.size(), 2u);
  EXPECT_EQ(h.Builtin("atob", {S(u"ZXZhbA==")})->s, u"eval");
  EXPECT_EQ(h.Builtin("Math.floor", {Val::Num(2.7)})->n, 2);
  EXPECT_TRUE(h.why.empty());
  // Not the same answer twice, or a pattern: refused.
  EXPECT_FALSE(h.Builtin("Math.random", {}));
  EXPECT_FALSE(h.why.empty());
}

TEST(JsEvalValues, TheHeapsLimits) {
  JsEvalLimits l;
  l.max_string = 100;
  l.max_bytes = 1000;
  Heap h(l);
  EXPECT_FALSE(h.Method(S(u"ab"), "repeat", {Val::Num(1000)}));
  EXPECT_EQ(h.why, "repeat");
  Heap h2(l);
  std::optional<Val> s = h2.MakeStr(U16(90, u'a'));
  ASSERT_TRUE(s);
  for (int i = 0; i < 10 && h2.why.empty(); ++i) h2.MakeStr(U16(90, u'a'));
  EXPECT_EQ(h2.why, "memory limit");
  Heap h3(l);
  EXPECT_FALSE(h3.Builtin("Array", {Val::Num(1e9)}));
  Heap h4(l);
  EXPECT_FALSE(h4.MakeStr(U16(101, u'a')));
  EXPECT_EQ(h4.why, "string limit");
}

}  // namespace
}  // namespace tq::webroot::jseval
