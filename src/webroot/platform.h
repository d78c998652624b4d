// Which store platform a web root runs, its exact version, and every package (Composer
// package, WordPress plugin or theme) with its version, read from the files the platform
// itself uses to know its version.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tq::webroot {

// One installed package that advisories can name.
struct InstalledPackage {
  std::string ecosystem;  // "Packagist" | "WordPress"
  std::string name;       // "magento/product-community-edition", "wordpress", "plugin/woocommerce"
  std::string version;
  std::string source;  // file the version was read from (relative to the collected root)
  std::string title;   // human name ("WooCommerce") when known
  // Other names the same package goes by in advisory databases (GHSA uses
  // magento/community-edition for Magento Open Source; WPackagist mirrors plugins).
  std::vector<std::string> aliases;  // "Ecosystem:name"
};

struct Installation {
  std::string platform;  // magento | woocommerce | wordpress | prestashop | shopware | opencart
  std::string edition;   // "Magento Open Source", "Adobe Commerce", ...
  std::string version;   // platform version ("2.4.6-p5"; WooCommerce: the plugin's version)
  std::string root;      // directory of the install within the collected tree ("" = top)
  std::string evidence;  // file the version came from
  std::vector<InstalledPackage> packages;
};

// Reads a file of the tree (by its path as listed), bounded; nullopt when unreadable.
using TreeReader = std::function<std::optional<std::string>(const std::string& path)>;

// Detects every installation in a tree given as the list of its file paths (relative,
// '/'-separated). Reads only the handful of files that carry versions.
// A version file that was read but could not be parsed (a truncated composer.lock) is named
// in *problems ("path: what is wrong"): its packages are unknown, never silently none.
std::vector<Installation> DetectPlatforms(const std::vector<std::string>& paths,
                                          const TreeReader& read,
                                          std::vector<std::string>* problems = nullptr);

// Parsers, exposed for tests and fuzzing. Each accepts arbitrary bytes.
// composer.lock: (name, version) of packages and packages-dev; empty when not JSON.
std::vector<std::pair<std::string, std::string>> ParseComposerLock(std::string_view json);
// What is wrong with a composer.lock ("" when it is a JSON object with a packages list).
std::string ComposerLockProblem(std::string_view json);
// WordPress plugin/theme file header field ("Version", "Plugin Name"), from the first 8 KiB.
std::string WordPressHeaderField(std::string_view file, std::string_view field);
// A PHP assignment or define of a version: `$wp_version = '6.4.3';`,
// `define('VERSION', '4.0.2.3');`, `const VERSION = '8.1.2';`. Empty when absent.
std::string PhpVersionConstant(std::string_view file, std::string_view name);

}  // namespace tq::webroot
