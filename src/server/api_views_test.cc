// The lead's views on a hand-built case: deadlines split by what became of each duty, the
// charts' data (one lane per actor, requests per day stacked), one letter with its text.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "casefile/casefile.h"
#include "server/api.h"
#include "support/testing.h"
#include "taskforce/taskforce.h"

namespace tq::server {
namespace {

class ApiViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "views";
    info.discovered_at = 1720000000000000;
    auto c = Case::Create(tmp_.path() + "/case", info);
    ASSERT_TRUE(c.ok()) << c.status().message();
    case_ = std::move(*c);
    ASSERT_TRUE(taskforce::EnsureSchema(*case_).ok());
  }
  void Exec(const std::string& sql) {
    Status s = case_->db().Exec(sql);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  simdjson::dom::element Call(ApiHandler h, std::string id = "") {
    taskforce::User u;
    u.name = "lena";
    u.role = taskforce::Role::kLead;
    ApiRequest r{*case_, u, {}, std::move(id), {}};
    JsonWriter w;
    Status s = h(r, w);
    EXPECT_TRUE(s.ok()) << s.message();
    json_ = w.Take();
    simdjson::dom::element doc;
    EXPECT_FALSE(parser_.parse(json_).get(doc)) << json_;
    return doc;
  }
  testing::TempDir tmp_;
  std::unique_ptr<Case> case_;
  simdjson::dom::parser parser_;
  std::string json_;
};

Status Deadlines(ApiRequest& r, JsonWriter& w) { return WriteDeadlines(r.the_case.db(), w); }

TEST_F(ApiViewsTest, OnlyDutiesThatApplyAndAreNotDoneAreDue) {
  Task done_task;
  done_task.title = "Tell the regulator";
  done_task.status = TaskStatus::kDone;
  done_task.due_at = 1000000;
  auto done_id = UpsertTask(case_->db(), done_task);
  ASSERT_TRUE(done_id.ok());
  Task open_task;
  open_task.title = "Tell the customers";
  open_task.due_at = 1000000;
  open_task.dedupe_key = "notify:letters";
  auto open_id = UpsertTask(case_->db(), open_task);
  ASSERT_TRUE(open_id.ok());
  Task own;
  own.title = "Rotate the keys";
  own.due_at = 4102444800000000;
  ASSERT_TRUE(UpsertTask(case_->db(), own).ok());
  Exec(
      "CREATE TABLE notify_obligation(id INTEGER PRIMARY KEY, name TEXT, jurisdiction TEXT, "
      "deadline_at INTEGER, status TEXT, task_id INTEGER)");
  // Planned long ago: overdue when planned; one's task is done since, one never applied.
  Exec(
      "INSERT INTO notify_obligation VALUES (1,'Card scheme report','US',1000000,"
      "'not_required',NULL),(2,'Regulator','FR',1000000,'overdue'," +
      std::to_string(*done_id) + "),(3,'Customers','FR',1000000,'overdue'," +
      std::to_string(*open_id) + ")");
  simdjson::dom::element doc = Call(Deadlines);
  std::map<std::string, std::string> state;
  int rows = 0;
  for (simdjson::dom::element d : doc.get_array()) {
    std::string_view title, s;
    ASSERT_FALSE(d["title"].get(title));
    ASSERT_FALSE(d["state"].get(s));
    state[std::string(title)] = std::string(s);
    ++rows;
  }
  EXPECT_EQ(rows, 4) << json_;  // the duties' tasks are not listed a second time
  EXPECT_EQ(state["Card scheme report"], "not_required");
  EXPECT_EQ(state["Regulator"], "done");
  EXPECT_EQ(state["Customers"], "overdue");
  EXPECT_EQ(state["Rotate the keys"], "due");
}

TEST_F(ApiViewsTest, ChartsHaveALanePerActorAndTrafficPerDay) {
  constexpr int64_t kDay = 86400LL * 1000000, t0 = 19920 * kDay;  // 2024-07-16
  Exec(
      "INSERT INTO attackers(id,label,confidence,first_seen,last_seen) VALUES "
      "(1,'attacker-1',0.9,0,0),(2,'attacker-2',0.9,0,0)");
  Exec(
      "CREATE TABLE analysis_timeline (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, source "
      "TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL, actor TEXT NOT NULL DEFAULT '', "
      "ip TEXT NOT NULL DEFAULT '', evidence_id INTEGER, evidence_sha256 TEXT NOT NULL DEFAULT "
      "'', evidence_path BLOB NOT NULL DEFAULT '', line INTEGER, byte_offset INTEGER, "
      "attacker_id INTEGER, finding_id INTEGER, detail TEXT NOT NULL DEFAULT '{}')");
  Exec(
      "INSERT INTO analysis_timeline(time,source,kind,message,evidence_id,line,attacker_id) "
      "VALUES (" +
      std::to_string(t0 + 10) + ",'log','request','GET /',1,1,1),(" + std::to_string(t0 + 20) +
      ",'log','request','GET /x',1,2,1),(" + std::to_string(t0 + kDay) +
      ",'log','request','GET /y',1,3,2)");
  Exec(
      "CREATE TABLE logs_file (evidence_id INTEGER PRIMARY KEY, first_time INTEGER, last_time "
      "INTEGER, lines INTEGER, parsed INTEGER)");
  Exec("INSERT INTO logs_file VALUES (1," + std::to_string(t0) + "," +
       std::to_string(t0 + kDay - 1) + ",1000,1000),(2," + std::to_string(t0 + kDay) + "," +
       std::to_string(t0 + 2 * kDay - 1) + ",500,500)");
  Exec(
      "CREATE TABLE logs_rule_hit (id INTEGER PRIMARY KEY, evidence_id INTEGER, line INTEGER, "
      "time INTEGER)");
  Exec("INSERT INTO logs_rule_hit(evidence_id,line,time) VALUES (1,1," + std::to_string(t0 + 10) +
       "),(1,7," + std::to_string(t0 + 30) + "),(1,7," + std::to_string(t0 + 30) + ")");
  simdjson::dom::element doc = Call(GetCharts);
  simdjson::dom::array lanes, traffic;
  ASSERT_FALSE(doc["lanes"].get(lanes)) << json_;
  EXPECT_EQ(lanes.size(), 2u);
  ASSERT_FALSE(doc["traffic"].get(traffic));
  ASSERT_EQ(traffic.size(), 2u) << json_;
  int64_t attack = 0, probes = 0, normal = 0;
  ASSERT_FALSE(traffic.at(0)["attack"].get(attack));
  ASSERT_FALSE(traffic.at(0)["probes"].get(probes));
  ASSERT_FALSE(traffic.at(0)["normal"].get(normal));
  // Day one: 1,000 requests; two are the attackers'; two lines had rule hits (three hits), one
  // of them an attacker's request: one probe; the rest is the store's own traffic.
  EXPECT_EQ(attack, 2);
  EXPECT_EQ(probes, 1);
  EXPECT_EQ(normal, 997);
  std::string_view day;
  ASSERT_FALSE(traffic.at(0)["day"].get(day));
  EXPECT_EQ(day, "2024-07-16");
  ASSERT_FALSE(traffic.at(1)["day"].get(day));
  EXPECT_EQ(day, "2024-07-17");
}

TEST_F(ApiViewsTest, OneLetterWithItsText) {
  Exec(
      "CREATE TABLE notify_outbox(id INTEGER PRIMARY KEY, kind TEXT, recipient TEXT, "
      "recipient_name TEXT, language TEXT, subject TEXT, body TEXT, state TEXT, sender TEXT, "
      "attempts INTEGER, last_reply TEXT, created_at INTEGER, sent_at INTEGER)");
  Exec(
      "INSERT INTO notify_outbox VALUES (7,'letter','a@x.test','<b>A</b>','de','Hinweis',"
      "'Sehr geehrte Frau A,\n\nZeile zwei.','queued','dpo@x.test',0,'',1,NULL)");
  simdjson::dom::element doc = Call(GetLetter, "7");
  std::string_view body, name;
  ASSERT_FALSE(doc["body"].get(body));
  EXPECT_EQ(body, "Sehr geehrte Frau A,\n\nZeile zwei.");
  ASSERT_FALSE(doc["recipient_name"].get(name));
  EXPECT_EQ(name, "<b>A</b>");  // raw: the page puts it in as text
  doc = Call(GetLetters);
  simdjson::dom::array rows;
  ASSERT_FALSE(doc["rows"].get(rows));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows.at(0)["body"].error());  // the list stays small: no letter text in it
}

}  // namespace
}  // namespace tq::server
