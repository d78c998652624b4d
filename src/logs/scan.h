// Reading collected log files for a scan, the first stage of a one-way pipeline (as ripgrep's
// searcher -> matcher -> sink): this component opens every file, detects its compression and
// format once, splits a large plain file into line-aligned ranges (one a thread), decodes
// (a compressed file is one work unit on its own thread), splits the bytes into lines, parses
// them, counts what it skipped, keeps the request journal, and hands the parsed lines of each
// work unit to a RecordSink its caller made for that unit. The caller (rules: the matcher and
// the per-client aggregates) opens no file. Work units run on `threads` threads; each finished
// unit is merged (UnitSinks::Merge) in input order, so the result does not depend on the
// thread schedule.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "logs/logs.h"

namespace tq::logs {

// One line of a chunk as the parser saw it.
struct ParsedLine {
  enum class Kind : uint8_t { kRecord, kEmpty, kTooLong, kBad };
  Kind kind = Kind::kBad;
  std::string_view why;  // kBad: the parser's reason
  uint64_t line_no = 0;  // 1-based in the decompressed content
  // In the chunk: the line's first byte and the end of the line (its '\n', or the chunk's end).
  size_t begin = 0, end = 0;
  // The reason a skipped line is counted under.
  std::string_view SkipReason() const {
    return kind == Kind::kEmpty     ? std::string_view("empty line")
           : kind == Kind::kTooLong ? std::string_view("line too long")
                                    : why;
  }
};

// Where the parsed lines of one work unit go.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // A chunk of whole lines starts (at `offset` in the decompressed content); its lines follow in
  // one or more OnLines calls. `batched`: the records' fields are views into the chunk, and
  // lines come in batches of up to ChunkParser::kBatchLines; otherwise (fields unescaped into
  // the parser's buffers, as JSON's) one line a call.
  virtual void OnChunk(std::string_view chunk, uint64_t offset, bool batched) {
    (void)chunk, (void)offset, (void)batched;
  }
  // Lines of the current chunk in order; records[i] is the record of lines[i] when that is a
  // kRecord line. The records are valid during the call only.
  virtual void OnLines(std::string_view chunk, std::span<const ParsedLine> lines,
                       std::span<const AccessLogRecord> records) = 0;
};

// Splits a chunk of whole lines (ForEachChunk) into lines and parses them, in batches.
class ChunkParser {
 public:
  static constexpr size_t kBatchLines = 256;
  ChunkParser();
  // Lines longer than max_line are kTooLong; a '\r' before the '\n' is not part of the line.
  // Returns the number of lines (the last one may lack its '\n').
  uint64_t Parse(std::string_view chunk, uint64_t first_line, uint64_t offset, LineParser& parser,
                 size_t max_line, RecordSink& sink);

 private:
  std::vector<ParsedLine> lines_;
  std::vector<AccessLogRecord> recs_;
};

// ---- The scan of many files ----
struct ScanFile {
  std::string path;  // where to read
  // For the request journal's manifest.
  int64_t evidence_id = 0;
  std::string sha256;
};

struct ScanOptions {
  StreamOptions stream;
  int threads = 2;
  size_t chunk_size = 4 << 20;
  // Where to keep the request journal (logs/request_journal.h): every access-log request read,
  // written by the work units as they go, committed when the scan is done. Empty: none.
  std::string request_journal;
  std::function<void(uint64_t bytes_done)> progress;  // from worker threads; file bytes
};

// A work unit: a whole file, or a range of lines of a large plain file.
struct ScanUnit {
  size_t index = 0;  // in unit order (input order, ranges in file order)
  size_t input = 0;
  bool range = false;
  uint64_t begin = 0, end = 0;  // a range's bytes
};

// The work units' sinks: made on a worker thread when a unit starts, told when it is read, and
// merged in unit order.
class UnitSinks {
 public:
  virtual ~UnitSinks() = default;
  virtual std::unique_ptr<RecordSink> Open(const ScanUnit& unit) = 0;
  // The unit is read (still on its thread): a sink may convert what it holds for the merge.
  virtual void Close(const ScanUnit& unit, RecordSink& sink) { (void)unit, (void)sink; }
  // In unit order, one at a time. `line_shift`: the lines of the file before the unit (a
  // range's line numbers are counted from its start, its offsets likewise from unit.begin).
  virtual void Merge(const ScanUnit& unit, RecordSink& sink, uint64_t line_shift) = 0;
};

// At most this many units are read or wait to be merged at a time (a thread waits rather than
// run further ahead of the merge): for memory budgets.
inline size_t ScanWindow(int threads) { return static_cast<size_t>(threads < 1 ? 1 : threads) + 1; }

struct ScanResult {
  std::vector<ParseStats> stats;  // per file
  std::vector<size_t> order;      // files by their first timestamp (rotated sets)
  // Why the request journal asked for was not kept ('' when it was, or none was asked for).
  std::string request_journal_error;
};

// Reads every file with all threads. Per-file damage, and an unreadable file, land in
// stats[i].read_error. Fails only for bad options.
Result<ScanResult> ScanFiles(const std::vector<ScanFile>& files, const ScanOptions& options,
                             UnitSinks& sinks);

}  // namespace tq::logs
