// Correlation hits in the case: each with its members (file, line, offset, time) and as a
// log.correlation finding.
#include "rules/correlation_test_support.h"

namespace tq::rules {
namespace {

TEST(CorrelationTest, HitsAreStoredWithTheirMembersAndAsFindings) {
  std::string log;
  for (int t : {0, 10, 20, 30, 40, 50}) log += L("10.0.0.1", t, "POST", "/login");
  TempDir dir;
  std::string path = dir / "access.log";
  WriteFile(path, log);
  std::vector<LogInput> inputs = {{path, "/var/log/nginx/access.log", 1, "ab12"}};
  RuleSetPtr rs = LoadRulesFromText({{"c.yml", kFiveInAMinute}}).value();
  LogScanOptions o;
  o.threads = 1;
  LogScanResult res = ScanLogs(inputs, *rs, o).value();
  auto c = Case::Create(dir / "case", CaseInfo{"t", "", "other", "UTC", {}, 0});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->db()
                  .Exec("INSERT INTO evidence_items (id, sha256, label, original_path, "
                        "kind, size, source, collected_at) VALUES (1, 'ab12', 'logs', "
                        "'/var/log/nginx/access.log', 'file', 1, 't', 0)")
                  .ok());
  Result<StoreSummary> st = StoreLogScan(**c, inputs, *rs, res);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->findings, 1);
  Db& db = (*c)->db();
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM logs_rule_hit").value(), 0);
  EXPECT_EQ(db.QueryInt("SELECT hits FROM logs_rule_count").value(), 6);
  Stmt q = db.Prepare(
                 "SELECT title, level, type, group_json, events, members_json, first_time, "
                 "last_time FROM logs_correlation_hit")
               .value();
  ASSERT_TRUE(q.Step().value());
  EXPECT_EQ(q.String(0), "Five logins in a minute");
  EXPECT_EQ(q.String(1), "high");
  EXPECT_EQ(q.String(2), "event_count");
  EXPECT_EQ(q.String(3), "{\"c-ip\":\"10.0.0.1\"}");
  EXPECT_EQ(q.Int(4), 6);
  std::string members = q.String(5);
  EXPECT_NE(members.find("{\"log_file\":\"/var/log/nginx/access.log\",\"sha256\":\"ab12\","
                         "\"line\":1,\"byte_offset\":0,"),
            std::string::npos)
      << members;
  EXPECT_NE(members.find("\"line\":6,"), std::string::npos) << members;
  EXPECT_EQ(q.Int(7) - q.Int(6), int64_t{50} * 1000000);
  std::vector<Finding> f = ListFindings(db, "log.correlation").value();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kHigh);
  EXPECT_EQ(f[0].line, 1);
  EXPECT_EQ(f[0].summary,
            "Five logins in a minute: c-ip=10.0.0.1 (6 events, 2025-10-10T13:00:00Z to "
            "2025-10-10T13:00:50Z)");
}

}  // namespace
}  // namespace tq::rules
