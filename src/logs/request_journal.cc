// The request journal's segments and manifest (see request_journal.h): writing during a scan,
// reading back for the analysis. Everything read back is checked: a journal is a derived
// file in the case directory, and a damaged one must read as an error, never as requests.
#include "logs/request_journal.h"

#define XXH_INLINE_ALL  // as the scan hashes: inlined, no call per value
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tq::logs {
namespace {

constexpr size_t kSets = 1024;           // dictionary sets per field, of two slots each
constexpr size_t kSlots = 2 * kSets;     // dictionary slots per field
constexpr size_t kMaxDictValue = 208;    // longer values are never stored in a slot
constexpr size_t kBlock = 512 << 10;     // raw bytes per compressed block
constexpr size_t kMaxBlock = 64u << 20;  // a block read back is at most this large
constexpr size_t kStrings = 6;           // client method path query user_agent session
// zstd at a fast level (-20: no entropy coding, few match searches). The records are already
// packed (dictionary slots, IPv4 as four bytes, varint deltas: 35 bytes a request on the bench
// log), so zstd finds little more: level 1 made them 1.5 times smaller at 280 MB/s of one
// core, -1 1.39 times at 500 MB/s, -20 1.13 times at 1.7 GB/s (zstd -b, 512 KB blocks). The
// frames keep their checksums whatever the level.
constexpr int kLevel = -20;
constexpr char kMagic[] = "tourniquet-request-journal 2";
// A value's code: 0 empty, kIpv4 four bytes of a client address, kFirstSlot + slot the value
// in that slot, kFirstLiteral + length the bytes.
constexpr uint64_t kIpv4 = 1, kFirstSlot = 2, kFirstLiteral = kFirstSlot + kSlots;

// A value's dictionary slot: XXH3 (as the scan hashes paths and agents), the same on both sides.
uint64_t Hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

// The dotted quad of four bytes into `buf` (room for 15); its length.
size_t FormatIpv4(const unsigned char in[4], char* buf) {
  char* p = buf;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) *p++ = '.';
    unsigned v = in[part];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
  }
  return static_cast<size_t>(p - buf);
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

int64_t Number(std::string_view s, int64_t if_none) {
  // A status or a byte count: a few digits, read here without from_chars' generality.
  if (!s.empty() && s.size() <= 18) {
    int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return if_none;
      v = v * 10 + (c - '0');
    }
    return v;
  }
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return if_none;
  return v;
}

// The query is nearly always new: it is written as it is, never kept in a slot.
constexpr bool kKeptInSlots[kStrings] = {true, true, true, false, true, true};
// One field's dictionary, the same on both sides: a value's set is its hash's (kSets sets of
// two slots); a new value replaces the slot of its set used least recently, a store or a
// reference counting as a use. (One slot a value, as before, had two long user agents whose
// hashes met evict each other on every request.)
class FieldDictionary {
 public:
  struct Slot {
    uint64_t hash = 0;
    uint64_t used = 0;  // the dictionary's clock when last stored or referred to
    std::string value;
  };
  // The writer: the slot holding `v` (its hash `h`), now used; -1 when none does.
  int Find(std::string_view v, uint64_t h) {
    size_t set = (h % kSets) * 2;
    for (size_t w = 0; w < 2; ++w) {
      Slot& d = slots_[set + w];
      if (d.hash == h && d.value == v) {
        d.used = ++clock_;
        return static_cast<int>(set + w);
      }
    }
    return -1;
  }
  // The reader: the value in slot i, now used; nullptr when the slot was never filled.
  const std::string* At(size_t i) {
    Slot& d = slots_[i];
    if (d.value.empty()) return nullptr;
    d.used = ++clock_;
    return &d.value;
  }
  // Both: keeps `v` (at most kMaxDictValue bytes) in its set.
  void Store(std::string_view v, uint64_t h) {
    Slot* set = &slots_[(h % kSets) * 2];
    Slot& d = set[0].used <= set[1].used ? set[0] : set[1];
    if (v.size() > d.value.capacity())
      d.value = std::string(v);  // exactly its size (assign would double the capacity)
    else
      d.value.assign(v);
    d.hash = h;
    d.used = ++clock_;
  }
  // A set's two slots take 96 bytes, across two or three cache lines: all of them are fetched
  // (the second slot's hash, compared by PrefetchValue, was read from memory there).
  void Prefetch(uint64_t h) const {
    const char* set = reinterpret_cast<const char*>(&slots_[(h % kSets) * 2]);
    __builtin_prefetch(set);
    __builtin_prefetch(set + 64);
    __builtin_prefetch(set + 2 * sizeof(Slot) - 1);
  }
  // The value bytes of the slot of h's set whose hash is h, if any (its slot fetched first).
  void PrefetchValue(uint64_t h) const {
    const Slot* set = &slots_[(h % kSets) * 2];
    for (size_t w = 0; w < 2; ++w)
      if (set[w].hash == h) {
        const char* d = set[w].value.data();
        for (size_t off = 0; off < set[w].value.size(); off += 64) __builtin_prefetch(d + off);
      }
  }

 private:
  std::array<Slot, kSlots> slots_;
  uint64_t clock_ = 0;
};
using Dictionary = std::array<FieldDictionary, kStrings>;

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) (out += kDigits[c >> 4]) += kDigits[c & 15];
  return out;
}
bool Unhex(std::string_view s, std::string* out) {
  if (s.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
    if (ec != std::errc() || p != s.data() + i + 2) return false;
    out->push_back(static_cast<char>(v));
  }
  return true;
}

bool SafeFileName(std::string_view f) {
  if (f.empty() || f.size() > 64 || f[0] == '.') return false;
  for (char c : f)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
      return false;
  return true;
}

// A record's values and their hashes, worked out ahead of its encoding.
struct Prepared {
  bool request = false;
  std::string_view v[kStrings];
  uint64_t h[kStrings] = {};  // of the values kept in slots (the client's: when not IPv4)
};

void Prepare(const AccessLogRecord& rec, Prepared* out) {
  out->request = rec.kind == RecordKind::kRequest;
  if (!out->request) return;
  std::string_view* v = out->v;
  v[0] = rec.get(Field::kClientIp);
  v[1] = rec.get(Field::kMethod);
  v[2] = rec.get(Field::kUriStem);
  v[3] = rec.get(Field::kQuery);
  v[4] = rec.get(Field::kUserAgent);
  v[5] = rec.has(Field::kCookie) ? SessionFromCookie(rec.get(Field::kCookie)) : std::string_view();
  for (size_t k = 1; k < kStrings; ++k)
    out->h[k] = kKeptInSlots[k] && !v[k].empty() ? Hash(v[k]) : 0;
}

}  // namespace

std::string_view SessionFromCookie(std::string_view cookie) {
  static constexpr std::string_view kNames[] = {
      "PHPSESSID=", "frontend=", "admin=", "wordpress_logged_in_", "wp_woocommerce_session_"};
  size_t pos = 0;
  while (pos < cookie.size()) {
    while (pos < cookie.size() && (cookie[pos] == ' ' || cookie[pos] == ';')) ++pos;
    size_t end = cookie.find(';', pos);
    if (end == std::string_view::npos) end = cookie.size();
    std::string_view pair = cookie.substr(pos, end - pos);
    for (std::string_view n : kNames) {
      size_t eq = pair.find('=');
      if (pair.starts_with(n) && eq != std::string_view::npos && eq + 1 < pair.size()) return pair;
    }
    pos = end + 1;
  }
  return {};
}

// ---- Writing ----

struct JournalSegmentWriter::State {
  std::string path;
  std::FILE* f = nullptr;
  ZSTD_CCtx* cctx = nullptr;
  // The block being filled: written through a pointer, one record at a time (room for the
  // longest encoding of a record is made first).
  std::unique_ptr<char[]> raw;
  size_t len = 0, cap = 0;
  std::string packed;
  Dictionary dict;
  std::vector<Prepared> ahead;             // the records being worked out ahead (Add of a span)
  int64_t time = 0, line = 0, offset = 0;  // of the record before
  uint64_t records = 0;
  Status status;
  ~State() {
    if (f) std::fclose(f);
    ZSTD_freeCCtx(cctx);
  }
  void Reserve(size_t n) {
    if (len + n <= cap) return;
    size_t want = len + n;
    auto bigger = std::make_unique<char[]>(want);
    std::memcpy(bigger.get(), raw.get(), len);
    raw = std::move(bigger);
    cap = want;
  }
  // Writes value `v` of field k; `h`: its hash when the field is kept in slots and v is not
  // empty (Add computes them first, for all fields at once).
  char* Put(char* p, size_t k, std::string_view v, uint64_t h) {
    if (v.empty()) {
      *p++ = 0;
      return p;
    }
    if (k == 0) {
      unsigned char ip[4];
      // Four bytes when the text is exactly what FormatIpv4 gives back for them (no leading
      // zeros, no spaces); otherwise (IPv6, a host name, anything else) stored as text.
      if (ParseIpv4(v, ip)) {
        *p++ = static_cast<char>(kIpv4);
        std::memcpy(p, ip, 4);
        return p + 4;
      }
      h = Hash(v);
    }
    if (kKeptInSlots[k]) {
      int slot = dict[k].Find(v, h);
      if (slot >= 0) return PutVarint(p, kFirstSlot + static_cast<uint64_t>(slot));
      if (v.size() <= kMaxDictValue) dict[k].Store(v, h);
    }
    p = PutVarint(p, kFirstLiteral + v.size());
    std::memcpy(p, v.data(), v.size());
    return p + v.size();
  }
  void Encode(const AccessLogRecord& rec, const Prepared& pr);
  void Flush() {
    if (len == 0 || !status.ok()) return;
    packed.resize(8 + ZSTD_compressBound(len));
    size_t n = ZSTD_compress2(cctx, packed.data() + 8, packed.size() - 8, raw.get(), len);
    if (ZSTD_isError(n)) {
      status = Status::Internal("request journal " + path + ": " + ZSTD_getErrorName(n));
      return;
    }
    uint32_t sizes[2] = {static_cast<uint32_t>(len), static_cast<uint32_t>(n)};
    std::memcpy(packed.data(), sizes, 8);
    if (std::fwrite(packed.data(), 1, 8 + n, f) != 8 + n)
      status = Status::Io("request journal " + path + ": " + std::strerror(errno));
    len = 0;
    // A block that one long record made larger than usual gives its room back.
    if (cap > kBlock + (64 << 10)) {
      raw.reset();
      cap = 0;
      Reserve(kBlock + 4096);
      std::string().swap(packed);
    }
  }
};

JournalSegmentWriter::JournalSegmentWriter(std::unique_ptr<State> s) : s_(std::move(s)) {}
JournalSegmentWriter::~JournalSegmentWriter() = default;

Result<std::unique_ptr<JournalSegmentWriter>> JournalSegmentWriter::Create(
    const std::string& path) {
  auto s = std::make_unique<State>();
  s->path = path;
  s->f = std::fopen(path.c_str(), "wbe");
  if (!s->f) return Status::Io("request journal " + path + ": " + std::strerror(errno));
  s->cctx = ZSTD_createCCtx();
  // Each frame carries a checksum of its content: a damaged block fails to decompress rather
  // than read back as other requests.
  if (!s->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_compressionLevel, kLevel)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_checksumFlag, 1)))
    return Status::Internal("request journal: no zstd context");
  s->Reserve(kBlock + 4096);
  return std::unique_ptr<JournalSegmentWriter>(new JournalSegmentWriter(std::move(s)));
}

void JournalSegmentWriter::State::Encode(const AccessLogRecord& rec, const Prepared& pr) {
  if (!pr.request || !status.ok()) return;
  int64_t t = rec.has_time ? rec.time : 0;
  int64_t l = static_cast<int64_t>(rec.line_no), o = static_cast<int64_t>(rec.offset);
  size_t most = 5 * 10;
  for (std::string_view x : pr.v) most += 10 + x.size();
  Reserve(most);
  char* p = raw.get() + len;
  p = PutVarint(p, ZigZag(t - time));
  p = PutVarint(p, ZigZag(l - line));
  p = PutVarint(p, ZigZag(o - offset));
  time = t, line = l, offset = o;
  p = PutVarint(p, static_cast<uint64_t>(Number(rec.get(Field::kStatus), 0)));
  p = PutVarint(p, static_cast<uint64_t>(
                       rec.has(Field::kBytesSent) ? Number(rec.get(Field::kBytesSent), 0) + 1 : 0));
  for (size_t k = 0; k < kStrings; ++k) p = Put(p, k, pr.v[k], pr.h[k]);
  len = static_cast<size_t>(p - raw.get());
  ++records;
  if (len >= kBlock) Flush();
}

void JournalSegmentWriter::Add(const AccessLogRecord& rec) {
  Prepared pr;
  Prepare(rec, &pr);
  for (size_t k = 1; k < kStrings; ++k)
    if (pr.h[k]) s_->dict[k].Prefetch(pr.h[k]);
  s_->Encode(rec, pr);
}

void JournalSegmentWriter::Add(std::span<const AccessLogRecord* const> recs) {
  // A software pipeline, as the scan counts its clients: while record j is encoded, the
  // values of record j + 8 that sit in a slot are fetched, and the slots of record j + 16.
  // A record's lookups (a slot's hash, then its value) are cache misses in dictionaries
  // that the scan's own tables push out of the cache; overlapped they no longer add up.
  constexpr size_t kValuesAhead = 8, kLead = 16;
  State& s = *s_;
  const size_t n = recs.size();
  s.ahead.resize(std::min(n, kLead + 1));
  const size_t ring = s.ahead.size();
  for (size_t j = 0; j < n + kLead; ++j) {
    if (j < n) {
      Prepared& pr = s.ahead[j % ring];
      Prepare(*recs[j], &pr);
      for (size_t k = 1; k < kStrings; ++k)
        if (pr.h[k]) s.dict[k].Prefetch(pr.h[k]);
    }
    if (j >= kLead - kValuesAhead && j - (kLead - kValuesAhead) < n) {
      const Prepared& pr = s.ahead[(j - (kLead - kValuesAhead)) % ring];
      for (size_t k = 1; k < kStrings; ++k)
        if (pr.h[k]) s.dict[k].PrefetchValue(pr.h[k]);
    }
    if (j >= kLead) s.Encode(*recs[j - kLead], s.ahead[(j - kLead) % ring]);
  }
}

Status JournalSegmentWriter::Finish() {
  State& s = *s_;
  s.Flush();
  if (s.f) {
    if (std::fclose(s.f) != 0 && s.status.ok())
      s.status = Status::Io("request journal " + s.path + ": " + std::strerror(errno));
    s.f = nullptr;
  }
  return s.status;
}

uint64_t JournalSegmentWriter::records() const { return s_->records; }

size_t JournalSegmentWriter::MaxBytes(size_t max_line) {
  // The block and its compressed copy, each one record past kBlock at most (a record holds
  // its line's fields, no more than the line), the compressor at level -20 (under 1 MB for a
  // block: its tables and sequence store, no window across blocks; 2 MB allowed), and the
  // dictionaries when every slot holds a long value (the query's are never filled). Twice this
  // (two threads) stays within the stage's 16 MB allowance for what it holds after the scan.
  return 2 * (kBlock + max_line + 4096) + (size_t{2} << 20) + sizeof(Dictionary) +
         (kStrings - 1) * kSlots * (kMaxDictValue + 16);
}

// ---- The manifest ----

Result<std::string> BeginJournal(const std::string& dir) {
  std::string staging = dir + ".new";
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
  if (ec) return Status::Io("request journal " + staging + ": " + ec.message());
  std::filesystem::create_directories(staging, ec);
  if (ec) return Status::Io("request journal " + staging + ": " + ec.message());
  return staging;
}

Status CommitJournal(const std::string& dir, const JournalManifest& m) {
  std::string staging = dir + ".new";
  {
    std::ofstream out(staging + "/MANIFEST", std::ios::binary | std::ios::trunc);
    out << kMagic << "\ninputs " << m.inputs.size() << "\n";
    for (const JournalManifest::Input& in : m.inputs)
      out << in.evidence_id << ' ' << (in.sha256.empty() ? "-" : in.sha256) << ' ' << in.lines
          << ' ' << in.parsed << ' ' << in.skipped << ' '
          << (in.problem.empty() ? "-" : Hex(in.problem)) << "\n";
    out << "segments " << m.segments.size() << "\n";
    for (const JournalManifest::Segment& sg : m.segments)
      out << sg.input << ' ' << sg.line_shift << ' ' << sg.offset_shift << ' ' << sg.records << ' '
          << sg.file << "\n";
    out << "end\n";
    out.flush();
    if (!out) return Status::Io("request journal " + staging + "/MANIFEST: write failed");
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) return Status::Io("request journal " + dir + ": " + ec.message());
  std::filesystem::rename(staging, dir, ec);
  if (ec) return Status::Io("request journal " + dir + ": " + ec.message());
  return Status::Ok();
}

Result<JournalManifest> ReadJournalManifest(const std::string& dir) {
  std::ifstream in(dir + "/MANIFEST", std::ios::binary);
  if (!in) return Status::NotFound("no request journal in " + dir);
  auto damaged = [&](const std::string& why) {
    return Status::BadInput("request journal " + dir + "/MANIFEST damaged: " + why);
  };
  std::string line;
  if (!std::getline(in, line) || line != kMagic) return damaged("not a request journal");
  JournalManifest m;
  std::string word;
  size_t n = 0;
  if (!std::getline(in, line)) return damaged("no inputs");
  std::istringstream head(line);
  if (!(head >> word >> n) || word != "inputs" || n > 1000000) return damaged("bad inputs line");
  for (size_t i = 0; i < n; ++i) {
    JournalManifest::Input x;
    std::string sha, problem;
    if (!std::getline(in, line)) return damaged("inputs cut short");
    std::istringstream is(line);
    if (!(is >> x.evidence_id >> sha >> x.lines >> x.parsed >> x.skipped >> problem))
      return damaged("bad input line " + std::to_string(i + 1));
    if (sha != "-") x.sha256 = sha;
    if (problem != "-" && !Unhex(problem, &x.problem)) return damaged("bad problem text");
    m.inputs.push_back(std::move(x));
  }
  if (!std::getline(in, line)) return damaged("no segments");
  std::istringstream seg(line);
  if (!(seg >> word >> n) || word != "segments" || n > 10000000)
    return damaged("bad segments line");
  for (size_t i = 0; i < n; ++i) {
    JournalManifest::Segment s;
    if (!std::getline(in, line)) return damaged("segments cut short");
    std::istringstream is(line);
    if (!(is >> s.input >> s.line_shift >> s.offset_shift >> s.records >> s.file) ||
        s.input >= m.inputs.size() || !SafeFileName(s.file))
      return damaged("bad segment line " + std::to_string(i + 1));
    m.segments.push_back(std::move(s));
  }
  if (!std::getline(in, line) || line != "end") return damaged("no end");
  return m;
}

// ---- Reading ----

namespace {

class SegmentReader {
 public:
  SegmentReader(std::string path, const JournalManifest::Segment& seg)
      : path_(std::move(path)), seg_(seg) {}
  ~SegmentReader() {
    if (f_) std::fclose(f_);
  }
  Status Run(int64_t evidence_id, const JournalVisitor& visit) {
    f_ = std::fopen(path_.c_str(), "rbe");
    if (!f_) return Damaged(std::strerror(errno));
    uint64_t seen = 0;
    for (;;) {
      uint32_t sizes[2];
      size_t got = std::fread(sizes, 1, 8, f_);
      if (got == 0 && std::feof(f_)) break;
      if (got != 8) return Damaged("block header cut short");
      if (sizes[0] == 0 || sizes[0] > kMaxBlock || sizes[1] > ZSTD_compressBound(sizes[0]))
        return Damaged("bad block sizes");
      packed_.resize(sizes[1]);
      if (std::fread(packed_.data(), 1, sizes[1], f_) != sizes[1])
        return Damaged("block cut short");
      raw_.resize(sizes[0]);
      size_t n = ZSTD_decompress(raw_.data(), raw_.size(), packed_.data(), packed_.size());
      if (ZSTD_isError(n) || n != sizes[0]) return Damaged("block does not decompress");
      p_ = raw_.data();
      end_ = raw_.data() + raw_.size();
      while (p_ < end_) {
        JournalRequest r;
        uint64_t t, l, o, status, bytes;
        if (!Varint(&t) || !Varint(&l) || !Varint(&o) || !Varint(&status) || !Varint(&bytes))
          return Damaged("record cut short");
        time_ += UnZigZag(t);
        line_ += UnZigZag(l);
        offset_ += UnZigZag(o);
        if (line_ < 0 || offset_ < 0) return Damaged("record before the segment's start");
        r.time = time_;
        r.line = line_ + static_cast<int64_t>(seg_.line_shift);
        r.offset = offset_ + static_cast<int64_t>(seg_.offset_shift);
        r.status = static_cast<int>(static_cast<int64_t>(status));
        r.bytes = static_cast<int64_t>(bytes) - 1;
        if (!Get(0, &r.client) || !Get(1, &r.method) || !Get(2, &r.path) || !Get(3, &r.query) ||
            !Get(4, &r.user_agent) || !Get(5, &r.session))
          return Damaged("bad value");
        ++seen;
        visit(evidence_id, r);
      }
    }
    if (seen != seg_.records)
      return Damaged(std::to_string(seen) + " records where the manifest says " +
                     std::to_string(seg_.records));
    return Status::Ok();
  }

 private:
  Status Damaged(const std::string& why) const {
    return Status::BadInput("request journal " + path_ + " damaged: " + why);
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return false;
      unsigned char c = static_cast<unsigned char>(*p_++);
      *v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return true;
    }
    return false;
  }
  bool Get(size_t k, std::string_view* out) {
    uint64_t code;
    if (!Varint(&code)) return false;
    if (code == 0) {
      *out = {};
      return true;
    }
    if (code == kIpv4) {
      if (k != 0 || end_ - p_ < 4) return false;  // only a client is stored so
      size_t n = FormatIpv4(reinterpret_cast<const unsigned char*>(p_), ip_);
      p_ += 4;
      *out = std::string_view(ip_, n);
      return true;
    }
    if (code < kFirstLiteral) {
      const std::string* d = dict_[k].At(code - kFirstSlot);
      if (!d) return false;  // the writer refers only to slots it filled
      *out = *d;
      return true;
    }
    uint64_t len = code - kFirstLiteral;
    if (len > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(p_, len);
    p_ += len;
    if (kKeptInSlots[k] && len <= kMaxDictValue) dict_[k].Store(*out, Hash(*out));
    return true;
  }

  std::string path_;
  const JournalManifest::Segment& seg_;
  std::FILE* f_ = nullptr;
  std::string packed_, raw_;
  const char *p_ = nullptr, *end_ = nullptr;
  char ip_[16];  // the client address of the record being read, when stored as four bytes
  int64_t time_ = 0, line_ = 0, offset_ = 0;
  Dictionary dict_;
};

}  // namespace

Status ReplayJournal(const std::string& dir, const JournalManifest& m,
                     const JournalVisitor& visit) {
  for (const JournalManifest::Segment& seg : m.segments) {
    auto reader = std::make_unique<SegmentReader>(dir + "/" + seg.file, seg);
    TQ_RETURN_IF_ERROR(reader->Run(m.inputs[seg.input].evidence_id, visit));
  }
  return Status::Ok();
}

}  // namespace tq::logs
