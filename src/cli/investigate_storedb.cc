// investigate stage "storedb" (order 300): reads every "db" evidence item (SQL dumps from
// collect, or collect-mysql snapshots) for injected scripts, rogue admins, tokens and
// configuration changes, maps personal data and extracts customers and orders for scope.
#include <fstream>
#include <limits>
#include <sstream>

#include "analysis/breach_window.h"
#include "cli/investigate.h"
#include "core/escape.h"
#include "core/json.h"
#include "storedb/storedb.h"

namespace tq::cli {
namespace {

struct StoreDbStageOptions {
  std::string window;  // START/END
  std::string pii_map;
  int threads = 2;  // the parser on the second core when there is one (README: storedb)
};

std::string HostOfUrl(const std::string& url) {
  size_t p = url.find("//");
  std::string h = p == std::string::npos ? url : url.substr(p + 2);
  h = h.substr(0, h.find_first_of("/:?#"));
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return h;
}

// Whether a failed dump analysis is the dump's own problem, told by the error's code alone:
// a dump that does not parse (bad input), whose object is missing (not found) or does not
// match its hash (integrity). Anything else (the system refusing a read or a write, a case
// that cannot be written, a broken invariant) fails the stage.
bool DumpItemProblem(const Status& s) {
  return s.code() == ErrorCode::kBadInput || s.code() == ErrorCode::kNotFound ||
         s.code() == ErrorCode::kIntegrity;
}

StagePlan SetupStoreDbStage(CLI::App& app, Globals&) {
  auto o = std::make_shared<StoreDbStageOptions>();
  app.add_option("--db-window", o->window,
                 "Breach window for the database scans, START/END in ISO 8601 (default: from "
                 "the attackers and findings of the logs and web-root stages)");
  app.add_option("--pii-map", o->pii_map,
                 "Known personal-data columns (TSV: platform, table, column, category) instead "
                 "of the built-in data/pii/known_columns.tsv");
  app.add_option("--db-threads", o->threads,
                 "Threads for the database stage: 2 (default) parses the dump in chunks on "
                 "two worker threads while the rows are written, 0 a worker per core (at most "
                 "16), 1 parses it between the writes (the same case; one thread on a "
                 "single-core machine)")
      ->check(CLI::Range(0, 64));
  auto run = [o](InvestigateContext& ctx) -> Status {
    Case& c = ctx.the_case;
    TQ_RETURN_IF_ERROR(storedb::EnsureStoreDbSchema(c));
    TQ_ASSIGN_OR_RETURN(CaseInfo info, c.Info());
    storedb::AnalyzeOptions opt;
    opt.dump.threads = o->threads;
    if (info.platform == "magento" || info.platform == "woocommerce") opt.platform = info.platform;
    if (!info.store_url.empty()) opt.store_hosts.push_back(HostOfUrl(info.store_url));
    opt.discovered_at = info.discovered_at;
    if (!o->window.empty()) {
      size_t slash = o->window.find('/');
      if (slash == std::string::npos) return Status::Usage("--db-window: expected START/END");
      Result<UnixMicros> a = ParseIso8601(o->window.substr(0, slash), c.Zone());
      Result<UnixMicros> b = ParseIso8601(o->window.substr(slash + 1), c.Zone());
      if (!a.ok()) return Status::Usage("--db-window: " + a.status().message());
      if (!b.ok()) return Status::Usage("--db-window: " + b.status().message());
      opt.window = BreachWindow{*a, *b};
    } else {
      opt.window = analysis::BreachWindowFromCase(c.db());
    }
    TQ_ASSIGN_OR_RETURN(opt.answered_attacks, analysis::AnsweredAttacks(c.db(), opt.window));
    TQ_ASSIGN_OR_RETURN(opt.declared_cron_jobs, storedb::DeclaredCronJobs(c));
    TQ_ASSIGN_OR_RETURN(opt.installed_plugins, storedb::InstalledWpPlugins(c));
    if (!o->pii_map.empty()) {
      std::ifstream in(o->pii_map, std::ios::binary);
      if (!in) return Status::FromErrno(o->pii_map, errno);
      std::stringstream ss;
      ss << in.rdbuf();
      opt.pii_map_tsv = ss.str();
      if (opt.pii_map_tsv.empty()) return Status::BadInput(o->pii_map + ": empty PII map");
    }
    TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(c.db(), "db"));
    JsonWriter w;
    w.BeginObject();
    if (opt.window)
      w.Key("window")
          .BeginObject()
          .Field("start", FormatUtc(opt.window->start))
          .Field("end", FormatUtc(opt.window->end))
          .EndObject();
    w.Key("dumps").BeginArray();
    int read = 0;
    uint64_t total = 0;
    for (const EvidenceItem& item : items)
      if (item.kind == "file" && !item.sha256.empty()) total += item.size;
    // By bytes of the collected dumps, a dump at a time.
    Progress progress(ProgressFd(ctx.globals), "storedb: reading dumps", "bytes", total);
    // Once the last dump's findings are committed, a later stage that needs only the findings
    // may start beside the writes of its customers and orders (StagePlan::beside).
    const EvidenceItem* last = nullptr;
    for (const EvidenceItem& item : items)
      if (item.kind == "file" && !item.sha256.empty()) last = &item;
    for (const EvidenceItem& item : items) {
      if (item.kind != "file" || item.sha256.empty()) continue;
      opt.findings_committed = nullptr;
      if (&item == last) opt.findings_committed = [&ctx] { ctx.FindingsCommitted(); };
      Result<storedb::AnalyzeSummary> r = storedb::AnalyzeDumpEvidence(c, item, opt);
      progress.Add(item.size);
      std::string shown = EscapeTerminal(item.original_path);
      if (!r.ok()) {
        // A bad or missing dump is this item's problem: reported, the next dump read. The
        // rest (a full disk, a damaged or locked case.db) fails the stage, so it is not
        // recorded as done and a re-run does it again.
        if (!DumpItemProblem(r.status())) return r.status();
        ctx.item_errors.push_back(
            Status(r.status().code(), item.original_path + ": " + r.status().message()));
        continue;
      }
      ++read;
      const storedb::AnalyzeSummary& s = *r;
      ctx.findings += s.findings;
      w.BeginObject().Field("evidence_id", item.id).Field("path", item.original_path);
      w.Field("platform", s.platform).Field("table_prefix", s.table_prefix);
      w.Field("compression", s.stats.compression).Field("bytes", s.stats.bytes);
      w.Field("tables", s.tables).Field("rows", s.stats.rows);
      w.Field("rows_skipped", s.stats.rows_skipped).Field("problems", s.stats.problems);
      w.Field("injected_scripts", s.injected_scripts).Field("rogue_admins", s.rogue_admins);
      w.Field("tokens", s.tokens).Field("config_changes", s.config_changes);
      w.Field("pii_columns", s.pii_columns).Field("customers", s.customers);
      w.Field("orders", s.orders).EndObject();
      ctx.text_lines.push_back(
          "storedb: " + shown + ": " + (s.platform.empty() ? "unknown platform" : s.platform) +
          ", " + std::to_string(s.tables) + " tables, " + std::to_string(s.stats.rows) + " rows; " +
          std::to_string(s.injected_scripts) + " injected scripts, " +
          std::to_string(s.rogue_admins) + " suspicious admins, " + std::to_string(s.tokens) +
          " tokens, " + std::to_string(s.config_changes) + " config changes; " +
          std::to_string(s.pii_columns) + " personal-data columns, " + std::to_string(s.customers) +
          " customers, " + std::to_string(s.orders) + " orders");
      if (s.stats.problems > 0) {
        const storedb::DumpProblem& p = s.first_problems.front();
        Status e = Status::BadInput(p.reason + " (" + std::to_string(s.stats.problems) +
                                    " problems, " + std::to_string(s.stats.rows_skipped) +
                                    " rows skipped; all in storedb_problem)");
        e.At(item.original_path, p.line);
        if (s.stats.rows_skipped > 0)
          ctx.item_errors.push_back(std::move(e));
        else
          ctx.text_lines.push_back("storedb: note: " + EscapeTerminal(e.ToString()));
      }
    }
    w.EndArray().EndObject();
    if (read == 0)
      ctx.text_lines.push_back(
          "storedb: no database evidence (collect a dump with --label db, "
          "or use collect-mysql)");
    ctx.json_sections.emplace_back("storedb", w.Take());
    return Status::Ok();
  };
  return StagePlan(run);
}

}  // namespace
TQ_INVESTIGATE_STAGE("storedb", 300, SetupStoreDbStage);
}  // namespace tq::cli
