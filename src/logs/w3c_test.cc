// W3C extended logs (w3c.cc): values IIS writes with '+' for spaces.
#include <gtest/gtest.h>

#include "logs/formats_test_support.h"

namespace tq::logs {
namespace {

using namespace format_test;  // NOLINT: test helpers

TEST(W3cTest, IisHeaderValuesGetTheirSpacesBack) {
  ParseStats st;
  std::vector<Got> got = ReadAll(Testdata("iis_w3c.log"), &st);
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got[0].ua, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
  EXPECT_EQ(got[1].ua, "Mozilla/5.0");
}

}  // namespace
}  // namespace tq::logs
