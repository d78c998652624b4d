// The collected logs as access records: every line of every file, parsed on worker threads
// but seen file by file and line by line, with skipped lines counted; session cookies.
#include "analysis/log_records.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "analysis/test_case.h"

namespace tq::analysis {
namespace {

class LogRecordsTest : public testcase::CaseTest {
 protected:
  int64_t AddLog(const std::string& path, const std::string& content) {
    return AddItem("logs", path, content);
  }
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
  // More lines than one hand-over batch holds, in three files.
  int64_t a = AddLog("/var/log/nginx/access.log.1", Lines(9000, "192.0.2.1", true));
  int64_t b = AddLog("/var/log/nginx/access.log", Lines(5000, "192.0.2.2", false));
  int64_t e = AddLog("/var/log/nginx/empty.log", "");
  LogReadStats stats;
  RecordSource source = CollectedLogRecords(*case_, {}, &stats);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::pair<int64_t, int64_t>> seen;
    int64_t bytes = 0;
    bool fields_ok = true;
    ASSERT_TRUE(source([&](const AccessRecord& r) {
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
}

TEST_F(LogRecordsTest, AVisitorThatThrowsStopsTheWorkers) {
  AddLog("/var/log/nginx/access.log.1", Lines(9000, "192.0.2.1", false));
  AddLog("/var/log/nginx/access.log", Lines(9000, "192.0.2.2", false));
  RecordSource source = CollectedLogRecords(*case_, {}, nullptr);
  int seen = 0;
  EXPECT_THROW((void)source([&](const AccessRecord&) {
                 if (++seen == 10) throw std::runtime_error("visitor failed");
               }),
               std::runtime_error);
  EXPECT_EQ(seen, 10);
}

TEST(SessionFromCookie, Names) {
  EXPECT_EQ(SessionFromCookie("a=b; PHPSESSID=abc123; c=d"), "PHPSESSID=abc123");
  EXPECT_EQ(SessionFromCookie("frontend=xyz"), "frontend=xyz");
  EXPECT_EQ(SessionFromCookie("wordpress_logged_in_5f3=admin%7C1"),
            "wordpress_logged_in_5f3=admin%7C1");
  EXPECT_EQ(SessionFromCookie("PHPSESSID=; x=y"), "");
  EXPECT_EQ(SessionFromCookie(""), "");
  EXPECT_EQ(SessionFromCookie(";;;"), "");
}

}  // namespace
}  // namespace tq::analysis
