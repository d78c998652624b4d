// Fuzzes the platform and web server error log reader (logs/platform_log.h): every line of the
// input through the header parser (PHP error_log and Monolog), the path tests, and the input
// as a collected item read line by line (plain, or whatever compression its first bytes name).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "logs/platform_log.h"
#include "remove_at_exit.h"

namespace {

const std::string& Item() {
  static const std::string path = [] {
    char tmpl[] = "/tmp/tq-platform-log-fuzz.XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) std::abort();
    close(fd);
    tq::fuzz::RemoveAtExit(tmpl);
    return std::string(tmpl);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::logs;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)IsPlatformLogPath(in.substr(0, 512));
  (void)IsErrorLogPath(in.substr(0, 512));
  size_t p = 0;
  while (p <= in.size()) {
    size_t e = in.find('\n', p);
    if (e == std::string_view::npos) e = in.size();
    std::string why;
    auto h = ParsePlatformLogLine(in.substr(p, e - p), &why);
    if (h) (void)IsErrorLevel(h->level);
    p = e + 1;
  }
  FILE* f = std::fopen(Item().c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  PlatformLogReadStats stats;
  uint64_t last_line = 0;
  ReadPlatformLogItem(
      Item(), tq::TimeZone::Utc(),
      [&](const PlatformLogLine& l) {
        if (l.line <= last_line || l.header.message.size() > (1u << 20)) std::abort();
        last_line = l.line;
      },
      &stats);
  if (stats.parsed > stats.lines) std::abort();
  return 0;
}
