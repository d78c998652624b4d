// The affected-set rules on hand-made records, and the scope tables written into a case.
#include "scope/scope.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/testing.h"

namespace tq::scope {
namespace {

constexpr UnixMicros kDay = 86400LL * 1000000;
constexpr UnixMicros kT0 = 1760000000LL * 1000000;

CustomerRecord Customer(int64_t id, std::string email, UnixMicros created,
                        std::vector<std::string> cats = {"name", "email", "password_hash"}) {
  CustomerRecord c;
  c.customer_id = id;
  c.email = std::move(email);
  c.name = "Customer " + std::to_string(id);
  c.country = "US";
  c.region = "California";
  c.created_at = created;
  c.categories = std::move(cats);
  c.source_table = "customer_entity";
  c.evidence = "store.sql:" + std::to_string(100 + id);
  return c;
}

OrderRecord Order(std::string ref, std::optional<int64_t> customer, std::string email,
                  UnixMicros at, bool card) {
  OrderRecord o;
  o.order_ref = std::move(ref);
  o.customer_id = customer;
  o.email = std::move(email);
  o.name = "Orderer";
  o.country = "DE";
  o.created_at = at;
  o.card_payment = card;
  o.categories = {"name", "email", "phone", "postal_address", "ip_address"};
  o.source_table = "sales_order";
  o.evidence = "store.sql:900";
  return o;
}

Exposure Skimmer(UnixMicros start, std::optional<UnixMicros> end) {
  Exposure e;
  e.kind = Exposure::Kind::kSkimmer;
  e.start = start;
  e.end = end;
  e.description = "skimmer";
  return e;
}

TEST(ScopeRules, SkimmerTakesCardPayersInsideTheWindowOnly) {
  std::vector<OrderRecord> orders = {
      Order("100", std::nullopt, "Guest@Example.com", kT0 + 2 * kDay, true),    // in, guest
      Order("101", 7, "seven@example.com", kT0 + 3 * kDay, true),               // in, registered
      Order("102", std::nullopt, "late@example.com", kT0 + 6 * kDay, true),     // after removal
      Order("103", std::nullopt, "early@example.com", kT0 - 1, true),           // before
      Order("104", std::nullopt, "paypal@example.com", kT0 + 2 * kDay, false),  // not by card
  };
  std::vector<CustomerRecord> customers = {Customer(7, "seven@example.com", kT0 - 100 * kDay)};
  auto people = ComputeAffected(customers, orders, {Skimmer(kT0, kT0 + 5 * kDay)}, std::nullopt);
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[0].person_key, "email:guest@example.com");
  EXPECT_EQ(people[0].categories,
            (std::vector<std::string>{"email", "name", "payment_card", "phone", "postal_address"}));
  EXPECT_EQ(people[0].ambiguity, "");
  EXPECT_EQ(people[1].person_key, "email:seven@example.com");
  // A registered customer keeps the account's identity.
  EXPECT_EQ(people[1].name, "Customer 7");
  EXPECT_EQ(people[1].country, "US");
  EXPECT_EQ(people[1].region, "CA");
  EXPECT_EQ(Jurisdiction(people[1]), "US-CA");
  ASSERT_EQ(people[1].reasons.size(), 1u);
  EXPECT_EQ(people[1].reasons[0].text, "paid by card while the skimmer was live (order 101)");
}

TEST(ScopeRules, OpenSkimmerWindowClosesAtDiscoveryAndSaysSo) {
  std::vector<OrderRecord> orders = {
      Order("1", std::nullopt, "a@example.com", kT0 + kDay, true),
      Order("2", std::nullopt, "b@example.com", kT0 + 3 * kDay, true)};
  auto people = ComputeAffected({}, orders, {Skimmer(kT0, std::nullopt)}, kT0 + 2 * kDay);
  ASSERT_EQ(people.size(), 1u);
  // The whole window's, not the person's.
  EXPECT_EQ(people[0].ambiguity, "");
  EXPECT_NE(ExposureAmbiguity(Skimmer(kT0, std::nullopt)).find("removal time is unknown"),
            std::string::npos);
  EXPECT_EQ(ExposureAmbiguity(Skimmer(kT0, kT0 + kDay)), "");
}

TEST(ScopeRules, WindowEdgeIsShown) {
  std::vector<OrderRecord> orders = {Order("9", std::nullopt, "e@example.com", kT0 + 10, true)};
  auto people = ComputeAffected({}, orders, {Skimmer(kT0, kT0 + kDay)}, std::nullopt);
  ASSERT_EQ(people.size(), 1u);
  EXPECT_NE(people[0].ambiguity.find("window's edge"), std::string::npos);
}

TEST(ScopeRules, DumpTakesRowsThatExistedWhenItWasTaken) {
  Exposure dump;
  dump.kind = Exposure::Kind::kDump;
  dump.start = kT0;
  dump.description = "db.sql.gz";
  dump.tables = {"customer_entity", "sales_order"};
  std::vector<CustomerRecord> customers = {
      Customer(1, "one@example.com", kT0 - 10 * kDay),
      Customer(2, "two@example.com", kT0 + kDay),  // created after the dump
      Customer(3, "", kT0 - kDay, {"name"}),       // no email: keyed by id
  };
  std::vector<OrderRecord> orders = {
      Order("500", 1, "one@example.com", kT0 - 5 * kDay, false),
      Order("501", std::nullopt, "guest@example.com", kT0 - kDay, false),
      Order("502", std::nullopt, "after@example.com", kT0 + kDay, true),
  };
  auto people = ComputeAffected(customers, orders, {dump}, std::nullopt);
  ASSERT_EQ(people.size(), 3u);
  EXPECT_EQ(people[0].person_key, "customer:3");
  EXPECT_EQ(people[1].person_key, "email:guest@example.com");
  EXPECT_EQ(people[1].categories,
            (std::vector<std::string>{"email", "ip_address", "name", "order_history", "phone",
                                      "postal_address"}));
  EXPECT_NE(people[1].ambiguity.find("by email only"), std::string::npos);
  EXPECT_EQ(people[2].person_key, "email:one@example.com");
  EXPECT_EQ(people[2].categories,
            (std::vector<std::string>{"email", "ip_address", "name", "order_history",
                                      "password_hash", "phone", "postal_address"}));
  EXPECT_EQ(*people[2].first_exposure, kT0);
  // The account and its order, each with the exposure they came from; the case keeps the
  // text without the exposure's description.
  ASSERT_EQ(people[2].reasons.size(), 2u);
  EXPECT_EQ(people[2].reasons[0].text, "account in the stolen dump: db.sql.gz");
  EXPECT_EQ(people[2].reasons[0].Own(), "account in the stolen dump");
  EXPECT_EQ(people[2].reasons[0].exposure, 0);
  EXPECT_EQ(people[2].reasons[1].Own(), "order 500 in the stolen dump");
  EXPECT_EQ(ExposureAmbiguity(dump), "") << "its tables are known";
}

TEST(ScopeRules, DumpOfOtherTablesTakesNobody) {
  Exposure dump;
  dump.kind = Exposure::Kind::kDump;
  dump.start = kT0;
  dump.tables = {"catalog_product_entity"};
  auto people = ComputeAffected({Customer(1, "one@example.com", 0)}, {}, {dump}, std::nullopt);
  EXPECT_TRUE(people.empty());
}

TEST(ScopeRules, NoCountryIsAnAmbiguity) {
  CustomerRecord c = Customer(1, "x@example.com", 0);
  c.country = "";
  c.region = "";
  Exposure dump;
  dump.kind = Exposure::Kind::kDump;
  dump.start = kT0;
  dump.tables = {"customer_entity"};
  auto people = ComputeAffected({c}, {}, {dump}, std::nullopt);
  ASSERT_EQ(people.size(), 1u);
  EXPECT_EQ(people[0].ambiguity, "no country on record");
  EXPECT_EQ(Jurisdiction(people[0]), "");
}

TEST(ScopeRegions, NamesAndCodes) {
  EXPECT_EQ(RegionCode("US", "California"), "CA");
  EXPECT_EQ(RegionCode("US", "new york"), "NY");
  EXPECT_EQ(RegionCode("US", "US-TX"), "TX");
  EXPECT_EQ(RegionCode("CA", "Québec"), "QC");
  EXPECT_EQ(RegionCode("AU", "New South Wales"), "NSW");
  EXPECT_EQ(RegionCode("DE", "Bayern"), "BAYERN");
  EXPECT_EQ(RegionCode("US", ""), "");
  EXPECT_EQ(LanguageForCountry("at"), "de");
  EXPECT_EQ(LanguageForCountry("ZZ"), "");
}

TEST(ScopeRules, OnePersonsOrdersShareOneReasonPerExposure) {
  std::vector<OrderRecord> orders = {
      Order("100", std::nullopt, "twice@example.com", kT0 + kDay, true),
      Order("105", std::nullopt, "TWICE@example.com ", kT0 + 2 * kDay, true),
  };
  orders[1].evidence = "store.sql:905";
  auto people = ComputeAffected({}, orders, {Skimmer(kT0, kT0 + 5 * kDay)}, std::nullopt);
  ASSERT_EQ(people.size(), 1u);
  ASSERT_EQ(people[0].reasons.size(), 1u);
  EXPECT_EQ(people[0].reasons[0].text, "paid by card while the skimmer was live (orders 100, 105)");
  EXPECT_EQ(people[0].reasons[0].evidence, "store.sql:900, store.sql:905");
  EXPECT_EQ(*people[0].first_exposure, kT0 + kDay);
  EXPECT_EQ(*people[0].last_exposure, kT0 + 2 * kDay);
}

TEST(ScopeRules, CategoriesPastTheSixtyThirdAreKeptAsOther) {
  std::vector<std::string> many;
  for (int i = 0; i < 70; ++i) many.push_back("cat" + std::to_string(100 + i));
  Exposure dump;
  dump.kind = Exposure::Kind::kDump;
  dump.start = kT0;
  dump.description = "dump";
  auto people =
      ComputeAffected({Customer(1, "a@example.com", kT0 - kDay, many)}, {}, {dump}, std::nullopt);
  ASSERT_EQ(people.size(), 1u);
  // 63 named bits, six of them taken first by the categories a skimmer and an order row give
  // (which this account does not hold), and the shared one: 57 named categories and
  // "other_personal_data" for the other thirteen.
  EXPECT_EQ(people[0].categories.size(), 58u);
  EXPECT_EQ(people[0].categories.back(), "other_personal_data");
}

TEST(ScopePeople, EvidenceIsSplitIntoItemAndLine) {
  People people;
  CustomerRecord c = Customer(1, "a@example.com", kT0);
  people.Add(c);
  c.evidence = "db/dump:0123";  // not a line number: kept whole
  people.Add(c);
  c.evidence = "store.sql";
  people.Add(c);
  std::vector<std::string> refs;
  for (const auto& r : people.customers) {
    std::string s;
    people.AppendEvidence(r.evidence, r.line, &s);
    refs.push_back(s);
  }
  EXPECT_EQ(refs, (std::vector<std::string>{"store.sql:101", "db/dump:0123", "store.sql"}));
  EXPECT_EQ(people.customers[0].evidence, people.customers[2].evidence) << "one item, one index";
  EXPECT_EQ(people.customers[0].email, "a@example.com");
}

// A store with repeat customers, guests, people without email, a dump of unknown tables and a
// skimmer: the affected set is the same whether one thread or two collect it, and a writer
// that reuses its output spells each person as a fresh one does.
TEST(ScopeRules, ThreadsAndReuseDoNotChangeTheResult) {
  People people;
  for (int i = 0; i < 300; ++i)
    people.Add(Customer(i, i % 7 ? "c" + std::to_string(i) + "@example.com" : "",
                        kT0 + (i % 20 - 10) * kDay));
  for (int i = 0; i < 900; ++i) {
    std::optional<int64_t> who;
    if (i % 3) who = i % 300;
    OrderRecord o = Order(std::to_string(5000 + i), who,
                          who ? "C" + std::to_string(*who) + "@Example.com"
                              : "guest" + std::to_string(i % 50) + "@example.com",
                          kT0 + (i % 30 - 15) * kDay, i % 2 == 0);
    o.evidence = "store.sql:" + std::to_string(900 + i);
    people.Add(o);
  }
  Exposure dump;
  dump.kind = Exposure::Kind::kDump;
  dump.start = kT0;
  dump.description = "db.sql.gz";
  std::vector<Exposure> exposures = {Skimmer(kT0 - 3 * kDay, kT0 + 4 * kDay), dump};
  AffectedSet one = ComputeAffected(people, exposures, kT0 + 20 * kDay, 1);
  AffectedSet two = ComputeAffected(people, exposures, kT0 + 20 * kDay, 2);
  ASSERT_EQ(one.people.size(), two.people.size());
  ASSERT_GT(one.people.size(), 200u);
  PersonWriter w1(people, exposures, one), w2(people, exposures, two),
      fresh(people, exposures, one);
  AffectedPerson reused;
  for (size_t i = 0; i < one.people.size(); ++i) {
    AffectedPerson a, b;
    w1.Expand(i, &a);
    w2.Expand(i, &b);
    // The reused object last held the person before (or after, going back).
    fresh.Expand(one.people.size() - 1 - i, &reused);
    fresh.Expand(i, &reused);
    for (const AffectedPerson* x : {&b, &reused}) {
      EXPECT_EQ(a.person_key, x->person_key);
      EXPECT_EQ(a.customer_id, x->customer_id);
      EXPECT_EQ(a.email, x->email);
      EXPECT_EQ(a.name, x->name);
      EXPECT_EQ(a.country, x->country);
      EXPECT_EQ(a.region, x->region);
      EXPECT_EQ(a.language, x->language);
      EXPECT_EQ(a.categories, x->categories);
      EXPECT_EQ(a.first_exposure, x->first_exposure);
      EXPECT_EQ(a.last_exposure, x->last_exposure);
      EXPECT_EQ(a.reasons, x->reasons);
      EXPECT_EQ(a.ambiguity, x->ambiguity);
    }
  }
}

TEST(ScopeCsv, EscapesFormulaAndQuotes) {
  AffectedPerson p;
  p.person_key = "email:x@example.com";
  p.email = "x@example.com";
  p.name = "=HYPERLINK(\"http://evil\")";
  p.categories = {"email", "name"};
  p.first_exposure = kT0;
  p.last_exposure = kT0 + kDay;
  AffectedPerson q = p;
  q.first_exposure = q.last_exposure = kT0 + kDay;
  AffectedPerson r = p;
  r.first_exposure.reset();
  std::string csv = AffectedCsv({p, q, r});
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://evil\"\")\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"email;name\""), std::string::npos);
  // Each row's own times, however rows repeat them.
  EXPECT_NE(csv.find("\"2025-10-09T08:53:20Z\",\"2025-10-10T08:53:20Z\""), std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\"2025-10-10T08:53:20Z\",\"2025-10-10T08:53:20Z\""), std::string::npos);
  EXPECT_NE(csv.find("\"\",\"2025-10-10T08:53:20Z\""), std::string::npos);
}

// The store database reader's tables, as storedb writes them.
Status CreateStoreTables(Db& db) {
  return db.Exec(R"sql(
CREATE TABLE storedb_customer(id INTEGER PRIMARY KEY, evidence_id INTEGER, source_table TEXT,
  customer_id INTEGER, email TEXT, name TEXT, country TEXT, region TEXT, created_at INTEGER,
  line INTEGER, byte_offset INTEGER, categories TEXT);
CREATE TABLE storedb_order(id INTEGER PRIMARY KEY, evidence_id INTEGER, source_table TEXT,
  order_id TEXT, increment_id TEXT, customer_id INTEGER, email TEXT, name TEXT, country TEXT,
  region TEXT, created_at INTEGER, payment_method TEXT, card_payment INTEGER, line INTEGER,
  byte_offset INTEGER, categories TEXT);
)sql");
}

// A case with the store reader's tables, empty.
std::unique_ptr<Case> NewStoreCase(const testing::TempDir& tmp, UnixMicros discovered) {
  CaseInfo info;
  info.name = "t";
  info.discovered_at = discovered;
  auto c = Case::Create(tmp / "c", info);
  if (!c.ok() || !CreateStoreTables((*c)->db()).ok()) return nullptr;
  return std::move(*c);
}

// The analysis' skimmer window finding.
Status AddSkimmerWindow(Db& db, UnixMicros start, UnixMicros end) {
  Finding f;
  f.kind = "analysis.skimmer_window";
  f.component = "analysis";
  f.summary = "Skimmer live";
  f.detail_json = "{\"start\":\"" + FormatUtc(start) + "\",\"end\":\"" + FormatUtc(end) + "\"}";
  f.dedupe_key = "analysis.skimmer_window";
  return UpsertFinding(db, f).status();
}

TEST(ScopeCase, WritesTablesFromTheCase) {
  testing::TempDir tmp;
  std::unique_ptr<Case> c = NewStoreCase(tmp, kT0 + 10 * kDay);
  ASSERT_TRUE(c);
  Db& db = c->db();
  auto ins = db.Prepare(
      "INSERT INTO storedb_order(evidence_id,source_table,order_id,increment_id,"
      "email,name,country,region,created_at,card_payment,line,categories) "
      "VALUES(1,'sales_order',?,?,?,?,?,?,?,?,?,?)");
  ASSERT_TRUE(ins.ok());
  struct Row {
    const char* id;
    const char* email;
    const char* country;
    const char* region;
    UnixMicros at;
    int card;
  };
  for (Row r : {Row{"1", "a@example.com", "US", "Texas", kT0 + kDay, 1},
                Row{"2", "b@example.com", "FR", "", kT0 + 2 * kDay, 1},
                Row{"3", "c@example.com", "FR", "", kT0 + 2 * kDay, 0},
                Row{"4", "jerry.x@mailinator.com", "US", "NY", kT0 + 3 * kDay, 1}}) {
    ASSERT_TRUE(ins->Reset().ok());
    ins->Bind(1, r.id).Bind(2, std::string("10000") + r.id).Bind(3, r.email).Bind(4, "N");
    ins->Bind(5, r.country).Bind(6, r.region).Bind(7, r.at).Bind(8, r.card).Bind(9, 40);
    ins->Bind(10, "[\"name\",\"email\",\"postal_address\"]");
    ASSERT_TRUE(ins->Run().ok());
  }
  ASSERT_TRUE(AddSkimmerWindow(db, kT0, kT0 + 5 * kDay).ok());
  // Order 4 is the attacker's own: its name is a template-injection payload (TrojanOrder).
  Finding payload;
  payload.kind = "storedb.injected_script";
  payload.component = "storedb";
  payload.summary = "Template directive in sales_order.customer_firstname";
  payload.detail_json =
      R"({"table":"m2_sales_order","canonical_table":"sales_order","pk":{"entity_id":4},)"
      R"("column":"customer_firstname","technique":"template_injection"})";
  payload.dedupe_key = "storedb.injected_script|4";
  ASSERT_TRUE(UpsertFinding(db, payload).ok());

  auto s = RunScope(*c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->people, 2);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM scope_person"), 2);
  EXPECT_EQ(*db.QueryInt("SELECT people FROM scope_count WHERE jurisdiction='US-TX' AND "
                         "category='payment_card'"),
            1);
  EXPECT_EQ(*db.QueryInt("SELECT people FROM scope_count WHERE jurisdiction='FR' AND "
                         "category='*'"),
            1);
  // Reasons name their exposure by its row.
  auto reasons = db.Prepare(
      "SELECT p.reasons, e.kind FROM scope_person p, scope_exposure e WHERE e.id = "
      "json_extract(p.reasons, '$[0].exposure') AND p.email = 'a@example.com'");
  ASSERT_TRUE(reasons.ok());
  ASSERT_TRUE(*reasons->Step());
  EXPECT_EQ(reasons->String(0),
            R"j([{"reason":"paid by card while the skimmer was live (order 100001)",)j"
            R"j("exposure":1,"evidence":"evidence 1:40"}])j");
  EXPECT_EQ(reasons->String(1), "skimmer");
  ASSERT_TRUE(reasons->Reset().ok());  // an open read would keep scope_person from being replaced
  std::string csv = testing::ReadFile(tmp / "c/reports/scope.csv");
  EXPECT_NE(csv.find("a@example.com"), std::string::npos);
  EXPECT_EQ(csv.find("c@example.com"), std::string::npos);
  EXPECT_EQ(csv.find("jerry.x@mailinator.com"), std::string::npos) << "the attacker's order";
  EXPECT_TRUE(std::any_of(s->notes.begin(), s->notes.end(), [](const std::string& n) {
    return n.find("order 100004 left out") != std::string::npos;
  }));
  // Re-running replaces, never duplicates.
  auto again = RunScope(*c);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM scope_person"), 2);
  // A CSV that cannot be written leaves the tables as they were (and says which file).
  ASSERT_TRUE(db.Exec("UPDATE storedb_order SET card_payment = 1").ok());
  std::filesystem::create_directory(tmp / "c/reports/scope.csv.tmp");
  auto failed = RunScope(*c);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().ToString().find("scope.csv.tmp"), std::string::npos)
      << failed.status().ToString();
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM scope_person"), 2);
  std::filesystem::remove(tmp / "c/reports/scope.csv.tmp");
  ASSERT_TRUE(RunScope(*c).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM scope_person"), 3);
}

// Enough people for several batches between the thread that spells them out and the one that
// inserts them: every one is in the table and the CSV, in key order.
TEST(ScopeCase, ManyPeopleCrossBatches) {
  testing::TempDir tmp;
  std::unique_ptr<Case> c = NewStoreCase(tmp, kT0 + 10 * kDay);
  ASSERT_TRUE(c);
  Db& db = c->db();
  const int kPeople = 5000;
  ASSERT_TRUE(c->Transaction([&](Db& d) -> Status {
                 TQ_ASSIGN_OR_RETURN(
                     Stmt ins,
                     d.Prepare("INSERT INTO storedb_order(evidence_id,source_table,order_id,"
                               "email,name,country,created_at,card_payment,line,categories) "
                               "VALUES(1,'sales_order',?,?,'N','FR',?,1,?,'[\"email\"]')"));
                 for (int i = 0; i < kPeople; ++i) {
                   TQ_RETURN_IF_ERROR(ins.Reset());
                   ins.Bind(1, std::to_string(i)).Bind(2, "p" + std::to_string(i) + "@x.org");
                   ins.Bind(3, kT0 + kDay + i).Bind(4, 10 + i);
                   TQ_RETURN_IF_ERROR(ins.Run());
                 }
                 return Status::Ok();
               }).ok());
  ASSERT_TRUE(AddSkimmerWindow(db, kT0, kT0 + 5 * kDay).ok());
  // A run killed while its rows went in left them behind: they are started again.
  ASSERT_TRUE(RunScope(*c).ok());
  ASSERT_TRUE(db.Exec("CREATE TABLE scope_person_next AS SELECT * FROM scope_person LIMIT 7; "
                      "DELETE FROM scope_person WHERE id > 10")
                  .ok());
  auto s = RunScope(*c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_master WHERE name='scope_person_next'"), 0);
  // The connection's own settings are back after the big write.
  EXPECT_EQ(*db.QueryInt("PRAGMA cache_size"), -2000);
  EXPECT_EQ(*db.QueryInt("PRAGMA wal_autocheckpoint"), 1000);
  EXPECT_EQ(s->people, kPeople);
  EXPECT_EQ(s->per_jurisdiction["FR"], kPeople);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM scope_person"), kPeople);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM scope_person a JOIN scope_person b ON "
                         "b.id = a.id + 1 WHERE b.person_key <= a.person_key"),
            0);
  std::string csv = testing::ReadFile(tmp / "c/reports/scope.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), kPeople + 1);
  EXPECT_NE(csv.find("\"email:p4999@x.org\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp / "c/reports/scope.csv.tmp"));
}

// Only the orders an exposure can take are read from the case: the result is the same as
// reading them all (a dump takes orders from before it and of unknown time; a skimmer card
// payments in its window).
TEST(ScopeCase, OrdersNoExposureCanTakeChangeNothing) {
  testing::TempDir tmp;
  std::unique_ptr<Case> c = NewStoreCase(tmp, kT0 + 30 * kDay);
  ASSERT_TRUE(c);
  Db& db = c->db();
  auto ins = db.Prepare(
      "INSERT INTO storedb_order(evidence_id,source_table,order_id,email,name,country,"
      "created_at,card_payment,line,categories) VALUES(1,'sales_order',?,?,'N','FR',?,?,7,"
      "'[\"name\",\"email\"]')");
  ASSERT_TRUE(ins.ok());
  struct Row {
    const char* email;
    std::optional<UnixMicros> at;
    int card;
  };
  int n = 0;
  for (Row r : {Row{"before-dump@x.org", kT0 - kDay, 0},            // in the dump
                Row{"unknown-time@x.org", std::nullopt, 0},         // in the dump, time unknown
                Row{"after-dump@x.org", kT0 + kDay, 0},             // nothing takes it
                Row{"skimmed@x.org", kT0 + 10 * kDay, 1},           // card, in the window
                Row{"paypal-in-window@x.org", kT0 + 10 * kDay, 0},  // not by card
                Row{"card-after@x.org", kT0 + 20 * kDay, 1}}) {     // card, after removal
    ASSERT_TRUE(ins->Reset().ok());
    ins->Bind(1, std::to_string(++n)).Bind(2, r.email).Bind(3, r.at).Bind(4, r.card);
    ASSERT_TRUE(ins->Run().ok());
  }
  ASSERT_TRUE(AddSkimmerWindow(db, kT0 + 5 * kDay, kT0 + 15 * kDay).ok());
  Finding dump;
  dump.kind = "analysis.exfiltration";
  dump.component = "analysis";
  dump.summary = "dump downloaded";
  dump.detail_json = R"({"kind":"download","request":{"path":"/media/x.sql.gz"}})";
  dump.event_time = kT0;
  dump.dedupe_key = "analysis.exfiltration|1";
  ASSERT_TRUE(UpsertFinding(db, dump).ok());
  auto s = RunScope(*c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::string> emails;
  auto q = db.Prepare("SELECT email, ambiguity FROM scope_person ORDER BY person_key");
  ASSERT_TRUE(q.ok());
  while (*q->Step()) emails.push_back(q->String(0) + "|" + q->String(1));
  EXPECT_EQ(emails, (std::vector<std::string>{
                        "before-dump@x.org|guest order, matched to the person by email only",
                        "skimmed@x.org|",
                        "unknown-time@x.org|guest order, matched to the person by email only; "
                        "order time unknown"}));
  EXPECT_TRUE(std::any_of(s->notes.begin(), s->notes.end(), [](const std::string& n) {
    return n.find("tables are unknown") != std::string::npos;
  }));
}

}  // namespace
}  // namespace tq::scope
