// The content-addressed object store (internal): evidence/objects/ab/<sha256>, each object
// written to evidence/tmp/<pid>/, then renamed into place read-only (0444). Objects become
// durable before the database names them: Sync() (syncfs) runs before each commit.
#pragma once

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
  uint64_t size() const { return size_; }

 private:
  friend class ObjectStore;
  ObjectWriter(ObjectStore* store, int fd, std::string tmp)
      : store_(store), fd_(fd), tmp_(std::move(tmp)) {}
  ObjectStore* store_;
  int fd_;
  std::string tmp_;
  Sha256 hash_;
  uint64_t size_ = 0;
  bool pending_hole_ = false;
  bool hashing_ = true;  // false when the caller already knows the hash (Put)
  std::string known_sha_;
};

class ObjectStore {
 public:
  // Creates the directories, removes temporary files of dead runs and loads the hashes the
  // case database already references (only those objects are trusted to be complete).
  static Result<std::unique_ptr<ObjectStore>> Open(Case& c);
  ~ObjectStore();

  // Thread-safe.
  Result<std::unique_ptr<ObjectWriter>> NewWriter();
  // Stores a small object held in memory (skips the write when deduplicated).
  Result<StoredObject> Put(std::string_view bytes);
  Status Sync();
  uint64_t objects_written() const { return written_; }

 private:
  friend class ObjectWriter;
  explicit ObjectStore(const Case& c) : case_(c) {}
  // Moves a finished temporary file into place unless an object with that hash is trusted.
  Result<bool> Install(const std::string& tmp, const std::string& sha);
  const Case& case_;
  std::string tmp_dir_;
  int objects_fd_ = -1;
  std::mutex mu_;
  std::unordered_set<std::string> known_;
  std::unordered_set<std::string> dirs_made_;  // objects/xx already created (one mkdir each)
  uint64_t counter_ = 0;
  uint64_t written_ = 0;
};

}  // namespace tq::evidence::internal
