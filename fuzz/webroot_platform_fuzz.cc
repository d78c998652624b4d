// Fuzzes platform and version detection: the input is split into a few "files" of a web
// root (composer.lock, composer.json, version.php, plugin header, AppKernel.php, index.php),
// so every parser sees attacker bytes.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "webroot/platform.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const char* kFiles[] = {"composer.lock", "composer.json", "wp-includes/version.php",
                                 "wp-content/plugins/p/p.php", "wp-content/themes/t/style.css",
                                 "app/AppKernel.php", "index.php"};
  std::map<std::string, std::string> tree = {{"app/etc/di.xml", ""},
                                             {"config/defines.inc.php", ""},
                                             {"system/startup.php", ""}};
  for (const char* f : kFiles) {
    size_t cut = in.find('\x01');
    tree[f] = std::string(in.substr(0, cut));
    in = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1);
  }
  std::vector<std::string> paths;
  for (auto& [p, c] : tree) paths.push_back(p);
  auto found = tq::webroot::DetectPlatforms(paths, [&](const std::string& p) {
    auto it = tree.find(p);
    return it == tree.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  (void)found;
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  (void)tq::webroot::ParseComposerLock(raw);
  (void)tq::webroot::WordPressHeaderField(raw, "Version");
  (void)tq::webroot::PhpVersionConstant(raw, "VERSION");
  return 0;
}
