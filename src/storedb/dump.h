// The SQL dump reader: a streaming parser of mysqldump / mariadb-dump output (plain, gzip or
// zstd, detected by magic). It reports each table definition and each row to a sink, one row
// at a time, so a multi-gigabyte dump is read in bounded memory (one row, one CREATE TABLE).
//
// What it understands: CREATE TABLE (columns, types, primary key), INSERT / REPLACE with or
// without a column list, single and extended (many rows per statement), strings with every
// MySQL escape (\0 \' \" \b \n \r \t \Z \\ \% \_ and '' doubling), charset introducers
// (_binary, _utf8mb4), hex (0x.., X'..') and bit (b'..') literals, NULL, numbers, and
// conditional comments /*!40101 ... */. Everything else (SET, LOCK, views, triggers) is
// skipped statement by statement.
//
// Bad input never stops the read silently: every problem (unterminated string, column count
// mismatch, an oversized row, invalid UTF-8, a dump cut mid-statement) goes to the sink with
// its line and byte offset; rows before it are kept and counted, and reading continues at
// the next row or statement where that is possible. Offsets and lines are positions in the
// decompressed content.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/skipped.h"

namespace tq::storedb {

struct DumpColumn {
  std::string name;
  std::string type;  // lower case, as declared: "varchar(255)", "int(10) unsigned"
};

struct DumpTable {
  std::string name;                                // as in the dump, prefix included: "wp2_users"
  std::vector<DumpColumn> columns;                 // empty when the dump has no CREATE TABLE for it
  std::vector<int> primary_key;                    // indexes into columns
  uint64_t line = 0, offset = 0;                   // of the CREATE TABLE (or the first INSERT)
  int ColumnIndex(std::string_view column) const;  // -1 when absent (case-insensitive)
};

enum class ValueKind : uint8_t { kNull, kString, kNumber, kBinary };

struct DumpValue {
  ValueKind kind = ValueKind::kNull;
  std::string_view bytes;  // unescaped; hex literals decoded; numbers as written
  bool is_null() const { return kind == ValueKind::kNull; }
};

struct DumpRow {
  const DumpTable* table = nullptr;
  // Column names for `values`: the INSERT's column list, else the table's columns.
  const std::vector<std::string>* columns = nullptr;
  std::span<const DumpValue> values;
  uint64_t line = 0, offset = 0;  // where the row's "(" is
  uint64_t index = 0;             // 0-based row number within the table
  // Changes whenever *table or *columns may have changed since the previous row (a new
  // statement, a redefinition, columns named by position): a sink that keeps copies of them
  // refreshes its copies when this moves. Rows handed over with only some of their values
  // (DumpSink::Projection) have kProjectedRows set in it: a statement's projected rows and its
  // whole rows are of two generations.
  uint64_t schema_generation = 0;
  static constexpr uint64_t kProjectedRows = 1ull << 63;
  // The non-empty values lie in order in one piece of memory (the parser's: the row as written,
  // or its own buffer), so [first's start, last's end) may be read whole. False: unknown.
  bool one_piece = false;
  // The value of a column, or nullptr when the row has no such column.
  const DumpValue* Find(std::string_view column) const;
};

// What the parser skipped or could not read as written: where (line, byte offset in the
// decompressed dump) and why, as every parser reports it (SkippedInput; `source` is left to the
// caller, which knows the dump's name), with the table and whether a row was lost.
struct DumpProblem : SkippedInput {
  std::string table;      // empty outside a table's statements
  bool row_lost = false;  // a row (or the rest of a statement) was skipped
  static DumpProblem At(std::string table, uint64_t line, uint64_t offset, std::string reason,
                        bool row_lost) {
    DumpProblem p;
    p.line = line;
    p.offset = offset;
    p.reason = std::move(reason);
    p.table = std::move(table);
    p.row_lost = row_lost;
    return p;
  }
};

class DumpSink {
 public:
  virtual ~DumpSink() = default;
  // A CREATE TABLE, or the first INSERT into a table the dump never defined.
  virtual Status OnTable(const DumpTable& table) {
    (void)table;
    return Status::Ok();
  }
  // Returning an error stops the read with that error.
  virtual Status OnRow(const DumpRow& row) = 0;
  virtual void OnProblem(const DumpProblem& problem) { (void)problem; }
  // How many rows of a table (by name, across its statements) the sink reads in full; when the
  // dump is parsed on threads of their own (DumpOptions::threads), the rows after those are
  // only counted, in OnRowsCounted calls, and neither copied nor handed over. Called on the
  // parsing threads too: it may read only what does not change during the read, and only the
  // table's name. Default: all.
  virtual uint64_t RowsReadInFull(const DumpTable& table) const {
    (void)table;
    return UINT64_MAX;
  }
  // `rows` more rows of `table` the sink does not read (see RowsReadInFull).
  virtual void OnRowsCounted(const DumpTable& table, uint64_t rows) {
    (void)table;
    (void)rows;
  }
  // Whether every further row of `table` (by name) is only counted by this sink, whatever
  // else comes first: the parser then finds such rows' ends without decoding their values
  // where it can tell that a full parse would report nothing of them, and hands each to OnRow
  // with no values (row.values empty; the sink must not read them). Asked once per INSERT
  // statement, on the parsing thread. Default: never.
  virtual bool CountsOnly(const DumpTable& table) const {
    (void)table;
    return false;
  }
  // The values of a table's rows the sink reads, when it reads only some: the parse on threads
  // of their own (DumpOptions::threads) then copies and hands over only those, with their
  // names as row.columns (in the row's order), once the sink has been handed `whole_rows` rows
  // of the table whole (by name, across its statements); a row holding `whole_if` (when not
  // empty) in some value is handed over whole. A column is found as DumpRow::Find finds it, so
  // Find on a projected row gives what it gives on the whole row (nullptr when the row has no
  // such column). Asked once per INSERT statement on the parsing threads, as RowsReadInFull.
  // Default: null, every value.
  struct RowProjection {
    uint64_t whole_rows = 0;
    std::vector<std::string> columns;
    std::string whole_if;
  };
  virtual const RowProjection* Projection(const DumpTable& table) const {
    (void)table;
    return nullptr;
  }
};

struct DumpOptions {
  uint64_t max_row_bytes = 64ull << 20;       // a larger row is skipped and reported
  uint64_t max_statement_bytes = 4ull << 20;  // CREATE TABLE text kept for parsing
  // 1 (default): the dump is parsed on the calling thread, between the sink's calls. 0 (as
  // many as the machine has cores) or 2 and more: parsed in chunks by that many threads of
  // their own (dump_chunks.h) when the machine has a second core, the sink called on the
  // calling thread with the same calls in the same order.
  int threads = 1;
  // The parallel read's chunk size (about; each is cut at the start of a statement line).
  uint64_t chunk_bytes = 4ull << 20;
  // Tests: cut the parallel read's chunks at exactly these offsets (ascending) instead.
  std::vector<uint64_t> split_at;
};

struct DumpStats {
  uint64_t bytes = 0;  // decompressed bytes read
  uint64_t statements = 0;
  uint64_t tables = 0;
  uint64_t rows = 0;          // rows delivered to the sink
  uint64_t rows_skipped = 0;  // rows lost to problems
  uint64_t problems = 0;
  std::string compression;  // "none" | "gzip" | "zstd"
};

// Reads a dump file. `display_name` is used in problem messages (the evidence's original
// path). An I/O or decompression error is returned; parse problems go to the sink. The sink
// is always called on the calling thread (see DumpOptions::threads).
Result<DumpStats> ReadDumpFile(const std::string& path, std::string_view display_name,
                               DumpSink& sink, const DumpOptions& options = {});
// The same over bytes in memory (tests, fuzzing); compressed bytes are decoded too.
Result<DumpStats> ReadDumpBytes(std::string_view bytes, std::string_view display_name,
                                DumpSink& sink, const DumpOptions& options = {});

}  // namespace tq::storedb
