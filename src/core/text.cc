// ASCII text helpers (see text.h).
#include "core/text.h"

#include <cstring>

namespace tq {

std::string Lower(std::string_view s) {
  std::string r(s);
  LowerInPlace(&r);
  return r;
}

void LowerInPlace(std::string* s) {
  for (char& c : *s) c = AsciiLower(c);
}

bool EqualsFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

size_t FindFold(std::string_view h, std::string_view n, size_t from) {
  if (n.empty()) return from <= h.size() ? from : std::string_view::npos;
  if (from >= h.size() || h.size() - from < n.size()) return std::string_view::npos;
  // memchr for the first byte in either case, then compare the rest: as fast as memchr on
  // text where the first byte is rare (the usual case: '<', 'j', 'o', 'e' in markers).
  const char first_lo = n[0];
  const char first_up =
      first_lo >= 'a' && first_lo <= 'z' ? static_cast<char>(first_lo - 32) : first_lo;
  const size_t last = h.size() - n.size();
  size_t i = from;
  while (i <= last) {
    const char* base = h.data() + i;
    size_t span = last - i + 1;
    const char* lo = static_cast<const char*>(std::memchr(base, first_lo, span));
    const char* up = first_up == first_lo
                         ? nullptr
                         : static_cast<const char*>(std::memchr(base, first_up, span));
    const char* p = !lo ? up : !up ? lo : (lo < up ? lo : up);
    if (!p) return std::string_view::npos;
    size_t at = static_cast<size_t>(p - h.data());
    size_t k = 1;
    while (k < n.size() && AsciiLower(h[at + k]) == n[k]) ++k;
    if (k == n.size()) return at;
    i = at + 1;
  }
  return std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace tq
