// Locale formatting: each shipped language's dates and counts as its readers write them, and
// the locale.* keys' errors (file:line, what is wrong) for a language being added.
#include "notify/locale.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace tq::notify {
namespace {

std::string Templates() { return std::string(TQ_SOURCE_DIR) + "/data/templates"; }

// Reads strings.<lang>.txt as render.cc does: "key: value" lines, '#' comments.
LocaleFormat Shipped(const std::string& lang) {
  std::string path = Templates() + "/strings." + lang + ".txt";
  std::ifstream in(path);
  std::map<std::string, std::string> kv;
  std::map<std::string, int> lines;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    size_t colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    kv[line.substr(0, colon)] = v;
    lines[line.substr(0, colon)] = n;
  }
  Result<LocaleFormat> f = ParseLocaleFormat(kv, lines, path);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : LocaleFormat{};
}

TEST(Locale, DatesAndCountsAsEachLanguageWritesThem) {
  const std::string nbsp = "\xC2\xA0", nnbsp = "\xE2\x80\xAF";
  struct {
    const char* lang;
    const char* december6;  // 2026-12-06
    const char* march1;     // 2025-03-01
    std::string thousands;  // 1234
    std::string millions;   // 1234567
  } cases[] = {
      {"en", "December 6, 2026", "March 1, 2025", "1,234", "1,234,567"},
      {"de", "6. Dezember 2026", "1. März 2025", "1.234", "1.234.567"},
      {"fr", "6 décembre 2026", "1er mars 2025", "1" + nnbsp + "234",
       "1" + nnbsp + "234" + nnbsp + "567"},
      {"es", "6 de diciembre de 2026", "1 de marzo de 2025", "1234", "1.234.567"},
      {"it", "6 dicembre 2026", "1º marzo 2025", "1.234", "1.234.567"},
      {"nl", "6 december 2026", "1 maart 2025", "1.234", "1.234.567"},
      {"pl", "6 grudnia 2026", "1 marca 2025", "1234", "1" + nbsp + "234" + nbsp + "567"},
      {"pt", "6 de dezembro de 2026", "1 de março de 2025", "1.234", "1.234.567"},
      {"sv", "6 december 2026", "1 mars 2025", "1" + nbsp + "234",
       "1" + nbsp + "234" + nbsp + "567"},
      {"da", "6. december 2026", "1. marts 2025", "1.234", "1.234.567"},
      {"nb", "6. desember 2026", "1. mars 2025", "1" + nbsp + "234",
       "1" + nbsp + "234" + nbsp + "567"},
      {"fi", "6. joulukuuta 2026", "1. maaliskuuta 2025", "1" + nbsp + "234",
       "1" + nbsp + "234" + nbsp + "567"},
      {"cs", "6. prosince 2026", "1. března 2025", "1" + nbsp + "234",
       "1" + nbsp + "234" + nbsp + "567"},
      {"tr", "6 Aralık 2026", "1 Mart 2025", "1.234", "1.234.567"},
      {"ja", "2026年12月6日", "2025年3月1日", "1,234", "1,234,567"},
  };
  // Every shipped language has its row here.
  std::set<std::string> shipped, tested;
  for (const auto& e : std::filesystem::directory_iterator(Templates())) {
    std::string name = e.path().filename().string();
    if (name.starts_with("strings.") && name.ends_with(".txt"))
      shipped.insert(name.substr(8, name.size() - 12));
  }
  for (const auto& c : cases) tested.insert(c.lang);
  EXPECT_EQ(shipped, tested);
  for (const auto& c : cases) {
    LocaleFormat f = Shipped(c.lang);
    EXPECT_EQ(FormatIsoDate(f, "2026-12-06").value_or("?"), c.december6) << c.lang;
    EXPECT_EQ(FormatDate(f, 2025, 3, 1), c.march1) << c.lang;
    EXPECT_EQ(FormatCount(f, 1234), c.thousands) << c.lang;
    EXPECT_EQ(FormatCount(f, 1234567), c.millions) << c.lang;
    EXPECT_EQ(FormatCount(f, 187), "187") << c.lang;
    EXPECT_EQ(FormatCount(f, 0), "0") << c.lang;
  }
}

TEST(Locale, IsoDatesOnlyAndCalendarChecked) {
  LocaleFormat f = Shipped("de");
  EXPECT_EQ(FormatIsoDate(f, "2026-12-06T10:00:00Z").value_or("?"), "6. Dezember 2026");
  EXPECT_EQ(FormatIsoDate(f, "2024-02-29").value_or("?"), "29. Februar 2024");
  for (const char* bad : {"", "unknown", "2026-12", "2026-13-01", "2025-02-29", "2026-12-00",
                          "2026-1-06", "2026/12/06", "2026-12-06x", "２０２６-12-06", "-026-12-06"})
    EXPECT_FALSE(FormatIsoDate(f, bad).has_value()) << bad;
}

TEST(Locale, CountsAtTheEdges) {
  LocaleFormat f = Shipped("en");
  EXPECT_EQ(FormatCount(f, -1234), "-1,234");
  EXPECT_EQ(FormatCount(f, 999), "999");
  EXPECT_EQ(FormatCount(f, 1000), "1,000");
  EXPECT_EQ(FormatCount(f, INT64_MAX), "9,223,372,036,854,775,807");
  EXPECT_EQ(FormatCount(f, INT64_MIN), "-9,223,372,036,854,775,808");
}

// A language being added: each mistake in its locale.* lines is named with file and line.
TEST(Locale, BrokenLocaleLinesAreNamed) {
  const std::map<std::string, std::string> good = {{"locale.months", "a b c d e f g h i j k l"},
                                                   {"locale.date", "{day} {month} {year}"},
                                                   {"locale.group", "comma"}};
  const std::map<std::string, int> lines = {{"locale.months", 3},
                                            {"locale.date", 4},
                                            {"locale.group", 5},
                                            {"locale.first_day", 6},
                                            {"locale.group_from", 7}};
  ASSERT_TRUE(ParseLocaleFormat(good, lines, "strings.xx.txt").ok());
  struct {
    const char* key;
    const char* value;  // nullptr: the key is missing
    const char* error;
  } cases[] = {
      {"locale.months", nullptr,
       "strings.xx.txt: no locale.months (the twelve month names, as written after a day)"},
      {"locale.months", "a b c d e f g h i j k",
       "strings.xx.txt:3: locale.months: 11 month names, expected 12"},
      {"locale.months", "a b c d e f g h i j k l m",
       "strings.xx.txt:3: locale.months: 13 month names, expected 12"},
      {"locale.months", "a b c d e f g h i j k \x1b[2Jl",
       "strings.xx.txt:3: locale.months: control character"},
      {"locale.date", "{day} {month}",
       "strings.xx.txt:4: locale.date: needs {day}, {year} and {month} or {month_number}"},
      {"locale.date", "{day} {monat} {year}",
       "strings.xx.txt:4: locale.date: unknown placeholder '{monat}' (known: {day} {month} "
       "{month_number} {year})"},
      {"locale.date", "{day} {month} {year",
       "strings.xx.txt:4: locale.date: unknown placeholder '{year' (known: {day} {month} "
       "{month_number} {year})"},
      {"locale.date", "",
       "strings.xx.txt: no locale.date (the date pattern, e.g. {day} {month} {year})"},
      {"locale.group", "dot",
       "strings.xx.txt:5: locale.group: 'dot' is not one of comma, period, space, thin-space, "
       "apostrophe, none"},
      {"locale.first_day", "1\x7f", "strings.xx.txt:6: locale.first_day: control character"},
      {"locale.group_from", "3",
       "strings.xx.txt:7: locale.group_from: '3' is not a digit count from 4 to 9"},
      {"locale.group_from", "12",
       "strings.xx.txt:7: locale.group_from: '12' is not a digit count from 4 to 9"},
  };
  for (const auto& c : cases) {
    std::map<std::string, std::string> kv = good;
    if (c.value)
      kv[c.key] = c.value;
    else
      kv.erase(c.key);
    Result<LocaleFormat> f = ParseLocaleFormat(kv, lines, "strings.xx.txt");
    ASSERT_FALSE(f.ok()) << c.key << "=" << (c.value ? c.value : "(missing)");
    EXPECT_EQ(f.status().ToString(), c.error);
  }
}

TEST(Locale, PatternTextAroundPlaceholdersIsKept) {
  LocaleFormat f;
  f.months = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"};
  f.date_pattern = "le {day} ({month_number}/{month}) an {year} {";
  EXPECT_EQ(FormatDate(f, 2026, 12, 6), "le 6 (12/XII) an 2026 {");
}

}  // namespace
}  // namespace tq::notify
