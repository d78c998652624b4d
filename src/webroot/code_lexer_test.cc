// The lexers' token helpers (code_lexer.h): operator tokens and integer literals as PHP and
// JavaScript spell them; the lexers themselves are exercised through Normalize in
// normalize_test.cc.
#include "webroot/code_lexer.h"

#include <gtest/gtest.h>

#include <string>

namespace tq::webroot {
namespace {

TEST(CodeLexer, IntegerLiteralBases) {
  EXPECT_EQ(IntegerLiteral("0"), 0);
  EXPECT_EQ(IntegerLiteral("101"), 101);
  EXPECT_EQ(IntegerLiteral("0x41"), 65);
  EXPECT_EQ(IntegerLiteral("0XfF"), 255);
  EXPECT_EQ(IntegerLiteral("0b101"), 5);
  EXPECT_EQ(IntegerLiteral("0o17"), 15);
  EXPECT_EQ(IntegerLiteral("017"), 15);  // legacy octal (PHP, sloppy JavaScript)
  EXPECT_EQ(IntegerLiteral("1_000"), 1000);
}

TEST(CodeLexer, IntegerLiteralRejects) {
  EXPECT_EQ(IntegerLiteral(""), std::nullopt);
  EXPECT_EQ(IntegerLiteral("0x"), std::nullopt);
  EXPECT_EQ(IntegerLiteral("09"), std::nullopt);  // not octal
  EXPECT_EQ(IntegerLiteral("0b2"), std::nullopt);
  EXPECT_EQ(IntegerLiteral("1.5"), std::nullopt);
  EXPECT_EQ(IntegerLiteral("12abc"), std::nullopt);
  EXPECT_EQ(IntegerLiteral(std::string(21, '1')), std::nullopt);  // too long to read
  EXPECT_EQ(IntegerLiteral("0x10000000001"), std::nullopt);       // above 2^40
  EXPECT_EQ(IntegerLiteral("0x10000000000"), int64_t{1} << 40);
}

TEST(CodeLexer, IsOpMatchesOperatorsOnly) {
  LexResult r = LexJs("a('(')", LexLimits{});
  ASSERT_EQ(r.tokens.size(), 4u);
  EXPECT_TRUE(IsOp(r.tokens[1], "("));
  EXPECT_FALSE(IsOp(r.tokens[2], "("));  // the string "(" is no operator
  EXPECT_TRUE(IsOp(r.tokens[3], ")"));
  EXPECT_FALSE(IsOp(r.tokens[0], "a"));
}

}  // namespace
}  // namespace tq::webroot
