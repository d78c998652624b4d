// Dean Edwards' packer undone (js_unpack.cc): the payload rebuilt as the packed code would at
// run time, for every radix the packer writes; anything else is not taken for packed code, and
// hostile arguments stay bounded.
#include "webroot/js_unpack.h"

#include <gtest/gtest.h>

#include <string>

#include "webroot/normalize.h"

namespace tq::webroot {
namespace {

// The packer's own call, around a payload and a word list.
std::string Packed(std::string_view payload, int radix, int count, std::string_view words) {
  return "eval(function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?"
         "String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String)){while(c--){d[e("
         "c)]=k[c]||e(c)}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while("
         "c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}('" +
         std::string(payload) + "'," + std::to_string(radix) + "," + std::to_string(count) + ",'" +
         std::string(words) + "'.split('|'),0,{}))";
}

TEST(JsUnpack, RebuildsThePayloadInBase36) {
  auto u = UnpackPacker(
      Packed("0 1=2.3(\\'4\\');1.5=\\'6://7.8/9.a\\';2.b.c(1);", 36, 13,
             "var|s|document|createElement|script|src|https|cdn|example|x|js|head|appendChild"),
      1 << 20);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(*u,
            "var s=document.createElement('script');s.src='https://cdn.example/x.js';"
            "document.head.appendChild(s);");
}

TEST(JsUnpack, Base62WordsAndEmptyEntriesKeepTheirOwnText) {
  // Index 36 is written "A" in base 62; an empty entry leaves the word as it is (the packer
  // keeps words it did not replace), and a word with a digit past the radix is not an index.
  std::string words;
  for (int i = 0; i < 37; ++i)
    words += (i ? "|" : "") + std::string(i == 1 ? "" : "w") + (i == 1 ? "" : std::to_string(i));
  auto u = UnpackPacker(Packed("A 1 0 z_ Z9", 62, 37, words), 1 << 20);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(*u, "w36 1 w0 z_ Z9");
  // Radix 10: "A" is no digit; "12" is the 13th entry, past the list: kept.
  auto d = UnpackPacker(Packed("A 0 12", 10, 2, "x|y"), 1 << 20);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, "A x 12");
}

TEST(JsUnpack, OrdinaryCodeAndBrokenCallsAreNotPacked) {
  EXPECT_FALSE(UnpackPacker("function pack(p, a) { return p + a; } pack('x', 1);", 1 << 20));
  // Unterminated payload, a radix outside 2..62, a word list that is not a literal.
  EXPECT_FALSE(UnpackPacker("eval(function(p,a,c,k,e,d){return p}('0 1", 1 << 20));
  EXPECT_FALSE(UnpackPacker(Packed("0", 99, 1, "x"), 1 << 20));
  EXPECT_FALSE(
      UnpackPacker("eval(function(p,a,c,k,e,d){return p}('0',10,1,k.split('|'),0,{}))", 1 << 20));
  EXPECT_FALSE(
      UnpackPacker("eval(function(p,a,c,k,e,d){return p}('0',10,1,'x'.split(''),0,{}))", 1 << 20));
}

TEST(JsUnpack, OutputIsBoundedAndInvalidBytesPass) {
  std::string big_word(1000, 'y');
  std::string payload;
  for (int i = 0; i < 10000; ++i) payload += "0 ";
  auto u = UnpackPacker(Packed(payload, 10, 1, big_word), 4096);
  ASSERT_TRUE(u.has_value());
  EXPECT_LE(u->size(), 4096u);
  auto bad = UnpackPacker(Packed("\xff\xfe 0 \\x41", 10, 1, "\xc3\x28"), 1 << 20);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(*bad, "\xff\xfe \xc3\x28 A");
}

TEST(JsUnpack, ThePackedLoaderIsALayerOfItsOwn) {
  NormalizedCode n = Normalize(
      Packed("0 1=2.3(\\'4\\');1.5=\\'6://7.8/9.a\\';2.b.c(1);", 36, 13,
             "var|s|document|createElement|script|src|https|cdn|example|x|js|head|appendChild"),
      CodeKind::kJs);
  bool layer = false, loader = false;
  for (const CodeLayer& l : n.layers) layer = layer || l.path == "js>unpack";
  for (const CodeTrait& t : n.traits)
    loader = loader || (t.id == "js.script_injection" && t.layer == "js>unpack" && t.strength >= 3);
  EXPECT_TRUE(layer);
  EXPECT_TRUE(loader);
}

}  // namespace
}  // namespace tq::webroot
