// The "analysis" stage of `tourniquet investigate` (order 400, after logs, webroot and
// storedb): attackers, the entry vector, sessions, exfiltration, the skimmer window and the
// timeline, from the access records of the collected logs and the other stages' findings.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>

#include "analysis/analysis.h"
#include "analysis/log_records.h"
#include "casefile/case_counts.h"
#include "cli/investigate.h"
#include "core/escape.h"
#include "core/json.h"

namespace tq::cli {
namespace {

// The replay begun beside the store database stage (StagePlan::beside): the investigation
// computed on a read-only connection of its own, for this stage's turn to write.
struct BesideReplay {
  std::future<Result<analysis::CaseInvestigation>> computed;
  analysis::LogReadStats log_stats;
  // Where it is, for the stage's progress line while its turn waits: the pass (1, 2; 3 once
  // both are read) and the requests read in it.
  std::atomic<int> pass{0};
  std::atomic<uint64_t> requests{0};
};

StagePlan SetupAnalysisStage(CLI::App& app, Globals& g) {
  (void)app, (void)g;
  auto beside_replay = std::make_shared<BesideReplay>();
  // Everything the analysis reads is committed once the store database stage has committed its
  // findings: the replay of the requests (most of this stage) runs while that stage writes its
  // customer and order tables, which leave a core mostly idle.
  auto beside = [beside_replay](InvestigateContext& ctx) -> Status {
    Result<logs::StreamOptions> lo = LogReading(ctx);
    if (!lo.ok()) return Status::Ok();  // the stage's turn reports it
    BesideReplay* b = beside_replay.get();
    b->computed = std::async(
        std::launch::async,
        [b, dir = ctx.the_case.dir(), journal = RequestJournalDir(ctx.the_case),
         lo = *lo]() -> Result<analysis::CaseInvestigation> {
          TQ_ASSIGN_OR_RETURN(std::unique_ptr<Case> reader, Case::Open(dir, /*read_only=*/true));
          TQ_ASSIGN_OR_RETURN(analysis::RecordSource records,
                              analysis::CaseLogRecords(*reader, journal, lo, &b->log_stats));
          analysis::RecordSource counted = [&](const analysis::RecordVisitor& visit) -> Status {
            b->requests.store(0, std::memory_order_relaxed);
            b->pass.fetch_add(1, std::memory_order_relaxed);
            Status s = records([&](const analysis::AccessRecord& r) {
              b->requests.fetch_add(1, std::memory_order_relaxed);
              visit(r);
            });
            if (b->pass.load(std::memory_order_relaxed) == 2) b->pass.store(3);
            return s;
          };
          return analysis::ComputeCaseInvestigation(*reader, counted);
        });
    return Status::Ok();
  };
  StagePlan plan{[beside_replay](InvestigateContext& ctx) -> Status {
    // Only needed when the case has no request journal from the logs stage: the logs
    // component then reads the logs again, as the logs stage would.
    TQ_ASSIGN_OR_RETURN(logs::StreamOptions lo, LogReading(ctx));
    // The analysis reads every request twice (clients, then sessions), then attributes and
    // writes: each pass counted in requests against what the logs stage parsed. The requests
    // come from the journal the logs stage kept (or the logs component builds it now).
    Result<int64_t> parsed = CountParsedRequests(ctx.the_case.db());
    uint64_t expected = parsed.ok() ? static_cast<uint64_t>(*parsed) : 0;
    Progress progress(ProgressFd(ctx.globals), "analysis", "requests", expected);
    const std::string journal = RequestJournalDir(ctx.the_case);
    analysis::LogReadStats log_stats;
    std::string damaged;
    Result<analysis::CaseInvestigation> done = Status::Internal("analysis not run");
    bool replayed = false;
    if (beside_replay->computed.valid()) {
      // What is left of the replay begun beside the store database stage, shown as the passes
      // of the replay done here would be.
      BesideReplay& b = *beside_replay;
      int shown = 0;
      for (;;) {
        int pass = b.pass.load(std::memory_order_relaxed);
        if (pass != shown && pass <= 2) {
          progress.Step("analysis: reading requests (pass " + std::to_string(pass) +
                            ", begun beside the store database stage)",
                        "requests", expected);
          shown = pass;
        }
        if (pass <= 2) progress.Set(b.requests.load(std::memory_order_relaxed));
        if (b.computed.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready) break;
      }
      progress.Step("analysis: attributing and writing the timeline", "", 0);
      Result<analysis::CaseInvestigation> computed = beside_replay->computed.get();
      // A replay that failed there is done again here, where its error is reported and a
      // damaged journal is built again.
      if (computed.ok()) {
        replayed = true;
        log_stats = beside_replay->log_stats;
        done = analysis::WriteCaseInvestigation(ctx.the_case, std::move(*computed));
      }
    }
    // A journal damaged since it was written fails the pass that reads it: built again from
    // the logs, once.
    for (int attempt = 0; attempt < 2 && !replayed; ++attempt) {
      progress.Step("analysis: reading the request journal", "", 0);
      TQ_ASSIGN_OR_RETURN(analysis::RecordSource records,
                          analysis::CaseLogRecords(ctx.the_case, journal, lo, &log_stats));
      int pass = 0;
      analysis::RecordSource counted = [&](const analysis::RecordVisitor& visit) -> Status {
        ++pass;
        progress.Step("analysis: reading requests (pass " + std::to_string(pass) + ")", "requests",
                      expected);
        Status s = records([&](const analysis::AccessRecord& r) {
          progress.Add();
          visit(r);
        });
        progress.Step("analysis: attributing and writing the timeline", "", 0);
        return s;
      };
      done = analysis::InvestigateCase(ctx.the_case, counted);
      if (done.ok() || attempt > 0 || done.status().code() != ErrorCode::kBadInput ||
          done.status().message().rfind("request journal", 0) != 0)
        break;
      damaged = done.status().message();
      analysis::DropRequestJournal(journal);
    }
    if (!done.ok()) return done.status();
    if (!damaged.empty()) log_stats.rebuilt = damaged;
    analysis::CaseInvestigation inv = std::move(*done);
    progress.Finish();
    const analysis::InvestigationResult& r = inv.result;
    ctx.findings += inv.findings;

    JsonWriter w;
    w.BeginObject().Field("records", r.records).Field("clients", r.clients);
    w.Field("failed_scanners", r.failed_scanners).Field("store_admins", r.store_admins);
    w.Key("attackers").BeginArray();
    for (const analysis::Attacker& a : r.attackers) {
      w.BeginObject().Field("label", a.label).Field("role", a.role).Field("kind", a.kind);
      w.Field("summary", a.summary).Key("achieved").BeginArray();
      for (const std::string& x : a.achieved) w.String(x);
      w.EndArray().Field("confidence", a.confidence).Key("addresses").BeginArray();
      for (const std::string& addr : a.addresses) w.String(addr);
      w.EndArray().Field("first_seen", FormatUtc(a.first_seen));
      w.Field("last_seen", FormatUtc(a.last_seen)).Field("requests", a.requests);
      w.Field("bytes_sent", a.bytes_sent).EndObject();
    }
    w.EndArray().Key("background_scanning");
    if (r.background) {
      const analysis::BackgroundScanning& b = *r.background;
      w.BeginObject().Field("addresses", b.addresses).Field("requests", b.requests);
      w.Field("hits", b.hits).Field("refused", b.refused).EndObject();
    } else {
      w.Null();
    }
    w.Key("rating").BeginObject().Field("rated", inv.rating.rated);
    w.Field("raised", inv.rating.raised).Field("lowered", inv.rating.lowered).EndObject();
    w.Key("entry");
    if (r.entry) {
      const analysis::Request& q = r.entry->request;
      w.BeginObject().Field("technique", r.entry->technique).Field("cve", r.entry->cve);
      w.Field("time", FormatUtc(q.time)).Field("ip", q.client).Field("method", q.method);
      w.Field("path", q.path).Field("status", q.status).Field("evidence_item", q.evidence_id);
      w.Field("line", q.line).Field("byte_offset", q.offset).EndObject();
    } else {
      w.Null();
    }
    w.Field("session_events", static_cast<int64_t>(r.sessions.size()));
    w.Field("exfiltration_events", static_cast<int64_t>(r.exfiltration.size()));
    w.Field("bytes_exfiltrated", r.bytes_exfiltrated).Key("skimmer_window");
    if (r.skimmer_window) {
      w.BeginObject().Field("start", FormatUtc(r.skimmer_window->start)).Key("end");
      r.skimmer_window->end ? w.String(FormatUtc(*r.skimmer_window->end)) : w.Null();
      w.EndObject();
    } else {
      w.Null();
    }
    w.Field("timeline_rows", inv.timeline_rows).Field("log_files", log_stats.files);
    w.Field("log_lines", log_stats.lines).Field("log_lines_skipped", log_stats.skipped);
    w.Key("notes").BeginArray();
    for (const std::string& n : r.notes) w.String(n);
    w.EndArray().EndObject();
    ctx.json_sections.emplace_back("analysis", w.Take());

    // Attackers ranked by what they achieved: attacker-1 is the one to contain first. A
    // campaign is one line however many addresses it has.
    std::string line = "analysis: " + std::to_string(r.attackers.size()) + " attacker(s)";
    constexpr size_t kShownAddresses = 4;
    for (const analysis::Attacker& a : r.attackers) {
      std::string addrs;
      for (size_t i = 0; i < a.addresses.size() && i < kShownAddresses; ++i)
        addrs += (addrs.empty() ? "" : ", ") + a.addresses[i];
      if (a.addresses.size() > kShownAddresses)
        addrs += " and " + std::to_string(a.addresses.size() - kShownAddresses) + " more";
      std::string achieved;
      for (const std::string& x : a.achieved) achieved += (achieved.empty() ? "" : ", ") + x;
      line += "\n  " + a.label + " (" + a.role + ", confidence " +
              std::to_string(static_cast<int>(a.confidence * 100)) + "%" +
              (achieved.empty() ? "" : "; achieved " + achieved) +
              "): " + (a.kind == "campaign" ? a.summary + ": " : "") + EscapeTerminal(addrs);
    }
    if (r.background)
      line +=
          "\n  background scanning (not attackers): " + std::to_string(r.background->addresses) +
          " address(es), " + std::to_string(r.background->hits) + " requests with rule hits, " +
          std::to_string(r.background->refused) + " refused, none worked";
    if (inv.rating.rated > 0)
      line += "\n  rule hits rated by outcome: " + std::to_string(inv.rating.rated) + ", " +
              std::to_string(inv.rating.lowered) + " below their rule's level (refused or " +
              "ordinary answers), " + std::to_string(inv.rating.raised) +
              " raised as part of the breach";
    if (r.entry)
      line += "\n  entry: " + EscapeTerminal(r.entry->technique) +
              (r.entry->cve.empty() ? "" : " (" + r.entry->cve + ")") + " at " +
              FormatUtc(r.entry->request.time) + " from " +
              EscapeTerminal(r.entry->request.client) + ", evidence item " +
              std::to_string(r.entry->request.evidence_id) + " line " +
              std::to_string(r.entry->request.line);
    line += "\n  exfiltrated: " + std::to_string(r.bytes_exfiltrated) + " bytes in downloads, " +
            std::to_string(r.exfiltration.size()) +
            " event(s); timeline: " + std::to_string(inv.timeline_rows) +
            " rows (tourniquet timeline)";
    if (r.skimmer_window)
      line += "\n  skimmer live from " + FormatUtc(r.skimmer_window->start) + " to " +
              (r.skimmer_window->end ? FormatUtc(*r.skimmer_window->end) : "(still live)");
    if (log_stats.files == 0) line += "\n  note: no collected access logs to analyse";
    if (log_stats.files > 0 && !log_stats.rebuilt.empty())
      line += "\n  note: the logs were read again for the analysis (" +
              EscapeTerminal(log_stats.rebuilt) + ")";
    // Damaged or unreadable logs are the logs stage's to report; the analysis used what it
    // could read and says how much.
    if (!log_stats.problems.empty())
      line += "\n  note: " + std::to_string(log_stats.problems.size()) +
              " log file(s) damaged or unreadable (see the logs stage)";
    for (const std::string& n : r.notes) line += "\n  note: " + EscapeTerminal(n);
    ctx.text_lines.push_back(line);
    return Status::Ok();
  }};
  plan.beside = beside;
  return plan;
}

}  // namespace
TQ_INVESTIGATE_STAGE("analysis", 400, SetupAnalysisStage);
}  // namespace tq::cli
