// Platform and web server error logs, line by line (see platform_log.h).
#include "logs/platform_log.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "logs/logs.h"

namespace tq::logs {
namespace {

int Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "08-Mar-2025 11:34:40 UTC" (PHP's error_log date, zone by name).
std::optional<UnixMicros> PhpTime(std::string_view t, std::string* why) {
  static constexpr std::array<std::string_view, 12> kMon = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (t.size() < 21 || t[2] != '-' || t[6] != '-' || t[11] != ' ' || t[14] != ':' || t[17] != ':' ||
      t[20] != ' ')
    return std::nullopt;
  int day = Digits(t, 0, 2), year = Digits(t, 7, 4), hour = Digits(t, 12, 2),
      minute = Digits(t, 15, 2), second = Digits(t, 18, 2);
  auto mon = std::find(kMon.begin(), kMon.end(), t.substr(3, 3));
  if (day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0 || mon == kMon.end())
    return std::nullopt;
  int month = static_cast<int>(mon - kMon.begin()) + 1;
  std::string bad = CheckCivil(year, month, day, hour, minute, second);
  if (!bad.empty()) {
    *why = "impossible date: " + bad;
    return std::nullopt;
  }
  std::string_view zone_name = t.substr(21);
  Result<TimeZone> zone = zone_name == "UTC" || zone_name == "GMT" || zone_name == "Z"
                              ? Result<TimeZone>(TimeZone::Utc())
                              : TimeZone::Named(zone_name);
  if (!zone.ok()) {
    *why = "unknown time zone";
    return std::nullopt;
  }
  int64_t local =
      (DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
       hour * 3600 + minute * 60 + second) *
      1000000LL;
  return zone->LocalToUtc(local);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "PHP Fatal error:  x" -> CRITICAL; the level PHP names, in Monolog's words.
std::string PhpLevel(std::string_view kind) {
  std::string k = Upper(kind);
  if (k.starts_with("FATAL") || k.starts_with("PARSE")) return "CRITICAL";
  if (k.starts_with("CATCHABLE") || k.starts_with("RECOVERABLE")) return "ERROR";
  if (k.starts_with("WARNING")) return "WARNING";
  if (k.starts_with("NOTICE") || k.starts_with("DEPRECATED") || k.starts_with("STRICT"))
    return "NOTICE";
  return "ERROR";  // an uncaught exception, a plugin's own error_log() text
}

}  // namespace

bool IsPlatformLogPath(std::string_view path) {
  std::string p(path);
  for (char& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view v = p;
  size_t slash = v.rfind('/');
  std::string_view base = slash == std::string_view::npos ? v : v.substr(slash + 1);
  if (base == "error_log" || base == "php_errors.log" || base == "php-errors.log" ||
      base == "php_error.log" || base == "php-error.log")
    return true;
  if (v.ends_with("wp-content/debug.log") || v == "debug.log") return true;
  // Magento: var/log/exception.log, system.log, debug.log, support_report.log, cron.log, ...
  return base.ends_with(".log") &&
         (v.starts_with("var/log/") || v.find("/var/log/") != std::string_view::npos) &&
         (base == "exception.log" || base == "system.log" || base == "debug.log" ||
          base == "support_report.log" || base == "cron.log" || base == "payment.log");
}

bool IsErrorLogPath(std::string_view path) {
  std::string p(path);
  for (char& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view v = p;
  size_t slash = v.rfind('/');
  std::string_view base = v.substr(slash == std::string_view::npos ? 0 : slash + 1);
  // Rotated copies keep their name before the number or compression suffix.
  for (std::string_view suffix : {".gz", ".zst", ".bz2"})
    if (base.ends_with(suffix)) base.remove_suffix(suffix.size());
  while (!base.empty() && (std::isdigit(static_cast<unsigned char>(base.back())) ||
                           base.back() == '.' || base.back() == '-'))
    base.remove_suffix(1);
  return base.ends_with("error.log") || base.ends_with("error_log") ||
         (base.starts_with("php") && base.ends_with("fpm.log"));
}

std::string ErrorLogLevel(std::string_view level) {
  std::string l;
  for (char c : level) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "emerg" || l == "emergency") return "EMERGENCY";
  if (l == "alert") return "ALERT";
  if (l == "crit" || l == "critical") return "CRITICAL";
  if (l == "error") return "ERROR";
  if (l == "warn" || l == "warning") return "WARNING";
  if (l == "notice") return "NOTICE";
  if (l == "info") return "INFO";
  return "DEBUG";  // debug, trace1..8
}

bool IsErrorLevel(std::string_view level) {
  return level == "ERROR" || level == "CRITICAL" || level == "ALERT" || level == "EMERGENCY";
}

std::optional<PlatformLogHeader> ParsePlatformLogLine(std::string_view line, std::string* why) {
  why->clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() < 3 || line[0] != '[') return std::nullopt;
  size_t close = line.find(']');
  if (close == std::string_view::npos || close > 48) return std::nullopt;
  std::string_view stamp = line.substr(1, close - 1);
  std::string_view rest = line.substr(close + 1);
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  PlatformLogHeader h;
  if (stamp.size() >= 19 && stamp[4] == '-' && stamp[7] == '-' &&
      (stamp[10] == 'T' || stamp[10] == ' ')) {
    // Monolog: "[2024-07-13T00:13:07.000000+00:00] main.CRITICAL: ..." (Magento writes UTC
    // when it gives no offset).
    Result<UnixMicros> t = ParseIso8601(stamp, TimeZone::Utc());
    if (!t.ok()) {
      *why = "bad Monolog time";
      return std::nullopt;
    }
    size_t dot = rest.find('.'), colon = rest.find(": ");
    if (dot == std::string_view::npos || colon == std::string_view::npos || dot > colon || dot == 0)
      return std::nullopt;
    std::string_view channel = rest.substr(0, dot), level = rest.substr(dot + 1, colon - dot - 1);
    auto word = [](std::string_view s, bool upper_only) {
      return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [&](char c) {
        unsigned char u = static_cast<unsigned char>(c);
        return upper_only ? std::isupper(u) != 0 : (std::isalnum(u) || c == '_' || c == '-');
      });
    };
    if (!word(channel, false) || !word(level, true)) return std::nullopt;
    h.time = *t;
    h.channel = channel;
    h.level = level;
    h.message = rest.substr(colon + 2);
    return h;
  }
  std::optional<UnixMicros> t = PhpTime(stamp, why);
  if (!t) return std::nullopt;
  h.time = *t;
  h.channel = "php";
  if (rest.starts_with("PHP ")) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) colon = rest.size();
    h.level = PhpLevel(rest.substr(4, colon - 4));
    rest = rest.substr(std::min(rest.size(), colon + 1));
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  } else {
    h.level = "ERROR";
  }
  h.message = rest;
  return h;
}

void ReadPlatformLogItem(const std::string& path, const TimeZone& zone,
                         const std::function<void(const PlatformLogLine&)>& visit,
                         PlatformLogReadStats* stats) {
  Result<std::unique_ptr<ByteStream>> in = OpenByteStream(path);
  if (!in.ok()) {
    stats->problems.push_back(in.status().message());
    return;
  }
  ParseStats ps;
  std::string why;
  Status s = ForEachChunk(**in, 1 << 20, 1 << 20, &ps,
                          [&](std::string_view chunk, uint64_t first_line, uint64_t offset) {
                            uint64_t line_no = first_line;
                            size_t pos = 0;
                            while (pos < chunk.size()) {
                              size_t end = chunk.find('\n', pos);
                              if (end == std::string_view::npos) end = chunk.size();
                              std::string_view line = chunk.substr(pos, end - pos);
                              ++stats->lines;
                              std::optional<PlatformLogHeader> h = ParsePlatformLogLine(line, &why);
                              ErrorLogLine el;
                              std::string_view el_why;
                              if (!h && why.empty() && ParseErrorLogLine(line, zone, &el, &el_why))
                                h = PlatformLogHeader{el.time, ErrorLogLevel(el.level),
                                                      std::string(el.source), el.text};
                              if (!h) {
                                if (why.empty()) {
                                  ++stats->continuation;
                                } else {
                                  stats->skipped.Add(why, line_no, offset + pos, end - pos);
                                }
                              } else {
                                ++stats->parsed;
                                visit(PlatformLogLine{std::move(*h), line_no, offset + pos});
                              }
                              ++line_no;
                              pos = end + 1;
                            }
                            return true;
                          });
  stats->skipped.Merge(ps.skipped);
  if (!s.ok()) stats->problems.push_back(s.message());
  if (!ps.read_error.empty()) stats->problems.push_back(ps.read_error);
}

}  // namespace tq::logs
