// tourniquet timeline: the case's merged timeline (log requests, file times, database times,
// findings) for the terminal, Timesketch (JSONL or CSV) or Elasticsearch/OpenSearch (ECS
// NDJSON, a _bulk body). Written by `tourniquet investigate`.
#include "analysis/timeline.h"
#include "cli/case_access.h"
#include "core/escape.h"

namespace tq::cli {
namespace {

struct TimelineOptions {
  std::string format = "text";
  std::string from, to, attacker;
  std::string index = "tourniquet-timeline";
  std::string output;
};

Runner SetupTimeline(CLI::App& app, Globals& g) {
  auto o = std::make_shared<TimelineOptions>();
  app.add_option("--format", o->format,
                 "text (terminal), timesketch (JSONL), csv (Timesketch CSV), ecs (NDJSON for "
                 "an Elasticsearch/OpenSearch _bulk load)")
      ->check(CLI::IsMember({"text", "timesketch", "csv", "ecs"}));
  app.add_option("--from", o->from, "Only rows at or after this time (ISO 8601; case zone)");
  app.add_option("--to", o->to, "Only rows at or before this time (ISO 8601; case zone)");
  app.add_option("--attacker", o->attacker, "Only one attacker's rows (label or id)");
  app.add_option("--index", o->index, "ECS: the index named in the _bulk action lines");
  app.add_option("-o,--output", o->output, "Write to this file instead of stdout");
  app.footer(
      "Examples:\n  tourniquet timeline --attacker attacker-1\n"
      "  tourniquet timeline --format ecs > t.ndjson && curl -H 'Content-Type: "
      "application/x-ndjson' --data-binary @t.ndjson http://localhost:9200/_bulk\n"
      "  tourniquet timeline --format timesketch -o case.jsonl   (timesketch import)");
  return [o, &g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g, /*read_only=*/true);
    if (!c.ok()) return Fail(c.status());
    TimeZone zone = (*c)->Zone();
    analysis::TimelineFilter filter;
    filter.attacker = o->attacker;
    for (auto [text, out, name] :
         {std::tuple{&o->from, &filter.from, "--from"}, std::tuple{&o->to, &filter.to, "--to"}}) {
      if (text->empty()) continue;
      Result<UnixMicros> t = ParseIso8601(*text, zone);
      if (!t.ok()) return Fail(Status::Usage(std::string(name) + ": " + t.status().message()));
      *out = *t;
    }
    Result<analysis::TimelineFormat> format =
        analysis::ParseTimelineFormat(g.json && o->format == "text" ? "timesketch" : o->format);
    if (!format.ok()) return Fail(format.status());
    // An attacker the case does not know is a mistake on the command line, said as such (not an
    // empty timeline that reads as "they did nothing").
    if (!o->attacker.empty() && TableExists((*c)->db(), "attackers")) {
      Result<Stmt> st = (*c)->db().Prepare(
          "SELECT (SELECT count(*) FROM attackers WHERE label=?1 OR CAST(id AS TEXT)=?1),"
          "(SELECT group_concat(label,', ') FROM (SELECT label FROM attackers ORDER BY id "
          "LIMIT 10))");
      if (!st.ok()) return Fail(st.status());
      st->Bind(1, o->attacker);
      Result<bool> row = st->Step();
      if (!row.ok()) return Fail(row.status());
      if (st->Int(0) == 0)
        return Fail(Status::Usage(
            "--attacker " + o->attacker + ": no such attacker in the case" +
            (st->IsNull(1) ? std::string(" (it has none)") : " (known: " + st->String(1) + ")")));
    }
    Result<std::vector<analysis::TimelineRow>> rows = analysis::ReadTimeline((*c)->db(), filter);
    // No timeline yet is the case's state (investigate has not run), not a missing file.
    if (!rows.ok() && rows.status().code() == ErrorCode::kNotFound)
      return Fail(Status::CaseError(rows.status().message()));
    if (!rows.ok()) return Fail(rows.status());
    std::string text = analysis::ExportTimeline(*rows, *format, o->index);
    // The terminal view opens with the attackers in rank order (attacker-1 achieved most), so
    // the rows below read as their story. Exports stay plain rows for the tools that load them.
    if (*format == analysis::TimelineFormat::kText && o->attacker.empty()) {
      Result<Stmt> st = (*c)->db().Prepare(
          "SELECT a.label,(SELECT group_concat(substr(value,instr(value,': ')+2),'; ') FROM "
          "json_each(CASE WHEN json_valid(a.reasons) THEN a.reasons "
          "ELSE '[]' END) WHERE value GLOB 'role: *' OR value GLOB 'campaign: *' OR value "
          "GLOB 'achieved: *'),(SELECT count(*) FROM attacker_addresses x WHERE "
          "x.attacker_id=a.id) FROM attackers a ORDER BY CASE WHEN a.label GLOB "
          "'attacker-[0-9]*' THEN CAST(substr(a.label,10) AS INTEGER) ELSE 1000000000 END");
      std::string head;
      for (Result<bool> row = st.ok() ? st->Step() : Result<bool>(false); row.ok() && *row;
           row = st->Step())
        head += "# " + EscapeTerminal(st->Text(0)) + ": " + EscapeTerminal(st->Text(1)) + " (" +
                std::to_string(st->Int(2)) + " address(es))\n";
      text = head + text;
    }
    if (!o->output.empty()) {
      FILE* f = std::fopen(o->output.c_str(), "wb");
      if (!f) return Fail(Status::FromErrno(o->output, errno));
      bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
      ok = (std::fclose(f) == 0) && ok;
      if (!ok) return Fail(Status::FromErrno(o->output, errno));
      PrintNote(g, std::to_string(rows->size()) + " rows written to " + o->output);
    } else {
      PrintOut(text);
    }
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("timeline", "The merged timeline: terminal, Timesketch JSONL/CSV, ECS NDJSON", 310,
           SetupTimeline);
}  // namespace tq::cli
