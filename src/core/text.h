// Text helpers every component needs on attacker bytes: ASCII case folding, case-insensitive
// comparison and search, and trimming. ASCII only, on purpose: SQL keywords, HTTP methods,
// host names, file extensions and the markers the scanners look for are ASCII, and folding
// stays a table lookup per byte (no locale, no allocation in the comparisons); bytes >= 0x80
// pass unchanged, so invalid UTF-8 is safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tq {

constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// A lower-case copy ("Wp2_Users" -> "wp2_users").
std::string Lower(std::string_view s);
// Lower-cases in place (no allocation).
void LowerInPlace(std::string* s);
// a == b ignoring ASCII case.
bool EqualsFold(std::string_view a, std::string_view b);
// The first position of `needle` in `haystack` ignoring ASCII case, or npos.
// `needle_lower` must already be lower case (fold once, search many).
size_t FindFold(std::string_view haystack, std::string_view needle_lower, size_t from = 0);
inline bool ContainsFold(std::string_view haystack, std::string_view needle_lower) {
  return FindFold(haystack, needle_lower) != std::string_view::npos;
}
// Without leading and trailing ASCII white space (space, \t, \n, \r, \f, \v).
std::string_view Trim(std::string_view s);

}  // namespace tq
