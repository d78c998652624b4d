// Platform and web server error logs: PHP's and Monolog's line formats, bad headers, which
// files count, and one item read line by line (plain and gzip, continuations, skipped lines,
// an unreadable item).
#include "logs/platform_log.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "support/testing.h"

namespace tq::logs {
namespace {

TEST(PlatformLogs, PhpErrorLogLine) {
  std::string why;
  auto h = ParsePlatformLogLine(
      "[08-Mar-2025 11:34:40 UTC] PHP Warning:  Undefined array key \"c\" in "
      "/var/www/html/wp-content/uploads/x.php on line 8",
      &why);
  ASSERT_TRUE(h.has_value()) << why;
  EXPECT_EQ(FormatUtc(h->time), "2025-03-08T11:34:40Z");
  EXPECT_EQ(h->level, "WARNING");
  EXPECT_EQ(h->channel, "php");
  EXPECT_EQ(h->message.substr(0, 20), "Undefined array key ");
  h = ParsePlatformLogLine("[08-Mar-2025 12:00:00 Europe/Berlin] PHP Fatal error:  boom", &why);
  ASSERT_TRUE(h.has_value()) << why;
  EXPECT_EQ(FormatUtc(h->time), "2025-03-08T11:00:00Z");
  EXPECT_EQ(h->level, "CRITICAL");
  h = ParsePlatformLogLine("[08-Mar-2025 12:00:00 UTC] plugin says hello\r", &why);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->level, "ERROR");
  EXPECT_EQ(h->message, "plugin says hello");
}

TEST(PlatformLogs, MonologLine) {
  std::string why;
  auto h = ParsePlatformLogLine(
      "[2024-07-13T00:13:07.000000+02:00] main.CRITICAL: Warning: DOMDocument::loadXML(): "
      "Entity 'exfil' not defined {\"exception\":\"[object] (Exception(code: 0))\"} []",
      &why);
  ASSERT_TRUE(h.has_value()) << why;
  EXPECT_EQ(FormatUtc(h->time), "2024-07-12T22:13:07Z");
  EXPECT_EQ(h->channel, "main");
  EXPECT_EQ(h->level, "CRITICAL");
  EXPECT_TRUE(IsErrorLevel(h->level));
  h = ParsePlatformLogLine("[2019-01-02 03:04:05] report.INFO: cache_invalidate: {} []", &why);
  ASSERT_TRUE(h.has_value()) << why;
  EXPECT_EQ(FormatUtc(h->time), "2019-01-02T03:04:05Z");
  EXPECT_FALSE(IsErrorLevel(h->level));
}

TEST(PlatformLogs, ContinuationsAndBadHeaders) {
  std::string why;
  // Stack traces and free text continue the line before: no header, no reason.
  for (const char* line :
       {"#0 /var/www/html/vendor/magento/framework/App/Http.php(116): x()", "Stack trace:", "", "[",
        "[]", "[2024-07-13T00:13:07+00:00]", "[2024-07-13T00:13:07+00:00] no level here",
        "[not a date at all] x", "\xff\xfe[\x80"}) {
    EXPECT_FALSE(ParsePlatformLogLine(line, &why).has_value()) << line;
    EXPECT_TRUE(why.empty()) << line << ": " << why;
  }
  // A header that does not hold says why.
  EXPECT_FALSE(ParsePlatformLogLine("[31-Feb-2025 11:34:40 UTC] PHP Warning: x", &why));
  EXPECT_NE(why.find("impossible date"), std::string::npos) << why;
  EXPECT_FALSE(ParsePlatformLogLine("[08-Mar-2025 11:34:40 Mars/Olympus] PHP Warning: x", &why));
  EXPECT_EQ(why, "unknown time zone");
  EXPECT_FALSE(ParsePlatformLogLine("[2024-13-45T00:13:07+00:00] main.ERROR: x", &why));
  EXPECT_EQ(why, "bad Monolog time");
}

TEST(PlatformLogs, WhichFilesArePlatformLogs) {
  EXPECT_TRUE(IsPlatformLogPath("wp-content/debug.log"));
  EXPECT_TRUE(IsPlatformLogPath("/srv/shop/var/log/exception.log"));
  EXPECT_TRUE(IsPlatformLogPath("var/log/system.log"));
  EXPECT_TRUE(IsPlatformLogPath("public_html/error_log"));
  EXPECT_TRUE(IsPlatformLogPath("php_errors.log"));
  EXPECT_FALSE(IsPlatformLogPath("access.log"));
  EXPECT_FALSE(IsPlatformLogPath("var/log/nginx/access.log"));
  EXPECT_FALSE(IsPlatformLogPath("pub/media/debug.log.php"));
  EXPECT_FALSE(IsPlatformLogPath(""));
}

TEST(PlatformLogs, WhichFilesAreWebServerErrorLogs) {
  EXPECT_TRUE(IsErrorLogPath("/var/log/nginx/error.log"));
  EXPECT_TRUE(IsErrorLogPath("/var/log/apache2/shop-error.log.2.gz"));
  EXPECT_TRUE(IsErrorLogPath("/var/log/httpd/ssl_error_log"));
  EXPECT_TRUE(IsErrorLogPath("/var/log/php8.2-fpm.log.1"));
  EXPECT_FALSE(IsErrorLogPath("/var/log/nginx/access.log"));
  EXPECT_FALSE(IsErrorLogPath("/var/log/php8.2-fpm/www-slow.log"));
  EXPECT_EQ(ErrorLogLevel("crit"), "CRITICAL");
  EXPECT_EQ(ErrorLogLevel("warn"), "WARNING");
  EXPECT_EQ(ErrorLogLevel("WARNING"), "WARNING");
  EXPECT_EQ(ErrorLogLevel("trace3"), "DEBUG");
}

struct ReadLine {
  UnixMicros time;
  std::string level, channel, message;
  uint64_t line, offset;
  bool operator==(const ReadLine&) const = default;
};

std::vector<ReadLine> ReadAll(const std::string& path, PlatformLogReadStats* stats,
                              const TimeZone& zone = TimeZone::Utc()) {
  std::vector<ReadLine> out;
  ReadPlatformLogItem(
      path, zone,
      [&](const PlatformLogLine& l) {
        out.push_back({l.header.time, l.header.level, l.header.channel,
                       std::string(l.header.message), l.line, l.offset});
      },
      stats);
  return out;
}

const char kMixed[] =
    "[08-Mar-2025 11:34:40 UTC] PHP Warning:  Undefined array key in /x.php on line 8\n"
    "#0 {main}\n"
    "[31-Feb-2025 12:00:00 UTC] PHP Fatal error:  bad date\n"
    "2025/03/08 12:34:40 [error] 7#7: *9 open() failed, client: 1.2.3.4, server: s\n"
    "[2024-07-13T00:13:07+00:00] main.CRITICAL: boom\n";

TEST(PlatformLogItem, EveryLineWithAHeaderOnceInFileOrder) {
  tq::testing::TempDir tmp;
  std::string path = tmp / "error.log";
  tq::testing::WriteFile(path, kMixed);
  PlatformLogReadStats stats;
  std::vector<ReadLine> got = ReadAll(path, &stats, TimeZone::Named("Europe/Berlin").value());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].level, "WARNING");
  EXPECT_EQ(got[0].channel, "php");
  EXPECT_EQ(got[0].line, 1u);
  EXPECT_EQ(got[0].offset, 0u);
  EXPECT_EQ(got[1].channel, "nginx");
  EXPECT_EQ(got[1].level, "ERROR");
  EXPECT_EQ(FormatUtc(got[1].time), "2025-03-08T11:34:40Z") << "local time in the zone given";
  EXPECT_EQ(got[1].line, 4u);
  std::string_view all = kMixed;
  EXPECT_EQ(got[1].offset, all.find("2025/03/08"));
  EXPECT_EQ(got[2].message, "boom");
  EXPECT_EQ(got[2].line, 5u);
  EXPECT_EQ(stats.lines, 5);
  EXPECT_EQ(stats.parsed, 3);
  EXPECT_EQ(stats.continuation, 1);
  ASSERT_EQ(stats.skipped.size(), 1u);
  EXPECT_EQ(stats.skipped.begin()->first.rfind("impossible date", 0), 0u);
  EXPECT_TRUE(stats.problems.empty());
}

TEST(PlatformLogItem, AGzipItemReadsAsItsPlainTextAndAMissingOneIsAProblem) {
  tq::testing::TempDir tmp;
  std::string plain = tmp / "a.log", packed = tmp / "a.log.gz";
  tq::testing::WriteFile(plain, kMixed);
  gzFile gz = gzopen(packed.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, kMixed, sizeof kMixed - 1), static_cast<int>(sizeof kMixed - 1));
  ASSERT_EQ(gzclose(gz), Z_OK);
  PlatformLogReadStats a, b;
  EXPECT_EQ(ReadAll(plain, &a), ReadAll(packed, &b));
  EXPECT_EQ(b.lines, 5);
  PlatformLogReadStats missing;
  EXPECT_TRUE(ReadAll(tmp / "none.log", &missing).empty());
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_NE(missing.problems[0].find("none.log"), std::string::npos) << missing.problems[0];
}

}  // namespace
}  // namespace tq::logs
