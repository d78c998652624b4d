// libFuzzer target for the SQL dump reader: any bytes (plain, gzip or zstd) must be read
// without crashing, hanging or growing memory past the row limit; every row delivered has the
// column count it claims. The same bytes are read again in chunks on other threads (the
// parallel read of investigate, dump_chunks.h), cut every few bytes as the input's first byte
// says and at statement lines, and the sink must see exactly the calls of the one-thread read;
// and read again with most rows only counted (CountingCheckSink).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "storedb/dump.h"

namespace {
struct CheckingSink : tq::storedb::DumpSink {
  std::string calls;  // every call, written down
  tq::Status OnTable(const tq::storedb::DumpTable& t) override {
    calls += "table " + t.name + " " + std::to_string(t.line) + ":" + std::to_string(t.offset);
    for (const auto& c : t.columns) calls += " " + c.name + "/" + c.type;
    for (int i : t.primary_key) calls += " pk" + std::to_string(i);
    calls += "\n";
    return tq::Status::Ok();
  }
  tq::Status OnRow(const tq::storedb::DumpRow& row) override {
    if (!row.columns || row.columns->size() != row.values.size()) std::abort();
    calls += "row " + row.table->name + "#" + std::to_string(row.index) + " " +
             std::to_string(row.line) + ":" + std::to_string(row.offset);
    for (size_t i = 0; i < row.values.size(); ++i) {
      const auto& v = row.values[i];
      if (v.is_null() && !v.bytes.empty()) std::abort();
      calls += " " + (*row.columns)[i] + "=" + std::to_string(static_cast<int>(v.kind)) + ":";
      calls.append(v.bytes);
    }
    calls += "\n";
    return tq::Status::Ok();
  }
  void OnProblem(const tq::storedb::DumpProblem& p) override {
    calls += "problem " + p.table + " " + std::to_string(p.line) + ":" + std::to_string(p.offset) +
             " " + p.reason + (p.row_lost ? " lost\n" : "\n");
  }
};

// A sink that reads only the first `limit` rows of each table whose name has an even length
// in full and counts the rest, as the analyzer does with the tables it only samples: in
// chunks the parallel read counts those rows without decoding them where it can
// (DumpSink::CountsOnly), and the calls written down (the counts merged) must be those of a
// one-thread read, where every row comes to OnRow and is turned into a count here.
struct CountingCheckSink : CheckingSink {
  explicit CountingCheckSink(uint64_t limit) : limit(limit) {}
  uint64_t RowsReadInFull(const tq::storedb::DumpTable& t) const override {
    return t.name.size() % 2 == 0 ? limit : UINT64_MAX;
  }
  tq::Status OnTable(const tq::storedb::DumpTable& t) override {
    Flush();
    return CheckingSink::OnTable(t);
  }
  tq::Status OnRow(const tq::storedb::DumpRow& row) override {
    uint64_t& n = delivered[row.table->name];
    if (n >= RowsReadInFull(*row.table)) {  // the one-thread read hands over every row
      OnRowsCounted(*row.table, 1);
      return tq::Status::Ok();
    }
    ++n;
    Flush();
    return CheckingSink::OnRow(row);
  }
  void OnProblem(const tq::storedb::DumpProblem& p) override {
    Flush();
    CheckingSink::OnProblem(p);
  }
  void OnRowsCounted(const tq::storedb::DumpTable& t, uint64_t rows) override {
    if (pending > 0 && pending_table != t.name) Flush();
    pending_table = t.name;
    pending += rows;
  }
  void Flush() {
    if (pending > 0) calls += "counted " + pending_table + " " + std::to_string(pending) + "\n";
    pending = 0;
  }
  uint64_t limit;
  std::map<std::string, uint64_t> delivered;
  std::string pending_table;
  uint64_t pending = 0;
};

std::string Outcome(const tq::Result<tq::storedb::DumpStats>& r) {
  if (!r.ok()) return r.status().ToString();
  return std::to_string(r->bytes) + " " + std::to_string(r->statements) + " " +
         std::to_string(r->tables) + " " + std::to_string(r->rows) + " " +
         std::to_string(r->rows_skipped) + " " + std::to_string(r->problems) + " " + r->compression;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tq::storedb::DumpOptions o;
  o.max_row_bytes = 1 << 16;
  o.max_statement_bytes = 1 << 16;
  CheckingSink one;
  std::string read_once = Outcome(tq::storedb::ReadDumpBytes(bytes, "fuzz.sql", one, o));
  tq::storedb::DumpOptions chunked = o;
  chunked.threads = 2;
  uint64_t step = size > 0 ? 1 + data[0] % 97 : 1;
  for (uint64_t at = step; at < size; at += step) chunked.split_at.push_back(at);
  CheckingSink cut;
  std::string read_cut = Outcome(tq::storedb::ReadDumpBytes(bytes, "fuzz.sql", cut, chunked));
  if (read_cut != read_once || cut.calls != one.calls) std::abort();
  chunked.split_at.clear();
  chunked.chunk_bytes = 64;  // cut at statement lines
  CheckingSink lines;
  std::string read_lines = Outcome(tq::storedb::ReadDumpBytes(bytes, "fuzz.sql", lines, chunked));
  if (read_lines != read_once || lines.calls != one.calls) std::abort();
  // Rows only counted past a few of each table: the same calls one thread or in chunks.
  const uint64_t limits[] = {0, 1, 3};
  uint64_t limit = limits[size > 1 ? data[1] % 3 : 0];
  tq::storedb::DumpOptions single = o;
  CountingCheckSink counted_once(limit);
  std::string counted_read =
      Outcome(tq::storedb::ReadDumpBytes(bytes, "fuzz.sql", counted_once, single));
  counted_once.Flush();
  for (uint64_t bytes_per_chunk : {uint64_t{64}, uint64_t{4096}}) {
    chunked.chunk_bytes = bytes_per_chunk;
    CountingCheckSink counted_cut(limit);
    std::string r = Outcome(tq::storedb::ReadDumpBytes(bytes, "fuzz.sql", counted_cut, chunked));
    counted_cut.Flush();
    if (r != counted_read || counted_cut.calls != counted_once.calls) std::abort();
  }
  return 0;
}
