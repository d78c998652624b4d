// The SQLite wrapper: typed binds and columns, errors as Status.
#include "casefile/db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/testing.h"

namespace tq {
namespace {

TEST(DbTest, BindsAndReadsEveryType) {
  testing::TempDir tmp;
  auto db = Db::Open(tmp / "x.db", true);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(i, d, s, b, n)").ok());
  auto ins = (*db)->Prepare("INSERT INTO t VALUES(?,?,?,?,?)");
  ASSERT_TRUE(ins.ok());
  std::string blob("a\0b\xff", 4);
  ins->Bind(1, int64_t{-7}).Bind(2, 2.5).Bind(3, "text").BindBlob(4, blob).BindNull(5);
  ASSERT_TRUE(ins->Run().ok());
  auto q = (*db)->Prepare("SELECT i, d, s, b, n FROM t");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Int(0), -7);
  EXPECT_EQ(q->Double(1), 2.5);
  EXPECT_EQ(q->Text(2), "text");
  EXPECT_EQ(q->Text(3), blob);
  EXPECT_TRUE(q->IsNull(4));
  EXPECT_EQ(q->ColumnCount(), 5);
  EXPECT_FALSE(*q->Step());
}

// New files get 16 KiB pages; a file created with another page size keeps it.
// SQLite's memory statistics (a process-wide mutex on each of its allocations) are off: the
// connection uses memory, and none of it is counted.
TEST(DbTest, SqliteCountsNoMemory) {
  testing::TempDir tmp;
  auto db = Db::Open(tmp / "x.db", true);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(s)").ok());
  ASSERT_TRUE((*db)
                  ->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 2000) INSERT INTO t SELECT printf('%0500d', i) FROM n")
                  .ok());
  EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM t"), 2000);
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

TEST(DbTest, NewFilesGetLargePagesAndOldOnesKeepTheirs) {
  testing::TempDir tmp;
  {
    auto db = Db::Open(tmp / "new.db", true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x)").ok());
    EXPECT_EQ(*(*db)->QueryInt("PRAGMA page_size"), 16384);
  }
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((tmp / "old.db").c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA page_size=4096; CREATE TABLE t(x); INSERT INTO t VALUES(1)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = Db::Open(tmp / "old.db", false);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA page_size"), 4096);
  EXPECT_EQ(*(*db)->QueryInt("SELECT x FROM t"), 1);
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
}

// Text bound without a copy is read where it is: a buffer reused between rows gives each row
// what it held at that row's step.
TEST(DbTest, UncopiedTextIsReadAtTheStep) {
  testing::TempDir tmp;
  auto db = Db::Open(tmp / "x.db", true);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(s)").ok());
  auto ins = (*db)->Prepare("INSERT INTO t VALUES(?)");
  ASSERT_TRUE(ins.ok());
  std::string buf;
  for (const char* v : {"first", "second row", "3"}) {
    buf.assign(v);
    ASSERT_TRUE(ins->Reset().ok());
    ins->BindUncopied(1, buf);
    ASSERT_TRUE(ins->Run().ok());
  }
  auto q = (*db)->Prepare("SELECT group_concat(s, '|') FROM t");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Text(0), "first|second row|3");
}

TEST(DbTest, ErrorsNameTheProblem) {
  testing::TempDir tmp;
  auto db = Db::Open(tmp / "x.db", true);
  ASSERT_TRUE(db.ok());
  Result<Stmt> bad = (*db)->Prepare("SELEC 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("syntax error"), std::string::npos);
  Result<int64_t> none = (*db)->QueryInt("SELECT 1 WHERE 0");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kNotFound);
  auto missing = Db::Open(tmp / "no/such/dir/x.db", true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kCase);
}

TEST(DbTest, TransactionsRollBack) {
  testing::TempDir tmp;
  auto db = Db::Open(tmp / "x.db", true);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x)").ok());
  ASSERT_TRUE((*db)->Begin().ok());
  EXPECT_TRUE((*db)->InTransaction());
  ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES(1)").ok());
  (*db)->Rollback();
  EXPECT_FALSE((*db)->InTransaction());
  EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM t"), 0);
}

TEST(DbTest, CachedStatementsArePreparedOnceAndComeBackReset) {
  testing::TempDir tmp;
  auto db = Db::Open(tmp / "x.db", true);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x)").ok());
  Result<Stmt*> a = (*db)->Cached("INSERT INTO t VALUES(?) RETURNING x");
  ASSERT_TRUE(a.ok());
  (*a)->Bind(1, int64_t{5});
  ASSERT_TRUE(*(*a)->Step());  // left mid-statement on purpose
  Result<Stmt*> b = (*db)->Cached("INSERT INTO t VALUES(?) RETURNING x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);           // the same statement, not a second one
  ASSERT_TRUE(*(*b)->Step());  // reset and unbound: inserts NULL
  EXPECT_TRUE((*b)->IsNull(0));
  ASSERT_TRUE((*b)->Reset().ok());
  EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM t"), 2);
  EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM t WHERE x IS NULL"), 1);
  Result<Stmt*> other = (*db)->Cached("SELECT count(*) FROM t");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *a);
  EXPECT_FALSE((*db)->Cached("SELEC 1").ok());  // errors are reported, not kept
}

}  // namespace
}  // namespace tq
