// Fuzzes correlation documents: a multi-document YAML file (rules and `correlation:`
// documents, or a rule with a `| count() by` aggregation) is split, loaded and resolved, then
// every loaded correlation is evaluated over a fixed set of synthetic requests that every rule
// is taken to match (no Vectorscan compile, so each input is cheap). A loop, an unbounded
// allocation or a crash in loading, resolving or the windows shows here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rules/correlation_events.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::rules;
  RuleSet rs;
  LoadSigmaText(rs, "fuzz.yml", std::string(reinterpret_cast<const char*>(data), size));
  ResolveCorrelations(rs);
  if (rs.corr.empty()) return 0;
  std::vector<uint32_t> all(rs.info.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  CorrelationBudget budget(1 << 20);
  CorrelationEvents events(rs, budget);
  static const char* kIps[] = {"10.0.0.1", "10.0.0.2", "-", "", "10.0.0.1"};
  static const char* kPaths[] = {"/a", "/b", "/login", "/a", "/c", "/d"};
  for (uint64_t i = 0; i < 300; ++i) {
    tq::logs::AccessLogRecord r;
    r.field[static_cast<size_t>(tq::logs::Field::kClientIp)] = kIps[i % 5];
    r.field[static_cast<size_t>(tq::logs::Field::kUriStem)] = kPaths[i % 6];
    r.field[static_cast<size_t>(tq::logs::Field::kStatus)] = i % 3 ? "404" : "200";
    r.field[static_cast<size_t>(tq::logs::Field::kUser)] = i % 7 ? "bob" : "-";
    r.has_time = i % 50 != 49;
    // Mostly forward, with jumps back (rotated files) and repeats.
    r.time = static_cast<tq::UnixMicros>((i * 7919) % 600) * 1000000 + (i % 4) * 3600000000LL;
    r.line_no = i + 1;
    r.offset = i * 100;
    events.Add(r, all, static_cast<uint32_t>(i % 3));
  }
  std::vector<CorrelationHit> hits = events.Evaluate();
  for (const CorrelationHit& h : hits)
    if (h.correlation >= rs.corr_info.size() || h.members.size() > CorrelationHit::kMaxMembers)
      __builtin_trap();
  return 0;
}
