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
  const char* const begin = h.data();
  const char* const end = begin + (h.size() - n.size()) + 1;  // a match starts before end
  auto next = [end](const char* at, char c) {
    const void* p = std::memchr(at, c, static_cast<size_t>(end - at));
    return p ? static_cast<const char*>(p) : end;
  };
  // The next place of each case of the first byte, each looked for again only once used:
  // text full of one case and without the other is read once, not once per candidate.
  const char* lo = next(begin + from, first_lo);
  const char* up = first_up == first_lo ? end : next(begin + from, first_up);
  while (lo != end || up != end) {
    const char* p = lo < up ? lo : up;
    size_t k = 1;
    while (k < n.size() && AsciiLower(p[k]) == n[k]) ++k;
    if (k == n.size()) return static_cast<size_t>(p - begin);
    if (p == lo)
      lo = next(lo + 1, first_lo);
    else
      up = next(up + 1, first_up);
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
