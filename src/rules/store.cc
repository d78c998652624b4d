// The log scan into the case file: per-file parse statistics, rule hits with the parsed
// fields, per-client aggregates, and findings. Re-running replaces a file's rows and
// refreshes findings by their dedupe key, so nothing is duplicated. The rows' text (JSON of
// the fields and lists, the findings' summaries and details) is made on a second thread while
// this one writes: each costs about as much as SQLite's inserts, and the stage's tail would
// otherwise leave the other core idle.
#include <algorithm>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "casefile/casefile.h"
#include "casefile/triage.h"
#include "core/batch_channel.h"
#include "core/json.h"
#include "core/phase_clock.h"
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

// Rows handed from the thread that makes them to the one that writes them, in batches, at
// most a few batches ahead (the rows' text is not held twice for the whole result). Batches
// the writer is done with go back to the maker and are freed there (freed by the writer they
// were a fifth of its time).
constexpr size_t kRowBatch = 256, kRowBatchesAhead = 8;
template <typename T>
using RowPipe = BatchChannel<std::vector<T>>;

// Writer: the next batch in place of `batch`, which goes back to the maker; false once the
// maker closed the pipe and every batch was taken.
template <typename T>
bool NextBatch(RowPipe<T>& pipe, std::vector<T>* batch) {
  if (!batch->empty()) pipe.Return(std::move(*batch));
  batch->clear();
  std::optional<std::vector<T>> next = pipe.Pop();
  if (!next) return false;
  *batch = std::move(*next);
  return true;
}

// Fills a pipe a batch at a time; false once the writer gave up.
template <typename T>
class RowBatcher {
 public:
  explicit RowBatcher(RowPipe<T>& pipe) : pipe_(pipe) { batch_.reserve(kRowBatch); }
  ~RowBatcher() { pipe_.Close(); }
  T& Next() { return batch_.emplace_back(); }
  bool Flush(bool all = false) {
    if (batch_.size() < kRowBatch && !(all && !batch_.empty())) return true;
    bool ok = pipe_.Push(std::move(batch_));
    pipe_.TakeAllReturned();  // freed here
    batch_ = {};
    batch_.reserve(kRowBatch);
    return ok;
  }

 private:
  RowPipe<T>& pipe_;
  std::vector<T> batch_;
};

struct ClientRow {
  std::string statuses, agents, paths;  // JSON
  int64_t distinct_paths = 0;
};

// The fields as JSON: all of them in a finding's detail; in a hit's row only those without a
// column of their own (escaping the address, request, user agent and referer of every stored
// hit a second time was a fifth of the stage's single-threaded tail). Made per row rather than
// kept for every hit: the logs stage's memory bound has no room for a second copy of the
// stored hits' fields.
std::string FieldsJson(const LogHit& hit, bool all) {
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
  return w.Take();
}

const std::string& F(const LogHit& hit, logs::Field f) {
  return hit.fields[static_cast<size_t>(f)];
}

// The findings of the hits, in the order they are recorded: most severe first; within a
// severity, each (rule, client) pair's first hits before any pair's later ones, so that past
// max_findings a burst of one client (40,000 stuffing posts) cannot crowd out another
// client's single request of the same rule (the intruder's one login).
struct FindingOrder {
  std::vector<RequestOutcome> outcome;
  std::vector<Severity> rated;
  std::vector<size_t> idx;
};
FindingOrder OrderFindings(const RuleSet& rs, const LogScanResult& r) {
  FindingOrder o;
  o.outcome.resize(r.hits.size());
  o.rated.resize(r.hits.size());
  for (size_t k = 0; k < r.hits.size(); ++k) {
    const LogHit& hit = r.hits[k];
    o.outcome[k] = JudgeOutcome(static_cast<int>(FieldInt(F(hit, logs::Field::kStatus), 0)),
                                FieldInt(F(hit, logs::Field::kBytesSent), -1), std::nullopt);
    o.rated[k] = SeverityByOutcome(LevelSeverity(rs.info[hit.rule].level), o.outcome[k]);
  }
  std::vector<uint32_t> nth(r.hits.size());
  {
    std::unordered_map<std::string, uint32_t> seen;
    for (size_t k = 0; k < r.hits.size(); ++k) {
      const LogHit& hit = r.hits[k];
      std::string key = std::to_string(hit.rule) + "|" + F(hit, logs::Field::kClientIp);
      nth[k] = seen[key]++;
    }
  }
  o.idx.resize(r.hits.size());
  for (size_t k = 0; k < o.idx.size(); ++k) o.idx[k] = k;
  std::stable_sort(o.idx.begin(), o.idx.end(), [&](size_t a, size_t b) {
    if (o.rated[a] != o.rated[b]) return o.rated[a] > o.rated[b];
    return nth[a] < nth[b];
  });
  return o;
}

// The finding of the hit k (o: the hits' order and ratings).
Finding HitFinding(const std::vector<LogInput>& inputs, const RuleSet& rs, const LogScanResult& r,
                   const FindingOrder& o, size_t k) {
  const LogHit& hit = r.hits[k];
  const RuleInfo& ri = rs.info[hit.rule];
  const LogInput& in = inputs[hit.input];
  Finding fd;
  fd.kind = "log.rule_hit";
  fd.component = "logs";
  fd.severity = o.rated[k];
  fd.triage =
      std::string(TriageName(Worked(o.outcome[k]) ? DefaultTriage(o.rated[k]) : Triage::kNoise));
  fd.confidence = ri.status == "stable" ? 0.8 : 0.6;
  fd.summary = ri.title + ": " + F(hit, logs::Field::kClientIp) + " " +
               F(hit, logs::Field::kMethod) + " " + F(hit, logs::Field::kUri).substr(0, 300) +
               " -> " + F(hit, logs::Field::kStatus);
  JsonWriter w;
  w.BeginObject().Field("rule_id", RuleKey(ri)).Field("rule_title", ri.title);
  w.Field("level", ri.level).Field("outcome", RequestOutcomeName(o.outcome[k]));
  w.Field("rule_file", ri.file).Field("log_file", in.name);
  w.Key("tags").BeginArray();
  for (auto& t : ri.tags) w.String(t);
  w.EndArray().Key("fields").Raw(FieldsJson(hit, true)).EndObject();
  fd.detail_json = w.Take();
  fd.evidence_id = in.evidence_id;
  fd.evidence_sha256 = in.sha256;
  fd.line = static_cast<int64_t>(hit.line_no);
  fd.byte_offset = static_cast<int64_t>(hit.offset);
  if (hit.has_time) fd.event_time = hit.time;
  fd.rule = RuleKey(ri);
  fd.dedupe_key =
      "log.rule_hit:" + RuleKey(ri) + ":" + in.sha256 + ":" + std::to_string(hit.line_no);
  return fd;
}

// The rows' text, made on its own thread in the order the writer stores them: the hits'
// fields, the clients' lists, then up to max_findings findings (the writer applies the exact
// cap, which counts the correlations' findings too).
class RowMaker {
 public:
  RowMaker(const std::vector<LogInput>& inputs, const RuleSet& rs, LogScanResult& r,
           size_t max_findings)
      : thread_([this, &inputs, &rs, &r, max_findings] { Run(inputs, rs, r, max_findings); }) {}
  ~RowMaker() {
    hits.Stop();
    clients.Stop();
    findings.Stop();
    thread_.join();
  }
  RowPipe<std::string> hits{kRowBatchesAhead};  // a hit's fields without a column, as JSON
  RowPipe<ClientRow> clients{kRowBatchesAhead};
  RowPipe<Finding> findings{kRowBatchesAhead};
  size_t findings_made = 0;  // valid once `findings` is closed

 private:
  void Run(const std::vector<LogInput>& inputs, const RuleSet& rs, LogScanResult& r,
           size_t max_findings) {
    {
      RowBatcher<std::string> b(hits);
      for (const LogHit& hit : r.hits) {
        b.Next() = FieldsJson(hit, false);
        if (!b.Flush()) return;
      }
      if (!b.Flush(true)) return;
    }
    {
      RowBatcher<ClientRow> b(clients);
      for (ClientStats& cs : r.clients) {
        ClientRow& row = b.Next();
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
        row.statuses = st.Take();
        row.agents = ua.Take();
        row.paths = paths.Take();
        row.distinct_paths = static_cast<int64_t>(cs.paths.size());
        // Released here, beside the writes (the writer reads only the client's other members).
        std::vector<std::string>().swap(cs.paths);
        std::vector<std::string>().swap(cs.user_agents);
        std::vector<uint64_t>().swap(cs.path_hashes);
        std::vector<uint64_t>().swap(cs.agent_hashes);
        if (!b.Flush()) return;
      }
      if (!b.Flush(true)) return;
    }
    RowBatcher<Finding> b(findings);
    order_ = OrderFindings(rs, r);
    for (size_t k : order_.idx) {
      if (findings_made >= max_findings) break;
      b.Next() = HitFinding(inputs, rs, r, order_, k);
      ++findings_made;
      if (!b.Flush()) return;
    }
    b.Flush(true);
  }
  FindingOrder order_;
  std::thread thread_;
};

}  // namespace

Result<StoreSummary> StoreLogScan(Case& c, const std::vector<LogInput>& inputs, const RuleSet& rs,
                                  LogScanResult& r, size_t max_findings,
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
  PhaseClock phases("TQ_LOGS_PHASES", "logs store");  // each table's rows, then the commit
  Status s = c.Transaction([&](Db& db) -> Status {
    RowMaker maker(inputs, rs, r, max_findings);
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
      skipped += st.skipped.total();
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
        for (const SkippedInput& e : sc.examples) w.Uint(e.line);
        w.EndArray();
        sk.Bind(1, in.evidence_id).Bind(2, reason).Bind(3, sc.count).Bind(4, w.str());
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
    // Text bound in place (no copy per value): the result, the rule keys and the batch being
    // written outlive each row's step and reset.
    std::vector<std::string> rule_keys;
    rule_keys.reserve(rs.info.size());
    for (const RuleInfo& ri : rs.info) rule_keys.push_back(RuleKey(ri));
    std::vector<std::string> jsons;
    for (size_t k = 0; k < r.hits.size();) {
      if (!NextBatch(maker.hits, &jsons))
        return Status::Internal("the hits' rows were not all made");
      for (const std::string& json : jsons) {
        row_done();
        const LogHit& hit = r.hits[k++];
        const RuleInfo& ri = rs.info[hit.rule];
        const LogInput& in = inputs[hit.input];
        h.BindUncopied(1, rule_keys[hit.rule]).BindUncopied(2, ri.title);
        h.BindUncopied(3, ri.level).Bind(4, in.evidence_id);
        h.BindUncopied(5, in.sha256).Bind(6, hit.line_no).Bind(7, hit.offset);
        if (hit.has_time)
          h.Bind(8, hit.time);
        else
          h.BindNull(8);
        using logs::Field;
        h.BindUncopied(9, F(hit, Field::kClientIp)).BindUncopied(10, F(hit, Field::kMethod));
        h.BindUncopied(11, F(hit, Field::kUri)).BindUncopied(12, F(hit, Field::kStatus));
        h.BindUncopied(13, F(hit, Field::kBytesSent)).BindUncopied(14, F(hit, Field::kUserAgent));
        h.BindUncopied(15, F(hit, Field::kReferer)).BindUncopied(16, F(hit, Field::kHost));
        h.BindUncopied(17, json);
        TQ_RETURN_IF_ERROR(h.Run());
        TQ_RETURN_IF_ERROR(h.Reset());
      }
    }
    phases.Mark("hits");
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
    std::vector<ClientRow> rows;
    for (size_t k = 0; k < r.clients.size();) {
      if (!NextBatch(maker.clients, &rows))
        return Status::Internal("the clients' rows were not all made");
      for (const ClientRow& row : rows) {
        row_done();
        const ClientStats& cs = r.clients[k++];
        cl.BindUncopied(1, cs.ip);
        if (cs.first_seen)
          cl.Bind(2, cs.first_seen).Bind(3, cs.last_seen);
        else
          cl.BindNull(2).BindNull(3);
        cl.Bind(4, cs.requests).Bind(5, cs.bytes).BindUncopied(6, row.statuses);
        cl.BindUncopied(7, row.agents).Bind(8, row.distinct_paths);
        cl.Bind(9, cs.paths_capped ? 1 : 0).BindUncopied(10, row.paths);
        TQ_RETURN_IF_ERROR(cl.Run());
        TQ_RETURN_IF_ERROR(cl.Reset());
      }
    }
    phases.Mark("clients");
    TQ_RETURN_IF_ERROR(StoreCorrelationHits(db, inputs, rs, r, &sum.findings));
    // Findings, most severe first, each rated by what the server answered: a refused probe
    // keeps its finding but not the rule's level (casefile/triage.h). The path's ordinary
    // answer is not known here; the analysis refines the rating with it.
    std::vector<Finding> found;
    while (NextBatch(maker.findings, &found)) {
      for (const Finding& fd : found) {
        if (static_cast<size_t>(sum.findings) >= max_findings) {
          ++sum.findings_capped;
          continue;
        }
        row_done();
        TQ_RETURN_IF_ERROR(UpsertFinding(db, fd).status());
        ++sum.findings;
      }
    }
    // The hits past max_findings were not made into findings.
    sum.findings_capped += static_cast<int64_t>(r.hits.size() - maker.findings_made);
    phases.Mark("findings");
    return Status::Ok();
  });
  phases.Mark("commit");
  if (!s.ok()) return s;
  return sum;
}

}  // namespace tq::rules
