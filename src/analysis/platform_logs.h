// The store platform's own error logs, for the timeline: PHP's error_log format
// ("[08-Mar-2025 11:34:40 UTC] PHP Warning:  ..."; WordPress wp-content/debug.log, a host's
// php_errors.log) and Monolog's ("[2024-07-13T00:13:07.000000+00:00] main.CRITICAL: ...";
// Magento var/log/exception.log, system.log, debug.log). An exploit that errors out (an XXE,
// a template directive) and a webshell's first load often leave a line here that the access
// log cannot show. Lines without a header (stack traces) continue the line before. Apache,
// nginx and PHP-FPM error logs are read here too, for the timeline (their lines also go
// through the rules in the logs stage).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analysis.h"
#include "casefile/casefile.h"
#include "core/time.h"

namespace tq::analysis {

// A collected file that is a platform error log, by its path.
bool IsPlatformLogPath(std::string_view path);
// A web server or PHP-FPM error log, by its path (error.log, error_log, ssl_error_log,
// shop-error.log.1, php8.2-fpm.log; rotated and compressed copies too). Their lines
// (logs::ParseErrorLogLine) go on the timeline like the platform's own.
bool IsErrorLogPath(std::string_view path);
// An Apache / nginx / PHP-FPM level ("crit", "warn", "WARNING") in Monolog's words.
std::string ErrorLogLevel(std::string_view level);

struct PlatformLogHeader {
  UnixMicros time = 0;
  std::string level;         // DEBUG INFO NOTICE WARNING ERROR CRITICAL ALERT EMERGENCY
  std::string channel;       // Monolog channel ("main"); "php" for PHP's format
  std::string_view message;  // the rest of the line
};

// Parses a line's header. nullopt with `why` empty: no header (a continuation line);
// nullopt with `why` set: a header that does not hold (an impossible date, an unknown zone).
std::optional<PlatformLogHeader> ParsePlatformLogLine(std::string_view line, std::string* why);

// Error or worse (ERROR, CRITICAL, ALERT, EMERGENCY).
bool IsErrorLevel(std::string_view level);

// Which lines go on the timeline: those that name an attacker's file or address, and errors
// (or worse) inside the attack window.
struct PlatformLogSelect {
  std::vector<std::string> needles;  // artifact paths, attacker addresses
  std::optional<UnixMicros> from, to;
  size_t max_events = 5000;
};

struct PlatformLogStats {
  int64_t files = 0, lines = 0, parsed = 0, continuation = 0, selected = 0, dropped = 0;
  std::map<std::string, int64_t> skipped;  // reason -> lines
  std::vector<std::string> problems;       // "path: what went wrong"
};

// Reads every collected platform log of the case and appends the selected lines, by time.
Status ReadPlatformLogs(Case& c, const PlatformLogSelect& select, std::vector<PlatformEvent>* out,
                        PlatformLogStats* stats);

}  // namespace tq::analysis
