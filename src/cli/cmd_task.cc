// tourniquet task add|list|assign|start|done|cancel|comment|link, and the blameless
// post-mortem (task postmortem, task action). Tasks are the core `tasks` table; comments,
// finding links and the post-mortem live in the taskforce component. Every change writes an
// audit row.
#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "taskforce/taskforce.h"

namespace tq::cli {
namespace {

struct TaskOptions {
  std::string title, owner, due, detail, text, factor, process_failure;
  int phase = 4;
  int64_t id = 0, finding = 0;
  std::vector<int64_t> findings;
  bool all = false;
};

void WriteTask(JsonWriter& w, const Task& t, const TimeZone&) {
  w.BeginObject().Field("id", t.id).Field("title", t.title).Field("phase", t.phase);
  w.Field("owner", t.owner).Field("status", TaskStatusName(t.status)).Key("due_at");
  t.due_at ? w.String(FormatUtc(*t.due_at)) : w.Null();
  w.Field("source", t.source).Key("finding_id");
  t.finding_id ? w.Int(*t.finding_id) : w.Null();
  w.Field("detail", t.detail).EndObject();
}

int Change(Globals& g, const std::string& what, const std::function<Status(Case&, Db&)>& fn,
           const std::string& detail) {
  Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
  if (!c.ok()) return Fail(c.status());
  Status s = taskforce::EnsureSchema(**c);
  if (s.ok()) s = (*c)->Transaction([&](Db& db) { return fn(**c, db); });
  AuditOutcome(**c, g, what, s, detail);
  // A task, finding or post-mortem entry the command line names and the case does not hold is
  // a mistake on the command line (exit 2), not a file the OS could not find (5).
  if (s.code() == ErrorCode::kNotFound) s = Status::Usage(s.message());
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

Runner SetupTask(CLI::App& app, Globals& g) {
  auto o = std::make_shared<TaskOptions>();
  app.require_subcommand(1);
  CLI::App* add = app.add_subcommand("add", "Add a task by hand");
  add->add_option("TITLE", o->title, "What is to be done")->required();
  add->add_option("--phase", o->phase, "Response phase 1..5 (default 4)")->check(CLI::Range(1, 5));
  add->add_option("--owner", o->owner, "Who does it");
  add->add_option("--due", o->due, "Due time, ISO 8601 (in the case's zone when no offset)");
  add->add_option("--detail", o->detail, "Longer description");
  add->add_option("--finding", o->findings, "Link a finding id (repeatable)");
  CLI::App* list = app.add_subcommand("list", "List tasks (open ones unless --all)");
  list->add_flag("--all", o->all, "Include done and cancelled tasks");
  CLI::App* assign = app.add_subcommand("assign", "Give a task an owner");
  assign->add_option("ID", o->id, "Task id")->required();
  assign->add_option("OWNER", o->owner, "Who does it")->required();
  CLI::App* start = app.add_subcommand("start", "Mark a task in progress");
  start->add_option("ID", o->id, "Task id")->required();
  CLI::App* done = app.add_subcommand("done", "Mark a task done");
  done->add_option("ID", o->id, "Task id")->required();
  CLI::App* cancel = app.add_subcommand("cancel", "Cancel a task");
  cancel->add_option("ID", o->id, "Task id")->required();
  CLI::App* comment = app.add_subcommand("comment", "Add a comment to a task");
  comment->add_option("ID", o->id, "Task id")->required();
  comment->add_option("TEXT", o->text, "The comment")->required();
  CLI::App* link = app.add_subcommand("link", "Link a task to a finding");
  link->add_option("ID", o->id, "Task id")->required();
  link->add_option("FINDING", o->finding, "Finding id")->required();
  CLI::App* pm = app.add_subcommand(
      "postmortem", "Add a blameless post-mortem entry (or list them with no options)");
  pm->add_option("--factor", o->factor, "A contributing factor (a condition, not a person)");
  pm->add_option("--process-failure", o->process_failure, "The process failure behind it");
  CLI::App* action = app.add_subcommand("action", "Add an action item to a post-mortem entry");
  action->add_option("ENTRY", o->id, "Post-mortem entry id")->required();
  action->add_option("TEXT", o->text, "What will change")->required();
  action->add_option("--owner", o->owner, "Who owns it");
  action->add_option("--due", o->due, "Due time, ISO 8601");
  app.footer(
      "Examples:\n  tourniquet task add 'Rotate the Magento crypt key' --phase 1 --owner ops\n"
      "  tourniquet task assign 3 alice && tourniquet task done 3\n"
      "  tourniquet task postmortem --factor 'Unpatched 2.4.6-p5' --process-failure "
      "'Nobody owned patch releases'");

  return [o, &g, add, list, assign, start, done, cancel, comment, link, pm, action]() -> int {
    auto parse_due = [&](Case& c) -> Result<std::optional<UnixMicros>> {
      if (o->due.empty()) return std::optional<UnixMicros>();
      Result<UnixMicros> t = ParseIso8601(o->due, c.Zone());
      if (!t.ok()) return Status::Usage("--due: " + t.status().message());
      return std::optional<UnixMicros>(*t);
    };
    auto say = [&](const std::string& text, int64_t id) {
      if (g.json) {
        JsonWriter w;
        w.BeginObject().Field("id", id).Field("result", text).EndObject();
        PrintOut(w.str() + "\n");
      } else {
        PrintOut(text + "\n");
      }
    };
    if (*add) {
      int64_t id = 0;
      int rc = Change(
          g, "task add",
          [&](Case& c, Db& db) -> Status {
            TQ_ASSIGN_OR_RETURN(std::optional<UnixMicros> due, parse_due(c));
            Task t;
            t.title = o->title;
            t.phase = o->phase;
            t.owner = o->owner;
            t.due_at = due;
            t.source = "manual";
            t.detail = o->detail;
            if (!o->findings.empty()) t.finding_id = o->findings.front();
            TQ_ASSIGN_OR_RETURN(id, UpsertTask(db, t));
            for (int64_t f : o->findings) TQ_RETURN_IF_ERROR(taskforce::LinkTaskFinding(db, id, f));
            return Status::Ok();
          },
          o->title);
      if (rc == kExitOk) say("Task #" + std::to_string(id) + " added", id);
      return rc;
    }
    if (*assign) {
      int rc = Change(
          g, "task assign",
          [&](Case&, Db& db) { return taskforce::AssignTask(db, o->id, o->owner); },
          "#" + std::to_string(o->id) + " -> " + o->owner);
      if (rc == kExitOk)
        say("Task #" + std::to_string(o->id) + " assigned to " + EscapeTerminal(o->owner), o->id);
      return rc;
    }
    for (auto [sub, status] :
         {std::pair{start, TaskStatus::kInProgress}, std::pair{done, TaskStatus::kDone},
          std::pair{cancel, TaskStatus::kCancelled}}) {
      if (!*sub) continue;
      std::string name(TaskStatusName(status));
      int rc = Change(
          g, "task " + sub->get_name(),
          [&](Case&, Db& db) { return taskforce::SetTaskStatus(db, o->id, status); },
          "#" + std::to_string(o->id) + " -> " + name);
      if (rc == kExitOk) say("Task #" + std::to_string(o->id) + " " + name, o->id);
      return rc;
    }
    if (*comment) {
      int rc = Change(
          g, "task comment",
          [&](Case&, Db& db) {
            return taskforce::AddTaskComment(db, o->id, Actor(g), o->text).status();
          },
          "#" + std::to_string(o->id));
      if (rc == kExitOk) say("Comment added to task #" + std::to_string(o->id), o->id);
      return rc;
    }
    if (*link) {
      int rc = Change(
          g, "task link",
          [&](Case&, Db& db) { return taskforce::LinkTaskFinding(db, o->id, o->finding); },
          "#" + std::to_string(o->id) + " finding " + std::to_string(o->finding));
      if (rc == kExitOk) say("Task #" + std::to_string(o->id) + " linked", o->id);
      return rc;
    }
    if (*action) {
      int64_t id = 0;
      int rc = Change(
          g, "task action",
          [&](Case& c, Db& db) -> Status {
            TQ_ASSIGN_OR_RETURN(std::optional<UnixMicros> due, parse_due(c));
            TQ_ASSIGN_OR_RETURN(id, taskforce::AddActionItem(db, o->id, o->text, o->owner, due));
            return Status::Ok();
          },
          o->text);
      if (rc == kExitOk) say("Action item #" + std::to_string(id) + " added", id);
      return rc;
    }
    if (*pm && (!o->factor.empty() || !o->process_failure.empty())) {
      int64_t id = 0;
      int rc = Change(
          g, "task postmortem",
          [&](Case&, Db& db) -> Status {
            TQ_ASSIGN_OR_RETURN(
                id, taskforce::AddPostmortemEntry(db, o->factor, o->process_failure, Actor(g)));
            return Status::Ok();
          },
          o->factor);
      if (rc == kExitOk) say("Post-mortem entry #" + std::to_string(id) + " added", id);
      return rc;
    }
    // Read-only views: list, postmortem.
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    if (Status s = taskforce::EnsureSchema(**c); !s.ok()) return Fail(s);
    Db& db = (*c)->db();
    if (*pm) {
      Result<std::vector<taskforce::PostmortemEntry>> entries = taskforce::ListPostmortem(db);
      if (!entries.ok()) return Fail(entries.status());
      if (g.json) {
        JsonWriter w(true);
        w.BeginArray();
        for (const auto& e : *entries) {
          w.BeginObject().Field("id", e.id).Field("factor", e.factor);
          w.Field("process_failure", e.process_failure).Key("actions").BeginArray();
          for (const auto& a : e.actions)
            w.BeginObject()
                .Field("id", a.id)
                .Field("action", a.action)
                .Field("owner", a.owner)
                .Field("status", TaskStatusName(a.status))
                .EndObject();
          w.EndArray().EndObject();
        }
        w.EndArray();
        PrintOut(w.str() + "\n");
        return kExitOk;
      }
      std::string out;
      for (const auto& e : *entries) {
        out += "#" + std::to_string(e.id) + " " + EscapeTerminal(e.factor) +
               "\n   process: " + EscapeTerminal(e.process_failure) + "\n";
        for (const auto& a : e.actions)
          out += "   - [" + std::string(TaskStatusName(a.status)) + "] " +
                 EscapeTerminal(a.action) +
                 (a.owner.empty() ? "" : " (" + EscapeTerminal(a.owner) + ")") + "\n";
      }
      if (entries->empty()) out = "No post-mortem entries yet.\n";
      PrintOut(out);
      return kExitOk;
    }
    (void)list;
    Result<std::vector<Task>> tasks = ListTasks(db);
    if (!tasks.ok()) return Fail(tasks.status());
    TimeZone zone = (*c)->Zone();
    std::vector<Task> shown;
    for (const Task& t : *tasks)
      if (o->all || t.status == TaskStatus::kOpen || t.status == TaskStatus::kInProgress)
        shown.push_back(t);
    if (g.json) {
      JsonWriter w(true);
      w.BeginArray();
      for (const Task& t : shown) WriteTask(w, t, zone);
      w.EndArray();
      PrintOut(w.str() + "\n");
      return kExitOk;
    }
    std::string out;
    for (const Task& t : shown) {
      out += "#" + std::to_string(t.id) + " [" + std::string(TaskStatusName(t.status)) +
             "] phase " + std::to_string(t.phase) + " " + EscapeTerminal(t.title);
      out += t.owner.empty() ? " (no owner)" : " (" + EscapeTerminal(t.owner) + ")";
      if (t.due_at) out += " due " + FormatInZone(*t.due_at, zone);
      out += "\n";
    }
    if (shown.empty()) out = "No open tasks.\n";
    PrintOut(out);
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("task", "Task force: tasks with owners, comments, the blameless post-mortem", 700,
           SetupTask);
}  // namespace tq::cli
