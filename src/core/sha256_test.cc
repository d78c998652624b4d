// SHA-256 against the FIPS 180-2 test vectors, streaming and from files.
#include "core/sha256.h"

#include <gtest/gtest.h>

#include "support/testing.h"

namespace tq {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, StreamingEqualsOneShot) {
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + (i >> 9));
  Sha256 h;
  for (size_t off = 0; off < data.size(); off += 4097)
    h.Update(std::string_view(data).substr(off, 4097));
  EXPECT_EQ(ToHex(h.Finish()), Sha256Hex(data));
}

TEST(Sha256Test, FileAndMillionA) {
  testing::TempDir dir;
  testing::WriteFile(dir / "a", std::string(1000000, 'a'));
  uint64_t size = 0;
  Result<std::string> got = Sha256File(dir / "a", &size);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(size, 1000000u);
}

TEST(Sha256Test, MissingFileIsNotFound) {
  Result<std::string> got = Sha256File("/nonexistent/file");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(got.status().message(), "/nonexistent/file: No such file or directory");
}

TEST(Sha256Test, ParseHex) {
  Sha256Digest d;
  EXPECT_TRUE(ParseSha256Hex(Sha256Hex("abc"), &d));
  EXPECT_EQ(ToHex(d), Sha256Hex("abc"));
  EXPECT_FALSE(ParseSha256Hex("zz", &d));
  EXPECT_FALSE(ParseSha256Hex(std::string(64, 'g'), &d));
}

TEST(StatusTest, ToStringNamesTheLocation) {
  EXPECT_EQ(Status::BadInput("bad quote").At("access.log", 12, 5).ToString(),
            "access.log:12:5: bad quote");
  EXPECT_EQ(Status::BadInput("truncated").AtOffset("dump.sql", 4096).ToString(),
            "dump.sql@4096: truncated");
  EXPECT_EQ(Status::Io("disk full").ToString(), "disk full");
  EXPECT_EQ(Status::Ok().ToString(), "ok");
}

}  // namespace
}  // namespace tq
