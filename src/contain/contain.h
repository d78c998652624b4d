// contain: the containment plan, derived from the case's findings. Tourniquet never touches
// the live store: it writes blocklists, a reviewed shell script (dry run by default) and one
// task per step; the operator runs the script.
//
// Reads: attackers / attacker_addresses (analysis), findings webroot.* (files, advisories),
// webroot_platform (fixed_version), storedb.* (rogue admins, tokens, injected scripts, config
// changes), host.* (cron entries, PHP prepends, vhosts, SSH keys, processes, history),
// analysis.exfiltration (dumps left in the web root), evidence_items (what collect holds; the
// secret-holding config files, read from their objects for key names only). Writes under
// <case>/reports/contain/: plan.md, blocklist-nginx.conf, blocklist-apache.conf,
// blocklist.nft, blocklist.csv, contain.sh; tasks (source 'contain').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"

namespace tq::contain {

struct Options {
  std::vector<std::string> allow;  // responders' addresses: allowed through maintenance, never
                                   // blocked
  std::string platform;            // override; '' = case / web root platform
};

struct Step {
  std::string key;       // stable: task dedupe key "contain:<key>"
  std::string category;  // block | maintenance | quarantine | account | token | secret |
                         // database | persistence | fix | hardening
  std::string title;     // one line, raw (escape when shown); never a secret's value
  std::string reason;
  std::vector<std::string> evidence;  // "finding 12: ...", "sha256 ..."
  std::vector<std::string> commands;  // shell lines for contain.sh (already quoted)
  std::optional<int64_t> finding_id;
  std::string warning;  // e.g. not collected yet
};

struct Root {              // a collected web root, as contain.sh names it
  std::string var;         // ROOT1, ROOT2, ...
  std::string source;      // what collect was given (a directory, an archive, "-")
  bool directory = false;  // false: the operator sets the variable to the live directory
};

struct Plan {
  std::string platform, version, fixed_version;
  std::vector<Root> roots;
  std::vector<std::string> blocked;      // addresses / CIDRs in the blocklists
  std::vector<std::string> not_blocked;  // attacker addresses left out (allowlisted/invalid)
  std::vector<std::string> secrets;      // names of secrets to rotate
  std::vector<Step> steps;               // ordered
  std::vector<std::string> warnings;
  std::vector<std::string> files_written;  // relative to the case dir
};

// Builds the plan from the case (read only).
Result<Plan> BuildPlan(Case& c, const Options& options);
// Writes the files under <case>/reports/contain/ and the tasks (in the caller's transaction).
Status WritePlan(Case& c, Db& db, Plan& plan);

// Helpers (tested): a valid IPv4/IPv6 address or CIDR; single-quoted shell word; any bytes
// as printable ASCII that printf's %b turns back into exactly those bytes (file names from
// evidence are written into contain.sh this way: no raw escape bytes, still the exact file).
bool ValidAddress(std::string_view a);
std::string ShellQuote(std::string_view s);
std::string PrintfBytes(std::string_view s);

}  // namespace tq::contain
