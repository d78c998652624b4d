// Sigma correlations over scanned logs: each type at its window edges (exactly N in the span,
// N-1, one second too wide), events out of order across rotated files, group-by fields that
// are missing, upper-bounded conditions, chains, aliases, `generate`, the legacy
// `| count() by` aggregation, the specification's own examples (with webserver fields), load
// errors, and the memory budget.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "casefile/casefile.h"
#include "casefile/db.h"
#include "rules/rules.h"
#include "support/testing.h"

namespace tq::rules {
namespace {

using tq::testing::TempDir;
using tq::testing::WriteFile;

// A combined log line `sec` seconds after 2025-10-10 13:00:00 UTC.
std::string L(std::string_view ip, int sec, std::string_view method, std::string_view path,
              int status = 200, std::string_view user = "-", std::string_view ua = "curl/8") {
  char t[64];
  int h = 13 + sec / 3600, m = sec / 60 % 60, s = sec % 60;
  std::snprintf(t, sizeof t, "%02d/Oct/2025:%02d:%02d:%02d +0000", 10 + h / 24, h % 24, m, s);
  return std::string(ip) + " - " + std::string(user) + " [" + t + "] \"" + std::string(method) +
         " " + std::string(path) + " HTTP/1.1\" " + std::to_string(status) + " 100 \"-\" \"" +
         std::string(ua) + "\"\n";
}

const char* kBase =
    "title: Login attempt\nname: login\nid: 11111111-0000-4000-8000-000000000001\n"
    "level: low\nlogsource:\n  category: webserver\ndetection:\n  s:\n    cs-method: POST\n"
    "    cs-uri-stem: /login\n  condition: s\n";

std::string Doc(const std::string& correlation) {
  return std::string(kBase) + "---\n" + correlation;
}

struct ScanRun {
  RuleSetPtr rs;
  LogScanResult res;
  std::vector<const CorrelationHit*> Hits(std::string_view title) const {
    std::vector<const CorrelationHit*> out;
    for (const CorrelationHit& h : res.correlation_hits)
      if (Correlations(*rs)[h.correlation].title == title) out.push_back(&h);
    return out;
  }
};

// Loads the rules (every document must load) and scans the logs, in the order given.
ScanRun Scan(const std::vector<std::string>& rule_files, const std::vector<std::string>& logs,
             size_t corr_memory = size_t{128} << 20, int threads = 1) {
  static int n = 0;
  std::vector<std::pair<std::string, std::string>> docs;
  for (const std::string& r : rule_files) docs.emplace_back("c" + std::to_string(++n) + ".yml", r);
  ScanRun run;
  Result<RuleSetPtr> rs = LoadRulesFromText(docs);
  EXPECT_TRUE(rs.ok()) << rs.status().ToString();
  if (!rs.ok()) return run;
  run.rs = std::move(*rs);
  for (const RuleProblem& p : Skipped(*run.rs)) ADD_FAILURE() << p.ToString();
  TempDir dir;
  std::vector<LogInput> inputs;
  for (size_t i = 0; i < logs.size(); ++i) {
    std::string path = dir / ("access.log." + std::to_string(i));
    WriteFile(path, logs[i]);
    inputs.push_back({path, "access.log." + std::to_string(i), static_cast<int64_t>(i + 1), "x"});
  }
  LogScanOptions o;
  o.threads = threads;
  o.max_correlation_memory = corr_memory;
  Result<LogScanResult> r = ScanLogs(inputs, *run.rs, o);
  EXPECT_TRUE(r.ok());
  if (r.ok()) run.res = std::move(*r);
  return run;
}

// Load errors: the correlation is skipped with file, line and reason.
std::vector<std::string> Problems(const std::string& text) {
  Result<RuleSetPtr> rs = LoadRulesFromText({{"p.yml", text}});
  std::vector<std::string> out;
  if (!rs.ok()) return {rs.status().ToString()};
  for (const RuleProblem& p : Skipped(**rs)) out.push_back(p.ToString());
  return out;
}

std::vector<std::string> Lines(const CorrelationHit& h) {
  std::vector<std::string> out;
  for (const CorrelationEventRef& m : h.members)
    out.push_back(std::to_string(m.input) + ":" + std::to_string(m.line_no));
  return out;
}

const std::string kFiveInAMinute =
    Doc("title: Five logins in a minute\ncorrelation:\n  type: event_count\n  rules: [login]\n"
        "  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 5\nlevel: high\n");

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
TEST(CorrelationTest, SpecExampleFailedLoginsFollowedBySuccessfulLogin) {
  std::string spec =
      "title: Correlation - Multiple Failed Logins Followed by Successful Login\n"
      "id: b180ead8-d58f-40b2-ae54-c8940995b9b6\nstatus: experimental\n"
      "correlation:\n  type: temporal_ordered\n  rules:\n    - multiple_failed_login\n"
      "    - successful_login\n  group-by:\n    - cs-username\n  timespan: 10m\nlevel: high\n"
      "---\ntitle: Multiple failed logons\nid: a8418a5a-5fc4-46b5-b23b-6c73beb19d41\n"
      "name: multiple_failed_login\ncorrelation:\n  type: event_count\n  rules:\n"
      "    - failed_login\n  group-by:\n    - cs-username\n  timespan: 10m\n  condition:\n"
      "    gte: 10\n"
      "---\ntitle: Single failed login\nid: 53ba33fd-3a50-4468-a5ef-c583635cfa92\n"
      "name: failed_login\nlogsource:\n  category: webserver\ndetection:\n  selection:\n"
      "    cs-uri-stem: /login\n    sc-status: [401, 403]\n  condition: selection\n"
      "---\ntitle: Successful login\nid: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8\n"
      "name: successful_login\nlogsource:\n  category: webserver\ndetection:\n  selection:\n"
      "    cs-uri-stem: /login\n    sc-status: 302\n  condition: selection\n";
  std::string log;
  for (int i = 0; i < 10; ++i) log += L("9.9.9.9", i * 20, "POST", "/login", 401, "alice");
  log += L("9.9.9.9", 250, "POST", "/login", 302, "alice");
  for (int i = 0; i < 9; ++i) log += L("8.8.8.8", i * 20, "POST", "/login", 401, "bob");
  log += L("8.8.8.8", 250, "POST", "/login", 302, "bob");  // 9 failures only
  log += L("7.7.7.7", 0, "POST", "/login", 302, "carol");
  for (int i = 0; i < 10; ++i) log += L("7.7.7.7", 10 + i, "POST", "/login", 401, "carol");
  ScanRun r = Scan({spec}, {log});
  ASSERT_EQ(Correlations(*r.rs).size(), 2u);
  auto outer = r.Hits("Correlation - Multiple Failed Logins Followed by Successful Login");
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_EQ(outer[0]->group, std::vector<std::string>{"alice"});
  EXPECT_EQ(outer[0]->members.size(), 11u);                // the ten failures and the success
  EXPECT_EQ(r.Hits("Multiple failed logons").size(), 2u);  // alice and carol
}

// The specification's simple examples, with webserver fields.
TEST(CorrelationTest, SpecSimpleExamplesLoadAndFire) {
  std::string base =
      "title: Failed login\nid: 5638f7c0-ac70-491d-8465-2a65075e0d86\nlogsource:\n"
      "  category: webserver\ndetection:\n  selection:\n    cs-uri-stem: /login\n"
      "    sc-status: 401\n  condition: selection\n";
  std::string many =
      "title: Many failed logins\nid: 0e95725d-7320-415d-80f7-004da920fc11\ncorrelation:\n"
      "  type: event_count\n  rules:\n    - 5638f7c0-ac70-491d-8465-2a65075e0d86\n"
      "  group-by:\n    - cs-uri-stem\n  timespan: 1h\n  condition:\n    gte: 100\n";
  std::string users =
      "title: Failed login many users\nid: 0e95725d-7320-415d-80f7-004da920fc12\n"
      "correlation:\n  type: value_count\n  rules:\n    - 5638f7c0-ac70-491d-8465-2a65075e0d86\n"
      "  group-by:\n    - c-ip\n  timespan: 1d\n  condition:\n    field: cs-username\n"
      "    gte: 100\n";
  std::string log;
  for (int i = 0; i < 100; ++i)
    log += L("6.6.6.6", i * 30, "POST", "/login", 401, "u" + std::to_string(i));
  for (int i = 0; i < 99; ++i)
    log += L("5.5.5.5", 10000 + i, "POST", "/login", 401, "u" + std::to_string(i % 50));
  ScanRun r = Scan({base, many, users}, {log});
  EXPECT_EQ(r.Hits("Many failed logins").size(), 1u);  // 6.6.6.6's hundred; 5.5.5.5's 99
  auto u = r.Hits("Failed login many users");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0]->group, std::vector<std::string>{"6.6.6.6"});
  EXPECT_EQ(u[0]->distinct, 100u);
}

TEST(CorrelationTest, AliasesGroupDifferentFieldsOfDifferentRules) {
  std::string corr =
      "title: Error\nname: internal_error\nid: 11111111-0000-4000-8000-0000000000e1\n"
      "logsource:\n  category: webserver\ndetection:\n  s:\n    sc-status: 500\n"
      "  condition: s\n---\ntitle: Callback\nname: callback\n"
      "id: 11111111-0000-4000-8000-0000000000e2\nlogsource:\n  category: webserver\n"
      "detection:\n  s:\n    cs-uri-stem: /callback\n  condition: s\n---\n"
      "title: Error then callback\ncorrelation:\n  type: temporal\n"
      "  rules: [internal_error, callback]\n  group-by: [peer]\n  timespan: 10s\n"
      "  aliases:\n    peer:\n      internal_error: c-ip\n      callback: cs-username\n";
  std::string log =
      L("4.4.4.4", 0, "GET", "/x", 500) + L("10.1.1.1", 5, "GET", "/callback", 200, "4.4.4.4") +
      L("3.3.3.3", 0, "GET", "/x", 500) + L("10.1.1.1", 5, "GET", "/callback", 200, "9.9.9.9");
  ScanRun r = Scan({corr}, {log});
  auto hits = r.Hits("Error then callback");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"4.4.4.4"});
}

// tourniquet's extension: `c-ip/24` in group-by groups by the address's network.
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

TEST(CorrelationTest, GenerateKeepsTheReferencedRulesHits) {
  std::string corr =
      Doc("title: Gen\ngenerate: true\ncorrelation:\n  type: event_count\n  rules: [login]\n"
          "  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 2\n");
  ScanRun r = Scan({corr}, {L("1.1.1.1", 0, "POST", "/login") + L("1.1.1.1", 1, "POST", "/login")});
  EXPECT_TRUE(Rules(*r.rs)[0].generate);
  EXPECT_EQ(r.res.hits.size(), 2u);
  EXPECT_EQ(r.Hits("Gen").size(), 1u);
}

// The shape of SigmaHQ's one webserver rule with `timeframe` (many error responses to one
// client), written here: it loads as a rule feeding a correlation instead of being skipped.
TEST(CorrelationTest, LegacyTimeframeCountRuleLoadsAndFires) {
  std::string legacy =
      "title: Multiple Suspicious Resp Codes Caused by Single Client\n"
      "id: 11111111-0000-4000-8000-0000000000f1\nstatus: test\nlogsource:\n"
      "  category: webserver\ndetection:\n  selection:\n    sc-status:\n      - 400\n"
      "      - 401\n      - 403\n      - 500\n  timeframe: 10m\n"
      "  condition: selection | count() by clientip > 10\nlevel: medium\n";
  std::string log;
  for (int i = 0; i < 11; ++i) log += L("1.2.3.4", i * 50, "GET", "/x", 403);  // 11 in 500 s
  for (int i = 0; i < 10; ++i) log += L("1.2.3.5", i, "GET", "/x", 403);       // 10
  for (int i = 0; i < 11; ++i) log += L("1.2.3.6", i * 61, "GET", "/x", 401);  // 11 in 610 s
  ScanRun r = Scan({legacy}, {log});
  ASSERT_EQ(Correlations(*r.rs).size(), 1u);
  const CorrelationInfo& ci = Correlations(*r.rs)[0];
  EXPECT_TRUE(ci.legacy);
  EXPECT_EQ(ci.condition.ToString(), "gt 10");
  EXPECT_EQ(ci.timespan, int64_t{600} * 1000000);
  EXPECT_EQ(ci.level, "medium");
  auto hits = r.Hits("Multiple Suspicious Resp Codes Caused by Single Client");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"1.2.3.4"});
  EXPECT_EQ(hits[0]->events, 11u);
}

TEST(CorrelationTest, LegacyDistinctCount) {
  std::string legacy =
      "title: Distinct\nid: 11111111-0000-4000-8000-0000000000f2\nlogsource:\n"
      "  category: webserver\ndetection:\n  s:\n    sc-status: 404\n  timeframe: 1m\n"
      "  condition: s | count(cs-uri-stem) by c-ip >= 3\n";
  std::string log = L("1.1.1.1", 0, "GET", "/a", 404) + L("1.1.1.1", 1, "GET", "/a", 404) +
                    L("1.1.1.1", 2, "GET", "/b", 404) + L("2.2.2.2", 0, "GET", "/a", 404) +
                    L("2.2.2.2", 1, "GET", "/b", 404) + L("2.2.2.2", 2, "GET", "/c", 404);
  ScanRun r = Scan({legacy}, {log});
  auto hits = r.Hits("Distinct");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->group, std::vector<std::string>{"2.2.2.2"});
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
TEST(CorrelationTest, HitsAreStoredWithTheirMembersAndAsFindings) {
  std::string log;
  for (int t : {0, 10, 20, 30, 40, 50}) log += L("10.0.0.1", t, "POST", "/login");
  TempDir dir;
  std::string path = dir / "access.log";
  WriteFile(path, log);
  std::vector<LogInput> inputs = {{path, "/var/log/nginx/access.log", 1, "ab12"}};
  RuleSetPtr rs = LoadRulesFromText({{"c.yml", kFiveInAMinute}}).value();
  LogScanOptions o;
  o.threads = 1;
  LogScanResult res = ScanLogs(inputs, *rs, o).value();
  auto c = Case::Create(dir / "case", CaseInfo{"t", "", "other", "UTC", {}, 0});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->db()
                  .Exec("INSERT INTO evidence_items (id, sha256, label, original_path, "
                        "kind, size, source, collected_at) VALUES (1, 'ab12', 'logs', "
                        "'/var/log/nginx/access.log', 'file', 1, 't', 0)")
                  .ok());
  Result<StoreSummary> st = StoreLogScan(**c, inputs, *rs, res);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->findings, 1);
  Db& db = (*c)->db();
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM logs_rule_hit").value(), 0);
  EXPECT_EQ(db.QueryInt("SELECT hits FROM logs_rule_count").value(), 6);
  Stmt q = db.Prepare(
                 "SELECT title, level, type, group_json, events, members_json, first_time, "
                 "last_time FROM logs_correlation_hit")
               .value();
  ASSERT_TRUE(q.Step().value());
  EXPECT_EQ(q.String(0), "Five logins in a minute");
  EXPECT_EQ(q.String(1), "high");
  EXPECT_EQ(q.String(2), "event_count");
  EXPECT_EQ(q.String(3), "{\"c-ip\":\"10.0.0.1\"}");
  EXPECT_EQ(q.Int(4), 6);
  std::string members = q.String(5);
  EXPECT_NE(members.find("{\"log_file\":\"/var/log/nginx/access.log\",\"sha256\":\"ab12\","
                         "\"line\":1,\"byte_offset\":0,"),
            std::string::npos)
      << members;
  EXPECT_NE(members.find("\"line\":6,"), std::string::npos) << members;
  EXPECT_EQ(q.Int(7) - q.Int(6), int64_t{50} * 1000000);
  std::vector<Finding> f = ListFindings(db, "log.correlation").value();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kHigh);
  EXPECT_EQ(f[0].line, 1);
  EXPECT_EQ(f[0].summary,
            "Five logins in a minute: c-ip=10.0.0.1 (6 events, 2025-10-10T13:00:00Z to "
            "2025-10-10T13:00:50Z)");
}

TEST(CorrelationTest, BadCorrelationsAreSkippedWithTheReason) {
  auto corr = [](const std::string& body) { return Doc("title: X\ncorrelation:\n" + body); };
  EXPECT_EQ(Problems(corr("  type: event_count\n  rules: [nope]\n  timespan: 1m\n"
                          "  condition:\n    gte: 2\n")),
            std::vector<std::string>{
                "p.yml:13: X: refers to 'nope', which is no loaded rule or correlation"});
  EXPECT_EQ(
      Problems(corr("  type: event_count\n  rules: [login]\n  timespan: 1w\n"
                    "  condition:\n    gte: 2\n")),
      std::vector<std::string>{"p.yml:17: X: timespan '1w' is not a number and s, m, h or d"});
  EXPECT_EQ(Problems(corr("  type: value_count\n  rules: [login]\n  timespan: 1m\n"
                          "  condition:\n    gte: 2\n")),
            std::vector<std::string>{"p.yml:19: X: value_count needs condition: field"});
  EXPECT_EQ(Problems(corr("  type: event_count\n  rules: [login]\n  timespan: 1m\n"
                          "  condition:\n    gt: 5\n    lt: 3\n")),
            std::vector<std::string>{"p.yml:19: X: condition gt 5 and lt 3 never holds"});
  EXPECT_EQ(Problems(corr("  type: near\n  rules: [login]\n  timespan: 1m\n")),
            std::vector<std::string>{"p.yml:15: X: correlation type 'near' is not supported"});
  EXPECT_EQ(Problems(corr("  type: event_count\n  rules: [login]\n  timespan: 1m\n"
                          "  condition:\n    gte: -1\n")),
            std::vector<std::string>{"p.yml:19: X: condition gte: '-1' is not a count"});
  // A name given to two rules.
  std::string twice = std::string(kBase) + "---\n" +
                      "title: Other\nname: login\nlogsource:\n  category: webserver\n"
                      "detection:\n  s:\n    cs-method: PUT\n  condition: s\n---\n"
                      "title: X\ncorrelation:\n  type: temporal\n  rules: [login]\n"
                      "  timespan: 1m\n";
  EXPECT_EQ(Problems(twice),
            std::vector<std::string>{"p.yml:22: X: refers to 'login', which names more than one "
                                     "rule (p.yml:1, p.yml:13)"});
  // Two correlations naming each other.
  std::string cycle =
      "title: P\nname: p\ncorrelation:\n  type: temporal\n  rules: [q]\n  timespan: 1m\n"
      "---\ntitle: Q\nname: q\ncorrelation:\n  type: temporal\n  rules: [p]\n  timespan: 1m\n";
  std::vector<std::string> got = Problems(cycle);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].find("cycle"), std::string::npos) << got[0];
}

TEST(CorrelationTest, BadAggregationsSkipTheRule) {
  auto rule = [](const std::string& cond) {
    return "title: R\nlogsource:\n  category: webserver\ndetection:\n  s:\n    sc-status: 404\n"
           "  timeframe: 5m\n  condition: " +
           cond + "\n";
  };
  EXPECT_EQ(Problems(rule("s | max(sc-bytes) by c-ip > 10")),
            std::vector<std::string>{"p.yml:8: R: condition col 5: 'max' is not supported "
                                     "(only count)"});
  EXPECT_EQ(Problems(rule("s | count() by c-ip ~ 10")),
            std::vector<std::string>{"p.yml:8: R: condition col 21: expected a comparison "
                                     "with a count"});
  EXPECT_EQ(
      Problems("title: R\nlogsource:\n  category: webserver\ndetection:\n  s:\n"
               "    sc-status: 404\n  timeframe: 5m\n  condition: s\n"),
      std::vector<std::string>{"p.yml:7: R: timeframe without an aggregation (| count() ...)"});
}

TEST(CorrelationTest, DocumentsKeepTheirLineNumbers) {
  std::string text = std::string(kBase) + "---\ntitle: Bad\nlogsource:\n  category: webserver\n" +
                     "detection:\n  s:\n    cs-uri|nope: x\n  condition: s\n";
  EXPECT_EQ(Problems(text),
            std::vector<std::string>{"p.yml:18: Bad: modifier 'nope' is not supported"});
}

}  // namespace
}  // namespace tq::rules
