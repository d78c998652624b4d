// investigate stage "webroot" (order 200): YARA, integrity, platform and advisories over the
// collected web root (evidence label "webroot"). Options: --yara DIR|FILE (a user's own YARA
// rules, loaded unchanged, in addition to the shipped pack), --advisories DIR (any directory
// of OSV JSON, in addition to the shipped advisories), --baseline PATH (a clean tree, a release
// archive or a sha256sum manifest).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <future>
#include <mutex>

#include "analysis/breach_window.h"
#include "casefile/case_counts.h"
#include "cli/investigate.h"
#include "core/escape.h"
#include "core/json.h"
#include "webroot/webroot.h"

namespace tq::cli {
namespace {

struct WebrootStageOptions {
  std::vector<std::string> yara;
  std::vector<std::string> advisories;
  std::string baseline;
  bool no_pack = false;
  uint64_t max_file_mb = 64;
  int timeout = 30;
};

// The scan started early (StagePlan::early) on its own thread, and what the stage's turn
// needs of it. Its progress is held back until the turn: the logs stage draws its own meanwhile.
struct EarlyScan {
  std::shared_ptr<webroot::WebrootScan> scan;
  std::mutex mu;
  std::unique_ptr<Progress> progress;  // made at the stage's turn
  uint64_t files_done = 0;
  // Last: destroyed first, its destructor waits for the scan, which uses the members above.
  std::future<Status> done;
};

StagePlan SetupWebrootStage(CLI::App& app, Globals& g) {
  auto o = std::make_shared<WebrootStageOptions>();
  auto early = std::make_shared<EarlyScan>();
  app.add_option("--yara", o->yara,
                 "Your own YARA rules (file or directory, repeatable), used with the shipped pack");
  app.add_option("--advisories", o->advisories,
                 "Directory of OSV JSON advisories (repeatable), used with the shipped ones");
  app.add_option("--baseline", o->baseline,
                 "Known-good web root: a clean tree, a release archive or a sha256sum manifest");
  app.add_flag("--no-yara-pack", o->no_pack, "Scan with --yara rules only, not the shipped pack");
  app.add_option("--max-file-mb", o->max_file_mb, "Web-root files larger than this are not scanned")
      ->capture_default_str();
  app.add_option("--scan-timeout", o->timeout, "Seconds allowed per file for YARA")
      ->capture_default_str();
  auto options = [o, early](InvestigateContext& ctx) {
    webroot::WebrootOptions wo;
    if (!o->no_pack) wo.yara_paths.push_back(webroot::ShippedPath("rules/yara"));
    for (const std::string& y : o->yara) wo.yara_paths.push_back(y);
    wo.advisory_dirs.push_back(webroot::ShippedPath("data/advisories"));
    for (const std::string& a : o->advisories) wo.advisory_dirs.push_back(a);
    wo.baseline = o->baseline;
    wo.cache_dir = ctx.the_case.dir() + "/cache/yara";
    wo.max_file_bytes = o->max_file_mb << 20;
    wo.timeout_seconds = o->timeout;
    wo.skip_plain_media = o->yara.empty();  // the shipped pack only looks at text
    // Counted from the scan's coordinator thread; shown once the stage's turn made the line.
    // A plain pointer: the scan holds its options until it ends, and `early` outlives it.
    wo.progress = [e = early.get()](uint64_t, uint64_t files) {
      std::lock_guard<std::mutex> lock(e->mu);
      e->files_done = files;
      if (e->progress) e->progress->Set(files);
    };
    return wo;
  };
  // The file scan needs nothing from the logs stage: it starts with the investigation and runs
  // beside the stages before this one. Only the judgement needs the logs stage's breach window.
  auto start = [options, early](InvestigateContext& ctx) -> Status {
    webroot::WebrootOptions wo = options(ctx);
    TQ_ASSIGN_OR_RETURN(early->scan, webroot::ListWebroot(ctx.the_case));
    early->done = std::async(std::launch::async, [wo, scan = early->scan]() {
      // Below the logs stage's threads (a Linux nice value is a thread's, and the scan's workers
      // inherit it): the scan takes what the logs stage leaves idle, mostly its single-threaded
      // tail, rather than halving its parallel scan. Best effort: on failure it runs as it is.
      errno = 0;
      int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
      if (errno == 0)
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(nice + 5, 19));
      return webroot::ScanWebroot(wo, *scan);
    });
    return Status::Ok();
  };
  auto run = [o, early, options, &g](InvestigateContext& ctx) -> Status {
    // By distinct contents (the scan reads each once), the unit its workers count.
    Result<int64_t> contents =
        CountEvidenceFiles(ctx.the_case.db(), "webroot", /*distinct_contents=*/true);
    {
      std::lock_guard<std::mutex> lock(early->mu);
      early->progress = std::make_unique<Progress>(ProgressFd(g), "webroot: scanning", "files",
                                                   contents.ok() ? *contents : 0);
      early->progress->Set(early->files_done);
    }
    // File times are judged against what the logs stage found (analysis owns the window).
    std::optional<BreachWindow> window = analysis::LogsWindow(ctx.the_case.db());
    Result<webroot::WebrootReport> r = Status::Internal("web root not scanned");
    if (early->done.valid()) {  // started early: wait for the scan, then judge and record
      Status scanned = early->done.get();
      r = scanned.ok() ? webroot::RecordWebroot(ctx.the_case, *early->scan, window) : scanned;
    } else {
      r = webroot::InvestigateWebroot(ctx.the_case, options(ctx), window);
    }
    {
      std::lock_guard<std::mutex> lock(early->mu);
      early->progress->Finish();
    }
    early->scan.reset();
    if (!r.ok()) return r.status();
    const webroot::WebrootReport& rep = *r;
    ctx.findings += rep.findings;
    for (const Status& s : rep.item_errors) ctx.item_errors.push_back(s);

    JsonWriter w;
    w.BeginObject()
        .Field("files", rep.files)
        .Field("unique_contents", rep.unique_contents)
        .Field("scanned", rep.scanned)
        .Field("bytes_scanned", rep.bytes_scanned)
        .Field("vouched_by_baseline", rep.vouched)
        .Field("oversize", rep.oversize)
        .Field("plain_media_skipped", rep.plain_media)
        .Field("rules", rep.rules)
        .Field("rules_from_cache", rep.rules_from_cache)
        .Field("advisories", rep.advisories);
    if (!o->baseline.empty())
      w.Key("integrity")
          .BeginObject()
          .Field("added", rep.added)
          .Field("modified", rep.modified)
          .Field("removed", rep.removed)
          .Field("unchanged", rep.unchanged)
          .EndObject();
    w.Key("installations").BeginArray();
    for (const auto& inst : rep.installations) {
      w.BeginObject()
          .Field("platform", inst.platform)
          .Field("edition", inst.edition)
          .Field("version", inst.version)
          .Field("root", inst.root)
          .Field("evidence", inst.evidence)
          .Key("packages")
          .BeginArray();
      for (const auto& p : inst.packages)
        if (p.ecosystem == "WordPress" || p.name.rfind("magento/product-", 0) == 0)
          w.BeginObject()
              .Field("ecosystem", p.ecosystem)
              .Field("name", p.name)
              .Field("version", p.version)
              .EndObject();
      w.EndArray().EndObject();
    }
    w.EndArray().Key("vulnerable").BeginArray();
    for (const auto& v : rep.vulnerable)
      w.BeginObject()
          .Field("package", v.package)
          .Field("version", v.version)
          .Field("advisory_id", v.advisory_id)
          .Field("cve", v.cve)
          .Field("fixed", v.fixed)
          .Field("summary", v.summary)
          .EndObject();
    w.EndArray().Key("findings").BeginObject();
    for (const auto& [kind, n] : rep.findings_by_kind) w.Field(kind, n);
    w.EndObject().EndObject();
    ctx.json_sections.emplace_back("webroot", w.Take());

    if (rep.files == 0) {
      ctx.text_lines.push_back(
          "Web root: no collected web-root files (collect --label webroot DIR)");
      return Status::Ok();
    }
    ctx.text_lines.push_back(
        "Web root: " + std::to_string(rep.files) + " files, " +
        std::to_string(rep.unique_contents) + " distinct, " + std::to_string(rep.scanned) +
        " scanned with " + std::to_string(rep.rules) + " YARA rules" +
        (rep.vouched ? ", " + std::to_string(rep.vouched) + " vouched for by the baseline" : ""));
    for (const auto& inst : rep.installations)
      ctx.text_lines.push_back(
          "  platform: " + EscapeTerminal(inst.edition.empty() ? inst.platform : inst.edition) +
          " " + EscapeTerminal(inst.version.empty() ? "(version unknown)" : inst.version) +
          (inst.root.empty() ? "" : " at " + EscapeTerminal(inst.root)));
    for (const auto& v : rep.vulnerable)
      ctx.text_lines.push_back("  vulnerable: " + EscapeTerminal(v.package) + " " +
                               EscapeTerminal(v.version) + " " + EscapeTerminal(v.cve) +
                               (v.fixed.empty() ? "" : ", fixed in " + EscapeTerminal(v.fixed)));
    if (!o->baseline.empty())
      ctx.text_lines.push_back("  integrity: " + std::to_string(rep.added) + " added, " +
                               std::to_string(rep.modified) + " modified, " +
                               std::to_string(rep.removed) + " removed");
    for (const auto& [kind, n] : rep.findings_by_kind)
      ctx.text_lines.push_back("  " + kind + ": " + std::to_string(n));
    return Status::Ok();
  };
  return StagePlan(run, start);
}

}  // namespace
TQ_INVESTIGATE_STAGE("webroot", 200, SetupWebrootStage);
}  // namespace tq::cli
