// Fuzzes the parser of API request bodies (sent by anybody who can reach `serve`): no crash,
// no read past the input; a parsed object's fields survive a JSON round trip.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "core/json.h"
#include "server/api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> fields;
  if (!tq::server::ParseJsonObject(body, fields).ok()) return 0;
  tq::JsonWriter w;
  w.BeginObject();
  for (const auto& [k, v] : fields) w.Field(k, v);
  w.EndObject();
  std::map<std::string, std::string> again;
  if (!tq::server::ParseJsonObject(w.str(), again).ok()) std::abort();
  if (again.size() != fields.size()) std::abort();
  return 0;
}
