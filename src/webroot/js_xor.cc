// XOR-ed character codes undone (see js_xor.h).

#include "webroot/js_xor.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "webroot/js_tokens.h"

namespace tq::webroot {
namespace {

using js::Decl;
using js::Op;
using js::Word;

constexpr size_t kMaxData = 32;
constexpr size_t kMaxKeys = 16;

std::optional<uint32_t> Code(const Token& k) {
  if (k.type != Tok::kNumber) return std::nullopt;
  std::optional<int64_t> v = IntegerLiteral(k.text);
  if (!v || *v > 0xffff) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

// A key: a number, or the characters of a string (cycled).
struct Key {
  std::vector<uint32_t> codes;
  bool operator<(const Key& o) const { return codes < o.codes; }
};

bool Printable(uint32_t c) {
  return c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f);
}

}  // namespace

std::vector<XorDecoded> DecodeXorCharCodes(const std::vector<Token>& t, size_t max_out) {
  std::vector<XorDecoded> out;
  // Is there an XOR at all?
  bool any = false;
  for (const Token& k : t)
    if (Op(k, "^") || Op(k, "^=")) any = true;
  if (!any) return out;
  std::set<Key> keys;
  std::set<std::string> number_names;
  struct Data {
    size_t begin, end;
    std::vector<uint32_t> codes;
  };
  std::vector<Data> data;
  for (size_t i = 0; i < t.size(); ++i) {
    // var k = 0x2a;
    if (Decl(t[i]) && i + 3 < t.size() && Word(t[i + 1]) && Op(t[i + 2], "=") && Code(t[i + 3]))
      number_names.insert(t[i + 1].text);
  }
  auto add_key = [&](Key k) {
    if (keys.size() < kMaxKeys && !k.codes.empty() && !(k.codes.size() == 1 && k.codes[0] == 0))
      keys.insert(std::move(k));
  };
  for (size_t i = 0; i < t.size(); ++i) {
    bool x = Op(t[i], "^") || Op(t[i], "^=");
    if (x) {
      // ^ 42, 42 ^, ^ k (a name holding a number: its value, when assigned once above)
      for (size_t j : {i + 1, i - 1}) {
        if (j >= t.size()) continue;
        if (auto c = Code(t[j])) add_key({{*c}});
      }
    }
    // 'key'.charCodeAt(..): a string key, or a string of data.
    if (t[i].type == Tok::kString && i + 2 < t.size() && Op(t[i + 1], ".") &&
        Word(t[i + 2], "charCodeAt") && !t[i].text.empty() && t[i].text.size() <= (1u << 16)) {
      std::vector<uint32_t> codes;
      for (unsigned char c : t[i].text) codes.push_back(c);
      if (codes.size() <= 64) add_key({codes});
      if (codes.size() >= 8 && data.size() < kMaxData) data.push_back({i, i, codes});
    }
    // [n, n, n, ...] of character codes
    if (Op(t[i], "[") && data.size() < kMaxData) {
      std::vector<uint32_t> codes;
      size_t j = i + 1;
      while (j < t.size() && codes.size() < (1u << 16)) {
        auto c = Code(t[j]);
        if (!c) break;
        codes.push_back(*c);
        if (j + 1 < t.size() && Op(t[j + 1], ",")) {
          j += 2;
          continue;
        }
        ++j;
        break;
      }
      if (j < t.size() && Op(t[j], "]") && codes.size() >= 8)
        data.push_back({i, j, std::move(codes)});
    }
  }
  // Names holding a number, used beside ^: their values are keys too.
  for (size_t i = 0; i + 3 < t.size() && keys.size() < kMaxKeys; ++i)
    if (Decl(t[i]) && Word(t[i + 1]) && number_names.count(t[i + 1].text) && Op(t[i + 2], "="))
      for (size_t j = i + 4; j < t.size() && j < i + (1u << 16); ++j)
        if (Word(t[j], t[i + 1].text) &&
            ((j + 1 < t.size() && Op(t[j + 1], "^")) || (j > 0 && Op(t[j - 1], "^")))) {
          if (auto c = Code(t[i + 3])) add_key({{*c}});
          break;
        }
  size_t made = 0;
  for (const Data& dd : data) {
    const std::vector<uint32_t>& d = dd.codes;
    for (const Key& k : keys) {
      std::string s;
      bool ok = true;
      for (size_t n = 0; n < d.size() && ok; ++n) {
        uint32_t c = d[n] ^ k.codes[n % k.codes.size()];
        if (!Printable(c)) ok = false;
        s.push_back(static_cast<char>(c));
      }
      bool code = LooksLikeCode(s);
      if (!ok || !(code || s.find("://") != std::string::npos || s.rfind("//", 0) == 0)) continue;
      if (made + s.size() > max_out) return out;
      made += s.size();
      out.push_back({dd.begin, dd.end, std::move(s), code});
      break;  // one key per candidate
    }
  }
  return out;
}

}  // namespace tq::webroot
