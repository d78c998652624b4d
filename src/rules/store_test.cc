// The log scan into the case: each hit's finding is rated by what the server answered
// (casefile/triage.h): a refused or failed probe keeps its finding, low and noise, and its
// detail keeps the rule's level and the outcome; one that went through keeps the rule's level.
#include <gtest/gtest.h>

#include "casefile/casefile.h"
#include "rules/rules.h"
#include "support/testing.h"

namespace tq::rules {
namespace {

LogHit MakeHit(uint64_t line, const char* status, const char* bytes) {
  LogHit h;
  h.rule = 0;
  h.input = 0;
  h.line_no = line;
  h.offset = line * 100;
  auto set = [&h](logs::Field f, const char* v) { h.fields[static_cast<size_t>(f)] = v; };
  set(logs::Field::kClientIp, "198.51.100.7");
  set(logs::Field::kMethod, "GET");
  set(logs::Field::kUri, "/.env");
  set(logs::Field::kStatus, status);
  set(logs::Field::kBytesSent, bytes);
  return h;
}

// A case with one collected log (access.log) and a pack of one rule.
// A rule matching requests for /.env, at `level`, its id ending in `id_end`.
std::string EnvRule(const std::string& level, const std::string& id_end) {
  return "title: Environment file requested\nid: 0f0e0d0c-0000-4000-8001-00000000" + id_end +
         "\nstatus: test\nlevel: " + level +
         "\nlogsource:\n  category: webserver\ndetection:\n"
         "  sel:\n    cs-uri-query|contains: '/.env'\n  condition: sel\n";
}

struct OneLogCase {
  void Open(const std::string& name, const std::string& rule_file, const std::string& rule) {
    Result<RuleSetPtr> rs = LoadRulesFromText({{rule_file, rule}});
    ASSERT_TRUE(rs.ok()) << rs.status().ToString();
    rules = std::move(*rs);
    CaseInfo info;
    info.name = name;
    auto made = Case::Create(tmp / "case", info);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    c = std::move(*made);
    auto item = c->db().Prepare(
        "INSERT INTO evidence_items(sha256,label,original_path,kind,collected_at) "
        "VALUES('aa','logs','access.log','file',1)");
    ASSERT_TRUE(item.ok() && item->Run().ok());
    inputs = {{"access.log", "access.log", c->db().LastInsertRowid(), "aa"}};
  }
  testing::TempDir tmp;
  RuleSetPtr rules;
  std::unique_ptr<Case> c;
  std::vector<LogInput> inputs;
};

TEST(StoreLogScan, RatesEachHitByTheServersAnswer) {
  OneLogCase k;
  ASSERT_NO_FATAL_FAILURE(k.Open("store", "env.yml", EnvRule("critical", "e0e0")));
  LogScanResult r;
  r.stats.resize(1);
  r.order = {0};
  r.hits = {MakeHit(1, "404", "150"), MakeHit(2, "200", "812"), MakeHit(3, "503", "0"),
            MakeHit(4, "", "")};
  r.rule_hits = {4};
  Result<StoreSummary> sum = StoreLogScan(*k.c, k.inputs, *k.rules, r);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->findings, 4);
  auto st = k.c->db().Prepare(
      "SELECT line, severity, triage, json_extract(detail,'$.level'), "
      "json_extract(detail,'$.outcome') FROM findings ORDER BY line");
  ASSERT_TRUE(st.ok());
  std::vector<std::string> got;
  while (*st->Step())
    got.push_back(std::to_string(st->Int(0)) + " " + st->String(1) + " " + st->String(2) + " " +
                  st->String(3) + " " + st->String(4));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "1 low noise critical refused", "2 critical actionable critical worked",
                     "3 low noise critical error", "4 critical actionable critical unknown"}));
}

// A hit's row keeps each field once: those with a column in their column, the others in
// fields_json; the finding's detail has every field.
TEST(StoreLogScan, EachFieldOnceInTheHitsRowAllInTheFinding) {
  OneLogCase k;
  ASSERT_NO_FATAL_FAILURE(k.Open("fields", "env.yml", EnvRule("high", "e0e2")));
  LogScanResult r;
  r.stats.resize(1);
  r.order = {0};
  LogHit h = MakeHit(7, "200", "90");
  h.fields[static_cast<size_t>(logs::Field::kUserAgent)] = "curl/8.\"1\"";
  h.fields[static_cast<size_t>(logs::Field::kVersion)] = "HTTP/1.1";
  r.hits = {h};
  r.rule_hits = {1};
  ASSERT_TRUE(StoreLogScan(*k.c, k.inputs, *k.rules, r).ok());
  auto row = k.c->db().Prepare("SELECT user_agent, fields_json FROM logs_rule_hit");
  ASSERT_TRUE(row.ok() && *row->Step());
  EXPECT_EQ(row->String(0), "curl/8.\"1\"");
  EXPECT_EQ(row->String(1), "{\"cs-version\":\"HTTP/1.1\"}");
  auto fd = k.c->db().Prepare(
      "SELECT json_extract(detail,'$.fields.\"cs-user-agent\"'), "
      "json_extract(detail,'$.fields.\"c-ip\"'), json_extract(detail,'$.fields.\"cs-version\"') "
      "FROM findings");
  ASSERT_TRUE(fd.ok() && *fd->Step());
  EXPECT_EQ(fd->String(0), "curl/8.\"1\"");
  EXPECT_EQ(fd->String(1), "198.51.100.7");
  EXPECT_EQ(fd->String(2), "HTTP/1.1");
}

// Past the findings cap, a burst of one client cannot crowd out another client's request of
// the same rule at the same severity: each (rule, client) pair's first hits are kept first.
TEST(StoreLogScan, TheCapKeepsEveryClientsFirstHitsBeforeAnyBurst) {
  OneLogCase k;
  ASSERT_NO_FATAL_FAILURE(
      k.Open("cap", "login.yml",
             "title: Login form post\nid: 0f0e0d0c-0000-4000-8001-00000000e0e1\n"
             "status: test\nlevel: low\nlogsource:\n  category: webserver\ndetection:\n"
             "  sel:\n    cs-uri-stem: '/wp-login.php'\n  condition: sel\n"));
  LogScanResult r;
  r.stats.resize(1);
  r.order = {0};
  for (uint64_t line = 1; line <= 50; ++line) {  // one bot's burst, then the intruder's login
    LogHit h = MakeHit(line, "200", "4000");
    h.fields[static_cast<size_t>(logs::Field::kUri)] = "/wp-login.php";
    r.hits.push_back(h);
  }
  LogHit login = MakeHit(51, "302", "0");
  login.fields[static_cast<size_t>(logs::Field::kClientIp)] = "203.0.113.9";
  login.fields[static_cast<size_t>(logs::Field::kUri)] = "/wp-login.php";
  r.hits.push_back(login);
  r.rule_hits = {51};
  Result<StoreSummary> sum = StoreLogScan(*k.c, k.inputs, *k.rules, r, 10);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->findings, 10);
  EXPECT_EQ(sum->findings_capped, 41);
  EXPECT_EQ(*k.c->db().QueryInt("SELECT count(*) FROM findings WHERE line=51"), 1);
  EXPECT_EQ(*k.c->db().QueryInt("SELECT count(*) FROM findings WHERE line=1"), 1);
}

// Storing keeps SQLite's statement journals in memory (in a temporary file they were most of
// the time of storing findings) and leaves the connection's temp_store as it found it; a
// second store of the same scan replaces the rows, it does not add to them.
TEST(StoreLogScan, StatementJournalsInMemoryThenTheSettingIsPutBack) {
  OneLogCase k;
  ASSERT_NO_FATAL_FAILURE(k.Open("journal", "env.yml", EnvRule("high", "e0e3")));
  LogScanResult r;
  r.stats.resize(1);
  r.order = {0};
  for (uint64_t line = 1; line <= 300; ++line) r.hits.push_back(MakeHit(line, "200", "90"));
  r.rule_hits = {300};
  for (int64_t setting : {1, 2}) {  // FILE, then MEMORY
    ASSERT_TRUE(k.c->db().Exec("PRAGMA temp_store=" + std::to_string(setting)).ok());
    for (int run = 0; run < 2; ++run) {
      Result<StoreSummary> sum = StoreLogScan(*k.c, k.inputs, *k.rules, r);
      ASSERT_TRUE(sum.ok()) << sum.status().ToString();
      EXPECT_EQ(sum->findings, 300);
      EXPECT_EQ(*k.c->db().QueryInt("PRAGMA temp_store"), setting);
      EXPECT_EQ(*k.c->db().QueryInt("SELECT count(*) FROM logs_rule_hit"), 300);
      EXPECT_EQ(*k.c->db().QueryInt("SELECT count(*) FROM findings"), 300);
    }
  }
  auto check = k.c->db().Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok() && *check->Step());
  EXPECT_EQ(check->String(0), "ok");
}

// Many more rows than the writer is handed at a time (the rows' text is made on a second
// thread, a few batches ahead): every hit, client and finding lands once, in order, each row
// with its own text.
LogScanResult ManyRows(size_t hits, size_t clients) {
  LogScanResult r;
  r.stats.resize(1);
  r.order = {0};
  for (uint64_t line = 1; line <= hits; ++line) {
    LogHit h = MakeHit(line, "200", "90");
    h.fields[static_cast<size_t>(logs::Field::kVersion)] = "HTTP/" + std::to_string(line);
    r.hits.push_back(h);
  }
  r.rule_hits = {hits};
  for (size_t k = 0; k < clients; ++k) {
    ClientStats c;
    c.ip = "10.0." + std::to_string(k / 256) + "." + std::to_string(k % 256);
    c.requests = k + 1;
    c.statuses = {{200, k + 1}};
    c.user_agents = {"agent " + std::to_string(k)};
    c.paths = {"/p" + std::to_string(k), "/q"};
    r.clients.push_back(c);
  }
  return r;
}

TEST(StoreLogScan, EveryRowOnceInOrderPastWhatIsHandedOverAtOnce) {
  OneLogCase k;
  ASSERT_NO_FATAL_FAILURE(k.Open("many", "env.yml", EnvRule("high", "e0e4")));
  LogScanResult r = ManyRows(5000, 3000);
  Result<StoreSummary> sum = StoreLogScan(*k.c, k.inputs, *k.rules, r, 4000);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->findings, 4000);
  EXPECT_EQ(sum->findings_capped, 1000);
  // The clients' lists are released once their rows are made; their counts are kept.
  EXPECT_TRUE(r.clients[5].paths.empty() && r.clients[5].user_agents.empty());
  EXPECT_EQ(r.clients[5].requests, 6u);
  Db& db = k.c->db();
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM logs_rule_hit"), 5000);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM logs_rule_hit WHERE fields_json = "
                         "'{\"cs-version\":\"HTTP/' || line || '\"}' AND id = line"),
            5000);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM logs_client"), 3000);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM logs_client WHERE paths_json = "
                         "'[\"/p' || (requests - 1) || '\",\"/q\"]' AND user_agents_json = "
                         "'[\"agent ' || (requests - 1) || '\"]' AND statuses_json = "
                         "'{\"200\":' || requests || '}' AND rowid = requests"),
            3000);
  // One client's burst at one severity: the findings are the first 4,000 lines, in order.
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM findings WHERE id = line AND "
                         "json_extract(detail, '$.fields.\"cs-version\"') = 'HTTP/' || line"),
            4000);
}

// A write that fails part way (here a trigger refuses one client) ends the store with the
// error, leaves the case as it was, and stops the thread making the rows (no hang, no leak).
TEST(StoreLogScan, AFailedWriteLeavesTheCaseAsItWas) {
  OneLogCase k;
  ASSERT_NO_FATAL_FAILURE(k.Open("refused", "env.yml", EnvRule("high", "e0e5")));
  LogScanResult r = ManyRows(3000, 3000);
  ASSERT_TRUE(StoreLogScan(*k.c, k.inputs, *k.rules, r).ok());
  Db& db = k.c->db();
  ASSERT_TRUE(db.Exec("CREATE TRIGGER refuse BEFORE INSERT ON logs_client "
                      "WHEN NEW.ip = '10.0.1.44' BEGIN SELECT RAISE(ABORT, 'refused'); END")
                  .ok());
  for (LogHit& h : r.hits) h.fields[static_cast<size_t>(logs::Field::kStatus)] = "404";
  Result<StoreSummary> sum = StoreLogScan(*k.c, k.inputs, *k.rules, r);
  ASSERT_FALSE(sum.ok());
  EXPECT_NE(sum.status().ToString().find("refused"), std::string::npos) << sum.status().ToString();
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM logs_client"), 3000);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM logs_rule_hit WHERE status = '200'"), 3000);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM findings WHERE severity = 'high'"), 3000);
}

}  // namespace
}  // namespace tq::rules
