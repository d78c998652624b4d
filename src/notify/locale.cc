// Locale formatting for letters: the month names and patterns come from strings.<lang>.txt
// (see locale.h); this file only checks them and fills them in.
#include "notify/locale.h"

#include <sstream>

#include "core/time.h"

namespace tq::notify {

namespace {

// The separators by name: a space in "key: value" would be trimmed, and a no-break space
// is invisible in the file.
const std::map<std::string, std::string>& Separators() {
  static const std::map<std::string, std::string> k = {
      {"comma", ","},
      {"period", "."},
      {"space", "\xC2\xA0"},           // U+00A0 NO-BREAK SPACE
      {"thin-space", "\xE2\x80\xAF"},  // U+202F NARROW NO-BREAK SPACE (French)
      {"apostrophe", "'"},
      {"none", ""}};
  return k;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

Result<LocaleFormat> ParseLocaleFormat(const std::map<std::string, std::string>& strings,
                                       const std::map<std::string, int>& lines,
                                       const std::string& path) {
  auto line_of = [&](const std::string& key) -> uint64_t {
    auto l = lines.find(key);
    return l == lines.end() ? 0 : static_cast<uint64_t>(l->second);
  };
  auto need = [&](const std::string& key, const char* what) -> Result<std::string> {
    auto it = strings.find(key);
    if (it == strings.end() || it->second.empty())
      return Status::BadInput("no " + key + " (" + what + ")").At(path);
    if (HasControl(it->second))
      return Status::BadInput(key + ": control character").At(path, line_of(key));
    return it->second;
  };
  LocaleFormat f;
  TQ_ASSIGN_OR_RETURN(std::string months,
                      need("locale.months", "the twelve month names, as written after a day"));
  std::istringstream words(months);
  for (std::string m; words >> m;) f.months.push_back(m);
  if (f.months.size() != 12)
    return Status::BadInput("locale.months: " + std::to_string(f.months.size()) +
                            " month names, expected 12")
        .At(path, line_of("locale.months"));
  TQ_ASSIGN_OR_RETURN(f.date_pattern,
                      need("locale.date", "the date pattern, e.g. {day} {month} {year}"));
  // Every {placeholder} must be known; day and year must be there, and the month by name
  // or by number.
  bool day = false, month = false, year = false;
  for (size_t at = f.date_pattern.find('{'); at != std::string::npos;
       at = f.date_pattern.find('{', at + 1)) {
    size_t end = f.date_pattern.find('}', at);
    std::string name = end == std::string::npos ? "" : f.date_pattern.substr(at + 1, end - at - 1);
    if (name == "day") {
      day = true;
    } else if (name == "month" || name == "month_number") {
      month = true;
    } else if (name == "year") {
      year = true;
    } else {
      return Status::BadInput("locale.date: unknown placeholder '" +
                              f.date_pattern.substr(
                                  at, end == std::string::npos ? std::string::npos : end - at + 1) +
                              "' (known: {day} {month} {month_number} {year})")
          .At(path, line_of("locale.date"));
    }
  }
  if (!day || !month || !year)
    return Status::BadInput("locale.date: needs {day}, {year} and {month} or {month_number}")
        .At(path, line_of("locale.date"));
  if (auto it = strings.find("locale.first_day"); it != strings.end()) {
    if (HasControl(it->second))
      return Status::BadInput("locale.first_day: control character")
          .At(path, line_of("locale.first_day"));
    f.first_day = it->second;
  }
  TQ_ASSIGN_OR_RETURN(std::string group,
                      need("locale.group", "comma, period, space, thin-space, apostrophe or none"));
  auto sep = Separators().find(group);
  if (sep == Separators().end())
    return Status::BadInput("locale.group: '" + group +
                            "' is not one of comma, period, space, thin-space, apostrophe, none")
        .At(path, line_of("locale.group"));
  f.group_separator = sep->second;
  if (auto it = strings.find("locale.group_from"); it != strings.end()) {
    const std::string& v = it->second;
    if (v.size() != 1 || v[0] < '4' || v[0] > '9')
      return Status::BadInput("locale.group_from: '" + v + "' is not a digit count from 4 to 9")
          .At(path, line_of("locale.group_from"));
    f.group_from = v[0] - '0';
  }
  return f;
}

std::string FormatDate(const LocaleFormat& f, int year, int month, int day) {
  std::string out;
  const std::string& p = f.date_pattern;
  for (size_t i = 0; i < p.size();) {
    auto take = [&](std::string_view name) {
      if (p.compare(i, name.size(), name) != 0) return false;
      i += name.size();
      return true;
    };
    if (take("{day}")) {
      out += day == 1 && !f.first_day.empty() ? f.first_day : std::to_string(day);
    } else if (take("{month_number}")) {
      out += std::to_string(month);
    } else if (take("{month}")) {
      out += month >= 1 && month <= 12 && f.months.size() == 12 ? f.months[month - 1]
                                                                : std::to_string(month);
    } else if (take("{year}")) {
      out += std::to_string(year);
    } else {
      out += p[i++];
    }
  }
  return out;
}

std::optional<std::string> FormatIsoDate(const LocaleFormat& f, std::string_view iso) {
  if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  if (iso.size() > 10 && iso[10] != 'T' && iso[10] != ' ') return std::nullopt;
  int v[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k)
    for (size_t j = starts[k]; j < starts[k] + lens[k]; ++j) {
      if (iso[j] < '0' || iso[j] > '9') return std::nullopt;
      v[k] = v[k] * 10 + (iso[j] - '0');
    }
  if (!CheckCivil(v[0], v[1], v[2], 0, 0, 0).empty()) return std::nullopt;
  return FormatDate(f, v[0], v[1], v[2]);
}

std::string FormatCount(const LocaleFormat& f, int64_t n) {
  // The magnitude as unsigned: -INT64_MIN does not fit an int64_t.
  uint64_t mag = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = std::to_string(mag);
  std::string out = n < 0 ? "-" : "";
  bool group = !f.group_separator.empty() && digits.size() >= static_cast<size_t>(f.group_from);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (group && i > 0 && (digits.size() - i) % 3 == 0) out += f.group_separator;
    out += digits[i];
  }
  return out;
}

}  // namespace tq::notify
