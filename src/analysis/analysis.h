// Analysis: who the attackers are, how they got in, what they took, and the timeline.
//
// Input is a stream of parsed access records, plus what the other stages found (web-root
// artifacts, database rows). The log items are read once, by the logs component: while the
// logs stage scans them with the rules it keeps every request in a compact request journal
// (logs/request_journal.h: the fields of AccessRecord, in zstd blocks in the case's
// cache/requests: 90 MB for the 359 MB of partly gzip'd logs of bench/whole_case.sh), and the
// analysis replays that journal (log_records.h) instead of decompressing and parsing the logs
// again. A case without a journal for its current evidence (its logs stage ran elsewhere or before
// journals existed; the journal was damaged) has the logs component build it first, in one read.
// The stages in between need the logs stage's output (the database stage takes its breach window
// from the rule hits) and the analysis needs theirs (artifacts, database events) from its first
// pass on, so the passes run in the analysis stage, over the replayed records, with the rule hits
// joined on from the logs stage's tables. The Investigation runs two passes over the records:
//   pass 1 (Observe):  bounded per-client profiles; then Attribute() clusters addresses
//                      into attackers and picks the entry request;
//   pass 2 (Revisit):  each attacker's requests in order, plus requests from addresses not
//                      yet attributed that touched the attacker's artifacts;
// then Finish() derives exfiltration, the skimmer's live window and the sessions.
// Memory is bounded by the number of distinct clients, not by the number of records; a
// replay holds one journal block (about 512 KB) and its dictionaries.
//
// Table analysis_timeline (written by WriteInvestigation, read by the timeline command, the
// web UI and the report; refreshed as a whole on every run):
//   id INTEGER PRIMARY KEY      stable order: by time, then source, evidence, line
//   time INTEGER NOT NULL       UTC microseconds since the epoch
//   source TEXT NOT NULL        log | file | db | finding | analysis | platform (an error
//                               log line of the store platform: PHP, Magento)
//   kind TEXT NOT NULL          request, file.mtime, file.ctime, db.<finding kind>, the
//                               finding kind, analysis.entry_vector, platform.<level>, ...
//   message TEXT NOT NULL       one line, raw evidence bytes (escape when shown)
//   actor TEXT NOT NULL         who did it when known (an account name), else ''
//   ip TEXT NOT NULL            client address for log rows, else ''
//   evidence_id INTEGER NULL    evidence_items.id the row comes from
//   evidence_sha256 TEXT        SHA-256 of that item ('' when none)
//   evidence_path BLOB          its original path
//   line INTEGER NULL           1-based line in the (decompressed) item
//   byte_offset INTEGER NULL    byte offset of the line / row in the item
//   attacker_id INTEGER NULL    attackers.id when the row is an attacker's
//   finding_id INTEGER NULL     findings.id the row stands for, if any
//   detail TEXT NOT NULL        JSON object with the rest (status, bytes, rule, ...)
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "casefile/triage.h"
#include "core/result.h"
#include "core/time.h"

namespace tq::analysis {

// A rule that matched a record (from the logs stage's Sigma hits).
struct RuleMatch {
  std::string rule;               // rule id
  std::string title;              // rule title
  std::string level;              // informational | low | medium | high | critical
  std::vector<std::string> tags;  // Sigma tags: attack.t1190, cve.2024-34102, ...
};

// One parsed access-log request. Views are valid during the visitor call only.
struct AccessRecord {
  UnixMicros time = 0;
  std::string_view client;               // c-ip
  std::string_view method, path, query;  // path: the URI stem, query without '?'
  int status = 0;
  int64_t bytes = -1;  // sc-bytes, -1 when not logged
  std::string_view user_agent, referrer;
  std::string_view session;  // a session/token the format logs, '' when none
  int64_t evidence_id = 0;   // evidence_items.id of the log item
  int64_t line = 0;          // 1-based line in the decompressed item
  int64_t offset = -1;       // byte offset of the line in the decompressed item
  std::span<const RuleMatch> hits;
};

// Something the attacker left on the server that a request can touch.
struct Artifact {
  std::string path;  // relative to the web root ("pub/media/wysiwyg/x.php")
  // webshell | backdoor | skimmer | dump | persistence | injected_row (the REST resource of
  // an injected database row) | file
  std::string kind;
  std::optional<UnixMicros> mtime;
  int64_t finding_id = 0;
  int64_t evidence_id = 0;
};

// A database fact with a time: account created, config row updated, token issued.
struct DbEvent {
  UnixMicros time = 0;
  std::string kind;          // the storedb finding kind
  std::string summary;       // one line
  std::string actor;         // account name, if any
  bool skimmer = false;      // an injected script (starts a skimmer window)
  bool rogue_admin = false;  // an admin account the store did not create
  int64_t finding_id = 0;
  int64_t evidence_id = 0;
  std::optional<int64_t> line, byte_offset;
  // An exploit payload stored by the platform itself (a template directive in an order's
  // address): it marks the entry, not a skimmer. `cve` names the vulnerability if known.
  bool exploit = false;
  std::string cve;
};

struct InvestigationInputs {
  std::vector<Artifact> artifacts;
  std::vector<DbEvent> db_events;
  std::optional<UnixMicros> discovered_at;  // the case's discovery time
  std::optional<UnixMicros> collected_at;   // when the web root was collected
  std::vector<std::string> advisory_cves;   // CVEs the installed platform version is open to
};

struct Request {
  UnixMicros time = 0;
  std::string client, method, path, query, user_agent;
  int status = 0;
  int64_t bytes = -1;
  int64_t evidence_id = 0, line = 0, offset = -1;
  std::vector<RuleMatch> hits;
};

// An actor: one address, a few linked ones, or a campaign (many addresses that behave as one:
// the same targets, method mix, agents and pace in one window).
struct Attacker {
  std::string label;           // attacker-1, attacker-2, ... by what they achieved (see Finish)
  std::string role;            // intruder | rogue_admin | credential_stuffing | exfiltration
  std::string kind = "actor";  // actor | campaign
  std::string summary;         // "credential-stuffing campaign, 40 addresses" for a campaign
  // What it got: foothold (code or admin access on the store), persistence (a planted file,
  // account or row it used), exfiltration (data downloaded). Ranking goes by these.
  std::vector<std::string> achieved;
  std::vector<std::string> addresses;  // sorted
  UnixMicros first_seen = 0, last_seen = 0;
  double confidence = 0;
  std::vector<std::string> reasons;
  int64_t requests = 0;
  int64_t bytes_sent = 0;  // sum of response sizes sent to its addresses
};

struct EntryVector {
  size_t attacker = 0;  // index into attackers
  Request request;
  std::string technique;  // rule title, or what the request did
  std::string cve;        // from the rule's tags or the platform advisory, '' if none
  std::vector<std::string> reasons;
};

struct SessionEvent {
  size_t attacker = 0;
  Request request;
  bool artifact = false;                // touched an attacker artifact
  bool attributed_by_artifact = false;  // the address was added in pass 2
};

struct Exfiltration {
  size_t attacker = 0;
  std::string kind;  // download | webshell_response
  Request request;
  // A download: the attackers' last command to a webshell before it (a dump in the web root
  // is written by such a command), the latest the file can have been written. Rows created
  // after it cannot be in the file.
  std::optional<Request> written_by;
};

struct SkimmerWindow {
  UnixMicros start = 0;
  std::optional<UnixMicros> end;
  std::string start_reason, end_reason;
  int64_t start_finding_id = 0;
  int64_t start_evidence_id = 0;
};

// A platform error-log line on the timeline (see platform_logs.h).
struct PlatformEvent {
  UnixMicros time = 0;
  std::string level, channel;
  std::string message;  // the line's message, at most 2 KiB
  std::string why;      // what selected it: "names 1.2.3.4", "error in the attack window"
  int64_t evidence_id = 0, line = 0, offset = -1;
};

// Addresses whose rule hits were refused and none worked: internet background noise, one
// actor for the views, not an attacker (no containment, no blocklist).
struct BackgroundScanning {
  int64_t addresses = 0, requests = 0, hits = 0, refused = 0;
  UnixMicros first_seen = 0, last_seen = 0;
  std::vector<std::string> sample;  // sorted, at most 1000 addresses
};

// How one request with rule hits came out (triage.h's outcome with the path's ordinary
// answer) and whose it was: the analysis rates the request's findings from it.
struct RatedRequest {
  int64_t evidence_id = 0, line = 0;
  RequestOutcome outcome = RequestOutcome::kUnknown;
  std::optional<size_t> attacker;  // index into attackers
  bool open_exploit = false;       // names a CVE the installed version is open to
};

struct InvestigationResult {
  std::vector<Attacker> attackers;
  std::optional<EntryVector> entry;
  std::vector<SessionEvent> sessions;  // by time
  std::vector<Exfiltration> exfiltration;
  int64_t bytes_exfiltrated = 0;  // sum over downloads
  std::optional<SkimmerWindow> skimmer_window;
  int64_t clients = 0, failed_scanners = 0, store_admins = 0;
  int64_t records = 0, dropped_session_events = 0;
  std::vector<std::string> notes;              // caps hit, inputs missing
  std::vector<PlatformEvent> platform_events;  // filled by InvestigateCase
  std::optional<BackgroundScanning> background;
  std::vector<RatedRequest> rated;  // requests with rule hits, in pass-2 order (capped)
  int64_t rated_dropped = 0;
};

// The two-pass analysis. Not thread-safe; feed records in any order.
class Investigation {
 public:
  explicit Investigation(InvestigationInputs inputs);
  ~Investigation();
  void Observe(const AccessRecord& r);  // pass 1
  void Attribute();                     // between the passes
  void Revisit(const AccessRecord& r);  // pass 2
  InvestigationResult Finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// "cve.2024-34102" / "CVE-2024-34102" tags to "CVE-2024-34102"; '' when none.
std::string CveFromTags(std::span<const std::string> tags);

// Writes attackers, attacker_addresses, the analysis.* findings and analysis_timeline, in the
// caller's transaction (InvestigateCase then calls RateFindings in the same one). Re-runs
// refresh: labels are unique, the timeline is rebuilt. Returns the number of findings written.
Result<int64_t> WriteInvestigation(Case& c, Db& db, const InvestigationResult& r);

Status EnsureAnalysisSchema(Case& c);

// Severity and triage of the log.rule_hit findings from the investigation (casefile/triage.h):
// a request that worked takes its rule's level, one that did not is low and noise, unless it
// is part of the breach: the entry, or a request of an actor that got a foothold, persistence
// or data which worked or exploits a vulnerability the store has (at least high, actionable).
// An attacker's other requests are context. Other findings keep their writer's class.
struct RatingSummary {
  int64_t rated = 0, raised = 0, lowered = 0;
};
Result<RatingSummary> RateFindings(Db& db, const InvestigationResult& r);

// ---- Running it over a case ----

// Hands every parsed access record of the collected logs to the visitor, in a stable order
// (file by file, line by line: the result does not depend on it otherwise); the logs
// component provides it (log_records.h: the request journal replayed). Called twice (two
// passes).
using RecordVisitor = std::function<void(const AccessRecord&)>;
using RecordSource = std::function<Status(const RecordVisitor&)>;

// What the other stages found, read from the case's findings:
//   webroot.yara (detail family webshell|skimmer|persistence), webroot.misplaced_php and
//   webroot.disguised_php (webshell) -> artifacts, with the file's mtime;
//   webroot.advisory (detail cve) -> advisory CVEs;
//   storedb.* with an event time -> database events (an injected script starts a skimmer
//   window; a rogue/unknown admin account marks a rogue admin); an injected cms_block or
//   cms_page row also becomes an artifact at its REST resource (/rest/V1/cmsBlock/<id>).
// The case's discovery time and the web root's collection time bound the skimmer window.
Result<InvestigationInputs> LoadInvestigationInputs(Case& c);

struct CaseInvestigation {
  InvestigationResult result;
  int64_t findings = 0;  // analysis.* findings written
  int64_t timeline_rows = 0;
  int64_t hits_joined = 0;  // log.rule_hit findings joined onto records by item and line
  int64_t platform_log_files = 0, platform_log_lines = 0;  // platform error logs read
  RatingSummary rating;  // log.rule_hit findings rated by outcome and actor
};

// Both passes over `records` (rule hits joined from the log.rule_hit findings by evidence
// item and line when the records carry none), then writes everything in one transaction:
// ComputeCaseInvestigation, then WriteCaseInvestigation.
Result<CaseInvestigation> InvestigateCase(Case& c, const RecordSource& records);

// The investigation's outcome (`result` and the counts read; nothing written: `findings`,
// `timeline_rows` and `rating` stay 0) from the case's committed state. It only reads the case,
// so it may run on a connection of its own (a read-only Case) beside another stage's writes,
// once every finding it reads (the web root's, the store database's, the logs' rule hits) is
// committed.
Result<CaseInvestigation> ComputeCaseInvestigation(Case& c, const RecordSource& records);
// Writes a computed investigation to `c` in one transaction (the analysis findings, the
// timeline, the rule hits' ratings) and fills in what it wrote.
Result<CaseInvestigation> WriteCaseInvestigation(Case& c, CaseInvestigation computed);

}  // namespace tq::analysis
