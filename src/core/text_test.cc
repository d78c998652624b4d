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

// Against lower-casing both and searching, on text of few letters in both cases; and on text
// full of the first byte in one case only (read once: a search per candidate over the rest of
// the text, as before, took hours on these 2 MB).
TEST(Text, FindFoldAgreesWithFoldingFirstAndStaysLinear) {
  uint32_t seed = 7;
  auto rnd = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  const char letters[] = "aAbB<";
  for (int n = 0; n < 3000; ++n) {
    std::string h, needle;
    for (int i = static_cast<int>(rnd() % 40); i > 0; --i) h += letters[rnd() % 5];
    for (int i = 1 + static_cast<int>(rnd() % 3); i > 0; --i) needle += "ab<"[rnd() % 3];
    size_t from = rnd() % (h.size() + 2);
    size_t want = from > h.size() ? std::string::npos : Lower(h).find(needle, from);
    EXPECT_EQ(FindFold(h, needle, from), want) << h << " / " << needle << " from " << from;
  }
  std::string big(2u << 20, 'e');
  big += "Eval(";
  EXPECT_EQ(FindFold(big, "eval("), 2u << 20);
  EXPECT_EQ(FindFold(std::string(2u << 20, 'E'), "eval("), std::string_view::npos);
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
