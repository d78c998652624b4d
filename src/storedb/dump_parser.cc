// The dump parser's statement level (see dump_parser.h): the read buffer, the statement loop,
// comments, CREATE TABLE and the head of INSERT/REPLACE; the rows are dump_values.cc's.
#include "storedb/dump_parser.h"

#include <algorithm>
#include <cctype>

namespace tq::storedb {

using namespace dumpsyntax;  // NOLINT: the reader's own lexing helpers

namespace {
constexpr size_t kBufSize = 1 << 20;

bool IsBinaryType(std::string_view type) {
  return type.find("blob") != std::string_view::npos ||
         type.find("binary") != std::string_view::npos || type.starts_with("bit") ||
         type.starts_with("geometry") || type.starts_with("point") || type.starts_with("polygon") ||
         type.starts_with("linestring");
}
}  // namespace

Parser::Parser(ByteInput& in, DumpSink& sink, const DumpOptions& o, DumpStats* stats,
               const ParseStart& start)
    : in_(in),
      sink_(sink),
      opt_(o),
      st_(*stats),
      base_(start.offset),
      line_(start.line),
      in_cond_(start.in_cond),
      start_tables_(start.tables),
      row_index_(start.row_index),
      schema_generation_(start.schema_generation) {}

ParseStart Parser::EndState() const {
  ParseStart s;
  s.offset = Offset();
  s.line = line_;
  s.in_cond = in_cond_;
  if (changed_.empty()) {
    s.tables = start_tables_;
  } else {
    auto merged = std::make_shared<TableMap>(start_tables_ ? *start_tables_ : TableMap());
    for (const auto& [name, t] : changed_) (*merged)[name] = t;
    s.tables = std::move(merged);
  }
  s.row_index = row_index_;
  s.schema_generation = schema_generation_;
  return s;
}

char* Parser::Buffer() {
  if (!buf_) buf_.reset(new char[kBufSize]);
  return buf_.get();
}

bool Parser::Fill(size_t need) {
  if (end_ - pos_ >= need) return true;
  if (eof_) return false;
  // The unread bytes (fewer than `need`, a few) go to the front of the buffer, out of lent
  // memory too, and reading goes on there.
  size_t rest = end_ - pos_;
  if (rest > 0) {
    char* b = Buffer();
    if (data_ != b)
      std::memcpy(b, data_ + pos_, rest);
    else if (pos_ > 0)
      std::memmove(b, b + pos_, rest);
    data_ = b;
  }
  base_ += pos_;
  end_ = rest;
  pos_ = 0;
  while (end_ - pos_ < need && !eof_) {
    if (end_ == 0) {
      // A chunk in memory is parsed where it is, without a copy.
      std::string_view lent = in_.Lend();
      if (lent.size() >= need) {
        data_ = lent.data();
        end_ = lent.size();
        return true;
      }
      if (!lent.empty()) {
        data_ = Buffer();
        std::memcpy(Buffer(), lent.data(), lent.size());
        end_ = lent.size();
        continue;
      }
    }
    char* b = Buffer();  // holds the end_ bytes read so far, if any
    data_ = b;
    Result<size_t> r = in_.Read(b + end_, kBufSize - end_);
    if (!r.ok()) {
      io_ = r.status();
      eof_ = true;
      break;
    }
    if (*r == 0) {
      if (!in_.AtBoundary()) {
        eof_ = true;
      } else if (between_statements_ && end_ == pos_) {
        how_ended_ = ParseEnd::kBoundary;  // the next parse starts here
        eof_ = true;
      } else if (!in_.Advance()) {
        how_ended_ = ParseEnd::kOverran;  // a statement goes on past this input
        eof_ = true;
      }
    }
    end_ += *r;
  }
  return end_ - pos_ >= need;
}

Status Parser::Run() {
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
  if (how_ended_ != ParseEnd::kEnd) return Status::Ok();
  if (in_cond_)
    Problem("", line_, Offset(), "dump ends inside a /*! conditional comment (cut off?)", false);
  st_.bytes = Offset();
  return Status::Ok();
}

std::string Parser::Shown(int c) {
  if (c < 0) return "end of input";
  if (c >= 0x21 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  char b[16];
  std::snprintf(b, sizeof b, "0x%02x", c);
  return b;
}

void Parser::SkipSpaceAndComments() {
  for (;;) {
    between_statements_ = true;
    int c = Peek();
    between_statements_ = false;
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

void Parser::SkipLine() {
  for (;;) {
    if (pos_ == end_ && !Fill(1)) return;
    const char* p = static_cast<const char*>(std::memchr(data_ + pos_, '\n', end_ - pos_));
    if (p) {
      pos_ = p - data_ + 1;
      ++line_;
      return;
    }
    pos_ = end_;
  }
}

// Skips to the end of the current statement: ';' outside quotes, or the "*/" closing the
// conditional comment the statement started in.
void Parser::SkipStatement() {
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
void Parser::SkipDelimiterBlock() {
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

bool Parser::ReadIdentifier(std::string* out) {
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

// ---- Tables ----

const DumpTable* Parser::FindTable(std::string_view name) {
  if (auto it = changed_.find(name); it != changed_.end()) return it->second.get();
  std::shared_ptr<const DumpTable> found;
  if (start_tables_) {
    if (auto it = start_tables_->find(name); it != start_tables_->end()) found = it->second;
  }
  // What the start's tables said, the first time: a parse that started from a guess is
  // checked against the true definitions by these (dump_chunks.cc).
  if (read_names_.emplace(name).second) read_.emplace_back(std::string(name), found);
  return found.get();
}

void Parser::SetTable(const std::string& name, std::shared_ptr<const DumpTable> t) {
  changed_[name] = std::move(t);
}

const DumpTable* Parser::TableFor(const std::string& name, uint64_t line, uint64_t off, Status* s) {
  if (const DumpTable* t = FindTable(name)) return t;
  auto t = std::make_shared<DumpTable>();
  t->name = name;
  t->line = line;
  t->offset = off;
  const DumpTable* raw = t.get();
  SetTable(name, std::move(t));
  ++st_.tables;
  *s = sink_.OnTable(*raw);
  return raw;
}

Status Parser::ParseCreate(uint64_t line, uint64_t off) {
  // Capture the statement (bounded) and parse it with the small lexer of create_table.cc.
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
  std::string name = t.name;
  const DumpTable* old = FindTable(name);
  auto defined = std::make_shared<const DumpTable>(std::move(t));
  const DumpTable& raw = *defined;
  if (old && !old->columns.empty()) {
    // Redefined (a second dump concatenated): the newer definition wins, and its rows go on
    // being numbered where the older left off.
    SetTable(name, std::move(defined));
    ++schema_generation_;
    return sink_.OnTable(raw);
  }
  if (!old) {
    ++st_.tables;
  } else {
    // Named by an INSERT before its CREATE TABLE: a new table, numbered from 0.
    row_index_[name] = 0;
    restarted_index_ = true;
  }
  SetTable(name, std::move(defined));
  return sink_.OnTable(raw);
}

Status Parser::ParseInsert(uint64_t line, uint64_t off) {
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
  const DumpTable* t = TableFor(name, line, off, &s);
  TQ_RETURN_IF_ERROR(s);
  row_counter_ = &row_index_[name];
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
  // Rows only counted: their ends found without decoding them, where that is exact.
  const bool counted = names && sink_.CountsOnly(*t);
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
    if (counted && SkipCountedRow(names->size())) {
      DumpRow row;
      row.table = t;
      row.columns = names;
      row.line = rline;
      row.offset = roff;
      row.index = (*row_counter_)++;
      row.schema_generation = schema_generation_;
      ++st_.rows;
      TQ_RETURN_IF_ERROR(sink_.OnRow(row));
      int sep = AfterRow();
      if (sep == ';') return Status::Ok();
      if (sep != ',') return FinishStatement(name);
      continue;
    }
    RowEnd end = ScanPlainRow() ? RowEnd::kOk : ParseRow();
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
    int sep = AfterRow();
    if (sep == ';') return Status::Ok();
    if (sep != ',') return FinishStatement(name);
  }
}

int Parser::AfterRow() {
  SkipSpace();
  int c = Peek();
  if (c != ',' && c != ';') return 0;
  Get();
  return c;
}

Status Parser::FinishStatement(const std::string& name) {
  int c = Peek();
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
    Problem(name, line_, Offset(), "unexpected text after a row; rest of statement skipped", true);
  SkipStatement();
  return Status::Ok();
}

}  // namespace tq::storedb
