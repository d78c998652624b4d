// tourniquet investigate: runs every registered investigation stage over the collected
// evidence and records findings in the case.
#include <malloc.h>

#include <algorithm>

#include "casefile/case_counts.h"
#include "casefile/stage_runs.h"
#include "cli/case_access.h"
#include "cli/investigate.h"
#include "core/escape.h"
#include "core/json.h"

namespace tq::cli {
namespace {
std::vector<InvestigateStage>& Stages() {
  static std::vector<InvestigateStage> stages;
  return stages;
}
}  // namespace

namespace {
void Register(InvestigateStage stage) {
  Stages().push_back(std::move(stage));
  std::stable_sort(Stages().begin(), Stages().end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
}
}  // namespace

InvestigateStageRegistrar::InvestigateStageRegistrar(const char* name, int order,
                                                     StagePlan (*setup)(CLI::App&, Globals&)) {
  Register({name, order, setup});
}
const std::vector<InvestigateStage>& InvestigateStages() { return Stages(); }

namespace {

Runner SetupInvestigate(CLI::App& app, Globals& g) {
  auto runners = std::make_shared<std::vector<std::pair<std::string, StagePlan>>>();
  auto only = std::make_shared<std::vector<std::string>>();
  for (const InvestigateStage& s : InvestigateStages())
    runners->emplace_back(s.name, s.setup(app, g));
  std::string names;
  for (auto& [n, r] : *runners) names += (names.empty() ? "" : ", ") + n;
  app.add_option("--only", *only, "Run only these stages (" + names + ")");
  app.footer("Example: tourniquet --case case investigate --json");
  return [runners, only, &g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<CaseLock> lock = LockCase(**c, "investigate", "investigate");
    if (!lock.ok()) return Fail(lock.status());
    InvestigateContext ctx{g, **c, {}, {}, 0, {}, {}};
    for (auto& [name, plan] : *runners)
      if (plan.prepare)
        if (Status s = plan.prepare(ctx); !s.ok()) return Fail(s);
    // Each stage is recorded as started, then finished with its outcome: a run killed in the
    // middle stays visibly unfinished for status, scope and report. A stage that fails does
    // not stop the stages after it; the failures are named at the end.
    std::vector<Status> failed;
    std::vector<std::string> planned;
    std::vector<StagePlan*> planned_runs;
    for (auto& [name, run] : *runners) {
      if (!only->empty() && std::find(only->begin(), only->end(), name) == only->end()) continue;
      planned.push_back(name);
      planned_runs.push_back(&run);
    }
    // Every stage of the run is recorded before the first one runs: a stage whose start
    // cannot be recorded still shows as never finished.
    int64_t run_id = 0;
    std::vector<int64_t> rows;
    if (Status s = BeginRun(**c, "investigate", planned, &run_id, &rows); !s.ok())
      return Fail(Status(s.code(), "could not record the run: " + s.message()));
    // Work of later stages that needs no earlier stage's results starts now, on its own
    // threads (StagePlan::early), beside the stages before them; each such stage's run waits
    // for its part. The first stage has nothing to run beside. An early start that fails is
    // that stage's failure, reported in its turn.
    std::vector<Status> early(planned.size());
    for (size_t i = 1; i < planned.size(); ++i)
      if (planned_runs[i]->early) early[i] = planned_runs[i]->early(ctx);
    // A stage's `beside` work starts once the stage before it has committed its findings
    // (ctx.FindingsCommitted()), or when that stage ends; the stage's run waits for it. A
    // beside start that fails is that stage's failure, as for `early`.
    std::vector<Status> beside(planned.size());
    for (size_t i = 0; i < planned.size(); ++i) {
      if (i + 1 < planned.size() && planned_runs[i + 1]->beside)
        ctx.findings_committed = [&, next = i + 1] {
          beside[next] = planned_runs[next]->beside(ctx);
        };
      Status s = StartStage(**c, rows[i]);
      if (s.ok()) s = early[i];
      if (s.ok()) s = beside[i];
      if (s.ok()) s = planned_runs[i]->run(ctx);
      ctx.FindingsCommitted();  // the stage ended without saying so (or failed)
      // What the stage freed goes back to the system before the next one starts: each stage's
      // threads leave their own malloc arenas, and the stages' peaks would otherwise add up
      // (the store database stage, the largest, comes third).
      malloc_trim(0);
      Status done = FinishStage(**c, rows[i], s.ok() ? "ok" : s.ToString());
      if (s.ok()) s = done;
      if (!s.ok()) failed.push_back(Status(s.code(), "stage " + planned[i] + ": " + s.message()));
    }
    AuditOutcome(**c, g, "investigate", failed.empty() ? Status::Ok() : failed.front(),
                 "findings " + std::to_string(ctx.findings) + ", item errors " +
                     std::to_string(ctx.item_errors.size()) + ", failed stages " +
                     std::to_string(failed.size()));
    for (const Status& e : ctx.item_errors) PrintError(e);
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("findings", ctx.findings);
      w.Field("item_errors", static_cast<int64_t>(ctx.item_errors.size()));
      w.Key("stages").BeginObject();
      for (auto& [name, json] : ctx.json_sections) w.Key(name).Raw(json);
      w.EndObject().EndObject();
      PrintOut(w.str() + "\n");
    } else {
      std::string out;
      for (auto& line : ctx.text_lines) out += line + "\n";
      out += "Findings recorded: " + std::to_string(ctx.findings) + "\n";
      // What the default views show first, and how much they hide.
      Result<FindingCounts> f = CountFindings(ctx.the_case.db());
      if (f.ok() && f->all >= 0)
        out += "Findings in the case: " + std::to_string(f->all) + ": " +
               std::to_string(f->actionable) + " actionable (shown first), " +
               std::to_string(f->context) + " context and " + std::to_string(f->noise) +
               " noise (hidden from the default views); " + std::to_string(f->high) +
               " rated high or critical\n";
      PrintOut(out);
    }
    if (!failed.empty()) {  // after the summary of the stages that ran
      for (size_t i = 1; i < failed.size(); ++i) PrintError(failed[i]);
      return Fail(failed.front());
    }
    if (!ctx.item_errors.empty()) return kExitBadInput;
    return ctx.findings > 0 ? kExitFound : kExitOk;
  };
}

}  // namespace
TQ_COMMAND("investigate", "Logs, web root and database to findings, attackers and timeline", 300,
           SetupInvestigate);
}  // namespace tq::cli
