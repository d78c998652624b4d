// Writing an investigation into the case: attackers and their addresses (refreshed by label),
// the analysis.* findings, and the merged timeline (analysis_timeline, rebuilt each run from
// the sessions, the other stages' findings and the collected files' times).
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "analysis/analysis.h"
#include "analysis/timeline.h"
#include "core/json.h"

namespace tq::analysis {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE analysis_timeline (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  actor TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  evidence_id INTEGER,
  evidence_sha256 TEXT NOT NULL DEFAULT '',
  evidence_path BLOB NOT NULL DEFAULT '',
  line INTEGER,
  byte_offset INTEGER,
  attacker_id INTEGER,
  finding_id INTEGER,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX analysis_timeline_time ON analysis_timeline(time);
CREATE INDEX analysis_timeline_attacker ON analysis_timeline(attacker_id, time);
)sql"},
};

constexpr size_t kMaxFileRows = 20000;
constexpr UnixMicros kDay = 86400LL * 1000000;

struct ItemRef {
  std::string sha256, path, label;
  int64_t mtime_ns = 0, ctime_ns = 0;
};

std::string RequestMessage(const Request& q) {
  std::string m = q.method + " " + q.path;
  if (!q.query.empty()) m += "?" + q.query;
  m += " -> " + std::to_string(q.status);
  if (q.bytes >= 0) m += " (" + std::to_string(q.bytes) + " bytes)";
  for (const RuleMatch& h : q.hits) m += " [" + h.title + "]";
  return m;
}

std::string RequestDetail(const Request& q) {
  JsonWriter w;
  w.BeginObject().Field("method", q.method).Field("path", q.path).Field("query", q.query);
  w.Field("status", q.status).Field("bytes", q.bytes).Field("user_agent", q.user_agent);
  w.Key("rules").BeginArray();
  for (const RuleMatch& h : q.hits) {
    w.BeginObject().Field("id", h.rule).Field("title", h.title).Field("level", h.level);
    w.Key("tags").BeginArray();
    for (const std::string& t : h.tags) w.String(t);
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string StringArray(const std::vector<std::string>& v) {
  JsonWriter w;
  w.BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
  return w.Take();
}

Finding RequestFinding(const Request& q, const std::map<int64_t, ItemRef>& items) {
  Finding f;
  f.component = "analysis";
  f.evidence_id = q.evidence_id > 0 ? std::optional<int64_t>(q.evidence_id) : std::nullopt;
  auto it = items.find(q.evidence_id);
  if (it != items.end())
    f.evidence_sha256 = it->second.sha256;
  else
    f.evidence_id.reset();  // not a collected item: keep the row valid
  f.line = q.line > 0 ? std::optional<int64_t>(q.line) : std::nullopt;
  f.byte_offset = q.offset >= 0 ? std::optional<int64_t>(q.offset) : std::nullopt;
  f.event_time = q.time;
  return f;
}

Result<std::map<int64_t, ItemRef>> LoadItems(Db& db) {
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,sha256,original_path,label,mtime_ns,ctime_ns "
                                          "FROM evidence_items"));
  std::map<int64_t, ItemRef> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[st.Int(0)] = {st.String(1), st.String(2), st.String(3), st.Int(4), st.Int(5)};
  }
  return out;
}

}  // namespace

Status EnsureAnalysisSchema(Case& c) { return c.EnsureSchema("analysis", kMigrations); }

Result<RatingSummary> RateFindings(Db& db, const InvestigationResult& r) {
  std::map<std::pair<int64_t, int64_t>, const RatedRequest*> by_line;
  for (const RatedRequest& q : r.rated) by_line.emplace(std::pair{q.evidence_id, q.line}, &q);
  std::optional<std::pair<int64_t, int64_t>> entry;
  if (r.entry) entry = std::pair{r.entry->request.evidence_id, r.entry->request.line};
  struct Change {
    int64_t id;
    Severity severity;
    Triage triage;
  };
  std::vector<Change> changes;
  RatingSummary sum;
  {
    TQ_ASSIGN_OR_RETURN(
        Stmt st,
        db.Prepare("SELECT id,evidence_id,line,severity,triage,"
                   "coalesce(json_extract(detail,'$.level'),'') FROM findings WHERE "
                   "kind='log.rule_hit' AND evidence_id IS NOT NULL AND line IS NOT NULL"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::pair key{st.Int(1), st.Int(2)};
      auto it = by_line.find(key);
      if (it == by_line.end()) continue;
      const RatedRequest& q = *it->second;
      Severity now = SeverityFromName(st.Text(3));
      std::string_view level = st.Text(5);
      Severity rule =
          level.empty() ? now : SeverityFromName(level == "informational" ? "info" : level);
      const Attacker* a =
          q.attacker && *q.attacker < r.attackers.size() ? &r.attackers[*q.attacker] : nullptr;
      bool breach_actor = a && !a->achieved.empty();
      Severity sev;
      Triage t;
      if ((entry && key == *entry) || (breach_actor && (Worked(q.outcome) || q.open_exploit))) {
        // Part of the breach: the entry, or what an actor that got in did or tried on a hole
        // the store has (an out-of-band exploit is answered with an error and still works).
        sev = std::max(rule, Severity::kHigh);
        t = Triage::kActionable;
      } else if (a && q.open_exploit) {
        sev = rule;
        t = Triage::kActionable;
      } else if (Worked(q.outcome)) {
        sev = rule;
        t = DefaultTriage(rule);
        if (a && t == Triage::kNoise) t = Triage::kContext;
      } else {
        sev = SeverityByOutcome(rule, q.outcome);
        t = a ? Triage::kContext : Triage::kNoise;
      }
      ++sum.rated;
      if (sev > rule) ++sum.raised;
      if (sev < rule) ++sum.lowered;
      if (sev != now || TriageName(t) != st.Text(4)) changes.push_back({st.Int(0), sev, t});
    }
  }
  TQ_ASSIGN_OR_RETURN(Stmt up, db.Prepare("UPDATE findings SET severity=?,triage=? WHERE id=?"));
  for (const Change& ch : changes) {
    up.Bind(1, SeverityName(ch.severity)).Bind(2, TriageName(ch.triage)).Bind(3, ch.id);
    TQ_RETURN_IF_ERROR(up.Run());
    TQ_RETURN_IF_ERROR(up.Reset());
  }
  return sum;
}

Result<int64_t> WriteInvestigation(Case& c, Db& db, const InvestigationResult& r) {
  (void)c;
  UnixMicros run_start = NowMicros();
  TQ_ASSIGN_OR_RETURN(auto items, LoadItems(db));
  int64_t findings = 0;

  // Attackers: upsert by label, replace addresses, drop labels this run no longer finds.
  std::vector<int64_t> attacker_ids;
  {
    TQ_ASSIGN_OR_RETURN(
        Stmt up, db.Prepare("INSERT INTO attackers(label,confidence,first_seen,last_seen,reasons) "
                            "VALUES(?,?,?,?,?) ON CONFLICT(label) DO UPDATE SET "
                            "confidence=excluded.confidence,first_seen=excluded.first_seen,"
                            "last_seen=excluded.last_seen,reasons=excluded.reasons RETURNING id"));
    TQ_ASSIGN_OR_RETURN(Stmt del, db.Prepare("DELETE FROM attacker_addresses WHERE attacker_id=?"));
    TQ_ASSIGN_OR_RETURN(Stmt add, db.Prepare("INSERT OR IGNORE INTO attacker_addresses"
                                             "(attacker_id,address) VALUES(?,?)"));
    for (const Attacker& a : r.attackers) {
      // The table has no columns for these: the first reasons carry them, for every view.
      std::vector<std::string> reasons{"role: " + a.role};
      if (a.kind == "campaign") reasons.push_back("campaign: " + a.summary);
      if (!a.achieved.empty()) {
        std::string got;
        for (const std::string& x : a.achieved) got += (got.empty() ? "" : ", ") + x;
        reasons.push_back("achieved: " + got);
      }
      reasons.insert(reasons.end(), a.reasons.begin(), a.reasons.end());
      up.Bind(1, a.label).Bind(2, a.confidence).Bind(3, a.first_seen).Bind(4, a.last_seen);
      up.Bind(5, StringArray(reasons));
      TQ_ASSIGN_OR_RETURN(bool row, up.Step());
      if (!row) return Status::Internal("attacker upsert returned no id");
      int64_t id = up.Int(0);
      TQ_RETURN_IF_ERROR(up.Reset());
      attacker_ids.push_back(id);
      del.Bind(1, id);
      TQ_RETURN_IF_ERROR(del.Run());
      TQ_RETURN_IF_ERROR(del.Reset());
      for (const std::string& addr : a.addresses) {
        add.Bind(1, id).Bind(2, addr);
        TQ_RETURN_IF_ERROR(add.Run());
        TQ_RETURN_IF_ERROR(add.Reset());
      }
    }
    std::string keep;
    for (int64_t id : attacker_ids) keep += (keep.empty() ? "" : ",") + std::to_string(id);
    TQ_RETURN_IF_ERROR(db.Exec(keep.empty()
                                   ? std::string("DELETE FROM attackers")
                                   : "DELETE FROM attackers WHERE id NOT IN (" + keep + ")"));
  }

  // Findings: one per attacker, the entry vector, each exfiltration, the skimmer window.
  for (size_t i = 0; i < r.attackers.size(); ++i) {
    const Attacker& a = r.attackers[i];
    Finding f;
    f.kind = "analysis.attacker";
    f.component = "analysis";
    f.severity = Severity::kHigh;
    f.confidence = a.confidence;
    std::string achieved;
    for (const std::string& x : a.achieved) achieved += (achieved.empty() ? "" : ", ") + x;
    f.summary =
        a.label + " (" + a.role + "): " +
        (a.kind == "campaign" ? a.summary : std::to_string(a.addresses.size()) + " address(es)") +
        ", " + std::to_string(a.requests) + " requests, " + std::to_string(a.bytes_sent) +
        " bytes sent to it" + (achieved.empty() ? "" : "; achieved " + achieved);
    f.triage = "actionable";
    JsonWriter w;
    w.BeginObject().Field("label", a.label).Field("attacker_id", attacker_ids[i]);
    w.Field("role", a.role).Field("kind", a.kind).Field("summary", a.summary);
    w.Field("rank", static_cast<int64_t>(i + 1)).Key("achieved").Raw(StringArray(a.achieved));
    w.Key("addresses").Raw(StringArray(a.addresses));
    w.Field("first_seen", FormatUtc(a.first_seen)).Field("last_seen", FormatUtc(a.last_seen));
    w.Field("bytes_sent", a.bytes_sent).Key("reasons").Raw(StringArray(a.reasons)).EndObject();
    f.detail_json = w.Take();
    f.event_time = a.first_seen;
    f.dedupe_key = "analysis.attacker:" + a.label;
    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
    ++findings;
  }
  std::optional<int64_t> entry_finding;
  if (r.entry) {
    const EntryVector& e = *r.entry;
    Finding f = RequestFinding(e.request, items);
    f.kind = "analysis.entry_vector";
    f.severity = Severity::kCritical;
    f.confidence = r.attackers[e.attacker].confidence;
    f.summary = "Entry: " + e.technique + (e.cve.empty() ? "" : " (" + e.cve + ")") + " from " +
                e.request.client + ": " + RequestMessage(e.request);
    JsonWriter w;
    w.BeginObject().Field("technique", e.technique).Field("cve", e.cve);
    w.Field("attacker", r.attackers[e.attacker].label).Field("ip", e.request.client);
    w.Key("request").Raw(RequestDetail(e.request));
    w.Key("reasons").Raw(StringArray(e.reasons)).EndObject();
    f.detail_json = w.Take();
    f.rule = e.request.hits.empty() ? "" : e.request.hits.front().rule;
    f.dedupe_key = "analysis.entry_vector";
    f.triage = "actionable";
    TQ_ASSIGN_OR_RETURN(int64_t id, UpsertFinding(db, f));
    entry_finding = id;
    ++findings;
  }
  for (const Exfiltration& x : r.exfiltration) {
    Finding f = RequestFinding(x.request, items);
    f.kind = "analysis.exfiltration";
    f.severity = x.kind == "download" ? Severity::kCritical : Severity::kHigh;
    f.confidence = r.attackers[x.attacker].confidence;
    f.summary = (x.kind == "download" ? "Download by " : "Webshell response to ") +
                x.request.client + ": " + RequestMessage(x.request);
    JsonWriter w;
    w.BeginObject().Field("kind", x.kind).Field("attacker", r.attackers[x.attacker].label);
    w.Field("ip", x.request.client).Field("bytes", x.request.bytes);
    w.Key("request").Raw(RequestDetail(x.request));
    if (x.written_by) {
      // The file cannot be newer than the last webshell command before the download.
      w.Field("written_before", FormatUtc(x.written_by->time));
      w.Field("written_before_reason",
              "last webshell command before the download: " + RequestMessage(*x.written_by) +
                  " from " + x.written_by->client);
    }
    w.EndObject();
    f.detail_json = w.Take();
    f.triage = "actionable";
    f.dedupe_key = "analysis.exfiltration:" + std::to_string(x.request.evidence_id) + ":" +
                   std::to_string(x.request.line) + ":" + std::to_string(x.request.offset);
    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
    ++findings;
  }
  if (r.skimmer_window) {
    const SkimmerWindow& w = *r.skimmer_window;
    Finding f;
    f.kind = "analysis.skimmer_window";
    f.component = "analysis";
    f.severity = Severity::kCritical;
    f.confidence = 0.8;
    f.summary = "Skimmer live from " + FormatUtc(w.start) + " to " +
                (w.end ? FormatUtc(*w.end) : std::string("(still live)"));
    JsonWriter j;
    j.BeginObject().Field("start", FormatUtc(w.start)).Key("end");
    w.end ? j.String(FormatUtc(*w.end)) : j.Null();
    j.Field("start_reason", w.start_reason).Field("end_reason", w.end_reason);
    j.Field("start_finding_id", w.start_finding_id).EndObject();
    f.detail_json = j.Take();
    f.event_time = w.start;
    auto it = items.find(w.start_evidence_id);
    if (it != items.end()) {
      f.evidence_id = w.start_evidence_id;
      f.evidence_sha256 = it->second.sha256;
    }
    f.dedupe_key = "analysis.skimmer_window";
    f.triage = "actionable";
    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
    ++findings;
  }
  if (r.background) {
    const BackgroundScanning& b = *r.background;
    Finding f;
    f.kind = "analysis.background_scanning";
    f.component = "analysis";
    f.severity = Severity::kLow;
    f.triage = "noise";
    f.confidence = 0.8;
    f.summary = "Background scanning: " + std::to_string(b.addresses) + " address(es), " +
                std::to_string(b.requests) + " requests, " + std::to_string(b.hits) +
                " with rule hits, " + std::to_string(b.refused) + " refused, none worked";
    JsonWriter w;
    w.BeginObject().Field("addresses_total", b.addresses).Field("requests", b.requests);
    w.Field("hits", b.hits).Field("refused", b.refused);
    w.Field("first_seen", FormatUtc(b.first_seen)).Field("last_seen", FormatUtc(b.last_seen));
    w.Key("addresses").Raw(StringArray(b.sample)).EndObject();
    f.detail_json = w.Take();
    f.event_time = b.first_seen;
    f.dedupe_key = "analysis.background_scanning";
    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
    ++findings;
  }
  // What an earlier run found and this one did not is no longer a finding (unless a task
  // points at it).
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("DELETE FROM findings WHERE component='analysis' AND "
                                            "updated_at < ? AND id NOT IN (SELECT finding_id "
                                            "FROM tasks WHERE finding_id IS NOT NULL)"));
    st.Bind(1, run_start);
    TQ_RETURN_IF_ERROR(st.Run());
  }

  // The timeline.
  std::vector<TimelineRow> rows;
  auto fill_item = [&](TimelineRow& row, int64_t item) {
    auto it = items.find(item);
    if (it == items.end()) return;
    row.evidence_id = item;
    row.evidence_sha256 = it->second.sha256;
    row.evidence_path = it->second.path;
  };
  for (const SessionEvent& e : r.sessions) {
    TimelineRow row;
    row.time = e.request.time;
    row.source = "log";
    row.kind =
        e.request.hits.empty() ? (e.artifact ? "request.artifact" : "request") : "request.rule_hit";
    row.message = RequestMessage(e.request);
    row.ip = e.request.client;
    fill_item(row, e.request.evidence_id);
    row.line = e.request.line;
    if (e.request.offset >= 0) row.byte_offset = e.request.offset;
    row.attacker_id = attacker_ids[e.attacker];
    row.detail_json = RequestDetail(e.request);
    rows.push_back(std::move(row));
  }
  // Findings of every stage that carry a time, except raw rule hits (the attackers' ones are
  // already on the timeline as their requests; the rest are failed scanners' noise).
  TQ_ASSIGN_OR_RETURN(std::vector<Finding> all, ListFindings(db));
  std::set<int64_t> flagged_items;
  std::map<std::string, size_t> label_index;
  for (size_t i = 0; i < r.attackers.size(); ++i) label_index[r.attackers[i].label] = i;
  for (const Finding& f : all) {
    if (f.evidence_id && f.component == "webroot") flagged_items.insert(*f.evidence_id);
    if (!f.event_time || f.kind == "log.rule_hit") continue;
    TimelineRow row;
    row.time = *f.event_time;
    row.source = f.component == "storedb"    ? "db"
                 : f.component == "analysis" ? "analysis"
                 : f.component == "webroot"  ? "file"
                                             : "finding";
    row.kind = f.kind;
    row.message = f.summary;
    if (f.evidence_id) fill_item(row, *f.evidence_id);
    row.line = f.line;
    row.byte_offset = f.byte_offset;
    row.finding_id = f.id;
    row.detail_json = f.detail_json;
    if (f.kind == "analysis.entry_vector" && r.entry) {
      row.attacker_id = attacker_ids[r.entry->attacker];
      row.ip = r.entry->request.client;
    } else if (f.kind == "analysis.attacker") {
      auto at = f.dedupe_key.find(':');
      auto li = label_index.find(f.dedupe_key.substr(at + 1));
      if (li != label_index.end()) row.attacker_id = attacker_ids[li->second];
    }
    rows.push_back(std::move(row));
  }
  (void)entry_finding;
  // The platform's error-log lines the investigation selected.
  for (const PlatformEvent& e : r.platform_events) {
    TimelineRow row;
    row.time = e.time;
    row.source = "platform";
    std::string level = e.level;
    for (char& ch : level) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    row.kind = "platform." + level;
    row.message = e.channel + "." + e.level + ": " + e.message;
    fill_item(row, e.evidence_id);
    row.line = e.line;
    if (e.offset >= 0) row.byte_offset = e.offset;
    JsonWriter w;
    w.BeginObject().Field("level", e.level).Field("channel", e.channel).Field("selected", e.why);
    w.EndObject();
    row.detail_json = w.Take();
    rows.push_back(std::move(row));
  }
  // File times: web-root files another stage flagged, and any collected file changed during
  // the attack (from a day before the first attacker request to a day after the last).
  std::optional<UnixMicros> lo, hi;
  for (const Attacker& a : r.attackers) {
    lo = lo ? std::min(*lo, a.first_seen - kDay) : a.first_seen - kDay;
    hi = hi ? std::max(*hi, a.last_seen + kDay) : a.last_seen + kDay;
  }
  size_t file_rows = 0;
  int64_t file_rows_dropped = 0;
  for (const auto& [id, item] : items) {
    if (item.label == "logs") continue;
    UnixMicros mtime = item.mtime_ns / 1000, ctime = item.ctime_ns / 1000;
    bool flagged = flagged_items.count(id) > 0;
    auto in_window = [&](UnixMicros t) { return lo && t >= *lo && t <= *hi; };
    for (auto [t, kind] : {std::pair{mtime, "file.mtime"}, std::pair{ctime, "file.ctime"}}) {
      if (t == 0 || !(flagged || in_window(t))) continue;
      if (kind == std::string_view("file.ctime") && std::llabs(ctime - mtime) < 1000000) continue;
      if (file_rows >= kMaxFileRows) {
        ++file_rows_dropped;
        continue;
      }
      ++file_rows;
      TimelineRow row;
      row.time = t;
      row.source = "file";
      row.kind = kind;
      row.message =
          std::string(kind == std::string_view("file.mtime") ? "modified: " : "changed (inode): ") +
          item.path + (flagged ? " (flagged by the web-root scan)" : "");
      fill_item(row, id);
      rows.push_back(std::move(row));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const TimelineRow& a, const TimelineRow& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.source != b.source) return a.source < b.source;
    if (a.evidence_id != b.evidence_id) return a.evidence_id < b.evidence_id;
    if (a.line != b.line) return a.line < b.line;
    return a.kind < b.kind;
  });
  TQ_RETURN_IF_ERROR(db.Exec("DELETE FROM analysis_timeline"));
  TQ_ASSIGN_OR_RETURN(
      Stmt ins,
      db.Prepare("INSERT INTO analysis_timeline(id,time,source,kind,message,actor,ip,evidence_id,"
                 "evidence_sha256,evidence_path,line,byte_offset,attacker_id,finding_id,detail) "
                 "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  int64_t next = 1;
  for (const TimelineRow& row : rows) {
    ins.Bind(1, next++).Bind(2, row.time).Bind(3, row.source).Bind(4, row.kind);
    ins.Bind(5, row.message).Bind(6, row.actor).Bind(7, row.ip).Bind(8, row.evidence_id);
    ins.Bind(9, row.evidence_sha256).BindBlob(10, row.evidence_path).Bind(11, row.line);
    ins.Bind(12, row.byte_offset).Bind(13, row.attacker_id).Bind(14, row.finding_id);
    ins.Bind(15, row.detail_json);
    TQ_RETURN_IF_ERROR(ins.Run());
    TQ_RETURN_IF_ERROR(ins.Reset());
  }
  (void)file_rows_dropped;
  return findings;
}

}  // namespace tq::analysis
