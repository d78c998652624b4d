// Writing an investigation into the case on a hand-made result: the attacker tables, the
// analysis findings (a dump download names the command that wrote it), the platform lines on
// the timeline with their evidence, and a re-run that replaces rather than adds.
#include <gtest/gtest.h>

#include "analysis/analysis.h"
#include "analysis/test_case.h"
#include "analysis/timeline.h"

namespace tq::analysis {
namespace {

constexpr UnixMicros kT = 1760000000LL * 1000000;
constexpr UnixMicros kSec = 1000000;

class StoreTest : public testcase::CaseTest {
 protected:
  InvestigationResult Result(int64_t log_item, int64_t platform_item) {
    InvestigationResult r;
    Attacker a;
    a.label = "attacker-1";
    a.role = "intruder";
    a.addresses = {"203.0.113.9"};
    a.first_seen = kT;
    a.last_seen = kT + 600 * kSec;
    a.confidence = 0.8;
    a.reasons = {"203.0.113.9: it worked"};
    r.attackers.push_back(a);
    Request shell;
    shell.time = kT + 60 * kSec;
    shell.client = "203.0.113.9";
    shell.method = "POST";
    shell.path = "/media/x.php";
    shell.status = 200;
    shell.bytes = 12;
    shell.evidence_id = log_item;
    shell.line = 4;
    shell.offset = 300;
    Request dl = shell;
    dl.time = kT + 300 * kSec;
    dl.method = "GET";
    dl.path = "/media/db.sql.gz";
    dl.bytes = 5000;
    dl.line = 9;
    r.sessions.push_back({0, shell, true, false});
    r.sessions.push_back({0, dl, true, false});
    r.exfiltration.push_back({0, "download", dl, shell});
    r.bytes_exfiltrated = 5000;
    PlatformEvent p;
    p.time = kT + 61 * kSec;
    p.level = "CRITICAL";
    p.channel = "main";
    p.message = "Error filtering template: /media/x.php";
    p.why = "names /media/x.php";
    p.evidence_id = platform_item;
    p.line = 3;
    p.offset = 123;
    r.platform_events.push_back(p);
    return r;
  }
  int64_t Count(const std::string& sql) { return *case_->db().QueryInt(sql); }
};

TEST_F(StoreTest, WritesFindingsAndTheTimelineAndRefreshesOnReRun) {
  int64_t log = AddItem("logs", "access.log", "log bytes");
  int64_t plat = AddItem("webroot", "var/log/exception.log", "platform bytes");
  ASSERT_TRUE(EnsureAnalysisSchema(*case_).ok());
  InvestigationResult r = Result(log, plat);
  for (int run = 0; run < 2; ++run) {
    Status st = case_->Transaction(
        [&](Db& db) -> Status { return WriteInvestigation(*case_, db, r).status(); });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_EQ(Count("SELECT count(*) FROM attacker_addresses"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM findings WHERE kind='analysis.exfiltration'"), 1);
  auto st = case_->db().Prepare(
      "SELECT json_extract(detail,'$.written_before') FROM findings WHERE "
      "kind='analysis.exfiltration'");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->String(0), FormatUtc(kT + 60 * kSec)) << "the webshell command before it";
  auto rows = ReadTimeline(case_->db(), {});
  ASSERT_TRUE(rows.ok());
  const TimelineRow* platform = nullptr;
  int requests = 0;
  for (const TimelineRow& row : *rows) {
    if (row.source == "platform") platform = &row;
    if (row.source == "log") ++requests;
  }
  EXPECT_EQ(requests, 2) << "the second run replaced the timeline";
  ASSERT_NE(platform, nullptr);
  EXPECT_EQ(platform->kind, "platform.critical");
  EXPECT_EQ(platform->message, "main.CRITICAL: Error filtering template: /media/x.php");
  EXPECT_EQ(platform->evidence_id, plat);
  EXPECT_EQ(platform->evidence_path, "var/log/exception.log");
  EXPECT_EQ(platform->line, 3);
  EXPECT_EQ(platform->byte_offset, 123);
  EXPECT_NE(platform->detail_json.find("\"selected\":\"names /media/x.php\""), std::string::npos);
}

}  // namespace
}  // namespace tq::analysis
