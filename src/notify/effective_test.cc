// Duties by the rules in force when the breach was discovered: in_force_from / in_force_until
// in the table, parse errors with file:line, and the shipped California and New York changes
// (a 2024 case gets 2024 rules).
#include <gtest/gtest.h>

#include "notify/notify.h"

namespace tq::notify {
namespace {

constexpr UnixMicros kDayUs = 86400LL * 1000000;
UnixMicros Day(int y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d) * kDayUs; }

AffectedPerson Resident(std::string region) {
  AffectedPerson p;
  p.person_key = "c:" + region;
  p.country = "US";
  p.region = region;
  p.categories = {"payment_card"};
  return p;
}

TEST(InForce, ParsedAndChecked) {
  auto t = ParseDutyTable(
      "id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\nin_force_from: 2024-12-21\n"
      "in_force_until: 2025-12-31\n",
      "t.txt");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const DutyRule& r = t->rules[0];
  EXPECT_FALSE(r.InForce(Day(2024, 12, 20) + kDayUs - 1));
  EXPECT_TRUE(r.InForce(Day(2024, 12, 21)));
  EXPECT_TRUE(r.InForce(Day(2025, 12, 31) + kDayUs - 1));  // the whole last day
  EXPECT_FALSE(r.InForce(Day(2026, 1, 1)));
  struct {
    const char* text;
    const char* error;
  } bad[] = {
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\nin_force_from: 2026-13-01\n",
       "t.txt:6: in_force_from: expected a date YYYY-MM-DD, got '2026-13-01'"},
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\nin_force_until: 2025-02-30\n",
       "t.txt:6: in_force_until: expected a date YYYY-MM-DD, got '2025-02-30'"},
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\nin_force_from: soon\n",
       "t.txt:6: in_force_from: expected a date YYYY-MM-DD, got 'soon'"},
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\nin_force_from: "
       "2026-01-01\nin_force_until: 2025-01-01\n",
       "t.txt:1: rule a: in_force_until is before in_force_from"},
  };
  for (const auto& b : bad) {
    // A bad date leaves out its record, named with file:line (the table's per-item rule).
    auto r2 = ParseDutyTable(b.text, "t.txt");
    ASSERT_TRUE(r2.ok()) << r2.status().ToString();
    EXPECT_TRUE(r2->rules.empty()) << b.text;
    ASSERT_EQ(r2->errors.size(), 1u) << b.text;
    EXPECT_NE(r2->errors[0].ToString().find(b.error), std::string::npos)
        << r2->errors[0].ToString();
  }
}

// The rule for one duty of one resident in the shipped table, for a breach discovered then.
const Obligation* Duty(const Plan& plan, std::string_view notify) {
  for (const Obligation& o : plan.obligations)
    if (o.rule->notify == notify && o.threshold_met) return &o;
  return nullptr;
}

TEST(InForce, ACaseIsJudgedByTheRulesOfItsDiscoveryDate) {
  auto table = LoadDutyTable(std::string(TQ_SOURCE_DIR) + "/data/jurisdictions/duties.txt");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  struct {
    const char* region;
    UnixMicros discovered;
    const char* rule;
    std::optional<int64_t> days;  // individual deadline in days; none = no fixed date
  } cases[] = {
      {"CA", Day(2024, 6, 3), "US-CA.individuals.pre2026", std::nullopt},
      {"CA", Day(2025, 12, 31), "US-CA.individuals.pre2026", std::nullopt},
      {"CA", Day(2026, 1, 1), "US-CA.individuals", 30},
      {"NY", Day(2024, 6, 3), "US-NY.individuals.pre2024-12-21", std::nullopt},
      {"NY", Day(2025, 1, 10), "US-NY.individuals", 30},
  };
  for (const auto& c : cases) {
    Plan plan = BuildPlan(*table, {Resident(c.region)}, c.discovered, c.discovered);
    const Obligation* o = Duty(plan, "individuals");
    ASSERT_NE(o, nullptr) << c.rule;
    EXPECT_EQ(o->rule->id, c.rule);
    if (c.days) {
      ASSERT_TRUE(o->deadline.has_value()) << c.rule;
      EXPECT_EQ(*o->deadline, c.discovered + *c.days * kDayUs);
    } else {
      EXPECT_FALSE(o->deadline.has_value()) << c.rule;
    }
    // Only one version of a duty applies at a time.
    int versions = 0;
    for (const Obligation& x : plan.obligations)
      versions += x.rule->notify == "individuals" && x.threshold_met;
    EXPECT_EQ(versions, 1) << c.rule;
  }
  // The California Attorney General: 15 days after consumers from 2026, no fixed date before.
  Plan old = BuildPlan(*table, std::vector<AffectedPerson>(501, Resident("CA")), Day(2024, 6, 3),
                       Day(2024, 6, 3));
  const Obligation* ag = Duty(old, "regulator");
  ASSERT_NE(ag, nullptr);
  EXPECT_EQ(ag->rule->id, "US-CA.regulator.pre2026");
  EXPECT_FALSE(ag->deadline.has_value());
  Plan now = BuildPlan(*table, std::vector<AffectedPerson>(501, Resident("CA")), Day(2026, 2, 2),
                       Day(2026, 2, 2));
  ag = Duty(now, "regulator");
  ASSERT_NE(ag, nullptr);
  EXPECT_EQ(ag->rule->id, "US-CA.regulator");
  ASSERT_TRUE(ag->deadline.has_value());
  EXPECT_EQ(*ag->deadline, Day(2026, 2, 2) + 45 * kDayUs);
}

}  // namespace
}  // namespace tq::notify
