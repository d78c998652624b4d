// The content-addressed object store (internal): evidence/objects/ab/<sha256>, read-only
// (0444). A streamed object is written to evidence/tmp/<pid>/, then renamed into place; a
// small one held in memory is created under its name (Put). Objects become
// durable before the database names them: Sync() (syncfs) runs before each commit, and a
// large object is synced on its own when it is installed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "casefile/casefile.h"
#include "core/result.h"
#include "core/sha256.h"

namespace tq::evidence::internal {

struct StoredObject {
  std::string sha256;
  uint64_t size = 0;
  bool written = false;  // false: the store already held it (deduplicated)
};

class ObjectStore;

// Streams one object in: hashes while writing; runs of zero bytes stay holes (sparse).
class ObjectWriter {
 public:
  ObjectWriter(ObjectWriter&&) = delete;
  ~ObjectWriter();
  Status Write(std::string_view bytes);
  Result<StoredObject> Finish();
  // For a caller that hashed the bytes itself (on another thread): Write does not hash, and
  // Finish names the object by `sha256_hex`. Call before the first Write.
  void SkipHashing() { hashing_ = false; }
  Result<StoredObject> FinishWithHash(std::string sha256_hex);
  uint64_t size() const { return size_; }

 private:
  friend class ObjectStore;
  ObjectWriter(ObjectStore* store, int fd, std::string tmp, bool direct)
      : store_(store), fd_(fd), tmp_(std::move(tmp)), direct_(direct), durable_(direct) {}
  Status WriteDirect(std::string_view bytes);
  ObjectStore* store_;
  int fd_;
  std::string tmp_;
  bool direct_;   // O_DIRECT: whole aligned blocks bypass the page cache
  bool durable_;  // synced on its own by Finish (a large object), not by the next Sync()
  Sha256 hash_;
  uint64_t size_ = 0;
  bool pending_hole_ = false;
  bool hashing_ = true;  // false when the caller already knows the hash (Put)
  std::string known_sha_;
};

// Marks a directory as the top of a hierarchy (ext4's chattr +T), so that the file system
// spreads its subdirectories over block groups; true when the attribute is set. ObjectStore
// does it to objects/ (see store.cc).
bool SpreadSubdirectories(int dirfd);

// Writes of this many bytes at aligned addresses and offsets may go around the page cache.
inline constexpr size_t kDirectAlign = 4096;

class ObjectStore {
 public:
  // Creates the directories, removes temporary files of dead runs and loads the hashes the
  // case database already references (only those objects are trusted to be complete).
  static Result<std::unique_ptr<ObjectStore>> Open(Case& c);
  ~ObjectStore();

  // Thread-safe. `direct`: a large object whose whole kDirectAlign blocks, handed over at
  // kDirectAlign-aligned addresses, are written with O_DIRECT (see ObjectWriter).
  Result<std::unique_ptr<ObjectWriter>> NewWriter(bool direct = false);
  // Stores a small object held in memory (skips the write when deduplicated).
  Result<StoredObject> Put(std::string_view bytes);
  // Makes every object installed so far durable (syncfs); nothing to do when the objects
  // since the last call were each synced on their own (large ones).
  Status Sync();
  uint64_t objects_written() const { return written_; }

 private:
  friend class ObjectWriter;
  explicit ObjectStore(const Case& c) : case_(c) {}
  // Moves a finished temporary file into place unless an object with that hash is trusted.
  // `durable`: the content is synced already; the new name is synced here too.
  Result<bool> Install(const std::string& tmp, const std::string& sha, bool durable);
  const Case& case_;
  std::string tmp_dir_;
  int objects_fd_ = -1;
  std::mutex mu_;
  std::unordered_set<std::string> known_;
  std::unordered_set<std::string> dirs_made_;  // xx of objects/xx already made (one mkdir each)
  std::unordered_set<std::string> writing_;    // objects Put is creating under their name
  std::condition_variable writing_cv_;
  uint64_t counter_ = 0;
  uint64_t written_ = 0;
  uint64_t unsynced_ = 0;  // objects installed that no Sync() has covered yet
};

}  // namespace tq::evidence::internal
