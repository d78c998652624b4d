// The dump parser's rows (see dump_parser.h): one row of an INSERT's VALUES list, its values
// unescaped into the parser's arena, checked (column count, size, UTF-8) and handed to the sink.
#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "core/escape.h"
#include "storedb/dump_parser.h"

namespace tq::storedb {

using namespace dumpsyntax;  // NOLINT: the reader's own lexing helpers

namespace {
// No byte of `s` has its high bit set (then it is valid UTF-8): eight bytes at a time, for
// the values of a dump, nearly all of them ASCII, before the byte-wise check of the rest.
bool IsAscii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t any = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    any |= v;
  }
  for (; n > 0; ++p, --n) any |= static_cast<unsigned char>(*p);
  return (any & 0x8080808080808080ull) == 0;
}

// The first of `quote`, a backslash or a newline in [p, e), else e: eight bytes at a time
// (a byte equal to the pattern becomes zero; the lowest flagged byte is always a true one).
// With kPastAscii, a byte past ASCII is a stop too (the counted rows' fast path). With
// kOrBytes, the bytes looked at (those before the stop, and maybe a few after it) are ORed
// into *bits: no high bit there, and the bytes before the stop are ASCII.
template <bool kPastAscii, bool kOrBytes = false>
const char* FindStop(const char* p, const char* e, char quote, uint64_t* bits = nullptr) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const uint64_t quotes = kOnes * static_cast<unsigned char>(quote);
  const uint64_t backslashes = kOnes * '\\', newlines = kOnes * '\n';
  auto zero_bytes = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  for (; e - p >= 8; p += 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (kOrBytes) *bits |= v;
    uint64_t m = zero_bytes(v ^ quotes) | zero_bytes(v ^ backslashes) | zero_bytes(v ^ newlines);
    if constexpr (kPastAscii) m |= v & kHigh;
    if (m) return p + (__builtin_ctzll(m) >> 3);
  }
  for (; p < e && *p != quote && *p != '\\' && *p != '\n' && !(kPastAscii && (*p & 0x80)); ++p)
    if constexpr (kOrBytes) *bits |= static_cast<unsigned char>(*p);
  return p;
}

// Digits, '.', 'e', 'E', '-' and '+': one load per byte of a dump's numbers.
constexpr std::array<bool, 256> kNumberChars = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("0123456789.eE-+")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();
bool IsNumberChar(char d) { return kNumberChars[static_cast<unsigned char>(d)]; }

// The fast row scans (SkipCountedRow, ScanPlainRow) read values in the bytes at hand and leave
// anything unusual to ParseRow. Their shared steps:

// Past spaces, tabs and line ends, counting the lines.
const char* SkipBlank(const char* p, const char* e, uint64_t* lines) {
  for (; p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'); ++p) *lines += *p == '\n';
  return p;
}

bool StartsNumber(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.'; }

// The end of the number at p (as ParseValue reads numbers: the run of number characters), or
// nullptr when it is not the fast scans' to take: a hex literal, a run reaching the end of the
// bytes at hand, or one longer than 400 characters (ParseValue's to report).
[[gnu::always_inline]] inline const char* PlainNumberEnd(const char* p, const char* e) {
  if (*p == '0' && e - p > 1 && (p[1] == 'x' || p[1] == 'X')) return nullptr;
  const char* q = p;
  while (q < e && IsNumberChar(*q)) ++q;
  return q == e || q - p > 400 ? nullptr : q;
}

// NULL, in any case, as a word of its own at p.
bool NullAt(const char* p, const char* e) {
  return (*p == 'N' || *p == 'n') && e - p > 4 && (p[1] | 0x20) == 'u' && (p[2] | 0x20) == 'l' &&
         (p[3] | 0x20) == 'l' && !IsWordChar(static_cast<unsigned char>(p[4]));
}

// After a value: 1 past a ',', 0 past the row's ')', -1 for anything else (or the end of the
// bytes at hand), which is ParseRow's to read.
int AfterValue(const char** p, const char* e, uint64_t* lines) {
  *p = SkipBlank(*p, e, lines);
  if (*p == e || (**p != ',' && **p != ')')) return -1;
  return *(*p)++ == ',' ? 1 : 0;
}
}  // namespace

Parser::RowEnd Parser::Fail(std::string msg, bool eof) {
  err_ = std::move(msg);
  err_line_ = line_;
  err_off_ = Offset();
  return eof ? RowEnd::kEof : RowEnd::kError;
}

Parser::RowEnd Parser::ParseRow() {
  plain_row_ = false;
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

bool Parser::SkipCountedRow(size_t columns) {
  const char* const start = data_ + pos_;  // after the row's '('
  const char* const e = data_ + end_;
  const char* p = start;
  uint64_t lines = 0;
  auto skip_space = [&] { p = SkipBlank(p, e, &lines); };
  size_t values = 0;
  skip_space();
  if (p < e && *p == ')') {
    ++p;  // no values
  } else {
    for (;;) {
      skip_space();
      if (p == e) return false;
      char c = *p;
      if (c == '\'' || c == '"') {
        // As ParseString: a doubled quote or a backslash and the byte after it are in the
        // string. A byte past ASCII is left to ParseString (its UTF-8 check).
        for (++p;;) {
          p = FindStop<true>(p, e, c);
          if (p == e || (*p & 0x80)) return false;
          if (*p == '\n') {
            ++lines, ++p;
          } else if (*p == '\\') {
            if (e - p < 2 || (p[1] & 0x80)) return false;
            lines += p[1] == '\n';
            p += 2;
          } else if (e - p < 2) {
            return false;  // a doubled quote or the string's end: not known here
          } else if (p[1] == c) {
            p += 2;
          } else {
            ++p;
            break;
          }
        }
      } else if (StartsNumber(c)) {
        p = PlainNumberEnd(p, e);
        if (!p) return false;
      } else if (NullAt(p, e)) {
        p += 4;
      } else {
        return false;
      }
      ++values;
      int next = AfterValue(&p, e, &lines);
      if (next < 0) return false;
      if (next == 0) break;
    }
  }
  // The values unescaped are no longer than the row as written.
  if (values != columns || static_cast<uint64_t>(p - start) > opt_.max_row_bytes) return false;
  pos_ += static_cast<size_t>(p - start);
  line_ += lines;
  return true;
}

bool Parser::ScanPlainRow() {
  const char* const start = data_ + pos_;  // after the row's '('
  const char* const e = data_ + end_;
  const char* p = start;
  uint64_t lines = 0;
  auto skip_space = [&] { p = SkipBlank(p, e, &lines); };
  size_t n = 0;
  arena_.clear();
  if (arena_.capacity() > (8u << 20)) arena_.shrink_to_fit();  // as ParseRow
  unescaped_.clear();
  maybe_past_ascii_.clear();
  auto push = [&](ValueKind kind, const char* b, size_t size) {
    if (n == values_.size()) values_.resize(std::max<size_t>(64, values_.size() * 2));
    values_[n++] = DumpValue{kind, std::string_view(b, size)};
  };
  skip_space();
  if (p < e && *p == ')') {
    ++p;  // no values
  } else {
    for (;;) {
      skip_space();
      // Past max_row_bytes as written the row is ParseRow's to report (and no more values or
      // unescaped bytes are held than it would).
      if (p == e || static_cast<uint64_t>(p - start) > opt_.max_row_bytes) return false;
      char c = *p;
      if (c == '\'' || c == '"') {
        uint64_t bits = 0;
        const char* q = FindStop<false, true>(p + 1, e, c, &bits);
        if (e - q >= 2 && *q == c && q[1] != c) {  // no escape: the string as it stands
          if (bits & 0x8080808080808080ull) maybe_past_ascii_.push_back(static_cast<uint32_t>(n));
          push(ValueKind::kString, p + 1, static_cast<size_t>(q - p - 1));
          p = q + 1;
        } else {
          // Unescaped into the arena as ParseString does, in the bytes at hand; its view is
          // set once the row is read (the arena may move as it grows).
          size_t begin = arena_.size();
          for (p = p + 1;; q = FindStop<false>(p, e, c)) {
            if (e - q < 2) return false;  // the string's end is not known here
            if (static_cast<uint64_t>(q - start) > opt_.max_row_bytes) return false;
            arena_.append(p, static_cast<size_t>(q - p));
            p = q + 1;
            if (*q == '\n') {
              ++lines;
              arena_ += '\n';
            } else if (*q == c) {
              if (*p != c) break;
              arena_ += c;
              ++p;
            } else {  // a backslash
              char d = *p++;
              lines += d == '\n';
              switch (d) {
                case '0': arena_ += '\0'; break;
                case 'b': arena_ += '\b'; break;
                case 'n': arena_ += '\n'; break;
                case 'r': arena_ += '\r'; break;
                case 't': arena_ += '\t'; break;
                case 'Z': arena_ += '\x1a'; break;
                case '%': arena_ += "\\%"; break;  // MySQL keeps the backslash for \% and \_
                case '_': arena_ += "\\_"; break;
                default: arena_ += d; break;
              }
            }
          }
          unescaped_.push_back({n, begin, arena_.size() - begin});
          maybe_past_ascii_.push_back(static_cast<uint32_t>(n));
          push(ValueKind::kString, nullptr, 0);
        }
      } else if (StartsNumber(c)) {
        const char* q = PlainNumberEnd(p, e);
        if (!q) return false;
        push(ValueKind::kNumber, p, static_cast<size_t>(q - p));
        p = q;
      } else if (NullAt(p, e)) {
        push(ValueKind::kNull, p + 4, 0);
        p += 4;
      } else {
        return false;
      }
      int next = AfterValue(&p, e, &lines);
      if (next < 0) return false;
      if (next == 0) break;
    }
  }
  // The values are no longer than the row as written.
  if (static_cast<uint64_t>(p - start) > opt_.max_row_bytes) return false;
  for (const Unescaped& u : unescaped_)
    values_[u.value].bytes = std::string_view(arena_.data() + u.begin, u.size);
  pos_ += static_cast<size_t>(p - start);
  line_ += lines;
  nspans_ = n;
  oversize_ = false;
  plain_row_ = true;
  return true;
}

Parser::RowEnd Parser::ParseString(int quote, ValueKind kind, bool check) {
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
    const char* p = data_ + pos_;
    const char* e = data_ + end_;
    const char* q = FindStop<false>(p, e, static_cast<char>(quote));
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

Parser::RowEnd Parser::ParseHexBody(int close, size_t begin) {  // after 0x or X'
  int hi = -1;
  std::string digits;
  auto decode = [&] {  // the digits so far into bytes, a half byte carried in `hi`
    for (char h : digits) {
      if (hi < 0) {
        hi = HexDigit(h);
      } else {
        Append(static_cast<char>(hi * 16 + HexDigit(h)));
        hi = -1;
      }
    }
    digits.clear();
  };
  for (;;) {
    int c = Peek();
    if (c < 0) return Fail("dump ends inside a hex literal", true);
    if (HexDigit(c) < 0) break;
    digits += static_cast<char>(Get());
    if (digits.size() >= 4096) decode();  // in pieces, to keep memory flat
  }
  if (hi < 0 && digits.size() % 2 == 1 && arena_.size() == begin) digits.insert(0, "0");
  decode();
  if (hi >= 0) Append(static_cast<char>(hi));
  if (close) {
    if (Get() != close) return Fail("malformed hex literal X'...'", false);
  }
  PushSpan(ValueKind::kBinary, begin, arena_.size() - begin, false);
  return RowEnd::kOk;
}

Parser::RowEnd Parser::ParseValue() {
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
      const char* p = data_ + pos_;
      const char* e = data_ + end_;
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
  if ((c == 'N' || c == 'n') && Is(1, 'u') && Is(2, 'l') && Is(3, 'l') && !IsWordChar(PeekAt(4))) {
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

Status Parser::DeliverRow(const DumpTable*& t, const std::vector<std::string>* names, uint64_t line,
                          uint64_t off) {
  if (oversize_) {
    Problem(t->name, line, off,
            "row larger than " + std::to_string(opt_.max_row_bytes) + " bytes in `" + t->name +
                "`; row skipped",
            true);
    ++st_.rows_skipped;
    ++*row_counter_;
    return Status::Ok();
  }
  if (!names) {
    // No CREATE TABLE and no column list: name the columns by position, once.
    if (t->columns.empty()) {
      auto defined = std::make_shared<DumpTable>(*t);
      for (size_t i = 0; i < nspans_; ++i)
        defined->columns.push_back(DumpColumn{"col" + std::to_string(i + 1), ""});
      t = defined.get();
      std::string name = defined->name;
      SetTable(name, std::move(defined));
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
    ++*row_counter_;
    return Status::Ok();
  }
  if (plain_row_) {
    // Quoted strings as they stand: checked as ParseValue would have asked (not a binary
    // column's); those the scan saw only ASCII in are valid.
    for (uint32_t i : maybe_past_ascii_) {
      const DumpValue& v = values_[i];
      if (v.kind == ValueKind::kString && !(i < binary_cols_.size() && binary_cols_[i]) &&
          !IsAscii(v.bytes) && !tq::IsValidUtf8(v.bytes))
        Problem(t->name, line, off,
                "invalid UTF-8 in `" + t->name + "`.`" + (*names)[i] +
                    "` (row kept, value read as bytes)",
                false);
    }
  } else {
    if (values_.size() < nspans_) values_.resize(nspans_);
    for (size_t i = 0; i < nspans_; ++i) {
      const Span& s = spans_[i];
      values_[i] = DumpValue{s.kind, std::string_view(arena_.data() + s.begin, s.size)};
      if (s.check_utf8 && s.kind == ValueKind::kString && !IsAscii(values_[i].bytes) &&
          !tq::IsValidUtf8(values_[i].bytes))
        Problem(t->name, line, off,
                "invalid UTF-8 in `" + t->name + "`.`" + (*names)[i] +
                    "` (row kept, value read as bytes)",
                false);
    }
  }
  DumpRow row;
  row.table = t;
  row.columns = names;
  row.values = std::span<const DumpValue>(values_.data(), nspans_);
  // In the arena one after another, or in the row as written; not when both.
  row.one_piece = !plain_row_ || unescaped_.empty();
  row.line = line;
  row.offset = off;
  row.index = (*row_counter_)++;
  row.schema_generation = schema_generation_;
  ++st_.rows;
  return sink_.OnRow(row);
}

}  // namespace tq::storedb
