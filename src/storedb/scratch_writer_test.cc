// ScratchWriter: rows written on the helper thread while the caller writes its own database,
// the hand-over, the copy of the scratch table (with its index) into the caller's emptied
// table through an attach, a failing helper's error, and a caller that stops early.
#include "storedb/scratch_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/testing.h"

namespace tq::storedb {
namespace {

constexpr const char* kTable = "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT NOT NULL, v INTEGER)";

std::vector<std::string> Rows(Db& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().message();
  std::vector<std::string> out;
  while (*st->Step()) out.push_back(std::string(st->Text(0)) + "|" + std::string(st->Text(1)));
  return out;
}

TEST(StoreDbScratchWriter, HelperRowsCopiedIntoTheCallersTableWithTheirIndex) {
  tq::testing::TempDir tmp;
  auto main = Db::Open(tmp / "main.db", true);
  ASSERT_TRUE(main.ok());
  Db& db = **main;
  ASSERT_TRUE(db.Exec(std::string(kTable) + "; CREATE TABLE other(x)").ok());
  ScratchWriter w;
  int later = 0;  // written by the helper after the hand-over
  w.Start(tmp / "scratch.db", [&](Db& s) -> Status {
    TQ_RETURN_IF_ERROR(s.Exec(kTable));
    TQ_RETURN_IF_ERROR(s.Exec("INSERT INTO t(k,v) VALUES('b',1),('a',2)"));
    w.Reached(Status::Ok());
    if (!w.WaitToGoOn()) return Status::BadInput("stopped");
    TQ_RETURN_IF_ERROR(s.Exec("INSERT INTO t(k,v) VALUES('c'," + std::to_string(later) + ")"));
    return s.Exec("CREATE INDEX t_k ON t(k)");
  });
  ASSERT_TRUE(w.started());
  ASSERT_TRUE(db.Begin().ok());
  ASSERT_TRUE(db.Exec("INSERT INTO other VALUES(1)").ok());  // the caller's own writes meanwhile
  ASSERT_TRUE(w.WaitReached().ok());
  later = 3;
  w.GoOn();
  ASSERT_TRUE(w.Finish().ok());
  ASSERT_TRUE(w.Attach(db, "sdb_scratch").ok());
  ASSERT_TRUE(db.Exec("CREATE INDEX t_k ON t(k)").ok());
  ASSERT_TRUE(db.Exec("INSERT INTO main.t SELECT * FROM sdb_scratch.t").ok());
  ASSERT_TRUE(db.Commit().ok());
  ASSERT_TRUE(db.Exec("DETACH sdb_scratch").ok());
  ScratchWriter::Remove(tmp / "scratch.db");
  EXPECT_NE(::access((tmp / "scratch.db").c_str(), F_OK), 0);
  EXPECT_EQ(Rows(db, "SELECT id, k || v FROM t ORDER BY id"),
            (std::vector<std::string>{"1|b1", "2|a2", "3|c3"}));
  // The index holds every row (read through it, in its order).
  EXPECT_EQ(Rows(db, "SELECT k, id FROM t INDEXED BY t_k WHERE k > '' ORDER BY k"),
            (std::vector<std::string>{"a|2", "b|1", "c|3"}));
  EXPECT_EQ(Rows(db, "PRAGMA integrity_check").size(), 1u);
}

TEST(StoreDbScratchWriter, AFailingHelperDoesNotKeepTheCallerWaiting) {
  tq::testing::TempDir tmp;
  ScratchWriter w;
  w.Start(tmp / "scratch.db", [](Db& s) -> Status {
    TQ_RETURN_IF_ERROR(s.Exec("CREATE TABLE t(x)"));
    return s.Exec("INSERT INTO no_such_table VALUES(1)");
  });
  Status first = w.WaitReached();  // returns: the helper ended, on its error
  EXPECT_NE(first.message().find("no_such_table"), std::string::npos) << first.message();
  Status s = w.Finish();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no_such_table"), std::string::npos) << s.message();
}

TEST(StoreDbScratchWriter, ACallerThatStopsEarlyStopsTheHelper) {
  tq::testing::TempDir tmp;
  bool went_on = true;
  {
    ScratchWriter w;
    w.Start(tmp / "scratch.db", [&](Db&) -> Status {
      w.Reached(Status::Ok());
      went_on = w.WaitToGoOn();
      return Status::Ok();
    });
    EXPECT_TRUE(w.WaitReached().ok());
  }  // destroyed without GoOn or Finish: told to stop, joined
  EXPECT_FALSE(went_on);
}

TEST(StoreDbScratchWriter, AFirstPartThatFailedIsTheCallersToSee) {
  tq::testing::TempDir tmp;
  ScratchWriter w;
  w.Start(tmp / "scratch.db", [&](Db&) -> Status {
    Status st = Status::Io("disk full");
    w.Reached(st);
    return st;
  });
  EXPECT_EQ(w.WaitReached().message(), "disk full");
  EXPECT_EQ(w.Finish().message(), "disk full");
  // A scratch file that cannot be made (a directory in its place) fails before the first part.
  ASSERT_EQ(::mkdir((tmp / "dir.db").c_str(), 0700), 0);
  ScratchWriter d;
  d.Start(tmp / "dir.db", [&](Db&) -> Status { return Status::Ok(); });
  EXPECT_FALSE(d.WaitReached().ok());
  EXPECT_FALSE(d.Finish().ok());
}

}  // namespace
}  // namespace tq::storedb
