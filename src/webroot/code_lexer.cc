// PHP and JavaScript lexers for normalisation. Both are single forward passes with no
// backtracking, so time is linear in the input; unterminated strings, comments and heredocs
// run to the end of the input; every limit sets `truncated` instead of failing.
#include "webroot/code_lexer.h"

#include <cctype>
#include <cstring>

namespace tq::webroot {
namespace {

bool IsWordStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsWordChar(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }
bool IsJsWordStart(unsigned char c) { return IsWordStart(c) || c == '$'; }
bool IsJsWordChar(unsigned char c) { return IsWordChar(c) || c == '$'; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// Operators longest first; anything else is a one-character operator.
constexpr std::string_view kPhpOps[] = {
    "<=>", "===", "!==", "**=", "...", "<<=", ">>=", "?\?=", "?->", "==", "!=", "<>",
    "<=",  ">=",  "&&",  "||",  "++",  "--",  "+=",  "-=",   "*=",  "/=", ".=", "%=",
    "&=",  "|=",  "^=",  "->",  "=>",  "::",  "<<",  ">>",   "??",  "**"};
constexpr std::string_view kJsOps[] = {
    ">>>=", "===", "!==", "**=", "...", "<<=", ">>=", ">>>", "?\?=", "&&=", "||=",
    "?.",   "==",  "!=",  "<=",  ">=",  "&&",  "||",  "++",  "--",   "+=",  "-=",
    "*=",   "/=",  "%=",  "&=",  "|=",  "^=",  "=>",  "<<",  ">>",   "??",  "**"};

template <size_t N>
size_t OpLength(std::string_view s, size_t i, const std::string_view (&ops)[N]) {
  for (std::string_view op : ops)
    if (s.compare(i, op.size(), op) == 0) return op.size();
  return 1;
}

class Lexer {
 public:
  Lexer(std::string_view s, const LexLimits& l) : s_(s), limits_(l) {}

  bool Full() {
    if (out_.tokens.size() >= limits_.max_tokens) out_.truncated = true;
    return out_.truncated && out_.tokens.size() >= limits_.max_tokens;
  }
  void Push(Tok type, std::string text, char quote = '\'') {
    if (Full()) return;
    if (type == Tok::kString && text.size() > limits_.max_string) {
      text.resize(limits_.max_string);
      out_.truncated = true;
    }
    Token t;
    t.type = type;
    t.text = std::move(text);
    t.quote = quote;
    out_.tokens.push_back(std::move(t));
  }

  // First `<script language="php">` in [from, to) (the tag's own '>' must be there too).
  size_t FindScriptPhp(size_t from, size_t to) const {
    for (size_t p = s_.find('<', from); p != std::string_view::npos && p < to;
         p = s_.find('<', p + 1)) {
      if (p + 7 > s_.size() || !IEquals(s_.substr(p + 1, 6), "script")) continue;
      size_t gt = s_.substr(p, 200).find('>');
      if (gt == std::string_view::npos) continue;
      gt += p;
      std::string tag;
      for (char ch : s_.substr(p, gt - p))
        if (ch != ' ' && ch != '"' && ch != '\'') tag += static_cast<char>(std::tolower(ch));
      if (tag.find("language=php") != std::string::npos) return p;
    }
    return std::string_view::npos;
  }

  // Escapes of PHP double-quoted strings and heredocs.
  size_t PhpEscape(size_t i, std::string& v) {
    char c = i < s_.size() ? s_[i] : '\\';
    switch (c) {
      case 'n': v += '\n'; return i + 1;
      case 't': v += '\t'; return i + 1;
      case 'r': v += '\r'; return i + 1;
      case 'v': v += '\v'; return i + 1;
      case 'e': v += '\x1b'; return i + 1;
      case 'f': v += '\f'; return i + 1;
      case '\\':
      case '$':
      case '"': v += c; return i + 1;
      case 'x':
        if (i + 1 < s_.size() && HexVal(s_[i + 1]) >= 0) {
          int val = HexVal(s_[i + 1]);
          size_t j = i + 2;
          if (j < s_.size() && HexVal(s_[j]) >= 0) val = val * 16 + HexVal(s_[j++]);
          v += static_cast<char>(val);
          return j;
        }
        break;
      case 'u':
        if (i + 1 < s_.size() && s_[i + 1] == '{') {
          size_t j = i + 2;
          uint32_t cp = 0;
          while (j < s_.size() && j < i + 10 && HexVal(s_[j]) >= 0) cp = cp * 16 + HexVal(s_[j++]);
          if (j < s_.size() && s_[j] == '}') {
            AppendUtf8(v, cp);
            return j + 1;
          }
        }
        break;
      default:
        if (c >= '0' && c <= '7') {
          int val = 0;
          size_t j = i;
          while (j < s_.size() && j < i + 3 && s_[j] >= '0' && s_[j] <= '7')
            val = val * 8 + (s_[j++] - '0');
          v += static_cast<char>(val & 0xFF);
          return j;
        }
    }
    v += '\\';
    return i;  // unknown escape: the backslash stays, the character is read normally
  }

  // A double-quoted string or heredoc body: "interpolated" when it names a variable.
  static bool Interpolates(std::string_view raw) {
    for (size_t p = raw.find('$'); p != std::string_view::npos; p = raw.find('$', p + 1))
      if (p + 1 < raw.size() && (IsWordStart(raw[p + 1]) || raw[p + 1] == '{') &&
          (p == 0 || raw[p - 1] != '\\'))
        return true;
    return false;
  }

  size_t PhpDouble(size_t i, char q) {
    std::string v;
    size_t start = i;
    while (i < s_.size() && s_[i] != q) {
      if (s_[i] == '\\' && i + 1 < s_.size()) {
        if (q == '`' && s_[i + 1] != '`') v += '\\';
        i = q == '`' ? i + 1 : PhpEscape(i + 1, v);
        if (q == '`' && i < s_.size()) v += s_[i++];
        continue;
      }
      v += s_[i++];
    }
    bool interp = Interpolates(s_.substr(start, i - start));
    Push(Tok::kString, std::move(v), q == '`' ? '`' : interp ? '"' : '\'');
    return i < s_.size() ? i + 1 : i;
  }

  size_t PhpSingle(size_t i) {
    std::string v;
    while (i < s_.size() && s_[i] != '\'') {
      if (s_[i] == '\\' && i + 1 < s_.size() && (s_[i + 1] == '\'' || s_[i + 1] == '\\')) {
        v += s_[i + 1];
        i += 2;
        continue;
      }
      v += s_[i++];
    }
    Push(Tok::kString, std::move(v));
    return i < s_.size() ? i + 1 : i;
  }

  // <<<ID, <<<"ID", <<<'ID' (nowdoc). `i` is just after "<<<".
  size_t PhpHeredoc(size_t i) {
    while (i < s_.size() && (s_[i] == ' ' || s_[i] == '\t')) ++i;
    bool nowdoc = i < s_.size() && s_[i] == '\'';
    if (i < s_.size() && (s_[i] == '\'' || s_[i] == '"')) ++i;
    size_t id0 = i;
    while (i < s_.size() && IsWordChar(s_[i])) ++i;
    std::string_view id = s_.substr(id0, i - id0);
    if (id.empty()) {
      Push(Tok::kOp, "<<<");
      return i;
    }
    size_t nl = s_.find('\n', i);
    if (nl == std::string_view::npos) return s_.size();
    size_t body = nl + 1, line = body, end = s_.size(), after = s_.size();
    while (line < s_.size()) {
      size_t p = line;
      while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
      if (s_.compare(p, id.size(), id) == 0 &&
          (p + id.size() >= s_.size() || !IsWordChar(s_[p + id.size()]))) {
        end = line;
        after = p + id.size();
        break;
      }
      size_t next = s_.find('\n', line);
      if (next == std::string_view::npos) break;
      line = next + 1;
    }
    std::string_view raw = s_.substr(body, end > body ? end - body - 1 : 0);
    if (end == s_.size()) raw = s_.substr(body);
    std::string v;
    if (nowdoc) {
      v.assign(raw);
    } else {
      for (size_t k = 0; k < raw.size();) {
        if (raw[k] == '\\' && k + 1 < raw.size()) {
          // Escapes are relative to the whole input.
          size_t abs = static_cast<size_t>(raw.data() - s_.data()) + k + 1;
          size_t next = PhpEscape(abs, v);
          k = next - static_cast<size_t>(raw.data() - s_.data());
          continue;
        }
        v += raw[k++];
      }
    }
    Push(Tok::kString, std::move(v), !nowdoc && Interpolates(raw) ? '"' : '\'');
    return after;
  }

  LexResult Php(bool in_code) {
    size_t i = 0;
    bool code = in_code;
    while (i < s_.size() && !Full()) {
      if (!code) {
        size_t open = std::string_view::npos;
        size_t skip = 0;
        for (size_t p = s_.find("<?", i); p != std::string_view::npos; p = s_.find("<?", p + 2)) {
          if (p + 5 <= s_.size() && IEquals(s_.substr(p + 2, 3), "php")) {
            open = p, skip = 5;
            break;
          }
          if (p + 2 < s_.size() && s_[p + 2] == '=') {
            open = p, skip = 3;
            break;
          }
          // Short open tag: "<? " and also "<?@include(...)" or "<?$x=..." (short_open_tag
          // reads anything after "<?"); "<?xml" is a declaration, not PHP.
          if (p + 2 < s_.size() &&
              (std::isspace(static_cast<unsigned char>(s_[p + 2])) || s_[p + 2] == '@' ||
               s_[p + 2] == '$' ||
               ((std::isalpha(static_cast<unsigned char>(s_[p + 2])) || s_[p + 2] == '_') &&
                !(p + 5 <= s_.size() && IEquals(s_.substr(p + 2, 3), "xml"))))) {
            open = p, skip = 2;
            break;
          }
        }
        // <script language="php"> (PHP 5) opens code too; its </script> closes it.
        size_t script = FindScriptPhp(i, open == std::string_view::npos ? s_.size() : open);
        if (script != std::string_view::npos) {
          size_t gt = s_.find('>', script);  // FindScriptPhp saw it within 200 bytes
          open = script, skip = gt - script + 1;
          script_tag_ = true;
        }
        size_t stop = open == std::string_view::npos ? s_.size() : open;
        if (stop > i) Push(Tok::kHtml, std::string(s_.substr(i, stop - i)));
        if (open == std::string_view::npos) break;
        if (skip == 3) Push(Tok::kWord, "echo");
        i = open + skip;
        code = true;
        continue;
      }
      unsigned char c = static_cast<unsigned char>(s_[i]);
      if (std::isspace(c)) {
        ++i;
        continue;
      }
      if (c == '?' && i + 1 < s_.size() && s_[i + 1] == '>') {
        Push(Tok::kOp, ";");
        i += 2;
        code = false;
        continue;
      }
      if (script_tag_ && c == '<' && i + 8 < s_.size() && s_[i + 1] == '/' &&
          IEquals(s_.substr(i + 2, 6), "script")) {
        size_t gt = s_.find('>', i);
        Push(Tok::kOp, ";");
        i = gt == std::string_view::npos ? s_.size() : gt + 1;
        code = false;
        script_tag_ = false;
        continue;
      }
      if (c == '#' || (c == '/' && i + 1 < s_.size() && s_[i + 1] == '/')) {
        while (i < s_.size() && s_[i] != '\n' &&
               !(s_[i] == '?' && i + 1 < s_.size() && s_[i + 1] == '>'))
          ++i;
        continue;
      }
      if (c == '/' && i + 1 < s_.size() && s_[i + 1] == '*') {
        size_t end = s_.find("*/", i + 2);
        i = end == std::string_view::npos ? s_.size() : end + 2;
        continue;
      }
      if (c == '\'') {
        i = PhpSingle(i + 1);
        continue;
      }
      if (c == '"' || c == '`') {
        i = PhpDouble(i + 1, static_cast<char>(c));
        continue;
      }
      if (c == '<' && s_.compare(i, 3, "<<<") == 0) {
        i = PhpHeredoc(i + 3);
        continue;
      }
      if (c == '$') {
        size_t j = i + 1;
        while (j < s_.size() && IsWordChar(s_[j])) ++j;
        Push(Tok::kVar, std::string(s_.substr(i, j - i)));
        i = j;
        continue;
      }
      if (IsWordStart(c)) {
        size_t j = i;
        while (j < s_.size() && IsWordChar(s_[j])) ++j;
        Push(Tok::kWord, std::string(s_.substr(i, j - i)));
        i = j;
        continue;
      }
      if (std::isdigit(c)) {
        size_t j = i;
        while (j < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' || s_[j] == '_'))
          ++j;
        Push(Tok::kNumber, std::string(s_.substr(i, j - i)));
        i = j;
        continue;
      }
      size_t n = OpLength(s_, i, kPhpOps);
      Push(Tok::kOp, std::string(s_.substr(i, n)));
      i += n;
    }
    return std::move(out_);
  }

  size_t JsString(size_t i, char q) {
    std::string v;
    bool interp = false;
    // Letters and digits written as \x/\u escapes: nobody needs to escape those but code that
    // hides its names and hosts ('\x66\x65\x74\x63\x68' for 'fetch').
    size_t hidden = 0;
    auto plain = [](uint32_t cp) { return cp < 0x80 && std::isalnum(static_cast<int>(cp)); };
    while (i < s_.size() && s_[i] != q) {
      char c = s_[i];
      if (q != '`' && c == '\n') break;  // unterminated: a JS string cannot span lines
      if (q == '`' && c == '$' && i + 1 < s_.size() && s_[i + 1] == '{') interp = true;
      if (c == '\\' && i + 1 < s_.size()) {
        char e = s_[i + 1];
        i += 2;
        switch (e) {
          case 'n': v += '\n'; break;
          case 't': v += '\t'; break;
          case 'r': v += '\r'; break;
          case 'b': v += '\b'; break;
          case 'f': v += '\f'; break;
          case 'v': v += '\v'; break;
          case '0': v += '\0'; break;
          case '\n': break;
          case 'x':
            if (i + 1 < s_.size() && HexVal(s_[i]) >= 0 && HexVal(s_[i + 1]) >= 0) {
              uint32_t cp = static_cast<uint32_t>(HexVal(s_[i]) * 16 + HexVal(s_[i + 1]));
              hidden += plain(cp);
              AppendUtf8(v, cp);
              i += 2;
            } else {
              v += 'x';
            }
            break;
          case 'u': {
            uint32_t cp = 0;
            if (i < s_.size() && s_[i] == '{') {
              size_t j = i + 1;
              while (j < s_.size() && j < i + 9 && HexVal(s_[j]) >= 0)
                cp = cp * 16 + HexVal(s_[j++]);
              if (j < s_.size() && s_[j] == '}') {
                AppendUtf8(v, cp);
                i = j + 1;
                break;
              }
            } else if (i + 4 <= s_.size() && HexVal(s_[i]) >= 0 && HexVal(s_[i + 1]) >= 0 &&
                       HexVal(s_[i + 2]) >= 0 && HexVal(s_[i + 3]) >= 0) {
              for (int k = 0; k < 4; ++k) cp = cp * 16 + HexVal(s_[i + k]);
              hidden += plain(cp);
              AppendUtf8(v, cp);
              i += 4;
              break;
            }
            v += 'u';
            break;
          }
          default: v += e;
        }
        continue;
      }
      v += c;
      ++i;
    }
    Push(Tok::kString, std::move(v), interp ? '"' : '\'');
    if (hidden >= 3) out_.tokens.back().decoded_by = "escapes";
    return i < s_.size() && s_[i] == q ? i + 1 : i;
  }

  // Whether a '/' here starts a regular expression literal (after an operator or keyword).
  bool RegexAllowed() const {
    if (out_.tokens.empty()) return true;
    const Token& t = out_.tokens.back();
    if (t.type == Tok::kString || t.type == Tok::kNumber) return false;
    if (t.type == Tok::kWord) {
      static const char* kw[] = {"return", "typeof", "case",       "in",   "of", "new",   "delete",
                                 "void",   "throw",  "instanceof", "else", "do", "yield", "await"};
      for (const char* k : kw)
        if (t.text == k) return true;
      return false;
    }
    return t.text != ")" && t.text != "]" && t.text != "}" && t.text != "++" && t.text != "--";
  }

  LexResult Js() {
    size_t i = 0;
    while (i < s_.size() && !Full()) {
      unsigned char c = static_cast<unsigned char>(s_[i]);
      if (std::isspace(c)) {
        ++i;
        continue;
      }
      if (c == '/' && i + 1 < s_.size() && s_[i + 1] == '/') {
        size_t nl = s_.find('\n', i);
        i = nl == std::string_view::npos ? s_.size() : nl;
        continue;
      }
      if (c == '/' && i + 1 < s_.size() && s_[i + 1] == '*') {
        size_t end = s_.find("*/", i + 2);
        i = end == std::string_view::npos ? s_.size() : end + 2;
        continue;
      }
      if (c == '<' && s_.compare(i, 4, "<!--") == 0) {
        size_t nl = s_.find('\n', i);
        i = nl == std::string_view::npos ? s_.size() : nl;
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        i = JsString(i + 1, static_cast<char>(c));
        continue;
      }
      if (c == '/' && RegexAllowed()) {
        size_t j = i + 1;
        bool klass = false, done = false;
        while (j < s_.size() && s_[j] != '\n') {
          if (s_[j] == '\\') {
            j += 2;
            continue;
          }
          if (s_[j] == '[') klass = true;
          if (s_[j] == ']') klass = false;
          if (s_[j] == '/' && !klass) {
            done = true;
            break;
          }
          ++j;
        }
        if (done) {
          ++j;
          while (j < s_.size() && std::isalpha(static_cast<unsigned char>(s_[j]))) ++j;
          Push(Tok::kOp, "/regex/");  // a regex is neither code nor data we decode
          // ... but what it tests for says what the code looks for (/cc_|cvv/ on field names)
          if (!out_.tokens.empty() && out_.tokens.back().text == "/regex/")
            out_.tokens.back().decoded_by =
                std::string(s_.substr(i + 1, std::min<size_t>(j - i, 256)));
          i = j;
          continue;
        }
      }
      if (IsJsWordStart(c)) {
        size_t j = i;
        while (j < s_.size() && IsJsWordChar(s_[j])) ++j;
        Push(Tok::kWord, std::string(s_.substr(i, j - i)));
        i = j;
        continue;
      }
      if (std::isdigit(c) ||
          (c == '.' && i + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i + 1])))) {
        size_t j = i;
        while (j < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' || s_[j] == '_'))
          ++j;
        Push(Tok::kNumber, std::string(s_.substr(i, j - i)));
        i = j;
        continue;
      }
      size_t n = OpLength(s_, i, kJsOps);
      Push(Tok::kOp, std::string(s_.substr(i, n)));
      i += n;
    }
    return std::move(out_);
  }

 private:
  std::string_view s_;
  LexLimits limits_;
  LexResult out_;
  bool script_tag_ = false;  // inside <script language="php">
};

}  // namespace

LexResult LexPhp(std::string_view src, bool in_code, const LexLimits& limits) {
  return Lexer(src, limits).Php(in_code);
}

LexResult LexJs(std::string_view src, const LexLimits& limits) { return Lexer(src, limits).Js(); }

std::string Render(const std::vector<Token>& tokens, size_t max_bytes) {
  std::string out;
  auto word_end = [&]() {
    if (out.empty()) return false;
    unsigned char c = static_cast<unsigned char>(out.back());
    return IsWordChar(c) || c == '$';
  };
  for (const Token& t : tokens) {
    if (out.size() >= max_bytes) break;
    switch (t.type) {
      case Tok::kWord:
      case Tok::kNumber:
      case Tok::kVar:
        if (word_end()) out += ' ';
        out += t.text;
        break;
      case Tok::kString:
        out += t.quote == '`' ? '`' : t.quote == '"' ? '"' : '\'';
        out.append(t.text, 0, std::min(t.text.size(), max_bytes));
        out += t.quote == '`' ? '`' : t.quote == '"' ? '"' : '\'';
        break;
      case Tok::kOp: out += t.text; break;
      case Tok::kHtml:
        out += '\n';
        out.append(t.text, 0, std::min(t.text.size(), max_bytes));
        out += '\n';
        break;
    }
    if (t.type == Tok::kOp && (t.text == ";" || t.text == "{" || t.text == "}")) out += '\n';
  }
  if (out.size() > max_bytes) out.resize(max_bytes);
  return out;
}

std::optional<int64_t> IntegerLiteral(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  int base = 10;
  size_t i = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    base = 16, i = 2;
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
    base = 2, i = 2;
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
    base = 8, i = 2;
  else if (s.size() > 1 && s[0] == '0')
    base = 8, i = 1;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') continue;
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : std::isxdigit(static_cast<unsigned char>(c))
                ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                : 99;
    if (d >= base) return std::nullopt;
    v = v * base + d;
    if (v > (int64_t{1} << 40)) return std::nullopt;
  }
  return v;
}

}  // namespace tq::webroot
