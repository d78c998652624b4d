// GuestCustomers gives what SQLite's GROUP BY lower(email) with min(created_at) gave over the
// same orders: the same groups in the same order, the same row shown for each (ties of time,
// orders without a time, addresses differing in case, bytes past ASCII, another evidence
// item's orders), checked against the query itself.
#include "storedb/guest_customers.h"

#include <gtest/gtest.h>

#include <random>

#include "casefile/db.h"
#include "support/testing.h"

namespace tq::storedb {
namespace {

using Row = std::vector<std::string>;

std::string Show(const GuestOrder& g) {
  return std::string(g.source_table) + "|" + std::string(g.email) + "|" + std::string(g.name) +
         "|" + std::string(g.country) + "|" + std::string(g.region) + "|" +
         (g.created_at ? std::to_string(*g.created_at) : "NULL") + "|" + std::to_string(g.line) +
         "|" + std::to_string(g.offset);
}

// Orders into a table shaped as storedb_order (its unique index on evidence_id, order_id),
// the guests of evidence 1 added to GuestCustomers as the writer adds them; then both ways.
void ExpectAsSql(uint32_t seed, int orders, int addresses) {
  tq::testing::TempDir tmp;
  auto db = Db::Open(tmp / "t.db", true);
  ASSERT_TRUE(db.ok()) << db.status().message();
  Db& d = **db;
  ASSERT_TRUE(d.Exec("CREATE TABLE o(id INTEGER PRIMARY KEY, evidence_id INTEGER NOT NULL, "
                     "source_table TEXT NOT NULL, order_id TEXT NOT NULL, customer_id INTEGER, "
                     "email TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '', country "
                     "TEXT NOT NULL DEFAULT '', region TEXT NOT NULL DEFAULT '', created_at "
                     "INTEGER, line INTEGER NOT NULL DEFAULT 0, byte_offset INTEGER NOT NULL "
                     "DEFAULT 0, UNIQUE(evidence_id, order_id))")
                  .ok());
  auto ins = d.Prepare(
      "INSERT OR IGNORE INTO o(evidence_id,source_table,order_id,customer_id,"
      "email,name,country,region,created_at,line,byte_offset) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  ASSERT_TRUE(ins.ok());
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  GuestCustomers guests;
  ASSERT_TRUE(d.Exec("BEGIN").ok());
  for (int i = 0; i < orders; ++i) {
    int64_t ev = pick(10) == 0 ? 2 : 1;
    std::string order_id = std::to_string(pick(orders * 2));  // some repeated: ignored
    if (pick(7) == 0) order_id = "W" + order_id;
    bool guest = pick(4) != 0;
    std::string email;
    if (pick(15) != 0) {
      email = "Guest" + std::to_string(pick(addresses)) + "@Example.COM";
      for (char& c : email)
        if (pick(3) == 0) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      if (pick(20) == 0) email = "\xc3\x89" + email;  // É: SQLite's lower() leaves it
    }
    std::string name = "name " + std::to_string(i), country = pick(2) ? "DE" : "";
    std::string region = pick(3) ? "Bayern" : "";
    std::string source = pick(2) ? "sales_order" : "wp_wc_orders";
    std::optional<int64_t> created;
    if (pick(5) != 0) created = 1000 + pick(8);  // few distinct times: ties
    Stmt& st = *ins;
    ASSERT_TRUE(st.Reset().ok());
    st.Bind(1, ev).Bind(2, source).Bind(3, order_id);
    if (guest)
      st.BindNull(4);
    else
      st.Bind(4, static_cast<int64_t>(i));
    st.Bind(5, email).Bind(6, name).Bind(7, country).Bind(8, region).Bind(9, created);
    st.Bind(10, static_cast<int64_t>(i + 1)).Bind(11, static_cast<int64_t>(i * 100));
    ASSERT_TRUE(st.Run().ok());
    if (d.Changes() > 0 && ev == 1 && guest && !email.empty())
      guests.Add({source, order_id, email, name, country, region, created,
                  static_cast<uint64_t>(i + 1), static_cast<uint64_t>(i * 100)});
  }
  ASSERT_TRUE(d.Exec("COMMIT").ok());
  std::vector<std::string> want, got;
  auto q = d.Prepare(
      "SELECT source_table,email,name,country,region,min(created_at),line,byte_offset FROM o "
      "WHERE evidence_id=1 AND customer_id IS NULL AND email<>'' GROUP BY lower(email)");
  ASSERT_TRUE(q.ok());
  for (;;) {
    auto row = q->Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    GuestOrder g{q->Text(0), "",           q->Text(1), q->Text(2), q->Text(3),
                 q->Text(4), std::nullopt, 0,          0};
    if (!q->IsNull(5)) g.created_at = q->Int(5);
    g.line = static_cast<uint64_t>(q->Int(6));
    g.offset = static_cast<uint64_t>(q->Int(7));
    want.push_back(Show(g));
  }
  ASSERT_TRUE(guests
                  .ForEach([&](const GuestOrder& g) -> Status {
                    got.push_back(Show(g));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_GT(want.size(), 1u);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << "group " << i;
}

TEST(StoreDbGuestCustomers, AsSqliteGroupedThem) {
  ExpectAsSql(1, 200, 20);       // a few orders per address
  ExpectAsSql(2, 5000, 300);     // many: ties of time and all-NULL groups
  ExpectAsSql(3, 60000, 40000);  // most addresses once, some orders ignored as repeated ids
}

TEST(StoreDbGuestCustomers, NoOrdersNoGuestsAndAnErrorStops) {
  GuestCustomers none;
  int calls = 0;
  EXPECT_TRUE(none.ForEach([&](const GuestOrder&) -> Status {
                    ++calls;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(calls, 0);
  GuestCustomers two;
  two.Add({"t", "2", "B@x", "b", "", "", 5, 2, 20});
  two.Add({"t", "1", "a@x", "a", "", "", std::nullopt, 1, 10});
  std::vector<std::string> seen;
  Status s = two.ForEach([&](const GuestOrder& g) -> Status {
    seen.emplace_back(g.email);
    return Status::BadInput("stop");
  });
  EXPECT_EQ(s.message(), "stop");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "a@x");  // "a@x" before "b@x"
}

}  // namespace
}  // namespace tq::storedb
