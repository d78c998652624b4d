// The drill's seeded PRNG, text helpers and file writing (fixed mtimes, fixed gzip settings),
// so that one seed always gives the same bytes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "drill/internal.h"

namespace tq::drill {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed, uint64_t stream) {
  uint64_t st = seed ^ (stream * 0xd1b54a32d192ed03ULL) ^ 0x5eedULL;
  for (auto& s : s_) s = SplitMix64(st);
}

static inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Below(uint64_t n) {
  // Lemire's multiply-shift; the tiny bias is irrelevant here and it is deterministic.
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

int64_t Rng::Range(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
}

double Rng::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::string Rng::Hex(size_t chars) {
  static const char kHex[] = "0123456789abcdef";
  std::string s(chars, '0');
  for (auto& c : s) c = kHex[Below(16)];
  return s;
}

std::string Rng::Alnum(size_t chars) {
  static const char kA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(chars, 'a');
  for (auto& c : s) c = kA[Below(62)];
  return s;
}

std::string IpToString(uint32_t ip) {
  char b[16];
  int n = std::snprintf(b, sizeof b, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                        ip & 255);
  return std::string(b, n);
}

Civil ToCivil(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  Civil c;
  c.year = static_cast<int>(y + (m <= 2));
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  return c;
}

static std::string FormatCivil(const Civil& c) {
  char b[32];
  int n = std::snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day,
                        c.hour, c.minute, c.second);
  return std::string(b, n);
}

std::string SqlDateTime(UnixMicros t) { return FormatCivil(ToCivil(t / 1000000)); }

std::string LocalDateTime(UnixMicros t, const TimeZone& tz) {
  return FormatCivil(ToCivil(t / 1000000 + tz.OffsetAt(t)));
}

std::string AsciiFold(std::string_view s) {
  // Enough of Latin-1 / Latin Extended-A for the drill's name lists.
  static const std::pair<const char*, const char*> kFold[] = {
      {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"é", "e"}, {"è", "e"}, {"ê", "e"},
      {"ë", "e"}, {"á", "a"}, {"à", "a"}, {"â", "a"}, {"ã", "a"}, {"å", "a"}, {"æ", "ae"},
      {"ç", "c"}, {"í", "i"}, {"ì", "i"}, {"î", "i"}, {"ï", "i"}, {"ñ", "n"}, {"ó", "o"},
      {"ò", "o"}, {"ô", "o"}, {"õ", "o"}, {"ø", "o"}, {"ú", "u"}, {"ù", "u"}, {"û", "u"},
      {"ý", "y"}, {"ł", "l"}, {"ś", "s"}, {"ź", "z"}, {"ż", "z"}, {"ą", "a"}, {"ę", "e"},
      {"ć", "c"}, {"ń", "n"}, {"š", "s"}, {"č", "c"}, {"ř", "r"}, {"ž", "z"}, {"ğ", "g"},
      {"ı", "i"}, {"ş", "s"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"}, {"É", "e"}, {"Ł", "l"},
      {"Š", "s"}, {"Č", "c"}, {"Ž", "z"}, {"Ø", "o"}, {"Å", "a"}, {"Ś", "s"}, {"Ż", "z"},
      {"ő", "o"}, {"ű", "u"}, {"Á", "a"}, {"Ó", "o"}, {"ă", "a"}, {"ț", "t"}, {"ș", "s"}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
      ++i;
      continue;
    }
    bool done = false;
    for (const auto& [from, to] : kFold) {
      size_t n = std::strlen(from);
      if (s.substr(i, n) == from) {
        out += to;
        i += n;
        done = true;
        break;
      }
    }
    if (!done) {
      ++i;
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

std::string Slug(std::string_view text) {
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

Status MakeDirs(const std::string& path) {
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    cur = path.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno(cur, errno);
  }
  return Status::Ok();
}

Status SetMtime(const std::string& path, UnixMicros mtime) {
  struct timespec ts[2];
  ts[0].tv_sec = ts[1].tv_sec = mtime / 1000000;
  ts[0].tv_nsec = ts[1].tv_nsec = (mtime % 1000000) * 1000;
  if (::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::FromErrno(path, errno);
  }
  return Status::Ok();
}

Status WriteFileAt(const std::string& path, std::string_view content, UnixMicros mtime) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) TQ_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(path, errno);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::FromErrno(path, errno);
  return SetMtime(path, mtime);
}

std::string GzipBytes(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Status GzipFile(const std::string& src, const std::string& dst) {
  FILE* in = std::fopen(src.c_str(), "rb");
  if (!in) return Status::FromErrno(src, errno);
  FILE* out = std::fopen(dst.c_str(), "wb");
  if (!out) {
    int err = errno;
    std::fclose(in);
    return Status::FromErrno(dst, err);
  }
  z_stream z{};
  // Level 6 is gzip's default (what logrotate's `compress` runs); the gzip header has no
  // name and mtime 0, as when gzip reads a pipe.
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string ibuf(1 << 20, '\0'), obuf(1 << 20, '\0');
  Status st;
  int flush = Z_NO_FLUSH;
  do {
    size_t n = std::fread(ibuf.data(), 1, ibuf.size(), in);
    if (std::ferror(in)) {
      st = Status::FromErrno(src, errno);
      break;
    }
    flush = std::feof(in) ? Z_FINISH : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<Bytef*>(ibuf.data());
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = reinterpret_cast<Bytef*>(obuf.data());
      z.avail_out = static_cast<uInt>(obuf.size());
      deflate(&z, flush);
      size_t have = obuf.size() - z.avail_out;
      if (have && std::fwrite(obuf.data(), 1, have, out) != have) {
        st = Status::FromErrno(dst, errno);
        break;
      }
    } while (z.avail_out == 0);
  } while (st.ok() && flush != Z_FINISH);
  deflateEnd(&z);
  std::fclose(in);
  if (std::fclose(out) != 0 && st.ok()) st = Status::FromErrno(dst, errno);
  return st;
}

}  // namespace tq::drill
