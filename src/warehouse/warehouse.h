// Logs where they already live: ClickHouse over its HTTP interface. `export` streams the parsed
// requests of a case's collected logs (and its findings and timeline) into MergeTree tables in
// idempotent batches; `investigate --clickhouse` runs the Sigma pack on a local or Distributed
// table of any column names (prefilter.h: one query whose WHERE keeps every row a rule could
// match, the rows confirmed here by the rules' own atoms; rules that may hold on any row go as
// their exact SQL, RuleSql) and hands the hits back as a log scan's result, so they land in the
// case exactly as a local scan's would. The cluster spreads the scan over its shards:
// tourniquet sends one query and reads back only the candidate rows.
// Works with ClickHouse 18.16 (Debian 12); see README "Scale-out".
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "rules/rules.h"

namespace tq {
class Case;
}

namespace tq::warehouse {

// ---- The server ----
struct Endpoint {
  std::string url;  // http://host:8123 (no credentials in it)
  std::string user = "default";
  std::string password;  // from the environment, never the command line
  std::string database = "default";
  int timeout_s = 300;
  // Per request, for connection failures and 5xx answers (not SQL errors); an INSERT whose
  // answer was lost after it was sent is not resent (it may be in).
  int retries = 3;
};

// One HTTP session with the server. Errors name the URL (and the table when one is given):
// unreachable or refused (wrong password) are ErrorCode::kNetwork, SQL errors about the data or
// schema (unknown column, type mismatch) kBadInput, other server errors kNetwork.
class Client {
 public:
  static Result<std::unique_ptr<Client>> Connect(const Endpoint& e);
  ~Client();
  // Runs one statement; the answer's body (TabSeparated for SELECTs). `table` names what the
  // statement is about in errors. `body` is sent after the statement (INSERT data).
  Result<std::string> Query(const std::string& sql, const std::string& table = "",
                            std::string_view body = {});
  // Runs one SELECT with its answer written to `out` (rewritten from its start on a retry), for
  // answers too big to hold in memory.
  Status QueryToFile(const std::string& sql, const std::string& table, FILE* out);
  const std::string& version() const { return version_; }  // "18.16.1"
  int major() const { return major_; }
  const Endpoint& endpoint() const { return e_; }

 private:
  Client() = default;
  Result<std::string> Once(const std::string& sql, const std::string& table, std::string_view body,
                           FILE* to, bool* retry);
  Endpoint e_;
  void* curl_ = nullptr;
  std::string version_;
  int major_ = 0;
};

// A ClickHouse error answer ("Code: 47, e.displayText() = DB::Exception: ...") to its code and
// text; false when `body` is not one.
bool ParseServerError(std::string_view body, int* code, std::string* text);
// TabSeparated rows (ClickHouse's escaping: \t \n \\ \0 \b \f \r \' and \xNN). A row with another
// number of columns, or an unfinished escape, is an error naming the row.
Result<std::vector<std::vector<std::string>>> ParseTsv(std::string_view body, size_t columns);
// One row of such an answer from body[*pos] (left after its newline) into *row (its strings
// reused); `row_no` names it in errors.
Status ParseTsvRow(std::string_view body, size_t* pos, size_t columns, size_t row_no,
                   std::vector<std::string>* row);
// A string literal for SQL: '...' with quotes, backslashes and control bytes escaped.
std::string SqlString(std::string_view s);
// An identifier: `name` with backquotes escaped (ClickHouse quotes identifiers with backquotes).
std::string SqlIdent(std::string_view s);

// ---- Column map ----
// Our column names (the export schema's: client, method, target, stem, query, status, ...) to
// the names a table has. Read from a small TOML file:
//   [columns]
//   client = "ClientIP"        # our name = "their column"
//   time = "toUnixTimestamp(EdgeStartTimestamp)"   # an expression works too
// Unmapped names keep their own; `none` ("target = none") says the table has no such column.
struct ColumnMap {
  std::map<std::string, std::string> column;  // ours -> theirs (an identifier or expression)
  std::vector<std::string> absent;            // ours the table lacks
  // The SQL for our column: mapped, or our own name quoted; empty when absent.
  std::string Sql(const std::string& ours) const;
};
// Errors read "file:line: message".
Result<ColumnMap> ParseColumnMap(std::string_view text, const std::string& file);
// Our column names (for `--columns` checks and docs).
const std::vector<std::string>& OurColumns();

// ---- Export ----
struct ExportOptions {
  std::string table_prefix = "tq_";
  size_t batch_rows = 100000;  // rows per INSERT (each one part, so all or nothing)
  logs::StreamOptions stream;
  std::function<void(uint64_t bytes, uint64_t rows)> progress;
};
struct ExportSummary {
  uint64_t rows = 0, rows_present = 0;        // sent now; already there from an earlier run
  uint64_t batches = 0, batches_present = 0;  // same, in batches
  uint64_t findings = 0, timeline = 0;        // rows of the case tables sent now
  std::string requests_table;
};
// Creates the tables (if missing) and sends what is not there yet. A batch is named by its
// evidence item's SHA-256 and its position, and recorded in the ledger table once in; before
// sending one, the requests table is asked how many rows of that batch it has, so a run killed
// between an insert and its ledger entry adds nothing twice.
Result<ExportSummary> ExportCase(Client& client, Case& c, const std::vector<rules::LogInput>& logs,
                                 const ExportOptions& options);

// ---- Investigate in the cluster ----
struct ServerFeatures {
  int major = 18;  // multiSearchAnyCaseInsensitive (19.1+) when newer
};
// The WHERE clause of one rule (an index into Rules()) over `map`'s columns; false with *why
// when the rule cannot be said in SQL (a field the table lacks, a regex RE2 cannot compile).
bool RuleSql(const rules::RuleSet& rs, uint32_t rule, const ColumnMap& map, const ServerFeatures& f,
             std::string* sql, std::string* why);

struct ClusterScanOptions {
  std::string table;  // database.table or table; local or Distributed
  ColumnMap columns;
  size_t max_hits = 200000;
};
struct ClusterScan {
  std::vector<rules::LogInput> inputs;  // the case's items the rows came from, then the query
  rules::LogScanResult result;          // as ScanLogs would fill it
  std::string query;                    // the SQL sent
  std::string server_version;
  uint64_t rows_scanned = 0;
  uint64_t candidates = 0;     // rows the cluster's prefilter returned
  size_t exact_rules = 0;      // rules sent as their own SQL (they may hold on any row)
  size_t prefilter_calls = 0;  // match() calls and SQL terms in the WHERE
  double scan_seconds = 0, checksum_seconds = 0, clients_seconds = 0;  // wall time per query
  std::string checksum;  // order-independent: groupBitXor of every row's cityHash64, hex
  std::vector<std::string> rules_not_run;  // "id: why"
  std::string correlations;                // how they were evaluated
  int64_t query_evidence_id = 0;
};
// Runs the pack on the table; the query, server version, row count and checksum become an
// evidence item of the case (label "other", custody action "query"). Rows of this tool's export
// whose SHA-256 names an item of the case are that item's lines; other rows are rows of the
// query item, numbered in the row key's order.
Result<ClusterScan> ScanInCluster(Client& client, Case& c, const rules::RuleSet& rs,
                                  const ClusterScanOptions& options, const std::string& actor);

}  // namespace tq::warehouse
