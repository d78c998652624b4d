// Input a parser read and did not use, and why: the one shape every parser of evidence
// reports it in (log lines, platform log lines, baseline manifest lines, ...), so that the
// responder reads "source:line: reason" the same way everywhere and a count by reason sums.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tq {

struct SkippedInput {
  std::string source;   // the file or evidence item it was in (empty inside a tally of one)
  uint64_t line = 0;    // 1-based; 0 when the input has no lines
  uint64_t offset = 0;  // byte offset of its start in the (decompressed) source
  uint64_t bytes = 0;   // bytes skipped; 0 when not known
  std::string reason;
  // "source:line: reason", the parts that are known ("source: reason (at byte 12)").
  std::string ToString() const;
};

// Skipped input counted by reason, with the first few of each reason kept whole. Adding a
// reason already seen allocates nothing.
class SkipTally {
 public:
  static constexpr size_t kExamples = 5;
  struct Reason {
    uint64_t count = 0;
    uint64_t bytes = 0;                  // of those whose size is known
    std::vector<SkippedInput> examples;  // the first kExamples, in the order added
  };
  using Map = std::map<std::string, Reason, std::less<>>;

  void Add(std::string_view reason, uint64_t line, uint64_t offset = 0, uint64_t bytes = 0,
           std::string_view source = {});
  void Add(const SkippedInput& s) { Add(s.reason, s.line, s.offset, s.bytes, s.source); }
  // Adds `later`'s counts; its examples fill what is left of each reason's few.
  void Merge(const SkipTally& later);
  // The tally of a part read on its own (a chunk of a file) placed at its line in the whole:
  // each example's line number moves `lines` down.
  void ShiftLines(uint64_t lines);

  uint64_t total() const;
  uint64_t count(std::string_view reason) const;
  // The reason's tally, or nullptr.
  const Reason* find(std::string_view reason) const;
  bool empty() const { return reasons_.empty(); }
  size_t size() const { return reasons_.size(); }  // distinct reasons
  Map::const_iterator begin() const { return reasons_.begin(); }
  Map::const_iterator end() const { return reasons_.end(); }

 private:
  Map reasons_;
};

}  // namespace tq
