// A helper thread that writes rows into a scratch SQLite database of its own while the calling
// thread writes the case: SQLite runs one statement at a time per connection, so a second
// connection on a second file is what puts a second core to SQLite work. The caller then
// attaches the scratch file and copies what it needs inside its own transaction. One
// hand-over point lets the helper wait for the caller (Reached / WaitReached, then GoOn /
// WaitToGoOn). The scratch file is the caller's to remove (Remove), after it is detached.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "casefile/db.h"
#include "core/result.h"

namespace tq::storedb {

class ScratchWriter {
 public:
  ScratchWriter() = default;
  ScratchWriter(const ScratchWriter&) = delete;
  ScratchWriter& operator=(const ScratchWriter&) = delete;
  ~ScratchWriter();  // a helper still running is told to stop (WaitToGoOn: false) and joined

  // Creates `path` afresh (no journal, no syncs, foreign keys off: a scratch file rebuilt on
  // any failure) and runs fn on the helper thread inside one transaction, committed when fn
  // succeeds.
  void Start(std::string path, std::function<Status(Db&)> fn);
  bool started() const { return thread_.joinable(); }

  // Helper side: the first part is done, with its status; then wait for the caller's GoOn
  // (false: it stopped).
  void Reached(Status status);
  bool WaitToGoOn();
  // Caller side: the first part's status (a helper that ended before it: its error), then
  // let the helper go on.
  Status WaitReached();
  void GoOn();
  // Joins the helper and returns fn's status (or the scratch database's error).
  Status Finish();

  // Attaches the scratch file to `db` as `schema` (after Finish); and removes a scratch
  // file with its journal, -wal and -shm files.
  Status Attach(Db& db, const std::string& schema) const;
  static void Remove(const std::string& path);

 private:
  std::string path_;
  std::thread thread_;
  Status status_ = Status::Ok(), first_part_ = Status::Ok();
  std::mutex mu_;
  std::condition_variable cv_;
  bool reached_ = false, go_on_ = false, stop_ = false;
};

}  // namespace tq::storedb
