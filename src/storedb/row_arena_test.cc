// Records packed and read back across blocks, the index over their key fields, and SQLite's
// CAST(text AS INTEGER) as the customer join reproduces it, checked against SQLite itself.
#include "storedb/row_arena.h"

#include <gtest/gtest.h>

#include <limits>

#include "casefile/db.h"
#include "support/testing.h"

namespace tq::storedb {
namespace {

TEST(RowArena, RecordsReadBackAcrossBlocksAndOversizedOnes) {
  RowArena arena;
  RecordWriter w;
  std::vector<RowArena::Ref> refs;
  std::string big(20u << 20, 'x');  // larger than a block: a block of its own
  for (int i = 0; i < 200000; ++i) {
    w.Clear();
    w.Text("key" + std::to_string(i)).Uint(static_cast<uint64_t>(i) * 1000003);
    w.OptionalInt(i % 3 == 0 ? std::nullopt : std::optional<int64_t>(-i));
    w.Text(i == 777 ? std::string_view(big) : std::string_view());
    refs.push_back(arena.Add(w.bytes()));
  }
  for (int i = 0; i < 200000; ++i) {
    RecordReader r(arena.Get(refs[i]));
    ASSERT_EQ(r.Text(), "key" + std::to_string(i));
    ASSERT_EQ(r.Uint(), static_cast<uint64_t>(i) * 1000003);
    ASSERT_EQ(r.OptionalInt(), i % 3 == 0 ? std::nullopt : std::optional<int64_t>(-i));
    ASSERT_EQ(r.Text().size(), i == 777 ? big.size() : 0u);
  }
  EXPECT_GE(arena.bytes(), big.size() + (16u << 20));
}

TEST(RowArena, ExtremeIntegersAndReadingPastTheEnd) {
  RecordWriter w;
  w.OptionalInt(std::numeric_limits<int64_t>::min())
      .OptionalInt(std::numeric_limits<int64_t>::max());
  w.Uint(~0ull);
  RecordReader r(w.bytes());
  EXPECT_EQ(r.OptionalInt(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.OptionalInt(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(r.Uint(), ~0ull);
  // Past the last field: empty values, no read beyond the record.
  EXPECT_EQ(r.Text(), "");
  EXPECT_EQ(r.Uint(), 0u);
  EXPECT_EQ(r.OptionalInt(), std::nullopt);
}

TEST(RowIndex, TwoKindsKeyedByDifferentFieldsGrowAndKeepFlags) {
  RowArena arena;
  // Kind 0 records: (id, parent); keyed by parent (field 1). Kind 1: (key); field 0.
  RowIndex index(arena, 1, 0);
  RecordWriter w;
  std::vector<RowArena::Ref> kind0, kind1;
  for (int i = 0; i < 50000; ++i) {
    w.Clear();
    w.Text("a" + std::to_string(i)).Text("p" + std::to_string(i));
    kind0.push_back(arena.Add(w.bytes()));
    RowIndex::Entry& e = index.FindOrAdd("p" + std::to_string(i));
    ASSERT_EQ(e.refs[0], RowIndex::kNone);
    e.refs[0] = kind0.back();
    e.flags |= i % 2 ? 1 : 0;
  }
  for (int i = 0; i < 100000; i += 2) {  // half of them also a kind-1 record, half new keys
    w.Clear();
    w.Text("p" + std::to_string(i));
    kind1.push_back(arena.Add(w.bytes()));
    RowIndex::Entry& e = index.FindOrAdd("p" + std::to_string(i));
    ASSERT_EQ(e.refs[1], RowIndex::kNone);
    e.refs[1] = kind1.back();
    e.flags |= 2;
  }
  EXPECT_EQ(index.size(), 75000u);
  for (int i = 0; i < 100000; ++i) {
    const RowIndex::Entry* e = index.Find("p" + std::to_string(i));
    bool has0 = i < 50000, has1 = i % 2 == 0;
    ASSERT_EQ(e != nullptr, has0 || has1) << i;
    if (!e) continue;
    EXPECT_EQ(e->refs[0], has0 ? kind0[i] : RowIndex::kNone);
    EXPECT_EQ(e->refs[1], has1 ? kind1[i / 2] : RowIndex::kNone);
    EXPECT_EQ(e->flags, (has0 && i % 2 ? 1u : 0u) | (has1 ? 2u : 0u));
  }
  EXPECT_EQ(index.Find("a1"), nullptr);  // a field that is not the key
  EXPECT_EQ(index.Find(""), nullptr);
}

TEST(RowIndex, KeysShortAndLongAndAlikeInTheirFirstBytes) {
  // Keys that differ only past their 8th byte, or only in their length (a trailing NUL byte),
  // or are empty, are all told apart, found again and not added twice.
  RowArena arena;
  RowIndex index(arena, 0);
  RecordWriter w;
  std::vector<std::string> keys = {
      "",          std::string(1, '\0'), "a",         std::string("a\0", 2),        "12345678",
      "123456789", "1234567890",         "12345678x", std::string("12345678\0", 9), "1234567"};
  for (int i = 0; i < 3000; ++i)
    keys.push_back(std::string(static_cast<size_t>(i % 24), 'k') + std::to_string(i));
  std::vector<RowArena::Ref> refs;
  for (const std::string& k : keys) {
    w.Clear();
    w.Text(k);
    refs.push_back(arena.Add(w.bytes()));
    RowIndex::Entry& e = index.FindOrAdd(k);
    ASSERT_EQ(e.refs[0], RowIndex::kNone) << k;
    e.refs[0] = refs.back();
  }
  EXPECT_EQ(index.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const RowIndex::Entry* e = index.Find(keys[i]);
    ASSERT_NE(e, nullptr) << keys[i];
    EXPECT_EQ(e->refs[0], refs[i]) << keys[i];
    EXPECT_EQ(index.FindOrAdd(keys[i]).refs[0], refs[i]);  // found, not added
  }
  EXPECT_EQ(index.size(), keys.size());
  for (std::string absent : {"b", "123456780", "1234567890x", "12345678y", "k0x"})
    EXPECT_EQ(index.Find(absent), nullptr) << absent;
}

// Keys as a dump's ids come: numbers in order, numbers written as no plain number would be
// ("007", "+7", 19 digits) and text, and numbers that crowd one slot (a stride of the
// table's size), all in one index: each found again, none added twice, the absent ones not found.
TEST(RowIndex, NumbersInOrderCrowdedAndAlikeAsText) {
  RowArena arena;
  RowIndex index(arena, 0);
  RecordWriter w;
  std::vector<std::string> keys;
  for (int i = 1; i <= 30000; ++i) keys.push_back(std::to_string(i));
  auto add = [&](const std::string& k) {
    w.Clear();
    w.Text(k);
    RowArena::Ref ref = arena.Add(w.bytes());
    RowIndex::Entry& e = index.FindOrAdd(k);
    EXPECT_EQ(e.refs[0], RowIndex::kNone) << k;
    e.refs[0] = ref;
    e.flags |= k.size() % 2 ? 1 : 2;
    return ref;
  };
  std::vector<RowArena::Ref> refs;
  for (const std::string& k : keys) refs.push_back(add(k));
  EXPECT_FALSE(index.mixed()) << "ids in order keep their own slots";
  // Text keys alike to numbers, and numbers at the 18-digit edge.
  for (std::string k :
       {"0", "00", "007", "+7", "-7", "7 ", " 7", "7.0", "1e3", "999999999999999999",
        "1000000000000000000", "0999999999999999999", "18446744073709551616", "x", ""}) {
    keys.push_back(k);
    refs.push_back(add(k));
  }
  // Numbers a stride of 2^20 apart: each lands where the one before it did.
  for (uint64_t i = 1; i <= 200; ++i) {
    keys.push_back(std::to_string(i << 20));
    refs.push_back(add(keys.back()));
  }
  EXPECT_TRUE(index.mixed()) << "crowded numbers turn the slots to a mixed hash";
  EXPECT_EQ(index.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const RowIndex::Entry* e = index.Find(keys[i]);
    ASSERT_NE(e, nullptr) << keys[i];
    EXPECT_EQ(e->refs[0], refs[i]) << keys[i];
    EXPECT_EQ(e->flags, keys[i].size() % 2 ? 1u : 2u) << keys[i];
    EXPECT_EQ(index.FindOrAdd(keys[i]).refs[0], refs[i]) << keys[i];
  }
  EXPECT_EQ(index.size(), keys.size());
  for (std::string absent : {"30001", "0000", "08", "7x", "201326593", "99999999999999999"})
    EXPECT_EQ(index.Find(absent), nullptr) << absent;
  index.Clear();
  EXPECT_FALSE(index.mixed());
  EXPECT_EQ(index.Find("1"), nullptr);
}

// An absent number whose slot falls inside a long run of present ones is told absent without
// walking the run, and adding it does not walk it either (the slots turn mixed first).
TEST(RowIndex, AbsentNumbersInsideALongRunOfPresentOnes) {
  RowArena arena;
  RowIndex index(arena, 0);
  RecordWriter w;
  for (int i = 0; i < 600; ++i) {  // slots 0..599 of 1024
    w.Clear();
    w.Text(std::to_string(i));
    index.FindOrAdd(std::to_string(i)).refs[0] = arena.Add(w.bytes());
  }
  ASSERT_FALSE(index.mixed());
  EXPECT_EQ(index.Find("1100"), nullptr);  // home slot 76, inside the run
  w.Clear();
  w.Text("1100");
  index.FindOrAdd("1100").refs[0] = arena.Add(w.bytes());
  EXPECT_TRUE(index.mixed());
  for (int i = 0; i < 600; ++i) ASSERT_NE(index.Find(std::to_string(i)), nullptr) << i;
  EXPECT_NE(index.Find("1100"), nullptr);
  EXPECT_EQ(index.Find("1101"), nullptr);
}

TEST(CastToInteger, AsSqliteCastsText) {
  testing::TempDir dir;
  Result<std::unique_ptr<Db>> db = Db::Open(dir / "t.db", true);
  ASSERT_TRUE(db.ok());
  Result<Stmt> q = (*db)->Prepare("SELECT CAST(? AS INTEGER)");
  ASSERT_TRUE(q.ok());
  for (std::string_view text : {"12",
                                "0",
                                "-0",
                                "+7",
                                "  42",
                                "\t\n 9",
                                "12abc",
                                "abc",
                                "",
                                "-",
                                "+",
                                " - 3",
                                "007",
                                "1e5",
                                "12.9",
                                "-12.9",
                                "9223372036854775807",
                                "9223372036854775808",
                                "-9223372036854775808",
                                "-9223372036854775809",
                                "99999999999999999999999",
                                "-99999999999999999999999",
                                "0x10",
                                "١٢"}) {
    ASSERT_TRUE(q->Reset().ok());
    q->Bind(1, text);
    ASSERT_TRUE(*q->Step());
    EXPECT_EQ(CastToInteger(text), q->Int(0)) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace tq::storedb

namespace tq::storedb {
namespace {

// Memory below the threshold comes from the heap, above it is mapped with its pages there:
// both hold what is written, and a vector growing across the threshold keeps its elements.
TEST(PopulatedMemory, HoldsWhatIsWrittenOnBothSidesOfTheThreshold) {
  for (size_t bytes : {size_t{1}, kPopulatedBytes - 1, kPopulatedBytes, 3 * kPopulatedBytes + 5}) {
    char* p = static_cast<char*>(AllocatePopulated(bytes));
    ASSERT_NE(p, nullptr);
    for (size_t i = 0; i < bytes; i += 4093) p[i] = static_cast<char>(i % 251);
    p[bytes - 1] = 'z';
    for (size_t i = 0; i + 1 < bytes; i += 4093) EXPECT_EQ(p[i], static_cast<char>(i % 251)) << i;
    EXPECT_EQ(p[bytes - 1], 'z');
    FreePopulated(p, bytes);
  }
  std::vector<uint64_t, PopulatedAllocator<uint64_t>> v;
  for (uint64_t i = 0; i < 3 * kPopulatedBytes / sizeof(uint64_t); ++i) v.push_back(i * 7);
  for (uint64_t i = 0; i < v.size(); i += 1001) ASSERT_EQ(v[i], i * 7);
  EXPECT_GT(v.capacity() * sizeof(uint64_t), kPopulatedBytes);
}

}  // namespace
}  // namespace tq::storedb
