// The log scan into the case file: per-file parse statistics, rule hits with the parsed
// fields, per-client aggregates, and findings. Re-running replaces a file's rows and
// refreshes findings by their dedupe key, so nothing is duplicated.
#include <algorithm>
#include <unordered_map>

#include "casefile/casefile.h"
#include "casefile/triage.h"
#include "core/json.h"
#include "rules/engine.h"

namespace tq::rules {
namespace {

const Migration kMigrations[] = {
    {1,
     "CREATE TABLE logs_file (evidence_id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, "
     "name TEXT NOT NULL, format TEXT, compression TEXT, bytes INTEGER, lines INTEGER, "
     "parsed INTEGER, skipped INTEGER, out_of_order INTEGER, first_time INTEGER, "
     "last_time INTEGER, read_error TEXT, content_order INTEGER, scanned_at INTEGER);"
     "CREATE TABLE logs_skip (evidence_id INTEGER NOT NULL, reason TEXT NOT NULL, "
     "lines INTEGER NOT NULL, example_lines TEXT NOT NULL, PRIMARY KEY (evidence_id, reason));"
     "CREATE TABLE logs_rule_hit (id INTEGER PRIMARY KEY, rule_id TEXT NOT NULL, "
     "rule_title TEXT NOT NULL, level TEXT, evidence_id INTEGER NOT NULL, sha256 TEXT NOT NULL, "
     "line INTEGER NOT NULL, byte_offset INTEGER NOT NULL, time INTEGER, c_ip TEXT, "
     "method TEXT, uri TEXT, status TEXT, bytes TEXT, user_agent TEXT, referer TEXT, "
     "host TEXT, fields_json TEXT NOT NULL, UNIQUE (rule_id, sha256, line));"
     "CREATE INDEX logs_rule_hit_ip ON logs_rule_hit (c_ip);"
     "CREATE TABLE logs_rule_count (rule_id TEXT PRIMARY KEY, title TEXT, level TEXT, "
     "file TEXT, hits INTEGER NOT NULL);"
     "CREATE TABLE logs_client (ip TEXT PRIMARY KEY, first_seen INTEGER, last_seen INTEGER, "
     "requests INTEGER NOT NULL, bytes INTEGER NOT NULL, statuses_json TEXT NOT NULL, "
     "user_agents_json TEXT NOT NULL, distinct_paths INTEGER NOT NULL, "
     "paths_capped INTEGER NOT NULL, paths_json TEXT NOT NULL);"},
};

Severity LevelSeverity(std::string_view level) {
  if (level == "critical") return Severity::kCritical;
  if (level == "high") return Severity::kHigh;
  if (level == "medium") return Severity::kMedium;
  if (level == "low") return Severity::kLow;
  return Severity::kInfo;
}

std::string RuleKey(const RuleInfo& r) { return r.id.empty() ? r.file + ":" + r.title : r.id; }

int64_t FieldInt(std::string_view v, int64_t otherwise) {
  if (v.empty() || v.size() > 18) return otherwise;
  int64_t n = 0;
  for (char ch : v) {
    if (ch < '0' || ch > '9') return otherwise;
    n = n * 10 + (ch - '0');
  }
  return n;
}

}  // namespace

Result<StoreSummary> StoreLogScan(Case& c, const std::vector<LogInput>& inputs, const RuleSet& rs,
                                  const LogScanResult& r, size_t max_findings,
                                  const std::function<void(uint64_t, uint64_t)>& progress) {
  const uint64_t rows_total =
      r.hits.size() + r.clients.size() + std::min(r.hits.size(), max_findings);
  uint64_t rows_done = 0;
  auto row_done = [&] {
    if (++rows_done % 2048 == 0 && progress) progress(rows_done, rows_total);
  };
  TQ_RETURN_IF_ERROR(c.EnsureSchema("logs", kMigrations));
  TQ_RETURN_IF_ERROR(EnsureCorrelationSchema(c));
  // Statement journals in memory while storing: each INSERT OR REPLACE and finding upsert in
  // this transaction needs one, and past 64 KiB (four 16 KiB pages: a row and its indexes)
  // SQLite spills it to a temporary file: 38,000 writes on 200 MB of log, and half the time
  // of storing the findings. They only undo one statement; the WAL keeps the transaction
  // crash-safe as before. The connection's setting is put back afterwards (a later stage's
  // large sorts may want their temporary b-trees on disk). Should the setting not change,
  // the store runs as before, only slower.
  Result<int64_t> temp_store = c.db().QueryInt("PRAGMA temp_store");
  bool journal_in_memory = temp_store.ok() && c.db().Exec("PRAGMA temp_store=MEMORY").ok();
  struct RestoreTempStore {
    Case& c;
    bool restore;
    int64_t was;
    ~RestoreTempStore() {
      if (restore) (void)c.db().Exec("PRAGMA temp_store=" + std::to_string(was));
    }
  } restore_temp_store{c, journal_in_memory, temp_store.ok() ? *temp_store : 0};
  StoreSummary sum;
  Status s = c.Transaction([&](Db& db) -> Status {
    UnixMicros now = NowMicros();
    std::vector<size_t> rank(inputs.size());
    for (size_t k = 0; k < r.order.size(); ++k) rank[r.order[k]] = k;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const LogInput& in = inputs[i];
      const logs::ParseStats& st = r.stats[i];
      for (const char* t : {"logs_skip", "logs_rule_hit", "logs_file"}) {
        TQ_ASSIGN_OR_RETURN(Stmt del,
                            db.Prepare(std::string("DELETE FROM ") + t + " WHERE evidence_id=?"));
        TQ_RETURN_IF_ERROR(del.Bind(1, in.evidence_id).Run());
      }
      uint64_t skipped = 0;
      for (auto& [reason, sc] : st.skipped) skipped += sc.lines;
      TQ_ASSIGN_OR_RETURN(
          Stmt f, db.Prepare("INSERT INTO logs_file VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
      f.Bind(1, in.evidence_id).Bind(2, in.sha256).Bind(3, in.name).Bind(4, st.format);
      f.Bind(5, logs::CompressionName(st.compression)).Bind(6, st.bytes).Bind(7, st.lines);
      f.Bind(8, st.parsed).Bind(9, skipped).Bind(10, st.out_of_order);
      if (st.first_time)
        f.Bind(11, st.first_time).Bind(12, st.last_time);
      else
        f.BindNull(11).BindNull(12);
      if (st.read_error.empty())
        f.BindNull(13);
      else
        f.Bind(13, st.read_error);
      f.Bind(14, static_cast<int64_t>(rank[i])).Bind(15, now);
      TQ_RETURN_IF_ERROR(f.Run());
      TQ_ASSIGN_OR_RETURN(Stmt sk, db.Prepare("INSERT INTO logs_skip VALUES (?,?,?,?)"));
      for (auto& [reason, sc] : st.skipped) {
        JsonWriter w;
        w.BeginArray();
        for (uint64_t l : sc.example_lines) w.Uint(l);
        w.EndArray();
        sk.Bind(1, in.evidence_id).Bind(2, reason).Bind(3, sc.lines).Bind(4, w.str());
        TQ_RETURN_IF_ERROR(sk.Run());
        TQ_RETURN_IF_ERROR(sk.Reset());
      }
    }
    TQ_ASSIGN_OR_RETURN(
        Stmt h,
        db.Prepare(
            "INSERT OR REPLACE INTO logs_rule_hit (rule_id, rule_title, level, evidence_id, "
            "sha256, "
            "line, byte_offset, time, c_ip, method, uri, status, bytes, user_agent, referer, host, "
            "fields_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    auto F = [](const LogHit& hit, logs::Field f) -> const std::string& {
      return hit.fields[static_cast<size_t>(f)];
    };
    // The fields as JSON: all of them in a finding's detail; in a hit's row only those
    // without a column of their own (escaping the address, request, user agent and referer
    // of every stored hit a second time was a fifth of the stage's single-threaded tail).
    // Made per row rather than kept for every hit: the logs stage's memory bound has no room
    // for a second copy of the stored hits' fields.
    auto fields_json = [](const LogHit& hit, bool all) {
      using logs::Field;
      JsonWriter w;
      w.BeginObject();
      for (size_t f = 0; f < logs::kFieldCount; ++f) {
        Field fd = static_cast<Field>(f);
        bool column = fd == Field::kClientIp || fd == Field::kMethod || fd == Field::kUri ||
                      fd == Field::kStatus || fd == Field::kBytesSent || fd == Field::kUserAgent ||
                      fd == Field::kReferer || fd == Field::kHost;
        if (!hit.fields[f].empty() && (all || !column)) w.Field(logs::FieldName(fd), hit.fields[f]);
      }
      w.EndObject();
      return w.str();
    };
    for (size_t k = 0; k < r.hits.size(); ++k) {
      row_done();
      const LogHit& hit = r.hits[k];
      const RuleInfo& ri = rs.info[hit.rule];
      const LogInput& in = inputs[hit.input];
      std::string json = fields_json(hit, false);
      h.Bind(1, RuleKey(ri)).Bind(2, ri.title).Bind(3, ri.level).Bind(4, in.evidence_id);
      h.Bind(5, in.sha256).Bind(6, hit.line_no).Bind(7, hit.offset);
      if (hit.has_time)
        h.Bind(8, hit.time);
      else
        h.BindNull(8);
      h.Bind(9, F(hit, logs::Field::kClientIp)).Bind(10, F(hit, logs::Field::kMethod));
      h.Bind(11, F(hit, logs::Field::kUri)).Bind(12, F(hit, logs::Field::kStatus));
      h.Bind(13, F(hit, logs::Field::kBytesSent)).Bind(14, F(hit, logs::Field::kUserAgent));
      h.Bind(15, F(hit, logs::Field::kReferer)).Bind(16, F(hit, logs::Field::kHost));
      h.Bind(17, json);
      TQ_RETURN_IF_ERROR(h.Run());
      TQ_RETURN_IF_ERROR(h.Reset());
    }
    TQ_RETURN_IF_ERROR(db.Exec("DELETE FROM logs_rule_count"));
    TQ_ASSIGN_OR_RETURN(Stmt rc, db.Prepare("INSERT INTO logs_rule_count VALUES (?,?,?,?,?)"));
    for (size_t k = 0; k < rs.info.size(); ++k) {
      if (!r.rule_hits[k]) continue;
      rc.Bind(1, RuleKey(rs.info[k])).Bind(2, rs.info[k].title).Bind(3, rs.info[k].level);
      rc.Bind(4, rs.info[k].file).Bind(5, r.rule_hits[k]);
      TQ_RETURN_IF_ERROR(rc.Run());
      TQ_RETURN_IF_ERROR(rc.Reset());
    }
    TQ_RETURN_IF_ERROR(db.Exec("DELETE FROM logs_client"));
    TQ_ASSIGN_OR_RETURN(Stmt cl,
                        db.Prepare("INSERT INTO logs_client VALUES (?,?,?,?,?,?,?,?,?,?)"));
    for (const ClientStats& cs : r.clients) {
      row_done();
      JsonWriter st, ua, paths;
      st.BeginObject();
      for (auto& [code, n] : cs.statuses) st.Field(std::to_string(code), n);
      st.EndObject();
      ua.BeginArray();
      for (auto& a : cs.user_agents) ua.String(a);
      ua.EndArray();
      paths.BeginArray();
      for (auto& p : cs.paths) paths.String(p);
      paths.EndArray();
      cl.Bind(1, cs.ip);
      if (cs.first_seen)
        cl.Bind(2, cs.first_seen).Bind(3, cs.last_seen);
      else
        cl.BindNull(2).BindNull(3);
      cl.Bind(4, cs.requests).Bind(5, cs.bytes).Bind(6, st.str()).Bind(7, ua.str());
      cl.Bind(8, static_cast<int64_t>(cs.paths.size())).Bind(9, cs.paths_capped ? 1 : 0);
      cl.Bind(10, paths.str());
      TQ_RETURN_IF_ERROR(cl.Run());
      TQ_RETURN_IF_ERROR(cl.Reset());
    }
    TQ_RETURN_IF_ERROR(StoreCorrelationHits(db, inputs, rs, r, &sum.findings));
    // Findings, most severe first, each rated by what the server answered: a refused probe
    // keeps its finding but not the rule's level (casefile/triage.h). The path's ordinary
    // answer is not known here; the analysis refines the rating with it.
    std::vector<RequestOutcome> outcome(r.hits.size());
    std::vector<Severity> rated(r.hits.size());
    for (size_t k = 0; k < r.hits.size(); ++k) {
      const LogHit& hit = r.hits[k];
      outcome[k] = JudgeOutcome(static_cast<int>(FieldInt(F(hit, logs::Field::kStatus), 0)),
                                FieldInt(F(hit, logs::Field::kBytesSent), -1), std::nullopt);
      rated[k] = SeverityByOutcome(LevelSeverity(rs.info[hit.rule].level), outcome[k]);
    }
    // Within a severity, each (rule, client) pair's first hits go before any pair's later ones,
    // so that past max_findings a burst of one client (40,000 stuffing posts) cannot crowd out
    // another client's single request of the same rule (the intruder's one login).
    std::vector<uint32_t> nth(r.hits.size());
    {
      std::unordered_map<std::string, uint32_t> seen;
      for (size_t k = 0; k < r.hits.size(); ++k) {
        const LogHit& hit = r.hits[k];
        std::string key = std::to_string(hit.rule) + "|" + F(hit, logs::Field::kClientIp);
        nth[k] = seen[key]++;
      }
    }
    std::vector<size_t> idx(r.hits.size());
    for (size_t k = 0; k < idx.size(); ++k) idx[k] = k;
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      if (rated[a] != rated[b]) return rated[a] > rated[b];
      return nth[a] < nth[b];
    });
    for (size_t k : idx) {
      if (static_cast<size_t>(sum.findings) >= max_findings) {
        ++sum.findings_capped;
        continue;
      }
      row_done();
      const LogHit& hit = r.hits[k];
      const RuleInfo& ri = rs.info[hit.rule];
      const LogInput& in = inputs[hit.input];
      Finding fd;
      fd.kind = "log.rule_hit";
      fd.component = "logs";
      fd.severity = rated[k];
      fd.triage =
          std::string(TriageName(Worked(outcome[k]) ? DefaultTriage(rated[k]) : Triage::kNoise));
      fd.confidence = ri.status == "stable" ? 0.8 : 0.6;
      fd.summary = ri.title + ": " + F(hit, logs::Field::kClientIp) + " " +
                   F(hit, logs::Field::kMethod) + " " + F(hit, logs::Field::kUri).substr(0, 300) +
                   " -> " + F(hit, logs::Field::kStatus);
      JsonWriter w;
      w.BeginObject().Field("rule_id", RuleKey(ri)).Field("rule_title", ri.title);
      w.Field("level", ri.level).Field("outcome", RequestOutcomeName(outcome[k]));
      w.Field("rule_file", ri.file).Field("log_file", in.name);
      w.Key("tags").BeginArray();
      for (auto& t : ri.tags) w.String(t);
      w.EndArray().Key("fields").Raw(fields_json(hit, true)).EndObject();
      fd.detail_json = w.str();
      fd.evidence_id = in.evidence_id;
      fd.evidence_sha256 = in.sha256;
      fd.line = static_cast<int64_t>(hit.line_no);
      fd.byte_offset = static_cast<int64_t>(hit.offset);
      if (hit.has_time) fd.event_time = hit.time;
      fd.rule = RuleKey(ri);
      fd.dedupe_key =
          "log.rule_hit:" + RuleKey(ri) + ":" + in.sha256 + ":" + std::to_string(hit.line_no);
      TQ_RETURN_IF_ERROR(UpsertFinding(db, fd).status());
      ++sum.findings;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return sum;
}

}  // namespace tq::rules
