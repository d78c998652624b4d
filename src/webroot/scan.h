// The scanning pass over file contents: each distinct content is read once from the
// evidence store (one open + read, no stat: the size is known), measured (PHP tag, image
// magic, longest line, entropy) and run through YARA, on N threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "webroot/normalize.h"
#include "webroot/yara_scan.h"

namespace tq::webroot {

struct ScanJob {
  std::string object_path;  // where the content lives
  uint64_t size = 0;        // expected size
  YaraFileVars vars;        // externals for the rules (from the first path with this content)
  bool run_yara = true;     // false for contents a baseline vouches for
  // Skip YARA when the content is a plain image (image magic, no PHP tag, no <script):
  // none of the shipped rules can match one, and media is most of a store's bytes.
  bool skip_plain_media = false;
  bool measure_lines = false;  // compute longest line and entropy (PHP files only)
  bool normalize = true;       // lex, fold and decode code, then scan each layer again
};

struct RuleHit {
  YaraMatch match;
  uint64_t first_offset = 0;
  uint64_t first_line = 0;  // 1-based
  std::string snippet;      // raw bytes around the first hit (escape when shown)
  std::string layer;        // "" for the raw bytes, else the normalised layer path
};

struct ContentFacts {
  Status error;              // unreadable, oversize or YARA failure (facts below may be partial)
  bool scanned = false;      // YARA ran to completion
  bool plain_media = false;  // skipped as a plain image (see ScanJob::skip_plain_media)
  bool image_magic = false;  // starts like GIF/PNG/JPEG/ICO/WebP
  bool php_tag = false;      // holds "<?php" or "<?="
  bool php_code = false;     // ... with code beyond comments and whitespace
  uint64_t max_line = 0;
  uint64_t long_lines = 0;  // lines over 1000 bytes
  double entropy = 0;       // bits per byte over the whole content
  bool normalized = false;  // lexed and folded (PHP, JS, HTML); hits may name a layer
  bool normalize_truncated = false;
  size_t layers = 0;  // normalised layers scanned (the file itself is one)
  std::vector<CodeTrait> traits;
  std::string licence_encoder;    // "ionCube", "SourceGuardian", "Zend Guard" when one's loader
  bool sql_dump_content = false;  // starts like an SQL dump (or compressed data)
  std::vector<RuleHit> hits;
};

// Scans every job; results are in job order. `rules` may be null (no YARA).
std::vector<ContentFacts> ScanContents(const std::vector<ScanJob>& jobs, const YaraRules* rules,
                                       int threads, int timeout_seconds, uint64_t max_bytes,
                                       const std::function<void(uint64_t, uint64_t)>& progress);

// True when PHP source holds code beyond tags, comments and whitespace ("<?php // Silence is
// golden" is not code). Exposed for tests.
bool PhpHasCode(std::string_view php);

}  // namespace tq::webroot
