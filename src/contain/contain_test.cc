#include "contain/contain.h"

#include <gtest/gtest.h>

#include "support/testing.h"

namespace tq::contain {
namespace {

TEST(ContainTest, ValidAddress) {
  struct {
    const char* in;
    bool ok;
  } cases[] = {{"203.0.113.7", true},
               {"2001:db8::1", true},
               {"198.51.100.0/24", true},
               {"10.0.0.1/33", false},
               {"evil;}", false},
               {"1.2.3.4; allow all", false},
               {"", false},
               {"::1/129", false}};
  for (auto& c : cases) EXPECT_EQ(ValidAddress(c.in), c.ok) << c.in;
}

TEST(ContainTest, ShellQuote) {
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("x'$(rm -rf /)'"), "'x'\\''$(rm -rf /)'\\'''");
}

TEST(ContainTest, PlanFromFindings) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "t";
  info.platform = "magento";
  auto c = Case::Create(tmp.path() + "/case", info);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE((*c)->Transaction([&](Db& db) -> Status {
                    Finding f;
                    f.kind = "webroot.yara";
                    f.component = "webroot";
                    f.summary = "webshell";
                    f.detail_json = R"({"path":"pub/media/x'.php","sha256":"ab"})";
                    f.dedupe_key = "a";
                    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
                    f.kind = "storedb.rogue_admin";
                    f.component = "storedb";
                    f.detail_json =
                        R"({"table":"admin_user","pk":{"user_id":"4"},"username":"bob"})";
                    f.dedupe_key = "b";
                    return UpsertFinding(db, f).status();
                  })
                  .ok());
  Options o;
  o.allow = {"192.0.2.1"};
  auto plan = BuildPlan(**c, o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  bool quarantine = false, account = false;
  for (const Step& s : plan->steps) {
    if (s.category == "quarantine") {
      quarantine = true;
      EXPECT_FALSE(s.warning.empty());  // not collected
    }
    if (s.category == "account") {
      account = true;
      ASSERT_EQ(s.commands.size(), 1u);
      EXPECT_NE(s.commands[0].find("user_id=4"), std::string::npos);
    }
  }
  EXPECT_TRUE(quarantine);
  EXPECT_TRUE(account);
  ASSERT_TRUE((*c)->Transaction([&](Db& db) { return WritePlan(**c, db, *plan); }).ok());
  ASSERT_TRUE((*c)->Transaction([&](Db& db) { return WritePlan(**c, db, *plan); }).ok());
  auto tasks = ListTasks((*c)->db());
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ(tasks->size(), plan->steps.size());  // re-run refreshes
}

}  // namespace
}  // namespace tq::contain
