// The SQL generator against the engine's semantics: a ClickHouse server (Debian's 18.16) is
// started here on loopback; access-log lines are parsed by the logs component and stored as the
// export stores them; for each rule (one or two per Sigma modifier), the rows its generated
// WHERE selects must be exactly the lines the local matcher (Scanner::MatchLineDirect) says it
// matches; the prefilter must keep every one of them, and RecordMatcher must agree with the
// local matcher on every row. Skipped when clickhouse-server is not installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "logs/logs.h"
#include "rules/rules.h"
#include "warehouse/prefilter.h"
#include "warehouse/test_server.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

using test_server::Json;
using test_server::kLines;
using test_server::kRules;
using test_server::Server;

class WarehouseSql : public ::testing::Test {
 protected:
  void SetUp() override { TQ_REQUIRE_CLICKHOUSE(); }
};

TEST_F(WarehouseSql, EveryModifierSelectsWhatTheLocalMatcherMatches) {
  Client& cl = Server::Get().client();
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kRules}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  const auto& info = rules::Rules(**rs);
  ASSERT_EQ(info.size(), 15u);
  for (const auto& p : rules::Skipped(**rs)) ADD_FAILURE() << p.ToString();
  Result<std::unique_ptr<logs::LineParser>> parser = logs::NamedFormat("combined");
  ASSERT_TRUE(parser.ok());
  rules::Scanner scanner(**rs);

  std::string cols;
  for (size_t f = 0; f < logs::kFieldCount; ++f) cols += OurColumns()[f] + " String, ";
  ASSERT_TRUE(cl.Query("DROP TABLE IF EXISTS default.sqlt").ok());
  ASSERT_TRUE(cl.Query("CREATE TABLE default.sqlt (id UInt32, " + cols +
                       "line String, target_decoded String, target_normalized String, "
                       "present UInt32) ENGINE = Memory")
                  .ok());
  std::string rows;
  std::vector<std::set<uint32_t>> local(info.size());  // rule -> lines it matches
  for (uint32_t i = 0; i < kLines.size(); ++i) {
    logs::AccessLogRecord r;
    std::string_view why;
    ASSERT_TRUE((*parser)->Parse(kLines[i], r, &why)) << kLines[i] << ": " << why;
    std::string dec, norm;
    TargetVariants(r.get(logs::Field::kUri), &dec, &norm);
    rows += "{\"id\":" + std::to_string(i);
    for (size_t f = 0; f < logs::kFieldCount; ++f)
      rows += ",\"" + OurColumns()[f] + "\":" + Json(r.field[f]);
    rows += ",\"line\":" + Json(kLines[i]) + ",\"target_decoded\":" + Json(dec) +
            ",\"target_normalized\":" + Json(norm) + ",\"present\":" + std::to_string(r.present) +
            "}\n";
    for (uint32_t h : scanner.MatchLineDirect(kLines[i], **parser)) local[h].insert(i);
  }
  ASSERT_TRUE(cl.Query("INSERT INTO default.sqlt FORMAT JSONEachRow", "sqlt", rows).ok());

  ColumnMap map;  // the export's own names
  ServerFeatures feat{cl.major()};
  for (uint32_t r = 0; r < info.size(); ++r) {
    std::string sql, why;
    ASSERT_TRUE(RuleSql(**rs, r, map, feat, &sql, &why)) << info[r].id << ": " << why;
    Result<std::string> body =
        cl.Query("SELECT id FROM default.sqlt WHERE " + sql + " ORDER BY id", "sqlt");
    ASSERT_TRUE(body.ok()) << info[r].id << ": " << body.status().ToString() << "\n" << sql;
    Result<std::vector<std::vector<std::string>>> ids = ParseTsv(*body, 1);
    ASSERT_TRUE(ids.ok());
    std::set<uint32_t> got;
    for (const auto& row : *ids) got.insert(static_cast<uint32_t>(std::stoul(row[0])));
    EXPECT_EQ(got, local[r]) << info[r].id << "\n" << sql;
  }
  // Each rule matches something and misses something: the comparison can fail.
  for (uint32_t r = 0; r < info.size(); ++r) {
    EXPECT_FALSE(local[r].empty()) << info[r].id;
    EXPECT_LT(local[r].size(), kLines.size()) << info[r].id;
  }

  // The prefilter keeps every matching row, and the rows it keeps are matched here exactly as
  // by the local matcher.
  Prefilter pf = BuildPrefilter(**rs, map, feat, [&](const std::string& re) {
    return cl.Query("SELECT match('', " + SqlString(re) + ")").ok();
  });
  EXPECT_TRUE(pf.not_run.empty());
  Result<std::string> kept =
      cl.Query("SELECT id FROM default.sqlt WHERE " + pf.where + " ORDER BY id", "sqlt");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  std::set<uint32_t> through;
  Result<std::vector<std::vector<std::string>>> kept_rows = ParseTsv(*kept, 1);
  ASSERT_TRUE(kept_rows.ok());
  for (const auto& row : *kept_rows) through.insert(static_cast<uint32_t>(std::stoul(row[0])));
  RecordMatcher m(**rs, pf);
  for (uint32_t i = 0; i < kLines.size(); ++i) {
    std::vector<uint32_t> want = scanner.MatchLineDirect(kLines[i], **parser);
    if (!want.empty()) {
      EXPECT_TRUE(through.count(i)) << "line " << i << " not kept";
    }
    logs::AccessLogRecord r;
    std::string_view why;
    ASSERT_TRUE((*parser)->Parse(kLines[i], r, &why));
    std::vector<uint32_t> got;
    m.Match(r, &got);
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "line " << i;
  }
}

TEST_F(WarehouseSql, APatternTheServerCannotCompileIsReportedNotSent) {
  // `\Z` is Vectorscan's, not RE2's: the rule loads here and cannot run there.
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", R"(
title: only a regex
id: r-z
logsource: {category: webserver}
detection:
  sel: {cs-uri-stem|re: 'php\Z'}
  condition: sel
---
title: literal and regex
id: r-lit
logsource: {category: webserver}
detection:
  a: {cs-uri-stem|contains: 'shell'}
  b: {cs-uri-stem|re: 'php\Z'}
  condition: a and b
)"}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(rules::Rules(**rs).size(), 2u);
  Client& cl = Server::Get().client();
  Prefilter pf =
      BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{cl.major()}, [&](const std::string& re) {
        return cl.Query("SELECT match('', " + SqlString(re) + ")").ok();
      });
  ASSERT_EQ(pf.not_run.size(), 1u);
  EXPECT_EQ(pf.not_run[0], "r-z: a regular expression ClickHouse (RE2) cannot compile");
  // The other is selected by its literal and confirmed here by Vectorscan.
  ASSERT_EQ(pf.rules.size(), 1u);
  EXPECT_NE(pf.where.find("shell"), std::string::npos);
  EXPECT_EQ(pf.where.find("\\Z"), std::string::npos);
  std::string cols;
  for (size_t f = 0; f < logs::kFieldCount; ++f) cols += OurColumns()[f] + " String, ";
  ASSERT_TRUE(cl.Query("CREATE TABLE IF NOT EXISTS default.sqlz (" + cols +
                       "line String, target_decoded String, target_normalized String, "
                       "present UInt32) ENGINE = Memory")
                  .ok());
  Result<std::string> r = cl.Query("SELECT count() FROM default.sqlz WHERE " + pf.where);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

}  // namespace
}  // namespace tq::warehouse
