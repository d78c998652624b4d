// Advisories in OSV's JSON format (https://ossf.github.io/osv-schema/) and the version
// ordering needed to evaluate their ranges: Composer/Packagist ordering (Magento's -pN patch
// releases sort after the release they patch), the same PHP-style ordering for WordPress core,
// plugins and themes, and SemVer. Any directory of OSV JSON loads unchanged (one object per
// file, an array of objects, or {"vulns": [...]}, as osv.dev and GitHub exports write).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tq::webroot {

// Compares two versions the way Composer (and PHP's version_compare) orders them:
// numeric parts, then stability dev < alpha < beta < RC < (release) < patch (-p1, -pl1).
// A leading "v" is ignored. Returns <0, 0, >0.
int CompareVersions(std::string_view a, std::string_view b);

struct OsvEvent {
  enum Kind { kIntroduced, kFixed, kLastAffected, kLimit } kind;
  std::string version;
};
struct OsvRange {
  std::string type;  // ECOSYSTEM | SEMVER | GIT
  std::vector<OsvEvent> events;
};
struct OsvAffected {
  std::string ecosystem;  // "Packagist", "WordPress", ...
  std::string package;    // "magento/community-edition", "plugin/woocommerce"
  std::vector<OsvRange> ranges;
  std::vector<std::string> versions;  // explicitly listed affected versions
};
struct Advisory {
  std::string id;
  std::vector<std::string> aliases;  // CVE ids
  std::string summary;
  std::string severity;              // database_specific.severity or CVSS vector, if any
  std::string reference;             // first advisory/web reference
  std::vector<OsvAffected> affected;
  std::string source;                // file it came from
  // The CVE alias when there is one, else the id.
  std::string Cve() const;
};

// Parses one OSV JSON document (object, array of objects or {"vulns": [...]}). `source` names
// the file in errors and in Advisory::source.
Result<std::vector<Advisory>> ParseOsv(std::string_view json, const std::string& source);

struct AdvisoryLoad {
  std::vector<Advisory> advisories;
  std::vector<Status> errors;  // one per file that could not be read (the rest still load)
  size_t files = 0;
};
// Loads every *.json file under `dir` (recursively, sorted by path).
AdvisoryLoad LoadAdvisoryDir(const std::string& dir);

// Result of matching one installed package version against one advisory.
struct AdvisoryMatch {
  bool affected = false;
  std::string fixed;  // the lowest fixed version above the installed one ("" when unknown)
};
// OSV semantics: within each range, events sorted by version; introduced sets affected,
// fixed (>=) and last_affected (>) clear it; affected if any range or the versions list says so.
AdvisoryMatch Evaluate(const OsvAffected& affected, std::string_view version);

// Case-insensitive match of the ecosystem (ignoring a ":suffix") and the package name.
bool SamePackage(const OsvAffected& a, std::string_view ecosystem, std::string_view package);

}  // namespace tq::webroot
