// Fuzz the letter rules reader (data/jurisdictions/letters.txt, an editable file) and the
// consent list reader (`notify consent --file`, exported from a store): damage must be an
// error with file:line, never a crash, a hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "notify/delivery.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::vector<std::string>> sets = {{"EEA", {"DE", "FR"}}};
  tq::Result<tq::notify::LetterRules> r = tq::notify::ParseLetterRules(text, "fuzz.txt", sets);
  if (r.ok()) {
    for (const char* j : {"US-CA", "DE", "PR", "JP", ""})
      (void)tq::notify::ChooseChannel(r->For(j), "esign", true);
  } else {
    (void)r.status().ToString();
  }
  tq::Result<std::vector<std::string>> list = tq::notify::ParseConsentList(text, "fuzz.txt");
  if (!list.ok()) (void)list.status().ToString();
  return 0;
}
