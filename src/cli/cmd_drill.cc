// tourniquet drill OUT: generate a breached store (logs, web root, database dump) and its
// ground truth, for practice, demos, tests and benchmarks. Needs no case.
#include <cstdio>

#include "cli/command.h"
#include "core/escape.h"
#include "core/json.h"
#include "drill/drill.h"

namespace tq::cli {
namespace {

struct DrillCliOptions {
  drill::DrillOptions o;
  std::string log_format = "nginx-combined";
};

Runner SetupDrill(CLI::App& app, Globals& g) {
  auto c = std::make_shared<DrillCliOptions>();
  std::string scenarios;
  for (const auto& s : drill::Scenarios()) {
    scenarios += "\n  " + std::string(s.name) + " (" + std::string(s.platform) +
                 "): " + std::string(s.summary);
  }
  app.add_option("OUT", c->o.out_dir, "New (or empty) directory to write the store into")
      ->required();
  app.add_option("--seed", c->o.seed, "Seed: the same seed gives byte-identical output")
      ->default_val(1);
  app.add_option("--scenario", c->o.scenario, "What happened to the store" + scenarios)
      ->default_val("cosmicsting");
  app.add_option("--platform", c->o.platform,
                 "magento or woocommerce (default: the scenario's platform)")
      ->check(CLI::IsMember({"magento", "woocommerce"}));
  app.add_option("--scale", c->o.scale,
                 "Preset: small (10 days, 1,500 customers, ~100k requests, seconds), medium "
                 "(14 days, 5,000 customers, 1.5M requests), large (14 days, 20,000 customers, "
                 "7M requests, ~2 GB of logs)")
      ->default_val("small")
      ->check(CLI::IsMember({"small", "medium", "large"}));
  app.add_option("--days", c->o.days, "Days of logs (overrides the scale)");
  app.add_option("--customers", c->o.customers, "Registered customers (overrides the scale)");
  app.add_option("--requests", c->o.requests,
                 "About this many access-log lines (overrides the scale)");
  app.add_option("--log-format", c->log_format,
                 "nginx-combined (default), apache-combined, nginx-custom (behind a load "
                 "balancer: $http_x_forwarded_for, $host, $request_time) or jsonl")
      ->check(CLI::IsMember({"nginx-combined", "apache-combined", "nginx-custom", "jsonl"}));
  app.add_flag("--waf-log", c->o.waf_log,
               "Also write logs/modsec_audit.log (ModSecurity audit log with request bodies)");
  app.add_option("--threads", c->o.threads, "Log writer threads")->default_val(2);
  app.footer(
      "Writes OUT/webroot/, OUT/logs/ (access.log, access.log.1, access.log.2.gz, ...), "
      "OUT/db/store.sql and OUT/truth.json (schema: src/drill/TRUTH.md).\n"
      "Example: tourniquet drill /tmp/store --seed 7 --scenario cosmicsting --scale small");
  return [c, &g]() -> int {
    Result<drill::LogFormat> f = drill::ParseLogFormat(c->log_format);
    if (!f.ok()) return Fail(f.status());
    c->o.log_format = *f;
    if (c->o.threads < 1) c->o.threads = 1;
    PrintNote(g, "drilling " + EscapeTerminal(c->o.scenario) + " into " +
                     EscapeTerminal(c->o.out_dir) + " ...");
    Progress progress(ProgressFd(g), "drill", "steps", 0);
    c->o.progress = [&](std::string_view step, int done, int total) {
      progress.Step("drill: " + std::string(step), "steps", static_cast<uint64_t>(total));
      progress.Set(static_cast<uint64_t>(done));
    };
    Result<drill::DrillSummary> r = drill::RunDrill(c->o);
    progress.Finish();
    if (!r.ok()) return Fail(r.status());
    const drill::DrillSummary& s = *r;
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject()
          .Field("out", s.out_dir)
          .Field("scenario", s.scenario)
          .Field("platform", s.platform)
          .Field("platform_version", s.platform_version)
          .Field("days", s.days)
          .Field("customers", s.customers)
          .Field("orders", s.orders)
          .Field("log_files", s.log_files)
          .Field("log_lines", s.log_lines)
          .Field("log_bytes", s.log_bytes)
          .Field("webroot_files", s.webroot_files)
          .Field("dump_bytes", s.dump_bytes)
          .Field("attacker_ips", s.attacker_ips)
          .Field("affected", s.affected)
          .Field("seconds", s.seconds)
          .Field("truth", s.out_dir + "/truth.json")
          .EndObject();
      PrintOut(w.str() + "\n");
    } else {
      char line[512];
      std::snprintf(line, sizeof line,
                    "%s on %s %s: %d days, %llu customers, %llu orders\n"
                    "  logs     %llu files, %llu lines, %.1f MB\n"
                    "  webroot  %llu files\n  dump     %.1f MB\n"
                    "  truth    %llu attacker addresses, %llu affected people\n"
                    "  done in %.2f s\n",
                    s.scenario.c_str(), s.platform.c_str(), s.platform_version.c_str(), s.days,
                    static_cast<unsigned long long>(s.customers),
                    static_cast<unsigned long long>(s.orders),
                    static_cast<unsigned long long>(s.log_files),
                    static_cast<unsigned long long>(s.log_lines), s.log_bytes / 1e6,
                    static_cast<unsigned long long>(s.webroot_files), s.dump_bytes / 1e6,
                    static_cast<unsigned long long>(s.attacker_ips),
                    static_cast<unsigned long long>(s.affected), s.seconds);
      PrintOut(EscapeTerminal(s.out_dir) + ": " + line +
               "Next: tourniquet init case --name "
               "drill --timezone <see truth.json> && tourniquet --case case collect " +
               EscapeTerminal(s.out_dir) + "/logs\n");
    }
    return kExitOk;
  };
}

}  // namespace

TQ_COMMAND("drill", "Generate a breached store with its ground truth (practice, tests)", 5,
           SetupDrill);

}  // namespace tq::cli
