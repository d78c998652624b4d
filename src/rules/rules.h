// Sigma rules (webserver category) over access logs. Rules load unchanged from YAML; every
// string value of every rule becomes an "atom", and the atoms that can be searched for as text
// are compiled into one Vectorscan database that scans whole chunks of log lines at once.
// Matches are mapped back to lines; only the rules with a matching atom on a line (plus the
// few rules that can hold without any text match) have their condition evaluated there,
// on the parsed fields. A rule using something unsupported is skipped with file, line and
// reason; the others run.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/releaser.h"
#include "core/result.h"
#include "core/skipped.h"
#include "logs/logs.h"
#include "logs/scan.h"
#include "rules/correlation.h"

namespace tq::rules {

struct RuleInfo {
  std::string id, name, title, status, level, description, file;
  int line = 0;  // line of `title:` in the file
  std::vector<std::string> tags, references;
  // Fields the rule names that are not in the webserver taxonomy (`response`): only a log that
  // carries them (JSON lines with such a member, or one mapped by --json-field) can match them.
  std::vector<std::string> extra_fields;
  // False for a rule that only feeds correlations (Sigma's `generate: false`, the default):
  // its hits are counted but not kept, and make no findings of their own.
  bool generate = true;
};

struct RuleProblem {             // a rule file or rule that did not load
  SkippedInput where;            // the file, the line (1-based) and why
  std::string title;             // the rule's, when it was read that far
  std::string ToString() const;  // "file:line: title: reason"
};

struct RuleSet;  // loaded, compiled rules (opaque)
struct RuleSetDeleter {
  void operator()(RuleSet* r) const;
};
using RuleSetPtr = std::unique_ptr<RuleSet, RuleSetDeleter>;

// Loads every *.yml / *.yaml under the given directories or files (sorted, recursive) and
// compiles them. Files that are not Sigma webserver rules are reported, not fatal; the call
// fails only when nothing could be compiled at all.
Result<RuleSetPtr> LoadRules(const std::vector<std::string>& paths);
// Loads rules from YAML text (tests, fuzzing); `file` names it in problems.
Result<RuleSetPtr> LoadRulesFromText(const std::vector<std::pair<std::string, std::string>>& docs);

// The shipped pack (rules/sigma): $TOURNIQUET_RULES, else next to the binary (installed
// share/tourniquet/rules/sigma, or the source tree of a build directory). Empty if not found.
std::string ShippedRulesDir();

const std::vector<RuleInfo>& Rules(const RuleSet& rs);
const std::vector<RuleProblem>& Skipped(const RuleSet& rs);
const std::vector<CorrelationInfo>& Correlations(const RuleSet& rs);
size_t ScannedPatternCount(const RuleSet& rs);

// A Sigma condition, parsed against the selection names it may refer to. Exposed for
// `rules check` messages and fuzzing. Errors name the column: "col 12: expected ')'".
Status CheckCondition(std::string_view condition, const std::vector<std::string>& selections);

// ---- Scanning ----
class LineSink {
 public:
  virtual ~LineSink() = default;
  // Every parsed line; `hits` are indexes into Rules() that matched it (usually empty).
  virtual void OnRecord(const logs::AccessLogRecord& rec, std::span<const uint32_t> hits) = 0;
  virtual void OnSkip(std::string_view reason, uint64_t line_no) = 0;
  // A hint: these records are about to be reported, in this order (a sink may prefetch
  // what it will touch for them). The views are valid until the last of them is reported.
  virtual void Upcoming(std::span<const logs::AccessLogRecord* const> records) { (void)records; }
};

// One per thread: scratch space and per-line state.
class Scanner {
 public:
  explicit Scanner(const RuleSet& rs);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;
  // Scans a buffer of whole lines (see logs::ForEachChunk) and parses each line with
  // `parser`, reporting to `sink`. Lines longer than max_line are skipped ("line too long").
  void ScanChunk(std::string_view chunk, uint64_t first_line, uint64_t offset,
                 logs::LineParser& parser, LineSink& sink, size_t max_line = 1 << 20);
  // The matcher alone, over lines the logs component parsed (logs::RecordSink's calls): a
  // chunk starts (its atoms are searched in it at once), then its lines in order.
  void OnChunk(std::string_view chunk, bool batched);
  void Match(std::string_view chunk, std::span<const logs::ParsedLine> lines,
             std::span<const logs::AccessLogRecord> records, LineSink& sink);
  // Rules matching one line (tests, `rules check` self-tests): indexes into Rules().
  std::vector<uint32_t> MatchLine(std::string_view line, logs::LineParser& parser);
  // The same without any prefilter: every rule evaluated with every atom tested on the
  // fields. The reference the scan is tested against; slow.
  std::vector<uint32_t> MatchLineDirect(std::string_view line, logs::LineParser& parser);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// A logs::RecordSink that matches the lines it is given and reports them to a LineSink.
class MatchingSink : public logs::RecordSink {
 public:
  MatchingSink(Scanner& scanner, LineSink& out) : scanner_(scanner), out_(out) {}
  void OnChunk(std::string_view chunk, uint64_t offset, bool batched) override {
    (void)offset;
    scanner_.OnChunk(chunk, batched);
  }
  void OnLines(std::string_view chunk, std::span<const logs::ParsedLine> lines,
               std::span<const logs::AccessLogRecord> records) override {
    scanner_.Match(chunk, lines, records, out_);
  }

 private:
  Scanner& scanner_;
  LineSink& out_;
};

// ---- Scanning collected log files (investigate) ----
struct LogInput {
  std::string path;  // where to read (the evidence object)
  std::string name;  // what to call it (the original path)
  int64_t evidence_id = 0;
  std::string sha256;
};

struct LogHit {
  uint32_t rule = 0;  // index into Rules()
  size_t input = 0;   // index into the inputs
  uint64_t line_no = 0, offset = 0;
  UnixMicros time = 0;
  bool has_time = false;
  std::array<std::string, logs::kFieldCount> fields;  // copies, capped at 4 KiB each
};

struct ClientStats {
  std::string ip;
  UnixMicros first_seen = 0, last_seen = 0;
  uint64_t requests = 0, bytes = 0;
  std::vector<std::pair<int, uint64_t>> statuses;  // status -> requests
  std::vector<std::string> user_agents;            // first kMaxAgents seen
  std::vector<std::string> paths;                  // distinct paths, first kMaxPaths
  bool paths_capped = false;
  std::vector<uint64_t> path_hashes, agent_hashes;  // for cheap membership tests
  static constexpr size_t kMaxAgents = 8, kMaxPaths = 64;
};

struct LogScanOptions {
  logs::StreamOptions stream;
  int threads = 2;
  size_t max_hits = 200000;     // hits kept in memory; more are counted per rule
  size_t max_clients = 200000;  // per-client aggregates kept; more are counted
  size_t chunk_size = 4 << 20;
  // The stage's memory: the process's peak while it runs, whatever the input. What is held
  // besides the tables comes out of it first (StageFixedBytes: the process as it starts, each
  // thread's buffers, what storing needs); of the rest the correlation events take their share
  // (below), then the client aggregates three quarters and the stored hits one quarter, each
  // half for the merged result and half for the work units in flight (threads + 1 at most).
  // The tables count what the allocator hands out for them (blocks as allocated, not bytes
  // asked for). Past their share, clients, their paths and agents, and hits are counted
  // instead of kept (clients_dropped, client_values_dropped, hits_dropped). A max_memory under
  // twice the fixed part (tests) gives the tables half of it.
  size_t max_memory = size_t{768} << 20;
  // Bytes for the events collected for correlations (48 bytes each, plus each group's values
  // once), shared by the work units in flight and the merged events, taken out of max_memory
  // (at most a quarter of it) when the rules hold correlations; past it events are counted in
  // correlation_stats.events_dropped. Their evaluation's window state comes on top, bounded by
  // each correlation's threshold per group active in a window.
  size_t max_correlation_memory = size_t{128} << 20;
  std::function<void(uint64_t bytes_done)> progress;  // called from worker threads
  // Where to keep the request journal (logs/request_journal.h): every access-log request the
  // scan reads, for the analysis, written by the work units as they go. Empty: none.
  std::string request_journal;
};

// What the stage holds besides its tables (see max_memory).
size_t StageFixedBytes(const LogScanOptions& options);

struct LogScanResult {
  std::vector<logs::ParseStats> stats;  // per input
  std::vector<LogHit> hits;             // sorted by input, line, rule
  uint64_t hits_dropped = 0;
  std::vector<uint64_t> rule_hits;     // per rule, all hits
  std::vector<ClientStats> clients;    // sorted by address
  uint64_t clients_dropped = 0;        // requests of clients not kept (cap or memory bound)
  uint64_t client_values_dropped = 0;  // paths and user agents not kept for lack of memory
  std::vector<size_t> order;           // inputs by their first timestamp (rotated sets)
  std::vector<CorrelationHit> correlation_hits;  // by correlation (inner first), then time
  CorrelationStats correlation_stats;
  // Why the request journal asked for was not kept ('' when it was, or none was asked for).
  std::string request_journal_error;
  // What the scan no longer needed, freed on a thread of its own while the result is stored
  // (null when the scan handed nothing over); the last copy's destruction waits for it.
  std::shared_ptr<Releaser> released;
};

// Matches every input with all threads: the logs component reads and parses them
// (logs::ScanFiles: files in parallel, a large plain file split in ranges) and hands each work
// unit's parsed lines to a matcher and per-client aggregates made here. Per-file damage lands in
// stats[i].read_error; an unreadable file in stats[i].read_error too. Fails only for bad
// options.
Result<LogScanResult> ScanLogs(const std::vector<LogInput>& inputs, const RuleSet& rs,
                               const LogScanOptions& options);

}  // namespace tq::rules

namespace tq {
class Case;
}
namespace tq::rules {
struct StoreSummary {
  int64_t findings = 0;         // findings recorded (upserted)
  int64_t findings_capped = 0;  // hits beyond the finding cap (still in logs_rule_hit)
};
// Writes the scan into the case in one transaction: logs_file, logs_skip, logs_rule_hit,
// logs_rule_count, logs_client (replaced for the files scanned) and one finding per hit (kind
// "log.rule_hit", deduplicated by rule, object and line), most severe first, up to
// max_findings. A hit takes its rule's level only when the answer says it could have worked
// (casefile/triage.h: 2xx/3xx); a refused or failed one is rated low (info for low rules),
// triaged as noise, and its detail keeps the rule's `level` and the `outcome`.
// progress, when given, is told the rows written so far and the rows to write (hits, clients
// and findings), every few thousand rows. The clients' path and user-agent lists are released
// as their rows are made (on a second thread, beside the writes: freeing a large drill's
// million short strings afterwards was a sixth of the stage's tail); the rest of `r` is kept.
Result<StoreSummary> StoreLogScan(
    Case& c, const std::vector<LogInput>& inputs, const RuleSet& rs, LogScanResult& r,
    size_t max_findings = 20000,
    const std::function<void(uint64_t rows_done, uint64_t rows_total)>& progress = {});
}  // namespace tq::rules
