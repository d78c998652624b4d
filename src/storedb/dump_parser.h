// Implementation header of storedb's dump reader: the streaming mysqldump parser (see dump.h),
// shared by the one-thread read (dump_reader.cc) and the parallel read (dump_chunks.cc).
//
// One pass over a buffered byte stream: a statement loop that understands CREATE TABLE and
// INSERT/REPLACE and skips the rest (dump_parser.cc), and a row parser that unescapes values
// into one reusable arena (dump_values.cc), so memory is one row plus one read buffer whatever
// the dump's size.
//
// A parse can start anywhere between two statements, from a ParseStart that says what the
// parser knew there (line, table definitions, inside a /*! comment or not), and it can stop at
// a chunk boundary of its input (ByteInput::AtBoundary) when it is between two statements
// there. Parsing [0, b) and then [b, end) from the state the first parse stopped in makes the
// same sink calls as parsing [0, end) at once: the parallel read relies on that.
#pragma once

#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storedb/dump.h"
#include "storedb/dump_input.h"
#include "storedb/dump_syntax.h"

namespace tq::storedb {

// Table definitions by name. A definition is never changed once in a map (a change makes a
// new DumpTable), so maps and definitions are shared between threads.
using TableMap = std::map<std::string, std::shared_ptr<const DumpTable>, std::less<>>;

// What the parser knows where it starts: the position, the definitions of the tables named so
// far, whether it is inside a /*! conditional comment, each table's next row index and the
// schema generation. A parse of the whole dump starts from the default.
struct ParseStart {
  uint64_t offset = 0, line = 1;
  bool in_cond = false;
  std::shared_ptr<const TableMap> tables;  // null: none yet
  std::map<std::string, uint64_t, std::less<>> row_index;
  uint64_t schema_generation = 0;
};

// How a parse ended.
enum class ParseEnd {
  kEnd,       // the input's true end (or a read error)
  kBoundary,  // stopped at a chunk boundary, between two statements
  kOverran,   // the input ended at a boundary inside a statement and had nothing after it
};

class Parser {
 public:
  Parser(ByteInput& in, DumpSink& sink, const DumpOptions& o, DumpStats* stats,
         const ParseStart& start = {});

  // Parses to the end of the input or to a boundary. Sink errors and read errors are returned.
  Status Run();

  ParseEnd end() const { return how_ended_; }
  // The state where the parse stopped (for the next parse to start from), and what it changed:
  // the tables it defined or redefined, by name, and the definitions it read from the start's
  // tables before changing them (nullptr: the table was not there).
  ParseStart EndState() const;
  const TableMap& changed_tables() const { return changed_; }
  const std::vector<std::pair<std::string, std::shared_ptr<const DumpTable>>>& tables_read() const {
    return read_;
  }
  // A CREATE TABLE replaced a table that INSERTs had named before it: its rows are numbered
  // from 0 again.
  bool restarted_row_index() const { return restarted_index_; }

 private:
  // ---- Buffer ----
  // Peek, PeekAt, Get and Is run per byte of the dump: they are inlined, and the refill they
  // call at the end of the buffer is not.
  [[gnu::noinline]] bool Fill(size_t need);
  [[gnu::always_inline]] int Peek() {
    if (pos_ == end_ && !Fill(1)) return -1;
    return static_cast<unsigned char>(data_[pos_]);
  }
  [[gnu::always_inline]] int PeekAt(size_t k) {
    if (end_ - pos_ <= k && !Fill(k + 1)) return -1;
    return static_cast<unsigned char>(data_[pos_ + k]);
  }
  [[gnu::always_inline]] int Get() {
    int c = Peek();
    if (c >= 0) {
      ++pos_;
      if (c == '\n') ++line_;
    }
    return c;
  }
  uint64_t Offset() const { return base_ + pos_; }
  // The byte k ahead is the ASCII letter `lower` in either case.
  [[gnu::always_inline]] bool Is(size_t k, char lower) {
    int d = PeekAt(k);
    return d == lower || d == lower - 32;
  }

  void Problem(std::string table, uint64_t line, uint64_t off, std::string msg, bool lost) {
    ++st_.problems;
    sink_.OnProblem(DumpProblem::At(std::move(table), line, off, std::move(msg), lost));
  }
  static std::string Shown(int c);

  // ---- Lexing between statements (dump_parser.cc) ----
  void SkipSpaceAndComments();
  void SkipSpace() {
    for (;;) {
      for (; pos_ < end_; ++pos_) {
        char c = data_[pos_];
        if (c == '\n')
          ++line_;
        else if (c != ' ' && c != '\t' && c != '\r')
          return;
      }
      if (!Fill(1)) return;
    }
  }
  void SkipLine();
  std::string ReadWord() {
    std::string w;
    while (dumpsyntax::IsWordChar(Peek()) && w.size() < 64) w += static_cast<char>(Get());
    return w;
  }
  void SkipStatement();
  void SkipDelimiterBlock();
  bool ReadIdentifier(std::string* out);

  // ---- Tables ----
  const DumpTable* FindTable(std::string_view name);  // nullptr when not named yet
  void SetTable(const std::string& name, std::shared_ptr<const DumpTable> t);
  const DumpTable* TableFor(const std::string& name, uint64_t line, uint64_t off, Status* s);
  Status ParseCreate(uint64_t line, uint64_t off);
  Status ParseInsert(uint64_t line, uint64_t off);
  // After a row and the space after it, at neither ',' nor ';': the statement's end ("*/" of
  // its conditional comment, ON DUPLICATE KEY ..., or what is reported).
  // After a row: ',' (another row follows) or ';' (the statement ends), consumed; else 0.
  int AfterRow();
  Status FinishStatement(const std::string& name);

  // ---- Rows (dump_values.cc) ----
  enum class RowEnd { kOk, kError, kEof };
  struct Span {
    ValueKind kind;
    size_t begin, size;
    bool check_utf8;
  };
  void Append(const char* p, size_t n) {
    if (oversize_) return;
    if (arena_.size() + n > opt_.max_row_bytes) {
      oversize_ = true;
      return;
    }
    arena_.append(p, n);
  }
  void Append(char c) { Append(&c, 1); }
  RowEnd Fail(std::string msg, bool eof);
  RowEnd ParseRow();
  // A value's span: a row has hundreds of millions of them in a large dump, so this stays
  // inline and the vector is not cleared per row.
  [[gnu::always_inline]] void PushSpan(ValueKind kind, size_t begin, size_t size, bool check) {
    if (nspans_ == spans_.size()) spans_.resize(std::max<size_t>(64, spans_.size() * 2));
    spans_[nspans_++] = Span{kind, begin, size, check};
  }
  RowEnd ParseString(int quote, ValueKind kind, bool check);
  RowEnd ParseHexBody(int close, size_t begin);
  RowEnd ParseValue();
  // A row the sink only counts (DumpSink::CountsOnly), after its '(': its end found without
  // decoding its values, for the common forms only (quoted strings without a byte past ASCII,
  // numbers, NULL) in the bytes at hand. True when the row has `columns` values and a full
  // parse would report nothing of it: the row is consumed. Else nothing is consumed, for
  // ParseRow.
  bool SkipCountedRow(size_t columns);
  // A row read in full, after its '(': its values found in the bytes at hand where it has only
  // the common forms (quoted strings, numbers, NULL) and is no larger than max_row_bytes as
  // written. Then values_ holds them, nspans_ their count, and the row is consumed: numbers
  // and strings without an escape as views into the input (valid until the next read of it),
  // strings with one unescaped into the arena as ParseString does; DeliverRow hands them over
  // as ParseRow's would be. Else nothing is consumed, for ParseRow.
  bool ScanPlainRow();
  // `t` is the statement's table; a table first defined by this row (columns named by
  // position) is replaced by its new definition.
  Status DeliverRow(const DumpTable*& t, const std::vector<std::string>* names, uint64_t line,
                    uint64_t off);

  ByteInput& in_;
  DumpSink& sink_;
  const DumpOptions& opt_;
  DumpStats& st_;
  // The read buffer, allocated when first needed and never zeroed: a chunk in memory is parsed
  // where it is, and a zeroed megabyte for each of a dump's thousands of chunks cost page
  // faults and clearing as large as the parse.
  std::unique_ptr<char[]> buf_;
  char* Buffer();
  // The bytes being read: buf_'s, or those the input lends (ByteInput::Lend).
  const char* data_ = nullptr;
  size_t pos_ = 0, end_ = 0;
  uint64_t base_ = 0, line_ = 1;
  bool eof_ = false, in_cond_ = false;
  Status io_;
  // Set only while SkipSpaceAndComments looks at the next byte between two statements: the
  // one place where the parse may stop at a boundary of its input.
  bool between_statements_ = false;
  ParseEnd how_ended_ = ParseEnd::kEnd;
  std::shared_ptr<const TableMap> start_tables_;  // as the parse started
  TableMap changed_;                              // defined or redefined since
  std::vector<std::pair<std::string, std::shared_ptr<const DumpTable>>> read_;
  std::set<std::string, std::less<>> read_names_;
  bool restarted_index_ = false;
  std::map<std::string, uint64_t, std::less<>> row_index_;
  uint64_t* row_counter_ = nullptr;  // row_index_ of the current statement's table
  std::vector<std::string> schema_names_;
  std::vector<bool> binary_cols_;
  std::string arena_;
  std::vector<Span> spans_;  // the first nspans_ are this row's (the vector only grows)
  size_t nspans_ = 0;
  std::vector<DumpValue> values_;
  bool plain_row_ = false;  // values_ was filled by ScanPlainRow (no spans)
  struct Unescaped {        // a string ScanPlainRow unescaped into the arena
    size_t value, begin, size;
  };
  std::vector<Unescaped> unescaped_;
  // The strings of ScanPlainRow's row that may hold a byte past ASCII (by value, ascending):
  // the others need no UTF-8 check.
  std::vector<uint32_t> maybe_past_ascii_;
  bool oversize_ = false;
  uint64_t schema_generation_ = 0;
  std::string err_;
  uint64_t err_line_ = 0, err_off_ = 0;
};

}  // namespace tq::storedb
