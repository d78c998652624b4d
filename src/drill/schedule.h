// Helpers for writing timelines of scheduled requests (internal to drill).
#pragma once

#include <string>

#include "drill/internal.h"

namespace tq::drill {

constexpr int64_t kSec = 1000000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;

inline Request& AddRequest(Breach* b, UnixMicros t, uint32_t ip, std::string method,
                           std::string uri, int status, uint64_t bytes, std::string_view ua,
                           std::string referer = "") {
  Request r;
  r.t = t;
  r.ip = ip;
  r.method = std::move(method);
  r.uri = std::move(uri);
  r.status = status;
  r.bytes = bytes;
  r.ua = std::string(ua);
  r.referer = std::move(referer);
  b->requests.push_back(std::move(r));
  return b->requests.back();
}

// A request that is also an evidence reference; returns the evidence slot.
inline int AddEvidence(Breach* b, UnixMicros t, uint32_t ip, std::string method, std::string uri,
                       int status, uint64_t bytes, std::string_view ua, std::string referer = "",
                       std::string body = "") {
  int ev = b->NewEvidence();
  Request& r = AddRequest(b, t, ip, std::move(method), std::move(uri), status, bytes, ua,
                          std::move(referer));
  r.evidence = ev;
  r.body = std::move(body);
  return ev;
}

inline void Step(Breach* b, UnixMicros t, std::string action, std::string description,
                 uint32_t ip, int evidence) {
  b->truth.steps.push_back({t, std::move(action), std::move(description), ip, evidence});
}

// The "request" text of a scheduled request ("POST /x HTTP/1.1").
inline std::string RequestLine(const Request& r) { return r.method + " " + r.uri + " " + r.proto; }

// Hosting-network address for attackers (first octets no customer, bot or scanner uses).
uint32_t AttackerIp(Rng& r);

// Chrome/Firefox/Safari strings the attacker rotates through.
std::string_view AttackerUa(Rng& r);

// Card orders placed in [from, to): (order index).
std::vector<int> CardOrdersBetween(const Store& s, UnixMicros from, UnixMicros to);

// Affected entries for everybody in a dump taken at time t (customers registered by then and
// guests who ordered by then), with the given categories and reason.
void AddDumpedPeople(const Store& s, UnixMicros t, const std::vector<std::string>& cats,
                     const std::string& reason, Breach* b);
// Adds a card victim; merges with an existing entry for the same e-mail.
void AddCardVictim(const Store& s, const Order& o, Breach* b);

}  // namespace tq::drill
