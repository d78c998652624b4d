// Customers and orders for scope: rows of the platform's customer and order tables are staged
// while the dump streams by (in any table order), then joined in SQL into storedb_customer
// and storedb_order; also the per-table, PII, problem and dump rows of the case.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/json.h"
#include "core/text.h"
#include "storedb/analyzer.h"

namespace tq::storedb {

namespace {
std::optional<std::string_view> NullIfEmpty(std::string_view s) {
  return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
}
std::string Join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out;
  out.reserve(a.size() + 1 + b.size());
  out.append(a).append(" ").append(b);
  return out;
}
// The meta value `key` of a staged row, in SQL.
std::string Meta(const char* kind, const char* key, const char* id_expr) {
  return std::string("(SELECT value FROM tmp_sdb_meta m WHERE m.kind='") + kind +
         "' AND m.id=" + id_expr + " AND m.key='" + key + "' LIMIT 1)";
}
}  // namespace

namespace {
// The personal-data categories a person's rows can hold, one bit each, in the order of their
// names (so a set of bits is written as a sorted JSON array by walking the bits).
enum Category : uint32_t {
  kDateOfBirth = 1u << 0,
  kEmail = 1u << 1,
  kIpAddress = 1u << 2,
  kName = 1u << 3,
  kPasswordHash = 1u << 4,
  kPhone = 1u << 5,
  kPostalAddress = 1u << 6,
  kTaxId = 1u << 7,
};
constexpr const char* kCategoryNames[] = {"date_of_birth", "email", "ip_address",     "name",
                                          "password_hash", "phone", "postal_address", "tax_id"};

// The categories a row holds: those whose value is not empty (staged as bits, turned into a
// JSON array once addresses and metadata are joined in, in BuildCustomers).
uint64_t Held(std::initializer_list<std::pair<Category, std::string_view>> fields) {
  uint64_t out = 0;
  for (const auto& [category, value] : fields) {
    if (value.empty() || value == "0000-00-00" || value == "0000-00-00 00:00:00") continue;
    out |= category;
  }
  return out;
}
}  // namespace

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
  // The rows of an earlier run are replaced. The customer and order tables, when they hold
  // only this item's rows (one dump per case), are emptied wholesale: on the 1 M-customer case
  // deleting their 3.4 M rows by evidence_id took 58 s, the larger part of a re-run.
  TQ_ASSIGN_OR_RETURN(bool shared_customers, HoldsOtherEvidence(db_, "storedb_customer", ev));
  TQ_ASSIGN_OR_RETURN(bool shared_orders, HoldsOtherEvidence(db_, "storedb_order", ev));
  // The secondary indexes of the customer and order tables are built once after the bulk
  // load (one sort each) instead of a random b-tree insert per row, per update and per
  // deleted row: on a million customers that was the larger part of the stage. All of it is
  // one transaction, so a killed run leaves the tables and indexes as they were
  // (CreateSecondaryIndexes() rebuilds them).
  TQ_RETURN_IF_ERROR(db_.Exec(
      "DROP INDEX IF EXISTS storedb_customer_ev; DROP INDEX IF EXISTS storedb_customer_email;"
      "DROP INDEX IF EXISTS storedb_order_email; DROP INDEX IF EXISTS storedb_order_created;"));
  for (const char* t : {"storedb_table", "storedb_pii_column", "storedb_problem", "storedb_dump"})
    TQ_RETURN_IF_ERROR(db_.Exec(std::string("DELETE FROM ") + t + " WHERE evidence_id=" + ev));
  for (auto [t, shared] : {std::pair{"storedb_customer", shared_customers},
                           std::pair{"storedb_order", shared_orders}}) {
    if (shared)
      TQ_RETURN_IF_ERROR(db_.Exec(std::string("DELETE FROM ") + t + " WHERE evidence_id=" + ev));
    else
      TQ_RETURN_IF_ERROR(RecreateEmpty(db_, t));
  }
  // A larger page cache for the bulk of staged rows (bounded: 64 MB).
  TQ_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-65536; PRAGMA temp.cache_size=-65536"));
  TQ_RETURN_IF_ERROR(db_.Exec(R"sql(
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_addr(kind TEXT, id TEXT, parent_id TEXT,
  address_type TEXT, first TEXT, last TEXT, country TEXT, region TEXT, street TEXT, city TEXT,
  postcode TEXT, email TEXT, phone TEXT);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_pay(parent_id TEXT, method TEXT, cc_last4 TEXT,
  cc_type TEXT);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_billing(customer_id TEXT, address_id TEXT);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_meta(kind TEXT, id TEXT, key TEXT, value TEXT);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_wpuser(id TEXT, source TEXT, login TEXT, email TEXT,
  registered INTEGER, display_name TEXT, line INTEGER, byte_offset INTEGER);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_wppost(id TEXT, source TEXT, created INTEGER,
  status TEXT, line INTEGER, byte_offset INTEGER);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_cust(kind TEXT, source_table TEXT, customer_id INTEGER,
  email TEXT, name TEXT, country TEXT, region TEXT, created_at INTEGER, line INTEGER,
  byte_offset INTEGER, categories INTEGER);
CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_ord(source_table TEXT, order_id TEXT,
  increment_id TEXT, customer_id INTEGER, email TEXT, name TEXT, country TEXT, region TEXT,
  created_at INTEGER, payment_method TEXT, status TEXT, grand_total TEXT, billing_address TEXT,
  billing_street TEXT, billing_city TEXT, billing_postcode TEXT, line INTEGER,
  byte_offset INTEGER, categories INTEGER);
DELETE FROM tmp_sdb_addr; DELETE FROM tmp_sdb_pay; DELETE FROM tmp_sdb_billing;
DELETE FROM tmp_sdb_meta; DELETE FROM tmp_sdb_wpuser; DELETE FROM tmp_sdb_wppost;
DELETE FROM tmp_sdb_cust; DELETE FROM tmp_sdb_ord;
DROP INDEX IF EXISTS tmp_sdb_addr_id; DROP INDEX IF EXISTS tmp_sdb_addr_parent;
DROP INDEX IF EXISTS tmp_sdb_pay_parent; DROP INDEX IF EXISTS tmp_sdb_billing_c;
DROP INDEX IF EXISTS tmp_sdb_meta_k;
)sql"));
  const std::pair<Staging, const char*> sql[] = {
      {kCust,
       "INSERT INTO tmp_sdb_cust(kind,source_table,customer_id,email,name,country,region,"
       "created_at,line,byte_offset,categories) VALUES('magento',?,?,?,?,'','',?,?,?,?)"},
      {kOrder,
       "INSERT INTO tmp_sdb_ord(source_table,order_id,increment_id,customer_id,email,name,"
       "country,region,created_at,status,grand_total,payment_method,billing_address,"
       "billing_street,billing_city,billing_postcode,line,byte_offset,categories) "
       "VALUES(?,?,?,?,?,?,'','',?,?,?,?,'','','','',?,?,?)"},
      {kAddr, "INSERT INTO tmp_sdb_addr VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"},
      {kPay, "INSERT INTO tmp_sdb_pay VALUES(?,?,?,?)"},
      {kBilling, "INSERT INTO tmp_sdb_billing VALUES(?,?)"},
      {kMeta, "INSERT INTO tmp_sdb_meta VALUES(?,?,?,?)"},
      {kWpUser, "INSERT INTO tmp_sdb_wpuser VALUES(?,?,?,?,?,?,?,?)"},
      {kWpPost, "INSERT INTO tmp_sdb_wppost VALUES(?,?,?,?,?,?)"},
  };
  for (const auto& [which, text] : sql) {
    TQ_ASSIGN_OR_RETURN(staging_[which], db_.Prepare(text));
  }
  return Status::Ok();
}

Status Analyzer::StageMagento(const TableState& t, const DumpRow& row) {
  const std::string& c = t.canon.name;
  auto v = [&](const char* col) { return Val(row, col); };
  if (c == "customer_entity") {
    std::string name = Join(v("firstname"), v("lastname"));
    TQ_RETURN_IF_ERROR(Exec(kCust, {t.def.name, NullIfEmpty(v("entity_id")), v("email"), name,
                                    DbTime(v("created_at")), row.line, row.offset,
                                    Held({{kName, name},
                                          {kEmail, v("email")},
                                          {kPasswordHash, v("password_hash")},
                                          {kDateOfBirth, v("dob")},
                                          {kTaxId, v("taxvat")}})}));
    if (!v("default_billing").empty())
      return Exec(kBilling, {v("entity_id"), v("default_billing")});
  } else if (c == "customer_address_entity" || c == "sales_order_address") {
    bool order = c == "sales_order_address";
    if (order && v("address_type") != "billing") return Status::Ok();  // only billing is read
    return Exec(kAddr,
                {order ? "order" : "customer", v("entity_id"), v("parent_id"),
                 order ? v("address_type") : "", v("firstname"), v("lastname"), v("country_id"),
                 v("region"), v("street"), v("city"), v("postcode"), v("email"), v("telephone")});
  } else if (c == "sales_order") {
    std::string_view cid = v("customer_id");
    if (v("customer_is_guest") == "1") cid = {};
    std::string name = Join(v("customer_firstname"), v("customer_lastname"));
    return Exec(kOrder, {t.def.name, v("entity_id"), v("increment_id"), NullIfEmpty(cid),
                         v("customer_email"), name, DbTime(v("created_at")), v("status"),
                         v("grand_total"), "", row.line, row.offset,
                         Held({{kName, name},
                               {kEmail, v("customer_email")},
                               {kIpAddress, v("remote_ip")},
                               {kDateOfBirth, v("customer_dob")},
                               {kTaxId, v("customer_taxvat")}})});
  } else if (c == "sales_order_payment") {
    return Exec(kPay, {v("parent_id"), v("method"), v("cc_last_4"), v("cc_type")});
  }
  return Status::Ok();
}

Status Analyzer::StageWordPress(const TableState& t, const DumpRow& row) {
  const std::string& c = t.canon.name;
  auto v = [&](const char* col) { return Val(row, col); };
  if (c == "users") {
    return Exec(kWpUser, {v("ID"), t.def.name, v("user_login"), v("user_email"),
                          DbTime(v("user_registered")), v("display_name"), row.line, row.offset});
  } else if (c == "usermeta") {
    std::string key(v("meta_key"));
    if (key.ends_with("capabilities")) key = "capabilities";
    // Birthdays: WooCommerce has no field of its own; account and checkout plugins keep them
    // under keys such as account_birthday, billing_birthdate or dob.
    std::string lower = Lower(key);
    if (lower.find("birth") != std::string::npos || lower == "dob" || lower.ends_with("_dob"))
      key = "birthday";
    static const char* kKeys[] = {"capabilities",      "first_name",        "last_name",
                                  "billing_country",   "billing_state",     "billing_first_name",
                                  "billing_last_name", "billing_email",     "session_tokens",
                                  "billing_phone",     "billing_address_1", "birthday"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys))
      return Exec(kMeta, {"user", v("user_id"), key, v("meta_value").substr(0, 4096)});
  } else if (c == "posts") {
    if (v("post_type") == "shop_order")
      return Exec(kWpPost, {v("ID"), t.def.name, DbTime(v("post_date_gmt")), v("post_status"),
                            row.line, row.offset});
  } else if (c == "postmeta") {
    std::string_view key = v("meta_key");
    if (key.starts_with("_billing_") || key == "_customer_user" || key == "_payment_method" ||
        key == "_order_total" || key == "_payment_method_title" || key == "_customer_ip_address")
      return Exec(kMeta, {"post", v("post_id"), key, v("meta_value").substr(0, 1024)});
  } else if (c == "wc_orders") {
    std::string_view type = v("type");
    if (!type.empty() && type != "shop_order") return Status::Ok();
    std::string_view cid = v("customer_id");
    if (cid == "0") cid = {};
    return Exec(kOrder, {t.def.name, v("id"), v("id"), NullIfEmpty(cid), v("billing_email"), "",
                         DbTime(v("date_created_gmt")), v("status"), v("total_amount"),
                         v("payment_method"), row.line, row.offset,
                         Held({{kEmail, v("billing_email")}, {kIpAddress, v("ip_address")}})});
  } else if (c == "wc_order_addresses") {
    if (v("address_type") != "billing") return Status::Ok();
    return Exec(
        kAddr, {"order", v("id"), v("order_id"), v("address_type"), v("first_name"), v("last_name"),
                v("country"), v("state"), Join(v("address_1"), v("address_2")), v("city"),
                v("postcode"), v("email"), v("phone")});
  }
  return Status::Ok();
}

Status Analyzer::IndexStaging() {
  // Indexes after the bulk inserts: one sort each instead of a b-tree update per row.
  const char* sql =
      "CREATE INDEX tmp_sdb_addr_id ON tmp_sdb_addr(kind, id);\n"
      "CREATE INDEX tmp_sdb_addr_parent ON tmp_sdb_addr(kind, parent_id, address_type);\n"
      "CREATE INDEX tmp_sdb_pay_parent ON tmp_sdb_pay(parent_id);\n"
      "CREATE INDEX tmp_sdb_billing_c ON tmp_sdb_billing(customer_id);\n"
      "CREATE INDEX tmp_sdb_meta_k ON tmp_sdb_meta(kind, id, key);\n";
  return db_.Exec(sql);
}

namespace {
// The staged bits plus the flagged extras -> sorted JSON array.
std::string CategoriesJson(uint64_t held, std::initializer_list<std::pair<Category, bool>> extra) {
  for (const auto& [category, present] : extra)
    if (present) held |= category;
  std::string out = "[";
  for (size_t i = 0; i < std::size(kCategoryNames); ++i) {
    if (!(held & (1u << i))) continue;
    if (out.size() > 1) out += ',';
    out.append("\"").append(kCategoryNames[i]).append("\"");
  }
  out += ']';
  return out;
}

std::string_view SqlText(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  return p ? std::string_view(reinterpret_cast<const char*>(p), sqlite3_value_bytes(v))
           : std::string_view();
}
bool SqlFlag(sqlite3_value* v) { return sqlite3_value_int64(v) != 0; }
void SqlResult(sqlite3_context* ctx, const std::string& s) {
  sqlite3_result_text64(ctx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// tq_sdb_customer_categories(guest, held, source_table, has_email, has_name, addresses,
// meta_phone, meta_address, meta_birthday): the JSON array of what a customer row holds; '[]'
// for a guest (its orders say what it holds). `addresses`: 1 = an address with a street, city
// or postcode, 2 = one with a phone number.
void CustomerCategoriesFn(sqlite3_context* ctx, int, sqlite3_value** a) {
  if (SqlFlag(a[0])) return SqlResult(ctx, "[]");
  // WordPress accounts always carry a password hash (wp_users.user_pass is NOT NULL).
  bool wp_user = SqlText(a[2]).ends_with("users");
  int64_t addresses = sqlite3_value_int64(a[5]);
  SqlResult(ctx, CategoriesJson(sqlite3_value_int64(a[1]),
                                {{kEmail, SqlFlag(a[3])},
                                 {kName, SqlFlag(a[4])},
                                 {kPasswordHash, wp_user},
                                 {kPostalAddress, (addresses & 1) || SqlFlag(a[7])},
                                 {kPhone, (addresses & 2) || SqlFlag(a[6])},
                                 {kDateOfBirth, SqlFlag(a[8])}}));
}

// tq_sdb_order_categories(held, has_name, has_email, has_address, phone, meta_phone, meta_ip)
void OrderCategoriesFn(sqlite3_context* ctx, int, sqlite3_value** a) {
  SqlResult(ctx,
            CategoriesJson(sqlite3_value_int64(a[0]), {{kName, SqlFlag(a[1])},
                                                       {kEmail, SqlFlag(a[2])},
                                                       {kPostalAddress, SqlFlag(a[3])},
                                                       {kPhone, SqlFlag(a[4]) || SqlFlag(a[5])},
                                                       {kIpAddress, SqlFlag(a[6])}}));
}

// tq_sdb_card_payment(payment_method, cc_last4, cc_type): a card's last digits or type on
// file, or a card gateway.
void CardPaymentFn(sqlite3_context* ctx, int, sqlite3_value** a) {
  bool card = !SqlText(a[1]).empty() || !SqlText(a[2]).empty() || IsCardGateway(SqlText(a[0]));
  sqlite3_result_int(ctx, card ? 1 : 0);
}

Status RegisterFunctions(Db& db) {
  struct Fn {
    const char* name;
    int args;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  };
  for (const Fn& f : {Fn{"tq_sdb_customer_categories", 9, CustomerCategoriesFn},
                      Fn{"tq_sdb_order_categories", 7, OrderCategoriesFn},
                      Fn{"tq_sdb_card_payment", 3, CardPaymentFn}}) {
    int rc =
        sqlite3_create_function_v2(db.raw(), f.name, f.args, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   nullptr, f.fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      return Status::Internal(std::string("storedb: cannot register ") + f.name + ": " +
                              sqlite3_errstr(rc));
  }
  return Status::Ok();
}
}  // namespace

// The staged rows become the case's customers and orders in one INSERT ... SELECT each, in
// the order they were staged: every joined value (billing address, payment, country), the
// card flag and the categories computed as the row is written, so each row is written once
// (no UPDATE pass rewrites a million rows, nor a per-row lookup from C++).
Status Analyzer::BuildCustomers(AnalyzeSummary* s) {
  TQ_RETURN_IF_ERROR(RegisterFunctions(db_));
  std::string ev = std::to_string(item_.id);
  std::string sql;
  // WooCommerce legacy orders (wp_posts shop_order + wp_postmeta), after the streamed ones:
  // HPOS rows win on a clash (the final insert ignores a second row of an order id).
  auto pm = [](const char* key) { return Meta("post", key, "p.id"); };
  if (staged_[kWpPost] > 0)
    sql +=
        "INSERT INTO tmp_sdb_ord(source_table,order_id,increment_id,customer_id,email,name,"
        "country,region,created_at,payment_method,status,grand_total,billing_address,"
        "billing_street,billing_city,billing_postcode,line,byte_offset,categories) SELECT "
        "p.source,p.id,p.id,"
        "NULLIF(CAST(" +
        pm("_customer_user") + " AS INTEGER),0),COALESCE(" + pm("_billing_email") +
        ",''),trim(COALESCE(" + pm("_billing_first_name") + ",'')||' '||COALESCE(" +
        pm("_billing_last_name") + ",'')),COALESCE(" + pm("_billing_country") + ",''),COALESCE(" +
        pm("_billing_state") + ",''),p.created," + "COALESCE(" + pm("_payment_method") +
        ",''),p.status,COALESCE(" + pm("_order_total") + ",''),trim(COALESCE(" +
        pm("_billing_address_1") + ",'')||', '||COALESCE(" + pm("_billing_city") +
        ",'')||' '||COALESCE(" + pm("_billing_postcode") + ",''),', '),trim(COALESCE(" +
        pm("_billing_address_1") + ",'')||char(10)||COALESCE(" + pm("_billing_address_2") +
        ",''),char(10)),COALESCE(" + pm("_billing_city") + ",''),COALESCE(" +
        pm("_billing_postcode") + ",''),p.line,p.byte_offset,0 FROM tmp_sdb_wppost p;\n";
  // Orders: the billing address of each (Magento sales_order_address, WooCommerce
  // wc_order_addresses) and its payment are the first staged row of each (the lowest rowid;
  // with one min() in a query SQLite takes the other columns from that row), each
  // materialized once and joined, with whether any billing address of the order has a phone
  // number. The first staged row of an order id wins. Without staged metadata (Magento) its
  // lookups are left out: they would find nothing.
  bool meta = staged_[kMeta] > 0;
  auto post_meta = [&](const char* key) {
    if (!meta) return std::string("0");
    return std::string(
               "EXISTS(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='post' AND m.id=j.order_id "
               "AND m.key='") +
           key + "' AND m.value<>'')";
  };
  sql +=
      "INSERT OR IGNORE INTO storedb_order(evidence_id,source_table,order_id,increment_id,"
      "customer_id,email,name,country,region,created_at,payment_method,card_payment,cc_last4,"
      "cc_type,billing_address,status,grand_total,line,byte_offset,categories,billing_street,"
      "billing_city,billing_postcode) SELECT " +
      ev +
      ",source_table,order_id,increment_id,customer_id,email,name,country,region,created_at,"
      "payment_method,tq_sdb_card_payment(payment_method,cc_last4,cc_type),cc_last4,cc_type,"
      "billing_address,status,grand_total,line,byte_offset,"
      "tq_sdb_order_categories(categories,name<>'',email<>'',billing_address<>'',phones>0," +
      post_meta("_billing_phone") + "," + post_meta("_customer_ip_address") +
      "),billing_street,billing_city,billing_postcode FROM ("
      "SELECT o.rowid AS rid,o.source_table,o.order_id,o.increment_id,o.customer_id,"
      "CASE WHEN o.email='' THEN COALESCE(a.email,'') ELSE o.email END AS email,"
      "CASE WHEN o.name='' THEN COALESCE(trim(a.first||' '||a.last),'') ELSE o.name END AS name,"
      "COALESCE(a.country,o.country) AS country,COALESCE(a.region,o.region) AS region,"
      "o.created_at,COALESCE(p.method,o.payment_method) AS payment_method,"
      "COALESCE(p.cc_last4,'') AS cc_last4,COALESCE(p.cc_type,'') AS cc_type,"
      "COALESCE(trim(a.street||', '||a.city||' '||a.postcode||', '||a.region||', '||a.country,"
      "', '),o.billing_address) AS billing_address,o.status,o.grand_total,o.line,o.byte_offset,"
      "o.categories,COALESCE(a.street,o.billing_street) AS billing_street,"
      "COALESCE(a.city,o.billing_city) AS billing_city,"
      "COALESCE(a.postcode,o.billing_postcode) AS billing_postcode,"
      "COALESCE(a.phones,0) AS phones FROM tmp_sdb_ord o "
      "LEFT JOIN (SELECT parent_id,first,last,country,region,street,city,postcode,email,"
      "min(rowid),total(phone<>'') AS phones FROM tmp_sdb_addr "
      "WHERE kind='order' AND address_type='billing' "
      "GROUP BY parent_id) AS a ON a.parent_id=o.order_id "
      "LEFT JOIN (SELECT parent_id,method,cc_last4,cc_type,min(rowid) FROM tmp_sdb_pay "
      "GROUP BY parent_id) AS p ON p.parent_id=o.order_id) AS j ORDER BY rid;\n";
  // WooCommerce registered customers: every user who is not store staff, after the streamed
  // Magento customers.
  auto um = [](const char* key) { return Meta("user", key, "u.id"); };
  if (staged_[kWpUser] > 0)
    sql +=
        "INSERT INTO tmp_sdb_cust(kind,source_table,customer_id,email,name,country,region,"
        "created_at,line,byte_offset,categories) SELECT 'wordpress',u.source,u.id,u.email,"
        "COALESCE(NULLIF(trim(COALESCE(" +
        um("first_name") + ",'')||' '||COALESCE(" + um("last_name") +
        ",'')),''),NULLIF(trim(COALESCE(" + um("billing_first_name") + ",'')||' '||COALESCE(" +
        um("billing_last_name") +
        ",'')),''),u.display_name),"
        "COALESCE(" +
        um("billing_country") + ",''),COALESCE(" + um("billing_state") +
        ",''),u.registered,u.line,u.byte_offset,0 FROM tmp_sdb_wpuser u WHERE NOT EXISTS "
        "(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='user' AND m.id=u.id AND "
        "m.key='capabilities' AND (m.value LIKE '%administrator%' OR m.value LIKE "
        "'%shop_manager%' OR m.value LIKE '%editor%' OR m.value LIKE '%author%' OR m.value "
        "LIKE '%contributor%'));\n";
  // Customers: a Magento customer's country and region are those of its default billing
  // address, else of its first address (each found once, the second only without the first);
  // a WordPress user's come from its metadata. `addresses`: 1 when an address of the
  // customer has a street, city or postcode, 2 when one has a phone number.
  auto user_meta = [&](const char* key) {
    if (!meta) return std::string("0");
    return std::string(
               "EXISTS(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='user' AND "
               "m.id=CAST(c.customer_id AS TEXT) AND m.key='") +
           key + "' AND m.value<>'')";
  };
  sql +=
      "INSERT INTO storedb_customer(evidence_id,source_table,customer_id,email,name,country,"
      "region,created_at,line,byte_offset,categories) SELECT " +
      ev +
      ",c.source_table,c.customer_id,c.email,c.name,"
      "CASE WHEN c.kind='magento' THEN COALESCE(ab.country,af.country,'') ELSE c.country END,"
      "CASE WHEN c.kind='magento' THEN COALESCE(ab.region,af.region,'') ELSE c.region END,"
      "c.created_at,c.line,c.byte_offset,"
      "tq_sdb_customer_categories(c.customer_id IS NULL,c.categories,c.source_table,"
      "c.email<>'',c.name<>'',"
      "(SELECT (total(a.street<>'' OR a.city<>'' OR a.postcode<>'')>0)+"
      "2*(total(a.phone<>'')>0) FROM tmp_sdb_addr a WHERE a.kind='customer' AND "
      "a.parent_id=CAST(c.customer_id AS TEXT))," +
      user_meta("billing_phone") + "," + user_meta("billing_address_1") + "," +
      user_meta("birthday") +
      ") FROM tmp_sdb_cust c "
      "LEFT JOIN tmp_sdb_addr ab ON c.kind='magento' AND ab.rowid=(SELECT a.rowid FROM "
      "tmp_sdb_billing b JOIN tmp_sdb_addr a ON a.kind='customer' AND a.id=b.address_id "
      "WHERE b.customer_id=CAST(c.customer_id AS TEXT) LIMIT 1) "
      "LEFT JOIN tmp_sdb_addr af ON c.kind='magento' AND af.rowid=CASE WHEN ab.rowid IS NULL "
      "THEN (SELECT a.rowid FROM tmp_sdb_addr a WHERE a.kind='customer' AND "
      "a.parent_id=CAST(c.customer_id AS TEXT) ORDER BY CAST(a.id AS INTEGER) LIMIT 1) END "
      "ORDER BY c.rowid;\n";
  // Guests: one customer row per e-mail address that ordered without an account.
  sql +=
      "INSERT INTO storedb_customer(evidence_id,source_table,customer_id,email,name,country,"
      "region,created_at,line,byte_offset) SELECT " +
      ev +
      ",source_table,NULL,email,name,"
      "country,region,min(created_at),line,byte_offset FROM storedb_order WHERE evidence_id=" +
      ev + " AND customer_id IS NULL AND email<>'' GROUP BY lower(email);\n";
  TQ_RETURN_IF_ERROR(db_.Exec(sql));
  TQ_ASSIGN_OR_RETURN(
      s->customers, db_.QueryInt("SELECT count(*) FROM storedb_customer WHERE evidence_id=" + ev));
  TQ_ASSIGN_OR_RETURN(s->orders,
                      db_.QueryInt("SELECT count(*) FROM storedb_order WHERE evidence_id=" + ev));
  return Status::Ok();
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
    pr.Bind(5, static_cast<int64_t>(p.offset)).Bind(6, p.message).Bind(7, p.row_lost ? 1 : 0);
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
