// libFuzzer target for the known-good baseline readers: the input is read as a sha256sum
// manifest and, written to a file, as whatever LoadBaseline decides it is (manifest or an
// archive libarchive reads). Malformed lines are skipped with a reason, never a crash; every
// path kept maps to a whole SHA-256.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "remove_at_exit.h"
#include "webroot/baseline.h"

namespace {
void CheckBaseline(const tq::webroot::Baseline& b) {
  for (const auto& [path, sha] : b.files)
    if (sha.size() != 64) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckBaseline(tq::webroot::ParseManifest(text, "fuzz.sha256"));
  static const std::string path = [] {
    char tmpl[] = "/tmp/tq-baseline-fuzz-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) std::abort();
    ::close(fd);
    tq::fuzz::RemoveAtExit(tmpl);
    return std::string(tmpl);
  }();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  tq::Result<tq::webroot::Baseline> b = tq::webroot::LoadBaseline(path);
  if (b.ok()) CheckBaseline(*b);
  std::vector<std::string> paths = {"index.php", "htdocs/index.php",
                                    std::string(text.substr(0, 64))};
  if (b.ok()) (void)tq::webroot::AlignPrefix(paths, *b);
  return 0;
}
