// Implementation header of the rules component (included from its .cc files only): the
// events a log scan collects for correlations, and their evaluation.
//
// Why collect, then evaluate: work units run in parallel and in input order, and rotated
// files (access.log, access.log.1, access.log.2.gz) come in reverse time order, so no
// bounded reorder window over the scan's own order puts their events in time order. Each
// event is 48 bytes (its time, place, group key hash and value hash; group values are kept
// once per group, about 100 bytes each), within one byte budget shared by the work units and
// the merged events (in deques: no doubling vector beside it); past it events are counted as
// dropped. Once every
// file is read the events are sorted by correlation and time, and each correlation runs over
// its own in one pass, with per-group window state bounded by its threshold (see
// correlation_eval.cc).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
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

// The bytes the collectors of one scan may hold together (thread-safe).
class CorrelationBudget {
 public:
  explicit CorrelationBudget(size_t limit) : limit_(limit) {}
  bool Take(size_t n) {
    if (used_.fetch_add(n) + n <= limit_) return true;
    used_.fetch_sub(n);
    return false;
  }
  void Give(size_t n) { used_.fetch_sub(n); }
  size_t used() const { return used_.load(); }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

// Group-by values by group key: an open-addressing table of keys into chunks of encoded
// values (one cache miss to learn a key is known; no allocation per group).
class GroupTable {
 public:
  bool Contains(uint64_t key) const { return Find(key) != nullptr; }
  // Adds a group that is not in the table.
  void Insert(uint64_t key, std::span<const std::string_view> values);
  std::vector<std::string> Get(uint64_t key) const;  // empty if unknown
  // Bytes a group of these values costs (its slots at the table's load, and its encoding).
  static size_t Cost(std::span<const std::string_view> values);
  // Every group of `o` this table lacks is copied in (taken whole when this one is empty);
  // returns the bytes of those it had.
  size_t MergeFrom(GroupTable& o);

 private:
  struct Slot {
    uint64_t key = 0;  // 0: empty (a key of 0 is stored as 1)
    uint64_t ref = 0;  // chunk << 32 | offset
  };
  const Slot* Find(uint64_t key) const;
  static uint64_t Fix(uint64_t key) { return key ? key : 1; }
  std::vector<Slot> slots_;
  size_t n_ = 0;
  std::vector<std::string> chunks_;  // each up to 1 MiB
};

class CorrelationEvents {
 public:
  CorrelationEvents(const RuleSet& rs, CorrelationBudget& budget) : rs_(rs), budget_(budget) {}
  ~CorrelationEvents() { budget_.Give(bytes_); }
  CorrelationEvents(const CorrelationEvents&) = delete;
  CorrelationEvents& operator=(const CorrelationEvents&) = delete;
  // A parsed line and the rules it matched (those feeding no correlation are ignored).
  void Add(const logs::AccessLogRecord& r, std::span<const uint32_t> hits, uint32_t input);
  // Line numbers and offsets of a range of a file, made absolute.
  void Shift(uint64_t lines, uint64_t offset);
  // Moves `other`'s events and group values in (and the bytes they hold).
  void Merge(CorrelationEvents& other);
  // Evaluates every correlation (inner first) over the events, which it consumes.
  std::vector<CorrelationHit> Evaluate();
  const CorrelationStats& stats() const { return stats_; }
  size_t bytes() const { return bytes_; }

 private:
  bool Take(size_t bytes);
  const RuleSet& rs_;
  CorrelationBudget& budget_;
  size_t bytes_ = 0;  // taken from budget_
  std::deque<CorrelationEvent> events_;
  GroupTable groups_;
  CorrelationStats stats_;
  std::vector<std::string_view> values_;  // scratch for Add
  std::vector<std::string> tmp_;
};

}  // namespace tq::rules
