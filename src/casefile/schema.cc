// The core tables of case.db, one migration per schema version. Never edit a shipped
// migration: add the next one. Component tables are declared by each component through
// Case::EnsureSchema and tracked in schema_component.
#include "casefile/schema.h"

#include <string>

namespace tq::casefile_internal {
namespace {

constexpr const char* kMigrations[] = {
    // 1: case metadata, evidence, findings, audit.
    R"sql(
CREATE TABLE case_info (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  store_url TEXT NOT NULL DEFAULT '',
  platform TEXT NOT NULL DEFAULT '',
  timezone TEXT NOT NULL DEFAULT 'UTC',
  discovered_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE schema_component (
  name TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);
CREATE TABLE evidence_items (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT 'other',
  original_path BLOB NOT NULL,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  mode INTEGER NOT NULL DEFAULT 0,
  uid INTEGER NOT NULL DEFAULT -1,
  gid INTEGER NOT NULL DEFAULT -1,
  owner TEXT NOT NULL DEFAULT '',
  grp TEXT NOT NULL DEFAULT '',
  mtime_ns INTEGER NOT NULL DEFAULT 0,
  ctime_ns INTEGER NOT NULL DEFAULT 0,
  atime_ns INTEGER NOT NULL DEFAULT 0,
  symlink_target BLOB NOT NULL DEFAULT '',
  skip_reason TEXT NOT NULL DEFAULT '',
  source BLOB NOT NULL DEFAULT '',
  batch_id INTEGER NOT NULL DEFAULT 0,
  collected_at INTEGER NOT NULL,
  UNIQUE (source, original_path, label)
);
CREATE INDEX evidence_items_sha ON evidence_items(sha256);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  component TEXT NOT NULL,
  severity TEXT NOT NULL,
  confidence REAL NOT NULL,
  summary TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  evidence_id INTEGER REFERENCES evidence_items(id),
  evidence_sha256 TEXT NOT NULL DEFAULT '',
  line INTEGER,
  byte_offset INTEGER,
  event_time INTEGER,
  rule TEXT NOT NULL DEFAULT '',
  dedupe_key TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX findings_kind ON findings(kind);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  command TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
)sql",
    // 2: the task force: attackers and tasks.
    R"sql(
CREATE TABLE attackers (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL UNIQUE,
  confidence REAL NOT NULL,
  first_seen INTEGER,
  last_seen INTEGER,
  reasons TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE attacker_addresses (
  attacker_id INTEGER NOT NULL REFERENCES attackers(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  PRIMARY KEY (attacker_id, address)
);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  phase INTEGER NOT NULL DEFAULT 0,
  owner TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'open',
  due_at INTEGER,
  source TEXT NOT NULL DEFAULT 'manual',
  dedupe_key TEXT UNIQUE,
  finding_id INTEGER REFERENCES findings(id),
  detail TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql",
    // 3: a triage class on every finding (actionable | context | noise), so views can show
    // what matters first and count what they hide. Rows from before get their severity's class.
    R"sql(
ALTER TABLE findings ADD COLUMN triage TEXT NOT NULL DEFAULT 'context';
UPDATE findings SET triage = CASE WHEN severity IN ('critical','high') THEN 'actionable'
  WHEN severity = 'medium' THEN 'context' ELSE 'noise' END;
CREATE INDEX findings_triage ON findings(triage, severity, id);
)sql",
};

}  // namespace

int LatestVersion() { return static_cast<int>(std::size(kMigrations)); }

Status MigrateTo(Db& db, int target) {
  TQ_ASSIGN_OR_RETURN(int64_t current, db.QueryInt("PRAGMA user_version"));
  for (int v = static_cast<int>(current) + 1; v <= target; ++v) {
    TQ_RETURN_IF_ERROR(db.Exec(kMigrations[v - 1]));
    TQ_RETURN_IF_ERROR(db.Exec("PRAGMA user_version=" + std::to_string(v)));
  }
  return Status::Ok();
}

}  // namespace tq::casefile_internal
