// The I/O seam: the POSIX Env does what the calls do and reports errno; a test Env installed
// as the default receives every call made through the Status helpers.
#include "core/io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tq::io {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/tq-io-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Io, PosixWritesSyncsTruncatesAndRenames) {
  TempDir d;
  std::string a = d.path / "a", b = d.path / "b";
  int fd = ::open(a.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  std::string big(1 << 20, 'x');
  ASSERT_TRUE(WriteAll(fd, big, a).ok());
  ASSERT_TRUE(Fsync(fd, a).ok());
  ASSERT_TRUE(Fdatasync(fd, a).ok());
  ASSERT_TRUE(Syncfs(fd, a).ok());
  ASSERT_TRUE(Ftruncate(fd, 10, a).ok());
  ::close(fd);
  ASSERT_TRUE(Rename(a, b).ok());
  EXPECT_FALSE(fs::exists(a));
  EXPECT_EQ(Slurp(b), std::string(10, 'x'));
}

TEST(Io, ErrorsNameThePathAndTheSystemError) {
  TempDir d;
  Status s = Rename(d.path / "missing", d.path / "to");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);  // ENOENT
  EXPECT_NE(s.message().find((d.path / "to").string()), std::string::npos) << s.message();
  s = WriteAll(-1, "x", "nowhere");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nowhere"), std::string::npos);
  EXPECT_FALSE(Fsync(-1, "nowhere").ok());
}

// A test Env sees every call and can refuse it.
class CountingEnv : public Env {
 public:
  int writes = 0, syncs = 0, renames = 0;
  bool fail = false;
  int WriteAll(int fd, std::string_view bytes) override {
    ++writes;
    return fail ? ENOSPC : Env::WriteAll(fd, bytes);
  }
  int Fsync(int fd) override {
    ++syncs;
    return fail ? EIO : Env::Fsync(fd);
  }
  int Rename(const std::string& from, const std::string& to) override {
    ++renames;
    return fail ? EIO : Env::Rename(from, to);
  }
};

TEST(Io, AnInstalledEnvReceivesTheCallsUntilRemoved) {
  TempDir d;
  std::string a = d.path / "a";
  int fd = ::open(a.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  CountingEnv env;
  SetDefaultForTesting(&env);
  EXPECT_TRUE(WriteAll(fd, "abc", a).ok());
  EXPECT_TRUE(Fsync(fd, a).ok());
  env.fail = true;
  Status s = WriteAll(fd, "def", a);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(a), std::string::npos);
  EXPECT_FALSE(Rename(a, a + ".b").ok());
  SetDefaultForTesting(nullptr);
  EXPECT_TRUE(WriteAll(fd, "ghi", a).ok());
  ::close(fd);
  EXPECT_EQ(env.writes, 2);
  EXPECT_EQ(env.syncs, 1);
  EXPECT_EQ(env.renames, 1);
  EXPECT_EQ(Slurp(a), "abcghi");
}

}  // namespace
}  // namespace tq::io
