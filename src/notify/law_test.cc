// The shipped jurisdiction table's timing rules (data/jurisdictions/duties.txt) on cases
// built for them: Vermont's "14 business days or when consumers are told, whichever is
// sooner", Australia's assessment against its statement, the card brands' "immediately",
// Washington without a consumer-reporting-agency duty, GDPR without an EU establishment, and
// New Zealand, Japan, Turkey and Mexico by the rules in force on the discovery date.
#include <gtest/gtest.h>

#include "notify/notify.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

constexpr UnixMicros kHourUs = 3600LL * 1000000;
constexpr UnixMicros kDayUs = 24 * kHourUs;
UnixMicros Day(int y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d) * kDayUs; }

const DutyTable& Shipped() {
  static const DutyTable table = [] {
    auto t = LoadDutyTable(std::string(TQ_SOURCE_DIR) + "/data/jurisdictions/duties.txt");
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_TRUE(t->errors.empty()) << t->errors[0].ToString();
    return *t;
  }();
  return table;
}

std::vector<AffectedPerson> People(size_t n, std::string country, std::string region,
                                   std::vector<std::string> cats = {"payment_card"}) {
  std::vector<AffectedPerson> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].person_key = "c:" + country + region + std::to_string(i);
    out[i].country = country;
    out[i].region = region;
    out[i].categories = cats;
  }
  return out;
}

const Obligation* Find(const Plan& p, std::string_view key) {
  for (const Obligation& o : p.obligations)
    if (o.key == key) return &o;
  return nullptr;
}

// Wednesday 4 March 2026, 10:00 UTC.
const UnixMicros kWednesday = Day(2026, 3, 4) + 10 * kHourUs;

TEST(ShippedLaw, VermontAttorneyGeneralAtTheSoonerOf14BusinessDaysOrConsumerNotice) {
  std::vector<AffectedPerson> people = People(3, "US", "VT");
  Plan plan = BuildPlan(Shipped(), people, kWednesday, kWednesday);
  const Obligation* ag = Find(plan, "US-VT.regulator/US-VT");
  ASSERT_NE(ag, nullptr);
  ASSERT_TRUE(ag->threshold_met);
  ASSERT_TRUE(ag->deadline.has_value());
  // 14 business days from a Wednesday skip two weekends and end on Tuesday 24 March.
  EXPECT_EQ(*ag->deadline, Day(2026, 3, 24) + 10 * kHourUs);

  // Consumers told on Friday 6 March: the Attorney General's notice is due then.
  people[1].told_at = Day(2026, 3, 6) + 15 * kHourUs;
  people[2].told_at = Day(2026, 3, 9);
  plan = BuildPlan(Shipped(), people, kWednesday, Day(2026, 3, 7));
  ag = Find(plan, "US-VT.regulator/US-VT");
  ASSERT_NE(ag, nullptr);
  EXPECT_EQ(*ag->deadline, Day(2026, 3, 6) + 15 * kHourUs);
  EXPECT_EQ(ag->status, "overdue");
  // Consumers told after the 14 business days do not push the date out.
  for (AffectedPerson& p : people) p.told_at = Day(2026, 4, 20);
  plan = BuildPlan(Shipped(), people, kWednesday, kWednesday);
  EXPECT_EQ(*Find(plan, "US-VT.regulator/US-VT")->deadline, Day(2026, 3, 24) + 10 * kHourUs);
}

// The moment people are told comes from the outbox: a letter sent, or printed for the post.
TEST(ShippedLaw, VermontDeadlineEndsWhenTheCaseSentOrPrintedTheFirstLetter) {
  testing::TempDir dir;
  CaseInfo info;
  info.name = "vt";
  auto c = Case::Create(dir / "case", info);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(EnsureNotifySchema(**c).ok());
  Db& db = (*c)->db();
  ASSERT_TRUE(db.Exec("CREATE TABLE scope_person (id INTEGER PRIMARY KEY, person_key TEXT UNIQUE, "
                      "customer_id INTEGER, email TEXT, name TEXT, country TEXT, region TEXT, "
                      "language TEXT, categories TEXT, first_exposure INTEGER, last_exposure "
                      "INTEGER, reasons TEXT, ambiguity TEXT);"
                      "INSERT INTO scope_person(person_key,email,country,region,categories) VALUES"
                      "('a','a@x.test','US','VT','[\"payment_card\"]'),"
                      "('b','b@x.test','US','VT','[\"payment_card\"]'),"
                      "('c','c@x.test','US','VT','[\"payment_card\"]')")
                  .ok());
  UnixMicros printed = kWednesday + 2 * kDayUs, sent = kWednesday + 3 * kDayUs;
  auto add = [&](const char* key, const char* state, std::optional<UnixMicros> at) {
    auto prepared = db.Prepare(
        "INSERT INTO notify_outbox(message_key,person_key,recipient,subject,body,body_sha256,"
        "message_id,state,created_at,updated_at,sent_at,channel) "
        "VALUES(?,?,'','s','b','h','m',?,0,0,?,?)");
    ASSERT_TRUE(prepared.ok());
    Stmt& st = *prepared;
    st.Bind(1, std::string("letter:") + key).Bind(2, key).Bind(3, state);
    at ? st.Bind(4, *at) : st.BindNull(4);
    st.Bind(5, std::string(state) == "printed" ? "post" : "email");
    ASSERT_TRUE(st.Run().ok());
  };
  add("a", "queued", std::nullopt);
  add("b", "printed", printed);
  add("c", "sent", sent);
  auto people = LoadAffectedPeople(db);
  ASSERT_TRUE(people.ok()) << people.status().ToString();
  ASSERT_EQ(people->size(), 3u);
  EXPECT_FALSE((*people)[0].told_at.has_value());
  EXPECT_EQ((*people)[1].told_at, printed);
  EXPECT_EQ((*people)[2].told_at, sent);
  Plan plan = BuildPlan(Shipped(), *people, kWednesday, kWednesday);
  EXPECT_EQ(Find(plan, "US-VT.regulator/US-VT")->deadline, printed);
}

TEST(ShippedLaw, VermontConsumerReportingAgenciesAbove1000Residents) {
  Plan small = BuildPlan(Shipped(), People(1000, "US", "VT"), kWednesday, kWednesday);
  const Obligation* cra = Find(small, "US-VT.cra/US-VT");
  ASSERT_NE(cra, nullptr);
  EXPECT_FALSE(cra->threshold_met);
  EXPECT_EQ(cra->status, "not_required");
  Plan big = BuildPlan(Shipped(), People(1001, "US", "VT"), kWednesday, kWednesday);
  cra = Find(big, "US-VT.cra/US-VT");
  ASSERT_NE(cra, nullptr);
  EXPECT_TRUE(cra->threshold_met);
  EXPECT_EQ(cra->rule->notify, "cra");
}

TEST(ShippedLaw, ArkansasAttorneyGeneralNoLaterThanConsumers) {
  std::vector<AffectedPerson> people = People(1001, "US", "AR");
  people[0].told_at = kWednesday + 2 * kDayUs;
  Plan plan = BuildPlan(Shipped(), people, kWednesday, kWednesday);
  const Obligation* ag = Find(plan, "US-AR.regulator/US-AR");
  ASSERT_NE(ag, nullptr);
  EXPECT_EQ(*ag->deadline, kWednesday + 2 * kDayUs);
}

TEST(ShippedLaw, AustraliaStatementAsSoonAsPracticableAssessmentWithin30Days) {
  Plan plan = BuildPlan(Shipped(), People(2, "AU", "NSW"), kWednesday, kWednesday);
  const Obligation* statement = Find(plan, "AU.ndb/all");
  ASSERT_NE(statement, nullptr);
  EXPECT_TRUE(statement->threshold_met);
  EXPECT_EQ(statement->rule->notify, "regulator");
  // No 30-day grace for the statement: it is due as soon as practicable.
  EXPECT_FALSE(statement->deadline.has_value());
  EXPECT_NE(statement->rule->deadline_text.find("as soon as practicable"), std::string::npos);
  const Obligation* assess = Find(plan, "AU.ndb.assess/all");
  ASSERT_NE(assess, nullptr);
  EXPECT_EQ(assess->rule->notify, "assessment");
  ASSERT_TRUE(assess->deadline.has_value());
  EXPECT_EQ(*assess->deadline, kWednesday + 30 * kDayUs);
  const Obligation* people = Find(plan, "AU.ndb.individuals/all");
  ASSERT_NE(people, nullptr);
  EXPECT_FALSE(people->deadline.has_value());
}

TEST(ShippedLaw, CardBrandsTellTheAcquirerImmediately) {
  Plan plan = BuildPlan(Shipped(), People(1, "DE", ""), kWednesday, kWednesday);
  const Obligation* acquirer = Find(plan, "PCI.acquirer/all");
  ASSERT_NE(acquirer, nullptr);
  ASSERT_TRUE(acquirer->deadline.has_value());
  EXPECT_EQ(*acquirer->deadline, kWednesday);
  EXPECT_EQ(acquirer->status, "due");
  // It sorts first among the duties, and an hour later it is late.
  EXPECT_EQ(plan.obligations.front().key, "PCI.acquirer/all");
  plan = BuildPlan(Shipped(), People(1, "DE", ""), kWednesday, kWednesday + kHourUs);
  EXPECT_EQ(Find(plan, "PCI.acquirer/all")->status, "overdue");
  // Visa's written report keeps its 3 business days (Wednesday to Monday).
  EXPECT_EQ(*Find(plan, "PCI.visa.report/all")->deadline, Day(2026, 3, 9) + 10 * kHourUs);
  // No card data, no card-brand duty.
  plan = BuildPlan(Shipped(), People(1, "DE", "", {"email"}), kWednesday, kWednesday);
  EXPECT_FALSE(Find(plan, "PCI.acquirer/all")->threshold_met);
}

TEST(ShippedLaw, WashingtonHasNoConsumerReportingAgencyDuty) {
  Plan plan = BuildPlan(Shipped(), People(5000, "US", "WA"), kWednesday, kWednesday);
  ASSERT_NE(Find(plan, "US-WA.regulator/US-WA"), nullptr);
  EXPECT_TRUE(Find(plan, "US-WA.regulator/US-WA")->threshold_met);
  for (const Obligation& o : plan.obligations)
    EXPECT_FALSE(o.rule->notify == "cra" &&
                 std::find(o.jurisdictions.begin(), o.jurisdictions.end(), "US-WA") !=
                     o.jurisdictions.end())
        << o.key;
}

TEST(ShippedLaw, GdprWithoutAnEuEstablishmentNotifiesEachAuthority) {
  std::vector<AffectedPerson> people = People(2, "DE", "");
  for (AffectedPerson& p : People(3, "FR", "")) people.push_back(p);
  PlanContext none;
  none.establishment = "none";
  Plan plan = BuildPlan(Shipped(), people, kWednesday, kWednesday, none);
  EXPECT_EQ(Find(plan, "EEA.gdpr.art33/all"), nullptr);
  const Obligation* de = Find(plan, "EEA.gdpr.art33.each/DE");
  const Obligation* fr = Find(plan, "EEA.gdpr.art33.each/FR");
  ASSERT_NE(de, nullptr);
  ASSERT_NE(fr, nullptr);
  EXPECT_EQ(de->people, 2);
  EXPECT_EQ(fr->people, 3);
  EXPECT_EQ(*de->deadline, kWednesday + 72 * kHourUs);
  // With an establishment (or when it is not known): one lead authority.
  for (const char* e : {"eea", "unknown"}) {
    PlanContext ctx;
    ctx.establishment = e;
    Plan lead = BuildPlan(Shipped(), people, kWednesday, kWednesday, ctx);
    ASSERT_NE(Find(lead, "EEA.gdpr.art33/all"), nullptr) << e;
    EXPECT_EQ(Find(lead, "EEA.gdpr.art33/all")->people, 5);
    EXPECT_EQ(Find(lead, "EEA.gdpr.art33.each/DE"), nullptr) << e;
  }
}

TEST(ShippedLaw, NewZealandJapanTurkeyMexicoHaveDuties) {
  std::vector<AffectedPerson> people;
  for (const char* c : {"NZ", "JP", "TR", "MX"})
    for (AffectedPerson& p : People(1, c, "")) people.push_back(p);
  Plan plan = BuildPlan(Shipped(), people, kWednesday, kWednesday);
  EXPECT_TRUE(plan.unmatched.empty()) << plan.unmatched[0];
  struct {
    const char* key;
    std::optional<UnixMicros> deadline;
  } want[] = {
      {"NZ.privacy.commissioner/all", std::nullopt},
      {"NZ.privacy.individuals/all", std::nullopt},
      {"JP.appi.preliminary/all", kWednesday + 5 * kDayUs},
      {"JP.appi.final/all", kWednesday + 60 * kDayUs},
      {"JP.appi.individuals/all", std::nullopt},
      {"TR.kvkk.board/all", kWednesday + 72 * kHourUs},
      {"TR.kvkk.individuals/all", std::nullopt},
      {"MX.lfpdppp.individuals/all", std::nullopt},
  };
  for (const auto& w : want) {
    const Obligation* o = Find(plan, w.key);
    ASSERT_NE(o, nullptr) << w.key;
    EXPECT_TRUE(o->threshold_met) << w.key;
    EXPECT_EQ(o->deadline, w.deadline) << w.key;
    EXPECT_FALSE(o->rule->source.empty()) << w.key;
  }
}

TEST(ShippedLaw, ACaseIsJudgedByItsYearsRules) {
  std::vector<AffectedPerson> people;
  for (const char* c : {"JP", "MX"})
    for (AffectedPerson& p : People(1, c, "")) people.push_back(p);
  // 2021: Japan's mandatory reports start on 1 April 2022; Mexico's 2010 law applies.
  Plan y2021 = BuildPlan(Shipped(), people, Day(2021, 6, 1), Day(2021, 6, 1));
  EXPECT_EQ(Find(y2021, "JP.appi.preliminary/all"), nullptr);
  EXPECT_EQ(y2021.unmatched, std::vector<std::string>{"JP"});
  ASSERT_NE(Find(y2021, "MX.lfpdppp.individuals.pre2025/all"), nullptr);
  EXPECT_EQ(Find(y2021, "MX.lfpdppp.individuals/all"), nullptr);
  // 2024: Japan's reports apply, Mexico still under the 2010 law.
  Plan y2024 = BuildPlan(Shipped(), people, Day(2024, 6, 3), Day(2024, 6, 3));
  EXPECT_NE(Find(y2024, "JP.appi.final/all"), nullptr);
  EXPECT_NE(Find(y2024, "MX.lfpdppp.individuals.pre2025/all"), nullptr);
  EXPECT_EQ(Find(y2024, "MX.lfpdppp.individuals/all"), nullptr);
  // From 21 March 2025, the new Mexican law.
  Plan y2025 = BuildPlan(Shipped(), people, Day(2025, 3, 21), Day(2025, 3, 21));
  EXPECT_EQ(Find(y2025, "MX.lfpdppp.individuals.pre2025/all"), nullptr);
  EXPECT_NE(Find(y2025, "MX.lfpdppp.individuals/all"), nullptr);
}

TEST(ShippedLaw, TableKeysAreChecked) {
  struct {
    const char* line;
    const char* error;
  } bad[] = {
      {"also_by: consumers", "t.txt:6: also_by: expected told, got 'consumers'"},
      {"establishment: eu", "t.txt:6: establishment: expected eea, none or unknown, got 'eu'"},
      {"deadline: soon",
       "t.txt:6: deadline: expected Nh, Nd, Nbd, immediately or none, got 'soon'"},
  };
  for (const auto& b : bad) {
    auto t = ParseDutyTable(std::string("id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: "
                                        "V-P\n") +
                                b.line + "\n",
                            "t.txt");
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(t->errors.size(), 1u) << b.line;
    EXPECT_EQ(t->errors[0].ToString(), b.error);
    EXPECT_TRUE(t->rules.empty());
  }
  auto t = ParseDutyTable(
      "id: a\nwhere: DE\nnotify: assessment\nsource: s\nstatus: V-P\ndeadline: immediately\n"
      "also_by: told\nestablishment: none unknown\n",
      "t.txt");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->rules.size(), 1u);
  EXPECT_TRUE(t->rules[0].also_by_told);
  EXPECT_EQ(t->rules[0].establishment, (std::vector<std::string>{"none", "unknown"}));
  EXPECT_EQ(t->rules[0].unit, DeadlineUnit::kHours);
  EXPECT_EQ(t->rules[0].amount, 0);
}

}  // namespace
}  // namespace tq::notify
