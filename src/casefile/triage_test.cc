// The one definition of "worked", the severity it gives a rule hit, and triage classes stored
// with findings (including rows of a case from before the triage column).
#include "casefile/triage.h"

#include <gtest/gtest.h>

#include "casefile/schema.h"
#include "support/testing.h"

namespace tq {
namespace {

using testing::TempDir;

TEST(OutcomeTest, StatusDecidesUnlessTheAnswerIsTheOrdinaryPage) {
  struct Row {
    int status;
    int64_t bytes;
    std::optional<int64_t> ordinary;
    RequestOutcome want;
  } cases[] = {
      {200, 5000, std::nullopt, RequestOutcome::kWorked},
      {302, 0, std::nullopt, RequestOutcome::kWorked},
      {200, 4611, 4611, RequestOutcome::kOrdinary},  // failed login: the form again
      {200, 4700, 4611, RequestOutcome::kOrdinary},  // within 2%
      {200, 4800, 4611, RequestOutcome::kWorked},    // beyond 2%
      {200, 20, 10, RequestOutcome::kOrdinary},      // within the 16-byte floor
      {200, 27, 10, RequestOutcome::kWorked},
      {200, -1, 4611, RequestOutcome::kWorked},  // size not logged
      {404, 120, std::nullopt, RequestOutcome::kRefused},
      {403, 120, 120, RequestOutcome::kRefused},
      {400, 127, std::nullopt, RequestOutcome::kRefused},
      {500, 0, std::nullopt, RequestOutcome::kError},
      {503, 9999, 10, RequestOutcome::kError},
      {0, 100, std::nullopt, RequestOutcome::kUnknown},
      {101, 0, std::nullopt, RequestOutcome::kUnknown},
      {999, 0, std::nullopt, RequestOutcome::kUnknown},
      {-5, 0, std::nullopt, RequestOutcome::kUnknown},
  };
  for (const Row& c : cases) {
    EXPECT_EQ(JudgeOutcome(c.status, c.bytes, c.ordinary), c.want)
        << c.status << " " << c.bytes << " -> " << RequestOutcomeName(c.want);
  }
  EXPECT_TRUE(Worked(RequestOutcome::kWorked));
  EXPECT_TRUE(Worked(RequestOutcome::kUnknown));
  EXPECT_FALSE(Worked(RequestOutcome::kOrdinary));
  EXPECT_FALSE(Worked(RequestOutcome::kRefused));
  EXPECT_FALSE(Worked(RequestOutcome::kError));
}

TEST(OutcomeTest, RefusedProbesAreRatedLowWhateverTheRule) {
  EXPECT_EQ(SeverityByOutcome(Severity::kCritical, RequestOutcome::kWorked), Severity::kCritical);
  EXPECT_EQ(SeverityByOutcome(Severity::kCritical, RequestOutcome::kRefused), Severity::kLow);
  EXPECT_EQ(SeverityByOutcome(Severity::kHigh, RequestOutcome::kError), Severity::kLow);
  EXPECT_EQ(SeverityByOutcome(Severity::kMedium, RequestOutcome::kOrdinary), Severity::kLow);
  EXPECT_EQ(SeverityByOutcome(Severity::kLow, RequestOutcome::kRefused), Severity::kInfo);
  EXPECT_EQ(SeverityByOutcome(Severity::kInfo, RequestOutcome::kRefused), Severity::kInfo);
  EXPECT_EQ(SeverityByOutcome(Severity::kLow, RequestOutcome::kUnknown), Severity::kLow);
}

TEST(TriageTest, NamesRoundTripAndDefaultsFollowSeverity) {
  for (Triage t : {Triage::kActionable, Triage::kContext, Triage::kNoise})
    EXPECT_EQ(TriageFromName(TriageName(t)), t);
  EXPECT_FALSE(TriageFromName("urgent"));
  EXPECT_FALSE(TriageFromName(""));
  EXPECT_EQ(DefaultTriage(Severity::kCritical), Triage::kActionable);
  EXPECT_EQ(DefaultTriage(Severity::kHigh), Triage::kActionable);
  EXPECT_EQ(DefaultTriage(Severity::kMedium), Triage::kContext);
  EXPECT_EQ(DefaultTriage(Severity::kLow), Triage::kNoise);
  EXPECT_EQ(DefaultTriage(Severity::kInfo), Triage::kNoise);
}

TEST(TriageTest, FindingsKeepTheirClassAndRefuseUnknownOnes) {
  TempDir tmp;
  CaseInfo info;
  info.name = "triage";
  auto c = Case::Create(tmp / "c", info);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Db& db = (*c)->db();
  Finding f;
  f.kind = "log.rule_hit";
  f.component = "logs";
  f.summary = "probe";
  f.severity = Severity::kLow;
  f.dedupe_key = "a";
  ASSERT_TRUE(UpsertFinding(db, f).ok());  // no class: the severity's
  f.dedupe_key = "b";
  f.severity = Severity::kHigh;
  f.triage = "context";
  ASSERT_TRUE(UpsertFinding(db, f).ok());
  f.dedupe_key = "c";
  f.triage = "urgent";
  Result<int64_t> bad = UpsertFinding(db, f);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown triage class 'urgent'"), std::string::npos);
  auto all = ListFindings(db);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].triage, "noise");
  EXPECT_EQ((*all)[1].triage, "context");
  // A refresh that names a class replaces it.
  f.dedupe_key = "a";
  f.triage = "actionable";
  ASSERT_TRUE(UpsertFinding(db, f).ok());
  EXPECT_EQ((*ListFindings(db))[0].triage, "actionable");
}

TEST(TriageTest, MigrationGivesOlderFindingsTheirSeverityClass) {
  TempDir tmp;
  auto db = Db::Open(tmp / "old.db", /*create=*/true);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(casefile_internal::MigrateTo(**db, 2).ok());
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO findings(kind,component,severity,confidence,summary,"
                         "dedupe_key,created_at,updated_at) VALUES"
                         "('x','logs','critical',1,'s','k1',0,0),"
                         "('x','logs','medium',1,'s','k2',0,0),"
                         "('x','logs','info',1,'s','k3',0,0)")
                  .ok());
  ASSERT_TRUE(casefile_internal::MigrateTo(**db, CaseSchemaVersion()).ok());
  auto all = ListFindings(**db);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].triage, "actionable");
  EXPECT_EQ((*all)[1].triage, "context");
  EXPECT_EQ((*all)[2].triage, "noise");
}

}  // namespace
}  // namespace tq
