// Sigma correlations over scanned logs: each type at its window edges (exactly N in the span,
// N-1, one second too wide), events out of order across rotated files, group-by fields that
// are missing, upper-bounded conditions, chains, aliases, `generate`, the legacy
// `| count() by` aggregation, the specification's own examples (with webserver fields), load
// errors, and the memory budget.
#include "rules/correlation_test_support.h"

namespace tq::rules {
namespace {

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
