// The task force: what people do to a case after the first hours. Tasks (the core `tasks`
// table) get owners, status changes, comments and links to findings; the blameless
// post-mortem collects contributing factors, the process failure behind each, and action
// items with owners (there is deliberately no field for blame); users of `serve` have one
// role each, and the role table below is the single statement of who may see and do what.
//
// Tables (component "taskforce", through Case::EnsureSchema):
//   taskforce_task_comment(id, task_id, at, author, body)
//   taskforce_task_finding(task_id, finding_id)
//   taskforce_postmortem(id, factor, process_failure, created_at, created_by)
//   taskforce_action_item(id, postmortem_id, action, owner, status, due_at, created_at)
//   server_user(id, name UNIQUE, role, password_hash (Argon2id, libsodium), created_at,
//               disabled)
// Every function here runs inside the caller's transaction; the caller writes the audit row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"

namespace tq::taskforce {

// Creates or migrates the component's tables.
Status EnsureSchema(Case& c);

// ---- Roles ----
enum class Role { kViewer, kComms, kInvestigator, kLead };
std::string_view RoleName(Role r);
std::optional<Role> RoleFromName(std::string_view name);

// What a request may touch. Each API route names exactly one.
enum class Permission {
  kCaseOverview,  // case summary, phases, deadlines, counts (no personal data)
  kTasksRead,     // tasks and their comments
  kTasksWrite,    // add, assign, change status, comment
  kPostmortemRead,
  kPostmortemWrite,
  kReports,       // list of written reports
  kEvidence,      // evidence items, findings, attackers, the timeline
  kAffectedList,  // the affected people (personal data)
  kLetters,       // notification letters and their recipients (personal data)
  kAudit,         // the audit log
  kUsers,         // the list of users
};
std::string_view PermissionName(Permission p);
// The role table: one row per role, the permissions it has.
struct RoleRow {
  Role role;
  std::vector<Permission> permissions;
  const char* summary;
};
const std::vector<RoleRow>& RoleTable();
bool RoleAllows(Role r, Permission p);

// ---- Tasks ----
Result<Task> GetTask(Db& db, int64_t id);
Status AssignTask(Db& db, int64_t id, std::string_view owner);
Status SetTaskStatus(Db& db, int64_t id, TaskStatus status);
TaskStatus ParseTaskStatus(std::string_view name, bool* ok);
Result<int64_t> AddTaskComment(Db& db, int64_t task_id, std::string_view author,
                               std::string_view body);
Status LinkTaskFinding(Db& db, int64_t task_id, int64_t finding_id);
struct TaskComment {
  int64_t id = 0, task_id = 0;
  UnixMicros at = 0;
  std::string author, body;
};
Result<std::vector<TaskComment>> ListTaskComments(Db& db, std::optional<int64_t> task_id);
// task id -> finding ids, for every task with links.
Result<std::vector<std::pair<int64_t, int64_t>>> ListTaskFindings(Db& db);

// ---- Post-mortem ----
struct ActionItem {
  int64_t id = 0, postmortem_id = 0;
  std::string action, owner;
  TaskStatus status = TaskStatus::kOpen;
  std::optional<UnixMicros> due_at;
};
struct PostmortemEntry {
  int64_t id = 0;
  std::string factor;           // what contributed (a condition, not a person)
  std::string process_failure;  // which process let it happen
  std::string created_by;
  UnixMicros created_at = 0;
  std::vector<ActionItem> actions;
};
Result<int64_t> AddPostmortemEntry(Db& db, std::string_view factor,
                                   std::string_view process_failure, std::string_view by);
Result<int64_t> AddActionItem(Db& db, int64_t postmortem_id, std::string_view action,
                              std::string_view owner, std::optional<UnixMicros> due_at);
Result<std::vector<PostmortemEntry>> ListPostmortem(Db& db);

// ---- Users ----
struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kViewer;
  bool disabled = false;
};
// Names: 1..64 characters of [A-Za-z0-9._@-]. Passwords: at least 10 bytes.
Status ValidateUserName(std::string_view name);
// Adds the user, or replaces role and password when the name exists. Argon2id hash.
Result<int64_t> AddUser(Db& db, std::string_view name, Role role, std::string_view password);
Result<std::vector<User>> ListUsers(Db& db);
// The user when the password matches; NotFound for an unknown user or a wrong password
// (same message, and the same Argon2id work either way).
Result<User> CheckPassword(Db& db, std::string_view name, std::string_view password);

}  // namespace tq::taskforce
