// The prefilter (prefilter.cc) as each server version gets it: the same rules kept, literals
// searched with multiSearch only where the server has it. Against a server: sql_test.cc.
#include "warehouse/prefilter.h"

#include <gtest/gtest.h>

#include "rules/rules.h"
#include "warehouse/test_server.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

using test_server::kRules;

TEST(WarehousePrefilter, NewerServersSearchLiteralsWithMultiSearch) {
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kRules}});
  ASSERT_TRUE(rs.ok());
  auto ok = [](const std::string&) { return true; };
  Prefilter old = BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{18}, ok);
  Prefilter now = BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{23}, ok);
  EXPECT_EQ(old.where.find("multiSearch"), std::string::npos);  // not in 18.16
  EXPECT_NE(now.where.find("multiSearchAnyCaseInsensitive(`target`, ["), std::string::npos);
  EXPECT_NE(now.where.find("'/admin/'"), std::string::npos);
  EXPECT_EQ(now.rules, old.rules);
}

}  // namespace
}  // namespace tq::warehouse
