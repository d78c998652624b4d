// The case file: creation, migrations, transactions, bad cases, crashes mid-write.
#include "casefile/casefile.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "casefile/schema.h"
#include "support/testing.h"

namespace tq {
namespace {

using testing::TempDir;

CaseInfo Demo() {
  CaseInfo info;
  info.name = "skimmer on shop.example";
  info.store_url = "https://shop.example";
  info.platform = "magento";
  info.timezone = "Europe/Berlin";
  info.discovered_at = 1760104536LL * 1000000;
  return info;
}

Finding MakeFinding(std::string key) {
  Finding f;
  f.kind = "log.rule_hit";
  f.component = "logs";
  f.summary = "hit " + key;
  f.dedupe_key = std::move(key);
  return f;
}

TEST(CaseTest, CreateThenOpenKeepsMetadata) {
  TempDir tmp;
  {
    auto c = Case::Create(tmp / "case", Demo());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
  }
  auto c = Case::Open(tmp / "case");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto info = (*c)->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->name, "skimmer on shop.example");
  EXPECT_EQ(info->timezone, "Europe/Berlin");
  EXPECT_EQ(*info->discovered_at, 1760104536LL * 1000000);
  EXPECT_TRUE(std::filesystem::is_directory(tmp / "case/evidence"));
  EXPECT_TRUE(std::filesystem::is_directory(tmp / "case/reports"));
  EXPECT_EQ(*(*c)->db().QueryInt("PRAGMA user_version"), CaseSchemaVersion());
  EXPECT_EQ(*(*c)->db().QueryInt("PRAGMA foreign_keys"), 1);
}

TEST(CaseTest, RefusesNonEmptyDirectoryAndExistingCase) {
  TempDir tmp;
  testing::WriteFile(tmp / "file", "x");
  auto c = Case::Create(tmp.path(), Demo());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            tmp.path() + ": is not empty; a new case needs a new or empty directory");
  ASSERT_TRUE(Case::Create(tmp / "c", Demo()).ok());
  auto again = Case::Create(tmp / "c", Demo());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(),
            tmp / "c" + ": already holds a case; open it with --case " + tmp / "c");
}

TEST(CaseTest, UnknownTimeZoneIsRefusedBeforeAnythingIsWritten) {
  TempDir tmp;
  CaseInfo info = Demo();
  info.timezone = "Europe/Atlantis";
  auto c = Case::Create(tmp / "c", info);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kUsage);
  EXPECT_FALSE(std::filesystem::exists(tmp / "c"));
}

TEST(CaseTest, NotACase) {
  TempDir tmp;
  auto c = Case::Open(tmp.path());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kCase);
  EXPECT_EQ(c.status().message(), tmp.path() +
                                      ": not a tourniquet case (no case.db); create one with "
                                      "`tourniquet init DIR` or point --case at an existing case");
  auto missing = Case::Open(tmp / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such case directory"), std::string::npos);
}

TEST(CaseTest, NewerSchemaIsRefused) {
  TempDir tmp;
  { ASSERT_TRUE(Case::Create(tmp / "c", Demo()).ok()); }
  {
    auto db = Db::Open(tmp / "c/case.db", false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version=99").ok());
  }
  auto c = Case::Open(tmp / "c");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kCase);
  EXPECT_EQ(c.status().message(), tmp / "c/case.db" +
                                      ": schema version 99 is newer than this "
                                      "tourniquet knows (" +
                                      std::to_string(CaseSchemaVersion()) +
                                      "); use a newer tourniquet");
}

TEST(CaseTest, CorruptDatabaseIsACaseError) {
  TempDir tmp;
  { ASSERT_TRUE(Case::Create(tmp / "c", Demo()).ok()); }
  testing::WriteFile(tmp / "c/case.db", std::string(8192, 'Z'));
  auto c = Case::Open(tmp / "c");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kCase);
  EXPECT_NE(c.status().message().find("not a valid case database"), std::string::npos)
      << c.status().message();
}

TEST(MigrationTest, FromEmptyDatabase) {
  TempDir tmp;
  auto db = Db::Open(tmp / "x.db", true);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(casefile_internal::MigrateTo(**db, casefile_internal::LatestVersion()).ok());
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), CaseSchemaVersion());
  EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM sqlite_master WHERE name='tasks'"), 1);
}

TEST(MigrationTest, FromOlderSchemaKeepsRows) {
  TempDir tmp;
  {
    // A version-1 case, as the first release wrote it.
    std::filesystem::create_directories(tmp / "c");
    auto db = Db::Open(tmp / "c/case.db", true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(casefile_internal::MigrateTo(**db, 1).ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO case_info(id,name,created_at) VALUES(1,'old',1)").ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO findings(kind,component,severity,confidence,summary,"
                           "dedupe_key,created_at,updated_at) VALUES('k','c','high',1,'s','d',1,1)")
                    .ok());
    EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM sqlite_master WHERE name='tasks'"), 0);
  }
  auto c = Case::Open(tmp / "c");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*(*c)->db().QueryInt("PRAGMA user_version"), CaseSchemaVersion());
  EXPECT_EQ(*(*c)->db().QueryInt("SELECT count(*) FROM findings"), 1);
  Task t;
  t.title = "rotate keys";
  EXPECT_TRUE(UpsertTask((*c)->db(), t).ok());
}

TEST(TransactionTest, FailedCommandLeavesNoPartialRows) {
  TempDir tmp;
  auto c = Case::Create(tmp / "c", Demo());
  ASSERT_TRUE(c.ok());
  Status s = (*c)->Transaction([&](Db& db) -> Status {
    for (int i = 0; i < 10; ++i) {
      auto r = UpsertFinding(db, MakeFinding("k" + std::to_string(i)));
      if (!r.ok()) return r.status();
    }
    return Status::BadInput("access.log:7: the tenth line is garbage");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*(*c)->db().QueryInt("SELECT count(*) FROM findings"), 0);
  EXPECT_FALSE((*c)->db().InTransaction());
}

TEST(ComponentSchemaTest, AppliesEachMigrationOnce) {
  TempDir tmp;
  auto c = Case::Create(tmp / "c", Demo());
  ASSERT_TRUE(c.ok());
  static const Migration v1[] = {{1, "CREATE TABLE demo_a(x)"}};
  static const Migration v2[] = {{1, "CREATE TABLE demo_a(x)"}, {2, "CREATE TABLE demo_b(y)"}};
  ASSERT_TRUE((*c)->EnsureSchema("demo", v1).ok());
  ASSERT_TRUE((*c)->EnsureSchema("demo", v1).ok());
  ASSERT_TRUE((*c)->EnsureSchema("demo", v2).ok());
  EXPECT_EQ(*(*c)->db().QueryInt("SELECT version FROM schema_component WHERE name='demo'"), 2);
  static const Migration broken[] = {{3, "CREATE TABLE demo_c(z"}};
  EXPECT_FALSE((*c)->EnsureSchema("demo", broken).ok());
  EXPECT_EQ(*(*c)->db().QueryInt("SELECT version FROM schema_component WHERE name='demo'"), 2);
}

TEST(ConcurrencyTest, SecondWriterWaitsThenFailsWithAClearMessage) {
  TempDir tmp;
  auto c1 = Case::Create(tmp / "c", Demo());
  ASSERT_TRUE(c1.ok());
  setenv("TOURNIQUET_BUSY_TIMEOUT_MS", "200", 1);
  auto c2 = Case::Open(tmp / "c");
  unsetenv("TOURNIQUET_BUSY_TIMEOUT_MS");
  ASSERT_TRUE(c2.ok());
  ASSERT_TRUE((*c1)->db().Begin().ok());
  Status s = (*c2)->Transaction([](Db&) { return Status::Ok(); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kCase);
  EXPECT_NE(s.message().find("the case is busy"), std::string::npos) << s.message();
  (*c1)->db().Rollback();
  EXPECT_TRUE((*c2)->Transaction([](Db&) { return Status::Ok(); }).ok());
}

TEST(CrashTest, SigkillMidWriteLeavesAnIntactCase) {
  TempDir tmp;
  { ASSERT_TRUE(Case::Create(tmp / "c", Demo()).ok()); }
  for (int round = 0; round < 5; ++round) {
    pid_t pid = fork();
    if (pid == 0) {
      auto c = Case::Open(tmp / "c");
      if (!c.ok()) _exit(2);
      for (int txn = 0;; ++txn) {
        Status s = (*c)->Transaction([&](Db& db) -> Status {
          for (int i = 0; i < 100; ++i) {
            auto r = UpsertFinding(db, MakeFinding(std::to_string(round) + ":" +
                                                   std::to_string(txn) + ":" + std::to_string(i)));
            if (!r.ok()) return r.status();
          }
          return Status::Ok();
        });
        if (!s.ok()) _exit(3);
      }
    }
    usleep(60000 + round * 20000);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with " << WEXITSTATUS(status);
    auto c = Case::Open(tmp / "c");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    auto st = (*c)->db().Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*st->Step());
    EXPECT_EQ(st->String(0), "ok");
    // Whole transactions only: never a partial batch of 100.
    EXPECT_EQ(*(*c)->db().QueryInt("SELECT count(*) FROM findings") % 100, 0);
  }
}

}  // namespace
}  // namespace tq
