// Test-only helpers of the correlation tests (correlation_test, correlation_eval_test,
// correlation_store_test): log lines, rule documents, a scan through the real engine.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "casefile/casefile.h"
#include "casefile/db.h"
#include "rules/rules.h"
#include "support/testing.h"

namespace tq::rules {

using tq::testing::TempDir;
using tq::testing::WriteFile;

// A combined log line `sec` seconds after 2025-10-10 13:00:00 UTC.
inline std::string L(std::string_view ip, int sec, std::string_view method, std::string_view path,
                     int status = 200, std::string_view user = "-",
                     std::string_view ua = "curl/8") {
  char t[64];
  int h = 13 + sec / 3600, m = sec / 60 % 60, s = sec % 60;
  std::snprintf(t, sizeof t, "%02d/Oct/2025:%02d:%02d:%02d +0000", 10 + h / 24, h % 24, m, s);
  return std::string(ip) + " - " + std::string(user) + " [" + t + "] \"" + std::string(method) +
         " " + std::string(path) + " HTTP/1.1\" " + std::to_string(status) + " 100 \"-\" \"" +
         std::string(ua) + "\"\n";
}

inline const char* kBase =
    "title: Login attempt\nname: login\nid: 11111111-0000-4000-8000-000000000001\n"
    "level: low\nlogsource:\n  category: webserver\ndetection:\n  s:\n    cs-method: POST\n"
    "    cs-uri-stem: /login\n  condition: s\n";

inline std::string Doc(const std::string& correlation) {
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
inline ScanRun Scan(const std::vector<std::string>& rule_files,
                    const std::vector<std::string>& logs, size_t corr_memory = size_t{128} << 20,
                    int threads = 1) {
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
inline std::vector<std::string> Problems(const std::string& text) {
  Result<RuleSetPtr> rs = LoadRulesFromText({{"p.yml", text}});
  std::vector<std::string> out;
  if (!rs.ok()) return {rs.status().ToString()};
  for (const RuleProblem& p : Skipped(**rs)) out.push_back(p.ToString());
  return out;
}

inline std::vector<std::string> Lines(const CorrelationHit& h) {
  std::vector<std::string> out;
  for (const CorrelationEventRef& m : h.members)
    out.push_back(std::to_string(m.input) + ":" + std::to_string(m.line_no));
  return out;
}

inline const std::string kFiveInAMinute =
    Doc("title: Five logins in a minute\ncorrelation:\n  type: event_count\n  rules: [login]\n"
        "  group-by: [c-ip]\n  timespan: 1m\n  condition:\n    gte: 5\nlevel: high\n");

}  // namespace tq::rules
