// The export (export.cc) into the real server: a case of a few access-log lines lands as one
// row per request in <prefix>requests, and a second export of the same case sends nothing and
// leaves the tables as they were (the ledger names every batch already in).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
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

// An INSERT of an earlier export still running on the server (its client was killed after
// sending it whole) is waited for before the next export counts what is there: otherwise the
// batch would be counted missing and sent twice.
TEST(WarehouseExport, AnEarlierRunsInsertStillRunningIsWaitedFor) {
  TQ_REQUIRE_CLICKHOUSE();
  tq::testing::TempDir tmp;
  std::vector<rules::LogInput> inputs;
  Result<std::unique_ptr<Case>> c = LogCase(tmp, kLines, &inputs);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<std::unique_ptr<Client>> cl = ClientFor("tq_export_wait");
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_wait").ok());
  ASSERT_TRUE(ExportCase(**cl, **c, inputs, ExportOptions{}).ok());
  // A slow INSERT into the ledger, from another session, written as the export writes it: three
  // rows, most of a second each.
  std::thread slow([] {
    Result<std::unique_ptr<Client>> other = ClientFor("tq_export_wait");
    ASSERT_TRUE(other.ok());
    Result<std::string> r = (*other)->Query(
        "INSERT INTO `tq_export_wait`.`tq_batches` (batch, tbl, rows, sha256) SELECT 'slow', 't', "
        "0, "
        "'' FROM numbers(3) WHERE sleepEachRow(0.9) = 0");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  });
  // Until the server runs it.
  for (int i = 0; i < 100; ++i) {
    Result<std::string> n = (*cl)->Query(
        "SELECT count() FROM system.processes WHERE position(query, 'INSERT INTO "
        "`tq_export_wait`.`tq_batches`') = 1");
    if (n.ok() && *n != "0\n") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Result<ExportSummary> again = ExportCase(**cl, **c, inputs, ExportOptions{});
  // The export returned only after the slow INSERT was in.
  uint64_t slow_rows = Count(**cl, "tq_export_wait.tq_batches WHERE batch = 'slow'");
  slow.join();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(slow_rows, 3u);
  EXPECT_EQ(again->rows, 0u);
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_wait").ok());
}

// An INSERT whose answer is lost after its rows went out (here: the server takes longer than
// the client's timeout, a materialized view sleeping on each row) is not sent again: it lands
// once, and the caller gets the error.
TEST(WarehouseClient, AnInsertWhoseAnswerIsLostIsNotSentTwice) {
  TQ_REQUIRE_CLICKHOUSE();
  Result<std::unique_ptr<Client>> admin = ClientFor("tq_lost_answer");
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  for (const char* sql :
       {"DROP DATABASE IF EXISTS tq_lost_answer", "CREATE DATABASE tq_lost_answer",
        "CREATE TABLE tq_lost_answer.dst (x UInt8) ENGINE = MergeTree ORDER BY x",
        "CREATE TABLE tq_lost_answer.src (x UInt8) ENGINE = Null",
        "CREATE MATERIALIZED VIEW tq_lost_answer.mv TO tq_lost_answer.dst AS SELECT x FROM "
        "tq_lost_answer.src WHERE sleepEachRow(0.6) = 0"}) {
    Result<std::string> r = (*admin)->Query(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  }
  Endpoint e;
  e.url = test_server::Server::Get().url;
  e.database = "tq_lost_answer";
  e.timeout_s = 1;
  e.retries = 3;
  Result<std::unique_ptr<Client>> cl = Client::Connect(e);
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  Result<std::string> r =
      (*cl)->Query("INSERT INTO tq_lost_answer.src FORMAT TSV", "src", "1\n2\n3\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().ToString().find("not sent again"), std::string::npos)
      << r.status().ToString();
  // Once the server has finished the one INSERT it was sent: three rows, not six or more.
  for (int i = 0; i < 100; ++i) {
    Result<std::string> n = (*admin)->Query(
        "SELECT count() FROM system.processes WHERE position(query, 'INSERT INTO "
        "tq_lost_answer.src') = 1");
    if (n.ok() && *n == "0\n") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Count(**admin, "tq_lost_answer.dst"), 3u);
  ASSERT_TRUE((*admin)->Query("DROP DATABASE IF EXISTS tq_lost_answer").ok());
}

// RowBinary carries bytes as they are: a user agent with a NUL, a tab, a quote, a backslash,
// invalid UTF-8 and a length that needs a two-byte LEB128 prefix reads back byte for byte.
TEST(WarehouseExport, FieldBytesArriveExactly) {
  TQ_REQUIRE_CLICKHOUSE();
  tq::testing::TempDir tmp;
  std::string ua =
      std::string("a\tb\"c\\d\xff\xfe", 10) + std::string(1, '\0') + "e" + std::string(200, 'x');
  std::vector<std::string> lines = {
      "192.0.2.1 - - [10/Jul/2024:10:00:00 +0000] \"GET /a%20b HTTP/1.1\" 200 5 \"-\" \"" + ua +
      "\""};
  std::vector<rules::LogInput> inputs;
  Result<std::unique_ptr<Case>> c = LogCase(tmp, lines, &inputs);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<std::unique_ptr<Client>> cl = ClientFor("tq_export_bytes");
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_bytes").ok());
  Result<ExportSummary> r = ExportCase(**cl, **c, inputs, ExportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows, 1u);
  Result<std::string> got =
      (*cl)->Query("SELECT hex(user_agent), hex(line), target_decoded, line_no, has_time FROM " +
                       r->requests_table + " FORMAT TabSeparated",
                   "requests");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto hex = [](std::string_view s) {
    static const char* d = "0123456789ABCDEF";
    std::string o;
    for (unsigned char ch : s) o += {d[ch >> 4], d[ch & 15]};
    return o;
  };
  EXPECT_EQ(*got, hex(ua) + "\t" + hex(lines[0]) + "\t/a b\t1\t1\n");
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_bytes").ok());
}

// A requests table made by something else, with a column missing or of another type, is refused
// before any row is sent, the column named (RowBinary would otherwise be read as other bytes).
TEST(WarehouseExport, ATableOfAnotherShapeIsRefusedNamingTheColumn) {
  TQ_REQUIRE_CLICKHOUSE();
  tq::testing::TempDir tmp;
  std::vector<rules::LogInput> inputs;
  Result<std::unique_ptr<Case>> c = LogCase(tmp, kLines, &inputs);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<std::unique_ptr<Client>> cl = ClientFor("tq_export_shape");
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  for (const char* ddl : {"(time_us Int64, line UInt32) ENGINE = MergeTree ORDER BY time_us",
                          "(time_us Int64) ENGINE = MergeTree ORDER BY time_us"}) {
    ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_shape").ok());
    ASSERT_TRUE((*cl)->Query("CREATE DATABASE tq_export_shape").ok());
    ASSERT_TRUE((*cl)->Query(std::string("CREATE TABLE tq_export_shape.tq_requests ") + ddl).ok());
    Result<ExportSummary> r = ExportCase(**cl, **c, inputs, ExportOptions{});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kBadInput);
    EXPECT_NE(r.status().message().find("has_time"), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find(Server::Get().url), std::string::npos);
    EXPECT_EQ(Count(**cl, "tq_export_shape.tq_requests"), 0u);
  }
  ASSERT_TRUE((*cl)->Query("DROP DATABASE IF EXISTS tq_export_shape").ok());
}

}  // namespace
}  // namespace tq::warehouse
