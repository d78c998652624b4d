// Records packed in blocks, and an open-addressing index over a key field of them
// (row_arena.h).
#include "storedb/row_arena.h"

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
    blocks_.emplace_back(new char[capacity_]);  // not zeroed: written before read
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

uint32_t RowIndex::Hash(std::string_view key) {
  return static_cast<uint32_t>(std::hash<std::string_view>{}(key));
}

bool RowIndex::Holds(const Entry& e, std::string_view key, uint32_t hash) const {
  if (e.hash != hash) return false;
  int kind = e.refs[0] != kNone ? 0 : 1;
  RecordReader r(arena_.Get(e.refs[kind]));
  std::string_view k;
  for (int i = 0; i <= key_fields_[kind]; ++i) k = r.Text();
  return k == key;
}

size_t RowIndex::Locate(std::string_view key, uint32_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Entry& e = slots_[i];
    if ((e.refs[0] == kNone && e.refs[1] == kNone) || Holds(e, key, hash)) return i;
  }
}

void RowIndex::Grow() {
  std::vector<Entry> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Entry{});
  size_t mask = slots_.size() - 1;
  for (const Entry& e : old) {
    if (e.refs[0] == kNone && e.refs[1] == kNone) continue;
    size_t i = e.hash & mask;
    while (slots_[i].refs[0] != kNone || slots_[i].refs[1] != kNone) i = (i + 1) & mask;
    slots_[i] = e;
  }
}

RowIndex::Entry& RowIndex::FindOrAdd(std::string_view key) {
  // Load at most 0.75: a slot the caller leaves without records stays free for the next.
  if ((count_ + 1) * 4 > slots_.size() * 3) Grow();
  uint32_t hash = Hash(key);
  Entry& e = slots_[Locate(key, hash)];
  if (e.refs[0] == kNone && e.refs[1] == kNone) {
    e.hash = hash;
    e.flags = 0;
    ++count_;
  }
  return e;
}

const RowIndex::Entry* RowIndex::Find(std::string_view key) const {
  if (slots_.empty()) return nullptr;
  const Entry& e = slots_[Locate(key, Hash(key))];
  return e.refs[0] == kNone && e.refs[1] == kNone ? nullptr : &e;
}

void RowIndex::Prefetch(std::string_view key) const {
  if (!slots_.empty()) __builtin_prefetch(&slots_[Hash(key) & (slots_.size() - 1)]);
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
