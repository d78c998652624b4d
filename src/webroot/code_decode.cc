// The bounded decoders the folds and the layer driver use (base64, the zlib family, hex,
// URL escapes, rot13) and the text tests that decide whether a decoded blob is code.
// Every decoder caps its output and reports failure instead of returning partial garbage.
#include <zlib.h>

#include <cstring>

#include "webroot/code_lexer.h"

namespace tq::webroot {

Decoded DecodeBase64(std::string_view in, size_t max_out) {
  static int8_t table[256];
  static bool init = [] {
    std::memset(table, -1, sizeof table);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(a[i])] = static_cast<int8_t>(i);
    table[static_cast<unsigned char>('-')] = 62;  // URL-safe alphabet
    table[static_cast<unsigned char>('_')] = 63;
    return true;
  }();
  (void)init;
  Decoded d;
  size_t bad = 0, good = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    if (c == '=') break;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = table[c];
    if (v < 0) {
      ++bad;
      continue;
    }
    ++good;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      d.out += static_cast<char>((acc >> bits) & 0xFF);
      if (d.out.size() > max_out) return Decoded{};
    }
  }
  d.ok = good >= 4 && bad * 20 <= good;
  if (!d.ok) d.out.clear();
  return d;
}

Decoded Inflate(std::string_view in, int window_bits, size_t max_out) {
  Decoded d;
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) return d;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    d.out.append(buf, sizeof buf - z.avail_out);
    if (d.out.size() > max_out) {
      rc = Z_BUF_ERROR;
      break;
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;
  }
  inflateEnd(&z);
  d.ok = rc == Z_STREAM_END || (rc == Z_OK && !d.out.empty());
  if (!d.ok) d.out.clear();
  return d;
}

Decoded HexToBin(std::string_view in) {
  Decoded d;
  auto hv = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
  };
  if (in.size() % 2) return d;
  for (size_t i = 0; i + 1 < in.size(); i += 2) {
    int a = hv(in[i]), b = hv(in[i + 1]);
    if (a < 0 || b < 0) return Decoded{};
    d.out += static_cast<char>(a * 16 + b);
  }
  d.ok = true;
  return d;
}

Decoded UrlDecode(std::string_view in, bool plus_is_space) {
  Decoded d;
  d.ok = true;
  auto hv = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() + 0 && hv(in[i + 1]) >= 0 && hv(in[i + 2]) >= 0) {
      d.out += static_cast<char>(hv(in[i + 1]) * 16 + hv(in[i + 2]));
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      d.out += ' ';
    } else {
      d.out += in[i];
    }
  }
  return d;
}

std::string Rot13(std::string_view in) {
  std::string out(in);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>('a' + (c - 'a' + 13) % 26);
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>('A' + (c - 'A' + 13) % 26);
  }
  return out;
}

bool IsPrintableText(std::string_view s) {
  if (s.empty()) return false;
  size_t bad = 0;
  for (unsigned char c : s)
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f) ++bad;
  return bad * 50 <= s.size();
}

bool LooksLikeCode(std::string_view s) {
  if (s.size() < 8 || !IsPrintableText(s)) return false;
  // Long runs of letters and digits (an encoded blob the code carries) are data, not the
  // code around them: they do not count in the size.
  size_t punct = 0, counted = 0, run = 0;
  for (char c : s) {
    if (c == ';' || c == '(' || c == ')' || c == '=' || c == '$' || c == '{') ++punct;
    run = std::isalnum(static_cast<unsigned char>(c)) ? run + 1 : 0;
    if (run <= 64) ++counted;
  }
  return punct >= 2 && punct * 200 >= counted;
}

}  // namespace tq::webroot
