// Rows held in memory for the customer and order join (customers_join.cc): each row packed
// as one record (its fields length-prefixed, integers as varints) in large blocks that never
// move, and an index from a key field to the records that carry it, in the order they were
// added. A million orders and their billing addresses take a few hundred bytes each instead
// of a staged row in a temporary table, an index over it and a join in SQL.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tq::storedb {

// Builds one record: fields are read back in the order they were written.
class RecordWriter {
 public:
  RecordWriter& Text(std::string_view s);
  RecordWriter& Uint(uint64_t v);
  RecordWriter& OptionalInt(std::optional<int64_t> v);
  const std::string& bytes() const { return buf_; }
  void Clear() { buf_.clear(); }

 private:
  std::string buf_;
};

// Reads a record's fields in order. Records come from RowArena, which holds only what
// RecordWriter wrote, so a field read past the end yields empty values, never a crash.
class RecordReader {
 public:
  explicit RecordReader(std::string_view record) : rest_(record) {}
  std::string_view Text();
  uint64_t Uint();
  std::optional<int64_t> OptionalInt();

 private:
  std::string_view rest_;
};

class RowArena {
 public:
  using Ref = uint64_t;  // block << 32 | offset of the record's length prefix
  Ref Add(std::string_view record);
  std::string_view Get(Ref ref) const;
  void Prefetch(Ref ref) const {  // the record's first bytes, without waiting for them
    __builtin_prefetch(blocks_[ref >> 32].get() + (ref & 0xffffffffu));
  }
  uint64_t bytes() const { return bytes_; }  // allocated

 private:
  static constexpr size_t kBlockBytes = 16u << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0, capacity_ = 0;  // of the last block
  uint64_t bytes_ = 0;
};

// key -> up to two records (of two kinds, say an order's first billing address and its first
// payment) and the OR of flags added under the key. The key is a text field of each record
// (`key_fields[kind]`; the fields before it are text too), so the index keeps no copy of it.
class RowIndex {
 public:
  static constexpr RowArena::Ref kNone = ~0ull;
  struct Entry {
    uint32_t hash = 0, flags = 0;
    RowArena::Ref refs[2] = {kNone, kNone};
  };
  RowIndex(const RowArena& arena, int key_field0, int key_field1 = 0)
      : arena_(arena), key_fields_{key_field0, key_field1} {}
  // The entry of `key`, added (with no records) when absent. Valid until the next call;
  // the caller sets refs[kind] to a record whose key field is `key`.
  Entry& FindOrAdd(std::string_view key);
  const Entry* Find(std::string_view key) const;  // nullptr when absent
  // Asks the CPU to load the slot where `key` would be (a Find soon after hits the cache).
  void Prefetch(std::string_view key) const;
  uint64_t bytes() const { return slots_.capacity() * sizeof(Entry); }
  void Clear() {  // frees the slots
    std::vector<Entry>().swap(slots_);
    count_ = 0;
  }
  size_t size() const { return count_; }

 private:
  static uint32_t Hash(std::string_view key);
  bool Holds(const Entry& e, std::string_view key, uint32_t hash) const;
  size_t Locate(std::string_view key, uint32_t hash) const;  // its slot, or the free one
  void Grow();
  const RowArena& arena_;
  int key_fields_[2];
  std::vector<Entry> slots_;  // a free slot has no records
  size_t count_ = 0;
};

// What SQLite's CAST(text AS INTEGER) gives: the longest integer prefix after leading spaces,
// 0 when there is none, clamped to the 64-bit range.
int64_t CastToInteger(std::string_view text);
}  // namespace tq::storedb
