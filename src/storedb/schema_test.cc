// The storedb schema's migrations: a case as migration 3 left it (with the orders' e-mail
// index) is brought to migration 4, which drops that index, and a stage run on it builds only
// the indexes its readers use.
#include <gtest/gtest.h>

#include "storedb/analyzer.h"
#include "storedb/stored_dump_testing.h"
#include "storedb/storedb.h"

namespace tq::storedb {
namespace {

int64_t Count(Case& c, const std::string& sql) {
  auto n = c.db().QueryInt(sql);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? *n : -1;
}

constexpr const char* kIndexes =
    "SELECT count(*) FROM sqlite_schema WHERE type='index' AND name IN ('storedb_customer_ev',"
    "'storedb_customer_email','storedb_order_created')";
constexpr const char* kEmailIndex =
    "SELECT count(*) FROM sqlite_schema WHERE type='index' AND name='storedb_order_email'";
constexpr const char* kVersion = "SELECT version FROM schema_component WHERE name='storedb'";

TEST(StoreDbSchema, MigrationFourDropsTheOrdersEmailIndex) {
  StoredDump dump("INSERT INTO `t` VALUES (1);\n", "schema");
  Case& c = *dump.c;
  ASSERT_TRUE(EnsureStoreDbSchema(c).ok());
  EXPECT_EQ(Count(c, kVersion), 4);
  EXPECT_EQ(Count(c, kEmailIndex), 0);
  EXPECT_EQ(Count(c, kIndexes), 3);

  // A case written before migration 4: the index is there and the version says 3.
  ASSERT_TRUE(c.db()
                  .Exec("CREATE INDEX storedb_order_email ON storedb_order(email); "
                        "UPDATE schema_component SET version=3 WHERE name='storedb'")
                  .ok());
  EXPECT_EQ(Count(c, kEmailIndex), 1);
  ASSERT_TRUE(EnsureStoreDbSchema(c).ok());
  EXPECT_EQ(Count(c, kVersion), 4);
  EXPECT_EQ(Count(c, kEmailIndex), 0);
  EXPECT_EQ(Count(c, kIndexes), 3);
}

TEST(StoreDbSchema, TheStageBuildsNoOrdersEmailIndex) {
  StoredDump dump(
      "INSERT INTO `sales_order` (`entity_id`,`increment_id`,`customer_email`,`created_at`) "
      "VALUES (1,'000000001','a@x.test','2024-03-01 10:00:00');\n",
      "schema");
  Case& c = *dump.c;
  for (int threads : {1, 2}) {
    AnalyzeOptions opt;
    opt.platform = "magento";
    opt.dump.threads = threads;
    auto s = AnalyzeDumpEvidence(c, dump.item, opt);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->orders, 1);
    EXPECT_EQ(Count(c, kEmailIndex), 0) << threads;
    EXPECT_EQ(Count(c, kIndexes), 3) << threads;
  }
}

}  // namespace
}  // namespace tq::storedb
