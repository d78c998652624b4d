// tourniquet export clickhouse URL: the case's parsed requests, findings and timeline into
// ClickHouse tables (src/warehouse), resumable: a re-run adds only what is not there yet.
#include <cstdlib>
#include <thread>

#include "cli/case_access.h"
#include "core/json.h"
#include "evidence/evidence.h"
#include "warehouse/warehouse.h"

namespace tq::cli {
namespace {

struct ExportArgs {
  std::string target, url, database = "default", prefix = "tq_", user = "default";
  std::string log_format, time_format;
  std::vector<std::string> json_fields, trusted_proxies;
  size_t batch_rows = 100000;
};

Runner SetupExport(CLI::App& app, Globals& g) {
  auto a = std::make_shared<ExportArgs>();
  app.add_option("target", a->target, "Where to: clickhouse")
      ->required()
      ->check(CLI::IsMember({"clickhouse"}));
  app.add_option("url", a->url, "The server's HTTP interface, e.g. http://127.0.0.1:8123")
      ->required();
  app.add_option("--database", a->database, "Database (created if missing; default: default)");
  app.add_option("--table-prefix", a->prefix,
                 "Table names start with this: PREFIXrequests, PREFIXfindings, PREFIXtimeline, "
                 "PREFIXbatches (default tq_)");
  app.add_option("--user", a->user,
                 "ClickHouse user (default: default); the password comes from "
                 "$TOURNIQUET_CLICKHOUSE_PASSWORD");
  app.add_option(
      "--batch-rows", a->batch_rows,
      "Rows per INSERT, each one part on the server (default 100000; a re-run must use the same)");
  app.add_option("--log-format", a->log_format, "As for investigate (default: detect)");
  app.add_option("--time-format", a->time_format, "As for investigate");
  app.add_option("--json-field", a->json_fields, "As for investigate: SIGMA_FIELD=dotted.path");
  app.add_option("--trusted-proxy", a->trusted_proxies, "As for investigate")->expected(1, -1);
  app.footer(
      "Example: TOURNIQUET_CLICKHOUSE_PASSWORD=... tourniquet --case case export clickhouse "
      "http://127.0.0.1:8123 --database breach --table-prefix shop1_");
  return [a, &g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    warehouse::Endpoint e;
    e.url = a->url;
    e.user = a->user;
    e.database = a->database;
    if (const char* pw = std::getenv("TOURNIQUET_CLICKHOUSE_PASSWORD")) e.password = pw;
    for (char ch : a->prefix + a->database)
      if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
        return Fail(Status::Usage("--database and --table-prefix: letters, digits and _ only"));
    warehouse::ExportOptions o;
    o.table_prefix = a->prefix;
    o.batch_rows = a->batch_rows;
    o.stream.log_format = a->log_format;
    o.stream.time_format = a->time_format;
    o.stream.trusted_proxies = a->trusted_proxies;
    if (Result<CaseInfo> info = (*c)->Info(); info.ok()) o.stream.local_zone = info->timezone;
    for (const std::string& m : a->json_fields) {
      size_t eq = m.find('=');
      if (eq == std::string::npos)
        return Fail(Status::Usage("--json-field wants FIELD=PATH: " + m));
      o.stream.json_field_map[m.substr(0, eq)] = m.substr(eq + 1);
    }
    Result<std::vector<EvidenceItem>> items = ListEvidence((*c)->db(), "logs");
    if (!items.ok()) return Fail(items.status());
    std::vector<rules::LogInput> inputs;
    uint64_t total = 0;
    for (const EvidenceItem& it : *items) {
      if (it.kind != "file" || it.sha256.empty()) continue;
      inputs.push_back({(*c)->ObjectPath(it.sha256), it.original_path, it.id, it.sha256});
      total += it.size;
    }
    Result<std::unique_ptr<warehouse::Client>> cl = warehouse::Client::Connect(e);
    if (!cl.ok()) {
      AuditOutcome(**c, g, "export", cl.status(), e.url);
      return Fail(cl.status());
    }
    Progress progress(ProgressFd(g), "export", "bytes", total);
    o.progress = [&](uint64_t bytes, uint64_t rows) {
      progress.Set(std::min(bytes, total));
      (void)rows;  // the bar counts bytes of the logs read; rows follow them
    };
    Result<warehouse::ExportSummary> s = warehouse::ExportCase(**cl, **c, inputs, o);
    progress.Finish();
    std::string what = s.ok() ? std::to_string(s->rows) + " request rows sent (" +
                                    std::to_string(s->rows_present) + " already there), " +
                                    std::to_string(s->findings) + " findings, " +
                                    std::to_string(s->timeline) + " timeline rows"
                              : std::string("export");
    // Evidence leaving the case: a custody record naming where it went.
    evidence::CustodyRecord r;
    r.actor = Actor(g);
    r.action = "export";
    r.what = what;
    r.origin = e.url + " " + e.database + "." + a->prefix + "*";
    r.outcome = s.ok() ? "ok" : "failed: " + s.status().message();
    r.detail = "ClickHouse " + (*cl)->version();
    Result<evidence::CustodyRecord> added = evidence::RecordCustody(**c, r);
    AuditOutcome(**c, g, "export", s.status(), what);
    if (!s.ok()) return Fail(s.status());
    if (!added.ok()) return Fail(added.status());
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("server", e.url).Field("server_version", (*cl)->version());
      w.Field("table", s->requests_table).Field("rows_sent", s->rows);
      w.Field("rows_already_there", s->rows_present).Field("batches_sent", s->batches);
      w.Field("batches_already_there", s->batches_present);
      w.Field("findings_sent", s->findings).Field("timeline_sent", s->timeline).EndObject();
      PrintOut(w.str() + "\n");
    } else {
      PrintOut("export: " + std::to_string(inputs.size()) + " log files to " + s->requests_table +
               " on " + e.url + " (ClickHouse " + (*cl)->version() + "): " + what + "\n");
    }
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("export", "Send parsed logs, findings and timeline to ClickHouse", 310, SetupExport);
}  // namespace tq::cli
