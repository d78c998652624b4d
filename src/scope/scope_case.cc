// RunScope: reads the investigation's exposures and the store database's people from the
// case, computes the affected set and replaces the scope tables in one transaction.
#include <simdjson.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
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
)sql"},
                                 // What the data cannot settle for everybody an exposure took
                                 // (it was each person's before).
                                 {2, R"sql(
ALTER TABLE scope_exposure ADD COLUMN ambiguity TEXT NOT NULL DEFAULT '';
)sql"}};

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

// Evidence item ids of the store reader's rows as People's evidence indexes.
class EvidenceNames {
 public:
  EvidenceNames(People* people, const std::map<int64_t, std::string>& names) : people_(people) {
    for (const auto& [id, name] : names) index_[id] = people->EvidenceIndex(name);
  }
  // Thread-safe: a row of an item not in the evidence list names it by id.
  uint32_t Index(int64_t id) {
    {
      std::lock_guard lock(mu_);
      auto it = index_.find(id);
      if (it != index_.end()) return it->second;
    }
    uint32_t i = people_->EvidenceIndex("evidence " + std::to_string(id));
    std::lock_guard lock(mu_);
    index_[id] = i;
    return i;
  }

 private:
  People* people_;
  std::mutex mu_;
  std::unordered_map<int64_t, uint32_t> index_;
};

// What each loading thread keeps between rows: rows mostly repeat their evidence item, source
// table and category list.
class RowCache {
 public:
  RowCache(People* people, EvidenceNames* evidence) : people_(people), evidence_(evidence) {}
  uint32_t Evidence(int64_t id) {
    if (id != evidence_id_ || !evidence_set_) {
      evidence_index_ = evidence_->Index(id);
      evidence_id_ = id;
      evidence_set_ = true;
    }
    return evidence_index_;
  }
  uint32_t Table(std::string_view name) {
    if (name != table_ || !table_set_) {
      table_.assign(name);
      table_index_ = people_->TableIndex(name);
      table_set_ = true;
    }
    return table_index_;
  }
  // Category lists are JSON arrays of names.
  uint64_t Categories(std::string_view json) {
    if (json == categories_ && categories_set_) return category_bits_;
    categories_set_ = true;
    categories_.assign(json);
    std::vector<std::string> names;
    simdjson::dom::element doc;
    simdjson::dom::array arr;
    if (!parser_.parse(categories_.data(), categories_.size()).get(doc) &&
        !doc.get_array().get(arr)) {
      for (auto v : arr) {
        std::string_view name;
        if (!v.get_string().get(name)) names.emplace_back(name);
      }
    }
    category_bits_ = people_->CategoryBitsOf(names);
    return category_bits_;
  }

 private:
  People* people_;
  EvidenceNames* evidence_;
  int64_t evidence_id_ = 0;
  uint32_t evidence_index_ = 0;
  bool evidence_set_ = false;
  std::string table_;
  uint32_t table_index_ = 0;
  bool table_set_ = false;
  simdjson::dom::parser parser_;
  std::string categories_;
  uint64_t category_bits_ = 0;
  bool categories_set_ = false;
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

// A store reader's row from column `col` on: email, name, country, region, created_at,
// source_table, evidence_id, line, categories (the same in storedb_customer and
// storedb_order).
template <typename Record>
void ReadPerson(const Stmt& st, int col, TextArena* text, RowCache* cache, Record* r) {
  r->email = text->Keep(st.Text(col));
  r->name = text->Keep(st.Text(col + 1));
  r->country = text->Keep(st.Text(col + 2));
  r->region = text->Keep(st.Text(col + 3));
  if (!st.IsNull(col + 4)) r->created_at = st.Int(col + 4);
  r->table = cache->Table(st.Text(col + 5));
  r->evidence = cache->Evidence(st.Int(col + 6));
  r->line = st.Int(col + 7);
  r->categories = cache->Categories(st.Text(col + 8));
}

Status LoadCustomers(Db& db, People* people, EvidenceNames* evidence, bool with_categories,
                     std::vector<People::Customer>* customers) {
  RowCache cache(people, evidence);
  TextArena& text = people->NewArena();
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
    People::Customer r;
    r.customer_id = st.Int(0);
    ReadPerson(st, 1, &text, &cache, &r);
    customers->push_back(r);
  }
  return Status::Ok();
}

// Which orders any exposure can take, as SQL over storedb_order with its bound values: the
// same tests as the affected-set computation (a dump takes rows created before it, or at an
// unknown time; a skimmer takes card payments inside its window), so that the others are not
// even read.
struct OrderFilter {
  std::string sql;
  std::vector<int64_t> values;
};

OrderFilter FilterOrders(const std::vector<Exposure>& exposures,
                         std::optional<UnixMicros> discovered_at) {
  OrderFilter f;
  std::optional<UnixMicros> last_dump;
  std::string skimmers;
  for (const Exposure& e : exposures) {
    if (e.kind == Exposure::Kind::kDump) {
      last_dump = std::max(last_dump.value_or(e.start), e.start);
      continue;
    }
    std::optional<UnixMicros> end = e.end ? e.end : discovered_at;
    skimmers += " OR (card_payment <> 0 AND created_at >= ?";
    f.values.push_back(e.start);
    if (end) {
      skimmers += " AND created_at < ?";
      f.values.push_back(*end);
    }
    skimmers += ")";
  }
  if (exposures.empty()) {
    f.sql = "0";
    return f;
  }
  f.sql = "(created_at IS NULL";
  if (last_dump) {
    f.sql += " OR created_at < ?";
    f.values.insert(f.values.begin(), *last_dump);
  }
  f.sql += skimmers + ")";
  return f;
}

// Orders with row ids in [from, to) that pass the filter.
Status LoadOrders(Db& db, People* people, EvidenceNames* evidence, bool with_categories,
                  const std::set<std::string>& attacker_orders, const OrderFilter& filter,
                  int64_t from, int64_t to, std::vector<People::Order>* orders,
                  std::vector<std::string>* notes) {
  RowCache cache(people, evidence);
  TextArena& text = people->NewArena();
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare(std::string("SELECT increment_id,order_id,customer_id,email,name,country,"
                             "region,created_at,source_table,evidence_id,line,") +
                 (with_categories ? "categories" : "'[\"name\",\"email\",\"postal_address\"]'") +
                 ",card_payment"
                 " FROM storedb_order WHERE id >= ? AND id < ? AND " +
                 filter.sql + " ORDER BY id"));
  st.Bind(1, from).Bind(2, to);
  for (size_t i = 0; i < filter.values.size(); ++i)
    st.Bind(static_cast<int>(i + 3), filter.values[i]);
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    People::Order r;
    std::string_view ref = st.Text(0).empty() ? st.Text(1) : st.Text(0);
    if (!attacker_orders.empty() && st.Text(8) == "sales_order" &&
        attacker_orders.count(st.String(1))) {
      notes->push_back("order " + std::string(ref) +
                       " left out: its own fields carry the attacker's template-injection "
                       "payload (storedb.injected_script), so the attacker placed it");
      continue;
    }
    r.order_ref = text.Keep(ref);
    if (!st.IsNull(2)) r.customer_id = st.Int(2);
    ReadPerson(st, 3, &text, &cache, &r);
    r.card_payment = st.Int(12) != 0;
    orders->push_back(r);
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
// mode: readers do not wait for each other): one reads the customers and the orders after
// the split, the other the orders before it. The split balances the rows each reads.
Status LoadPeople(Case& c, const OrderFilter& filter, People* people,
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
  EvidenceNames evidence(people, names);
  bool cust_cats = ColumnExists(db, "storedb_customer", "categories");
  bool order_cats = ColumnExists(db, "storedb_order", "categories");
  TQ_ASSIGN_OR_RETURN(std::set<std::string> attacker_orders, AttackerOrders(db));
  TQ_ASSIGN_OR_RETURN(int64_t lo, db.QueryInt("SELECT coalesce(min(id),0) FROM storedb_order"));
  TQ_ASSIGN_OR_RETURN(int64_t hi, db.QueryInt("SELECT coalesce(max(id),0) FROM storedb_order"));
  TQ_ASSIGN_OR_RETURN(int64_t customer_ids,
                      db.QueryInt("SELECT coalesce(max(id)-min(id)+1,0) FROM storedb_customer"));
  int64_t order_ids = hi - lo + 1;
  int64_t mid = lo + std::clamp<int64_t>((order_ids + customer_ids) / 2, 0, order_ids);
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Db> second, Db::Open(c.DbPath(), false, true));
  Status first_status;
  std::vector<People::Order> first_half, second_half;
  // Row ids are dense in the store reader's tables: room for every row up front (a bound, not
  // a promise: vectors still grow if ids are not).
  constexpr int64_t kReserveCap = 50'000'000;
  first_half.reserve(static_cast<size_t>(std::clamp<int64_t>(mid - lo, 0, kReserveCap)));
  second_half.reserve(static_cast<size_t>(std::clamp<int64_t>(hi + 1 - mid, 0, kReserveCap)));
  people->customers.reserve(static_cast<size_t>(std::clamp<int64_t>(customer_ids, 0, kReserveCap)));
  std::vector<std::string> first_notes, second_notes;
  {
    std::jthread reader([&] {
      first_status = LoadOrders(*second, people, &evidence, order_cats, attacker_orders, filter, lo,
                                mid, &first_half, &first_notes);
    });
    TQ_RETURN_IF_ERROR(LoadCustomers(db, people, &evidence, cust_cats, &people->customers));
    TQ_RETURN_IF_ERROR(LoadOrders(db, people, &evidence, order_cats, attacker_orders, filter, mid,
                                  hi + 1, &second_half, &second_notes));
  }
  TQ_RETURN_IF_ERROR(first_status);
  people->orders.reserve(first_half.size() + second_half.size());
  people->orders.insert(people->orders.end(), first_half.begin(), first_half.end());
  first_half = {};
  people->orders.insert(people->orders.end(), second_half.begin(), second_half.end());
  notes->insert(notes->end(), first_notes.begin(), first_notes.end());
  notes->insert(notes->end(), second_notes.begin(), second_notes.end());
  if (!cust_cats || !order_cats)
    notes->push_back(
        "the store database reader gave no per-row categories: categories are the "
        "identity fields only");
  return Status::Ok();
}

// [{"reason":"account in the stolen dump","exposure":2,"evidence":"store.sql:1234"}, ...]:
// `exposure` is the scope_exposure row whose description completes the reason.
void AppendReasonsJson(const AffectedPerson& p, std::string* out) {
  out->clear();
  out->push_back('[');
  for (const Reason& r : p.reasons) {
    if (out->size() > 1) out->push_back(',');
    out->append("{\"reason\":\"");
    AppendJsonEscaped(r.Own(), out);
    out->append("\",\"exposure\":").append(std::to_string(r.exposure + 1));
    out->append(",\"evidence\":\"");
    AppendJsonEscaped(r.evidence, out);
    out->append("\"}");
  }
  out->push_back(']');
}

std::string CategoriesJson(const std::vector<std::string>& cats) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& c : cats) w.String(c);
  w.EndArray();
  return w.Take();
}

// scope.csv, written (and synced) while the tables are; put in place only once the tables
// are committed.
class CsvFile {
 public:
  explicit CsvFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {}
  ~CsvFile() {
    if (f_) std::fclose(f_);
    if (!done_) std::remove(tmp_.c_str());
  }
  Status Open() {
    f_ = std::fopen(tmp_.c_str(), "wb");
    if (!f_) return Status::FromErrno(tmp_, errno);
    buf_.assign(kAffectedCsvHeader);
    return Status::Ok();
  }
  Status Add(const AffectedPerson& p) {
    AppendAffectedCsvRow(p, &buf_);
    return buf_.size() >= (1 << 20) ? Flush() : Status::Ok();
  }
  Status Close() {
    TQ_RETURN_IF_ERROR(Flush());
    bool ok = std::fflush(f_) == 0 && ::fsync(fileno(f_)) == 0;
    int err = errno;
    ok = std::fclose(f_) == 0 && ok;
    f_ = nullptr;
    if (!ok) return Status::FromErrno(tmp_, err);
    return Status::Ok();
  }
  Status Commit() {
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) return Status::FromErrno(path_, errno);
    done_ = true;
    return Status::Ok();
  }

 private:
  Status Flush() {
    if (std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      return Status::FromErrno(tmp_, errno);
    buf_.clear();
    return Status::Ok();
  }
  std::string path_, tmp_, buf_;
  FILE* f_ = nullptr;
  bool done_ = false;
};

// People spelled out as rows, in flight through three threads: one makes them, one inserts
// them, one writes them to the CSV; each batch goes back to the maker once written.
struct RowBatch {
  static constexpr size_t kRows = 2048;
  std::vector<AffectedPerson> people = std::vector<AffectedPerson>(kRows);
  std::vector<std::string> reasons = std::vector<std::string>(kRows);                   // JSON
  std::vector<const std::string*> categories = std::vector<const std::string*>(kRows);  // JSON
  size_t size = 0;
};

class RowPipe {
 public:
  enum Stage { kFree, kMade, kInserted, kStages };
  explicit RowPipe(size_t batches) : batches_(batches) {
    for (RowBatch& b : batches_) queue_[kFree].push_back(&b);
  }
  // The next batch at `stage`, in order; nullptr once the stage before is done and everything
  // it passed on has been taken, or once any thread failed.
  RowBatch* Take(Stage stage) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !queue_[stage].empty() || done_[stage] || !failure_.ok(); });
    if (!failure_.ok() || queue_[stage].empty()) return nullptr;
    RowBatch* b = queue_[stage].front();
    queue_[stage].pop_front();
    return b;
  }
  void Put(Stage stage, RowBatch* b) {
    std::lock_guard lock(mu_);
    queue_[stage].push_back(b);
    cv_.notify_all();
  }
  // Nothing more will reach `stage`.
  void Done(Stage stage) {
    std::lock_guard lock(mu_);
    done_[stage] = true;
    cv_.notify_all();
  }
  // Stops every thread; the first failure is the one reported.
  void Fail(Status s) {
    std::lock_guard lock(mu_);
    if (failure_.ok()) failure_ = std::move(s);
    cv_.notify_all();
  }
  Status failure() {
    std::lock_guard lock(mu_);
    return failure_;
  }

 private:
  std::vector<RowBatch> batches_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RowBatch*> queue_[kStages];
  bool done_[kStages] = {};
  Status failure_;
};

// People per jurisdiction: in all, and per category bit.
struct JurisdictionCount {
  int64_t people = 0;
  int64_t per_bit[64] = {};
};

// What the rows add up to, counted as they are made (complete once the maker is done), and
// the category lists' JSON that rows point at (a few distinct ones: it outlives the inserts).
struct RowTotals {
  std::unordered_map<std::string, JurisdictionCount> by_jurisdiction;
  int64_t ambiguous = 0;
  std::unordered_map<uint64_t, std::string> categories_json;
};

// Spells out every person into batches.
Status MakeRows(const People& people, const std::vector<Exposure>& exposures,
                const AffectedSet& set, RowPipe* pipe, RowTotals* totals) {
  PersonWriter writer(people, exposures, set);
  std::unordered_map<uint64_t, std::string>& categories_json = totals->categories_json;
  std::string jurisdiction;
  for (size_t i = 0; i < set.people.size();) {
    RowBatch* b = pipe->Take(RowPipe::kFree);
    if (!b) return Status::Ok();  // another thread failed and says why
    b->size = std::min(RowBatch::kRows, set.people.size() - i);
    for (size_t k = 0; k < b->size; ++k, ++i) {
      AffectedPerson& p = b->people[k];
      writer.Expand(i, &p);
      uint64_t bits = set.people[i].categories;
      auto cj = categories_json.find(bits);
      if (cj == categories_json.end())
        cj = categories_json.emplace(bits, CategoriesJson(p.categories)).first;
      b->categories[k] = &cj->second;
      AppendReasonsJson(p, &b->reasons[k]);
      jurisdiction = Jurisdiction(p);
      JurisdictionCount& count =
          totals->by_jurisdiction[jurisdiction.empty() ? "unknown" : jurisdiction];
      ++count.people;
      for (int bit = 0; bit < 64; ++bit)
        if (bits & (uint64_t{1} << bit)) ++count.per_bit[bit];
      if (!p.ambiguity.empty()) ++totals->ambiguous;
    }
    pipe->Put(RowPipe::kMade, b);
  }
  return Status::Ok();
}

// Writes the inserted batches to the CSV, in order, and syncs it.
Status WriteCsv(CsvFile* csv, RowPipe* pipe) {
  TQ_RETURN_IF_ERROR(csv->Open());
  while (RowBatch* b = pipe->Take(RowPipe::kInserted)) {
    for (size_t k = 0; k < b->size; ++k) TQ_RETURN_IF_ERROR(csv->Add(b->people[k]));
    pipe->Put(RowPipe::kFree, b);
  }
  TQ_RETURN_IF_ERROR(pipe->failure());
  return csv->Close();
}

// The people's rows go into a table of their own, scope_person_next, committed a batch at a
// time (so that the log can be copied into the database behind them); the last transaction
// puts it in place of scope_person. A run killed before that leaves scope_person as it was,
// and the next run starts scope_person_next again.
constexpr std::string_view kNextTable = "scope_person_next";
constexpr size_t kRowsPerCommit = 1 << 17;

Status CreateNextTable(Db& db) {
  TQ_ASSIGN_OR_RETURN(Stmt q, db.Prepare("SELECT sql FROM sqlite_master WHERE type='table' AND "
                                         "name='scope_person'"));
  TQ_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Internal("scope_person is missing from the case");
  std::string sql = q.String(0);
  TQ_RETURN_IF_ERROR(q.Reset());  // an open read of the schema would keep DROP from running
  size_t at = sql.find("scope_person");
  if (at == std::string::npos) return Status::Internal("unexpected scope_person schema");
  sql.replace(at, std::string_view("scope_person").size(), kNextTable);
  TQ_RETURN_IF_ERROR(db.Exec("DROP TABLE IF EXISTS " + std::string(kNextTable)));
  return db.Exec(sql);
}

// Copies the log into the database on a connection of its own, each time a batch of rows is
// committed, while the next batch goes in. Best effort: what it leaves, SQLite's own checkpoint
// takes at the end.
class Checkpointer {
 public:
  explicit Checkpointer(std::unique_ptr<Db> db) : db_(std::move(db)) {
    if (db_) thread_ = std::jthread([this] { Run(); });
  }
  ~Checkpointer() { Stop(); }
  void Poke() {
    std::lock_guard lock(mu_);
    pending_ = true;
    cv_.notify_all();
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return pending_ || stop_; });
      if (stop_) return;
      pending_ = false;
      lock.unlock();
      (void)db_->Exec("PRAGMA wal_checkpoint(PASSIVE)");
      lock.lock();
    }
  }
  std::unique_ptr<Db> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false, stop_ = false;
  std::jthread thread_;
};

// The people's rows into scope_person_next, a batch of rows per transaction.
Status InsertPeople(Db& db, RowPipe* pipe, Checkpointer* checkpointer) {
  TQ_RETURN_IF_ERROR(db.Begin());
  Status s = [&]() -> Status {
    TQ_ASSIGN_OR_RETURN(Stmt ins,
                        db.Prepare("INSERT INTO " + std::string(kNextTable) +
                                   "(person_key,customer_id,email,name,country,region,language,"
                                   "categories,first_exposure,last_exposure,reasons,ambiguity) "
                                   "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
    size_t rows = 0;
    while (RowBatch* b = pipe->Take(RowPipe::kMade)) {
      for (size_t k = 0; k < b->size; ++k) {
        const AffectedPerson& p = b->people[k];
        TQ_RETURN_IF_ERROR(ins.Reset());
        // The batch keeps its strings until the row is in.
        ins.BindUncopied(1, p.person_key).Bind(2, p.customer_id).BindUncopied(3, p.email);
        ins.BindUncopied(4, p.name).BindUncopied(5, p.country).BindUncopied(6, p.region);
        ins.BindUncopied(7, p.language).BindUncopied(8, *b->categories[k]);
        ins.Bind(9, p.first_exposure).Bind(10, p.last_exposure);
        ins.BindUncopied(11, b->reasons[k]).BindUncopied(12, p.ambiguity);
        TQ_RETURN_IF_ERROR(ins.Run());
        if (++rows % kRowsPerCommit == 0) {
          TQ_RETURN_IF_ERROR(db.Commit());
          checkpointer->Poke();
          TQ_RETURN_IF_ERROR(db.Begin());
        }
      }
      pipe->Put(RowPipe::kInserted, b);
    }
    return pipe->failure();
  }();
  if (!s.ok()) {
    if (db.InTransaction()) db.Rollback();
    return s;
  }
  return db.Commit();
}

// The last transaction: scope_person_next in place of scope_person, the counts and the
// exposures.
Status ReplaceTables(Db& db, const People& people, const RowTotals& totals, ScopeSummary* summary) {
  TQ_RETURN_IF_ERROR(
      db.Exec("DELETE FROM scope_count; DELETE FROM scope_exposure; "
              "DROP TABLE scope_person; ALTER TABLE " +
              std::string(kNextTable) + " RENAME TO scope_person;"));
  summary->ambiguous = totals.ambiguous;
  std::map<std::pair<std::string, std::string>, int64_t> counts;  // sorted for the table
  summary->per_category.clear();
  summary->per_jurisdiction.clear();
  for (const auto& [j, count] : totals.by_jurisdiction) {
    counts[{j, "*"}] = count.people;
    summary->per_jurisdiction[j] += count.people;
    for (int bit = 0; bit < 64; ++bit) {
      if (!count.per_bit[bit]) continue;
      std::string name = people.CategoryNames(uint64_t{1} << bit).front();
      counts[{j, name}] += count.per_bit[bit];
      summary->per_category[name] += count.per_bit[bit];
    }
  }
  TQ_ASSIGN_OR_RETURN(
      Stmt cnt, db.Prepare("INSERT INTO scope_count(jurisdiction,category,people) VALUES(?,?,?)"));
  for (const auto& [key, n] : counts) {
    TQ_RETURN_IF_ERROR(cnt.Reset());
    cnt.Bind(1, key.first).Bind(2, key.second).Bind(3, n);
    TQ_RETURN_IF_ERROR(cnt.Run());
  }
  TQ_ASSIGN_OR_RETURN(Stmt ex, db.Prepare("INSERT INTO scope_exposure(id,kind,start,end,"
                                          "description,evidence,ambiguity) "
                                          "VALUES(?,?,?,?,?,?,?)"));
  for (size_t i = 0; i < summary->exposures.size(); ++i) {
    const Exposure& e = summary->exposures[i];
    TQ_RETURN_IF_ERROR(ex.Reset());
    ex.Bind(1, static_cast<int64_t>(i + 1));
    ex.Bind(2, e.kind == Exposure::Kind::kSkimmer ? "skimmer" : "dump").Bind(3, e.start);
    ex.Bind(4, e.end).Bind(5, e.description).Bind(6, e.evidence).Bind(7, ExposureAmbiguity(e));
    TQ_RETURN_IF_ERROR(ex.Run());
  }
  return Status::Ok();
}

// A bigger page cache for the one big write (the default 2 MB makes SQLite evict and re-read
// index pages from the log), and no checkpoint by the committing thread (the Checkpointer
// copies the log meanwhile); the connection's own settings again afterwards.
class WriteCache {
 public:
  explicit WriteCache(Db& db) : db_(db) {
    Result<int64_t> cache = db_.QueryInt("PRAGMA cache_size");
    Result<int64_t> autocheckpoint = db_.QueryInt("PRAGMA wal_autocheckpoint");
    if (cache.ok()) cache_size_ = *cache;
    if (autocheckpoint.ok()) autocheckpoint_ = *autocheckpoint;
    (void)db_.Exec("PRAGMA cache_size=-262144");
    (void)db_.Exec("PRAGMA wal_autocheckpoint=0");
  }
  ~WriteCache() {
    (void)db_.Exec("PRAGMA cache_size=" + std::to_string(cache_size_));
    (void)db_.Exec("PRAGMA wal_autocheckpoint=" + std::to_string(autocheckpoint_));
  }

 private:
  Db& db_;
  int64_t cache_size_ = -2000, autocheckpoint_ = 1000;
};

}  // namespace

Result<ScopeSummary> RunScope(Case& c) {
  TQ_RETURN_IF_ERROR(c.EnsureSchema("scope", kMigrations));
  ScopeSummary summary;
  TQ_ASSIGN_OR_RETURN(CaseInfo info, c.Info());
  TQ_ASSIGN_OR_RETURN(summary.exposures, LoadExposures(c, &summary.notes));
  for (const Exposure& e : summary.exposures) {
    std::string ambiguity = ExposureAmbiguity(e);
    if (!ambiguity.empty()) summary.notes.push_back(e.description + ": " + ambiguity);
  }
  People people;
  TQ_RETURN_IF_ERROR(
      LoadPeople(c, FilterOrders(summary.exposures, info.discovered_at), &people, &summary.notes));
  const AffectedSet set = ComputeAffected(people, summary.exposures, info.discovered_at);
  summary.people = static_cast<int64_t>(set.people.size());

  // One thread spells people out, this one inserts the rows, a third writes the CSV; a fourth
  // copies the log into the database behind them.
  TQ_RETURN_IF_ERROR(c.Transaction([](Db& db) { return CreateNextTable(db); }));
  CsvFile csv(c.ReportsDir() + "/scope.csv");
  RowPipe pipe(6);
  RowTotals totals;
  Status written;
  {
    std::jthread maker([&] {
      Status s = MakeRows(people, summary.exposures, set, &pipe, &totals);
      if (!s.ok()) pipe.Fail(s);
      pipe.Done(RowPipe::kMade);
    });
    std::jthread csv_writer([&] {
      Status s = WriteCsv(&csv, &pipe);
      if (!s.ok()) pipe.Fail(s);
    });
    Result<std::unique_ptr<Db>> second = Db::Open(c.DbPath(), false, false);
    Checkpointer checkpointer(second.ok() ? std::move(*second) : nullptr);
    WriteCache cache(c.db());
    written = InsertPeople(c.db(), &pipe, &checkpointer);
    if (!written.ok()) pipe.Fail(written);
    pipe.Done(RowPipe::kInserted);
    checkpointer.Stop();
    // The tables are replaced only once the CSV is written too, so that a failure leaves both
    // as they were. Every row was made: the totals are complete.
    csv_writer.join();
    if (written.ok()) written = pipe.failure();
    if (written.ok())
      written = c.Transaction([&](Db& db) { return ReplaceTables(db, people, totals, &summary); });
  }
  TQ_RETURN_IF_ERROR(written);
  TQ_RETURN_IF_ERROR(pipe.failure());
  TQ_RETURN_IF_ERROR(csv.Commit());
  return summary;
}

}  // namespace tq::scope
