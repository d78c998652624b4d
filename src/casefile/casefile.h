// The case: a directory holding case.db (SQLite, WAL, foreign keys on), evidence/ and
// reports/. The case file is the single source of truth; every command reads it and adds
// to it in one transaction, and every change is in the audit log.
//
// Schema: the core tables below are versioned by PRAGMA user_version (forward migrations
// in schema.cc). Each component that needs tables of its own declares them with
// EnsureSchema(component, migrations), versioned in table schema_component, so components
// evolve their tables independently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/db.h"
#include "core/result.h"
#include "core/time.h"

namespace tq {

// The schema version of the core tables this binary writes.
int CaseSchemaVersion();

struct CaseInfo {
  std::string name;
  std::string store_url;
  std::string platform;  // magento | woocommerce | prestashop | shopware | opencart | other
  std::string timezone;  // IANA name of the store's local time
  std::optional<UnixMicros> discovered_at;  // when the breach became known (deadlines start)
  UnixMicros created_at = 0;
};

// One component migration: applied in order, each once.
struct Migration {
  int version;
  const char* sql;
};

class Case {
 public:
  // Creates DIR (or uses it when empty) and a new case in it.
  static Result<std::unique_ptr<Case>> Create(const std::string& dir, const CaseInfo& info);
  // Opens an existing case; migrates an older schema forward (in one transaction).
  static Result<std::unique_ptr<Case>> Open(const std::string& dir, bool read_only = false);

  const std::string& dir() const { return dir_; }
  std::string DbPath() const { return dir_ + "/case.db"; }
  std::string EvidenceDir() const { return dir_ + "/evidence"; }
  std::string ReportsDir() const { return dir_ + "/reports"; }
  // Where a content-addressed object lives: evidence/objects/ab/abcdef....
  std::string ObjectPath(std::string_view sha256_hex) const;
  Db& db() { return *db_; }

  Result<CaseInfo> Info();
  Status UpdateInfo(const CaseInfo& info);
  TimeZone Zone();  // the case's zone, UTC if unset or unknown

  // Runs fn in one BEGIN IMMEDIATE transaction: commit when fn returns OK, else roll back,
  // so a failed command leaves no partial rows.
  Status Transaction(const std::function<Status(Db&)>& fn);

  // Declares a component's own tables; applies the migrations it has not applied yet.
  Status EnsureSchema(std::string_view component, std::span<const Migration> migrations);

  // One audit row: who, when, what command, its outcome, free-form detail.
  Status Audit(std::string_view actor, std::string_view command, std::string_view outcome,
               std::string_view detail = "");

 private:
  Case(std::string dir, std::unique_ptr<Db> db) : dir_(std::move(dir)), db_(std::move(db)) {}
  std::string dir_;
  std::unique_ptr<Db> db_;
};

// ---- Records shared by every component (core tables) ----

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);
Severity SeverityFromName(std::string_view name);  // unknown -> kInfo

struct Finding {
  int64_t id = 0;
  std::string kind;       // "log.rule_hit", "webroot.yara", "storedb.injected_script", ...
  std::string component;  // logs | webroot | storedb | analysis | ...
  Severity severity = Severity::kMedium;
  double confidence = 0.5;  // 0..1
  std::string summary;      // one line, raw (escape when shown)
  std::string detail_json;  // component-specific JSON object ("{}" when none)
  std::optional<int64_t> evidence_id;
  std::string evidence_sha256;
  std::optional<int64_t> line;         // 1-based line in the evidence item
  std::optional<int64_t> byte_offset;  // byte offset in the evidence item
  std::optional<UnixMicros> event_time;
  std::string rule;  // rule id / name that produced it, if any
  // Same key, same finding: re-running a command refreshes the row instead of adding one.
  std::string dedupe_key;
  // actionable | context | noise (see casefile/triage.h); '' takes the severity's default.
  std::string triage;
};

// Inserts or refreshes (by dedupe_key) and returns the row id.
Result<int64_t> UpsertFinding(Db& db, const Finding& f);
Result<std::vector<Finding>> ListFindings(Db& db, std::string_view kind_prefix = "");

// The breach window of a case as the stages of a run establish it (analysis computes it:
// analysis/breach_window.h), handed to the stages that judge times against it: the web root's
// file times, the database's accounts, tokens and configuration changes.
struct BreachWindow {
  UnixMicros start = 0, end = 0;
};

// An attack the web server answered with success (a high or critical rule hit of the logs
// stage answered 2xx/3xx): an account created at the same second was made by it.
struct AnsweredAttack {
  UnixMicros time = 0;
  std::string client, request, rule;
};

struct EvidenceItem {
  int64_t id = 0;
  std::string sha256;         // empty for items with no content (dirs, symlinks, skipped)
  std::string label;          // logs | webroot | db | host | other
  std::string original_path;  // raw bytes as found
  std::string kind;           // file | dir | symlink | special | skipped
  uint64_t size = 0;
  uint32_t mode = 0;
  int64_t uid = -1, gid = -1;
  std::string owner, group;
  int64_t mtime_ns = 0, ctime_ns = 0, atime_ns = 0;
  std::string symlink_target;
  std::string skip_reason;
  std::string source;    // the SRC argument or archive it came from
  int64_t batch_id = 0;  // the collect run that added it
  UnixMicros collected_at = 0;
};

Result<std::vector<EvidenceItem>> ListEvidence(Db& db, std::string_view label = "");

enum class TaskStatus { kOpen, kInProgress, kDone, kCancelled };
std::string_view TaskStatusName(TaskStatus s);

struct Task {
  int64_t id = 0;
  std::string title;
  int phase = 0;  // 1..5, the response phase it belongs to
  std::string owner;
  TaskStatus status = TaskStatus::kOpen;
  std::optional<UnixMicros> due_at;
  std::string source;      // contain | notify | manual
  std::string dedupe_key;  // automatic tasks: refreshed, never duplicated
  std::optional<int64_t> finding_id;
  std::string detail;
};
Result<int64_t> UpsertTask(Db& db, const Task& t);
Result<std::vector<Task>> ListTasks(Db& db);

}  // namespace tq
