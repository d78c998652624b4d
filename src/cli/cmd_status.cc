// tourniquet status: where the response stands, phase by phase, and what to run next.
// Counts come from casefile (CountCase): the core tables and, where they exist, the tables of
// later components.
#include <algorithm>

#include "casefile/case_progress.h"
#include "casefile/stage_runs.h"
#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "evidence/evidence.h"

namespace tq::cli {
namespace {

// The shared progress (casefile's CaseProgress, which the web UI shows too), and one thing only
// the terminal says: collects that were killed and must be run again.
Result<std::vector<ProgressPhase>> Gather(Case& c) {
  Db& db = c.db();
  TQ_ASSIGN_OR_RETURN(std::vector<ProgressPhase> phases, CaseProgress(db));
  // A killed collect stays 'running' in its table; say it was interrupted (status is read
  // only: the next collect records it).
  if (TableExists(db, "evidence_batches")) {
    TQ_ASSIGN_OR_RETURN(std::vector<int64_t> ids, evidence::InterruptedCollects(db));
    ProgressPhase& shut = phases.front();
    shut.counts.emplace_back("collects_interrupted", static_cast<int64_t>(ids.size()));
    if (!ids.empty())
      shut.steps.push_back(
          {std::to_string(ids.size()) + " collect run(s) interrupted: collect those sources again",
           false});
  }
  return phases;
}

Runner SetupStatus(CLI::App& app, Globals& g) {
  app.footer("Example: tourniquet --case case status --json");
  return [&g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g, /*read_only=*/true);
    if (!c.ok()) return Fail(c.status());
    Result<CaseInfo> info = (*c)->Info();
    if (!info.ok()) return Fail(info.status());
    Result<std::vector<ProgressPhase>> phases = Gather(**c);
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
      for (const ProgressPhase& p : *phases) {
        w.BeginObject().Field("phase", p.number).Field("title", p.title);
        w.Key("counts").BeginObject();
        for (auto& [k, v] : p.counts) w.Field(k, v);
        w.EndObject().Key("done").BeginArray();
        for (const ProgressStep& d : p.steps)
          if (d.done) w.String(d.name);
        w.EndArray().Key("pending").BeginArray();
        for (const ProgressStep& d : p.steps)
          if (!d.done) w.String(d.name);
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
    for (const ProgressPhase& p : *phases) {
      out += "\n" + std::to_string(p.number) + ". " + p.title + "\n";
      for (const ProgressStep& d : p.steps) out += (d.done ? "   [x] " : "   [ ] ") + d.name + "\n";
      if (!p.counts.empty()) {
        out += "   ";
        for (size_t i = 0; i < p.counts.size(); ++i)
          out += (i ? ", " : "") + p.counts[i].first + " " + std::to_string(p.counts[i].second);
        out += "\n";
      }
      if (!p.next.empty()) out += "   next: " + p.next + "\n";
    }
    if (!warning.empty()) out += "\nWARNING: " + EscapeTerminal(warning) + "\n";
    PrintOut(out);
    if (!warning.empty()) PrintError(Status::CaseError(warning));
    return warning.empty() ? kExitOk : kExitFound;
  };
}

}  // namespace
TQ_COMMAND("status", "Where the response stands: each phase, counts, the next command", 900,
           SetupStatus);
}  // namespace tq::cli
