// Readers and parsers: every format on its happy line, then damaged, oversized, binary and
// non-UTF-8 input, each with the reason it is counted under; compressed streams truncated
// and corrupted, with how much was read; and the real corpus logs.
#include "logs/logs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "support/testing.h"

namespace tq::logs {
namespace {

using tq::testing::TempDir;
using tq::testing::WriteFile;
namespace fs = std::filesystem;

std::string SharedDir() {
  for (std::string d : {std::string(TQ_SHARED_DIR), std::string(TQ_SOURCE_DIR) + "/../../shared"})
    if (fs::exists(d + "/corpus")) return d;
  return TQ_SHARED_DIR;
}

const char* kCombined =
    "203.0.113.9 - bob [10/Oct/2025:13:55:36 +0200] \"GET /a/b.php?x=1&y=%2e%2e HTTP/1.1\" 200 "
    "5120 \"https://ref.example/\" \"Mozilla/5.0 \\\"quoted\\\"\"";

struct LineCase {
  const char* name;
  std::string format;  // name or format string
  std::string line;
  bool ok;
  std::string reason;  // when !ok
};
class ParseTest : public ::testing::TestWithParam<LineCase> {};

TEST_P(ParseTest, ParsesOrNamesTheReason) {
  const LineCase& c = GetParam();
  StreamOptions o;
  o.log_format = c.format;
  Result<std::unique_ptr<LineParser>> p = ParserFor(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  AccessLogRecord r;
  std::string_view why;
  EXPECT_EQ((*p)->Parse(c.line, r, &why), c.ok);
  if (!c.ok) {
    EXPECT_EQ(why, c.reason);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Lines, ParseTest,
    ::testing::Values(
        LineCase{"combined", "combined", kCombined, true, ""},
        LineCase{"common_on_combined", "common", kCombined, false, "bad byte count"},
        LineCase{"combined_on_common", "combined",
                 "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1", false,
                 "format mismatch"},
        LineCase{"bad_status", "combined",
                 "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 2x0 1 \"-\" \"-\"",
                 false, "bad status"},
        LineCase{"bad_time", "combined",
                 "1.2.3.4 - - [31/Feb/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1 \"-\" \"-\"",
                 false, "bad timestamp"},
        LineCase{"binary", "combined", std::string("\x16\x03\x01\x00\xff\xfe garbage", 15), false,
                 "format mismatch"},
        LineCase{"non_utf8_ua", "combined",
                 "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1 \"-\" "
                 "\"\xff\xfe\x80\"",
                 true, ""},
        LineCase{"too_few_fields", "combined", "1.2.3.4 - -", false, "format mismatch"},
        LineCase{"tls_request_line", "combined",
                 "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"\\x16\\x03\\x01\" 400 157 \"-\" \"-\"",
                 true, ""},
        LineCase{"vhost", "vhost_combined",
                 "shop.example:443 1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.1\" 200 "
                 "1 \"-\" \"curl/8\"",
                 true, ""},
        LineCase{"nginx_custom",
                 "'$remote_addr - $remote_user [$time_local] \"$request\" ' "
                 "'$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" "
                 "rt=$request_time host=$host'",
                 "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" "
                 "rt=0.005 host=shop.example",
                 true, ""},
        LineCase{"apache_custom", "%a %l %u %t \\\"%r\\\" %>s %O %D \\\"%{Cookie}i\\\"",
                 "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"POST /x HTTP/1.1\" 302 0 1234 "
                 "\"PHPSESSID=abc\"",
                 true, ""},
        LineCase{"iso_time", "$remote_addr [$time_iso8601] \"$request\" $status",
                 "1.2.3.4 [2025-10-10T13:55:36+02:00] \"GET / HTTP/1.1\" 200", true, ""},
        LineCase{"jsonl", "jsonl",
                 "{\"remote_addr\":\"1.2.3.4\",\"request\":\"GET /x?a=1 HTTP/1.1\",\"status\":200,"
                 "\"time_iso8601\":\"2025-10-10T13:55:36+02:00\",\"http_user_agent\":\"a\\\"b\"}",
                 true, ""},
        LineCase{"jsonl_broken", "jsonl", "{\"remote_addr\":\"1.2.3.4\",", false, "invalid JSON"},
        LineCase{"jsonl_array", "jsonl", "[1,2]", false, "not JSON"},
        LineCase{"jsonl_no_fields", "jsonl", "{\"a\":1}", false, "no request fields"},
        // The client rule: only an address is a client.
        LineCase{
            "client_hostname", "combined",
            "shop.example - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1 \"-\" \"-\"",
            false, "client not an address"},
        LineCase{
            "client_quoted_line", "combined",
            "\"1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1 \"-\" \"-\"\"",
            true, ""},
        LineCase{
            "client_control_chars", "combined",
            "1.2.3.4\x1b[31m - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1 \"-\" \"-\"",
            false, "client not an address"},
        LineCase{"jsonl_client_not_address", "jsonl",
                 "{\"remote_addr\":\"1.2.3.4, 5.6.7.8\",\"request\":\"GET / HTTP/1.1\"}", false,
                 "client not an address"},
        LineCase{"jsonl_ns_time", "cloudflare",
                 "{\"ClientIP\":\"1.2.3.4\",\"ClientRequestURI\":\"/\",\"EdgeStartTimestamp\":"
                 "1760083200123456789}",
                 true, ""},
        LineCase{"jsonl_bad_time", "jsonl",
                 "{\"ClientIP\":\"1.2.3.4\",\"ClientRequestURI\":\"/\",\"ts\":\"12.3.4\"}", false,
                 "bad timestamp"},
        // W3C: a line before any #Fields:, and values that do not fit the names.
        LineCase{"w3c_no_fields", "w3c", "2025-10-10 00:00:01 1.2.3.4 GET / 200", false,
                 "no #Fields: directive before the line"},
        LineCase{"w3c_directive", "w3c", "#Fields: date time c-ip", false, "directive"},
        // Load balancers and proxies: truncated, garbled, control characters, non-UTF-8.
        LineCase{"alb_truncated", "alb",
                 "http 2025-10-10T08:01:02.123456Z app/lb/1 203.0.113.12:51234 10.0.1.20:80 0.000 "
                 "0.004 0.000 200 200 412 5320 \"GET http://shop.example:80/ HTTP/1.1",
                 false, "unterminated quoted value"},
        LineCase{"alb_bad_time", "alb",
                 "http 2025-13-10T08:01:02Z app/lb/1 203.0.113.12:51234 10.0.1.20:80 0.000 0.004 "
                 "0.000 200 200 412 5320 \"GET / HTTP/1.1\" \"ua\" - - arn",
                 false, "bad timestamp"},
        LineCase{"alb_client_without_port", "alb",
                 "http 2025-10-10T08:01:02Z app/lb/1 203.0.113.12 10.0.1.20:80 0.000 0.004 "
                 "0.000 200 200 412 5320 \"GET / HTTP/1.1\" \"ua\" - - arn",
                 false, "client not an address"},
        LineCase{"alb_non_utf8_ua", "alb",
                 "http 2025-10-10T08:01:02Z app/lb/1 203.0.113.12:1 10.0.1.20:80 0.000 0.004 "
                 "0.000 200 200 412 5320 \"GET / HTTP/1.1\" \"\xff\xfe\x01\" - - arn",
                 true, ""},
        LineCase{"elb_bad_bytes", "elb",
                 "2025-10-10T09:00:00Z lb 192.0.2.1:2817 10.0.0.1:80 0.1 0.1 0.1 200 200 x 29 "
                 "\"GET / HTTP/1.1\" \"curl\" - -",
                 false, "bad byte count"},
        LineCase{"haproxy_truncated", "haproxy",
                 "haproxy[1]: 192.0.2.10:33317 [10/Oct/2025:12:14:14.655] http-in", false,
                 "format mismatch"},
        LineCase{"haproxy_bad_date", "haproxy",
                 "192.0.2.10:1 [10/Foo/2025:12:14:14.655] fe be/s 1/0/3/6/10 200 27 - - ---- "
                 "1/1/1/1/0 0/0 \"GET / HTTP/1.1\"",
                 false, "bad timestamp"},
        LineCase{"haproxy_control_chars", "haproxy",
                 "192.0.2.10:1 [10/Oct/2025:12:14:14.655] fe be/s 1/0/3/6/10 200 27 - - ---- "
                 "1/1/1/1/0 0/0 \"GET /\x1b[2J\x07 HTTP/1.1\"",
                 true, ""},
        LineCase{"s3_garbage", "s3", std::string("\x00\x01 [x] \"", 8), false,
                 "unterminated quoted value"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(FieldsTest, CombinedFillsTheTaxonomy) {
  auto p = NamedFormat("combined").value();
  AccessLogRecord r;
  std::string_view why;
  ASSERT_TRUE(p->Parse(kCombined, r, &why));
  EXPECT_EQ(r.get(Field::kClientIp), "203.0.113.9");
  EXPECT_EQ(r.get(Field::kUser), "bob");
  EXPECT_EQ(r.get(Field::kMethod), "GET");
  EXPECT_EQ(r.get(Field::kUri), "/a/b.php?x=1&y=%2e%2e");
  EXPECT_EQ(r.get(Field::kUriStem), "/a/b.php");
  EXPECT_EQ(r.get(Field::kQuery), "x=1&y=%2e%2e");
  EXPECT_EQ(r.get(Field::kVersion), "HTTP/1.1");
  EXPECT_EQ(r.get(Field::kStatus), "200");
  EXPECT_EQ(r.get(Field::kBytesSent), "5120");
  EXPECT_EQ(r.get(Field::kReferer), "https://ref.example/");
  EXPECT_EQ(r.get(Field::kUserAgent), "Mozilla/5.0 \\\"quoted\\\"");
  EXPECT_EQ(FormatUtc(r.time), "2025-10-10T11:55:36Z");
}

// Text formats promise fields that are views into the line (the scanner keeps the records of
// many lines together and maps match offsets to fields); JSON does not.
TEST(FieldsTest, TextFormatFieldsAreViewsIntoTheLine) {
  std::string vhost = "shop.example:443 " + std::string(kCombined);
  for (auto [fmt, line] : {std::pair<std::string, std::string>{"combined", kCombined},
                           {"vhost_combined", vhost},
                           {"$remote_addr [$time_local] \"$request\" $status $http_host",
                            "1.2.3.4 [10/Oct/2025:13:55:36 +0200] \"GET /a?b HTTP/1.1\" 200 h"}}) {
    StreamOptions o;
    o.log_format = fmt;
    std::unique_ptr<LineParser> p = ParserFor(o).value();
    ASSERT_TRUE(p->FieldsViewLine()) << fmt;
    AccessLogRecord r;
    std::string_view why;
    ASSERT_TRUE(p->Parse(line, r, &why)) << fmt << ": " << why;
    int seen = 0;
    for (size_t f = 0; f < kFieldCount; ++f) {
      std::string_view v = r.field[f];
      if (!r.has(static_cast<Field>(f)) || v.empty()) continue;
      ++seen;
      EXPECT_GE(v.data(), line.data()) << fmt << " " << FieldName(static_cast<Field>(f));
      EXPECT_LE(v.data() + v.size(), line.data() + line.size()) << fmt;
    }
    EXPECT_GE(seen, 5) << fmt;
  }
  EXPECT_FALSE(JsonLinesFormat({}).value()->FieldsViewLine());
}

// A literal's first byte inside a field (a bare quote in the referer) is not the literal; a
// line cut inside the last literal does not parse; and a record parsed again (by another
// format, with fewer fields) keeps nothing of the line before.
TEST(FieldsTest, PartialLiteralsAndReusedRecords) {
  auto combined = NamedFormat("combined").value();
  auto common = NamedFormat("common").value();
  AccessLogRecord r;
  std::string_view why;
  std::string quote =
      "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET /q HTTP/1.1\" 200 1 "
      "\"a\"b \"c\" \"ua \"x\"\"";
  ASSERT_TRUE(combined->Parse(quote, r, &why)) << why;
  EXPECT_EQ(r.get(Field::kReferer), "a\"b \"c");
  EXPECT_EQ(r.get(Field::kUserAgent), "ua \"x\"");
  EXPECT_FALSE(combined->Parse(
      "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET /q HTTP/1.1\" 200 1 \"-\" \"curl", r, &why));
  EXPECT_EQ(why, "format mismatch");
  EXPECT_FALSE(combined->Parse(quote.substr(0, 60), r, &why));
  ASSERT_TRUE(combined->Parse(kCombined, r, &why));
  ASSERT_TRUE(
      common->Parse("5.6.7.8 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1", r, &why))
      << why;
  EXPECT_EQ(r.get(Field::kClientIp), "5.6.7.8");
  for (Field f : {Field::kReferer, Field::kUserAgent, Field::kHost, Field::kCookie}) {
    EXPECT_FALSE(r.has(f));
    EXPECT_EQ(r.get(f).data(), nullptr) << FieldName(f);
  }
  auto json = JsonLinesFormat({}).value();
  ASSERT_TRUE(
      json->Parse("{\"remote_addr\":\"1.2.3.4\",\"request\":\"GET /x HTTP/1.1\","
                  "\"http_referer\":\"r\",\"http_user_agent\":\"u\",\"status\":200}",
                  r, &why))
      << why;
  ASSERT_TRUE(
      common->Parse("5.6.7.8 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 1", r, &why));
  EXPECT_FALSE(r.has(Field::kReferer));
  EXPECT_EQ(r.get(Field::kReferer).data(), nullptr);
  EXPECT_EQ(r.get(Field::kUserAgent).data(), nullptr);
}

// Field ends are searched 16 bytes at a time, and a short rest as the last 16 bytes of the
// line: every field length, with and without room before it, parses the same.
TEST(FieldsTest, EveryFieldLengthParses) {
  auto combined = NamedFormat("combined").value();
  AccessLogRecord r;
  std::string_view why;
  for (size_t n = 0; n < 70; ++n) {
    std::string v(n, 'a');
    for (size_t k = 0; k < n; ++k) v[k] = static_cast<char>('a' + k % 26);
    std::string user = n ? v : "-";
    std::string line = "1.2.3.4 - " + user + " [10/Oct/2025:13:55:36 +0200] \"GET /" + v +
                       " HTTP/1.1\" 200 " + std::to_string(n) + " \"" + v + "\" \"" + v + "\"";
    ASSERT_TRUE(combined->Parse(line, r, &why)) << n << ": " << why;
    EXPECT_EQ(r.get(Field::kUser), user) << n;
    EXPECT_EQ(r.get(Field::kUri), "/" + v) << n;
    EXPECT_EQ(r.get(Field::kReferer), v) << n;
    EXPECT_EQ(r.get(Field::kUserAgent), v) << n;
    EXPECT_EQ(r.get(Field::kBytesSent), std::to_string(n)) << n;
    // The shortest lines: a field at the very start, nothing before it to read back into.
    std::string common = v + " - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1";
    EXPECT_FALSE(NamedFormat("common").value()->Parse(common, r, &why)) << n;  // not an address
    EXPECT_EQ(why, "client not an address") << n;
    auto user_first = CompileLogFormat("%u %t \\\"%r\\\" %>s %b").value();
    std::string line2 = v + " [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1";
    ASSERT_TRUE(user_first->Parse(line2, r, &why)) << n << ": " << why;
    EXPECT_EQ(r.get(Field::kUser), v) << n;
  }
}

TEST(StreamTest, CountNewlinesAtEveryLengthAndAlignment) {
  std::string buf;
  for (int i = 0; i < 9000; ++i) buf += (i * 7919) % 13 == 0 ? '\n' : static_cast<char>(i % 251);
  for (size_t start : {0, 1, 5, 15, 16, 17}) {
    for (size_t len : {0, 1, 15, 16, 17, 31, 255 * 16, 255 * 16 + 1, 4095, 8000}) {
      std::string_view v = std::string_view(buf).substr(start, len);
      EXPECT_EQ(CountNewlines(v), static_cast<size_t>(std::count(v.begin(), v.end(), '\n')))
          << start << " " << len;
    }
  }
  EXPECT_EQ(CountNewlines(std::string(5000, '\n')), 5000u);  // past a lane counter's 255
}

TEST(FieldsTest, TimeCacheAgreesWithCoreAcrossDaysAndZones) {
  auto p = NamedFormat("common").value();
  AccessLogRecord r;
  std::string_view why;
  for (const char* t :
       {"10/Oct/2025:13:55:36 +0200", "10/Oct/2025:23:59:59 +0200", "11/Oct/2025:00:00:00 +0200",
        "11/Oct/2025:00:00:00 -0700", "29/Feb/2024:12:00:00 +0000", "31/Dec/2025:23:59:60 +0000"}) {
    std::string line = "1.2.3.4 - - [" + std::string(t) + "] \"GET / HTTP/1.1\" 200 1";
    ASSERT_TRUE(p->Parse(line, r, &why)) << t;
    Result<UnixMicros> want = ParseCommonLogTime(t);
    ASSERT_TRUE(want.ok()) << t;
    EXPECT_EQ(r.time, *want) << t;
  }
}

TEST(FieldsTest, JsonFieldMapAndCaddyPrefix) {
  auto p = JsonLinesFormat({{"c-ip", "client.addr"}}).value();
  AccessLogRecord r;
  std::string_view why;
  ASSERT_TRUE(
      p->Parse("caddy  | {\"client\":{\"addr\":\"9.9.9.9\"},\"request\":{\"uri\":\"/x?q=1\","
               "\"method\":\"POST\",\"headers\":{\"User-Agent\":[\"curl/8\"]}},"
               "\"status\":404,\"ts\":1760104536.5}",
               r, &why))
      << why;
  EXPECT_EQ(r.get(Field::kClientIp), "9.9.9.9");
  EXPECT_EQ(r.get(Field::kMethod), "POST");
  EXPECT_EQ(r.get(Field::kUriStem), "/x");
  EXPECT_EQ(r.get(Field::kUserAgent), "curl/8");
  EXPECT_EQ(r.get(Field::kStatus), "404");
  EXPECT_EQ(r.time, 1760104536500000);
  // A name outside the taxonomy maps a field rules may use; it is read on demand.
  auto extra = JsonLinesFormat({{"response", "resp.body"}}).value();
  std::string line = R"({"remote_addr":"1.2.3.4","resp":{"body":"<b>x</b>"},"other":7})";
  ASSERT_TRUE(extra->Parse(line, r, &why)) << why;
  EXPECT_EQ(r.source, extra.get());
  std::string v;
  EXPECT_TRUE(extra->ExtraField(line, "response", &v));
  EXPECT_EQ(v, "<b>x</b>");
  EXPECT_TRUE(extra->ExtraField(line, "other", &v));  // unmapped: the member of that name
  EXPECT_EQ(v, "7");
  EXPECT_FALSE(extra->ExtraField(line, "missing", &v));
  // A line other than the one parsed last is read on its own.
  std::string other = R"({"resp":{"body":"second"}})";
  EXPECT_TRUE(extra->ExtraField(other, "response", &v));
  EXPECT_EQ(v, "second");
  EXPECT_TRUE(extra->ExtraField(line, "response", &v));
  EXPECT_EQ(v, "<b>x</b>");
  EXPECT_FALSE(extra->Parse("{not json", r, &why));
  EXPECT_TRUE(extra->ExtraField(line, "response", &v));  // after a failed parse, read afresh
  EXPECT_EQ(v, "<b>x</b>");
  EXPECT_FALSE(extra->ExtraField("", "response", &v));
  EXPECT_FALSE(NamedFormat("combined").value()->ExtraField(line, "other", &v));
  EXPECT_FALSE(JsonLinesFormat({{"no such field", "x"}}).ok());
  EXPECT_FALSE(JsonLinesFormat({{"response", ""}}).ok());
}

// The exact decimal value of an integral double, by glibc's printf (sized first).
std::string ExactInteger(double d) {
  int n = std::snprintf(nullptr, 0, "%.0f", d);
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), "%.0f", d);
  out.resize(static_cast<size_t>(n));
  return out;
}

// A JSON number is written back as the shortest fixed-point text that reads back as its
// double (an integral one: its exact value). 1e300 is 301 digits: it was once formatted into a
// 64-byte buffer and the reported length read the stack behind it into the record.
TEST(FieldsTest, JsonHugeAndTinyNumbersAreWrittenWhole) {
  auto p = JsonLinesFormat({}).value();
  AccessLogRecord r;
  std::string_view why;
  struct Case {
    const char* json;
    std::string status;
  };
  EXPECT_EQ(ExactInteger(1e300).size(), 301u);
  EXPECT_EQ(ExactInteger(1e300).substr(0, 20), "10000000000000000525");
  const Case cases[] = {
      {"1e300", ExactInteger(1e300)},
      {"-1e300", ExactInteger(-1e300)},
      {"1.7976931348623157e308", ExactInteger(1.7976931348623157e308)},
      {"1e100", ExactInteger(1e100)},
      {"1e-7", "0.0000001"},
      {"5e-324", "0." + std::string(323, '0') + "5"},
      {"404.0", "404"},
      {"0.25", "0.25"},
  };
  for (const Case& c : cases) {
    std::string line = std::string(R"({"remote_addr":"1.2.3.4","status":)") + c.json + "}";
    ASSERT_TRUE(p->Parse(line, r, &why)) << c.json << ": " << why;
    EXPECT_EQ(r.get(Field::kStatus), c.status) << c.json;
    std::string v;
    EXPECT_TRUE(p->ExtraField(line, "status", &v)) << c.json;  // the same, read on demand
    EXPECT_EQ(v, c.status) << c.json;
  }
  // A huge time is not a time: the line is refused, nothing from behind the buffer is read.
  EXPECT_FALSE(p->Parse(R"({"remote_addr":"1.2.3.4","ts":1e300})", r, &why));
  EXPECT_EQ(why, "bad timestamp");
  ASSERT_TRUE(p->Parse(R"({"remote_addr":"1.2.3.4","ts":1760104536.25})", r, &why)) << why;
  EXPECT_EQ(r.time, 1760104536250000);
}

TEST(UrlDecodeTest, SingleDoubleAndNone) {
  std::string out;
  EXPECT_TRUE(UrlDecode("/a%20b?q=a+b", &out));
  EXPECT_EQ(out, "/a b?q=a b");
  EXPECT_TRUE(UrlDecode("..%252f..%252fetc", &out));
  EXPECT_EQ(out, "../../etc");
  EXPECT_FALSE(UrlDecode("/plain", &out));
  EXPECT_TRUE(UrlDecode("%zz%4", &out) == false);
}

TEST(FormatTest, CompileErrors) {
  EXPECT_EQ(CompileLogFormat("").status().message(), "log format is empty");
  EXPECT_EQ(CompileLogFormat("%{foo}t %h").status().message(),
            "log format: time format %{foo}t is not supported");
  EXPECT_EQ(CompileLogFormat("${remote_addr").status().message(),
            "log format: unclosed ${ at column 1");
  EXPECT_EQ(CompileLogFormat("plain text").status().message(),
            "log format has no variables: plain text");
}

// The directive pasted whole from nginx.conf (as the drill's truth gives it): the name and
// `escape=` before the quoted parts are not part of the format.
TEST(FormatTest, WholeLogFormatDirective) {
  std::string line =
      "10.20.0.5 - - [14/Oct/2022:00:00:17 +0100] \"POST /a HTTP/1.1\" 200 0 \"-\" \"curl/8\" "
      "\"198.51.100.7\" shop.example 0.090 \"k=%7B%7Bvar+x%7D%7D\"";
  for (const char* f :
       {"log_format main_ext '$remote_addr - $remote_user [$time_local] \"$request\" $status "
        "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\" "
        "$host $request_time \"$request_body\"';",
        "log_format  main  escape=default  '$remote_addr - $remote_user [$time_local] "
        "\"$request\" '\n  '$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" "
        "\"$http_x_forwarded_for\" $host $request_time \"$request_body\"' ;"}) {
    auto p = CompileLogFormat(f);
    ASSERT_TRUE(p.ok()) << f << ": " << p.status().ToString();
    AccessLogRecord r;
    std::string_view why;
    ASSERT_TRUE((*p)->Parse(line, r, &why)) << f << ": " << why;
    EXPECT_EQ(r.get(Field::kClientIp), "198.51.100.7");
    EXPECT_EQ(r.get(Field::kBody), "k=%7B%7Bvar+x%7D%7D");
    EXPECT_EQ(r.get(Field::kHost), "shop.example");
  }
}

TEST(DetectTest, PicksTheFormatThatParses) {
  std::string vhost =
      "shop.example:80 1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1 \"-\" "
      "\"-\"";
  std::string common = "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1";
  std::string json = "{\"remote_addr\":\"1.2.3.4\",\"request_uri\":\"/\"}";
  EXPECT_EQ(DetectFormat({kCombined})->name(), "combined");
  EXPECT_EQ(DetectFormat({vhost})->name(), "vhost_combined");
  EXPECT_EQ(DetectFormat({common})->name(), "common");
  EXPECT_EQ(DetectFormat({json})->name(), "jsonl");
  EXPECT_EQ(DetectFormat({"garbage"}), nullptr);
}

// ---- Readers ----

std::string Lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "1.2.3." + std::to_string(i % 250) + " - - [10/Oct/2025:13:55:36 +0200] \"GET /p" +
         std::to_string(i) + " HTTP/1.1\" 200 1 \"-\" \"ua\"\n";
  return s;
}

struct ReadOutcome {
  std::string data, error;
  Compression c;
};
ReadOutcome ReadAll(const std::string& path) {
  ReadOutcome o;
  auto s = OpenByteStream(path);
  EXPECT_TRUE(s.ok());
  o.c = (*s)->compression();
  char buf[4096];
  for (;;) {
    Result<size_t> r = (*s)->Read(buf, sizeof buf);
    if (!r.ok()) {
      o.error = r.status().message();
      break;
    }
    if (*r == 0) break;
    o.data.append(buf, *r);
  }
  return o;
}

TEST(ReaderTest, DetectsByMagicNotName) {
  TempDir d;
  std::string text = Lines(100);
  WriteFile(d / "access.log.1", testing::GzipBytes(text));  // gzip without .gz
  ReadOutcome o = ReadAll(d / "access.log.1");
  EXPECT_EQ(o.c, Compression::kGzip);
  EXPECT_EQ(o.data, text);
  WriteFile(d / "plain.gz", text);  // plain with .gz
  EXPECT_EQ(ReadAll(d / "plain.gz").c, Compression::kPlain);
}

TEST(ReaderTest, ConcatenatedGzipMembers) {
  TempDir d;
  std::string a = Lines(10), b = Lines(20);
  WriteFile(d / "x", testing::GzipBytes(a) + testing::GzipBytes(b));
  ReadOutcome o = ReadAll(d / "x");
  EXPECT_EQ(o.data, a + b);
  EXPECT_EQ(o.error, "");
}

TEST(ReaderTest, TruncatedGzipReportsWhatWasRead) {
  TempDir d;
  std::string text = Lines(5000);
  std::string gz = testing::GzipBytes(text);
  WriteFile(d / "x.gz", gz.substr(0, gz.size() / 2));
  ReadOutcome o = ReadAll(d / "x.gz");
  EXPECT_GT(o.data.size(), 0u);
  EXPECT_TRUE(text.starts_with(o.data));
  EXPECT_EQ(o.error, "truncated gzip member after " + std::to_string(o.data.size()) +
                         " bytes decompressed (" + std::to_string(gz.size() / 2) +
                         " compressed bytes read)");
}

TEST(ReaderTest, CorruptGzipIsReported) {
  TempDir d;
  std::string gz = testing::GzipBytes(Lines(2000));
  for (size_t i = 100; i < 140; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  WriteFile(d / "x.gz", gz);
  ReadOutcome o = ReadAll(d / "x.gz");
  EXPECT_NE(o.error.find("gzip"), std::string::npos) << o.error;
}

TEST(ReaderTest, ZstdAndBzip2IncludingTruncation) {
  TempDir d;
  std::string text = Lines(3000);
  WriteFile(d / "t", text);
  ASSERT_EQ(tq::testing::Run({"zstd", "-q", "-f", d / "t", "-o", d / "t.zst"}).exit_code, 0);
  ASSERT_EQ(tq::testing::Run({"bzip2", "-k", "-f", d / "t"}).exit_code, 0);
  ReadOutcome z = ReadAll(d / "t.zst");
  EXPECT_EQ(z.c, Compression::kZstd);
  EXPECT_EQ(z.data, text);
  ReadOutcome b = ReadAll(d / "t.bz2");
  EXPECT_EQ(b.c, Compression::kBzip2);
  EXPECT_EQ(b.data, text);
  std::string zs = tq::testing::ReadFile(d / "t.zst");
  WriteFile(d / "cut.zst", zs.substr(0, zs.size() - 10));
  ReadOutcome zc = ReadAll(d / "cut.zst");
  EXPECT_TRUE(zc.error.starts_with("truncated zstd frame after ")) << zc.error;
  std::string bs = tq::testing::ReadFile(d / "t.bz2");
  WriteFile(d / "cut.bz2", bs.substr(0, bs.size() / 2));
  EXPECT_TRUE(ReadAll(d / "cut.bz2").error.starts_with("truncated bzip2 stream after "));
}

TEST(StreamTest, EveryLineAccountedForIncludingHugeAndGarbage) {
  TempDir d;
  std::string text = Lines(3);
  text += std::string(2 << 20, 'A') + "\n";  // a 2 MiB line
  text += "\x01\x02 binary\n\n";
  text += Lines(2);
  text += "1.2.3.4 - - [no";  // unterminated last line
  WriteFile(d / "x", text);
  ParseStats st;
  uint64_t n = 0;
  std::vector<uint64_t> line_nos;
  Status s = StreamRecords(
      d / "x", {}, {},
      [&](const AccessLogRecord& r) {
        ++n;
        line_nos.push_back(r.line_no);
        return true;
      },
      &st);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(st.format, "combined");
  EXPECT_EQ(st.lines, 9u);
  EXPECT_EQ(st.parsed, 5u);
  EXPECT_EQ(n, 5u);
  EXPECT_EQ(line_nos, (std::vector<uint64_t>{1, 2, 3, 7, 8}));
  EXPECT_EQ(st.skipped.count("line too long"), 1u);
  ASSERT_NE(st.skipped.find("line too long"), nullptr);
  ASSERT_EQ(st.skipped.find("line too long")->examples.size(), 1u);
  EXPECT_EQ(st.skipped.find("line too long")->examples[0].line, 4u);
  EXPECT_EQ(st.skipped.count("format mismatch"), 2u);
  EXPECT_EQ(st.skipped.count("empty line"), 1u);
  EXPECT_EQ(st.bytes, text.size());
}

// A plain file and its gzip copy, cut into chunks of whole lines: the same lines with the same
// numbers and offsets, and the same overlong lines counted, whatever the chunk size.
struct Chunked {
  std::map<uint64_t, std::pair<uint64_t, std::string>> lines;  // line -> (offset, text)
  std::vector<uint64_t> too_long;
  uint64_t bytes = 0, stat_lines = 0;
};
// `report`: the consumer gives the chunk's number of lines back (ForEachChunk does not count
// them again).
Chunked ChunkAll(const std::string& path, size_t chunk_size, size_t max_line, bool report = false) {
  Chunked out;
  auto in = OpenByteStream(path);
  EXPECT_TRUE(in.ok());
  ParseStats st;
  size_t biggest = 0;
  uint64_t chunk_lines = 0;
  Status s = ForEachChunk(
      **in, chunk_size, max_line, &st,
      [&](std::string_view chunk, uint64_t line_no, uint64_t offset) {
        biggest = std::max(biggest, chunk.size());
        EXPECT_EQ(chunk_lines, kNotCounted);
        if (report) chunk_lines = 0;
        size_t p = 0;
        while (p < chunk.size()) {
          chunk_lines += report;
          size_t e = chunk.find('\n', p);
          if (e == std::string_view::npos) e = chunk.size();
          if (e - p > max_line)  // as a consumer skips it
            out.too_long.push_back(line_no);
          else
            out.lines[line_no] = {offset + p, std::string(chunk.substr(p, e - p))};
          ++line_no;
          p = e + 1;
        }
        return true;
      },
      &chunk_lines);
  EXPECT_TRUE(s.ok());
  EXPECT_LE(biggest, chunk_size + max_line + 1);
  if (const SkipTally::Reason* r = st.skipped.find("line too long"))
    for (const SkippedInput& e : r->examples) out.too_long.push_back(e.line);
  EXPECT_LE(st.skipped.count("line too long"), 5u);  // all examples kept
  std::sort(out.too_long.begin(), out.too_long.end());
  out.bytes = st.bytes;
  out.stat_lines = st.lines;
  return out;
}

TEST(StreamTest, PlainAndGzipChunkAlikeAtEveryChunkSize) {
  TempDir d;
  std::string text = Lines(20000);
  text.insert(text.find('\n', 5000) + 1, std::string(700, 'L') + "\n");
  text.insert(text.find('\n', 300000) + 1, std::string(5000, 'M') + "\n");
  text.insert(0, std::string(400, 'F') + "\n");
  text += std::string(900, 'T');  // an overlong last line without a newline
  WriteFile(d / "x", text);
  WriteFile(d / "x.gz", testing::GzipBytes(text));
  std::vector<uint64_t> want_too_long;
  for (size_t p = 0, line = 1; p < text.size(); ++line) {
    size_t e = std::min(text.find('\n', p), text.size());
    if (e - p > 300) want_too_long.push_back(line);
    p = e + 1;
  }
  ASSERT_EQ(want_too_long.size(), 4u);
  for (size_t chunk : {size_t{1}, size_t{100}, size_t{4096}, size_t{1} << 16, size_t{4} << 20}) {
    Chunked plain = ChunkAll(d / "x", chunk, 300), gz = ChunkAll(d / "x.gz", chunk, 300);
    Chunked counted = ChunkAll(d / "x", chunk, 300, true);
    EXPECT_EQ(plain.lines, gz.lines) << chunk;
    EXPECT_EQ(plain.lines, counted.lines) << chunk;
    EXPECT_EQ(plain.too_long, counted.too_long) << chunk;
    EXPECT_EQ(plain.bytes, counted.bytes) << chunk;
    EXPECT_EQ(plain.too_long, gz.too_long) << chunk;
    EXPECT_EQ(plain.too_long, want_too_long) << chunk;
    EXPECT_EQ(plain.lines.size(), 20000u);
    EXPECT_EQ(plain.bytes, text.size());
    EXPECT_EQ(plain.bytes, gz.bytes);
    for (auto& [line, v] : plain.lines) ASSERT_EQ(text.substr(v.first, v.second.size()), v.second);
  }
}

// A range of a file (a thread's share of a large one): offsets count from the range's start.
TEST(StreamTest, RangeStartsAtItsOffset) {
  TempDir d;
  std::string text = Lines(60000);
  WriteFile(d / "x", text);
  uint64_t begin = text.find('\n', 2 << 20) + 1;
  auto in = OpenRange(d / "x", begin, text.size());
  ASSERT_TRUE(in.ok());
  ParseStats st;
  std::string got;
  ASSERT_TRUE(ForEachChunk(**in, 1 << 16, 1 << 20, &st,
                           [&](std::string_view chunk, uint64_t, uint64_t offset) {
                             EXPECT_EQ(offset, got.size());
                             got += chunk;
                             return true;
                           })
                  .ok());
  EXPECT_EQ(got, text.substr(begin));
  EXPECT_EQ((*in)->produced(), text.size() - begin);
}

TEST(StreamTest, FilterAndOutOfOrder) {
  TempDir d;
  WriteFile(d / "x",
            "1.1.1.1 - - [10/Oct/2025:13:55:36 +0200] \"GET /a HTTP/1.1\" 200 1 \"-\" \"-\"\n"
            "2.2.2.2 - - [10/Oct/2025:13:55:30 +0200] \"GET /b HTTP/1.1\" 200 1 \"-\" \"-\"\n");
  RecordFilter f;
  f.client_ips = {"2.2.2.2"};
  ParseStats st;
  std::vector<uint64_t> offs;
  ASSERT_TRUE(StreamRecords(
                  d / "x", {}, f,
                  [&](const AccessLogRecord& r) {
                    offs.push_back(r.offset);
                    return true;
                  },
                  &st)
                  .ok());
  EXPECT_EQ(offs, std::vector<uint64_t>{73});
  EXPECT_EQ(st.out_of_order, 1u);
}

TEST(CorpusTest, RealLogsParse) {
  std::string dir = SharedDir() + "/corpus/logs/";
  if (!fs::exists(dir)) GTEST_SKIP();
  struct Want {
    const char* file;
    const char* format;
    uint64_t lines, parsed;
  } wants[] = {{"elastic-apache_logs.log", "combined", 10000, 9999},  // line 8899 is cut short
               {"lnav-logfile_access_log.0", "combined", 3, 3},
               {"lnav-logfile_access_log.1", "combined", 1, 1},
               {"lnav-logfile_cloudflare.json", "jsonl", 1, 1}};
  for (const Want& w : wants) {
    ParseStats st;
    ASSERT_TRUE(StreamRecords(
                    dir + w.file, {}, {}, [](const AccessLogRecord&) { return true; }, &st)
                    .ok());
    EXPECT_EQ(st.format, w.format) << w.file;
    EXPECT_EQ(st.lines, w.lines) << w.file;
    EXPECT_EQ(st.parsed, w.parsed) << w.file;
  }
  // Caddy's log mixes service messages with access lines: the access lines parse, the rest
  // are counted by reason.
  ParseStats st;
  ASSERT_TRUE(StreamRecords(
                  dir + "lnav-logfile_caddy_log.0", {}, {},
                  [](const AccessLogRecord&) { return true; }, &st)
                  .ok());
  EXPECT_EQ(st.format, "jsonl");
  uint64_t skipped = 0;
  for (auto& [k, v] : st.skipped) skipped += v.count;
  EXPECT_EQ(st.parsed + skipped, st.lines);
}

}  // namespace
}  // namespace tq::logs
