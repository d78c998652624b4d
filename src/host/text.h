// Text helpers shared by the host readers (internal): lines of a file one at a time with their
// 1-based number and byte offset (the last line may lack its newline), and whitespace
// trimming.
#pragma once

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/skipped.h"

namespace tq::host {

class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  // The next line without its "\n"; false at the end.
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t nl = text_.find('\n', pos_);
    if (nl == std::string_view::npos) nl = text_.size();
    *line = text_.substr(pos_, nl - pos_);
    start_ = pos_;
    pos_ = nl + 1;
    ++number_;
    return true;
  }
  uint64_t number() const { return number_; }
  // Byte offset of the last line returned.
  uint64_t offset() const { return start_; }
  // Counts the last line returned as skipped for `reason` (its newline in its bytes).
  void Skip(SkipTally& tally, std::string_view reason) const {
    tally.Add(reason, number_, start_, (pos_ < text_.size() ? pos_ : text_.size()) - start_);
  }
  // Counts the last line returned and everything after it as skipped, from that line on.
  void SkipFromHere(SkipTally& tally, std::string_view reason) const {
    tally.Add(reason, number_, start_, text_.size() - start_);
  }

 private:
  std::string_view text_;
  size_t pos_ = 0, start_ = 0;
  uint64_t number_ = 0;
};

// The lines of a listing before its header (a prompt, a note), counted as one skipped span.
struct Preamble {
  uint64_t line = 0, offset = 0;  // where it starts; line 0: none yet
  void Note(const LineReader& at) {
    if (line == 0) {
      line = at.number();
      offset = at.offset();
    }
  }
  // The span from its start up to byte `end`, when there is one.
  void Skip(SkipTally& tally, std::string_view reason, uint64_t end) const {
    if (line > 0) tally.Add(reason, line, offset, end - offset);
  }
};

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace tq::host
