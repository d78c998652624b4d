// Fuzzes the authorized_keys reader (options, base64 key blobs) and the known-keys reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/host.h"
#include "skipped_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tq::host::KeyFile f = tq::host::ParseAuthorizedKeys(text);
  for (const auto& k : f.keys)
    if (!k.fingerprint.starts_with("SHA256:") || k.fingerprint.size() != 50) __builtin_trap();
  TrapUnlessWithin(f.skipped, size);
  (void)tq::host::KnownFingerprints(text);
  return 0;
}
