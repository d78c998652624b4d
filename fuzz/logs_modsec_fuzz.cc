// Fuzzes the ModSecurity serial audit log parser with arbitrary bytes fed line by line, as
// the scanner feeds it: every record it gives has an address as its client, points at a line
// it was given, and keeps at most the body cap; detection by the first line runs too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "logs/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::logs;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<LineParser> p = NamedFormat("modsec").value();
  AccessLogRecord r;
  std::string_view why;
  uint64_t line_no = 0;
  std::vector<std::string_view> sample;
  for (size_t pos = 0; pos <= in.size();) {
    size_t e = in.find('\n', pos);
    if (e == std::string_view::npos) e = in.size();
    std::string_view line = in.substr(pos, e - pos);
    ++line_no;
    if (sample.size() < 50) sample.push_back(line);
    r.line_no = line_no;
    r.offset = pos;
    if (!line.empty() && p->Parse(line, r, &why)) {
      if (ClassifyClient(r.get(Field::kClientIp)) == AddressKind::kNone || r.line_no == 0 ||
          r.line_no > line_no || r.get(Field::kBody).size() > (2u << 20) + 1) {
        std::fprintf(stderr, "bad record at line %llu\n", static_cast<unsigned long long>(line_no));
        std::abort();
      }
    }
    pos = e + 1;
  }
  StreamOptions o;
  (void)ParserForFile(o, sample);
  return 0;
}
