// A case-wide lock per kind of mutating command: two `notify send` (or two `investigate`)
// on one case must not run at once, whatever SQLite's transactions allow.
//
// One file per kind, <case>/locks/<kind>.lock, locked with flock(2) (LOCK_EX|LOCK_NB) on an
// O_CLOEXEC descriptor: the kernel releases it when the holder exits, however it exits
// (kill -9 included), so a stale file never blocks anybody. The holder writes its pid, start
// time, host and command into the file, only so that the refused process can say who holds
// it; the flock is the lock, the text is information.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace tq {

class CaseLock {
 public:
  // Takes the lock for `kind` ("notify-outbox", "investigate", ...; [a-z0-9-] only) in the
  // case directory `case_dir`, for `command` (shown to others: "notify send"). When another
  // process holds it: a kCase error "another `notify send` is running since <UTC time>,
  // pid N (on HOST)". Never waits.
  static Result<CaseLock> Acquire(const std::string& case_dir, std::string_view kind,
                                  std::string_view command);

  CaseLock(CaseLock&& other) noexcept;
  CaseLock& operator=(CaseLock&& other) noexcept;
  CaseLock(const CaseLock&) = delete;
  CaseLock& operator=(const CaseLock&) = delete;
  ~CaseLock();  // releases

  const std::string& path() const { return path_; }

 private:
  CaseLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// Who holds a lock, as written in its file (for messages and tests).
struct LockHolder {
  int64_t pid = 0;
  UnixMicros started_at = 0;
  std::string host, command;
};
// Parses the holder text; fields it cannot read stay empty / 0.
LockHolder ParseLockHolder(std::string_view text);

}  // namespace tq
