#include "core/io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

namespace tq::io {
namespace {

Env& Posix() {
  static Env env;
  return env;
}

std::atomic<Env*> g_env{nullptr};

}  // namespace

int Env::WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

int Env::Fsync(int fd) { return ::fsync(fd) == 0 ? 0 : errno; }
int Env::Fdatasync(int fd) { return ::fdatasync(fd) == 0 ? 0 : errno; }
int Env::Syncfs(int fd) { return ::syncfs(fd) == 0 ? 0 : errno; }
int Env::Rename(const std::string& from, const std::string& to) {
  return std::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}
int Env::Ftruncate(int fd, off_t size) { return ::ftruncate(fd, size) == 0 ? 0 : errno; }

Env& Default() {
  Env* e = g_env.load(std::memory_order_acquire);
  return e ? *e : Posix();
}

void SetDefaultForTesting(Env* env) { g_env.store(env, std::memory_order_release); }

namespace {
Status Check(int err, const std::string& path) {
  return err == 0 ? Status::Ok() : Status::FromErrno(path, err);
}
}  // namespace

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  return Check(Default().WriteAll(fd, bytes), path);
}
Status Fsync(int fd, const std::string& path) { return Check(Default().Fsync(fd), path); }
Status Fdatasync(int fd, const std::string& path) { return Check(Default().Fdatasync(fd), path); }
Status Syncfs(int fd, const std::string& path) { return Check(Default().Syncfs(fd), path); }
Status Rename(const std::string& from, const std::string& to) {
  return Check(Default().Rename(from, to), to);
}
Status Ftruncate(int fd, off_t size, const std::string& path) {
  return Check(Default().Ftruncate(fd, size), path);
}

}  // namespace tq::io
