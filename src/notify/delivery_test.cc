// Delivery: the letter rules file (shipped and broken), the channel of a letter from its
// jurisdiction and the person's consent, the consent list reader on broken input, the
// controller's details in the case, and a printed letter that renders (pdftotext, pdftoppm).
#include "notify/delivery.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/testing.h"

namespace tq::notify {
namespace {

std::string Data() { return std::string(TQ_SOURCE_DIR) + "/data/jurisdictions"; }

const LetterRules& Shipped() {
  static const LetterRules rules = [] {
    auto table = LoadDutyTable(Data() + "/duties.txt");
    EXPECT_TRUE(table.ok());
    auto r = LoadLetterRules(Data() + "/letters.txt", table->sets);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }();
  return rules;
}

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

TEST(Channel, EmailOnlyWhereTheLawOrTheConsentAllowsIt) {
  const LetterRules& r = Shipped();
  struct {
    const char* jurisdiction;
    const char* consent;
    bool email_ok;
    const char* channel;
  } cases[] = {
      {"US-CA", "", true, "post"},
      {"US-CA", "esign", true, "email"},
      {"US-CA", "authenticated", true, "post"},
      {"US-MA", "esign", true, "email"},
      {"US-PR", "", true, "post"},
      {"US-PR", "authenticated", true, "email"},
      {"US-PR", "esign", true, "email"},
      {"DE", "", true, "email"},
      {"DE", "", false, "post"},
      {"NZ", "", true, "post"},
      {"NZ", "esign", true, "email"},
      {"US-CA", "esign", false, "post"},
  };
  for (const auto& c : cases) {
    ChannelChoice ch = ChooseChannel(r.For(c.jurisdiction), c.consent, c.email_ok);
    EXPECT_EQ(ch.channel, c.channel) << c.jurisdiction << " " << c.consent << " " << c.email_ok;
    EXPECT_FALSE(ch.reason.empty());
  }
  EXPECT_EQ(ChooseChannel(nullptr, "", true).channel, "post");
}

TEST(ConsentList, ReadsKeysAndRefusesBrokenLines) {
  auto ok = ParseConsentList("# consented at checkout\ncustomer:1\r\n  ann@example.com  \n\n", "c");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (std::vector<std::string>{"customer:1", "ann@example.com"}));
  EXPECT_TRUE(ParseConsentList("", "c")->empty());
  struct {
    std::string text, error;
  } bad[] = {
      {"a\nb\x1b[31m\n", "c:2: control character or invalid UTF-8 in 'b[31m'"},
      {"a\n\xff\xfe\n", "c:2: control character or invalid UTF-8 in '\xEF\xBF\xBD\xEF\xBF\xBD'"},
      {"a\tb\n", "c:1: control character or invalid UTF-8 in 'a b'"},
      {std::string(600, 'x') + "\n", "c:1: line longer than 512 bytes"},
  };
  for (const auto& b : bad) {
    auto r = ParseConsentList(b.text, "c");
    ASSERT_FALSE(r.ok()) << b.error;
    EXPECT_EQ(r.status().ToString(), b.error);
  }
  // Truncated: no final newline is fine.
  EXPECT_EQ(ParseConsentList("a\nb", "c")->size(), 2u);
}

TEST(Controller, StoredAndCheckedInTheCase) {
  testing::TempDir dir;
  CaseInfo info;
  info.name = "c";
  auto c = Case::Create(dir / "case", info);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(EnsureNotifySchema(**c).ok());
  EXPECT_TRUE(LoadController((*c)->db())->legal_name.empty());
  ControllerDetails d;
  d.legal_name = "Example Shop GmbH";
  d.postal_address = "Beispielweg 1\n10115 Berlin";
  d.eu_establishment = "eea";
  ASSERT_TRUE(StoreController((*c)->db(), d, 1).ok());
  ControllerDetails more;
  more.dpo = "Dana, dpo@shop.example";
  ASSERT_TRUE(StoreController((*c)->db(), more, 2).ok());
  auto got = LoadController((*c)->db());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->legal_name, "Example Shop GmbH");  // kept
  EXPECT_EQ(got->postal_address, "Beispielweg 1\n10115 Berlin");
  EXPECT_EQ(got->dpo, "Dana, dpo@shop.example");
  EXPECT_EQ(got->eu_establishment, "eea");
  auto with = [](std::string ControllerDetails::*field, std::string value) {
    ControllerDetails d;
    d.*field = std::move(value);
    return d;
  };
  struct {
    ControllerDetails d;
    const char* error;
  } bad[] = {
      {with(&ControllerDetails::legal_name, "A\nB"),
       "--legal-name: control characters or invalid UTF-8 (give plain text)"},
      {with(&ControllerDetails::phone, "\x1b]0;x\x07"),
       "--phone: control characters or invalid UTF-8 (give plain text)"},
      {with(&ControllerDetails::eu_establishment, "DE"),
       "--eu-establishment: expected eea (an establishment in the EU/EEA) or none, got 'DE'"},
      {with(&ControllerDetails::website, std::string(1001, 'w')),
       "--website: longer than 1,000 bytes"},
  };
  for (const auto& b : bad) {
    Status s = StoreController((*c)->db(), b.d, 3);
    ASSERT_FALSE(s.ok()) << b.error;
    EXPECT_EQ(s.message(), b.error);
  }
  EXPECT_EQ(LoadController((*c)->db())->legal_name, "Example Shop GmbH");
}

bool HaveTool(const char* name) {
  return testing::Run({"sh", "-c", std::string("command -v ") + name}).exit_code == 0;
}

TEST(PrintedLetter, RendersWithNameAddressAndHeadings) {
  if (!HaveTool("pdftotext") || !HaveTool("pdftoppm"))
    GTEST_SKIP() << "poppler-utils not installed (scripts/packages.txt)";
  testing::TempDir dir;
  PostalAddress a;
  a.lines = {"12 Mission Street", "Apt 4"};
  a.city = "San Francisco";
  a.postal_code = "94105";
  a.region = "CA";
  a.country = "US";
  std::string body = "Notice of Data Breach\n\nWhat Happened\nSomeone copied card numbers.\n";
  for (int i = 0; i < 120; ++i) body += "Line " + std::to_string(i) + " of a long letter.\n";
  body += "\nFor More Information\nWrite to privacy@shop.example.\n";
  // Attacker-written name: markup and control characters print as plain text.
  std::string path = dir / "letter.pdf";
  Status s = WriteLetterPdf(path, "Example Shop Ltd\n1 Example Street", "Ann <b>O'Neil</b>\x07", a,
                            "Notice of Data Breach: your data at Example Shop", body);
  ASSERT_TRUE(s.ok()) << s.ToString();
  testing::RunResult text = testing::Run({"pdftotext", "-layout", path, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* want :
       {"Ann <b>O'Neil</b>", "12 Mission Street", "San Francisco CA 94105", "Example Shop Ltd",
        "What Happened", "For More Information", "Line 119 of a long letter."})
    EXPECT_NE(text.out.find(want), std::string::npos) << want << "\n" << text.out;
  // Long letters go on to a second page.
  testing::RunResult info = testing::Run({"pdfinfo", path});
  size_t pages = info.out.find("Pages:");
  ASSERT_NE(pages, std::string::npos) << info.out;
  EXPECT_EQ(std::stoi(info.out.substr(pages + 6)), 3) << info.out;
  // It rasterises.
  testing::RunResult png =
      testing::Run({"pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", path, dir / "page"});
  ASSERT_EQ(png.exit_code, 0) << png.err;
  EXPECT_GT(std::filesystem::file_size(dir / "page-1.png"), 1000u);
  // Japanese prints in a font that has it (fontconfig fallback), not as boxes.
  std::string ja = dir / "ja.pdf";
  ASSERT_TRUE(WriteLetterPdf(ja, "Example", "山田 太郎", a, "データ侵害のお知らせ",
                             "何が起きたのか\nカード番号が盗まれました。\n")
                  .ok());
  testing::RunResult jt = testing::Run({"pdftotext", ja, "-"});
  EXPECT_NE(jt.out.find("山田 太郎"), std::string::npos) << jt.out;
  EXPECT_NE(jt.out.find("何が起きたのか"), std::string::npos) << jt.out;
  testing::RunResult fonts = testing::Run({"pdffonts", ja});
  EXPECT_NE(fonts.out.find("IPA"), std::string::npos) << fonts.out;
}

TEST(PrintedLetter, AddressBlockInTheCountrysOrder) {
  PostalAddress a;
  a.lines = {"Marienplatz 2"};
  a.city = "München";
  a.postal_code = "80331";
  a.region = "Bayern";
  a.country = "DE";
  EXPECT_EQ(a.BlockLines(), (std::vector<std::string>{"Marienplatz 2", "80331 München", "DE"}));
  a = PostalAddress{{"10 Downing St"}, "London", "SW1A 2AA", "", "GB"};
  EXPECT_EQ(a.BlockLines(),
            (std::vector<std::string>{"10 Downing St", "London", "SW1A 2AA", "GB"}));
  a = PostalAddress{{"5 Main St"}, "New York", "10001", "NY", "US"};
  EXPECT_EQ(a.BlockLines(), (std::vector<std::string>{"5 Main St", "New York NY 10001", "US"}));
  a = PostalAddress{{"Only a street"}, "", "", "", ""};
  EXPECT_EQ(a.BlockLines(), (std::vector<std::string>{"Only a street"}));
}

TEST(PrintedLetter, HandWrappedLinesRunOnAsParagraphs) {
  std::string wrapped =
      "Title\n\nWe are writing to tell you about a security incident at Example Shop that\n"
      "affects your personal data.\n  - a list item that is long enough to be wrapped by hand "
      "here\n"
      "    and goes on here\n  - next item that is long enough to be wrapped by hand, but\n"
      "Then text after the list.\n\nWhat You Can Do\nShort line.\n";
  EXPECT_EQ(ReflowForPrint(wrapped),
            "Title\n\nWe are writing to tell you about a security incident at Example Shop that "
            "affects your personal data.\n  - a list item that is long enough to be wrapped by "
            "hand here and goes on here\n  - next item that is long enough to be wrapped by hand, "
            "but\nThen text after the list.\n\nWhat You Can Do\nShort line.\n");
  // Japanese runs on without a space.
  std::string ja = "個人情報の漏えいについてお知らせします。お客様のカード番号と有効期限が第三者に";
  EXPECT_EQ(ReflowForPrint(ja + "\n取得されました。"), ja + "取得されました。");
}

TEST(PrintedLetter, OversizedHostileNameIsCutNotFatal) {
  if (!HaveTool("pdftotext")) GTEST_SKIP() << "poppler-utils not installed";
  testing::TempDir dir;
  std::string name = "Mallory\x1b[2J" + std::string(200000, 'M') + "\xff\xfe\u202e";
  PostalAddress a{{std::string(5000, 'S')}, "City", "12345", "", "DE"};
  ASSERT_TRUE(WriteLetterPdf(dir / "x.pdf", "", name, a, std::string(100000, 's'), "Body").ok());
  testing::RunResult text = testing::Run({"pdftotext", dir / "x.pdf", "-"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("Mallory[2J"), std::string::npos);
  EXPECT_EQ(text.out.find("\x1b"), std::string::npos);
  EXPECT_LT(text.out.size(), 20000u);
}

TEST(PrintedLetter, UnwritablePathIsAnError) {
  Status s = WriteLetterPdf("/nonexistent-dir/x.pdf", "", "A", PostalAddress{}, "S", "B");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace tq::notify
