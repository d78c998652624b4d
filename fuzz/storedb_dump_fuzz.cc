// libFuzzer target for the SQL dump reader: any bytes (plain, gzip or zstd) must be read
// without crashing, hanging or growing memory past the row limit; every row delivered has the
// column count it claims.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storedb/dump.h"

namespace {
struct CheckingSink : tq::storedb::DumpSink {
  tq::Status OnRow(const tq::storedb::DumpRow& row) override {
    if (!row.columns || row.columns->size() != row.values.size()) std::abort();
    for (const auto& v : row.values)
      if (v.is_null() && !v.bytes.empty()) std::abort();
    return tq::Status::Ok();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  tq::storedb::DumpOptions o;
  o.max_row_bytes = 1 << 16;
  o.max_statement_bytes = 1 << 16;
  (void)tq::storedb::ReadDumpBytes(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.sql", sink, o);
  return 0;
}
