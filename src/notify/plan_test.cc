// Obligations from people and the table: matching, thresholds, deadlines, statuses, and the
// tasks and rows StorePlan writes.
#include <gtest/gtest.h>

#include "notify/notify.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

constexpr const char* kTable = R"(set: EU2
members: DE FR

id: eu.dpa
where: EU2
per: all
notify: regulator
categories: any
people: any
deadline: 72h
source: s
status: V-P

id: us.ind
where: US-CA US-TX
per: jurisdiction
notify: individuals
categories: payment_card
people: any
deadline: 30d
source: s
status: V-S

id: us.ag
where: US-CA US-TX
per: jurisdiction
notify: regulator
categories: payment_card
people: >2
deadline: 15d
from: after:us.ind
source: s
status: UNV

id: ca.opc
where: CA
per: jurisdiction
notify: regulator
categories: password_hash
people: any
scale: >=3
deadline: none
source: s
status: V-P

id: pci
where: *
per: all
notify: acquirer
categories: payment_card
people: any
deadline: 24h
source: s
status: V-P
)";

AffectedPerson P(std::string key, std::string country, std::string region,
                 std::vector<std::string> cats) {
  AffectedPerson p;
  p.person_key = key;
  p.email = key + "@example.com";
  p.country = country;
  p.region = region;
  p.categories = cats;
  return p;
}

const Obligation* Find(const Plan& p, std::string_view key) {
  for (const Obligation& o : p.obligations)
    if (o.key == key) return &o;
  return nullptr;
}

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<DutyTable> t = ParseDutyTable(kTable, "t.txt");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = *t;
    discovered_ = *ParseIso8601("2026-03-02T15:00:00Z", TimeZone::Utc());
  }
  DutyTable table_;
  UnixMicros discovered_ = 0;
};

TEST_F(PlanTest, ThresholdsPerJurisdictionAndDeadlinesFromAnotherDuty) {
  std::vector<AffectedPerson> people = {P("a", "US", "CA", {"payment_card"}),
                                        P("b", "US", "CA", {"payment_card"}),
                                        P("c", "US", "CA", {"payment_card", "email"}),
                                        P("d", "US", "TX", {"payment_card"}),
                                        P("e", "US", "TX", {"email"}),
                                        P("f", "DE", "", {"email"}),
                                        P("g", "CA", "ON", {"email"}),
                                        P("h", "CA", "QC", {"email"}),
                                        P("i", "CA", "ON", {"name"}),
                                        P("j", "", "", {"payment_card"})};
  Plan plan = BuildPlan(table_, people, discovered_, discovered_ + 1);
  EXPECT_EQ(plan.people_total, 10);
  EXPECT_EQ(plan.people_unknown_country, 1);
  const Obligation* ag_ca = Find(plan, "us.ag/US-CA");
  ASSERT_NE(ag_ca, nullptr);
  EXPECT_EQ(ag_ca->people, 3);
  EXPECT_TRUE(ag_ca->threshold_met);                               // 3 > 2
  EXPECT_EQ(FormatUtc(*ag_ca->deadline), "2026-04-16T15:00:00Z");  // 30 + 15 days
  const Obligation* ag_tx = Find(plan, "us.ag/US-TX");
  EXPECT_EQ(ag_tx->people, 1);
  EXPECT_FALSE(ag_tx->threshold_met);
  EXPECT_EQ(ag_tx->status, "not_required");
  const Obligation* ind_tx = Find(plan, "us.ind/US-TX");
  EXPECT_EQ(ind_tx->person_keys, std::vector<std::string>{"d"});  // e lost no card
  const Obligation* dpa = Find(plan, "eu.dpa/all");
  EXPECT_EQ(FormatUtc(*dpa->deadline), "2026-03-05T15:00:00Z");
  EXPECT_EQ(dpa->status, "due");
  // Canada: no one lost a password, but 3 people in any category meet the scale test.
  const Obligation* opc = Find(plan, "ca.opc/CA");
  EXPECT_TRUE(opc->threshold_met);
  EXPECT_EQ(opc->people, 3);
  EXPECT_EQ(opc->jurisdictions, (std::vector<std::string>{"CA-ON", "CA-QC"}));
  EXPECT_FALSE(opc->deadline.has_value());
  // '*' covers the person with no country.
  const Obligation* pci = Find(plan, "pci/all");
  EXPECT_EQ(pci->people, 5);
  EXPECT_NE(std::find(pci->jurisdictions.begin(), pci->jurisdictions.end(), "unknown"),
            pci->jurisdictions.end());
  // FR is in the set but nobody lives there; GB is not covered by any rule.
  EXPECT_TRUE(plan.unmatched.empty());
  Plan late = BuildPlan(table_, people, discovered_, discovered_ + 73LL * 3600 * 1000000);
  EXPECT_EQ(Find(late, "eu.dpa/all")->status, "overdue");
  EXPECT_EQ(Find(late, "us.ind/US-CA")->status, "due");
}

TEST_F(PlanTest, UncoveredJurisdictionsAreListed) {
  Plan plan = BuildPlan(table_, {P("x", "JP", "", {"email"}), P("y", "US", "NY", {"email"})},
                        discovered_, discovered_);
  EXPECT_EQ(plan.unmatched, (std::vector<std::string>{"JP", "US-NY"}));
}

TEST_F(PlanTest, StorePlanWritesRowsAndOneTaskPerDutyAndTracksDone) {
  tq::testing::TempDir dir;
  CaseInfo info;
  info.name = "t";
  info.discovered_at = discovered_;
  auto c = Case::Create(dir / "case", info);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(EnsureNotifySchema(**c).ok());
  std::vector<AffectedPerson> people = {P("a", "US", "CA", {"payment_card"}),
                                        P("f", "DE", "", {"email"})};
  for (int run = 0; run < 2; ++run) {
    Plan plan = BuildPlan(table_, people, discovered_, discovered_);
    ASSERT_TRUE((*c)->Transaction([&](Db& db) { return StorePlan(db, plan, discovered_); }).ok());
  }
  Db& db = (*c)->db();
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM notify_obligation"), 4);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM tasks WHERE source='notify' AND phase=3"), 3);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM tasks WHERE dedupe_key='notify:eu.dpa/all' AND "
                         "due_at IS NOT NULL"),
            1);
  ASSERT_TRUE(MarkObligationDone(db, "eu.dpa/all").ok());
  EXPECT_EQ(MarkObligationDone(db, "nope/all").code(), ErrorCode::kNotFound);
  // The letter to 'a' was sent: California's individual duty is done on the next plan.
  ASSERT_TRUE(db.Exec("INSERT INTO notify_outbox(message_key,person_key,recipient,subject,body,"
                      "body_sha256,message_id,state,created_at,updated_at) VALUES('letter:a','a',"
                      "'a@example.com','s','b','h','<m>','sent',0,0)")
                  .ok());
  Plan plan = BuildPlan(table_, people, discovered_, discovered_);
  ASSERT_TRUE((*c)->Transaction([&](Db& d) { return StorePlan(d, plan, discovered_); }).ok());
  EXPECT_EQ(Find(plan, "eu.dpa/all")->status, "done");
  EXPECT_EQ(Find(plan, "us.ind/US-CA")->status, "done");
  EXPECT_EQ(Find(plan, "pci/all")->status, "due");
  // The German customer leaves the scope: the EU duty's task is kept (done), PCI stays.
  people.pop_back();
  plan = BuildPlan(table_, people, discovered_, discovered_);
  ASSERT_TRUE((*c)->Transaction([&](Db& d) { return StorePlan(d, plan, discovered_); }).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM tasks WHERE status='cancelled'"), 0);
}

}  // namespace
}  // namespace tq::notify
