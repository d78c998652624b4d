// Implementation header of storedb's dump reader: small lexing helpers and the CREATE TABLE
// parser (create_table.cc), shared by dump_reader.cc.
#pragma once

#include <string>
#include <string_view>

#include "core/text.h"
#include "storedb/dump.h"

namespace tq::storedb::dumpsyntax {

// Case-insensitive keyword comparison: the core helper (ASCII folding, no locale).
inline bool IEquals(std::string_view a, std::string_view b) { return tq::EqualsFold(a, b); }
// Inline: the parser asks it after every NULL of a dump.
inline bool IsWordChar(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c >= 0x80;
}
int HexDigit(int c);
// Parses "CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (items) options" (the text after
// CREATE): columns with their types and the primary key. False for anything else (views).
bool ParseCreateTable(std::string_view text, DumpTable* t);

}  // namespace tq::storedb::dumpsyntax
