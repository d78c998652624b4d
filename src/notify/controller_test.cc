// The channel of a letter from its jurisdiction and the person's consent, the consent list
// reader on broken input, and the controller's details stored and checked in the case.
#include <gtest/gtest.h>

#include <filesystem>

#include "notify/delivery.h"
#include "notify/delivery_test_support.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

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

}  // namespace
}  // namespace tq::notify
