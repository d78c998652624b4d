// Fuzzes the column map reader (`investigate --columns map.toml`): any input is either a map
// whose every SQL text is a quoted identifier or a parenthesised expression without ';', or an
// error naming the file and a line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "warehouse/warehouse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto m = tq::warehouse::ParseColumnMap(in, "f.toml");
  if (!m.ok()) {
    if (m.status().message().rfind("f.toml:", 0) != 0) std::abort();
    return 0;
  }
  for (const std::string& ours : tq::warehouse::OurColumns()) {
    std::string sql = m->Sql(ours);
    if (sql.find(';') != std::string::npos) std::abort();
    if (!sql.empty() && sql[0] != '`' && sql[0] != '(') std::abort();
  }
  return 0;
}
