// Tasks, post-mortem entries, users and the role table (see taskforce.h).
#include "taskforce/taskforce.h"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace tq::taskforce {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE taskforce_task_comment (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX taskforce_task_comment_task ON taskforce_task_comment(task_id);
CREATE TABLE taskforce_task_finding (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
  PRIMARY KEY (task_id, finding_id)
);
CREATE TABLE taskforce_postmortem (
  id INTEGER PRIMARY KEY,
  factor TEXT NOT NULL,
  process_failure TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE taskforce_action_item (
  id INTEGER PRIMARY KEY,
  postmortem_id INTEGER NOT NULL REFERENCES taskforce_postmortem(id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'open',
  due_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE server_user (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('viewer','comms','investigator','lead')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
)sql"},
};

using P = Permission;

std::string_view StatusName(TaskStatus s) { return TaskStatusName(s); }

}  // namespace

Status EnsureSchema(Case& c) { return c.EnsureSchema("taskforce", kMigrations); }

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kViewer: return "viewer";
    case Role::kComms: return "comms";
    case Role::kInvestigator: return "investigator";
    case Role::kLead: return "lead";
  }
  return "viewer";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (Role r : {Role::kViewer, Role::kComms, Role::kInvestigator, Role::kLead})
    if (RoleName(r) == name) return r;
  return std::nullopt;
}

std::string_view PermissionName(Permission p) {
  switch (p) {
    case P::kCaseOverview: return "case_overview";
    case P::kTasksRead: return "tasks_read";
    case P::kTasksWrite: return "tasks_write";
    case P::kPostmortemRead: return "postmortem_read";
    case P::kPostmortemWrite: return "postmortem_write";
    case P::kReports: return "reports";
    case P::kEvidence: return "evidence";
    case P::kAffectedList: return "affected_list";
    case P::kLetters: return "letters";
    case P::kAudit: return "audit";
    case P::kUsers: return "users";
  }
  return "?";
}

const std::vector<RoleRow>& RoleTable() {
  // Need to know: personal data (the affected list, letters) only for comms and the lead;
  // evidence (attacker-written bytes, findings, the timeline) only for investigators and
  // the lead. Everybody sees the case at a glance, the tasks and the post-mortem.
  static const std::vector<RoleRow> kTable = {
      {Role::kViewer,
       {P::kCaseOverview, P::kTasksRead, P::kPostmortemRead, P::kReports},
       "the case at a glance, tasks, post-mortem, reports; no personal data, read only"},
      {Role::kComms,
       {P::kCaseOverview, P::kTasksRead, P::kTasksWrite, P::kPostmortemRead, P::kReports,
        P::kAffectedList, P::kLetters},
       "viewer + the affected list and the letters; works tasks; no evidence"},
      {Role::kInvestigator,
       {P::kCaseOverview, P::kTasksRead, P::kTasksWrite, P::kPostmortemRead, P::kPostmortemWrite,
        P::kReports, P::kEvidence, P::kAudit},
       "viewer + evidence, findings, attackers, timeline, audit log; works tasks and the "
       "post-mortem; no personal data"},
      {Role::kLead,
       {P::kCaseOverview, P::kTasksRead, P::kTasksWrite, P::kPostmortemRead, P::kPostmortemWrite,
        P::kReports, P::kEvidence, P::kAffectedList, P::kLetters, P::kAudit, P::kUsers},
       "everything"},
  };
  return kTable;
}

bool RoleAllows(Role r, Permission p) {
  for (const RoleRow& row : RoleTable())
    if (row.role == r)
      return std::find(row.permissions.begin(), row.permissions.end(), p) != row.permissions.end();
  return false;
}

// ---- Tasks ----

TaskStatus ParseTaskStatus(std::string_view name, bool* ok) {
  *ok = true;
  for (TaskStatus s :
       {TaskStatus::kOpen, TaskStatus::kInProgress, TaskStatus::kDone, TaskStatus::kCancelled})
    if (TaskStatusName(s) == name) return s;
  *ok = false;
  return TaskStatus::kOpen;
}

Result<Task> GetTask(Db& db, int64_t id) {
  TQ_ASSIGN_OR_RETURN(std::vector<Task> tasks, ListTasks(db));
  for (Task& t : tasks)
    if (t.id == id) return t;
  return Status::NotFound("no task #" + std::to_string(id));
}

namespace {
Status UpdateTaskColumn(Db& db, int64_t id, const char* column, std::string_view value) {
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare(std::string("UPDATE tasks SET ") + column +
                                          "=?, updated_at=? WHERE id=?"));
  st.Bind(1, value).Bind(2, NowMicros()).Bind(3, id);
  TQ_RETURN_IF_ERROR(st.Run());
  if (db.Changes() == 0) return Status::NotFound("no task #" + std::to_string(id));
  return Status::Ok();
}
}  // namespace

Status AssignTask(Db& db, int64_t id, std::string_view owner) {
  if (owner.size() > 200) return Status::Usage("owner name longer than 200 bytes");
  return UpdateTaskColumn(db, id, "owner", owner);
}

Status SetTaskStatus(Db& db, int64_t id, TaskStatus status) {
  return UpdateTaskColumn(db, id, "status", StatusName(status));
}

Result<int64_t> AddTaskComment(Db& db, int64_t task_id, std::string_view author,
                               std::string_view body) {
  if (body.empty()) return Status::Usage("empty comment");
  if (body.size() > 20000) return Status::Usage("comment longer than 20000 bytes");
  TQ_RETURN_IF_ERROR(GetTask(db, task_id).status());
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO taskforce_task_comment(task_id,at,author,"
                                          "body) VALUES(?,?,?,?)"));
  st.Bind(1, task_id).Bind(2, NowMicros()).Bind(3, author).Bind(4, body);
  TQ_RETURN_IF_ERROR(st.Run());
  return db.LastInsertRowid();
}

Status LinkTaskFinding(Db& db, int64_t task_id, int64_t finding_id) {
  TQ_RETURN_IF_ERROR(GetTask(db, task_id).status());
  TQ_ASSIGN_OR_RETURN(Stmt q, db.Prepare("SELECT 1 FROM findings WHERE id=?"));
  q.Bind(1, finding_id);
  TQ_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return Status::NotFound("no finding #" + std::to_string(finding_id));
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT OR IGNORE INTO taskforce_task_finding"
                                          "(task_id,finding_id) VALUES(?,?)"));
  st.Bind(1, task_id).Bind(2, finding_id);
  return st.Run();
}

Result<std::vector<TaskComment>> ListTaskComments(Db& db, std::optional<int64_t> task_id) {
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,task_id,at,author,body FROM "
                                          "taskforce_task_comment WHERE ?1 IS NULL OR "
                                          "task_id=?1 ORDER BY id"));
  st.Bind(1, task_id);
  std::vector<TaskComment> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Int(0), st.Int(1), st.Int(2), st.String(3), st.String(4)});
  }
  return out;
}

Result<std::vector<std::pair<int64_t, int64_t>>> ListTaskFindings(Db& db) {
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT task_id,finding_id FROM "
                                          "taskforce_task_finding ORDER BY 1,2"));
  std::vector<std::pair<int64_t, int64_t>> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.emplace_back(st.Int(0), st.Int(1));
  }
  return out;
}

// ---- Post-mortem ----

Result<int64_t> AddPostmortemEntry(Db& db, std::string_view factor,
                                   std::string_view process_failure, std::string_view by) {
  if (factor.empty()) return Status::Usage("a post-mortem entry needs a contributing factor");
  if (process_failure.empty())
    return Status::Usage("a post-mortem entry needs the process failure behind the factor");
  if (factor.size() + process_failure.size() > 20000)
    return Status::Usage("post-mortem entry longer than 20000 bytes");
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO taskforce_postmortem(factor,"
                                          "process_failure,created_at,created_by) "
                                          "VALUES(?,?,?,?)"));
  st.Bind(1, factor).Bind(2, process_failure).Bind(3, NowMicros()).Bind(4, by);
  TQ_RETURN_IF_ERROR(st.Run());
  return db.LastInsertRowid();
}

Result<int64_t> AddActionItem(Db& db, int64_t postmortem_id, std::string_view action,
                              std::string_view owner, std::optional<UnixMicros> due_at) {
  if (action.empty()) return Status::Usage("an action item needs a text");
  if (action.size() > 20000) return Status::Usage("action item longer than 20000 bytes");
  TQ_ASSIGN_OR_RETURN(Stmt q, db.Prepare("SELECT 1 FROM taskforce_postmortem WHERE id=?"));
  q.Bind(1, postmortem_id);
  TQ_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return Status::NotFound("no post-mortem entry #" + std::to_string(postmortem_id));
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO taskforce_action_item(postmortem_id,"
                                          "action,owner,due_at,created_at) VALUES(?,?,?,?,?)"));
  st.Bind(1, postmortem_id).Bind(2, action).Bind(3, owner).Bind(4, due_at).Bind(5, NowMicros());
  TQ_RETURN_IF_ERROR(st.Run());
  return db.LastInsertRowid();
}

Result<std::vector<PostmortemEntry>> ListPostmortem(Db& db) {
  std::vector<PostmortemEntry> out;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,factor,process_failure,created_by,"
                                            "created_at FROM taskforce_postmortem ORDER BY id"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      PostmortemEntry e;
      e.id = st.Int(0);
      e.factor = st.String(1);
      e.process_failure = st.String(2);
      e.created_by = st.String(3);
      e.created_at = st.Int(4);
      out.push_back(std::move(e));
    }
  }
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,postmortem_id,action,owner,status,due_at "
                                          "FROM taskforce_action_item ORDER BY id"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ActionItem a;
    a.id = st.Int(0);
    a.postmortem_id = st.Int(1);
    a.action = st.String(2);
    a.owner = st.String(3);
    bool ok;
    a.status = ParseTaskStatus(st.Text(4), &ok);
    if (!st.IsNull(5)) a.due_at = st.Int(5);
    for (PostmortemEntry& e : out)
      if (e.id == a.postmortem_id) e.actions.push_back(a);
  }
  return out;
}

// ---- Users ----

Status ValidateUserName(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return Status::Usage("user name must be 1 to 64 characters");
  for (char ch : name) {
    bool good = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '.' || ch == '_' || ch == '-' || ch == '@';
    if (!good) return Status::Usage("user name may hold only letters, digits and . _ - @");
  }
  return Status::Ok();
}

namespace {
Result<std::string> HashPassword(std::string_view password) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Status::Internal("out of memory hashing the password");
  return std::string(out.data());
}
}  // namespace

Result<int64_t> AddUser(Db& db, std::string_view name, Role role, std::string_view password) {
  TQ_RETURN_IF_ERROR(ValidateUserName(name));
  if (password.size() < 10) return Status::Usage("password shorter than 10 characters");
  if (password.size() > 1024) return Status::Usage("password longer than 1024 bytes");
  TQ_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO server_user(name,role,password_hash,"
                                          "created_at) VALUES(?,?,?,?) ON CONFLICT(name) DO "
                                          "UPDATE SET role=excluded.role,password_hash="
                                          "excluded.password_hash,disabled=0 RETURNING id"));
  st.Bind(1, name).Bind(2, RoleName(role)).Bind(3, hash).Bind(4, NowMicros());
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Internal("user insert returned no id");
  int64_t id = st.Int(0);
  TQ_RETURN_IF_ERROR(st.Run());
  return id;
}

Result<std::vector<User>> ListUsers(Db& db) {
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db.Prepare("SELECT id,name,role,disabled FROM server_user ORDER BY name"));
  std::vector<User> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    User u;
    u.id = st.Int(0);
    u.name = st.String(1);
    u.role = RoleFromName(st.Text(2)).value_or(Role::kViewer);
    u.disabled = st.Int(3) != 0;
    out.push_back(std::move(u));
  }
  return out;
}

Result<User> CheckPassword(Db& db, std::string_view name, std::string_view password) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  // A fixed hash to verify against when the user is unknown, so both cases cost the same.
  static const std::string kDummy = [] {
    Result<std::string> h = HashPassword("not a password of anybody");
    return h.ok() ? *h : std::string();
  }();
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,name,role,password_hash,disabled FROM "
                                          "server_user WHERE name=?"));
  st.Bind(1, name);
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  std::string hash = row ? st.String(3) : kDummy;
  bool match = password.size() <= 1024 &&
               crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  if (!row || !match || st.Int(4) != 0) return Status::NotFound("unknown user or wrong password");
  User u;
  u.id = st.Int(0);
  u.name = st.String(1);
  u.role = RoleFromName(st.Text(2)).value_or(Role::kViewer);
  return u;
}

}  // namespace tq::taskforce
