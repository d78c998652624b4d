// tourniquet collect: copy evidence into the case, hashed, deduplicated and signed.
#include <sys/resource.h>

#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "evidence/evidence.h"

namespace tq::cli {
namespace {

struct CollectArgs {
  std::vector<std::string> sources;
  evidence::CollectOptions options;
  bool no_extract = false;
};

std::string HumanBytes(uint64_t v) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double d = static_cast<double>(v);
  int u = 0;
  while (d >= 1000 && u < 4) {
    d /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", d, units[u]);
  return buf;
}

Runner SetupCollect(CLI::App& app, Globals& g) {
  auto a = std::make_shared<CollectArgs>();
  app.add_option("SRC", a->sources,
                 "Files, directories, archives (tar, tar.gz, tar.zst, zip) or - for a tar "
                 "stream on standard input")
      ->required();
  app.add_option("--label", a->options.label,
                 "What the evidence is (default: guessed from the path)")
      ->check(CLI::IsMember({"logs", "webroot", "db", "host", "other"}));
  app.add_option("--note", a->options.note, "A note for the chain of custody");
  app.add_option("--threads", a->options.threads, "Hashing threads (default: one per core)");
  app.add_option("--max-ratio", a->options.max_ratio,
                 "Zip bombs: largest expansion ratio of an archive member (default 250)");
  app.add_option("--max-member-bytes", a->options.max_member_bytes,
                 "Zip bombs: largest archive member in bytes (default 64 GiB)");
  app.add_flag("--no-extract", a->no_extract, "Keep an archive SRC as one file");
  app.footer(
      "Examples:\n"
      "  tourniquet --case case collect --label logs /var/log/nginx\n"
      "  tourniquet --case case collect --label webroot /var/www/shop\n"
      "  ssh store tar c /var/www | tourniquet --case case collect --label webroot -\n"
      "  ssh store sudo tar c /etc /var/spool/cron /root/.ssh /root/.bash_history \\\n"
      "      | tourniquet --case case collect --label host -\n"
      "Exit: 0 all collected; 3 some items could not be read (recorded as skipped).");
  return [a, &g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<CaseLock> lock = LockCase(**c, "collect", "collect");
    if (!lock.ok()) return Fail(lock.status());
    a->options.actor = Actor(g);
    a->options.extract_archives = !a->no_extract;
    // While the walk runs the total is unknown (bytes and rate); once it is done the bar
    // gets the total, so it shows an ETA.
    Progress progress(ProgressFd(g), "collect", "bytes", 0);
    a->options.progress = [&](const evidence::CollectProgress& p) {
      if (p.walk_done) progress.SetTotal(p.bytes_total);
      progress.Set(p.bytes);
    };
    Result<evidence::CollectSummary> r = evidence::Collect(**c, a->sources, a->options);
    progress.Finish();
    std::string detail;
    if (r.ok())
      detail = std::to_string(r->items_added) + " items added, manifest head " + r->manifest_head;
    AuditOutcome(**c, g, "collect", r.status(), detail);
    if (!r.ok()) return Fail(r.status());
    const evidence::CollectSummary& s = *r;
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    double secs = std::max(1e-6, s.elapsed_us / 1e6);
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("batch", s.batch_id).Field("items_added", s.items_added);
      w.Field("already_present", s.already_present).Field("files", s.files);
      w.Field("dirs", s.dirs).Field("symlinks", s.symlinks).Field("skipped", s.skipped);
      w.Field("hardlinks", s.hardlinks).Field("bytes", s.bytes);
      w.Field("objects_written", s.objects_written).Field("seconds", secs);
      w.Field("max_rss_kb", static_cast<int64_t>(ru.ru_maxrss));
      w.Key("sources").BeginArray();
      for (auto& [src, label] : s.labels)
        w.BeginObject().Field("source", src).Field("label", label).EndObject();
      w.EndArray().Key("problems").BeginArray();
      for (auto& p : s.problems)
        w.BeginObject()
            .Field("source", p.source)
            .Field("path", p.path)
            .Field("message", p.message)
            .EndObject();
      w.EndArray();
      w.Field("public_key", s.public_key_hex).Field("manifest_head", s.manifest_head);
      w.Field("manifest_lines", s.manifest_lines);
      w.Field("manifest_repaired", s.manifest_repaired).EndObject();
      PrintOut(w.str() + "\n");
    } else {
      std::string out;
      for (auto& [src, label] : s.labels)
        out += "Source " + EscapeTerminal(src) + " as " + label + "\n";
      out += "Collected " + std::to_string(s.items_added) +
             " new items: " + std::to_string(s.files) + " files (" + HumanBytes(s.bytes) + "), " +
             std::to_string(s.dirs) + " dirs, " + std::to_string(s.symlinks) + " symlinks, " +
             std::to_string(s.skipped) + " skipped; " + std::to_string(s.already_present) +
             " already held; " + std::to_string(s.objects_written) + " new objects in " +
             std::to_string(secs).substr(0, 5) + " s\n";
      for (auto& p : s.problems)
        out += "  problem: " + EscapeTerminal(p.source) +
               (p.path.empty() ? "" : " " + EscapeTerminal(p.path)) + ": " +
               EscapeTerminal(p.message) + "\n";
      if (s.manifest_repaired)
        out += "Note: the manifest file lacked " + std::to_string(s.manifest_repaired) +
               " committed lines (an interrupted run, or lines cut); written back from the "
               "case database\n";
      out += "Manifest public key:  " + s.public_key_hex + "\n";
      out += "Manifest fingerprint: " + s.manifest_head + " (" + std::to_string(s.manifest_lines) +
             " lines)\n";
      out +=
          "Write both down: `tourniquet verify --pubkey KEY --fingerprint FP` proves later "
          "that nothing changed.\n";
      PrintOut(out);
    }
    return s.problems.empty() ? kExitOk : kExitBadInput;
  };
}

}  // namespace
TQ_COMMAND("collect", "Keep evidence: copy files, trees and archives, hashed and signed", 20,
           SetupCollect);
}  // namespace tq::cli
