// Platform and version detection from the files each platform keeps its version in:
// Magento 2 composer.lock / composer.json, WordPress wp-includes/version.php and plugin and
// theme headers, PrestaShop AppKernel.php / settings.inc.php, Shopware 6 composer.lock,
// OpenCart index.php.
#include "webroot/platform.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace tq::webroot {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool LooksLikeVersion(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  if (!std::isdigit(static_cast<unsigned char>(v.front()))) return false;
  for (char c : v)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
        c != '+')
      return false;
  return true;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseComposerLock(std::string_view json) {
  std::vector<std::pair<std::string, std::string>> out;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return out;
  for (const char* key : {"packages", "packages-dev"}) {
    simdjson::dom::array arr;
    if (doc[key].get_array().get(arr) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element p : arr) {
      std::string_view name, version;
      if (p["name"].get_string().get(name) != simdjson::SUCCESS) continue;
      if (p["version"].get_string().get(version) != simdjson::SUCCESS) continue;
      out.emplace_back(std::string(name), std::string(version));
    }
  }
  return out;
}

std::string ComposerLockProblem(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS)
    return std::string("not valid JSON (") + simdjson::error_message(err) +
           "; truncated or damaged): its packages and versions are unknown, no advisory can "
           "match them";
  simdjson::dom::array arr;
  if (doc["packages"].get_array().get(arr) != simdjson::SUCCESS)
    return "no \"packages\" list: its packages and versions are unknown";
  return "";
}

std::string WordPressHeaderField(std::string_view file, std::string_view field) {
  file = file.substr(0, 8192);  // WordPress's get_file_data reads the first 8 KiB
  size_t pos = 0;
  while (pos < file.size()) {
    size_t eol = file.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) eol = file.size();
    std::string_view line = file.substr(pos, eol - pos);
    pos = eol + 1;
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (line.substr(i, 5) == "<?php") i += 5;
    while (i < line.size() && std::string_view(" \t/*#@").find(line[i]) != std::string_view::npos)
      ++i;
    if (line.size() - i <= field.size() || !IEquals(line.substr(i, field.size()), field) ||
        line[i + field.size()] != ':')
      continue;
    std::string_view value = Trim(line.substr(i + field.size() + 1));
    for (std::string_view end : {"*/", "?>"})
      if (value.size() >= end.size() && value.substr(value.size() - end.size()) == end)
        value = Trim(value.substr(0, value.size() - end.size()));
    return std::string(value);
  }
  return {};
}

std::string PhpVersionConstant(std::string_view file, std::string_view name) {
  size_t pos = 0;
  while ((pos = file.find(name, pos)) != std::string_view::npos) {
    size_t i = pos + name.size();
    pos = i;
    // The name must end there: `$wp_version_x` or `VERSIONS` is another identifier.
    if (i < file.size() && (std::isalnum(static_cast<unsigned char>(file[i])) || file[i] == '_'))
      continue;
    auto skip_space = [&] {
      while (i < file.size() && std::isspace(static_cast<unsigned char>(file[i]))) ++i;
    };
    if (i < file.size() && (file[i] == '\'' || file[i] == '"')) ++i;  // define('NAME'
    skip_space();
    if (i >= file.size() || (file[i] != '=' && file[i] != ',')) continue;
    ++i;
    skip_space();
    if (i >= file.size() || (file[i] != '\'' && file[i] != '"')) continue;
    char quote = file[i++];
    size_t end = file.find(quote, i);
    if (end == std::string_view::npos || end - i > 64) continue;
    std::string_view value = file.substr(i, end - i);
    if (LooksLikeVersion(value)) return std::string(value);
  }
  return {};
}

namespace {

// Directory prefixes ("" or "a/b/") at which `marker` sits in the tree.
std::vector<std::string> RootsOf(const std::vector<std::string>& paths, std::string_view marker) {
  std::set<std::string> roots;
  for (const std::string& p : paths) {
    if (p.size() < marker.size() || p.compare(p.size() - marker.size(), marker.size(), marker))
      continue;
    size_t cut = p.size() - marker.size();
    if (cut == 0 || p[cut - 1] == '/') roots.insert(p.substr(0, cut));
  }
  return {roots.begin(), roots.end()};
}

std::optional<std::string> ComposerJsonVersion(std::string_view json, std::string& edition) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object req;
  if (doc["require"].get_object().get(req) == simdjson::SUCCESS) {
    for (auto [key, value] : req) {
      std::string_view v;
      if (value.get_string().get(v) != simdjson::SUCCESS || !LooksLikeVersion(v)) continue;
      if (key == "magento/product-community-edition")
        edition = "Magento Open Source";
      else if (key == "magento/product-enterprise-edition")
        edition = "Adobe Commerce";
      else
        continue;
      return std::string(v);
    }
  }
  std::string_view name, version;
  if (doc["name"].get_string().get(name) == simdjson::SUCCESS &&
      doc["version"].get_string().get(version) == simdjson::SUCCESS && LooksLikeVersion(version)) {
    if (name == "magento/magento2ce" || name == "magento/magento2-base") {
      edition = "Magento Open Source";
      return std::string(version);
    }
    if (name == "magento/magento2ee") {
      edition = "Adobe Commerce";
      return std::string(version);
    }
  }
  return std::nullopt;
}

void AddComposerPackages(Installation& inst, const std::string& lock_path,
                         const std::vector<std::pair<std::string, std::string>>& lock) {
  for (const auto& [name, version] : lock) {
    InstalledPackage p{"Packagist", name, version, lock_path, "", {}};
    if (name == "magento/product-community-edition" || name == "magento/product-enterprise-edition")
      p.aliases = {"Packagist:magento/community-edition", "Packagist:magento/magento2-base"};
    inst.packages.push_back(std::move(p));
  }
}

void DetectMagento(const std::vector<std::string>& paths, const std::set<std::string>& present,
                   const TreeReader& read, std::vector<Installation>& out) {
  std::set<std::string> roots;
  for (std::string_view marker : {"app/etc/di.xml", "bin/magento", "app/etc/env.php"})
    for (std::string& r : RootsOf(paths, marker)) roots.insert(r);
  for (const std::string& root : roots) {
    Installation inst;
    inst.platform = "magento";
    inst.root = root;
    std::vector<std::pair<std::string, std::string>> lock;
    if (present.count(root + "composer.lock"))
      if (auto text = read(root + "composer.lock")) lock = ParseComposerLock(*text);
    for (const auto& [name, version] : lock) {
      if (name == "magento/product-enterprise-edition") {
        inst.edition = "Adobe Commerce";
        inst.version = version;
      } else if (name == "magento/product-community-edition" && inst.edition.empty()) {
        inst.edition = "Magento Open Source";
        inst.version = version;
      }
    }
    if (!inst.version.empty()) inst.evidence = root + "composer.lock";
    if (inst.version.empty() && present.count(root + "composer.json"))
      if (auto text = read(root + "composer.json"))
        if (auto v = ComposerJsonVersion(*text, inst.edition)) {
          inst.version = *v;
          inst.evidence = root + "composer.json";
        }
    if (inst.version.empty())
      for (const auto& [name, version] : lock)
        if (name == "magento/magento2-base") {
          inst.edition = "Magento Open Source";
          inst.version = version;
          inst.evidence = root + "composer.lock";
        }
    AddComposerPackages(inst, root + "composer.lock", lock);
    bool listed = std::any_of(inst.packages.begin(), inst.packages.end(),
                              [](auto& p) { return p.name.rfind("magento/product-", 0) == 0; });
    if (!inst.version.empty() && !listed)
      inst.packages.push_back(
          {"Packagist",
           inst.edition == "Adobe Commerce" ? "magento/product-enterprise-edition"
                                            : "magento/product-community-edition",
           inst.version,
           inst.evidence,
           inst.edition,
           {"Packagist:magento/community-edition", "Packagist:magento/magento2-base"}});
    for (auto& p : inst.packages)
      if (p.name.rfind("magento/product-", 0) == 0) p.title = inst.edition;
    out.push_back(std::move(inst));
  }
}

void DetectWordPress(const std::vector<std::string>& paths, const TreeReader& read,
                     std::vector<Installation>& out) {
  for (const std::string& root : RootsOf(paths, "wp-includes/version.php")) {
    Installation inst;
    inst.platform = "wordpress";
    inst.edition = "WordPress";
    inst.root = root;
    inst.evidence = root + "wp-includes/version.php";
    std::string core;
    if (auto text = read(inst.evidence)) core = PhpVersionConstant(*text, "$wp_version");
    if (!core.empty())
      inst.packages.push_back(
          {"WordPress",
           "wordpress",
           core,
           inst.evidence,
           "WordPress",
           {"Packagist:johnpbloch/wordpress-core", "Packagist:roots/wordpress"}});
    inst.version = core;
    // Plugins: top-level PHP files of each wp-content/plugins/<slug>/ (and single-file
    // plugins), the first with a "Plugin Name:" header names it. Themes: style.css.
    std::string plugins = root + "wp-content/plugins/";
    std::map<std::string, std::vector<std::string>> by_slug;
    std::string themes = root + "wp-content/themes/";
    for (const std::string& p : paths) {
      if (p.rfind(plugins, 0) == 0) {
        std::string rest = p.substr(plugins.size());
        size_t slash = rest.find('/');
        if (slash == std::string::npos) {
          if (rest.size() > 4 && rest.substr(rest.size() - 4) == ".php")
            by_slug[rest.substr(0, rest.size() - 4)].push_back(p);
        } else if (rest.find('/', slash + 1) == std::string::npos && rest.size() > 4 &&
                   rest.substr(rest.size() - 4) == ".php") {
          by_slug[rest.substr(0, slash)].push_back(p);
        }
      } else if (p.rfind(themes, 0) == 0) {
        std::string rest = p.substr(themes.size());
        size_t slash = rest.find('/');
        if (slash != std::string::npos && rest.substr(slash) == "/style.css") {
          if (auto text = read(p)) {
            std::string name = WordPressHeaderField(*text, "Theme Name");
            std::string version = WordPressHeaderField(*text, "Version");
            if (!name.empty() && !version.empty())
              inst.packages.push_back({"WordPress",
                                       "theme/" + rest.substr(0, slash),
                                       version,
                                       p,
                                       name,
                                       {"Packagist:wpackagist-theme/" + rest.substr(0, slash)}});
          }
        }
      }
    }
    for (auto& slug_files : by_slug) {
      const std::string& slug = slug_files.first;
      std::vector<std::string>& files = slug_files.second;
      // The file named after the slug first, as it usually holds the header.
      auto named_after_slug = [&](const std::string& f) {
        return f.size() >= slug.size() + 5 &&
               f.compare(f.size() - slug.size() - 5, slug.size() + 5, "/" + slug + ".php") == 0;
      };
      std::stable_sort(files.begin(), files.end(), [&](const std::string& a, const std::string& b) {
        return named_after_slug(a) && !named_after_slug(b);
      });
      for (const std::string& f : files) {
        auto text = read(f);
        if (!text) continue;
        std::string name = WordPressHeaderField(*text, "Plugin Name");
        if (name.empty()) continue;
        std::string version = WordPressHeaderField(*text, "Version");
        inst.packages.push_back({"WordPress",
                                 "plugin/" + slug,
                                 version,
                                 f,
                                 name,
                                 {"Packagist:wpackagist-plugin/" + slug}});
        if (slug == "woocommerce") {
          inst.platform = "woocommerce";
          inst.edition = "WooCommerce on WordPress " + core;
          inst.version = version;
          inst.evidence = f;
        }
        break;
      }
    }
    out.push_back(std::move(inst));
  }
}

void DetectOthers(const std::vector<std::string>& paths, const std::set<std::string>& present,
                  const TreeReader& read, std::vector<Installation>& out) {
  // PrestaShop 1.7+/8: app/AppKernel.php `const VERSION`; 1.6: config/settings.inc.php.
  std::set<std::string> ps_roots;
  for (auto& r : RootsOf(paths, "app/AppKernel.php"))
    if (present.count(r + "config/defines.inc.php")) ps_roots.insert(r);
  for (auto& r : RootsOf(paths, "config/settings.inc.php")) ps_roots.insert(r);
  for (const std::string& root : ps_roots) {
    Installation inst{"prestashop", "PrestaShop", "", root, "", {}};
    for (auto [file, name] : {std::pair<std::string, const char*>{"app/AppKernel.php", "VERSION"},
                              {"config/settings.inc.php", "_PS_VERSION_"},
                              {"config/autoload.php", "_PS_VERSION_"}}) {
      if (!present.count(root + file)) continue;
      if (auto text = read(root + file)) {
        inst.version = PhpVersionConstant(*text, name);
        inst.evidence = root + file;
        if (!inst.version.empty()) break;
      }
    }
    if (!inst.version.empty())
      inst.packages.push_back(
          {"Packagist", "prestashop/prestashop", inst.version, inst.evidence, "PrestaShop", {}});
    out.push_back(std::move(inst));
  }
  // Shopware 6: shopware/core (or shopware/platform) in composer.lock.
  for (const std::string& root : RootsOf(paths, "composer.lock")) {
    if (present.count(root + "app/etc/di.xml") || present.count(root + "bin/magento")) continue;
    auto text = read(root + "composer.lock");
    if (!text || text->find("shopware/") == std::string::npos) continue;
    auto lock = ParseComposerLock(*text);
    Installation inst{"shopware", "Shopware 6", "", root, root + "composer.lock", {}};
    for (const auto& [name, version] : lock)
      if (name == "shopware/core" || (name == "shopware/platform" && inst.version.empty()))
        inst.version = version;
    if (inst.version.empty()) continue;
    AddComposerPackages(inst, root + "composer.lock", lock);
    out.push_back(std::move(inst));
  }
  // OpenCart: define('VERSION', ...) in index.php next to system/startup.php.
  for (const std::string& root : RootsOf(paths, "system/startup.php")) {
    if (!present.count(root + "index.php")) continue;
    auto text = read(root + "index.php");
    if (!text) continue;
    std::string version = PhpVersionConstant(*text, "VERSION");
    if (version.empty()) continue;
    Installation inst{"opencart", "OpenCart", version, root, root + "index.php", {}};
    inst.packages.push_back(
        {"Packagist", "opencart/opencart", version, inst.evidence, "OpenCart", {}});
    out.push_back(std::move(inst));
  }
}

}  // namespace

std::vector<Installation> DetectPlatforms(const std::vector<std::string>& paths,
                                          const TreeReader& raw_read,
                                          std::vector<std::string>* problems) {
  std::set<std::string> present(paths.begin(), paths.end());
  std::vector<Installation> out;
  // Every composer.lock read is checked once: a damaged one is named, not read as empty.
  std::set<std::string> checked;
  TreeReader read = [&](const std::string& path) -> std::optional<std::string> {
    std::optional<std::string> text = raw_read(path);
    bool lock = path == "composer.lock" || path.ends_with("/composer.lock");
    if (text && problems && lock && checked.insert(path).second)
      if (std::string why = ComposerLockProblem(*text); !why.empty())
        problems->push_back(path + ": " + why);
    return text;
  };
  DetectMagento(paths, present, read, out);
  DetectWordPress(paths, read, out);
  DetectOthers(paths, present, read, out);
  std::sort(out.begin(), out.end(), [](const Installation& a, const Installation& b) {
    return std::tie(a.root, a.platform) < std::tie(b.root, b.platform);
  });
  return out;
}

}  // namespace tq::webroot
