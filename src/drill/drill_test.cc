// Unit tests for the drill's pieces: PRNG determinism, dump escaping, log escaping per
// server, rotation names, schema tables, row building, and a whole small drill.
#include "drill/drill.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "drill/internal.h"
#include "drill/logformat.h"
#include "drill/sqldump.h"

namespace tq::drill {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(42, 7), b(42, 7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.Next(), b.Next());
}

TEST(Rng, StreamsAndSeedsDiffer) {
  Rng a(42, 7), b(42, 8), c(43, 7);
  int same_b = 0, same_c = 0;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    same_b += x == b.Next();
    same_c += x == c.Next();
  }
  EXPECT_EQ(same_b, 0);
  EXPECT_EQ(same_c, 0);
}

TEST(Rng, KnownFirstValuesPinTheAlgorithm) {
  // Changing the generator changes every drilled store; this test makes that deliberate.
  uint64_t st = 0;
  EXPECT_EQ(SplitMix64(st), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(st), 0x6e789e6aa1b965f4ULL);
}

TEST(Rng, BelowAndRangeStayInBounds) {
  Rng r(1);
  std::set<int64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    uint64_t x = r.Below(10);
    ASSERT_LT(x, 10u);
    int64_t y = r.Range(-3, 3);
    ASSERT_GE(y, -3);
    ASSERT_LE(y, 3);
    seen.insert(y);
  }
  EXPECT_EQ(seen.size(), 7u);
}

struct EscapeCase {
  std::string in, sql, nginx, json, apache;
};

TEST(Escape, EachServerEscapesItsWay) {
  const std::vector<EscapeCase> cases = {
      {"plain", "plain", "plain", "plain", "plain"},
      {"O'Brien", "O\\'Brien", "O'Brien", "O'Brien", "O'Brien"},
      {"a\"b", "a\\\"b", "a\\x22b", "a\\\"b", "a\\\"b"},
      {"back\\slash", "back\\\\slash", "back\\x5Cslash", "back\\\\slash", "back\\\\slash"},
      {std::string("nul\0x", 5), "nul\\0x", "nul\\x00x", "nul\\u0000x", "nul\\x00x"},
      {"line\nbreak\r", "line\\nbreak\\r", "line\\x0Abreak\\x0D", "line\\nbreak\\r",
       "line\\nbreak\\r"},
      {"\x1b[31m", "\x1b[31m", "\\x1B[31m", "\\u001b[31m", "\\x1b[31m"},
      {"\xC3\x28", "\xC3\x28", "\\xC3(", "\xC3\x28", "\\xc3("},
      {"\x1a", "\\Z", "\\x1A", "\\u001a", "\\x1a"},
      {"<script>", "<script>", "<script>", "<script>", "<script>"},
  };
  for (const auto& c : cases) {
    std::string sql, ng, js, ap;
    SqlEscape(c.in, &sql);
    NginxEscape(c.in, &ng);
    JsonEscape(c.in, &js);
    ApacheEscape(c.in, &ap);
    EXPECT_EQ(sql, c.sql) << c.in;
    EXPECT_EQ(ng, c.nginx) << c.in;
    EXPECT_EQ(js, c.json) << c.in;
    EXPECT_EQ(ap, c.apache) << c.in;
  }
}

TEST(Rotation, NamesFollowLogrotateWithDelaycompress) {
  EXPECT_EQ(RotatedName("access.log", 0), "access.log");
  EXPECT_EQ(RotatedName("access.log", 1), "access.log.1");
  EXPECT_EQ(RotatedName("access.log", 2), "access.log.2.gz");
  EXPECT_EQ(RotatedName("access.log", 13), "access.log.13.gz");
}

TEST(LineFormatter, NginxCombinedLineInLocalTime) {
  auto tz = TimeZone::Named("Europe/Berlin");
  ASSERT_TRUE(tz.ok());
  LineFormatter f(LogFormat::kNginxCombined, *tz, "www.example.test");
  LineParts p;
  p.t = 1720832441LL * 1000000;  // 2024-07-13T01:00:41Z
  p.ip = (185u << 24) | (245u << 16) | (109u << 8) | 42u;
  p.method = "POST";
  p.uri = "/rest/V1/guest-carts/x/estimate-shipping-methods";
  p.proto = "HTTP/1.1";
  p.status = 400;
  p.bytes = 127;
  p.ua = "Mozilla/5.0 \"quoted\"";
  std::string out;
  f.Append(p, &out);
  EXPECT_EQ(out,
            "185.245.109.42 - - [13/Jul/2024:03:00:41 +0200] \"POST "
            "/rest/V1/guest-carts/x/estimate-shipping-methods HTTP/1.1\" 400 127 \"-\" "
            "\"Mozilla/5.0 \\x22quoted\\x22\"\n");
}

TEST(LineFormatter, WinterOffsetAndApacheDashForZeroBytes) {
  auto tz = TimeZone::Named("Europe/Berlin");
  ASSERT_TRUE(tz.ok());
  LineFormatter f(LogFormat::kApacheCombined, *tz, "h");
  LineParts p;
  p.t = 1704067200LL * 1000000;  // 2024-01-01T00:00:00Z
  p.ip = 0x01020304;
  p.method = "HEAD";
  p.uri = "/";
  p.proto = "HTTP/1.1";
  p.status = 200;
  p.bytes = 0;
  std::string out;
  f.Append(p, &out);
  EXPECT_EQ(out,
            "1.2.3.4 - - [01/Jan/2024:01:00:00 +0100] \"HEAD / HTTP/1.1\" 200 - \"-\" \"-\"\n");
}

TEST(Schema, EveryTableHasColumnsAndRealNames) {
  std::set<std::string> names;
  for (const TableDef& t : SchemaTables()) {
    names.insert(t.name);
    EXPECT_FALSE(t.columns.empty()) << t.name;
    EXPECT_NE(std::string(t.create).find("CREATE TABLE `" + std::string(t.name) + "`"),
              std::string::npos);
  }
  for (const char* n :
       {"customer_entity", "customer_address_entity", "sales_order", "sales_order_address",
        "sales_order_payment", "admin_user", "core_config_data", "cms_block", "oauth_token",
        "wp_users", "wp_usermeta", "wp_posts", "wp_postmeta", "wp_options", "wp_wc_orders",
        "wp_wc_order_addresses", "wp_woocommerce_api_keys"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
}

TEST(Row, UnsetColumnsTakeTheirDefaults) {
  const TableDef* t = FindTable("core_config_data");
  ASSERT_NE(t, nullptr);
  Row r(t);
  r.Num("config_id", 9).Str("path", "a'b\\c");
  const auto& v = r.values();
  ASSERT_EQ(v.size(), t->columns.size());
  EXPECT_EQ(v[0], "9");
  EXPECT_EQ(v[1], "'default'");  // scope defaults to 'default' in db_schema.xml
  EXPECT_EQ(v[3], "'a\\'b\\\\c'");
  EXPECT_EQ(v[4], "NULL");
}

TEST(AsciiFold, EmailLocalParts) {
  EXPECT_EQ(AsciiFold("Müller"), "mueller");
  EXPECT_EQ(AsciiFold("Łukasz"), "lukasz");
  EXPECT_EQ(AsciiFold("O'Brien"), "obrien");
  EXPECT_EQ(AsciiFold("翔太"), "");
}

std::string ReadGz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, n);
  gzclose(f);
  return out;
}

TEST(RunDrill, SmallStoreHasEverythingTheIssueNames) {
  std::string dir = ::testing::TempDir() + "drill_unit_" + std::to_string(::getpid());
  DrillOptions o;
  o.out_dir = dir;
  o.seed = 9;
  o.scenario = "woo-stuffing";
  o.requests = 5000;
  o.customers = 300;
  o.days = 5;
  auto r = RunDrill(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->platform, "woocommerce");
  EXPECT_EQ(r->log_files, 5u);
  EXPECT_GT(r->affected, 100u);
  std::ifstream v(dir + "/webroot/wp-includes/version.php");
  std::stringstream ss;
  ss << v.rdbuf();
  EXPECT_NE(ss.str().find("$wp_version = '6.5.3';"), std::string::npos);
  std::string day = ReadGz(dir + "/logs/access.log.2.gz");
  EXPECT_GT(day.size(), 10000u);
  EXPECT_EQ(day.back(), '\n');
  // Wrong platform for the scenario, and a non-empty OUT, are usage errors.
  o.platform = "magento";
  EXPECT_EQ(RunDrill(o).status().code(), ErrorCode::kUsage);
  o.platform = "";
  EXPECT_EQ(RunDrill(o).status().code(), ErrorCode::kUsage);
  std::string cmd = "rm -rf '" + dir + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace tq::drill
