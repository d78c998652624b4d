// The manifest line format: escaping of raw bytes, parsing (with exact errors), and a
// signed line round trip.
#include "evidence/manifest.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace tq::evidence::internal {
namespace {

TEST(ManifestEscape, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string esc = EscapeField(all);
  for (char c : esc) EXPECT_TRUE(c > 0x20 && c < 0x7f) << int(c);
  EXPECT_EQ(esc.find('\t'), std::string::npos);
  std::string back;
  ASSERT_TRUE(UnescapeField(esc, &back));
  EXPECT_EQ(back, all);
}

TEST(ManifestEscape, Table) {
  struct Case {
    std::string raw, escaped;
  } cases[] = {
      {"pub/media/x.php", "pub/media/x.php"},
      {"new\nline", "new%0Aline"},
      {"tab\there", "tab%09here"},
      {"a b", "a%20b"},
      {"100%", "100%25"},
      {std::string("bad\xff\xfe", 5), "bad%FF%FE"},
      {"", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EscapeField(c.raw), c.escaped);
    std::string back;
    ASSERT_TRUE(UnescapeField(c.escaped, &back)) << c.escaped;
    EXPECT_EQ(back, c.raw);
  }
}

TEST(ManifestEscape, RejectsBadEscapes) {
  std::string out;
  for (std::string_view bad : {"%", "%4", "%G0", "a b", "x\ty", "\xff"})
    EXPECT_FALSE(UnescapeField(bad, &out)) << bad;
}

std::string ItemLine(uint64_t seq = 1) {
  EvidenceItem e;
  e.kind = "file";
  e.label = "webroot";
  e.sha256 = std::string(64, 'a');
  e.original_path = "pub/media/x\n.php";
  e.source = "/srv/www";
  e.mode = 0100644;
  return "tqm1\t" + std::to_string(seq) + "\t" + std::string(kZeroHash) + "\titem\t" + ItemBody(e) +
         "\t" + std::string(128, 'b');
}

TEST(ManifestParse, ItemLine) {
  std::string line = ItemLine(7);
  Result<ManifestLine> m = ParseManifestLine(line);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->seq, 7u);
  EXPECT_EQ(m->type, "item");
  ASSERT_EQ(m->fields.size(), kItemFields);
  EXPECT_EQ(m->fields[15], "pub/media/x\n.php");
  EXPECT_EQ(m->fields[6], "100644");
  EXPECT_EQ(m->signed_part, std::string_view(line).substr(0, line.size() - 128));
}

TEST(ManifestParse, ErrorsNameTheColumn) {
  std::string good = ItemLine();
  std::string no_sig = good.substr(0, good.rfind('\t'));
  struct Case {
    std::string line, error;
  } cases[] = {
      {"", "column 1: not a manifest line (too few fields)"},
      {"tqm2\t1\tx\titem\ty", "column 1: not a manifest line (no tqm1 tag)"},
      {"tqm1\t0\t" + std::string(kZeroHash) + "\titem\tx", "column 6: bad sequence number"},
      {"tqm1\t1x\t" + std::string(kZeroHash) + "\titem\tx", "column 6: bad sequence number"},
      {"tqm1\t1\tabc\titem\tx", "column 8: bad previous-line hash"},
      {"tqm1\t1\t" + std::string(kZeroHash) + "\tfile\tx", "column 73: unknown record type"},
      {no_sig, "column 73: a item line has 18 fields, found 17"},
      {good.substr(0, good.size() - 1),
       "column " + std::to_string(good.rfind('\t') + 2) + ": bad signature field"},
  };
  for (const Case& c : cases) {
    Result<ManifestLine> m = ParseManifestLine(c.line);
    ASSERT_FALSE(m.ok()) << c.line;
    EXPECT_EQ(m.status().message(), c.error) << c.line;
  }
}

TEST(ManifestParse, BadEscapeInField) {
  std::string line = ItemLine();
  size_t at = line.find("x%0A");
  line.replace(at, 4, "x%ZZ");
  Result<ManifestLine> m = ParseManifestLine(line);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("bad escape in field"), std::string::npos);
}

// A line a seal signs carries `-` for its signature; the seal lists one hash per record.
TEST(ManifestParse, SealAndSealedLines) {
  std::string item = ItemLine(3);
  std::string sealed = item.substr(0, item.rfind('\t') + 1) + "-";
  Result<ManifestLine> m = ParseManifestLine(sealed);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->signature_hex, "-");
  EXPECT_EQ(m->signed_part, std::string_view(sealed).substr(0, sealed.size() - 1));
  std::string head = "tqm1\t5\t" + std::string(kZeroHash) + "\tseal\t";
  std::string sig = "\t" + std::string(128, 'c');
  Result<ManifestLine> seal = ParseManifestLine(head + "3\t" + std::string(128, 'a') + sig);
  ASSERT_TRUE(seal.ok()) << seal.status().ToString();
  EXPECT_EQ(seal->fields[0], "3");
  struct Case {
    std::string line, error;
  } cases[] = {
      {head + "3\t" + std::string(64, 'a') + sig,
       "column 80: a seal lists one line hash for each record it seals"},
      {head + "5\t" + sig, "column 78: bad first sealed record"},
      // 64 * (2^58 + 1 - 1) wraps to 0: an empty list must not pass for 2^58 records.
      {"tqm1\t288230376151711745\t" + std::string(kZeroHash) + "\tseal\t1\t" + sig,
       "column 97: a seal lists one line hash for each record it seals"},
      {head + "3\t" + std::string(128, 'a') + "\t-", "column 209: bad signature field"},
  };
  for (const Case& c : cases) {
    Result<ManifestLine> bad = ParseManifestLine(c.line);
    ASSERT_FALSE(bad.ok()) << c.line;
    EXPECT_EQ(bad.status().message(), c.error) << c.line;
  }
}

}  // namespace
}  // namespace tq::evidence::internal
