// Fuzzes the personal-data column map (`investigate --pii-map`, TSV: platform, table, column,
// category): any bytes are entries or a named error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storedb/classify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto map = tq::storedb::ParsePiiMap(std::string_view(reinterpret_cast<const char*>(data), size),
                                      "fuzz.tsv");
  (void)map;
  return 0;
}
