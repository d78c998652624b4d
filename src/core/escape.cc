// Escaping attacker bytes for terminals, HTML, CSV and JSON.
#include "core/escape.h"

#include <cstdio>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tq {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

void AppendHexByte(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 15];
}

// C1 controls (U+0080..U+009F) are two-byte sequences C2 80..C2 9F.
bool IsC1(std::string_view seq) {
  return seq.size() == 2 && static_cast<unsigned char>(seq[0]) == 0xC2 &&
         static_cast<unsigned char>(seq[1]) < 0xA0;
}

}  // namespace

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s.substr(i));
    if (!n) return false;
    i += n;
  }
  return true;
}

std::string EscapeTerminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case 0x1B: out += "\\e"; break;
        default: AppendHexByte(out, c);
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s.substr(i));
    if (!n) {
      AppendHexByte(out, c);
      ++i;
      continue;
    }
    std::string_view seq = s.substr(i, n);
    if (IsC1(seq)) {
      AppendHexByte(out, static_cast<unsigned char>(seq[0]));
      AppendHexByte(out, static_cast<unsigned char>(seq[1]));
    } else {
      out.append(seq);
    }
    i += n;
  }
  return out;
}

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\t':
        case '\n':
        case '\r': out += static_cast<char>(c); break;
        default:
          if (c < 0x20 || c == 0x7F) {
            out += "\xEF\xBF\xBD";
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s.substr(i));
    if (!n || IsC1(s.substr(i, n))) {
      out += "\xEF\xBF\xBD";
      i += n ? n : 1;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

namespace {

// Length of the run at the front of `s` of bytes that `safe` passes unchanged.
template <typename Safe>
size_t SafeRun(std::string_view s, Safe safe) {
  size_t n = 0;
  while (n < s.size() && safe(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

}  // namespace

std::string EscapeCsvField(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 3);
  AppendCsvField(s, &out);
  return out;
}

void AppendCsvField(std::string_view s, std::string* out_ptr) {
  std::string& out = *out_ptr;
  out += '"';
  if (!s.empty()) {
    char f = s[0];
    if (f == '=' || f == '+' || f == '-' || f == '@' || f == '\t' || f == '\r') out += '\'';
  }
  auto safe = [](unsigned char c) {
    return (c >= 0x20 && c < 0x7F && c != '"') || c == '\t' || c == '\n' || c == '\r';
  };
  size_t i = 0;
  while (i < s.size()) {
    size_t run = SafeRun(s.substr(i), safe);
    out.append(s.data() + i, run);
    i += run;
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      out += "\"\"";
      ++i;
    } else if (c < 0x80) {
      AppendHexByte(out, c);  // a control byte
      ++i;
    } else {
      size_t n = Utf8SequenceLength(s.substr(i));
      if (!n) {
        AppendHexByte(out, c);
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
    }
  }
  out += '"';
}

std::string EscapeJson(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  AppendJsonEscaped(s, &out);
  return out;
}

namespace {
// Length of the run at the front of `s` that JSON takes as it is: printable ASCII but for '"',
// '\\' and '<'. Most text is one long run: 16 bytes at a time.
size_t JsonSafeRun(std::string_view s) {
  size_t n = 0;
#if defined(__SSE2__)
  const __m128i low = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f), quote = _mm_set1_epi8('"'),
                bs = _mm_set1_epi8('\\'), lt = _mm_set1_epi8('<');
  for (; n + 16 <= s.size(); n += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + n));
    __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(v, low), _mm_cmpeq_epi8(v, del)),  // < 0x20 or >= 0x7f
        _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                     _mm_or_si128(_mm_cmpeq_epi8(v, bs), _mm_cmpeq_epi8(v, lt))));
    if (unsigned m = static_cast<unsigned>(_mm_movemask_epi8(bad))) return n + __builtin_ctz(m);
  }
#endif
  auto safe = [](unsigned char c) {
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '<';
  };
  while (n < s.size() && safe(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}
}  // namespace

void AppendJsonEscaped(std::string_view s, std::string* out_ptr) {
  std::string& out = *out_ptr;
  size_t i = 0;
  while (i < s.size()) {
    size_t run = JsonSafeRun(s.substr(i));
    out.append(s.data() + i, run);
    i += run;
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\\\\\"; break;  // decoded: two backslashes
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '<': out += "\\u003c"; break;  // safe inside <script> blocks too
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        }
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s.substr(i));
    if (!n) {
      out += "\\\\x";  // decoded: \xBB
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
}

std::string RecoverJsonBytes(std::string_view d) {
  std::string out;
  out.reserve(d.size());
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] != '\\' || i + 1 >= d.size()) {
      out += d[i];
      continue;
    }
    if (d[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (d[i + 1] == 'x' && i + 3 < d.size() && hexval(d[i + 2]) >= 0 &&
               hexval(d[i + 3]) >= 0) {
      out += static_cast<char>(hexval(d[i + 2]) * 16 + hexval(d[i + 3]));
      i += 3;
    } else {
      out += d[i];
    }
  }
  return out;
}

std::string_view Excerpt(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  // Back off continuation bytes so the cut lands on a sequence start.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

}  // namespace tq
