#include "core/skipped.h"

#include <gtest/gtest.h>

namespace tq {
namespace {

TEST(SkippedInput, SaysWhereAndWhyWithThePartsItKnows) {
  EXPECT_EQ((SkippedInput{"access.log", 12, 400, 0, "bad timestamp"}).ToString(),
            "access.log:12: bad timestamp");
  EXPECT_EQ((SkippedInput{"rules/x.yml", 0, 0, 0, "not YAML"}).ToString(), "rules/x.yml: not YAML");
  EXPECT_EQ((SkippedInput{"", 7, 0, 0, "line too long"}).ToString(), "line 7: line too long");
  EXPECT_EQ((SkippedInput{"dump.sql", 0, 1024, 80, "row lost"}).ToString(),
            "dump.sql: row lost (at byte 1024) (80 bytes)");
}

TEST(SkipTally, CountsByReasonAndKeepsTheFirstFewWhole) {
  SkipTally t;
  EXPECT_TRUE(t.empty());
  for (uint64_t line = 1; line <= 8; ++line) t.Add("format mismatch", line, line * 100, 90);
  t.Add("line too long", 9, 900, 2000000, "big.log");
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.total(), 9u);
  EXPECT_EQ(t.count("format mismatch"), 8u);
  EXPECT_EQ(t.count("no such reason"), 0u);
  const SkipTally::Reason* r = t.find("format mismatch");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->bytes, 720u);
  ASSERT_EQ(r->examples.size(), SkipTally::kExamples);
  EXPECT_EQ(r->examples.front().line, 1u);
  EXPECT_EQ(r->examples.back().line, 5u);
  EXPECT_EQ(r->examples.back().offset, 500u);
  EXPECT_EQ(r->examples.back().reason, "format mismatch");
  EXPECT_EQ(t.find("line too long")->examples.at(0).ToString(),
            "big.log:9: line too long (2000000 bytes)");
}

TEST(SkipTally, MergeAddsCountsAndFillsTheExamplesLeft) {
  SkipTally a, b;
  for (uint64_t line = 1; line <= 3; ++line) a.Add("bad date", line);
  for (uint64_t line = 10; line <= 14; ++line) b.Add("bad date", line);
  b.Add("empty line", 20);
  a.Merge(b);
  EXPECT_EQ(a.count("bad date"), 8u);
  EXPECT_EQ(a.count("empty line"), 1u);
  const std::vector<SkippedInput>& ex = a.find("bad date")->examples;
  ASSERT_EQ(ex.size(), SkipTally::kExamples);
  EXPECT_EQ(ex[2].line, 3u);
  EXPECT_EQ(ex[3].line, 10u);
  EXPECT_EQ(ex[4].line, 11u);
  a.ShiftLines(100);
  EXPECT_EQ(a.find("bad date")->examples.front().line, 101u);
  EXPECT_EQ(a.find("empty line")->examples.front().line, 120u);
}

}  // namespace
}  // namespace tq
