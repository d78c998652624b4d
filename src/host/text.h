// Text helpers shared by the host readers (internal): lines of a file one at a time with their
// 1-based number (the last line may lack its newline), and whitespace trimming.
#pragma once

#include <cctype>
#include <cstdint>
#include <string_view>

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
    pos_ = nl + 1;
    ++number_;
    return true;
  }
  uint64_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint64_t number_ = 0;
};

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace tq::host
