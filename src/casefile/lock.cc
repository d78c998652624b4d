// The per-kind case lock (see lock.h).
#include "casefile/lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

namespace tq {
namespace {

bool ValidKind(std::string_view kind) {
  if (kind.empty() || kind.size() > 64) return false;
  for (char ch : kind)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  return true;
}

// The holder file is ours, but a person (or a broken disk) may have edited it: only
// printable ASCII of it reaches a message.
std::string Printable(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, 200))
    if (ch >= 0x20 && ch < 0x7f) out += ch;
  return out;
}

std::string ReadHolderText(int fd) {
  std::string text;
  char buf[512];
  off_t at = 0;
  while (text.size() < 4096) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return text;
}

}  // namespace

LockHolder ParseLockHolder(std::string_view text) {
  LockHolder h;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string_view key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key == "pid") {
      std::from_chars(value.data(), value.data() + value.size(), h.pid);
    } else if (key == "started") {
      std::from_chars(value.data(), value.data() + value.size(), h.started_at);
    } else if (key == "host") {
      h.host = Printable(value);
    } else if (key == "command") {
      h.command = Printable(value);
    }
  }
  return h;
}

Result<CaseLock> CaseLock::Acquire(const std::string& case_dir, std::string_view kind,
                                   std::string_view command) {
  if (!ValidKind(kind)) return Status::Internal("bad lock kind '" + std::string(kind) + "'");
  std::string dir = case_dir + "/locks";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::FromErrno(dir, errno);
  std::string path = dir + "/" + std::string(kind) + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::FromErrno(path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    // The holder writes its text right after taking the lock: a refused process that reads
    // in between sees an empty file (a holder empties it as it lets go), or the text of a
    // holder that was killed (its process is gone), so it looks again for a moment.
    char me[256] = {0};
    if (::gethostname(me, sizeof me - 1) != 0) me[0] = '\0';
    auto written = [&](const LockHolder& h) {
      if (h.pid <= 0) return false;
      bool here = h.host == Printable(me);
      return !here || ::kill(static_cast<pid_t>(h.pid), 0) == 0 || errno != ESRCH;
    };
    LockHolder h;
    for (int i = 0; i < 20; ++i) {
      h = ParseLockHolder(ReadHolderText(fd));
      if (written(h)) break;
      ::usleep(10000);
    }
    ::close(fd);
    std::string who = h.command.empty() ? std::string(command) : h.command;
    std::string msg = "another `" + who + "` is running on this case";
    if (h.started_at > 0) msg += " since " + FormatUtc(h.started_at);
    if (h.pid > 0) msg += ", pid " + std::to_string(h.pid);
    if (!h.host.empty()) msg += " (on " + h.host + ")";
    msg += ": wait for it to finish (lock " + path + ")";
    return Status::CaseError(msg);
  }
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string text = "pid " + std::to_string(::getpid()) + "\nstarted " +
                     std::to_string(NowMicros()) + "\nhost " + Printable(host) + "\ncommand " +
                     Printable(command) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(path, err);
  }
  return CaseLock(fd, std::move(path));
}

CaseLock::CaseLock(CaseLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

CaseLock& CaseLock::operator=(CaseLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

CaseLock::~CaseLock() {
  // Emptied while still held, so that a process refused by the next holder never reads this
  // one's text as the next holder's; closing the descriptor releases the flock.
  if (fd_ >= 0) {
    (void)::ftruncate(fd_, 0);
    ::close(fd_);
  }
}

}  // namespace tq
