#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

// Test vectors: keys made with ssh-keygen, fingerprints as `ssh-keygen -lf` printed them.
constexpr char kEd[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJFxnM5mvr0tt0e5igPhNIVBw5ga4qABruTpD3eQz4X1 "
    "deploy@build";
constexpr char kEdFp[] = "SHA256:5Df3Sj/OtNvWttIapPM1s8Yyr2bQdfRmQqpkr7IuHIM";
constexpr char kRsa[] =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDQPb5JzYAmwmDHcL0xEpTMcN3PzD+Kq7qJUGRAdr6GUP2xP/"
    "watw7lfnx6Yj5wyaj4H25ooRPu/MVwDcCQLqdAVOlAT34AJCgDVZSIKnTAPMaVbw5RTkgIFSSmyDGAJQ0kvPfPCy6ZQx"
    "uQZ+YlUV2Q2LilsJNk0kUSQ08zde2OZQ== x";
constexpr char kRsaFp[] = "SHA256:Hz9AcVHuj/yQ5228fUWkEKONiq5ScrMac425vb4qEjc";

TEST(Ssh, FingerprintsMatchSshKeygen) {
  KeyFile f = ParseAuthorizedKeys(
      std::string(kEd) + "\n# comment\n\n" +
      "command=\"/usr/bin/rrsync -ro /srv\",no-pty,from=\"10.0.0.0/8\" " + kRsa + "\n");
  ASSERT_EQ(f.keys.size(), 2u);
  EXPECT_TRUE(f.skipped.empty());
  EXPECT_EQ(f.keys[0].fingerprint, kEdFp);
  EXPECT_EQ(f.keys[0].comment, "deploy@build");
  EXPECT_EQ(f.keys[1].fingerprint, kRsaFp);
  EXPECT_EQ(f.keys[1].type, "ssh-rsa");
  EXPECT_EQ(f.keys[1].line, 4u);
  EXPECT_NE(f.keys[1].options.find("rrsync"), std::string::npos);
}

TEST(Ssh, KnownFingerprintsFromEitherForm) {
  auto known = KnownFingerprints(std::string(kEd) + "\n256 " + kRsaFp + " x (RSA)\n");
  ASSERT_EQ(known.size(), 2u);
  EXPECT_EQ(known[0], kEdFp);
  EXPECT_EQ(known[1], kRsaFp);
}

TEST(Ssh, BrokenKeysAreReported) {
  KeyFile f = ParseAuthorizedKeys(
      "ssh-ed25519 !!!notbase64 x\nssh-rsa "
      "AAAAC3NzaC1lZDI1NTE5AAAAIJFxnM5mvr0tt0e5igPhNIVBw5ga4qABru"
      "TpD3eQz4X1\ngarbage line\ncommand=\"unterminated ssh-ed25519 AAAA\n\xff\xfe\n");
  EXPECT_TRUE(f.keys.empty());
  EXPECT_EQ(f.skipped.total(), 5u);
  // The second: an ed25519 blob labelled ssh-rsa.
  const SkipTally::Reason* rsa =
      f.skipped.find("the ssh-rsa key is not valid base64 of a key of that type");
  ASSERT_NE(rsa, nullptr);
  EXPECT_EQ(rsa->examples[0].line, 2u);
  EXPECT_EQ(rsa->examples[0].offset, 27u);
  EXPECT_EQ(f.skipped.count("no key type"), 3u);
}

}  // namespace
}  // namespace tq::host
