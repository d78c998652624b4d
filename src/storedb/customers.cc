// The case rows of a dump besides its findings and people: the earlier run's rows replaced,
// WordPress's staging tables, and the per-table, PII, problem and dump rows; with the checks
// of checkout fields and payment methods that the findings and the customer join share.
#include <algorithm>
#include <cctype>

#include "core/json.h"
#include "core/text.h"
#include "storedb/analyzer.h"

namespace tq::storedb {

bool HasTemplateDirective(std::string_view text) {
  static constexpr std::string_view kDirectives[] = {
      "var",    "if",        "depend",   "block",     "template", "trans",
      "layout", "widget",    "config",   "customvar", "media",    "store",
      "css",    "inlinecss", "protocol", "view",      "for"};
  for (size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at + 2)) {
    size_t p = at + 2;
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
    size_t end = p;
    while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
    std::string word(text.substr(p, end - p));
    LowerInPlace(&word);
    if (end < text.size() && (text[end] == ' ' || text[end] == '}' || text[end] == '\t'))
      for (std::string_view d : kDirectives)
        if (word == d && text.find("}}", end) != std::string_view::npos) return true;
  }
  return false;
}

bool IsCardGateway(std::string_view method) {
  std::string m = Lower(method);
  for (const char* no : {"paypal_express", "braintree_paypal", "ppcp-gateway", "checkmo", "cheque",
                         "banktransfer", "bacs", "cod", "cashondelivery", "free", "purchaseorder",
                         "klarna", "afterpay", "applepay_express"})
    if (m == no) return false;
  if (m.find("paypal") != std::string::npos && m.find("card") == std::string::npos &&
      m.find("pro") == std::string::npos && m.find("direct") == std::string::npos)
    return false;
  for (const char* yes : {"cc",          "card",          "braintree",
                          "stripe",      "authorize",     "payflow",
                          "cybersource", "adyen",         "worldpay",
                          "sagepay",     "opayo",         "square",
                          "eway",        "checkout",      "moneris",
                          "elavon",      "nmi",           "realex",
                          "globalpay",   "heartland",     "woocommerce_payments",
                          "paypal_pro",  "paypal_direct", "hosted_pro",
                          "first_data",  "payeezy",       "mollie_wc_gateway_creditcard"})
    if (m.find(yes) != std::string::npos) return true;
  return false;
}

namespace {
// Whether `table` holds rows of an evidence item other than `ev` (through the index that
// starts with evidence_id, where the table has one).
Result<bool> HoldsOtherEvidence(Db& db, const char* table, const std::string& ev) {
  std::string t(table);
  TQ_ASSIGN_OR_RETURN(
      int64_t n, db.QueryInt("SELECT EXISTS(SELECT 1 FROM " + t + " WHERE evidence_id<" + ev +
                             ") OR EXISTS(SELECT 1 FROM " + t + " WHERE evidence_id>" + ev + ")"));
  return n != 0;
}

// Empties `table` by dropping it and creating it again from its own schema text (the table's
// CREATE TABLE as its migrations left it, and any index of it still there), in the caller's
// transaction: freeing its pages costs a small part of deleting two million rows one at a
// time through their indexes (DELETE cannot truncate a table with a foreign key while
// foreign keys are on). The row ids start again at 1, as after deleting every row.
Status RecreateEmpty(Db& db, const char* table) {
  std::vector<std::string> schema;
  {
    TQ_ASSIGN_OR_RETURN(Stmt q, db.Prepare("SELECT sql FROM sqlite_schema WHERE tbl_name=? AND "
                                           "sql IS NOT NULL ORDER BY type<>'table', rowid"));
    q.Bind(1, std::string_view(table));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      schema.push_back(q.String(0));
    }
  }
  TQ_RETURN_IF_ERROR(db.Exec(std::string("DROP TABLE ") + table));
  for (const std::string& sql : schema) TQ_RETURN_IF_ERROR(db.Exec(sql));
  return Status::Ok();
}
}  // namespace

Status Analyzer::Begin() {
  std::string ev = std::to_string(item_.id);
  // Whether the customer and order tables hold other items' rows (ClearTables).
  TQ_ASSIGN_OR_RETURN(bool shared_customers, HoldsOtherEvidence(db_, "storedb_customer", ev));
  customers_shared_ = shared_customers;
  TQ_ASSIGN_OR_RETURN(bool shared_orders, HoldsOtherEvidence(db_, "storedb_order", ev));
  orders_shared_ = shared_orders;
  // A larger page cache for the bulk of staged rows (bounded: 64 MB).
  TQ_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-65536; PRAGMA temp.cache_size=-65536"));
  TQ_RETURN_IF_ERROR(db_.Exec(R"sql(
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_meta(kind TEXT, id TEXT, key TEXT, value TEXT);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_wpuser(id TEXT, source TEXT, login TEXT, email TEXT,
  registered INTEGER, display_name TEXT, line INTEGER, byte_offset INTEGER);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_wppost(id TEXT, source TEXT, created INTEGER,
  status TEXT, line INTEGER, byte_offset INTEGER);
DELETE FROM tmp_sdb_meta; DELETE FROM tmp_sdb_wpuser; DELETE FROM tmp_sdb_wppost;
DROP INDEX IF EXISTS tmp_sdb_meta_k;
)sql"));
  const std::pair<Staging, const char*> sql[] = {
      {kMeta, "INSERT INTO tmp_sdb_meta VALUES(?,?,?,?)"},
      {kWpUser, "INSERT INTO tmp_sdb_wpuser VALUES(?,?,?,?,?,?,?,?)"},
      {kWpPost, "INSERT INTO tmp_sdb_wppost VALUES(?,?,?,?,?,?)"},
  };
  for (const auto& [which, text] : sql) {
    TQ_ASSIGN_OR_RETURN(staging_[which], db_.Prepare(text));
  }
  return Status::Ok();
}

Status Analyzer::ClearTables() {
  std::string ev = std::to_string(item_.id);
  // The rows of an earlier run are replaced. The customer and order tables, when they hold
  // only this item's rows (one dump per case), are emptied wholesale: on the 1 M-customer case
  // deleting their 3.4 M rows by evidence_id took 58 s, the larger part of a re-run.
  // The secondary indexes of the customer and order tables are built once after the bulk
  // load (one sort each) instead of a random b-tree insert per row, per update and per
  // deleted row: on a million customers that was the larger part of the stage. All of it is
  // the tables' transaction (FinishTables), so a killed run leaves the tables and indexes as
  // they were (CreateSecondaryIndexes() rebuilds them).
  TQ_RETURN_IF_ERROR(db_.Exec(
      "DROP INDEX IF EXISTS storedb_customer_ev; DROP INDEX IF EXISTS storedb_customer_email;"
      "DROP INDEX IF EXISTS storedb_order_email; DROP INDEX IF EXISTS storedb_order_created;"));
  for (const char* t : {"storedb_table", "storedb_pii_column", "storedb_problem", "storedb_dump"})
    TQ_RETURN_IF_ERROR(db_.Exec(std::string("DELETE FROM ") + t + " WHERE evidence_id=" + ev));
  for (auto [t, shared] : {std::pair{"storedb_customer", customers_shared_},
                           std::pair{"storedb_order", orders_shared_}}) {
    if (shared)
      TQ_RETURN_IF_ERROR(db_.Exec(std::string("DELETE FROM ") + t + " WHERE evidence_id=" + ev));
    else
      TQ_RETURN_IF_ERROR(RecreateEmpty(db_, t));
  }
  return Status::Ok();
}

Status Analyzer::IndexStaging() {
  // After the bulk inserts: one sort instead of a b-tree update per row.
  return db_.Exec("CREATE INDEX tmp_sdb_meta_k ON tmp_sdb_meta(kind, id, key);\n");
}

Status Analyzer::WriteTables(const DumpStats& stats, AnalyzeSummary* s) {
  TQ_ASSIGN_OR_RETURN(Stmt tab, db_.Prepare("INSERT INTO storedb_table VALUES(?,?,?,?,?,?,?,?,?)"));
  TQ_ASSIGN_OR_RETURN(Stmt pii, db_.Prepare("INSERT OR IGNORE INTO storedb_pii_column "
                                            "VALUES(?,?,?,?,?,?,?)"));
  std::map<std::string, int> platform_votes;
  std::map<std::string, int> prefix_votes;
  for (auto& entry : tables_) {
    const std::string& name = entry.first;
    TableState& t = entry.second;
    JsonWriter cols, pk;
    cols.BeginArray();
    for (const DumpColumn& c : t.def.columns)
      cols.BeginObject().Field("name", c.name).Field("type", c.type).EndObject();
    cols.EndArray();
    pk.BeginArray();
    for (int i : t.def.primary_key) pk.String(t.def.columns[i].name);
    pk.EndArray();
    TQ_RETURN_IF_ERROR(tab.Reset());
    tab.Bind(1, item_.id).Bind(2, name).Bind(3, t.canon.name).Bind(4, t.canon.platform);
    tab.Bind(5, static_cast<int64_t>(t.rows)).Bind(6, cols.str()).Bind(7, pk.str());
    tab.Bind(8, static_cast<int64_t>(t.def.line)).Bind(9, static_cast<int64_t>(t.def.offset));
    TQ_RETURN_IF_ERROR(tab.Run());
    ++s->tables;
    if (!t.canon.platform.empty()) {
      ++platform_votes[t.canon.platform];
      ++prefix_votes[t.canon.prefix];
    }
    auto add = [&](const std::string& col, const std::string& cat, const char* source,
                   uint64_t matched) -> Status {
      TQ_RETURN_IF_ERROR(pii.Reset());
      pii.Bind(1, item_.id).Bind(2, name).Bind(3, col).Bind(4, cat).Bind(5, source);
      pii.Bind(6, static_cast<int64_t>(t.rows)).Bind(7, static_cast<int64_t>(matched));
      TQ_RETURN_IF_ERROR(pii.Run());
      s->pii_columns += db_.Changes();
      return Status::Ok();
    };
    if (!t.canon.platform.empty()) {
      for (const PiiMapEntry& e : pii_) {
        if (e.platform != t.canon.platform || e.table != t.canon.name) continue;
        int idx = t.def.ColumnIndex(e.column);
        if (idx < 0 && !t.def.columns.empty()) continue;
        TQ_RETURN_IF_ERROR(
            add(idx >= 0 ? t.def.columns[idx].name : e.column, e.category, "schema", 0));
      }
    }
    for (size_t i = 0; i < t.samples.size(); ++i) {
      const ColumnSample& c = t.samples[i];
      if (c.non_empty == 0) continue;
      uint64_t need = std::max<uint64_t>(std::min<uint64_t>(3, c.non_empty), c.non_empty / 2);
      const std::string& col = t.sample_columns[i];
      if (c.email >= need) TQ_RETURN_IF_ERROR(add(col, "email", "content", c.email));
      if (c.card >= need) TQ_RETURN_IF_ERROR(add(col, "payment_card", "content", c.card));
      if (c.phone >= need) TQ_RETURN_IF_ERROR(add(col, "phone", "content", c.phone));
      if (c.ip >= need) TQ_RETURN_IF_ERROR(add(col, "ip_address", "content", c.ip));
    }
  }
  for (auto& [p, n] : platform_votes)
    if (s->platform.empty() || n > platform_votes[s->platform]) s->platform = p;
  int best = 0;
  for (auto& [p, n] : prefix_votes)
    if (n > best) best = n, s->table_prefix = p;
  TQ_ASSIGN_OR_RETURN(Stmt pr, db_.Prepare("INSERT INTO storedb_problem VALUES(?,?,?,?,?,?,?)"));
  int64_t seq = 0;
  for (const DumpProblem& p : problems_) {
    TQ_RETURN_IF_ERROR(pr.Reset());
    pr.Bind(1, item_.id).Bind(2, seq++).Bind(3, p.table).Bind(4, static_cast<int64_t>(p.line));
    pr.Bind(5, static_cast<int64_t>(p.offset)).Bind(6, p.reason).Bind(7, p.row_lost ? 1 : 0);
    TQ_RETURN_IF_ERROR(pr.Run());
    if (s->first_problems.size() < 20) s->first_problems.push_back(p);
  }
  TQ_ASSIGN_OR_RETURN(Stmt d,
                      db_.Prepare("INSERT INTO storedb_dump VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
  d.Bind(1, item_.id).Bind(2, item_.sha256).Bind(3, s->platform).Bind(4, s->table_prefix);
  d.Bind(5, stats.compression).Bind(6, stats.bytes).Bind(7, stats.statements);
  d.Bind(8, stats.tables).Bind(9, stats.rows).Bind(10, stats.rows_skipped);
  d.Bind(11, stats.problems).Bind(12, NowMicros());
  return d.Run();
}

}  // namespace tq::storedb
