// Fuzzes the ss / netstat listing reader and its judge.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/host.h"
#include "skipped_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tq::host::SocketListing l = tq::host::ParseSocketListing(text);
  for (const auto& s : l.sockets) {
    if (s.line == 0 || s.local.empty() || s.peer.empty()) __builtin_trap();
    (void)tq::host::AnalyzeSocket(s);
  }
  TrapUnlessWithin(l.skipped, size);
  return 0;
}
