// Reading ahead (prefetch.h): the memory bound, the file walk, Stop, and /proc/meminfo.
#include "core/prefetch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/testing.h"

namespace tq {
namespace {

TEST(Prefetcher, ReadsEveryFileAheadWithinTheMemoryBound) {
  testing::TempDir dir;
  std::string a = dir / "a", b = dir / "b";
  testing::WriteFile(a, std::string(Prefetcher::kChunk + 5, 'x'));  // two chunks
  testing::WriteFile(b, "tail");
  uint64_t total = Prefetcher::kChunk + 5 + 4;
  {
    std::unique_ptr<Prefetcher> p =
        Prefetcher::Start({a, dir / "missing", b}, total, /*available_bytes=*/total * 2);
    ASSERT_NE(p, nullptr);
    p->Stop();  // joins: everything was asked for by then or Stop came first
    EXPECT_LE(p->requested(), total);
  }
  // Run to the end: every byte of the files that exist was asked for, the missing one passed.
  std::unique_ptr<Prefetcher> p = Prefetcher::Start({a, dir / "missing", b}, total, total * 2);
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 1000 && p->requested() < total; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(p->requested(), total);
}

TEST(Prefetcher, NothingWhenTheFilesWouldTakeOverHalfTheMemory) {
  testing::TempDir dir;
  testing::WriteFile(dir / "a", "abc");
  EXPECT_EQ(Prefetcher::Start({dir / "a"}, 1001, 2000), nullptr);
  EXPECT_NE(Prefetcher::Start({dir / "a"}, 1000, 2000), nullptr);
  EXPECT_EQ(Prefetcher::Start({dir / "a"}, 3, 0), nullptr);  // memory unknown
  EXPECT_EQ(Prefetcher::Start({}, 0, 2000), nullptr);
}

TEST(MemAvailable, FromMeminfoText) {
  EXPECT_EQ(MemAvailableBytes("MemTotal:       24000000 kB\nMemFree:         9000000 kB\n"
                              "MemAvailable:   22000000 kB\nBuffers: 1 kB\n"),
            22000000ull * 1024);
  EXPECT_EQ(MemAvailableBytes("MemTotal: 1 kB\n"), 0u);
  EXPECT_EQ(MemAvailableBytes("MemAvailable: lots kB\n"), 0u);
  EXPECT_EQ(MemAvailableBytes("MemAvailable: 12 MB\n"), 0u);
  EXPECT_EQ(MemAvailableBytes("XMemAvailable: 12 kB\n"), 0u);
  EXPECT_EQ(MemAvailableBytes("MemAvailable: 99999999999999999999 kB\n"), 0u);
  EXPECT_GT(MemAvailableBytes(), 0u);  // this system's
}

}  // namespace
}  // namespace tq
