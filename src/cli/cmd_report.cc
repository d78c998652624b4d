// tourniquet report: the internal post-mortem and the public documents (early notice,
// published post-mortem), Markdown and self-contained HTML under <case>/reports/.
#include "casefile/stage_runs.h"
#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "report/report.h"

namespace tq::cli {
namespace {

Runner SetupReport(CLI::App& app, Globals& g) {
  auto which = std::make_shared<std::string>();
  auto internal = std::make_shared<bool>(false);
  app.add_option("--public", *which, "Write only this public document")
      ->check(CLI::IsMember({"notice", "postmortem"}));
  app.add_flag("--internal", *internal, "Write only the internal post-mortem");
  app.footer("Examples:\n  tourniquet report\n  tourniquet report --public notice");
  return [which, internal, &g]() -> int {
    if (*internal && !which->empty())
      return Fail(Status::Usage("--internal and --public exclude each other"));
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<CaseLock> lock = LockCase(**c, "report", "report");
    if (!lock.ok()) return Fail(lock.status());
    if (Status f = RequireFinished((*c)->db(), "investigate", "report"); !f.ok()) return Fail(f);
    std::vector<report::Written> written;
    Status st = (*c)->Transaction([&](Db& db) -> Status {
      TQ_ASSIGN_OR_RETURN(written, report::WriteReports(**c, db, *internal ? "internal" : *which));
      return Status::Ok();
    });
    AuditOutcome(**c, g, "report", st, std::to_string(written.size()) + " documents");
    if (!st.ok()) return Fail(st);
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Key("documents").BeginArray();
      for (const auto& d : written)
        w.BeginObject().Field("name", d.name).Field("path", d.path).EndObject();
      w.EndArray().EndObject();
      PrintOut(w.str() + "\n");
      return kExitOk;
    }
    std::string out;
    for (const auto& d : written) out += EscapeTerminal(d.path) + "\n";
    PrintOut(out);
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("report", "Post-mortem (internal) and public notice / post-mortem, MD + HTML", 800,
           SetupReport);
}  // namespace tq::cli
