// Customers and orders written once each from the held rows: a dump whose tables come in an
// order no mysqldump writes (payments and addresses before their orders, addresses after
// their customers), repeated orders, guests, an id written with leading zeros, and the
// memory cap.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "storedb/analyzer.h"
#include "storedb/stored_dump_testing.h"
#include "storedb/storedb.h"
#include "support/testing.h"

namespace tq::storedb {
namespace {

using ::testing::ElementsAre;

constexpr const char* kDump = R"sql(
INSERT INTO `sales_order_payment` (`entity_id`,`parent_id`,`method`,`cc_last_4`,`cc_type`) VALUES
(1,100,'checkmo','',''),(2,101,'stripe_payments','',''),(3,100,'braintree','4242','VI');
INSERT INTO `sales_order_address` (`entity_id`,`parent_id`,`address_type`,`firstname`,`lastname`,`street`,`city`,`postcode`,`region`,`country_id`,`email`,`telephone`) VALUES
(1,100,'shipping','Sam','Ship','9 Dock','Hamburg','20095','Hamburg','DE','s@x.test','+49 40 1'),
(2,100,'billing','Ann','Alpha','Hauptstr. 1','Berlin','10115','Bayern','DE','ann@x.test',''),
(3,100,'billing','Other','X','','','','','FR','','+49 30 1');
INSERT INTO `sales_order` (`entity_id`,`increment_id`,`customer_id`,`customer_is_guest`,`customer_email`,`customer_firstname`,`customer_lastname`,`created_at`,`status`,`grand_total`,`remote_ip`) VALUES
(100,'000000100',7,0,'','','','2024-03-01 10:00:00','processing','12.50',NULL),
(101,'000000101',NULL,1,'G@X.test','Gus','Guest','2024-03-02 10:00:00','complete','5.00','203.0.113.9'),
(100,'dup',NULL,1,'dup@x.test','D','Up','2024-03-03 10:00:00','complete','1.00',NULL),
(102,'000000102',NULL,1,'g@x.test','Gus','Guest','2024-03-01 09:00:00','complete','7.00',NULL);
INSERT INTO `customer_entity` (`entity_id`,`email`,`firstname`,`lastname`,`default_billing`,`password_hash`,`created_at`) VALUES
(007,'ann@x.test','Ann','Alpha',NULL,'$2y$10$h','2024-01-01 00:00:00');
INSERT INTO `customer_address_entity` (`entity_id`,`parent_id`,`country_id`,`region`,`street`,`city`,`postcode`,`telephone`) VALUES
(5,7,'AT','Wien','','','',''),(4,7,'DE','Bayern','Hauptstr. 1','Berlin','10115','+49 30 2');
)sql";

struct DumpCase : StoredDump {
  AnalyzeSummary summary;
  DumpCase(const std::string& sql, const AnalyzeOptions& opt) : StoredDump(sql, "people") {
    auto s = AnalyzeDumpEvidence(*c, item, opt);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) summary = *s;
  }
  std::vector<std::string> Rows(const std::string& sql) {
    auto st = c->db().Prepare(sql);
    EXPECT_TRUE(st.ok());
    std::vector<std::string> out;
    while (*st->Step()) {
      std::string row;
      for (int i = 0; i < st->ColumnCount(); ++i) row.append(i ? "|" : "").append(st->Text(i));
      out.push_back(row);
    }
    return out;
  }
};

AnalyzeOptions Magento(int threads) {
  AnalyzeOptions opt;
  opt.platform = "magento";
  opt.dump.threads = threads;
  return opt;
}

TEST(CustomersJoin, RowsInAnyTableOrderAreJoinedAndWrittenOnceInDumpOrder) {
  for (int threads : {1, 2}) {
    DumpCase d(kDump, Magento(threads));
    EXPECT_THAT(
        d.Rows("SELECT order_id,increment_id,customer_id,email,name,country,region,"
               "payment_method,card_payment,cc_last4,cc_type,billing_address,billing_street,"
               "billing_city,billing_postcode,categories FROM storedb_order ORDER BY id"),
        ElementsAre(
            R"(100|000000100|7|ann@x.test|Ann Alpha|DE|Bayern|checkmo|0|||Hauptstr. 1, Berlin 10115, Bayern, DE|Hauptstr. 1|Berlin|10115|["email","name","phone","postal_address"])",
            R"(101|000000101||G@X.test|Gus Guest|||stripe_payments|1|||||||["email","ip_address","name"])",
            R"(102|000000102||g@x.test|Gus Guest||||0|||||||["email","name"])"))
        << threads;
    // The customer id written 007 is customer 7, whose addresses it gets: no default billing,
    // so the address of lowest id (4).
    EXPECT_THAT(
        d.Rows("SELECT customer_id,email,name,country,region,created_at IS NOT NULL,categories "
               "FROM storedb_customer ORDER BY id"),
        ElementsAre(
            R"(7|ann@x.test|Ann Alpha|DE|Bayern|1|["email","name","password_hash","phone","postal_address"])",
            R"(|g@x.test|Gus Guest|||1|[])"))
        << threads;
    EXPECT_EQ(d.summary.orders, 3);
    EXPECT_EQ(d.summary.customers, 2);
  }
}

// With the parser's threads the customers go through a scratch database beside the case,
// removed after; one that cannot be made (a directory in its place) leaves them to the calling
// thread: the same rows either way, and the indexes are there.
TEST(CustomersJoin, TheScratchDatabaseIsRemovedAndAFailingOneChangesNothing) {
  std::vector<std::string> want;
  for (bool blocked : {false, true}) {
    StoredDump dump(kDump, "people");
    std::string scratch = CustomerScratchPath(*dump.c);
    if (blocked) {
      ASSERT_EQ(::mkdir(scratch.c_str(), 0700), 0);
    }
    for (int run = 0; run < 2; ++run) {  // the second run replaces the first one's rows
      auto s = AnalyzeDumpEvidence(*dump.c, dump.item, Magento(2));
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      EXPECT_EQ(s->customers, 2);
      auto st = dump.c->db().Prepare(
          "SELECT id,customer_id,email,categories FROM storedb_customer ORDER BY id");
      ASSERT_TRUE(st.ok());
      std::vector<std::string> rows;
      while (*st->Step())
        rows.push_back(std::to_string(st->Int(0)) + "|" + std::string(st->Text(1)) + "|" +
                       std::string(st->Text(2)) + "|" + std::string(st->Text(3)));
      if (want.empty()) want = rows;
      EXPECT_EQ(rows, want) << blocked << run;
      EXPECT_EQ(*dump.c->db().QueryInt("SELECT count(*) FROM sqlite_schema WHERE type='index' "
                                       "AND name IN ('storedb_customer_ev','storedb_customer_"
                                       "email','storedb_order_created')"),
                3);
      EXPECT_EQ(*dump.c->db().QueryInt("SELECT count(*) FROM pragma_database_list"), 2);
      struct stat sb;
      EXPECT_EQ(::stat(scratch.c_str(), &sb) == 0, blocked) << "the scratch file is removed";
    }
  }
  EXPECT_EQ(want.size(), 2u);
}

TEST(CustomersJoin, RowsPastTheMemoryCapAreLeftOutWithAProblem) {
  AnalyzeOptions opt = Magento(1);
  opt.max_people_bytes = 1;  // the first row is held, then the cap is passed
  DumpCase d(kDump, opt);
  EXPECT_EQ(d.summary.orders, 0);
  EXPECT_EQ(d.summary.customers, 0);
  EXPECT_THAT(d.Rows("SELECT table_name,line,message,row_lost FROM storedb_problem"),
              ElementsAre("sales_order_payment|3|customers and orders need more than 1 bytes of "
                          "memory to join: this row and those after it are not in "
                          "storedb_customer / storedb_order|1"));
  // Every row not held is counted as lost (2 payments, 2 billing addresses, 4 orders, the
  // customer and its 2 addresses), so the stage reports the item as damaged (exit 3).
  EXPECT_EQ(d.summary.stats.rows_skipped, 11u);
  EXPECT_EQ(d.summary.stats.problems, 1u);
  EXPECT_EQ(d.Rows("SELECT problems,rows_skipped FROM storedb_dump"),
            std::vector<std::string>{"1|11"});
  // The findings and the per-table rows are not held back by it.
  EXPECT_THAT(d.Rows("SELECT table_name,row_count FROM storedb_table ORDER BY 1"),
              ElementsAre("customer_address_entity|2", "customer_entity|1", "sales_order|4",
                          "sales_order_address|3", "sales_order_payment|3"));
}

}  // namespace
}  // namespace tq::storedb
