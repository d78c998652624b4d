// The dump parser's values (dump_values.cc): every value form, numbers across the read buffer and
// the length limit, every stop of a string at every position, hex literals longer than the
// piece they are decoded in; rows only counted (DumpSink::CountsOnly) found without decoding them
// where that is exact, and parsed in full (with the same calls) where it is not.
#include <gtest/gtest.h>

#include "storedb/dump.h"
#include "storedb/dump_collect_testing.h"
namespace tq::storedb {
namespace {

using testing::Collect;
using testing::kHeader;
using testing::Parse;

TEST(DumpValues, EveryValueForm) {
  std::string sql(kHeader);
  sql +=
      "INSERT INTO `wp2_users` VALUES (1,'a\\0b\\'c\\\"d\\be\\nf\\rg\\th\\Zi\\\\j\\%k\\_l''m',"
      "_binary 'x\\0y',NULL),(2,\"dq\",0x4142,X'4344'),(-3.5e2,_utf8mb4'u',b'101',0x);\n"
      "/*!40000 ALTER TABLE `wp2_users` ENABLE KEYS */;\n";
  Collect c;
  DumpStats st = Parse(sql, &c);
  ASSERT_EQ(c.rows.size(), 3u) << (c.problems.empty() ? "" : c.problems[0].message);
  constexpr char kWant[] = "a\0b'c\"d\be\nf\rg\th\x1ai\\j\\%k\\_l'm";
  EXPECT_EQ(c.rows[0][1].second, std::string(kWant, sizeof kWant - 1));
  EXPECT_EQ(c.rows[0][2].first, ValueKind::kBinary);
  EXPECT_EQ(c.rows[0][2].second, std::string("x\0y", 3));
  EXPECT_EQ(c.rows[0][3].first, ValueKind::kNull);
  EXPECT_EQ(c.rows[1][1].second, "dq");
  EXPECT_EQ(c.rows[1][2].second, "AB");
  EXPECT_EQ(c.rows[1][3].second, "CD");
  EXPECT_EQ(c.rows[2][0].second, "-3.5e2");
  EXPECT_EQ(c.rows[2][0].first, ValueKind::kNumber);
  EXPECT_EQ(c.rows[2][1].second, "u");
  EXPECT_EQ(c.rows[2][2].second, "5");
  EXPECT_EQ(c.rows[2][3].second, "");
  EXPECT_EQ(st.rows, 3u);
  EXPECT_EQ(st.problems, 0u);
  EXPECT_EQ(c.offsets[0], sql.find("(1,"));
}

TEST(DumpValues, NumbersAcrossTheReadBufferAndTheLengthLimit) {
  // Rows of numbers until well past the 1 MB read buffer, so that numbers straddle its end.
  std::string sql = "INSERT INTO t VALUES ";
  std::vector<std::string> numbers;
  for (int i = 0; sql.size() < (3u << 20); ++i) {
    numbers.push_back(std::to_string(i * 7919LL) + (i % 3 ? "." + std::to_string(i) : "") +
                      (i % 5 ? "" : "e-3"));
    sql += (i ? ",(" : "(") + numbers.back() + ",-" + std::to_string(i) + ",NULL)";
  }
  sql += ";\n";
  Collect c;
  Parse(sql, &c);
  ASSERT_EQ(c.rows.size(), numbers.size());
  EXPECT_TRUE(c.problems.empty());
  for (size_t i = 0; i < numbers.size(); ++i) {
    ASSERT_EQ(c.rows[i][0], std::make_pair(ValueKind::kNumber, numbers[i])) << i;
    ASSERT_EQ(c.rows[i][1].second, "-" + std::to_string(i)) << i;
    ASSERT_EQ(c.rows[i][2].first, ValueKind::kNull) << i;
  }
  // 400 characters are a number; the 401st is reported where it is, and the statement's
  // rest is skipped.
  std::string n400(400, '9'), n401(401, '9');
  Collect d;
  Parse("INSERT INTO t VALUES (" + n400 + "),(" + n401 + "),(3);\nINSERT INTO t VALUES (4);\n", &d);
  ASSERT_EQ(d.rows.size(), 2u);
  EXPECT_EQ(d.rows[0][0].second, n400);
  EXPECT_EQ(d.rows[1][0].second, "4");
  ASSERT_EQ(d.problems.size(), 1u);
  EXPECT_EQ(d.problems[0].message.rfind("number longer than 400 characters", 0), 0u)
      << d.problems[0].message;
  EXPECT_EQ(d.problems[0].offset, 22u + 400 + 3 + 401);
}

TEST(DumpValues, EveryStopInAStringAtEveryPositionAndLength) {
  for (char quote : {'\'', '"'}) {
    for (size_t len = 0; len <= 40; ++len) {
      for (size_t at = 0; at <= len; ++at) {
        for (std::string_view stop : {"\\n", "\n", "''", "\"\"", "\\\\", "\xc3\xa9"}) {
          std::string body(len, 'x'), want(len, 'x');
          std::string written(stop);
          if (written == "''" && quote == '"') written = "'";      // not a stop in "..."
          if (written == "\"\"" && quote == '\'') written = "\"";  // nor this one in '...'
          body.insert(at, written);
          std::string unescaped = written == "\\n"    ? "\n"
                                  : written == "''"   ? "'"
                                  : written == "\"\"" ? "\""
                                  : written == "\\\\" ? "\\"
                                                      : written;
          want.insert(at, unescaped);
          std::string sql = "INSERT INTO `t` VALUES (1," + std::string(1, quote) + body +
                            std::string(1, quote) + ",2);\n";
          Collect c;
          DumpStats st = Parse(sql, &c);
          ASSERT_EQ(c.rows.size(), 1u) << sql;
          EXPECT_EQ(c.rows[0][1].second, want) << sql;
          EXPECT_EQ(c.rows[0][2].second, "2") << sql;
          EXPECT_EQ(st.problems, 0u) << sql;
        }
      }
    }
  }
}

// A hex literal is decoded in pieces of 4,096 digits: one longer than that decodes as one
// value, byte for byte; a short one of odd length has its leading 0 implied.
TEST(DumpValues, HexLiteralsLongerThanAPiece) {
  std::string digits, want;
  for (int i = 0; i < 5000; ++i) digits += "0123456789abcdef"[(i * 7) % 16];
  for (size_t i = 0; i < digits.size(); i += 2)
    want += static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16));
  std::string sql =
      std::string(kHeader) + "INSERT INTO `wp2_users` VALUES (1,'a',0xabc,0x" + digits + ");\n";
  Collect c;
  Parse(sql, &c);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0][2].second, std::string("\x0a\xbc", 2));
  EXPECT_EQ(c.rows[0][3].second, want);
}
// A sink that only counts (CountsOnly): rows the parser skipped come with no values.
struct CountingCollect : Collect {
  bool CountsOnly(const DumpTable&) const override { return true; }
};

TEST(DumpValues, CountedRowsAreSkippedWhereExactAndParsedElsewhere) {
  const std::string head =
      "CREATE TABLE `t` (`a` int, `b` varchar(9), `c` blob);\nINSERT INTO `t` VALUES ";
  struct Row {
    std::string text;
    bool skipped;  // found without decoding
  };
  const std::vector<Row> rows = {
      {"(1,'plain',NULL)", true},
      {"( -2.5e3 , 'it''s' ,null )", true},
      {"(3,'a\\'b\\\\c\\nd',\"dq\")", true},
      {"(4,'two\nlines',nULL)", true},
      {"(5,'back\\\nslash',0)", true},
      {"(6,'caf\xc3\xa9',1)", false},  // past ASCII: UTF-8 is checked in full
      {"(7,'\xff',1)", false},         // and reported
      {"(8,'x\\\xc3\xa9',1)", false},  // an escaped byte past ASCII
      {"(9,0x4142,1)", false},         // hex
      {"(10,X'41',1)", false},         // hex string
      {"(11,b'101',1)", false},        // bits
      {"(12,_binary 'x',1)", false},   // introducer
      {"(13,CURRENT_TIMESTAMP,1)", false},
      {"(14,NULLX,1)", false},                            // a word, not NULL
      {"(15,'x')", false},                                // too few values: reported
      {"(16,'x',1,2)", false},                            // too many
      {"()", false},                                      // none
      {"(18," + std::string(401, '9') + ",1)", false},    // a number too long
      {"(19 'x',1)", false},                              // garbage
      {"(20,'" + std::string(300, 'y') + "',1)", false},  // larger than max_row_bytes
      {"(21,'last',1)", true},
  };
  DumpOptions o;
  o.max_row_bytes = 200;
  size_t skipped = 0;
  for (const Row& r : rows) {
    // Each row alone and between two plain rows, so that what follows a row is checked too.
    for (const std::string& sql :
         {head + r.text + ";\n", head + "(0,'p',1)," + r.text + ",(22,'q',2);\nSELECT 1;\n"}) {
      Collect full;
      CountingCollect counted;
      DumpStats a = Parse(sql, &full, o), b = Parse(sql, &counted, o);
      EXPECT_EQ(counted.lines, full.lines) << r.text;
      EXPECT_EQ(counted.offsets, full.offsets) << r.text;
      EXPECT_EQ(counted.row_tables, full.row_tables) << r.text;
      ASSERT_EQ(counted.problems.size(), full.problems.size()) << r.text;
      for (size_t i = 0; i < full.problems.size(); ++i) {
        EXPECT_EQ(counted.problems[i].message, full.problems[i].message) << r.text;
        EXPECT_EQ(counted.problems[i].line, full.problems[i].line) << r.text;
        EXPECT_EQ(counted.problems[i].offset, full.problems[i].offset) << r.text;
      }
      EXPECT_EQ(a.rows, b.rows);
      EXPECT_EQ(a.rows_skipped, b.rows_skipped);
      EXPECT_EQ(a.bytes, b.bytes);
      EXPECT_EQ(a.statements, b.statements);
      // The row under test: skipped (no values) exactly where that is exact.
      size_t at = sql.find(r.text) - 1;
      for (size_t i = 0; i < counted.offsets.size(); ++i) {
        if (counted.offsets[i] != at + 1) continue;
        EXPECT_EQ(counted.rows[i].empty(), r.skipped) << r.text;
        skipped += counted.rows[i].empty();
      }
    }
  }
  EXPECT_EQ(skipped, 12u);  // the six rows skipped, each twice
}

TEST(DumpValues, CountedRowsAcrossTheReadBufferAreParsedInFull) {
  // Rows across the parser's 1 MiB read buffer: whatever the skip cannot see to the end of is
  // parsed, with the same calls.
  std::string sql = "CREATE TABLE `t` (`a` int, `b` text);\nINSERT INTO `t` VALUES ";
  for (int i = 0; i < 40000; ++i) {
    if (i > 0) sql += ",";
    sql += "(" + std::to_string(i) + ",'" + std::string(i % 61, 'a' + i % 26) + "''\\n')";
  }
  sql += ";\n";
  Collect full;
  CountingCollect counted;
  DumpStats a = Parse(sql, &full), b = Parse(sql, &counted);
  EXPECT_EQ(a.rows, 40000u);
  EXPECT_EQ(b.rows, 40000u);
  EXPECT_EQ(counted.offsets, full.offsets);
  EXPECT_EQ(counted.lines, full.lines);
  EXPECT_TRUE(counted.problems.empty());
  size_t parsed = 0;
  for (const auto& r : counted.rows) parsed += !r.empty();
  EXPECT_GT(parsed, 0u);
  EXPECT_LT(parsed, 10u);
}
}  // namespace
}  // namespace tq::storedb
