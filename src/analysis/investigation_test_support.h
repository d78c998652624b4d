// Test-only: hand-made access records and a record store for the investigation tests
// (investigation_test, attribution_test).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "analysis/analysis.h"
#include "analysis/request_shape.h"

namespace tq::analysis {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

inline constexpr UnixMicros kSec = 1000000;
inline constexpr UnixMicros kT0 = 1760000000LL * kSec;  // 2025-10-09T08:53:20Z
inline constexpr UnixMicros kHour = 3600 * kSec;
inline constexpr UnixMicros kDay = 24 * kHour;

inline const char* kBrowser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0";

struct Rec {
  UnixMicros time;
  std::string client, method, path, query;
  int status;
  int64_t bytes;
  std::string ua = kBrowser;
  std::vector<RuleMatch> hits = {};
  std::string session = "";
  int64_t item = 1, line = 0;
};

inline RuleMatch Hit(std::string title, std::string level, std::vector<std::string> tags = {}) {
  return RuleMatch{"r-" + title, title, level, tags};
}

inline AccessRecord View(const Rec& r) {
  AccessRecord a;
  a.time = r.time;
  a.client = r.client;
  a.method = r.method;
  a.path = r.path;
  a.query = r.query;
  a.status = r.status;
  a.bytes = r.bytes;
  a.user_agent = r.ua;
  a.session = r.session;
  a.evidence_id = r.item;
  a.line = r.line;
  a.offset = r.line * 100;
  a.hits = r.hits;
  return a;
}

class Store {
 public:
  void Add(Rec r) {
    r.line = static_cast<int64_t>(recs_.size()) + 1;
    recs_.push_back(std::move(r));
  }
  InvestigationResult Run(InvestigationInputs in, const std::vector<Rec>& extra_pass2 = {}) {
    Investigation inv(std::move(in));
    for (const Rec& r : recs_) inv.Observe(View(r));
    inv.Attribute();
    for (const Rec& r : recs_) inv.Revisit(View(r));
    for (const Rec& r : extra_pass2) inv.Revisit(View(r));
    return inv.Finish();
  }
  const std::vector<Rec>& recs() const { return recs_; }

 private:
  std::vector<Rec> recs_;
};

// Ordinary traffic: customers browsing over three days, a store admin from the office
// every morning, a scanner whose probes all fail.
inline void AddBackground(Store& s) {
  for (int day = 0; day < 3; ++day) {
    for (int i = 0; i < 20; ++i) {
      std::string ip = "198.18.0." + std::to_string(i + 1);
      UnixMicros t = kT0 + day * kDay + i * 60 * kSec;
      s.Add({t, ip, "GET", "/", "", 200, 30000});
      s.Add({t + kSec, ip, "GET", "/catalog/product.html", "", 200, 51000 + i % 3});
      s.Add({t + 2 * kSec,
             ip,
             "GET",
             "/catalog/product.html",
             "q=o'neil",
             200,
             51001,
             kBrowser,
             {Hit("SQL Injection Strings In URI", "high")}});
    }
    s.Add({kT0 + day * kDay + kHour, "10.1.1.5", "GET", "/admin/dashboard/", "", 200, 9000,
           "OfficeBrowser/1.0"});
    s.Add({kT0 + day * kDay + kHour + kSec,
           "10.1.1.5",
           "POST",
           "/admin/cms/block/save/",
           "",
           302,
           0,
           "OfficeBrowser/1.0",
           {Hit("XSS in URI", "medium")}});
  }
  for (int i = 0; i < 30; ++i)
    s.Add({kT0 + kHour + i * kSec,
           "198.51.100.7",
           "GET",
           "/.env" + std::to_string(i),
           "",
           404,
           150,
           "Nuclei",
           {Hit("Sensitive file probe", "high")}});
}

inline InvestigationInputs Inputs() {
  InvestigationInputs in;
  in.artifacts.push_back(
      {"pub/media/wysiwyg/cache.php", "webshell", kT0 + kDay + 2 * kHour, 11, 5});
  in.artifacts.push_back(
      {"pub/static/frontend/x/checkout.js", "skimmer", kT0 + kDay + 3 * kHour, 12, 6});
  in.discovered_at = kT0 + 5 * kDay;
  return in;
}

// The breach: scanning, then an XXE that worked, the webshell, a dump, a rogue admin.
inline void AddBreach(Store& s) {
  UnixMicros b = kT0 + kDay + 2 * kHour;
  const std::string evil = "203.0.113.9", evil_ua = "python-requests/2.31.0 (ops)";
  s.Add({b - 10 * kSec,
         evil,
         "GET",
         "/.git/config",
         "",
         404,
         120,
         evil_ua,
         {Hit("Sensitive file probe", "high")}});
  s.Add({b,
         evil,
         "POST",
         "/rest/V1/guest-carts/abc/estimate-shipping-methods",
         "",
         200,
         812,
         evil_ua,
         {Hit("Magento CosmicSting XXE", "critical", {"attack.t1190", "cve.2024-34102"})}});
  s.Add({b + 60 * kSec, evil, "GET", "/media/wysiwyg/cache.php", "c=id", 200, 54, evil_ua});
  // Another address of the same intruder uses the webshell.
  s.Add({b + 120 * kSec, "203.0.113.10", "GET", "/media/wysiwyg/cache.php", "c=ls", 200, 2048,
         "curl/8.4.0"});
  // A third address downloads the dump, with the intruder's unusual agent.
  s.Add({b + 600 * kSec, "192.0.2.50", "GET", "/media/tmp/db.sql.gz", "", 200, 5000000, evil_ua});
  // The skimmer file is served to customers, then removed.
  s.Add({b + 2 * kHour, "198.18.0.3", "GET", "/static/frontend/x/checkout.js", "", 200, 700});
  s.Add({kT0 + 4 * kDay, "198.18.0.4", "GET", "/static/frontend/x/checkout.js", "", 404, 100});
  // A rogue admin: the admin area from an address never seen before the breach.
  s.Add({b + 3 * kHour, "192.0.2.77", "GET", "/admin/", "", 200, 7000, "Chrome/120"});
  s.Add({b + 3 * kHour + 9 * kSec, "192.0.2.77", "POST", "/admin/admin/index/index/", "", 302, 0,
         "Chrome/120"});
  // Scanners probing the admin area get nothing: not admins, not rogue.
  s.Add({b + 4 * kHour, "198.51.100.99", "GET", "/admin/", "", 404, 100, "zgrab/0.x"});
  s.Add({b + 4 * kHour, "198.51.100.99", "POST", "/wp-login.php", "", 404, 100, "zgrab/0.x"});
}

inline const Attacker* WithAddress(const InvestigationResult& r, const std::string& ip) {
  for (const Attacker& a : r.attackers)
    if (std::find(a.addresses.begin(), a.addresses.end(), ip) != a.addresses.end()) return &a;
  return nullptr;
}

}  // namespace tq::analysis
