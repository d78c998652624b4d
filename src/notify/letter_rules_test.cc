// data/jurisdictions/letters.txt: the shipped rules by jurisdiction, and broken files refused
// with file and line.
#include <gtest/gtest.h>

#include <filesystem>

#include "notify/delivery.h"
#include "notify/delivery_test_support.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

TEST(LetterRules, ShippedRulesByJurisdiction) {
  const LetterRules& r = Shipped();
  struct {
    const char* jurisdiction;
    EmailRule email;
    std::vector<std::string> required;
  } want[] = {
      {"US-CA", EmailRule::kEsign, {}},
      {"US-MA", EmailRule::kEsign, {}},
      {"US-PR", EmailRule::kAuthenticated, {"phone", "website"}},
      {"PR", EmailRule::kAuthenticated, {"phone", "website"}},
      {"US-TX", EmailRule::kEsign, {}},                    // the country's rule
      {"DE", EmailRule::kAllowed, {"legal_name", "dpo"}},  // the EEA set
      {"IS", EmailRule::kAllowed, {"legal_name", "dpo"}},
      {"GB", EmailRule::kAllowed, {"legal_name", "dpo"}},
      {"CA-QC", EmailRule::kAllowed, {"legal_name"}},
      {"AU-NSW", EmailRule::kAllowed, {"legal_name"}},
      {"JP", EmailRule::kAllowed, {}},
      {"NZ", EmailRule::kConsent, {}},  // "*"
      {"", EmailRule::kConsent, {}},
  };
  for (const auto& w : want) {
    const LetterRule* rule = r.For(w.jurisdiction);
    ASSERT_NE(rule, nullptr) << w.jurisdiction;
    EXPECT_EQ(rule->email, w.email) << w.jurisdiction;
    EXPECT_EQ(rule->required, w.required) << w.jurisdiction;
    EXPECT_FALSE(rule->source.empty());
  }
}

TEST(LetterRules, BrokenFilesAreRefusedWithFileAndLine) {
  std::map<std::string, std::vector<std::string>> sets = {{"EU2", {"DE", "FR"}}};
  const std::string star = "\n\nwhere: *\nemail: consent\nsource: s\nstatus: UNV\n";
  struct {
    std::string text, error;
  } bad[] = {
      {"where: US-CA\nemail: fax\nsource: s\nstatus: V-S" + star,
       "l.txt:2: email: expected allowed, esign, authenticated or consent, got 'fax'"},
      {"where: US-CA\nrequires: shoe_size\nemail: esign\nsource: s\nstatus: V-S" + star,
       "l.txt:2: requires: unknown controller field 'shoe_size' (legal_name, postal_address, "
       "dpo, phone, website)"},
      {"where: us-ca\nemail: esign\nsource: s\nstatus: V-S" + star,
       "l.txt:1: where: 'us-ca' is not a code or set"},
      {"where: US-CA\nemail: esign\nstatus: V-S" + star,
       "l.txt:1: every rule names its source and status (V-P, V-S, UNV)"},
      {"where: US-CA\nemail: esign\nsource: s\nstatus: V-S\n\nwhere: US-CA\nemail: allowed\n"
       "source: s\nstatus: V-S" +
           star,
       "l.txt:6: 'US-CA' has two rules"},
      {"where: DE\nemail: allowed\nsource: s\nstatus: V-S\ncolour: red" + star,
       "l.txt:5: unknown key 'colour'"},
      {"where: DE\nemail: allowed\nsource: s\x01\nstatus: V-S" + star,
       "l.txt:3: control character in the table"},
      {"where: DE\nemail: allowed\nsource: s\nstatus: V-S\n",
       "l.txt: no rule for '*' (everyone else)"},
      {"where: DE\nemail: allowed\nsource: " + std::string(5000, 'x') + "\nstatus: V-S" + star,
       "l.txt:3: line longer than 4096 bytes"},
      {"where: DE\nemail\nsource: s\nstatus: V-S" + star,
       "l.txt:2: expected 'key: value', got 'email'"},
  };
  for (const auto& b : bad) {
    auto r = ParseLetterRules(b.text, "l.txt", sets);
    ASSERT_FALSE(r.ok()) << b.error;
    EXPECT_EQ(r.status().ToString(), b.error);
  }
  auto ok = ParseLetterRules(
      "where: EU2\nrequires: legal_name\nemail: allowed\nsource: s\n"
      "status: V-P" +
          star,
      "l.txt", sets);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->For("FR")->email, EmailRule::kAllowed);
  EXPECT_EQ(ok->For("ES")->email, EmailRule::kConsent);
}

}  // namespace
}  // namespace tq::notify
