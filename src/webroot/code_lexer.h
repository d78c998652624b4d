// Implementation header (normalize.cc, behaviour.cc and their tests only): a bounded lexer
// for PHP and JavaScript that turns attacker source into tokens with string literals
// decoded, and the folding passes that undo the usual disguises (concatenation, chr() and
// String.fromCharCode runs, constant variables, string-array lookups, decode calls on
// literals, function names built from strings).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "webroot/normalize.h"

namespace tq::webroot {

enum class Lang : uint8_t { kPhp, kJs };

enum class Tok : uint8_t {
  kWord,    // identifier or keyword (PHP: also a function name that a fold revealed)
  kVar,     // PHP $name (text holds "$name"); "$" alone for $$ / ${
  kString,  // literal; text holds the decoded value
  kNumber,  // text holds the source spelling
  kOp,      // punctuation, one token per operator
  kHtml,    // PHP inline HTML outside <?php ... ?> (text is the HTML)
};

struct Token {
  Tok type = Tok::kOp;
  std::string text;
  // kString: "`" for a PHP backtick (shell) string, "\"" for a string with interpolation.
  char quote = '\'';
  bool concealed = false;  // kWord/kVar made from a string (a name that was built)
  // kString: the decoders a fold applied to produce it, outermost last ("base64_decode>gzinflate");
  // kOp "/regex/": the pattern's source (first 256 bytes)
  std::string decoded_by;
};

// The operator token OP.
inline bool IsOp(const Token& t, std::string_view op) { return t.type == Tok::kOp && t.text == op; }

// An integer literal's value: decimal, 0x, 0o, 0b, legacy octal (a leading 0), `_` separators;
// nullopt for anything else or a value above 2^40.
std::optional<int64_t> IntegerLiteral(std::string_view s);

struct LexLimits {
  size_t max_tokens = 1u << 21;
  size_t max_string = 8u << 20;  // a literal longer than this is cut (and `truncated` set)
};

struct LexResult {
  std::vector<Token> tokens;
  bool truncated = false;  // a limit cut the input
};

// PHP starts outside a tag (inline HTML) unless `in_code` (a decoded eval payload).
LexResult LexPhp(std::string_view src, bool in_code, const LexLimits& limits);
LexResult LexJs(std::string_view src, const LexLimits& limits);

struct FoldBudget {
  size_t bytes_left = 32u << 20;  // every string a fold creates is charged here
  int passes = 8;
  size_t eval_steps_left = 1u << 22;  // steps the file's own decoder functions may run (php_eval.h)
  std::set<std::string> eval_refused;  // decoder functions that could not be run (not retried)
  bool js_traced = false;              // the JavaScript decoders' traced run was made (js_eval.h)
  bool exhausted = false;
};

// Folds in place until nothing changes, the passes run out or the budget is spent.
void Fold(std::vector<Token>& tokens, Lang lang, FoldBudget& budget);

// Renders tokens as compact code: strings single-quoted (value as is), comments gone, one
// space only where two words would merge. Output capped at `max_bytes`.
std::string Render(const std::vector<Token>& tokens, size_t max_bytes);

// Decoders, bounded: nullopt-like empty result with ok=false on bad input.
struct Decoded {
  bool ok = false;
  std::string out;
};
Decoded DecodeBase64(std::string_view in, size_t max_out);
Decoded Inflate(std::string_view in, int window_bits, size_t max_out);  // -15 raw, 15 zlib, 31 gzip
Decoded HexToBin(std::string_view in);
Decoded UrlDecode(std::string_view in, bool plus_is_space);
std::string Rot13(std::string_view in);

// True for text that reads as code rather than data (enough punctuation and words).
bool LooksLikeCode(std::string_view s);
// True when PHP code (no open tag needed) holds a statement: a call, an assignment, an echo.
bool HasPhpStatement(std::string_view code);
bool IsPrintableText(std::string_view s);

// Behaviour analysis of one folded layer (behaviour.cc); traits are appended to `out`.
void AnalyzePhp(const std::vector<Token>& tokens, const std::string& layer,
                std::vector<CodeTrait>& out);
// Shared by the analysers: one trait per id and layer; names of payment card fields.
void AddTrait(std::vector<CodeTrait>& out, std::string id, std::string family, int strength,
              std::string what, const std::string& layer);
bool CardFieldName(std::string_view s);
// Of those, the number and the security code only (a receipt may name the holder or expiry).
bool CardSecretName(std::string_view s);
// The value of a hex digit, or -1; a code point appended as UTF-8 (U+FFFD past U+10FFFF).
int HexVal(char c);
void AppendUtf8(std::string& out, uint32_t cp);
// behaviour_js.cc
void AnalyzeJs(const std::vector<Token>& tokens, const std::string& layer, bool decoded,
               std::vector<CodeTrait>& out);
// Foreign <script src> hosts in HTML (behaviour_js.cc).
void AnalyzeHtml(std::string_view html, const std::string& layer, std::vector<CodeTrait>& out);

}  // namespace tq::webroot
