// The client of a request: an access-log field is stored as the client only when it is an
// IPv4 or IPv6 address (or a `unix:` socket peer), never whatever text stood in its place.
// Behind proxies the real client is chosen from X-Forwarded-For by the rule nginx's realip
// module and Apache's mod_remoteip document: when the peer is a trusted proxy, walk the list
// from the right, skipping trusted proxies; the first address that is not one is the client.
#include <arpa/inet.h>

#include <cstring>

#include "logs/logs.h"

namespace tq::logs {
namespace {

bool ParseIpv6(std::string_view s, uint8_t out[16]) {
  if (s.size() < 2 || s.size() > 45 || s.find(':') == std::string_view::npos) return false;
  char buf[46];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1;
}

}  // namespace

bool ParseIpv4(std::string_view s, uint8_t out[4]) {
  // Part by part, without a loop over characters: this runs on the client of every line.
  if (s.size() < 7 || s.size() > 15) return false;
  const char* p = s.data();
  const char* const e = p + s.size();
  auto digit = [&](const char* at) {
    return at < e ? static_cast<unsigned>(static_cast<unsigned char>(*at)) - '0' : 10u;
  };
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == e || *p != '.') return false;
      ++p;
    }
    unsigned v = digit(p);
    if (v > 9) return false;
    ++p;
    if (unsigned d = digit(p); d <= 9) {
      if (v == 0) return false;  // a leading zero
      v = v * 10 + d;
      ++p;
      if (unsigned d3 = digit(p); d3 <= 9) {
        v = v * 10 + d3;
        ++p;
        if (v > 255) return false;
      }
    }
    out[part] = static_cast<uint8_t>(v);
  }
  return p == e;
}

AddressKind ClassifyClient(std::string_view s) {
  uint8_t b[16];
  if (ParseIpv4(s, b)) return AddressKind::kIpv4;
  if (s.starts_with("unix:")) return AddressKind::kUnix;
  if (ParseIpv6(s, b)) return AddressKind::kIpv6;
  return AddressKind::kNone;
}

bool ParseAddress(std::string_view s, IpAddress* out) {
  uint8_t b[16];
  if (ParseIpv4(s, b)) {
    // IPv4 as ::ffff:a.b.c.d, so one prefix table serves both families.
    std::memset(out->bytes.data(), 0, 10);
    out->bytes[10] = out->bytes[11] = 0xff;
    std::memcpy(out->bytes.data() + 12, b, 4);
    return true;
  }
  if (!ParseIpv6(s, out->bytes.data())) return false;
  return true;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies t;
  for (const std::string& c : cidrs) {
    size_t slash = c.find('/');
    std::string_view addr = std::string_view(c).substr(0, slash);
    IpAddress a;
    if (!ParseAddress(addr, &a))
      return Status::Usage("--trusted-proxy: not an address or CIDR: " + c);
    bool v4 = addr.find(':') == std::string_view::npos;
    int bits = v4 ? 32 : 128;
    if (slash != std::string::npos) {
      std::string_view n = std::string_view(c).substr(slash + 1);
      int v = 0;
      if (n.empty() || n.size() > 3) return Status::Usage("--trusted-proxy: bad prefix: " + c);
      for (char ch : n) {
        if (ch < '0' || ch > '9') return Status::Usage("--trusted-proxy: bad prefix: " + c);
        v = v * 10 + (ch - '0');
      }
      if (v > bits) return Status::Usage("--trusted-proxy: prefix too long: " + c);
      bits = v;
    }
    t.ranges_.push_back({a, v4 ? bits + 96 : bits});
  }
  return t;
}

const TrustedProxies& TrustedProxies::Default() {
  static const TrustedProxies d =
      Parse({"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1/128", "fc00::/7"})
          .value();
  return d;
}

bool TrustedProxies::Contains(std::string_view addr) const {
  IpAddress a;
  if (!ParseAddress(addr, &a)) return false;
  for (const Range& r : ranges_) {
    int full = r.bits / 8, rest = r.bits % 8;
    if (std::memcmp(a.bytes.data(), r.base.bytes.data(), static_cast<size_t>(full)) != 0) continue;
    if (rest) {
      uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
      if ((a.bytes[full] & mask) != (r.base.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

namespace {
// One X-Forwarded-For entry without spaces, brackets and port ("[2001:db8::1]:443",
// "203.0.113.7:5123").
std::string_view BareAddress(std::string_view e) {
  // IIS writes the spaces of a header value as '+'.
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '+'; };
  while (!e.empty() && blank(e.front())) e.remove_prefix(1);
  while (!e.empty() && blank(e.back())) e.remove_suffix(1);
  if (e.starts_with('[')) {
    size_t close = e.find(']');
    return close == std::string_view::npos ? e : e.substr(1, close - 1);
  }
  size_t colon = e.find(':');
  if (colon != std::string_view::npos && e.find(':', colon + 1) == std::string_view::npos)
    return e.substr(0, colon);  // IPv4 with a port
  return e;
}
}  // namespace

std::string_view ForwardedClient(std::string_view peer, std::string_view xff,
                                 const TrustedProxies& trusted) {
  if (xff.empty() || xff == "-" || !trusted.Contains(peer)) return peer;
  std::string_view client = peer;
  size_t end = xff.size();
  for (;;) {
    size_t comma = end == 0 ? std::string_view::npos : xff.rfind(',', end - 1);
    size_t begin = comma == std::string_view::npos ? 0 : comma + 1;
    std::string_view a = BareAddress(xff.substr(begin, end - begin));
    // Something that is not an address ends the walk: what a hop wrote there cannot be
    // trusted, and the last address before it is the best known client.
    if (ClassifyClient(a) == AddressKind::kNone || a.starts_with("unix:")) return client;
    client = a;
    if (!trusted.Contains(a) || comma == std::string_view::npos) return client;
    end = comma;
  }
}

}  // namespace tq::logs
