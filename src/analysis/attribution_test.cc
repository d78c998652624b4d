// Attribution on hand-made access records: the intruder's addresses found and linked (shared
// session, reconnaissance with its agent, the second pass over artifacts), admins, customers and
// scanners spared, an ordinary page's hit and one reflected probe not enough, credential
// stuffing an attacker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis/investigation_test_support.h"

namespace tq::analysis {
namespace {

TEST(Investigation, AttributesIntruderAddressesAndSparesAdminsCustomersScanners) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  ASSERT_EQ(r.attackers.size(), 2u);
  EXPECT_THAT(r.attackers[0].addresses, ElementsAre("192.0.2.50", "203.0.113.10", "203.0.113.9"));
  EXPECT_EQ(r.attackers[0].label, "attacker-1");
  EXPECT_EQ(r.attackers[0].role, "intruder");
  EXPECT_GE(r.attackers[0].confidence, 0.8);
  EXPECT_THAT(r.attackers[1].addresses, ElementsAre("192.0.2.77"));
  EXPECT_EQ(r.attackers[1].role, "rogue_admin");
  EXPECT_EQ(WithAddress(r, "10.1.1.5"), nullptr) << "the store's admin";
  EXPECT_EQ(WithAddress(r, "198.51.100.7"), nullptr) << "the failed scanner";
  EXPECT_EQ(WithAddress(r, "198.18.0.3"), nullptr) << "a customer";
  EXPECT_EQ(r.failed_scanners, 1);
  EXPECT_EQ(r.store_admins, 1);
  EXPECT_FALSE(r.attackers[0].reasons.empty());
}

TEST(Investigation, SecondPassAttributesNewAddressesThatTouchArtifacts) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  Rec late{kT0 + 2 * kDay, "100.64.9.9", "GET", "/media/wysiwyg/cache.php",
           "c=whoami",     200,          9,     "Go-http-client/1.1"};
  late.line = 9999;
  Rec probe{kT0 + 2 * kDay, "100.64.9.10", "GET", "/media/wysiwyg/cache.php", "", 404, 9, "x"};
  InvestigationResult r = s.Run(Inputs(), {late, probe});
  const Attacker* a = WithAddress(r, "100.64.9.9");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->label, "attacker-1");
  EXPECT_EQ(WithAddress(r, "100.64.9.10"), nullptr) << "a failed probe is not a touch";
  auto e = std::find_if(r.sessions.begin(), r.sessions.end(),
                        [](const SessionEvent& x) { return x.request.client == "100.64.9.9"; });
  ASSERT_NE(e, r.sessions.end());
  EXPECT_TRUE(e->attributed_by_artifact);
}

TEST(Investigation, HitOnAnOrdinaryPageIsNotAnIntrusion) {
  Store s;
  AddBackground(s);
  InvestigationResult r = s.Run({});
  EXPECT_THAT(r.attackers, IsEmpty());
  EXPECT_FALSE(r.entry.has_value());
}

TEST(Investigation, OneReflectedProbeAnsweredWithThePageIsNotEnough) {
  Store s;
  AddBackground(s);
  s.Add({kT0 + 2 * kHour,
         "104.0.0.1",
         "GET",
         "/catalogsearch/result/",
         "q=<script>",
         200,
         21480,
         "x",
         {Hit("XSS in request", "high")}});
  InvestigationResult r = s.Run({});
  EXPECT_EQ(WithAddress(r, "104.0.0.1"), nullptr);
}

TEST(Investigation, CredentialStuffingIsAnAttacker) {
  Store s;
  AddBackground(s);
  for (int i = 0; i < 25; ++i)
    s.Add({kT0 + 2 * kHour + i * kSec, "45.9.20.1", "POST", "/customer/account/loginPost/", "", 302,
           0, "okhttp/4.9"});
  InvestigationResult r = s.Run({});
  const Attacker* a = WithAddress(r, "45.9.20.1");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->role, "credential_stuffing");
}

TEST(Investigation, SharedSessionLinksAddresses) {
  Store s;
  AddBackground(s);
  s.Add({kT0 + 2 * kHour,
         "203.0.113.9",
         "POST",
         "/rest/V1/x",
         "",
         200,
         10,
         "a",
         {Hit("Exploit", "critical")},
         "tok123"});
  s.Add({kT0 + 3 * kHour,
         "203.0.113.44",
         "GET",
         "/customer/account/",
         "",
         200,
         10,
         "b",
         {},
         "tok123"});
  InvestigationResult r = s.Run({});
  ASSERT_EQ(r.attackers.size(), 1u);
  EXPECT_THAT(r.attackers[0].addresses, ElementsAre("203.0.113.44", "203.0.113.9"));
}

TEST(Investigation, ReconWithTheIntrudersAgentShortlyBeforeIsLinked) {
  RuleMatch xxe = Hit("CosmicSting probe", "high", {"attack.t1190", "cve.2024-34102"});
  RuleMatch banner =
      Hit("Magento Version Fingerprinting", "low", {"attack.reconnaissance", "attack.t1592.002"});
  const std::string kit = "Mozilla/5.0 (X11; Linux x86_64) Chrome/123.0.0.0";
  auto run = [&](UnixMicros recon_at, const std::string& recon_ua) {
    Store s;
    AddBackground(s);
    s.Add({recon_at, "203.0.113.70", "GET", "/magento_version", "", 200, 23, recon_ua, {banner}});
    s.Add({kT0 + 3 * kHour, "203.0.113.71", "POST", "/rest/V1/guest-carts", "", 200, 34, kit});
    s.Add({kT0 + 3 * kHour + 3 * kSec,
           "203.0.113.71",
           "POST",
           "/rest/V1/guest-carts/1/estimate-shipping-methods",
           "",
           400,
           127,
           kit,
           {xxe}});
    InvestigationInputs open;
    open.advisory_cves = {"CVE-2024-34102"};
    return s.Run(open);
  };
  InvestigationResult linked = run(kT0 + 2 * kHour, kit);
  const Attacker* a = WithAddress(linked, "203.0.113.70");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, WithAddress(linked, "203.0.113.71")) << "one attacker, two addresses";
  EXPECT_TRUE(std::any_of(a->reasons.begin(), a->reasons.end(), [](const std::string& r) {
    return r.find("fingerprinted the platform") != std::string::npos;
  }));
  // Another agent, or a version check days before: a scanner like any other.
  EXPECT_EQ(WithAddress(run(kT0 + 2 * kHour, "zgrab/0.x"), "203.0.113.70"), nullptr);
  EXPECT_EQ(WithAddress(run(kT0 - 2 * kDay, kit), "203.0.113.70"), nullptr);
}

}  // namespace
}  // namespace tq::analysis
