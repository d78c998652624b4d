// Fuzzes the manifest line parser and the field escaping: verify reads manifest files that
// an attacker may have edited, so any bytes must parse or fail cleanly.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "evidence/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace tq::evidence::internal;
  // Every line of the input, as verify splits a manifest.
  for (size_t pos = 0; pos <= in.size();) {
    size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) nl = in.size();
    tq::Result<ManifestLine> m = ParseManifestLine(in.substr(pos, nl - pos));
    if (m.ok()) {
      // Fields re-escape to text that unescapes to the same bytes.
      for (const std::string& f : m->fields) {
        std::string back;
        if (!UnescapeField(EscapeField(f), &back) || back != f) std::abort();
      }
      if (m->signed_part.size() + m->signature_hex.size() != nl - pos) std::abort();
      // A seal lists exactly one hash per record it seals: verify walks that many records.
      if (m->type == "seal" &&
          m->fields[1].size() / 64 != m->seq - std::strtoull(m->fields[0].c_str(), nullptr, 10))
        std::abort();
    }
    pos = nl + 1;
  }
  std::string raw(in), back;
  if (!UnescapeField(EscapeField(raw), &back) || back != raw) std::abort();
  return 0;
}
