// JSON lines access logs (nginx `escape=json` formats, Caddy, Cloudflare, load balancers),
// parsed with simdjson. Each Sigma field is read from a dotted path: the user's field map
// first, then built-in guesses for the common emitters. Values are copied into the parser's
// buffer (JSON escapes undone), so a record's views live until the next line.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {
namespace {

struct Guess {
  const char* sigma;
  std::vector<std::string> paths;
};

const std::vector<Guess>& Guesses() {
  static const std::vector<Guess> g = {
      // Caddy's client_ip is the client its trusted_proxies rule chose, remote_ip the peer;
      // Traefik's ClientHost is the peer's address (ClientAddr has the port).
      {"c-ip",
       {"remote_addr", "client_ip", "remote_ip", "clientip", "ClientIP", "ClientHost", "ip",
        "src_ip", "request.client_ip", "request.remote_ip"}},
      {"cs-username", {"remote_user", "user", "request.user", "ClientUsername"}},
      {"cs-method",
       {"request_method", "method", "ClientRequestMethod", "request.method", "RequestMethod"}},
      {"cs-uri-query",
       {"request_uri", "uri", "url", "ClientRequestURI", "request.uri", "RequestPath", "path"}},
      {"cs-version",
       {"server_protocol", "protocol", "ClientRequestProtocol", "request.proto",
        "RequestProtocol"}},
      {"sc-status",
       {"status", "EdgeResponseStatus", "response_status", "status_code", "DownstreamStatus"}},
      {"sc-bytes",
       {"body_bytes_sent", "bytes_sent", "EdgeResponseBytes", "size", "bytes",
        "DownstreamContentSize"}},
      {"cs-bytes", {"request_length", "ClientRequestBytes"}},
      {"time-taken", {"request_time", "duration", "OriginResponseTime", "Duration"}},
      {"cs-host",
       {"host", "http_host", "server_name", "ClientRequestHost", "request.host", "RequestHost"}},
      {"cs-user-agent",
       {"http_user_agent", "user_agent", "ClientRequestUserAgent", "request.headers.User-Agent",
        "request_User-Agent"}},
      {"cs-referer",
       {"http_referer", "referer", "ClientRequestReferer", "request.headers.Referer",
        "request_Referer"}},
      {"cs-cookie", {"http_cookie", "cookie", "request.headers.Cookie"}},
      // The path and the query apart (named by providers: data/logs/json_fields.tsv): joined.
      {"cs-uri-stem", {}},
      {"cs-query", {}},
      {"cs-content-type", {"content_type", "http_content_type", "request.headers.Content-Type"}},
      // nginx's $request_body; ECS.
      {"cs-body", {"request_body", "http.request.body.content"}},
      // A member named "message", as before `message` joined the fields (a service line with
      // no request fields is still skipped as one).
      {"message", {"message"}},
  };
  return g;
}
const std::vector<std::string> kTimePaths = {
    "time_iso8601", "time_local", "@timestamp", "timestamp",          "StartUTC",
    "time",         "ts",         "StartLocal", "EdgeStartTimestamp", "msec"};
// Where the peer is when c-ip may be another address (Caddy), and X-Forwarded-For.
const std::vector<std::string> kPeerPaths = {"request.remote_ip"};
const std::vector<std::string> kForwardedPaths = {"http_x_forwarded_for", "x_forwarded_for",
                                                  "request.headers.X-Forwarded-For",
                                                  "request_X-Forwarded-For"};
const std::vector<std::string> kRequestPaths = {"request"};

class JsonLinesParser : public LineParser {
 public:
  JsonLinesParser(std::map<std::string, std::string> user, std::vector<JsonFieldPath> maps)
      : user_(std::move(user)), maps_(std::move(maps)) {
    for (const Guess& g : Guesses()) {
      Field f;
      if (!FieldFromSigmaName(g.sigma, &f)) continue;
      std::vector<std::string> paths;
      auto u = user_.find(g.sigma);
      if (u != user_.end()) paths.push_back(u->second);
      for (const std::string& p : g.paths) paths.push_back(p);
      paths_[static_cast<size_t>(f)] = std::move(paths);
    }
    time_paths_ = kTimePaths;
    if (auto u = user_.find("time"); u != user_.end())
      time_paths_.insert(time_paths_.begin(), u->second);
    // The providers' names (data/logs/json_fields.tsv), after the guesses, in file order.
    auto add = [](std::vector<std::string>& v, const std::string& path) {
      if (std::find(v.begin(), v.end(), path) == v.end()) v.push_back(path);
    };
    for (const JsonFieldPath& m : maps_) {
      Field f;
      if (m.field == "time")
        add(time_paths_, m.path);
      else if (FieldFromSigmaName(m.field, &f))
        add(paths_[static_cast<size_t>(f)], m.path);
    }
  }
  const std::string& name() const override { return name_; }
  std::unique_ptr<LineParser> Clone() const override {
    auto p = std::make_unique<JsonLinesParser>(user_, maps_);
    p->trusted_ = trusted_;
    p->time_format_ = time_format_;
    return p;
  }

  bool Parse(std::string_view line, AccessLogRecord& r, std::string_view* reason) override {
    r.present = 0;
    r.field = {};
    r.has_time = false;
    r.line = line;
    r.source = this;
    last_line_ = {};
    simdjson::dom::element root;
    std::string_view json;
    if (!ParseObject(line, parser_, padded_, &root, &json, reason)) return false;
    last_line_ = line;
    last_root_ = root;
    buf_.clear();
    // Usually no reallocation below; it may still happen (a 5-byte `1e300` is written as 301
    // digits), so fields are kept as offsets and views are taken after the last append to buf_
    // (the joined target goes to its own buffer).
    buf_.reserve(json.size() + 256);
    std::array<std::pair<size_t, size_t>, kFieldCount> spans{};
    uint32_t present = 0;
    for (size_t f = 0; f < kFieldCount; ++f) {
      for (const std::string& p : paths_[f]) {
        size_t start = buf_.size();
        if (Lookup(root, p)) {
          spans[f] = {start, buf_.size() - start};
          present |= 1u << f;
          break;
        }
      }
    }
    size_t req_start = buf_.size();
    bool have_req =
        !(present & (1u << static_cast<unsigned>(Field::kMethod))) && Lookup(root, "request");
    size_t req_len = buf_.size() - req_start;
    size_t peer_start = buf_.size();
    bool have_peer = false, have_xff = false;
    for (const std::string& p : kPeerPaths)
      if ((have_peer = Lookup(root, p))) break;
    size_t peer_len = buf_.size() - peer_start, xff_start = buf_.size();
    for (const std::string& p : kForwardedPaths)
      if ((have_xff = Lookup(root, p))) break;
    size_t xff_len = buf_.size() - xff_start;
    size_t t_start = buf_.size();
    bool have_time = false;
    for (const std::string& p : time_paths_)
      if (Lookup(root, p)) {
        have_time = true;
        break;
      }
    std::string_view tv(buf_.data() + t_start, buf_.size() - t_start);
    for (size_t f = 0; f < kFieldCount; ++f)
      if (present & (1u << f))
        r.field[f] = std::string_view(buf_.data() + spans[f].first, spans[f].second);
    r.present = present;
    if (have_req) {
      std::string_view req(buf_.data() + req_start, req_len);
      SplitRequestInto(req, r);
    }
    if (!r.has(Field::kUri) && r.has(Field::kUriStem)) {
      std::string_view stem = r.get(Field::kUriStem), q = r.get(Field::kQuery);
      joined_target_.assign(stem);
      if (!q.empty() && q != "-") (joined_target_ += '?') += q;
      Set(r, Field::kUri, joined_target_);
      if (!r.has(Field::kQuery) || q == "-") Set(r, Field::kQuery, {});
    } else if (r.has(Field::kUri) && !r.has(Field::kUriStem)) {
      std::string_view u = r.get(Field::kUri);
      size_t q = u.find('?');
      Set(r, Field::kUriStem, u.substr(0, q));
      Set(r, Field::kQuery, q == std::string_view::npos ? std::string_view() : u.substr(q + 1));
    }
    if (!r.has(Field::kClientIp) && !r.has(Field::kUri)) return Fail(reason, kSkipNoRequest);
    // Only an address is a client; behind a trusted proxy, the X-Forwarded-For rule.
    std::string_view client = r.get(Field::kClientIp);
    if (ClassifyClient(client) == AddressKind::kNone) return Fail(reason, kSkipClient);
    std::string_view peer(buf_.data() + peer_start, peer_len);
    if (have_xff) {
      std::string_view c =
          ForwardedClient(client, std::string_view(buf_.data() + xff_start, xff_len), trusted());
      if (c.data() != client.data()) {
        Set(r, Field::kPeerIp, client);
        Set(r, Field::kClientIp, c);
      }
    } else if (have_peer && peer != client && ClassifyClient(peer) != AddressKind::kNone) {
      Set(r, Field::kPeerIp, peer);
    }
    if (have_time) {
      UnixMicros epoch;
      if (!time_format_.empty()) {
        if (!ParseTimeWithFormat(tv, time_format_, &epoch)) return Fail(reason, "bad timestamp");
        r.time = epoch;
      } else if (IsNumber(tv)) {
        if (!ParseEpoch(tv, &epoch)) return Fail(reason, "bad timestamp");
        r.time = epoch;
      } else {
        Result<UnixMicros> t = ParseIso8601(tv, TimeZone::Utc());
        if (!t.ok()) t = ParseCommonLogTime(tv);
        if (!t.ok()) return Fail(reason, "bad timestamp");
        r.time = *t;
      }
      r.has_time = true;
    }
    return true;
  }

 private:
  static bool Fail(std::string_view* reason, std::string_view why) {
    *reason = why;
    return false;
  }
  // The JSON object of a line (a container runtime prefix such as "caddy  | " skipped), parsed
  // by `parser` from a padded copy in `padded`; *json is the object's text.
  static bool ParseObject(std::string_view line, simdjson::dom::parser& parser, std::string& padded,
                          simdjson::dom::element* root, std::string_view* json,
                          std::string_view* reason) {
    size_t brace = line.find('{');
    if (brace == std::string_view::npos || brace > 64) return Fail(reason, "not JSON");
    *json = line.substr(brace);
    padded.assign(json->data(), json->size());
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    if (parser.parse(padded.data(), json->size(), false).get(*root) != simdjson::SUCCESS)
      return Fail(reason, "invalid JSON");
    if (!root->is_object()) return Fail(reason, "not a JSON object");
    return true;
  }
  static bool IsNumber(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
      if (!(isdigit(static_cast<unsigned char>(c)) || c == '.')) return false;
    return true;
  }
  static void Set(AccessLogRecord& r, Field f, std::string_view v) {
    r.field[static_cast<size_t>(f)] = v;
    r.present |= 1u << static_cast<unsigned>(f);
  }
  static void SplitRequestInto(std::string_view req, AccessLogRecord& r) {
    size_t sp = req.find(' ');
    if (sp == std::string_view::npos) return;
    Set(r, Field::kMethod, req.substr(0, sp));
    std::string_view rest = req.substr(sp + 1);
    size_t last = rest.rfind(' ');
    if (last != std::string_view::npos && rest.substr(last + 1).starts_with("HTTP/")) {
      Set(r, Field::kVersion, rest.substr(last + 1));
      rest = rest.substr(0, last);
    }
    if (!r.has(Field::kUri)) Set(r, Field::kUri, rest);
  }

 public:
  bool ExtraField(std::string_view line, std::string_view sigma_name,
                  std::string* value) const override {
    auto u = user_.find(std::string(sigma_name));
    std::string path = u != user_.end() ? u->second : std::string(sigma_name);
    // The line Parse read last (the record being matched) is still parsed: its document is
    // looked up, not parsed again for every atom on such a field.
    simdjson::dom::element root = last_root_;
    if (last_line_.empty() || line.data() != last_line_.data() ||
        line.size() != last_line_.size()) {
      std::string_view json, why;
      if (!ParseObject(line, extra_parser_, extra_padded_, &root, &json, &why)) return false;
    }
    value->clear();
    return LookupInto(root, path, value);
  }

 private:
  bool Lookup(simdjson::dom::element root, const std::string& path) {
    return LookupInto(root, path, &buf_);
  }
  // Appends the value at a dotted path to *out (arrays: the first element).
  static bool LookupInto(simdjson::dom::element root, const std::string& path, std::string* out) {
    std::string& buf_ = *out;
    simdjson::dom::element cur = root;
    size_t start = 0;
    while (start <= path.size()) {
      size_t dot = path.find('.', start);
      std::string_view key(path.data() + start,
                           (dot == std::string::npos ? path.size() : dot) - start);
      simdjson::dom::object obj;
      if (cur.get_object().get(obj) != simdjson::SUCCESS) return false;
      if (obj.at_key(key).get(cur) != simdjson::SUCCESS) return false;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    simdjson::dom::array arr;
    if (cur.get_array().get(arr) == simdjson::SUCCESS) {
      if (arr.at(0).get(cur) != simdjson::SUCCESS) return false;
    }
    std::string_view s;
    if (cur.get_string().get(s) == simdjson::SUCCESS) {
      buf_.append(s);
      return true;
    }
    int64_t i;
    if (cur.get_int64().get(i) == simdjson::SUCCESS) {
      buf_ += std::to_string(i);
      return true;
    }
    double d;
    if (cur.get_double().get(d) == simdjson::SUCCESS) {
      // The shortest fixed-point text that reads back as the same double: no exponent (a
      // Unix time stays digits), no digits the evidence did not carry. The longest finite
      // double takes about 330 characters (1.8e308, 4.9e-324); to_chars refuses rather than
      // overrun if that were ever wrong, and the value is then not read.
      char tmp[400];
      auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, d, std::chars_format::fixed);
      if (ec != std::errc()) return false;
      buf_.append(tmp, static_cast<size_t>(end - tmp));
      return true;
    }
    return false;
  }

  std::string name_ = "jsonl";
  std::map<std::string, std::string> user_;
  std::vector<JsonFieldPath> maps_;
  std::array<std::vector<std::string>, kFieldCount> paths_;
  std::vector<std::string> time_paths_;
  simdjson::dom::parser parser_;
  std::string padded_, buf_;
  std::string joined_target_;  // cs-uri-stem + "?" + cs-uri-query when logged apart
  // The last line parsed and its document (in parser_, until the next Parse).
  std::string_view last_line_;
  simdjson::dom::element last_root_;
  // For ExtraField on another line, which leaves the record's views into buf_ alone.
  mutable simdjson::dom::parser extra_parser_;
  mutable std::string extra_padded_;
};

}  // namespace

Result<std::unique_ptr<LineParser>> JsonLinesFormat(
    const std::map<std::string, std::string>& field_map) {
  const Result<std::vector<JsonFieldPath>>& maps = ShippedJsonFieldMaps();
  if (!maps.ok()) return maps.status();
  return JsonLinesFormatWithMaps(field_map, *maps);
}

Result<std::unique_ptr<LineParser>> JsonLinesFormatWithMaps(
    const std::map<std::string, std::string>& field_map, const std::vector<JsonFieldPath>& maps) {
  for (auto& [k, v] : field_map) {
    // Any Sigma field name: the taxonomy's, `time`, or one outside it that a rule may use.
    bool name_ok = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
      return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!name_ok) return Status::Usage("JSON field map: bad field name '" + k + "'");
    if (v.empty()) return Status::Usage("JSON field map: empty path for " + k);
  }
  return std::unique_ptr<LineParser>(std::make_unique<JsonLinesParser>(field_map, maps));
}

}  // namespace tq::logs
