// The scratch database's helper thread (scratch_writer.h).
#include "storedb/scratch_writer.h"

#include <unistd.h>

namespace tq::storedb {

ScratchWriter::~ScratchWriter() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ScratchWriter::Remove(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
}

void ScratchWriter::Start(std::string path, std::function<Status(Db&)> fn) {
  path_ = std::move(path);
  thread_ = std::thread([this, fn = std::move(fn)] {
    Status s = [&]() -> Status {
      Remove(path_);
      TQ_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path_, true));
      TQ_RETURN_IF_ERROR(
          db->Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; "
                   "PRAGMA cache_size=-131072"));
      TQ_RETURN_IF_ERROR(db->Begin());
      Status done = fn(*db);
      if (!done.ok()) {
        db->Rollback();
        return done;
      }
      return db->Commit();
    }();
    {
      std::lock_guard lock(mu_);
      if (!reached_) first_part_ = s.ok() ? Status::Internal("scratch writer: ended early") : s;
      status_ = std::move(s);
      reached_ = true;  // a helper that failed early does not keep the caller waiting
    }
    cv_.notify_all();
  });
}

void ScratchWriter::Reached(Status status) {
  {
    std::lock_guard lock(mu_);
    first_part_ = std::move(status);
    reached_ = true;
  }
  cv_.notify_all();
}

bool ScratchWriter::WaitToGoOn() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return go_on_ || stop_; });
  return !stop_;
}

Status ScratchWriter::WaitReached() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return reached_; });
  return first_part_;
}

void ScratchWriter::GoOn() {
  {
    std::lock_guard lock(mu_);
    go_on_ = true;
  }
  cv_.notify_all();
}

Status ScratchWriter::Finish() {
  if (!thread_.joinable()) return Status::Internal("scratch writer: not started");
  thread_.join();
  return status_;
}

Status ScratchWriter::Attach(Db& db, const std::string& schema) const {
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("ATTACH ? AS " + schema));
  st.Bind(1, path_);
  return st.Run();
}

}  // namespace tq::storedb
