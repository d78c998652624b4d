// The dump parser: every value form, then each corruption class with its exact message.
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "storedb/dump.h"

namespace tq::storedb {
namespace {

struct Collect : DumpSink {
  std::vector<DumpTable> tables;
  std::vector<std::vector<std::pair<ValueKind, std::string>>> rows;
  std::vector<std::string> row_tables;
  std::vector<uint64_t> offsets, lines;
  std::vector<DumpProblem> problems;
  Status OnTable(const DumpTable& t) override {
    tables.push_back(t);
    return Status::Ok();
  }
  Status OnRow(const DumpRow& r) override {
    std::vector<std::pair<ValueKind, std::string>> v;
    for (const DumpValue& x : r.values) v.emplace_back(x.kind, std::string(x.bytes));
    rows.push_back(v);
    row_tables.push_back(r.table->name);
    offsets.push_back(r.offset);
    lines.push_back(r.line);
    return Status::Ok();
  }
  void OnProblem(const DumpProblem& p) override { problems.push_back(p); }
};

DumpStats Parse(std::string_view sql, Collect* c, DumpOptions o = {}) {
  Result<DumpStats> r = ReadDumpBytes(sql, "dump.sql", *c, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : DumpStats{};
}

constexpr std::string_view kHeader =
    "-- MariaDB dump 10.19\n/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
    "DROP TABLE IF EXISTS `wp2_users`;\n"
    "/*!40101 SET @saved_cs_client     = @@character_set_client */;\n"
    "CREATE TABLE `wp2_users` (\n"
    "  `ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
    "  `user_login` varchar(60) NOT NULL DEFAULT '',\n"
    "  `user_pass` varchar(255) NOT NULL DEFAULT '',\n"
    "  `meta` longblob,\n"
    "  PRIMARY KEY (`ID`),\n"
    "  KEY `user_login_key` (`user_login`)\n"
    ") ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"
    "/*!40000 ALTER TABLE `wp2_users` DISABLE KEYS */;\n";

TEST(DumpReader, CreateTableColumnsTypesAndPrimaryKey) {
  Collect c;
  DumpStats st = Parse(std::string(kHeader), &c);
  ASSERT_EQ(c.tables.size(), 1u);
  const DumpTable& t = c.tables[0];
  EXPECT_EQ(t.name, "wp2_users");
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[0].name, "ID");
  EXPECT_EQ(t.columns[0].type, "bigint(20) unsigned");
  EXPECT_EQ(t.columns[1].type, "varchar(60)");
  ASSERT_EQ(t.primary_key.size(), 1u);
  EXPECT_EQ(t.primary_key[0], 0);
  EXPECT_EQ(st.problems, 0u);
}

TEST(DumpReader, EveryValueForm) {
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

TEST(DumpReader, ColumnListAndNoSchema) {
  Collect c;
  Parse("INSERT INTO t (`a`,`b`) VALUES ('1','2');\nINSERT INTO u VALUES (1,2,3);\n", &c);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.tables.size(), 2u);
  EXPECT_EQ(c.rows[1].size(), 3u);
}

TEST(DumpReader, SkipsTriggersInDelimiterBlocks) {
  Collect c;
  Parse(
      "DELIMITER ;;\n/*!50003 CREATE*/ /*!50003 TRIGGER x BEFORE INSERT ON t FOR EACH ROW "
      "BEGIN INSERT INTO log VALUES (1); END */;;\nDELIMITER ;\nINSERT INTO t VALUES (7);\n",
      &c);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0][0].second, "7");
}

struct Corruption {
  const char* name;
  std::string sql;
  size_t rows_kept;
  std::string message;  // substring of the first problem
  uint64_t line;
};

TEST(DumpReader, CorruptionClasses) {
  std::vector<Corruption> cases = {
      {"unterminated string", "INSERT INTO t VALUES (1,'ok'),(2,'never closed);\n", 1,
       "unterminated string: dump ends inside the string that starts at line 1 offset 33 (row "
       "starting at line 1; cut off?)",
       2},
      {"column count",
       "CREATE TABLE t (`a` int, `b` int);\nINSERT INTO t VALUES (1,2),(3),(4,5);\n", 2,
       "column count mismatch in `t`: row has 1 values, table has 2 columns; row skipped", 2},
      {"cut mid statement", "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,", 2,
       "dump ends inside a row (row starting at line 1; cut off?)", 1},
      {"cut between rows", "INSERT INTO t VALUES (1,'a'),", 1,
       "dump ends inside INSERT into `t` (cut off mid-statement?)", 1},
      {"garbage in row", "INSERT INTO t VALUES (1,'a'),(2 'b');\nINSERT INTO t VALUES (3,'c');\n",
       2, "expected ',' or ')' after value 1, found '''; rest of statement skipped", 1},
      {"stray bytes", "\x01\x02garbage\nINSERT INTO t VALUES (1);\n", 1,
       "unexpected 0x01 outside a statement; line skipped", 1},
      {"invalid utf8", "INSERT INTO t VALUES (1,'\xff\xfe');\n", 1,
       "invalid UTF-8 in `t`.`col2` (row kept, value read as bytes)", 1},
  };
  for (const Corruption& k : cases) {
    Collect c;
    Parse(k.sql, &c);
    EXPECT_EQ(c.rows.size(), k.rows_kept) << k.name;
    ASSERT_FALSE(c.problems.empty()) << k.name;
    EXPECT_EQ(c.problems[0].message, k.message) << k.name;
    EXPECT_EQ(c.problems[0].line, k.line) << k.name;
  }
}

TEST(DumpReader, NumbersAcrossTheReadBufferAndTheLengthLimit) {
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

TEST(DumpReader, OversizedRowIsSkippedAndReadingContinues) {
  std::string big(2000, 'x');
  std::string sql = "INSERT INTO t VALUES (1,'a'),(2,'" + big + "'),(3,'c');\n";
  Collect c;
  DumpOptions o;
  o.max_row_bytes = 1000;
  DumpStats st = Parse(sql, &c, o);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[1][0].second, "3");
  EXPECT_EQ(st.rows_skipped, 1u);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].message, "row larger than 1000 bytes in `t`; row skipped");
}

std::string Gzip(const std::string& s) {
  uLongf n = compressBound(s.size()) + 64;
  std::string out(n, '\0');
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  zs.avail_in = s.size();
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = n;
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(DumpReader, GzipAndZstdAndTruncatedCompression) {
  std::string sql = "INSERT INTO t VALUES (1,'a'),(2,'b');\n";
  Collect g;
  DumpStats st = Parse(Gzip(sql), &g);
  EXPECT_EQ(g.rows.size(), 2u);
  EXPECT_EQ(st.compression, "gzip");
  std::string z(ZSTD_compressBound(sql.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), sql.data(), sql.size(), 3));
  Collect zc;
  st = Parse(z, &zc);
  EXPECT_EQ(zc.rows.size(), 2u);
  EXPECT_EQ(st.compression, "zstd");
  std::string cut = Gzip(sql + sql + sql);
  cut.resize(cut.size() / 2);
  Collect t;
  Result<DumpStats> r = ReadDumpBytes(cut, "d.sql.gz", t);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("d.sql.gz: gzip: compressed data ends early"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace tq::storedb

namespace tq::storedb {
namespace {

// Strings are scanned eight bytes at a time for their closing quote, a backslash or a newline:
// each of those at every position of strings of every length up to 40 bytes, in both quotes.
TEST(DumpReader, EveryStopInAStringAtEveryPositionAndLength) {
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

}  // namespace
}  // namespace tq::storedb
