// Fuzz the locale lines of a letter's strings file (a language being added, or a template
// directory someone edited) and the formatting they drive: the parser must refuse or accept
// without crashing, and an accepted locale must format every date and any count, the count's
// digits unchanged by the grouping.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "notify/locale.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> kv;
  std::map<std::string, int> lines;
  int n = 0;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == text.npos ? text.npos : nl - at);
    at = nl == text.npos ? text.size() : nl + 1;
    ++n;
    size_t colon = line.find(':');
    if (colon == line.npos) continue;
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    kv[std::string(line.substr(0, colon))] = std::string(v);
    lines[std::string(line.substr(0, colon))] = n;
  }
  tq::Result<tq::notify::LocaleFormat> f = tq::notify::ParseLocaleFormat(kv, lines, "fuzz.txt");
  if (!f.ok()) {
    if (f.status().message().empty()) __builtin_trap();
    return 0;
  }
  for (int month = 1; month <= 12; ++month)
    for (int day : {1, 9, 28, 31})
      if (tq::notify::FormatDate(*f, 2026, month, day).empty()) __builtin_trap();
  (void)tq::notify::FormatIsoDate(*f, text);
  int64_t count = 0;
  std::memcpy(&count, data, size < sizeof count ? size : sizeof count);
  std::string grouped = tq::notify::FormatCount(*f, count);
  std::string digits;
  for (size_t i = 0; i < grouped.size();) {
    if (grouped.compare(i, f->group_separator.size(), f->group_separator) == 0 &&
        !f->group_separator.empty()) {
      i += f->group_separator.size();
      continue;
    }
    digits += grouped[i++];
  }
  if (digits != std::to_string(count)) __builtin_trap();
  return 0;
}
