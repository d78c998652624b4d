// Web server and PHP-FPM error logs, read after each server's documentation, one line at a
// time, each line by its own shape:
//   Apache 2.4 (ErrorLogFormat default):
//     [Fri Oct 10 13:55:36.123456 2025] [core:error] [pid 35708:tid 4328636416] [client
//     203.0.113.9:51234] AH00128: File does not exist: /var/www/html/x, referer: http://r/
//   Apache 2.2:
//     [Fri Oct 10 13:55:36 2025] [error] [client 203.0.113.9] File does not exist: /var/www/x
//   nginx (ngx_log_error):
//     2025/10/10 13:55:36 [error] 1234#1234: *5678 open() "/x" failed (2: No such file or
//     directory), client: 203.0.113.9, server: shop.example, request: "GET /x HTTP/1.1",
//     host: "shop.example"
//   PHP-FPM's master log (php-fpm.conf error_log):
//     [10-Oct-2025 13:55:36] WARNING: [pool www] child 4321 exited on signal 11 (SIGSEGV)
// None of them writes a zone: times are the server's local time, read in the zone given with
// SetLocalZone (the case's time zone), else as UTC. A record holds the time, the message
// (`message`), the client when the line names one (Apache 2.4 writes "address:port"), and for
// nginx the request, host and referrer; lines without a client (a worker that crashed) are
// records too, for rules on the message. Records are RecordKind::kErrorLine.
#include <algorithm>
#include <array>
#include <cstring>

#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {
namespace {

bool Fail(std::string_view* reason, std::string_view why) {
  *reason = why;
  return false;
}

int Num(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int Month(std::string_view m) {
  static constexpr std::array<std::string_view, 12> kMon = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto it = std::find(kMon.begin(), kMon.end(), m);
  return it == kMon.end() ? 0 : static_cast<int>(it - kMon.begin()) + 1;
}

// ".123456" after the seconds (to nanoseconds, kept to microseconds); `at` moves past it.
bool Fraction(std::string_view s, size_t* at, int64_t* micros) {
  *micros = 0;
  if (*at >= s.size() || s[*at] != '.') return true;
  int n = 0;
  size_t i = *at + 1;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n) {
    if (n >= 9) return false;
    if (n < 6) *micros = *micros * 10 + (s[i] - '0');
  }
  if (n == 0) return false;
  for (; n < 6; ++n) *micros *= 10;
  *at = i;
  return true;
}

class LineReader {
 public:
  explicit LineReader(const TimeZone& zone) : zone_(zone) {}
  bool Read(std::string_view line, ErrorLogLine& r, std::string_view* reason) {
    r = ErrorLogLine{};
    if (line.size() >= 20 && line[4] == '/' && line[7] == '/') return Nginx(line, r, reason);
    if (line.size() >= 22 && line[0] == '[' && line[3] == '-' && line[7] == '-')
      return Fpm(line, r, reason);
    if (line.size() >= 26 && line[0] == '[' && line[4] == ' ' && line[8] == ' ')
      return Apache(line, r, reason);
    return Fail(reason, "format mismatch");
  }

 private:
  bool Time(int y, int mo, int d, int h, int mi, int s, int64_t frac, ErrorLogLine& r,
            std::string_view* reason) {
    if (y < 0 || mo <= 0 || d < 0 || h < 0 || mi < 0 || s < 0 ||
        !CheckCivil(y, mo, d, h, mi, s).empty())
      return Fail(reason, "bad timestamp");
    int64_t local = (DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                     h * 3600 + mi * 60 + s) *
                        1000000LL +
                    frac;
    r.time = zone_.LocalToUtc(local);
    return true;
  }

  bool SetClient(std::string_view c, ErrorLogLine& r, std::string_view* reason) {
    if (ClassifyClient(c) == AddressKind::kNone) return Fail(reason, kSkipClient);
    r.client = c;
    return true;
  }

  // "2025/10/10 13:55:36 [error] 1234#1234: *5678 message, client: a, server: s, request:
  // "GET / HTTP/1.1", host: "h"" (nginx writes the context after the message, in this order).
  bool Nginx(std::string_view line, ErrorLogLine& r, std::string_view* reason) {
    if (line[10] != ' ' || line[13] != ':' || line[16] != ':')
      return Fail(reason, "format mismatch");
    if (!Time(Num(line, 0, 4), Num(line, 5, 2), Num(line, 8, 2), Num(line, 11, 2), Num(line, 14, 2),
              Num(line, 17, 2), 0, r, reason))
      return false;
    if (line.size() < 22 || line[19] != ' ' || line[20] != '[')
      return Fail(reason, "format mismatch");
    size_t close = line.find("] ", 21);
    if (close == std::string_view::npos || close > 32) return Fail(reason, "format mismatch");
    r.source = "nginx";
    r.level = line.substr(21, close - 21);
    std::string_view rest = line.substr(close + 2);
    size_t colon = rest.find(": ");  // after "pid#tid"
    if (colon == std::string_view::npos || colon > 48 ||
        rest.substr(0, colon).find('#') == std::string_view::npos)
      return Fail(reason, "format mismatch");
    std::string_view msg = rest.substr(colon + 2);
    r.text = msg;
    // The context nginx appends; a message may itself contain ", client: " (it quotes what
    // the client sent), so the last one is taken.
    size_t ctx = msg.rfind(", client: ");
    if (ctx != std::string_view::npos) {
      std::string_view tail = msg.substr(ctx + 10);
      msg = msg.substr(0, ctx);
      size_t e = tail.find(", ");
      if (!SetClient(tail.substr(0, e), r, reason)) return false;
      tail = e == std::string_view::npos ? std::string_view() : tail.substr(e + 2);
      while (!tail.empty()) {
        size_t c2 = tail.find(": ");
        if (c2 == std::string_view::npos) break;
        std::string_view key = tail.substr(0, c2);
        std::string_view v = tail.substr(c2 + 2);
        std::string_view value;
        if (v.starts_with('"')) {  // quoted, with \" inside escaped as nginx does ("\x22")
          size_t q = v.find('"', 1);
          if (q == std::string_view::npos) return Fail(reason, "unterminated quoted value");
          value = v.substr(1, q - 1);
          v = v.substr(q + 1);
        } else {
          size_t c3 = v.find(", ");
          value = v.substr(0, c3);
          v = c3 == std::string_view::npos ? std::string_view() : v.substr(c3);
        }
        if (key == "request")
          r.request = value;
        else if (key == "host")
          r.host = value;
        else if (key == "referrer")
          r.referer = value;
        tail = v.starts_with(", ") ? v.substr(2) : std::string_view();
      }
    }
    r.message = msg;
    return true;
  }

  // "[10-Oct-2025 13:55:36] WARNING: [pool www] ..." (php-fpm may add ".123456").
  bool Fpm(std::string_view line, ErrorLogLine& r, std::string_view* reason) {
    if (line[12] != ' ' || line[15] != ':' || line[18] != ':')
      return Fail(reason, "format mismatch");
    size_t at = 21;
    int64_t frac = 0;
    if (!Fraction(line, &at, &frac)) return Fail(reason, "bad timestamp");
    if (at >= line.size() || line[at] != ']') return Fail(reason, "format mismatch");
    if (!Time(Num(line, 8, 4), Month(line.substr(4, 3)), Num(line, 1, 2), Num(line, 13, 2),
              Num(line, 16, 2), Num(line, 19, 2), frac, r, reason))
      return false;
    std::string_view rest = line.substr(std::min(line.size(), at + 2));
    size_t colon = rest.find(": ");
    if (colon == std::string_view::npos || colon > 10) return Fail(reason, "format mismatch");
    r.source = "php-fpm";
    r.level = rest.substr(0, colon);
    r.message = r.text = rest.substr(colon + 2);
    return true;
  }

  // "[Fri Oct 10 13:55:36.123456 2025] [module:level] [pid N:tid T] [client a:p] message"
  // (2.4), "[Fri Oct 10 13:55:36 2025] [level] [client a] message" (2.2).
  bool Apache(std::string_view line, ErrorLogLine& r, std::string_view* reason) {
    size_t close = line.find(']');
    if (close == std::string_view::npos || close > 40) return Fail(reason, "format mismatch");
    std::string_view t = line.substr(1, close - 1);  // "Fri Oct 10 13:55:36.123456 2025"
    if (t.size() < 24 || t[10] != ' ' || t[13] != ':' || t[16] != ':')
      return Fail(reason, "format mismatch");
    size_t at = 19;
    int64_t frac = 0;
    if (!Fraction(t, &at, &frac) || at + 5 != t.size() || t[at] != ' ')
      return Fail(reason, "bad timestamp");
    int day = t[8] == ' ' ? Num(t, 9, 1) : Num(t, 8, 2);
    if (!Time(Num(t, at + 1, 4), Month(t.substr(4, 3)), day, Num(t, 11, 2), Num(t, 14, 2),
              Num(t, 17, 2), frac, r, reason))
      return false;
    std::string_view rest = line.substr(close + 1);
    r.source = "apache";
    r.text = rest.starts_with(' ') ? rest.substr(1) : rest;
    bool v24 = false;
    // The bracketed parts: [module:level] or [level], [pid ...], [client ...], [remote ...].
    while (rest.starts_with(" [")) {
      size_t e = rest.find(']');
      if (e == std::string_view::npos) return Fail(reason, "format mismatch");
      std::string_view part = rest.substr(2, e - 2);
      rest = rest.substr(e + 1);
      if (part.starts_with("pid ") || part.starts_with("remote ")) {
        v24 = true;
      } else if (part.starts_with("client ")) {
        std::string_view c = part.substr(7);
        // 2.4 writes the port after the address ("2001:db8::5:40000" too); 2.2 does not.
        if (v24) {
          size_t p = c.rfind(':');
          if (p == std::string_view::npos) return Fail(reason, kSkipClient);
          c = c.substr(0, p);
        }
        if (!SetClient(c, r, reason)) return false;
        break;
      } else if (part.find(' ') != std::string_view::npos) {
        break;  // not a header part: the message starts with a bracket
      } else if (size_t c = part.find(':'); c != std::string_view::npos) {
        v24 = true;  // [core:error]
        if (r.level.empty()) r.level = part.substr(c + 1);
      } else if (r.level.empty()) {
        r.level = part;  // 2.2: [error]
      }
    }
    if (rest.starts_with(' ')) rest.remove_prefix(1);
    // ", referer: URL" that 2.4 appends to the message.
    if (size_t ref = rest.rfind(", referer: "); ref != std::string_view::npos) {
      r.referer = rest.substr(ref + 11);
      rest = rest.substr(0, ref);
    }
    r.message = rest;
    return true;
  }

  const TimeZone& zone_;
};

class ErrorLogParser : public LineParser {
 public:
  const std::string& name() const override { return name_; }
  std::unique_ptr<LineParser> Clone() const override {
    auto p = std::make_unique<ErrorLogParser>();
    p->trusted_ = trusted_;
    p->zone_ = zone_;
    return p;
  }
  bool FieldsViewLine() const override { return true; }
  void SetLocalZone(const TimeZone& zone) override { zone_ = zone; }

  bool Parse(std::string_view line, AccessLogRecord& r, std::string_view* reason) override {
    r.present = 0;
    r.field = {};
    r.kind = RecordKind::kErrorLine;
    r.has_time = false;
    r.line = line;
    r.source = nullptr;
    ErrorLogLine e;
    if (!LineReader(zone_).Read(line, e, reason)) return false;
    r.time = e.time;
    r.has_time = true;
    if (!e.client.empty()) SetRecordField(r, Field::kClientIp, e.client);
    if (!e.request.empty()) SplitRequestLine(r, e.request);
    if (!e.host.empty()) SetRecordField(r, Field::kHost, e.host);
    if (!e.referer.empty()) SetRecordField(r, Field::kReferer, e.referer);
    SetRecordField(r, Field::kMessage, e.message);
    return true;
  }

 private:
  std::string name_ = "error";
  TimeZone zone_ = TimeZone::Utc();
};

}  // namespace

bool ParseErrorLogLine(std::string_view line, const TimeZone& zone, ErrorLogLine* out,
                       std::string_view* reason) {
  return LineReader(zone).Read(line, *out, reason);
}

std::unique_ptr<LineParser> ErrorLogFormat() { return std::make_unique<ErrorLogParser>(); }

}  // namespace tq::logs
