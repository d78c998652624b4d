// Access-log line formatting for nginx combined, Apache combined, a custom nginx log_format
// behind a load balancer, and nginx JSON lines. No allocation per line: callers pass a
// buffer that is reused.
#include "drill/logformat.h"

#include <cstdio>
#include <cstring>

#include "drill/internal.h"

namespace tq::drill {

namespace {
const char kMon[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char kHexUp[] = "0123456789ABCDEF";
const char kHexLow[] = "0123456789abcdef";

inline void AppendUint(uint64_t v, std::string* out) {
  char b[24];
  int n = 0;
  do {
    b[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out->push_back(b[--n]);
}

inline void AppendIp(uint32_t ip, std::string* out) {
  AppendUint(ip >> 24, out);
  out->push_back('.');
  AppendUint((ip >> 16) & 255, out);
  out->push_back('.');
  AppendUint((ip >> 8) & 255, out);
  out->push_back('.');
  AppendUint(ip & 255, out);
}

inline void AppendSeconds(uint32_t ms, std::string* out) {
  AppendUint(ms / 1000, out);
  out->push_back('.');
  out->push_back(static_cast<char>('0' + ms / 100 % 10));
  out->push_back(static_cast<char>('0' + ms / 10 % 10));
  out->push_back(static_cast<char>('0' + ms % 10));
}
}  // namespace

void NginxEscape(std::string_view in, std::string* out) {
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
      out->append("\\x");
      out->push_back(kHexUp[c >> 4]);
      out->push_back(kHexUp[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
}

void JsonEscape(std::string_view in, std::string* out) {
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHexLow[c >> 4]);
          out->push_back(kHexLow[c & 15]);
        } else {
          out->push_back(ch);  // nginx passes bytes >= 0x80 through, valid UTF-8 or not
        }
    }
  }
}

void ApacheEscape(std::string_view in, std::string* out) {
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\v': out->append("\\v"); break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out->append("\\x");
          out->push_back(kHexLow[c >> 4]);
          out->push_back(kHexLow[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
}

std::string LogFormatString(LogFormat f) {
  switch (f) {
    case LogFormat::kNginxCombined:
      return "log_format combined '$remote_addr - $remote_user [$time_local] \"$request\" "
             "$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"';";
    case LogFormat::kApacheCombined:
      return "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" "
             "\\\"%{User-agent}i\\\"\" combined";
    case LogFormat::kNginxCustom:
      return "log_format main_ext '$remote_addr - $remote_user [$time_local] \"$request\" "
             "$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" "
             "\"$http_x_forwarded_for\" $host $request_time';";
    case LogFormat::kJsonLines:
      return "log_format json_lines escape=json '{\"time\":\"$time_iso8601\","
             "\"remote_addr\":\"$remote_addr\",\"remote_user\":\"$remote_user\","
             "\"request\":\"$request\",\"status\":$status,\"body_bytes_sent\":$body_bytes_sent,"
             "\"request_time\":$request_time,\"http_referer\":\"$http_referer\","
             "\"http_user_agent\":\"$http_user_agent\","
             "\"http_x_forwarded_for\":\"$http_x_forwarded_for\",\"host\":\"$host\"}';";
  }
  return "";
}

LineFormatter::LineFormatter(LogFormat f, const TimeZone& tz, std::string_view host)
    : f_(f), tz_(tz), host_(host) {}

void LineFormatter::TimeLocal(UnixMicros t) {
  int64_t sec = t / 1000000;
  if (sec == cached_sec_) return;
  cached_sec_ = sec;
  if (sec >= offset_valid_until_ || sec < offset_from_) {
    // Offsets change on the hour or half hour in every zone the drill uses.
    offset_from_ = sec - sec % 1800;
    offset_valid_until_ = offset_from_ + 1800;
    offset_ = tz_.OffsetAt(offset_from_ * 1000000);
  }
  Civil c = ToCivil(sec + offset_);
  int off = offset_ / 60;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  int n;
  if (f_ == LogFormat::kJsonLines) {
    n = std::snprintf(time_, sizeof time_, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year,
                      c.month, c.day, c.hour, c.minute, c.second, sign, off / 60, off % 60);
  } else {
    n = std::snprintf(time_, sizeof time_, "%02d/%s/%04d:%02d:%02d:%02d %c%02d%02d", c.day,
                      kMon[c.month - 1], c.year, c.hour, c.minute, c.second, sign, off / 60,
                      off % 60);
  }
  time_len_ = static_cast<size_t>(n);
}

void LineFormatter::Append(const LineParts& p, std::string* out) {
  TimeLocal(p.t);
  std::string_view time(time_, time_len_);
  switch (f_) {
    case LogFormat::kNginxCombined:
    case LogFormat::kNginxCustom: {
      AppendIp(p.ip, out);
      out->append(" - - [");
      out->append(time);
      out->append("] \"");
      NginxEscape(p.method, out);
      out->push_back(' ');
      NginxEscape(p.uri, out);
      if (!p.proto.empty()) {
        out->push_back(' ');
        out->append(p.proto);
      }
      out->append("\" ");
      AppendUint(static_cast<uint64_t>(p.status), out);
      out->push_back(' ');
      AppendUint(p.bytes, out);
      out->append(" \"");
      if (p.referer.empty()) out->push_back('-'); else NginxEscape(p.referer, out);
      out->append("\" \"");
      if (p.ua.empty()) out->push_back('-'); else NginxEscape(p.ua, out);
      out->push_back('"');
      if (f_ == LogFormat::kNginxCustom) {
        out->append(" \"");
        if (p.xff) AppendIp(p.xff, out); else out->push_back('-');
        out->append("\" ");
        out->append(host_);
        out->push_back(' ');
        AppendSeconds(p.rt_ms, out);
      }
      break;
    }
    case LogFormat::kApacheCombined: {
      AppendIp(p.ip, out);
      out->append(" - - [");
      out->append(time);
      out->append("] \"");
      ApacheEscape(p.method, out);
      out->push_back(' ');
      ApacheEscape(p.uri, out);
      if (!p.proto.empty()) {
        out->push_back(' ');
        out->append(p.proto);
      }
      out->append("\" ");
      AppendUint(static_cast<uint64_t>(p.status), out);
      out->push_back(' ');
      if (p.bytes == 0) out->push_back('-'); else AppendUint(p.bytes, out);
      out->append(" \"");
      if (p.referer.empty()) out->push_back('-'); else ApacheEscape(p.referer, out);
      out->append("\" \"");
      if (p.ua.empty()) out->push_back('-'); else ApacheEscape(p.ua, out);
      out->push_back('"');
      break;
    }
    case LogFormat::kJsonLines: {
      out->append("{\"time\":\"");
      out->append(time);
      out->append("\",\"remote_addr\":\"");
      AppendIp(p.ip, out);
      out->append("\",\"remote_user\":\"\",\"request\":\"");
      JsonEscape(p.method, out);
      out->push_back(' ');
      JsonEscape(p.uri, out);
      if (!p.proto.empty()) {
        out->push_back(' ');
        out->append(p.proto);
      }
      out->append("\",\"status\":");
      AppendUint(static_cast<uint64_t>(p.status), out);
      out->append(",\"body_bytes_sent\":");
      AppendUint(p.bytes, out);
      out->append(",\"request_time\":");
      AppendSeconds(p.rt_ms, out);
      out->append(",\"http_referer\":\"");
      JsonEscape(p.referer, out);
      out->append("\",\"http_user_agent\":\"");
      JsonEscape(p.ua, out);
      out->append("\",\"http_x_forwarded_for\":\"");
      if (p.xff) AppendIp(p.xff, out);
      out->append("\",\"host\":\"");
      out->append(host_);
      out->append("\"}");
      break;
    }
  }
  out->push_back('\n');
}

}  // namespace tq::drill
