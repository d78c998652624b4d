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
  EXPECT_TRUE(RequireFinished(db, "investigate", "report").ok());
  // But scope, whose empty answer reads "nobody is affected", refuses a case never investigated.
  EXPECT_FALSE(*EverRan(db, "investigate"));
  Status never = RequireRun(db, "investigate", "scope");
  EXPECT_EQ(never.code(), ErrorCode::kCase);
  EXPECT_NE(never.message().find("`investigate` has not run on this case"), std::string::npos)
      << never.message();

  int64_t run = 0;
  std::vector<int64_t> rows;
  ASSERT_TRUE(BeginRun(**c, "investigate", {"logs", "storedb"}, &run, &rows).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(run, rows[0]);  // the first stage's row names the run
  int64_t logs = rows[0], storedb = rows[1];
  ASSERT_TRUE(StartStage(**c, logs).ok());
  ASSERT_TRUE(FinishStage(**c, logs, "ok").ok());
  ASSERT_TRUE(StartStage(**c, storedb).ok());
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

  // The next run's stage fails (a disk full while it wrote): its results are missing, so the
  // run did not finish either, and the refusal says why.
  int64_t run2 = 0;
  ASSERT_TRUE(BeginRun(**c, "investigate", {"logs"}, &run2, &rows).ok());
  EXPECT_GT(run2, run);
  EXPECT_EQ(UnfinishedStages(db, "investigate")->size(), 1u);  // the new run's, in progress
  ASSERT_TRUE(StartStage(**c, rows[0]).ok());
  ASSERT_TRUE(FinishStage(**c, rows[0], "io: case.db: database or disk is full").ok());
  u = UnfinishedStages(db, "investigate");
  ASSERT_EQ(u->size(), 1u);
  EXPECT_EQ((*u)[0].failure, "io: case.db: database or disk is full");
  EXPECT_FALSE((*u)[0].process_alive);
  refused = RequireFinished(db, "investigate", "report");
  EXPECT_EQ(refused.code(), ErrorCode::kCase);
  EXPECT_EQ(refused.message(),
            "report refused: investigate did not finish: stage logs failed (io: case.db: "
            "database or disk is full); its results are missing or stale. Run `tourniquet "
            "investigate` again")
      << refused.message();

  // The next run, whole and well, ends it.
  int64_t run3 = 0;
  ASSERT_TRUE(BeginRun(**c, "investigate", {"logs"}, &run3, &rows).ok());
  ASSERT_TRUE(StartStage(**c, rows[0]).ok());
  ASSERT_TRUE(FinishStage(**c, rows[0], "ok").ok());
  EXPECT_TRUE(UnfinishedStages(db, "investigate")->empty());
  EXPECT_TRUE(RequireFinished(db, "investigate", "scope").ok());
  EXPECT_TRUE(*EverRan(db, "investigate"));
  EXPECT_TRUE(RequireRun(db, "investigate", "scope").ok());
  EXPECT_FALSE(*EverRan(db, "notify send"));  // per command
}

// A run whose later stage never started (its start could not be recorded: a disk that went
// bad) is unfinished too, and says that the stage never started.
TEST(StageRuns, AStageThatNeverStartedLeavesTheRunUnfinished) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "stages";
  auto c = Case::Create(tmp / "case", info);
  ASSERT_TRUE(c.ok());
  int64_t run = 0;
  std::vector<int64_t> rows;
  ASSERT_TRUE(BeginRun(**c, "investigate", {"logs", "webroot", "analysis"}, &run, &rows).ok());
  ASSERT_TRUE(StartStage(**c, rows[0]).ok());
  ASSERT_TRUE(FinishStage(**c, rows[0], "ok").ok());
  // Here the process stops: webroot's start was never recorded.
  auto u = UnfinishedStages((*c)->db(), "investigate");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u->size(), 2u);
  EXPECT_EQ((*u)[0].stage, "webroot");
  EXPECT_FALSE((*u)[0].started);
  std::string said = DescribeUnfinished("investigate", *u);
  EXPECT_NE(said.find("stage webroot was to run in the run begun "), std::string::npos) << said;
  EXPECT_NE(said.find("never started"), std::string::npos) << said;
  EXPECT_EQ(RequireFinished((*c)->db(), "investigate", "scope").code(), ErrorCode::kCase);
}

}  // namespace
}  // namespace tq
