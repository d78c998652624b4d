// What the client (client.cc) reads back from the server: TSV rows with their escapes, and the
// code and text of a server's error.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

TEST(WarehouseTsv, ParsesEscapesAndRefusesBrokenRows) {
  Result<std::vector<std::vector<std::string>>> r = ParseTsv("a\\tb\tc\\nd\\\\\n\\x41\\0z\t\n", 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0][0], "a\tb");
  EXPECT_EQ((*r)[0][1], "c\nd\\");
  EXPECT_EQ((*r)[1][0], std::string("A\0z", 3));
  EXPECT_EQ((*r)[1][1], "");
  EXPECT_EQ(ParseTsv("a\tb\tc\n", 2).status().message(), "row 1 has more than 2 columns");
  EXPECT_EQ(ParseTsv("a\n", 2).status().message(), "row 1 has 1 columns, not 2");
  EXPECT_EQ(ParseTsv("a\tb", 2).status().message(), "row 1 unfinished");
  EXPECT_EQ(ParseTsv("a\\", 1).status().message(), "row 1: escape at the end");
  EXPECT_EQ(ParseTsv("\\xZZ\n", 1).status().message(), "row 1: bad \\x escape");
}

TEST(WarehouseServerError, ReadsCodeAndText) {
  int code = 0;
  std::string text;
  ASSERT_TRUE(ParseServerError(
      "Code: 47, e.displayText() = DB::Exception: Unknown identifier: x, e.what() = "
      "DB::Exception\n",
      &code, &text));
  EXPECT_EQ(code, 47);
  EXPECT_EQ(text, "Unknown identifier: x");
  EXPECT_FALSE(ParseServerError("Ok.\n", &code, &text));
  EXPECT_FALSE(ParseServerError("Code: x", &code, &text));
}

}  // namespace
}  // namespace tq::warehouse
