// The formats beyond Apache / nginx text, and the client rule, on the format corpus in
// testdata/ (written after each format's documentation) and on generated corpora: each
// file detected as its format, each line's client, time (UTC, to the microsecond) and
// request checked; broken lines skipped with their reason; never a client that is not an
// address.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>

#include "logs/formats_test_support.h"
#include "logs/logs.h"
#include "logs/parsers.h"
#include "support/testing.h"

namespace tq::logs {
namespace {

using namespace format_test;  // NOLINT: test helpers

struct Want {
  uint64_t line;
  const char *client, *time, *method, *uri, *stem, *query, *status, *host, *peer;
};

struct FileCase {
  const char* file;
  const char* format;
  std::vector<Want> lines;
  std::map<std::string, uint64_t> skipped;
};

void PrintTo(const FileCase& c, std::ostream* os) { *os << c.file; }

class FormatFileTest : public ::testing::TestWithParam<FileCase> {};

TEST_P(FormatFileTest, EveryLineAsDocumented) {
  const FileCase& c = GetParam();
  ParseStats st;
  std::vector<Got> got = ReadAll(Testdata(c.file), &st);
  EXPECT_EQ(st.format, c.format);
  ASSERT_EQ(got.size(), c.lines.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const Want& w = c.lines[i];
    const Got& g = got[i];
    EXPECT_EQ(g.line, w.line) << c.file << " record " << i;
    EXPECT_EQ(g.client, w.client) << c.file << ":" << w.line;
    EXPECT_EQ(g.time, w.time) << c.file << ":" << w.line;
    EXPECT_EQ(g.method, w.method) << c.file << ":" << w.line;
    EXPECT_EQ(g.uri, w.uri) << c.file << ":" << w.line;
    EXPECT_EQ(g.stem, w.stem) << c.file << ":" << w.line;
    EXPECT_EQ(g.query, w.query) << c.file << ":" << w.line;
    EXPECT_EQ(g.status, w.status) << c.file << ":" << w.line;
    EXPECT_EQ(g.host, w.host) << c.file << ":" << w.line;
    EXPECT_EQ(g.peer, w.peer) << c.file << ":" << w.line;
  }
  std::map<std::string, uint64_t> skipped;
  for (auto& [k, v] : st.skipped) skipped[k] = v.count;
  EXPECT_EQ(skipped, c.skipped) << c.file;
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, FormatFileTest,
    ::testing::Values(
        FileCase{"iis_w3c.log",
                 "w3c",
                 {{5, "203.0.113.5", "2025-10-10T00:00:01Z", "GET", "/index.html", "/index.html",
                   "", "200", "", ""},
                  {6, "2001:db8::5", "2025-10-10T00:00:02Z", "GET", "/search?q=shoes&page=2",
                   "/search", "q=shoes&page=2", "200", "", ""},
                  {7, "198.51.100.23", "2025-10-10T00:00:03Z", "GET", "//pma/./index.php",
                   "//pma/./index.php", "", "404", "", ""},
                  {12, "198.51.100.7", "2025-10-10T01:00:00Z", "POST",
                   "/rest/V1/guest-carts/abc/estimate-shipping-methods",
                   "/rest/V1/guest-carts/abc/estimate-shipping-methods", "", "200", "", "10.0.0.9"},
                  {13, "203.0.113.77", "2025-10-10T01:00:01Z", "GET", "/admin/", "/admin/", "",
                   "302", "", "10.0.0.9"}},
                 {{"directive", 8}, {"client not an address", 1}}},
        FileCase{"cloudfront.log",
                 "w3c",
                 {{3, "192.0.2.44", "2025-10-10T02:03:04Z", "GET", "/app/etc/env.php",
                   "/app/etc/env.php", "", "404", "shop.example", ""},
                  {4, "2001:db8:1::9", "2025-10-10T02:03:05Z", "GET",
                   "/catalog/search?q=%27%20or%201=1--", "/catalog/search", "q=%27%20or%201=1--",
                   "200", "shop.example", ""}},
                 {{"directive", 2}}},
        FileCase{
            "alb.log",
            "alb",
            {{1, "203.0.113.12", "2025-10-10T08:01:02.123456Z", "GET", "/catalog/item.html?id=7",
              "/catalog/item.html", "id=7", "200", "shop.example:80", ""},
             {2, "2001:db8::77", "2025-10-10T08:01:03.500000Z", "GET", "//pma/index.php",
              "//pma/index.php", "", "404", "shop.example:443", ""},
             {3, "198.51.100.3", "2025-10-10T08:01:04.000001Z", "POST",
              "/rest/V1/guest-carts/x/estimate-shipping-methods",
              "/rest/V1/guest-carts/x/estimate-shipping-methods", "", "460", "shop.example:443",
              ""}},
            {}},
        FileCase{"elb.log",
                 "elb",
                 {{1, "192.0.2.150", "2025-10-10T09:00:00.000100Z", "GET", "/", "/", "", "200",
                   "shop.example:80", ""},
                  {2, "192.0.2.151", "2025-10-10T09:00:01.250000Z", "GET", "/.env", "/.env", "",
                   "200", "shop.example:443", ""},
                  {3, "192.0.2.152", "2025-10-10T09:00:02Z", "GET", "/slow", "/slow", "", "504",
                   "shop.example:80", ""}},
                 {}},
        FileCase{
            "haproxy.log",
            "haproxy",
            {{1, "192.0.2.10", "2025-10-10T12:14:14.655000Z", "GET", "/index.html", "/index.html",
              "", "200", "", ""},
             {2, "198.51.100.8", "2025-10-10T12:14:15.001000Z", "GET",
              "/admin/../app/etc/env.php?x=1", "/admin/../app/etc/env.php", "x=1", "404", "", ""},
             {3, "2001:db8::42", "2025-10-10T12:14:16.999000Z", "", "<BADREQ>", "<BADREQ>", "",
              "400", "", ""},
             {4, "192.0.2.11", "2025-10-10T12:14:17.120000Z", "POST", "/checkout", "/checkout", "",
              "200", "", ""}},
            {}},
        FileCase{"s3.log",
                 "s3",
                 {{1, "192.0.2.3", "2025-10-10T00:00:38Z", "GET", "/shop-media/backups/db.sql.gz",
                   "/shop-media/backups/db.sql.gz", "", "200",
                   "shop-media.s3.eu-west-1.amazonaws.com", ""},
                  {2, "2001:db8::3", "2025-10-10T00:01:00Z", "GET",
                   "/shop-media/index.html?versionId=3", "/shop-media/index.html", "versionId=3",
                   "403", "shop-media.s3.eu-west-1.amazonaws.com", ""}},
                 {}},
        FileCase{"cloudflare.jsonl",
                 "jsonl",
                 {{1, "203.0.113.40", "2025-10-10T08:00:00.123456Z", "GET",
                   "/downloader/index.php?cmd=id", "/downloader/index.php", "cmd=id", "404",
                   "shop.example", ""},
                  {2, "2001:db8:cf::1", "2025-10-10T08:00:01.500000Z", "POST",
                   "/customer/account/loginPost/", "/customer/account/loginPost/", "", "302",
                   "shop.example", ""},
                  {3, "198.51.100.41", "2025-10-10T08:00:02Z", "GET", "/", "/", "", "200",
                   "shop.example", ""},
                  {4, "198.51.100.42", "2025-10-10T08:00:03.250000Z", "GET", "/", "/", "", "200",
                   "shop.example", ""}},
                 {}},
        FileCase{"caddy.log",
                 "jsonl",
                 {{2, "203.0.113.90", "2025-10-10T08:00:01.250000Z", "GET", "/app/etc/env.php",
                   "/app/etc/env.php", "", "404", "shop.example", "172.18.0.1"},
                  {3, "2001:db8::90", "2025-10-10T08:00:02.750000Z", "POST", "/checkout/?step=2",
                   "/checkout/", "step=2", "200", "shop.example", ""}},
                 {{"no request fields", 1}}},
        FileCase{"akamai.jsonl",
                 "jsonl",
                 {{1, "198.51.100.70", "2025-10-10T08:00:00.250000Z", "GET", "/app/etc/env.php?x=1",
                   "/app/etc/env.php", "x=1", "404", "shop.example", ""},
                  {2, "2001:db8::70", "2025-10-10T08:00:01Z", "POST", "/checkout/", "/checkout/",
                   "", "200", "shop.example", ""}},
                 {}},
        FileCase{
            "fastly.jsonl",
            "jsonl",
            {{1, "203.0.113.80", "2025-10-10T08:00:00Z", "GET", "/app/etc/env.php?x=1",
              "/app/etc/env.php", "x=1", "404", "shop.example", ""},
             {2, "2001:db8::80", "2025-10-10T08:00:01Z", "POST",
              "/rest/V1/guest-carts/x/estimate-shipping-methods",
              "/rest/V1/guest-carts/x/estimate-shipping-methods", "", "200", "shop.example", ""}},
            {{"client not an address", 1}}},
        FileCase{"traefik.jsonl",
                 "jsonl",
                 {{1, "192.0.2.60", "2025-10-10T10:00:00.123456Z", "GET", "/catalog/?q=1",
                   "/catalog/", "q=1", "200", "shop.example", ""},
                  {2, "2001:db8::61", "2025-10-10T10:00:01.500000Z", "GET", "/.git/config",
                   "/.git/config", "", "404", "shop.example", ""}},
                 {}}),
    [](const ::testing::TestParamInfo<FileCase>& i) {
      std::string n = i.param.file;
      for (char& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

// Generated corpora: 2,000 requests per format, written as each format's documentation
// lays its lines out (IPv4 and IPv6 clients, times with fractions, targets with and without
// a query, encoded bytes, quotes and spaces in user agents); every line must come back with
// its client, time and request exactly.
struct GenRequest {
  std::string client, method, stem, query, status, ua;
  UnixMicros time;
};

std::vector<GenRequest> Requests(size_t n) {
  std::vector<GenRequest> out;
  uint64_t x = 88172645463325252ull;
  auto next = [&]() { return x ^= x << 13, x ^= x >> 7, x ^= x << 17; };
  const char* methods[] = {"GET", "POST", "HEAD", "PUT", "OPTIONS"};
  const char* stems[] = {"/",
                         "/catalog/p.html",
                         "//pma/index.php",
                         "/a%20b/c.php",
                         "/rest/V1/guest-carts/x/estimate-shipping-methods",
                         "/x/../app/etc/env.php"};
  const char* queries[] = {"", "id=1", "q=%27%20or%201=1--", "a=1&b=2"};
  const char* uas[] = {"Mozilla/5.0", "curl/8.4.0", "python-requests/2.31.0", "sqlmap/1.7"};
  for (size_t i = 0; i < n; ++i) {
    GenRequest r;
    uint64_t v = next();
    r.client =
        v % 3 == 0
            ? "2001:db8:" + std::to_string(v % 9000 + 1000) + "::" + std::to_string(v % 97 + 1)
            : std::to_string(v % 223 + 1) + "." + std::to_string((v >> 8) % 256) + "." +
                  std::to_string((v >> 16) % 256) + "." + std::to_string((v >> 24) % 254 + 1);
    r.method = methods[(v >> 32) % 5];
    r.stem = stems[(v >> 35) % 6];
    r.query = queries[(v >> 38) % 4];
    r.status = std::to_string(200 + (v >> 40) % 4 * 100 + (v >> 44) % 5);
    r.ua = uas[(v >> 47) % 4];
    r.time = 1760083200000000 + static_cast<int64_t>(i) * 1234567 +
             static_cast<int64_t>(v % 1000) * 1000;
    out.push_back(r);
  }
  return out;
}

std::string Iso(UnixMicros t) {  // 2025-10-10T08:00:00.123456Z, always with 6 digits
  std::string s = FormatUtc(t / 1000000 * 1000000);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(t % 1000000));
  return s.substr(0, s.size() - 1) + frac + "Z";
}
std::string Target(const GenRequest& r) { return r.stem + (r.query.empty() ? "" : "?" + r.query); }

TEST(CorpusTest, GeneratedLinesOfEveryFormatComeBackExactly) {
  std::vector<GenRequest> reqs = Requests(2000);
  struct Gen {
    const char* format;
    const char* header;
    std::function<std::string(const GenRequest&)> line;
    UnixMicros precision;  // of the time the format writes
    bool has_status = true;
  };
  static const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "10/Oct/2025:08:00:00" from the ISO form.
  auto clf = [](const GenRequest& r) {
    std::string iso = Iso(r.time);
    return iso.substr(8, 2) + "/" + kMon[std::stoi(iso.substr(5, 2)) - 1] + "/" + iso.substr(0, 4) +
           ":" + iso.substr(11, 8);
  };
  std::vector<Gen> gens = {
      {"w3c",
       "#Version: 1.0\n#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status "
       "cs(User-Agent)\n",
       [](const GenRequest& r) {
         std::string iso = Iso(r.time);
         return iso.substr(0, 10) + " " + iso.substr(11, 15) + " " + r.client + " " + r.method +
                " " + r.stem + " " + (r.query.empty() ? "-" : r.query) + " " + r.status + " " +
                r.ua;
       },
       1},
      {"alb", "",
       [](const GenRequest& r) {
         return "https " + Iso(r.time) + " app/lb/1 " + r.client + ":443 10.0.0.1:80 0.0 0.1 0.0 " +
                r.status + " " + r.status + " 10 20 \"" + r.method + " https://shop.example:443" +
                Target(r) + " HTTP/1.1\" \"" + r.ua + "\" - - arn \"Root=1\" \"-\" \"-\" 0 " +
                Iso(r.time) + " \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\" TID_1";
       },
       1},
      {"elb", "",
       [](const GenRequest& r) {
         return Iso(r.time) + " lb " + r.client + ":80 10.0.0.1:80 0.0 0.1 0.0 " + r.status + " " +
                r.status + " 10 20 \"" + r.method + " http://shop.example:80" + Target(r) +
                " HTTP/1.1\" \"" + r.ua + "\" - -";
       },
       1},
      {"haproxy", "",
       [](const GenRequest& r) {
         // dd/Mon/yyyy:hh:mm:ss.mmm from the ISO form.
         std::string iso = Iso(r.time);
         static const char* mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
         std::string d = iso.substr(8, 2) + "/" + mon[std::stoi(iso.substr(5, 2)) - 1] + "/" +
                         iso.substr(0, 4) + ":" + iso.substr(11, 8) + "." + iso.substr(20, 3);
         return "Oct 10 08:00:00 lb haproxy[7]: " + r.client + ":4000 [" + d +
                "] fe be/s 0/0/1/2/3 " + r.status + " 99 - - ---- 1/1/1/1/0 0/0 {" + r.ua + "} \"" +
                r.method + " " + Target(r) + " HTTP/1.1\"";
       },
       1000},
      {"jsonl", "",
       [](const GenRequest& r) {
         return "{\"ClientIP\":\"" + r.client + "\",\"ClientRequestMethod\":\"" + r.method +
                "\",\"ClientRequestURI\":\"" + Target(r) + "\",\"EdgeResponseStatus\":" + r.status +
                ",\"ClientRequestUserAgent\":\"" + r.ua +
                "\",\"EdgeStartTimestamp\":" + std::to_string(r.time) + "789}";
       },
       1},
      {"jsonl", "",  // Fastly's JSON logging format (data/logs/json_fields.tsv)
       [](const GenRequest& r) {
         return "{\"timestamp\":\"" + Iso(r.time).substr(0, 19) + "+0000\",\"client_ip\":\"" +
                r.client + "\",\"host\":\"shop.example\",\"url\":\"" + Target(r) +
                "\",\"request_method\":\"" + r.method + "\",\"request_user_agent\":\"" + r.ua +
                "\",\"response_status\":" + r.status + ",\"response_body_size\":10}";
       },
       1000000},
      {"modsec", "",  // one audit entry per request, v2 and v3 boundaries in turn
       [clf](const GenRequest& r) {
         std::string id = r.time % 2 ? "--" + std::to_string(r.time % 99999989) + "-"
                                     : "---" + std::to_string(r.time % 99999989) + "---";
         std::string frac = Iso(r.time).substr(19, 7);
         return id + "A--\n[" + clf(r) + frac + " +0000] Xy " + r.client + " 4000 10.0.0.1 443\n" +
                id + "B--\n" + r.method + " " + Target(r) + " HTTP/1.1\nHost: shop.example\n" +
                "User-Agent: " + r.ua + "\n\n" + id + "C--\nq={{var+x}}\n" + id + "F--\nHTTP/1.1 " +
                r.status + " X\n\n" + id + "H--\nStopwatch: 1 2 (- - -)\n\n" + id + "Z--\n";
       },
       1},
      {"error", "",  // nginx: the request and client after the message
       [](const GenRequest& r) {
         std::string iso = Iso(r.time);
         return iso.substr(0, 4) + "/" + iso.substr(5, 2) + "/" + iso.substr(8, 2) + " " +
                iso.substr(11, 8) + " [error] 7#7: *1 open() \"/x\" failed, client: " + r.client +
                ", server: shop.example, request: \"" + r.method + " " + Target(r) +
                " HTTP/1.1\", host: \"shop.example\"";
       },
       1000000, false},
  };
  TempDir dir;
  for (const Gen& g : gens) {
    std::string text = g.header;
    for (const GenRequest& r : reqs) text += g.line(r) + "\n";
    std::string path = dir.path() + "/" + g.format + std::to_string(&g - gens.data()) + ".log";
    WriteFile(path, text);
    ParseStats st;
    std::vector<Got> got = ReadAll(path, &st);
    EXPECT_EQ(st.format, g.format);
    ASSERT_EQ(got.size(), reqs.size()) << g.format;
    size_t wrong = 0;
    for (size_t i = 0; i < reqs.size(); ++i) {
      const GenRequest& r = reqs[i];
      std::string want_time = FormatUtc(r.time / g.precision * g.precision);
      bool ok = got[i].client == r.client && got[i].time == want_time &&
                got[i].method == r.method && got[i].uri == Target(r) && got[i].stem == r.stem &&
                got[i].query == r.query && got[i].status == (g.has_status ? r.status : "");
      if (!ok && wrong++ < 3)
        ADD_FAILURE() << g.format << " line " << got[i].line << ": " << got[i].client << " "
                      << got[i].time << " " << got[i].method << " " << got[i].uri << " want "
                      << r.client << " " << want_time << " " << Target(r);
    }
    EXPECT_EQ(wrong, 0u) << g.format;
  }
}

TEST(TimeFormatTest, StrptimePatternsWithFractionsAndZones) {
  UnixMicros t = 0;
  ASSERT_TRUE(ParseTimeWithFormat("2025/10/10 13:55:36 +0200", "%Y/%m/%d %H:%M:%S %z", &t));
  EXPECT_EQ(FormatUtc(t), "2025-10-10T11:55:36Z");
  ASSERT_TRUE(ParseTimeWithFormat("10.10.2025 13:55:36.123456789", "%d.%m.%Y %H:%M:%S", &t));
  EXPECT_EQ(FormatUtc(t), "2025-10-10T13:55:36.123456Z");
  ASSERT_TRUE(ParseTimeWithFormat("Oct 10 2025 13:55:36,5 -0100", "%b %d %Y %H:%M:%S %z", &t));
  EXPECT_EQ(FormatUtc(t), "2025-10-10T14:55:36.500000Z");
  for (const char* bad : {"2025/02/31 13:55:36 +0200", "2025/10/10 13:55 +0200",
                          "2025/10/10 13:55:36 +0200 trailing", ""})
    EXPECT_FALSE(ParseTimeWithFormat(bad, "%Y/%m/%d %H:%M:%S %z", &t)) << bad;
  // As --time-format on a format's time field, and as Apache's %{pattern}t.
  StreamOptions o;
  o.log_format = "$remote_addr [$time_local] \"$request\" $status";
  o.time_format = "%Y-%m-%d %H:%M:%S.%z";
  auto p = ParserFor(o).value();
  AccessLogRecord r;
  std::string_view why;
  ASSERT_TRUE(p->Parse("1.2.3.4 [2025-10-10 13:55:36.+0000] \"GET / HTTP/1.1\" 200", r, &why))
      << why;
  o.time_format = "%Y/%m/%d %H:%M:%S";
  p = ParserFor(o).value();
  ASSERT_TRUE(p->Parse("1.2.3.4 [2025/10/10 13:55:36.25] \"GET / HTTP/1.1\" 200", r, &why)) << why;
  EXPECT_EQ(FormatUtc(r.time), "2025-10-10T13:55:36.250000Z");
  EXPECT_FALSE(p->Parse("1.2.3.4 [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200", r, &why));
  EXPECT_EQ(why, "bad timestamp");
  auto apache = CompileLogFormat("%h [%{%d/%m/%Y %H:%M:%S %z}t] \\\"%r\\\" %>s").value();
  ASSERT_TRUE(apache->Parse("1.2.3.4 [10/10/2025 13:55:36 +0200] \"GET / HTTP/1.1\" 200", r, &why))
      << why;
  EXPECT_EQ(FormatUtc(r.time), "2025-10-10T11:55:36Z");
  auto msec = CompileLogFormat("%h %{msec}t \\\"%r\\\" %>s").value();
  ASSERT_TRUE(msec->Parse("1.2.3.4 1760083200123 \"GET / HTTP/1.1\" 200", r, &why)) << why;
  EXPECT_EQ(FormatUtc(r.time), "2025-10-10T08:00:00.123000Z");
  StreamOptions j;
  j.log_format = "jsonl";
  j.time_format = "%d/%m/%Y %H:%M:%S";
  auto json = ParserFor(j).value();
  ASSERT_TRUE(
      json->Parse(R"({"remote_addr":"1.2.3.4","uri":"/","time":"10/10/2025 08:00:00"})", r, &why))
      << why;
  EXPECT_EQ(FormatUtc(r.time), "2025-10-10T08:00:00Z");
}

TEST(EpochTest, SecondsMilliMicroNano) {
  UnixMicros t = 0;
  ASSERT_TRUE(ParseEpoch("1760083200", &t));
  EXPECT_EQ(t, 1760083200000000);
  ASSERT_TRUE(ParseEpoch("1760083200.123456789", &t));
  EXPECT_EQ(t, 1760083200123456);
  ASSERT_TRUE(ParseEpoch("1760083200123", &t));
  EXPECT_EQ(t, 1760083200123000);
  ASSERT_TRUE(ParseEpoch("1760083200123.5", &t));
  EXPECT_EQ(t, 1760083200123500);
  ASSERT_TRUE(ParseEpoch("1760083200123456", &t));
  EXPECT_EQ(t, 1760083200123456);
  ASSERT_TRUE(ParseEpoch("1760083200123456789", &t));
  EXPECT_EQ(t, 1760083200123456);
  for (const char* bad : {"", ".", "17600832001234567890", "1760083200.1x", "-1", "1e9"})
    EXPECT_FALSE(ParseEpoch(bad, &t)) << bad;
}

}  // namespace
}  // namespace tq::logs
