// AddFileEvidence: one file another command produced (a live database's dump), stored and
// signed like collected evidence, so verify and the chain of custody cover it too.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/time.h"
#include "evidence/collect_internal.h"
#include "evidence/evidence.h"
#include "evidence/manifest.h"

namespace tq::evidence {

Result<EvidenceItem> AddFileEvidence(Case& c, const std::string& path,
                                     std::string_view original_path, std::string_view source,
                                     std::string_view label, std::string_view actor) {
  TQ_RETURN_IF_ERROR(internal::EnsureEvidenceSchema(c));
  TQ_ASSIGN_OR_RETURN(auto writer, internal::ManifestWriter::Open(c));
  TQ_ASSIGN_OR_RETURN(auto store, internal::ObjectStore::Open(c));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::FromErrno(path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::BadInput(path + ": not a regular file");
  }
  EvidenceItem e;
  internal::FillFromStat(st, &e);
  e.kind = "file";
  e.label = std::string(label);
  e.original_path = std::string(original_path);
  e.source = std::string(source);
  Result<std::unique_ptr<internal::ObjectWriter>> ow = store->NewWriter();
  if (!ow.ok()) {
    ::close(fd);
    return ow.status();
  }
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    if (n == 0) break;
    Status s = (*ow)->Write(std::string_view(buf.data(), static_cast<size_t>(n)));
    if (!s.ok()) {
      ::close(fd);
      return s;
    }
  }
  ::close(fd);
  TQ_ASSIGN_OR_RETURN(internal::StoredObject obj, (*ow)->Finish());
  TQ_RETURN_IF_ERROR(store->Sync());
  e.sha256 = obj.sha256;
  e.size = obj.size;
  e.collected_at = NowMicros();
  TQ_RETURN_IF_ERROR(writer->Commit([&](Db& db, internal::ManifestWriter::Batch& lines) -> Status {
    TQ_ASSIGN_OR_RETURN(Stmt batch, db.Prepare("INSERT INTO evidence_batches(started_at,"
                                               "finished_at,actor,host,label,sources,state) "
                                               "VALUES(?,?,?,?,?,?,'done')"));
    batch.Bind(1, e.collected_at).Bind(2, e.collected_at).Bind(3, actor);
    batch.Bind(4, internal::HostName()).Bind(5, label).BindBlob(6, source);
    TQ_RETURN_IF_ERROR(batch.Run());
    e.batch_id = db.LastInsertRowid();
    TQ_ASSIGN_OR_RETURN(
        Stmt ins,
        db.Prepare("INSERT INTO evidence_items(sha256,label,original_path,kind,size,mode,uid,gid,"
                   "owner,grp,mtime_ns,ctime_ns,atime_ns,symlink_target,skip_reason,source,"
                   "batch_id,collected_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,'','',?,?,?) "
                   "ON CONFLICT(source,original_path,label) DO NOTHING RETURNING id"));
    ins.Bind(1, e.sha256).Bind(2, e.label).BindBlob(3, e.original_path).Bind(4, e.kind);
    ins.Bind(5, e.size).Bind(6, static_cast<int64_t>(e.mode)).Bind(7, e.uid).Bind(8, e.gid);
    ins.Bind(9, e.owner).Bind(10, e.group).Bind(11, e.mtime_ns).Bind(12, e.ctime_ns);
    ins.Bind(13, e.atime_ns).BindBlob(14, e.source).Bind(15, e.batch_id);
    ins.Bind(16, e.collected_at);
    TQ_ASSIGN_OR_RETURN(bool row, ins.Step());
    if (!row) return Status::Ok();  // held already
    e.id = ins.Int(0);
    TQ_RETURN_IF_ERROR(ins.Run());
    TQ_ASSIGN_OR_RETURN(uint64_t seq, lines.Add(db, "item", internal::ItemBody(e), e.id, 0));
    (void)seq;
    return Status::Ok();
  }));
  if (e.id == 0) {
    // Already held: return the first item.
    TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> all, ListEvidence(c.db(), label));
    for (EvidenceItem& it : all)
      if (it.source == source && it.original_path == original_path) return it;
    return Status::Internal("evidence item vanished while adding " + std::string(original_path));
  }
  CustodyRecord r;
  r.actor = std::string(actor);
  r.action = "collect";
  r.what =
      "1 new item (" + std::to_string(e.size) + " bytes) as " + e.label + ": " + e.original_path;
  r.origin = internal::HostName() + ":" + e.source;
  r.sha256 = e.sha256;
  TQ_RETURN_IF_ERROR(internal::AddCustody(*writer, r));
  return e;
}

}  // namespace tq::evidence
