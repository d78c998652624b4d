// The object store: writing objects (temporary file, rename, read-only, deduplicated by
// hash) and reading them back for the other components.
#include "evidence/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/io.h"
#include "evidence/evidence.h"
#include "evidence/manifest.h"

namespace tq::evidence {
namespace internal {
namespace {

Status MakeDir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return Status::FromErrno(path, errno);
  return Status::Ok();
}

bool AllZero(std::string_view b) {
  if (b.empty() || b[0] != 0) return false;
  return std::memcmp(b.data(), b.data() + 1, b.size() - 1) == 0;
}

}  // namespace

// ext4 gives a new directory an inode near its parent's and a new file one in its
// directory's block group; on a file system without a journal it first steps over every
// inode of that group freed in the last minutes, one buffer lookup each, for every file it
// creates. Where a case sits next to trees just removed (a previous case, a test's temporary
// files), creating a web root's 20,000 objects spent more than half of collect's time there.
// The "top of a directory hierarchy" attribute (chattr +T) on objects/ has ext4 spread each
// objects/xx over the block groups with the fewest directories instead, where few inodes
// were freed lately. Only a placement hint: where the file system has no such attribute, or
// refuses it, nothing changes.
bool SpreadSubdirectories(int dirfd) {
  int flags = 0;
  if (::ioctl(dirfd, FS_IOC_GETFLAGS, &flags) != 0) return false;
  if (flags & FS_TOPDIR_FL) return true;
  flags |= FS_TOPDIR_FL;
  return ::ioctl(dirfd, FS_IOC_SETFLAGS, &flags) == 0;
}

ObjectWriter::~ObjectWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

Status ObjectWriter::Write(std::string_view bytes) {
  if (hashing_) hash_.Update(bytes);
  size_ += bytes.size();
  // Whole zero blocks are skipped (a hole): a sparse multi-GB file stays sparse in the store.
  if (bytes.size() >= 4096 && AllZero(bytes)) {
    if (::lseek(fd_, static_cast<off_t>(bytes.size()), SEEK_CUR) < 0)
      return Status::FromErrno(tmp_, errno);
    pending_hole_ = true;
    return Status::Ok();
  }
  pending_hole_ = false;
  if (direct_) return WriteDirect(bytes);
  return io::WriteAll(fd_, bytes, tmp_);
}

// A multi-gigabyte object copied through the page cache costs the kernel more than the disk
// does (here a buffered copy ran at a third of an O_DIRECT one, all of it system time), and
// evicts what the next commands read. Whole aligned blocks go around the cache; the tail, or
// a file system that refuses O_DIRECT (EINVAL), falls back to buffered writes for good.
Status ObjectWriter::WriteDirect(std::string_view bytes) {
  off_t at = static_cast<off_t>(size_ - bytes.size());
  bool aligned = bytes.size() % kDirectAlign == 0 &&
                 reinterpret_cast<uintptr_t>(bytes.data()) % kDirectAlign == 0 &&
                 at % static_cast<off_t>(kDirectAlign) == 0;
  if (aligned) {
    int err = io::Default().WriteAll(fd_, bytes);
    if (err == 0) return Status::Ok();
    if (err != EINVAL) return Status::FromErrno(tmp_, err);
  }
  // Buffered from here on; a refused direct write may have written a part: write it again.
  direct_ = false;
  int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0)
    return Status::FromErrno(tmp_, errno);
  if (::lseek(fd_, at, SEEK_SET) < 0) return Status::FromErrno(tmp_, errno);
  return io::WriteAll(fd_, bytes, tmp_);
}

Result<StoredObject> ObjectWriter::FinishWithHash(std::string sha256_hex) {
  hashing_ = false;
  known_sha_ = std::move(sha256_hex);
  return Finish();
}

Result<StoredObject> ObjectWriter::Finish() {
  if (pending_hole_) TQ_RETURN_IF_ERROR(io::Ftruncate(fd_, static_cast<off_t>(size_), tmp_));
  // A large object syncs itself: most of it is on the disk already (O_DIRECT), and the
  // file-system-wide syncfs before the commit would also wait for everything other
  // processes have written.
  if (durable_) TQ_RETURN_IF_ERROR(io::Fdatasync(fd_, tmp_));
  ::close(fd_);
  fd_ = -1;
  StoredObject o;
  o.sha256 = hashing_ ? ToHex(hash_.Finish()) : known_sha_;
  o.size = size_;
  Result<bool> written = store_->Install(tmp_, o.sha256, durable_);
  if (!written.ok()) {
    ::unlink(tmp_.c_str());
    return written.status();
  }
  o.written = *written;
  return o;
}

Result<std::unique_ptr<ObjectStore>> ObjectStore::Open(Case& c) {
  std::unique_ptr<ObjectStore> s(new ObjectStore(c));
  std::string ev = c.EvidenceDir();
  TQ_RETURN_IF_ERROR(MakeDir(ev, 0750));
  TQ_RETURN_IF_ERROR(MakeDir(ev + "/objects", 0750));
  TQ_RETURN_IF_ERROR(MakeDir(ev + "/tmp", 0750));
  // Temporary files of runs that died (their pid is gone) are removed.
  if (DIR* d = ::opendir((ev + "/tmp").c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      long pid = std::atol(name.c_str());
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0 && pid != ::getpid()) continue;
      std::error_code ec;
      std::filesystem::remove_all(ev + "/tmp/" + name, ec);
    }
    ::closedir(d);
  }
  s->tmp_dir_ = ev + "/tmp/" + std::to_string(::getpid());
  TQ_RETURN_IF_ERROR(MakeDir(s->tmp_dir_, 0750));
  s->objects_fd_ = ::open((ev + "/objects").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->objects_fd_ < 0) return Status::FromErrno(ev + "/objects", errno);
  SpreadSubdirectories(s->objects_fd_);
  TQ_ASSIGN_OR_RETURN(
      Stmt st, c.db().Prepare("SELECT DISTINCT sha256 FROM evidence_items WHERE sha256!=''"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    s->known_.insert(st.String(0));
  }
  return s;
}

ObjectStore::~ObjectStore() {
  if (objects_fd_ >= 0) ::close(objects_fd_);
  std::error_code ec;
  std::filesystem::remove_all(tmp_dir_, ec);
}

Result<std::unique_ptr<ObjectWriter>> ObjectStore::NewWriter(bool direct) {
  uint64_t n;
  {
    std::lock_guard lock(mu_);
    n = ++counter_;
  }
  std::string tmp = tmp_dir_ + "/" + std::to_string(n);
  // Created read-only: the descriptor may still write, nobody else can.
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  int fd = ::open(tmp.c_str(), kFlags | (direct ? O_DIRECT : 0), 0444);
  if (fd < 0 && direct && errno == EINVAL) {
    // A file system without O_DIRECT (older tmpfs) refuses it after creating the file.
    direct = false;
    ::unlink(tmp.c_str());
    fd = ::open(tmp.c_str(), kFlags, 0444);
  }
  if (fd < 0) return Status::FromErrno(tmp, errno);
  return std::unique_ptr<ObjectWriter>(new ObjectWriter(this, fd, tmp, direct));
}

// A small object's hash is known before it is written, so it is created under its final
// name (no temporary file, no rename: a third of a web root's system time went to those). A
// run killed mid-write leaves a short file there that no committed row names: it is not
// trusted (verify reports it as unknown), and the next run that stores the content replaces
// it. Only one process stores objects into a case at a time (the case lock of `collect`).
Result<StoredObject> ObjectStore::Put(std::string_view bytes) {
  std::string sha = Sha256Hex(bytes);
  std::string dir = sha.substr(0, 2), rel = dir + "/" + sha;
  {
    std::unique_lock lock(mu_);
    // Another thread storing the same content: wait for it, then it is deduplicated.
    writing_cv_.wait(lock, [&] { return !writing_.count(sha); });
    if (known_.count(sha)) {
      struct stat st;
      if (::fstatat(objects_fd_, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        return StoredObject{sha, bytes.size(), false};
    }
    if (!dirs_made_.count(dir)) {
      if (::mkdirat(objects_fd_, dir.c_str(), 0750) != 0 && errno != EEXIST)
        return Status::FromErrno(case_.EvidenceDir() + "/objects/" + dir, errno);
      dirs_made_.insert(dir);
    }
    writing_.insert(sha);
  }
  std::string path = case_.EvidenceDir() + "/objects/" + rel;
  Status s = [&]() -> Status {
    constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
    int fd = ::openat(objects_fd_, rel.c_str(), kFlags, 0444);
    if (fd < 0 && errno == EEXIST) {
      // Not trusted (no committed row names it): a killed run's leftover, or planted.
      if (::unlinkat(objects_fd_, rel.c_str(), 0) != 0 && errno != ENOENT)
        return Status::FromErrno(path, errno);
      fd = ::openat(objects_fd_, rel.c_str(), kFlags, 0444);
    }
    if (fd < 0) return Status::FromErrno(path, errno);
    // All zeros: a hole, as ObjectWriter keeps them.
    Status w = bytes.size() >= 4096 && AllZero(bytes)
                   ? io::Ftruncate(fd, static_cast<off_t>(bytes.size()), path)
                   : io::WriteAll(fd, bytes, path);
    ::close(fd);
    if (!w.ok()) ::unlinkat(objects_fd_, rel.c_str(), 0);
    return w;
  }();
  std::lock_guard lock(mu_);
  writing_.erase(sha);
  writing_cv_.notify_all();
  TQ_RETURN_IF_ERROR(s);
  known_.insert(sha);
  ++written_;
  ++unsynced_;
  TestKillPoint("objects");
  return StoredObject{sha, bytes.size(), true};
}

Result<bool> ObjectStore::Install(const std::string& tmp, const std::string& sha, bool durable) {
  std::string dir = case_.EvidenceDir() + "/objects/" + sha.substr(0, 2);
  std::string final_path = dir + "/" + sha;
  std::unique_lock lock(mu_);
  writing_cv_.wait(lock, [&] { return !writing_.count(sha); });  // Put storing the same
  struct stat st;
  if (known_.count(sha) && ::lstat(final_path.c_str(), &st) == 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  if (!dirs_made_.count(sha.substr(0, 2))) {
    TQ_RETURN_IF_ERROR(MakeDir(dir, 0750));
    dirs_made_.insert(sha.substr(0, 2));
  }
  // An object file no committed row names may be a leftover of a killed run: replace it.
  TQ_RETURN_IF_ERROR(io::Rename(tmp, final_path));
  if (durable) {
    // The name too: objects/xx (and objects/, which may have just got xx).
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return Status::FromErrno(dir, errno);
    Status s = io::Fsync(dfd, dir);
    ::close(dfd);
    TQ_RETURN_IF_ERROR(s);
    TQ_RETURN_IF_ERROR(io::Fsync(objects_fd_, case_.EvidenceDir() + "/objects"));
  } else {
    ++unsynced_;
  }
  known_.insert(sha);
  ++written_;
  TestKillPoint("objects");
  return true;
}

Status ObjectStore::Sync() {
  uint64_t n;
  {
    std::lock_guard lock(mu_);
    n = unsynced_;
  }
  if (n == 0) return Status::Ok();
  TQ_RETURN_IF_ERROR(io::Syncfs(objects_fd_, case_.EvidenceDir() + "/objects"));
  std::lock_guard lock(mu_);
  unsynced_ -= n;  // objects installed while syncfs ran wait for the next call
  return Status::Ok();
}

}  // namespace internal

// ---- readers for the other components ----

Result<ObjectView> ObjectView::Open(const Case& c, std::string_view sha) {
  Sha256Digest d;
  if (!ParseSha256Hex(sha, &d)) return Status::Usage("not a SHA-256: " + std::string(sha));
  std::string path = c.ObjectPath(sha);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::FromErrno(path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(path, err);
  }
  ObjectView v;
  v.size_ = static_cast<size_t>(st.st_size);
  if (v.size_ > 0) {
    void* p = ::mmap(nullptr, v.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    ::madvise(p, v.size_, MADV_SEQUENTIAL);
    v.data_ = p;
  }
  ::close(fd);
  return v;
}

ObjectView::ObjectView(ObjectView&& o) noexcept : data_(o.data_), size_(o.size_) {
  o.data_ = nullptr;
  o.size_ = 0;
}

ObjectView& ObjectView::operator=(ObjectView&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(data_, size_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

ObjectView::~ObjectView() {
  if (data_) ::munmap(data_, size_);
}

Status ReadObject(const Case& c, std::string_view sha,
                  const std::function<bool(std::string_view)>& fn) {
  std::string path = c.ObjectPath(sha);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::FromErrno(path, errno);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    if (n == 0 || !fn(std::string_view(buf.data(), static_cast<size_t>(n)))) break;
  }
  ::close(fd);
  return Status::Ok();
}

Result<std::vector<EvidenceItem>> FilesForLabel(Case& c, std::string_view label) {
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> all, ListEvidence(c.db(), label));
  std::vector<EvidenceItem> files;
  for (auto& e : all)
    if (e.kind == "file" && !e.sha256.empty()) files.push_back(std::move(e));
  std::stable_sort(files.begin(), files.end(), [](const EvidenceItem& a, const EvidenceItem& b) {
    return a.original_path < b.original_path;
  });
  return files;
}

}  // namespace tq::evidence
