// Rule-file limits checked before yaml-cpp sees the text: documents split with their line
// numbers kept, and each limit (documents, nesting, aliases, nodes) refused with the line.
#include "rules/yaml_limits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace tq::rules {
namespace {

TEST(YamlLimits, DocumentsKeepTheirLineNumbers) {
  std::string why;
  auto docs = SplitYamlDocuments("a: 1\n---\nb: 2\n...\n---\nc: 3\n", &why);
  ASSERT_EQ(docs.size(), 3u) << why;
  // Line 3 of the file stays line 3 of its document.
  const std::string& d1 = docs[1];
  EXPECT_EQ(std::count(d1.begin(), d1.begin() + d1.find("b: 2"), '\n'), 2);
  std::string many;
  for (size_t i = 0; i <= kMaxRuleDocuments; ++i) many += "a: 1\n---\n";
  EXPECT_TRUE(SplitYamlDocuments(many, &why).empty());
  EXPECT_FALSE(why.empty());
}

TEST(YamlLimits, EachLimitIsRefusedWithItsReason) {
  YamlLimitProblem p;
  EXPECT_TRUE(CheckYamlLimits("title: x\ndetection:\n  sel:\n    a: b\n", &p)) << p.reason;
  std::string deep;
  for (int i = 0; i < kMaxRuleNesting + 2; ++i) deep += std::string(2 * i, ' ') + "k:\n";
  deep += std::string(2 * (kMaxRuleNesting + 2), ' ') + "v\n";
  EXPECT_FALSE(CheckYamlLimits(deep, &p));
  EXPECT_FALSE(p.reason.empty());
  std::string aliases = "a: &x [1, 2]\n";
  for (size_t i = 0; i <= kMaxRuleAliases; ++i) aliases += "k" + std::to_string(i) + ": *x\n";
  EXPECT_FALSE(CheckYamlLimits(aliases, &p));
  YamlLimitProblem e;
  EXPECT_TRUE(CheckYamlLimits("# only a comment\n", &e));
  EXPECT_TRUE(e.empty);
}

}  // namespace
}  // namespace tq::rules
