// Fuzzes the readers of a ClickHouse server's answers: TabSeparated rows (the hits and
// aggregates of a cluster scan) and error texts. Every parsed row has the asked number of
// columns; nothing crashes or reads past the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "warehouse/warehouse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  for (size_t cols : {1u, 2u, 9u, 28u}) {
    auto rows = tq::warehouse::ParseTsv(in, cols);
    if (rows.ok())
      for (const auto& r : *rows)
        if (r.size() != cols) std::abort();
  }
  int code = 0;
  std::string text;
  if (tq::warehouse::ParseServerError(in, &code, &text) && text.size() > 500) std::abort();
  (void)tq::warehouse::SqlString(in);
  (void)tq::warehouse::SqlIdent(in);
  return 0;
}
