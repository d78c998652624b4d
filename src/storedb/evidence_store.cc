// Storing a collected dump as evidence until the evidence component offers it: the
// content-addressed object (read-only, mode 0444) and its evidence_items row, following
// casefile.h. Writes go to a temporary file in the object's directory, fsync, then rename,
// so a killed run never leaves a partial object under a valid name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include "core/sha256.h"
#include "storedb/storedb.h"

namespace tq::storedb {

namespace {
Status CopyFile(const std::string& from, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::FromErrno(from, errno);
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    int e = errno;
    ::close(in);
    return Status::FromErrno(to, e);
  }
  std::vector<char> buf(1 << 20);
  Status s;
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = Status::FromErrno(from, errno);
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        s = Status::FromErrno(to, errno);
        break;
      }
      done += w;
    }
    if (!s.ok()) break;
  }
  if (s.ok() && ::fsync(out) != 0) s = Status::FromErrno(to, errno);
  ::close(in);
  if (::close(out) != 0 && s.ok()) s = Status::FromErrno(to, errno);
  return s;
}
}  // namespace

Result<EvidenceItem> StoreFileAsEvidence(Case& c, const std::string& path,
                                         std::string_view original_path, std::string_view source) {
  uint64_t size = 0;
  TQ_ASSIGN_OR_RETURN(std::string sha, Sha256File(path, &size));
  std::string obj = c.ObjectPath(sha);
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(obj).parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Io(dir.string() + ": " + ec.message());
  struct stat st {};
  if (::stat(obj.c_str(), &st) != 0) {
    std::string tmp = obj + ".tmp." + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    Status s = CopyFile(path, tmp);
    if (s.ok()) {
      TQ_ASSIGN_OR_RETURN(std::string again, Sha256File(tmp));
      if (again != sha) s = Status::Integrity(tmp + ": content changed while it was copied");
    }
    if (s.ok() && ::chmod(tmp.c_str(), 0444) != 0) s = Status::FromErrno(tmp, errno);
    if (s.ok() && ::rename(tmp.c_str(), obj.c_str()) != 0) s = Status::FromErrno(obj, errno);
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
  }
  struct stat src {};
  if (::stat(path.c_str(), &src) != 0) return Status::FromErrno(path, errno);
  EvidenceItem item;
  item.sha256 = sha;
  item.label = "db";
  item.original_path = std::string(original_path);
  item.kind = "file";
  item.size = size;
  item.mode = 0444;
  item.source = std::string(source);
  item.collected_at = NowMicros();
  item.mtime_ns = static_cast<int64_t>(src.st_mtim.tv_sec) * 1000000000 + src.st_mtim.tv_nsec;
  Status s = c.Transaction([&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(
        Stmt ins, db.Prepare("INSERT INTO evidence_items(sha256,label,original_path,kind,size,"
                             "mode,mtime_ns,source,collected_at) VALUES(?,?,?,?,?,?,?,?,?) "
                             "ON CONFLICT(source,original_path,label) DO UPDATE SET "
                             "sha256=excluded.sha256,size=excluded.size,"
                             "collected_at=excluded.collected_at"));
    ins.Bind(1, item.sha256).Bind(2, item.label).BindBlob(3, item.original_path);
    ins.Bind(4, item.kind).Bind(5, static_cast<int64_t>(item.size)).Bind(6, 0444);
    ins.Bind(7, item.mtime_ns).BindBlob(8, item.source).Bind(9, item.collected_at);
    TQ_RETURN_IF_ERROR(ins.Run());
    TQ_ASSIGN_OR_RETURN(Stmt q, db.Prepare("SELECT id FROM evidence_items WHERE source=? AND "
                                           "original_path=? AND label='db'"));
    q.BindBlob(1, item.source).BindBlob(2, item.original_path);
    TQ_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Internal("evidence row vanished after insert");
    item.id = q.Int(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return item;
}

}  // namespace tq::storedb
