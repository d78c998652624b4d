// Fuzzes the platform error log line parser (PHP error_log and Monolog headers): every line
// of the input, with and without a header, and the path test.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "analysis/platform_logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)tq::analysis::IsPlatformLogPath(in.substr(0, 512));
  size_t p = 0;
  while (p <= in.size()) {
    size_t e = in.find('\n', p);
    if (e == std::string_view::npos) e = in.size();
    std::string why;
    auto h = tq::analysis::ParsePlatformLogLine(in.substr(p, e - p), &why);
    if (h) (void)tq::analysis::IsErrorLevel(h->level);
    p = e + 1;
  }
  return 0;
}
