// Customers and orders for scope: rows of the platform's customer and order tables are staged
// while the dump streams by (in any table order), then joined in SQL into storedb_customer
// and storedb_order; also the per-table, PII, problem and dump rows of the case.
#include <algorithm>
#include <cctype>
#include <set>

#include "core/json.h"
#include "core/text.h"
#include "storedb/analyzer.h"

namespace tq::storedb {

namespace {
using Opt = std::optional<std::string>;

Opt NullIfEmpty(std::string s) { return s.empty() ? Opt() : Opt(std::move(s)); }
Opt Micros(std::optional<UnixMicros> t) { return t ? Opt(std::to_string(*t)) : Opt(); }
std::string Join(std::string a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + " " + b;
}
// The meta value `key` of a staged row, in SQL.
std::string Meta(const char* kind, const char* key, const char* id_expr) {
  return std::string("(SELECT value FROM tmp_sdb_meta m WHERE m.kind='") + kind +
         "' AND m.id=" + id_expr + " AND m.key='" + key + "' LIMIT 1)";
}
}  // namespace

// The categories a row holds: those whose value is not empty, as "a,b,c" (turned into a
// JSON array once addresses and metadata are joined in, in PersonCategories).
std::string Held(std::initializer_list<std::pair<const char*, std::string>> fields) {
  std::string out;
  for (const auto& [category, value] : fields) {
    if (value.empty() || value == "0000-00-00" || value == "0000-00-00 00:00:00") continue;
    if (!out.empty()) out += ',';
    out += category;
  }
  return out;
}

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

Status Analyzer::Begin() {
  std::string ev = std::to_string(item_.id);
  for (const char* t : {"storedb_table", "storedb_pii_column", "storedb_problem",
                        "storedb_customer", "storedb_order", "storedb_dump"})
    TQ_RETURN_IF_ERROR(db_.Exec(std::string("DELETE FROM ") + t + " WHERE evidence_id=" + ev));
  // A larger page cache for the bulk of staged rows (bounded: 64 MB).
  TQ_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-65536"));
  // The secondary indexes of the customer and order tables are built once after the bulk
  // load (one sort each) instead of a random b-tree insert per row and per update: on a
  // million customers that was the larger part of the stage. All of it is one transaction,
  // so a killed run leaves the indexes as they were (SecondaryIndexes() rebuilds them).
  TQ_RETURN_IF_ERROR(db_.Exec(
      "DROP INDEX IF EXISTS storedb_customer_ev; DROP INDEX IF EXISTS storedb_customer_email;"
      "DROP INDEX IF EXISTS storedb_order_email; DROP INDEX IF EXISTS storedb_order_created;"));
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
DELETE FROM tmp_sdb_addr; DELETE FROM tmp_sdb_pay; DELETE FROM tmp_sdb_billing;
DELETE FROM tmp_sdb_meta; DELETE FROM tmp_sdb_wpuser; DELETE FROM tmp_sdb_wppost;
DROP INDEX IF EXISTS tmp_sdb_addr_id; DROP INDEX IF EXISTS tmp_sdb_addr_parent;
DROP INDEX IF EXISTS tmp_sdb_pay_parent; DROP INDEX IF EXISTS tmp_sdb_billing_c;
DROP INDEX IF EXISTS tmp_sdb_meta_k;
)sql"));
  const std::pair<const char*, const char*> sql[] = {
      {"cust",
       "INSERT INTO storedb_customer(evidence_id,source_table,customer_id,email,name,created_at,"
       "line,byte_offset,categories) VALUES(?,?,?,?,?,?,?,?,?)"},
      {"order",
       "INSERT OR IGNORE INTO storedb_order(evidence_id,source_table,order_id,increment_id,"
       "customer_id,email,name,created_at,status,grand_total,payment_method,line,byte_offset,"
       "categories) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
      {"addr", "INSERT INTO tmp_sdb_addr VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"},
      {"pay", "INSERT INTO tmp_sdb_pay VALUES(?,?,?,?)"},
      {"billing", "INSERT INTO tmp_sdb_billing VALUES(?,?)"},
      {"meta", "INSERT INTO tmp_sdb_meta VALUES(?,?,?,?)"},
      {"wpuser", "INSERT INTO tmp_sdb_wpuser VALUES(?,?,?,?,?,?,?,?)"},
      {"wppost", "INSERT INTO tmp_sdb_wppost VALUES(?,?,?,?,?,?)"},
  };
  for (const auto& [key, text] : sql) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db_.Prepare(text));
    stmts_.emplace(key, std::move(st));
  }
  return Status::Ok();
}

Status Analyzer::StageMagento(const std::string& c, const RowRef& ref, const DumpRow& row) {
  std::string ev = std::to_string(item_.id);
  std::string line = std::to_string(ref.line), off = std::to_string(ref.offset);
  auto v = [&](const char* col) { return ValueText(row, col); };
  if (c == "customer_entity") {
    TQ_RETURN_IF_ERROR(Exec(
        "cust", {ev, ref.table, NullIfEmpty(v("entity_id")), v("email"),
                 Join(v("firstname"), v("lastname")), Micros(DbTime(v("created_at"))), line, off,
                 Held({{"name", Join(v("firstname"), v("lastname"))},
                       {"email", v("email")},
                       {"password_hash", v("password_hash")},
                       {"date_of_birth", v("dob")},
                       {"tax_id", v("taxvat")}})}));
    if (!v("default_billing").empty())
      return Exec("billing", {v("entity_id"), v("default_billing")});
  } else if (c == "customer_address_entity" || c == "sales_order_address") {
    bool order = c == "sales_order_address";
    if (order && v("address_type") != "billing") return Status::Ok();  // only billing is read
    return Exec("addr",
                {order ? "order" : "customer", v("entity_id"), v("parent_id"),
                 order ? v("address_type") : "", v("firstname"), v("lastname"), v("country_id"),
                 v("region"), v("street"), v("city"), v("postcode"), v("email"), v("telephone")});
  } else if (c == "sales_order") {
    std::string cid = v("customer_id");
    if (v("customer_is_guest") == "1") cid.clear();
    return Exec("order",
                {ev, ref.table, v("entity_id"), v("increment_id"), NullIfEmpty(cid),
                 v("customer_email"), Join(v("customer_firstname"), v("customer_lastname")),
                 Micros(DbTime(v("created_at"))), v("status"), v("grand_total"), "", line, off,
                 Held({{"name", Join(v("customer_firstname"), v("customer_lastname"))},
                       {"email", v("customer_email")},
                       {"ip_address", v("remote_ip")},
                       {"date_of_birth", v("customer_dob")},
                       {"tax_id", v("customer_taxvat")}})});
  } else if (c == "sales_order_payment") {
    return Exec("pay", {v("parent_id"), v("method"), v("cc_last_4"), v("cc_type")});
  }
  return Status::Ok();
}

Status Analyzer::StageWordPress(const std::string& c, const RowRef& ref, const DumpRow& row) {
  std::string ev = std::to_string(item_.id);
  std::string line = std::to_string(ref.line), off = std::to_string(ref.offset);
  auto v = [&](const char* col) { return ValueText(row, col); };
  if (c == "users") {
    return Exec("wpuser", {v("ID"), ref.table, v("user_login"), v("user_email"),
                           Micros(DbTime(v("user_registered"))), v("display_name"), line, off});
  } else if (c == "usermeta") {
    std::string key = v("meta_key");
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
      return Exec("meta", {"user", v("user_id"), key, v("meta_value").substr(0, 4096)});
  } else if (c == "posts") {
    if (v("post_type") == "shop_order")
      return Exec("wppost", {v("ID"), ref.table, Micros(DbTime(v("post_date_gmt"))),
                             v("post_status"), line, off});
  } else if (c == "postmeta") {
    std::string key = v("meta_key");
    if (key.starts_with("_billing_") || key == "_customer_user" || key == "_payment_method" ||
        key == "_order_total" || key == "_payment_method_title" || key == "_customer_ip_address")
      return Exec("meta", {"post", v("post_id"), key, v("meta_value").substr(0, 1024)});
  } else if (c == "wc_orders") {
    std::string type = v("type");
    if (!type.empty() && type != "shop_order") return Status::Ok();
    std::string cid = v("customer_id");
    if (cid == "0") cid.clear();
    return Exec("order", {ev, ref.table, v("id"), v("id"), NullIfEmpty(cid), v("billing_email"), "",
                          Micros(DbTime(v("date_created_gmt"))), v("status"), v("total_amount"),
                          v("payment_method"), line, off,
                          Held({{"email", v("billing_email")}, {"ip_address", v("ip_address")}})});
  } else if (c == "wc_order_addresses") {
    if (v("address_type") != "billing") return Status::Ok();
    return Exec("addr",
                {"order", v("id"), v("order_id"), v("address_type"), v("first_name"),
                 v("last_name"), v("country"), v("state"), Join(v("address_1"), v("address_2")),
                 v("city"), v("postcode"), v("email"), v("phone")});
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

Status Analyzer::BuildCustomers(AnalyzeSummary* s) {
  std::string ev = std::to_string(item_.id);
  std::string sql;
  // Magento customers: country and region of the default billing address, else the first.
  for (const char* f : {"country", "region"}) {
    sql +=
        std::string("UPDATE storedb_customer SET ") + f + "=COALESCE((SELECT a." + f +
        " FROM tmp_sdb_billing b JOIN tmp_sdb_addr a ON a.kind='customer' AND "
        "a.id=b.address_id WHERE b.customer_id=CAST(storedb_customer.customer_id AS TEXT) LIMIT 1),"
        "(SELECT a." +
        f +
        " FROM tmp_sdb_addr a WHERE a.kind='customer' AND "
        "a.parent_id=CAST(storedb_customer.customer_id AS TEXT) ORDER BY CAST(a.id AS INTEGER) "
        "LIMIT 1),'')"
        " WHERE evidence_id=" +
        ev + ";\n";
  }
  // WooCommerce legacy orders (wp_posts shop_order + wp_postmeta); HPOS rows win on a clash.
  auto pm = [](const char* key) { return Meta("post", key, "p.id"); };
  sql +=
      "INSERT OR IGNORE INTO storedb_order(evidence_id,source_table,order_id,increment_id,"
      "customer_id,email,name,country,region,created_at,payment_method,status,grand_total,"
      "billing_address,billing_street,billing_city,billing_postcode,line,byte_offset) SELECT " +
      ev +
      ",p.source,p.id,p.id,"
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
      pm("_billing_postcode") + ",''),p.line,p.byte_offset FROM tmp_sdb_wppost p;\n";
  // Billing address of each order (Magento sales_order_address, WooCommerce wc_order_addresses)
  // and its payment: the first staged row of each (the lowest rowid, as a correlated
  // "LIMIT 1" through the parent index finds it; with one min() in a query SQLite takes the
  // other columns from that row), materialized once and joined, instead of a lookup per
  // column and order. Written so that the plan is one scan of the staged rows and one probe
  // of storedb_order's (evidence_id, order_id) index each: O(n log n).
  sql +=
      "UPDATE storedb_order SET country=COALESCE(a.country,storedb_order.country),"
      "region=COALESCE(a.region,storedb_order.region),"
      "billing_address=COALESCE(trim(a.street||', '||a.city||' '||a.postcode||', '||a.region||"
      "', '||a.country, ', '),storedb_order.billing_address),"
      "billing_street=COALESCE(a.street,storedb_order.billing_street),"
      "billing_city=COALESCE(a.city,storedb_order.billing_city),"
      "billing_postcode=COALESCE(a.postcode,storedb_order.billing_postcode),"
      "name=CASE WHEN storedb_order.name='' THEN COALESCE(trim(a.first||' '||a.last),'') "
      "ELSE storedb_order.name END,"
      "email=CASE WHEN storedb_order.email='' THEN COALESCE(a.email,'') "
      "ELSE storedb_order.email END "
      "FROM (SELECT parent_id,first,last,country,region,street,city,postcode,email,min(rowid) "
      "FROM tmp_sdb_addr WHERE kind='order' AND address_type='billing' GROUP BY parent_id) AS a "
      "WHERE a.parent_id=storedb_order.order_id AND storedb_order.evidence_id=" +
      ev + ";\n";
  sql +=
      "UPDATE storedb_order SET payment_method=COALESCE(p.method,storedb_order.payment_method),"
      "cc_last4=COALESCE(p.cc_last4,''),cc_type=COALESCE(p.cc_type,'') "
      "FROM (SELECT parent_id,method,cc_last4,cc_type,min(rowid) FROM tmp_sdb_pay "
      "GROUP BY parent_id) AS p "
      "WHERE p.parent_id=storedb_order.order_id AND storedb_order.evidence_id=" +
      ev + ";\n";
  // WooCommerce registered customers: every user who is not store staff.
  auto um = [](const char* key) { return Meta("user", key, "u.id"); };
  sql +=
      "INSERT INTO storedb_customer(evidence_id,source_table,customer_id,email,name,country,"
      "region,created_at,line,byte_offset) SELECT " +
      ev +
      ",u.source,u.id,u.email,"
      "COALESCE(NULLIF(trim(COALESCE(" +
      um("first_name") + ",'')||' '||COALESCE(" + um("last_name") +
      ",'')),''),NULLIF(trim(COALESCE(" + um("billing_first_name") + ",'')||' '||COALESCE(" +
      um("billing_last_name") +
      ",'')),''),u.display_name),"
      "COALESCE(" +
      um("billing_country") + ",''),COALESCE(" + um("billing_state") +
      ",''),u.registered,u.line,u.byte_offset FROM tmp_sdb_wpuser u WHERE NOT EXISTS "
      "(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='user' AND m.id=u.id AND "
      "m.key='capabilities' AND (m.value LIKE '%administrator%' OR m.value LIKE "
      "'%shop_manager%' OR m.value LIKE '%editor%' OR m.value LIKE '%author%' OR m.value "
      "LIKE '%contributor%'));\n";
  // Guests: one customer row per e-mail address that ordered without an account.
  sql +=
      "INSERT INTO storedb_customer(evidence_id,source_table,customer_id,email,name,country,"
      "region,created_at,line,byte_offset) SELECT " +
      ev +
      ",source_table,NULL,email,name,"
      "country,region,min(created_at),line,byte_offset FROM storedb_order WHERE evidence_id=" +
      ev + " AND customer_id IS NULL AND email<>'' GROUP BY lower(email);\n";
  TQ_RETURN_IF_ERROR(db_.Exec(sql));
  // Card-like payment: a card's last digits or type on file, or a card gateway.
  TQ_ASSIGN_OR_RETURN(Stmt q, db_.Prepare("SELECT id,payment_method,cc_last4,cc_type FROM "
                                          "storedb_order WHERE evidence_id=?"));
  q.Bind(1, item_.id);
  std::vector<int64_t> card;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    if (!q.Text(2).empty() || !q.Text(3).empty() || IsCardGateway(q.Text(1)))
      card.push_back(q.Int(0));
  }
  TQ_ASSIGN_OR_RETURN(Stmt u, db_.Prepare("UPDATE storedb_order SET card_payment=1 WHERE id=?"));
  for (int64_t id : card) {
    TQ_RETURN_IF_ERROR(u.Reset());
    u.Bind(1, id);
    TQ_RETURN_IF_ERROR(u.Run());
  }
  TQ_RETURN_IF_ERROR(PersonCategories());
  TQ_ASSIGN_OR_RETURN(
      s->customers, db_.QueryInt("SELECT count(*) FROM storedb_customer WHERE evidence_id=" + ev));
  TQ_ASSIGN_OR_RETURN(s->orders,
                      db_.QueryInt("SELECT count(*) FROM storedb_order WHERE evidence_id=" + ev));
  return Status::Ok();
}

namespace {
// "a,b" plus the flagged extras -> sorted JSON array.
std::string CategoriesJson(std::string_view held,
                           std::initializer_list<std::pair<const char*, bool>> extra) {
  std::set<std::string> cats;
  size_t start = 0;
  while (start < held.size()) {
    size_t comma = held.find(',', start);
    if (comma == std::string_view::npos) comma = held.size();
    if (comma > start && held[start] != '[') cats.emplace(held.substr(start, comma - start));
    start = comma + 1;
  }
  for (const auto& [category, present] : extra)
    if (present) cats.insert(category);
  JsonWriter w;
  w.BeginArray();
  for (const std::string& c : cats) w.String(c);
  w.EndArray();
  return w.Take();
}
}  // namespace

Status Analyzer::PersonCategories() {
  // What each person's rows hold: the row's own fields (staged as "a,b"), the addresses and
  // the metadata joined to it. Scope uses these to name exactly what each person lost.
  const std::string ev = std::to_string(item_.id);
  TQ_ASSIGN_OR_RETURN(
      Stmt cq,
      db_.Prepare("SELECT c.id,c.categories,c.source_table,c.customer_id IS NULL,c.email<>'',"
                  "c.name<>'',"
                  "EXISTS(SELECT 1 FROM tmp_sdb_addr a WHERE a.kind='customer' AND "
                  "a.parent_id=CAST(c.customer_id AS TEXT) AND (a.street<>'' OR a.city<>'' OR "
                  "a.postcode<>'')),"
                  "EXISTS(SELECT 1 FROM tmp_sdb_addr a WHERE a.kind='customer' AND "
                  "a.parent_id=CAST(c.customer_id AS TEXT) AND a.phone<>''),"
                  "EXISTS(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='user' AND "
                  "m.id=CAST(c.customer_id AS TEXT) AND m.key='billing_phone' AND m.value<>''),"
                  "EXISTS(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='user' AND "
                  "m.id=CAST(c.customer_id AS TEXT) AND m.key='billing_address_1' AND "
                  "m.value<>''),"
                  "EXISTS(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='user' AND "
                  "m.id=CAST(c.customer_id AS TEXT) AND m.key='birthday' AND m.value<>'') "
                  "FROM storedb_customer c WHERE c.evidence_id=" +
                  ev));
  std::vector<std::pair<int64_t, std::string>> updates;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, cq.Step());
    if (!row) break;
    if (cq.Int(3)) continue;  // a guest: its orders say what it holds
    std::string_view table = cq.Text(2);
    // WordPress accounts always carry a password hash (wp_users.user_pass is NOT NULL).
    bool wp_user = table.ends_with("users");
    updates.emplace_back(cq.Int(0),
                         CategoriesJson(cq.Text(1), {{"email", cq.Int(4) != 0},
                                                     {"name", cq.Int(5) != 0},
                                                     {"password_hash", wp_user},
                                                     {"postal_address", cq.Int(6) || cq.Int(9)},
                                                     {"phone", cq.Int(7) || cq.Int(8)},
                                                     {"date_of_birth", cq.Int(10) != 0}}));
  }
  TQ_ASSIGN_OR_RETURN(
      Stmt oq,
      db_.Prepare("SELECT o.id,o.categories,o.name<>'',o.email<>'',o.billing_address<>'',"
                  "EXISTS(SELECT 1 FROM tmp_sdb_addr a WHERE a.kind='order' AND "
                  "a.parent_id=o.order_id AND a.address_type='billing' AND a.phone<>''),"
                  "EXISTS(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='post' AND m.id=o.order_id "
                  "AND m.key='_billing_phone' AND m.value<>''),"
                  "EXISTS(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='post' AND m.id=o.order_id "
                  "AND m.key='_customer_ip_address' AND m.value<>'') "
                  "FROM storedb_order o WHERE o.evidence_id=" +
                  ev));
  std::vector<std::pair<int64_t, std::string>> order_updates;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, oq.Step());
    if (!row) break;
    order_updates.emplace_back(oq.Int(0),
                               CategoriesJson(oq.Text(1), {{"name", oq.Int(2) != 0},
                                                           {"email", oq.Int(3) != 0},
                                                           {"postal_address", oq.Int(4) != 0},
                                                           {"phone", oq.Int(5) || oq.Int(6)},
                                                           {"ip_address", oq.Int(7) != 0}}));
  }
  cq = Stmt();
  oq = Stmt();
  for (auto [table, rows] :
       {std::pair{"storedb_customer", &updates}, std::pair{"storedb_order", &order_updates}}) {
    TQ_ASSIGN_OR_RETURN(
        Stmt up, db_.Prepare(std::string("UPDATE ") + table + " SET categories=? WHERE id=?"));
    for (const auto& [id, json] : *rows) {
      TQ_RETURN_IF_ERROR(up.Reset());
      up.Bind(1, json).Bind(2, id);
      TQ_RETURN_IF_ERROR(up.Run());
    }
  }
  // Guests and any row left as staged text: a valid (possibly empty) array.
  return db_.Exec("UPDATE storedb_customer SET categories='[]' WHERE evidence_id=" + ev +
                  " AND substr(categories,1,1)<>'['; UPDATE storedb_order SET categories='[]' "
                  "WHERE evidence_id=" +
                  ev + " AND substr(categories,1,1)<>'[';");
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
