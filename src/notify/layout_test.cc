// Letter layouts per law (issue 28): the California structure as the base, Massachusetts'
// own layout, the New York, Washington and Puerto Rico blocks, GDPR Art. 34(2) content, and
// "hashed", never "encrypted", for a password hash in every language.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "notify/notify.h"

namespace tq::notify {
namespace {

std::string Templates() { return std::string(TQ_SOURCE_DIR) + "/data/templates"; }

AffectedPerson Resident(std::string country, std::string region, std::string lang,
                        std::vector<std::string> cats = {"email", "payment_card"}) {
  AffectedPerson p;
  p.person_key = "customer:1";
  p.email = "ann@example.com";
  p.name = "Ann";
  p.country = country;
  p.region = region;
  p.language = lang;
  p.categories = cats;
  p.first_exposure = 1741132800LL * 1000000;
  p.last_exposure = p.first_exposure;
  return p;
}

std::map<std::string, std::string> Extra() {
  return {{"organisation", "Example Shop"},
          {"legal_name", "Example Shop Ltd"},
          {"store_url", "https://shop.example"},
          {"contact", "privacy@shop.example"},
          {"dpo", "Dana Smith, dpo@shop.example"},
          {"incident",
           "The attacker got in by trying e-mail addresses and passwords leaked from "
           "other websites (credential stuffing)."},
          {"notice_date", "2025-03-20"},
          {"discovered", "2025-03-14"}};
}

bool Has(const std::string& text, const std::string& s) {
  return text.find(s) != std::string::npos;
}

TEST(Layout, CaliforniaFormIsTheBase) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto l = r->Render(Resident("US", "CA", "en"), Extra());
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->body.starts_with("Notice of Data Breach\n")) << l->body;
  for (const char* heading :
       {"\nWhat Happened\n", "\nWhat Information Was Involved\n", "\nWhat We Are Doing\n",
        "\nWhat You Can Do\n", "\nFor More Information\n"})
    EXPECT_TRUE(Has(l->body, heading)) << heading;
  EXPECT_TRUE(Has(l->body, "Date of this notice: March 20, 2025"));
  EXPECT_TRUE(Has(l->body, "not delayed by a law enforcement investigation"));
  EXPECT_TRUE(Has(l->body, "(credential stuffing)"));      // the general description, from the case
  EXPECT_TRUE(Has(l->body, "exposed on March 5, 2025."));  // one day says so
  auto extra = Extra();
  extra["law_enforcement_delay"] = "yes";
  auto delayed = r->Render(Resident("US", "CA", "en"), extra);
  ASSERT_TRUE(delayed.ok());
  EXPECT_TRUE(Has(delayed->body, "delayed at the request of law enforcement"));
}

TEST(Layout, MassachusettsNamesPoliceReportAndFreeFreezeAndNotTheBreach) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // A Spanish-speaking resident: the law's layout exists in English only, and wins.
  auto l = r->Render(Resident("US", "MA", "es"), Extra());
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->language, "en");
  EXPECT_TRUE(Has(l->body, "right to obtain a police report"));
  EXPECT_TRUE(Has(l->body, "security freeze"));
  EXPECT_TRUE(Has(l->body, "free of charge"));
  EXPECT_TRUE(Has(l->body, "Equifax") && Has(l->body, "Experian") && Has(l->body, "TransUnion"));
  // No description of the breach, its dates or how many residents.
  EXPECT_FALSE(Has(l->body, "What Happened"));
  EXPECT_FALSE(Has(l->body, "credential stuffing"));
  EXPECT_FALSE(Has(l->body, "March 5, 2025"));
  EXPECT_FALSE(Has(l->body, "2025-03-05"));
  EXPECT_FALSE(Has(l->body, "residents affected"));
  EXPECT_TRUE(Has(l->body, "What Information Was Involved"));
}

TEST(Layout, NewYorkWashingtonAndPuertoRicoCarryTheirContactBlocks) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto ny = r->Render(Resident("US", "NY", "en"), Extra());
  ASSERT_TRUE(ny.ok());
  for (const char* s : {"1-800-771-7755", "1-800-697-1220", "identitytheft.gov", "Equifax"})
    EXPECT_TRUE(Has(ny->body, s)) << s;
  auto wa = r->Render(Resident("US", "WA", "en"), Extra());
  ASSERT_TRUE(wa.ok());
  for (const char* s : {"1-800-551-4636", "identitytheft.gov", "P.O. Box 9554"})
    EXPECT_TRUE(Has(wa->body, s)) << s;
  // Western Australia is not Washington.
  auto au = r->Render(Resident("AU", "WA", "en"), Extra());
  ASSERT_TRUE(au.ok());
  EXPECT_FALSE(Has(au->body, "1-800-551-4636"));
  // Puerto Rico: no toll-free number, no letter; the missing field is named.
  auto pr = r->Render(Resident("PR", "", "es"), Extra());
  ASSERT_FALSE(pr.ok());
  EXPECT_TRUE(Has(pr.status().ToString(), "phone")) << pr.status().ToString();
  auto extra = Extra();
  extra["phone"] = "1-800-555-0100";
  extra["website"] = "https://shop.example/incident";
  for (auto person : {Resident("PR", "", "es"), Resident("US", "PR", "en")}) {
    auto ok = r->Render(person, extra);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_TRUE(Has(ok->body, "1-800-555-0100") && Has(ok->body, "https://shop.example/incident"));
  }
}

TEST(Layout, GdprArticle34ElementsInEveryLanguage) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  struct {
    const char* country;
    const char* lang;
    const char* nature;       // the nature of the breach, in plain language
    const char* consequence;  // likely consequences
    const char* measures;     // measures taken or proposed
    const char* dpo;          // the contact point
  } cases[] = {
      {"IE", "en", "credential stuffing", "Fraudulent payments", "What We Are Doing",
       "Our data protection officer: Dana Smith"},
      {"DE", "de", "Unbefugte haben sich Zugang", "Betrügerische Zahlungen", "Was wir unternehmen",
       "Unser Datenschutzbeauftragter: Dana Smith"},
      {"FR", "fr", "Un tiers non autorisé", "paiements frauduleux", "Ce que nous faisons",
       "Notre délégué à la protection des données : Dana Smith"},
      {"ES", "es", "Un tercero no autorizado", "Pagos fraudulentos", "Qué estamos haciendo",
       "Nuestro delegado de protección de datos: Dana Smith"},
  };
  for (const auto& c : cases) {
    auto l = r->Render(Resident(c.country, "", c.lang), Extra());
    ASSERT_TRUE(l.ok()) << c.lang;
    EXPECT_EQ(l->language, c.lang);
    for (const char* s : {c.nature, c.consequence, c.measures, c.dpo, "Example Shop Ltd"})
      EXPECT_TRUE(Has(l->body, s)) << c.lang << ": " << s << "\n" << l->body;
  }
}

TEST(Layout, HashedPasswordsAreNeverCalledEncrypted) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok());
  for (const char* lang : {"en", "de", "fr", "es"}) {
    auto l = r->Render(Resident("DE", "", lang, {"password_hash"}), Extra());
    ASSERT_TRUE(l.ok());
    std::string low = l->body;
    for (char& ch : low) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
    for (const char* bad : {"encrypt", "verschlüssel", "chiffr", "cifrad", "scrambled"})
      EXPECT_FALSE(Has(low, bad)) << lang << ": " << bad;
  }
}

TEST(Layout, EveryLawLayoutCitesItsStatute) {
  int layouts = 0;
  for (const auto& e : std::filesystem::directory_iterator(Templates())) {
    std::string name = e.path().filename().string();
    if (name.find('@') == std::string::npos) continue;
    std::ifstream in(e.path());
    std::string first;
    std::getline(in, first);
    EXPECT_TRUE(first.starts_with("Law: ") && first.size() > 20) << name;
    ++layouts;
  }
  EXPECT_GE(layouts, 4);  // MA layout; NY, WA, PR blocks
}

// A law's layout that does not load stops the letters of its language (never sent without the
// law's required text), names the file, and leaves the other languages' letters alone.
TEST(Layout, ALayoutWithoutItsLawIsRefused) {
  namespace fs = std::filesystem;
  std::string dir = ::testing::TempDir() + "/layout-no-law";
  fs::create_directories(dir);
  for (const char* f : {"letter.en.txt", "strings.en.txt"})
    fs::copy_file(Templates() + "/" + f, dir + "/" + f, fs::copy_options::overwrite_existing);
  std::ofstream(dir + "/letter.en@US-XX.txt") << "Subject: x\n\nbody\n";
  for (const char* f : {"letter.de.txt", "strings.de.txt"})
    fs::copy_file(Templates() + "/" + f, dir + "/" + f, fs::copy_options::overwrite_existing);
  auto r = LetterRenderer::Load(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto en = r->Render(Resident("US", "CA", "en"), Extra());
  ASSERT_FALSE(en.ok());
  EXPECT_TRUE(Has(en.status().ToString(), "letter.en@US-XX.txt:1")) << en.status().ToString();
  auto de = r->Render(Resident("DE", "", "de"), Extra());
  EXPECT_TRUE(de.ok()) << de.status().ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tq::notify
