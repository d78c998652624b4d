// collect: one walker thread lists the sources (directory walks, archives, stdin), a pool
// reads and hashes files into the object store, and the calling thread commits items in
// walk order, in batches: objects synced first (overlapping the previous batch's commit),
// then rows and manifest lines sealed by one signature in one transaction, then the
// manifest file. A killed run loses at most the uncommitted batch; the
// next run skips what is committed (idempotent) and redoes the rest.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/time.h"
#include "evidence/collect_internal.h"
#include "evidence/evidence.h"
#include "evidence/manifest.h"

namespace tq::evidence {
namespace {

using internal::CollectWork;
using internal::ManifestWriter;
using internal::ObjectStore;

constexpr uint64_t kWindow = 8192;    // items in flight between walker and committer
constexpr size_t kBatchItems = 1000;  // items per commit
constexpr int64_t kBatchMicros = 1'000'000;
// Hand-offs between the threads, each a lock and often a futex call and a trip through the
// scheduler (on a loaded machine, a wait for a core behind others' processes): a worker takes
// up to kTakeItems files (kTakeBytes of them at most) at once and hands their results in
// together, and the committer is woken once kWakeCommitter results wait in walk order (or at
// the end), not for each one. Three futex calls a file before.
constexpr size_t kTakeItems = 16;
constexpr uint64_t kTakeBytes = 4 << 20;
constexpr size_t kWakeCommitter = 256;

struct Existing {
  std::string kind;
  uint64_t size;
  int64_t mtime_ns;
};

class Collector final : public internal::CollectSink {
 public:
  Collector(Case& c, const CollectOptions& opt, ObjectStore& store, ManifestWriter& writer)
      : case_(c), opt_(opt), store_(store), writer_(writer) {}

  Status Run(const std::vector<std::string>& sources, CollectSummary* summary);

  // CollectSink
  void Emit(CollectWork&& w) override;
  void Problem(const std::string& source, const std::string& path,
               const std::string& message) override {
    std::lock_guard lock(mu_);
    problems_.push_back({source, path, message});
  }
  bool AlreadyHave(const EvidenceItem& item) override;
  bool Aborted() const override { return aborted_.load(); }
  void AddBytes(uint64_t n) override { bytes_done_ += n; }
  void AddTotal(uint64_t items, uint64_t bytes) override {
    items_total_ += items;
    bytes_total_ += bytes;
  }
  ObjectStore& store() override { return store_; }
  const CollectOptions& options() const override { return opt_; }

 private:
  void Walk(const std::vector<std::pair<std::string, std::string>>& sources);
  void WorkerLoop();
  void WakeCommitterLocked();
  Status Commit(std::vector<CollectWork>& batch, CollectSummary* summary);
  Status LoadExisting(const std::string& source, const std::string& label);

  Case& case_;
  const CollectOptions& opt_;
  ObjectStore& store_;
  ManifestWriter& writer_;
  int64_t batch_id_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;          // committer waits for results
  std::condition_variable space_cv_;    // walker waits for the window
  std::condition_variable pending_cv_;  // workers wait for files
  std::deque<CollectWork> pending_;
  std::map<uint64_t, CollectWork> done_;
  uint64_t issued_ = 0, committed_ = 0;
  uint64_t taken_ = 0;  // results the committer moved out of done_, in walk order
  int idle_workers_ = 0;
  bool walk_finished_ = false;
  std::vector<CollectProblem> problems_;
  std::atomic<bool> aborted_{false};
  std::atomic<uint64_t> bytes_done_{0}, bytes_total_{0}, items_total_{0};

  // Items a previous run committed, for the current (source, label): walker thread only.
  std::string existing_key_;
  std::unordered_map<std::string, Existing> existing_;
  std::atomic<uint64_t> already_{0};
};

bool Collector::AlreadyHave(const EvidenceItem& item) {
  auto it = existing_.find(item.original_path);
  if (it == existing_.end()) return false;
  const Existing& e = it->second;
  // Unchanged (same kind, and for files same size and mtime): nothing to add.
  bool same = e.kind == item.kind || e.kind == "skipped" || e.kind == "special";
  if (item.kind == "file" && e.kind == "file")
    same = e.size == item.size && e.mtime_ns == item.mtime_ns;
  if (!same) return false;
  ++already_;
  return true;
}

Status Collector::LoadExisting(const std::string& source, const std::string& label) {
  existing_.clear();
  TQ_ASSIGN_OR_RETURN(Stmt st, case_.db().Prepare("SELECT original_path,kind,size,mtime_ns FROM "
                                                  "evidence_items WHERE source=? AND label=?"));
  st.BindBlob(1, source).Bind(2, label);
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    existing_[st.String(0)] = {st.String(1), static_cast<uint64_t>(st.Int(2)), st.Int(3)};
  }
  return Status::Ok();
}

void Collector::Emit(CollectWork&& w) {
  std::unique_lock lock(mu_);
  space_cv_.wait(lock, [&] { return issued_ - committed_ < kWindow || aborted_; });
  if (aborted_) return;
  w.index = issued_++;
  w.item.batch_id = batch_id_;
  if (w.item.collected_at == 0) w.item.collected_at = NowMicros();
  ++items_total_;
  if (!w.open_path.empty()) {
    pending_.push_back(std::move(w));
    if (idle_workers_ > 0) pending_cv_.notify_one();
  } else {
    done_.emplace(w.index, std::move(w));
    WakeCommitterLocked();
  }
}

// The committer has work once the next result in walk order is in and enough wait behind
// it, or once the walk is over and nothing is left to copy (the end). Its 100 ms timeout
// picks up the rest (a slow trickle, the time limit of a batch).
void Collector::WakeCommitterLocked() {
  if ((walk_finished_ && pending_.empty()) ||
      (done_.size() >= kWakeCommitter && done_.count(taken_)))
    cv_.notify_one();
}

void Collector::WorkerLoop() {
  std::vector<CollectWork> mine;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      for (CollectWork& w : mine) done_.emplace(w.index, std::move(w));
      mine.clear();
      WakeCommitterLocked();
      ++idle_workers_;
      pending_cv_.wait(lock, [&] { return !pending_.empty() || walk_finished_ || aborted_; });
      --idle_workers_;
      if (pending_.empty()) return;
      // A share of what waits, so that the other workers get theirs; a large file ends the
      // share (the files behind it would wait for it).
      size_t share = std::clamp<size_t>(pending_.size() / 4, 1, kTakeItems);
      uint64_t bytes = 0;
      while (!pending_.empty() && mine.size() < share && bytes < kTakeBytes) {
        bytes += pending_.front().item.size;
        mine.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    for (CollectWork& w : mine) internal::StoreFile(*this, w);
  }
}

void Collector::Walk(const std::vector<std::pair<std::string, std::string>>& sources) {
  for (const auto& [src, label] : sources) {
    if (aborted_) break;
    EvidenceItem base;
    base.label = label;
    std::string abs = src;
    if (src != "-") {
      std::error_code ec;
      abs = std::filesystem::absolute(src, ec).lexically_normal().string();
      while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
    }
    base.source = abs;
    Status s = LoadExisting(abs, label);
    if (!s.ok()) {
      Problem(abs, "", s.ToString());
      continue;
    }
    if (src == "-") {
      if (!internal::ReadArchive(*this, "", opt_.stdin_fd, base))
        Problem("-", "", "standard input is not a tar (or zip, cpio) stream");
      continue;
    }
    struct stat st;
    if (::stat(abs.c_str(), &st) != 0) {
      Problem(abs, "", std::string("cannot read the source: ") + std::strerror(errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      internal::WalkDirectory(*this, abs, base);
      continue;
    }
    if (S_ISREG(st.st_mode) && opt_.extract_archives &&
        internal::ReadArchive(*this, abs, -1, base)) {
      continue;
    }
    // One file (or a special file named directly): its name is its original path.
    CollectWork w;
    w.item = base;
    w.item.original_path = std::filesystem::path(abs).filename().string();
    struct stat lst;
    if (::lstat(abs.c_str(), &lst) != 0) lst = st;
    internal::FillFromStat(S_ISLNK(lst.st_mode) ? st : lst, &w.item);
    if (S_ISREG(st.st_mode)) {
      w.item.kind = "file";
      w.open_path = abs;
      AddTotal(0, w.item.size);
    } else {
      w.item.kind = "special";
      w.item.skip_reason = "not a regular file or directory: not read";
    }
    if (!AlreadyHave(w.item)) Emit(std::move(w));
  }
  std::lock_guard lock(mu_);
  walk_finished_ = true;
  pending_cv_.notify_all();
  cv_.notify_all();
}

Status Collector::Commit(std::vector<CollectWork>& batch, CollectSummary* sum) {
  // The batch's objects are durable already (Run synced them): rows may name them.
  if (batch.empty()) return Status::Ok();
  std::vector<CollectProblem> changed;
  CollectSummary add;
  Status s = writer_.Commit(
      [&](Db& db, ManifestWriter::Batch& lines) -> Status {
        add = CollectSummary();
        changed.clear();
        TQ_ASSIGN_OR_RETURN(
            Stmt ins,
            db.Prepare(
                "INSERT INTO evidence_items(sha256,label,original_path,kind,size,mode,uid,gid,"
                "owner,grp,mtime_ns,ctime_ns,atime_ns,symlink_target,skip_reason,source,"
                "batch_id,collected_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(source,original_path,label) DO NOTHING RETURNING id"));
        TQ_ASSIGN_OR_RETURN(Stmt old, db.Prepare("SELECT sha256,kind FROM evidence_items WHERE "
                                                 "source=? AND original_path=? AND label=?"));
        TQ_ASSIGN_OR_RETURN(Stmt link, db.Prepare("INSERT OR IGNORE INTO evidence_hardlinks("
                                                  "item_id,link_group,nlink) VALUES(?,?,?)"));
        for (CollectWork& w : batch) {
          if (w.drop) continue;
          const EvidenceItem& e = w.item;
          TQ_RETURN_IF_ERROR(ins.Reset());
          ins.Bind(1, e.sha256).Bind(2, e.label).BindBlob(3, e.original_path).Bind(4, e.kind);
          ins.Bind(5, e.size).Bind(6, static_cast<int64_t>(e.mode)).Bind(7, e.uid).Bind(8, e.gid);
          ins.Bind(9, e.owner).Bind(10, e.group).Bind(11, e.mtime_ns).Bind(12, e.ctime_ns);
          ins.Bind(13, e.atime_ns).BindBlob(14, e.symlink_target).Bind(15, e.skip_reason);
          ins.BindBlob(16, e.source).Bind(17, e.batch_id).Bind(18, e.collected_at);
          TQ_ASSIGN_OR_RETURN(bool row, ins.Step());
          if (!row) {
            // Held already (the walker saw it changed): the first copy stays the evidence.
            ++add.already_present;
            TQ_RETURN_IF_ERROR(old.Reset());
            old.BindBlob(1, e.source).BindBlob(2, e.original_path).Bind(3, e.label);
            TQ_ASSIGN_OR_RETURN(bool found, old.Step());
            if (found && old.Text(0) != e.sha256 && e.kind == "file")
              changed.push_back({e.source, e.original_path,
                                 "changed since it was first collected (now " + e.sha256 +
                                     "); the first copy (" + old.String(0) + ") is kept"});
            continue;
          }
          int64_t id = ins.Int(0);
          TQ_RETURN_IF_ERROR(ins.Run());
          TQ_RETURN_IF_ERROR(lines.Add(db, "item", internal::ItemBody(e), id, 0).status());
          if (!w.link_group.empty()) {
            TQ_RETURN_IF_ERROR(link.Reset());
            link.Bind(1, id).BindBlob(2, w.link_group).Bind(3, w.nlink);
            TQ_RETURN_IF_ERROR(link.Run());
            ++add.hardlinks;
          }
          ++add.items_added;
          if (e.kind == "file") {
            ++add.files;
            add.bytes += e.size;
          } else if (e.kind == "dir") {
            ++add.dirs;
          } else if (e.kind == "symlink") {
            ++add.symlinks;
          } else {
            ++add.skipped;
          }
        }
        TQ_ASSIGN_OR_RETURN(Stmt up, db.Prepare("UPDATE evidence_batches SET items_added="
                                                "items_added+?, bytes_added=bytes_added+? "
                                                "WHERE id=?"));
        up.Bind(1, add.items_added).Bind(2, add.bytes).Bind(3, batch_id_);
        return up.Run();
      },
      /*seal=*/true);
  TQ_RETURN_IF_ERROR(s);
  sum->items_added += add.items_added;
  sum->already_present += add.already_present;
  sum->files += add.files;
  sum->dirs += add.dirs;
  sum->symlinks += add.symlinks;
  sum->skipped += add.skipped;
  sum->hardlinks += add.hardlinks;
  sum->bytes += add.bytes;
  std::lock_guard lock(mu_);
  for (CollectWork& w : batch)
    if (!w.problem.empty()) problems_.push_back({w.item.source, w.item.original_path, w.problem});
  for (auto& p : changed) problems_.push_back(std::move(p));
  return Status::Ok();
}

Status Collector::Run(const std::vector<std::string>& sources, CollectSummary* sum) {
  std::vector<std::pair<std::string, std::string>> labelled;
  std::string all_sources, labels;
  for (const std::string& s : sources) {
    std::string label = opt_.label.empty() ? GuessLabel(s) : opt_.label;
    labelled.emplace_back(s, label);
    std::string abs = s;
    if (s != "-") {
      std::error_code ec;
      abs = std::filesystem::absolute(s, ec).lexically_normal().string();
      while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
    }
    sum->labels.emplace_back(abs, label);
    all_sources += (all_sources.empty() ? "" : "\n") + abs;
  }
  TQ_RETURN_IF_ERROR(case_.Transaction([&](Db& db) -> Status {
    TQ_RETURN_IF_ERROR(MarkInterruptedCollects(db));
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO evidence_batches(started_at,actor,host,"
                                            "label,note,sources,pid) VALUES(?,?,?,?,?,?,?)"));
    st.Bind(1, NowMicros()).Bind(2, opt_.actor).Bind(3, internal::HostName());
    st.Bind(4, opt_.label).Bind(5, opt_.note).BindBlob(6, all_sources);
    st.Bind(7, static_cast<int64_t>(::getpid()));
    TQ_RETURN_IF_ERROR(st.Run());
    batch_id_ = db.LastInsertRowid();
    return Status::Ok();
  }));
  sum->batch_id = batch_id_;

  int threads = opt_.threads > 0
                    ? opt_.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Named, so that a profile (perf, top -H) tells the walker and the pool from the committer.
  std::thread walker([&] {
    ::pthread_setname_np(::pthread_self(), "tq-collect-walk");
    Walk(labelled);
  });
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      ::pthread_setname_np(::pthread_self(), "tq-collect-copy");
      WorkerLoop();
    });

  // Two batches overlap: while one batch's objects are synced (syncfs, on a thread of its
  // own), the batch before it, synced already, is committed. The sync and the commit each
  // waited on the disk in turn; rows still never name an object before it is durable.
  Status status;
  std::vector<CollectWork> batch, in_sync, synced;
  std::future<Status> syncing;
  auto sync_done = [&]() -> Status {
    if (!syncing.valid()) return Status::Ok();
    Status s = syncing.get();
    if (s.ok()) synced = std::move(in_sync);
    in_sync.clear();
    return s;
  };
  auto commit_synced = [&]() -> Status {
    if (synced.empty()) return Status::Ok();
    TQ_RETURN_IF_ERROR(Commit(synced, sum));
    std::lock_guard lock(mu_);
    committed_ += synced.size();
    synced.clear();
    space_cv_.notify_all();
    return Status::Ok();
  };
  int64_t last_commit = NowMicros(), last_progress = 0;
  for (;;) {
    bool finished = false;
    {
      std::unique_lock lock(mu_);
      // Wakes for the next result in walk order or the end; not merely for an empty queue:
      // while the pool still copies the last files that would spin on a core they need.
      cv_.wait_for(lock, std::chrono::milliseconds(100),
                   [&] { return done_.count(taken_) || (walk_finished_ && taken_ == issued_); });
      // Take results in walk order.
      for (auto it = done_.find(taken_); it != done_.end(); it = done_.find(taken_)) {
        batch.push_back(std::move(it->second));
        done_.erase(it);
        ++taken_;
      }
      finished = walk_finished_ && taken_ == issued_;
    }
    int64_t now = NowMicros();
    if (!batch.empty() &&
        (finished || batch.size() >= kBatchItems || now - last_commit >= kBatchMicros)) {
      status = sync_done();
      if (!status.ok()) break;
      in_sync = std::move(batch);
      batch.clear();
      syncing = std::async(std::launch::async, [this] { return store_.Sync(); });
      status = commit_synced();
      if (!status.ok()) break;
      last_commit = now;
    }
    if (finished) {
      status = sync_done();
      if (status.ok()) status = commit_synced();
      if (!status.ok()) break;
    }
    if (opt_.progress && (now - last_progress > 100'000 || finished)) {
      last_progress = now;
      CollectProgress p;
      p.items = committed_ + already_;
      p.bytes = bytes_done_;
      p.items_total = items_total_ + already_;
      p.bytes_total = bytes_total_;
      {
        std::lock_guard lock(mu_);
        p.walk_done = walk_finished_;
      }
      opt_.progress(p);
    }
    if (finished) break;
  }
  if (syncing.valid()) syncing.wait();
  if (!status.ok()) {
    std::lock_guard lock(mu_);
    aborted_ = true;
    space_cv_.notify_all();
    pending_cv_.notify_all();
  }
  walker.join();
  {
    std::lock_guard lock(mu_);
    walk_finished_ = true;
    pending_cv_.notify_all();
  }
  for (auto& t : pool) t.join();
  TQ_RETURN_IF_ERROR(status);
  sum->already_present += already_;
  sum->objects_written = store_.objects_written();
  sum->problems = std::move(problems_);
  return case_.Transaction([&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("UPDATE evidence_batches SET finished_at=?,"
                                            "state='done' WHERE id=?"));
    st.Bind(1, NowMicros()).Bind(2, batch_id_);
    return st.Run();
  });
}

}  // namespace

namespace {
// A batch left 'running' by a process that is gone (killed) or from this host's older runs:
// the process id is checked on this host only (another host's pid says nothing here).
bool BatchProcessGone(int64_t pid, const std::string& host) {
  if (host != internal::HostName()) return false;
  if (pid <= 0) return true;
  return pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}
}  // namespace

Result<std::vector<int64_t>> InterruptedCollects(Db& db) {
  std::vector<int64_t> out;
  TQ_ASSIGN_OR_RETURN(int64_t has, db.QueryInt("SELECT count(*) FROM pragma_table_info("
                                               "'evidence_batches') WHERE name='pid'"));
  if (has == 0) return out;
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id, pid, host, state FROM evidence_batches "
                                          "WHERE state IN ('running','interrupted') ORDER BY id"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (st.String(3) == "interrupted" || BatchProcessGone(st.Int(1), st.String(2)))
      out.push_back(st.Int(0));
  }
  return out;
}

Status MarkInterruptedCollects(Db& db) {
  TQ_ASSIGN_OR_RETURN(std::vector<int64_t> ids, InterruptedCollects(db));
  TQ_ASSIGN_OR_RETURN(Stmt up, db.Prepare("UPDATE evidence_batches SET state='interrupted' "
                                          "WHERE id=? AND state='running'"));
  for (int64_t id : ids) {
    up.Bind(1, id);
    TQ_RETURN_IF_ERROR(up.Run());
    TQ_RETURN_IF_ERROR(up.Reset());
  }
  return Status::Ok();
}

Result<CollectSummary> Collect(Case& c, const std::vector<std::string>& sources,
                               const CollectOptions& options) {
  if (sources.empty()) return Status::Usage("collect needs at least one source");
  for (const std::string& l : {options.label})
    if (!l.empty() && l != "logs" && l != "webroot" && l != "db" && l != "host" && l != "other")
      return Status::Usage("--label must be logs, webroot, db, host or other, not " + l);
  int64_t start = NowMicros();
  TQ_RETURN_IF_ERROR(internal::EnsureEvidenceSchema(c));
  // Statement journals in memory: each item's INSERT ... ON CONFLICT needs one, and in a temp
  // file that was four writes per item (a fifth of a web root's collect). They only undo one
  // statement inside a transaction; the WAL keeps the transaction crash-safe as before. This
  // connection makes no temporary tables, so nothing large lands in memory.
  TQ_RETURN_IF_ERROR(c.db().Exec("PRAGMA temp_store=MEMORY"));
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<ManifestWriter> writer, ManifestWriter::Open(c));
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<ObjectStore> store, ObjectStore::Open(c));
  CollectSummary sum;
  Collector collector(c, options, *store, *writer);
  TQ_RETURN_IF_ERROR(collector.Run(sources, &sum));

  CustodyRecord r;
  r.actor = options.actor;
  r.action = "collect";
  r.what = std::to_string(sum.items_added) + " new items (" + std::to_string(sum.files) +
           " files, " + std::to_string(sum.bytes) + " bytes; " + std::to_string(sum.dirs) +
           " dirs, " + std::to_string(sum.symlinks) + " symlinks, " + std::to_string(sum.skipped) +
           " skipped), " + std::to_string(sum.already_present) + " already held; batch " +
           std::to_string(sum.batch_id);
  for (auto& [src, label] : sum.labels) {
    r.origin += (r.origin.empty() ? "" : "\n") + internal::HostName() + ":" + src;
    r.what += "; " + src + " as " + label;
  }
  r.sha256 = writer->head();
  r.detail = options.note;
  sum.manifest_repaired = writer->repaired_lines();
  if (sum.manifest_repaired)
    r.detail += (r.detail.empty() ? "" : "\n") + std::to_string(sum.manifest_repaired) +
                " committed manifest lines were missing from the file and were written back "
                "from the case database";
  if (!sum.problems.empty())
    r.detail += (r.detail.empty() ? "" : "\n") + std::to_string(sum.problems.size()) +
                " items with problems";
  TQ_RETURN_IF_ERROR(internal::AddCustody(*writer, r));
  sum.public_key_hex = writer->key().public_hex();
  sum.manifest_head = writer->head();
  sum.manifest_lines = writer->lines();
  sum.elapsed_us = NowMicros() - start;
  return sum;
}

}  // namespace tq::evidence
