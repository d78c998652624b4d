// Internal to collect: the unit of work that flows walker -> hashing pool -> committer, and
// the interface the source readers (directory walk, archives) emit items through.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>

#include "evidence/evidence.h"
#include "evidence/store.h"

namespace tq::evidence::internal {

struct CollectWork {
  uint64_t index = 0;      // position in walk order: commits (and manifest lines) keep it
  EvidenceItem item;       // metadata; sha256/size filled once content is stored
  std::string open_path;   // a regular file the pool reads; empty when nothing to read
  std::string link_group;  // hard links: "dev:ino" or "archive:<first member name>"
  int64_t nlink = 0;
  bool new_object = false;
  std::string problem;  // reported per item (the item is usually kind "skipped")
  bool drop = false;    // not recorded (the store failed): a re-run retries it
};

// What the source readers need from the collector.
class CollectSink {
 public:
  virtual ~CollectSink() = default;
  // Hands one item on (blocks while too many are in flight).
  virtual void Emit(CollectWork&& w) = 0;
  // A problem that is not an item (a damaged archive, an unreadable source).
  virtual void Problem(const std::string& source, const std::string& path,
                       const std::string& message) = 0;
  // True when a previous run holds this item unchanged: it is skipped.
  virtual bool AlreadyHave(const EvidenceItem& item) = 0;
  virtual bool Aborted() const = 0;
  virtual void AddBytes(uint64_t n) = 0;
  virtual void AddTotal(uint64_t items, uint64_t bytes) = 0;
  virtual ObjectStore& store() = 0;
  virtual const CollectOptions& options() const = 0;
};

// Fills kind-independent metadata from lstat.
void FillFromStat(const struct stat& st, EvidenceItem* item);
std::string OwnerName(int64_t uid);
std::string GroupName(int64_t gid);

// Walks a directory tree (never following symlinks) and emits every entry.
void WalkDirectory(CollectSink& sink, const std::string& root_abs, const EvidenceItem& base);
// Reads an archive (file path, or fd when path is empty) and emits every member; members'
// content is stored by the calling thread. Returns false when the input is not an archive
// (nothing emitted); problems are reported to the sink.
bool ReadArchive(CollectSink& sink, const std::string& path, int fd, const EvidenceItem& base);
// Reads one regular file into the store (pool threads).
void StoreFile(CollectSink& sink, CollectWork& w);

}  // namespace tq::evidence::internal
