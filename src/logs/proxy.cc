// Load balancer, CDN-origin and proxy access logs, each read after its documentation:
//   alb      AWS Application Load Balancer ("type time elb client:port target:port ...
//            "request" "user_agent" ...")
//   elb      AWS Classic Load Balancer ("time elb client:port backend:port ... "request"
//            "user_agent" ssl_cipher ssl_protocol")
//   haproxy  HAProxy's HTTP log format (`option httplog`), alone or behind a syslog header:
//            "client:port [06/Feb/2009:12:14:14.655] frontend backend/server Tr/Tw/Tc/Tr/Ta
//            status bytes ... {captured headers} "request""
//   s3       Amazon S3 server access logs ("owner bucket [time] remote_ip requester id op key
//            "request" status ...")
// A line is split into values at spaces, a "quoted", [bracketed] or {braced} value being one;
// every field is a view into the line. Absolute request targets (load balancers log
// "GET http://host:80/path HTTP/1.1") keep the path as the target and the host as cs-host.
#include <cstring>

#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {
namespace {

bool Fail(std::string_view* reason, std::string_view why) {
  *reason = why;
  return false;
}

// Splits `line` into values; false when a quote or bracket is not closed.
bool Tokenize(std::string_view line, std::vector<std::string_view>* out, size_t max = 64) {
  out->clear();
  size_t p = 0;
  while (p < line.size() && out->size() < max) {
    while (p < line.size() && line[p] == ' ') ++p;
    if (p >= line.size()) break;
    char open = line[p];
    char close = open == '"' ? '"' : open == '[' ? ']' : open == '{' ? '}' : 0;
    if (close) {
      size_t e = p + 1;
      for (;;) {
        e = line.find(close, e);
        if (e == std::string_view::npos) return false;
        if (close == '"' && line[e - 1] == '\\') {  // \" inside a quoted value
          size_t bs = 0;
          for (size_t k = e; k > p + 1 && line[k - 1] == '\\'; --k) ++bs;
          if (bs % 2) {
            ++e;
            continue;
          }
        }
        break;
      }
      out->push_back(line.substr(p + 1, e - p - 1));
      p = e + 1;
    } else {
      size_t e = line.find(' ', p);
      if (e == std::string_view::npos) e = line.size();
      out->push_back(line.substr(p, e - p));
      p = e;
    }
  }
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "203.0.113.7:5123" or "2001:db8::7:5123" (the port after the last colon): the address.
bool SplitHostPort(std::string_view v, std::string_view* addr) {
  size_t c = v.rfind(':');
  if (c == std::string_view::npos || !AllDigits(v.substr(c + 1))) return false;
  std::string_view a = v.substr(0, c);
  if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  *addr = a;
  return true;
}

// A request line; an absolute target ("http://host:80/p?q") keeps its path, and its host
// goes to cs-host.
void Request(AccessLogRecord& r, std::string_view req) {
  SplitRequestLine(r, req);
  std::string_view uri = r.get(Field::kUri);
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos || scheme > 8 || uri.empty() || uri[0] == '/') return;
  size_t slash = uri.find('/', scheme + 3);
  std::string_view host =
      uri.substr(scheme + 3, (slash == std::string_view::npos ? uri.size() : slash) - scheme - 3);
  SetRecordField(r, Field::kHost, host);
  SplitTarget(r, slash == std::string_view::npos ? std::string_view("/") : uri.substr(slash));
}

bool Status3(std::string_view s) { return s.size() == 3 && AllDigits(s); }

bool Iso(std::string_view v, AccessLogRecord& r) {
  Result<UnixMicros> t = ParseIso8601(v, TimeZone::Utc());
  if (!t.ok()) return false;
  r.time = *t;
  r.has_time = true;
  return true;
}

class ProxyParser : public LineParser {
 public:
  enum Kind { kAlb, kElb, kHaproxy, kS3 };
  ProxyParser(Kind k, std::string name) : kind_(k), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  std::unique_ptr<LineParser> Clone() const override {
    auto p = std::make_unique<ProxyParser>(kind_, name_);
    p->trusted_ = trusted_;
    return p;
  }
  bool FieldsViewLine() const override { return true; }

  bool Parse(std::string_view line, AccessLogRecord& r, std::string_view* reason) override {
    r.present = 0;
    r.field = {};
    r.has_time = false;
    r.line = line;
    r.source = nullptr;
    if (!Tokenize(line, &tok_)) return Fail(reason, "unterminated quoted value");
    bool ok = false;
    switch (kind_) {
      case kAlb: ok = Alb(r, reason); break;
      case kElb: ok = Elb(r, reason); break;
      case kHaproxy: ok = Haproxy(line, r, reason); break;
      case kS3: ok = S3(r, reason); break;
    }
    if (!ok) return false;
    if (ClassifyClient(r.get(Field::kClientIp)) == AddressKind::kNone)
      return Fail(reason, kSkipClient);
    return true;
  }

 private:
  // The client from "address:port" ("-" when the load balancer never got one: skipped).
  bool Client(std::string_view v, AccessLogRecord& r, std::string_view* reason) {
    std::string_view a;
    if (!SplitHostPort(v, &a)) return Fail(reason, kSkipClient);
    SetRecordField(r, Field::kClientIp, a);
    return true;
  }
  bool Alb(AccessLogRecord& r, std::string_view* reason) {
    static constexpr std::string_view kTypes[] = {"http", "https", "h2", "grpcs", "ws", "wss"};
    const auto& t = tok_;
    if (t.size() < 15) return Fail(reason, "format mismatch");
    bool type_ok = false;
    for (std::string_view k : kTypes) type_ok |= t[0] == k;
    if (!type_ok) return Fail(reason, "format mismatch");
    if (!Iso(t[1], r)) return Fail(reason, "bad timestamp");
    if (!Client(t[3], r, reason)) return false;
    return Common(r, reason, 5, 8, 10);
  }
  bool Elb(AccessLogRecord& r, std::string_view* reason) {
    const auto& t = tok_;
    if (t.size() < 13 || t[0].size() < 20 || t[0][4] != '-') return Fail(reason, "format mismatch");
    if (!Iso(t[0], r)) return Fail(reason, "bad timestamp");
    if (!Client(t[2], r, reason)) return false;
    return Common(r, reason, 4, 7, 9);
  }
  // ALB and ELB from the processing times on: request, target, response times (seconds, -1
  // when the target was never reached), the balancer's and the target's statuses, bytes in
  // and out, the request and the user agent.
  bool Common(AccessLogRecord& r, std::string_view* reason, size_t times, size_t status,
              size_t bytes) {
    const auto& t = tok_;
    SetRecordField(r, Field::kTimeTaken, t[times + 1]);
    if (!Status3(t[status]) && t[status] != "-") return Fail(reason, "bad status");
    SetRecordField(r, Field::kStatus, t[status]);
    if (!AllDigits(t[bytes]) || !AllDigits(t[bytes + 1])) return Fail(reason, "bad byte count");
    SetRecordField(r, Field::kBytesReceived, t[bytes]);
    SetRecordField(r, Field::kBytesSent, t[bytes + 1]);
    Request(r, t[bytes + 2]);
    SetRecordField(r, Field::kUserAgent, t[bytes + 3] == "-" ? std::string_view() : t[bytes + 3]);
    return true;
  }
  bool Haproxy(std::string_view line, AccessLogRecord& r, std::string_view* reason) {
    const auto& t = tok_;
    // The log proper starts at "client:port [date]", after whatever header syslog or the
    // container runtime put in front.
    size_t i = 0;
    for (; i + 12 <= t.size() && i < 12; ++i) {
      std::string_view d = t[i + 1];
      if (d.size() >= 20 && d[2] == '/' && d[6] == '/' && d[11] == ':' &&
          t[i].find(':') != std::string_view::npos && t[i].data() + t[i].size() + 2 == d.data())
        break;
    }
    if (i + 12 > t.size() || i >= 12) return Fail(reason, "format mismatch");
    if (!Client(t[i], r, reason)) return false;
    // 06/Feb/2009:12:14:14.655, the proxy's local time: read as UTC.
    std::string_view d = t[i + 1];
    std::string_view whole = d.substr(0, 20);
    int64_t frac = 0;
    if (d.size() > 20) {
      if (d[20] != '.') return Fail(reason, "bad timestamp");
      int n = 0;
      for (size_t k = 21; k < d.size(); ++k, ++n) {
        if (d[k] < '0' || d[k] > '9' || n >= 9) return Fail(reason, "bad timestamp");
        if (n < 6) frac = frac * 10 + (d[k] - '0');
      }
      for (; n < 6; ++n) frac *= 10;
    }
    char buf[32];
    std::memcpy(buf, whole.data(), 20);
    std::memcpy(buf + 20, " +0000", 6);
    Result<UnixMicros> tm = ParseCommonLogTime(std::string_view(buf, 26));
    if (!tm.ok()) return Fail(reason, "bad timestamp");
    r.time = *tm + frac;
    r.has_time = true;
    // Timers "Th/Ti/TR/Tw/Tc/Tr/Ta" or the older "Tq/Tw/Tc/Tr/Tt": the last is the total.
    std::string_view timers = t[i + 4];
    size_t slash = timers.rfind('/');
    if (slash == std::string_view::npos) return Fail(reason, "format mismatch");
    SetRecordField(r, Field::kTimeTaken, timers.substr(slash + 1));
    if (!Status3(t[i + 5]) && t[i + 5] != "-1") return Fail(reason, "bad status");
    SetRecordField(r, Field::kStatus, t[i + 5]);
    std::string_view bytes = t[i + 6];
    if (bytes.starts_with('+')) bytes.remove_prefix(1);  // `option logasap`
    if (!AllDigits(bytes)) return Fail(reason, "bad byte count");
    SetRecordField(r, Field::kBytesSent, bytes);
    // The request is the last value, quoted (it may be cut short by HAProxy's line limit:
    // then the opening quote is the last one).
    std::string_view last = t.back();
    if (last.data() <= t[i + 11].data() || last.data()[-1] != '"') {
      size_t q = line.rfind('"');
      if (q == std::string_view::npos || line.data() + q < t[i + 11].data())
        return Fail(reason, "format mismatch");
      last = line.substr(q + 1);
    }
    Request(r, last);
    return true;
  }
  bool S3(AccessLogRecord& r, std::string_view* reason) {
    const auto& t = tok_;
    if (t.size() < 17 || t[2].size() < 26 || t[2].data()[-1] != '[')
      return Fail(reason, "format mismatch");
    Result<UnixMicros> tm = ParseCommonLogTime(t[2]);
    if (!tm.ok()) return Fail(reason, "bad timestamp");
    r.time = *tm;
    r.has_time = true;
    SetRecordField(r, Field::kClientIp, t[3]);
    SetRecordField(r, Field::kUser, t[4] == "-" ? std::string_view() : t[4]);
    if (t[8].data()[-1] != '"') return Fail(reason, "format mismatch");
    Request(r, t[8]);
    if (!Status3(t[9])) return Fail(reason, "bad status");
    SetRecordField(r, Field::kStatus, t[9]);
    if (t[11] != "-" && !AllDigits(t[11])) return Fail(reason, "bad byte count");
    SetRecordField(r, Field::kBytesSent, t[11] == "-" ? std::string_view() : t[11]);
    SetRecordField(r, Field::kTimeTaken, t[13]);
    SetRecordField(r, Field::kReferer, t[15] == "-" ? std::string_view() : t[15]);
    SetRecordField(r, Field::kUserAgent, t[16] == "-" ? std::string_view() : t[16]);
    if (t.size() > 22) SetRecordField(r, Field::kHost, t[22] == "-" ? std::string_view() : t[22]);
    return true;
  }

  Kind kind_;
  std::string name_;
  std::vector<std::string_view> tok_;
};

}  // namespace

std::unique_ptr<LineParser> ProxyFormat(std::string_view name) {
  if (name == "alb") return std::make_unique<ProxyParser>(ProxyParser::kAlb, "alb");
  if (name == "elb") return std::make_unique<ProxyParser>(ProxyParser::kElb, "elb");
  if (name == "haproxy") return std::make_unique<ProxyParser>(ProxyParser::kHaproxy, "haproxy");
  if (name == "s3") return std::make_unique<ProxyParser>(ProxyParser::kS3, "s3");
  return nullptr;
}

std::vector<std::string> ProxyFormatNames() { return {"alb", "elb", "haproxy", "s3"}; }

}  // namespace tq::logs
