// Implementation header of the logs component (included only from its .cc files): the
// built-in parsers' factories and the record helpers they share.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logs/logs.h"

namespace tq::logs {

// Apache / nginx text formats by name (vhost_combined, vhost, nginx-main, combined, common);
// nullptr for another name.
std::unique_ptr<LineParser> TextBuiltin(std::string_view name);
std::vector<std::string> TextBuiltinNames();  // in detection order
// W3C extended log files (IIS, CloudFront, anything with `#Fields:`).
std::unique_ptr<LineParser> W3cFormat();
// ModSecurity serial audit logs (see modsec.cc); whether a line opens an entry's part A.
std::unique_ptr<LineParser> ModSecurityFormat();
bool IsModSecurityBoundary(std::string_view line);
// JSON lines providers' field maps (data/logs/json_fields.tsv, see json_maps.cc): each line
// a provider, a Sigma field (or "time") and the dotted JSON path that holds it.
struct JsonFieldPath {
  std::string provider, field, path;
};
Result<std::vector<JsonFieldPath>> ParseJsonFieldMaps(std::string_view text, std::string_view name);
// The shipped file's maps, read once (an error names the file and line).
const Result<std::vector<JsonFieldPath>>& ShippedJsonFieldMaps();
// JSON lines with these provider maps instead of the shipped ones.
Result<std::unique_ptr<LineParser>> JsonLinesFormatWithMaps(
    const std::map<std::string, std::string>& field_map, const std::vector<JsonFieldPath>& maps);
// Apache / nginx / PHP-FPM error logs (see errorlog.cc).
std::unique_ptr<LineParser> ErrorLogFormat();
// Load balancer and proxy logs: "alb", "elb", "haproxy", "s3"; nullptr for another name.
std::unique_ptr<LineParser> ProxyFormat(std::string_view name);
std::vector<std::string> ProxyFormatNames();

// Record helpers: a field with its present bit; a request target split into path and query;
// a request line ("GET /x HTTP/1.1") split into method, target and version.
void SetRecordField(AccessLogRecord& r, Field f, std::string_view v);
void SplitTarget(AccessLogRecord& r, std::string_view uri);
void SplitRequestLine(AccessLogRecord& r, std::string_view req);

// Unix time in seconds, milli-, micro- or nanoseconds (told apart by the number of integer
// digits: 10, 13, 16, 19), with an optional fraction, to microseconds.
bool ParseEpoch(std::string_view s, UnixMicros* out);

}  // namespace tq::logs
