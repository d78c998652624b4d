// Fuzzes the PHP settings readers: ini (php.ini, .user.ini), FPM pools and .htaccess lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/host.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using tq::host::FileKind;
  for (FileKind k : {FileKind::kPhpIni, FileKind::kFpmPool, FileKind::kHtaccess}) {
    for (const auto& d : tq::host::ParsePhpDirectives(text, k))
      if (d.name.empty() || d.line == 0 || d.raw.size() > 512) __builtin_trap();
  }
  return 0;
}
