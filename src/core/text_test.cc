#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace tq {
namespace {

TEST(Text, LowerFoldsAsciiOnlyAndKeepsOtherBytes) {
  EXPECT_EQ(Lower("Wp2_USERS"), "wp2_users");
  // UTF-8 and invalid bytes pass through unchanged (no locale).
  EXPECT_EQ(Lower("\xC3\x84Z\xff\x00X"), std::string("\xC3\x84z\xff", 4));
  EXPECT_EQ(Lower(std::string_view("A\0B", 3)), std::string("a\0b", 3));
  std::string s = "SeLeCt";
  LowerInPlace(&s);
  EXPECT_EQ(s, "select");
}

TEST(Text, EqualsFoldComparesWholeStrings) {
  EXPECT_TRUE(EqualsFold("INSERT", "insert"));
  EXPECT_TRUE(EqualsFold("", ""));
  EXPECT_FALSE(EqualsFold("INSERT", "inserts"));
  EXPECT_FALSE(EqualsFold("\xC3\x84", "\xC3\xA4"));  // Ä and ä: not ASCII, not folded
  EXPECT_FALSE(EqualsFold("[", "{"));                // 0x5B vs 0x7B: not letters
}

TEST(Text, FindFoldFindsEveryCaseAtEveryPosition) {
  EXPECT_EQ(FindFold("xx<ScRiPt src=", "<script"), 2u);
  EXPECT_EQ(FindFold("<SCRIPT", "<script"), 0u);
  EXPECT_EQ(FindFold("aaaaAB", "ab"), 4u);
  EXPECT_EQ(FindFold("abc", "abcd"), std::string_view::npos);
  EXPECT_EQ(FindFold("", "a"), std::string_view::npos);
  EXPECT_EQ(FindFold("Eval(eval(", "eval(", 1), 5u);
  EXPECT_EQ(FindFold("abc", "", 1), 1u);
  EXPECT_EQ(FindFold("abc", "c", 3), std::string_view::npos);
  // A near miss before the match, and a match that ends exactly at the end.
  EXPECT_EQ(FindFold("onerro onerror=", "onerror="), 7u);
  EXPECT_TRUE(ContainsFold("x JAVASCRIPT:", "javascript:"));
  EXPECT_FALSE(ContainsFold("javascript", "javascript:"));
  // Bytes >= 0x80 in the haystack never match a letter.
  EXPECT_FALSE(ContainsFold("\xC1\xC2\xC3", "a"));
}

TEST(Text, TrimRemovesAsciiSpaceAtBothEnds) {
  EXPECT_EQ(Trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("\xC2\xA0x"), "\xC2\xA0x");  // no-break space is not ASCII space
}

}  // namespace
}  // namespace tq
