// investigate --clickhouse: the logs stage's rules run in ClickHouse (src/warehouse); the hits
// come back as a local scan's result and are stored by the same code.
#include "cli/investigate_cluster.h"

#include <cstdlib>
#include <fstream>

#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "warehouse/warehouse.h"

namespace tq::cli {

void AddClusterOptions(CLI::App& app, ClusterOptions& o) {
  app.add_option("--clickhouse", o.url,
                 "Run the logs stage's rules in ClickHouse at this HTTP URL (with --source) "
                 "instead of on the collected files; password in $TOURNIQUET_CLICKHOUSE_PASSWORD");
  app.add_option("--source", o.table,
                 "--clickhouse: the table of requests (local or Distributed), [database.]table");
  app.add_option("--columns", o.columns_file,
                 "--clickhouse: TOML map of our column names to the table's (see README)");
  app.add_option("--clickhouse-user", o.user, "--clickhouse: user (default: default)");
  app.add_option("--clickhouse-database", o.database,
                 "--clickhouse: database of an unqualified --source (default: default)");
}

Status ScanClickHouse(InvestigateContext& ctx, const ClusterOptions& o, const rules::RuleSet& rs,
                      std::vector<rules::LogInput>* inputs, rules::LogScanResult* res) {
  if (o.table.empty()) return Status::Usage("--clickhouse needs --source TABLE");
  warehouse::ClusterScanOptions so;
  so.table = o.table;
  if (!o.columns_file.empty()) {
    std::ifstream in(o.columns_file, std::ios::binary);
    if (!in) return Status::Io(o.columns_file + ": cannot open the column map");
    std::string text;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      text.append(buf, static_cast<size_t>(in.gcount()));
      if (text.size() > (1 << 20)) break;  // ParseColumnMap refuses it
    }
    TQ_ASSIGN_OR_RETURN(so.columns, warehouse::ParseColumnMap(text, o.columns_file));
  }
  warehouse::Endpoint e;
  e.url = o.url;
  e.user = o.user;
  e.database = o.database;
  if (const char* pw = std::getenv("TOURNIQUET_CLICKHOUSE_PASSWORD")) e.password = pw;
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<warehouse::Client> cl, warehouse::Client::Connect(e));
  TQ_ASSIGN_OR_RETURN(warehouse::ClusterScan scan,
                      warehouse::ScanInCluster(*cl, ctx.the_case, rs, so, Actor(ctx.globals)));
  *inputs = std::move(scan.inputs);
  *res = std::move(scan.result);
  JsonWriter w;
  w.BeginObject().Field("server", e.url).Field("server_version", scan.server_version);
  w.Field("table", o.table).Field("rows_scanned", scan.rows_scanned);
  w.Field("rows_through_prefilter", scan.candidates);
  w.Field("prefilter_calls", static_cast<uint64_t>(scan.prefilter_calls));
  w.Field("rules_as_exact_sql", static_cast<uint64_t>(scan.exact_rules));
  w.Key("seconds").BeginObject().Field("scan", scan.scan_seconds);
  w.Field("checksum", scan.checksum_seconds).Field("clients", scan.clients_seconds).EndObject();
  w.Field("checksum", scan.checksum).Field("query_evidence_id", scan.query_evidence_id);
  w.Field("correlations", scan.correlations).Key("rules_not_run").BeginArray();
  for (const auto& r : scan.rules_not_run) w.String(r);
  w.EndArray().Field("query", scan.query).EndObject();
  ctx.json_sections.emplace_back("clickhouse", w.str());
  ctx.text_lines.push_back("logs: ClickHouse " + scan.server_version + " at " +
                           EscapeTerminal(e.url) + ", table " + EscapeTerminal(o.table) + ": " +
                           std::to_string(scan.rows_scanned) + " rows scanned (checksum " +
                           scan.checksum + ", evidence item " +
                           std::to_string(scan.query_evidence_id) + ")");
  for (const auto& r : scan.rules_not_run)
    ctx.text_lines.push_back("logs:   not run in ClickHouse: " + EscapeTerminal(r));
  return Status::Ok();
}

}  // namespace tq::cli
