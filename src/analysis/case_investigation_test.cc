// The investigation over a real case file: inputs from other stages' findings, rule hits
// joined by item and line, the core attacker tables refreshed (never duplicated) on re-runs,
// the timeline table, and its exports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "analysis/analysis.h"
#include "analysis/investigation_state.h"
#include "analysis/timeline.h"
#include "core/escape.h"
#include "support/testing.h"

namespace tq::analysis {
namespace {

using ::testing::HasSubstr;

constexpr UnixMicros kSec = 1000000;
constexpr UnixMicros kT0 = 1760000000LL * kSec;

struct OwnedRecord {
  UnixMicros time;
  std::string client, method, path, query;
  int status;
  int64_t bytes;
  std::string ua;
  int64_t item, line;
};

int64_t AddItem(Db& db, const std::string& label, const std::string& path, const std::string& sha,
                int64_t mtime_us) {
  auto st = db.Prepare(
      "INSERT INTO evidence_items(sha256,label,original_path,kind,size,mtime_ns,"
      "ctime_ns,collected_at) VALUES(?,?,?,'file',10,?,?,?)");
  EXPECT_TRUE(st.ok());
  st->Bind(1, sha).Bind(2, label).BindBlob(3, path).Bind(4, mtime_us * 1000);
  st->Bind(5, mtime_us * 1000).Bind(6, kT0 + 10 * 86400 * kSec);
  EXPECT_TRUE(st->Run().ok());
  return db.LastInsertRowid();
}

class CaseInvestigationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "test";
    info.discovered_at = kT0 + 5 * 86400 * kSec;
    auto c = Case::Create(dir_ / "case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    case_ = std::move(*c);
    Db& db = case_->db();
    log_item_ = AddItem(db, "logs", "/var/log/nginx/access.log", std::string(64, 'a'), kT0);
    shell_item_ = AddItem(db, "webroot", "/srv/www/pub/media/wysiwyg/cache.php",
                          std::string(64, 'b'), kT0 + 150 * kSec);
    AddItem(db, "webroot", "/srv/www/index.php", std::string(64, 'c'), kT0 - 86400 * 300 * kSec);
    Finding shell;
    shell.kind = "webroot.yara";
    shell.component = "webroot";
    shell.summary = "webshell rule matched pub/media/wysiwyg/cache.php";
    shell.detail_json = R"({"path":"pub/media/wysiwyg/cache.php","family":"webshell"})";
    shell.evidence_id = shell_item_;
    shell.event_time = kT0 + 150 * kSec;
    shell.dedupe_key = "webroot.yara|cache.php";
    ASSERT_TRUE(UpsertFinding(db, shell).ok());
    Finding adv;
    adv.kind = "webroot.advisory";
    adv.component = "webroot";
    adv.summary = "magento 2.4.6-p5 open to CVE-2024-34102";
    adv.detail_json = R"({"cve":"CVE-2024-34102"})";
    adv.dedupe_key = "webroot.advisory|1";
    ASSERT_TRUE(UpsertFinding(db, adv).ok());
    Finding hit;
    hit.kind = "log.rule_hit";
    hit.component = "logs";
    hit.severity = Severity::kCritical;
    hit.summary = "CosmicSting";
    hit.rule = "tq-magento-xxe";
    hit.detail_json = R"j({"title":"Magento XXE (CosmicSting)","level":"critical",)j"
                      R"j("tags":["attack.t1190","cve.2024-34102"]})j";
    hit.evidence_id = log_item_;
    hit.line = 3;
    hit.event_time = kT0 + 100 * kSec;
    hit.dedupe_key = "log.rule_hit|3";
    ASSERT_TRUE(UpsertFinding(db, hit).ok());

    records_ = {
        {kT0, "198.18.0.1", "GET", "/", "", 200, 3000, "Mozilla/5.0", log_item_, 1},
        {kT0 + 50 * kSec, "198.18.0.2", "GET", "/", "", 200, 3000, "Mozilla/5.0", log_item_, 2},
        {kT0 + 100 * kSec, "203.0.113.9", "POST",
         "/rest/V1/guest-carts/1/estimate-shipping-methods", "", 200, 700, "evil\x1b[31m",
         log_item_, 3},
        {kT0 + 200 * kSec, "203.0.113.9", "GET", "/media/wysiwyg/cache.php", "c=id", 200, 60,
         "evil\x1b[31m", log_item_, 4},
        {kT0 + 300 * kSec, "203.0.113.10", "GET", "/media/tmp/dump.sql.gz", "", 200, 123456,
         "evil\x1b[31m", log_item_, 5},
    };
  }

  RecordSource Source() {
    return [this](const RecordVisitor& visit) {
      for (const OwnedRecord& o : records_) {
        AccessRecord r;
        r.time = o.time;
        r.client = o.client;
        r.method = o.method;
        r.path = o.path;
        r.query = o.query;
        r.status = o.status;
        r.bytes = o.bytes;
        r.user_agent = o.ua;
        r.evidence_id = o.item;
        r.line = o.line;
        r.offset = (o.line - 1) * 80;
        visit(r);
      }
      return Status::Ok();
    };
  }

  testing::TempDir dir_;
  std::unique_ptr<Case> case_;
  int64_t log_item_ = 0, shell_item_ = 0;
  std::vector<OwnedRecord> records_;
};

TEST_F(CaseInvestigationTest, WritesAttackersEntryExfiltrationAndTimeline) {
  auto r = InvestigateCase(*case_, Source());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->hits_joined, 2);  // both passes
  Db& db = case_->db();
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM attackers"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM attacker_addresses"), 2);
  auto entry = ListFindings(db, "analysis.entry_vector");
  ASSERT_TRUE(entry.ok());
  ASSERT_EQ(entry->size(), 1u);
  EXPECT_EQ((*entry)[0].line, 3);
  EXPECT_EQ((*entry)[0].byte_offset, 160);
  EXPECT_EQ((*entry)[0].evidence_sha256, std::string(64, 'a'));
  EXPECT_THAT((*entry)[0].summary, HasSubstr("CVE-2024-34102"));
  auto exf = ListFindings(db, "analysis.exfiltration");
  ASSERT_TRUE(exf.ok());
  EXPECT_EQ(exf->size(), 2u);  // the webshell response and the dump
  EXPECT_EQ(r->result.bytes_exfiltrated, 123456);

  auto rows = ReadTimeline(db, {});
  ASSERT_TRUE(rows.ok());
  int log_rows = 0, file_rows = 0;
  for (const TimelineRow& row : *rows) {
    if (row.source == "log") {
      ++log_rows;
      EXPECT_EQ(row.attacker_label, "attacker-1");
      EXPECT_EQ(row.evidence_sha256, std::string(64, 'a'));
      EXPECT_TRUE(row.line.has_value());
    }
    if (row.source == "file" && row.kind == "file.mtime") ++file_rows;
  }
  EXPECT_EQ(log_rows, 3);
  EXPECT_EQ(file_rows, 1) << "the flagged webshell; index.php is a year old";
  EXPECT_TRUE(
      std::is_sorted(rows->begin(), rows->end(), [](auto& a, auto& b) { return a.time < b.time; }));
}

// A hit on a WAF audit log's line (the body showed the exploit) joins the access log's copy of
// that request: same client, method and target within 5 s; not another request, not one
// farther in time, and not when the hit is on another access log.
TEST_F(CaseInvestigationTest, WafAndErrorLogHitsJoinTheAccessLogRequest) {
  Db& db = case_->db();
  ASSERT_TRUE(db.Exec("DELETE FROM findings WHERE kind = 'log.rule_hit'").ok());
  int64_t waf = AddItem(db, "logs", "/var/log/modsec_audit.log", std::string(64, 'd'), kT0);
  int64_t other = AddItem(db, "logs", "/var/log/nginx/other.log", std::string(64, 'e'), kT0);
  ASSERT_TRUE(db.Exec("CREATE TABLE logs_file (evidence_id INTEGER PRIMARY KEY, format TEXT);"
                      "CREATE TABLE logs_rule_hit (rule_id TEXT, rule_title TEXT, level TEXT, "
                      "evidence_id INTEGER, line INTEGER, time INTEGER, c_ip TEXT, method TEXT, "
                      "uri TEXT)")
                  .ok());
  auto st = db.Prepare("INSERT INTO logs_file VALUES (?, ?)");
  ASSERT_TRUE(st.ok());
  st->Bind(1, waf).Bind(2, "modsec");
  ASSERT_TRUE(st->Run().ok());
  auto st2 = db.Prepare("INSERT INTO logs_file VALUES (?, ?)");
  st2->Bind(1, other).Bind(2, "combined");
  ASSERT_TRUE(st2->Run().ok());
  auto hit = [&](int64_t item, int64_t line, UnixMicros t, const char* ip, const char* method,
                 const char* uri) {
    auto h = db.Prepare(
        "INSERT INTO logs_rule_hit VALUES ('body-rule', 'Body Rule', 'high', ?, "
        "?, ?, ?, ?, ?)");
    ASSERT_TRUE(h.ok());
    h->Bind(1, item).Bind(2, line).Bind(3, t).Bind(4, ip).Bind(5, method).Bind(6, uri);
    ASSERT_TRUE(h->Run().ok());
  };
  const char* xxe = "/rest/V1/guest-carts/1/estimate-shipping-methods";
  hit(waf, 40, kT0 + 97 * kSec, "203.0.113.9", "POST", xxe);  // line 3, logged 3 s later: joins
  hit(waf, 80, kT0 + 110 * kSec, "198.18.0.2", "GET", "/");   // line 2, a minute off: no
  hit(waf, 90, kT0, "198.18.0.1", "POST", "/");               // line 1, another method: no
  hit(other, 7, kT0, "198.18.0.1", "GET", "/");               // line 1, not a WAF log: no
  auto r = InvestigateCase(*case_, Source());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->hits_joined, 2);  // line 3, in both passes
  auto entry = ListFindings(db, "analysis.entry_vector");
  ASSERT_TRUE(entry.ok());
  ASSERT_EQ(entry->size(), 1u);
  EXPECT_EQ((*entry)[0].line, 3);
  EXPECT_EQ((*entry)[0].evidence_sha256, std::string(64, 'a'));
  EXPECT_THAT((*entry)[0].summary, HasSubstr("Body Rule"));
}

// Severity by outcome, in the case: the attacker's exploit keeps its level and is actionable,
// a scanner's refused probe of a high rule is low noise (and the scanner one background
// actor), a customer's hit that went through keeps its level as context.
TEST_F(CaseInvestigationTest, RatesRuleHitsByOutcomeAndActor) {
  Db& db = case_->db();
  auto add_hit = [&](int64_t line, const char* level, const char* key) {
    Finding f;
    f.kind = "log.rule_hit";
    f.component = "logs";
    f.severity = SeverityFromName(level);
    f.summary = key;
    f.rule = key;
    f.detail_json = std::string(R"({"title":")") + key + R"(","level":")" + level + R"("})";
    f.evidence_id = log_item_;
    f.line = line;
    f.dedupe_key = std::string("log.rule_hit|") + key;
    ASSERT_TRUE(UpsertFinding(db, f).ok());
  };
  add_hit(6, "high", "env-probe");
  add_hit(7, "medium", "odd-query");
  records_.push_back(
      {kT0 + 400 * kSec, "198.51.100.7", "GET", "/.env", "", 404, 150, "Nuclei", log_item_, 6});
  records_.push_back({kT0 + 500 * kSec, "198.18.0.1", "GET", "/search", "q=%27", 200, 4000,
                      "Mozilla/5.0", log_item_, 7});
  auto r = InvestigateCase(*case_, Source());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto rated = [&](int64_t line) {
    auto st = db.Prepare(
        "SELECT severity||' '||triage FROM findings WHERE kind='log.rule_hit' "
        "AND line=?");
    EXPECT_TRUE(st.ok());
    st->Bind(1, line);
    EXPECT_TRUE(*st->Step());
    return st->String(0);
  };
  EXPECT_EQ(rated(3), "critical actionable");
  EXPECT_EQ(rated(6), "low noise");
  EXPECT_EQ(rated(7), "medium context");
  EXPECT_EQ(r->rating.rated, 3);
  EXPECT_EQ(r->rating.lowered, 1);
  ASSERT_TRUE(r->result.background.has_value());
  EXPECT_EQ(r->result.background->addresses, 1);
  EXPECT_EQ(r->result.background->sample, std::vector<std::string>{"198.51.100.7"});
  auto bg = ListFindings(db, "analysis.background_scanning");
  ASSERT_TRUE(bg.ok());
  ASSERT_EQ(bg->size(), 1u);
  EXPECT_EQ((*bg)[0].triage, "noise");
  EXPECT_THAT((*bg)[0].summary, HasSubstr("1 address(es)"));
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM attacker_addresses WHERE address='198.51.100.7'"),
            0);
  // The attacker's findings are actionable.
  auto att = ListFindings(db, "analysis.attacker");
  ASSERT_TRUE(att.ok());
  ASSERT_EQ(att->size(), 1u);
  EXPECT_EQ((*att)[0].triage, "actionable");
}

TEST_F(CaseInvestigationTest, ReRunRefreshesWithoutDuplicates) {
  ASSERT_TRUE(InvestigateCase(*case_, Source()).ok());
  Db& db = case_->db();
  int64_t findings = *db.QueryInt("SELECT count(*) FROM findings");
  int64_t rows = *db.QueryInt("SELECT count(*) FROM analysis_timeline");
  int64_t id = *db.QueryInt("SELECT id FROM attackers WHERE label='attacker-1'");
  ASSERT_TRUE(InvestigateCase(*case_, Source()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM findings"), findings);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM analysis_timeline"), rows);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM attackers"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT id FROM attackers WHERE label='attacker-1'"), id);
  // Evidence that no longer shows an attacker clears the derived rows.
  records_.resize(2);
  ASSERT_TRUE(InvestigateCase(*case_, Source()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM attackers"), 0);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM findings WHERE component='analysis'"), 0);
}

TEST_F(CaseInvestigationTest, ExportsNameEvidenceAndEscapeAttackerBytes) {
  ASSERT_TRUE(InvestigateCase(*case_, Source()).ok());
  auto rows = ReadTimeline(case_->db(), {});
  ASSERT_TRUE(rows.ok());
  ASSERT_FALSE(rows->empty());

  // Timesketch JSONL: every line a JSON object with the three required fields.
  std::string jsonl = ExportTimeline(*rows, TimelineFormat::kTimesketchJsonl);
  simdjson::dom::parser parser;
  size_t lines = 0;
  for (size_t pos = 0, nl; (nl = jsonl.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    simdjson::dom::element doc;
    ASSERT_FALSE(parser.parse(jsonl.substr(pos, nl - pos)).get(doc)) << jsonl.substr(pos, nl - pos);
    std::string_view v;
    EXPECT_FALSE(doc["message"].get(v));
    EXPECT_FALSE(doc["datetime"].get(v));
    EXPECT_FALSE(doc["timestamp_desc"].get(v));
    EXPECT_FALSE(doc["evidence_sha256"].get(v));
    ++lines;
  }
  EXPECT_EQ(lines, rows->size());

  // ECS: action line, then document, for each row; documents carry @timestamp.
  std::string ecs = ExportTimeline(*rows, TimelineFormat::kEcsNdjson, "idx");
  size_t n = 0;
  for (size_t pos = 0, nl; (nl = ecs.find('\n', pos)) != std::string::npos; pos = nl + 1, ++n) {
    simdjson::dom::element doc;
    ASSERT_FALSE(parser.parse(ecs.substr(pos, nl - pos)).get(doc));
    std::string_view v;
    if (n % 2 == 0) {
      EXPECT_FALSE(doc["index"]["_index"].get(v));
      EXPECT_EQ(v, "idx");
    } else {
      EXPECT_FALSE(doc["@timestamp"].get(v));
    }
  }
  EXPECT_EQ(n, 2 * rows->size());
  EXPECT_THAT(ecs, HasSubstr(R"("source":{"address":"203.0.113.9","ip":"203.0.113.9"})"));
  EXPECT_THAT(ecs, HasSubstr(R"("status_code":200)"));

  std::string csv = ExportTimeline(*rows, TimelineFormat::kCsv);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "message,datetime,timestamp,timestamp_desc,source,kind,ip,actor,attacker,"
            "evidence_item,evidence_sha256,evidence_path,line,byte_offset");

  std::string text = ExportTimeline(*rows, TimelineFormat::kText);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "raw escape sequence reached the terminal";
  EXPECT_THAT(text, HasSubstr("line 3"));
}

TEST_F(CaseInvestigationTest, FiltersByTimeAndAttacker) {
  ASSERT_TRUE(InvestigateCase(*case_, Source()).ok());
  TimelineFilter f;
  f.attacker = "attacker-1";
  auto rows = ReadTimeline(case_->db(), f);
  ASSERT_TRUE(rows.ok());
  for (const TimelineRow& r : *rows) EXPECT_EQ(r.attacker_label, "attacker-1");
  EXPECT_GE(rows->size(), 3u);
  f.attacker = "";
  f.from = kT0 + 150 * kSec;
  f.to = kT0 + 250 * kSec;
  rows = ReadTimeline(case_->db(), f);
  ASSERT_TRUE(rows.ok());
  for (const TimelineRow& r : *rows) {
    EXPECT_GE(r.time, *f.from);
    EXPECT_LE(r.time, *f.to);
  }
  EXPECT_FALSE(rows->empty());
  f.attacker = "attacker-9";
  f.from.reset();
  f.to.reset();
  rows = ReadTimeline(case_->db(), f);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST(Timeline, ReadingBeforeAnyInvestigationSaysSo) {
  testing::TempDir dir;
  CaseInfo info;
  info.name = "x";
  auto c = Case::Create(dir / "c", info);
  ASSERT_TRUE(c.ok());
  auto rows = ReadTimeline((*c)->db(), {});
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.status().message(), HasSubstr("run `tourniquet investigate`"));
  EXPECT_FALSE(ParseTimelineFormat("xml").ok());
}

TEST(InKeyOrder, VisitsKeptEntriesByKeyWhateverTheHashOrder) {
  StrMap<int> m;
  for (int i = 0; i < 200; ++i) m.emplace("k" + std::to_string(1000 - i), i);
  std::vector<std::string> keys;
  for (auto* e : InKeyOrder(m, [](int v) { return v % 3 == 0; })) {
    EXPECT_EQ(e->second % 3, 0);
    keys.push_back(e->first);
  }
  EXPECT_EQ(keys.size(), 67u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  // The entries themselves: a loop may change the values it visits.
  for (auto* e : InKeyOrder(m, [](int) { return true; })) e->second = -1;
  for (auto& [k, v] : m) EXPECT_EQ(v, -1) << k;
}

TEST(LineBits, AnswersSetLinesPerItem) {
  LineBits b;
  EXPECT_FALSE(b.Test(1, 10));  // empty: cached "no such item" must not hide a later Set
  b.Set(1, 10);
  b.Set(1, 64);
  b.Set(2, 0);
  EXPECT_TRUE(b.Test(1, 10));
  EXPECT_TRUE(b.Test(1, 64));
  EXPECT_FALSE(b.Test(1, 11));
  EXPECT_FALSE(b.Test(1, 63));
  EXPECT_FALSE(b.Test(1, 100000));  // past the item's last word
  EXPECT_TRUE(b.Test(2, 0));
  EXPECT_FALSE(b.Test(2, 10));
  EXPECT_FALSE(b.Test(3, 10));  // an item with no hit
  b.Set(3, 5);                  // added after Test cached item 3 as absent
  EXPECT_TRUE(b.Test(3, 5));
  // Out of the stored range: "maybe", so the caller searches; nothing is allocated for it.
  b.Set(4, LineBits::kMaxLine);
  EXPECT_TRUE(b.Test(4, LineBits::kMaxLine));
  EXPECT_TRUE(b.Test(5, -1));
  EXPECT_FALSE(b.Test(4, 1));
}

TEST(HeapOptional, HoldsCopiesAndReplacesLikeAnOptional) {
  HeapOptional<Request> a;
  EXPECT_FALSE(a);
  Request q;
  q.path = "/admin";
  q.time = 5;
  a = q;
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->path, "/admin");
  HeapOptional<Request> b = a;  // a deep copy: changing one leaves the other
  b->path = "/other";
  EXPECT_EQ(a->path, "/admin");
  q.time = 7;
  a = q;  // replaces in place
  EXPECT_EQ((*a).time, 7);
  HeapOptional<Request> c = std::move(a);
  EXPECT_TRUE(c);
  EXPECT_EQ(c->time, 7);
  b = HeapOptional<Request>();
  EXPECT_FALSE(b);
  EXPECT_LT(sizeof(ClientProfile), 512u);  // the three first requests are held off the profile
}

}  // namespace
}  // namespace tq::analysis
