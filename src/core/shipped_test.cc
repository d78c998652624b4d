// The shipped-files lookup: the environment wins; otherwise the checkout is found.
#include "core/shipped.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace tq {
namespace {

TEST(ShippedPathTest, FindsTheCheckoutsRulesAndData) {
  unsetenv("TOURNIQUET_HOME");
  EXPECT_TRUE(std::filesystem::is_directory(ShippedPath("rules/sigma")));
  EXPECT_TRUE(std::filesystem::exists(ShippedPath("data/jurisdictions/duties.txt")));
}

TEST(ShippedPathTest, EnvironmentOverrides) {
  setenv("TOURNIQUET_HOME", "/opt/tq", 1);
  EXPECT_EQ(ShippedPath("rules/yara"), "/opt/tq/rules/yara");
  unsetenv("TOURNIQUET_HOME");
}

}  // namespace
}  // namespace tq
