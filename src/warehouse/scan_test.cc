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

}  // namespace
}  // namespace tq::warehouse
