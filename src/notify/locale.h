// Dates and counts in a letter's running text, written as the reader's language writes them
// ("6. Dezember 2026", "6 décembre 2026", "2026年12月6日"; "1.234", "12 345"), never as ISO
// strings. The conventions are data, read from the language's strings.<lang>.txt, so adding
// a language adds no code:
//   locale.months      the twelve month names, space-separated, in the form used after a day
//                      number (the genitive in Polish and Czech, the partitive in Finnish)
//   locale.date        the pattern: {day}, {month} (the name), {month_number}, {year}
//   locale.first_day   optional: how day 1 is written where it differs ("1er", "1º")
//   locale.group       the digit-group separator: comma, period, space (no-break), thin-space
//                      (narrow no-break), apostrophe or none
//   locale.group_from  optional: the fewest digits a number needs to be grouped (default 4;
//                      5 where 1234 stays whole, as in Polish and Spanish)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tq::notify {

struct LocaleFormat {
  std::vector<std::string> months;  // 12
  std::string date_pattern;
  std::string first_day;  // "" = the number
  std::string group_separator;
  int group_from = 4;
};

// Reads the locale.* keys of a strings file. `lines` gives each key's line and `path` the
// file, for errors ("strings.de.txt:3: locale.months: 11 month names, expected 12").
Result<LocaleFormat> ParseLocaleFormat(const std::map<std::string, std::string>& strings,
                                       const std::map<std::string, int>& lines,
                                       const std::string& path);

// The date in the language's pattern; month 1-12, day 1-31 (checked by the caller).
std::string FormatDate(const LocaleFormat& f, int year, int month, int day);
// "2026-12-06", or the date part of "2026-12-06T10:00:00Z": the date in the language's
// pattern; nullopt for anything that is not a valid calendar date.
std::optional<std::string> FormatIsoDate(const LocaleFormat& f, std::string_view iso);
// 1234567 -> "1,234,567" / "1.234.567" / "1 234 567" (no-break spaces).
std::string FormatCount(const LocaleFormat& f, int64_t n);

}  // namespace tq::notify
