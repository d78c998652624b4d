// investigate --clickhouse: the pack's single-event rules as one query on the table (local or
// Distributed: the cluster spreads it over its shards and sends back only the rows some rule
// matched, with a flag per rule), then, here, what a local scan does with its hits: counts,
// hits kept, and the correlations evaluated over the returned events (the same evaluation
// code as the local scan, so the same windows and thresholds). Per-client aggregates are one
// GROUP BY. The query text, server version, row count and an order-independent checksum of the
// scanned rows become an evidence item of the case.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "casefile/casefile.h"
#include "core/json.h"
#include "core/sha256.h"
#include "evidence/evidence.h"
#include "rules/correlation_events.h"
#include "rules/engine.h"
#include "warehouse/prefilter.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

constexpr size_t kKeyCols = 8;  // sha256, line_no, byte_offset, time_us, has_time, kind,
                                // present, row key
constexpr uint64_t kMaxRows = 2000000;

std::string Cap(std::string_view v) { return std::string(v.substr(0, 4096)); }

uint64_t U64(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); }

// An answer too big to hold: written by the server to an unlinked temporary file, then read
// back one TabSeparated row at a time (and again after Rewind).
class AnswerRows {
 public:
  AnswerRows(Client& cl, const std::string& table, size_t columns)
      : cl_(cl), table_(table), columns_(columns), file_(std::tmpfile(), &std::fclose) {}
  Status Run(const std::string& sql) {
    if (!file_) return Status::Io("a temporary file for the cluster's answer: cannot create");
    TQ_RETURN_IF_ERROR(cl_.QueryToFile(sql, table_, file_.get()));
    return Rewind();
  }
  Status Rewind() {
    row_no_ = 0;
    if (std::fseek(file_.get(), 0, SEEK_SET) != 0)
      return Status::Io("a temporary file for the cluster's answer: cannot read it again");
    return Status::Ok();
  }
  // The next row into row(); *more is false at the end.
  Status Next(bool* more) {
    ssize_t n = getline(&buf_, &cap_, file_.get());
    *more = n >= 0;
    if (!*more) return Status::Ok();
    text_.assign(buf_, static_cast<size_t>(n));
    if (text_.empty() || text_.back() != '\n') text_ += '\n';
    size_t pos = 0;
    Status s = ParseTsvRow(text_, &pos, columns_, ++row_no_, &row_);
    if (!s.ok())
      return Status::BadInput(cl_.endpoint().url + " (table " + table_ + "): " + s.message());
    return Status::Ok();
  }
  const std::vector<std::string>& row() const { return row_; }
  ~AnswerRows() { std::free(buf_); }
  AnswerRows(const AnswerRows&) = delete;
  AnswerRows& operator=(const AnswerRows&) = delete;

 private:
  Client& cl_;
  std::string table_;
  size_t columns_;
  std::unique_ptr<FILE, int (*)(FILE*)> file_;
  char* buf_ = nullptr;
  size_t cap_ = 0;
  std::string text_;
  std::vector<std::string> row_;
  size_t row_no_ = 0;
};

}  // namespace

Result<ClusterScan> ScanInCluster(Client& cl, Case& c, const rules::RuleSet& rs,
                                  const ClusterScanOptions& o, const std::string& actor) {
  ClusterScan out;
  out.server_version = cl.version();
  const std::string& T = o.table;
  if (T.empty()) return Status::Usage("--clickhouse needs --source TABLE");
  for (char ch : T)
    if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.'))
      return Status::Usage("--source: a table name (letters, digits, _ and one '.'): " + T);
  std::string table =
      T.find('.') == std::string::npos
          ? SqlIdent(cl.endpoint().database) + "." + SqlIdent(T)
          : SqlIdent(T.substr(0, T.find('.'))) + "." + SqlIdent(T.substr(T.find('.') + 1));

  // The table's columns: ours it lacks (and the map does not name) are absent.
  TQ_ASSIGN_OR_RETURN(std::string desc, cl.Query("DESCRIBE TABLE " + table, T));
  std::set<std::string> have;
  for (size_t p = 0; p < desc.size();) {
    size_t nl = desc.find('\n', p);
    std::string row = desc.substr(p, nl == std::string::npos ? std::string::npos : nl - p);
    have.insert(row.substr(0, row.find('\t')));
    p = nl == std::string::npos ? desc.size() : nl + 1;
  }
  ColumnMap map = o.columns;
  for (const std::string& ours : OurColumns())
    if (!map.column.count(ours) && !have.count(ours) &&
        std::find(map.absent.begin(), map.absent.end(), ours) == map.absent.end())
      map.absent.push_back(ours);
  auto col = [&](const std::string& ours, const std::string& otherwise) {
    std::string s = map.Sql(ours);
    if (s.empty()) return otherwise;
    return map.column.count(ours) ? "toString(" + s + ")" : s;
  };
  auto num = [&](const std::string& ours, const std::string& otherwise) {
    std::string s = map.Sql(ours);
    return s.empty() ? otherwise : "toInt64(" + s + ")";
  };

  // The prefilter (prefilter.h): a regex piece RE2 cannot compile (look-around,
  // back-references) would fail the whole query, so each regex atom is tried first, alone, on
  // no rows; an atom that fails is left out of the prefilter (its rule then relies on its other
  // atoms, or is sent as exact SQL, or is reported as not run).
  ServerFeatures feat{cl.major()};
  const auto& info = rules::Rules(rs);
  Status query_failed;
  // Which of a rule's atoms to send is decided on the table's own first kSampleRows rows:
  // a count per atom, 40 conditions a query (18.16 plans a query in time that grows fast with
  // its calls). A failed estimate leaves the choice to literal length.
  constexpr int kSampleRows = 100000;
  auto estimate = [&](const std::vector<std::string>& conds) {
    std::vector<int64_t> n;
    for (size_t b = 0; b < conds.size(); b += 40) {
      std::string sel;
      for (size_t k = b; k < conds.size() && k < b + 40; ++k)
        sel += (sel.empty() ? "" : ", ") + ("countIf(" + conds[k] + ")");
      Result<std::string> r = cl.Query("SELECT " + sel + " FROM (SELECT * FROM " + table +
                                           " LIMIT " + std::to_string(kSampleRows) + ")",
                                       T);
      if (!r.ok()) return std::vector<int64_t>{};
      Result<std::vector<std::vector<std::string>>> rows =
          ParseTsv(*r, std::min<size_t>(40, conds.size() - b));
      if (!rows.ok() || rows->size() != 1) return std::vector<int64_t>{};
      for (const std::string& v : (*rows)[0]) n.push_back(std::strtoll(v.c_str(), nullptr, 10));
    }
    return n;
  };
  Prefilter pf = BuildPrefilter(
      rs, map, feat,
      [&](const std::string& re) {
        Result<std::string> t = cl.Query("SELECT match('', " + SqlString(re) + ")", T);
        if (!t.ok() && t.status().code() != ErrorCode::kBadInput) query_failed = t.status();
        return t.ok();
      },
      estimate);
  TQ_RETURN_IF_ERROR(query_failed);
  for (const auto& n : pf.not_run) out.rules_not_run.push_back(n);

  std::vector<std::string> field_sql;
  for (size_t f = 0; f < logs::kFieldCount; ++f) field_sql.push_back(col(OurColumns()[f], "''"));
  std::string fields;
  for (const auto& f : field_sql) fields += ", " + f;
  std::string time_us = num("time_us", "toInt64(0)");
  std::string has_time =
      map.Sql("has_time").empty()
          ? (map.Sql("time_us").empty() ? "toUInt8(0)" : "toUInt8(" + time_us + " != 0)")
          : "toUInt8(" + map.Sql("has_time") + ")";
  std::string row_key = "cityHash64(" + col("sha256", "''") + ", " + num("line_no", "toInt64(0)") +
                        ", " + time_us + fields + ")";
  std::string keys = col("sha256", "''") + ", " + num("line_no", "toInt64(0)") + ", " +
                     num("byte_offset", "toInt64(0)") + ", " + time_us + ", " + has_time + ", " +
                     num("kind", "toInt64(0)") + ", " + num("present", "toInt64(-1)") + ", " +
                     row_key;
  out.query = "SELECT " + keys + fields + ", " + col("line", "''") + " FROM " + table + " WHERE " +
              pf.where + " LIMIT " + std::to_string(kMaxRows + 1);

  // What was scanned: how many rows, and a checksum that does not depend on their order or
  // on how the cluster spreads them.
  auto tc = std::chrono::steady_clock::now();
  TQ_ASSIGN_OR_RETURN(std::string sums,
                      cl.Query("SELECT count(), groupBitXor(" + row_key + ") FROM " + table, T));
  TQ_ASSIGN_OR_RETURN(auto sum_rows, ParseTsv(sums, 2));
  if (sum_rows.size() != 1)
    return Status::Network(cl.endpoint().url + " (table " + T + "): no count");
  out.rows_scanned = U64(sum_rows[0][0]);
  out.checksum_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - tc).count();
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(U64(sum_rows[0][1])));
  out.checksum = hex;

  // The rows go to an unlinked temporary file and are read back one at a time (twice: the rows
  // that are not the case's own are numbered first), so memory does not grow with the answer.
  auto t0 = std::chrono::steady_clock::now();
  AnswerRows answer(cl, T, kKeyCols + logs::kFieldCount + 1);
  TQ_RETURN_IF_ERROR(answer.Run(out.query));
  out.scan_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::vector<std::string>& row = answer.row();
  auto next_row = [&](bool* more) { return answer.Next(more); };
  auto rewind = [&]() { return answer.Rewind(); };

  // Inputs: the case's log items named by the rows, then the query itself.
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(c.db(), "logs"));
  std::map<std::string, const EvidenceItem*> by_sha;
  for (const EvidenceItem& it : items)
    if (it.kind == "file" && !it.sha256.empty()) by_sha.emplace(it.sha256, &it);
  std::map<std::string, size_t> input_of;
  std::map<std::string, logs::ParseStats> stats_of;
  if (!map.Sql("sha256").empty()) {
    TQ_ASSIGN_OR_RETURN(
        std::string per,
        cl.Query("SELECT " + col("sha256", "''") + " AS s, count(), min(" + time_us + "), max(" +
                     time_us + ") FROM " + table + " GROUP BY s ORDER BY s",
                 T));
    TQ_ASSIGN_OR_RETURN(auto per_rows, ParseTsv(per, 4));
    for (auto& r : per_rows) {
      auto it = by_sha.find(r[0]);
      if (it == by_sha.end()) continue;
      input_of[r[0]] = out.inputs.size();
      out.inputs.push_back({c.ObjectPath(r[0]), it->second->original_path, it->second->id, r[0]});
      logs::ParseStats st;
      st.format = "clickhouse";
      st.lines = st.parsed = U64(r[1]);
      st.first_time = std::strtoll(r[2].c_str(), nullptr, 10);
      st.last_time = std::strtoll(r[3].c_str(), nullptr, 10);
      stats_of[r[0]] = st;
    }
  }
  // Other rows are rows of the query's record, numbered by row key.
  struct Foreign {
    std::string row_key, sha256, line_no;
    size_t row;
  };
  std::vector<Foreign> foreign;
  size_t rows_total = 0;
  for (bool more = true;;) {
    TQ_RETURN_IF_ERROR(next_row(&more));
    if (!more) break;
    if (++rows_total > kMaxRows)
      return Status::BadInput(cl.endpoint().url + " (table " + T + "): more than " +
                              std::to_string(kMaxRows) +
                              " matching rows; narrow the rules or the table");
    if (!input_of.count(row[0])) foreign.push_back({row[7], row[0], row[1], rows_total - 1});
  }
  out.candidates = rows_total;
  std::sort(foreign.begin(), foreign.end(), [](const Foreign& a, const Foreign& b) {
    return std::tie(a.row_key, a.sha256, a.line_no) < std::tie(b.row_key, b.sha256, b.line_no);
  });
  std::vector<uint64_t> foreign_no(rows_total, 0);
  for (size_t k = 0; k < foreign.size(); ++k) foreign_no[foreign[k].row] = k + 1;

  // The query's record as evidence: what was asked, of what, and what came back.
  JsonWriter rec(true);
  rec.BeginObject().Field("server", cl.endpoint().url).Field("table", T);
  rec.Field("server_version", out.server_version).Field("query", out.query);
  rec.Field("rows_scanned", out.rows_scanned).Field("checksum", out.checksum);
  rec.Field("checksum_is", "groupBitXor(cityHash64(sha256, line_no, time_us, fields...))");
  rec.Field("prefilter_rows", static_cast<uint64_t>(rows_total));
  rec.Key("rows").BeginArray();
  for (size_t k = 0; k < foreign.size(); ++k)
    rec.BeginObject().Field("row", k + 1).Field("row_key", foreign[k].row_key).EndObject();
  rec.EndArray().EndObject();
  std::string record = rec.str();
  std::string tmp = "/tmp/tq-warehouse-" + std::to_string(getpid()) + ".json";
  {
    FILE* f = std::fopen(tmp.c_str(), "wb");
    bool ok = f && std::fwrite(record.data(), 1, record.size(), f) == record.size();
    if (f && std::fclose(f) != 0) ok = false;
    if (!ok) return Status::Io(tmp + ": cannot write the query record");
  }
  std::string name = cl.endpoint().url + "/" + T + "#query-" + Sha256Hex(out.query).substr(0, 12) +
                     "-rows-" + std::to_string(out.rows_scanned) + "-checksum-" + out.checksum;
  Result<EvidenceItem> q = evidence::AddFileEvidence(c, tmp, name, "clickhouse", "other", actor);
  ::unlink(tmp.c_str());
  if (!q.ok()) return q.status();
  out.query_evidence_id = q->id;
  evidence::CustodyRecord cr;
  cr.actor = actor;
  cr.action = "query";
  cr.what = T;
  cr.origin = cl.endpoint().url;
  cr.sha256 = q->sha256;
  cr.outcome = "ok";
  cr.detail = "ClickHouse " + out.server_version + ", " + std::to_string(out.rows_scanned) +
              " rows, checksum " + out.checksum + ", " + std::to_string(rows_total) +
              " rows through the prefilter";
  TQ_RETURN_IF_ERROR(evidence::RecordCustody(c, cr).status());
  size_t qinput = out.inputs.size();
  out.inputs.push_back({c.ObjectPath(q->sha256), name, q->id, q->sha256});
  {
    logs::ParseStats st;
    st.format = "clickhouse query";
    st.lines = st.parsed = foreign.size();
    stats_of[q->sha256] = st;
  }

  // The hits, as the local scan keeps them; the correlation events from the same records.
  rules::LogScanResult& res = out.result;
  res.rule_hits.assign(info.size(), 0);
  for (const auto& in : out.inputs) res.stats.push_back(stats_of[in.sha256]);
  rules::CorrelationBudget budget(size_t{128} << 20);
  rules::CorrelationEvents events(rs, budget);
  std::vector<uint32_t> hit_rules;
  RecordMatcher matcher(rs, pf);
  TQ_RETURN_IF_ERROR(rewind());
  for (size_t i = 0;; ++i) {
    bool more = true;
    TQ_RETURN_IF_ERROR(next_row(&more));
    if (!more) break;
    logs::AccessLogRecord r;
    for (size_t f = 0; f < logs::kFieldCount; ++f) r.field[f] = row[kKeyCols + f];
    int64_t present = std::strtoll(row[6].c_str(), nullptr, 10);
    if (present < 0) {
      for (size_t f = 0; f < logs::kFieldCount; ++f)
        if (!field_sql[f].empty() && field_sql[f] != "''") r.present |= 1u << f;
    } else {
      r.present = static_cast<uint32_t>(present);
    }
    r.kind = static_cast<logs::RecordKind>(
        std::min<int64_t>(2, std::max<int64_t>(0, std::strtoll(row[5].c_str(), nullptr, 10))));
    r.time = std::strtoll(row[3].c_str(), nullptr, 10);
    r.has_time = row[4] == "1";
    bool local = input_of.count(row[0]) > 0;
    size_t input = local ? input_of[row[0]] : qinput;
    r.line_no = local ? U64(row[1]) : foreign_no[i];
    r.offset = local ? U64(row[2]) : 0;
    r.line = row[kKeyCols + logs::kFieldCount];
    matcher.Match(r, &hit_rules);
    if (!hit_rules.empty()) events.Add(r, hit_rules, static_cast<uint32_t>(input));
    for (uint32_t h : hit_rules) {
      ++res.rule_hits[h];
      if (!info[h].generate) continue;
      if (res.hits.size() >= o.max_hits) {
        ++res.hits_dropped;
        continue;
      }
      rules::LogHit hit;
      hit.rule = h;
      hit.input = input;
      hit.line_no = r.line_no;
      hit.offset = r.offset;
      hit.time = r.time;
      hit.has_time = r.has_time;
      for (size_t f = 0; f < logs::kFieldCount; ++f) hit.fields[f] = Cap(r.field[f]);
      res.hits.push_back(std::move(hit));
    }
  }
  res.correlation_hits = events.Evaluate();
  res.correlation_stats = events.stats();
  out.correlations =
      "evaluated here over the events of the returned rows (the rules they count are part of "
      "the prefilter), by the local scan's correlation code";
  out.exact_rules = pf.exact_rules;
  out.prefilter_calls = pf.calls;
  std::sort(res.hits.begin(), res.hits.end(), [](const rules::LogHit& a, const rules::LogHit& b) {
    return std::tie(a.input, a.line_no, a.rule) < std::tie(b.input, b.line_no, b.rule);
  });

  // Per-client aggregates of the requests (not WAF entries or error lines, which repeat them).
  if (!map.Sql("client").empty()) {
    std::string kind_filter = map.Sql("kind").empty() ? "1" : map.Sql("kind") + " = 0";
    // Statuses counted per client in SQL (a list of them would grow with the requests).
    std::string q2 =
        "SELECT ip, min(f), max(l), sum(n), sum(b), groupArray(concat(s, ':', toString(n))), "
        "arraySlice(groupUniqArrayArray(ua), 1, 8), arraySlice(groupUniqArrayArray(p), 1, 64), "
        "uniqExactArray(p) FROM (SELECT " +
        field_sql[0] + " AS ip, toString(toInt32OrZero(replaceRegexpAll(" + field_sql[7] +
        ", '[^0-9]', ''))) AS s, min(if(" + has_time + ", " + time_us +
        ", toInt64(9223372036854775807))) AS f, max(if(" + has_time + ", " + time_us +
        ", 0)) AS l, count() AS n, sum(toUInt64OrZero(extract(" + field_sql[8] +
        ", '^[0-9]*'))) AS b, groupUniqArray(" + field_sql[12] + ") AS ua, groupUniqArray(" +
        field_sql[4] + ") AS p FROM " + table + " WHERE " + kind_filter +
        " GROUP BY ip, s) GROUP BY ip ORDER BY ip LIMIT 200000";
    auto ta = std::chrono::steady_clock::now();
    AnswerRows crows(cl, T, 9);  // one row per client: read one at a time
    TQ_RETURN_IF_ERROR(crows.Run(q2));
    out.clients_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - ta).count();
    auto list = [](const std::string& s) {  // ['a','b'] as ClickHouse writes arrays in TSV
      std::vector<std::string> v;
      std::string cur;
      bool in = false;
      for (size_t i = 0; i < s.size(); ++i) {
        char ch = s[i];
        if (!in) {
          if (ch == '\'') in = true, cur.clear();
          continue;
        }
        if (ch == '\\' && i + 1 < s.size()) {
          char e = s[++i];
          cur += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
        } else if (ch == '\'') {
          in = false;
          v.push_back(cur);
        } else {
          cur += ch;
        }
      }
      return v;
    };
    for (;;) {
      bool more = true;
      TQ_RETURN_IF_ERROR(crows.Next(&more));
      if (!more) break;
      const std::vector<std::string>& r = crows.row();
      rules::ClientStats cs;
      cs.ip = r[0];
      int64_t f = std::strtoll(r[1].c_str(), nullptr, 10);
      cs.first_seen = f == INT64_MAX ? 0 : f;
      cs.last_seen = std::strtoll(r[2].c_str(), nullptr, 10);
      cs.requests = U64(r[3]);
      cs.bytes = U64(r[4]);
      for (const std::string& e : list(r[5])) {
        size_t colon = e.rfind(':');
        cs.statuses.emplace_back(std::atoi(e.substr(0, colon).c_str()), U64(e.substr(colon + 1)));
      }
      std::sort(cs.statuses.begin(), cs.statuses.end());
      for (const std::string& ua : list(r[6]))
        if (!ua.empty() && cs.user_agents.size() < rules::ClientStats::kMaxAgents)
          cs.user_agents.push_back(Cap(ua));
      for (const std::string& p : list(r[7]))
        if (cs.paths.size() < rules::ClientStats::kMaxPaths) cs.paths.push_back(Cap(p));
      cs.paths_capped = U64(r[8]) > rules::ClientStats::kMaxPaths;
      res.clients.push_back(std::move(cs));
    }
  }
  res.order.resize(out.inputs.size());
  for (size_t i = 0; i < out.inputs.size(); ++i) res.order[i] = i;
  std::stable_sort(res.order.begin(), res.order.end(), [&](size_t a, size_t b) {
    UnixMicros ta = res.stats[a].first_time, tb = res.stats[b].first_time;
    if (!ta || !tb) return ta != 0 && tb == 0;
    return ta < tb;
  });
  return out;
}

}  // namespace tq::warehouse
