// tourniquet scope: who is affected, what each of them lost, and where they live.
#include "casefile/stage_runs.h"
#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "scope/scope.h"

namespace tq::cli {
namespace {

Runner SetupScope(CLI::App& app, Globals& g) {
  app.footer(
      "Combines the investigation's exposures (skimmer window, stolen dumps) with the store\n"
      "database's customers and orders. Writes the scope tables and <case>/reports/scope.csv.\n"
      "Example: tourniquet --case case scope --json");
  return [&g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<CaseLock> lock = LockCase(**c, "scope", "scope");
    if (!lock.ok()) return Fail(lock.status());
    // No investigate, or one killed after the database stage, would give "nobody is affected".
    if (Status f = RequireRun((*c)->db(), "investigate", "scope"); !f.ok()) return Fail(f);
    Result<scope::ScopeSummary> s = scope::RunScope(**c);
    AuditOutcome(**c, g, "scope", s.status(),
                 s.ok() ? "affected " + std::to_string(s->people) : "");
    if (!s.ok()) return Fail(s.status());
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("affected", s->people).Field("ambiguous", s->ambiguous);
      w.Field("csv", (*c)->ReportsDir() + "/scope.csv");
      w.Key("per_category").BeginObject();
      for (auto& [k, v] : s->per_category) w.Field(k, v);
      w.EndObject().Key("per_jurisdiction").BeginObject();
      for (auto& [k, v] : s->per_jurisdiction) w.Field(k, v);
      w.EndObject().Key("exposures").BeginArray();
      for (const auto& e : s->exposures) {
        w.BeginObject().Field("kind",
                              e.kind == scope::Exposure::Kind::kSkimmer ? "skimmer" : "dump");
        w.Field("start", FormatUtc(e.start)).Key("end");
        e.end ? w.String(FormatUtc(*e.end)) : w.Null();
        w.Field("description", e.description).Field("evidence", e.evidence).EndObject();
      }
      w.EndArray().Key("notes").BeginArray();
      for (const auto& n : s->notes) w.String(n);
      w.EndArray().EndObject();
      PrintOut(w.str() + "\n");
    } else {
      std::string out;
      for (const auto& e : s->exposures) {
        out += (e.kind == scope::Exposure::Kind::kSkimmer ? "Skimmer window " : "Stolen dump ");
        out += FormatUtc(e.start);
        if (e.end) out += " .. " + FormatUtc(*e.end);
        out += ": " + EscapeTerminal(e.description) + "\n";
      }
      out += "Affected people: " + std::to_string(s->people);
      if (s->ambiguous) out += " (" + std::to_string(s->ambiguous) + " with an ambiguity to check)";
      out += "\n";
      for (auto& [k, v] : s->per_category) out += "  " + k + ": " + std::to_string(v) + "\n";
      out += "Jurisdictions: ";
      size_t i = 0;
      for (auto& [k, v] : s->per_jurisdiction)
        out += (i++ ? ", " : "") + EscapeTerminal(k) + " " + std::to_string(v);
      out += "\n";
      for (const auto& n : s->notes) out += "note: " + n + "\n";
      out += "List: " + EscapeTerminal((*c)->ReportsDir()) + "/scope.csv\n";
      PrintOut(out);
    }
    return s->people > 0 ? kExitFound : kExitOk;
  };
}

}  // namespace
TQ_COMMAND("scope", "Who is affected, what each of them lost, where they live", 400, SetupScope);
}  // namespace tq::cli
