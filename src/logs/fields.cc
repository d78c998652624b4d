// The Sigma webserver field names and their common aliases, and URL decoding of request
// targets (what rules match beside the target as logged).
#include <string>

#include "logs/logs.h"

namespace tq::logs {

// ---- Fields ----

std::string_view FieldName(Field f) {
  static constexpr const char* kNames[] = {
      "c-ip",          "cs-username", "cs-method", "cs-uri-query",    "cs-uri-stem", "cs-query",
      "cs-version",    "sc-status",   "sc-bytes",  "cs-bytes",        "time-taken",  "cs-host",
      "cs-user-agent", "cs-referer",  "cs-cookie", "cs-content-type", "c-peer-ip",   "cs-body",
      "message"};
  return f < Field::kCount ? kNames[static_cast<size_t>(f)] : "?";
}

bool FieldFromSigmaName(std::string_view n, Field* out) {
  static const std::pair<const char*, Field> kAliases[] = {
      {"c-ip", Field::kClientIp},
      {"clientip", Field::kClientIp},
      {"client_ip", Field::kClientIp},
      {"src_ip", Field::kClientIp},
      {"cs-username", Field::kUser},
      {"cs-method", Field::kMethod},
      {"c-method", Field::kMethod},
      {"cs-uri-query", Field::kUri},
      {"c-uri-query", Field::kUri},
      {"cs-uri", Field::kUri},
      {"c-uri", Field::kUri},
      {"url", Field::kUri},
      {"cs-uri-stem", Field::kUriStem},
      {"c-uri-stem", Field::kUriStem},
      {"cs-query", Field::kQuery},
      {"cs-version", Field::kVersion},
      {"sc-status", Field::kStatus},
      {"sc-bytes", Field::kBytesSent},
      {"cs-bytes", Field::kBytesReceived},
      {"time-taken", Field::kTimeTaken},
      {"cs-host", Field::kHost},
      {"cs-user-agent", Field::kUserAgent},
      {"cs-useragent", Field::kUserAgent},
      {"c-useragent", Field::kUserAgent},
      {"c-user-agent", Field::kUserAgent},
      {"cs-referer", Field::kReferer},
      {"cs-referrer", Field::kReferer},
      {"cs(referer)", Field::kReferer},
      {"cs-cookie", Field::kCookie},
      {"cs(cookie)", Field::kCookie},
      {"cs-content-type", Field::kContentType},
      {"c-peer-ip", Field::kPeerIp},
      {"cs(user-agent)", Field::kUserAgent},
      {"cs-body", Field::kBody},
      {"request_body", Field::kBody},
      {"cs-request-body", Field::kBody},
      {"http.request.body.content", Field::kBody},
      {"message", Field::kMessage}};
  std::string lower;
  for (char c : n) lower += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  for (auto& [name, f] : kAliases)
    if (lower == name) {
      *out = f;
      return true;
    }
  return false;
}

// ---- URL decoding ----

namespace {
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool DecodeOnce(std::string_view in, std::string* out) {
  bool changed = false;
  out->clear();
  out->reserve(in.size());
  bool query = false;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '?') query = true;
    if (c == '%' && i + 2 < in.size() + 0 && Hex(in[i + 1]) >= 0 && Hex(in[i + 2]) >= 0) {
      out->push_back(static_cast<char>(Hex(in[i + 1]) * 16 + Hex(in[i + 2])));
      i += 2;
      changed = true;
    } else if (c == '+' && query) {
      out->push_back(' ');
      changed = true;
    } else {
      out->push_back(c);
    }
  }
  return changed;
}
}  // namespace

bool UrlDecode(std::string_view in, std::string* out) {
  if (!DecodeOnce(in, out)) return false;
  std::string next;
  for (int round = 1; round < 3; ++round) {
    if (out->find('%') == std::string::npos || !DecodeOnce(*out, &next)) break;
    out->swap(next);
  }
  return true;
}

}  // namespace tq::logs
