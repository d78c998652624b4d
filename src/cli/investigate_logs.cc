// investigate stage "logs" (order 100): every collected log item (label "logs") is read from
// the evidence store, parsed, and matched against the Sigma rules (the shipped pack plus
// --rules DIR); hits, per-client aggregates, parse statistics and findings go into the case.
#include <algorithm>
#include <thread>

#include "cli/investigate.h"
#include "cli/investigate_cluster.h"
#include "core/escape.h"
#include "core/json.h"
#include "core/phase_clock.h"
#include "rules/rules.h"

namespace tq::cli {
namespace {

struct LogsOptions {
  std::vector<std::string> rules;
  bool no_shipped = false;
  std::string log_format;
  std::vector<std::string> json_fields;
  std::vector<std::string> trusted_proxies;
  std::string time_format;
  int threads = 0;
  ClusterOptions cluster;  // --clickhouse: the rules run there (investigate_cluster.cc)
};

std::string Num(uint64_t n) { return std::to_string(n); }

// The options as the logs component takes them: one conversion for the logs stage and for the
// stages that have the logs component read logs again (LogStreamOptions).
Result<logs::StreamOptions> StreamOptionsOf(const LogsOptions& o, Case& c) {
  logs::StreamOptions so;
  so.log_format = o.log_format;
  so.trusted_proxies = o.trusted_proxies;
  so.time_format = o.time_format;
  // Error logs write local times without a zone: the store's zone from the case.
  if (Result<CaseInfo> info = c.Info(); info.ok()) so.local_zone = info->timezone;
  for (const std::string& m : o.json_fields) {
    size_t eq = m.find('=');
    if (eq == std::string::npos) return Status::Usage("--json-field wants FIELD=PATH: " + m);
    so.json_field_map[m.substr(0, eq)] = m.substr(eq + 1);
  }
  TQ_RETURN_IF_ERROR(logs::ParserFor(so).status());
  return so;
}

StagePlan SetupLogsStage(CLI::App& app, Globals& g) {
  auto o = std::make_shared<LogsOptions>();
  app.add_option("--rules", o->rules, "More Sigma rule directories or files (webserver category)");
  app.add_flag("--no-shipped-rules", o->no_shipped, "Use only the --rules given");
  app.add_option(
      "--log-format", o->log_format,
      "Log format: combined, common, vhost_combined, vhost, nginx-main, w3c (iis, "
      "cloudfront), alb, elb, haproxy, s3, jsonl (caddy, traefik, cloudflare, akamai, fastly), "
      "modsec (ModSecurity audit log), error (Apache, nginx, PHP-FPM error log), "
      "php-fpm-access, "
      "or the nginx log_format / Apache LogFormat string as written in the server "
      "config (default: detect, then each line the other text formats; a ModSecurity "
      "audit log or an error log is told by its first line whatever this says)");
  app.add_option("--json-field", o->json_fields,
                 "JSON lines field map, SIGMA_FIELD=dotted.path (e.g. c-ip=request.remote_ip; "
                 "a field outside the taxonomy too: response=resp.body)");
  app.add_option("--trusted-proxy", o->trusted_proxies,
                 "Proxies whose X-Forwarded-For is believed, as CIDRs (default: private and "
                 "loopback ranges); the client is the rightmost address not among them")
      ->expected(1, -1);
  app.add_option("--time-format", o->time_format,
                 "The log's time field as a strptime pattern, e.g. '%Y/%m/%d %H:%M:%S %z' (a "
                 "fraction may follow %S; without %z: UTC)");
  app.add_option("--threads", o->threads, "Worker threads for the log scan (default: all cores)");
  AddClusterOptions(app, o->cluster);
  auto run = [o, &g](InvestigateContext& ctx) -> Status {
    std::vector<std::string> paths;
    if (!o->no_shipped) {
      std::string shipped = rules::ShippedRulesDir();
      if (shipped.empty())
        return Status::NotFound("the shipped rule pack was not found (set TOURNIQUET_RULES)");
      paths.push_back(shipped);
    }
    for (auto& r : o->rules) paths.push_back(r);
    if (paths.empty()) return Status::Usage("no rules: --no-shipped-rules needs --rules DIR");
    // TQ_LOGS_PHASES: the stage's steps (rules/logscan.cc and store.cc mark theirs too).
    PhaseClock phases("TQ_LOGS_PHASES", "logs stage");
    TQ_ASSIGN_OR_RETURN(rules::RuleSetPtr rs, rules::LoadRules(paths));
    phases.Mark("rules loaded");
    rules::LogScanOptions so;
    TQ_ASSIGN_OR_RETURN(so.stream, LogReading(ctx));
    for (const auto& [name, path] : so.stream.json_field_map) {
      // A name outside the taxonomy is only worth mapping for a rule that uses it: anything
      // else is a misspelt field, said so rather than mapped to nothing.
      logs::Field f;
      bool used = name == "time" || logs::FieldFromSigmaName(name, &f);
      for (const rules::RuleInfo& ri : rules::Rules(*rs))
        used = used || std::find(ri.extra_fields.begin(), ri.extra_fields.end(), name) !=
                           ri.extra_fields.end();
      if (!used)
        return Status::Usage("--json-field " + name +
                             ": not a webserver field, and no loaded rule uses a field of "
                             "that name");
    }
    so.threads = o->threads > 0
                     ? o->threads
                     : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(ctx.the_case.db(), "logs"));
    std::vector<rules::LogInput> inputs;
    uint64_t total = 0;
    for (const EvidenceItem& it : items) {
      if (it.kind != "file" || it.sha256.empty()) continue;
      inputs.push_back({ctx.the_case.ObjectPath(it.sha256), it.original_path, it.id, it.sha256});
      total += it.size;
    }
    // Two steps, each with its own unit: the scan by bytes of the collected files (compressed
    // bytes for compressed files, as their sizes are), then the rows written to the case.
    Progress progress(ProgressFd(g), "logs: scanning", "bytes", total);
    so.progress = [&](uint64_t done) { progress.Set(std::min(done, total)); };
    so.request_journal = RequestJournalDir(ctx.the_case);
    rules::LogScanResult res;
    if (!o->cluster.url.empty()) {
      TQ_RETURN_IF_ERROR(ScanClickHouse(ctx, o->cluster, *rs, &inputs, &res));
    } else {
      TQ_ASSIGN_OR_RETURN(res, rules::ScanLogs(inputs, *rs, so));
    }
    if (!res.request_journal_error.empty())
      ctx.text_lines.push_back(
          "logs: note: no request journal kept for the analysis (it reads "
          "the logs again): " +
          EscapeTerminal(res.request_journal_error));
    phases.Mark("scanned");
    progress.Step("logs: storing", "rows", 0);
    TQ_ASSIGN_OR_RETURN(rules::StoreSummary stored,
                        rules::StoreLogScan(ctx.the_case, inputs, *rs, res, 20000,
                                            [&](uint64_t done, uint64_t rows) {
                                              progress.SetTotal(rows);
                                              progress.Set(done);
                                            }));
    progress.Finish();
    phases.Mark("stored");
    ctx.findings += stored.findings;

    const auto& info = rules::Rules(*rs);
    JsonWriter w;
    w.BeginObject().Field("rules_loaded", static_cast<int64_t>(info.size()));
    w.Field("rules_skipped", static_cast<int64_t>(rules::Skipped(*rs).size()));
    w.Key("skipped_rules").BeginArray();
    for (const auto& p : rules::Skipped(*rs)) w.String(p.ToString());
    w.EndArray();
    w.Key("files").BeginArray();
    uint64_t lines = 0, parsed = 0, bytes = 0;
    for (size_t k : res.order) {
      const logs::ParseStats& st = res.stats[k];
      lines += st.lines;
      parsed += st.parsed;
      bytes += st.bytes;
      w.BeginObject().Field("file", inputs[k].name).Field("sha256", inputs[k].sha256);
      w.Field("format", st.format).Field("compression", logs::CompressionName(st.compression));
      w.Field("bytes", st.bytes).Field("lines", st.lines).Field("parsed", st.parsed);
      w.Field("out_of_order", st.out_of_order);
      if (st.first_time) w.Field("first_time", FormatUtc(st.first_time));
      if (st.last_time) w.Field("last_time", FormatUtc(st.last_time));
      if (!st.read_error.empty()) w.Field("read_error", st.read_error);
      if (std::string low = st.LowShare(); !low.empty()) w.Field("low_parse_share", low);
      if (!st.best_format.empty()) w.Field("best_format", st.best_format);
      w.Key("skipped").BeginObject();
      for (auto& [reason, sc] : st.skipped) {
        w.Key(reason).BeginObject().Field("lines", sc.count).Key("examples").BeginArray();
        for (const SkippedInput& e : sc.examples) w.String(inputs[k].name + ":" + Num(e.line));
        w.EndArray().EndObject();
      }
      w.EndObject().EndObject();
      std::string line = "logs: " + EscapeTerminal(inputs[k].name) + " (" + st.format + ", " +
                         std::string(logs::CompressionName(st.compression)) +
                         "): " + Num(st.lines) + " lines, " + Num(st.parsed) + " parsed";
      for (auto& [reason, sc] : st.skipped) {
        line += ", " + Num(sc.count) + " " + reason;
        if (!sc.examples.empty()) line += " (e.g. line " + Num(sc.examples.front().line) + ")";
      }
      ctx.text_lines.push_back(line);
      // Mostly unparsed: probably the wrong format, which must not pass for a clean log.
      if (std::string low = st.LowShare(); !low.empty()) {
        std::string msg = inputs[k].name + ": " + low;
        msg += st.best_format.empty()
                   ? "; no built-in format reads it"
                   : "; " + st.best_format.substr(0, st.best_format.find(' ')) + " reads it best " +
                         st.best_format.substr(st.best_format.find(' ') + 1) + " (--log-format)";
        ctx.text_lines.push_back("logs:   " + EscapeTerminal(msg));
        ctx.item_errors.push_back(Status::BadInput(msg));
      }
      if (!st.read_error.empty()) {
        ctx.text_lines.push_back("logs:   damaged: " + EscapeTerminal(st.read_error));
        ctx.item_errors.push_back(Status::BadInput(inputs[k].name + ": " + st.read_error));
      }
    }
    w.EndArray();
    w.Field("lines", lines).Field("parsed", parsed).Field("bytes", bytes);
    w.Field("hits", static_cast<uint64_t>(res.hits.size()) + res.hits_dropped);
    w.Field("hits_not_stored", res.hits_dropped);
    w.Field("clients", static_cast<uint64_t>(res.clients.size()));
    // Over the memory bound (or the client cap): counted, not kept. Absent when nothing was.
    if (res.clients_dropped) w.Field("client_requests_not_kept", res.clients_dropped);
    if (res.client_values_dropped)
      w.Field("client_paths_agents_not_kept", res.client_values_dropped);
    w.Field("findings", stored.findings).Field("findings_capped", stored.findings_capped);
    w.Key("rule_hits").BeginArray();
    std::vector<size_t> top;
    for (size_t k = 0; k < info.size(); ++k)
      if (res.rule_hits[k]) top.push_back(k);
    std::sort(top.begin(), top.end(),
              [&](size_t a, size_t b) { return res.rule_hits[a] > res.rule_hits[b]; });
    for (size_t k : top) {
      w.BeginObject().Field("id", info[k].id).Field("title", info[k].title);
      w.Field("level", info[k].level).Field("hits", res.rule_hits[k]).EndObject();
    }
    w.EndArray();
    // Correlations: their hits (also findings) and the events they could not use.
    const auto& corr = rules::Correlations(*rs);
    const rules::CorrelationStats& cs = res.correlation_stats;
    w.Field("correlations_loaded", static_cast<int64_t>(corr.size()));
    w.Field("correlation_events", cs.events);
    if (cs.events_dropped) w.Field("correlation_events_not_kept", cs.events_dropped);
    if (cs.events_without_time) w.Field("correlation_events_without_time", cs.events_without_time);
    if (cs.events_missing_group)
      w.Field("correlation_events_missing_group_field", cs.events_missing_group);
    if (cs.hits_dropped) w.Field("correlation_hits_not_kept", cs.hits_dropped);
    w.Key("correlation_hits").BeginArray();
    for (const rules::CorrelationHit& h : res.correlation_hits) {
      const rules::CorrelationInfo& ci = corr[h.correlation];
      w.BeginObject().Field("id", ci.id).Field("title", ci.title).Field("level", ci.level);
      w.Key("group").BeginObject();
      for (size_t g = 0; g < ci.group_by.size() && g < h.group.size(); ++g)
        w.Field(ci.group_by[g], h.group[g]);
      w.EndObject().Field("events", h.events).Field("distinct", h.distinct);
      w.Field("first_time", FormatUtc(h.first_time)).Field("last_time", FormatUtc(h.last_time));
      w.EndObject();
    }
    w.EndArray().EndObject();
    ctx.json_sections.emplace_back("logs", w.str());
    ctx.text_lines.push_back("logs: " + Num(inputs.size()) + " files, " + Num(lines) + " lines, " +
                             Num(parsed) + " parsed; " + Num(info.size()) + " rules (" +
                             Num(rules::Skipped(*rs).size()) + " skipped); " +
                             Num(res.hits.size() + res.hits_dropped) + " hits from " +
                             Num(res.clients.size()) + " clients");
    if (res.clients_dropped || res.client_values_dropped || res.hits_dropped)
      ctx.text_lines.push_back(
          "logs:   counted but not kept (caps and memory bound): " + Num(res.hits_dropped) +
          " hits, " + Num(res.clients_dropped) + " requests of clients not kept, " +
          Num(res.client_values_dropped) + " client paths or user agents");
    for (size_t i = 0; i < top.size() && i < 10; ++i)
      ctx.text_lines.push_back("logs:   " + Num(res.rule_hits[top[i]]) + "  [" +
                               info[top[i]].level + "] " + EscapeTerminal(info[top[i]].title));
    if (!corr.empty()) {
      ctx.text_lines.push_back(
          "logs: " + Num(corr.size()) + " correlations over " + Num(cs.events) +
          " events: " + Num(res.correlation_hits.size()) + " hits" +
          (cs.events_dropped ? "; " + Num(cs.events_dropped) + " events not kept (memory bound)"
                             : std::string()));
      for (size_t i = 0; i < res.correlation_hits.size() && i < 10; ++i) {
        const rules::CorrelationHit& h = res.correlation_hits[i];
        const rules::CorrelationInfo& ci = corr[h.correlation];
        std::string group;
        for (size_t g = 0; g < ci.group_by.size() && g < h.group.size(); ++g)
          group += (g ? ", " : "") + ci.group_by[g] + "=" + h.group[g];
        ctx.text_lines.push_back("logs:   [" + ci.level + "] " +
                                 EscapeTerminal(ci.title + ": " + group) + " (" + Num(h.events) +
                                 " events, " + FormatUtc(h.first_time) + " to " +
                                 FormatUtc(h.last_time) + ")");
      }
    }
    return Status::Ok();
  };
  // Converted once, before any stage runs, for this stage and the ones that read logs again.
  auto prepare = [o](InvestigateContext& ctx) -> Status {
    ctx.log_stream = StreamOptionsOf(*o, ctx.the_case);
    return Status::Ok();
  };
  return StagePlan(run, nullptr, prepare);
}

}  // namespace

Result<logs::StreamOptions> LogReading(const InvestigateContext& ctx) {
  if (!ctx.log_stream) return Status::Internal("the logs stage's options were not prepared");
  return *ctx.log_stream;
}

TQ_INVESTIGATE_STAGE("logs", 100, SetupLogsStage);
}  // namespace tq::cli
