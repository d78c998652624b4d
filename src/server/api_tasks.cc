// The task force's own API handlers: tasks, comments, the post-mortem, users. Each change
// runs in one transaction with its audit row (the user's name as actor).
#include <charconv>
#include <functional>

#include "server/api.h"

namespace tq::server {
namespace {

const std::string& Body(const ApiRequest& r, const std::string& key) {
  static const std::string kEmpty;
  auto it = r.body.find(key);
  return it == r.body.end() ? kEmpty : it->second;
}

int64_t IdOf(const ApiRequest& r) {
  int64_t id = 0;
  std::from_chars(r.id.data(), r.id.data() + r.id.size(), id);
  return id;
}

// Runs a change in one transaction with its audit row.
Status Change(ApiRequest& r, std::string_view command, std::string detail,
              const std::function<Status(Db&)>& fn) {
  return r.the_case.Transaction([&](Db& db) -> Status {
    TQ_RETURN_IF_ERROR(fn(db));
    return r.the_case.Audit(r.user.name, command, "ok", "serve: " + detail);
  });
}

}  // namespace

Status GetUsers(ApiRequest& r, JsonWriter& w) {
  TQ_ASSIGN_OR_RETURN(auto users, taskforce::ListUsers(r.the_case.db()));
  w.BeginArray();
  for (const auto& u : users)
    w.BeginObject()
        .Field("name", u.name)
        .Field("role", taskforce::RoleName(u.role))
        .Field("disabled", u.disabled)
        .EndObject();
  w.EndArray();
  return Status::Ok();
}

// ---- Tasks and post-mortem ----

Status GetTasks(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  TQ_ASSIGN_OR_RETURN(std::vector<Task> tasks, ListTasks(db));
  TQ_ASSIGN_OR_RETURN(auto comments, taskforce::ListTaskComments(db, std::nullopt));
  TQ_ASSIGN_OR_RETURN(auto links, taskforce::ListTaskFindings(db));
  w.BeginArray();
  for (const Task& t : tasks) {
    w.BeginObject().Field("id", t.id).Field("title", t.title).Field("phase", t.phase);
    w.Field("owner", t.owner).Field("status", TaskStatusName(t.status)).Key("due_at");
    t.due_at ? w.String(FormatUtc(*t.due_at)) : w.Null();
    w.Field("source", t.source).Field("detail", t.detail).Key("findings").BeginArray();
    if (t.finding_id) w.Int(*t.finding_id);
    for (auto& [task, finding] : links)
      if (task == t.id && finding != t.finding_id) w.Int(finding);
    w.EndArray().Key("comments").BeginArray();
    for (const auto& c : comments)
      if (c.task_id == t.id)
        w.BeginObject()
            .Field("at", FormatUtc(c.at))
            .Field("author", c.author)
            .Field("body", c.body)
            .EndObject();
    w.EndArray().EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

Status PostTask(ApiRequest& r, JsonWriter& w) {
  Task t;
  t.title = Body(r, "title");
  if (t.title.empty() || t.title.size() > 1000) return Status::Usage("a task needs a title");
  t.owner = Body(r, "owner");
  t.detail = Body(r, "detail");
  t.source = "manual";
  t.phase = 4;
  if (const std::string& p = Body(r, "phase"); !p.empty()) {
    if (p.size() != 1 || p[0] < '1' || p[0] > '5') return Status::Usage("phase must be 1..5");
    t.phase = p[0] - '0';
  }
  if (const std::string& due = Body(r, "due_at"); !due.empty()) {
    TQ_ASSIGN_OR_RETURN(UnixMicros at, ParseIso8601(due, r.the_case.Zone()));
    t.due_at = at;
  }
  int64_t id = 0;
  TQ_RETURN_IF_ERROR(Change(r, "task add", t.title, [&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(id, UpsertTask(db, t));
    return Status::Ok();
  }));
  w.BeginObject().Field("id", id).EndObject();
  return Status::Ok();
}

Status PostTaskUpdate(ApiRequest& r, JsonWriter& w) {
  int64_t id = IdOf(r);
  auto owner = r.body.find("owner");
  auto status = r.body.find("status");
  if (owner == r.body.end() && status == r.body.end())
    return Status::Usage("nothing to change: give owner and/or status");
  TaskStatus st = TaskStatus::kOpen;
  if (status != r.body.end()) {
    bool ok;
    st = taskforce::ParseTaskStatus(status->second, &ok);
    if (!ok) return Status::Usage("status must be open, in_progress, done or cancelled");
  }
  std::string detail = "#" + r.id;
  if (owner != r.body.end()) detail += " owner -> " + owner->second;
  if (status != r.body.end()) detail += " status -> " + status->second;
  TQ_RETURN_IF_ERROR(Change(r, "task update", detail, [&](Db& db) -> Status {
    if (owner != r.body.end()) TQ_RETURN_IF_ERROR(taskforce::AssignTask(db, id, owner->second));
    if (status != r.body.end()) TQ_RETURN_IF_ERROR(taskforce::SetTaskStatus(db, id, st));
    return Status::Ok();
  }));
  w.BeginObject().Field("id", id).EndObject();
  return Status::Ok();
}

Status PostTaskComment(ApiRequest& r, JsonWriter& w) {
  int64_t id = IdOf(r), comment = 0;
  TQ_RETURN_IF_ERROR(Change(r, "task comment", "#" + r.id, [&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(comment, taskforce::AddTaskComment(db, id, r.user.name, Body(r, "body")));
    return Status::Ok();
  }));
  w.BeginObject().Field("id", comment).EndObject();
  return Status::Ok();
}

Status GetPostmortem(ApiRequest& r, JsonWriter& w) {
  TQ_ASSIGN_OR_RETURN(auto entries, taskforce::ListPostmortem(r.the_case.db()));
  w.BeginArray();
  for (const auto& e : entries) {
    w.BeginObject().Field("id", e.id).Field("factor", e.factor);
    w.Field("process_failure", e.process_failure).Field("created_by", e.created_by);
    w.Field("created_at", FormatUtc(e.created_at)).Key("actions").BeginArray();
    for (const auto& a : e.actions) {
      w.BeginObject().Field("id", a.id).Field("action", a.action).Field("owner", a.owner);
      w.Field("status", TaskStatusName(a.status)).Key("due_at");
      a.due_at ? w.String(FormatUtc(*a.due_at)) : w.Null();
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

Status PostPostmortem(ApiRequest& r, JsonWriter& w) {
  int64_t id = 0;
  TQ_RETURN_IF_ERROR(Change(r, "task postmortem", Body(r, "factor"), [&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(id, taskforce::AddPostmortemEntry(db, Body(r, "factor"),
                                                          Body(r, "process_failure"), r.user.name));
    return Status::Ok();
  }));
  w.BeginObject().Field("id", id).EndObject();
  return Status::Ok();
}

Status PostAction(ApiRequest& r, JsonWriter& w) {
  int64_t id = 0;
  std::optional<UnixMicros> due;
  if (const std::string& d = Body(r, "due_at"); !d.empty()) {
    TQ_ASSIGN_OR_RETURN(UnixMicros at, ParseIso8601(d, r.the_case.Zone()));
    due = at;
  }
  TQ_RETURN_IF_ERROR(
      Change(r, "task action", "#" + r.id + " " + Body(r, "action"), [&](Db& db) -> Status {
        TQ_ASSIGN_OR_RETURN(
            id, taskforce::AddActionItem(db, IdOf(r), Body(r, "action"), Body(r, "owner"), due));
        return Status::Ok();
      }));
  w.BeginObject().Field("id", id).EndObject();
  return Status::Ok();
}

}  // namespace tq::server
