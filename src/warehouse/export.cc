// `export clickhouse`: every parsed request of the case's collected logs, read through the logs
// component (the parser investigate uses), into `<prefix>requests`, a MergeTree ordered by time;
// the case's findings and timeline into `<prefix>findings` and `<prefix>timeline`.
//
// Resume without duplicates: rows go in batches of a fixed number of records per evidence
// item, named `<sha256>:<n>` (the same on every run: the parse is deterministic). One INSERT of
// fewer rows than max_insert_block_size into a table without partitions is one part: it is in
// whole or not at all. A batch goes in only when the table has none of its rows, and is written
// to the ledger `<prefix>batches` once in; a run killed between the two finds the batch's rows
// and only adds the ledger entry. (ClickHouse's insert_deduplicate needs a Replicated table.)
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "casefile/casefile.h"
#include "core/sha256.h"
#include "logs/logs.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

void JsonString(std::string& o, std::string_view s) {
  // Bytes as they are: ClickHouse keeps them (it does not check UTF-8); only what JSON must
  // escape is escaped, so the stored value is the logged bytes exactly.
  static const char* hex = "0123456789abcdef";
  o += '"';
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      o += '\\';
      o += static_cast<char>(ch);
    } else if (ch < 0x20) {
      o += "\\u00";
      o += hex[ch >> 4];
      o += hex[ch & 15];
    } else {
      o += static_cast<char>(ch);
    }
  }
  o += '"';
}

// Rows of `<prefix>requests` go as RowBinary: ClickHouse reads it several times faster than
// JSONEachRow (no escapes to undo, no names to look up), and the bytes of a field are sent as
// they are. Integers little-endian in their column's width, strings as a LEB128 length and the
// bytes.
struct RowBinary {
  std::string& o;
  void Int(uint64_t v, int width) {
    for (int i = 0; i < width; ++i) o += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void Str(std::string_view s) {
    uint64_t n = s.size();
    do {
      unsigned char b = n & 0x7f;
      n >>= 7;
      o += static_cast<char>(n ? b | 0x80 : b);
    } while (n);
    o.append(s);
  }
};

// The columns a RowBinary row of `<prefix>requests` carries, in its order, with their types.
std::vector<std::pair<std::string, std::string>> RequestColumns() {
  std::vector<std::pair<std::string, std::string>> c = {{"time_us", "Int64"},
                                                        {"has_time", "UInt8"}};
  for (size_t f = 0; f < logs::kFieldCount; ++f) c.emplace_back(OurColumns()[f], "String");
  for (const char* n : {"line", "target_decoded", "target_normalized"}) c.emplace_back(n, "String");
  c.insert(c.end(), {{"present", "UInt32"},
                     {"kind", "UInt8"},
                     {"evidence_id", "Int64"},
                     {"sha256", "String"},
                     {"file", "String"},
                     {"line_no", "UInt64"},
                     {"byte_offset", "UInt64"},
                     {"batch", "String"}});
  return c;
}

std::string Table(const Endpoint& e, const std::string& name) {
  return SqlIdent(e.database) + "." + SqlIdent(name);
}

// Creates the tables when missing. A `<prefix>requests` that exists must have every column in the
// type this export writes: RowBinary carries no names or types, so a mismatch would otherwise be
// read as other rows' bytes.
Status CreateTables(Client& cl, const std::string& prefix) {
  const Endpoint& e = cl.endpoint();
  std::string cols;
  for (const auto& [name, type] : RequestColumns()) cols += ", " + SqlIdent(name) + " " + type;
  std::string requests = Table(e, prefix + "requests");
  TQ_RETURN_IF_ERROR(cl.Query("CREATE DATABASE IF NOT EXISTS " + SqlIdent(e.database)).status());
  TQ_RETURN_IF_ERROR(
      cl.Query("CREATE TABLE IF NOT EXISTS " + requests +
                   " (time DateTime MATERIALIZED toDateTime(intDiv(time_us, 1000000))" + cols +
                   ") ENGINE = MergeTree ORDER BY (time, sha256, line_no)",
               requests)
          .status());
  TQ_ASSIGN_OR_RETURN(
      std::string body,
      cl.Query("SELECT name, type FROM system.columns WHERE database = " + SqlString(e.database) +
                   " AND table = " + SqlString(prefix + "requests") + " FORMAT TabSeparated",
               requests));
  TQ_ASSIGN_OR_RETURN(auto have, ParseTsv(body, 2));
  std::map<std::string, std::string> types;
  for (auto& r : have) types[r[0]] = r[1];
  for (const auto& [name, type] : RequestColumns()) {
    auto it = types.find(name);
    if (it == types.end())
      return Status::BadInput(e.url + " (table " + requests + "): no column " + name +
                              " (export writes " + type +
                              "; export to a new --database or --table-prefix)");
    if (it->second != type)
      return Status::BadInput(e.url + " (table " + requests + "): column " + name + " is " +
                              it->second + ", export writes " + type +
                              " (export to a new --database or --table-prefix)");
  }
  TQ_RETURN_IF_ERROR(cl.Query("CREATE TABLE IF NOT EXISTS " + Table(e, prefix + "batches") +
                                  " (batch String, tbl String, rows UInt64, sha256 String, "
                                  "at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY batch",
                              prefix + "batches")
                         .status());
  return Status::Ok();
}

// batch -> rows, from a query answering (batch, count) rows.
Result<std::map<std::string, uint64_t>> Counts(Client& cl, const std::string& sql,
                                               const std::string& table) {
  TQ_ASSIGN_OR_RETURN(std::string body, cl.Query(sql, table));
  TQ_ASSIGN_OR_RETURN(auto rows, ParseTsv(body, 2));
  std::map<std::string, uint64_t> m;
  for (auto& r : rows) m[r[0]] = std::strtoull(r[1].c_str(), nullptr, 10);
  return m;
}

class BatchWriter {
 public:
  // `insert` is the statement a batch's rows follow ("INSERT INTO t (...) FORMAT ...").
  BatchWriter(Client& cl, std::string table, std::string insert, std::string ledger,
              std::map<std::string, uint64_t> present, std::map<std::string, uint64_t> ledgered,
              ExportSummary& sum)
      : cl_(cl),
        table_(std::move(table)),
        insert_(std::move(insert)),
        ledger_(std::move(ledger)),
        present_(std::move(present)),
        ledgered_(std::move(ledgered)),
        sum_(sum) {}
  // Sends `rows` (in the format of `insert`) as batch `key` unless it is in already.
  Status Flush(const std::string& key, const std::string& rows, uint64_t n,
               const std::string& sha256) {
    if (n == 0) return Status::Ok();
    uint64_t have = present_.count(key) ? present_[key] : 0;
    if (have == n) {
      sum_.rows_present += n;
      ++sum_.batches_present;
      if (!ledgered_.count(key)) TQ_RETURN_IF_ERROR(Ledger(key, n, sha256));
      return Status::Ok();
    }
    if (have != 0)
      return Status::BadInput(cl_.endpoint().url + " (table " + table_ + "): batch " + key +
                              " has " + std::to_string(have) + " rows there, this run makes " +
                              std::to_string(n) +
                              " (the evidence or the parse options differ from the earlier "
                              "export; export to a new --table-prefix)");
    TQ_RETURN_IF_ERROR(cl_.Query(insert_, table_, rows).status());
    sum_.rows += n;
    ++sum_.batches;
    return Ledger(key, n, sha256);
  }

 private:
  Status Ledger(const std::string& key, uint64_t n, const std::string& sha256) {
    std::string row;
    row += "{\"batch\":";
    JsonString(row, key);
    row += ",\"tbl\":";
    JsonString(row, table_);
    row += ",\"rows\":" + std::to_string(n) + ",\"sha256\":";
    JsonString(row, sha256);
    row += "}\n";
    return cl_.Query("INSERT INTO " + ledger_ + " FORMAT JSONEachRow", ledger_, row).status();
  }
  Client& cl_;
  std::string table_, insert_, ledger_;
  std::map<std::string, uint64_t> present_, ledgered_;
  ExportSummary& sum_;
};

std::string SqlList(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + SqlString(x);
  return s.empty() ? "''" : s;
}

// One table of the case (findings, the timeline) as rows of strings, in batches keyed by their
// content: an unchanged table adds nothing on a re-run; a changed one adds its new state.
Status ExportCaseTable(Client& cl, Case& c, const std::string& sqlite_table,
                       const std::string& ch_table, const std::string& ledger, uint64_t* rows_out,
                       size_t batch_rows) {
  if (!TableExists(c.db(), sqlite_table)) return Status::Ok();
  std::vector<std::string> names;
  {
    TQ_ASSIGN_OR_RETURN(Stmt info, c.db().Prepare("PRAGMA table_info(" + sqlite_table + ")"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, info.Step());
      if (!row) break;
      names.push_back(info.String(1));
    }
  }
  std::string cols, select;
  for (const auto& n : names) {
    cols += SqlIdent(n) + " String, ";
    select += (select.empty() ? "\"" : ", \"") + n + "\"";
  }
  TQ_RETURN_IF_ERROR(cl.Query("CREATE TABLE IF NOT EXISTS " + ch_table + " (" + cols +
                                  "batch String) ENGINE = MergeTree ORDER BY tuple()",
                              ch_table)
                         .status());
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      c.db().Prepare("SELECT " + select + " FROM " + sqlite_table + " ORDER BY 1"));
  // Rows without their batch key first: the key is the hash of the batch's rows.
  std::vector<std::vector<std::string>> batches(1);
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (batches.back().size() == batch_rows) batches.emplace_back();
    std::string r = "{";
    for (size_t i = 0; i < names.size(); ++i) {
      JsonString(r, names[i]);
      r += ':';
      int col = static_cast<int>(i);
      JsonString(r, st.IsNull(col) ? std::string_view() : st.Text(col));
      r += ',';
    }
    batches.back().push_back(std::move(r));
  }
  if (batches.back().empty()) batches.pop_back();
  std::vector<std::string> keys;
  for (const auto& b : batches) {
    std::string all;
    for (const auto& r : b) all += r + "\n";
    keys.push_back(sqlite_table + ":" + Sha256Hex(all));
  }
  TQ_ASSIGN_OR_RETURN(auto present,
                      Counts(cl,
                             "SELECT batch, count() FROM " + ch_table + " WHERE batch IN (" +
                                 SqlList(keys) + ") GROUP BY batch",
                             ch_table));
  ExportSummary scratch;
  BatchWriter w(cl, ch_table, "INSERT INTO " + ch_table + " FORMAT JSONEachRow", ledger, present,
                {}, scratch);
  for (size_t i = 0; i < batches.size(); ++i) {
    std::string text;
    for (const auto& r : batches[i]) {
      text += r + "\"batch\":";
      JsonString(text, keys[i]);
      text += "}\n";
    }
    TQ_RETURN_IF_ERROR(w.Flush(keys[i], text, batches[i].size(), ""));
  }
  *rows_out = scratch.rows;
  return Status::Ok();
}

// An export killed while an INSERT was on its way leaves that INSERT running on the server for a
// moment (the body was sent whole): its rows land after the next run has counted what is there,
// and that run would send the batch again. So the next run first waits until no INSERT into the
// export's tables is running (a minute at most; an export takes the case's lock, so none is
// this case's live run).
Status AwaitEarlierInserts(Client& cl, const std::vector<std::string>& tables) {
  std::string where;
  for (const std::string& t : tables)
    where += (where.empty() ? "" : " OR ") + std::string("position(query, ") +
             SqlString("INSERT INTO " + t) + ") = 1";
  for (int i = 0; i < 600; ++i) {
    TQ_ASSIGN_OR_RETURN(std::string n,
                        cl.Query("SELECT count() FROM system.processes WHERE " + where, tables[0]));
    if (std::strtoull(n.c_str(), nullptr, 10) == 0) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Network(cl.endpoint().url + " (table " + tables[0] +
                         "): an INSERT from an earlier export is still running after a minute; "
                         "run the export again when it has finished");
}

}  // namespace

Result<ExportSummary> ExportCase(Client& cl, Case& c, const std::vector<rules::LogInput>& logs,
                                 const ExportOptions& o) {
  if (o.batch_rows == 0 || o.batch_rows > 1000000)
    return Status::Usage("--batch-rows must be 1..1000000 (one INSERT block)");
  TQ_RETURN_IF_ERROR(CreateTables(cl, o.table_prefix));
  const Endpoint& e = cl.endpoint();
  ExportSummary sum;
  std::string table = Table(e, o.table_prefix + "requests");
  std::string ledger = Table(e, o.table_prefix + "batches");
  sum.requests_table = table;
  TQ_RETURN_IF_ERROR(AwaitEarlierInserts(cl, {table, ledger, Table(e, o.table_prefix + "findings"),
                                              Table(e, o.table_prefix + "timeline")}));
  std::vector<std::string> shas;
  for (const auto& in : logs) shas.push_back(in.sha256);
  TQ_ASSIGN_OR_RETURN(auto present,
                      Counts(cl,
                             "SELECT batch, count() FROM " + table + " WHERE sha256 IN (" +
                                 SqlList(shas) + ") GROUP BY batch",
                             table));
  TQ_ASSIGN_OR_RETURN(auto ledgered,
                      Counts(cl,
                             "SELECT batch, max(rows) FROM " + ledger + " WHERE sha256 IN (" +
                                 SqlList(shas) + ") GROUP BY batch",
                             ledger));
  std::string names;
  for (const auto& col : RequestColumns())
    names += (names.empty() ? "" : ", ") + SqlIdent(col.first);
  BatchWriter w(cl, table, "INSERT INTO " + table + " (" + names + ") FORMAT RowBinary", ledger,
                std::move(present), std::move(ledgered), sum);
  uint64_t bytes_before = 0, rows_seen = 0;
  std::string buf, dec, norm;
  for (const rules::LogInput& in : logs) {
    uint64_t n = 0, index = 0;
    buf.clear();
    Status failed;
    auto flush = [&]() -> bool {
      failed = w.Flush(in.sha256 + ":" + std::to_string(index), buf, n, in.sha256);
      buf.clear();
      n = 0;
      ++index;
      return failed.ok();
    };
    logs::ParseStats stats;
    Status s = logs::StreamRecords(
        in.path, o.stream, logs::RecordFilter{},
        [&](const logs::AccessLogRecord& r) -> bool {
          RowBinary rb{buf};
          rb.Int(r.has_time ? r.time : 0, 8);
          rb.Int(r.has_time ? 1 : 0, 1);
          for (size_t f = 0; f < logs::kFieldCount; ++f) rb.Str(r.field[f]);
          // The target as the server saw it, exactly as the local matcher makes it
          // (rules/scanner.cc): decoded when something is encoded, normalised when that
          // changes it; "" when not made.
          std::string_view uri = r.get(logs::Field::kUri);
          dec.clear();
          norm.clear();
          bool d = (uri.find('%') != std::string_view::npos ||
                    uri.find('+') != std::string_view::npos) &&
                   logs::UrlDecode(uri, &dec);
          if (!d) dec.clear();
          std::string_view base = d ? std::string_view(dec) : uri;
          if (!(logs::MayNeedNormalizing(base) && logs::NormalizeTarget(base, &norm))) norm.clear();
          rb.Str(r.line);
          rb.Str(dec);
          rb.Str(norm);
          rb.Int(r.present, 4);
          rb.Int(static_cast<uint64_t>(r.kind), 1);
          rb.Int(static_cast<uint64_t>(in.evidence_id), 8);
          rb.Str(in.sha256);
          rb.Str(in.name);
          rb.Int(r.line_no, 8);
          rb.Int(r.offset, 8);
          rb.Str(in.sha256 + ":" + std::to_string(index));
          ++n;
          ++rows_seen;
          if (n == o.batch_rows && !flush()) return false;
          if (o.progress && (rows_seen & 1023) == 0) o.progress(bytes_before + r.offset, rows_seen);
          return true;
        },
        &stats);
    TQ_RETURN_IF_ERROR(failed);
    TQ_RETURN_IF_ERROR(s);
    if (n && !flush()) return failed;
    bytes_before += stats.bytes;
    if (o.progress) o.progress(bytes_before, rows_seen);
  }
  TQ_RETURN_IF_ERROR(ExportCaseTable(cl, c, "findings", Table(e, o.table_prefix + "findings"),
                                     ledger, &sum.findings, o.batch_rows));
  TQ_RETURN_IF_ERROR(ExportCaseTable(cl, c, "analysis_timeline",
                                     Table(e, o.table_prefix + "timeline"), ledger, &sum.timeline,
                                     o.batch_rows));
  return sum;
}

}  // namespace tq::warehouse
