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
    if (!o->attacker.empty())
      if (Status s = analysis::CheckAttacker((*c)->db(), o->attacker); !s.ok()) return Fail(s);
    Result<std::vector<analysis::TimelineRow>> rows = analysis::ReadTimeline((*c)->db(), filter);
    // No timeline yet is the case's state (investigate has not run), not a missing file.
    if (!rows.ok() && rows.status().code() == ErrorCode::kNotFound)
      return Fail(Status::CaseError(rows.status().message()));
    if (!rows.ok()) return Fail(rows.status());
    std::string text = analysis::ExportTimeline(*rows, *format, o->index);
    // The terminal view opens with the attackers in rank order (attacker-1 achieved most), so
    // the rows below read as their story. Exports stay plain rows for the tools that load them.
    if (*format == analysis::TimelineFormat::kText && o->attacker.empty()) {
      Result<std::vector<analysis::AttackerHeadline>> heads =
          analysis::AttackerHeadlines((*c)->db());
      if (!heads.ok()) return Fail(heads.status());
      std::string head;
      for (const analysis::AttackerHeadline& h : *heads)
        head += "# " + EscapeTerminal(h.label) + ": " + EscapeTerminal(h.summary) + " (" +
                std::to_string(h.addresses) + " address(es))\n";
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
