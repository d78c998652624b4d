// tourniquet contain: the containment plan (blocklists, maintenance switch, files to
// quarantine, accounts, tokens, secrets, the fix) as files under <case>/reports/contain/, a
// dry-run shell script and one task per step. Never touches the live store.
#include "cli/case_access.h"
#include "contain/contain.h"
#include "core/escape.h"
#include "core/json.h"

namespace tq::cli {
namespace {

struct ContainOptions {
  std::vector<std::string> allow;
  std::string platform;
};

Runner SetupContain(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ContainOptions>();
  app.add_option("--allow", o->allow,
                 "A responder's address: allowed through maintenance mode, never blocked "
                 "(repeatable)");
  app.add_option("--platform", o->platform,
                 "Override the platform (magento, woocommerce, "
                 "prestashop, shopware)");
  app.footer(
      "Example: tourniquet contain --allow 192.0.2.10 && sh case/reports/contain/contain.sh");
  return [o, &g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<CaseLock> lock = LockCase(**c, "contain", "contain");
    if (!lock.ok()) return Fail(lock.status());
    for (const std::string& a : o->allow)
      if (!contain::ValidAddress(a))
        return Fail(Status::Usage("--allow " + a + ": not an IP address"));
    contain::Options opt{o->allow, o->platform};
    Result<contain::Plan> plan = contain::BuildPlan(**c, opt);
    Status st = plan.ok()
                    ? (*c)->Transaction([&](Db& db) { return contain::WritePlan(**c, db, *plan); })
                    : plan.status();
    AuditOutcome(**c, g, "contain", st,
                 plan.ok() ? std::to_string(plan->steps.size()) + " steps" : "");
    if (!st.ok()) return Fail(st);
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("platform", plan->platform).Field("version", plan->version);
      w.Field("fixed_version", plan->fixed_version);
      w.Key("blocked").BeginArray();
      for (const auto& a : plan->blocked) w.String(a);
      w.EndArray().Key("not_blocked").BeginArray();
      for (const auto& a : plan->not_blocked) w.String(a);
      w.EndArray().Key("secrets").BeginArray();
      for (const auto& a : plan->secrets) w.String(a);
      w.EndArray().Key("steps").BeginArray();
      for (const auto& s : plan->steps) {
        w.BeginObject().Field("key", s.key).Field("category", s.category);
        w.Field("title", s.title).Field("reason", s.reason).Field("warning", s.warning);
        w.Key("evidence").BeginArray();
        for (const auto& e : s.evidence) w.String(e);
        w.EndArray().Key("commands").BeginArray();
        for (const auto& e : s.commands) w.String(e);
        w.EndArray().EndObject();
      }
      w.EndArray().Key("warnings").BeginArray();
      for (const auto& a : plan->warnings) w.String(a);
      w.EndArray().Key("files").BeginArray();
      for (const auto& a : plan->files_written) w.String(a);
      w.EndArray().EndObject();
      PrintOut(w.str() + "\n");
      return kExitOk;
    }
    std::string out;
    int n = 0;
    for (const auto& s : plan->steps) {
      out += std::to_string(++n) + ". [" + s.category + "] " + EscapeTerminal(s.title) + "\n";
      if (!s.warning.empty()) out += "   warning: " + EscapeTerminal(s.warning) + "\n";
    }
    out += "\nBlocked " + std::to_string(plan->blocked.size()) + " address(es); files in " +
           EscapeTerminal((*c)->ReportsDir()) +
           "/contain/ (review contain.sh; dry run by "
           "default)\n";
    PrintOut(out);
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("contain", "Containment plan: blocklists, maintenance, quarantine, rotation, fix", 150,
           SetupContain);
}  // namespace tq::cli
