// The I/O seam under the evidence store: the few system calls that make evidence durable
// (write, fsync/fdatasync, syncfs, rename, ftruncate) go through an Env, as LevelDB's Env and
// SQLite's VFS do, so that tests can fail the Nth write or sync of a whole command and check
// what it leaves behind. Production code uses the process default, the plain POSIX calls;
// nothing here buffers or retries beyond what the calls themselves need (EINTR).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace tq::io {

class Env {
 public:
  virtual ~Env() = default;
  // All of `bytes`, retrying short writes and EINTR; errno-style: 0 or the error number.
  virtual int WriteAll(int fd, std::string_view bytes);
  virtual int Fsync(int fd);      // fsync(2)
  virtual int Fdatasync(int fd);  // fdatasync(2)
  virtual int Syncfs(int fd);     // syncfs(2)
  virtual int Rename(const std::string& from, const std::string& to);
  virtual int Ftruncate(int fd, off_t size);
};

// The Env in use: the POSIX one unless a test installed its own.
Env& Default();
// Installs `env` (nullptr: back to POSIX) for the whole process; tests only. Not
// thread-safe against I/O already running: call it between commands.
void SetDefaultForTesting(Env* env);

// Status forms of the calls above, naming `path` in the error.
Status WriteAll(int fd, std::string_view bytes, const std::string& path);
Status Fsync(int fd, const std::string& path);
Status Fdatasync(int fd, const std::string& path);
Status Syncfs(int fd, const std::string& path);
Status Rename(const std::string& from, const std::string& to);
Status Ftruncate(int fd, off_t size, const std::string& path);

}  // namespace tq::io
