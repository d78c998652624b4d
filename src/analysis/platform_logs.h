// The store platform's own error logs and the web server's, for the timeline: the logs
// component reads each item and hands over its lines with a header (logs/platform_log.h);
// here the lines that name an attacker's file or address, and the errors inside the attack
// window, are picked (their lines also go through the rules in the logs stage).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analysis.h"
#include "casefile/casefile.h"
#include "core/skipped.h"
#include "core/time.h"

namespace tq::analysis {

// Which lines go on the timeline: those that name an attacker's file or address, and errors
// (or worse) inside the attack window.
struct PlatformLogSelect {
  std::vector<std::string> needles;  // artifact paths, attacker addresses
  std::optional<UnixMicros> from, to;
  size_t max_events = 5000;
};

struct PlatformLogStats {
  int64_t files = 0, lines = 0, parsed = 0, continuation = 0, selected = 0, dropped = 0;
  SkipTally skipped;                  // lines by reason
  std::vector<std::string> problems;  // "path: what went wrong"
};

// Reads every collected platform log of the case and appends the selected lines, by time.
Status ReadPlatformLogs(Case& c, const PlatformLogSelect& select, std::vector<PlatformEvent>* out,
                        PlatformLogStats* stats);

}  // namespace tq::analysis
