// Printed letters: a PDF that renders (pdftotext, pdftoppm) with the name, the address block in
// the country's order and the headings; hostile names cut, not fatal; an unwritable path an error.
#include <gtest/gtest.h>

#include <filesystem>

#include "casefile/db.h"
#include "notify/delivery.h"
#include "notify/delivery_test_support.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

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

// The address a letter goes to: each person's latest order that has one, matched by e-mail or
// customer id (an order without a creation time counts as older, a tie goes to the later row),
// read in one pass whatever the number of orders and people.
TEST(PostalAddresses, TheLatestOrderOfEachPersonByEmailOrCustomerId) {
  testing::TempDir dir;
  Result<std::unique_ptr<Db>> db = Db::Open(dir.path() + "/case.db", true);
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE((*db)
                  ->Exec(R"sql(
CREATE TABLE scope_person (id INTEGER PRIMARY KEY, person_key TEXT NOT NULL UNIQUE,
  customer_id INTEGER, email TEXT NOT NULL DEFAULT '');
CREATE TABLE storedb_order (id INTEGER PRIMARY KEY, customer_id INTEGER,
  email TEXT NOT NULL DEFAULT '', created_at INTEGER, region TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '', billing_address TEXT NOT NULL DEFAULT '',
  billing_street TEXT NOT NULL DEFAULT '', billing_city TEXT NOT NULL DEFAULT '',
  billing_postcode TEXT NOT NULL DEFAULT '');
INSERT INTO scope_person(person_key, customer_id, email) VALUES
  ('customer:1', 1, 'ann@example.com'),   -- by e-mail and by id
  ('email:bob@example.com', NULL, 'bob@example.com'),
  ('customer:3', 3, ''),                  -- by id only
  ('customer:4', 4, 'dee@example.com'),   -- no order with an address
  ('customer:5', 5, '');                  -- orders without a time
INSERT INTO storedb_order(id, customer_id, email, created_at, country, billing_street,
  billing_city, billing_postcode, billing_address) VALUES
  (1, 1, 'ann@example.com', 100, 'DE', 'Old Street 1', 'Berlin', '10115', ''),
  (2, NULL, 'ann@example.com', 300, 'DE', 'Guest Street 2', 'Berlin', '10117', ''),
  (3, 1, 'ann.other@example.com', 200, 'DE', 'Id Street 3', 'Berlin', '10119', ''),
  (4, NULL, 'bob@example.com', 50, 'FR', 'Rue 4', 'Paris', '75001', ''),
  (5, NULL, 'bob@example.com', 50, 'FR', 'Rue 5', 'Paris', '75002', ''),
  (6, 3, 'c@example.com', NULL, 'US', '', '', '', '6 Elm St, Springfield'),
  (7, 3, 'c@example.com', 10, 'US', '7 Oak St', 'Springfield', '01101', ''),
  (8, 4, 'dee@example.com', 999, 'GB', '', '', '', ''),
  (9, 5, '', NULL, 'IT', 'Via 9', 'Roma', '00100', ''),
  (10, 5, '', NULL, 'IT', 'Via 10', 'Roma', '00118', ''),
  (11, 99, 'ann@example.com', 400, 'AT', 'Wrong 11', 'Wien', '1010', '');
)sql")
                  .ok());
  // Order 11 names ann's e-mail under another customer id: by e-mail it is hers, and latest.
  Result<std::map<std::string, PostalAddress>> got = LoadPostalAddresses(**db);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 4u);
  EXPECT_EQ(got->at("customer:1").lines, std::vector<std::string>{"Wrong 11"});
  EXPECT_EQ(got->at("email:bob@example.com").lines, std::vector<std::string>{"Rue 5"});
  EXPECT_EQ(got->at("customer:3").lines, std::vector<std::string>{"7 Oak St"});
  EXPECT_EQ(got->at("customer:3").postal_code, "01101");
  EXPECT_EQ(got->at("customer:5").lines, std::vector<std::string>{"Via 10"});
  EXPECT_EQ(got->count("customer:4"), 0u);
  // Without order 7, the one-line form of the order with no time.
  ASSERT_TRUE((*db)->Exec("DELETE FROM storedb_order WHERE id IN (7, 11)").ok());
  got = LoadPostalAddresses(**db);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at("customer:3").lines, (std::vector<std::string>{"6 Elm St", "Springfield"}));
  EXPECT_EQ(got->at("customer:1").lines, std::vector<std::string>{"Guest Street 2"});
}

}  // namespace
}  // namespace tq::notify
