// Platform error logs: the lines a case's logs put on the timeline (the line formats and which
// files count: logs/platform_log_test.cc), hostile lines.
#include "analysis/platform_logs.h"

#include <gtest/gtest.h>

#include <limits>

#include "analysis/test_case.h"

namespace tq::analysis {
namespace {

constexpr UnixMicros kSec = 1000000;

class PlatformLogCaseTest : public testcase::CaseTest {
 protected:
  void AddLog(const std::string& path, const std::string& content) {
    AddItem("webroot", path, content);
  }
};

TEST_F(PlatformLogCaseTest, SelectsLinesNamingTheAttackerOrErringInTheWindow) {
  AddLog("wp-content/debug.log",
         "[08-Mar-2025 09:00:00 UTC] PHP Warning:  ordinary warning\n"
         "[08-Mar-2025 11:34:40 UTC] PHP Warning:  Undefined array key \"c\" in "
         "/var/www/html/wp-content/uploads/2025/03/x.php on line 8\n"
         "[08-Mar-2025 11:35:00 UTC] PHP Notice:  request from 11.2.3.45\n"
         "[08-Mar-2025 11:36:00 UTC] PHP Notice:  request from 1.2.3.4 refused\n"
         "[08-Mar-2025 12:00:00 UTC] PHP Fatal error:  Allowed memory size exhausted\n"
         "#0 {main}\n"
         "[31-Feb-2025 12:00:00 UTC] PHP Fatal error:  bad date\n"
         "[09-Mar-2025 12:00:00 UTC] PHP Fatal error:  the next day, outside the window\n");
  AddLog("var/log/nginx/access.log", "[08-Mar-2025 12:00:00 UTC] PHP Fatal error: not mine\n");
  PlatformLogSelect select;
  select.needles = {"/uploads/2025/03/x.php", "1.2.3.4"};
  Result<UnixMicros> from = ParseIso8601("2025-03-08T11:00:00Z", TimeZone::Utc());
  ASSERT_TRUE(from.ok());
  select.from = *from;
  select.to = *from + 3 * 3600 * kSec;
  std::vector<PlatformEvent> events;
  PlatformLogStats stats;
  ASSERT_TRUE(ReadPlatformLogs(*case_, select, &events, &stats).ok());
  EXPECT_EQ(stats.files, 1);
  EXPECT_EQ(stats.lines, 8);
  EXPECT_EQ(stats.continuation, 1);
  ASSERT_EQ(stats.skipped.size(), 1u) << "one line skipped, with its reason";
  EXPECT_EQ(stats.skipped.begin()->first.rfind("impossible date", 0), 0u);
  EXPECT_EQ(stats.skipped.begin()->second.count, 1u);
  // Where it was: its line, its byte offset in the item and its length.
  const SkippedInput& e = stats.skipped.begin()->second.examples.at(0);
  EXPECT_GT(e.line, 0u);
  EXPECT_GT(e.bytes, 0u);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].line, 2);
  EXPECT_EQ(events[0].why, "names /uploads/2025/03/x.php");
  EXPECT_EQ(events[1].line, 4);
  EXPECT_EQ(events[1].why, "names 1.2.3.4");
  EXPECT_EQ(events[2].line, 5);
  EXPECT_EQ(events[2].level, "CRITICAL");
  EXPECT_EQ(events[2].why, "error in the attack window");
  EXPECT_GT(events[2].offset, 0);
  // The cap: the rest is counted, not silently dropped.
  select.max_events = 1;
  events.clear();
  PlatformLogStats capped;
  ASSERT_TRUE(ReadPlatformLogs(*case_, select, &events, &capped).ok());
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(capped.dropped, 2);
}

// Web server error logs onto the timeline: local times in the case's zone, the client named
// in the line as a needle, errors in the window.
TEST_F(PlatformLogCaseTest, WebServerErrorLinesGoOnTheTimeline) {
  ASSERT_TRUE(case_
                  ->UpdateInfo([&] {
                    CaseInfo i = case_->Info().value();
                    i.timezone = "Europe/Berlin";
                    return i;
                  }())
                  .ok());
  AddLog("/var/log/nginx/error.log",
         "2025/03/08 12:00:00 [notice] 1#1: signal process started\n"
         "2025/03/08 12:34:40 [error] 7#7: *9 open() \"/x\" failed, client: 1.2.3.4, server: s\n"
         "2025/03/08 12:40:00 [crit] 7#7: *10 SSL_do_handshake() failed, client: 9.9.9.9\n");
  AddLog("/var/log/apache2/error.log",
         "[Sat Mar 08 12:50:00.000000 2025] [core:notice] [pid 1] AH00052: child pid 4 exit "
         "signal Segmentation fault (11)\n");
  PlatformLogSelect select;
  select.needles = {"1.2.3.4"};
  select.from = ParseIso8601("2025-03-08T11:00:00Z", TimeZone::Utc()).value();
  select.to = *select.from + 3 * 3600 * kSec;
  std::vector<PlatformEvent> events;
  PlatformLogStats stats;
  ASSERT_TRUE(ReadPlatformLogs(*case_, select, &events, &stats).ok());
  EXPECT_EQ(stats.files, 2);
  EXPECT_EQ(stats.parsed, 4);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(FormatUtc(events[0].time), "2025-03-08T11:34:40Z");  // CET: UTC+1
  EXPECT_EQ(events[0].why, "names 1.2.3.4");
  EXPECT_EQ(events[0].channel, "nginx");
  EXPECT_EQ(events[0].line, 2);
  EXPECT_EQ(events[1].level, "CRITICAL");
  EXPECT_EQ(events[1].why, "error in the attack window");
}

TEST_F(PlatformLogCaseTest, HostileLinesAreCountedNotFatal) {
  std::string junk(3 << 20, 'A');  // a 3 MB line, past the line cap
  using namespace std::string_literals;
  AddLog("var/log/exception.log", "[2024-07-13T00:13:07+00:00] main.CRITICAL: first\n" + junk +
                                      "\n\xff\xfe\x00\x01 binary\n"
                                      "[2024-07-13T00:13:09+00:00] main.CRITICAL: last"s);
  PlatformLogSelect select;
  select.from = 0;
  select.to = std::numeric_limits<UnixMicros>::max();
  std::vector<PlatformEvent> events;
  PlatformLogStats stats;
  ASSERT_TRUE(ReadPlatformLogs(*case_, select, &events, &stats).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].message, "first");
  EXPECT_EQ(events[1].message, "last");
  EXPECT_EQ(events[1].line, 4);
  EXPECT_EQ(stats.skipped.total(), 1u) << "the long line";
}

}  // namespace
}  // namespace tq::analysis
