// CREATE TABLE statements of a dump, captured whole (they are small) and parsed into column
// names, types and the primary key; plus the lexing helpers the dump reader shares.
#include <cctype>

#include "core/text.h"
#include "storedb/dump_syntax.h"

namespace tq::storedb::dumpsyntax {

int HexDigit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

// Tokens of a captured CREATE TABLE statement.
struct Token {
  enum Kind { kWord, kIdent, kString, kPunct, kEnd } kind;
  std::string text;
};

class CreateLexer {
 public:
  explicit CreateLexer(std::string_view s) : s_(s) {}
  Token Next() {
    for (;;) {
      while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (s_.substr(i_, 2) == "/*") {
        if (s_.substr(i_, 3) == "/*!") {  // conditional: keep its content
          i_ += 3;
          while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
          continue;
        }
        size_t e = s_.find("*/", i_ + 2);
        i_ = e == std::string_view::npos ? s_.size() : e + 2;
        continue;
      }
      if (s_.substr(i_, 2) == "*/") {
        i_ += 2;
        continue;
      }
      if (s_.substr(i_, 2) == "--" || (i_ < s_.size() && s_[i_] == '#')) {
        size_t e = s_.find('\n', i_);
        i_ = e == std::string_view::npos ? s_.size() : e + 1;
        continue;
      }
      break;
    }
    if (i_ >= s_.size()) return {Token::kEnd, ""};
    char c = s_[i_];
    if (c == '`' || c == '"' || c == '\'') {
      std::string text;
      ++i_;
      while (i_ < s_.size()) {
        char d = s_[i_++];
        if (d == '\\' && c != '`' && i_ < s_.size()) {
          text += s_[i_++];
          continue;
        }
        if (d == c) {
          if (i_ < s_.size() && s_[i_] == c) {
            text += c;
            ++i_;
            continue;
          }
          break;
        }
        text += d;
      }
      return {c == '\'' ? Token::kString : Token::kIdent, text};
    }
    if (IsWordChar(static_cast<unsigned char>(c))) {
      size_t b = i_;
      while (i_ < s_.size() && IsWordChar(static_cast<unsigned char>(s_[i_]))) ++i_;
      return {Token::kWord, std::string(s_.substr(b, i_ - b))};
    }
    ++i_;
    return {Token::kPunct, std::string(1, c)};
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool IsConstraintWord(std::string_view w) {
  for (const char* k : {"PRIMARY", "KEY", "UNIQUE", "INDEX", "CONSTRAINT", "FOREIGN", "FULLTEXT",
                        "SPATIAL", "CHECK", "PERIOD"})
    if (IEquals(w, k)) return true;
  return false;
}

}  // namespace

bool ParseCreateTable(std::string_view text, DumpTable* t) {
  CreateLexer lx(text);
  Token tok = lx.Next();
  if (tok.kind == Token::kWord && IEquals(tok.text, "TEMPORARY")) tok = lx.Next();
  if (!(tok.kind == Token::kWord && IEquals(tok.text, "TABLE"))) return false;
  tok = lx.Next();
  if (tok.kind == Token::kWord && IEquals(tok.text, "IF")) {
    lx.Next();
    lx.Next();
    tok = lx.Next();
  }
  if (tok.kind != Token::kIdent && tok.kind != Token::kWord) return false;
  t->name = tok.text;
  tok = lx.Next();
  while (tok.kind == Token::kPunct && tok.text == ".") {
    tok = lx.Next();
    t->name = tok.text;
    tok = lx.Next();
  }
  if (!(tok.kind == Token::kPunct && tok.text == "(")) return false;
  std::vector<std::string> pk_names;
  for (;;) {  // one item per iteration
    Token first = lx.Next();
    if (first.kind == Token::kEnd) return false;
    if (first.kind == Token::kPunct && first.text == ")") break;
    bool column = first.kind == Token::kIdent ||
                  (first.kind == Token::kWord && !IsConstraintWord(first.text));
    bool primary = first.kind == Token::kWord && IEquals(first.text, "PRIMARY");
    DumpColumn col;
    if (column) col.name = first.text;
    int depth = 0, n = 0;
    bool in_type = column, pk_list = false, col_primary = false;
    Token prev{Token::kPunct, ""};
    for (;;) {
      Token tok2 = lx.Next();
      if (tok2.kind == Token::kEnd) return false;
      if (tok2.kind == Token::kPunct && tok2.text == "(") {
        if (primary && depth == 0) pk_list = true;
        ++depth;
      } else if (tok2.kind == Token::kPunct && tok2.text == ")") {
        if (depth == 0) {
          if (column) t->columns.push_back(col);
          if (col_primary) pk_names.push_back(col.name);
          goto done;
        }
        --depth;
        if (depth == 0) pk_list = false;
      } else if (tok2.kind == Token::kPunct && tok2.text == "," && depth == 0) {
        break;
      }
      if (pk_list && depth == 1 && (tok2.kind == Token::kIdent || tok2.kind == Token::kWord))
        pk_names.push_back(tok2.text);
      if (column) {
        if (in_type) {
          bool starts_attr = n > 0 && depth == 0 && tok2.kind == Token::kWord &&
                             !IEquals(tok2.text, "unsigned") && !IEquals(tok2.text, "zerofill");
          if (starts_attr) {
            in_type = false;
          } else {
            if (!col.type.empty() && tok2.text != "(" && tok2.text != ")" && tok2.text != "," &&
                prev.text != "(" && prev.text != ",")
              col.type += ' ';
            col.type += tok2.kind == Token::kString ? "'" + tok2.text + "'" : Lower(tok2.text);
          }
        }
        if (!in_type && tok2.kind == Token::kWord && IEquals(tok2.text, "KEY") &&
            prev.kind == Token::kWord && IEquals(prev.text, "PRIMARY"))
          col_primary = true;
      }
      prev = tok2;
      ++n;
    }
    if (column) t->columns.push_back(col);
    if (col_primary) pk_names.push_back(col.name);
  }
done:
  for (const std::string& name : pk_names) {
    int i = t->ColumnIndex(name);
    if (i >= 0) t->primary_key.push_back(i);
  }
  return true;
}

}  // namespace tq::storedb::dumpsyntax
