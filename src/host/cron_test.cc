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
  EXPECT_TRUE(u.problems.empty());
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
  EXPECT_EQ(f.problems.size(), 4u);
  EXPECT_EQ(f.problems[0].rfind("line 1:", 0), 0u) << f.problems[0];
  CronFile t = ParseCrontab("*/1 * * * * echo truncated", false);  // no final newline
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].command, "echo truncated");
}

}  // namespace
}  // namespace tq::host
