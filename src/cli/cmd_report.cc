// tourniquet report: the internal post-mortem and the public documents (early notice,
// published post-mortem), Markdown and self-contained HTML under <case>/reports/, each public
// one with its claims ledger. Facts the case cannot settle are marked "[to confirm: ...]" in
// the text: they are listed, and the exit status is 1 until they are resolved or --draft says
// a draft is what is wanted.
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
  auto draft = std::make_shared<bool>(false);
  app.add_option("--public", *which, "Write only this public document")
      ->check(CLI::IsMember({"notice", "postmortem"}));
  app.add_flag("--internal", *internal, "Write only the internal post-mortem");
  app.add_flag("--draft", *draft,
               "Facts still marked [to confirm: ...] are expected: exit 0 (default: exit 1 "
               "while any is open)");
  app.footer(
      "Examples:\n  tourniquet report\n  tourniquet report --public notice\n  tourniquet "
      "report --draft");
  return [which, internal, draft, &g]() -> int {
    if (*internal && !which->empty())
      return Fail(Status::Usage("--internal and --public exclude each other"));
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<CaseLock> lock = LockCase(**c, "report", "report");
    if (!lock.ok()) return Fail(lock.status());
    if (Status f = RequireFinished((*c)->db(), "investigate", "report"); !f.ok()) return Fail(f);
    std::vector<report::Written> written;
    Progress progress(ProgressFd(g), "report", "documents", 0);
    Status st = (*c)->Transaction([&](Db& db) -> Status {
      TQ_ASSIGN_OR_RETURN(
          written, report::WriteReports(**c, db, *internal ? "internal" : *which,
                                        [&](std::string_view name, int done, int total) {
                                          progress.Step("report: " + std::string(name), "documents",
                                                        static_cast<uint64_t>(total));
                                          progress.Set(static_cast<uint64_t>(done));
                                        }));
      return Status::Ok();
    });
    progress.Finish();
    AuditOutcome(**c, g, "report", st, std::to_string(written.size()) + " documents");
    if (!st.ok()) return Fail(st);
    int64_t open = 0;
    for (const auto& d : written) open += static_cast<int64_t>(d.open_markers.size());
    // Open markers make the run "found something" unless a draft was asked for.
    int rc = open > 0 && !*draft ? kExitFound : kExitOk;
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Key("documents").BeginArray();
      for (const auto& d : written) {
        w.BeginObject().Field("name", d.name).Field("path", d.path).Key("open_markers");
        w.BeginArray();
        for (const auto& m : d.open_markers) w.String(m);
        w.EndArray().EndObject();
      }
      w.EndArray().Field("draft", *draft).EndObject();
      PrintOut(w.str() + "\n");
      return rc;
    }
    std::string out;
    for (const auto& d : written) out += EscapeTerminal(d.path) + "\n";
    std::string notes;
    for (const auto& d : written)
      if (d.name.ends_with(".md"))  // one list per document, not per format
        for (const auto& m : d.open_markers)
          notes += EscapeTerminal(d.name) + ": " + EscapeTerminal(m) + "\n";
    if (!notes.empty())
      notes += std::string(*draft ? "draft: " : "not ready to publish: ") +
               "resolve each [to confirm: ...] in the case (tasks, scope, notify) and run "
               "`tourniquet report` again\n";
    PrintOut(out);
    if (!notes.empty()) PrintNote(g, notes);
    return rc;
  };
}

}  // namespace
TQ_COMMAND("report", "Post-mortem (internal) and public notice / post-mortem, MD + HTML", 800,
           SetupReport);
}  // namespace tq::cli
