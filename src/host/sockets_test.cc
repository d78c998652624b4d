// Socket listings: ss and netstat layouts, a reverse shell and a bind shell found, the shop's
// own connections (PHP-FPM to the database, nginx to clients, php to a payment API) quiet.
#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

TEST(Sockets, SsListing) {
  SocketListing listing = ParseSocketListing(
      "State  Recv-Q Send-Q  Local Address:Port   Peer Address:Port Process\n"
      "LISTEN 0      511           0.0.0.0:443         0.0.0.0:*     "
      "users:((\"nginx\",pid=9,fd=6))\n"
      "ESTAB  0      0          10.0.0.5:443    198.51.100.20:51234 "
      "users:((\"nginx\",pid=10,fd=9))\n"
      "ESTAB  0      0          10.0.0.5:40112      10.0.0.9:3306  "
      "users:((\"php-fpm8.2\",pid=11,fd=8))\n"
      "ESTAB  0      0          10.0.0.5:40200  192.0.2.44:443 users:((\"php\",pid=12,fd=5))\n"
      "ESTAB  0      0          10.0.0.5:38122  203.0.113.66:4444 users:((\"sh\",pid=13,fd=3))\n"
      "LISTEN 0      5             0.0.0.0:31337       0.0.0.0:*     "
      "users:((\"perl\",pid=14,fd=3))\n");
  EXPECT_TRUE(listing.skipped.empty());
  const std::vector<Socket>& s = listing.sockets;
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[4].program, "sh");
  EXPECT_EQ(s[4].peer, "203.0.113.66:4444");
  EXPECT_EQ(s[4].line, 6u);
  int loud = 0;
  for (const Socket& x : s)
    if (!AnalyzeSocket(x).reasons.empty()) ++loud;
  EXPECT_EQ(loud, 2);
  EXPECT_EQ(AnalyzeSocket(s[4]).technique, "reverse_shell");
  EXPECT_EQ(AnalyzeSocket(s[5]).technique, "bind_shell");
}

TEST(Sockets, NetstatListingAndBrokenInput) {
  auto s = ParseSocketListing(
      "Active Internet connections (servers and established)\n"
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
      "PID/Program name\n"
      "tcp        0      0 10.0.0.5:38122          203.0.113.66:4444       ESTABLISHED 13/bash\n");
  ASSERT_EQ(s.sockets.size(), 1u);
  EXPECT_EQ(s.sockets[0].program, "bash");
  EXPECT_EQ(s.sockets[0].state, "ESTABLISHED");
  EXPECT_EQ(AnalyzeSocket(s.sockets[0]).severity, Severity::kCritical);
  // netstat's title line comes before its header: counted, not an error of the listing.
  const SkipTally::Reason* title = s.skipped.find("before the listing's header");
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->examples[0].line, 1u);
  EXPECT_EQ(title->bytes, 54u);

  std::string none = "no header\n1 2 3\n";
  SocketListing n = ParseSocketListing(none);
  EXPECT_TRUE(n.sockets.empty());
  const SkipTally::Reason* all =
      n.skipped.find("no listing header naming the local and peer address columns");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->bytes, none.size());
  SocketListing odd = ParseSocketListing("State Local Address:Port Peer Address:Port\n\xff\n:::\n");
  EXPECT_EQ(odd.sockets.size() + odd.skipped.total(), 2u);  // each row read or counted
  EXPECT_EQ(odd.skipped.count("not a socket row (no local or peer address column)"), 2u);
  std::string big = "State Local Address:Port Peer Address:Port Process\n";
  for (int i = 0; i < 200000; ++i) big += "ESTAB a:1 b:2 x\n";
  SocketListing b = ParseSocketListing(big);
  EXPECT_EQ(b.sockets.size(), 100000u);  // bounded, and the rest reported
  const SkipTally::Reason* past = b.skipped.find("past the first 100,000 sockets");
  ASSERT_NE(past, nullptr);
  EXPECT_EQ(past->examples[0].line, 100002u);
  EXPECT_EQ(past->bytes, 100000u * 16);
}

}  // namespace
}  // namespace tq::host
