// The dump parser's statements (dump_parser.cc): CREATE TABLE, INSERT with and without a column
// list, DELIMITER blocks skipped, each corruption class with its exact message, an oversized row
// skipped; and a parse cut between two statements and resumed from its end state making the same
// calls as one parse.
#include "storedb/dump_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "storedb/dump.h"
#include "storedb/dump_collect_testing.h"
#include "storedb/dump_input.h"

namespace tq::storedb {
namespace {

using testing::Collect;
using testing::kHeader;
using testing::Parse;

TEST(DumpParser, CreateTableColumnsTypesAndPrimaryKey) {
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

TEST(DumpParser, ColumnListAndNoSchema) {
  Collect c;
  Parse("INSERT INTO t (`a`,`b`) VALUES ('1','2');\nINSERT INTO u VALUES (1,2,3);\n", &c);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.tables.size(), 2u);
  EXPECT_EQ(c.rows[1].size(), 3u);
}

TEST(DumpParser, SkipsTriggersInDelimiterBlocks) {
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

TEST(DumpParser, CorruptionClasses) {
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
    EXPECT_EQ(c.problems[0].reason, k.message) << k.name;
    EXPECT_EQ(c.problems[0].line, k.line) << k.name;
  }
}

TEST(DumpParser, OversizedRowIsSkippedAndReadingContinues) {
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
  EXPECT_EQ(c.problems[0].reason, "row larger than 1000 bytes in `t`; row skipped");
}

// An input in two chunks, as the parallel read hands a parser its piece of the dump.
class TwoChunks : public ByteInput {
 public:
  TwoChunks(std::string_view a, std::string_view b) : parts_{a, b} {}
  Result<size_t> Read(char* out, size_t n) override {
    std::string_view& p = parts_[at_];
    size_t k = std::min(n, p.size());
    std::memcpy(out, p.data(), k);
    p.remove_prefix(k);
    return k;
  }
  bool AtBoundary() const override { return at_ == 0 && parts_[0].empty(); }
  bool Advance() override { return at_ == 0 ? (at_ = 1, true) : false; }

 private:
  std::string_view parts_[2];
  int at_ = 0;
};

// Cut between two statements, stopped at the boundary and resumed from its end state, the parse
// makes the one parse's calls; cut inside a string, it does not stop there.
TEST(DumpParser, ACutBetweenStatementsResumesFromTheEndState) {
  std::string sql = std::string(kHeader) +
                    "INSERT INTO `wp2_users` VALUES (1,'a;b','x',NULL);\n"
                    "INSERT INTO `wp2_users` VALUES (2,'it''s','y',0x4142);\n";
  Collect whole;
  Parse(sql, &whole);
  ASSERT_EQ(whole.rows.size(), 2u);
  size_t cut = sql.find("INSERT INTO `wp2_users` VALUES (2");
  TwoChunks in(std::string_view(sql).substr(0, cut), std::string_view(sql).substr(cut));
  Collect parts;
  DumpStats st1, st2;
  Parser first(in, parts, {}, &st1);
  ASSERT_TRUE(first.Run().ok());
  EXPECT_EQ(first.end(), ParseEnd::kBoundary);
  EXPECT_EQ(parts.rows.size(), 1u) << "stopped at the chunk's end";
  ASSERT_TRUE(in.Advance());
  Parser second(in, parts, {}, &st2, first.EndState());
  ASSERT_TRUE(second.Run().ok());
  EXPECT_EQ(parts.rows, whole.rows);
  EXPECT_EQ(parts.lines, whole.lines);
  EXPECT_EQ(parts.offsets, whole.offsets);
  // A cut inside the string 'a;b' is no place to stop: the parse does not end there at a
  // boundary between two statements.
  size_t inside = sql.find("a;b") + 2;
  TwoChunks in2(std::string_view(sql).substr(0, inside), std::string_view(sql).substr(inside));
  Collect c2;
  DumpStats st3;
  Parser cut_in_string(in2, c2, {}, &st3);
  (void)cut_in_string.Run();
  EXPECT_NE(cut_in_string.end(), ParseEnd::kBoundary);
}
}  // namespace
}  // namespace tq::storedb
