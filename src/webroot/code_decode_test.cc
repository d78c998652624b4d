// The bounded decoders the normaliser unwraps layers with: each round-trips what PHP's own
// function would produce, refuses what is not its encoding, and stops at its output bound.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "webroot/code_lexer.h"

namespace tq::webroot {
namespace {

std::string Deflate(const std::string& in, int window_bits) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(in.size() + 128, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(CodeDecode, Base64HexUrlRot13) {
  Decoded b = DecodeBase64("ZXZhbCgkX1BPU1RbJ2MnXSk7", 1 << 20);  // eval($_POST['c']);
  ASSERT_TRUE(b.ok);
  EXPECT_EQ(b.out, "eval($_POST['c']);");
  EXPECT_FALSE(DecodeBase64("not base64 at all!", 1 << 20).ok);
  EXPECT_LE(DecodeBase64(std::string(4000, 'A'), 100).out.size(), 100u);  // bounded
  Decoded h = HexToBin("73797374656d");
  ASSERT_TRUE(h.ok);
  EXPECT_EQ(h.out, "system");
  EXPECT_FALSE(HexToBin("7g").ok);
  EXPECT_FALSE(HexToBin("abc").ok);  // odd length
  EXPECT_EQ(UrlDecode("a%20b+c", true).out, "a b c");
  EXPECT_EQ(UrlDecode("a%20b+c", false).out, "a b+c");
  EXPECT_EQ(Rot13("riny"), "eval");
  EXPECT_EQ(Rot13(Rot13("Skimmer 42!")), "Skimmer 42!");
}

TEST(CodeDecode, InflateRawZlibGzipAndBombs) {
  std::string code = "<?php system($_GET['x']); ?>";
  for (int bits : {-15, 15, 31}) {
    Decoded d = Inflate(Deflate(code, bits), bits, 1 << 20);
    ASSERT_TRUE(d.ok) << bits;
    EXPECT_EQ(d.out, code) << bits;
  }
  EXPECT_FALSE(Inflate("garbage", -15, 1 << 20).ok);
  std::string bomb = Deflate(std::string(10 << 20, 'a'), -15);  // 10 MB of 'a' in ~10 KB
  EXPECT_LE(Inflate(bomb, -15, 1 << 16).out.size(), size_t{1} << 16);
}

TEST(CodeDecode, CodeAndTextShapes) {
  EXPECT_TRUE(LooksLikeCode("if ($a) { eval($b); } else { echo $c; }"));
  EXPECT_FALSE(LooksLikeCode("Lorem ipsum dolor sit amet consectetur adipiscing elit"));
  EXPECT_TRUE(IsPrintableText("plain words\n"));
  EXPECT_FALSE(IsPrintableText(std::string("\x00\x01\x02\xff", 4)));
}

}  // namespace
}  // namespace tq::webroot
