// Fuzzes loading a Sigma rule file: the YAML limits (rules/yaml_limits.h), yaml-cpp, and the
// Sigma loader (selections, modifiers, conditions). Nothing is compiled with Vectorscan, so
// each input is cheap; a file that loops or allocates without end is a timeout or OOM here.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rules/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tq::rules::RuleSet rs;
  tq::rules::LoadSigmaText(rs, "fuzz.yml", std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
