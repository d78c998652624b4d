// RunScope: reads the investigation's exposures and the store database's people from the
// case, computes the affected set and replaces the scope tables in one transaction.
#include <simdjson.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/escape.h"
#include "core/json.h"
#include "scope/scope.h"

namespace tq::scope {
namespace {

const Migration kMigrations[] = {{1, R"sql(
CREATE TABLE scope_person (
  id INTEGER PRIMARY KEY,
  person_key TEXT NOT NULL UNIQUE,
  customer_id INTEGER,
  email TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  categories TEXT NOT NULL,
  first_exposure INTEGER,
  last_exposure INTEGER,
  reasons TEXT NOT NULL,
  ambiguity TEXT NOT NULL DEFAULT ''
);
CREATE TABLE scope_count (
  jurisdiction TEXT NOT NULL,
  category TEXT NOT NULL,
  people INTEGER NOT NULL,
  PRIMARY KEY (jurisdiction, category)
);
CREATE TABLE scope_exposure (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER,
  description TEXT NOT NULL,
  evidence TEXT NOT NULL DEFAULT ''
);
)sql"}};

bool TableExists(Db& db, std::string_view name) {
  auto st = db.Prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  if (!st.ok()) return false;
  st->Bind(1, name);
  auto row = st->Step();
  return row.ok() && *row;
}

bool ColumnExists(Db& db, std::string_view table, std::string_view column) {
  auto st = db.Prepare("SELECT 1 FROM pragma_table_info(?) WHERE name=?");
  if (!st.ok()) return false;
  st->Bind(1, table).Bind(2, column);
  auto row = st->Step();
  return row.ok() && *row;
}

// A download whose name says it is a database dump.
bool LooksLikeDatabaseDump(std::string path) {
  for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t q = path.find('?');
  if (q != std::string::npos) path.resize(q);
  for (const char* ext : {".sql", ".sql.gz", ".sql.zst", ".sql.bz2", ".sql.xz", ".sql.zip",
                          ".mysql", ".dump", ".dump.gz"}) {
    std::string e(ext);
    if (path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0)
      return true;
  }
  return false;
}

std::string EvidenceRef(const std::map<int64_t, std::string>& names, int64_t id, int64_t line) {
  auto it = names.find(id);
  std::string s = it == names.end() ? "evidence " + std::to_string(id) : it->second;
  if (line > 0) s += ":" + std::to_string(line);
  return s;
}

// Category lists (JSON arrays) of the store reader's rows. Rows mostly repeat a few lists:
// the last one parsed is kept.
class CategoryParser {
 public:
  const std::vector<std::string>& Parse(std::string_view json) {
    if (parsed_once_ && json == last_) return parsed_;
    parsed_once_ = true;
    last_.assign(json);
    parsed_.clear();
    simdjson::dom::element doc;
    simdjson::dom::array arr;
    if (parser_.parse(last_.data(), last_.size()).get(doc) || doc.get_array().get(arr))
      return parsed_;
    for (auto v : arr) {
      std::string_view s;
      if (!v.get_string().get(s)) parsed_.emplace_back(s);
    }
    return parsed_;
  }

 private:
  simdjson::dom::parser parser_;
  std::string last_;
  std::vector<std::string> parsed_;
  bool parsed_once_ = false;
};

Result<std::vector<Exposure>> LoadExposures(Case& c, std::vector<std::string>* notes) {
  Db& db = c.db();
  std::vector<Exposure> out;
  TQ_ASSIGN_OR_RETURN(std::vector<Finding> findings, ListFindings(db, "analysis."));
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> webroot, ListEvidence(db, "webroot"));
  simdjson::dom::parser parser;
  for (const Finding& f : findings) {
    std::string ev = f.evidence_sha256.empty() ? "" : f.evidence_sha256.substr(0, 12);
    if (f.line) ev += ":" + std::to_string(*f.line);
    simdjson::dom::element doc;
    if (parser.parse(f.detail_json).get(doc)) continue;
    if (f.kind == "analysis.skimmer_window") {
      std::string_view start, end;
      if (doc["start"].get_string().get(start)) continue;
      Result<UnixMicros> s = ParseIso8601(start, TimeZone::Utc());
      if (!s.ok()) continue;
      Exposure e;
      e.kind = Exposure::Kind::kSkimmer;
      e.start = *s;
      if (!doc["end"].get_string().get(end)) {
        Result<UnixMicros> t = ParseIso8601(end, TimeZone::Utc());
        if (t.ok()) e.end = *t;
      }
      e.description = f.summary;
      e.evidence = ev;
      out.push_back(std::move(e));
    } else if (f.kind == "analysis.exfiltration") {
      std::string_view kind, path_raw;
      if (doc["kind"].get_string().get(kind) || kind != "download") continue;
      if (doc["request"]["path"].get_string().get(path_raw)) continue;
      std::string path = RecoverJsonBytes(path_raw);
      if (!LooksLikeDatabaseDump(path) || !f.event_time) continue;
      Exposure e;
      e.kind = Exposure::Kind::kDump;
      e.start = *f.event_time;
      // The dump was written before it was downloaded: when the file is in the collected web
      // root, its modification time is the better cut-off for "rows that existed".
      std::string rel = path.substr(path.find_first_not_of('/') == std::string::npos
                                        ? path.size()
                                        : path.find_first_not_of('/'));
      for (const EvidenceItem& item : webroot) {
        const std::string& op = item.original_path;
        bool match = op == rel || (op.size() > rel.size() &&
                                   op.compare(op.size() - rel.size(), rel.size(), rel) == 0 &&
                                   op[op.size() - rel.size() - 1] == '/');
        if (match && item.mtime_ns > 0) {
          e.start = std::min<UnixMicros>(e.start, item.mtime_ns / 1000);
        }
      }
      // A dump the attacker wrote with a webshell command holds no row created after that
      // command (the analysis gives the last one before the download).
      std::string_view before;
      if (!doc["written_before"].get_string().get(before)) {
        Result<UnixMicros> t = ParseIso8601(before, TimeZone::Utc());
        if (t.ok()) e.start = std::min(e.start, *t);
      }
      e.description = "database dump " + path + " downloaded";
      e.evidence = ev;
      out.push_back(std::move(e));
    }
  }
  // One exposure per dump file: keep the earliest cut-off.
  std::sort(out.begin(), out.end(), [](const Exposure& a, const Exposure& b) {
    return std::tie(a.kind, a.description, a.start) < std::tie(b.kind, b.description, b.start);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Exposure& a, const Exposure& b) {
                          return a.kind == Exposure::Kind::kDump && a.kind == b.kind &&
                                 a.description == b.description;
                        }),
            out.end());
  if (out.empty())
    notes->push_back(
        "no exposure found by the investigation (no skimmer window, no database "
        "dump downloaded): run `tourniquet investigate` first, or nobody is affected");
  return out;
}

Status LoadCustomers(Db& db, const std::map<int64_t, std::string>& names, bool with_categories,
                     std::vector<CustomerRecord>* customers) {
  CategoryParser categories;
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare(std::string("SELECT customer_id,email,name,country,region,created_at,"
                                      "source_table,evidence_id,line,") +
                          (with_categories ? "categories" : "'[\"name\",\"email\"]'") +
                          " FROM storedb_customer ORDER BY id"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    // Guest rows (no account) are the store reader's summary of orders: the orders
    // themselves say what each guest gave.
    if (st.IsNull(0)) continue;
    CustomerRecord r;
    r.customer_id = st.Int(0);
    r.email = st.String(1);
    r.name = st.String(2);
    r.country = st.String(3);
    r.region = st.String(4);
    if (!st.IsNull(5)) r.created_at = st.Int(5);
    r.source_table = st.String(6);
    r.evidence = EvidenceRef(names, st.Int(7), st.Int(8));
    r.categories = categories.Parse(st.Text(9));
    customers->push_back(std::move(r));
  }
  return Status::Ok();
}

Status LoadOrders(Db& db, const std::map<int64_t, std::string>& names, bool with_categories,
                  const std::set<std::string>& attacker_orders, std::vector<OrderRecord>* orders,
                  std::vector<std::string>* notes) {
  CategoryParser categories;
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare(std::string("SELECT increment_id,order_id,customer_id,email,name,country,"
                             "region,created_at,card_payment,source_table,evidence_id,"
                             "line,") +
                 (with_categories ? "categories" : "'[\"name\",\"email\",\"postal_address\"]'") +
                 " FROM storedb_order ORDER BY id"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    OrderRecord r;
    r.order_ref = st.Text(0).empty() ? st.String(1) : st.String(0);
    if (!attacker_orders.empty() && st.Text(9) == "sales_order" &&
        attacker_orders.count(st.String(1))) {
      notes->push_back("order " + r.order_ref +
                       " left out: its own fields carry the attacker's template-injection "
                       "payload (storedb.injected_script), so the attacker placed it");
      continue;
    }
    if (!st.IsNull(2)) r.customer_id = st.Int(2);
    r.email = st.String(3);
    r.name = st.String(4);
    r.country = st.String(5);
    r.region = st.String(6);
    if (!st.IsNull(7)) r.created_at = st.Int(7);
    r.card_payment = st.Int(8) != 0;
    r.source_table = st.String(9);
    r.evidence = EvidenceRef(names, st.Int(10), st.Int(11));
    r.categories = categories.Parse(st.Text(12));
    orders->push_back(std::move(r));
  }
  return Status::Ok();
}

// Orders whose own fields carry an exploit payload (a template directive typed into the
// name: TrojanOrder) were placed by the attacker, who is no affected customer.
Result<std::set<std::string>> AttackerOrders(Db& db) {
  std::set<std::string> out;
  TQ_ASSIGN_OR_RETURN(std::vector<Finding> injected, ListFindings(db, "storedb.injected_script"));
  simdjson::dom::parser parser;
  for (const Finding& f : injected) {
    simdjson::dom::element doc;
    std::string_view technique, table;
    simdjson::dom::object pk;
    if (parser.parse(f.detail_json).get(doc) || doc["technique"].get_string().get(technique) ||
        technique != "template_injection" || doc["pk"].get_object().get(pk))
      continue;
    if (doc["canonical_table"].get_string().get(table) && doc["table"].get_string().get(table))
      continue;
    if (table != "sales_order") continue;
    for (auto field : pk) {
      int64_t id = 0;
      if (!field.value.get_int64().get(id)) out.insert(std::to_string(id));
    }
  }
  return out;
}

// Customers and orders, read at the same time on two connections (the case file is in WAL
// mode: readers do not wait for each other).
Status LoadPeople(Case& c, std::vector<CustomerRecord>* customers, std::vector<OrderRecord>* orders,
                  std::vector<std::string>* notes) {
  Db& db = c.db();
  if (!TableExists(db, "storedb_customer") || !TableExists(db, "storedb_order")) {
    notes->push_back(
        "no store database in the case: collect a dump (--label db) and run "
        "`tourniquet investigate`");
    return Status::Ok();
  }
  std::map<int64_t, std::string> names;
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(db, "db"));
  for (const EvidenceItem& e : items) names[e.id] = e.original_path;
  bool cust_cats = ColumnExists(db, "storedb_customer", "categories");
  bool order_cats = ColumnExists(db, "storedb_order", "categories");
  TQ_ASSIGN_OR_RETURN(std::set<std::string> attacker_orders, AttackerOrders(db));
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Db> second, Db::Open(c.DbPath(), false, true));
  Status order_status;
  std::vector<std::string> order_notes;
  {
    std::jthread reader([&] {
      order_status = LoadOrders(*second, names, order_cats, attacker_orders, orders, &order_notes);
    });
    TQ_RETURN_IF_ERROR(LoadCustomers(db, names, cust_cats, customers));
  }
  TQ_RETURN_IF_ERROR(order_status);
  notes->insert(notes->end(), order_notes.begin(), order_notes.end());
  if (!cust_cats || !order_cats)
    notes->push_back(
        "the store database reader gave no per-row categories: categories are the "
        "identity fields only");
  return Status::Ok();
}

std::string ReasonsJson(const AffectedPerson& p) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& [reason, evidence] : p.reasons)
    w.BeginObject().Field("reason", reason).Field("evidence", evidence).EndObject();
  w.EndArray();
  return w.Take();
}

std::string CategoriesJson(const std::vector<std::string>& cats) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& c : cats) w.String(c);
  w.EndArray();
  return w.Take();
}

Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return Status::FromErrno(tmp, errno);
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fflush(f) == 0 && ok;
  ok = ::fsync(fileno(f)) == 0 && ok;
  int err = errno;
  std::fclose(f);
  if (!ok) return Status::FromErrno(tmp, err);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(path, errno);
  return Status::Ok();
}

}  // namespace

Result<ScopeSummary> RunScope(Case& c) {
  TQ_RETURN_IF_ERROR(c.EnsureSchema("scope", kMigrations));
  ScopeSummary summary;
  TQ_ASSIGN_OR_RETURN(CaseInfo info, c.Info());
  TQ_ASSIGN_OR_RETURN(summary.exposures, LoadExposures(c, &summary.notes));
  std::vector<CustomerRecord> customers;
  std::vector<OrderRecord> orders;
  TQ_RETURN_IF_ERROR(LoadPeople(c, &customers, &orders, &summary.notes));
  std::vector<AffectedPerson> people =
      ComputeAffected(customers, orders, summary.exposures, info.discovered_at);

  std::unordered_map<std::string, std::unordered_map<std::string, int64_t>> by_jurisdiction;
  for (const AffectedPerson& p : people) {
    std::string j = Jurisdiction(p);
    if (j.empty()) j = "unknown";
    auto& row = by_jurisdiction[j];
    ++row["*"];
    for (const auto& cat : p.categories) ++row[cat];
    if (!p.ambiguity.empty()) ++summary.ambiguous;
  }
  std::map<std::pair<std::string, std::string>, int64_t> counts;  // sorted for the table
  for (const auto& [j, row] : by_jurisdiction) {
    for (const auto& [cat, n] : row) {
      counts[{j, cat}] = n;
      if (cat == "*") {
        summary.per_jurisdiction[j] += n;
      } else {
        summary.per_category[cat] += n;
      }
    }
  }
  summary.people = static_cast<int64_t>(people.size());

  // The CSV is made while the tables are written.
  std::string csv;
  std::jthread csv_writer([&] { csv = AffectedCsv(people); });
  Status written = c.Transaction([&](Db& db) -> Status {
    TQ_RETURN_IF_ERROR(
        db.Exec("DELETE FROM scope_person; DELETE FROM scope_count; "
                "DELETE FROM scope_exposure;"));
    TQ_ASSIGN_OR_RETURN(
        Stmt ins, db.Prepare("INSERT INTO scope_person(person_key,customer_id,email,name,country,"
                             "region,language,categories,first_exposure,last_exposure,reasons,"
                             "ambiguity) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
    for (const AffectedPerson& p : people) {
      TQ_RETURN_IF_ERROR(ins.Reset());
      ins.Bind(1, p.person_key).Bind(2, p.customer_id).Bind(3, p.email).Bind(4, p.name);
      ins.Bind(5, p.country).Bind(6, p.region).Bind(7, p.language);
      ins.Bind(8, CategoriesJson(p.categories)).Bind(9, p.first_exposure);
      ins.Bind(10, p.last_exposure).Bind(11, ReasonsJson(p)).Bind(12, p.ambiguity);
      TQ_RETURN_IF_ERROR(ins.Run());
    }
    TQ_ASSIGN_OR_RETURN(
        Stmt cnt,
        db.Prepare("INSERT INTO scope_count(jurisdiction,category,people) VALUES(?,?,?)"));
    for (const auto& [key, n] : counts) {
      TQ_RETURN_IF_ERROR(cnt.Reset());
      cnt.Bind(1, key.first).Bind(2, key.second).Bind(3, n);
      TQ_RETURN_IF_ERROR(cnt.Run());
    }
    TQ_ASSIGN_OR_RETURN(
        Stmt ex, db.Prepare("INSERT INTO scope_exposure(kind,start,end,description,evidence) "
                            "VALUES(?,?,?,?,?)"));
    for (const Exposure& e : summary.exposures) {
      TQ_RETURN_IF_ERROR(ex.Reset());
      ex.Bind(1, e.kind == Exposure::Kind::kSkimmer ? "skimmer" : "dump").Bind(2, e.start);
      ex.Bind(3, e.end).Bind(4, e.description).Bind(5, e.evidence);
      TQ_RETURN_IF_ERROR(ex.Run());
    }
    return Status::Ok();
  });
  csv_writer.join();
  TQ_RETURN_IF_ERROR(written);
  TQ_RETURN_IF_ERROR(WriteFileAtomically(c.ReportsDir() + "/scope.csv", csv));
  return summary;
}

}  // namespace tq::scope
