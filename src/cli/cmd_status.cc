// tourniquet status: where the response stands, phase by phase, and what to run next.
// Counts come from casefile (CountCase): the core tables and, where they exist, the tables of
// later components.
#include <algorithm>

#include "casefile/case_counts.h"
#include "casefile/stage_runs.h"
#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "evidence/evidence.h"

namespace tq::cli {
namespace {

struct PhaseStatus {
  int number;
  const char* title;
  std::vector<std::pair<std::string, int64_t>> counts;
  std::vector<std::string> done, pending;
  std::string next;
};

Result<std::vector<PhaseStatus>> Gather(Case& c) {
  Db& db = c.db();
  TQ_ASSIGN_OR_RETURN(CaseCounts n, CountCase(db));
  std::vector<PhaseStatus> phases;
  auto add = [](PhaseStatus& p, const char* name, int64_t n) {
    if (n >= 0) p.counts.emplace_back(name, n);
  };

  PhaseStatus shut{1, "Shut it down", {}, {}, {}, ""};
  int64_t evidence = n.evidence_items;
  int64_t contain_tasks = n.containment_steps;
  int64_t contain_open = n.containment_steps_open;
  add(shut, "evidence_items", evidence);
  add(shut, "containment_steps", contain_tasks);
  add(shut, "containment_steps_open", contain_open);
  // A killed collect stays 'running' in its table; say it was interrupted (status is read
  // only: the next collect records it).
  int64_t interrupted = -1;
  if (TableExists(db, "evidence_batches")) {
    TQ_ASSIGN_OR_RETURN(std::vector<int64_t> ids, evidence::InterruptedCollects(db));
    interrupted = static_cast<int64_t>(ids.size());
  }
  add(shut, "collects_interrupted", interrupted);
  if (interrupted > 0)
    shut.pending.push_back(std::to_string(interrupted) +
                           " collect run(s) interrupted: collect those sources again");
  (evidence > 0 ? shut.done : shut.pending).push_back("evidence collected");
  (contain_tasks > 0 ? shut.done : shut.pending).push_back("containment plan");
  shut.next = evidence <= 0        ? "tourniquet collect --label logs /var/log/nginx"
              : contain_tasks <= 0 ? "tourniquet contain"
                                   : "";
  phases.push_back(shut);

  PhaseStatus inv{2, "Investigate", {}, {}, {}, ""};
  int64_t findings = n.findings.all;
  int64_t attackers = n.attackers;
  int64_t affected = n.affected_people;
  add(inv, "findings", findings);
  add(inv, "findings_high", n.findings.high);
  // What the default views show first; the rest (context, noise) is counted, not shown.
  add(inv, "findings_actionable", n.findings.actionable);
  add(inv, "attackers", attackers);
  add(inv, "affected_people", affected);
  (findings > 0 ? inv.done : inv.pending).push_back("investigation");
  (affected >= 0 ? inv.done : inv.pending).push_back("scope");
  inv.next = findings <= 0 ? "tourniquet investigate" : affected < 0 ? "tourniquet scope" : "";
  phases.push_back(inv);

  PhaseStatus inform{3, "Keep customers informed", {}, {}, {}, ""};
  int64_t obligations = n.obligations;
  int64_t outbox = n.messages;
  int64_t sent = n.messages_sent;
  // Letters for the post are delivered once printed (notify print); -1 before channels.
  int64_t printed = n.messages_printed;
  int64_t to_print = n.messages_to_print;
  add(inform, "obligations", obligations);
  add(inform, "messages", outbox);
  add(inform, "messages_sent", sent);
  add(inform, "messages_printed", printed);
  int64_t delivered = sent + std::max<int64_t>(printed, 0);
  (obligations >= 0 ? inform.done : inform.pending).push_back("notification plan");
  (outbox > 0 && delivered == outbox ? inform.done : inform.pending).push_back("letters delivered");
  inform.next = obligations < 0                                       ? "tourniquet notify plan"
                : outbox <= 0                                         ? "tourniquet notify render"
                : delivered + std::max<int64_t>(to_print, 0) < outbox ? "tourniquet notify send"
                : to_print > 0                                        ? "tourniquet notify print"
                                                                      : "";
  phases.push_back(inform);

  PhaseStatus force{4, "Task force", {}, {}, {}, ""};
  int64_t tasks = n.tasks;
  int64_t open = n.tasks_open;
  int64_t unowned = n.tasks_unowned;
  add(force, "tasks", tasks);
  add(force, "tasks_open", open);
  add(force, "tasks_unowned", unowned);
  add(force, "users", n.users);
  (tasks > 0 && open == 0 ? force.done : force.pending).push_back("tasks closed");
  force.next = unowned > 0 ? "tourniquet task list" : tasks > 0 ? "tourniquet serve" : "";
  phases.push_back(force);

  PhaseStatus publish{5, "Publish", {}, {}, {}, ""};
  int64_t reports = n.reports;
  add(publish, "reports", reports);
  (reports > 0 ? publish.done : publish.pending).push_back("post-mortem and public statement");
  publish.next = reports <= 0 ? "tourniquet report" : "";
  phases.push_back(publish);
  return phases;
}

Runner SetupStatus(CLI::App& app, Globals& g) {
  app.footer("Example: tourniquet --case case status --json");
  return [&g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g, /*read_only=*/true);
    if (!c.ok()) return Fail(c.status());
    Result<CaseInfo> info = (*c)->Info();
    if (!info.ok()) return Fail(info.status());
    Result<std::vector<PhaseStatus>> phases = Gather(**c);
    if (!phases.ok()) return Fail(phases.status());
    // A killed investigate leaves the counts of the stages that ran: say so, loudly.
    Result<std::vector<UnfinishedStage>> unfinished = UnfinishedStages((*c)->db(), "investigate");
    if (!unfinished.ok()) return Fail(unfinished.status());
    std::string warning = DescribeUnfinished("investigate", *unfinished);
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Key("case").BeginObject();
      w.Field("name", info->name).Field("store_url", info->store_url);
      w.Field("platform", info->platform).Field("timezone", info->timezone);
      w.Key("discovered_at");
      info->discovered_at ? w.String(FormatUtc(*info->discovered_at)) : w.Null();
      w.Field("schema_version", CaseSchemaVersion()).EndObject();
      w.Key("unfinished");
      warning.empty() ? w.Null() : w.String(warning);
      w.Key("phases").BeginArray();
      for (const PhaseStatus& p : *phases) {
        w.BeginObject().Field("phase", p.number).Field("title", p.title);
        w.Key("counts").BeginObject();
        for (auto& [k, v] : p.counts) w.Field(k, v);
        w.EndObject().Key("done").BeginArray();
        for (auto& d : p.done) w.String(d);
        w.EndArray().Key("pending").BeginArray();
        for (auto& d : p.pending) w.String(d);
        w.EndArray().Key("next");
        p.next.empty() ? w.Null() : w.String(p.next);
        w.EndObject();
      }
      w.EndArray().EndObject();
      PrintOut(w.str() + "\n");
      return warning.empty() ? kExitOk : kExitFound;
    }
    std::string out = "Case: " + EscapeTerminal(info->name);
    if (!info->store_url.empty()) out += " (" + EscapeTerminal(info->store_url) + ")";
    out += "\n";
    for (const PhaseStatus& p : *phases) {
      out += "\n" + std::to_string(p.number) + ". " + p.title + "\n";
      for (auto& d : p.done) out += "   [x] " + d + "\n";
      for (auto& d : p.pending) out += "   [ ] " + d + "\n";
      if (!p.counts.empty()) {
        out += "   ";
        for (size_t i = 0; i < p.counts.size(); ++i)
          out += (i ? ", " : "") + p.counts[i].first + " " + std::to_string(p.counts[i].second);
        out += "\n";
      }
      if (!p.next.empty()) out += "   next: " + p.next + "\n";
    }
    if (!warning.empty()) out += "\nWARNING: " + warning + "\n";
    PrintOut(out);
    if (!warning.empty()) PrintError(Status::CaseError(warning));
    return warning.empty() ? kExitOk : kExitFound;
  };
}

}  // namespace
TQ_COMMAND("status", "Where the response stands: each phase, counts, the next command", 900,
           SetupStatus);
}  // namespace tq::cli
