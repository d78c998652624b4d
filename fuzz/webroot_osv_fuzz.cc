// Fuzzes the OSV loader and range evaluation: any bytes as an advisory file, then every
// affected entry evaluated against versions taken from the input itself.
#include <cstddef>
#include <cstdint>
#include <string>

#include "webroot/advisory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto parsed = tq::webroot::ParseOsv(in, "fuzz.json");
  if (parsed.ok())
    for (const auto& a : *parsed)
      for (const auto& af : a.affected) {
        for (const auto& r : af.ranges)
          for (const auto& e : r.events) (void)tq::webroot::Evaluate(af, e.version);
        (void)tq::webroot::Evaluate(af, "2.4.6-p5");
      }
  size_t mid = in.size() / 2;
  (void)tq::webroot::CompareVersions(std::string_view(in).substr(0, mid),
                                     std::string_view(in).substr(mid));
  return 0;
}
