// Time: every timestamp form met in store evidence, parsed to UTC microseconds since the Unix
// epoch. An impossible date is an error naming what is wrong, never a guess.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tq {

using UnixMicros = int64_t;  // microseconds since 1970-01-01T00:00:00Z

// A time zone: UTC, a fixed offset, or a named IANA zone (tzdb via Howard Hinnant's date).
class TimeZone {
 public:
  static TimeZone Utc();
  static Result<TimeZone> Named(std::string_view iana_name);  // "Europe/Berlin", "UTC"
  static Result<TimeZone> FixedOffset(int minutes_east);

  const std::string& name() const { return name_; }
  // UTC instant of a local wall-clock time in this zone. Ambiguous times (DST fall-back)
  // take the earlier instant; times in a DST gap take the instant after the gap, as
  // clocks that jumped would have written them.
  UnixMicros LocalToUtc(int64_t local_micros) const;
  // Offset from UTC in seconds at the given instant.
  int OffsetAt(UnixMicros utc) const;

 private:
  TimeZone() = default;
  std::string name_ = "UTC";
  int fixed_offset_seconds_ = 0;
  const void* zone_ = nullptr;  // const date::time_zone*, when named
};

// Days since epoch for a proleptic Gregorian date; validated inputs only.
int64_t DaysFromCivil(int year, unsigned month, unsigned day);
// Validates y-m-d and h:m:s, returning the error text ("day 31 is past the end of
// February 2025") or an empty string.
std::string CheckCivil(int year, int month, int day, int hour, int minute, int second);

// nginx / Apache $time_local: "10/Oct/2025:13:55:36 +0200".
Result<UnixMicros> ParseCommonLogTime(std::string_view text);
// ISO 8601 / RFC 3339: "2025-10-10T13:55:36.123456+02:00", "...Z", "2025-10-10 13:55:36Z".
// Without an offset the time is read in `zone`.
Result<UnixMicros> ParseIso8601(std::string_view text, const TimeZone& zone);
// "2025-10-10 13:55:36" (optionally with .fraction) in `zone`: MySQL, Magento, WordPress logs.
Result<UnixMicros> ParseLocalDateTime(std::string_view text, const TimeZone& zone);
// syslog "Oct 10 13:55:36" (day may be space padded). The year is the one that puts the
// time no later than one day after `reference` (the file's mtime or a later line's time),
// so a log that spans New Year gets December of the year before.
Result<UnixMicros> ParseSyslogTime(std::string_view text, const TimeZone& zone,
                                   UnixMicros reference);
// Unix seconds ("1760104536", "1760104536.25") or milliseconds (13 digits).
Result<UnixMicros> ParseUnixTime(std::string_view text);
// MySQL general log "251010 13:55:36" / "2025-10-10T11:55:36.123456Z" forms are covered by
// the above. ParseAnyTime tries each form in turn; the error names the forms tried.
Result<UnixMicros> ParseAnyTime(std::string_view text, const TimeZone& zone, UnixMicros reference);

// "2025-10-10T11:55:36Z", with ".123456" when the microseconds are not zero.
std::string FormatUtc(UnixMicros t);
// "2025-10-10T13:55:36+02:00" in the given zone.
std::string FormatInZone(UnixMicros t, const TimeZone& zone);
// Wall clock now.
UnixMicros NowMicros();

}  // namespace tq
