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
  ASSERT_EQ(c.rows.size(), 3u) << (c.problems.empty() ? "" : c.problems[0].reason);
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
  EXPECT_EQ(d.problems[0].reason.rfind("number longer than 400 characters", 0), 0u)
      << d.problems[0].reason;
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

// A plain row's string is checked for UTF-8 only when its scan saw a byte past ASCII: such a
// byte is found wherever it stands (in the scan's eight-byte steps or in the bytes after
// them), an invalid one reported once against its column, valid UTF-8 not at all.
TEST(DumpValues, PlainRowsCheckTheStringsWithBytesPastAscii) {
  const std::string create = "CREATE TABLE `t` (`a` varchar(40), `b` varchar(40), `c` int);\n";
  for (size_t len = 1; len <= 20; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (int col = 0; col < 2; ++col) {
        const std::string plain(len, 'x');
        std::string bad = plain, good = plain;
        bad[at] = '\xff';
        good.replace(at, 1, "\xc3\xa9");
        auto row = [&](const std::string& v, const char* id) {
          return "('" + (col == 0 ? v : plain) + "','" + (col == 1 ? v : plain) + "'," + id + ")";
        };
        Collect c;
        Parse(create + "INSERT INTO `t` VALUES " + row(bad, "1") + "," + row(good, "2") + ";\n",
              &c);
        ASSERT_EQ(c.rows.size(), 2u);
        ASSERT_EQ(c.problems.size(), 1u) << len << " " << at << " " << col;
        EXPECT_EQ(c.problems[0].reason, std::string("invalid UTF-8 in `t`.`") +
                                            (col == 0 ? "a" : "b") +
                                            "` (row kept, value read as bytes)");
        EXPECT_EQ(c.rows[0][col].second, bad);
        EXPECT_EQ(c.rows[1][col].second, good);
      }
    }
  }
}

// Rows of the common forms only (quoted strings, numbers, NULL) are read in the bytes at hand
// (ScanPlainRow), the others value by value (ParseRow): both give the same values, problems
// and lines. The statement is read as written, and again with one value of each row written
// in a form that only ParseRow reads (a charset introducer, which changes nothing here; an
// empty hex literal where the first has a 0).
TEST(DumpValues, PlainRowsAndRowsReadValueByValueAgree) {
  const std::string create =
      "CREATE TABLE `t` (`id` int, `s` varchar(9), `b` blob, `n` decimal(9,2));\n";
  const std::string plain_sql =
      "INSERT INTO `t` VALUES (1,'caf\xc3\xa9','\xff',1.5),(2,'bad\xff','\xfe',-2),"
      "( 3 ,\n \"dq\" , NULL\t,\r\n+.5e3 ),(),(4,'',\"\",nULl),(5,'x'),(6,'y',7,8,9),"
      "(10,'a\\nb\\'c''d\\%e\\_f\\0g\\Z\\\\h\\\ni\\q','x\"\"\\\"y\"',2),"
      "(8,'w',0,1),(7,'z'x,1,2);\n"
      "INSERT INTO `t` VALUES (9,'a','b',1);\n";
  std::string escaped = plain_sql;
  for (auto [from, to] : {std::pair{"(1,'caf", "(1,_utf8mb4'caf"},
                          {"(2,'bad", "(2,_utf8mb4'bad"},
                          {"\"dq\"", "_latin1\"dq\""},
                          {"(4,''", "(4,_utf8''"},
                          {"(5,'x'", "(5,_utf8'x'"},
                          {"(6,'y'", "(6,_utf8'y'"},
                          {"(10,'a", "(10,_utf8'a"},
                          {"(8,'w',0", "(8,'w',0x"},
                          {"(7,'z'", "(7,_utf8'z'"},
                          {"(9,'a'", "(9,_utf8'a'"}}) {
    size_t at = escaped.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    escaped.replace(at, std::string_view(from).size(), to);
  }
  Collect plain, slow;
  DumpStats a = Parse(create + plain_sql, &plain);
  DumpStats b = Parse(create + escaped, &slow);
  ASSERT_EQ(plain.rows.size(), 7u);
  ASSERT_EQ(slow.rows.size(), 7u);
  for (size_t i = 0; i < plain.rows.size(); ++i) {
    ASSERT_EQ(plain.rows[i].size(), 4u) << i;
    for (size_t k = 0; k < 4; ++k) {
      if (i == 5 && k == 2) {  // 0 against 0x, an empty hex literal
        EXPECT_EQ(plain.rows[i][k], std::make_pair(ValueKind::kNumber, std::string("0")));
        EXPECT_EQ(slow.rows[i][k], std::make_pair(ValueKind::kBinary, std::string()));
        continue;
      }
      EXPECT_EQ(plain.rows[i][k], slow.rows[i][k]) << i << " " << k;
    }
  }
  EXPECT_EQ(plain.rows[4][1].second, std::string("a\nb'c'd\\%e\\_f\0g\x1a\\h\ni"
                                                 "q",
                                                 21));
  EXPECT_EQ(plain.rows[4][2].second, "x\"\"\"y\"");
  EXPECT_EQ(plain.rows[0][1].second, "caf\xc3\xa9");
  EXPECT_EQ(plain.rows[0][2], std::make_pair(ValueKind::kString, std::string("\xff")));
  EXPECT_EQ(plain.rows[1][3], std::make_pair(ValueKind::kNumber, std::string("-2")));
  EXPECT_EQ(plain.rows[2][1], std::make_pair(ValueKind::kString, std::string("dq")));
  EXPECT_EQ(plain.rows[2][2].first, ValueKind::kNull);
  EXPECT_EQ(plain.rows[2][3], std::make_pair(ValueKind::kNumber, std::string("+.5e3")));
  EXPECT_EQ(plain.rows[3][3].first, ValueKind::kNull);
  EXPECT_EQ(plain.rows[6][0].second, "9");
  EXPECT_EQ(plain.lines, slow.lines);
  EXPECT_EQ(plain.lines, (std::vector<uint64_t>{2, 2, 2, 4, 4, 5, 6}));
  EXPECT_EQ(plain.offsets[0], slow.offsets[0]);
  // The same problems on the same lines: the UTF-8 of a text column (not the blob's), the
  // column counts and the text after a value.
  ASSERT_EQ(plain.problems.size(), 5u);
  ASSERT_EQ(slow.problems.size(), 5u);
  EXPECT_EQ(plain.problems[0].reason, "invalid UTF-8 in `t`.`s` (row kept, value read as bytes)");
  EXPECT_EQ(plain.problems[1].reason,
            "column count mismatch in `t`: row has 0 values, table has 4 columns; row skipped");
  EXPECT_EQ(plain.problems[2].reason,
            "column count mismatch in `t`: row has 2 values, table has 4 columns; row skipped");
  EXPECT_EQ(plain.problems[3].reason,
            "column count mismatch in `t`: row has 5 values, table has 4 columns; row skipped");
  EXPECT_EQ(plain.problems[4].reason.rfind("expected ',' or ')' after value 2, found ", 0), 0u)
      << plain.problems[4].reason;
  const std::vector<DumpProblem>& slow_problems = slow.problems;
  for (size_t i = 0; i < plain.problems.size(); ++i) {
    EXPECT_EQ(plain.problems[i].reason, slow_problems[i].reason) << i;
    EXPECT_EQ(plain.problems[i].line, slow_problems[i].line) << i;
  }
  EXPECT_EQ(plain.problems[0].offset, create.size() + plain_sql.find("(2,"));
  EXPECT_EQ(slow.problems[0].offset, create.size() + escaped.find("(2,"));
  EXPECT_EQ(a.rows + a.rows_skipped, b.rows + b.rows_skipped);
  // A row longer than max_row_bytes as written whose values are not: read in full either way.
  std::string ones = "INSERT INTO u VALUES (1";
  for (int i = 0; i < 599; ++i) ones += ",1";
  ones += ");\n";
  DumpOptions o;
  o.max_row_bytes = 1000;
  Collect c;
  DumpStats st = Parse(ones, &c, o);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].size(), 600u);
  EXPECT_EQ(st.problems, 0u);
  // Past it as written: a row of escaped strings is skipped and reported, one of many NULLs
  // (no bytes of values) read in full, as ParseRow reads them.
  std::string escapes, nulls = "1";
  for (int i = 0; i < 3000; ++i) escapes += "\\n";
  for (int i = 0; i < 3000; ++i) nulls += ",NULL";
  Collect big;
  st = Parse("INSERT INTO u VALUES (1,'" + escapes + "'),(2,'\\n');\nINSERT INTO v VALUES (" +
                 nulls + ");\n",
             &big, o);
  ASSERT_EQ(big.rows.size(), 2u);
  EXPECT_EQ(big.rows[0][1].second, "\n");
  EXPECT_EQ(big.rows[1].size(), 3001u);
  EXPECT_EQ(st.rows_skipped, 1u);
  ASSERT_EQ(big.problems.size(), 1u);
  EXPECT_EQ(big.problems[0].reason, "row larger than 1000 bytes in `u`; row skipped");
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
        EXPECT_EQ(counted.problems[i].reason, full.problems[i].reason) << r.text;
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
