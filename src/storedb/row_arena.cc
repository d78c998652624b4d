// Records packed in blocks, and an open-addressing index over a key field of them
// (row_arena.h).
#include "storedb/row_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>

namespace tq::storedb {

namespace {
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at the front of `s` (and drops it); 0 when `s` ends inside one.
uint64_t TakeVarint(std::string_view* s) {
  uint64_t v = 0;
  for (int shift = 0; !s->empty() && shift < 64; shift += 7) {
    uint8_t b = static_cast<uint8_t>(s->front());
    s->remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  return v;
}

bool IsSqlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
}  // namespace

void* AllocatePopulated(size_t bytes) {
  if (bytes < kPopulatedBytes) return ::operator new(bytes);
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

void FreePopulated(void* p, size_t bytes) {
  if (bytes < kPopulatedBytes)
    ::operator delete(p);
  else
    ::munmap(p, bytes);
}

RecordWriter& RecordWriter::Text(std::string_view s) {
  PutVarint(&buf_, s.size());
  buf_.append(s);
  return *this;
}

RecordWriter& RecordWriter::Uint(uint64_t v) {
  PutVarint(&buf_, v);
  return *this;
}

RecordWriter& RecordWriter::OptionalInt(std::optional<int64_t> v) {
  if (!v) return Uint(0);
  // 1 + zigzag: small negative and positive values stay short.
  uint64_t zigzag = (static_cast<uint64_t>(*v) << 1) ^ static_cast<uint64_t>(*v >> 63);
  Uint(1);
  return Uint(zigzag);
}

std::string_view RecordReader::Text() {
  uint64_t n = TakeVarint(&rest_);
  std::string_view out = rest_.substr(0, n);
  rest_.remove_prefix(out.size());
  return out;
}

uint64_t RecordReader::Uint() { return TakeVarint(&rest_); }

std::optional<int64_t> RecordReader::OptionalInt() {
  if (TakeVarint(&rest_) == 0) return std::nullopt;
  uint64_t zigzag = TakeVarint(&rest_);
  return static_cast<int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
}

RowArena::Ref RowArena::Add(std::string_view record) {
  std::string prefix;
  PutVarint(&prefix, record.size());
  size_t need = prefix.size() + record.size();
  if (blocks_.empty() || capacity_ - used_ < need) {
    // A record larger than a block gets a block of its own size.
    capacity_ = std::max(kBlockBytes, need);
    blocks_.emplace_back(capacity_);  // not zeroed: written before read
    bytes_ += capacity_;
    used_ = 0;
  }
  char* at = blocks_.back().get() + used_;
  std::memcpy(at, prefix.data(), prefix.size());
  std::memcpy(at + prefix.size(), record.data(), record.size());
  Ref ref = (static_cast<uint64_t>(blocks_.size() - 1) << 32) | used_;
  used_ += need;
  return ref;
}

std::string_view RowArena::Get(Ref ref) const {
  const char* at = blocks_[ref >> 32].get() + (ref & 0xffffffffu);
  // The length prefix Add wrote: its last byte has the high bit clear.
  uint64_t n = 0;
  int shift = 0;
  for (;; ++at, shift += 7) {
    uint8_t b = static_cast<uint8_t>(*at);
    n |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return std::string_view(at + 1, n);
}

RowIndex::Key RowIndex::KeyOf(std::string_view key) {
  // A plain decimal number of up to 18 digits: one key text per value (below 2^60).
  if (!key.empty() && key.size() <= 18 && (key[0] != '0' || key.size() == 1)) {
    uint64_t v = 0;
    size_t i = 0;
    for (; i < key.size(); ++i) {
      unsigned d = static_cast<unsigned char>(key[i]) - '0';
      if (d > 9) break;
      v = v * 10 + d;
    }
    if (i == key.size()) return {v, true};
  }
  return {std::hash<std::string_view>{}(key) & ((1ull << 60) - 1), false};
}

size_t RowIndex::Home(Key k) const {
  uint64_t h = k.bits;
  if (k.number && mixed_) {  // the finaliser of MurmurHash3: every bit of the number counts
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
  }
  return static_cast<size_t>(h) & (slots_.size() - 1);
}

bool RowIndex::Holds(const Entry& e, std::string_view key, Key k) const {
  if (e.key != k.bits || e.number != k.number) return false;
  if (k.number) return true;  // the number is the key
  int kind = e.refs[0] != kNone ? 0 : 1;
  RecordReader r(arena_.Get(e.refs[kind]));
  std::string_view text;
  for (int i = 0; i <= key_fields_[kind]; ++i) text = r.Text();
  return text == key;
}

namespace {
bool IsFree(const RowIndex::Entry& e) {
  return e.refs[0] == RowIndex::kNone && e.refs[1] == RowIndex::kNone;
}
}  // namespace

size_t RowIndex::Locate(std::string_view key, Key k, size_t* probe) const {
  size_t mask = slots_.size() - 1;
  size_t i = Home(k);
  for (size_t d = 0;; ++d, i = (i + 1) & mask) {
    const Entry& e = slots_[i];
    if (IsFree(e) || Holds(e, key, k)) {
      *probe = d;
      return i;
    }
  }
}

bool RowIndex::Place(Slots& old, size_t size) {
  slots_.assign(size, Entry{});
  max_probe_ = 0;
  size_t mask = size - 1;
  for (const Entry& e : old) {
    if (IsFree(e)) continue;
    size_t i = Home({e.key, e.number != 0}), d = 0;
    for (; !IsFree(slots_[i]); i = (i + 1) & mask) ++d;
    if (!mixed_ && d > kLocalProbes) return false;
    max_probe_ = std::max(max_probe_, d);
    slots_[i] = e;
  }
  return true;
}

void RowIndex::Rehash(size_t size) {
  Slots old = std::move(slots_);
  if (!Place(old, size)) {
    mixed_ = true;
    Place(old, size);
  }
}

RowIndex::Entry& RowIndex::FindOrAdd(std::string_view key) {
  // Load at most 0.75: a slot the caller leaves without records stays free for the next.
  if ((count_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.empty() ? 1024 : slots_.size() * 2);
  Key k = KeyOf(key);
  size_t probe = 0;
  size_t i = Locate(key, k, &probe);
  if (IsFree(slots_[i]) && !mixed_ && probe > kLocalProbes) {
    // Crowded: the numbers' slots are mixed from now on.
    mixed_ = true;
    Rehash(slots_.size());
    i = Locate(key, k, &probe);
  }
  Entry& e = slots_[i];
  if (IsFree(e)) {
    e.key = k.bits;
    e.number = k.number;
    e.flags = 0;
    max_probe_ = std::max(max_probe_, probe);
    ++count_;
  }
  return e;
}

const RowIndex::Entry* RowIndex::Find(std::string_view key) const {
  if (slots_.empty()) return nullptr;
  Key k = KeyOf(key);
  size_t mask = slots_.size() - 1;
  size_t i = Home(k);
  // No key is further than max_probe_ past its home: an absent one is known by then.
  for (size_t d = 0; d <= max_probe_; ++d, i = (i + 1) & mask) {
    const Entry& e = slots_[i];
    if (IsFree(e)) return nullptr;
    if (Holds(e, key, k)) return &e;
  }
  return nullptr;
}

void RowIndex::Prefetch(std::string_view key) const {
  if (!slots_.empty()) __builtin_prefetch(&slots_[Home(KeyOf(key))]);
}

int64_t CastToInteger(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsSqlSpace(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  // Accumulated as a negative number, whose range holds INT64_MIN.
  int64_t v = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    int digit = text[i] - '0';
    if (v < (kMin + digit) / 10) {
      return negative ? kMin : std::numeric_limits<int64_t>::max();
    }
    v = v * 10 - digit;
  }
  if (negative) return v;
  return v == kMin ? std::numeric_limits<int64_t>::max() : -v;
}

}  // namespace tq::storedb
