// Letters: exactly the person's categories and advice, their language or English, hostile
// text cleaned; address checks; the plain-text cleaner.
#include <gtest/gtest.h>

#include <filesystem>

#include "notify/notify.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

std::string Templates() { return std::string(TQ_SOURCE_DIR) + "/data/templates"; }

AffectedPerson Person(std::string lang, std::vector<std::string> cats, std::string name = "Ann") {
  AffectedPerson p;
  p.person_key = "customer:1";
  p.email = "ann@example.com";
  p.name = name;
  p.language = lang;
  p.categories = cats;
  return p;
}

const std::map<std::string, std::string> kExtra = {{"organisation", "Example Shop"},
                                                   {"store_url", "https://shop.example"},
                                                   {"contact", "privacy@shop.example"},
                                                   {"discovered", "2026-03-02"}};

TEST(Letter, NamesExactlyTheCategoriesLostWithTheirAdvice) {
  Result<LetterRenderer> r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  struct Case {
    std::vector<std::string> cats;
    std::vector<std::string> present, absent;
  } cases[] = {
      {{"email", "payment_card"},
       {"your payment card number", "new card", "your email address"},
       {"Change your password", "credit freeze", "your postal address"}},
      {{"password_hash"},
       {"your account password", "Change your password"},
       {"new card", "your email address"}},
      {{"account_credentials", "password_hash"}, {"Change your password"}, {"new card"}},
      {{"tax_id", "name"}, {"credit freeze", "your name"}, {"new card", "Change your password"}},
  };
  for (const Case& c : cases) {
    Result<Letter> l = r->Render(Person("en", c.cats), kExtra);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->language, "en");
    for (const auto& s : c.present) EXPECT_NE(l->body.find(s), std::string::npos) << s;
    for (const auto& s : c.absent) EXPECT_EQ(l->body.find(s), std::string::npos) << s;
  }
  // Shared advice is given once.
  Result<Letter> both = r->Render(Person("en", {"account_credentials", "password_hash"}), kExtra);
  size_t first = both->body.find("Change your password");
  EXPECT_EQ(both->body.find("Change your password", first + 1), std::string::npos);
}

TEST(Letter, LanguageWithEnglishFallback) {
  Result<LetterRenderer> r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok());
  struct {
    const char* lang;
    const char* want;
    const char* text;
  } cases[] = {{"de", "de", "Kartennummer"}, {"fr-CA", "fr", "carte"},
               {"ES", "es", "tarjeta"},      {"it", "it", "carta di pagamento"},
               {"el", "en", "payment card"}, {"", "en", "payment card"}};
  for (const auto& c : cases) {
    Result<Letter> l = r->Render(Person(c.lang, {"payment_card"}), kExtra);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->language, c.want) << c.lang;
    EXPECT_NE(l->body.find(c.text), std::string::npos) << c.lang;
    EXPECT_NE(l->subject.find("Example Shop"), std::string::npos);
  }
}

TEST(Letter, HostileNamesAreCleanedForPlainText) {
  Result<LetterRenderer> r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok());
  Result<Letter> l =
      r->Render(Person("en", {"email"}, "Eve\x1b[2J\r\nBcc: x@y\xff\xe2\x80\xae<b>&"), kExtra);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->body.find('\x1b'), std::string::npos);
  EXPECT_EQ(l->body.find('\r'), std::string::npos);
  EXPECT_EQ(l->body.find("\xe2\x80\xae"), std::string::npos);  // no bidi override
  // Plain text keeps < and & as they are (no HTML entities in a text letter).
  EXPECT_NE(l->body.find("Dear Eve[2J  Bcc: x@y\xEF\xBF\xBD<b>&,"), std::string::npos) << l->body;
  Result<Letter> anon = r->Render(Person("en", {"email"}, ""), kExtra);
  EXPECT_NE(anon->body.find("Dear customer,"), std::string::npos);
}

TEST(PlainText, ControlsDroppedNewlinesOptional) {
  EXPECT_EQ(CleanPlainText("a\nb\tc\x07", true), "a\nb c");
  EXPECT_EQ(CleanPlainText("a\nb", false), "a b");
  EXPECT_EQ(CleanPlainText("\xc2\x85x\xc3", false), "x\xEF\xBF\xBD");  // C1 NEL, truncated
  EXPECT_EQ(CleanPlainText("M\xc3\xbcller", false), "M\xc3\xbcller");
}

TEST(MailAddress, ConservativeCheck) {
  for (const char* ok : {"a@example.com", "first.last+tag@sub.example.co.uk", "x_y@d-e.org"})
    EXPECT_TRUE(IsSafeMailAddress(ok)) << ok;
  for (const char* bad : {"", "a", "a@b", "@example.com", "a@@example.com", "a@b@example.com",
                          "a b@example.com", "a@example.com\r\nRCPT TO:<v@x.com>", "a@example.com>",
                          "<a@example.com", "\"a\"@example.com", "a@example..com", "a@.example.com",
                          "a@example.com.", "a@exa_mple.com", "\xc3\xa4@example.com"})
    EXPECT_FALSE(IsSafeMailAddress(bad)) << bad;
  EXPECT_FALSE(IsSafeMailAddress(std::string(250, 'a') + "@example.com"));
}

// A broken template stops only its own language: its people get an error naming the file
// (not an English letter in silence), everybody else gets their letter.
TEST(Letter, BrokenTemplateStopsOnlyItsLanguage) {
  testing::TempDir tmp;
  std::filesystem::copy(Templates(), tmp / "t");
  testing::WriteFile(tmp / "t/letter.de.txt", "Subject: Ihre Daten\n\n{{#has_name}}Hallo\n");
  Result<LetterRenderer> r = LetterRenderer::Load(tmp / "t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Result<Letter> de = r->Render(Person("de", {"email"}), kExtra);
  ASSERT_FALSE(de.ok());
  EXPECT_EQ(de.status().ToString().rfind(tmp / "t/letter.de.txt:", 0), 0u)
      << de.status().ToString();
  for (const char* lang : {"en", "fr", "es", "el"}) {
    Result<Letter> l = r->Render(Person(lang, {"email"}), kExtra);
    ASSERT_TRUE(l.ok()) << lang << ": " << l.status().ToString();
    EXPECT_EQ(l->language, std::string(lang) == "el" ? "en" : lang);
  }
  // A broken English template costs English and the languages that fall back to it.
  testing::WriteFile(tmp / "t/strings.en.txt", "no colon here\n");
  r = LetterRenderer::Load(tmp / "t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->Render(Person("el", {"email"}), kExtra).ok());
  EXPECT_TRUE(r->Render(Person("fr", {"email"}), kExtra).ok());
}

TEST(Letter, MissingEnglishTemplateIsAnError) {
  Result<LetterRenderer> r = LetterRenderer::Load("/nonexistent-dir");
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace tq::notify
