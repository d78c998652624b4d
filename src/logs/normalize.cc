// The path a server resolves from a request target, for matching: rules written against
// `/pma/` must see `//pma/`, `/x/../pma/`, `/pma/./`, `\pma\` and overlong UTF-8 (`%c0%af`)
// as the server did. Only the path is normalised; the query is kept as it is.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstring>
#include <vector>

#include "logs/logs.h"

namespace tq::logs {

bool MayNeedNormalizing(std::string_view target) {
  size_t n = target.size();
  const char* p = target.data();
  // What can change: "//", "/.", a backslash, an overlong UTF-8 lead byte (0xC0, 0xC1, 0xE0).
#if defined(__SSE2__)
  const __m128i slash = _mm_set1_epi8('/'), dot = _mm_set1_epi8('.'), bs = _mm_set1_epi8('\\');
  const __m128i c0 = _mm_set1_epi8(static_cast<char>(0xC0)),
                c1 = _mm_set1_epi8(static_cast<char>(0xC1)),
                e0 = _mm_set1_epi8(static_cast<char>(0xE0)), q = _mm_set1_epi8('?');
  size_t i = 0;
  for (; i + 17 <= n; i += 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    __m128i hit = _mm_and_si128(_mm_cmpeq_epi8(a, slash),
                                _mm_or_si128(_mm_cmpeq_epi8(b, slash), _mm_cmpeq_epi8(b, dot)));
    hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(a, bs), _mm_cmpeq_epi8(a, c0)));
    hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(a, c1), _mm_cmpeq_epi8(a, e0)));
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(hit));
    unsigned qm = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, q)));
    if (qm) {  // the query: only what comes before it counts
      unsigned first_q = static_cast<unsigned>(__builtin_ctz(qm));
      return (m & ((1u << first_q) - 1)) != 0;
    }
    if (m) return true;
  }
  p += i;
  n -= i;
#endif
  for (size_t k = 0; k < n; ++k) {
    unsigned char c = static_cast<unsigned char>(p[k]);
    if (c == '?') return false;
    if (c == '\\' || c == 0xC0 || c == 0xC1 || c == 0xE0) return true;
    if (c == '/' && k + 1 < n && (p[k + 1] == '/' || p[k + 1] == '.')) return true;
  }
  return false;
}

bool NormalizeTarget(std::string_view target, std::string* out) {
  size_t qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  // Overlong UTF-8 of ASCII (C0 AE is '.', C0 AF '/', E0 80 AF '/') and backslashes as the
  // ASCII and slashes a lenient server decodes them to.
  std::string p;
  p.reserve(path.size() + 1);
  for (size_t i = 0; i < path.size(); ++i) {
    auto c = static_cast<unsigned char>(path[i]);
    auto at = [&](size_t k) { return static_cast<unsigned char>(path[k]); };
    if ((c == 0xC0 || c == 0xC1) && i + 1 < path.size() && (at(i + 1) & 0xC0) == 0x80) {
      p += static_cast<char>(((c & 0x1F) << 6) | (at(i + 1) & 0x3F));
      i += 1;
    } else if (c == 0xE0 && i + 2 < path.size() && at(i + 1) < 0xA0 && (at(i + 1) & 0xC0) == 0x80 &&
               (at(i + 2) & 0xC0) == 0x80 &&
               (((at(i + 1) & 0x3F) << 6) | (at(i + 2) & 0x3F)) < 0x80) {
      p += static_cast<char>(((at(i + 1) & 0x3F) << 6) | (at(i + 2) & 0x3F));
      i += 2;
    } else {
      p += c == '\\' ? '/' : static_cast<char>(c);
    }
  }
  // Segments: empty ones (from "//") and "." dropped, ".." removes the one before (never
  // above the root), as RFC 3986's remove_dot_segments and the servers' merge_slashes do.
  bool absolute = !p.empty() && p[0] == '/';
  std::vector<std::string_view> segs;
  std::string_view rest = p;
  bool trailing = p.ends_with('/') || p.ends_with("/.") || p.ends_with("/..");
  while (!rest.empty()) {
    size_t s = rest.find('/');
    std::string_view seg = rest.substr(0, s);
    rest = s == std::string_view::npos ? std::string_view() : rest.substr(s + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
      continue;
    }
    segs.push_back(seg);
  }
  std::string n;
  n.reserve(p.size() + (target.size() - path.size()));
  if (absolute) n += '/';
  for (size_t k = 0; k < segs.size(); ++k) {
    if (k) n += '/';
    n += segs[k];
  }
  if (trailing && !segs.empty()) n += '/';
  if (qpos != std::string_view::npos) n += target.substr(qpos);
  if (n == target) return false;
  out->swap(n);
  return true;
}

}  // namespace tq::logs
