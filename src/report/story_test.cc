// The story from hand-built case rows: phases in order, one step per event, campaigns
// collapsed, falsified file times moved, hostile and broken rows kept readable. The drills'
// truth is checked end to end by tests/e2e/story_truth.sh.
#include "report/story.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "casefile/casefile.h"
#include "support/testing.h"

namespace tq::report {
namespace {

constexpr int64_t kT0 = 1720832441000000;  // 2024-07-13T01:00:41Z
constexpr int64_t kMin = 60 * 1000000LL;

// analysis_timeline as analysis.h specifies it (the analysis component writes it).
constexpr const char* kTimeline = R"sql(
CREATE TABLE analysis_timeline (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,
  source TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL, actor TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '', evidence_id INTEGER, evidence_sha256 TEXT NOT NULL DEFAULT '',
  evidence_path BLOB NOT NULL DEFAULT '', line INTEGER, byte_offset INTEGER, attacker_id INTEGER,
  finding_id INTEGER, detail TEXT NOT NULL DEFAULT '{}');
)sql";

class StoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "story";
    info.timezone = "Europe/Berlin";
    info.discovered_at = kT0 + 3 * 86400 * 1000000LL;
    auto c = Case::Create(tmp_.path() + "/case", info);
    ASSERT_TRUE(c.ok()) << c.status().message();
    case_ = std::move(*c);
    Exec(kTimeline);
  }
  void Exec(const std::string& sql) {
    Status s = case_->db().Exec(sql);
    ASSERT_TRUE(s.ok()) << s.message() << "\n" << sql;
  }
  // A request row of an attacker.
  void Request(int64_t id, int64_t t, int64_t attacker, const std::string& ip, int64_t line,
               const std::string& method, const std::string& path, int status,
               const std::string& rule = "", const std::string& tags = "") {
    std::string rules =
        rule.empty() ? "[]" : R"([{"id":"r","title":")" + rule + R"(","tags":)" + tags + "}]";
    Exec(
        "INSERT INTO analysis_timeline(id,time,source,kind,message,ip,evidence_id,"
        "evidence_path,line,attacker_id,detail) VALUES (" +
        std::to_string(id) + "," + std::to_string(t) + ",'log','" +
        (rule.empty() ? "request" : "request.rule_hit") + "','" + method + " " + path + "','" + ip +
        "',8,'access.log.6.gz'," + std::to_string(line) + "," + std::to_string(attacker) +
        ",json_object('method','" + method + "','path','" + path + "','query','','status'," +
        std::to_string(status) + ",'bytes',100,'rules',json('" + rules + "')))");
  }
  void Attacker(int64_t id, const std::string& label, const std::string& kind,
                const std::string& achieved) {
    Exec("INSERT INTO attackers(id,label,confidence,first_seen,last_seen) VALUES (" +
         std::to_string(id) + ",'" + label + "',0.9," + std::to_string(kT0 - 60 * kMin) + "," +
         std::to_string(kT0 + 2 * 86400 * 1000000LL) + ")");
    Exec("INSERT INTO attacker_addresses VALUES (" + std::to_string(id) + ",'203.0.113." +
         std::to_string(id) + "')");
    Exec(
        "INSERT INTO findings(kind,component,severity,confidence,summary,detail,dedupe_key,"
        "created_at,updated_at,triage) VALUES ('analysis.attacker','analysis','high',0.9,'"
        "a',json_object('attacker_id'," +
        std::to_string(id) + ",'label','" + label + "','kind','" + kind + "','role','intruder'," +
        "'achieved',json('" + achieved + "')),'attacker-" + std::to_string(id) + "',0,0," +
        "'actionable')");
  }
  int64_t Finding(const std::string& kind, const std::string& severity,
                  const std::string& detail = "{}") {
    Exec(
        "INSERT INTO findings(kind,component,severity,confidence,summary,detail,dedupe_key,"
        "created_at,updated_at,triage) VALUES ('" +
        kind + "','x','" + severity + "',0.9,'s','" + detail + "','" + kind + std::to_string(++n_) +
        "',0,0,'" + (severity == "high" || severity == "critical" ? "actionable" : "context") +
        "')");
    return case_->db().LastInsertRowid();
  }
  Story Build() {
    auto s = BuildStory(case_->db());
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : Story{};
  }
  testing::TempDir tmp_;
  std::unique_ptr<Case> case_;
  int n_ = 0;
};

std::vector<std::string> Phases(const Story& s) {
  std::vector<std::string> out;
  for (const StoryStep& x : s.steps) out.emplace_back(StoryPhaseName(x.phase));
  return out;
}

TEST_F(StoryTest, CaseWithoutInvestigationHasNoSteps) {
  Story s = Build();
  EXPECT_TRUE(s.steps.empty());
  EXPECT_EQ(s.timezone, "Europe/Berlin");
  EXPECT_EQ(s.counts.affected_people, -1);
}

TEST_F(StoryTest, TellsEntryFootholdPersistenceTheftImpactInOrder) {
  Attacker(1, "attacker-1", "actor", R"(["foothold"])");
  Attacker(2, "attacker-2", "actor", R"(["exfiltration"])");
  const std::string initial = R"(["attack.initial-access","attack.t1190"])";
  Request(1, kT0 - 30 * kMin, 1, "203.0.113.1", 582, "GET", "/magento_version", 200,
          "Version Fingerprinting", R"(["attack.reconnaissance"])");
  int64_t entry = Finding("analysis.entry_vector", "critical");
  Exec(
      "INSERT INTO analysis_timeline(id,time,source,kind,message,ip,evidence_id,evidence_path,"
      "line,attacker_id,finding_id,detail) VALUES (2," +
      std::to_string(kT0) + ",'analysis','analysis.entry_vector','Entry','203.0.113.1',8," +
      "'access.log.6.gz',741,1," + std::to_string(entry) +
      ",json_object('technique','XXE in the REST API','cve','CVE-2024-34102'))");
  Request(3, kT0, 1, "203.0.113.1", 741, "POST", "/rest/V1/guest-carts/x/estimate", 400,
          "XXE Candidate", initial);
  // After the entry, a request no rule names: the attacker at work inside (a foothold).
  Request(4, kT0 + 3 * kMin, 1, "203.0.113.1", 749, "GET", "/rest/V1/cmsBlock/search", 200);
  // What the browser loads with a page is no step (but counts as the actor's request).
  Request(9, kT0 + 3 * kMin + 1, 1, "203.0.113.1", 750, "GET", "/static/js/require.js", 200);
  // Another actor browses just before the cron entry appears: the entry goes to the
  // better-ranked actor active shortly before, not to the last one seen.
  Request(10, kT0 + 9 * kMin, 2, "203.0.113.2", 800, "GET", "/product/x/", 200);
  int64_t cron = Finding("host.cron", "critical");
  Exec(
      "INSERT INTO analysis_timeline(id,time,source,kind,message,evidence_id,evidence_path,"
      "line,finding_id) VALUES (5," +
      std::to_string(kT0 + 10 * kMin) + ",'finding','host.cron','Cron entry fetches code',3," +
      "'var/spool/cron/crontabs/www-data',3," + std::to_string(cron) + ")");
  // The deploy user's own backup: context, not the attacker's.
  int64_t history = Finding("host.shell_history", "medium");
  Exec("INSERT INTO analysis_timeline(id,time,source,kind,message,finding_id) VALUES (6," +
       std::to_string(kT0 + 11 * kMin) + ",'finding','host.shell_history','backup'," +
       std::to_string(history) + ")");
  int64_t download = Finding("analysis.exfiltration", "critical");
  Exec(
      "INSERT INTO analysis_timeline(id,time,source,kind,message,evidence_id,evidence_path,"
      "line,finding_id,detail) VALUES (7," +
      std::to_string(kT0 + 60 * kMin) + ",'analysis','analysis.exfiltration','Download',8," +
      "'access.log.6.gz',900," + std::to_string(download) +
      ",json_object('kind','download','bytes',806574,'request',json_object('method','GET',"
      "'path','/media/tmp/d.sql.gz','status',200)))");
  Request(8, kT0 + 60 * kMin, 2, "203.0.113.2", 900, "GET", "/media/tmp/d.sql.gz", 200,
          "SQL Dump Requested", R"(["attack.exfiltration"])");
  Exec("CREATE TABLE scope_person (id INTEGER PRIMARY KEY, email TEXT)");
  Exec("INSERT INTO scope_person(email) VALUES ('a@x'),('b@x')");
  Exec("CREATE TABLE scope_count (jurisdiction TEXT, category TEXT, people INTEGER)");
  Exec("INSERT INTO scope_count VALUES ('DE','email',2),('US-CA','email',1)");

  Story s = Build();
  EXPECT_EQ(Phases(s), (std::vector<std::string>{"entry", "entry", "foothold", "foothold",
                                                 "persistence", "theft", "impact"}));
  ASSERT_EQ(s.steps.size(), 7u);
  EXPECT_EQ(s.steps[3].actor, "attacker-2");
  s.steps.erase(s.steps.begin() + 3);  // the indices below as before the bystander
  // The entry vector and its request line are one step, with the finding and the line.
  EXPECT_EQ(s.steps[1].evidence_line, 741);
  EXPECT_EQ(s.steps[1].finding_id, entry);
  EXPECT_EQ(s.steps[1].actor, "attacker-1");
  EXPECT_NE(s.steps[1].sentence.find("XXE in the REST API"), std::string::npos);
  EXPECT_NE(s.steps[1].sentence.find("CVE-2024-34102"), std::string::npos);
  EXPECT_EQ(s.steps[2].evidence_line, 749);
  EXPECT_EQ(s.steps[2].sentence,
            "attacker-1 sent GET /rest/V1/cmsBlock/search → 200 (100 bytes) from 203.0.113.1.");
  // The cron entry has no actor of its own: the one active before it, marked as inferred.
  EXPECT_EQ(s.steps[3].actor, "attacker-1");
  EXPECT_TRUE(s.steps[3].actor_by_time);
  EXPECT_EQ(s.steps[3].finding_id, cron);
  // The download and its request line: one step, the download's reading, the request's actor.
  EXPECT_EQ(s.steps[4].finding_id, download);
  EXPECT_EQ(s.steps[4].actor, "attacker-2");
  EXPECT_NE(s.steps[4].sentence.find("806574 bytes left the store"), std::string::npos);
  EXPECT_EQ(s.steps[5].time_us, *s.counts.discovered_at);
  EXPECT_NE(s.steps[5].sentence.find("2 people affected in 2 jurisdictions (email)"),
            std::string::npos)
      << s.steps[5].sentence;
  EXPECT_EQ(s.counts.attackers, 2);
  EXPECT_EQ(s.counts.attack_requests, 6);
  // For the report: one row per step, the evidence as item:line and the finding.
  std::vector<Block> blocks = StoryBlocks(s);
  ASSERT_EQ(blocks.size(), 3u);
  ASSERT_EQ(blocks[1].rows.size(), 6u);  // (without the bystander's step, erased above)
  EXPECT_EQ(blocks[1].rows[1][4], "access.log.6.gz:741, finding #" + std::to_string(entry));
  EXPECT_EQ(blocks[1].rows[3][2], "attacker-1 (by time)");
  EXPECT_NE(RenderHtml(Document{"r", blocks, {}, {}}).find("XXE in the REST API"),
            std::string::npos);
  EXPECT_EQ(s.counts.bytes_downloaded, 806574);
  EXPECT_EQ(s.counts.affected_people, 2);
}

TEST_F(StoryTest, CampaignRequestsOfOneShapeAreOneStep) {
  Attacker(3, "attacker-3", "campaign", "[]");
  Attacker(1, "attacker-1", "actor", R"(["foothold"])");
  const std::string tags = R"(["attack.credential-access"])";
  for (int i = 0; i < 50; ++i)
    Request(10 + i, kT0 + i * kMin, 3, "198.51.100." + std::to_string(i % 7), 300 + i, "POST",
            i % 2 ? "/xmlrpc.php" : "/wp-login.php", 200, "Login Attempt", tags);
  // The campaign's first request is the entry: the entry vector's row and the request's line
  // are one step, and the campaign's repeats of that request fold into it.
  int64_t entry = Finding("analysis.entry_vector", "critical");
  Exec(
      "INSERT INTO analysis_timeline(id,time,source,kind,message,ip,evidence_id,evidence_path,"
      "line,attacker_id,finding_id,detail) VALUES (5," +
      std::to_string(kT0) + ",'analysis','analysis.entry_vector','Entry','198.51.100.0',8," +
      "'access.log.6.gz',300,3," + std::to_string(entry) +
      ",json_object('technique','login form posts (credential stuffing)'))");
  // The successful login is another actor's and another outcome: a step of its own.
  Request(100, kT0 + 60 * kMin, 1, "203.0.113.1", 2935, "POST", "/wp-login.php", 302,
          "Login Attempt", tags);
  Story s = Build();
  ASSERT_EQ(s.steps.size(), 3u);
  EXPECT_EQ(s.steps[0].count, 25);
  EXPECT_EQ(s.steps[0].evidence_line, 300);
  EXPECT_EQ(s.steps[0].finding_id, entry);
  EXPECT_EQ(s.steps[0].phase, StoryPhase::kEntry);
  EXPECT_EQ(s.steps[1].phase, StoryPhase::kEntry);  // the campaign's technique, before any foothold
  EXPECT_EQ(s.steps[0].addresses, 7);
  EXPECT_EQ(s.steps[1].count, 25);
  EXPECT_EQ(s.steps[1].evidence_line, 301);
  EXPECT_NE(s.steps[0].sentence.find("25 times from 7 addresses"), std::string::npos);
  EXPECT_EQ(s.steps[2].evidence_line, 2935);
  EXPECT_EQ(s.steps[2].actor, "attacker-1");
}

TEST_F(StoryTest, FileDatedBeforeTheAttackMovesToItsFirstRequest) {
  Attacker(1, "attacker-1", "actor", R"(["foothold"])");
  int64_t yara = Finding("webroot.yara", "critical");
  int64_t misplaced = Finding("webroot.misplaced_php", "high");
  for (int64_t f : {yara, misplaced})
    Exec(
        "INSERT INTO analysis_timeline(time,source,kind,message,evidence_path,line,finding_id) "
        "VALUES (1604887200000000,'file','webroot.yara','webshell rule matched "
        "pub/media/.tmb/shell.php','pub/media/.tmb/shell.php'," +
        std::string(f == yara ? "1" : "NULL") + "," + std::to_string(f) + ")");
  Request(50, kT0 + 5 * kMin, 1, "203.0.113.1", 1047, "GET", "/media/.tmb/shell.php", 200,
          "PHP Under Media", R"(["attack.persistence","attack.t1505.003"])");
  Story s = Build();
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_TRUE(s.steps[0].time_doubtful);
  EXPECT_EQ(s.steps[0].time_us, kT0 + 5 * kMin);
  EXPECT_EQ(s.steps[0].finding_id, yara);
  EXPECT_EQ(s.steps[0].phase, StoryPhase::kPersistence);
  EXPECT_NE(s.steps[0].sentence.find("1 more finding on this file"), std::string::npos);
  EXPECT_NE(s.steps[0].sentence.find("2020-11-09T02:00:00Z"), std::string::npos);
}

TEST_F(StoryTest, PlatformErrorsOnlyNearTheAttack) {
  Attacker(1, "attacker-1", "actor", "[]");
  Request(1, kT0, 1, "203.0.113.1", 741, "POST", "/rest/x", 400);
  for (auto [id, t] : {std::pair{2, kT0 + 1000000}, {3, kT0 + 600 * kMin}})
    Exec(
        "INSERT INTO analysis_timeline(id,time,source,kind,message,evidence_path,line,detail) "
        "VALUES (" +
        std::to_string(id) + "," + std::to_string(t) +
        ",'platform','platform.critical','main.CRITICAL: loadXML','var/log/exception.log'," +
        std::to_string(id + 9) + ",'{\"selected\":\"error in the attack window\"}')");
  Story s = Build();
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[1].evidence_line, 11);
  EXPECT_EQ(s.steps[1].evidence_path, "var/log/exception.log");
}

TEST_F(StoryTest, HostileAndBrokenRowsStayReadable) {
  Attacker(1, "<img src=x onerror=alert(1)>", "actor", "[]");
  // Markup, an escape sequence, invalid UTF-8 and a detail that is not JSON.
  Exec(
      "INSERT INTO analysis_timeline(time,source,kind,message,ip,evidence_id,evidence_path,line,"
      "attacker_id,detail) VALUES (" +
      std::to_string(kT0) +
      ",'log','request',CAST(X'3C7363726970743E1B5B324AFF' AS TEXT),'203.0.113.1',8,'a.log',1,"
      "1,'{not json')");
  Exec(
      "INSERT INTO analysis_timeline(time,source,kind,message,ip,evidence_id,evidence_path,line,"
      "attacker_id,detail) VALUES (" +
      std::to_string(kT0 + kMin) + ",'log','request','x','203.0.113.1',8,'a.log',2,1,'[1,2]')");
  Exec(
      "INSERT INTO analysis_timeline(time,source,kind,message,ip,evidence_id,evidence_path,line,"
      "attacker_id,detail) VALUES (" +
      std::to_string(kT0 + 2 * kMin) + ",'log','request','y','203.0.113.1',8,'a.log',3,1," +
      "json_object('method','GET','path','/'||hex(zeroblob(4000)),'rules','oops'))");
  Story s = Build();
  ASSERT_EQ(s.steps.size(), 3u);
  EXPECT_EQ(s.steps[0].actor, "<img src=x onerror=alert(1)>");
  EXPECT_LE(s.steps[2].sentence.size(), 404u);  // clipped, with its ellipsis
  std::string json = StoryJson(s);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(json).get(doc)) << json;
  std::string_view actor;
  ASSERT_FALSE(doc["steps"].at(0)["actor"].get(actor));
  EXPECT_EQ(actor, "<img src=x onerror=alert(1)>");
  int64_t line = 0;
  ASSERT_FALSE(doc["steps"].at(2)["evidence_line"].get(line));
  EXPECT_EQ(line, 3);
}

}  // namespace
}  // namespace tq::report
