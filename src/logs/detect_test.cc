// Format detection per file and per line (detect.cc), and the low parse share that makes a
// wrong --log-format an item error instead of a clean log.
#include <gtest/gtest.h>

#include "logs/formats_test_support.h"

namespace tq::logs {
namespace {

using namespace format_test;  // NOLINT: test helpers

TEST(DetectTest, EachLineFallsBackToTheFormatThatReadsIt) {
  TempDir dir;
  std::string combined;
  for (int i = 0; i < 60; ++i)
    combined += "192.0.2." + std::to_string(i) +
                R"( - - [10/Oct/2025:13:55:36 +0000] "GET /c HTTP/1.1" 200 5 "-" "ua")"
                "\n";
  combined += R"(198.51.100.1 - - [10/Oct/2025:13:55:37 +0000] "GET /common HTTP/1.1" 404 7)"
              "\n";
  WriteFile(dir.path() + "/m.log", combined);
  ParseStats st;
  std::vector<Got> got = ReadAll(dir.path() + "/m.log", &st);
  EXPECT_EQ(st.format, "combined");
  ASSERT_EQ(got.size(), 61u);
  EXPECT_EQ(got.back().client, "198.51.100.1");
  EXPECT_EQ(got.back().uri, "/common");
  EXPECT_EQ(got.back().status, "404");
  EXPECT_TRUE(st.LowShare().empty());
}

TEST(DetectTest, AWrongFormatIsALowShareNotACleanLog) {
  ParseStats st;
  StreamOptions o;
  o.log_format = "combined";
  ReadAll(Testdata("iis_w3c.log"), &st, o);
  EXPECT_EQ(st.parsed, 0u);
  EXPECT_EQ(st.LowShare(), "parsed 0 of 14 lines (0.0%) as combined");
  std::vector<std::string_view> sample = {"#Fields: date time c-ip cs-method cs-uri-stem sc-status",
                                          "2025-10-10 00:00:01 192.0.2.1 GET / 200",
                                          "2025-10-10 00:00:02 192.0.2.1 GET / 200"};
  FormatGuess g = BestFormat(sample);
  EXPECT_EQ(g.format, "w3c");
  EXPECT_EQ(g.parsed, 2u);
  EXPECT_EQ(g.tried, 2u);
  // Blank lines, directives and service messages are not requests: a Caddy log that is
  // mostly service messages is not flagged.
  ParseStats caddy;
  ReadAll(Testdata("caddy.log"), &caddy);
  EXPECT_TRUE(caddy.LowShare().empty()) << caddy.LowShare();
  ParseStats none;
  none.format = "combined";
  none.lines = 3;
  none.Skip(kSkipEmpty, 1);
  none.Skip(kSkipEmpty, 2);
  none.Skip(kSkipEmpty, 3);
  EXPECT_EQ(none.LowShare(), "parsed 0 of 0 lines (0.0%) as combined");
}

}  // namespace
}  // namespace tq::logs
