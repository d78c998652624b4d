// The timestamp table: every form met in store evidence, and malformed ones with the exact
// error text.
#include "core/time.h"

#include <gtest/gtest.h>

namespace tq {
namespace {

struct TimeCase {
  const char* form;  // clf | iso | local | syslog | unix | any
  const char* input;
  const char* zone;
  const char* want;  // FormatUtc of the result, or "ERR:<message>"
};

// Reference for syslog year inference: 2025-01-03T12:00:00Z.
constexpr UnixMicros kReference = 1735905600LL * 1000000;

const TimeCase kCases[] = {
    // nginx / Apache $time_local
    {"clf", "10/Oct/2025:13:55:36 +0200", "UTC", "2025-10-10T11:55:36Z"},
    {"clf", "10/Oct/2025:13:55:36 -0700", "UTC", "2025-10-10T20:55:36Z"},
    {"clf", "01/Jan/2025:00:00:00 +0000", "UTC", "2025-01-01T00:00:00Z"},
    {"clf", "29/Feb/2024:23:59:59 +0100", "UTC", "2024-02-29T22:59:59Z"},
    {"clf", "31/Dec/2024:23:30:00 -0100", "UTC", "2025-01-01T00:30:00Z"},
    {"clf", "10/Oct/2025:13:55:36.250 +0200", "UTC", "2025-10-10T11:55:36.250000Z"},
    {"clf", "10/oct/2025:13:55:36 +0200", "UTC", "2025-10-10T11:55:36Z"},
    {"clf", "31/Feb/2025:13:55:36 +0200", "UTC",
     "ERR:bad timestamp '31/Feb/2025:13:55:36 +0200': day 31 is past the end of February 2025"},
    {"clf", "29/Feb/2025:10:00:00 +0000", "UTC",
     "ERR:bad timestamp '29/Feb/2025:10:00:00 +0000': day 29 is past the end of February 2025"},
    {"clf", "10/Oct/2025:25:55:36 +0200", "UTC",
     "ERR:bad timestamp '10/Oct/2025:25:55:36 +0200': hour 25 is out of range (00..23)"},
    {"clf", "10/Oct/2025:13:61:36 +0200", "UTC",
     "ERR:bad timestamp '10/Oct/2025:13:61:36 +0200': minute 61 is out of range (00..59)"},
    {"clf", "10/Oct/2025:13:55:36 +9900", "UTC",
     "ERR:bad timestamp '10/Oct/2025:13:55:36 +9900': UTC offset +9900 is out of range "
     "(-1400..+1400)"},
    {"clf", "10/Foo/2025:13:55:36 +0200", "UTC",
     "ERR:bad timestamp '10/Foo/2025:13:55:36 +0200': unknown month 'Foo'"},
    {"clf", "10/Oct/2025:13:55:36", "UTC",
     "ERR:bad timestamp '10/Oct/2025:13:55:36': expected a space and the UTC offset"},
    {"clf", "10/Oct/2025:13:55", "UTC", "ERR:bad timestamp '10/Oct/2025:13:55': expected :ss"},
    {"clf", "10/Oct/2025:13:55:36 +0200 extra", "UTC",
     "ERR:bad timestamp '10/Oct/2025:13:55:36 +0200 extra': unexpected text after the UTC offset"},
    {"clf", "", "UTC", "ERR:bad timestamp '': expected dd/Mon/yyyy:hh:mm:ss +zzzz"},
    {"clf", "00/Oct/2025:13:55:36 +0200", "UTC",
     "ERR:bad timestamp '00/Oct/2025:13:55:36 +0200': day 0 is out of range"},
    // ISO 8601 / RFC 3339
    {"iso", "2025-10-10T13:55:36+02:00", "UTC", "2025-10-10T11:55:36Z"},
    {"iso", "2025-10-10T11:55:36Z", "UTC", "2025-10-10T11:55:36Z"},
    {"iso", "2025-10-10T11:55:36.123456Z", "UTC", "2025-10-10T11:55:36.123456Z"},
    {"iso", "2025-10-10T11:55:36.123456789Z", "UTC", "2025-10-10T11:55:36.123456Z"},
    {"iso", "2025-10-10T11:55:36.5-03:30", "UTC", "2025-10-10T15:25:36.500000Z"},
    {"iso", "2025-10-10 11:55:36+0000", "UTC", "2025-10-10T11:55:36Z"},
    {"iso", "2025-10-10t11:55:36z", "UTC", "2025-10-10T11:55:36Z"},
    {"iso", "2025-10-10T13:55:36", "Europe/Berlin", "2025-10-10T11:55:36Z"},
    {"iso", "2025-13-10T11:55:36Z", "UTC",
     "ERR:bad timestamp '2025-13-10T11:55:36Z': month 13 is out of range (1..12)"},
    {"iso", "2025-04-31T11:55:36Z", "UTC",
     "ERR:bad timestamp '2025-04-31T11:55:36Z': day 31 is past the end of April 2025"},
    {"iso", "2025-10-10T11:55:36.Z", "UTC",
     "ERR:bad timestamp '2025-10-10T11:55:36.Z': expected digits after the decimal point"},
    {"iso", "2025-10-10T11:55:36+1500", "UTC",
     "ERR:bad timestamp '2025-10-10T11:55:36+1500': UTC offset +1500 is out of range "
     "(-1400..+1400)"},
    {"iso", "2025-10-10X11:55:36Z", "UTC",
     "ERR:bad timestamp '2025-10-10X11:55:36Z': expected 'T' or a space between date and time"},
    {"iso", "25-10-10T11:55:36Z", "UTC",
     "ERR:bad timestamp '25-10-10T11:55:36Z': expected a 4-digit year"},
    {"iso", "1969-12-31T23:59:59Z", "UTC",
     "ERR:bad timestamp '1969-12-31T23:59:59Z': year 1969 is out of range (1970..2200)"},
    // Local date-time in a named zone (MySQL, Magento, WordPress logs)
    {"local", "2025-10-10 13:55:36", "Europe/Berlin", "2025-10-10T11:55:36Z"},
    {"local", "2025-01-10 13:55:36", "Europe/Berlin", "2025-01-10T12:55:36Z"},
    {"local", "2025-07-04 09:00:00", "America/New_York", "2025-07-04T13:00:00Z"},
    {"local", "2025-10-10 13:55:36.75", "UTC", "2025-10-10T13:55:36.750000Z"},
    {"local", "2025-10-26 02:30:00", "Europe/Berlin",
     "2025-10-26T00:30:00Z"},  // ambiguous: earlier
    {"local", "2025-03-30 02:30:00", "Europe/Berlin", "2025-03-30T01:30:00Z"},  // gap
    {"local", "2025-10-10 13:55:36Z", "UTC",
     "ERR:bad timestamp '2025-10-10 13:55:36Z': unexpected text after the time"},
    {"local", "2025-10-10 24:00:00", "UTC",
     "ERR:bad timestamp '2025-10-10 24:00:00': hour 24 is out of range (00..23)"},
    // syslog, year inferred from the reference (2025-01-03)
    {"syslog", "Jan  2 08:00:01", "UTC", "2025-01-02T08:00:01Z"},
    {"syslog", "Dec 31 23:59:59", "UTC", "2024-12-31T23:59:59Z"},
    {"syslog", "Jan  4 10:00:00", "UTC", "2025-01-04T10:00:00Z"},
    {"syslog", "Oct 10 13:55:36", "Europe/Berlin", "2024-10-10T11:55:36Z"},
    {"syslog", "Feb 30 10:00:00", "UTC",
     "ERR:bad timestamp 'Feb 30 10:00:00': day 30 is past the end of February 2024"},
    {"syslog", "Oct 10 13:55", "UTC",
     "ERR:bad timestamp 'Oct 10 13:55': expected 'Mon dd hh:mm:ss'"},
    {"syslog", "Xyz 10 13:55:36", "UTC",
     "ERR:bad timestamp 'Xyz 10 13:55:36': unknown month 'Xyz'"},
    // Unix seconds and milliseconds
    {"unix", "1760104536", "UTC", "2025-10-10T13:55:36Z"},
    {"unix", "1760104536.25", "UTC", "2025-10-10T13:55:36.250000Z"},
    {"unix", "1760104536123", "UTC", "2025-10-10T13:55:36.123000Z"},
    {"unix", "0", "UTC", "1970-01-01T00:00:00Z"},
    {"unix", "17601045361", "UTC",
     "ERR:bad timestamp '17601045361': expected 10 digits (seconds) or 13 digits (milliseconds)"},
    {"unix", "1760104536x", "UTC",
     "ERR:bad timestamp '1760104536x': unexpected text after the Unix time"},
    {"unix", "-5", "UTC", "ERR:bad timestamp '-5': expected Unix seconds or milliseconds"},
    // Any form
    {"any", "[10/Oct/2025:13:55:36 +0200]", "UTC", "2025-10-10T11:55:36Z"},
    {"any", "2025-10-10T11:55:36Z", "UTC", "2025-10-10T11:55:36Z"},
    {"any", "2025-10-10 13:55:36", "Europe/Berlin", "2025-10-10T11:55:36Z"},
    {"any", "Dec 31 23:59:59", "UTC", "2024-12-31T23:59:59Z"},
    {"any", "1760104536", "UTC", "2025-10-10T13:55:36Z"},
    {"any", "yesterday", "UTC",
     "ERR:bad timestamp 'yesterday': not a known timestamp form (common log, ISO 8601, local "
     "date-time, syslog, Unix seconds or milliseconds)"},
};

Result<UnixMicros> ParseForm(const TimeCase& c, const TimeZone& zone) {
  std::string_view form = c.form;
  if (form == "clf") return ParseCommonLogTime(c.input);
  if (form == "iso") return ParseIso8601(c.input, zone);
  if (form == "local") return ParseLocalDateTime(c.input, zone);
  if (form == "syslog") return ParseSyslogTime(c.input, zone, kReference);
  if (form == "unix") return ParseUnixTime(c.input);
  return ParseAnyTime(c.input, zone, kReference);
}

class TimestampTable : public ::testing::TestWithParam<TimeCase> {};

TEST_P(TimestampTable, ParsesOrNamesTheProblem) {
  const TimeCase& c = GetParam();
  Result<TimeZone> zone = TimeZone::Named(c.zone);
  ASSERT_TRUE(zone.ok()) << c.zone;
  Result<UnixMicros> got = ParseForm(c, *zone);
  std::string want = c.want;
  if (want.rfind("ERR:", 0) == 0) {
    ASSERT_FALSE(got.ok()) << c.input << " parsed as " << FormatUtc(*got);
    EXPECT_EQ(got.status().message(), want.substr(4));
    EXPECT_EQ(got.status().code(), ErrorCode::kBadInput);
  } else {
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status().ToString();
    EXPECT_EQ(FormatUtc(*got), want) << c.input;
  }
}

INSTANTIATE_TEST_SUITE_P(AllForms, TimestampTable, ::testing::ValuesIn(kCases));

TEST(TimestampTableSize, HasAtLeastFortyCases) { EXPECT_GE(std::size(kCases), 40u); }

TEST(TimeZoneTest, UnknownZoneIsAUsageError) {
  Result<TimeZone> z = TimeZone::Named("Mars/Olympus_Mons");
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.status().code(), ErrorCode::kUsage);
  EXPECT_NE(z.status().message().find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(TimeZoneTest, FormatInZoneShowsLocalOffset) {
  Result<TimeZone> z = TimeZone::Named("Europe/Berlin");
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(FormatInZone(1760104536LL * 1000000, *z), "2025-10-10T15:55:36+02:00");
  EXPECT_EQ(FormatInZone(1736510136LL * 1000000, *z), "2025-01-10T12:55:36+01:00");
}

TEST(TimeZoneTest, FixedOffset) {
  Result<TimeZone> z = TimeZone::FixedOffset(-330);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->name(), "-05:30");
  Result<UnixMicros> t = ParseLocalDateTime("2025-10-10 00:00:00", *z);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatUtc(*t), "2025-10-10T05:30:00Z");
  EXPECT_FALSE(TimeZone::FixedOffset(15 * 60).ok());
}

TEST(FormatUtcTest, NegativeAndFractional) {
  EXPECT_EQ(FormatUtc(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatUtc(1), "1970-01-01T00:00:00.000001Z");
}

TEST(TimeHostile, NeverReadsPastTheInput) {
  // Every prefix of valid forms must fail cleanly, never crash.
  for (std::string s : {"10/Oct/2025:13:55:36 +0200", "2025-10-10T11:55:36.123+02:00",
                        "Oct 10 13:55:36", "1760104536123"}) {
    for (size_t n = 0; n < s.size(); ++n) {
      (void)ParseAnyTime(std::string_view(s.data(), n), TimeZone::Utc(), kReference);
    }
  }
  std::string nonutf8 = "10/\xff\xfe\xfd/2025:13:55:36 +0200";
  EXPECT_FALSE(ParseCommonLogTime(nonutf8).ok());
}

}  // namespace
}  // namespace tq
