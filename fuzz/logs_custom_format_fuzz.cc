// Fuzzes the log_format / LogFormat compiler: the first line is the format string, the rest
// are log lines parsed with whatever it compiled to.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logs/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view fmt = in.substr(0, nl);
  auto parser = tq::logs::CompileLogFormat(fmt);
  if (!parser.ok() || nl == std::string_view::npos) return 0;
  tq::logs::AccessLogRecord r;
  std::string_view why;
  size_t p = nl + 1;
  while (p <= in.size()) {
    size_t e = in.find('\n', p);
    if (e == std::string_view::npos) e = in.size();
    (*parser)->Parse(in.substr(p, e - p), r, &why);
    p = e + 1;
  }
  return 0;
}
