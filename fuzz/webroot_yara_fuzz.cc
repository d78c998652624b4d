// libFuzzer target for the YARA reader: the input is a user's rule file (`--yara FILE`),
// compiled together with nothing else as YaraRules::Compile does it (file namespace, the
// externals every rule may use, per-file errors collected), and when it compiles, run over
// the input itself and a small PHP file with the scanner's time limit. A rule file that does
// not compile is an error naming the file, never a crash, and a compiled set reports a count
// that matches what HasRule finds.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "remove_at_exit.h"
#include "webroot/yara_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;  // a rule file, not a corpus: bounded per input
  static const std::string path = [] {
    char tmpl[] = "/tmp/tq-yara-fuzz-XXXXXX.yar";
    int fd = ::mkstemps(tmpl, 4);
    if (fd < 0) std::abort();
    ::close(fd);
    tq::fuzz::RemoveAtExit(tmpl);
    return std::string(tmpl);
  }();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  auto load = tq::webroot::YaraRules::Compile({path}, "");
  if (!load.ok()) return 0;  // a whole-load error (the file named), not a crash
  for (const tq::Status& e : load->errors)
    if (e.ok() || e.message().empty()) std::abort();  // a reported error says what is wrong
  if (!load->rules) return 0;
  auto scanner = tq::webroot::YaraScanner::Create(*load->rules, 1);
  if (!scanner.ok()) return 0;
  tq::webroot::YaraFileVars vars{"x.php", "pub/media/x.php", "php", "php", ""};
  std::string_view self(reinterpret_cast<const char*>(data), size);
  for (std::string_view buf : {self, std::string_view("<?php eval($_POST['x']); ?>\n")}) {
    auto m = (*scanner)->Scan(buf, vars);
    if (!m.ok()) continue;  // a timeout or a YARA error is reported per file
    for (const auto& match : *m)
      if (!load->rules->HasRule(match.rule)) std::abort();
  }
  return 0;
}
