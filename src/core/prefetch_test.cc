// Reading ahead (prefetch.h): the memory bound, the file walk, Stop, and /proc/meminfo.
#include "core/prefetch.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

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
  // Just written, the files are in the page cache: passed over chunk by chunk, none read.
  std::unique_ptr<Prefetcher> p = Prefetcher::Start({a, dir / "missing", b}, total, total * 2);
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 1000 && p->chunks_cached() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(p->chunks_cached(), 3u);  // a's two chunks, b's one
  EXPECT_EQ(p->requested(), 0u);
}

// Writes `size` bytes to `path` and drops them from the page cache (written back first).
void WriteUncached(const std::string& path, uint64_t size) {
  testing::WriteFile(path, std::string(size, 'y'));
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fdatasync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
}

// Pages of `path` in the page cache, and its pages in all.
std::pair<size_t, size_t> ResidentPages(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  off_t size = ::lseek(fd, 0, SEEK_END);
  void* map = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((static_cast<size_t>(size) + page - 1) / page);
  if (map == MAP_FAILED || ::mincore(map, static_cast<size_t>(size), in.data()) != 0) return {0, 1};
  ::munmap(map, static_cast<size_t>(size));
  size_t resident = 0;
  for (unsigned char r : in) resident += r & 1;
  return {resident, in.size()};
}

void WaitForAll(Prefetcher& p, uint64_t total) {
  for (int i = 0; i < 1000 && p.requested() + p.chunks_cached() * Prefetcher::kChunk < total; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  p.Stop();
}

TEST(Prefetcher, ReadsWhatIsNotInThePageCache) {
  testing::TempDir dir;
  std::string a = dir / "a";
  uint64_t total = Prefetcher::kChunk * 2 + 7;
  WriteUncached(a, total);
  std::unique_ptr<Prefetcher> p =
      Prefetcher::Start({a}, total, total * 2, Prefetcher::Way::kThroughBuffer);
  ASSERT_NE(p, nullptr);
  WaitForAll(*p, total);
  EXPECT_GT(p->requested(), 0u);  // what DONTNEED dropped was read again
  EXPECT_LE(p->requested(), total);
  EXPECT_EQ(p->copied(), p->requested());
}

// The default way hands the file to /dev/null in the kernel (sendfile): the pages land in the
// page cache without a byte copied into the process.
TEST(Prefetcher, BringsTheFileInWithoutCopyingIt) {
  testing::TempDir dir;
  std::string a = dir / "a";
  uint64_t total = Prefetcher::kChunk * 2 + 7;
  WriteUncached(a, total);
  std::unique_ptr<Prefetcher> p = Prefetcher::Start({a}, total, total * 2);
  ASSERT_NE(p, nullptr);
  WaitForAll(*p, total);
  EXPECT_GT(p->requested(), 0u);
  EXPECT_LE(p->requested(), total);
  EXPECT_EQ(p->copied(), 0u);
  auto [resident, pages] = ResidentPages(a);
  EXPECT_EQ(resident, pages);
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
