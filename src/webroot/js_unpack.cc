#include "webroot/js_unpack.h"

#include <cctype>
#include <cstdint>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {
namespace {

void SkipSpace(std::string_view s, size_t& i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
}

// A JavaScript string literal at s[i] (quote included); its value, or false when it does not
// close or is longer than `max`.
bool StringLiteral(std::string_view s, size_t& i, size_t max, std::string* out) {
  if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) return false;
  char q = s[i++];
  out->clear();
  while (i < s.size()) {
    char c = s[i++];
    if (c == q) return true;
    if (c == '\n') return false;
    if (out->size() >= max) return false;
    if (c != '\\') {
      *out += c;
      continue;
    }
    if (i >= s.size()) return false;
    char e = s[i++];
    switch (e) {
      case 'n': *out += '\n'; break;
      case 'r': *out += '\r'; break;
      case 't': *out += '\t'; break;
      case 'b': *out += '\b'; break;
      case 'f': *out += '\f'; break;
      case 'v': *out += '\v'; break;
      case '0': *out += '\0'; break;
      case '\n': break;  // a line continuation
      case 'x':
      case 'u': {
        size_t n = e == 'x' ? 2 : 4;
        uint32_t cp = 0;
        if (i + n > s.size()) return false;
        for (size_t k = 0; k < n; ++k) {
          int d = HexVal(s[i + k]);
          if (d < 0) return false;
          cp = cp * 16 + static_cast<uint32_t>(d);
        }
        i += n;
        AppendUtf8(*out, cp);
        break;
      }
      default: *out += e;
    }
  }
  return false;
}

bool Number(std::string_view s, size_t& i, int64_t* out) {
  SkipSpace(s, i);
  size_t start = i;
  int64_t v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 9)
    v = v * 10 + (s[i++] - '0');
  if (i == start) return false;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t& i, char c) {
  SkipSpace(s, i);
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

// The value of a packer word in base `radix` (digits 0-9, a-z, then A-Z), or -1 when it is not
// one (another digit, a leading zero, too long).
int64_t WordIndex(std::string_view w, int radix) {
  if (w.empty() || w.size() > 6 || (w.size() > 1 && w[0] == '0')) return -1;
  int64_t v = 0;
  for (char c : w) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 36
                                   : 99;
    if (d >= radix) return -1;
    v = v * radix + d;
  }
  return v;
}

bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::optional<std::string> UnpackPacker(std::string_view code, size_t max_out) {
  size_t fn = std::string_view::npos;
  for (std::string_view head : {"function(p,a,c,k,e,", "function (p,a,c,k,e,"}) {
    size_t at = code.find(head);
    if (at < fn) fn = at;
  }
  if (fn == std::string_view::npos) return std::nullopt;
  // The call's arguments follow the function body, whose last statement returns p.
  size_t ret = code.find("return p", fn);
  if (ret == std::string_view::npos || ret - fn > 4096) return std::nullopt;
  size_t i = code.find('}', ret);
  if (i == std::string_view::npos) return std::nullopt;
  ++i;
  std::string payload, words, sep;
  int64_t radix = 0, count = 0;
  if (!Expect(code, i, '(')) return std::nullopt;
  SkipSpace(code, i);
  if (!StringLiteral(code, i, code.size(), &payload)) return std::nullopt;
  if (!Expect(code, i, ',') || !Number(code, i, &radix) || !Expect(code, i, ',') ||
      !Number(code, i, &count) || !Expect(code, i, ','))
    return std::nullopt;
  SkipSpace(code, i);
  if (!StringLiteral(code, i, code.size(), &words)) return std::nullopt;
  // .split('|')
  if (!Expect(code, i, '.') || code.substr(i, 5) != "split" || !Expect(code, (i += 5), '('))
    return std::nullopt;
  SkipSpace(code, i);
  if (!StringLiteral(code, i, 16, &sep) || sep.empty()) return std::nullopt;
  if (radix < 2 || radix > 62 || count < 1 || count > (1 << 20)) return std::nullopt;

  std::vector<std::string_view> list;
  std::string_view rest = words;
  while (list.size() < static_cast<size_t>(count)) {
    size_t at = rest.find(sep);
    list.push_back(rest.substr(0, at));
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + sep.size());
  }

  std::string out;
  out.reserve(std::min(max_out, payload.size() * 2));
  for (size_t p = 0; p < payload.size() && out.size() < max_out;) {
    if (!WordChar(payload[p])) {
      out += payload[p++];
      continue;
    }
    size_t end = p;
    while (end < payload.size() && WordChar(payload[end])) ++end;
    std::string_view w = std::string_view(payload).substr(p, end - p);
    int64_t idx = WordIndex(w, static_cast<int>(radix));
    if (idx >= 0 && static_cast<size_t>(idx) < list.size() && !list[idx].empty())
      out.append(list[idx]);
    else
      out.append(w);
    p = end;
  }
  if (out.size() > max_out) out.resize(max_out);
  return out;
}

}  // namespace tq::webroot
