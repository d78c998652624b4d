#include "taskforce/taskforce.h"

#include <gtest/gtest.h>

#include "support/testing.h"

namespace tq::taskforce {
namespace {

class TaskforceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "t";
    auto c = Case::Create(dir_ / "case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    case_ = std::move(*c);
    ASSERT_TRUE(EnsureSchema(*case_).ok());
  }
  Db& db() { return case_->db(); }
  tq::testing::TempDir dir_;
  std::unique_ptr<Case> case_;
};

TEST(RoleTableTest, NeedToKnow) {
  struct Row {
    Role role;
    Permission perm;
    bool allowed;
  } rows[] = {
      {Role::kViewer, Permission::kCaseOverview, true},
      {Role::kViewer, Permission::kAffectedList, false},
      {Role::kViewer, Permission::kLetters, false},
      {Role::kViewer, Permission::kEvidence, false},
      {Role::kViewer, Permission::kTasksWrite, false},
      {Role::kComms, Permission::kAffectedList, true},
      {Role::kComms, Permission::kLetters, true},
      {Role::kComms, Permission::kEvidence, false},
      {Role::kInvestigator, Permission::kEvidence, true},
      {Role::kInvestigator, Permission::kAffectedList, false},
      {Role::kLead, Permission::kAffectedList, true},
      {Role::kLead, Permission::kEvidence, true},
      {Role::kLead, Permission::kUsers, true},
  };
  for (const Row& r : rows)
    EXPECT_EQ(RoleAllows(r.role, r.perm), r.allowed)
        << RoleName(r.role) << " " << PermissionName(r.perm);
}

TEST(RoleTableTest, NamesRoundTrip) {
  for (const RoleRow& row : RoleTable()) EXPECT_EQ(RoleFromName(RoleName(row.role)), row.role);
  EXPECT_FALSE(RoleFromName("admin").has_value());
  EXPECT_FALSE(RoleFromName("").has_value());
}

TEST_F(TaskforceTest, AssignStatusCommentLink) {
  Task t;
  t.title = "Rotate the admin passwords";
  t.phase = 1;
  auto id = UpsertTask(db(), t);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(AssignTask(db(), *id, "alice").ok());
  ASSERT_TRUE(SetTaskStatus(db(), *id, TaskStatus::kInProgress).ok());
  auto got = GetTask(db(), *id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->status, TaskStatus::kInProgress);
  EXPECT_EQ(AssignTask(db(), 999, "bob").code(), ErrorCode::kNotFound);
  EXPECT_EQ(SetTaskStatus(db(), 999, TaskStatus::kDone).code(), ErrorCode::kNotFound);

  ASSERT_TRUE(AddTaskComment(db(), *id, "bob", "done on host <b>web1</b>").ok());
  EXPECT_EQ(AddTaskComment(db(), *id, "bob", "").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(AddTaskComment(db(), 999, "bob", "x").status().code(), ErrorCode::kNotFound);
  auto comments = ListTaskComments(db(), *id);
  ASSERT_TRUE(comments.ok());
  ASSERT_EQ(comments->size(), 1u);
  EXPECT_EQ((*comments)[0].body, "done on host <b>web1</b>");

  Finding f;
  f.kind = "log.rule_hit";
  f.component = "logs";
  f.summary = "x";
  f.dedupe_key = "k";
  auto fid = UpsertFinding(db(), f);
  ASSERT_TRUE(fid.ok());
  ASSERT_TRUE(LinkTaskFinding(db(), *id, *fid).ok());
  ASSERT_TRUE(LinkTaskFinding(db(), *id, *fid).ok());  // idempotent
  EXPECT_EQ(LinkTaskFinding(db(), *id, *fid + 10).code(), ErrorCode::kNotFound);
  auto links = ListTaskFindings(db());
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0], std::make_pair(*id, *fid));
}

TEST_F(TaskforceTest, StatusNames) {
  bool ok;
  EXPECT_EQ(ParseTaskStatus("in_progress", &ok), TaskStatus::kInProgress);
  EXPECT_TRUE(ok);
  ParseTaskStatus("finished", &ok);
  EXPECT_FALSE(ok);
}

TEST_F(TaskforceTest, PostmortemNeedsFactorAndProcess) {
  EXPECT_EQ(AddPostmortemEntry(db(), "", "p", "a").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(AddPostmortemEntry(db(), "f", "", "a").status().code(), ErrorCode::kUsage);
  auto id = AddPostmortemEntry(db(), "Magento 2.4.6-p5 unpatched for 9 weeks",
                               "No owner for security patch releases", "lead");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(
      AddActionItem(db(), *id, "Subscribe ops to Adobe security bulletins", "ops", std::nullopt)
          .ok());
  EXPECT_EQ(AddActionItem(db(), *id + 1, "x", "", std::nullopt).status().code(),
            ErrorCode::kNotFound);
  auto pm = ListPostmortem(db());
  ASSERT_TRUE(pm.ok());
  ASSERT_EQ(pm->size(), 1u);
  EXPECT_EQ((*pm)[0].process_failure, "No owner for security patch releases");
  ASSERT_EQ((*pm)[0].actions.size(), 1u);
  EXPECT_EQ((*pm)[0].actions[0].owner, "ops");
}

TEST_F(TaskforceTest, UsersHashWithArgon2id) {
  EXPECT_EQ(AddUser(db(), "bad name", Role::kLead, "longenough1").status().code(),
            ErrorCode::kUsage);
  EXPECT_EQ(AddUser(db(), "alice", Role::kLead, "short").status().code(), ErrorCode::kUsage);
  ASSERT_TRUE(AddUser(db(), "alice", Role::kComms, "correct horse").ok());
  auto hash = db().Prepare("SELECT password_hash FROM server_user WHERE name='alice'");
  ASSERT_TRUE(hash.ok());
  ASSERT_TRUE(*hash->Step());
  EXPECT_EQ(hash->String(0).rfind("$argon2id$", 0), 0u) << hash->String(0);
  EXPECT_EQ(hash->String(0).find("correct horse"), std::string::npos);

  auto u = CheckPassword(db(), "alice", "correct horse");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->role, Role::kComms);
  EXPECT_EQ(CheckPassword(db(), "alice", "wrong horse").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(CheckPassword(db(), "mallory", "correct horse").status().code(), ErrorCode::kNotFound);
  // Re-adding changes role and password.
  ASSERT_TRUE(AddUser(db(), "alice", Role::kLead, "battery staple").ok());
  EXPECT_FALSE(CheckPassword(db(), "alice", "correct horse").ok());
  auto again = CheckPassword(db(), "alice", "battery staple");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->role, Role::kLead);
  auto users = ListUsers(db());
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 1u);
}

}  // namespace
}  // namespace tq::taskforce
