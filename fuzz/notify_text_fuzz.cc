// Fuzz what attacker-written customer data passes through on its way into a letter and an
// email: the plain-text cleaner, the address check and the MIME builder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "notify/notify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string clean = tq::notify::CleanPlainText(text, false);
  if (clean.find_first_of("\r\n") != std::string::npos) __builtin_trap();
  size_t cut = size / 2;
  std::string_view addr = text.substr(0, cut), name = text.substr(cut);
  bool safe = tq::notify::IsSafeMailAddress(addr);
  tq::Result<std::string> m =
      tq::notify::BuildMimeMessage("a@shop.example", addr, name, text, text, "<m@shop.example>", 0);
  if (m.ok() && !safe) __builtin_trap();
  if (m.ok()) {
    // Headers end at the first blank line; no header line may start without a name or fold.
    std::string_view h(*m);
    h = h.substr(0, h.find("\r\n\r\n"));
    if (h.find('\n') != std::string_view::npos && h.find("\n\n") != std::string_view::npos)
      __builtin_trap();
    for (size_t i = 0; i < h.size(); ++i)
      if (h[i] == '\n' && (i == 0 || h[i - 1] != '\r')) __builtin_trap();
  }
  return 0;
}
