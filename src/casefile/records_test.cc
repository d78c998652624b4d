// Shared records: findings and tasks refresh by their dedupe key; evidence items list by label.
#include <gtest/gtest.h>

#include "casefile/casefile.h"
#include "support/testing.h"

namespace tq {
namespace {

using testing::TempDir;

Result<std::unique_ptr<Case>> NewCase(const TempDir& tmp) {
  CaseInfo info;
  info.name = "records";
  return Case::Create(tmp / "c", info);
}

Finding MakeFinding(std::string key) {
  Finding f;
  f.kind = "log.rule_hit";
  f.component = "logs";
  f.summary = "hit " + key;
  f.dedupe_key = std::move(key);
  return f;
}

TEST(FindingTest, UpsertRefreshesInsteadOfDuplicating) {
  TempDir tmp;
  auto c = NewCase(tmp);
  ASSERT_TRUE(c.ok());
  Db& db = (*c)->db();
  auto a = UpsertFinding(db, MakeFinding("same"));
  Finding f = MakeFinding("same");
  f.summary = "refreshed";
  f.severity = Severity::kCritical;
  auto b = UpsertFinding(db, f);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  auto all = ListFindings(db);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].summary, "refreshed");
  EXPECT_EQ((*all)[0].severity, Severity::kCritical);
  EXPECT_FALSE(UpsertFinding(db, MakeFinding("")).ok());
}

TEST(TaskTest, AutomaticTaskKeepsOwnerAndStatusOnRefresh) {
  TempDir tmp;
  auto c = NewCase(tmp);
  ASSERT_TRUE(c.ok());
  Db& db = (*c)->db();
  Task t;
  t.title = "Block 203.0.113.9";
  t.source = "contain";
  t.dedupe_key = "contain:block:203.0.113.9";
  auto id = UpsertTask(db, t);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(db.Exec("UPDATE tasks SET owner='ana', status='done'").ok());
  t.title = "Block 203.0.113.9 (nginx, Apache, nftables)";
  auto again = UpsertTask(db, t);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*id, *again);
  auto tasks = ListTasks(db);
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].owner, "ana");
  EXPECT_EQ((*tasks)[0].status, TaskStatus::kDone);
  EXPECT_EQ((*tasks)[0].title, "Block 203.0.113.9 (nginx, Apache, nftables)");
}

TEST(EvidenceListTest, FiltersByLabelAndKeepsRawBytes) {
  TempDir tmp;
  auto c = NewCase(tmp);
  ASSERT_TRUE(c.ok());
  Db& db = (*c)->db();
  ASSERT_TRUE(db.Exec("INSERT INTO evidence_items(sha256,label,original_path,kind,size,"
                      "mtime_ns,collected_at) VALUES('aa','logs',X'6c6f670aff','file',3,7,1),"
                      "('bb','webroot','index.php','file',9,8,1)")
                  .ok());
  auto logs = ListEvidence(db, "logs");
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].original_path, std::string("log\n\xff", 5));
  EXPECT_EQ((*logs)[0].mtime_ns, 7);
  EXPECT_EQ(ListEvidence(db)->size(), 2u);
  EXPECT_EQ(ListFindings(db, "webroot.")->size(), 0u);
}

TEST(SeverityTest, NamesRoundTrip) {
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical})
    EXPECT_EQ(SeverityFromName(SeverityName(s)), s);
  EXPECT_EQ(SeverityFromName("bogus"), Severity::kInfo);
}

}  // namespace
}  // namespace tq
