// Counts for status and investigate: -1 for a table no stage has made yet, the findings by
// severity and triage class, tasks by state and owner, collected files by label.
#include "casefile/case_counts.h"

#include <gtest/gtest.h>

#include "casefile/casefile.h"
#include "support/testing.h"

namespace tq {
namespace {

std::unique_ptr<Case> NewCase(const testing::TempDir& tmp) {
  CaseInfo info;
  info.name = "counts";
  auto c = Case::Create(tmp.path() + "/case", info);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return std::move(*c);
}

TEST(CaseCounts, TablesNotMadeYetCountMinusOneAndEmptyOnesZero) {
  testing::TempDir tmp;
  auto c = NewCase(tmp);
  Result<CaseCounts> n = CountCase(c->db());
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->findings.all, 0);
  EXPECT_EQ(n->tasks, 0);
  EXPECT_EQ(n->evidence_items, 0);
  EXPECT_EQ(n->messages, -1);  // notify has not planned anything
  EXPECT_EQ(n->affected_people, -1);
  EXPECT_EQ(n->reports, -1);
  EXPECT_EQ(*CountParsedRequests(c->db()), 0);  // no logs stage yet
}

TEST(CaseCounts, FindingsBySeverityAndTriageAndTasksByState) {
  testing::TempDir tmp;
  auto c = NewCase(tmp);
  Db& db = c->db();
  int k = 0;
  for (auto [sev, triage] :
       {std::pair{Severity::kCritical, "actionable"}, std::pair{Severity::kHigh, "actionable"},
        std::pair{Severity::kMedium, "context"}, std::pair{Severity::kLow, "noise"},
        std::pair{Severity::kHigh, "noise"}}) {
    Finding f;
    f.kind = "test.finding";
    f.component = "logs";
    f.severity = sev;
    f.summary = "s";
    f.detail_json = "{}";
    f.dedupe_key = "k" + std::to_string(k++);
    f.triage = triage;
    ASSERT_TRUE(UpsertFinding(db, f).ok());
  }
  for (auto [status, owner, source] :
       {std::tuple{TaskStatus::kOpen, "", "contain"}, std::tuple{TaskStatus::kDone, "", "contain"},
        std::tuple{TaskStatus::kInProgress, "ana", "manual"},
        std::tuple{TaskStatus::kCancelled, "", "manual"}}) {
    Task t;
    t.title = "t";
    t.phase = 1;
    t.status = status;
    t.owner = owner;
    t.source = source;
    t.dedupe_key = "t" + std::to_string(k++);
    ASSERT_TRUE(UpsertTask(db, t).ok());
  }
  Result<CaseCounts> n = CountCase(db);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->findings.all, 5);
  EXPECT_EQ(n->findings.high, 3);
  EXPECT_EQ(n->findings.actionable, 2);
  EXPECT_EQ(n->findings.context, 1);
  EXPECT_EQ(n->findings.noise, 2);
  EXPECT_EQ(n->tasks, 4);
  EXPECT_EQ(n->tasks_open, 2);
  EXPECT_EQ(n->tasks_unowned, 1);
  EXPECT_EQ(n->containment_steps, 2);
  EXPECT_EQ(n->containment_steps_open, 1);
}

TEST(CaseCounts, EvidenceFilesByLabelAndDistinctContents) {
  testing::TempDir tmp;
  auto c = NewCase(tmp);
  Db& db = c->db();
  ASSERT_TRUE(
      db.Exec("INSERT INTO evidence_items (sha256, label, original_path, kind, size, "
              "source, batch_id, collected_at) VALUES "
              "('aa','webroot','/a','file',1,'s',0,0), ('aa','webroot','/b','file',1,'s',0,0),"
              "('bb','webroot','/c','file',1,'s',0,0), ('','webroot','/d','dir',0,'s',0,0),"
              "('cc','host','/e','file',1,'s',0,0)")
          .ok());
  EXPECT_EQ(*CountEvidenceFiles(db, "webroot", false), 3);
  EXPECT_EQ(*CountEvidenceFiles(db, "webroot", true), 2);
  EXPECT_EQ(*CountEvidenceFiles(db, "host", false), 1);
  EXPECT_EQ(*CountEvidenceFiles(db, "logs", true), 0);
  ASSERT_TRUE(db.Exec("CREATE TABLE logs_file (evidence_id INTEGER, parsed INTEGER)").ok());
  ASSERT_TRUE(db.Exec("INSERT INTO logs_file VALUES (1, 40), (2, 2)").ok());
  EXPECT_EQ(*CountParsedRequests(db), 42);
}

}  // namespace
}  // namespace tq
