// Fuzzes the shell and MySQL history readers, the ps listing reader and their judges.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/host.h"
#include "skipped_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tq::host::History h = tq::host::ParseShellHistory(text, 10000);
  if (h.commands.size() > h.lines) __builtin_trap();
  for (const auto& c : h.commands) (void)tq::host::AnalyzeCommand(c.command);
  tq::host::History m = tq::host::ParseMysqlHistory(text, 10000);
  for (const auto& c : m.commands) (void)tq::host::AnalyzeSqlStatement(c.command);
  tq::host::ProcessListing ps = tq::host::ParsePsOutput(text);
  for (const auto& p : ps.processes) (void)tq::host::AnalyzeProcess(p);
  for (const tq::SkipTally* t : {&h.skipped, &m.skipped, &ps.skipped}) TrapUnlessWithin(*t, size);
  return 0;
}
