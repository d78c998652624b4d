// The evidence store: `collect` copies files, directory trees and archives into the case's
// content-addressed store (evidence/objects/ab/<sha256>, read-only, deduplicated), records
// every item in evidence_items, and appends one hash-chained line per item to the case's
// manifest (evidence/manifest.tqm), each batch of lines ending in a seal signed with the
// case's Ed25519 key that lists every line's hash. `Verify` re-hashes every object and checks
// every signature, seal and link of the chain. Every collect, verify and export is a custody
// record (a manifest line signed on its own).
//
// Readers (logs, webroot, storedb) use ListEvidence(db, label) from casefile.h and the object
// readers below; they never read the original location again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"

namespace tq::evidence {

// ---- collect ----

struct CollectProgress {
  uint64_t items = 0, bytes = 0;              // done so far
  uint64_t items_total = 0, bytes_total = 0;  // known so far (walk may still be running)
  bool walk_done = false;                     // totals are final: an ETA can be shown
};

struct CollectOptions {
  std::string label;  // logs | webroot | db | host | other; empty: guessed (GuessLabel)
  std::string note;
  std::string actor;  // who collects (custody)
  int threads = 0;    // hashing/copying workers; 0 = one per core
  // Zip bombs: a member whose output passes max_ratio times the compressed bytes read for it
  // (once past 1 MiB), or max_member_bytes, is skipped and reported with its name.
  double max_ratio = 250;
  uint64_t max_member_bytes = uint64_t{64} << 30;
  bool extract_archives = true;                          // false: store an archive SRC as one file
  int stdin_fd = 0;                                      // where SRC "-" reads a tar stream from
  std::function<void(const CollectProgress&)> progress;  // called from the collecting thread
};

// A per-item problem: recorded (as a skipped item when it is one) and reported; not fatal.
struct CollectProblem {
  std::string source, path;  // raw bytes
  std::string message;
};

struct CollectSummary {
  int64_t batch_id = 0;
  uint64_t items_added = 0;      // new evidence_items rows
  uint64_t already_present = 0;  // unchanged items a previous run holds (idempotent re-run)
  uint64_t files = 0, dirs = 0, symlinks = 0, skipped = 0, hardlinks = 0;
  uint64_t bytes = 0;            // content bytes read
  uint64_t objects_written = 0;  // new objects in the store (the rest were deduplicated)
  std::vector<CollectProblem> problems;
  std::vector<std::pair<std::string, std::string>> labels;  // source -> label used
  std::string public_key_hex;
  std::string manifest_head;  // fingerprint: SHA-256 of the manifest's last line
  uint64_t manifest_lines = 0;
  // Committed lines the manifest file lacked (a run killed between commit and write, or
  // lines cut from its end), written back from the case database.
  uint64_t manifest_repaired = 0;
  int64_t elapsed_us = 0;
};

Result<CollectSummary> Collect(Case& c, const std::vector<std::string>& sources,
                               const CollectOptions& options);
// Collect batches that will never finish: marked 'interrupted', or 'running' on this host by
// a process that is gone (killed). Read only; Collect marks them before it starts its own.
Result<std::vector<int64_t>> InterruptedCollects(Db& db);
Status MarkInterruptedCollects(Db& db);

// Adds one local file a command produced itself (e.g. a dump read from a live database) as
// evidence: stored, recorded with its signed manifest line and a custody record naming
// `source`. Adding the same (source, original_path, label) again returns the first item.
Result<EvidenceItem> AddFileEvidence(Case& c, const std::string& path,
                                     std::string_view original_path, std::string_view source,
                                     std::string_view label, std::string_view actor);

// The label a source gets when none is given: logs, webroot, db or other.
std::string GuessLabel(const std::string& path);

// ---- verify ----

enum class TamperKind {
  kObjectModified,  // content no longer hashes to its name
  kObjectMissing,
  kLineEdited,    // a signature does not match its line
  kLineOrder,     // a line is out of place (reordered)
  kLinesRemoved,  // a gap in the sequence, or lines gone from the end
  kLineMalformed,
  kDatabaseMismatch,  // evidence_items disagrees with the signed manifest
  kKeyMismatch,       // public key differs from the expected / recorded one
  kUnknownObject,     // a file in evidence/objects no manifest line names (planted, or left
                      // by a collect killed before it recorded the item)
};
std::string_view TamperKindName(TamperKind k);

struct TamperProblem {
  TamperKind kind;
  uint64_t line = 0;  // 1-based manifest line, 0 when not about a line
  std::string message;
};

struct VerifyOptions {
  std::string actor;
  int threads = 0;
  std::string expect_public_key;  // hex, as written down after collect; empty = not checked
  std::string expect_head;        // a manifest fingerprint written down earlier: must be a
                                  // line of the chain (the manifest only grew since)
  bool record_custody = true;     // false on a read-only case
};

struct VerifyReport {
  uint64_t lines = 0, items = 0, custody_records = 0;
  uint64_t objects = 0, bytes = 0;
  std::vector<TamperProblem> problems;
  std::string public_key_hex, manifest_head;
  bool ok() const { return problems.empty(); }
};

// Problems found are in the report (not an error status); an error status means verify
// itself could not run.
Result<VerifyReport> Verify(Case& c, const VerifyOptions& options);

// ---- chain of custody ----

struct CustodyRecord {
  int64_t id = 0;
  UnixMicros at = 0;
  std::string actor, host;
  std::string action;   // collect | verify | export
  std::string what;     // what was handled
  std::string origin;   // from where (sources, host) or to where (export)
  std::string sha256;   // manifest head, or hash of what was exported
  std::string outcome;  // ok | failed: ...
  std::string detail;
  uint64_t manifest_line = 0;
};

// Adds a custody record (and its signed manifest line). Other components call this when they
// export evidence.
Result<CustodyRecord> RecordCustody(Case& c, CustodyRecord record);
Result<std::vector<CustodyRecord>> ListCustody(Case& c);
std::string CustodyCsv(const std::vector<CustodyRecord>& records);
std::string CustodyJson(const std::vector<CustodyRecord>& records);

// ---- reading objects ----

// A read-only view of one object's content (mmap; empty objects have an empty view).
class ObjectView {
 public:
  static Result<ObjectView> Open(const Case& c, std::string_view sha256_hex);
  ObjectView(ObjectView&& o) noexcept;
  ObjectView& operator=(ObjectView&& o) noexcept;
  ~ObjectView();
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  ObjectView() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
};

// Streams an object in chunks (bounded memory); fn returns false to stop early.
Status ReadObject(const Case& c, std::string_view sha256_hex,
                  const std::function<bool(std::string_view chunk)>& fn);

// Items for a label with content (kind "file"), sorted by original path.
Result<std::vector<EvidenceItem>> FilesForLabel(Case& c, std::string_view label);

}  // namespace tq::evidence
