#include "report/timeline.h"

#include <gtest/gtest.h>

#include "support/testing.h"

namespace tq::report {
namespace {

constexpr UnixMicros kT0 = 1720832400LL * 1000000;  // 2024-07-13 01:00:00 UTC
constexpr UnixMicros kSec = 1000000;

// The analysis' timeline table as analysis/store.cc creates it (report does not link analysis).
constexpr const char* kTimelineTable = R"sql(
CREATE TABLE analysis_timeline (
  id INTEGER PRIMARY KEY, time INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
  message TEXT NOT NULL, actor TEXT NOT NULL DEFAULT '', ip TEXT NOT NULL DEFAULT '',
  evidence_id INTEGER, evidence_sha256 TEXT NOT NULL DEFAULT '',
  evidence_path BLOB NOT NULL DEFAULT '', line INTEGER, byte_offset INTEGER,
  attacker_id INTEGER, finding_id INTEGER, detail TEXT NOT NULL DEFAULT '{}');
)sql";

class TimelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "t";
    auto c = Case::Create(tmp_.path() + "/case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    case_ = std::move(*c);
    ASSERT_TRUE(db().Exec(kTimelineTable).ok());
  }
  Db& db() { return case_->db(); }
  void Actor(int64_t id, const std::string& label, const std::string& role, bool campaign,
             UnixMicros first, UnixMicros last) {
    auto st = db().Prepare(
        "INSERT INTO attackers(id,label,confidence,first_seen,last_seen) "
        "VALUES(?,?,0.9,?,?)");
    ASSERT_TRUE(st.ok());
    st->Bind(1, id).Bind(2, label).Bind(3, first).Bind(4, last);
    ASSERT_TRUE(st->Run().ok());
    Finding f;
    f.kind = "analysis.attacker";
    f.component = "analysis";
    f.severity = Severity::kHigh;
    f.summary = label;
    f.detail_json = "{\"label\":\"" + label + "\",\"attacker_id\":" + std::to_string(id) +
                    ",\"role\":\"" + role + "\",\"kind\":\"" + (campaign ? "campaign" : "actor") +
                    "\",\"rank\":" + std::to_string(id) + "}";
    f.dedupe_key = "analysis.attacker:" + label;
    f.event_time = first;
    ASSERT_TRUE(UpsertFinding(db(), f).ok());
  }
  void Request(UnixMicros t, int64_t attacker, const std::string& method, const std::string& path,
               int status, int64_t line, const std::string& kind = "request") {
    auto st = db().Prepare(
        "INSERT INTO analysis_timeline(time,source,kind,message,attacker_id,evidence_id,"
        "evidence_path,line,detail) VALUES(?,'log',?,?,?,1,'/ev/access.log',?,?)");
    ASSERT_TRUE(st.ok());
    st->Bind(1, t).Bind(2, kind).Bind(3, method + " " + path + " -> " + std::to_string(status));
    st->Bind(4, attacker).Bind(5, line);
    st->Bind(6, "{\"method\":\"" + method + "\",\"path\":\"" + path +
                    "\",\"status\":" + std::to_string(status) + "}");
    ASSERT_TRUE(st->Run().ok());
  }
  // A finding and its timeline row, as the analysis writes them.
  void FindingRow(UnixMicros t, const std::string& kind, Severity sev, const std::string& summary,
                  const std::string& source, const std::string& detail = "{}") {
    Finding f;
    f.kind = kind;
    f.component = kind.substr(0, kind.find('.'));
    f.severity = sev;
    f.summary = summary;
    f.detail_json = detail;
    f.dedupe_key = kind + summary;
    f.event_time = t;
    auto id = UpsertFinding(db(), f);
    ASSERT_TRUE(id.ok());
    auto st = db().Prepare(
        "INSERT INTO analysis_timeline(time,source,kind,message,finding_id,detail) "
        "VALUES(?,?,?,?,?,?)");
    ASSERT_TRUE(st.ok());
    st->Bind(1, t).Bind(2, source).Bind(3, kind).Bind(4, summary).Bind(5, *id).Bind(6, detail);
    ASSERT_TRUE(st->Run().ok());
  }
  bool Has(const AttackTimeline& t, const std::string& text) {
    for (const TimelineEvent& e : t.events)
      if (e.text.find(text) != std::string::npos) return true;
    return false;
  }
  testing::TempDir tmp_;
  std::unique_ptr<Case> case_;
};

TEST_F(TimelineTest, NoAnalysisNoEvents) {
  ASSERT_TRUE(db().Exec("DROP TABLE analysis_timeline").ok());
  auto t = SelectTimeline(db(), 50);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->events.empty());
  EXPECT_NE(TimelineSvg(*t).find("no events"), std::string::npos);
}

// A campaign's thousands of requests come first in time; the intruder's few steps, the entry
// and the theft still fill the chart, and the campaign keeps only its first and last.
TEST_F(TimelineTest, SignificanceBeatsOrder) {
  Actor(1, "attacker-1", "intruder", false, kT0 + 7200 * kSec, kT0 + 9000 * kSec);
  Actor(2, "attacker-2", "credential_stuffing", true, kT0, kT0 + 3000 * kSec);
  for (int i = 0; i < 3000; ++i) Request(kT0 + i * kSec, 2, "POST", "/login", 200, 10 + i);
  Request(kT0 + 7200 * kSec, 1, "POST", "/login", 302, 5000);
  Request(kT0 + 7300 * kSec, 1, "POST", "/upload", 200, 5001);
  Request(kT0 + 7400 * kSec, 1, "POST", "/shell.php", 200, 5002, "request.artifact");
  Request(kT0 + 7500 * kSec, 1, "POST", "/shell.php", 200, 5003, "request.artifact");
  Request(kT0 + 7600 * kSec, 1, "GET", "/", 200, 5004);
  Request(kT0 + 9000 * kSec, 1, "GET", "/dump.sql.gz", 200, 5005);
  FindingRow(kT0 + 7200 * kSec, "analysis.entry_vector", Severity::kCritical, "Entry: login",
             "analysis");
  FindingRow(kT0 + 7450 * kSec, "storedb.rogue_admin", Severity::kCritical, "admin 'x'", "db");
  FindingRow(kT0 + 9000 * kSec, "analysis.exfiltration", Severity::kCritical, "Download dump",
             "analysis", R"({"kind":"download"})");
  auto t = SelectTimeline(db(), 11);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->considered, 3000 + 6 + 3);
  ASSERT_EQ(t->events.size(), 11u);
  for (const char* want : {"POST /login -> 302", "POST /upload", "POST /shell.php", "GET / ->",
                           "GET /dump.sql.gz", "Entry: login", "admin 'x'", "Download dump"})
    EXPECT_TRUE(Has(*t, want)) << want;
  int campaign = 0;
  for (const TimelineEvent& e : t->events) campaign += e.lane == "attacker-2 (credential_stuffing)";
  EXPECT_EQ(campaign, 2);  // its first and last request
  for (size_t i = 1; i < t->events.size(); ++i) EXPECT_LE(t->events[i - 1].time, t->events[i].time);
  ASSERT_EQ(t->phases.size(), 3u);
  EXPECT_EQ(t->phases[0].first, Phase::kEntry);
  EXPECT_EQ(t->phases[1].first, Phase::kPersistence);
  EXPECT_EQ(t->phases[2].first, Phase::kTheft);
  ASSERT_EQ(t->lanes.size(), 4u);
  EXPECT_EQ(t->lanes[0], "attacker-1 (intruder)");
  EXPECT_EQ(t->lanes[1], "attacker-2 (credential_stuffing)");
}

// A timestomped file claims a time years before the attack: listed, not drawn, not a phase.
TEST_F(TimelineTest, TimesOutsideTheAttackAreListedNotDrawn) {
  Actor(1, "attacker-1", "intruder", false, kT0, kT0 + 600 * kSec);
  Request(kT0, 1, "GET", "/a", 200, 1);
  Request(kT0 + 600 * kSec, 1, "GET", "/b", 200, 2);
  FindingRow(kT0 - 3 * 365 * 86400 * kSec, "webroot.yara", Severity::kCritical,
             "webshell rule matched x.php", "file");
  auto t = SelectTimeline(db(), 50);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->events.size(), 3u);
  EXPECT_TRUE(t->events[0].outside);
  EXPECT_EQ(t->outside, 1);
  EXPECT_TRUE(t->phases.empty());
  std::string svg = TimelineSvg(*t);
  EXPECT_EQ(svg.find("x.php"), std::string::npos);
  EXPECT_NE(svg.find("GET /b"), std::string::npos);
}

TEST_F(TimelineTest, SvgEscapesAttackerText) {
  Actor(1, "attacker-1", "intruder", false, kT0, kT0 + 60 * kSec);
  Request(kT0, 1, "GET", "/<script>alert(1)</script>", 200, 1);
  Request(kT0 + 60 * kSec, 1, "GET", "/\"onload=x", 200, 2);
  auto t = SelectTimeline(db(), 50);
  ASSERT_TRUE(t.ok());
  std::string svg = TimelineSvg(*t);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_EQ(svg.find("\"onload"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace tq::report
