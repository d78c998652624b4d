// The progress `status` and the web UI share: a step is done when its command ran, not when
// its (empty) table exists.
#include "casefile/case_progress.h"

#include <gtest/gtest.h>

#include "casefile/stage_runs.h"
#include "support/testing.h"

namespace tq {
namespace {

bool Done(const std::vector<ProgressPhase>& phases, int phase, const std::string& step) {
  for (const ProgressStep& s : phases.at(phase - 1).steps)
    if (s.name == step) return s.done;
  ADD_FAILURE() << "no step " << step << " in phase " << phase;
  return false;
}

TEST(CaseProgress, AStepIsDoneWhenItsCommandRanNotWhenItsTableExists) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "progress";
  auto c = Case::Create(tmp / "case", info);
  ASSERT_TRUE(c.ok()) << c.status().message();
  Db& db = (*c)->db();
  // `tourniquet init` makes every component's tables, empty: the duty table exists before any plan.
  ASSERT_TRUE(db.Exec("CREATE TABLE notify_obligation (id INTEGER PRIMARY KEY)").ok());

  auto p = CaseProgress(db);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->size(), 5u);
  EXPECT_FALSE(Done(*p, 2, "investigation"));
  EXPECT_FALSE(Done(*p, 2, "scope"));
  EXPECT_FALSE(Done(*p, 3, "notification plan"));
  EXPECT_EQ((*p)[1].next, "tourniquet investigate");
  EXPECT_EQ((*p)[2].next, "tourniquet notify plan");

  // An investigate killed mid-way is not an investigation done.
  int64_t run = 0;
  std::vector<int64_t> rows;
  ASSERT_TRUE(BeginRun(**c, "investigate", {"logs"}, &run, &rows).ok());
  ASSERT_TRUE(StartStage(**c, rows[0]).ok());
  p = CaseProgress(db);
  EXPECT_FALSE(Done(*p, 2, "investigation"));
  // Finished with no finding (a clean store): done.
  ASSERT_TRUE(FinishStage(**c, rows[0], "ok").ok());
  p = CaseProgress(db);
  EXPECT_TRUE(Done(*p, 2, "investigation"));
  EXPECT_EQ((*p)[1].next, "tourniquet scope");

  // A failed plan is not a plan; a successful one is, even with no duty in it.
  ASSERT_TRUE((*c)->Audit("me", "notify plan", "failed: bad_input: x", "").ok());
  EXPECT_FALSE(Done(*CaseProgress(db), 3, "notification plan"));
  ASSERT_TRUE((*c)->Audit("me", "notify plan", "ok", "0 obligations").ok());
  p = CaseProgress(db);
  EXPECT_TRUE(Done(*p, 3, "notification plan"));
  EXPECT_EQ((*p)[2].next, "tourniquet notify render");
}

}  // namespace
}  // namespace tq
