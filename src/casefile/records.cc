// Findings, evidence items and tasks: the rows every component shares.
#include "casefile/casefile.h"
#include "casefile/triage.h"

namespace tq {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

Severity SeverityFromName(std::string_view n) {
  if (n == "low") return Severity::kLow;
  if (n == "medium") return Severity::kMedium;
  if (n == "high") return Severity::kHigh;
  if (n == "critical") return Severity::kCritical;
  return Severity::kInfo;
}

std::string_view TaskStatusName(TaskStatus s) {
  switch (s) {
    case TaskStatus::kOpen: return "open";
    case TaskStatus::kInProgress: return "in_progress";
    case TaskStatus::kDone: return "done";
    case TaskStatus::kCancelled: return "cancelled";
  }
  return "open";
}

static TaskStatus TaskStatusFromName(std::string_view n) {
  if (n == "in_progress") return TaskStatus::kInProgress;
  if (n == "done") return TaskStatus::kDone;
  if (n == "cancelled") return TaskStatus::kCancelled;
  return TaskStatus::kOpen;
}

Result<int64_t> UpsertFinding(Db& db, const Finding& f) {
  if (f.dedupe_key.empty()) return Status::Internal("finding without a dedupe key: " + f.summary);
  TQ_ASSIGN_OR_RETURN(
      Stmt * cached,
      db.Cached("INSERT INTO findings(kind,component,severity,confidence,summary,detail,"
                "evidence_id,evidence_sha256,line,byte_offset,event_time,rule,dedupe_key,"
                "created_at,updated_at,triage) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(dedupe_key) DO UPDATE SET kind=excluded.kind,"
                "component=excluded.component,severity=excluded.severity,"
                "confidence=excluded.confidence,summary=excluded.summary,detail=excluded.detail,"
                "evidence_id=excluded.evidence_id,evidence_sha256=excluded.evidence_sha256,"
                "line=excluded.line,byte_offset=excluded.byte_offset,"
                "event_time=excluded.event_time,rule=excluded.rule,"
                "updated_at=excluded.updated_at,triage=excluded.triage RETURNING id"));
  Stmt& st = *cached;
  struct ResetAfter {  // leaves the kept statement idle, whatever happens
    Stmt& s;
    ~ResetAfter() { (void)s.Reset(); }
  } reset{st};
  UnixMicros now = NowMicros();
  // The finding's text is read in place (it outlives the step, and the reset on return): a large
  // drill writes 20,000 findings of a kilobyte or more each, and a copy of every value.
  st.BindUncopied(1, f.kind).BindUncopied(2, f.component).Bind(3, SeverityName(f.severity));
  st.Bind(4, f.confidence).BindUncopied(5, f.summary);
  st.BindUncopied(6, f.detail_json.empty() ? std::string_view("{}") : f.detail_json);
  st.Bind(7, f.evidence_id).BindUncopied(8, f.evidence_sha256).Bind(9, f.line);
  st.Bind(10, f.byte_offset).Bind(11, f.event_time).BindUncopied(12, f.rule);
  st.BindUncopied(13, f.dedupe_key).Bind(14, now).Bind(15, now);
  if (!f.triage.empty() && !TriageFromName(f.triage))
    return Status::Internal("finding with an unknown triage class '" + f.triage + "'");
  st.Bind(16, f.triage.empty() ? TriageName(DefaultTriage(f.severity)) : f.triage);
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Internal("upsert returned no id");
  int64_t id = st.Int(0);
  TQ_RETURN_IF_ERROR(st.Run());
  return id;
}

Result<std::vector<Finding>> ListFindings(Db& db, std::string_view kind_prefix) {
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare("SELECT id,kind,component,severity,confidence,summary,detail,evidence_id,"
                 "evidence_sha256,line,byte_offset,event_time,rule,dedupe_key,triage FROM findings "
                 "WHERE substr(kind,1,length(?1))=?1 ORDER BY id"));
  st.Bind(1, kind_prefix);
  std::vector<Finding> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Finding f;
    f.id = st.Int(0);
    f.kind = st.String(1);
    f.component = st.String(2);
    f.severity = SeverityFromName(st.Text(3));
    f.confidence = st.Double(4);
    f.summary = st.String(5);
    f.detail_json = st.String(6);
    if (!st.IsNull(7)) f.evidence_id = st.Int(7);
    f.evidence_sha256 = st.String(8);
    if (!st.IsNull(9)) f.line = st.Int(9);
    if (!st.IsNull(10)) f.byte_offset = st.Int(10);
    if (!st.IsNull(11)) f.event_time = st.Int(11);
    f.rule = st.String(12);
    f.dedupe_key = st.String(13);
    f.triage = st.String(14);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<EvidenceItem>> ListEvidence(Db& db, std::string_view label) {
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare("SELECT id,sha256,label,original_path,kind,size,mode,uid,gid,owner,grp,"
                          "mtime_ns,ctime_ns,atime_ns,symlink_target,skip_reason,source,batch_id,"
                          "collected_at FROM evidence_items WHERE ?1='' OR label=?1 ORDER BY id"));
  st.Bind(1, label);
  std::vector<EvidenceItem> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    EvidenceItem e;
    e.id = st.Int(0);
    e.sha256 = st.String(1);
    e.label = st.String(2);
    e.original_path = st.String(3);
    e.kind = st.String(4);
    e.size = static_cast<uint64_t>(st.Int(5));
    e.mode = static_cast<uint32_t>(st.Int(6));
    e.uid = st.Int(7);
    e.gid = st.Int(8);
    e.owner = st.String(9);
    e.group = st.String(10);
    e.mtime_ns = st.Int(11);
    e.ctime_ns = st.Int(12);
    e.atime_ns = st.Int(13);
    e.symlink_target = st.String(14);
    e.skip_reason = st.String(15);
    e.source = st.String(16);
    e.batch_id = st.Int(17);
    e.collected_at = st.Int(18);
    out.push_back(std::move(e));
  }
  return out;
}

Result<int64_t> UpsertTask(Db& db, const Task& t) {
  UnixMicros now = NowMicros();
  // Automatic tasks (with a dedupe key) refresh their title, phase, due time and detail but
  // keep what people set: owner and status.
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare("INSERT INTO tasks(title,phase,owner,status,due_at,source,dedupe_key,finding_id,"
                 "detail,created_at,updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                 "ON CONFLICT(dedupe_key) DO UPDATE SET title=excluded.title,"
                 "phase=excluded.phase,due_at=excluded.due_at,finding_id=excluded.finding_id,"
                 "detail=excluded.detail,updated_at=excluded.updated_at RETURNING id"));
  st.Bind(1, t.title).Bind(2, t.phase).Bind(3, t.owner).Bind(4, TaskStatusName(t.status));
  st.Bind(5, t.due_at).Bind(6, t.source.empty() ? std::string("manual") : t.source);
  if (t.dedupe_key.empty()) {
    st.BindNull(7);
  } else {
    st.Bind(7, t.dedupe_key);
  }
  st.Bind(8, t.finding_id).Bind(9, t.detail).Bind(10, now).Bind(11, now);
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Internal("task upsert returned no id");
  int64_t id = st.Int(0);
  TQ_RETURN_IF_ERROR(st.Run());
  return id;
}

Result<std::vector<Task>> ListTasks(Db& db) {
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,title,phase,owner,status,due_at,source,"
                                          "dedupe_key,finding_id,detail FROM tasks ORDER BY id"));
  std::vector<Task> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Task t;
    t.id = st.Int(0);
    t.title = st.String(1);
    t.phase = static_cast<int>(st.Int(2));
    t.owner = st.String(3);
    t.status = TaskStatusFromName(st.Text(4));
    if (!st.IsNull(5)) t.due_at = st.Int(5);
    t.source = st.String(6);
    t.dedupe_key = st.String(7);
    if (!st.IsNull(8)) t.finding_id = st.Int(8);
    t.detail = st.String(9);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace tq
