// The collected logs as access records from the request journal: every request of every
// file, file by file and line by line, with skipped lines counted; a journal of other
// evidence, or a damaged one, is built again by the logs component.
#include "analysis/log_records.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "analysis/test_case.h"

namespace tq::analysis {
namespace {

class LogRecordsTest : public testcase::CaseTest {
 protected:
  int64_t AddLog(const std::string& path, const std::string& content) {
    return AddItem("logs", path, content);
  }
  std::string journal_ = dir_ / "journal";
  static std::string Lines(int n, const std::string& ip, bool with_bad_line) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      if (with_bad_line && i == n / 2) out += "\xff\xfe not a log line at all\n";
      out += ip + " - - [10/Oct/2025:13:55:" + (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
             " +0000] \"GET /p/" + std::to_string(i) + "?q=1 HTTP/1.1\" 200 " +
             std::to_string(100 + i) + " \"-\" \"Mozilla/5.0\"\n";
    }
    return out;
  }
};

TEST_F(LogRecordsTest, EveryRecordInFileAndLineOrder) {
  // More lines than one journal block holds, in three files; no journal yet: the logs
  // component builds it.
  int64_t a = AddLog("/var/log/nginx/access.log.1", Lines(9000, "192.0.2.1", true));
  int64_t b = AddLog("/var/log/nginx/access.log", Lines(5000, "192.0.2.2", false));
  int64_t e = AddLog("/var/log/nginx/empty.log", "");
  LogReadStats stats;
  Result<RecordSource> source = CaseLogRecords(*case_, journal_, {}, &stats);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(stats.rebuilt, "no request journal");
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::pair<int64_t, int64_t>> seen;
    int64_t bytes = 0;
    bool fields_ok = true;
    ASSERT_TRUE((*source)([&](const AccessRecord& r) {
                  seen.emplace_back(r.evidence_id, r.line);
                  bytes += r.bytes;
                  fields_ok = fields_ok && r.method == "GET" && r.path.starts_with("/p/") &&
                              r.query == "q=1" && r.status == 200 &&
                              r.user_agent == "Mozilla/5.0" && r.client.starts_with("192.0.2.");
                }).ok());
    ASSERT_EQ(seen.size(), 14000u);
    EXPECT_TRUE(fields_ok);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end())) << "file by file, line by line";
    EXPECT_EQ(seen.front(), std::make_pair(a, int64_t{1}));
    EXPECT_EQ(seen[9000].first, b);
    EXPECT_EQ(seen.back(), std::make_pair(b, int64_t{5000}));
    // 100+i over both files.
    EXPECT_EQ(bytes, (100 * 9000 + 9000LL * 8999 / 2) + (100 * 5000 + 5000LL * 4999 / 2));
  }
  (void)e;
  EXPECT_EQ(stats.files, 3);
  EXPECT_EQ(stats.lines, 14001);
  EXPECT_EQ(stats.parsed, 14000);
  EXPECT_EQ(stats.skipped, 1);
  // The next read takes the journal as it is.
  ASSERT_TRUE(CaseLogRecords(*case_, journal_, {}, &stats).ok());
  EXPECT_EQ(stats.rebuilt, "");
  EXPECT_EQ(stats.lines, 14001);
}

// Counts the records a source hands over.
int64_t Count(const RecordSource& source) {
  int64_t n = 0;
  EXPECT_TRUE(source([&](const AccessRecord&) { ++n; }).ok());
  return n;
}

TEST_F(LogRecordsTest, AJournalOfOtherEvidenceIsBuiltAgain) {
  AddLog("/var/log/nginx/access.log", Lines(100, "192.0.2.1", false));
  Result<RecordSource> first = CaseLogRecords(*case_, journal_, {}, nullptr);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Count(*first), 100);
  AddLog("/var/log/nginx/access.log.2", Lines(50, "192.0.2.9", false));  // collected since
  LogReadStats stats;
  Result<RecordSource> second = CaseLogRecords(*case_, journal_, {}, &stats);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(stats.rebuilt, "the request journal was made from other log items");
  EXPECT_EQ(Count(*second), 150);
}

TEST_F(LogRecordsTest, ADamagedJournalFailsThePassAndIsBuiltAgainWhenDropped) {
  AddLog("/var/log/nginx/access.log", Lines(5000, "192.0.2.1", false));
  ASSERT_TRUE(CaseLogRecords(*case_, journal_, {}, nullptr).ok());
  std::string segment = journal_ + "/segment-0.tqj";
  std::string bytes = testing::ReadFile(segment);
  bytes[bytes.size() / 2] ^= 0x33;
  testing::WriteFile(segment, bytes);
  Result<RecordSource> source = CaseLogRecords(*case_, journal_, {}, nullptr);
  ASSERT_TRUE(source.ok());
  Status st = (*source)([](const AccessRecord&) {});
  EXPECT_EQ(st.code(), ErrorCode::kBadInput);
  EXPECT_EQ(st.message().rfind("request journal " + segment + " damaged", 0), 0u) << st.message();
  DropRequestJournal(journal_);
  LogReadStats stats;
  source = CaseLogRecords(*case_, journal_, {}, &stats);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(stats.rebuilt, "no request journal");
  EXPECT_EQ(Count(*source), 5000);
}

}  // namespace
}  // namespace tq::analysis
