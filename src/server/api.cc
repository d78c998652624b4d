// The JSON API: read views over the case file and the few changes the UI makes (tasks,
// comments, the post-mortem). Tables other components own are read column by column, so
// the API follows their schema as it grows; see server.h for what is read.
#include "server/api.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <variant>

#include "casefile/case_progress.h"
#include "core/escape.h"

namespace tq::server {
namespace {

using taskforce::Permission;

std::vector<std::string> Columns(Db& db, std::string_view table) {
  std::vector<std::string> cols;
  auto st = db.Prepare("SELECT name FROM pragma_table_info(?)");
  if (!st.ok()) return cols;
  st->Bind(1, table);
  for (;;) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    cols.push_back(st->String(0));
  }
  return cols;
}

std::string Quote(std::string_view ident) {
  std::string out = "\"";
  for (char ch : ident) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

bool IsTimeColumn(std::string_view c) {
  auto ends = [&](std::string_view s) {
    return c.size() >= s.size() && c.substr(c.size() - s.size()) == s;
  };
  return c == "at" || c == "time" || c == "event_time" || c == "timestamp" || ends("_at") ||
         ends("_seen") || ends("_exposure");
}

const std::string* Param(const ApiRequest& r, const std::string& key) {
  auto it = r.params.find(key);
  return it == r.params.end() ? nullptr : &it->second;
}

int64_t IntParam(const ApiRequest& r, const std::string& key, int64_t def, int64_t lo, int64_t hi) {
  const std::string* v = Param(r, key);
  if (!v) return def;
  int64_t n = def;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size()) return def;
  return std::clamp(n, lo, hi);
}

int64_t Count(Db& db, std::string_view table, std::string_view where = "") {
  if (!TableExists(db, table)) return -1;
  std::string sql = "SELECT count(*) FROM " + Quote(table);
  if (!where.empty()) sql += " WHERE " + std::string(where);
  auto n = db.QueryInt(sql);
  return n.ok() ? *n : -1;
}

void TimeOrNull(JsonWriter& w, const Stmt& st, int col) {
  st.IsNull(col) ? w.Null() : w.String(FormatUtc(st.Int(col)));
}

// Writes rows of any table: SELECT typeof(c), c ... so each value keeps its SQLite type.
// Integer time columns (see IsTimeColumn) are shown as RFC 3339 UTC.
struct TableQuery {
  std::string table;
  std::vector<std::string> columns;
  std::string where;  // with ?1 = the LIKE pattern when filtering, ?2/?3 = from/to
  std::string order;
  int64_t limit = 200, offset = 0;
};

Status DumpRows(Db& db, const TableQuery& q, const std::vector<std::string>& binds, JsonWriter& w) {
  std::string from = " FROM " + Quote(q.table) + (q.where.empty() ? "" : " WHERE " + q.where);
  auto bind_all = [&](Stmt& st) {
    for (size_t i = 0; i < binds.size(); ++i) {
      if (binds[i].empty()) {
        st.BindNull(static_cast<int>(i + 1));
      } else {
        st.Bind(static_cast<int>(i + 1), binds[i]);
      }
    }
  };
  TQ_ASSIGN_OR_RETURN(Stmt count, db.Prepare("SELECT count(*)" + from));
  bind_all(count);
  TQ_ASSIGN_OR_RETURN(bool has, count.Step());
  w.Field("total", has ? count.Int(0) : int64_t{0});
  w.Field("limit", q.limit).Field("offset", q.offset);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < q.columns.size(); ++i)
    sql += (i ? ",typeof(" : "typeof(") + Quote(q.columns[i]) + ")," + Quote(q.columns[i]);
  sql += from + (q.order.empty() ? "" : " ORDER BY " + q.order) + " LIMIT " +
         std::to_string(q.limit) + " OFFSET " + std::to_string(q.offset);
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare(sql));
  bind_all(st);
  w.Key("columns").BeginArray();
  for (const auto& c : q.columns) w.String(c);
  w.EndArray().Key("rows").BeginArray();
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    w.BeginObject();
    for (size_t i = 0; i < q.columns.size(); ++i) {
      int tc = static_cast<int>(2 * i), vc = tc + 1;
      std::string_view type = st.Text(tc);
      w.Key(q.columns[i]);
      if (type == "null") {
        w.Null();
      } else if (type == "integer") {
        IsTimeColumn(q.columns[i]) ? w.String(FormatUtc(st.Int(vc))) : w.Int(st.Int(vc));
      } else if (type == "real") {
        w.Double(st.Double(vc));
      } else {
        w.String(st.Text(vc));
      }
    }
    w.EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

// A filtered, paged listing of a table owned by another component.
Status GenericList(ApiRequest& r, JsonWriter& w, const std::string& table,
                   const std::vector<std::string>& time_columns = {}) {
  Db& db = r.the_case.db();
  w.BeginObject().Field("table", table);
  if (!TableExists(db, table)) {
    w.Field("present", false).Field("total", int64_t{0}).Key("columns").BeginArray().EndArray();
    w.Key("rows").BeginArray().EndArray().EndObject();
    return Status::Ok();
  }
  w.Field("present", true);
  TableQuery q;
  q.table = table;
  q.columns = Columns(db, table);
  q.limit = IntParam(r, "limit", 200, 1, 1000);
  q.offset = IntParam(r, "offset", 0, 0, INT64_MAX / 2);
  std::string time_col;
  for (const auto& t : time_columns)
    if (std::find(q.columns.begin(), q.columns.end(), t) != q.columns.end()) {
      time_col = t;
      break;
    }
  // Every parameter is always in the statement (NULL when not given): ?1 the filter text,
  // ?2 and ?3 the time window.
  std::vector<std::string> binds;
  const std::string* text = Param(r, "q");
  binds.push_back(text && !text->empty() ? "%" + *text + "%" : "");
  std::string any;
  for (const auto& c : q.columns) any += " OR " + Quote(c) + " LIKE ?1";
  q.where = "(?1 IS NULL" + any + ")";
  if (!time_col.empty()) {
    for (const char* key : {"from", "to"}) {
      const std::string* v = Param(r, key);
      std::string bound;
      if (v && !v->empty()) {
        Result<UnixMicros> t = ParseIso8601(*v, TimeZone::Utc());
        if (!t.ok()) return Status::Usage(std::string(key) + ": " + t.status().message());
        bound = std::to_string(*t);
      }
      binds.push_back(bound);
    }
    q.where += " AND (?2 IS NULL OR " + Quote(time_col) + " >= CAST(?2 AS INTEGER)) AND (?3 IS " +
               "NULL OR " + Quote(time_col) + " <= CAST(?3 AS INTEGER))";
    q.order = Quote(time_col) + ", rowid";
  } else {
    q.order = "rowid";
  }
  TQ_RETURN_IF_ERROR(DumpRows(db, q, binds, w));
  w.EndObject();
  return Status::Ok();
}

// ---- Overview ----

// The same progress `status` prints (casefile's CaseProgress), with done/total per phase.
Status WritePhases(Db& db, JsonWriter& w) {
  TQ_ASSIGN_OR_RETURN(std::vector<ProgressPhase> phases, CaseProgress(db));
  w.BeginArray();
  for (const ProgressPhase& p : phases) {
    int done = static_cast<int>(std::count_if(p.steps.begin(), p.steps.end(),
                                              [](const ProgressStep& s) { return s.done; }));
    w.BeginObject().Field("phase", p.number).Field("title", p.title);
    w.Field("done", done)
        .Field("total", static_cast<int>(p.steps.size()))
        .Key("steps")
        .BeginArray();
    for (const ProgressStep& s : p.steps)
      w.BeginObject().Field("step", s.name).Field("done", s.done).EndObject();
    w.EndArray().EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

Status AffectedByJurisdiction(Db& db, JsonWriter& w) {
  w.BeginArray();
  if (TableExists(db, "scope_person")) {
    std::vector<std::string> cols = Columns(db, "scope_person");
    auto has = [&](const char* c) { return std::find(cols.begin(), cols.end(), c) != cols.end(); };
    std::string key = has("jurisdiction") ? "jurisdiction"
                      : has("country") && has("region")
                          ? "country || CASE WHEN coalesce(region,'')='' THEN '' ELSE '-' || "
                            "region END"
                      : has("country") ? "country"
                                       : "''";
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT coalesce(" + key +
                                            ",''), count(*) FROM scope_person GROUP BY 1 "
                                            "ORDER BY 2 DESC, 1"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      w.BeginObject().Field("jurisdiction", st.Text(0)).Field("people", st.Int(1)).EndObject();
    }
  }
  w.EndArray();
  return Status::Ok();
}

Status GetCase(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  TQ_ASSIGN_OR_RETURN(CaseInfo info, r.the_case.Info());
  w.BeginObject().Key("case").BeginObject();
  w.Field("name", info.name).Field("store_url", info.store_url).Field("platform", info.platform);
  w.Field("timezone", info.timezone).Key("discovered_at");
  info.discovered_at ? w.String(FormatUtc(*info.discovered_at)) : w.Null();
  w.EndObject().Key("counts").BeginObject();
  for (auto [name, table, where] :
       {std::tuple{"evidence_items", "evidence_items", ""},
        {"findings", "findings", ""},
        {"findings_high", "findings", "severity IN ('high','critical')"},
        {"findings_actionable", "findings", "triage='actionable'"},
        {"attackers", "attackers", ""},
        {"affected_people", "scope_person", ""},
        {"tasks_open", "tasks", "status IN ('open','in_progress')"},
        {"tasks_done", "tasks", "status='done'"},
        {"letters", "notify_outbox", ""},
        {"letters_sent", "notify_outbox", "state='sent'"},
        {"reports", "report_document", ""}}) {
    int64_t n = Count(db, table, where);
    w.Key(name);
    n < 0 ? w.Null() : w.Int(n);
  }
  w.EndObject().Key("phases");
  TQ_RETURN_IF_ERROR(WritePhases(db, w));
  w.Key("deadlines");
  TQ_RETURN_IF_ERROR(WriteDeadlines(db, w));
  w.Key("affected_by_jurisdiction");
  TQ_RETURN_IF_ERROR(AffectedByJurisdiction(db, w));
  // People per data category (scope_count: people per jurisdiction and category).
  w.Key("affected_by_category").BeginArray();
  if (TableExists(db, "scope_count")) {
    TQ_ASSIGN_OR_RETURN(
        Stmt st, db.Prepare("SELECT category, sum(people) FROM scope_count WHERE category<>'*' "
                            "GROUP BY 1 ORDER BY 2 DESC, 1"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      w.BeginObject().Field("name", st.Text(0)).Field("people", st.Int(1)).EndObject();
    }
  }
  w.EndArray();
  // Attackers on the overview: labels and counts only; addresses are on /api/attackers.
  w.EndObject();
  return Status::Ok();
}

Status GetPhases(ApiRequest& r, JsonWriter& w) { return WritePhases(r.the_case.db(), w); }

Status GetDeadlines(ApiRequest& r, JsonWriter& w) { return WriteDeadlines(r.the_case.db(), w); }

// ---- Evidence views ----

Status GetAttackers(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT a.id,a.label,a.confidence,a.first_seen,"
                                          "a.last_seen,a.reasons,(SELECT group_concat(address,"
                                          "char(10)) FROM (SELECT address FROM "
                                          "attacker_addresses WHERE attacker_id=a.id ORDER BY "
                                          "address)) FROM attackers a ORDER BY CASE WHEN "
                                          "a.label GLOB 'attacker-[0-9]*' THEN CAST(substr("
                                          "a.label,10) AS INTEGER) ELSE 1000000000 END, a.id"));
  w.BeginArray();
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    w.BeginObject().Field("id", st.Int(0)).Field("label", st.Text(1));
    w.Field("confidence", st.Double(2)).Key("first_seen");
    TimeOrNull(w, st, 3);
    w.Key("last_seen");
    TimeOrNull(w, st, 4);
    w.Field("reasons", st.Text(5)).Key("addresses").BeginArray();
    std::string_view addrs = st.Text(6);
    while (!addrs.empty()) {
      size_t nl = addrs.find('\n');
      w.String(addrs.substr(0, nl));
      addrs = nl == std::string_view::npos ? std::string_view() : addrs.substr(nl + 1);
    }
    w.EndArray().EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

// A WHERE clause built from the conditions actually given, so SQLite can use its indexes
// (a "?1 IS NULL OR ..." form would defeat them).
struct Where {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> binds;
  void Add(const std::string& cond) { sql += (sql.empty() ? " WHERE " : " AND ") + cond; }
  void Bind(Stmt& st) const {
    for (size_t i = 0; i < binds.size(); ++i) {
      int at = static_cast<int>(i + 1);
      if (const auto* n = std::get_if<int64_t>(&binds[i])) {
        st.Bind(at, *n);
      } else {
        st.Bind(at, std::get<std::string>(binds[i]));
      }
    }
  }
};

void WriteFindingRow(JsonWriter& w, const Stmt& st) {
  w.BeginObject().Field("id", st.Int(0)).Field("kind", st.Text(1));
  w.Field("component", st.Text(2)).Field("severity", st.Text(3));
  w.Field("confidence", st.Double(4)).Field("summary", st.Text(5));
  w.Field("detail", st.Text(6)).Field("triage", st.Text(13)).Key("evidence_id");
  st.IsNull(7) ? w.Null() : w.Int(st.Int(7));
  w.Field("evidence_path", st.Text(8)).Field("evidence_sha256", st.Text(9)).Key("line");
  st.IsNull(10) ? w.Null() : w.Int(st.Int(10));
  w.Key("event_time");
  TimeOrNull(w, st, 11);
  w.Field("rule", st.Text(12)).Field("rule_title", st.Text(14)).EndObject();
}

// The rule's title from the logs stage's table when it has one (findings keep the rule's id).
std::string FindingColumns(Db& db) {
  bool titles = TableExists(db, "logs_rule_count");
  return std::string(
             "SELECT f.id,f.kind,f.component,f.severity,f.confidence,f.summary,f.detail,"
             "f.evidence_id,e.original_path,f.evidence_sha256,f.line,f.event_time,f.rule,"
             "f.triage,") +
         (titles ? "coalesce((SELECT title FROM logs_rule_count WHERE rule_id=f.rule),'')" : "''") +
         " FROM findings f LEFT JOIN evidence_items e ON e.id=f.evidence_id";
}

// Actionable first, then context, then noise (casefile/triage.h); within each, most severe
// first, then in the order found. Without a text filter each (triage, severity) slice is read
// through the (triage, severity, id) index, so a page costs the same at any depth of a big
// case. `triage` narrows to one class; the counts of every class and of what the narrowing
// hides come with each page.
Status GetFindings(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  int64_t limit = IntParam(r, "limit", 200, 1, 1000);
  int64_t offset = IntParam(r, "offset", 0, 0, 1 << 30);
  const std::string* q = Param(r, "q");
  const std::string* sev = Param(r, "severity");
  Where where;
  if (const std::string* id = Param(r, "id"); id && !id->empty()) {
    where.Add("f.id=?");
    where.binds.push_back(IntParam(r, "id", 0, 0, INT64_MAX));
  }
  if (q && !q->empty()) {
    where.Add("(f.summary LIKE ? OR f.kind LIKE ? OR f.rule LIKE ?)");
    for (int i = 0; i < 3; ++i) where.binds.push_back("%" + *q + "%");
  }
  const std::string* tri = Param(r, "triage");
  std::vector<std::string> severities = {"critical", "high", "medium", "low", "info"};
  if (sev && !sev->empty()) severities = {*sev};
  const std::vector<std::string> classes = {"actionable", "context", "noise"};
  if (tri && !tri->empty() && std::find(classes.begin(), classes.end(), *tri) == classes.end())
    return Status::Usage("triage: expected actionable, context or noise, got '" + *tri + "'");
  // Counts per (class, severity); the slices shown are those of the class asked for.
  struct Slice {
    std::string triage, severity;
    int64_t count = 0;
  };
  std::vector<Slice> slices;
  int64_t total = 0, all = 0;
  std::map<std::string, int64_t> per_class;
  for (const std::string& cls : classes) {
    for (const std::string& level : severities) {
      Where wh = where;
      wh.Add("f.triage=?");
      wh.binds.push_back(cls);
      wh.Add("f.severity=?");
      wh.binds.push_back(level);
      TQ_ASSIGN_OR_RETURN(Stmt count, db.Prepare("SELECT count(*) FROM findings f" + wh.sql));
      wh.Bind(count);
      TQ_RETURN_IF_ERROR(count.Step().status());
      int64_t n = count.Int(0);
      per_class[cls] += n;
      all += n;
      if (tri && !tri->empty() && *tri != cls) continue;
      slices.push_back({cls, level, n});
      total += n;
    }
  }
  w.BeginObject().Field("total", total).Field("limit", limit).Field("offset", offset);
  w.Field("hidden", all - total).Key("triage").BeginObject();
  for (const std::string& cls : classes) w.Field(cls, per_class[cls]);
  w.EndObject();
  // The columns a table shows; every row also carries `detail` (the component's JSON).
  w.Key("columns").BeginArray();
  for (const char* c : {"id", "triage", "severity", "kind", "summary", "evidence_path",
                        "event_time", "rule", "confidence", "component"})
    w.String(c);
  w.EndArray().Key("rows").BeginArray();
  int64_t skip = offset, want = limit;
  for (size_t i = 0; i < slices.size() && want > 0; ++i) {
    if (skip >= slices[i].count) {
      skip -= slices[i].count;
      continue;
    }
    Where wh = where;
    wh.Add("f.triage=?");
    wh.binds.push_back(slices[i].triage);
    wh.Add("f.severity=?");
    wh.binds.push_back(slices[i].severity);
    TQ_ASSIGN_OR_RETURN(Stmt st,
                        db.Prepare(FindingColumns(db) + wh.sql + " ORDER BY f.id LIMIT " +
                                   std::to_string(want) + " OFFSET " + std::to_string(skip)));
    wh.Bind(st);
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      WriteFindingRow(w, st);
      --want;
    }
    skip = 0;
  }
  w.EndArray().EndObject();
  return Status::Ok();
}

Status GetTimeline(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  for (const char* table : {"timeline_event", "analysis_timeline"})
    if (TableExists(db, table))
      return GenericList(r, w, table, {"at", "time", "event_time", "timestamp"});
  // No analysis timeline yet: the findings that carry a time, in order.
  int64_t limit = IntParam(r, "limit", 200, 1, 1000);
  int64_t offset = IntParam(r, "offset", 0, 0, 1 << 30);
  Where where;
  where.Add("f.event_time IS NOT NULL");
  for (const char* key : {"from", "to"}) {
    const std::string* v = Param(r, key);
    if (!v || v->empty()) continue;
    Result<UnixMicros> t = ParseIso8601(*v, TimeZone::Utc());
    if (!t.ok()) return Status::Usage(std::string(key) + ": " + t.status().message());
    where.Add(key[0] == 'f' ? "f.event_time >= ?" : "f.event_time <= ?");
    where.binds.push_back(int64_t{*t});
  }
  if (const std::string* q = Param(r, "q"); q && !q->empty()) {
    where.Add("(f.summary LIKE ? OR f.kind LIKE ?)");
    where.binds.push_back("%" + *q + "%");
    where.binds.push_back("%" + *q + "%");
  }
  TQ_ASSIGN_OR_RETURN(Stmt count, db.Prepare("SELECT count(*) FROM findings f" + where.sql));
  where.Bind(count);
  TQ_RETURN_IF_ERROR(count.Step().status());
  w.BeginObject().Field("table", "findings").Field("present", true);
  w.Field("total", count.Int(0)).Field("limit", limit).Field("offset", offset);
  w.Key("columns").BeginArray();
  for (const char* c :
       {"at", "kind", "severity", "summary", "evidence_id", "evidence_path", "line", "finding_id"})
    w.String(c);
  w.EndArray();
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db.Prepare("SELECT f.event_time,f.kind,f.severity,f.summary,"
                                 "f.evidence_id,e.original_path,f.line,f.id FROM "
                                 "findings f LEFT JOIN evidence_items e ON "
                                 "e.id=f.evidence_id" +
                                 where.sql + " ORDER BY f.event_time, f.id LIMIT " +
                                 std::to_string(limit) + " OFFSET " + std::to_string(offset)));
  where.Bind(st);
  w.Key("rows").BeginArray();
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    w.BeginObject().Field("at", FormatUtc(st.Int(0))).Field("kind", st.Text(1));
    w.Field("severity", st.Text(2)).Field("summary", st.Text(3)).Key("evidence_id");
    st.IsNull(4) ? w.Null() : w.Int(st.Int(4));
    w.Field("evidence_path", st.Text(5)).Key("line");
    st.IsNull(6) ? w.Null() : w.Int(st.Int(6));
    w.Field("finding_id", st.Int(7)).EndObject();
  }
  w.EndArray().EndObject();
  return Status::Ok();
}

Status GetEvidence(ApiRequest& r, JsonWriter& w) {
  TableQuery q;
  q.table = "evidence_items";
  q.columns = Columns(r.the_case.db(), "evidence_items");
  q.where = "id = CAST(?1 AS INTEGER)";
  q.limit = 1;
  w.BeginObject();
  TQ_RETURN_IF_ERROR(DumpRows(r.the_case.db(), q, {r.id}, w));
  w.EndObject();
  return Status::Ok();
}

Status GetScope(ApiRequest& r, JsonWriter& w) { return GenericList(r, w, "scope_person"); }

Status GetAudit(ApiRequest& r, JsonWriter& w) {
  TableQuery q;
  q.table = "audit_log";
  q.columns = {"id", "at", "actor", "command", "outcome", "detail"};
  q.order = "id DESC";
  q.limit = IntParam(r, "limit", 200, 1, 1000);
  q.offset = IntParam(r, "offset", 0, 0, 1 << 30);
  w.BeginObject();
  TQ_RETURN_IF_ERROR(DumpRows(r.the_case.db(), q, {}, w));
  w.EndObject();
  return Status::Ok();
}

}  // namespace

const std::vector<ApiRoute>& ApiTable() {
  using P = Permission;
  static const std::vector<ApiRoute> kRoutes = {
      {"GET", "/api/case", "/api/case", "/api/case", P::kCaseOverview, false, GetCase},
      {"GET", "/api/phases", "/api/phases", "/api/phases", P::kCaseOverview, false, GetPhases},
      {"GET", "/api/deadlines", "/api/deadlines", "/api/deadlines", P::kCaseOverview, false,
       GetDeadlines},
      {"GET", "/api/attackers", "/api/attackers", "/api/attackers", P::kEvidence, false,
       GetAttackers},
      {"GET", "/api/findings", "/api/findings", "/api/findings", P::kEvidence, false, GetFindings},
      {"GET", "/api/timeline", "/api/timeline", "/api/timeline", P::kEvidence, false, GetTimeline},
      {"GET", "/api/story", "/api/story", "/api/story", P::kEvidence, false, GetStory},
      {"GET", "/api/charts", "/api/charts", "/api/charts", P::kEvidence, false, GetCharts},
      {"GET", "/api/evidence/{id}", "/api/evidence/1", R"(/api/evidence/(\d{1,18}))", P::kEvidence,
       false, GetEvidence},
      {"GET", "/api/scope", "/api/scope", "/api/scope", P::kAffectedList, true, GetScope},
      {"GET", "/api/letters", "/api/letters", "/api/letters", P::kLetters, true, GetLetters},
      {"GET", "/api/letters/{id}", "/api/letters/1", R"(/api/letters/(\d{1,18}))", P::kLetters,
       true, GetLetter},
      {"GET", "/api/tasks", "/api/tasks", "/api/tasks", P::kTasksRead, false, GetTasks},
      {"POST", "/api/tasks", "/api/tasks", "/api/tasks", P::kTasksWrite, false, PostTask},
      {"POST", "/api/tasks/{id}", "/api/tasks/1", R"(/api/tasks/(\d{1,18}))", P::kTasksWrite, false,
       PostTaskUpdate},
      {"POST", "/api/tasks/{id}/comments", "/api/tasks/1/comments",
       R"(/api/tasks/(\d{1,18})/comments)", P::kTasksWrite, false, PostTaskComment},
      {"GET", "/api/postmortem", "/api/postmortem", "/api/postmortem", P::kPostmortemRead, false,
       GetPostmortem},
      {"POST", "/api/postmortem", "/api/postmortem", "/api/postmortem", P::kPostmortemWrite, false,
       PostPostmortem},
      {"POST", "/api/postmortem/{id}/actions", "/api/postmortem/1/actions",
       R"(/api/postmortem/(\d{1,18})/actions)", P::kPostmortemWrite, false, PostAction},
      {"GET", "/api/reports", "/api/reports", "/api/reports", P::kReports, false, GetReports},
      {"GET", "/api/audit", "/api/audit", "/api/audit", P::kAudit, false, GetAudit},
      {"GET", "/api/users", "/api/users", "/api/users", P::kUsers, false, GetUsers},
  };
  return kRoutes;
}

Status ParseJsonObject(std::string_view body, std::map<std::string, std::string>& out) {
  if (body.size() > 64 * 1024) return Status::Usage("request body larger than 64 KiB");
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return Status::Usage("request body is not JSON");
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return Status::Usage("request body is not a JSON object");
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Status::Usage("bad JSON key");
    simdjson::ondemand::value v = field.value();
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) return Status::Usage("bad JSON value");
    std::string value;
    if (type == simdjson::ondemand::json_type::string) {
      std::string_view s;
      if (v.get_string().get(s)) return Status::Usage("bad JSON string");
      value = std::string(s);
    } else if (type == simdjson::ondemand::json_type::null) {
      value.clear();
    } else if (type == simdjson::ondemand::json_type::number ||
               type == simdjson::ondemand::json_type::boolean) {
      value = std::string(v.raw_json_token());
      while (!value.empty() && (value.back() == ' ' || value.back() == '\n')) value.pop_back();
    } else {
      return Status::Usage("field " + std::string(key) + ": nested values are not accepted");
    }
    out[std::string(key)] = std::move(value);
  }
  return Status::Ok();
}

Status EnsureServerSchema(Case& c) {
  static constexpr Migration kMigrations[] = {
      {1, "CREATE INDEX IF NOT EXISTS server_findings_event_time ON findings(event_time)"},
      {2, "CREATE INDEX IF NOT EXISTS server_findings_severity ON findings(severity, id)"},
  };
  return c.EnsureSchema("server", kMigrations);
}

}  // namespace tq::server
