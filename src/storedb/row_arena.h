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
#include <utility>
#include <vector>

namespace tq::storedb {

// Memory for the held rows' blocks and index slots, of `bytes` (at least kPopulatedBytes) mapped
// with every page already there (MAP_POPULATE): one call instead of a page fault per 4 KB page
// as it is first written, which on a virtual machine costs more than the writing (512 MB: 1.75 s
// of CPU faulted in, 0.95 s populated). Smaller sizes come from the heap. Throws std::bad_alloc
// as new does.
constexpr size_t kPopulatedBytes = 1u << 20;
void* AllocatePopulated(size_t bytes);
void FreePopulated(void* p, size_t bytes);
template <typename T>
struct PopulatedAllocator {
  using value_type = T;
  PopulatedAllocator() = default;
  template <typename U>
  PopulatedAllocator(const PopulatedAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(AllocatePopulated(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { FreePopulated(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PopulatedAllocator<U>&) const {
    return true;
  }
};

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
  struct Block {
    explicit Block(size_t n) : data(static_cast<char*>(AllocatePopulated(n))), size(n) {}
    Block(Block&& o) noexcept : data(std::exchange(o.data, nullptr)), size(o.size) {}
    Block& operator=(Block&& o) noexcept {
      std::swap(data, o.data);
      std::swap(size, o.size);
      return *this;
    }
    ~Block() {
      if (data) FreePopulated(data, size);
    }
    char* get() const { return data; }
    char* data;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t used_ = 0, capacity_ = 0;  // of the last block
  uint64_t bytes_ = 0;
};

// key -> up to two records (of two kinds, say an order's first billing address and its first
// payment) and the OR of flags added under the key. The key is a text field of each record
// (`key_fields[kind]`; the fields before it are text too), so the index keeps no copy of it.
//
// A key written as a plain decimal number (no sign, no leading zero, at most 18 digits: a
// dump's ids) is held in its slot as that number, so finding it compares no text; and while
// no key lands more than kLocalProbes slots past its own, such a key's slot is its value
// modulo the table's size: ids that come in order (an order's addresses and payments, the
// orders themselves) then touch neighbouring slots rather than one cache line and page each
// at random. Keys that crowd each other (ids with a stride of the table's size, or a hostile
// dump) turn the index to a mixed hash of the number, once. Other keys are hashed.
class RowIndex {
 public:
  static constexpr RowArena::Ref kNone = ~0ull;
  struct Entry {
    // The key: its number (`number`), else 60 bits of its hash; `flags` has two bits.
    uint64_t key : 61 = 0, number : 1 = 0, flags : 2 = 0;
    RowArena::Ref refs[2] = {kNone, kNone};
  };
  static constexpr size_t kLocalProbes = 32;
  using Slots = std::vector<Entry, PopulatedAllocator<Entry>>;
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
    Slots().swap(slots_);
    count_ = 0;
    max_probe_ = 0;
    mixed_ = false;
  }
  size_t size() const { return count_; }
  bool mixed() const { return mixed_; }  // the numbers' slots are hashed (see above)

 private:
  struct Key {  // a key as its slot holds it
    uint64_t bits;
    bool number;
  };
  static Key KeyOf(std::string_view key);
  size_t Home(Key k) const;  // the slot a key goes to first
  bool Holds(const Entry& e, std::string_view key, Key k) const;
  // Its slot, or the free one where it goes (at `*probe` slots past its home).
  size_t Locate(std::string_view key, Key k, size_t* probe) const;
  // Places every entry again in `size` slots (the numbers' slots as mixed_ says); false when
  // a number lands more than kLocalProbes past its home while they are not mixed.
  bool Place(Slots& old, size_t size);
  void Rehash(size_t size);  // Place, turning to mixed slots when it fails
  const RowArena& arena_;
  int key_fields_[2];
  Slots slots_;  // a free slot has no records
  size_t count_ = 0;
  size_t max_probe_ = 0;  // no key is further than this past its home slot
  bool mixed_ = false;
};
static_assert(sizeof(RowIndex::Entry) == 24);

// What SQLite's CAST(text AS INTEGER) gives: the longest integer prefix after leading spaces,
// 0 when there is none, clamped to the 64-bit range.
int64_t CastToInteger(std::string_view text);
}  // namespace tq::storedb
