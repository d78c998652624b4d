// The investigation on hand-made access records: attribution (intruder, linked addresses,
// failed scanners, store admins, a rogue admin, credential stuffing), the entry request,
// sessions from the second pass, exfiltration and the skimmer window.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis/investigation_test_support.h"

namespace tq::analysis {
namespace {

TEST(Investigation, EntryIsTheFirstRuleHitThatWorked) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  ASSERT_TRUE(r.entry.has_value());
  EXPECT_EQ(r.entry->request.client, "203.0.113.9");
  EXPECT_EQ(r.entry->request.path, "/rest/V1/guest-carts/abc/estimate-shipping-methods");
  EXPECT_EQ(r.entry->cve, "CVE-2024-34102");
  EXPECT_EQ(r.entry->technique, "Magento CosmicSting XXE");
  // The line of the record in its item, as given.
  auto it = std::find_if(s.recs().begin(), s.recs().end(), [](const Rec& x) {
    return x.method == "POST" && x.client == "203.0.113.9";
  });
  EXPECT_EQ(r.entry->request.line, it->line);
  EXPECT_EQ(r.entry->request.offset, it->line * 100);
}

TEST(Investigation, EntryFallsBackToTheAdvisoryCve) {
  Store s;
  s.Add({kT0,
         "203.0.113.9",
         "POST",
         "/wp-json/wp/v2/users",
         "",
         201,
         900,
         "x",
         {Hit("WordPress user creation by anonymous", "critical")}});
  InvestigationInputs in;
  in.advisory_cves = {"CVE-2023-28121"};
  InvestigationResult r = s.Run(in);
  ASSERT_TRUE(r.entry.has_value());
  EXPECT_EQ(r.entry->cve, "CVE-2023-28121");
}

TEST(Investigation, ExploitForAnOpenCveIsTheEntryWhateverTheAnswer) {
  // Out-of-band XXE answers 400 and still reads the server's files.
  Store s;
  AddBackground(s);
  RuleMatch xxe = Hit("CosmicSting probe", "high", {"attack.t1190", "cve.2024-34102"});
  s.Add({kT0 + 2 * kHour, "203.0.113.70", "GET", "/magento_version", "", 200, 23, "x"});
  s.Add({kT0 + 3 * kHour,
         "203.0.113.71",
         "POST",
         "/rest/V1/guest-carts/1/estimate-shipping-methods",
         "",
         400,
         127,
         "python-requests/2.31",
         {xxe}});
  InvestigationInputs open;
  open.advisory_cves = {"CVE-2024-34102"};
  InvestigationResult r = s.Run(open);
  ASSERT_NE(WithAddress(r, "203.0.113.71"), nullptr);
  EXPECT_EQ(WithAddress(r, "203.0.113.70"), nullptr);
  ASSERT_TRUE(r.entry.has_value());
  EXPECT_EQ(r.entry->request.status, 400);
  EXPECT_EQ(r.entry->cve, "CVE-2024-34102");
  EXPECT_EQ(r.entry->technique, "CosmicSting probe");
  // The same probe against a store the advisory does not cover failed: a scanner.
  InvestigationResult patched = s.Run({});
  EXPECT_EQ(WithAddress(patched, "203.0.113.71"), nullptr);
  EXPECT_FALSE(patched.entry.has_value());
}

TEST(Investigation, SessionsHoldEachAttackersRequestsInOrder) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  std::vector<std::string> paths;
  for (const SessionEvent& e : r.sessions)
    if (e.attacker == 0) paths.push_back(e.request.path);
  EXPECT_THAT(
      paths,
      ElementsAre("/.git/config", "/rest/V1/guest-carts/abc/estimate-shipping-methods",
                  "/media/wysiwyg/cache.php", "/media/wysiwyg/cache.php", "/media/tmp/db.sql.gz"));
  EXPECT_TRUE(std::is_sorted(r.sessions.begin(), r.sessions.end(),
                             [](auto& a, auto& b) { return a.request.time < b.request.time; }));
}

TEST(Investigation, ExfiltrationCountsDownloadsAndListsWebshellResponses) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  std::vector<std::pair<std::string, int64_t>> got;
  for (const Exfiltration& x : r.exfiltration) got.emplace_back(x.kind, x.request.bytes);
  EXPECT_THAT(got, ElementsAre(std::pair<std::string, int64_t>{"webshell_response", 54},
                               std::pair<std::string, int64_t>{"webshell_response", 2048},
                               std::pair<std::string, int64_t>{"download", 5000000}));
  EXPECT_EQ(r.bytes_exfiltrated, 5000000);
  EXPECT_EQ(r.attackers[0].bytes_sent, 120 + 812 + 54 + 2048 + 5000000);
}

TEST(Investigation, DumpDownloadNamesTheWebshellCommandThatWroteIt) {
  Store s;
  AddBackground(s);
  const UnixMicros b = kT0 + kDay + 2 * kHour;
  // The dump command: a POST to the webshell (the GETs before it only read).
  s.Add({b + 500 * kSec, "203.0.113.10", "POST", "/media/wysiwyg/cache.php", "", 200, 12,
         "curl/8.4.0"});
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  auto dl = std::find_if(r.exfiltration.begin(), r.exfiltration.end(),
                         [](const Exfiltration& x) { return x.kind == "download"; });
  ASSERT_NE(dl, r.exfiltration.end());
  ASSERT_TRUE(dl->written_by.has_value());
  EXPECT_EQ(dl->written_by->time, b + 500 * kSec);
  EXPECT_EQ(dl->written_by->method, "POST");
  // Without a command to the webshell, nothing bounds the file's age.
  Store plain;
  AddBackground(plain);
  AddBreach(plain);
  for (const Exfiltration& x : plain.Run(Inputs()).exfiltration)
    EXPECT_FALSE(x.written_by.has_value());
}

TEST(Investigation, SkimmerWindowRunsFromInjectionToRemoval) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  ASSERT_TRUE(r.skimmer_window.has_value());
  EXPECT_EQ(r.skimmer_window->start, kT0 + kDay + 3 * kHour);
  EXPECT_EQ(r.skimmer_window->end, kT0 + 4 * kDay);
  EXPECT_EQ(r.skimmer_window->start_finding_id, 12);
}

TEST(Investigation, SkimmerWindowFromDatabaseRowOpenUntilDiscovery) {
  Store s;
  s.Add({kT0, "198.18.0.1", "GET", "/", "", 200, 100});
  InvestigationInputs in;
  in.db_events.push_back({kT0 + kHour, "storedb.injected_script", "core_config_data 42", "", true,
                          false, 7, 3, std::nullopt, 4096, false, ""});
  in.discovered_at = kT0 + 2 * kDay;
  InvestigationResult r = s.Run(in);
  ASSERT_TRUE(r.skimmer_window.has_value());
  EXPECT_EQ(r.skimmer_window->start, kT0 + kHour);
  EXPECT_EQ(r.skimmer_window->end, kT0 + 2 * kDay);
}

TEST(Investigation, ReRunGivesTheSameAnswer) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  InvestigationResult a = s.Run(Inputs()), b = s.Run(Inputs());
  ASSERT_EQ(a.attackers.size(), b.attackers.size());
  for (size_t i = 0; i < a.attackers.size(); ++i) {
    EXPECT_EQ(a.attackers[i].label, b.attackers[i].label);
    EXPECT_EQ(a.attackers[i].addresses, b.attackers[i].addresses);
    EXPECT_EQ(a.attackers[i].reasons, b.attackers[i].reasons);
  }
}

TEST(CveFromTags, Table) {
  struct Case {
    std::vector<std::string> tags;
    std::string want;
  } cases[] = {
      {{"attack.t1190", "cve.2024-34102"}, "CVE-2024-34102"},
      {{"CVE-2022-24086"}, "CVE-2022-24086"},
      {{"attack.initial_access"}, ""},
      {{"cve."}, ""},
      {{"cve.abc"}, ""},
      {{}, ""},
  };
  for (const Case& c : cases) EXPECT_EQ(CveFromTags(c.tags), c.want);
}

TEST(Investigation, StoredExploitPayloadNamesTheEntry) {
  // TrojanOrder: the template directive travels in the shipping address's body, which the
  // access log does not record; the order row that stores it does, with its time.
  Store s;
  AddBackground(s);
  const UnixMicros placed = kT0 + kDay + 5 * kHour;
  const std::string cart = "/rest/default/V1/guest-carts/m4sk";
  // A customer checks out at the same time from elsewhere.
  s.Add({placed - 4 * kSec, "198.18.0.9", "POST", cart + "x/shipping-information", "", 200, 2871});
  s.Add({placed - kSec, "198.18.0.9", "POST", cart + "x/payment-information", "", 200, 11});
  s.Add({placed - 9 * kSec, "203.0.113.80", "POST", "/rest/default/V1/guest-carts", "", 200, 34});
  s.Add({placed - 5 * kSec, "203.0.113.80", "POST", cart + "/shipping-information", "", 200, 2871});
  s.Add({placed, "203.0.113.80", "POST", cart + "/payment-information", "", 200, 11});
  InvestigationInputs in;
  DbEvent e;
  e.time = placed;
  e.kind = "storedb.injected_script";
  e.summary = "Template directive in sales_order.customer_firstname {\"entity_id\":3001}";
  e.exploit = true;
  e.cve = "CVE-2022-24086";
  e.finding_id = 9;
  in.db_events.push_back(e);
  in.advisory_cves = {"CVE-2022-24086"};
  InvestigationResult r = s.Run(in);
  ASSERT_NE(WithAddress(r, "203.0.113.80"), nullptr);
  EXPECT_EQ(WithAddress(r, "198.18.0.9"), nullptr) << "the customer checking out";
  ASSERT_TRUE(r.entry.has_value());
  EXPECT_EQ(r.entry->request.path, cart + "/shipping-information");
  EXPECT_EQ(r.entry->cve, "CVE-2022-24086");
  EXPECT_FALSE(r.skimmer_window.has_value()) << "a payload in an order is not a skimmer";
}

// Credential-stuffing bots: many addresses posting to the same two login endpoints at the same
// pace in one window, rotating the same browser agents.
void AddStuffingBots(Store& s, const std::string& prefix, UnixMicros start, int bots) {
  const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64) Chrome/123.0",
                          "Mozilla/5.0 (Macintosh) Chrome/124.0", kBrowser};
  for (int b = 0; b < bots; ++b) {
    std::string ip = prefix + std::to_string(b + 1);
    for (int i = 0; i < 30; ++i)
      s.Add({start + b * 7 * kSec + i * 90 * kSec, ip, "POST",
             i % 2 ? "/xmlrpc.php" : "/wp-login.php", "", 200, 4611, agents[(b + i) % 3]});
  }
}

TEST(Investigation, StuffingBotsAreOneCampaignAndTheIntruderRanksFirst) {
  Store s;
  AddBackground(s);
  AddStuffingBots(s, "45.9.20.", kT0 + 3 * kHour, 12);  // before the breach
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  ASSERT_FALSE(r.attackers.empty());
  EXPECT_EQ(r.attackers[0].label, "attacker-1");
  EXPECT_EQ(r.attackers[0].role, "intruder");
  EXPECT_THAT(r.attackers[0].achieved, ::testing::Contains("foothold"));
  const Attacker* bots = WithAddress(r, "45.9.20.1");
  ASSERT_NE(bots, nullptr);
  EXPECT_EQ(bots->kind, "campaign");
  EXPECT_EQ(bots->role, "credential_stuffing");
  EXPECT_EQ(bots->addresses.size(), 12u);
  EXPECT_EQ(bots->summary, "credential-stuffing campaign, 12 addresses");
  EXPECT_THAT(bots->achieved, IsEmpty());
  EXPECT_NE(bots->label, "attacker-1") << "seen first, achieved nothing";
  // The entry's and the sessions' attacker indexes follow the ranking. The stuffing came
  // first, so it is where the attack began; it is still ranked below what got in.
  ASSERT_TRUE(r.entry.has_value());
  EXPECT_EQ(&r.attackers[r.entry->attacker], bots);
  EXPECT_NE(std::find(bots->addresses.begin(), bots->addresses.end(), r.entry->request.client),
            bots->addresses.end());
  for (const SessionEvent& e : r.sessions) {
    const auto& addrs = r.attackers[e.attacker].addresses;
    EXPECT_NE(std::find(addrs.begin(), addrs.end(), e.request.client), addrs.end());
  }
}

TEST(Investigation, CampaignsNeedTheSameTargetsWindowAndPace) {
  Store s;
  AddStuffingBots(s, "45.9.20.", kT0, 4);
  AddStuffingBots(s, "45.9.30.", kT0 + 2 * kDay, 4);  // another window: another campaign
  // Same window and targets, but one post an hour: not the bots' pace.
  for (int i = 0; i < 30; ++i)
    s.Add({kT0 + i * kHour, "45.9.40.1", "POST", i % 2 ? "/xmlrpc.php" : "/wp-login.php", "", 200,
           4611, kBrowser});
  InvestigationResult r = s.Run({});
  const Attacker* a = WithAddress(r, "45.9.20.1");
  const Attacker* b = WithAddress(r, "45.9.30.1");
  const Attacker* slow = WithAddress(r, "45.9.40.1");
  ASSERT_TRUE(a && b && slow);
  EXPECT_NE(a, b);
  EXPECT_EQ(a->addresses.size(), 4u);
  EXPECT_EQ(b->addresses.size(), 4u);
  EXPECT_EQ(a->kind, "campaign");
  EXPECT_EQ(slow->kind, "actor");
  EXPECT_THAT(slow->addresses, ElementsAre("45.9.40.1"));
}

// Stuffing through many proxies: a handful of posts per address. Those that behave like a
// campaign's attackers join it; the same handful far from any campaign stays unattributed.
TEST(Investigation, LightBotsJoinTheCampaignTheyBehaveLike) {
  Store s;
  AddBackground(s);
  AddStuffingBots(s, "45.9.20.", kT0 + 3 * kHour, 4);
  const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64) Chrome/123.0",
                          "Mozilla/5.0 (Macintosh) Chrome/124.0"};
  auto light = [&](const std::string& ip, UnixMicros start) {
    for (int i = 0; i < 4; ++i)
      s.Add({start + i * 90 * kSec, ip, "POST", i % 2 ? "/xmlrpc.php" : "/wp-login.php", "", 200,
             4611, agents[i % 2]});
  };
  for (int b = 0; b < 6; ++b)
    light("45.9.50." + std::to_string(b + 1), kT0 + 3 * kHour + b * 60 * kSec);
  for (int b = 0; b < 6; ++b)
    light("45.9.60." + std::to_string(b + 1), kT0 + 2 * kDay + b * 60 * kSec);
  InvestigationResult r = s.Run({});
  const Attacker* bots = WithAddress(r, "45.9.20.1");
  ASSERT_NE(bots, nullptr);
  EXPECT_EQ(bots->kind, "campaign");
  EXPECT_EQ(bots->addresses.size(), 10u);
  EXPECT_EQ(WithAddress(r, "45.9.50.6"), bots);
  EXPECT_EQ(WithAddress(r, "45.9.60.1"), nullptr) << "no attacker behaves like them";
}

TEST(Investigation, RefusedScannersAreOneBackgroundActorNotAttackers) {
  Store s;
  AddBackground(s);  // 198.51.100.7: thirty refused probes
  for (int i = 0; i < 3; ++i)
    s.Add({kT0 + 2 * kHour + i * kSec,
           "198.51.100.2" + std::to_string(i),
           "GET",
           "/phpinfo.php",
           "",
           404,
           150,
           "zgrab/0.x",
           {Hit("phpinfo probe", "medium")}});
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  ASSERT_TRUE(r.background.has_value());
  EXPECT_EQ(r.background->addresses, 4);
  EXPECT_THAT(r.background->sample,
              ElementsAre("198.51.100.20", "198.51.100.21", "198.51.100.22", "198.51.100.7"));
  EXPECT_EQ(r.background->refused, 33);
  for (const std::string& ip : r.background->sample) EXPECT_EQ(WithAddress(r, ip), nullptr);
  // The intruder's own refused probe is its, not background.
  EXPECT_EQ(std::count(r.background->sample.begin(), r.background->sample.end(), "203.0.113.9"), 0);
}

TEST(Investigation, RatesEachRequestWithHitsByOutcomeAndOwner) {
  Store s;
  AddBackground(s);
  AddBreach(s);
  InvestigationResult r = s.Run(Inputs());
  int refused_scanner = 0, worked_intruder = 0, ordinary = 0;
  for (const RatedRequest& q : r.rated) {
    const Rec& rec = s.recs()[static_cast<size_t>(q.line - 1)];
    if (rec.client == "198.51.100.7") {
      EXPECT_EQ(q.outcome, RequestOutcome::kRefused);
      EXPECT_FALSE(q.attacker.has_value());
      ++refused_scanner;
    }
    if (rec.client == "203.0.113.9" && rec.status == 200) {
      EXPECT_EQ(q.outcome, RequestOutcome::kWorked);
      ASSERT_TRUE(q.attacker.has_value());
      EXPECT_EQ(r.attackers[*q.attacker].label, "attacker-1");
      ++worked_intruder;
    }
    // The customers' quoted search answered with the product page's ordinary size.
    if (rec.path == "/catalog/product.html") {
      EXPECT_EQ(q.outcome, RequestOutcome::kOrdinary);
      ++ordinary;
    }
  }
  EXPECT_EQ(refused_scanner, 30);
  EXPECT_EQ(worked_intruder, 1);
  EXPECT_EQ(ordinary, 60);
}

}  // namespace
}  // namespace tq::analysis
