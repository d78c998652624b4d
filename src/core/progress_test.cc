#include "core/progress.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace tq {
namespace {

TEST(ProgressTest, LineHasUnitCountsRateAndEta) {
  EXPECT_EQ(FormatProgress("logs: scanning", "bytes", 1'500'000, 3'000'000, 1.0),
            "logs: scanning [############............] 1.5 MB/3.0 MB  1.5 MB/s  ETA 1s");
  EXPECT_EQ(FormatProgress("notify: sending", "messages", 30, 120, 10.0),
            "notify: sending [######..................] 30/120 messages  3 messages/s  ETA 30s");
  EXPECT_EQ(FormatProgress("webroot", "files", 0, 10, 0.0),
            "webroot [........................] 0/10 files  ETA ?");
  // Long waits read in minutes and hours.
  EXPECT_EQ(FormatProgress("x", "rows", 1, 100, 60.0),
            "x [........................] 1/100 rows  ETA 1h39m");
  EXPECT_EQ(FormatProgress("x", "rows", 1, 10000, 60.0),
            "x [........................] 1/10000 rows  ETA 166h39m");
}

TEST(ProgressTest, DoneIsNeverShownPastTheTotal) {
  EXPECT_EQ(FormatProgress("x", "files", 12, 10, 2.0),
            "x [########################] 10/10 files  6 files/s  2s");
}

TEST(ProgressTest, UnknownTotalShowsCountAndTime) {
  EXPECT_EQ(FormatProgress("collect", "bytes", 2'000, 0, 3.0), "collect 2.0 kB  3s");
  EXPECT_EQ(FormatProgress("analysis: writing", "", 0, 0, 75.0), "analysis: writing  1m15s");
}

// The ticker draws while the work reports nothing, and Finish clears the line.
TEST(ProgressTest, DrawsToTheGivenDescriptorAndClears) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    Progress p(fds[1], "work", "items", 4);
    p.Add(3);
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    p.Step("more work", "rows", 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  ::close(fds[0]);
  EXPECT_NE(out.find("\rwork [##################......] 3/4 items"), std::string::npos) << out;
  EXPECT_NE(out.find("\rmore work 0 rows"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 4), "\r\x1b[K");
}

TEST(ProgressTest, SilentWithoutADescriptor) {
  Progress p(-1, "work", "items", 4);
  EXPECT_FALSE(p.enabled());
  p.Add(2);
  p.Step("x", "rows", 1);
  p.Finish();
}

}  // namespace
}  // namespace tq
