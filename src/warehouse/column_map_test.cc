// The column map (column_map.cc): our column names mapped onto a foreign table's, and every bad
// line named by file:line.
#include <gtest/gtest.h>

#include <string_view>

#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

TEST(WarehouseColumnMap, ReadsTheSubsetAndNamesBadLines) {
  Result<ColumnMap> m = ParseColumnMap(
      "# ours = theirs\n[columns]\nclient = \"ClientIP\"\ntarget = 'RequestURI' # raw\n"
      "time_us = \"toInt64(toUnixTimestamp(EdgeStartTimestamp)) * 1000000\"\nline = none\n",
      "map.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Sql("client"), "`ClientIP`");
  EXPECT_EQ(m->Sql("target"), "`RequestURI`");
  EXPECT_EQ(m->Sql("time_us"), "(toInt64(toUnixTimestamp(EdgeStartTimestamp)) * 1000000)");
  EXPECT_EQ(m->Sql("line"), "");
  EXPECT_EQ(m->Sql("method"), "`method`");
  auto err = [](std::string_view text) {
    return ParseColumnMap(text, "m.toml").status().message();
  };
  EXPECT_EQ(err("clent = \"x\"\n").substr(0, 35), "m.toml:1: 'clent' is not one of our");
  EXPECT_EQ(err("[columns]\nclient = \"x\"\nclient = \"y\"\n"), "m.toml:3: 'client' mapped twice");
  EXPECT_EQ(err("client = \"x\n"), "m.toml:1: unterminated string");
  EXPECT_EQ(err("client = \"x; DROP TABLE t\"\n"),
            "m.toml:1: ';' in the column expression for 'client'");
  EXPECT_EQ(err("[other]\n"), "m.toml:1: unknown table [other] (only [columns])");
  EXPECT_EQ(err("client = x\n"),
            "m.toml:1: value for 'client' is neither a \"quoted column\" nor none");
  EXPECT_EQ(err("client = \"a\x01\"\n"), "m.toml:1: control character in the line");
}

}  // namespace
}  // namespace tq::warehouse
