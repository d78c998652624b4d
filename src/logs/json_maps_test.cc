// The JSON lines providers' field maps (json_maps.cc, data/logs/json_fields.tsv): the shipped
// file loads, a provider added as data alone is read, and a damaged line is an error naming
// the file and line.
#include <gtest/gtest.h>

#include "logs/formats_test_support.h"

namespace tq::logs {
namespace {

TEST(JsonMapsTest, ShippedMapsLoadWithAkamaiAndFastly) {
  const Result<std::vector<JsonFieldPath>>& maps = ShippedJsonFieldMaps();
  ASSERT_TRUE(maps.ok()) << maps.status().ToString();
  std::set<std::string> providers;
  for (const JsonFieldPath& m : *maps) providers.insert(m.provider);
  EXPECT_TRUE(providers.count("akamai"));
  EXPECT_TRUE(providers.count("fastly"));
}

TEST(JsonMapsTest, AProviderAddedAsDataIsRead) {
  Result<std::vector<JsonFieldPath>> maps = ParseJsonFieldMaps(
      "# acme edge logs\n"
      "acme\tc-ip\tvisitor.addr\n"
      "acme\ttime\twhen_ms\r\n"
      "\n"
      "acme\tcs-uri-stem\treq.path\n"
      "acme\tcs-query\treq.qs\n"
      "acme\tsc-status\tcode\n",
      "acme.tsv");
  ASSERT_TRUE(maps.ok()) << maps.status().ToString();
  auto p = JsonLinesFormatWithMaps({}, *maps);
  ASSERT_TRUE(p.ok());
  AccessLogRecord r;
  std::string_view why;
  ASSERT_TRUE((*p)->Parse(R"({"visitor":{"addr":"198.51.100.9"},"when_ms":1760083200123,)"
                          R"("req":{"path":"/a","qs":"b=1"},"code":403})",
                          r, &why))
      << why;
  EXPECT_EQ(r.get(Field::kClientIp), "198.51.100.9");
  EXPECT_EQ(r.get(Field::kUri), "/a?b=1");
  EXPECT_EQ(r.get(Field::kStatus), "403");
  EXPECT_EQ(FormatUtc(r.time), "2025-10-10T08:00:00.123000Z");
  // Without the map the same line has no request fields.
  auto plain = JsonLinesFormatWithMaps({}, {});
  EXPECT_FALSE((*plain)->Parse(R"({"visitor":{"addr":"198.51.100.9"},"code":403})", r, &why));
}

// `message` is a field of its own now; a JSON member of that name still fills it.
TEST(JsonMapsTest, MessageMemberAndBody) {
  auto p = JsonLinesFormat({});
  ASSERT_TRUE(p.ok());
  AccessLogRecord r;
  std::string_view why;
  ASSERT_TRUE((*p)->Parse(R"({"remote_addr":"198.51.100.9","request_uri":"/a","message":"m",)"
                          R"("request_body":"k={{var x}}"})",
                          r, &why))
      << why;
  EXPECT_EQ(r.get(Field::kMessage), "m");
  EXPECT_EQ(r.get(Field::kBody), "k={{var x}}");
  EXPECT_FALSE((*p)->Parse(R"({"level":"info","message":"server started"})", r, &why));
  EXPECT_EQ(why, kSkipNoRequest);
}

TEST(JsonMapsTest, DamagedLinesNameFileAndLine) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"acme\tc-ip\n", "m.tsv:1: want 3 tab-separated columns (provider, field, JSON path)"},
      {"# c\nacme\tc-addr\tip\n",
       "m.tsv:2: unknown field 'c-addr' (a Sigma webserver field or time)"},
      {"acme\tc-ip\ta..b\n", "m.tsv:1: bad JSON path 'a..b'"},
      {"acme\tc-ip\tip\x1b[2J\n", "m.tsv:1: bad JSON path 'ip\x1b[2J'"},
      {"ac me\tc-ip\tip\n", "m.tsv:1: bad provider name 'ac me'"},
      {"acme\tc-ip\tip\textra\n",
       "m.tsv:1: want 3 tab-separated columns (provider, field, JSON path)"},
  };
  for (const Case& c : cases) {
    Result<std::vector<JsonFieldPath>> maps = ParseJsonFieldMaps(c.text, "m.tsv");
    ASSERT_FALSE(maps.ok()) << c.text;
    EXPECT_EQ(maps.status().message(), c.error);
  }
}

}  // namespace
}  // namespace tq::logs
