// Parser throughput of the dump reader alone: an in-memory mysqldump of extended INSERTs
// (Magento sales_order-shaped rows, escapes included), plain and gzip-free, counted rows; on
// the calling thread, and in chunks on two threads (wall time).
#include <benchmark/benchmark.h>

#include <string>

#include "storedb/dump.h"

namespace {

std::string MakeDump(size_t bytes) {
  std::string d =
      "CREATE TABLE `sales_order` (`entity_id` int(10) unsigned NOT NULL, `status` "
      "varchar(32), `customer_email` varchar(128), `customer_firstname` varchar(128), "
      "`grand_total` decimal(20,4), `remote_ip` varchar(45), `created_at` timestamp, "
      "`note` text, PRIMARY KEY (`entity_id`));\n";
  int id = 0;
  while (d.size() < bytes) {
    d += "INSERT INTO `sales_order` VALUES ";
    for (int i = 0; i < 2000; ++i, ++id) {
      if (i) d += ',';
      d += '(';
      d += std::to_string(id);
      d += ",'processing','customer";
      d += std::to_string(id);
      d += "@example.com','O\\'Brien',59.9000,'203.0.113.7','2025-10-12 11:00:00',"
           "'line one\\nline two with \\\"quotes\\\" and \\\\ backslash')";
    }
    d += ";\n";
  }
  return d;
}

struct CountingSink : tq::storedb::DumpSink {
  uint64_t rows = 0, bytes = 0;
  tq::Status OnRow(const tq::storedb::DumpRow& r) override {
    ++rows;
    for (const auto& v : r.values) bytes += v.bytes.size();
    return tq::Status::Ok();
  }
};

void BM_ParseExtendedInserts(benchmark::State& state) {
  static const std::string dump = MakeDump(64 << 20);
  for (auto _ : state) {
    CountingSink sink;
    auto r = tq::storedb::ReadDumpBytes(dump, "bench.sql", sink);
    if (!r.ok()) state.SkipWithError(r.status().message().c_str());
    benchmark::DoNotOptimize(sink.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * dump.size()));
}
BENCHMARK(BM_ParseExtendedInserts)->Unit(benchmark::kMillisecond);

// The same dump read in chunks (of 1, 4 and 16 MB) by two worker threads, the sink called on
// this thread.
void BM_ParseExtendedInsertsInChunks(benchmark::State& state) {
  static const std::string dump = MakeDump(64 << 20);
  tq::storedb::DumpOptions o;
  o.threads = 2;
  o.chunk_bytes = static_cast<uint64_t>(state.range(0)) << 20;
  for (auto _ : state) {
    CountingSink sink;
    auto r = tq::storedb::ReadDumpBytes(dump, "bench.sql", sink, o);
    if (!r.ok()) state.SkipWithError(r.status().message().c_str());
    benchmark::DoNotOptimize(sink.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * dump.size()));
}
BENCHMARK(BM_ParseExtendedInsertsInChunks)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Arg(1)
    ->Arg(4)
    ->Arg(16);  // MB a chunk

}  // namespace

BENCHMARK_MAIN();
