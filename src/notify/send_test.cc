// The message put on the wire: headers safe from injection, RFC 2047 subjects, base64 body.
#include <gtest/gtest.h>

#include "notify/notify.h"

namespace tq::notify {
namespace {

std::string Header(const std::string& m, const std::string& name) {
  size_t at = m.find("\r\n" + name + ": ");
  if (m.starts_with(name + ": "))
    at = 0;
  else if (at == std::string::npos)
    return "";
  else
    at += 2;
  size_t end = m.find("\r\n", at);
  return m.substr(at + name.size() + 2, end - at - name.size() - 2);
}

TEST(Mime, HeadersAndBody) {
  Result<std::string> m =
      BuildMimeMessage("privacy@shop.example", "ann@example.com", "Ann", "Your data",
                       "Hello\nWorld\n", "<tq.1@shop.example>", 1772463600000000);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(Header(*m, "From"), "<privacy@shop.example>");
  EXPECT_EQ(Header(*m, "To"), "=?UTF-8?B?QW5u?= <ann@example.com>");
  EXPECT_EQ(Header(*m, "Subject"), "Your data");
  EXPECT_EQ(Header(*m, "Message-ID"), "<tq.1@shop.example>");
  EXPECT_EQ(Header(*m, "Date"), "Mon, 02 Mar 2026 15:00:00 +0000");
  EXPECT_NE(m->find("\r\n\r\nSGVsbG8KV29ybGQK\r\n"), std::string::npos);
}

TEST(Mime, NonAsciiSubjectIsEncodedInShortWords) {
  std::string subject = "Wichtig: Ihre Daten bei Müller & Söhne waren von einem Vorfall betroffen";
  Result<std::string> m =
      BuildMimeMessage("a@shop.example", "b@example.com", "", subject, "x", "<m@x.y>", 0);
  ASSERT_TRUE(m.ok());
  std::string s = m->substr(m->find("Subject: ") + 9);
  s = s.substr(0, s.find("\r\nDate:"));
  EXPECT_TRUE(s.starts_with("=?UTF-8?B?"));
  size_t pos = 0;
  while ((pos = s.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = s.find("?=", pos + 10);
    EXPECT_LE(end + 2 - pos, 75u);
    pos = end;
  }
}

TEST(Mime, HeaderInjectionIsRefused) {
  struct {
    const char *to, *name, *subject, *mid;
  } cases[] = {
      {"b@example.com\r\nBcc: v@x.com", "", "s", "<m@x.y>"},
      {"b@example.com", "", "s\r\nBcc: v@x.com", "<m@x.y>"},
      {"b@example.com", "n\nBcc: v@x.com", "s", "<m@x.y>"},
      {"b@example.com", "", "s", "<m@x.y>\r\nX: y"},
      {"b@example.com>, <v@x.com", "", "s", "<m@x.y>"},
  };
  for (const auto& c : cases) {
    Result<std::string> m =
        BuildMimeMessage("a@shop.example", c.to, c.name, c.subject, "x", c.mid, 0);
    EXPECT_FALSE(m.ok()) << c.to << c.name << c.subject;
  }
  // A name with quotes, commas and angle brackets cannot add an address: always encoded.
  Result<std::string> m = BuildMimeMessage("a@shop.example", "b@example.com",
                                           "\"v@x.com\" <v@x.com>,", "s", "x", "<m@x.y>", 0);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->find("v@x.com"), std::string::npos);
}

}  // namespace
}  // namespace tq::notify
