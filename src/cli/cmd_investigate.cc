// tourniquet investigate: runs every registered investigation stage over the collected
// evidence and records findings in the case.
#include <algorithm>

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

InvestigateStageRegistrar::InvestigateStageRegistrar(InvestigateStage stage) {
  Stages().push_back(stage);
  std::stable_sort(Stages().begin(), Stages().end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
}
const std::vector<InvestigateStage>& InvestigateStages() { return Stages(); }

namespace {

Runner SetupInvestigate(CLI::App& app, Globals& g) {
  auto runners = std::make_shared<std::vector<std::pair<std::string, StageRunner>>>();
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
    InvestigateContext ctx{g, **c, {}, {}, 0, {}};
    Status failed;
    for (auto& [name, run] : *runners) {
      if (!only->empty() && std::find(only->begin(), only->end(), name) == only->end()) continue;
      Status s = run(ctx);
      if (!s.ok()) {
        failed = Status(s.code(), name + ": " + s.message());
        break;
      }
    }
    AuditOutcome(**c, g, "investigate", failed,
                 "findings " + std::to_string(ctx.findings) + ", item errors " +
                     std::to_string(ctx.item_errors.size()));
    for (const Status& e : ctx.item_errors) PrintError(e);
    if (!failed.ok()) return Fail(failed);
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
      PrintOut(out);
    }
    if (!ctx.item_errors.empty()) return kExitBadInput;
    return ctx.findings > 0 ? kExitFound : kExitOk;
  };
}

}  // namespace
TQ_COMMAND("investigate", "Logs, web root and database to findings, attackers and timeline", 300,
           SetupInvestigate);
}  // namespace tq::cli
