// Fuzzes the built-in combined parser and the chunk line splitter with arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logs/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto parser = tq::logs::NamedFormat("combined").value();
  static auto vhost = tq::logs::NamedFormat("vhost_combined").value();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  tq::logs::AccessLogRecord r;
  std::string_view why;
  size_t p = 0;
  while (p <= in.size()) {
    size_t e = in.find('\n', p);
    if (e == std::string_view::npos) e = in.size();
    std::string_view line = in.substr(p, e - p);
    parser->Parse(line, r, &why);
    vhost->Parse(line, r, &why);
    std::string decoded;
    tq::logs::UrlDecode(r.get(tq::logs::Field::kUri), &decoded);
    p = e + 1;
  }
  std::vector<std::string_view> sample = {in};
  tq::logs::DetectFormat(sample);
  return 0;
}
