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

constexpr const char* kConjunction = R"(title: php under static
id: t-static-php
logsource: {category: webserver}
detection:
  sel:
    cs-uri-stem|contains: '/static/version'
    cs-uri-stem|endswith: '.php'
  condition: sel
level: high
---
title: client errors
id: t-4xx
logsource: {category: webserver}
detection:
  sel:
    sc-status|startswith: '4'
  condition: sel
level: low
)";

// A rule needing two atoms sends one; without counts the longer literal, with the table's
// counts the rarer one (a path prefix every static file has is longer than `.php`).
TEST(WarehousePrefilter, TheTablesCountsPickTheRarerAtom) {
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kConjunction}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  auto ok = [](const std::string&) { return true; };
  Prefilter blind = BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{18}, ok);
  EXPECT_NE(blind.where.find("static"), std::string::npos) << blind.where;
  EXPECT_EQ(blind.where.find("php"), std::string::npos) << blind.where;
  std::vector<std::string> asked;
  EstimateRows counts = [&](const std::vector<std::string>& conds) {
    std::vector<int64_t> n;
    for (const auto& c : conds) {
      asked.push_back(c);
      n.push_back(c.find("php") != std::string::npos ? 3 : 60000);
    }
    return n;
  };
  Prefilter seen = BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{18}, ok, counts);
  EXPECT_EQ(asked.size(), 2u);  // only the rule with a choice is asked about
  EXPECT_NE(seen.where.find("php$"), std::string::npos) << seen.where;
  EXPECT_EQ(seen.where.find("static"), std::string::npos) << seen.where;
  EXPECT_EQ(seen.rules, blind.rules);
  // No answer from the server: the choice falls back to literal length.
  Prefilter failed =
      BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{18}, ok,
                     [](const std::vector<std::string>&) { return std::vector<int64_t>{}; });
  EXPECT_EQ(failed.where, blind.where);
}

// startswith, endswith and equals are anchored in the column, as the local matcher anchors them
// (a status starting with 4 is not 204 or 304).
TEST(WarehousePrefilter, AnchoredModifiersStayAnchored) {
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kConjunction}});
  ASSERT_TRUE(rs.ok());
  Prefilter pf = BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{23},
                                [](const std::string&) { return true; });
  EXPECT_NE(pf.where.find("match(`status`, '(?i:^4)')"), std::string::npos) << pf.where;
  EXPECT_EQ(pf.where.find("multiSearchAnyCaseInsensitive(`status`"), std::string::npos);
}

}  // namespace
}  // namespace tq::warehouse
