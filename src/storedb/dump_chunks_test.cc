// The dump parsed in chunks on other threads (dump_chunks.cc) against the parser on the
// calling thread: the sink must see the same calls, with the same values, lines, offsets and
// row numbers, in the same order, wherever the chunks are cut (at every byte of a dump whose
// strings, comments and DELIMITER blocks hold ';' and statement-like lines; every fixture of
// the fuzz corpus at several chunk sizes; damaged dumps; a dump of many batches), and a sink
// error must stop both the same way.
#include "storedb/dump_chunks.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "storedb/dump.h"
#include "storedb/dump_collect_testing.h"

namespace tq::storedb {
namespace {

using testing::Gzip;

// Writes every call down as text (a transcript), checking the row's pointers on the way.
struct Transcript : DumpSink {
  std::string text;
  uint64_t rows = 0, fail_at_row = 0;
  Status OnTable(const DumpTable& t) override {
    text += "table " + t.name + " @" + std::to_string(t.line) + ":" + std::to_string(t.offset);
    for (const DumpColumn& c : t.columns) text += " " + c.name + "/" + c.type;
    text += " pk";
    for (int i : t.primary_key) text += " " + std::to_string(i);
    text += "\n";
    return Status::Ok();
  }
  Status OnRow(const DumpRow& r) override {
    if (fail_at_row && ++rows == fail_at_row)
      return Status::Io("disk full at row " + std::to_string(rows));
    text += "row " + r.table->name + "#" + std::to_string(r.index) + " @" + std::to_string(r.line) +
            ":" + std::to_string(r.offset) + " [";
    for (const DumpColumn& c : r.table->columns) text += c.name + ",";
    text += "] (";
    if (r.columns)
      for (const std::string& c : *r.columns) text += c + ",";
    text += ")";
    for (const DumpValue& v : r.values) {
      text += " " + std::to_string(static_cast<int>(v.kind)) + ":";
      text.append(v.bytes);
    }
    const DumpValue* first = r.columns && !r.columns->empty() ? r.Find((*r.columns)[0]) : nullptr;
    text += first ? " first=" + std::string(first->bytes) : " first=-";
    text += "\n";
    return Status::Ok();
  }
  // Rows of `count_only_table` after the first `full_rows` are only counted (threads 2).
  std::string count_only_table;
  uint64_t full_rows = UINT64_MAX;
  uint64_t RowsReadInFull(const DumpTable& t) const override {
    return t.name == count_only_table ? full_rows : UINT64_MAX;
  }
  void OnRowsCounted(const DumpTable& t, uint64_t n) override {
    text += "counted " + t.name + " " + std::to_string(n) + "\n";
  }
  void OnProblem(const DumpProblem& p) override {
    text += "problem " + p.table + " @" + std::to_string(p.line) + ":" + std::to_string(p.offset) +
            " " + p.reason + (p.row_lost ? " lost" : "") + "\n";
  }
};

std::string ParseWith(std::string_view dump, int threads, Transcript* t, Status* status = nullptr,
                      DumpOptions o = {}) {
  o.threads = threads;
  Result<DumpStats> r = ReadDumpBytes(dump, "dump.sql", *t, o);
  if (status) *status = r.status();
  if (!r.ok()) return "error " + r.status().ToString();
  const DumpStats& s = *r;
  return "bytes " + std::to_string(s.bytes) + " statements " + std::to_string(s.statements) +
         " tables " + std::to_string(s.tables) + " rows " + std::to_string(s.rows) + " skipped " +
         std::to_string(s.rows_skipped) + " problems " + std::to_string(s.problems) + " " +
         s.compression;
}

// Chunks of about `chunk_bytes`, or cut exactly at `cuts`.
DumpOptions Chunked(uint64_t chunk_bytes, std::vector<uint64_t> cuts = {}) {
  DumpOptions o;
  o.chunk_bytes = chunk_bytes;
  o.split_at = std::move(cuts);
  return o;
}

void ExpectSameBothWays(std::string_view dump, const std::string& what,
                        const DumpOptions& chunked = {}) {
  Transcript one, two;
  std::string s1 = ParseWith(dump, 1, &one), s2 = ParseWith(dump, 2, &two, nullptr, chunked);
  EXPECT_EQ(s1, s2) << what;
  EXPECT_EQ(one.text, two.text) << what;
  EXPECT_FALSE(one.text.empty()) << what;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The splitter's line count is exact at every length and alignment: runs of newlines longer
// than a byte lane holds (255 steps of sixteen), none, and newlines among other bytes.
TEST(DumpChunks, LinesAreCountedExactly) {
  std::string text;
  uint32_t seed = 7;
  for (size_t i = 0; i < 9000; ++i) {
    seed = seed * 1103515245u + 12345u;
    text += (seed >> 16) % 5 == 0 ? '\n' : static_cast<char>((seed >> 8) & 0xff);
  }
  const std::string all_newlines(5000, '\n'), none(5000, 'x');
  for (const std::string* t : {&std::as_const(text), &all_newlines, &none}) {
    for (size_t start : {0, 1, 3, 7, 8, 15}) {
      for (size_t n = 0; start + n <= t->size(); n += n < 100 ? 1 : 97) {
        const char* p = t->data() + start;
        ASSERT_EQ(CountLines(p, n), static_cast<uint64_t>(std::count(p, p + n, '\n')))
            << start << " " << n;
      }
    }
  }
}

TEST(DumpChunks, EveryCorpusDumpGivesTheSameCallsAtEveryChunkSize) {
  int n = 0;
  for (const char* corpus : {"fuzz/corpus/storedb_dump", "fuzz/corpus/storedb_analyzer"}) {
    std::filesystem::path dir = std::filesystem::path(TQ_SOURCE_DIR) / corpus;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      std::string dump = ReadFile(e.path());
      for (uint64_t size : {1ull, 7ull, 64ull, 500ull, 4096ull, 4ull << 20})
        ExpectSameBothWays(dump,
                           e.path().filename().string() + " in chunks of " + std::to_string(size),
                           Chunked(size));
      ++n;
    }
  }
  EXPECT_GE(n, 9);
}

// What a chunk cut can fall into: strings holding ';', newlines and a line that starts like
// a statement, every escape, quotes doubled, comments of each kind (one holding a statement),
// a /*! conditional comment around a statement, a DELIMITER block of triggers whose bodies
// hold INSERTs, a table named by an INSERT before its CREATE TABLE, a redefinition, a table
// never defined (columns by position), damage, and a dump cut off inside a string.
constexpr std::string_view kTricky =
    "-- MariaDB dump\n/*!40101 SET NAMES utf8mb4 */;\n"
    "CREATE TABLE `t` (`id` int, `note` text, `b` blob, PRIMARY KEY (`id`));\n"
    "INSERT INTO `t` VALUES (1,'a;\nINSERT INTO `t` VALUES (9,\\'x\\');\n',NULL),"
    "(2,'it''s \\\\ \\' \\\" ;',0x3b0a),(3,\"dq;\n\",_binary 'b;\n');\n"
    "# INSERT INTO `t` VALUES (8,'hash comment');\n"
    "/* block comment; INSERT INTO `t` VALUES (7,'x',NULL);\n */\n"
    "/*!40000 ALTER TABLE `t` DISABLE KEYS */;\n"
    "INSERT INTO `t` VALUES (4,'four',NULL);\n"
    "DELIMITER ;;\n/*!50003 CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN\n"
    "INSERT INTO `log` VALUES (1);\nINSERT INTO `log` VALUES (2);\nEND */;;\nDELIMITER ;\n"
    "INSERT INTO `u` VALUES (1,'u1'),(2,'u2');\n"
    "INSERT INTO `late` (`id`) VALUES (1),(2);\n"
    "CREATE TABLE `late` (`id` int, PRIMARY KEY (`id`));\n"
    "INSERT INTO `late` VALUES (3);\n"
    "CREATE TABLE `t` (`id` int, `note` varchar(10), PRIMARY KEY (`id`));\n"
    "INSERT INTO `t` VALUES (5,'five'),(6,'\xff\xfe');\n"
    "INSERT INTO `t` VALUES (10,'ten'),(11);\n"
    "\x01 stray\n"
    "INSERT INTO `t` VALUES (12,'cut off;\nINSERT INTO `t` VALUES (13,\\'x\\');\n";

TEST(DumpChunks, AChunkBoundaryAtEveryByteGivesTheSameCalls) {
  for (uint64_t at = 1; at < kTricky.size(); ++at)
    ExpectSameBothWays(kTricky, "cut at " + std::to_string(at), Chunked(4096, {at}));
}

TEST(DumpChunks, ChunksOfOneByteAndOfEveryFewBytesGiveTheSameCalls) {
  std::vector<uint64_t> every;
  for (uint64_t at = 1; at < kTricky.size(); ++at) every.push_back(at);
  ExpectSameBothWays(kTricky, "a chunk a byte", Chunked(4096, every));
  for (uint64_t step : {2, 3, 5, 11, 40}) {
    std::vector<uint64_t> cuts;
    for (uint64_t at = step; at < kTricky.size(); at += step) cuts.push_back(at);
    ExpectSameBothWays(kTricky, "a chunk every " + std::to_string(step), Chunked(4096, cuts));
  }
}

TEST(DumpChunks, TheTrickyDumpIsReadAsItSays) {
  // The test dump itself: strings and comments hold no rows, damage is reported.
  Transcript one;
  std::string stats = ParseWith(kTricky, 1, &one);
  EXPECT_EQ(stats, "bytes " + std::to_string(kTricky.size()) +
                       " statements 14 tables 3 rows 12 skipped 2 problems 4 none");
  EXPECT_NE(one.text.find("row t#1 @6:191 "), std::string::npos) << one.text;
  EXPECT_NE(one.text.find("row late#0 @23:755 "), std::string::npos) << one.text;  // from 0 again
  EXPECT_NE(one.text.find("row t#4 @25:852 "), std::string::npos) << one.text;  // numbering goes on
  EXPECT_EQ(one.text.find("hash comment"), std::string::npos);
  EXPECT_EQ(one.text.find("row log#"), std::string::npos);  // trigger bodies are not data
  EXPECT_NE(one.text.find("dump ends inside the string that starts at line 28 offset 948"),
            std::string::npos);
}

TEST(DumpChunks, CutsAtStatementLinesAreUsedWhenChunksAreSmall) {
  // Automatic cuts: the transcript is the same whatever the chunk size, on a dump of many
  // statement lines with ';' and "INSERT INTO" inside its strings.
  std::string d = "CREATE TABLE `s` (`id` int, `v` text);\n";
  for (int i = 0; i < 300; ++i) {
    d += "INSERT INTO `s` VALUES (" + std::to_string(i) + ",'x;\nINSERT INTO `s` VALUES (0);\n')";
    d += i % 3 ? ",(" + std::to_string(-i) + ",NULL);\n" : ";\n";
  }
  for (uint64_t size : {16ull, 100ull, 333ull, 1000ull, 10000ull})
    ExpectSameBothWays(d, "automatic cuts, chunks of " + std::to_string(size), Chunked(size));
}

// Many batches: tables redefined, a table without CREATE (columns named by position), column
// lists that change from statement to statement, damage between them, NULLs in every case.
std::string ManyBatchDump() {
  std::string d =
      "CREATE TABLE `a` (`id` int, `name` varchar(20), `blob` longblob, PRIMARY KEY (`id`));\n";
  for (int s = 0; s < 60; ++s) {
    if (s == 20) d += "CREATE TABLE `a` (`id` int, `name` text, PRIMARY KEY (`id`));\n";
    if (s % 7 == 3) d += "\x01 stray bytes\n";
    if (s % 5 == 1) {
      d += "INSERT INTO `b` VALUES ";  // never defined: col1, col2
    } else if (s % 5 == 2) {
      d += "INSERT INTO `a` (`name`,`id`) VALUES ";
    } else {
      d += "INSERT INTO `a` VALUES ";
    }
    for (int r = 0; r < 2000; ++r) {
      if (r) d += ",";
      std::string v = std::string(40 + (r * 7) % 90, static_cast<char>('a' + r % 26));
      if (s % 5 == 2)
        d += "('" + v + "'," + std::to_string(r) + ")";
      else if (s % 5 == 1)
        d += "(" + std::to_string(r) + (r % 3 ? ",Null)" : ",'x\\'y')");
      else if (s < 20)
        d += "(" + std::to_string(r) + ",'" + v + "'," + (r % 4 ? "NULL" : "0x00ff") + ")";
      else
        d += "(" + std::to_string(r) + (r % 11 == 5 ? ")" : ",nULL)");  // some short rows
    }
    d += ";\n";
  }
  d += "INSERT INTO `a` VALUES (1,'cut off";
  return d;
}

// A compressed dump is decoded by the splitter; a decoding error ends the read after the calls
// the one-thread read makes before it (the rows and problems of the bytes decoded), with its
// message.
TEST(DumpChunks, CompressedAndTruncatedDumpsGiveTheSameCallsAndError) {
  std::string sql;
  for (int i = 0; i < 40; ++i) sql += kTricky.substr(0, kTricky.size() - 60);
  std::string gz = Gzip(sql);
  for (uint64_t size : {100ull, 4096ull, 4ull << 20})
    ExpectSameBothWays(gz, "gzip in chunks of " + std::to_string(size), Chunked(size));
  std::string cut = gz.substr(0, gz.size() * 2 / 3);
  for (uint64_t size : {100ull, 777ull, 4ull << 20}) {
    Transcript one, two;
    Status s1, s2;
    ParseWith(cut, 1, &one, &s1);
    ParseWith(cut, 2, &two, &s2, Chunked(size));
    EXPECT_FALSE(s1.ok());
    EXPECT_NE(s1.message().find("dump.sql: gzip: compressed data ends early"), std::string::npos)
        << s1.ToString();
    EXPECT_EQ(s1.ToString(), s2.ToString()) << size;
    EXPECT_EQ(one.text, two.text) << size;
    EXPECT_NE(one.text.find("row t#"), std::string::npos);
  }
}

TEST(DumpChunks, ManyBatchesWithRedefinitionsAndDamageGiveTheSameCalls) {
  std::string d = ManyBatchDump();
  ASSERT_GT(d.size(), 4u << 20);  // more than a batch of 4 MB, and 120,000 rows: 8+ batches
  ExpectSameBothWays(d, "many batches");
  for (uint64_t size : {20000ull, 333333ull, 1ull << 20})
    ExpectSameBothWays(d, "many batches in chunks of " + std::to_string(size), Chunked(size));
}

// Lines of a transcript that start with `prefix`.
std::vector<std::string> LinesStarting(const std::string& text, std::string_view prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(prefix)) out.push_back(line);
  return out;
}

class CountedRows : public ::testing::TestWithParam<uint64_t> {};

TEST_P(CountedRows, RowsTheSinkDoesNotReadAreCountedOnTheParserThreads) {
  std::string d = ManyBatchDump();
  Transcript one, two;
  two.count_only_table = "a";
  two.full_rows = 5000;
  std::string s1 = ParseWith(d, 1, &one), s2 = ParseWith(d, 2, &two, nullptr, Chunked(GetParam()));
  EXPECT_EQ(s1, s2);  // the parser's own counts do not change
  std::vector<std::string> a1 = LinesStarting(one.text, "row a#");
  std::vector<std::string> a2 = LinesStarting(two.text, "row a#");
  ASSERT_GT(a1.size(), 5000u);
  ASSERT_EQ(a2.size(), 5000u);
  EXPECT_TRUE(std::equal(a2.begin(), a2.end(), a1.begin()));  // the first rows, in full
  uint64_t counted = 0;
  for (const std::string& line : LinesStarting(two.text, "counted a "))
    counted += std::stoull(line.substr(10));
  EXPECT_EQ(counted, a1.size() - 5000);
  EXPECT_EQ(LinesStarting(two.text, "counted b").size(), 0u);
  // Every other call arrives as on the calling thread, in the same order.
  EXPECT_EQ(LinesStarting(two.text, "row b#"), LinesStarting(one.text, "row b#"));
  EXPECT_EQ(LinesStarting(two.text, "problem"), LinesStarting(one.text, "problem"));
  EXPECT_EQ(LinesStarting(two.text, "table"), LinesStarting(one.text, "table"));
}
// Chunks large and small: a chunk parsed before the rows before it were known still hands
// over no more than the sink reads, and a chunk the calling thread parses itself counts too.
INSTANTIATE_TEST_SUITE_P(ChunkSizes, CountedRows, ::testing::Values(4ull << 20, 50000ull, 7777ull));

TEST(DumpChunks, ASinkErrorStopsTheParsersWhileTheyCountRows) {
  std::string d = ManyBatchDump();
  Transcript one, two;
  one.fail_at_row = two.fail_at_row = 100;
  two.count_only_table = "a";
  two.full_rows = 150;
  Status s1, s2;
  ParseWith(d, 1, &one, &s1);
  ParseWith(d, 2, &two, &s2, Chunked(30000));
  EXPECT_FALSE(s2.ok());
  EXPECT_EQ(s1.ToString(), s2.ToString());
  EXPECT_EQ(LinesStarting(two.text, "counted").size(), 0u);  // nothing reached the sink after
}

TEST(DumpChunks, ASinkErrorStopsBothPathsWithTheSameMessage) {
  std::string d = ManyBatchDump();
  Transcript one, two;
  one.fail_at_row = two.fail_at_row = 45'000;
  Status s1, s2;
  ParseWith(d, 1, &one, &s1);
  ParseWith(d, 2, &two, &s2, Chunked(100000));
  EXPECT_FALSE(s1.ok());
  EXPECT_EQ(s1.ToString(), s2.ToString());
  EXPECT_NE(s1.message().find("dump.sql: disk full at row 45000"), std::string::npos)
      << s1.ToString();
  EXPECT_EQ(one.text, two.text);  // nothing after the error reached the sink
}

}  // namespace
}  // namespace tq::storedb
