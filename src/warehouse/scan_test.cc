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

// A case of kLines exported to database `db`, the rule corpus, and its local scan.
class WarehouseScan : public ::testing::Test {
 protected:
  void Prepare(const std::string& db) {
    db_ = db;
    Result<std::unique_ptr<Case>> c = LogCase(tmp_, kLines, &inputs_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    case_ = std::move(*c);
    Result<std::unique_ptr<Client>> cl = ClientFor(db);
    ASSERT_TRUE(cl.ok()) << cl.status().ToString();
    client_ = std::move(*cl);
    ASSERT_TRUE(client_->Query("DROP DATABASE IF EXISTS " + db).ok());
    Result<ExportSummary> ex = ExportCase(*client_, *case_, inputs_, ExportOptions{});
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    ASSERT_EQ(ex->rows, kLines.size());
    Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kRules}});
    ASSERT_TRUE(rs.ok()) << rs.status().ToString();
    rules_ = std::move(*rs);
    rules::LogScanOptions lo;
    lo.threads = 1;
    Result<rules::LogScanResult> local = rules::ScanLogs(inputs_, *rules_, lo);
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    local_ = std::move(*local);
  }
  void TearDown() override {
    if (client_) {
      EXPECT_TRUE(client_->Query("DROP DATABASE IF EXISTS " + db_).ok());
    }
  }
  tq::testing::TempDir tmp_;
  std::string db_;
  std::vector<rules::LogInput> inputs_;
  std::unique_ptr<Case> case_;
  std::unique_ptr<Client> client_;
  rules::RuleSetPtr rules_;
  rules::LogScanResult local_;
};

TEST_F(WarehouseScan, TheClusterFindsWhatTheLocalScanFinds) {
  TQ_REQUIRE_CLICKHOUSE();
  ASSERT_NO_FATAL_FAILURE(Prepare("tq_scan_test"));
  std::set<Hit> want = Hits(inputs_, local_);
  ASSERT_FALSE(want.empty());

  ClusterScanOptions so;
  so.table = "tq_scan_test.tq_requests";
  Result<ClusterScan> scan = ScanInCluster(*client_, *case_, *rules_, so, "tester");
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->rows_scanned, kLines.size());
  EXPECT_TRUE(scan->rules_not_run.empty());
  EXPECT_FALSE(scan->checksum.empty());
  EXPECT_GT(scan->query_evidence_id, 0);
  EXPECT_EQ(Hits(scan->inputs, scan->result), want);
  // Per rule, the counts agree too.
  EXPECT_EQ(scan->result.rule_hits, local_.rule_hits);
}

// Rows that are no item of the case (another tool's table: no SHA-256, line or offset) are rows
// of the query's record, numbered by their row key: the same verdicts per rule as the local
// scan, every hit naming the record, and the same numbers on a second scan. The answer is read
// back from a file twice (numbering, then matching), so both passes must agree.
TEST_F(WarehouseScan, RowsOfAnotherTableAreNumberedRowsOfTheQueryRecord) {
  TQ_REQUIRE_CLICKHOUSE();
  ASSERT_NO_FATAL_FAILURE(Prepare("tq_scan_foreign"));
  Result<ColumnMap> map =
      ParseColumnMap("[columns]\nsha256 = none\nline_no = none\nbyte_offset = none\n", "m.toml");
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  ClusterScanOptions so;
  so.table = "tq_scan_foreign.tq_requests";
  so.columns = *map;
  std::set<std::pair<uint64_t, uint32_t>> first;
  for (int run = 0; run < 2; ++run) {
    Result<ClusterScan> scan = ScanInCluster(*client_, *case_, *rules_, so, "tester");
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    EXPECT_EQ(scan->result.rule_hits, local_.rule_hits);
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
}

}  // namespace
}  // namespace tq::warehouse
