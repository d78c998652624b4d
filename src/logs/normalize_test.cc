// The path as the server resolves it (normalize.cc): what rules match beside the raw and
// decoded targets.
#include <gtest/gtest.h>

#include "logs/formats_test_support.h"

namespace tq::logs {
namespace {

using namespace format_test;  // NOLINT: test helpers

TEST(NormalizeTest, ThePathAsTheServerResolvesIt) {
  struct C {
    std::string in, out;  // out empty: unchanged
  } cases[] = {
      {"/pma/index.php", ""},
      {"//pma//index.php", "/pma/index.php"},
      {"/./pma/./x", "/pma/x"},
      {"/a/b/../../pma/", "/pma/"},
      {"/../../../etc/passwd", "/etc/passwd"},
      {"\\pma\\x.php", "/pma/x.php"},
      {"/\xC0\xAFpma/x", "/pma/x"},
      {"/\xC0\xAE\xC0\xAE/pma", "/pma"},
      {"/\xE0\x80\xAFpma", "/pma"},
      {"/x/..", "/"},
      {"/x/.", "/x/"},
      {"//pma/?a=//b/../c", "/pma/?a=//b/../c"},
      {"/ok?x=/../", ""},
      {"/", ""},
      {"", ""},
      {"*", ""},
      {"/\xC3\xA9t\xC3\xA9/", ""},  // real UTF-8 is left alone
  };
  for (const C& c : cases) {
    std::string out;
    bool changed = NormalizeTarget(c.in, &out);
    EXPECT_EQ(changed, !c.out.empty()) << c.in;
    if (changed) {
      EXPECT_EQ(out, c.out) << c.in;
      // The fast check never misses a target that normalising changes.
      EXPECT_TRUE(MayNeedNormalizing(c.in)) << c.in;
    }
  }
  // The fast check at every alignment of the interesting bytes, and a query that hides them.
  for (size_t pad = 0; pad < 40; ++pad) {
    std::string base = "/x" + std::string(pad, 'a');
    EXPECT_FALSE(MayNeedNormalizing(base + "/b")) << pad;
    EXPECT_TRUE(MayNeedNormalizing(base + "//b")) << pad;
    EXPECT_TRUE(MayNeedNormalizing(base + "/./b")) << pad;
    EXPECT_TRUE(MayNeedNormalizing(base + "\\b")) << pad;
    EXPECT_FALSE(MayNeedNormalizing(base + "?q=//x/../" + std::string(pad, 'b'))) << pad;
  }
}

}  // namespace
}  // namespace tq::logs
