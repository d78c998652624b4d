// Fuzzes the JSON lines parser (simdjson) with arbitrary lines.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logs/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto parser =
      tq::logs::JsonLinesFormat({{"c-ip", "a.b.c"}, {"time", "t"}, {"response", "r.body"}}).value();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  tq::logs::AccessLogRecord r;
  std::string_view why;
  size_t p = 0;
  while (p <= in.size()) {
    size_t e = in.find('\n', p);
    if (e == std::string_view::npos) e = in.size();
    std::string_view line = in.substr(p, e - p);
    parser->Parse(line, r, &why);
    std::string v;  // fields outside the taxonomy, mapped and by their own name
    parser->ExtraField(line, "response", &v);
    parser->ExtraField(line, "x.y", &v);
    p = e + 1;
  }
  return 0;
}
