// Fuzzes the JSON lines providers' field-map reader (data/logs/json_fields.tsv's layout) with
// arbitrary bytes; maps it accepts then drive the JSON lines parser over a line of the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logs/logs.h"
#include "logs/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::logs;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  tq::Result<std::vector<JsonFieldPath>> maps = ParseJsonFieldMaps(in, "fuzz.tsv");
  if (!maps.ok()) return 0;
  auto p = JsonLinesFormatWithMaps({}, *maps);
  if (!p.ok()) return 0;
  AccessLogRecord r;
  std::string_view why;
  size_t brace = in.find('{');
  if (brace != std::string_view::npos) (*p)->Parse(in.substr(brace), r, &why);
  return 0;
}
