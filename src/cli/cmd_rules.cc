// tourniquet rules check DIR...: what a Sigma rule pack loads, and what it skips and why.
#include "cli/command.h"
#include "core/escape.h"
#include "core/json.h"
#include "rules/rules.h"

namespace tq::cli {
namespace {

Runner SetupRules(CLI::App& app, Globals& g) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  app.require_subcommand(1);
  CLI::App* check =
      app.add_subcommand("check", "Load Sigma rules and list what loads and what is skipped");
  check->add_option("DIR", *dirs, "Rule directories or files (default: the shipped pack)");
  check->footer("Example: tourniquet rules check rules/sigma ~/sigma/rules/web --json");
  return [dirs, &g]() -> int {
    std::vector<std::string> paths = *dirs;
    if (paths.empty()) {
      std::string shipped = rules::ShippedRulesDir();
      if (shipped.empty())
        return Fail(Status::NotFound("the shipped rule pack was not found; give DIR"));
      paths.push_back(shipped);
    }
    Result<rules::RuleSetPtr> rs = rules::LoadRules(paths);
    if (!rs.ok()) return Fail(rs.status());
    const auto& loaded = rules::Rules(**rs);
    const auto& skipped = rules::Skipped(**rs);
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("loaded", static_cast<int64_t>(loaded.size()));
      w.Field("skipped", static_cast<int64_t>(skipped.size()));
      w.Field("patterns", static_cast<int64_t>(rules::ScannedPatternCount(**rs)));
      w.Key("rules").BeginArray();
      for (const auto& r : loaded) {
        w.BeginObject().Field("id", r.id).Field("title", r.title).Field("level", r.level);
        w.Field("status", r.status).Field("file", r.file).Field("line", r.line);
        if (!r.extra_fields.empty()) {  // only logs carrying them (JSON lines) can match
          w.Key("fields_outside_taxonomy").BeginArray();
          for (const std::string& f : r.extra_fields) w.String(f);
          w.EndArray();
        }
        w.EndObject();
      }
      w.EndArray().Key("correlations").BeginArray();
      for (const auto& c : rules::Correlations(**rs)) {
        w.BeginObject().Field("id", c.id).Field("title", c.title).Field("level", c.level);
        w.Field("type", rules::CorrelationTypeName(c.type)).Field("file", c.file);
        w.Field("line", c.line).Field("timespan_seconds", c.timespan / 1000000);
        w.Field("condition", c.condition.ToString());
        if (!c.field.empty()) w.Field("field", c.field);
        w.Key("group_by").BeginArray();
        for (const std::string& f : c.group_by) w.String(f);
        w.EndArray().Key("rules").BeginArray();
        for (const std::string& r : c.rules) w.String(r);
        w.EndArray().Field("generate", c.generate).Field("legacy", c.legacy).EndObject();
      }
      w.EndArray().Key("problems").BeginArray();
      for (const auto& p : skipped) {
        w.BeginObject().Field("file", p.where.source).Field("line", p.where.line);
        w.Field("title", p.title).Field("reason", p.where.reason).EndObject();
      }
      w.EndArray().EndObject();
      PrintOut(w.str() + "\n");
    } else {
      std::string out;
      for (const auto& r : loaded) {
        out += "ok       " + EscapeTerminal(r.level.empty() ? "-" : r.level) + "\t" +
               EscapeTerminal(r.title) + "  (" + EscapeTerminal(r.file) + ":" +
               std::to_string(r.line) + ")\n";
        if (!r.extra_fields.empty()) {
          std::string names;
          for (const std::string& f : r.extra_fields) names += (names.empty() ? "" : ", ") + f;
          out += "           fields outside the webserver taxonomy: " + EscapeTerminal(names) +
                 " (matched only in JSON lines logs that carry them; see --json-field)\n";
        }
      }
      for (const auto& c : rules::Correlations(**rs)) {
        std::string by;
        for (const std::string& f : c.group_by) by += (by.empty() ? "" : ", ") + f;
        out += "ok       " + EscapeTerminal(c.level.empty() ? "-" : c.level) + "\t" +
               EscapeTerminal(c.title) + "  (" + EscapeTerminal(c.file) + ":" +
               std::to_string(c.line) + ")\n           correlation " +
               std::string(rules::CorrelationTypeName(c.type)) +
               (c.field.empty() ? "" : "(" + EscapeTerminal(c.field) + ")") + " " +
               c.condition.ToString() + " within " + std::to_string(c.timespan / 1000000) + " s" +
               (by.empty() ? "" : " by " + EscapeTerminal(by)) + "\n";
      }
      for (const auto& p : skipped) out += "skipped  " + EscapeTerminal(p.ToString()) + "\n";
      out += std::to_string(loaded.size()) + " rules loaded, " + std::to_string(skipped.size()) +
             " skipped, " + std::to_string(rules::ScannedPatternCount(**rs)) +
             " patterns in the scan database, " + std::to_string(rules::Correlations(**rs).size()) +
             " correlations\n";
      PrintOut(out);
    }
    return skipped.empty() ? kExitOk : kExitBadInput;
  };
}

}  // namespace
TQ_COMMAND("rules", "Check Sigma rule packs: what loads, what is skipped and why", 310, SetupRules);
}  // namespace tq::cli
