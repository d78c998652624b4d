// The client rule (client.cc): only an address is a client; X-Forwarded-For believed only
// from a trusted proxy; quote-wrapped, vhost and forwarded lines give the real client.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "logs/formats_test_support.h"

namespace tq::logs {
namespace {

using namespace format_test;  // NOLINT: test helpers

TEST(ClientTest, OnlyAddressesAreClients) {
  EXPECT_EQ(ClassifyClient("192.0.2.1"), AddressKind::kIpv4);
  EXPECT_EQ(ClassifyClient("2001:db8::1"), AddressKind::kIpv6);
  EXPECT_EQ(ClassifyClient("::ffff:192.0.2.1"), AddressKind::kIpv6);
  EXPECT_EQ(ClassifyClient("unix:"), AddressKind::kUnix);
  for (const char* bad : {"\"192.168.4.25", "192.168.4.25\"", "shop.example:443", "-", "", "1.2.3",
                          "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4:80",
                          "203.0.113.7,10.0.0.1", "2001:db8::1::2", "host", "1.2.3.4 "})
    EXPECT_EQ(ClassifyClient(bad), AddressKind::kNone) << bad;
}

// ParseIpv4 against inet_pton, whose dotted quads are the same (four parts of 0-255 without a
// leading zero), on every string of up to 16 characters of digits and dots built from a few
// thousand random ones and their edits.
TEST(ClientTest, Ipv4AsInetPtonReadsIt) {
  std::mt19937 rng(3);
  const char alphabet[] = "0123456789.0129.5a ";
  size_t valid = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    if (i % 2) {  // near a valid address
      for (int k = 0; k < 4; ++k) {
        if (k) s += '.';
        s += std::to_string(rng() % (i % 4 == 1 ? 1000 : 256));
      }
      if (i % 8 == 3) s.insert(rng() % (s.size() + 1), 1, alphabet[rng() % (sizeof alphabet - 1)]);
      if (i % 8 == 5 && !s.empty()) s.erase(rng() % s.size(), 1);
    } else {
      size_t n = rng() % 17;
      for (size_t k = 0; k < n; ++k) s += alphabet[rng() % (sizeof alphabet - 1)];
    }
    uint8_t got[4] = {}, want[4] = {};
    bool ok = ParseIpv4(s, got);
    bool ref = inet_pton(AF_INET, s.c_str(), want) == 1;
    ASSERT_EQ(ok, ref) << "'" << s << "'";
    if (ok) {
      EXPECT_EQ(std::memcmp(got, want, 4), 0) << s;
      ++valid;
    }
  }
  EXPECT_GT(valid, 20000u);
  uint8_t b[4];
  for (const char* bad : {"1.2.3.04", "1.2.3.256", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4\n",
                          "1.2.3.1000", "0.0.0.00", "1.2.3", "1.2.3./", "1.2.3.:", "1.2.\xb3.4",
                          "1.2.3.4\xff", "255.255.255.2555", "999.1.1.1", "1.2.3.4/"})
    EXPECT_FALSE(ParseIpv4(bad, b)) << bad;
  EXPECT_FALSE(ParseIpv4(std::string_view("1.2.3.4\0", 8), b));
  EXPECT_FALSE(ParseIpv4(std::string_view("1.2\0.3.4", 8), b));
  ASSERT_TRUE(ParseIpv4("0.0.0.0", b));
  EXPECT_EQ(b[0] | b[1] | b[2] | b[3], 0);
  ASSERT_TRUE(ParseIpv4("100.200.250.255", b));
  EXPECT_EQ(b[0], 100);
  EXPECT_EQ(b[3], 255);
  ASSERT_TRUE(ParseIpv4("255.0.10.199", b));
  EXPECT_EQ(b[0], 255);
  EXPECT_EQ(b[1], 0);
  EXPECT_EQ(b[2], 10);
  EXPECT_EQ(b[3], 199);
}

TEST(ClientTest, ForwardedForTakesTheRightmostUntrustedAddress) {
  const TrustedProxies& d = TrustedProxies::Default();
  // Peer not trusted: its X-Forwarded-For is whatever the client wrote.
  EXPECT_EQ(ForwardedClient("203.0.113.5", "198.51.100.1", d), "203.0.113.5");
  EXPECT_EQ(ForwardedClient("10.0.0.2", "198.51.100.1", d), "198.51.100.1");
  // A spoofed leftmost entry is not believed.
  EXPECT_EQ(ForwardedClient("10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.3", d), "198.51.100.1");
  EXPECT_EQ(ForwardedClient("127.0.0.1", "10.1.1.1, 10.0.0.3", d), "10.1.1.1");
  EXPECT_EQ(ForwardedClient("10.0.0.2", "-", d), "10.0.0.2");
  EXPECT_EQ(ForwardedClient("10.0.0.2", "", d), "10.0.0.2");
  EXPECT_EQ(ForwardedClient("10.0.0.2", "unknown", d), "10.0.0.2");
  EXPECT_EQ(ForwardedClient("10.0.0.2", "garbage, 10.0.0.4", d), "10.0.0.4");
  EXPECT_EQ(ForwardedClient("10.0.0.2", "203.0.113.9:5123", d), "203.0.113.9");
  EXPECT_EQ(ForwardedClient("::1", "[2001:db8::9]:443", d), "2001:db8::9");
  Result<TrustedProxies> t = TrustedProxies::Parse({"203.0.113.0/24"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ForwardedClient("10.0.0.2", "198.51.100.1", *t), "10.0.0.2");  // not trusted now
  EXPECT_EQ(ForwardedClient("203.0.113.1", "198.51.100.1", *t), "198.51.100.1");
  for (const char* bad : {"10.0.0.0/33", "bogus", "10.0.0.0/x", "::/129", "10.0.0.0/"})
    EXPECT_FALSE(TrustedProxies::Parse({bad}).ok()) << bad;
}

TEST(ClientTest, QuoteWrappedVhostAndForwardedLinesGiveTheRealClient) {
  TempDir dir;
  std::string body = R"(- - [10/Oct/2025:13:55:36 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/8")";
  WriteFile(dir.path() + "/a.log",
            "203.0.113.9 " + body + "\n" + "203.0.113.9 " + body + "\n" +  // plain
                "\"203.0.113.9 " + body + "\"\n" +                         // quote-wrapped
                "shop.example:443 203.0.113.9 " + body + "\n" +            // vhost_combined
                "shop.example 203.0.113.9 " + body + "\n" +                // nginx $host first
                "203.0.113.9 - - [10/Oct/2025:13:55:36 +0000] \"GET /x HTTP/1.1\" 200 5\n" +
                "shop.example:443 " + body + "\n");  // no client at all: skipped
  ParseStats st;
  std::vector<Got> got = ReadAll(dir.path() + "/a.log", &st);
  ASSERT_EQ(got.size(), 6u);
  for (const Got& g : got) EXPECT_EQ(g.client, "203.0.113.9") << g.line;
  EXPECT_EQ(got[3].host, "shop.example");  // vhost_combined, read by the fallback
  EXPECT_EQ(st.format, "combined");
  EXPECT_EQ(st.skipped.count(kSkipClient), 1u);

  // nginx's `main` format: X-Forwarded-For last; the load balancer's address is the peer.
  WriteFile(dir.path() + "/x.log",
            "10.0.0.5 " + body + " \"198.51.100.77\"\n" + "10.0.0.5 " + body +
                " \"6.6.6.6, 198.51.100.77, 10.0.0.6\"\n" + "203.0.113.1 " + body +
                " \"198.51.100.77\"\n" +  // untrusted peer: itself
                "10.0.0.5 " + body + " \"-\"\n");
  got = ReadAll(dir.path() + "/x.log", &st);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].client, "198.51.100.77");
  EXPECT_EQ(got[0].peer, "10.0.0.5");
  EXPECT_EQ(got[1].client, "198.51.100.77");
  EXPECT_EQ(got[2].client, "203.0.113.1");
  EXPECT_EQ(got[2].peer, "");
  EXPECT_EQ(got[3].client, "10.0.0.5");
  EXPECT_EQ(got[0].ua, "curl/8");
  // --trusted-proxy replaces the default ranges.
  StreamOptions o;
  o.trusted_proxies = {"203.0.113.0/24"};
  got = ReadAll(dir.path() + "/x.log", &st, o);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].client, "10.0.0.5");
  EXPECT_EQ(got[2].client, "198.51.100.77");
  o.trusted_proxies = {"not-a-cidr"};
  EXPECT_FALSE(StreamRecords(
                   dir.path() + "/x.log", o, {}, [](const AccessLogRecord&) { return true; }, &st)
                   .ok());
}

}  // namespace
}  // namespace tq::logs
