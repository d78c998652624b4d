// The breach window and the answered attacks (breach_window.h), as the database stage gets
// them from the stages before it: successful high-severity hits and high web-root findings
// open the window, a scanner's failed probes do not; answered attacks stay inside the
// window, in time order.
#include "analysis/breach_window.h"

#include <gtest/gtest.h>

#include "casefile/casefile.h"
#include "support/testing.h"

namespace tq::analysis {
namespace {

struct WindowCase {
  tq::testing::TempDir tmp;
  std::unique_ptr<Case> c;
  WindowCase() {
    CaseInfo info;
    info.name = "w";
    auto r = Case::Create(tmp.path() + "/case", info);
    EXPECT_TRUE(r.ok()) << r.status().message();
    c = std::move(*r);
  }
  void Finding(const char* component, Severity sev, UnixMicros t, const std::string& key) {
    tq::Finding f;
    f.kind = "test";
    f.component = component;
    f.severity = sev;
    f.summary = "s";
    f.detail_json = "{}";
    f.event_time = t;
    f.dedupe_key = key;
    ASSERT_TRUE(UpsertFinding(c->db(), f).ok());
  }
};

TEST(BreachWindow, NothingFoundNoWindowAndNoAttacks) {
  WindowCase w;
  EXPECT_FALSE(BreachWindowFromCase(w.c->db()).has_value());
  Result<std::vector<AnsweredAttack>> a = AnsweredAttacks(w.c->db(), std::nullopt);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());  // no logs stage: no table, no attacks
}

TEST(BreachWindow, AnsweredHighHitsAndWebrootFindingsOpenTheWindow) {
  WindowCase w;
  Db& db = w.c->db();
  ASSERT_TRUE(db.Exec("CREATE TABLE logs_rule_hit (time INTEGER, c_ip TEXT, method TEXT, uri TEXT,"
                      " rule_title TEXT, level TEXT, status TEXT)")
                  .ok());
  // A failed probe long before (404), a low hit, then two answered attacks.
  ASSERT_TRUE(db.Exec("INSERT INTO logs_rule_hit VALUES "
                      "(100, '192.0.2.9', 'GET', '/.env', 'probe', 'high', '404'),"
                      "(150, '192.0.2.9', 'GET', '/x', 'low one', 'low', '200'),"
                      "(300, '192.0.2.1', 'POST', '/rest/V1/x', 'entry', 'critical', '200'),"
                      "(200, '192.0.2.1', 'GET', '/admin', 'login', 'high', '302')")
                  .ok());
  w.Finding("webroot", Severity::kHigh, 500, "shell");
  w.Finding("webroot", Severity::kLow, 900, "noise");
  w.Finding("analysis", Severity::kCritical, 50, "later stage");  // not this run's stages
  std::optional<BreachWindow> win = BreachWindowFromCase(db);
  ASSERT_TRUE(win.has_value());
  EXPECT_EQ(win->start, 200);
  EXPECT_EQ(win->end, 500);
  Result<std::vector<AnsweredAttack>> a = AnsweredAttacks(db, win);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].time, 200);
  EXPECT_EQ((*a)[0].request, "GET /admin");
  EXPECT_EQ((*a)[1].client, "192.0.2.1");
  EXPECT_EQ((*a)[1].rule, "entry");
  // A narrower window keeps only the attacks inside it.
  EXPECT_EQ(AnsweredAttacks(db, BreachWindow{250, 400})->size(), 1u);
}

TEST(BreachWindow, WithoutRuleHitsTheHighFindingsOfLogsAndWebrootSpanIt) {
  WindowCase w;
  w.Finding("logs", Severity::kHigh, 1000, "a");
  w.Finding("webroot", Severity::kCritical, 3000, "b");
  w.Finding("storedb", Severity::kCritical, 9000, "c");
  std::optional<BreachWindow> win = BreachWindowFromCase(w.c->db());
  ASSERT_TRUE(win.has_value());
  EXPECT_EQ(win->start, 1000);
  EXPECT_EQ(win->end, 3000);
}

TEST(BreachWindow, LogsWindowIsTheLogsStagesHighFindingsOnly) {
  WindowCase w;
  EXPECT_FALSE(LogsWindow(w.c->db()).has_value());
  w.Finding("logs", Severity::kLow, 100, "low");
  w.Finding("webroot", Severity::kCritical, 50, "earlier stage run");
  EXPECT_FALSE(LogsWindow(w.c->db()).has_value());
  w.Finding("logs", Severity::kHigh, 2000, "a");
  w.Finding("logs", Severity::kCritical, 1000, "b");
  w.Finding("storedb", Severity::kCritical, 9000, "later stage");
  std::optional<BreachWindow> win = LogsWindow(w.c->db());
  ASSERT_TRUE(win.has_value());
  EXPECT_EQ(win->start, 1000);
  EXPECT_EQ(win->end, 2000);
}

}  // namespace
}  // namespace tq::analysis
