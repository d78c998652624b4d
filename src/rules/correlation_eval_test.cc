// Correlation windows evaluated: each type at its edges (exactly N in the span, N-1, one second
// wider), bursts, out-of-order files, missing group-by fields, networks, conditions with upper
// bounds, and the memory and hit bounds.
#include "rules/correlation_events.h"
#include "rules/correlation_test_support.h"

namespace tq::rules {
namespace {

TEST(CorrelationTest, EventCountFiresWithExactlyNInTheSpanAndNotOneSecondWider) {
  std::string log;
  for (int t : {0, 15, 30, 45, 60}) log += L("10.0.0.1", t, "POST", "/login");  // 60 s apart
  for (int t : {0, 15, 30, 45, 61}) log += L("10.0.0.2", t, "POST", "/login");  // 61 s
  for (int t : {0, 10, 20, 30}) log += L("10.0.0.3", t, "POST", "/login");      // N-1
  for (int t : {0, 1, 2, 3, 4}) log += L("10.0.0.4", t, "GET", "/login");       // not the rule
  ScanRun r = Scan({kFiveInAMinute}, {log});
  auto hits = r.Hits("Five logins in a minute");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(hits[0]->events, 5u);
  EXPECT_EQ(hits[0]->last_time - hits[0]->first_time, int64_t{60} * 1000000);
  EXPECT_EQ(Lines(*hits[0]), (std::vector<std::string>{"0:1", "0:2", "0:3", "0:4", "0:5"}));
  // The base rule only feeds the correlation: counted, but no hits of its own.
  EXPECT_EQ(r.res.rule_hits[0], 14u);
  EXPECT_TRUE(r.res.hits.empty());
  EXPECT_FALSE(Rules(*r.rs)[0].generate);
}

TEST(CorrelationTest, OneBurstIsOneHitThatGrowsAndALaterBurstIsAnother) {
  std::string log;
  for (int t = 0; t < 20; ++t) log += L("10.0.0.1", t * 5, "POST", "/login");  // 20 in 95 s
  for (int t = 0; t < 5; ++t) log += L("10.0.0.1", 3600 + t, "POST", "/login");
  ScanRun r = Scan({kFiveInAMinute}, {log});
  auto hits = r.Hits("Five logins in a minute");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]->events, 20u);
  EXPECT_EQ(hits[0]->members.size(), 20u);
  EXPECT_EQ(hits[0]->last_time - hits[0]->first_time, int64_t{95} * 1000000);
  EXPECT_EQ(hits[1]->events, 5u);
}

TEST(CorrelationTest, EventsOutOfOrderAcrossRotatedFilesAreWindowedByTime) {
  // access.log (newer) is scanned before access.log.1 (older); only together are there five
  // events within the minute.
  std::string newer = L("10.0.0.9", 100, "POST", "/login") + L("10.0.0.9", 110, "POST", "/login") +
                      L("10.0.0.9", 120, "POST", "/login");
  std::string older = L("10.0.0.9", 70, "POST", "/login") + L("10.0.0.9", 80, "POST", "/login") +
                      L("10.0.0.9", 90, "GET", "/");
  for (int threads : {1, 2}) {  // the files in parallel: the same hit
    ScanRun r = Scan({kFiveInAMinute}, {newer, older}, size_t{128} << 20, threads);
    auto hits = r.Hits("Five logins in a minute");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(Lines(*hits[0]), (std::vector<std::string>{"1:1", "1:2", "0:1", "0:2", "0:3"}));
    EXPECT_EQ(hits[0]->members[0].offset, 0u);
    EXPECT_GT(hits[0]->members[1].offset, 0u);
  }
}

TEST(CorrelationTest, EventsWithAMissingGroupByFieldAreCountedNotGrouped) {
  std::string corr =
      Doc("title: Per user\ncorrelation:\n  type: event_count\n  rules: [login]\n"
          "  group-by: [cs-username]\n  timespan: 1m\n  condition:\n    gte: 3\n");
  std::string log;
  for (int t : {0, 1, 2, 3}) log += L("10.0.0.1", t, "POST", "/login");  // user "-"
  for (int t : {0, 1}) log += L("10.0.0.2", t, "POST", "/login", 200, "bob");
  log += L("10.0.0.3", 2, "POST", "/login", 200, "bob");
  ScanRun r = Scan({corr}, {log});
  auto hits = r.Hits("Per user");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"bob"});
  EXPECT_EQ(r.res.correlation_stats.events_missing_group, 4u);
  EXPECT_EQ(r.res.correlation_stats.events, 3u);
}

TEST(CorrelationTest, ValueCountCountsDistinctValuesInTheWindow) {
  std::string corr =
      "title: 4xx\nname: client_error\nid: 11111111-0000-4000-8000-000000000002\nlevel: low\n"
      "logsource:\n  category: webserver\ndetection:\n  s:\n    sc-status|startswith: '4'\n"
      "  condition: s\n---\ntitle: Probing\ncorrelation:\n  type: value_count\n"
      "  rules: [client_error]\n  group-by: [c-ip]\n  timespan: 30s\n  condition:\n"
      "    field: cs-uri-stem\n    gte: 10\n";
  std::string log;
  for (int i = 0; i < 10; ++i) log += L("10.0.0.1", i * 3, "GET", "/p" + std::to_string(i), 404);
  for (int i = 0; i < 30; ++i)  // 9 distinct paths, many times
    log += L("10.0.0.2", i, "GET", "/q" + std::to_string(i % 9), 404);
  for (int i = 0; i < 10; ++i)  // 10 distinct, but 31 s from first to last
    log += L("10.0.0.3", i == 9 ? 31 : i, "GET", "/r" + std::to_string(i), 403);
  for (int i = 0; i < 40; ++i)  // one burst: every distinct value of it is counted
    log += L("10.0.0.4", i, "GET", "/s" + std::to_string(i % 25), 404);
  ScanRun r = Scan({corr}, {log});
  auto hits = r.Hits("Probing");
  ASSERT_EQ(hits.size(), 2u);  // by first time, then when they fired (10.0.0.4 first)
  EXPECT_EQ(hits[1]->group, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(hits[1]->distinct, 10u);
  EXPECT_EQ(hits[1]->events, 10u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"10.0.0.4"});
  EXPECT_EQ(hits[0]->distinct, 25u);
  EXPECT_EQ(hits[0]->events, 40u);
}

const char* kThreeRules =
    "title: A\nname: rule_a\nid: 11111111-0000-4000-8000-00000000000a\nlevel: low\n"
    "logsource:\n  category: webserver\ndetection:\n  s:\n    cs-uri-stem: /a\n  condition: s\n"
    "---\ntitle: B\nname: rule_b\nid: 11111111-0000-4000-8000-00000000000b\nlevel: low\n"
    "logsource:\n  category: webserver\ndetection:\n  s:\n    cs-uri-stem: /b\n  condition: s\n"
    "---\ntitle: C\nname: rule_c\nid: 11111111-0000-4000-8000-00000000000c\nlevel: low\n"
    "logsource:\n  category: webserver\ndetection:\n  s:\n    cs-uri-stem: /c\n  condition: s\n";

TEST(CorrelationTest, TemporalNeedsEveryRuleInTheSpanInAnyOrder) {
  std::string corr = std::string(kThreeRules) +
                     "---\ntitle: All three\ncorrelation:\n  type: temporal\n"
                     "  rules: [rule_a, rule_b, rule_c]\n  group-by: [c-ip]\n  timespan: 5m\n";
  std::string log = L("1.1.1.1", 0, "GET", "/c") + L("1.1.1.1", 100, "GET", "/a") +
                    L("1.1.1.1", 300, "GET", "/b") +                                // all in 300 s
                    L("2.2.2.2", 0, "GET", "/a") + L("2.2.2.2", 10, "GET", "/b") +  // no c
                    L("3.3.3.3", 0, "GET", "/a") + L("3.3.3.3", 10, "GET", "/b") +
                    L("3.3.3.3", 301, "GET", "/c");  // a is 301 s before c
  ScanRun r = Scan({corr}, {log});
  auto hits = r.Hits("All three");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"1.1.1.1"});
  EXPECT_EQ(hits[0]->distinct, 3u);
  EXPECT_EQ(hits[0]->members.size(), 3u);
}

TEST(CorrelationTest, TemporalOrderedNeedsTheRulesInTheirOrder) {
  std::string corr = std::string(kThreeRules) +
                     "---\ntitle: A then B\ncorrelation:\n  type: temporal_ordered\n"
                     "  rules: [rule_a, rule_b]\n  group-by: [c-ip]\n  timespan: 10m\n";
  std::string log = L("1.1.1.1", 0, "GET", "/a") + L("1.1.1.1", 60, "GET", "/b") +
                    L("2.2.2.2", 0, "GET", "/b") + L("2.2.2.2", 60, "GET", "/a") +
                    L("3.3.3.3", 0, "GET", "/a") + L("3.3.3.3", 601, "GET", "/b");
  ScanRun r = Scan({corr}, {log});
  auto hits = r.Hits("A then B");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"1.1.1.1"});
  EXPECT_EQ(Lines(*hits[0]), (std::vector<std::string>{"0:1", "0:2"}));
}

TEST(CorrelationTest, UpperBoundedConditionsAreTestedOnWholeWindows) {
  std::string corr =
      Doc("title: Few\ncorrelation:\n  type: event_count\n  rules: [login]\n  group-by: [c-ip]\n"
          "  timespan: 1h\n  condition:\n    gt: 1\n    lte: 3\n");
  std::string log;
  for (int t : {0, 100, 200}) log += L("10.0.0.1", t, "POST", "/login");    // 3: in range
  for (int t : {0, 1, 2, 3}) log += L("10.0.0.2", t, "POST", "/login");     // 4: above
  log += L("10.0.0.3", 0, "POST", "/login");                                // 1: below
  for (int t : {0, 3600, 3601}) log += L("10.0.0.4", t, "POST", "/login");  // 1 + 2
  ScanRun r = Scan({corr}, {log});
  auto hits = r.Hits("Few");
  ASSERT_EQ(hits.size(), 2u);
  std::set<std::string> groups;
  for (auto* h : hits) groups.insert(h->group[0] + "/" + std::to_string(h->events));
  EXPECT_EQ(groups, (std::set<std::string>{"10.0.0.1/3", "10.0.0.4/2"}));
}

TEST(CorrelationTest, EqualAndNotEqualCountWholeWindows) {
  std::string corr =
      Doc("title: Exactly two\ncorrelation:\n  type: event_count\n  rules: [login]\n"
          "  group-by: [c-ip]\n  timespan: 10m\n  condition:\n    eq: 2\n---\n"
          "title: Not one\ncorrelation:\n  type: value_count\n  rules: [login]\n"
          "  group-by: [c-ip]\n  timespan: 10m\n  condition:\n    field: cs-username\n"
          "    neq: 1\n");
  std::string log = L("1.1.1.1", 0, "POST", "/login", 200, "a") +
                    L("1.1.1.1", 600, "POST", "/login", 200, "b") +  // two, 600 s apart
                    L("2.2.2.2", 0, "POST", "/login", 200, "a") +
                    L("2.2.2.2", 1, "POST", "/login", 200, "a") +
                    L("2.2.2.2", 2, "POST", "/login", 200, "a") +  // three, one user
                    L("3.3.3.3", 0, "POST", "/login", 200, "a") +
                    L("3.3.3.3", 601, "POST", "/login", 200, "b");  // one and one
  ScanRun r = Scan({corr}, {log});
  auto two = r.Hits("Exactly two");
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0]->group, std::vector<std::string>{"1.1.1.1"});
  auto not_one = r.Hits("Not one");
  ASSERT_EQ(not_one.size(), 1u);
  EXPECT_EQ(not_one[0]->group, std::vector<std::string>{"1.1.1.1"});
  EXPECT_EQ(not_one[0]->distinct, 2u);
}

TEST(CorrelationTest, TemporalWithAConditionNeedsThatManyOfTheRules) {
  std::string corr = std::string(kThreeRules) +
                     "---\ntitle: Two of three\ncorrelation:\n  type: temporal\n"
                     "  rules: [rule_a, rule_b, rule_c]\n  group-by: [c-ip]\n  timespan: 1m\n"
                     "  condition:\n    gte: 2\n";
  std::string log = L("1.1.1.1", 0, "GET", "/c") + L("1.1.1.1", 30, "GET", "/a") +
                    L("2.2.2.2", 0, "GET", "/a") + L("2.2.2.2", 30, "GET", "/a") +
                    L("3.3.3.3", 0, "GET", "/b") + L("3.3.3.3", 61, "GET", "/c");
  ScanRun r = Scan({corr}, {log});
  auto hits = r.Hits("Two of three");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"1.1.1.1"});
}

// The specification's example "Failed Logins Followed by Successful Login", with the
// webserver taxonomy's fields (User -> cs-username, the event ids -> statuses).
TEST(CorrelationTest, GroupByANetworkOfTheClientAddress) {
  std::string corr =
      Doc("title: Net\ncorrelation:\n  type: event_count\n  rules: [login]\n"
          "  group-by: [c-ip/24]\n  timespan: 1m\n  condition:\n    gte: 3\n---\n"
          "title: Net6\ncorrelation:\n  type: value_count\n  rules: [login]\n"
          "  group-by: [c-ip/64]\n  timespan: 1m\n  condition:\n    field: c-ip\n    gte: 2\n");
  std::string log =
      L("198.51.100.7", 0, "POST", "/login") + L("198.51.100.8", 1, "POST", "/login") +
      L("198.51.100.200", 2, "POST", "/login") +  // three of one /24
      L("203.0.113.1", 0, "POST", "/login") + L("203.0.113.2", 1, "POST", "/login") +
      L("203.0.114.1", 2, "POST", "/login") +  // two and one
      L("2001:db8:1:2::10", 0, "POST", "/login") + L("2001:db8:1:2:ffff::1", 5, "POST", "/login") +
      L("2001:db8:1:3::10", 5, "POST", "/login") + L("not-an-address", 3, "POST", "/login");
  ScanRun r = Scan({corr}, {log});
  auto net = r.Hits("Net");
  ASSERT_EQ(net.size(), 2u);  // the IPv6 addresses share a /24 too
  EXPECT_EQ(net[0]->group, std::vector<std::string>{"198.51.100.0/24"});
  EXPECT_EQ(net[1]->group, std::vector<std::string>{"2001:0d00:0000:0000:0000:0000:0000:0000/24"});
  auto net6 = r.Hits("Net6");
  ASSERT_EQ(net6.size(), 1u);
  EXPECT_EQ(net6[0]->group, std::vector<std::string>{"2001:0db8:0001:0002:0000:0000:0000:0000/64"});
  EXPECT_EQ(Problems(Doc("title: X\ncorrelation:\n  type: event_count\n  rules: [login]\n"
                         "  group-by: [c-ip/4]\n  timespan: 1m\n  condition:\n    gte: 3\n")),
            std::vector<std::string>{"p.yml:13: X: 'c-ip/4': a network prefix is 8 to 128 bits"});
}

TEST(CorrelationTest, PastTheMemoryBudgetEventsAreCountedAsDropped) {
  std::string log;
  for (int t = 0; t < 2000; ++t) log += L("10.0.0.1", t, "POST", "/login");
  ScanRun r = Scan({kFiveInAMinute}, {log}, 8192);
  const CorrelationStats& st = r.res.correlation_stats;
  EXPECT_GT(st.events_dropped, 1500u);
  EXPECT_EQ(st.events + st.events_dropped, 2000u);
  EXPECT_EQ(r.Hits("Five logins in a minute").size(), 1u);  // from the events kept
}

TEST(CorrelationTest, PastTheHitCapHitsAreCountedAsDropped) {
  std::string corr =
      Doc("title: Any\ncorrelation:\n  type: event_count\n  rules: [login]\n  group-by: [c-ip]\n"
          "  timespan: 1m\n  condition:\n    gte: 1\n");
  std::string log;
  for (int i = 0; i <= 10000; ++i)
    log += L("10." + std::to_string(i / 250) + ".0." + std::to_string(i % 250), i % 3000, "POST",
             "/login");
  ScanRun r = Scan({corr}, {log});
  EXPECT_EQ(r.Hits("Any").size(), CorrelationStats::kMaxHits);
  EXPECT_EQ(r.res.correlation_stats.hits_dropped, 1u);
}

// A hit in the case: its row (group, times, count, members by file and line) and a finding
// at its first event with the correlation's level; the base rule leaves no hit rows.

}  // namespace
}  // namespace tq::rules

namespace tq::rules {
namespace {

// A unit's groups merged into the groups of the units before: the new ones copied in (their
// values intact, long values as cut when stored), and the bytes of those already known given
// back (what Cost says each took).
TEST(GroupTableTest, MergeFromCopiesNewGroupsAndCountsTheKnownOnesBytes) {
  const std::string long_value(70000, 'x');  // cut when stored
  GroupTable merged, unit;
  std::vector<std::string_view> a = {"10.0.0.1", "GET"}, b = {"10.0.0.2"}, c = {"", long_value};
  merged.Insert(1, a);
  unit.Insert(1, a);                    // known: its bytes come back
  unit.Insert(2, b);                    // new
  unit.Insert(3, c);                    // new, with a long value and an empty one
  for (uint64_t k = 10; k < 3000; ++k)  // new, past the first table size
    unit.Insert(k, std::vector<std::string_view>{std::to_string(k)});
  GroupTable first;  // the first unit merged is taken whole
  first.Insert(1, a);
  GroupTable empty;
  EXPECT_EQ(empty.MergeFrom(first), 0u);
  EXPECT_EQ(empty.Get(1), (std::vector<std::string>{"10.0.0.1", "GET"}));

  EXPECT_EQ(merged.MergeFrom(unit), GroupTable::Cost(a));
  EXPECT_EQ(merged.Get(1), (std::vector<std::string>{"10.0.0.1", "GET"}));
  EXPECT_EQ(merged.Get(2), (std::vector<std::string>{"10.0.0.2"}));
  std::vector<std::string> got = merged.Get(3);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "");
  EXPECT_LT(got[1].size(), long_value.size());
  EXPECT_EQ(got[1], long_value.substr(0, got[1].size()));
  for (uint64_t k = 10; k < 3000; ++k)
    ASSERT_EQ(merged.Get(k), std::vector<std::string>{std::to_string(k)}) << k;
  EXPECT_TRUE(merged.Get(4).empty());
}

}  // namespace
}  // namespace tq::rules
