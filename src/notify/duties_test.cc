// The jurisdiction table: the shipped file loads and covers what it must; each malformed
// record is an error with file:line; deadlines in hours, days and business days.
#include <gtest/gtest.h>

#include <set>

#include "notify/notify.h"

namespace tq::notify {
namespace {

const DutyRule* Find(const DutyTable& t, std::string_view id) {
  for (const DutyRule& r : t.rules)
    if (r.id == id) return &r;
  return nullptr;
}

TEST(DutyTable, ShippedTableLoadsAndCoversEveryRequiredJurisdiction) {
  Result<DutyTable> t =
      LoadDutyTable(std::string(TQ_SOURCE_DIR) + "/data/jurisdictions/duties.txt");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->errors.empty()) << t->errors[0].ToString();
  // Every US state, DC and PR has an individual duty.
  const char* us[] = {"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
                      "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
                      "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
                      "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"};
  EXPECT_EQ(std::size(us), 52u);
  for (const char* s : us) {
    const DutyRule* r = Find(*t, std::string("US-") + s + ".individuals");
    ASSERT_NE(r, nullptr) << s;
    EXPECT_EQ(r->notify, "individuals");
    EXPECT_FALSE(r->source.empty()) << s;
  }
  for (const char* id : {"EEA.gdpr.art33", "EEA.gdpr.art34", "GB.ukgdpr.art33", "CA.pipeda",
                         "CA-QC.law25", "AU.ndb", "BR.lgpd", "SG.pdpa", "PCI.acquirer"})
    EXPECT_NE(Find(*t, id), nullptr) << id;
  const DutyRule* gdpr = Find(*t, "EEA.gdpr.art33");
  EXPECT_EQ(gdpr->unit, DeadlineUnit::kHours);
  EXPECT_EQ(gdpr->amount, 72);
  EXPECT_EQ(gdpr->status, "V-P");
  EXPECT_EQ(t->sets.at("EEA").size(), 30u);
  const DutyRule* ca = Find(*t, "US-CA.regulator");
  EXPECT_EQ(ca->ThresholdText(), ">500");
  EXPECT_EQ(ca->after, "US-CA.individuals");
  EXPECT_EQ(Find(*t, "US-FL.regulator")->ThresholdText(), ">=500");
  // Unverified entries stay marked as such; a duty no source supports is not in the table
  // (no source read mentions a Washington consumer-reporting-agency duty).
  EXPECT_EQ(Find(*t, "PCI.pfi")->status, "UNV");
  EXPECT_EQ(Find(*t, "US-WA.cra"), nullptr);
}

TEST(DutyTable, ParsesSetsAndRules) {
  Result<DutyTable> t = ParseDutyTable(R"(# comment
set: NORDIC
members: DK SE NO

id: X.one
where: NORDIC US-CA
per: jurisdiction
notify: regulator
categories: payment_card tax_id
people: >=250
scale: >1000
deadline: 3bd
from: discovery
source: here
status: V-S

id: X.two
where: *
notify: cra
people: any
deadline: 15d
from: after:X.one
source: there
status: UNV
)",
                                       "t.txt");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->rules.size(), 2u);
  const DutyRule& a = t->rules[0];
  EXPECT_TRUE(a.per_jurisdiction);
  EXPECT_EQ(a.categories, (std::vector<std::string>{"payment_card", "tax_id"}));
  EXPECT_EQ(a.ThresholdText(), ">=250");
  EXPECT_EQ(*a.scale_min, 1001);
  EXPECT_EQ(a.unit, DeadlineUnit::kBusinessDays);
  EXPECT_EQ(a.line, 5);
  EXPECT_TRUE(t->rules[1].categories.empty());
  EXPECT_EQ(t->rules[1].after, "X.one");
}

TEST(DutyTable, MalformedRecordsAreErrorsWithFileAndLine) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\ncolour: red\n",
       "t.txt:6: unknown key 'colour'"},
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: maybe\n",
       "t.txt:5: status: expected V-P, V-S or UNV"},
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\npeople: 500\n",
       "t.txt:6: people: expected any, >N or >=N, got '500'"},
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\ndeadline: 3 weeks\n",
       "t.txt:6: deadline: expected Nh, Nd, Nbd, immediately or none, got '3 weeks'"},
      {"id: a\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\ncategories: shoe_size\n",
       "t.txt:6: unknown data category 'shoe_size'"},
      {"id: a\nwhere: DE\nnotify: regulator\nstatus: V-P\n", "t.txt:1: rule a: source is missing"},
      {"id: a\nwhere: DE\nnotify: pigeon\n",
       "t.txt:3: notify: expected individuals, regulator, cra, acquirer, card_brand or assessment"},
      {"id: a\nwhere: DE\nnotify: cra\nsource: s\nstatus: UNV\nfrom: after:b\n",
       "t.txt:1: rule a: from: after:b names no rule"},
      {"id: a\nwhere: DE\nnotify: cra\nsource: s\nstatus: UNV\n\nid: a\nwhere: FR\nnotify: cra\n"
       "source: s\nstatus: UNV\n",
       "t.txt:7: rule id 'a' used twice"},
      {"id: a\nwhere: DE\nnotify: cra\nsource: s\nstatus: UNV\ndeadline: 1d\nfrom: after:b\n\n"
       "id: b\nwhere: DE\nnotify: cra\nsource: s\nstatus: UNV\ndeadline: 1d\nfrom: after:a\n",
       "t.txt:1: rule a: after: references form a cycle"},
      {"just words\n", "t.txt:1: expected 'key: value', got 'just words'"},
      {"id: a\x01\n", "t.txt:1: control character in the table"},
      {"id: a\nid: b\n", "t.txt:2: key 'id' given twice in one record"},
  };
  for (const Case& c : cases) {
    Result<DutyTable> t = ParseDutyTable(c.text, "t.txt");
    ASSERT_TRUE(t.ok()) << c.text;
    ASSERT_FALSE(t->errors.empty()) << c.text;
    EXPECT_EQ(t->errors[0].ToString(), c.error);
  }
}

// One bad record costs only its own duty (and the duties counting from it): the others load,
// and every record left out is named with its line.
TEST(DutyTable, BadRecordLeavesOutOnlyItsDuty) {
  const char* text =
      "id: A.one\nwhere: DE\nnotify: regulator\nsource: s\nstatus: V-P\ndeadline: 72h\n\n"
      "id: B.bad\nwhere: FR\nnotify: regulator\nsource: s\nstatus: V-P\ndeadline: soon\n\n"
      "id: C.after\nwhere: FR\nnotify: individuals\nsource: s\nstatus: V-P\ndeadline: 1d\n"
      "from: after:B.bad\n\n"
      "id: D.two\nwhere: US-CA\nnotify: individuals\nsource: s\nstatus: V-S\n"
      "just words\nwhere: US-NY\n\n"
      "id: E.three\nwhere: US-NY\nnotify: individuals\nsource: s\nstatus: V-S\ndeadline: 30d\n";
  Result<DutyTable> t = ParseDutyTable(text, "duties.txt");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<std::string> ids;
  for (const DutyRule& r : t->rules) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"A.one", "E.three"}));
  std::vector<std::string> errors;
  for (const Status& e : t->errors) errors.push_back(e.ToString());
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "duties.txt:13: deadline: expected Nh, Nd, Nbd, immediately or none, got 'soon'",
                "duties.txt:28: expected 'key: value', got 'just words'",
                "duties.txt:15: rule C.after: from: after:B.bad names a rule left out "
                "for an error"}));
  EXPECT_EQ(t->rules[1].amount, 30);
}

TEST(Deadline, HoursDaysAndBusinessDays) {
  // Friday 2026-03-06 15:00 UTC.
  Result<UnixMicros> fri = ParseIso8601("2026-03-06T15:00:00Z", TimeZone::Utc());
  ASSERT_TRUE(fri.ok());
  EXPECT_EQ(FormatUtc(AddDeadline(*fri, DeadlineUnit::kHours, 72)), "2026-03-09T15:00:00Z");
  EXPECT_EQ(FormatUtc(AddDeadline(*fri, DeadlineUnit::kDays, 30)), "2026-04-05T15:00:00Z");
  EXPECT_EQ(FormatUtc(AddDeadline(*fri, DeadlineUnit::kBusinessDays, 1)), "2026-03-09T15:00:00Z");
  EXPECT_EQ(FormatUtc(AddDeadline(*fri, DeadlineUnit::kBusinessDays, 3)), "2026-03-11T15:00:00Z");
  EXPECT_EQ(FormatUtc(AddDeadline(*fri, DeadlineUnit::kBusinessDays, 10)), "2026-03-20T15:00:00Z");
  // Saturday start: the first business day is Monday.
  Result<UnixMicros> sat = ParseIso8601("2026-03-07T10:00:00Z", TimeZone::Utc());
  EXPECT_EQ(FormatUtc(AddDeadline(*sat, DeadlineUnit::kBusinessDays, 1)), "2026-03-09T10:00:00Z");
  EXPECT_EQ(FormatUtc(AddDeadline(*sat, DeadlineUnit::kBusinessDays, 5)), "2026-03-13T10:00:00Z");
  EXPECT_EQ(FormatUtc(AddDeadline(*sat, DeadlineUnit::kBusinessDays, 6)), "2026-03-16T10:00:00Z");
  // Day-by-day and week-at-once agree for every start day and count up to 30.
  for (int start = 0; start < 7; ++start) {
    UnixMicros from = *fri + start * 86400LL * 1000000;
    for (int n = 1; n <= 30; ++n) {
      UnixMicros t = from;
      for (int left = n; left > 0;) {
        t += 86400LL * 1000000;
        int64_t wd = ((t / (86400LL * 1000000)) % 7 + 4) % 7;
        if (wd != 0 && wd != 6) --left;
      }
      EXPECT_EQ(AddDeadline(from, DeadlineUnit::kBusinessDays, n), t) << start << " " << n;
    }
  }
}

}  // namespace
}  // namespace tq::notify
