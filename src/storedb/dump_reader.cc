// The streaming mysqldump parser (see dump.h). One pass over a buffered byte stream: a
// statement loop that understands CREATE TABLE and INSERT/REPLACE and skips the rest, and a
// row parser that unescapes values into one reusable arena, so memory is one row plus one
// read buffer whatever the dump's size.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "core/escape.h"
#include "storedb/dump.h"
#include "storedb/dump_input.h"
#include "storedb/dump_syntax.h"

namespace tq::storedb {

using namespace dumpsyntax;  // NOLINT: the reader's own lexing helpers

namespace {

bool IsBinaryType(std::string_view type) {
  return type.find("blob") != std::string_view::npos ||
         type.find("binary") != std::string_view::npos || type.starts_with("bit") ||
         type.starts_with("geometry") || type.starts_with("point") || type.starts_with("polygon") ||
         type.starts_with("linestring");
}

constexpr size_t kBufSize = 1 << 20;

class Parser {
 public:
  Parser(ByteInput& in, std::string_view name, DumpSink& sink, const DumpOptions& o,
         DumpStats* stats)
      : in_(in), name_(name), sink_(sink), opt_(o), st_(*stats), buf_(kBufSize) {}

  Status Run() {
    for (;;) {
      SkipSpaceAndComments();
      TQ_RETURN_IF_ERROR(io_);
      int c = Peek();
      if (c < 0) break;
      if (c == ';') {
        Get();
        continue;
      }
      uint64_t line = line_, off = Offset();
      std::string word = ReadWord();
      if (word.empty()) {  // stray byte outside any statement
        // One report per damaged line, not per byte (a binary file is one problem a line).
        Problem("", line, off, "unexpected " + Shown(c) + " outside a statement; line skipped",
                false);
        SkipLine();
        continue;
      }
      ++st_.statements;
      if (IEquals(word, "INSERT") || IEquals(word, "REPLACE")) {
        TQ_RETURN_IF_ERROR(ParseInsert(line, off));
      } else if (IEquals(word, "CREATE")) {
        TQ_RETURN_IF_ERROR(ParseCreate(line, off));
      } else if (IEquals(word, "DELIMITER")) {
        SkipDelimiterBlock();
      } else {
        SkipStatement();
      }
      TQ_RETURN_IF_ERROR(io_);
    }
    TQ_RETURN_IF_ERROR(io_);
    if (in_cond_)
      Problem("", line_, Offset(), "dump ends inside a /*! conditional comment (cut off?)", false);
    st_.bytes = Offset();
    return Status::Ok();
  }

 private:
  // ---- Buffer ----
  // Peek, PeekAt, Get and Is run per byte of the dump: they are inlined, and the refill they
  // call at the end of the buffer is not.
  [[gnu::noinline]] bool Fill(size_t need) {
    if (end_ - pos_ >= need) return true;
    if (eof_) return false;
    if (pos_ > 0) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      base_ += pos_;
      end_ -= pos_;
      pos_ = 0;
    }
    while (end_ - pos_ < need && !eof_) {
      Result<size_t> r = in_.Read(buf_.data() + end_, buf_.size() - end_);
      if (!r.ok()) {
        io_ = r.status();
        eof_ = true;
        break;
      }
      if (*r == 0) eof_ = true;
      end_ += *r;
    }
    return end_ - pos_ >= need;
  }
  [[gnu::always_inline]] int Peek() {
    if (pos_ == end_ && !Fill(1)) return -1;
    return static_cast<unsigned char>(buf_[pos_]);
  }
  [[gnu::always_inline]] int PeekAt(size_t k) {
    if (end_ - pos_ <= k && !Fill(k + 1)) return -1;
    return static_cast<unsigned char>(buf_[pos_ + k]);
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
    sink_.OnProblem(DumpProblem{std::move(table), line, off, std::move(msg), lost});
  }

  // ---- Lexing between statements ----
  void SkipSpaceAndComments() {
    for (;;) {
      int c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        Get();
      } else if (c == '#' || (c == '-' && PeekAt(1) == '-' && (PeekAt(2) <= ' '))) {
        SkipLine();
      } else if (c == '/' && PeekAt(1) == '*') {
        if (PeekAt(2) == '!') {
          Get(), Get(), Get();
          while (Peek() >= '0' && Peek() <= '9') Get();
          in_cond_ = true;
        } else {
          uint64_t line = line_, off = Offset();
          Get(), Get();
          for (;;) {
            int d = Get();
            if (d < 0) {
              Problem("", line, off, "comment never closed: dump ends inside /* ... */", false);
              return;
            }
            if (d == '*' && Peek() == '/') {
              Get();
              break;
            }
          }
        }
      } else if (c == '*' && in_cond_ && PeekAt(1) == '/') {
        Get(), Get();
        in_cond_ = false;
      } else {
        return;
      }
    }
  }
  void SkipSpace() {
    for (;;) {
      for (; pos_ < end_; ++pos_) {
        char c = buf_[pos_];
        if (c == '\n')
          ++line_;
        else if (c != ' ' && c != '\t' && c != '\r')
          return;
      }
      if (!Fill(1)) return;
    }
  }
  void SkipLine() {
    for (;;) {
      if (pos_ == end_ && !Fill(1)) return;
      const char* p = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', end_ - pos_));
      if (p) {
        pos_ = p - buf_.data() + 1;
        ++line_;
        return;
      }
      pos_ = end_;
    }
  }
  std::string ReadWord() {
    std::string w;
    while (IsWordChar(Peek()) && w.size() < 64) w += static_cast<char>(Get());
    return w;
  }
  // Skips to the end of the current statement: ';' outside quotes, or the "*/" closing the
  // conditional comment the statement started in.
  void SkipStatement() {
    for (;;) {
      int c = Get();
      if (c < 0 || c == ';') return;
      if (c == '*' && in_cond_ && Peek() == '/') {
        Get();
        in_cond_ = false;
        return;
      }
      if (c == '\'' || c == '"' || c == '`') {
        for (;;) {
          int d = Get();
          if (d < 0) return;
          if (d == '\\' && c != '`') {
            Get();
            continue;
          }
          if (d == c) break;
        }
      }
    }
  }
  // "DELIMITER ;;" starts a block of triggers or routines (never data): skip to "DELIMITER ;".
  void SkipDelimiterBlock() {
    std::string rest;
    while (Peek() >= 0 && Peek() != '\n') rest += static_cast<char>(Get());
    auto trim = [](std::string s) {
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
      size_t b = s.find_first_not_of(" \t");
      return b == std::string::npos ? std::string() : s.substr(b);
    };
    if (trim(rest) == ";") return;
    for (;;) {
      SkipSpace();
      if (Peek() < 0) return;
      std::string w = ReadWord();
      std::string tail;
      while (Peek() >= 0 && Peek() != '\n') tail += static_cast<char>(Get());
      if (IEquals(w, "DELIMITER") && trim(tail) == ";") return;
    }
  }

  // ---- Tables ----
  DumpTable* TableFor(const std::string& name, uint64_t line, uint64_t off, Status* s) {
    auto it = tables_.find(name);
    if (it != tables_.end()) return it->second.get();
    auto t = std::make_unique<DumpTable>();
    t->name = name;
    t->line = line;
    t->offset = off;
    DumpTable* raw = t.get();
    tables_[name] = std::move(t);
    ++st_.tables;
    *s = sink_.OnTable(*raw);
    return raw;
  }

  Status ParseCreate(uint64_t line, uint64_t off) {
    // Capture the statement (bounded) and parse it with the small lexer above.
    std::string text;
    bool too_long = false;
    for (;;) {
      int c = Get();
      if (c < 0) break;
      if (c == ';') break;
      if (c == '*' && in_cond_ && Peek() == '/') {
        Get();
        in_cond_ = false;
        break;
      }
      if (text.size() < opt_.max_statement_bytes)
        text += static_cast<char>(c);
      else
        too_long = true;
      if (c == '\'' || c == '"' || c == '`') {
        for (;;) {
          int d = Get();
          if (d < 0) break;
          if (text.size() < opt_.max_statement_bytes) text += static_cast<char>(d);
          if (d == '\\' && c != '`') {
            int e = Get();
            if (e >= 0 && text.size() < opt_.max_statement_bytes) text += static_cast<char>(e);
            continue;
          }
          if (d == c) break;
        }
      }
    }
    DumpTable t;
    t.line = line;
    t.offset = off;
    if (too_long) {
      Problem("", line, off,
              "CREATE statement longer than " + std::to_string(opt_.max_statement_bytes) +
                  " bytes; skipped",
              false);
      return Status::Ok();
    }
    if (!ParseCreateTable(text, &t)) return Status::Ok();  // a view, routine, or not a table
    auto it = tables_.find(t.name);
    if (it != tables_.end() && !it->second->columns.empty()) {
      // Redefined (a second dump concatenated): the newer definition wins.
      *it->second = t;
      ++schema_generation_;
      return sink_.OnTable(*it->second);
    }
    if (it == tables_.end()) ++st_.tables;
    auto& slot = tables_[t.name];
    slot = std::make_unique<DumpTable>(std::move(t));
    return sink_.OnTable(*slot);
  }

  bool ReadIdentifier(std::string* out) {
    out->clear();
    int c = Peek();
    if (c == '`' || c == '"') {
      Get();
      for (;;) {
        int d = Get();
        if (d < 0) return false;
        if (d == c) {
          if (Peek() == c) {
            Get();
            *out += static_cast<char>(c);
            continue;
          }
          return true;
        }
        if (out->size() < 256) *out += static_cast<char>(d);
      }
    }
    *out = ReadWord();
    return !out->empty();
  }

  // ---- INSERT ----
  Status ParseInsert(uint64_t line, uint64_t off) {
    std::string w;
    for (;;) {
      SkipSpace();
      if (Peek() == '`' || Peek() == '"') break;
      w = ReadWord();
      if (IEquals(w, "INTO")) {
        SkipSpace();
        w.clear();
        break;
      }
      if (!(IEquals(w, "LOW_PRIORITY") || IEquals(w, "DELAYED") || IEquals(w, "HIGH_PRIORITY") ||
            IEquals(w, "IGNORE")))
        break;
    }
    std::string name = w;
    if (name.empty() && !ReadIdentifier(&name)) {
      Problem("", line, off, "INSERT without a table name; statement skipped", true);
      SkipStatement();
      return Status::Ok();
    }
    while (Peek() == '.') {
      Get();
      if (!ReadIdentifier(&name)) break;
    }
    Status s;
    DumpTable* t = TableFor(name, line, off, &s);
    TQ_RETURN_IF_ERROR(s);
    SkipSpace();
    std::vector<std::string> list;
    if (Peek() == '(') {
      Get();
      for (;;) {
        SkipSpace();
        std::string col;
        if (!ReadIdentifier(&col)) break;
        list.push_back(col);
        SkipSpace();
        if (Peek() == ',') {
          Get();
          continue;
        }
        break;
      }
      SkipSpace();
      if (Get() != ')') {
        Problem(name, line_, Offset(), "malformed column list in INSERT; statement skipped", true);
        SkipStatement();
        return Status::Ok();
      }
      SkipSpace();
    }
    std::string kw = ReadWord();
    if (!IEquals(kw, "VALUES") && !IEquals(kw, "VALUE")) {
      Problem(name, line_, Offset(),
              "INSERT ... " + kw.substr(0, 20) + " is not a VALUES list; statement skipped", true);
      SkipStatement();
      return Status::Ok();
    }
    // Column names for the rows, and which of them hold binary data (no UTF-8 check).
    const std::vector<std::string>* names = &list;
    if (list.empty()) {
      if (t->columns.empty()) {
        names = nullptr;  // defined by the first row
      } else {
        schema_names_.clear();
        for (const DumpColumn& c : t->columns) schema_names_.push_back(c.name);
        names = &schema_names_;
      }
    }
    ++schema_generation_;  // a new statement: new column list, maybe a new table
    binary_cols_.clear();
    if (names) {
      for (const std::string& n : *names) {
        int i = t->ColumnIndex(n);
        binary_cols_.push_back(i >= 0 && IsBinaryType(t->columns[i].type));
      }
    }
    for (;;) {
      SkipSpace();
      uint64_t rline = line_, roff = Offset();
      int c = Get();
      if (c < 0) {
        Problem(name, rline, roff,
                "dump ends inside INSERT into `" + name + "` (cut off mid-statement?)", true);
        return Status::Ok();
      }
      if (c != '(') {
        Problem(name, rline, roff,
                std::string("expected '(' to start a row, found ") + Shown(c) +
                    "; rest of statement skipped",
                true);
        ++st_.rows_skipped;
        SkipStatement();
        return Status::Ok();
      }
      RowEnd end = ParseRow(name, rline, roff);
      if (end == RowEnd::kEof) {
        Problem(name, err_line_, err_off_,
                err_ + " (row starting at line " + std::to_string(rline) + "; cut off?)", true);
        ++st_.rows_skipped;
        return Status::Ok();
      }
      if (end == RowEnd::kError) {
        Problem(name, err_line_, err_off_, err_ + "; rest of statement skipped", true);
        ++st_.rows_skipped;
        SkipStatement();
        return Status::Ok();
      }
      TQ_RETURN_IF_ERROR(DeliverRow(t, names, rline, roff));
      SkipSpace();
      c = Peek();
      if (c == ',') {
        Get();
        continue;
      }
      if (c == ';') {
        Get();
        return Status::Ok();
      }
      if (c < 0) {
        Problem(name, line_, Offset(),
                "dump ends without ';' after INSERT into `" + name + "` (cut off?)", false);
        return Status::Ok();
      }
      if (c == '*' && in_cond_ && PeekAt(1) == '/') {
        Get(), Get();
        in_cond_ = false;
        return Status::Ok();
      }
      std::string tail = ReadWord();
      if (!IEquals(tail, "ON"))
        Problem(name, line_, Offset(), "unexpected text after a row; rest of statement skipped",
                true);
      SkipStatement();
      return Status::Ok();
    }
  }

  static std::string Shown(int c) {
    if (c < 0) return "end of input";
    if (c >= 0x21 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    char b[16];
    std::snprintf(b, sizeof b, "0x%02x", c);
    return b;
  }

  enum class RowEnd { kOk, kError, kEof };

  void Append(const char* p, size_t n) {
    if (oversize_) return;
    if (arena_.size() + n > opt_.max_row_bytes) {
      oversize_ = true;
      return;
    }
    arena_.append(p, n);
  }
  void Append(char c) { Append(&c, 1); }

  RowEnd Fail(std::string msg, bool eof) {
    err_ = std::move(msg);
    err_line_ = line_;
    err_off_ = Offset();
    return eof ? RowEnd::kEof : RowEnd::kError;
  }

  RowEnd ParseRow(const std::string& table, uint64_t, uint64_t) {
    (void)table;
    arena_.clear();
    if (arena_.capacity() > (8u << 20)) arena_.shrink_to_fit();
    nspans_ = 0;
    oversize_ = false;
    SkipSpace();
    if (Peek() == ')') {
      Get();
      return RowEnd::kOk;
    }
    for (;;) {
      SkipSpace();
      RowEnd r = ParseValue();
      if (r != RowEnd::kOk) return r;
      SkipSpace();
      int c = Peek();
      if (c == ',' || c == ')') Get();
      if (c == ',') continue;
      if (c == ')') return RowEnd::kOk;
      if (c < 0) return Fail("dump ends inside a row", true);
      return Fail(
          "expected ',' or ')' after value " + std::to_string(nspans_) + ", found " + Shown(c),
          false);
    }
  }

  struct Span {
    ValueKind kind;
    size_t begin, size;
    bool check_utf8;
  };

  // A value's span: a row has hundreds of millions of them in a large dump, so this stays
  // inline and the vector is not cleared per row.
  [[gnu::always_inline]] void PushSpan(ValueKind kind, size_t begin, size_t size, bool check) {
    if (nspans_ == spans_.size()) spans_.resize(std::max<size_t>(64, spans_.size() * 2));
    spans_[nspans_++] = Span{kind, begin, size, check};
  }

  RowEnd ParseString(int quote, ValueKind kind, bool check) {
    uint64_t sline = line_, soff = Offset();
    Get();  // opening quote
    size_t begin = arena_.size();
    for (;;) {
      if (pos_ == end_ && !Fill(1)) {
        err_ = "unterminated string: dump ends inside the string that starts at line " +
               std::to_string(sline) + " offset " + std::to_string(soff);
        err_line_ = line_;
        err_off_ = Offset();
        return RowEnd::kEof;
      }
      const char* p = buf_.data() + pos_;
      const char* e = buf_.data() + end_;
      const char* q = p;
      while (q < e && *q != quote && *q != '\\' && *q != '\n') ++q;
      Append(p, q - p);
      pos_ += q - p;
      if (q == e) continue;
      char c = *q;
      if (c == '\n') {
        Append('\n');
        Get();
        continue;
      }
      Get();
      if (c == quote) {
        if (Peek() == quote) {
          Get();
          Append(static_cast<char>(quote));
          continue;
        }
        break;
      }
      int d = Get();  // after a backslash
      switch (d) {
        case -1: continue;  // reported as unterminated on the next turn
        case '0': Append('\0'); break;
        case 'b': Append('\b'); break;
        case 'n': Append('\n'); break;
        case 'r': Append('\r'); break;
        case 't': Append('\t'); break;
        case 'Z': Append('\x1a'); break;
        case '%': Append("\\%", 2); break;  // MySQL keeps the backslash for \% and \_
        case '_': Append("\\_", 2); break;
        default: Append(static_cast<char>(d)); break;
      }
    }
    PushSpan(kind, begin, arena_.size() - begin, check);
    return RowEnd::kOk;
  }

  static bool IsNumberChar(char d) {
    return (d >= '0' && d <= '9') || d == '.' || d == 'e' || d == 'E' || d == '-' || d == '+';
  }

  RowEnd ParseHexBody(int close, size_t begin) {  // after 0x or X'
    int hi = -1;
    std::string digits;
    for (;;) {
      int c = Peek();
      if (c < 0) return Fail("dump ends inside a hex literal", true);
      if (HexDigit(c) < 0) break;
      digits += static_cast<char>(Get());
      if (digits.size() >= 4096) {  // flush in pieces to keep memory flat
        for (char h : digits) {
          if (hi < 0)
            hi = HexDigit(h);
          else {
            Append(static_cast<char>(hi * 16 + HexDigit(h)));
            hi = -1;
          }
        }
        digits.clear();
      }
    }
    if (hi < 0 && digits.size() % 2 == 1 && arena_.size() == begin) digits.insert(0, "0");
    for (char h : digits) {
      if (hi < 0)
        hi = HexDigit(h);
      else {
        Append(static_cast<char>(hi * 16 + HexDigit(h)));
        hi = -1;
      }
    }
    if (hi >= 0) Append(static_cast<char>(hi));
    if (close) {
      if (Get() != close) return Fail("malformed hex literal X'...'", false);
    }
    PushSpan(ValueKind::kBinary, begin, arena_.size() - begin, false);
    return RowEnd::kOk;
  }

  RowEnd ParseValue() {
    int c = Peek();
    size_t col = nspans_;
    bool check = !(col < binary_cols_.size() && binary_cols_[col]);
    if (c == '\'' || c == '"') return ParseString(c, ValueKind::kString, check);
    if (c < 0) return Fail("dump ends inside a row", true);
    if ((c == 'x' || c == 'X') && PeekAt(1) == '\'') {
      Get(), Get();
      return ParseHexBody('\'', arena_.size());
    }
    if ((c == 'b' || c == 'B') && PeekAt(1) == '\'') {
      Get(), Get();
      size_t begin = arena_.size();
      uint64_t bits = 0;
      int n = 0;
      std::string bytes;
      for (;;) {
        int d = Get();
        if (d < 0) return Fail("dump ends inside a bit literal", true);
        if (d == '\'') break;
        if (d != '0' && d != '1') return Fail("malformed bit literal b'...'", false);
        bits = (bits << 1) | static_cast<uint64_t>(d - '0');
        if (++n > 64) return Fail("bit literal longer than 64 bits", false);
      }
      std::string num = std::to_string(bits);
      Append(num.data(), num.size());
      PushSpan(ValueKind::kNumber, begin, arena_.size() - begin, false);
      return RowEnd::kOk;
    }
    if (c == '0' && (PeekAt(1) == 'x' || PeekAt(1) == 'X')) {
      Get(), Get();
      return ParseHexBody(0, arena_.size());
    }
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
      size_t begin = arena_.size();
      // The run of number characters in the buffer at once (no line breaks among them). The
      // length is that of the value kept, as a row past max_row_bytes keeps none.
      constexpr size_t kMaxNumber = 400;
      for (;;) {
        if (pos_ == end_ && !Fill(1)) break;
        const char* p = buf_.data() + pos_;
        const char* e = buf_.data() + end_;
        const char* q = p;
        while (q < e && IsNumberChar(*q)) ++q;
        size_t n = static_cast<size_t>(q - p);
        size_t have = arena_.size() - begin;
        if (!oversize_ && have + n > kMaxNumber) {
          // Reported after the number's 401st character, unless the row outgrew its limit.
          n = kMaxNumber + 1 - have;
          Append(p, n);
          pos_ += n;
          if (!oversize_) return Fail("number longer than 400 characters", false);
          continue;
        }
        Append(p, n);
        pos_ += n;
        if (q < e) break;
      }
      PushSpan(ValueKind::kNumber, begin, arena_.size() - begin, false);
      return RowEnd::kOk;
    }
    if ((c == 'N' || c == 'n') && Is(1, 'u') && Is(2, 'l') && Is(3, 'l') &&
        !IsWordChar(PeekAt(4))) {
      pos_ += 4;  // NULL, the most common word in a dump: no word built, no comparison
      PushSpan(ValueKind::kNull, arena_.size(), 0, false);
      return RowEnd::kOk;
    }
    if (c == '_' || c == 'N' || c == 'n' || IsWordChar(c)) {
      std::string w = ReadWord();
      if (w.empty()) return Fail("unexpected " + Shown(c) + " where a value should be", false);
      if (w[0] == '_') {  // charset introducer
        SkipSpace();
        bool binary = IEquals(w, "_binary");
        int d = Peek();
        if (d == '\'' || d == '"')
          return ParseString(d, binary ? ValueKind::kBinary : ValueKind::kString, !binary && check);
        if ((d == 'x' || d == 'X') && PeekAt(1) == '\'') {
          Get(), Get();
          return ParseHexBody('\'', arena_.size());
        }
        if (d == '0' && (PeekAt(1) == 'x' || PeekAt(1) == 'X')) {
          Get(), Get();
          return ParseHexBody(0, arena_.size());
        }
        return Fail("charset introducer " + w.substr(0, 20) + " without a string", false);
      }
      if (IEquals(w, "NULL")) {
        PushSpan(ValueKind::kNull, arena_.size(), 0, false);
        return RowEnd::kOk;
      }
      if (IEquals(w, "N") && Peek() == '\'') return ParseString('\'', ValueKind::kString, check);
      size_t begin = arena_.size();
      if (IEquals(w, "TRUE") || IEquals(w, "FALSE")) {
        Append(IEquals(w, "TRUE") ? '1' : '0');
        PushSpan(ValueKind::kNumber, begin, 1, false);
        return RowEnd::kOk;
      }
      // An expression such as CURRENT_TIMESTAMP or ST_GeomFromText('...'): kept as written.
      Append(w.data(), w.size());
      SkipSpace();
      if (Peek() == '(') {
        int depth = 0;
        for (;;) {
          int d = Get();
          if (d < 0) return Fail("dump ends inside an expression", true);
          Append(static_cast<char>(d));
          if (d == '(') ++depth;
          if (d == ')' && --depth == 0) break;
          if (d == '\'') {
            for (;;) {
              int e = Get();
              if (e < 0) return Fail("dump ends inside an expression", true);
              Append(static_cast<char>(e));
              if (e == '\\') {
                int f = Get();
                if (f >= 0) Append(static_cast<char>(f));
                continue;
              }
              if (e == '\'') break;
            }
          }
        }
      }
      PushSpan(ValueKind::kNumber, begin, arena_.size() - begin, false);
      return RowEnd::kOk;
    }
    return Fail("unexpected " + Shown(c) + " where a value should be", false);
  }

  Status DeliverRow(DumpTable* t, const std::vector<std::string>* names, uint64_t line,
                    uint64_t off) {
    if (oversize_) {
      Problem(t->name, line, off,
              "row larger than " + std::to_string(opt_.max_row_bytes) + " bytes in `" + t->name +
                  "`; row skipped",
              true);
      ++st_.rows_skipped;
      ++row_index_[t];
      return Status::Ok();
    }
    if (!names) {
      // No CREATE TABLE and no column list: name the columns by position, once.
      if (t->columns.empty()) {
        for (size_t i = 0; i < nspans_; ++i)
          t->columns.push_back(DumpColumn{"col" + std::to_string(i + 1), ""});
      }
      schema_names_.clear();
      for (const DumpColumn& c : t->columns) schema_names_.push_back(c.name);
      names = &schema_names_;
      ++schema_generation_;
    }
    if (nspans_ != names->size()) {
      Problem(t->name, line, off,
              "column count mismatch in `" + t->name + "`: row has " + std::to_string(nspans_) +
                  " values, table has " + std::to_string(names->size()) + " columns; row skipped",
              true);
      ++st_.rows_skipped;
      ++row_index_[t];
      return Status::Ok();
    }
    values_.resize(nspans_);
    for (size_t i = 0; i < nspans_; ++i) {
      const Span& s = spans_[i];
      values_[i] = DumpValue{s.kind, std::string_view(arena_.data() + s.begin, s.size)};
      if (s.check_utf8 && s.kind == ValueKind::kString && !tq::IsValidUtf8(values_[i].bytes))
        Problem(t->name, line, off,
                "invalid UTF-8 in `" + t->name + "`.`" + (*names)[i] +
                    "` (row kept, value read as bytes)",
                false);
    }
    DumpRow row;
    row.table = t;
    row.columns = names;
    row.values = std::span<const DumpValue>(values_.data(), values_.size());
    row.line = line;
    row.offset = off;
    row.index = row_index_[t]++;
    row.schema_generation = schema_generation_;
    ++st_.rows;
    return sink_.OnRow(row);
  }

  ByteInput& in_;
  std::string name_;
  DumpSink& sink_;
  const DumpOptions& opt_;
  DumpStats& st_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t base_ = 0, line_ = 1;
  bool eof_ = false, in_cond_ = false;
  Status io_;
  std::map<std::string, std::unique_ptr<DumpTable>> tables_;
  std::map<const DumpTable*, uint64_t> row_index_;
  std::vector<std::string> schema_names_;
  std::vector<bool> binary_cols_;
  std::string arena_;
  std::vector<Span> spans_;  // the first nspans_ are this row's (the vector only grows)
  size_t nspans_ = 0;
  std::vector<DumpValue> values_;
  bool oversize_ = false;
  uint64_t schema_generation_ = 0;
  std::string err_;
  uint64_t err_line_ = 0, err_off_ = 0;
};

Result<DumpStats> Read(ByteInput& in, std::string compression, std::string_view name,
                       DumpSink& sink, const DumpOptions& options) {
  DumpStats stats;
  stats.compression = std::move(compression);
  Parser p(in, name, sink, options, &stats);
  Status s = p.Run();
  if (!s.ok()) return Status(s.code(), std::string(name) + ": " + s.message());
  return stats;
}

}  // namespace

int DumpTable::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (IEquals(columns[i].name, column)) return static_cast<int>(i);
  return -1;
}

const DumpValue* DumpRow::Find(std::string_view column) const {
  if (!columns) return nullptr;
  for (size_t i = 0; i < columns->size() && i < values.size(); ++i)
    if ((*columns)[i] == column) return &values[i];  // the usual case: same spelling
  for (size_t i = 0; i < columns->size() && i < values.size(); ++i)
    if (IEquals((*columns)[i], column)) return &values[i];
  return nullptr;
}

Result<DumpStats> ReadDumpFile(const std::string& path, std::string_view display_name,
                               DumpSink& sink, const DumpOptions& options) {
  std::string compression;
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<ByteInput> in, OpenDumpInput(path, &compression));
  return ParseRelayed([&](DumpSink& s) { return Read(*in, compression, display_name, s, options); },
                      display_name, sink, options.threads);
}

Result<DumpStats> ReadDumpBytes(std::string_view bytes, std::string_view display_name,
                                DumpSink& sink, const DumpOptions& options) {
  std::string compression;
  std::unique_ptr<ByteInput> in = MemoryDumpInput(bytes, &compression);
  return ParseRelayed([&](DumpSink& s) { return Read(*in, compression, display_name, s, options); },
                      display_name, sink, options.threads);
}

}  // namespace tq::storedb
