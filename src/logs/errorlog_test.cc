// Apache, nginx and PHP-FPM error logs (errorlog.cc): the format corpus in testdata/
// (written after each server's documentation) line by line, local times in the case's zone,
// then damaged lines: truncated, oversized, non-UTF-8, control characters.
#include <gtest/gtest.h>

#include "logs/formats_test_support.h"

namespace tq::logs {
namespace {

using namespace format_test;  // NOLINT: test helpers

struct Line {
  uint64_t line;
  std::string client, time, method, uri, host, referer, message;
};

std::vector<Line> Read(const std::string& path, ParseStats* st, StreamOptions o = {}) {
  std::vector<Line> out;
  Status s = StreamRecords(
      path, o, {},
      [&](const AccessLogRecord& r) {
        EXPECT_EQ(r.kind, RecordKind::kErrorLine);
        if (r.has(Field::kClientIp)) {
          EXPECT_NE(ClassifyClient(r.get(Field::kClientIp)), AddressKind::kNone) << r.line;
        }
        out.push_back({r.line_no, std::string(r.get(Field::kClientIp)),
                       r.has_time ? FormatUtc(r.time) : "", std::string(r.get(Field::kMethod)),
                       std::string(r.get(Field::kUri)), std::string(r.get(Field::kHost)),
                       std::string(r.get(Field::kReferer)), std::string(r.get(Field::kMessage))});
        return true;
      },
      st);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::map<std::string, uint64_t> Skipped(const ParseStats& st) {
  std::map<std::string, uint64_t> m;
  for (auto& [k, v] : st.skipped) m[k] = v.count;
  return m;
}

struct FileCase {
  const char* file;
  std::vector<Line> lines;
  std::map<std::string, uint64_t> skipped;
};

void PrintTo(const FileCase& c, std::ostream* os) { *os << c.file; }

class ErrorLogFileTest : public ::testing::TestWithParam<FileCase> {};

TEST_P(ErrorLogFileTest, EveryLineAsDocumented) {
  const FileCase& c = GetParam();
  ParseStats st;
  std::vector<Line> got = Read(Testdata(c.file), &st);
  EXPECT_EQ(st.format, "error");
  ASSERT_EQ(got.size(), c.lines.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const Line &w = c.lines[i], &g = got[i];
    EXPECT_EQ(g.line, w.line) << c.file << " record " << i;
    EXPECT_EQ(g.client, w.client) << c.file << ":" << w.line;
    EXPECT_EQ(g.time, w.time) << c.file << ":" << w.line;
    EXPECT_EQ(g.method, w.method) << c.file << ":" << w.line;
    EXPECT_EQ(g.uri, w.uri) << c.file << ":" << w.line;
    EXPECT_EQ(g.host, w.host) << c.file << ":" << w.line;
    EXPECT_EQ(g.referer, w.referer) << c.file << ":" << w.line;
    EXPECT_EQ(g.message, w.message) << c.file << ":" << w.line;
  }
  EXPECT_EQ(Skipped(st), c.skipped) << c.file;
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, ErrorLogFileTest,
    ::testing::Values(
        FileCase{
            "apache_error.log",
            {{1, "203.0.113.9", "2025-10-10T13:55:36.123456Z", "", "", "", "",
              "AH00128: File does not exist: /var/www/html/.env"},
             {2, "2001:db8::5", "2025-10-10T13:55:37.000001Z", "", "", "", "http://shop.example/",
              "AH01630: client denied by server configuration: /var/www/html/.git/config"},
             {3, "198.51.100.23", "2025-10-10T13:55:38.500000Z", "", "", "", "",
              "PHP Fatal error:  Uncaught Error: Call to undefined function x() in "
              "/var/www/html/pub/media/x.php:2"},
             {4, "198.51.100.24", "2025-10-10T13:55:39Z", "", "", "", "",
              "AH01071: Got error 'Primary script unknown'"},
             {5, "", "2025-10-10T13:56:00Z", "", "", "", "",
              "AH00163: Apache/2.4.57 (Debian) configured -- resuming normal operations"},
             {6, "", "2025-10-10T13:56:01.250000Z", "", "", "", "",
              "AH00052: child pid 4242 exit signal Segmentation fault (11)"},
             {7, "192.0.2.7", "2025-10-10T13:56:02Z", "", "", "", "",
              "File does not exist: /var/www/html/phpmyadmin"},
             {8, "", "2025-10-10T13:56:03Z", "", "", "", "",
              "Apache/2.2.22 (Ubuntu) configured -- resuming normal operations"}},
            {{"client not an address", 1}, {"bad timestamp", 1}, {"format mismatch", 1}}},
        FileCase{
            "nginx_error.log",
            {{1, "203.0.113.9", "2025-10-10T13:55:36Z", "GET", "/wp-login.php", "shop.example", "",
              "*5678 open() \"/usr/share/nginx/html/wp-login.php\" failed (2: No such file or "
              "directory)"},
             {2, "2001:db8::44", "2025-10-10T13:55:37Z", "POST", "/media/.tmb/c.php?x=1",
              "shop.example", "http://shop.example/",
              "*5679 FastCGI sent in stderr: \"PHP message: PHP Warning:  Undefined variable $c "
              "in /var/www/html/pub/media/.tmb/c.php on line 3\" while reading response header "
              "from upstream"},
             {3, "198.51.100.23", "2025-10-10T13:55:38Z", "POST",
              "/rest/V1/guest-carts/x/shipping-information", "shop.example", "",
              "*5680 a client request body is buffered to a temporary file "
              "/var/cache/nginx/client_temp/0000000001"},
             {4, "", "2025-10-10T13:55:39Z", "", "", "", "", "signal process started"},
             {5, "", "2025-10-10T13:55:40Z", "", "", "", "",
              "worker process 4243 exited on signal 6 (core dumped)"},
             {6, "unix:", "2025-10-10T13:55:41Z", "GET", "/.git/", "shop.example", "",
              "*5681 access forbidden by rule"}},
            {{"client not an address", 1}, {"bad timestamp", 1}}},
        FileCase{"php_fpm.log",
                 {{1, "", "2025-10-10T13:55:36Z", "", "", "", "", "fpm is running, pid 1234"},
                  {2, "", "2025-10-10T13:55:36Z", "", "", "", "", "ready to handle connections"},
                  {3, "", "2025-10-10T13:55:37Z", "", "", "", "",
                   "[pool www] server reached pm.max_children setting (5), consider raising it"},
                  {4, "", "2025-10-10T13:55:38.123456Z", "", "", "", "",
                   "[pool www] child 4321 said into stderr: \"NOTICE: PHP message: PHP Notice:  "
                   "Undefined index: cmd in /var/www/html/upload/x.php on line 1\""},
                  {5, "", "2025-10-10T13:55:39Z", "", "", "", "",
                   "[pool www] child 4321 exited on signal 11 (SIGSEGV - core dumped) after "
                   "12.300000 seconds from start"},
                  {6, "", "2025-10-10T13:55:40Z", "", "", "", "",
                   "unable to bind listening socket for address '/run/php/php8.1-fpm.sock': "
                   "Address already in use (98)"}},
                 {{"bad timestamp", 1}}}));

// PHP-FPM's pool access log (access.format default), by name.
TEST(ErrorLogTest, PhpFpmAccessLogByName) {
  auto p = NamedFormat("php-fpm-access");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  AccessLogRecord r;
  std::string_view why;
  ASSERT_TRUE(
      (*p)->Parse(R"(203.0.113.9 -  10/Oct/2025:13:55:36 +0200 "GET /index.php" 200)", r, &why))
      << why;
  EXPECT_EQ(r.get(Field::kClientIp), "203.0.113.9");
  EXPECT_EQ(FormatUtc(r.time), "2025-10-10T11:55:36Z");
  EXPECT_EQ(r.get(Field::kUri), "/index.php");
  EXPECT_EQ(r.get(Field::kStatus), "200");
  ASSERT_TRUE((*p)->Parse(
      R"(198.51.100.7 - admin 10/Oct/2025:13:55:37 +0200 "POST /pub/media/x.php" 500)", r, &why))
      << why;
  EXPECT_EQ(r.get(Field::kUser), "admin");
  EXPECT_EQ(r.get(Field::kMethod), "POST");
  EXPECT_FALSE((*p)->Parse(R"(host.example -  10/Oct/2025:13:55:36 +0200 "GET /" 200)", r, &why));
  EXPECT_EQ(why, kSkipClient);
}

TEST(ErrorLogTest, LocalTimesInTheCaseZone) {
  StreamOptions o;
  o.local_zone = "Europe/Berlin";  // CEST in October: UTC+2
  ParseStats st;
  std::vector<Line> got = Read(Testdata("nginx_error.log"), &st, o);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].time, "2025-10-10T11:55:36Z");
  o.local_zone = "Mars/Olympus";
  EXPECT_FALSE(ParserFor(o).ok());
}

TEST(ErrorLogTest, DetectedWhateverLogFormatSays) {
  StreamOptions o;
  o.log_format = "combined";
  ParseStats st;
  EXPECT_EQ(Read(Testdata("apache_error.log"), &st, o).size(), 8u);
  EXPECT_EQ(st.format, "error");
}

TEST(ErrorLogTest, TruncatedLinesNeverGiveAWrongClient) {
  for (const char* f : {"apache_error.log", "nginx_error.log", "php_fpm.log"}) {
    TempDir d;
    std::string text = tq::testing::ReadFile(Testdata(f));
    std::string cut;
    for (size_t p = 0, e; p < text.size(); p = e + 1) {
      e = text.find('\n', p);
      std::string line = text.substr(p, e - p);
      for (size_t n = 0; n <= line.size(); n += 3) cut += line.substr(0, n) + "\n";
    }
    std::string path = d.path() + "/cut.log";
    WriteFile(path, cut);
    ParseStats st;
    Read(path, &st);  // every client checked in Read
    EXPECT_GT(st.lines, 100u) << f;
  }
}

TEST(ErrorLogTest, OversizedNonUtf8AndControlCharacters) {
  TempDir d;
  std::string path = d.path() + "/bytes.log";
  std::string big(400 << 10, 'A');
  WriteFile(path,
            "2025/10/10 13:55:36 [error] 1#1: *1 " + big +
                ", client: 192.0.2.1, server: s, request: \"GET /" + big +
                " HTTP/1.1\"\n"
                "[Fri Oct 10 13:55:36 2025] [error] [client 192.0.2.2] \xC3\x28\xFF \x1b[2J\x07\n"
                "[10-Oct-2025 13:55:36] WARNING: \x01\x02\r\n"
                "2025/10/10 13:55:36 [error] 1#1: *1 x, client: 192.0.2.3\x1b, server: s\n");
  ParseStats st;
  std::vector<Line> got = Read(path, &st);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].client, "192.0.2.1");
  EXPECT_EQ(got[0].message.size(), big.size() + 3);
  EXPECT_EQ(got[1].message, "\xC3\x28\xFF \x1b[2J\x07");
  EXPECT_EQ(got[2].message, "\x01\x02");
  EXPECT_EQ(Skipped(st)["client not an address"], 1u);
}

}  // namespace
}  // namespace tq::logs
