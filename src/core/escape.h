// Hostile text: raw evidence bytes (attacker-controlled) made safe for the place they are
// shown. Every function accepts arbitrary bytes, including invalid UTF-8 and NULs.
#pragma once

#include <string>
#include <string_view>

namespace tq {

// Terminal: printable UTF-8 passes; C0/C1 controls, DEL and ESC (so no ANSI sequence) become
// \n, \t, \r, \e or \xNN; invalid UTF-8 bytes become \xNN; a backslash becomes \\ so the
// output is unambiguous.
std::string EscapeTerminal(std::string_view raw);
// HTML text and attribute values: & < > " ' escaped; invalid UTF-8 as U+FFFD; controls
// other than \t \n \r as U+FFFD.
std::string EscapeHtml(std::string_view raw);
// One CSV field (RFC 4180): always quoted, quotes doubled; a field whose first character is
// = + - @ TAB or CR gets a leading ' so spreadsheets do not run it as a formula; invalid
// UTF-8 as \xNN; controls other than \t \n \r as \xNN.
std::string EscapeCsvField(std::string_view raw);
// The same, appended to `out` (no allocation of its own).
void AppendCsvField(std::string_view raw, std::string* out);
// JSON string body (no surrounding quotes), always valid UTF-8. JSON's own escapes for " and
// controls; on top, so that any byte string survives: an invalid UTF-8 byte B is written as
// the text \xBB and a literal backslash as \\ (both in the decoded string). RecoverJsonBytes
// undoes that after a JSON parser has decoded the string.
std::string EscapeJson(std::string_view raw);
// The same, appended to `out`.
void AppendJsonEscaped(std::string_view raw, std::string* out);
// Inverse of EscapeJson's extra layer, applied to the string a JSON parser decoded.
std::string RecoverJsonBytes(std::string_view decoded);

// True when the bytes are valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view raw);
// Length in bytes of the valid UTF-8 sequence at raw[0], or 0 when invalid/truncated.
size_t Utf8SequenceLength(std::string_view raw);

// A short, shown-safe excerpt: at most `max_bytes` of input, cut on a UTF-8 boundary, with
// "…" appended when cut. Not escaped; pass the result through one of the above.
std::string_view Excerpt(std::string_view raw, size_t max_bytes);

}  // namespace tq
