// Stage runs: a run killed between a stage's start and its end stays unfinished until the
// next run of the command; the readers' refusal names the stage.
#include "casefile/stage_runs.h"

#include <gtest/gtest.h>

#include "support/testing.h"

namespace tq {
namespace {

TEST(StageRuns, AKilledRunStaysUnfinishedUntilTheNextOneEnds) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "stages";
  auto c = Case::Create(tmp.path() + "/case", info);
  ASSERT_TRUE(c.ok()) << c.status().message();
  Db& db = (*c)->db();
  // No table yet (a case from before stage runs): nothing unfinished, nothing refused.
  ASSERT_TRUE(UnfinishedStages(db, "investigate")->empty());
  EXPECT_TRUE(RequireFinished(db, "investigate", "scope").ok());

  int64_t run = 0, logs = 0, storedb = 0;
  ASSERT_TRUE(BeginStage(**c, "investigate", "logs", &run, &logs).ok());
  EXPECT_EQ(run, logs);  // the first stage's row names the run
  ASSERT_TRUE(FinishStage(**c, logs, "ok").ok());
  ASSERT_TRUE(BeginStage(**c, "investigate", "storedb", &run, &storedb).ok());
  EXPECT_EQ(run, logs);
  // Killed here: storedb never finishes.
  auto u = UnfinishedStages(db, "investigate");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u->size(), 1u);
  EXPECT_EQ((*u)[0].stage, "storedb");
  EXPECT_FALSE((*u)[0].process_alive);  // this process is the one asking: not "running"
  Status refused = RequireFinished(db, "investigate", "scope");
  EXPECT_EQ(refused.code(), ErrorCode::kCase);
  EXPECT_EQ(refused.message().rfind("scope refused: investigate did not finish: stage storedb "
                                    "started ",
                                    0),
            0u)
      << refused.message();
  EXPECT_TRUE(UnfinishedStages(db, "collect")->empty());  // per command

  // The next run, whole, ends it; a failed stage is finished too (with its error).
  int64_t run2 = 0, row = 0;
  ASSERT_TRUE(BeginStage(**c, "investigate", "logs", &run2, &row).ok());
  EXPECT_GT(run2, run);
  EXPECT_EQ(UnfinishedStages(db, "investigate")->size(), 1u);  // the new run's, in progress
  ASSERT_TRUE(FinishStage(**c, row, "bad_input: x").ok());
  EXPECT_TRUE(UnfinishedStages(db, "investigate")->empty());
  EXPECT_TRUE(RequireFinished(db, "investigate", "scope").ok());
}

}  // namespace
}  // namespace tq
