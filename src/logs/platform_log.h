// The store platform's own error logs and the web server's, line by line, for the timeline:
// PHP's error_log format ("[08-Mar-2025 11:34:40 UTC] PHP Warning:  ..."; WordPress
// wp-content/debug.log, a host's php_errors.log), Monolog's ("[2024-07-13T00:13:07.000000+00:00]
// main.CRITICAL: ..."; Magento var/log/exception.log, system.log, debug.log), and Apache, nginx
// and PHP-FPM error logs (ParseErrorLogLine). An exploit that errors out (an XXE, a template
// directive) and a webshell's first load often leave a line here that the access log cannot
// show. Lines without a header (stack traces) continue the line before.
// The logs component reads these items (ReadPlatformLogItem) and hands the analysis typed
// lines; the analysis picks those that go on the timeline.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/skipped.h"
#include "core/time.h"

namespace tq::logs {

// A collected file that is a platform error log, by its path.
bool IsPlatformLogPath(std::string_view path);
// A web server or PHP-FPM error log, by its path (error.log, error_log, ssl_error_log,
// shop-error.log.1, php8.2-fpm.log; rotated and compressed copies too). Their lines
// (ParseErrorLogLine) go on the timeline like the platform's own.
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

// A line with a header, of a platform log (ParsePlatformLogLine) or a web server's error log
// (ParseErrorLogLine: its level in Monolog's words, its source as the channel, its text as the
// message). Views are valid during the visitor call only.
struct PlatformLogLine {
  PlatformLogHeader header;
  uint64_t line = 0;    // 1-based in the decompressed item
  uint64_t offset = 0;  // byte offset of the line in the decompressed item
};

struct PlatformLogReadStats {
  int64_t lines = 0, parsed = 0, continuation = 0;
  SkipTally skipped;                  // lines by reason
  std::vector<std::string> problems;  // unreadable or damaged (what came before was read)
};

// Reads one collected error-log item at `path` (plain or compressed), each line once: the
// lines with a header to `visit`, in file order; continuation and skipped lines counted in
// `stats`. Web server error logs' local times are read in `zone`.
void ReadPlatformLogItem(const std::string& path, const TimeZone& zone,
                         const std::function<void(const PlatformLogLine&)>& visit,
                         PlatformLogReadStats* stats);

}  // namespace tq::logs
