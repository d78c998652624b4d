// The web root investigation: every collected web-root file (evidence label "webroot") is
// scanned with YARA (our pack in rules/yara plus the user's rules), checked for integrity
// (against a known-good baseline when one is given, by placement, timing and obfuscation
// heuristics otherwise), and the installed platform, its version and every plugin/package
// are identified and matched against OSV advisories.
//
// Findings (core `findings` table, component "webroot"), one per file and reason:
//   webroot.yara            a rule matched: rule, namespace, family, offsets, escaped snippet
//   webroot.misplaced_php   PHP where none belongs (pub/media, pub/static, wp-content/uploads..)
//   webroot.disguised_php   PHP code inside a file named or shaped like an image
//   webroot.integrity       added / modified / removed against the baseline
//   webroot.timing          code file changed inside the breach window (from the log stage's
//                           high/critical findings), or much newer than its siblings
//   webroot.obfuscation     PHP dominated by long high-entropy lines
//   webroot.platform        the platform and version found (info)
//   webroot.advisory        an installed version an advisory covers, with the fixed version
// Every file finding's detail JSON holds path, sha256, size, mtime and ctime (RFC 3339).
//
// Tables written (replaced on each run; later stages such as contain and report read them):
//   webroot_platform(id, root, platform, edition, version, evidence_path, fixed_version)
//       one row per installation; root is the directory within the collected tree ("" = top);
//       fixed_version: the lowest version that closes every advisory on the platform's own
//       package (magento/product-*, wordpress, plugin/woocommerce, ...), "" when none applies
//   webroot_package(platform_id, ecosystem, name, title, version, source_path)
//       every package/plugin/theme with its installed version
//   webroot_vulnerability(platform_id, ecosystem, name, version, advisory_id, cve, summary,
//                         severity, fixed, reference, finding_id)
//       each advisory covering an installed version; `fixed` is the lowest fixed version
//       above it ("" when the advisory names none): the upgrade the containment plan needs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "webroot/platform.h"

namespace tq::webroot {

struct WebrootOptions {
  std::vector<std::string> yara_paths;     // rule files or directories (pack first)
  std::vector<std::string> advisory_dirs;  // OSV JSON directories (shipped first)
  std::string baseline;                    // tree, archive or manifest; "" = none
  std::string cache_dir;                   // compiled-rule cache; "" = no cache
  uint64_t max_file_bytes = 64ull << 20;   // larger files are reported, not scanned
  int timeout_seconds = 30;                // per file
  int threads = 2;
  // Leave plain images (image magic, no PHP, no <script>) out of the YARA pass. Only safe
  // when every rule targets text, as the shipped pack does; off when the user adds rules.
  bool skip_plain_media = false;
  // Called from the scanning threads' coordinator with bytes done so far (may be empty).
  std::function<void(uint64_t bytes_done, uint64_t files_done)> progress;
};

struct VulnerableComponent {
  std::string ecosystem, package, version;
  std::string advisory_id, cve, summary, severity, fixed, reference;
};

struct WebrootReport {
  uint64_t files = 0;            // web-root file items in the case
  uint64_t unique_contents = 0;  // distinct SHA-256 among them
  uint64_t scanned = 0;          // contents YARA scanned
  uint64_t bytes_scanned = 0;
  uint64_t vouched = 0;      // contents skipped because the baseline vouches for them
  uint64_t oversize = 0;     // contents over max_file_bytes (reported, not scanned)
  uint64_t plain_media = 0;  // plain images left out of the YARA pass
  uint64_t rules = 0;
  bool rules_from_cache = false;
  uint64_t advisories = 0;
  uint64_t added = 0, modified = 0, removed = 0, unchanged = 0;  // with a baseline
  std::vector<Installation> installations;
  std::vector<VulnerableComponent> vulnerable;
  std::map<std::string, int64_t> findings_by_kind;
  int64_t findings = 0;
  std::vector<Status> item_errors;  // unreadable objects, rule files, advisories, timeouts
};

// Runs the whole web-root investigation and records it in the case (own transaction):
// ListWebroot, ScanWebroot and RecordWebroot in turn.
// `window`: the breach window the stages before this one established (the investigate command
// takes it from analysis::LogsWindow); file times inside it are timing findings.
Result<WebrootReport> InvestigateWebroot(Case& c, const WebrootOptions& options,
                                         const std::optional<BreachWindow>& window = std::nullopt);

// The investigation in three parts, so that its heavy middle can run while other stages do.
// Only the middle needs no result of another stage: the window that timing findings are
// judged against comes from the logs stage's findings, read by RecordWebroot.
struct WebrootScan;
// The web-root files of the case (reads the case database: the case's thread).
Result<std::shared_ptr<WebrootScan>> ListWebroot(Case& c);
// The baseline, the platform and advisory matching, and every distinct content through the
// rules (ScanContents, on options.threads). Reads evidence objects and rule and advisory
// files, never the case: safe on another thread while the case is in use, and after it closed.
Status ScanWebroot(const WebrootOptions& options, WebrootScan& scan);
// The findings and tables from a finished scan, file times judged against `window`, in one
// transaction (the case's thread).
Result<WebrootReport> RecordWebroot(Case& c, WebrootScan& scan,
                                    const std::optional<BreachWindow>& window);

// Where the shipped data is: $TOURNIQUET_DATA_DIR, else the first ancestor of the running
// binary that holds `relative` (a source or build tree), else /usr/share/tourniquet.
std::string ShippedPath(std::string_view relative);

}  // namespace tq::webroot
