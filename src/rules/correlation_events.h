// Implementation header of the rules component (included from its .cc files only): the
// events a log scan collects for correlations, and their evaluation.
//
// Why collect, then evaluate: work units run in parallel and in input order, and rotated
// files (access.log, access.log.1, access.log.2.gz) come in reverse time order, so no
// bounded reorder window over the scan's own order puts their events in time order. Each
// event is 48 bytes (its time, place, group key hash and value hash; group values are kept
// once per group), within a byte budget; past it events are counted as dropped. Once every
// file is read the events are sorted by correlation and time, and each correlation runs over
// its own in one pass, with per-group window state bounded by its threshold (see
// correlation_eval.cc).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/engine.h"

namespace tq::rules {

struct CorrelationEvent {
  UnixMicros time = 0;
  uint64_t line_no = 0, offset = 0;
  uint64_t key = 0;    // hash of the group-by values
  uint64_t value = 0;  // value_count: hash of the counted field's value
  uint32_t input = 0;
  uint16_t corr = 0;    // index into RuleSet::corr
  uint16_t source = 0;  // index into the correlation's sources
};

class CorrelationEvents {
 public:
  CorrelationEvents(const RuleSet& rs, size_t budget) : rs_(rs), budget_(budget) {}
  // A parsed line and the rules it matched (those feeding no correlation are ignored).
  void Add(const logs::AccessLogRecord& r, std::span<const uint32_t> hits, uint32_t input);
  // Line numbers and offsets of a range of a file, made absolute.
  void Shift(uint64_t lines, uint64_t offset);
  // Moves `other`'s events and group values in, within this collector's budget.
  void Merge(CorrelationEvents& other);
  // Evaluates every correlation (inner first) over the events, which it consumes.
  std::vector<CorrelationHit> Evaluate();
  const CorrelationStats& stats() const { return stats_; }
  size_t bytes() const { return bytes_; }

 private:
  bool Take(size_t bytes);
  const RuleSet& rs_;
  size_t budget_, bytes_ = 0;
  std::vector<CorrelationEvent> events_;
  std::unordered_map<uint64_t, std::vector<std::string>> groups_;  // key -> group-by values
  CorrelationStats stats_;
  std::string scratch_;
};

}  // namespace tq::rules
