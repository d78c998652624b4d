// The shipped pack (rules/sigma): every rule loads, and every rule's test lines
// (rules/sigma/tests/<rule>.txt: "+ " lines must hit the rule, "- " lines must not) behave.
// Also the pack over real benign traffic (the shared corpus), as a false-positive baseline.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "rules/rules.h"
#include "support/testing.h"

namespace tq::rules {
namespace {

namespace fs = std::filesystem;
const std::string kPack = std::string(TQ_SOURCE_DIR) + "/rules/sigma";
// ../shared from the checkout; a worktree sits one level deeper (/work/wt/NAME).
std::string SharedDir() {
  for (std::string d : {std::string(TQ_SHARED_DIR), std::string(TQ_SOURCE_DIR) + "/../../shared"})
    if (fs::exists(d + "/corpus")) return d;
  return TQ_SHARED_DIR;
}

TEST(PackTest, EveryRuleLoadsWithMetadata) {
  Result<RuleSetPtr> rs = LoadRules({kPack});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  for (const RuleProblem& p : Skipped(**rs)) ADD_FAILURE() << p.ToString();
  EXPECT_GE(Rules(**rs).size(), 150u);
  std::set<std::string> ids;
  for (const RuleInfo& r : Rules(**rs)) {
    EXPECT_FALSE(r.id.empty()) << r.file;
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id " << r.id << " in " << r.file;
    EXPECT_FALSE(r.level.empty()) << r.file;
    EXPECT_FALSE(r.tags.empty()) << r.file;
    EXPECT_FALSE(r.references.empty()) << r.file;
  }
  EXPECT_GE(Correlations(**rs).size(), 6u);
  for (const CorrelationInfo& c : Correlations(**rs)) {
    EXPECT_FALSE(c.id.empty()) << c.file;
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id << " in " << c.file;
    EXPECT_FALSE(c.level.empty()) << c.file;
    EXPECT_FALSE(c.tags.empty()) << c.file;
    EXPECT_FALSE(c.references.empty()) << c.file;
  }
}

TEST(PackTest, EveryRuleHitsItsAttackLinesAndNotItsBenignLines) {
  Result<RuleSetPtr> rs = LoadRules({kPack});
  ASSERT_TRUE(rs.ok());
  auto parser = logs::NamedFormat("combined").value();
  Scanner scanner(**rs);
  size_t rules_with_tests = 0;
  for (uint32_t i = 0; i < Rules(**rs).size(); ++i) {
    const RuleInfo& r = Rules(**rs)[i];
    fs::path test = fs::path(kPack) / "tests" / (fs::path(r.file).stem().string() + ".txt");
    std::ifstream in(test);
    if (!in) {
      ADD_FAILURE() << r.file << ": no test file " << test;
      continue;
    }
    ++rules_with_tests;
    std::string line;
    int hits = 0, misses = 0, n = 0;
    // Lines are `combined` unless a "# format: " comment names another format or gives the
    // log_format they were written in (a body field needs $request_body).
    std::unique_ptr<logs::LineParser> own;
    while (std::getline(in, line)) {
      ++n;
      if (line.starts_with("# format: ")) {
        Result<std::unique_ptr<logs::LineParser>> f = logs::NamedFormat(line.substr(10));
        if (!f.ok()) f = logs::CompileLogFormat(line.substr(10));
        ASSERT_TRUE(f.ok()) << test << ":" << n << ": " << f.status().ToString();
        own = std::move(*f);
      }
      if (line.size() < 2 || line[0] == '#') continue;
      bool want = line[0] == '+';
      // "+[name] line": a line for one rule of a file holding several (a correlation's rules).
      size_t text = 2;
      if (line[1] == '[') {
        size_t close = line.find("] ");
        ASSERT_NE(close, std::string::npos) << test.string() << ":" << n;
        if (line.substr(2, close - 2) != r.name) continue;
        text = close + 2;
      }
      std::vector<uint32_t> got = scanner.MatchLine(line.substr(text), own ? *own : *parser);
      bool hit = std::find(got.begin(), got.end(), i) != got.end();
      EXPECT_EQ(hit, want) << test.string() << ":" << n << ": " << r.title << "\n  " << line;
      (want ? hits : misses)++;
    }
    EXPECT_GE(hits, 1) << test << ": needs a line that must hit";
    EXPECT_GE(misses, 1) << test << ": needs a benign line";
  }
  EXPECT_EQ(rules_with_tests, Rules(**rs).size());
}

// Each correlation file's tests/NAME.hit.log (combined lines in time order) makes every
// correlation of the file fire, scanned with the whole pack; tests/NAME.miss.log (benign
// traffic of the same shape: customers, an owner mistyping, a crawler) makes none fire.
TEST(PackTest, EveryCorrelationFiresOnItsHitLogAndNotOnItsMissLog) {
  Result<RuleSetPtr> rs = LoadRules({kPack});
  ASSERT_TRUE(rs.ok());
  std::set<std::string> files;
  for (const CorrelationInfo& c : Correlations(**rs)) files.insert(c.file);
  ASSERT_GE(files.size(), 5u);
  LogScanOptions o;
  o.threads = 1;
  for (const std::string& file : files) {
    for (const char* kind : {"hit", "miss"}) {
      fs::path log =
          fs::path(kPack) / "tests" / (fs::path(file).stem().string() + "." + kind + ".log");
      ASSERT_TRUE(fs::exists(log)) << file << ": no " << log;
      Result<LogScanResult> res =
          ScanLogs({{log.string(), log.filename().string(), 1, "x"}}, **rs, o);
      ASSERT_TRUE(res.ok());
      EXPECT_EQ(res->stats[0].parsed, res->stats[0].lines) << log;
      for (uint32_t c = 0; c < Correlations(**rs).size(); ++c) {
        const CorrelationInfo& ci = Correlations(**rs)[c];
        if (ci.file != file) continue;
        size_t n = 0;
        for (const CorrelationHit& h : res->correlation_hits) n += h.correlation == c;
        if (std::string(kind) == "hit")
          EXPECT_GE(n, 1u) << log.string() << ": " << ci.title << " did not fire";
        else
          EXPECT_EQ(n, 0u) << log.string() << ": " << ci.title << " fired";
      }
    }
  }
}

// 10,000 lines of real, almost entirely benign traffic: high and critical rules stay quiet.
TEST(PackTest, RealBenignTrafficRaisesFewHighAlerts) {
  std::string corpus = SharedDir() + "/corpus/logs/elastic-apache_logs.log";
  if (!fs::exists(corpus)) GTEST_SKIP() << "no shared corpus";
  Result<RuleSetPtr> rs = LoadRules({kPack});
  ASSERT_TRUE(rs.ok());
  LogScanOptions o;
  o.threads = 1;
  Result<LogScanResult> res = ScanLogs({{corpus, "apache_logs", 1, "x"}}, **rs, o);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->stats[0].format, "combined");
  EXPECT_EQ(res->stats[0].lines, 10000u);
  EXPECT_GE(res->stats[0].parsed, 9990u);
  size_t high = 0;
  for (const LogHit& h : res->hits) {
    const std::string& level = Rules(**rs)[h.rule].level;
    if (level == "high" || level == "critical") {
      ++high;
      if (high < 20)
        std::cerr << "high hit: " << Rules(**rs)[h.rule].title << ": "
                  << h.fields[static_cast<size_t>(logs::Field::kUri)] << "\n";
    }
  }
  EXPECT_LT(high, 5u);
  for (const CorrelationHit& h : res->correlation_hits) {
    const CorrelationInfo& ci = Correlations(**rs)[h.correlation];
    std::cerr << "correlation: " << ci.title << " (" << ci.level << "): " << h.events
              << " events\n";
    EXPECT_TRUE(ci.level != "high" && ci.level != "critical") << ci.title;
  }
}

}  // namespace
}  // namespace tq::rules
