// The views built for the incident lead: the story, the pictures' data (actor lanes, requests
// over time, affected people by jurisdiction and category), the deadlines split by what is
// still due, the letters with one letter's text, and the reports. Read-only; every value is
// raw case data the UI shows as text.
#include <algorithm>
#include <charconv>
#include <map>

#include "report/story.h"
#include "server/api.h"

namespace tq::server {
namespace {

constexpr UnixMicros kDay = 86400LL * 1000000;

int64_t IdOf(const ApiRequest& r) {
  int64_t id = 0;
  std::from_chars(r.id.data(), r.id.data() + r.id.size(), id);
  return id;
}

void TimeOrNull(JsonWriter& w, const Stmt& st, int col) {
  st.IsNull(col) ? w.Null() : w.String(FormatUtc(st.Int(col)));
}

bool HasColumn(Db& db, std::string_view table, std::string_view column) {
  auto st = db.Prepare("SELECT 1 FROM pragma_table_info(?) WHERE name=?");
  if (!st.ok()) return false;
  st->Bind(1, table).Bind(2, column);
  auto row = st->Step();
  return row.ok() && *row;
}

// Requests per day: every parsed line of every access log (spread over the days each file
// covers), the lines with a rule hit, and the attackers' own requests from the timeline.
Status WriteTraffic(Db& db, JsonWriter& w) {
  std::map<int64_t, double> total;
  std::map<int64_t, int64_t> hits, attack;
  if (TableExists(db, "logs_file")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT first_time,last_time,coalesce(parsed,lines,0) "
                                            "FROM logs_file WHERE first_time IS NOT NULL AND "
                                            "last_time IS NOT NULL"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      int64_t a = st.Int(0) / kDay, b = std::max(st.Int(1) / kDay, a), n = st.Int(2);
      if (b - a > 366) b = a + 366;  // a file with a stray date: no endless loop
      // Spread by how much of the file's span falls on each day.
      double span = static_cast<double>(std::max<int64_t>(st.Int(1) - st.Int(0), 1));
      for (int64_t d = a; d <= b; ++d) {
        int64_t lo = std::max(st.Int(0), d * kDay), hi = std::min(st.Int(1), (d + 1) * kDay);
        double part = a == b ? 1.0 : static_cast<double>(std::max<int64_t>(hi - lo, 0)) / span;
        total[d] += part * static_cast<double>(n);
      }
    }
  }
  if (TableExists(db, "logs_rule_hit")) {
    // Lines with a rule hit that are not an attacker's request: probes and scans. One integer
    // per line (item, line) so that NOT IN reads an index (a row-value NOT IN scans a list:
    // 51 s on the medium drill's 92,000 hits, 0.5 s this way).
    bool timeline = TableExists(db, "analysis_timeline");
    TQ_ASSIGN_OR_RETURN(
        Stmt st,
        db.Prepare(std::string("SELECT time/86400000000, count(*) FROM (SELECT DISTINCT "
                               "evidence_id, line, time FROM logs_rule_hit WHERE time IS NOT "
                               "NULL") +
                   (timeline ? " AND evidence_id*4294967296+line NOT IN (SELECT "
                               "evidence_id*4294967296+line FROM analysis_timeline WHERE "
                               "attacker_id IS NOT NULL AND source='log' AND line IS NOT NULL)"
                             : "") +
                   ") GROUP BY 1"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      hits[st.Int(0)] = st.Int(1);
    }
  }
  if (TableExists(db, "analysis_timeline")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT time/86400000000, count(*) FROM "
                                            "analysis_timeline WHERE source='log' AND "
                                            "attacker_id IS NOT NULL GROUP BY 1"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      attack[st.Int(0)] = st.Int(1);
    }
  }
  std::map<int64_t, bool> days;
  for (auto& [d, n] : total) days[d] = true;
  for (auto& [d, n] : hits) days[d] = true;
  for (auto& [d, n] : attack) days[d] = true;
  w.BeginArray();
  for (auto& [d, unused] : days) {
    int64_t all = static_cast<int64_t>(total[d] + 0.5);
    int64_t att = attack[d];
    int64_t scan = hits[d];
    int64_t normal = std::max<int64_t>(all - att - scan, 0);
    w.BeginObject().Field("day", FormatUtc(d * kDay).substr(0, 10));
    w.Field("attack", att).Field("probes", scan).Field("normal", normal).EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

// One lane per actor: its timeline rows, at most 2,000 points (a campaign's thousands of
// requests are thinned evenly; the count stays in `requests`).
Status WriteLanes(Db& db, const report::Story& story, JsonWriter& w) {
  w.BeginArray();
  if (!TableExists(db, "analysis_timeline")) {
    w.EndArray();
    return Status::Ok();
  }
  TQ_ASSIGN_OR_RETURN(Stmt count, db.Prepare("SELECT count(*) FROM analysis_timeline WHERE "
                                             "attacker_id=? AND source='log'"));
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT time, evidence_id, line FROM analysis_timeline "
                                          "WHERE attacker_id=? AND source='log' ORDER BY time, "
                                          "id"));
  for (const report::StoryActor& a : story.actors) {
    TQ_RETURN_IF_ERROR(count.Reset());
    count.Bind(1, a.id);
    TQ_RETURN_IF_ERROR(count.Step().status());
    int64_t n = count.Int(0), every = std::max<int64_t>(1, (n + 1999) / 2000);
    w.BeginObject().Field("actor", a.label).Field("role", a.role).Field("kind", a.kind);
    w.Field("requests", n).Key("points").BeginArray();
    TQ_RETURN_IF_ERROR(st.Reset());
    st.Bind(1, a.id);
    for (int64_t i = 0;; ++i) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (i % every) continue;
      w.Int(st.Int(0));
    }
    w.EndArray().EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

Status WriteAffected(Db& db, JsonWriter& w) {
  w.Key("by_jurisdiction").BeginArray();
  bool counts = TableExists(db, "scope_count");
  if (TableExists(db, "scope_person") && HasColumn(db, "scope_person", "country")) {
    std::string key = HasColumn(db, "scope_person", "region")
                          ? "country || CASE WHEN coalesce(region,'')='' THEN '' ELSE '-' || "
                            "region END"
                          : "country";
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT coalesce(" + key +
                                            ",''), count(*) FROM scope_person GROUP BY 1 ORDER "
                                            "BY 2 DESC, 1"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      w.BeginObject().Field("name", st.Text(0)).Field("people", st.Int(1)).EndObject();
    }
  }
  w.EndArray().Key("by_category").BeginArray();
  if (counts) {
    // scope_count holds people per (jurisdiction, category); a person is in one jurisdiction.
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
  return Status::Ok();
}

}  // namespace

Status GetStory(ApiRequest& r, JsonWriter& w) {
  TQ_ASSIGN_OR_RETURN(report::Story s, report::BuildStory(r.the_case.db()));
  w.Raw(report::StoryJson(s));
  return Status::Ok();
}

Status GetCharts(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  TQ_ASSIGN_OR_RETURN(report::Story s, report::BuildStory(db));
  w.BeginObject().Field("timezone", s.timezone).Key("discovered_at");
  s.counts.discovered_at ? w.String(FormatUtc(*s.counts.discovered_at)) : w.Null();
  w.Key("now").String(FormatUtc(NowMicros())).Key("phases").BeginArray();
  for (const report::StoryStep& x : s.steps)
    w.BeginObject()
        .Field("phase", report::StoryPhaseName(x.phase))
        .Field("time", FormatUtc(x.time_us))
        .Field("actor", x.actor)
        .Field("sentence", x.sentence)
        .EndObject();
  w.EndArray().Key("lanes");
  TQ_RETURN_IF_ERROR(WriteLanes(db, s, w));
  w.Key("traffic");
  TQ_RETURN_IF_ERROR(WriteTraffic(db, w));
  w.Key("affected").BeginObject();
  TQ_RETURN_IF_ERROR(WriteAffected(db, w));
  w.EndObject().EndObject();
  return Status::Ok();
}

// Deadlines with what became of them. `state`: overdue or due (it applies and is not done),
// done (its task is done or cancelled, or the duty was met), not_required (the threshold is not
// met: no data of the kind it is about was lost). A duty's task is not listed twice.
Status WriteDeadlines(Db& db, JsonWriter& w) {
  UnixMicros now = NowMicros();
  auto state = [&](std::string_view status, std::optional<int64_t> due, bool closed) {
    if (status == "not_required") return "not_required";
    if (status == "done" || closed) return "done";
    return due && *due < now ? "overdue" : "due";
  };
  w.BeginArray();
  bool duties =
      TableExists(db, "notify_obligation") && HasColumn(db, "notify_obligation", "deadline_at");
  bool linked = duties && HasColumn(db, "notify_obligation", "task_id");
  if (duties) {
    // notify's table, read column by column: an older case lacks some of them.
    auto col = [&](const char* name, const char* otherwise) {
      return HasColumn(db, "notify_obligation", name) ? std::string("o.") + name
                                                      : std::string(otherwise);
    };
    std::string task = col("task_id", "NULL");
    TQ_ASSIGN_OR_RETURN(
        Stmt st, db.Prepare("SELECT o.id," + col("name", "'obligation #' || o.id") + "," +
                            col("jurisdiction", "''") + ",o.deadline_at," + col("status", "'due'") +
                            "," + task + ",coalesce(t.status,''),coalesce(t.owner,'')," +
                            col("deadline_text", "''") + "," + col("people", "0") + "," +
                            col("recipient", "''") +
                            " FROM notify_obligation o LEFT JOIN tasks t ON t.id=" + task +
                            " ORDER BY o.deadline_at IS NULL, o.deadline_at, o.id"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::optional<int64_t> due;
      if (!st.IsNull(3)) due = st.Int(3);
      std::string_view task_status = st.Text(6);
      bool closed = task_status == "done" || task_status == "cancelled";
      w.BeginObject().Field("kind", "notification").Field("obligation_id", st.Int(0));
      w.Field("title", st.Text(1)).Field("jurisdiction", st.Text(2)).Key("due_at");
      TimeOrNull(w, st, 3);
      w.Field("status", st.Text(4)).Field("state", state(st.Text(4), due, closed)).Key("task_id");
      st.IsNull(5) ? w.Null() : w.Int(st.Int(5));
      w.Field("task_status", task_status).Field("owner", st.Text(7));
      w.Field("deadline_text", st.Text(8)).Field("people", st.Int(9));
      w.Field("recipient", st.Text(10)).EndObject();
    }
  }
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare(std::string("SELECT id,title,owner,due_at,source,status FROM tasks "
                                      "WHERE due_at IS NOT NULL") +
                          (linked ? " AND id NOT IN (SELECT task_id FROM notify_obligation "
                                    "WHERE task_id IS NOT NULL)"
                                  : "") +
                          " ORDER BY due_at, id"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::string_view status = st.Text(5);
    w.BeginObject().Field("kind", "task").Field("task_id", st.Int(0));
    w.Field("title", st.Text(1)).Field("owner", st.Text(2)).Key("due_at");
    TimeOrNull(w, st, 3);
    w.Field("source", st.Text(4)).Field("status", status);
    w.Field("state", state("", st.Int(3), status == "done" || status == "cancelled"));
    w.EndObject();
  }
  w.EndArray();
  return Status::Ok();
}

// The letters without their text (a list stays small at 40,000 letters); one letter with it.
Status GetLetters(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  w.BeginObject();
  if (!TableExists(db, "notify_outbox")) {
    w.Field("present", false).Field("total", int64_t{0}).Key("rows").BeginArray().EndArray();
    w.EndObject();
    return Status::Ok();
  }
  int64_t limit = 100, offset = 0;
  if (auto it = r.params.find("limit"); it != r.params.end())
    limit = std::clamp<int64_t>(std::atoll(it->second.c_str()), 1, 1000);
  if (auto it = r.params.find("offset"); it != r.params.end())
    offset = std::clamp<int64_t>(std::atoll(it->second.c_str()), 0, INT64_MAX / 2);
  std::string where;
  std::string q;
  if (auto it = r.params.find("q"); it != r.params.end() && !it->second.empty()) {
    q = "%" + it->second + "%";
    where = " WHERE recipient LIKE ?1 OR recipient_name LIKE ?1 OR subject LIKE ?1";
  }
  TQ_ASSIGN_OR_RETURN(Stmt count, db.Prepare("SELECT count(*) FROM notify_outbox" + where));
  if (!q.empty()) count.Bind(1, q);
  TQ_RETURN_IF_ERROR(count.Step().status());
  w.Field("present", true).Field("total", count.Int(0)).Field("limit", limit);
  w.Field("offset", offset).Key("rows").BeginArray();
  bool channel = HasColumn(db, "notify_outbox", "channel");
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare(std::string("SELECT id,kind,recipient,recipient_name,language,subject,"
                                      "state,sent_at,") +
                          (channel ? "channel" : "'email'") + " FROM notify_outbox" + where +
                          " ORDER BY id LIMIT " + std::to_string(limit) + " OFFSET " +
                          std::to_string(offset)));
  if (!q.empty()) st.Bind(1, q);
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    w.BeginObject().Field("id", st.Int(0)).Field("kind", st.Text(1));
    w.Field("recipient", st.Text(2)).Field("recipient_name", st.Text(3));
    w.Field("language", st.Text(4)).Field("subject", st.Text(5)).Field("state", st.Text(6));
    w.Key("sent_at");
    TimeOrNull(w, st, 7);
    w.Field("channel", st.Text(8)).EndObject();
  }
  w.EndArray().EndObject();
  return Status::Ok();
}

Status GetLetter(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  if (!TableExists(db, "notify_outbox")) return Status::NotFound("no letters yet");
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,kind,recipient,recipient_name,language,"
                                          "subject,body,state,sender,attempts,last_reply,"
                                          "created_at,sent_at FROM notify_outbox WHERE id=?"));
  st.Bind(1, IdOf(r));
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no letter #" + r.id);
  w.BeginObject().Field("id", st.Int(0)).Field("kind", st.Text(1));
  w.Field("recipient", st.Text(2)).Field("recipient_name", st.Text(3));
  w.Field("language", st.Text(4)).Field("subject", st.Text(5)).Field("body", st.Text(6));
  w.Field("state", st.Text(7)).Field("sender", st.Text(8)).Field("attempts", st.Int(9));
  w.Field("last_reply", st.Text(10)).Key("created_at");
  TimeOrNull(w, st, 11);
  w.Key("sent_at");
  TimeOrNull(w, st, 12);
  w.EndObject();
  return Status::Ok();
}

Status GetReports(ApiRequest& r, JsonWriter& w) {
  Db& db = r.the_case.db();
  w.BeginObject().Key("rows").BeginArray();
  if (TableExists(db, "report_document")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,name,audience,format,bytes,sha256,"
                                            "written_at FROM report_document ORDER BY "
                                            "audience, name"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      w.BeginObject().Field("id", st.Int(0)).Field("name", st.Text(1));
      w.Field("audience", st.Text(2)).Field("format", st.Text(3)).Field("bytes", st.Int(4));
      w.Field("sha256", st.Text(5)).Key("written_at");
      TimeOrNull(w, st, 6);
      w.EndObject();
    }
  }
  w.EndArray().EndObject();
  return Status::Ok();
}

}  // namespace tq::server
