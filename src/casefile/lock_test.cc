// The per-kind case lock: a second holder is refused with who holds it; the lock goes with
// its holder, even one killed with SIGKILL.
#include "casefile/lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/testing.h"

namespace tq {
namespace {

using testing::TempDir;

TEST(CaseLockTest, SecondHolderIsRefusedWithPidAndTime) {
  TempDir tmp;
  UnixMicros before = NowMicros();
  Result<CaseLock> first = CaseLock::Acquire(tmp.path(), "notify-outbox", "notify send");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // flock belongs to the open file, so a second open in the same process conflicts too.
  Result<CaseLock> second = CaseLock::Acquire(tmp.path(), "notify-outbox", "notify render");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kCase);
  const std::string& m = second.status().message();
  EXPECT_EQ(m.rfind("another `notify send` is running on this case since ", 0), 0u) << m;
  EXPECT_NE(m.find(", pid " + std::to_string(::getpid())), std::string::npos) << m;
  LockHolder h = ParseLockHolder(testing::ReadFile(tmp / "locks/notify-outbox.lock"));
  EXPECT_EQ(h.pid, ::getpid());
  EXPECT_GE(h.started_at, before);
  EXPECT_EQ(h.command, "notify send");
  EXPECT_NE(m.find(FormatUtc(h.started_at)), std::string::npos) << m;
}

TEST(CaseLockTest, KindsAreIndependentAndReleaseOnDestruction) {
  TempDir tmp;
  {
    Result<CaseLock> a = CaseLock::Acquire(tmp.path(), "investigate", "investigate");
    ASSERT_TRUE(a.ok());
    Result<CaseLock> b = CaseLock::Acquire(tmp.path(), "collect", "collect");
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    CaseLock moved = std::move(*a);  // the lock moves with the object
    EXPECT_FALSE(CaseLock::Acquire(tmp.path(), "investigate", "investigate").ok());
  }
  EXPECT_TRUE(CaseLock::Acquire(tmp.path(), "investigate", "investigate").ok());
}

TEST(CaseLockTest, KilledHolderReleasesTheLock) {
  TempDir tmp;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<CaseLock> l = CaseLock::Acquire(tmp.path(), "notify-outbox", "notify send");
    char ok = l.ok() ? '1' : '0';
    (void)!::write(ready[1], &ok, 1);
    ::pause();
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, '1');
  Result<CaseLock> refused = CaseLock::Acquire(tmp.path(), "notify-outbox", "notify send");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("pid " + std::to_string(child)), std::string::npos)
      << refused.status().message();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  // The file and its stale text remain; the kernel dropped the flock with the process.
  Result<CaseLock> after = CaseLock::Acquire(tmp.path(), "notify-outbox", "notify send");
  EXPECT_TRUE(after.ok()) << after.status().ToString();
}

TEST(CaseLockTest, RefusalNamesTheHolderNotTheOneBefore) {
  TempDir tmp;
  std::string path = tmp / "locks/notify-outbox.lock";
  {
    Result<CaseLock> a = CaseLock::Acquire(tmp.path(), "notify-outbox", "notify render");
    ASSERT_TRUE(a.ok());
  }
  // A holder that lets go leaves no text behind for the next holder's refusals to show.
  EXPECT_EQ(testing::ReadFile(path), "");
  // A killed holder's text does stay. The next holder takes the lock and writes its own text a
  // moment later: a process refused in between must name the live holder, not the dead one.
  pid_t dead = ::fork();
  ASSERT_GE(dead, 0);
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  char host[256] = {0};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  testing::WriteFile(path, "pid " + std::to_string(dead) + "\nstarted 1\nhost " + host +
                               "\ncommand notify render\n");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int fd = ::open(path.c_str(), O_RDWR);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(1);
    (void)!::write(ready[1], "1", 1);
    ::usleep(60000);
    std::string text = "pid " + std::to_string(::getpid()) + "\nstarted 2\nhost " + host +
                       "\ncommand notify send\n";
    if (::ftruncate(fd, 0) != 0) ::_exit(1);
    (void)!::pwrite(fd, text.data(), text.size(), 0);
    ::pause();
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  Result<CaseLock> refused = CaseLock::Acquire(tmp.path(), "notify-outbox", "notify send");
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_FALSE(refused.ok());
  const std::string& m = refused.status().message();
  EXPECT_NE(m.find("another `notify send`"), std::string::npos) << m;
  EXPECT_NE(m.find("pid " + std::to_string(child)), std::string::npos) << m;
  EXPECT_EQ(m.find("pid " + std::to_string(dead) + " "), std::string::npos) << m;
}

TEST(CaseLockTest, BadKindAndMissingCaseAreErrors) {
  TempDir tmp;
  EXPECT_EQ(CaseLock::Acquire(tmp.path(), "../x", "x").status().code(), ErrorCode::kInternal);
  EXPECT_FALSE(CaseLock::Acquire(tmp / "nope/deeper", "collect", "collect").ok());
}

TEST(CaseLockTest, HolderTextIsParsedDefensively) {
  LockHolder h =
      ParseLockHolder("pid 12\nstarted x\nhost a\x1b[31mb\ncommand notify send\ngarbage");
  EXPECT_EQ(h.pid, 12);
  EXPECT_EQ(h.started_at, 0);
  EXPECT_EQ(h.host, "a[31mb");
  EXPECT_EQ(h.command, "notify send");
  EXPECT_EQ(ParseLockHolder("").pid, 0);
}

}  // namespace
}  // namespace tq
