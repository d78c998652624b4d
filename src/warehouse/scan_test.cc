// The scan in the cluster (scan.cc) against the local scan: a few access-log lines of a case
// are exported to the real server, the rule corpus (one or two rules per Sigma modifier) is run
// there by ScanInCluster, and its hits (item, line, rule) are exactly those rules::ScanLogs finds
// in the same lines here.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rules/rules.h"
#include "warehouse/test_server.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

using test_server::ClientFor;
using test_server::kLines;
using test_server::kRules;
using test_server::LogCase;
using test_server::Server;

using Hit = std::tuple<std::string, uint64_t, uint32_t>;  // sha256, line, rule

std::set<Hit> Hits(const std::vector<rules::LogInput>& inputs, const rules::LogScanResult& r) {
  std::set<Hit> out;
  for (const rules::LogHit& h : r.hits) out.emplace(inputs.at(h.input).sha256, h.line_no, h.rule);
  return out;
}

TEST(WarehouseScan, TheClusterFindsWhatTheLocalScanFinds) {
  TQ_REQUIRE_CLICKHOUSE();
  tq::testing::TempDir tmp;
  std::vector<rules::LogInput> inputs;
  Result<std::unique_ptr<Case>> c = LogCase(tmp, kLines, &inputs);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<std::unique_ptr<Client>> cl = ClientFor("tq_scan_test");
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_scan_test").ok());
  Result<ExportSummary> ex = ExportCase(**cl, **c, inputs, ExportOptions{});
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  ASSERT_EQ(ex->rows, kLines.size());

  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kRules}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  rules::LogScanOptions lo;
  lo.threads = 1;
  Result<rules::LogScanResult> local = rules::ScanLogs(inputs, **rs, lo);
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  std::set<Hit> want = Hits(inputs, *local);
  ASSERT_FALSE(want.empty());

  ClusterScanOptions so;
  so.table = "tq_scan_test.tq_requests";
  Result<ClusterScan> scan = ScanInCluster(**cl, **c, **rs, so, "tester");
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->rows_scanned, kLines.size());
  EXPECT_TRUE(scan->rules_not_run.empty());
  EXPECT_FALSE(scan->checksum.empty());
  EXPECT_GT(scan->query_evidence_id, 0);
  EXPECT_EQ(Hits(scan->inputs, scan->result), want);
  // Per rule, the counts agree too.
  EXPECT_EQ(scan->result.rule_hits, local->rule_hits);
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_scan_test").ok());
}

// Rows that are no item of the case (another tool's table: no SHA-256, line or offset) are rows
// of the query's record, numbered by their row key: the same verdicts per rule as the local
// scan, every hit naming the record, and the same numbers on a second scan. The answer is read
// back from a file twice (numbering, then matching), so both passes must agree.
TEST(WarehouseScan, RowsOfAnotherTableAreNumberedRowsOfTheQueryRecord) {
  TQ_REQUIRE_CLICKHOUSE();
  tq::testing::TempDir tmp;
  std::vector<rules::LogInput> inputs;
  Result<std::unique_ptr<Case>> c = LogCase(tmp, kLines, &inputs);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<std::unique_ptr<Client>> cl = ClientFor("tq_scan_foreign");
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_scan_foreign").ok());
  ASSERT_TRUE(ExportCase(**cl, **c, inputs, ExportOptions{}).ok());
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kRules}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  rules::LogScanOptions lo;
  lo.threads = 1;
  Result<rules::LogScanResult> local = rules::ScanLogs(inputs, **rs, lo);
  ASSERT_TRUE(local.ok()) << local.status().ToString();

  Result<ColumnMap> map =
      ParseColumnMap("[columns]\nsha256 = none\nline_no = none\nbyte_offset = none\n", "m.toml");
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  ClusterScanOptions so;
  so.table = "tq_scan_foreign.tq_requests";
  so.columns = *map;
  std::set<std::pair<uint64_t, uint32_t>> first;
  for (int run = 0; run < 2; ++run) {
    Result<ClusterScan> scan = ScanInCluster(**cl, **c, **rs, so, "tester");
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    EXPECT_EQ(scan->result.rule_hits, local->rule_hits);
    ASSERT_FALSE(scan->result.hits.empty());
    std::set<std::pair<uint64_t, uint32_t>> got;
    for (const rules::LogHit& h : scan->result.hits) {
      EXPECT_EQ(h.input, scan->inputs.size() - 1);  // the query's record
      EXPECT_GE(h.line_no, 1u);
      EXPECT_LE(h.line_no, scan->candidates);
      got.emplace(h.line_no, h.rule);
    }
    if (run == 0) first = got;
    EXPECT_EQ(got, first);
  }
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_scan_foreign").ok());
}

}  // namespace
}  // namespace tq::warehouse
