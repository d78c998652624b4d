// Fuzzes every timestamp parser and the escapers with arbitrary bytes: no crash, no read
// past the input, and escaped output that is valid UTF-8 and round-trips (JSON).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/escape.h"
#include "core/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  static const tq::TimeZone berlin = *tq::TimeZone::Named("Europe/Berlin");
  (void)tq::ParseCommonLogTime(s);
  (void)tq::ParseIso8601(s, berlin);
  (void)tq::ParseLocalDateTime(s, berlin);
  (void)tq::ParseSyslogTime(s, berlin, 1735905600LL * 1000000);
  (void)tq::ParseUnixTime(s);
  auto any = tq::ParseAnyTime(s, berlin, 1735905600LL * 1000000);
  if (any.ok()) (void)tq::FormatInZone(*any, berlin);
  if (!tq::IsValidUtf8(tq::EscapeTerminal(s))) std::abort();
  if (!tq::IsValidUtf8(tq::EscapeHtml(s))) std::abort();
  if (!tq::IsValidUtf8(tq::EscapeCsvField(s))) std::abort();
  if (!tq::IsValidUtf8(tq::EscapeJson(s))) std::abort();
  return 0;
}
