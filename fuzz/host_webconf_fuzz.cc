// Fuzzes the web-server configuration readers (nginx blocks, Apache sections and .htaccess).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/host.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& i : tq::host::AnalyzeNginxConf(text))
    if (i.line == 0 || i.snippet.size() > 300) __builtin_trap();
  for (const auto& i : tq::host::AnalyzeApacheConf(text))
    if (i.line == 0 || i.snippet.size() > 300) __builtin_trap();
  return 0;
}
