// libFuzzer target for the store database analyzer on dump rows: any dump bytes are read by
// the real dump reader into the real Analyzer (table classification, PII sampling, staging of
// customers, orders, admins, tokens, config and stored scripts, then the finding scan) inside a
// case transaction that is rolled back, so the case does not grow from one input to the next.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "casefile/casefile.h"
#include "storedb/analyzer.h"
#include "storedb/classify.h"
#include "storedb/dump.h"
#include "storedb/storedb.h"
#include "temp_case.h"

namespace {
struct Fixture {
  std::unique_ptr<tq::Case> c;
  tq::EvidenceItem item;
};

Fixture& Shared() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    tq::fuzz::TempCase tc = tq::fuzz::NewTempCase("storedb");
    fx->c = std::move(tc.c);
    std::string seed = tc.dir + "/seed.sql";
    FILE* out = std::fopen(seed.c_str(), "wb");
    if (!out) std::abort();
    std::fputs("CREATE TABLE t (id int);\n", out);
    std::fclose(out);
    auto item = tq::storedb::StoreFileAsEvidence(*fx->c, seed, seed, "fuzz", "fuzz");
    if (!item.ok()) std::abort();
    fx->item = *item;
    if (!tq::storedb::EnsureStoreDbSchema(*fx->c).ok()) std::abort();
    return fx;
  }();
  return *f;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& fx = Shared();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tq::storedb::AnalyzeOptions options;
  options.dump.max_row_bytes = 1 << 16;
  options.dump.max_statement_bytes = 1 << 16;
  options.store_hosts = {"shop.example"};
  (void)fx.c->Transaction([&](tq::Db&) -> tq::Status {
    tq::storedb::Analyzer a(*fx.c, fx.item, options, tq::storedb::BuiltinPiiMap());
    if (tq::Status s = a.Begin(); !s.ok()) return s;
    tq::Result<tq::storedb::DumpStats> stats =
        tq::storedb::ReadDumpBytes(bytes, "fuzz.sql", a, options.dump);
    if (stats.ok()) {
      tq::storedb::AnalyzeSummary summary;
      (void)a.Finish(*stats, &summary);
    }
    return tq::Status::Internal("rolled back: the fuzzer keeps the case as it was");
  });
  tq::storedb::ReleaseCustomerScratch(*fx.c);  // the customers' scratch database, if made
  return 0;
}
