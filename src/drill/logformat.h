// One access-log line in each supported format, escaped the way the real server escapes it
// (nginx escape=default / escape=json, Apache ap_escape_logitem). Internal to drill.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"
#include "drill/drill.h"

namespace tq::drill {

struct LineParts {
  UnixMicros t = 0;
  uint32_t ip = 0;
  uint32_t xff = 0;  // the client when ip is a proxy; 0 = none
  std::string_view method, uri, proto;
  int status = 200;
  uint64_t bytes = 0;
  std::string_view referer, ua;
  uint32_t rt_ms = 0;
};

class LineFormatter {
 public:
  LineFormatter(LogFormat f, const TimeZone& tz, std::string_view host);
  // Appends one line, with its trailing newline, to *out.
  void Append(const LineParts& p, std::string* out);

 private:
  void TimeLocal(UnixMicros t);
  LogFormat f_;
  const TimeZone& tz_;
  std::string host_;
  int64_t cached_sec_ = INT64_MIN;
  int64_t offset_valid_until_ = INT64_MIN;  // seconds; offset re-read each hour
  int64_t offset_from_ = INT64_MAX;
  int offset_ = 0;
  char time_[40];
  size_t time_len_ = 0;
};

// Escapes one value as nginx escape=default does ("\xHH" for ", \, controls and bytes >= 0x7f).
void NginxEscape(std::string_view in, std::string* out);
// nginx escape=json.
void JsonEscape(std::string_view in, std::string* out);
// Apache ap_escape_logitem.
void ApacheEscape(std::string_view in, std::string* out);

}  // namespace tq::drill
