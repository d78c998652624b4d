// Field names (fields.cc): every field's Sigma name maps back to it; URL decoding of targets:
// '+' is a space only in the query, double encoding is undone (bounded), broken escapes stay.
#include <gtest/gtest.h>

#include <string>

#include "logs/logs.h"

namespace tq::logs {
namespace {

TEST(FieldsTest, EverySigmaNameMapsBackToItsField) {
  for (size_t i = 0; i < kFieldCount; ++i) {
    Field f = static_cast<Field>(i);
    Field back;
    ASSERT_TRUE(FieldFromSigmaName(FieldName(f), &back)) << FieldName(f);
    EXPECT_EQ(back, f) << FieldName(f);
  }
  Field unused;
  EXPECT_FALSE(FieldFromSigmaName("no-such-field", &unused));
}

TEST(FieldsTest, UrlDecodeAsTheServerWould) {
  struct C {
    const char* in;
    bool changed;
    const char* out;
  } cases[] = {
      {"/a/%2e%2e%2fetc/passwd", true, "/a/../etc/passwd"},
      {"/a+b?q=a+b", true, "/a+b?q=a b"},  // '+' is a space only in the query
      {"/%252e%252e/", true, "/../"},      // double encoding undone
      {"/%25252e/", true, "/./"},          // three rounds at most
      {"/plain", false, ""},               // nothing to decode
      {"/cut%2", false, ""},               // a broken escape stays as it is
      {"/%zz%41", true, "/%zzA"},          // only valid escapes are decoded
  };
  for (const C& c : cases) {
    std::string out;
    EXPECT_EQ(UrlDecode(c.in, &out), c.changed) << c.in;
    if (c.changed) {
      EXPECT_EQ(out, c.out) << c.in;
    }
  }
}

}  // namespace
}  // namespace tq::logs
