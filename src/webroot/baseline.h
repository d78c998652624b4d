// A known-good baseline of a web root: path -> SHA-256, from a clean tree, a release archive
// (anything libarchive reads: tar, tar.gz, tar.bz2, tar.xz, tar.zst, zip) or a hash manifest
// in sha256sum's format ("<64 hex>  path" or "<64 hex> *path", one per line).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/skipped.h"

namespace tq::webroot {

struct Baseline {
  std::string source;                        // what it was read from
  std::string kind;                          // tree | archive | manifest
  std::map<std::string, std::string> files;  // relative path -> sha256 hex
  std::set<std::string> hashes;              // every content hash it vouches for
  std::vector<SkippedInput> skipped;         // malformed manifest lines, unreadable members
};

// Reads PATH as a directory, an archive or a manifest (decided by content, not by name).
Result<Baseline> LoadBaseline(const std::string& path);
// Parses manifest text; malformed lines go to `skipped` (source, line, offset, length, why).
Baseline ParseManifest(std::string_view text, const std::string& source);

// The directory prefix ("" or "htdocs/") that, stripped from the evidence paths, makes the
// most of them line up with the baseline's paths.
std::string AlignPrefix(const std::vector<std::string>& evidence_paths, const Baseline& b);

}  // namespace tq::webroot
