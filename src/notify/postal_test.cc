// Printed letters: a PDF that renders (pdftotext, pdftoppm) with the name, the address block in
// the country's order and the headings; hostile names cut, not fatal; an unwritable path an error.
#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace tq::notify
