// Fuzzes the crontab reader (user and system tables) and the command judge over each entry.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/host.h"
#include "skipped_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool system : {false, true}) {
    tq::host::CronFile f = tq::host::ParseCrontab(text, system);
    for (const auto& e : f.entries) {
      if (e.command.empty() || e.line == 0) __builtin_trap();
      (void)tq::host::AnalyzeCommand(e.command);
    }
    TrapUnlessWithin(f.skipped, size);
  }
  return 0;
}
