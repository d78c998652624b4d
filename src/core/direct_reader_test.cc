#include "core/direct_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tq {
namespace {

namespace fs = std::filesystem;

class DirectReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tq-direct-reader-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A file of `size` pseudo-random bytes (every offset tells its byte apart).
  std::string Write(const std::string& name, size_t size, std::string* bytes) {
    std::mt19937 rng(static_cast<unsigned>(size));
    bytes->resize(size);
    for (char& c : *bytes) c = static_cast<char>(rng());
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(bytes->data(), static_cast<std::streamsize>(size));
    return path;
  }

  // Everything Read hands out, `step` bytes (cycling through a few odd sizes) at a time.
  static std::string ReadAll(DirectReader& r) {
    static const size_t kSteps[] = {1000, 7, 65536, 4096, 1, 300000};
    std::string out;
    std::vector<char> buf(300000);
    for (size_t i = 0;; ++i) {
      Result<size_t> n = r.Read(buf.data(), kSteps[i % 6]);
      EXPECT_TRUE(n.ok()) << n.status().ToString();
      if (!n.ok() || *n == 0) break;
      out.append(buf.data(), *n);
    }
    return out;
  }

  static bool DirectSupported(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }

  fs::path dir_;
};

TEST_F(DirectReaderTest, EveryByteInOrderWhateverTheBlockEndsAndTheWays) {
  std::string bytes;
  // Three whole blocks of 8 KiB and an unaligned tail.
  std::string path = Write("f", 3 * 8192 + 1234, &bytes);
  for (bool direct : {true, false}) {
    for (bool ahead : {true, false}) {
      DirectReader::Options o;
      o.block = 8192;
      o.direct = direct;
      o.read_ahead = ahead;
      auto r = DirectReader::Open(path, o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(ReadAll(**r), bytes) << "direct " << direct << " ahead " << ahead;
      EXPECT_EQ((*r)->position(), bytes.size());
      // At the end it stays at the end.
      char c;
      EXPECT_EQ(*(*r)->Read(&c, 1), 0u);
      if (!direct) {
        EXPECT_FALSE((*r)->direct());
      }
    }
  }
}

TEST_F(DirectReaderTest, AFileOfWholeBlocksAndAnEmptyFile) {
  std::string bytes;
  std::string path = Write("whole", 4 * 4096, &bytes);
  DirectReader::Options o;
  o.block = 4096;
  auto r = DirectReader::Open(path, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(**r), bytes);
  std::string none;
  auto e = DirectReader::Open(Write("empty", 0, &none));
  ASSERT_TRUE(e.ok());
  char c;
  EXPECT_EQ(*(*e)->Read(&c, 1), 0u);
}

TEST_F(DirectReaderTest, RangesAnywhereAndBackwards) {
  std::string bytes;
  std::string path = Write("r", 5 * 8192 + 77, &bytes);
  DirectReader::Options o;
  o.block = 8192;
  auto r = DirectReader::Open(path, o);
  ASSERT_TRUE(r.ok());
  struct {
    uint64_t begin, end;
  } ranges[] = {{10001, 30000}, {3, 5}, {8192, 16384}, {40000, 1u << 30}, {0, 1}, {41000, 41000}};
  for (auto [b, e] : ranges) {
    (*r)->Range(b, e);
    uint64_t stop = std::min<uint64_t>(e, bytes.size());
    EXPECT_EQ(ReadAll(**r), bytes.substr(b, stop - b)) << b << ".." << e;
  }
}

TEST_F(DirectReaderTest, ReadsAroundThePageCache) {
  std::string bytes;
  std::string path = Write("cold", 64 * 4096, &bytes);
  if (!DirectSupported(path)) GTEST_SKIP() << "no O_DIRECT on " << dir_;
  {  // The file's pages out of the page cache (clean once synced).
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::fdatasync(fd), 0);
    ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    ::close(fd);
  }
  auto resident = [&] {
    int fd = ::open(path.c_str(), O_RDONLY);
    void* map = ::mmap(nullptr, bytes.size(), PROT_READ, MAP_SHARED, fd, 0);
    std::vector<unsigned char> in(bytes.size() / 4096);
    ::mincore(map, bytes.size(), in.data());
    ::munmap(map, bytes.size());
    ::close(fd);
    size_t n = 0;
    for (unsigned char p : in) n += p & 1;
    return n;
  };
  if (resident() != 0) GTEST_SKIP() << "the page cache kept the file; nothing to tell apart";
  DirectReader::Options o;
  o.block = 16 * 4096;
  auto r = DirectReader::Open(path, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(**r), bytes);
  EXPECT_TRUE((*r)->direct());
  EXPECT_EQ(resident(), 0u) << "the reads went through the page cache";
}

TEST_F(DirectReaderTest, APipeIsReadAsItComes) {
  std::string bytes;
  Write("unused", 0, &bytes);
  std::mt19937 rng(5);
  bytes.resize(300000);
  for (char& c : bytes) c = static_cast<char>(rng());
  std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    int fd = ::open(fifo.c_str(), O_WRONLY);
    for (size_t at = 0; at < bytes.size(); at += 70000) {  // in pieces, not block-sized
      size_t n = std::min<size_t>(70000, bytes.size() - at);
      EXPECT_EQ(::write(fd, bytes.data() + at, n), static_cast<ssize_t>(n));
    }
    ::close(fd);
  });
  DirectReader::Options o;
  o.block = 8192;
  auto r = DirectReader::Open(fifo, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE((*r)->direct());
  EXPECT_EQ(ReadAll(**r), bytes);
  writer.join();
}

TEST_F(DirectReaderTest, ClearErrors) {
  auto missing = DirectReader::Open((dir_ / "missing").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().ToString().find("missing"), std::string::npos);
  std::string bytes;
  DirectReader::Options o;
  o.block = 1000;
  auto bad = DirectReader::Open(Write("b", 10, &bytes), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("1000"), std::string::npos);
}

}  // namespace
}  // namespace tq
