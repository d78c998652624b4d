// The request journal: the requests of a case's collected access logs in a compact form, kept
// during the logs stage's one read of each log item so that the analysis can go over them
// (twice: client profiles, then sessions) without decompressing and parsing the logs again.
// Only the logs component opens a log item: the journal is written by the scan (rules'
// ScanLogs, through JournalSegmentWriter), or rebuilt here from the items when it is missing
// or was made from other evidence (BuildRequestJournal).
//
// On disk, a directory (the case's cache/requests):
//   MANIFEST        text: "tourniquet-request-journal 2", then "inputs N" and one line per
//                   log item (evidence id, SHA-256, lines, parsed, skipped, problem as hex or
//                   '-'), then "segments M" and one line per segment (input index, line and
//                   byte-offset shifts, records, file name), then "end".
//   segment-K.tqj   the requests of one work unit (a file, or a range of lines of a large
//                   one), in line order: blocks of [u32 raw size][u32 zstd size][zstd frame
//                   with a checksum], each frame whole records (about 512 KB of them). A record:
//                   zigzag varint deltas of time, line and offset, varints of status and bytes + 1,
//                   then client, method, path, query, user agent and session, each as a varint
//                   code: 0 empty; 1 (client only) a dotted-quad IPv4 address as its four
//                   bytes; 2..2049 the value last stored in that dictionary slot of the field;
//                   else 2050 + length and the bytes. A field's 2048 slots are 1024 sets of
//                   two; a value of at most 208 bytes (never a query: nearly always new) is
//                   stored in set XXH3(value) % 1024, in the slot of the two used least
//                   recently (a store or a reference is a use).
// A journal is built in DIR.new and replaces DIR only when complete (CommitJournal); one that
// is damaged (or of another format version) reads as an error, and the caller rebuilds it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "logs/logs.h"

namespace tq::logs {

// One request as the analysis reads it. Views are valid during the visitor call only.
struct JournalRequest {
  UnixMicros time = 0;  // 0 when the line has no time
  std::string_view client, method, path, query, user_agent;
  std::string_view session;  // SessionFromCookie of the Cookie field, '' when none
  int status = 0;            // 0 when not a number
  int64_t bytes = -1;        // -1 when the format does not log it (0 when "-")
  int64_t line = 0;          // 1-based in the decompressed item
  int64_t offset = 0;        // byte offset of the line in the decompressed item
};

// The session a Cookie header carries (PHP, Magento frontend/admin, WordPress logged-in and
// WooCommerce session cookies), as "name=value"; '' when none.
std::string_view SessionFromCookie(std::string_view cookie);

struct JournalManifest {
  struct Input {
    int64_t evidence_id = 0;
    std::string sha256;
    uint64_t lines = 0, parsed = 0, skipped = 0;  // the read's statistics, for summaries
    std::string problem;  // unreadable or damaged (what came before was kept); '' when fine
  };
  struct Segment {
    size_t input = 0;
    uint64_t line_shift = 0, offset_shift = 0;  // a range's place in its file
    uint64_t records = 0;
    std::string file;  // inside the journal directory
  };
  std::vector<Input> inputs;
  std::vector<Segment> segments;  // in input order, then line order
};

// The requests of one work unit into `path`. Not thread-safe; one per unit.
class JournalSegmentWriter {
 public:
  static Result<std::unique_ptr<JournalSegmentWriter>> Create(const std::string& path);
  ~JournalSegmentWriter();
  // Keeps a request of an access log (records of other kinds are ignored).
  void Add(const AccessLogRecord& rec);
  // Keeps the requests among `recs`, in their order: the same as Add of each, faster (their
  // dictionary lookups are fetched ahead).
  void Add(std::span<const AccessLogRecord* const> recs);
  // Writes what is buffered and closes the file; the first error of any write.
  Status Finish();
  uint64_t records() const;
  // Memory one writer holds at most (buffers, compressor, dictionaries) for lines of at most
  // max_line bytes.
  static size_t MaxBytes(size_t max_line);

 private:
  struct State;
  explicit JournalSegmentWriter(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

// DIR.new, emptied: where a journal for DIR is built.
Result<std::string> BeginJournal(const std::string& dir);
// Writes the manifest into DIR.new and puts it in DIR's place.
Status CommitJournal(const std::string& dir, const JournalManifest& manifest);
// NotFound when there is no journal; BadInput when its manifest is damaged.
Result<JournalManifest> ReadJournalManifest(const std::string& dir);

// Every request of the journal in manifest order, with its item's evidence id. A damaged
// segment ends the replay with BadInput (the caller rebuilds the journal).
using JournalVisitor = std::function<void(int64_t evidence_id, const JournalRequest&)>;
Status ReplayJournal(const std::string& dir, const JournalManifest& manifest,
                     const JournalVisitor& visit);

// The logs component reads the items itself (on up to `threads` threads, one file each) and
// builds the journal in DIR: for a case whose logs stage left none (it ran elsewhere, or
// before journals existed). `inputs[i].path` is where item i is read.
struct JournalSource {
  int64_t evidence_id = 0;
  std::string sha256, path;
};
Result<JournalManifest> BuildRequestJournal(const std::string& dir,
                                            const std::vector<JournalSource>& inputs,
                                            const StreamOptions& options, int threads = 2);

}  // namespace tq::logs
