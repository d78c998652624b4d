// Which parser reads a file: a format named or written out by the user, or the built-in
// format that reads most of the file's first lines, with the other Apache / nginx text
// formats tried on each line it does not read. Also the parse statistics, and the check that
// flags a file read with the wrong format instead of reporting it as clean.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>

#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {
namespace {

std::unique_ptr<LineParser> NewBuiltin(std::string_view name) {
  if (auto t = TextBuiltin(name)) return t;
  if (auto p = ProxyFormat(name)) return p;
  if (name == "w3c") return W3cFormat();
  if (name == "jsonl") {  // nullptr when the providers' field maps do not load
    Result<std::unique_ptr<LineParser>> j = JsonLinesFormat({});
    return j.ok() ? std::move(*j) : nullptr;
  }
  if (name == "modsec") return ModSecurityFormat();
  if (name == "error") return ErrorLogFormat();
  return nullptr;
}

}  // namespace

std::vector<std::string> BuiltinFormatNames() {
  std::vector<std::string> n = TextBuiltinNames();
  n.push_back("w3c");
  for (std::string& p : ProxyFormatNames()) n.push_back(std::move(p));
  n.push_back("jsonl");
  n.push_back("modsec");
  n.push_back("error");
  return n;
}

Result<std::unique_ptr<LineParser>> NamedFormat(std::string_view name) {
  std::string_view n = name;
  if (n == "nginx-combined" || n == "apache-combined") n = "combined";
  if (n == "clf") n = "common";
  if (n == "json" || n == "caddy" || n == "traefik" || n == "cloudflare" || n == "akamai" ||
      n == "fastly")
    n = "jsonl";
  if (n == "iis" || n == "cloudfront") n = "w3c";
  if (n == "modsecurity" || n == "modsec_audit") n = "modsec";
  if (n == "apache-error" || n == "nginx-error" || n == "php-fpm" || n == "error_log") n = "error";
  if (auto p = NewBuiltin(n)) return p;
  // PHP-FPM's pool access log with its default access.format ("%R - %u %t \"%m %r\" %s": the
  // time without brackets, the script path without the query), said in Apache's letters.
  if (n == "php-fpm-access")
    return CompileLogFormat(R"(%h - %u %{%d/%b/%Y:%H:%M:%S %z}t \"%m %U\" %>s)");
  return Status::NotFound("unknown log format name: " + std::string(name));
}

FormatGuess BestFormat(const std::vector<std::string_view>& lines) {
  FormatGuess best;
  AccessLogRecord r;
  std::string_view why;
  for (const std::string& name : BuiltinFormatNames()) {
    std::unique_ptr<LineParser> p = NewBuiltin(name);
    if (!p) continue;
    size_t n = 0, tried = 0;
    for (std::string_view l : lines) {
      if (p->Parse(l, r, &why))
        ++n, ++tried;
      else if (why != kSkipDirective && why != kSkipNoRequest && why != kSkipAuditLine)
        ++tried;
    }
    if (n > best.parsed) best = {name, n, tried};
  }
  return best;
}

std::unique_ptr<LineParser> DetectFormat(const std::vector<std::string_view>& lines) {
  FormatGuess g = BestFormat(lines);
  return g.format.empty() ? nullptr : NewBuiltin(g.format);
}

Result<std::unique_ptr<LineParser>> ParserFor(const StreamOptions& o) {
  std::shared_ptr<const TrustedProxies> trusted;
  if (!o.trusted_proxies.empty()) {
    TQ_ASSIGN_OR_RETURN(TrustedProxies t, TrustedProxies::Parse(o.trusted_proxies));
    trusted = std::make_shared<const TrustedProxies>(std::move(t));
  }
  std::optional<TimeZone> zone;
  if (!o.local_zone.empty()) {
    TQ_ASSIGN_OR_RETURN(TimeZone z, TimeZone::Named(o.local_zone));
    zone = z;
  }
  // The providers' JSON field maps are shipped data: a damaged file is said at once.
  TQ_RETURN_IF_ERROR(ShippedJsonFieldMaps().status());
  if (o.log_format.empty()) return std::unique_ptr<LineParser>();
  Result<std::unique_ptr<LineParser>> p = o.log_format == "jsonl" || o.log_format == "json"
                                              ? JsonLinesFormat(o.json_field_map)
                                              : NamedFormat(o.log_format);
  if (!p.ok()) p = CompileLogFormat(o.log_format);
  if (p.ok() && trusted) (*p)->SetTrustedProxies(trusted);
  if (p.ok() && !o.time_format.empty()) (*p)->SetTimeFormat(o.time_format);
  if (p.ok() && zone) (*p)->SetLocalZone(*zone);
  return p;
}

Result<std::unique_ptr<LineParser>> ParserForFile(const StreamOptions& o,
                                                  const std::vector<std::string_view>& sample) {
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<LineParser> p, ParserFor(o));
  // A ModSecurity audit log is told by its first line whatever --log-format says: that option
  // names the access logs' format, and the audit log sits beside them.
  std::string_view first;
  for (std::string_view l : sample)
    if (!l.empty()) {
      first = l;
      break;
    }
  // So is an error log (Apache, nginx, PHP-FPM).
  std::string_view why;
  ErrorLogLine el;
  std::string name = IsModSecurityBoundary(first)                           ? "modsec"
                     : ParseErrorLogLine(first, TimeZone::Utc(), &el, &why) ? "error"
                                                                            : "";
  if (p && (name.empty() || p->name() == name)) return p;
  std::optional<TimeZone> zone;
  if (!o.local_zone.empty()) {
    TQ_ASSIGN_OR_RETURN(TimeZone z, TimeZone::Named(o.local_zone));
    zone = z;
  }
  if (name.empty()) name = BestFormat(sample).format;
  if (name.empty()) name = "combined";
  if (name == "jsonl") {
    TQ_ASSIGN_OR_RETURN(p, JsonLinesFormat(o.json_field_map));
  } else {
    p = NewBuiltin(name);
  }
  // A text format's file may mix in lines of the others (`common` lines in a `combined`
  // file, a vhost prefix on some lines): each such line is read by the first that reads it.
  const std::vector<std::string> text = TextBuiltinNames();
  if (std::find(text.begin(), text.end(), name) != text.end()) {
    std::vector<std::unique_ptr<LineParser>> fb;
    for (const std::string& t : text)
      if (t != name) fb.push_back(TextBuiltin(t));
    p->SetFallbacks(std::move(fb));
  }
  if (!o.trusted_proxies.empty()) {
    TQ_ASSIGN_OR_RETURN(TrustedProxies t, TrustedProxies::Parse(o.trusted_proxies));
    p->SetTrustedProxies(std::make_shared<const TrustedProxies>(std::move(t)));
  }
  if (!o.time_format.empty()) p->SetTimeFormat(o.time_format);
  if (zone) p->SetLocalZone(*zone);
  return p;
}

// ---- Stats and filter ----

void ParseStats::Merge(const ParseStats& o) {
  bytes += o.bytes;
  lines += o.lines;
  parsed += o.parsed;
  out_of_order += o.out_of_order;
  skipped.Merge(o.skipped);
  if (o.first_time && (!first_time || o.first_time < first_time)) first_time = o.first_time;
  if (o.last_time > last_time) last_time = o.last_time;
  if (read_error.empty()) read_error = o.read_error;
}

bool RecordFilter::Accepts(const AccessLogRecord& r) const {
  if (from && (!r.has_time || r.time < from)) return false;
  if (to && (!r.has_time || r.time > to)) return false;
  if (!client_ips.empty()) {
    bool any = false;
    for (const std::string& ip : client_ips) any |= r.get(Field::kClientIp) == ip;
    if (!any) return false;
  }
  if (!path_contains.empty()) {
    bool any = false;
    for (const std::string& p : path_contains)
      any |= r.get(Field::kUri).find(p) != std::string_view::npos;
    if (!any) return false;
  }
  return true;
}

bool ParseEpoch(std::string_view s, UnixMicros* out) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 19) return false;
  uint64_t v = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  for (char c : frac)
    if (c < '0' || c > '9') return false;
  // Digits of the sub-second part already in `whole`: 0 (s), 3 (ms), 6 (us), 9 (ns).
  size_t n = whole.size();
  int in_whole = n <= 11 ? 0 : n <= 14 ? 3 : n <= 17 ? 6 : 9;
  int64_t micros = 0;
  if (in_whole == 9) return *out = static_cast<int64_t>(v / 1000), true;
  uint64_t scale = in_whole == 0 ? 1000000 : in_whole == 3 ? 1000 : 1;
  micros = static_cast<int64_t>(v * scale);
  // The fraction's digits down to the microsecond.
  uint64_t f = 0, fs = scale;
  for (char c : frac) {
    if (fs <= 1) break;
    fs /= 10;
    f += static_cast<uint64_t>(c - '0') * fs;
  }
  *out = micros + static_cast<int64_t>(f);
  return true;
}

bool ParseTimeWithFormat(std::string_view text, const std::string& pattern, UnixMicros* out) {
  if (text.empty() || text.size() > 128 || pattern.empty()) return false;
  std::string in(text);
  struct tm t {};
  // A fraction after the seconds is read by hand: strptime has no directive for it.
  size_t s = pattern.find("%S");
  std::string head = s == std::string::npos ? pattern : pattern.substr(0, s + 2);
  const char* p = strptime(in.c_str(), head.c_str(), &t);
  if (!p) return false;
  int64_t frac = 0;
  if (s != std::string::npos) {
    if ((*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9') {
      int n = 0;
      for (++p; *p >= '0' && *p <= '9'; ++p, ++n)
        if (n < 6) frac = frac * 10 + (*p - '0');
      if (n > 9) return false;
      for (; n < 6; ++n) frac *= 10;
    }
    std::string tail = pattern.substr(s + 2);
    if (!tail.empty() && !(p = strptime(p, tail.c_str(), &t))) return false;
  }
  if (*p) return false;  // text left over: not this pattern
  if (!CheckCivil(t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec).empty())
    return false;
  long off = t.tm_gmtoff;
  t.tm_isdst = 0;
  time_t secs = timegm(&t);
  *out = (static_cast<int64_t>(secs) - off) * 1000000 + frac;
  return true;
}

uint64_t ParseStats::RequestLines() const {
  uint64_t n = lines;
  for (std::string_view r : {kSkipEmpty, kSkipDirective, kSkipNoRequest, kSkipAuditLine})
    n -= skipped.count(r);
  return n;
}

std::string ParseStats::LowShare() const {
  uint64_t want = RequestLines();
  if (lines == 0 || (want > 0 && parsed * 2 >= want)) return {};
  if (want == 0 && parsed > 0) return {};
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f%%",
                want ? 100.0 * static_cast<double>(parsed) / static_cast<double>(want) : 0.0);
  return "parsed " + std::to_string(parsed) + " of " + std::to_string(want) + " lines (" + pct +
         ") as " + format;
}

}  // namespace tq::logs
