// The access records of a case's collected logs, for the investigation's two passes: every
// log item (label "logs") read from the evidence store with the logs component's readers
// and parsers, converted to AccessRecord views.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analysis.h"
#include "casefile/casefile.h"

namespace tq::analysis {

struct LogReadOptions {
  std::string log_format;  // '' = detect per file (as the logs stage does)
  std::map<std::string, std::string> json_field_map;
};

struct LogReadStats {
  int64_t files = 0, lines = 0, parsed = 0, skipped = 0;
  std::vector<Status> problems;  // per file: unreadable, damaged (what came before is used)
};

// A RecordSource over every collected log file. `stats` (may be null) is filled by the
// first pass; it must outlive the source.
RecordSource CollectedLogRecords(Case& c, LogReadOptions options, LogReadStats* stats);

// The session a Cookie header carries (PHP, Magento frontend/admin, WordPress logged-in and
// WooCommerce session cookies), as "name=value"; '' when none.
std::string_view SessionFromCookie(std::string_view cookie);

}  // namespace tq::analysis
