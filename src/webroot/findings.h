// Turning scan facts into case findings, and the webroot_* tables (see webroot.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "casefile/casefile.h"
#include "webroot/baseline.h"
#include "webroot/scan.h"
#include "webroot/webroot.h"

namespace tq::webroot {

struct WebFile {
  std::string path;  // normalized relative path
  EvidenceItem item;
  size_t job = 0;  // index into the content jobs / facts
};

struct FindingSink {
  std::vector<Finding> findings;
};

// YARA, misplaced/disguised PHP, integrity (with a baseline), timing and obfuscation.
void CollectFileFindings(const std::vector<WebFile>& files, const std::vector<ContentFacts>& facts,
                         const Baseline* baseline, const std::string& prefix,
                         const std::optional<BreachWindow>& window, WebrootReport& report,
                         FindingSink& sink, const std::vector<std::string>& store_hosts = {});

// Replaces the webroot_* tables and upserts platform and advisory findings (counted in report).
Status RecordPlatform(Db& db, const std::vector<Installation>& installations,
                      const std::vector<std::pair<size_t, VulnerableComponent>>& vulns,
                      WebrootReport& report);

// Declares the webroot_* tables (before the transaction that fills them).
Status EnsureWebrootSchema(Case& c);

// True for directories that hold uploads or generated assets, never PHP.
bool IsNoCodeDirectory(std::string_view path);

// The platform's own code (Magento's app/code/core/Mage, vendor/magento, lib/internal/Magento;
// WordPress's wp-includes and wp-admin; WooCommerce), anywhere in the path, case-insensitive.
bool PlatformCorePath(std::string_view path);
// A database dump by its name (.sql, .sql.gz, .dump, ...).
bool IsDumpName(std::string_view path);

}  // namespace tq::webroot
