// Timestamp parsing for every form met in store evidence. Hand-written scanners (no
// std::get_time, no locale) because log parsing calls these per line.
#include "core/time.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>

namespace tq {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr const char* kMonthNames[12] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};

Status Bad(std::string_view text, std::string why) {
  std::string msg = "bad timestamp '";
  msg.append(text.substr(0, 64));
  msg += "': ";
  msg += why;
  return Status::BadInput(std::move(msg));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[pos]; advances pos.
bool Digits(std::string_view s, size_t& pos, int n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// "Jan".."Dec", case-insensitive on the first letter only as logs write them.
int MonthFromAbbrev(std::string_view m) {
  static constexpr const char* kAbbrev[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (m.size() != 3) return 0;
  for (int i = 0; i < 12; ++i) {
    if ((m[0] | 0x20) == (kAbbrev[i][0] | 0x20) && m[1] == kAbbrev[i][1] && m[2] == kAbbrev[i][2])
      return i + 1;
  }
  return 0;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Optional ".ffffff" (1-9 digits; kept to microseconds). Returns false on a dot without digits.
bool Fraction(std::string_view s, size_t& pos, int64_t* micros) {
  *micros = 0;
  if (pos >= s.size() || (s[pos] != '.' && s[pos] != ',')) return true;
  ++pos;
  int n = 0;
  int64_t v = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    if (n < 6) v = v * 10 + (s[pos] - '0');
    ++n;
    ++pos;
  }
  if (n == 0) return false;
  for (int i = n; i < 6; ++i) v *= 10;
  *micros = v;
  return true;
}

// "+0200", "+02:00", "-05", "Z". Sets offset seconds; returns error text or "".
std::string Offset(std::string_view s, size_t& pos, int* offset_seconds) {
  if (pos >= s.size()) return "missing UTC offset";
  char sign = s[pos];
  if (sign == 'Z' || sign == 'z') {
    ++pos;
    *offset_seconds = 0;
    return "";
  }
  if (sign != '+' && sign != '-') return "expected UTC offset (+hh:mm, -hhmm or Z)";
  ++pos;
  int hh = 0, mm = 0;
  if (!Digits(s, pos, 2, &hh)) return "UTC offset needs two hour digits";
  if (Expect(s, pos, ':')) {
    if (!Digits(s, pos, 2, &mm)) return "UTC offset needs two minute digits after ':'";
  } else if (pos < s.size() && IsDigit(s[pos])) {
    if (!Digits(s, pos, 2, &mm)) return "UTC offset needs two minute digits";
  }
  if (hh > 14 || mm > 59 || (hh == 14 && mm > 0)) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "UTC offset %c%02d%02d is out of range (-1400..+1400)", sign, hh,
                  mm);
    return buf;
  }
  *offset_seconds = (hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
  return "";
}

int64_t LocalMicros(int y, int mo, int d, int h, int mi, int s, int64_t frac) {
  return ((DaysFromCivil(y, mo, d) * kSecondsPerDay) + h * 3600 + mi * 60 + s) * kMicrosPerSecond +
         frac;
}

// Date "YYYY-MM-DD" at pos; then 'T' or ' ' and "hh:mm:ss[.f]". Fills fields.
std::string IsoDateTime(std::string_view s, size_t& pos, int f[6], int64_t* frac) {
  if (!Digits(s, pos, 4, &f[0])) return "expected a 4-digit year";
  if (!Expect(s, pos, '-') || !Digits(s, pos, 2, &f[1])) return "expected -MM after the year";
  if (!Expect(s, pos, '-') || !Digits(s, pos, 2, &f[2])) return "expected -DD after the month";
  if (!(Expect(s, pos, 'T') || Expect(s, pos, 't') || Expect(s, pos, ' ')))
    return "expected 'T' or a space between date and time";
  if (!Digits(s, pos, 2, &f[3])) return "expected hh";
  if (!Expect(s, pos, ':') || !Digits(s, pos, 2, &f[4])) return "expected :mm";
  if (!Expect(s, pos, ':') || !Digits(s, pos, 2, &f[5])) return "expected :ss";
  if (!Fraction(s, pos, frac)) return "expected digits after the decimal point";
  return CheckCivil(f[0], f[1], f[2], f[3], f[4], f[5]);
}

}  // namespace

int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  return date::sys_days(date::year(year) / date::month(month) / date::day(day))
      .time_since_epoch()
      .count();
}

std::string CheckCivil(int year, int month, int day, int hour, int minute, int second) {
  char buf[96];
  if (year < 1970 || year > 2200) {
    std::snprintf(buf, sizeof buf, "year %d is out of range (1970..2200)", year);
    return buf;
  }
  if (month < 1 || month > 12) {
    std::snprintf(buf, sizeof buf, "month %d is out of range (1..12)", month);
    return buf;
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    if (day < 1) {
      std::snprintf(buf, sizeof buf, "day %d is out of range", day);
    } else {
      std::snprintf(buf, sizeof buf, "day %d is past the end of %s %d", day, kMonthNames[month - 1],
                    year);
    }
    return buf;
  }
  if (hour > 23) {
    std::snprintf(buf, sizeof buf, "hour %d is out of range (00..23)", hour);
    return buf;
  }
  if (minute > 59) {
    std::snprintf(buf, sizeof buf, "minute %d is out of range (00..59)", minute);
    return buf;
  }
  if (second > 60) {  // 60: a leap second, as some syslogs write it
    std::snprintf(buf, sizeof buf, "second %d is out of range (00..60)", second);
    return buf;
  }
  return "";
}

TimeZone TimeZone::Utc() { return TimeZone(); }

Result<TimeZone> TimeZone::Named(std::string_view iana_name) {
  TimeZone z;
  if (iana_name == "UTC" || iana_name == "Etc/UTC" || iana_name == "Z") return z;
  try {
    const date::time_zone* tz = date::locate_zone(std::string(iana_name));
    z.zone_ = tz;
    z.name_ = std::string(iana_name);
    return z;
  } catch (const std::exception& e) {
    return Status::Usage("unknown time zone '" + std::string(iana_name) +
                         "': use an IANA name such as Europe/Berlin or America/New_York");
  }
}

Result<TimeZone> TimeZone::FixedOffset(int minutes_east) {
  if (minutes_east < -14 * 60 || minutes_east > 14 * 60)
    return Status::Usage("UTC offset out of range: " + std::to_string(minutes_east) + " minutes");
  TimeZone z;
  z.fixed_offset_seconds_ = minutes_east * 60;
  char buf[16];
  int a = minutes_east < 0 ? -minutes_east : minutes_east;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes_east < 0 ? '-' : '+', a / 60, a % 60);
  z.name_ = buf;
  return z;
}

UnixMicros TimeZone::LocalToUtc(int64_t local_micros) const {
  if (!zone_) return local_micros - int64_t{fixed_offset_seconds_} * kMicrosPerSecond;
  auto* tz = static_cast<const date::time_zone*>(zone_);
  using namespace std::chrono;
  date::local_time<microseconds> lt{microseconds(local_micros)};
  date::local_info info = tz->get_info(date::floor<seconds>(lt));
  int64_t off;
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // earlier instant: first offset
      off = info.first.offset.count();
      break;
    case date::local_info::nonexistent:  // in the gap: read with the offset before it
    default: off = info.first.offset.count(); break;
  }
  return local_micros - off * kMicrosPerSecond;
}

int TimeZone::OffsetAt(UnixMicros utc) const {
  if (!zone_) return fixed_offset_seconds_;
  auto* tz = static_cast<const date::time_zone*>(zone_);
  using namespace std::chrono;
  date::sys_seconds st{seconds(utc / kMicrosPerSecond - (utc % kMicrosPerSecond < 0 ? 1 : 0))};
  return static_cast<int>(tz->get_info(st).offset.count());
}

Result<UnixMicros> ParseCommonLogTime(std::string_view s) {
  // dd/Mon/yyyy:hh:mm:ss +zzzz
  size_t pos = 0;
  int d = 0, y = 0, h = 0, mi = 0, se = 0;
  if (!Digits(s, pos, 2, &d)) return Bad(s, "expected dd/Mon/yyyy:hh:mm:ss +zzzz");
  if (!Expect(s, pos, '/') || pos + 3 > s.size()) return Bad(s, "expected '/' and a month name");
  int mo = MonthFromAbbrev(s.substr(pos, 3));
  if (!mo) return Bad(s, "unknown month '" + std::string(s.substr(pos, 3)) + "'");
  pos += 3;
  if (!Expect(s, pos, '/') || !Digits(s, pos, 4, &y)) return Bad(s, "expected /yyyy");
  if (!Expect(s, pos, ':') || !Digits(s, pos, 2, &h)) return Bad(s, "expected :hh");
  if (!Expect(s, pos, ':') || !Digits(s, pos, 2, &mi)) return Bad(s, "expected :mm");
  if (!Expect(s, pos, ':') || !Digits(s, pos, 2, &se)) return Bad(s, "expected :ss");
  int64_t frac = 0;
  if (!Fraction(s, pos, &frac)) return Bad(s, "expected digits after the decimal point");
  if (std::string why = CheckCivil(y, mo, d, h, mi, se); !why.empty()) return Bad(s, why);
  if (!Expect(s, pos, ' ')) return Bad(s, "expected a space and the UTC offset");
  int off = 0;
  if (std::string why = Offset(s, pos, &off); !why.empty()) return Bad(s, why);
  if (pos != s.size()) return Bad(s, "unexpected text after the UTC offset");
  return LocalMicros(y, mo, d, h, mi, se, frac) - int64_t{off} * kMicrosPerSecond;
}

Result<UnixMicros> ParseIso8601(std::string_view s, const TimeZone& zone) {
  size_t pos = 0;
  int f[6] = {};
  int64_t frac = 0;
  if (std::string why = IsoDateTime(s, pos, f, &frac); !why.empty()) return Bad(s, why);
  int64_t local = LocalMicros(f[0], f[1], f[2], f[3], f[4], f[5], frac);
  if (pos == s.size()) return zone.LocalToUtc(local);
  int off = 0;
  if (std::string why = Offset(s, pos, &off); !why.empty()) return Bad(s, why);
  if (pos != s.size()) return Bad(s, "unexpected text after the UTC offset");
  return local - int64_t{off} * kMicrosPerSecond;
}

Result<UnixMicros> ParseLocalDateTime(std::string_view s, const TimeZone& zone) {
  size_t pos = 0;
  int f[6] = {};
  int64_t frac = 0;
  if (std::string why = IsoDateTime(s, pos, f, &frac); !why.empty()) return Bad(s, why);
  if (pos != s.size()) return Bad(s, "unexpected text after the time");
  return zone.LocalToUtc(LocalMicros(f[0], f[1], f[2], f[3], f[4], f[5], frac));
}

Result<UnixMicros> ParseSyslogTime(std::string_view s, const TimeZone& zone, UnixMicros reference) {
  // "Oct 10 13:55:36" or "Oct  1 13:55:36"
  if (s.size() < 15) return Bad(s, "expected 'Mon dd hh:mm:ss'");
  int mo = MonthFromAbbrev(s.substr(0, 3));
  if (!mo) return Bad(s, "unknown month '" + std::string(s.substr(0, 3)) + "'");
  size_t pos = 3;
  if (!Expect(s, pos, ' ')) return Bad(s, "expected a space after the month");
  int d = 0;
  if (s[pos] == ' ') {
    ++pos;
    if (!Digits(s, pos, 1, &d)) return Bad(s, "expected the day of month");
  } else if (!Digits(s, pos, 2, &d)) {
    return Bad(s, "expected the day of month");
  }
  int h = 0, mi = 0, se = 0;
  if (!Expect(s, pos, ' ') || !Digits(s, pos, 2, &h)) return Bad(s, "expected hh");
  if (!Expect(s, pos, ':') || !Digits(s, pos, 2, &mi)) return Bad(s, "expected :mm");
  if (!Expect(s, pos, ':') || !Digits(s, pos, 2, &se)) return Bad(s, "expected :ss");
  int64_t frac = 0;
  if (!Fraction(s, pos, &frac)) return Bad(s, "expected digits after the decimal point");
  if (pos != s.size()) return Bad(s, "unexpected text after the time");
  // Year: the reference's local year, or the one before when that would put the time more
  // than a day after the reference (a December line read in January).
  int64_t ref_local = reference + int64_t{zone.OffsetAt(reference)} * kMicrosPerSecond;
  date::sys_days ref_day{date::days(ref_local / (kSecondsPerDay * kMicrosPerSecond))};
  int year = static_cast<int>(date::year_month_day(ref_day).year());
  for (int attempt = 0; attempt < 2; ++attempt, --year) {
    if (mo == 2 && d == 29 && !IsLeap(year)) continue;
    if (std::string why = CheckCivil(year, mo, d, h, mi, se); !why.empty()) {
      if (attempt == 1) return Bad(s, why);
      continue;
    }
    UnixMicros t = zone.LocalToUtc(LocalMicros(year, mo, d, h, mi, se, frac));
    if (t <= reference + kSecondsPerDay * kMicrosPerSecond || attempt == 1) return t;
  }
  // Feb 29 in neither year, or the earlier year's date invalid.
  return Bad(s, "day " + std::to_string(d) + " is past the end of " + kMonthNames[mo - 1] +
                    " in the years around the reference time");
}

Result<UnixMicros> ParseUnixTime(std::string_view s) {
  size_t pos = 0;
  int64_t v = 0;
  int n = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    if (n >= 16) return Bad(s, "too many digits for a Unix time");
    v = v * 10 + (s[pos] - '0');
    ++n;
    ++pos;
  }
  if (n == 0) return Bad(s, "expected Unix seconds or milliseconds");
  int64_t frac = 0;
  if (!Fraction(s, pos, &frac)) return Bad(s, "expected digits after the decimal point");
  if (pos != s.size()) return Bad(s, "unexpected text after the Unix time");
  if (n == 13 && frac == 0 && s.find('.') == std::string_view::npos) return v * 1000;
  if (n > 10) return Bad(s, "expected 10 digits (seconds) or 13 digits (milliseconds)");
  UnixMicros t = v * kMicrosPerSecond + frac;
  if (t < 0 || v > 7'258'118'400) return Bad(s, "Unix time is out of range (1970..2200)");
  return t;
}

Result<UnixMicros> ParseAnyTime(std::string_view s, const TimeZone& zone, UnixMicros reference) {
  if (s.empty()) return Bad(s, "empty");
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.size() >= 20 && s[2] == '/') return ParseCommonLogTime(s);
  if (s.size() >= 19 && IsDigit(s[0]) && s[4] == '-') return ParseIso8601(s, zone);
  if (!s.empty() && IsDigit(s[0])) return ParseUnixTime(s);
  if (s.size() >= 15 && MonthFromAbbrev(s.substr(0, 3))) return ParseSyslogTime(s, zone, reference);
  return Bad(s,
             "not a known timestamp form (common log, ISO 8601, local date-time, syslog, "
             "Unix seconds or milliseconds)");
}

std::string FormatUtc(UnixMicros t) {
  int64_t secs = t / kMicrosPerSecond;
  int64_t us = t % kMicrosPerSecond;
  if (us < 0) {
    us += kMicrosPerSecond;
    --secs;
  }
  int64_t days = secs / kSecondsPerDay;
  int64_t rem = secs % kSecondsPerDay;
  if (rem < 0) {
    rem += kSecondsPerDay;
    --days;
  }
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(rem / 3600),
                        int(rem / 60 % 60), int(rem % 60));
  if (us) n += std::snprintf(buf + n, sizeof buf - n, ".%06d", int(us));
  buf[n++] = 'Z';
  return std::string(buf, n);
}

std::string FormatInZone(UnixMicros t, const TimeZone& zone) {
  int off = zone.OffsetAt(t);
  std::string s = FormatUtc(t + int64_t{off} * kMicrosPerSecond);
  s.pop_back();  // 'Z'
  int a = off < 0 ? -off : off;
  char buf[12];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  return s + buf;
}

UnixMicros NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace tq
