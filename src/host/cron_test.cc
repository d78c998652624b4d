#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

TEST(Cron, UserAndSystemTables) {
  CronFile u = ParseCrontab(
      "# m h dom mon dow command\nMAILTO=\"\"\nSHELL = /bin/bash\n"
      "*/5 * * * * php /srv/shop/bin/magento cron:run\n"
      "@reboot /tmp/.x/run >/dev/null\n"
      "0 3 * jan,jul mon-fri echo %s\n",
      false);
  ASSERT_EQ(u.entries.size(), 3u);
  EXPECT_TRUE(u.skipped.empty());
  EXPECT_EQ(u.entries[0].schedule, "*/5 * * * *");
  EXPECT_EQ(u.entries[0].command, "php /srv/shop/bin/magento cron:run");
  EXPECT_EQ(u.entries[1].schedule, "@reboot");
  EXPECT_EQ(u.entries[1].line, 5u);
  CronFile s = ParseCrontab("17 * * * * root cd / && run-parts --report /etc/cron.hourly\n", true);
  ASSERT_EQ(s.entries.size(), 1u);
  EXPECT_EQ(s.entries[0].user, "root");
  EXPECT_EQ(s.entries[0].command, "cd / && run-parts --report /etc/cron.hourly");
}

TEST(Cron, BrokenLinesAreReportedNotGuessed) {
  CronFile f = ParseCrontab("* * * curl x|sh\nnot a line at all\n*/5 * * * *\n\x01\xff\n", false);
  EXPECT_TRUE(f.entries.empty());
  EXPECT_EQ(f.skipped.total(), 4u);
  // Each line with its number, byte offset and length (newline included).
  const SkipTally::Reason* five =
      f.skipped.find("not a cron entry (a schedule needs five time fields)");
  ASSERT_NE(five, nullptr);
  ASSERT_EQ(five->examples.size(), 1u);
  EXPECT_EQ(five->examples[0].line, 1u);
  EXPECT_EQ(five->examples[0].offset, 0u);
  EXPECT_EQ(five->examples[0].bytes, 16u);
  // "not a line at all" has the shape of a schedule (five words) and nothing after it.
  const SkipTally::Reason* none = f.skipped.find("a schedule with no command");
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->count, 2u);
  EXPECT_EQ(none->examples[1].line, 3u);
  EXPECT_EQ(none->examples[1].offset, 34u);
  EXPECT_EQ(none->examples[1].bytes, 12u);
  EXPECT_EQ(f.skipped.count("not a cron entry, comment or environment setting"), 1u);
  CronFile t = ParseCrontab("*/1 * * * * echo truncated", false);  // no final newline
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].command, "echo truncated");
  EXPECT_TRUE(t.skipped.empty());
}

TEST(Cron, AFileOfBrokenLinesKeepsAFewOfEachAndCountsTheRest) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "%garbage " + std::to_string(i) + "\n";
  CronFile f = ParseCrontab(text, true);
  EXPECT_EQ(f.skipped.total(), 100000u);
  const SkipTally::Reason* r = f.skipped.find("not a cron entry, comment or environment setting");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->examples.size(), SkipTally::kExamples);
  EXPECT_EQ(r->bytes, text.size());
  EXPECT_EQ(r->examples[4].line, 5u);
}

}  // namespace
}  // namespace tq::host
