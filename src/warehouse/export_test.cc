// The export (export.cc) into the real server: a case of a few access-log lines lands as one
// row per request in <prefix>requests, and a second export of the same case sends nothing and
// leaves the tables as they were (the ledger names every batch already in).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "warehouse/test_server.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

using test_server::ClientFor;
using test_server::kLines;
using test_server::LogCase;
using test_server::Server;

uint64_t Count(Client& cl, const std::string& table) {
  Result<std::string> r = cl.Query("SELECT count() FROM " + table, table);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::stoull(*r) : ~uint64_t{0};
}

TEST(WarehouseExport, RowsOfACaseOnceAndASecondExportAddsNothing) {
  TQ_REQUIRE_CLICKHOUSE();
  tq::testing::TempDir tmp;
  std::vector<rules::LogInput> inputs;
  Result<std::unique_ptr<Case>> c = LogCase(tmp, kLines, &inputs);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<std::unique_ptr<Client>> cl = ClientFor("tq_export_test");
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_test").ok());
  ExportOptions o;
  o.batch_rows = 5;  // several batches
  Result<ExportSummary> first = ExportCase(**cl, **c, inputs, o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows, kLines.size());
  EXPECT_EQ(first->rows_present, 0u);
  EXPECT_EQ(first->batches, 3u);  // 12 lines, 5 a batch
  ASSERT_FALSE(first->requests_table.empty());
  EXPECT_EQ(Count(**cl, first->requests_table), kLines.size());
  // Every row names the case's item and its line.
  Result<std::string> keys = (*cl)->Query(
      "SELECT uniqExact(line_no), any(sha256) FROM " + first->requests_table, "requests");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, std::to_string(kLines.size()) + "\t" + inputs[0].sha256 + "\n");
  uint64_t ledger = Count(**cl, "tq_export_test.tq_batches");

  Result<ExportSummary> again = ExportCase(**cl, **c, inputs, o);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows, 0u);
  EXPECT_EQ(again->rows_present, kLines.size());
  EXPECT_EQ(again->batches, 0u);
  EXPECT_EQ(again->batches_present, first->batches);
  EXPECT_EQ(again->findings, 0u);
  EXPECT_EQ(again->timeline, 0u);
  EXPECT_EQ(Count(**cl, first->requests_table), kLines.size());
  EXPECT_EQ(Count(**cl, "tq_export_test.tq_batches"), ledger);
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_test").ok());
}

}  // namespace
}  // namespace tq::warehouse
