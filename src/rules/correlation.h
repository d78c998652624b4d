// Sigma correlation rules (Sigma 2 `correlation:` documents, and the older `| count() by X > N`
// aggregation with `timeframe`): what a loaded correlation is, and what a hit of one holds.
// The log scan collects the events of the rules a correlation refers to (compactly, within a
// memory budget) and evaluates the correlations over them in time order once every file is
// read; see correlation.cc for the windows and README "Correlations" for the semantics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace tq::rules {

enum class CorrelationType { kEventCount, kValueCount, kTemporal, kTemporalOrdered };
std::string_view CorrelationTypeName(CorrelationType t);

// A condition on a count: one criterion or a range (`gt: 100` + `lte: 200`).
struct CountCondition {
  std::optional<uint64_t> gt, gte, lt, lte, eq, neq;
  bool Holds(uint64_t n) const;
  // Holds for every count past some n (only gt / gte): evaluated on sliding windows, as soon
  // as it holds. Anything with an upper bound (lt, lte, eq, neq) is evaluated on whole windows
  // (each opened by a group's first event after the previous one closed) when they close.
  bool OnlyLowerBound() const;
  uint64_t LowerBound() const;   // the least count that can satisfy it (0 when none)
  std::string ToString() const;  // "gte 10", "gt 100 and lte 200"
};

struct CorrelationInfo {
  std::string id, name, title, status, level, description, file;
  int line = 0;  // of `title:`
  std::vector<std::string> tags, references;
  CorrelationType type = CorrelationType::kEventCount;
  std::vector<std::string> rules;     // as written: names or ids of rules or correlations
  std::vector<std::string> group_by;  // field names or aliases
  std::string field;                  // value_count: the field whose distinct values count
  int64_t timespan = 0;               // microseconds
  CountCondition condition;
  bool generate = false;  // the rules referred to also report their own hits
  bool legacy = false;    // from a rule's `| count(...) by ...` condition and `timeframe`
  // alias -> (rule name -> field)
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> aliases;
};

// One event of a correlation hit: where it is in the evidence.
struct CorrelationEventRef {
  uint32_t input = 0;  // index into the scanned inputs
  uint32_t rule = 0;   // index into Rules() of the rule that matched it
  uint64_t line_no = 0, offset = 0;
  UnixMicros time = 0;
};

struct CorrelationHit {
  uint32_t correlation = 0;        // index into Correlations()
  std::vector<std::string> group;  // the group-by values, in group_by's order (capped 1 KiB)
  UnixMicros first_time = 0, last_time = 0;  // of the events that made it
  UnixMicros fired_at = 0;                   // when the condition first held
  uint64_t events = 0;                       // events counted into it (all of them)
  uint64_t distinct = 0;                     // value_count: distinct values; temporal: rules seen
  std::vector<CorrelationEventRef> members;  // in time order, the first kMaxMembers
  static constexpr size_t kMaxMembers = 64;
};

// What the evaluation could not use, counted (never dropped silently).
struct CorrelationStats {
  uint64_t events = 0;                // events collected for correlations
  uint64_t events_dropped = 0;        // past the memory budget
  uint64_t events_without_time = 0;   // lines without a timestamp cannot be placed in a window
  uint64_t events_missing_group = 0;  // a group-by field (or value_count's field) was empty
  uint64_t hits_dropped = 0;          // past kMaxHits per correlation
  static constexpr size_t kMaxHits = 10000;
};

}  // namespace tq::rules
