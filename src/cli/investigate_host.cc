// investigate stage "host" (order 250): persistence on the server around the store, from
// host evidence (collect --label host: a copy or tar of /etc, /var/spool/cron, users' .ssh and
// shell histories, saved ps output) and the web root's .user.ini / .htaccess files. Options:
// --known-keys FILE (the responders' own SSH keys: authorized_keys lines or SHA256
// fingerprints; every other key is reported as unknown), --max-host-file-mb.
#include "casefile/case_counts.h"
#include "cli/investigate.h"
#include "core/escape.h"
#include "core/json.h"
#include "host/host.h"

namespace tq::cli {
namespace {

struct HostStageOptions {
  std::string known_keys;
  uint64_t max_file_mb = 64;
};

StagePlan SetupHostStage(CLI::App& app, Globals&) {
  auto o = std::make_shared<HostStageOptions>();
  app.add_option("--known-keys", o->known_keys,
                 "The responders' SSH keys (authorized_keys lines or SHA256: fingerprints); "
                 "other keys in host evidence are reported as unknown");
  app.add_option("--max-host-file-mb", o->max_file_mb,
                 "Host files larger than this are read up to this size (reported)")
      ->capture_default_str();
  return StagePlan{[o](InvestigateContext& ctx) -> Status {
    host::Options ho;
    ho.known_keys_path = o->known_keys;
    ho.max_file_bytes = o->max_file_mb << 20;
    // The host files are few and small: one step, its time shown while it runs.
    Result<int64_t> n = CountEvidenceFiles(ctx.the_case.db(), "host", /*distinct_contents=*/false);
    Progress progress(ProgressFd(ctx.globals), "host: reading", "files", n.ok() ? *n : 0);
    Result<host::Report> r = host::InvestigateHost(ctx.the_case, ho);
    progress.Set(n.ok() ? static_cast<uint64_t>(*n) : 0);
    progress.Finish();
    if (!r.ok()) return r.status();
    const host::Report& rep = *r;
    ctx.findings += rep.findings;
    for (const Status& s : rep.item_errors) ctx.item_errors.push_back(s);
    JsonWriter w;
    w.BeginObject()
        .Field("files", rep.files)
        .Field("read", rep.read)
        .Field("cron_entries", rep.cron_entries)
        .Field("php_directives", rep.php_directives)
        .Field("ssh_keys", rep.keys)
        .Field("history_commands", rep.history_commands)
        .Field("processes", rep.processes)
        .Field("sockets", rep.sockets)
        .Field("findings", rep.findings)
        .EndObject();
    ctx.json_sections.emplace_back("host", w.Take());
    if (rep.read == 0) {
      ctx.text_lines.push_back(
          "Host: no host evidence (collect --label host a copy of /etc, /var/spool/cron, "
          "~/.ssh and shell histories)");
      return Status::Ok();
    }
    ctx.text_lines.push_back("Host: " + std::to_string(rep.read) + " files read (" +
                             std::to_string(rep.cron_entries) + " cron entries, " +
                             std::to_string(rep.keys) + " SSH keys, " +
                             std::to_string(rep.history_commands) + " history commands), " +
                             std::to_string(rep.findings) + " findings");
    return Status::Ok();
  }};
}

}  // namespace
TQ_INVESTIGATE_STAGE("host", 250, SetupHostStage);

}  // namespace tq::cli
