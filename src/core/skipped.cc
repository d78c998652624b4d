#include "core/skipped.h"

namespace tq {

std::string SkippedInput::ToString() const {
  std::string out = source;
  if (line > 0) out += (out.empty() ? "line " : ":") + std::to_string(line);
  if (!out.empty()) out += ": ";
  out += reason;
  if (line == 0 && offset > 0) out += " (at byte " + std::to_string(offset) + ")";
  if (bytes > 0) out += " (" + std::to_string(bytes) + " bytes)";
  return out;
}

void SkipTally::Add(std::string_view reason, uint64_t line, uint64_t offset, uint64_t bytes,
                    std::string_view source) {
  auto it = reasons_.find(reason);
  if (it == reasons_.end()) it = reasons_.emplace(std::string(reason), Reason{}).first;
  Reason& r = it->second;
  ++r.count;
  r.bytes += bytes;
  if (r.examples.size() < kExamples)
    r.examples.push_back(SkippedInput{std::string(source), line, offset, bytes, it->first});
}

void SkipTally::Merge(const SkipTally& later) {
  for (const auto& [reason, from] : later.reasons_) {
    auto it = reasons_.find(reason);
    if (it == reasons_.end()) it = reasons_.emplace(reason, Reason{}).first;
    Reason& r = it->second;
    r.count += from.count;
    r.bytes += from.bytes;
    for (const SkippedInput& e : from.examples)
      if (r.examples.size() < kExamples) r.examples.push_back(e);
  }
}

void SkipTally::ShiftLines(uint64_t lines) {
  for (auto& [reason, r] : reasons_)
    for (SkippedInput& e : r.examples) e.line += lines;
}

uint64_t SkipTally::total() const {
  uint64_t n = 0;
  for (const auto& [reason, r] : reasons_) n += r.count;
  return n;
}

uint64_t SkipTally::count(std::string_view reason) const {
  const Reason* r = find(reason);
  return r ? r->count : 0;
}

const SkipTally::Reason* SkipTally::find(std::string_view reason) const {
  auto it = reasons_.find(reason);
  return it == reasons_.end() ? nullptr : &it->second;
}

}  // namespace tq
