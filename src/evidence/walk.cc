// Reading files and directory trees from a live system: lstat metadata (times with
// nanoseconds, owner, mode), symlinks recorded and never followed, special files recorded
// and never opened, unreadable or vanished files recorded as skipped.
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "evidence/collect_internal.h"

namespace tq::evidence::internal {
namespace {

constexpr int kMaxDepth = 256;
constexpr size_t kSmallFile = 1 << 20;
// A file this large goes through a pipeline of a reader, a hasher and a writer thread (a
// multi-gigabyte dump or log: the read, the hash and the write overlap).
constexpr int64_t kLargeFile = 64ll << 20;
constexpr size_t kChunk = 4 << 20;
constexpr int kChunksInFlight = 6;

int64_t Nanos(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

std::string SpecialReason(mode_t m) {
  if (S_ISFIFO(m)) return "named pipe (FIFO): not read";
  if (S_ISSOCK(m)) return "socket: not read";
  if (S_ISCHR(m)) return "character device: not read";
  if (S_ISBLK(m)) return "block device: not read";
  return "unknown file type: not read";
}

// Testing only: $TQ_EVIDENCE_TEST_EACCES=TEXT makes opening any file whose path contains
// TEXT fail with EACCES, since the tests run as root and root reads every file.
bool InjectedOpenFailure(const std::string& path) {
  static const std::string needle = [] {
    const char* v = std::getenv("TQ_EVIDENCE_TEST_EACCES");
    return std::string(v ? v : "");
  }();
  return !needle.empty() && path.find(needle) != std::string::npos;
}

std::mutex names_mu;
std::unordered_map<int64_t, std::string> user_names, group_names;

}  // namespace

std::string OwnerName(int64_t uid) {
  std::lock_guard lock(names_mu);
  auto it = user_names.find(uid);
  if (it != user_names.end()) return it->second;
  struct passwd pw, *res = nullptr;
  char buf[4096];
  std::string name;
  if (::getpwuid_r(static_cast<uid_t>(uid), &pw, buf, sizeof buf, &res) == 0 && res)
    name = res->pw_name;
  user_names[uid] = name;
  return name;
}

std::string GroupName(int64_t gid) {
  std::lock_guard lock(names_mu);
  auto it = group_names.find(gid);
  if (it != group_names.end()) return it->second;
  struct group gr, *res = nullptr;
  char buf[4096];
  std::string name;
  if (::getgrgid_r(static_cast<gid_t>(gid), &gr, buf, sizeof buf, &res) == 0 && res)
    name = res->gr_name;
  group_names[gid] = name;
  return name;
}

void FillFromStat(const struct stat& st, EvidenceItem* e) {
  e->size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  e->mode = st.st_mode;
  e->uid = st.st_uid;
  e->gid = st.st_gid;
  e->owner = OwnerName(st.st_uid);
  e->group = GroupName(st.st_gid);
  e->mtime_ns = Nanos(st.st_mtim);
  e->ctime_ns = Nanos(st.st_ctim);
  e->atime_ns = Nanos(st.st_atim);
}

namespace {

void EmitEntry(CollectSink& sink, int dirfd, const std::string& name, const std::string& abs,
               const std::string& rel, const EvidenceItem& base, int depth);

void WalkFd(CollectSink& sink, int dirfd, const std::string& abs, const std::string& rel,
            const EvidenceItem& base, int depth) {
  int dup_fd = ::dup(dirfd);
  DIR* d = dup_fd >= 0 ? ::fdopendir(dup_fd) : nullptr;
  if (!d) {
    if (dup_fd >= 0) ::close(dup_fd);
    sink.Problem(base.source, rel, std::string("cannot list directory: ") + std::strerror(errno));
    return;
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (!e) {
      if (errno != 0)
        sink.Problem(base.source, rel,
                     std::string("listing the directory failed: ") + std::strerror(errno));
      break;
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(d);
  // Byte order: the same tree always gives the same manifest order.
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (sink.Aborted()) return;
    std::string child_abs = abs, child_rel = rel;
    child_abs.push_back('/');
    child_abs.append(name);
    if (!child_rel.empty()) child_rel.push_back('/');
    child_rel.append(name);
    EmitEntry(sink, dirfd, name, child_abs, child_rel, base, depth);
  }
}

void EmitEntry(CollectSink& sink, int dirfd, const std::string& name, const std::string& abs,
               const std::string& rel, const EvidenceItem& base, int depth) {
  CollectWork w;
  w.item = base;
  w.item.original_path = rel;
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    w.item.kind = "skipped";
    w.item.skip_reason = errno == ENOENT ? "vanished before it was read"
                                         : std::string("cannot stat: ") + std::strerror(errno);
    w.problem = w.item.skip_reason;
    if (!sink.AlreadyHave(w.item)) sink.Emit(std::move(w));
    return;
  }
  FillFromStat(st, &w.item);
  if (S_ISDIR(st.st_mode)) {
    w.item.kind = "dir";
    int sub = -1;
    if (depth >= kMaxDepth) {
      w.item.kind = "skipped";
      w.item.skip_reason =
          "directory nested deeper than " + std::to_string(kMaxDepth) + " levels: not descended";
      w.problem = w.item.skip_reason;
    } else {
      // O_NOATIME: listing a directory must not change its access time (evidence).
      sub = ::openat(dirfd, name.c_str(),
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
      if (sub < 0 && errno == EPERM)
        sub = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0 || InjectedOpenFailure(abs)) {
        w.item.kind = "skipped";
        w.item.skip_reason =
            std::string("cannot open directory: ") + std::strerror(sub < 0 ? errno : EACCES);
        w.problem = w.item.skip_reason;
        if (sub >= 0) ::close(sub);
        sub = -1;
      }
    }
    if (!sink.AlreadyHave(w.item)) sink.Emit(std::move(w));
    if (sub >= 0) {
      WalkFd(sink, sub, abs, rel, base, depth + 1);
      ::close(sub);
    }
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    w.item.kind = "symlink";
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 256) + 1, '\0');
    ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
    if (n < 0) {
      w.item.skip_reason = std::string("cannot read link: ") + std::strerror(errno);
      w.problem = w.item.skip_reason;
      target.clear();
    } else {
      target.resize(static_cast<size_t>(n));
    }
    w.item.symlink_target = target;
  } else if (S_ISREG(st.st_mode)) {
    w.item.kind = "file";
    w.open_path = abs;
    if (st.st_nlink > 1) {
      w.nlink = static_cast<int64_t>(st.st_nlink);
      w.link_group = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    }
    sink.AddTotal(0, w.item.size);
  } else {
    w.item.kind = "special";
    w.item.skip_reason = SpecialReason(st.st_mode);
  }
  if (!sink.AlreadyHave(w.item)) sink.Emit(std::move(w));
}

}  // namespace

void WalkDirectory(CollectSink& sink, const std::string& root, const EvidenceItem& base) {
  // The root is what the responder named: a symlink there is followed, none below it.
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CollectWork w;
  w.item = base;
  w.item.original_path = std::string(1, '.');
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    sink.Problem(base.source, "", std::string("cannot open directory: ") + std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return;
  }
  FillFromStat(st, &w.item);
  w.item.kind = "dir";
  if (!sink.AlreadyHave(w.item)) sink.Emit(std::move(w));
  WalkFd(sink, fd, root, "", base, 1);
  ::close(fd);
}

namespace {
// Reads a large file at chunk offsets. A chunk the page cache holds whole is copied from it
// (a dump just written or read); the rest is read around the cache (O_DIRECT, on a second
// descriptor of the same open file), straight into the chunk. A buffered read of a file that
// is not cached fills the page cache with gigabytes nobody reads again (the store holds the
// copy): on this machine a cold 6.2 GB dump copied that way took 6.6-16 s, with up to 5 s of
// system time reclaiming memory, and 4.6-5.3 s around the cache. The cache is asked with
// cachestat(2) (Linux 6.5), which does no I/O; a read with RWF_NOWAIT would start the
// read-ahead it asks about; without cachestat every chunk is read around the cache. Where
// the file system refuses O_DIRECT, or for a read that is not aligned (a short read before
// the end), it reads through the cache.
class ChunkReader {
 public:
  explicit ChunkReader(int fd) : fd_(fd) {
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    int d = ::open(self.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT | O_NOATIME);
    if (d < 0 && errno == EPERM) d = ::open(self.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
    struct stat a, b;
    // The same file, not whatever the link names now.
    if (d >= 0 && (::fstat(fd, &a) != 0 || ::fstat(d, &b) != 0 || a.st_dev != b.st_dev ||
                   a.st_ino != b.st_ino)) {
      ::close(d);
      d = -1;
    }
    direct_fd_ = d;
  }
  ~ChunkReader() {
    if (direct_fd_ >= 0) ::close(direct_fd_);
  }
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Up to `len` bytes at offset `at`: the count, 0 at the end, -1 with errno.
  ssize_t Read(char* buf, size_t len, uint64_t at) {
    for (;;) {
      bool direct = direct_fd_ >= 0 && at % kDirectAlign == 0 && len % kDirectAlign == 0 &&
                    reinterpret_cast<uintptr_t>(buf) % kDirectAlign == 0;
      ssize_t n;
      if (!direct) {
        n = ::pread(fd_, buf, len, static_cast<off_t>(at));
      } else {
        // Whole pages cached: through the cache (no disk read); otherwise around it.
        int fd = CachedPages(at, len) >= len / kDirectAlign ? fd_ : direct_fd_;
        n = ::pread(fd, buf, len, static_cast<off_t>(at));
        if (n < 0 && errno == EINVAL) {
          ::close(direct_fd_);
          direct_fd_ = -1;
          continue;
        }
      }
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

 private:
  // Pages of [at, at+len) in the page cache; 0 when cachestat(2) is missing.
  uint64_t CachedPages(uint64_t at, uint64_t len) {
    struct {
      uint64_t off, len;
    } range = {at, len};
    struct {
      uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
    } stat = {};
    if (no_cachestat_ || ::syscall(kCachestat, fd_, &range, &stat, 0) != 0) {
      no_cachestat_ = true;
      return 0;
    }
    return stat.nr_cache;
  }
  static constexpr long kCachestat = 451;  // the same number on every architecture
  int fd_;
  int direct_fd_ = -1;
  bool no_cachestat_ = false;
};

// StoreFile's path for large files, a pipeline of three stages over kChunksInFlight chunks:
// a reader thread fills each chunk, a hasher thread hashes it, this thread writes it
// (O_DIRECT: see ObjectWriter); the object's hash is of the very chunks written. Reading
// and hashing were one thread before: from a cold disk the read waited on the disk while
// the hash waited on the read, and from the page cache the copy into the chunk held up the
// hash. Closes fd. The outcomes are StoreFile's: a read error makes the item "skipped" with
// the bytes read before it, a store error drops it.
void StoreLargeFile(CollectSink& sink, CollectWork& w, int fd) {
  struct FreeBytes {
    void operator()(char* p) const { std::free(p); }
  };
  struct Chunk {
    // Aligned for O_DIRECT; every chunk but the last is filled to the brim, so offsets stay
    // aligned too.
    std::unique_ptr<char, FreeBytes> data{
        static_cast<char*>(std::aligned_alloc(kDirectAlign, kChunk))};
    size_t n = 0;
  };
  using ChunkPtr = std::unique_ptr<Chunk>;
  std::mutex mu;
  std::condition_variable cv;
  // A chunk moves empty -> read (reader) -> hashed (hasher) -> written (here) -> empty.
  std::deque<ChunkPtr> empty, read, hashed;
  for (int i = 0; i < kChunksInFlight; ++i) {
    empty.push_back(std::make_unique<Chunk>());
    if (!empty.back()->data) {
      ::close(fd);
      w.problem = "storing failed: out of memory for the read buffers";
      w.drop = true;
      return;
    }
  }
  bool read_done = false, hash_done = false, stop = false;
  std::string read_error;
  // Takes the front of `q` once there is one; null when `finished` (and `q` is empty) or
  // the pipeline is stopped.
  auto take = [&](std::deque<ChunkPtr>& q, const bool& finished) -> ChunkPtr {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !q.empty() || finished || stop; });
    if (stop || q.empty()) return nullptr;
    ChunkPtr c = std::move(q.front());
    q.pop_front();
    return c;
  };
  const bool never = false;
  std::thread reader([&] {
    ::pthread_setname_np(::pthread_self(), "tq-collect-read");
    ChunkReader in(fd);
    uint64_t total = 0;
    for (;;) {
      ChunkPtr c = take(empty, never);
      if (!c) break;
      c->n = 0;
      std::string error;
      bool eof = false;
      while (c->n < kChunk) {
        ssize_t n = in.Read(c->data.get() + c->n, kChunk - c->n, total + c->n);
        if (n < 0) {
          error = "read failed after " + std::to_string(total + c->n) +
                  " bytes: " + std::strerror(errno);
          break;
        }
        if (n == 0) {
          eof = true;
          break;
        }
        c->n += static_cast<size_t>(n);
        sink.AddBytes(static_cast<uint64_t>(n));
      }
      total += c->n;
      std::lock_guard lock(mu);
      if (c->n > 0 && error.empty())
        read.push_back(std::move(c));
      else
        empty.push_back(std::move(c));
      if (eof || !error.empty()) {
        read_error = std::move(error);
        read_done = true;
      }
      cv.notify_all();
      if (read_done) break;
    }
  });
  Sha256 hash;  // the hasher's until it is joined
  std::thread hasher([&] {
    ::pthread_setname_np(::pthread_self(), "tq-collect-hash");
    for (;;) {
      ChunkPtr c = take(read, read_done);
      if (!c) break;
      hash.Update(std::string_view(c->data.get(), c->n));
      std::lock_guard lock(mu);
      hashed.push_back(std::move(c));
      cv.notify_all();
    }
    std::lock_guard lock(mu);
    hash_done = true;
    cv.notify_all();
  });
  auto finish_threads = [&](bool abort) {
    if (abort) {
      std::lock_guard lock(mu);
      stop = true;
      cv.notify_all();
    }
    reader.join();
    hasher.join();
    ::close(fd);
  };
  Result<std::unique_ptr<ObjectWriter>> writer = sink.store().NewWriter(/*direct=*/true);
  if (!writer.ok()) {
    finish_threads(/*abort=*/true);
    w.problem = "storing failed: " + writer.status().ToString();
    w.drop = true;
    return;
  }
  (*writer)->SkipHashing();
  for (;;) {
    ChunkPtr c = take(hashed, hash_done);
    if (!c) break;
    Status s = (*writer)->Write(std::string_view(c->data.get(), c->n));
    {
      std::lock_guard lock(mu);
      empty.push_back(std::move(c));
      cv.notify_all();
    }
    if (!s.ok()) {
      finish_threads(/*abort=*/true);
      w.problem = "storing failed: " + s.ToString();
      w.drop = true;
      return;
    }
  }
  finish_threads(/*abort=*/false);
  EvidenceItem& e = w.item;
  if (!read_error.empty()) {
    e.kind = "skipped";
    e.sha256.clear();
    e.skip_reason = read_error;
    w.problem = e.skip_reason;
    return;
  }
  Result<StoredObject> stored = (*writer)->FinishWithHash(ToHex(hash.Finish()));
  if (!stored.ok()) {
    w.problem = "storing failed: " + stored.status().ToString();
    w.drop = true;
    return;
  }
  e.sha256 = stored->sha256;
  e.size = stored->size;
  e.collected_at = NowMicros();
  w.new_object = stored->written;
}
}  // namespace

void StoreFile(CollectSink& sink, CollectWork& w) {
  EvidenceItem& e = w.item;
  auto skip = [&](std::string reason) {
    e.kind = "skipped";
    e.sha256.clear();
    e.skip_reason = std::move(reason);
    w.problem = e.skip_reason;
  };
  int fd = -1;
  if (InjectedOpenFailure(w.open_path)) {
    errno = EACCES;
  } else {
    // O_NOATIME keeps the access time (evidence) as found; not allowed on others' files
    // unless privileged, so fall back. O_NONBLOCK: a file swapped for a FIFO never blocks.
    fd = ::open(w.open_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOATIME);
    if (fd < 0 && errno == EPERM)
      fd = ::open(w.open_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  }
  if (fd < 0) {
    skip(errno == ENOENT ? "vanished before it was read"
                         : std::string("cannot open: ") + std::strerror(errno));
    return;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    skip("was replaced by a non-regular file while collecting: not read");
    return;
  }
  // Read-ahead advice pays for itself only past the first read (a system call per file).
  if (st.st_size > static_cast<off_t>(kSmallFile)) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (st.st_size >= kLargeFile) {
    StoreLargeFile(sink, w, fd);
    return;
  }
  thread_local std::vector<char> buf(kSmallFile);
  std::unique_ptr<ObjectWriter> writer;
  uint64_t total = 0;
  size_t filled = 0;
  std::string error;
  for (;;) {
    ssize_t n = ::read(fd, buf.data() + filled, buf.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      error =
          "read failed after " + std::to_string(total + filled) + " bytes: " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
    sink.AddBytes(static_cast<uint64_t>(n));
    // A short read that ends at the size fstat gave is the end of the file: the read that
    // would return 0 was one in ten of a small file's system calls. A file that grows or
    // shrinks meanwhile misses the size and is read to the 0 as before.
    if (!writer && filled < buf.size() && filled == static_cast<uint64_t>(st.st_size)) break;
    if (filled == buf.size()) {
      // Larger than one buffer: stream it through a writer in bounded memory.
      if (!writer) {
        Result<std::unique_ptr<ObjectWriter>> nw = sink.store().NewWriter();
        if (!nw.ok()) {
          w.problem = "storing failed: " + nw.status().ToString();
          w.drop = true;
          ::close(fd);
          return;
        }
        writer = std::move(*nw);
      }
      Status s = writer->Write(std::string_view(buf.data(), filled));
      if (!s.ok()) {
        w.problem = "storing failed: " + s.ToString();
        w.drop = true;
        ::close(fd);
        return;
      }
      total += filled;
      filled = 0;
    }
  }
  ::close(fd);
  if (!error.empty()) {
    skip(error);
    return;
  }
  Result<StoredObject> stored = [&]() -> Result<StoredObject> {
    if (!writer) return sink.store().Put(std::string_view(buf.data(), filled));
    TQ_RETURN_IF_ERROR(writer->Write(std::string_view(buf.data(), filled)));
    return writer->Finish();
  }();
  if (!stored.ok()) {
    // The store failed (disk full?), not the evidence: not recorded, so a re-run retries it.
    w.problem = "storing failed: " + stored.status().ToString();
    w.drop = true;
    return;
  }
  e.sha256 = stored->sha256;
  e.size = stored->size;
  e.collected_at = NowMicros();
  w.new_object = stored->written;
}

}  // namespace tq::evidence::internal
