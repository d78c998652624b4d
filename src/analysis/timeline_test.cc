// The timeline exports on hand-made rows: every format names the evidence, escapes what the
// attacker wrote, and maps each source (log, file, db, platform, finding) to its kind of time.
#include "analysis/timeline.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <sstream>

#include "support/testing.h"

namespace tq::analysis {
namespace {

constexpr UnixMicros kT = 1760000000LL * 1000000;  // 2025-10-09T08:53:20Z

TimelineRow Row(std::string source, std::string kind, std::string message) {
  TimelineRow r;
  r.time = kT;
  r.source = std::move(source);
  r.kind = std::move(kind);
  r.message = std::move(message);
  r.evidence_id = 7;
  r.evidence_sha256 = std::string(64, 'e');
  r.evidence_path = "var/log/exception.log";
  r.line = 11;
  r.byte_offset = 1051270;
  return r;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(TimelineExport, FormatsByName) {
  EXPECT_EQ(*ParseTimelineFormat("timesketch"), TimelineFormat::kTimesketchJsonl);
  EXPECT_EQ(*ParseTimelineFormat("csv"), TimelineFormat::kCsv);
  EXPECT_EQ(*ParseTimelineFormat("ecs"), TimelineFormat::kEcsNdjson);
  EXPECT_EQ(*ParseTimelineFormat("text"), TimelineFormat::kText);
  EXPECT_FALSE(ParseTimelineFormat("xml").ok());
}

TEST(TimelineExport, TimesketchNamesTheEvidenceAndTheKindOfTime) {
  std::vector<TimelineRow> rows = {Row("platform", "platform.critical", "main.CRITICAL: x"),
                                   Row("log", "request", "GET / -> 200"),
                                   Row("file", "file.mtime", "modified: pub/media/x.php")};
  std::vector<std::string> lines = Lines(ExportTimeline(rows, TimelineFormat::kTimesketchJsonl));
  ASSERT_EQ(lines.size(), 3u);
  simdjson::dom::parser parser;
  const char* want[] = {"Log Entry Time", "Request Time", "Content Modification Time"};
  for (size_t i = 0; i < lines.size(); ++i) {
    simdjson::dom::element doc;
    ASSERT_FALSE(parser.parse(lines[i]).get(doc)) << lines[i];
    EXPECT_EQ(std::string_view(doc["timestamp_desc"]), want[i]);
    EXPECT_EQ(std::string_view(doc["datetime"]), "2025-10-09T08:53:20+00:00");
    EXPECT_EQ(int64_t(doc["timestamp"]), kT);
    EXPECT_EQ(int64_t(doc["evidence_item"]), 7);
    EXPECT_EQ(int64_t(doc["line"]), 11);
    EXPECT_EQ(std::string_view(doc["evidence_sha256"]), std::string(64, 'e'));
  }
}

TEST(TimelineExport, EcsIsABulkBodyWithTheSourceAsCategory) {
  std::vector<TimelineRow> rows = {Row("platform", "platform.critical", "boom"),
                                   Row("db", "storedb.rogue_admin", "admin")};
  std::vector<std::string> lines =
      Lines(ExportTimeline(rows, TimelineFormat::kEcsNdjson, "my-index"));
  ASSERT_EQ(lines.size(), 4u) << "an action line before each document";
  EXPECT_NE(lines[0].find("\"my-index\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"category\":[\"web\",\"process\"]"), std::string::npos) << lines[1];
  EXPECT_NE(lines[3].find("\"category\":[\"database\"]"), std::string::npos) << lines[3];
  EXPECT_NE(lines[1].find("\"offset\":1051270"), std::string::npos);
}

TEST(TimelineExport, AttackerBytesAreEscapedInEveryFormat) {
  TimelineRow r = Row("log", "request", "=cmd|' /C calc'!A0 \x1b[2J<script>");
  r.ip = "203.0.113.9";
  std::string csv = ExportTimeline({r}, TimelineFormat::kCsv);
  EXPECT_NE(csv.find("\"'=cmd|"), std::string::npos) << csv;  // no formula
  EXPECT_EQ(csv.find('\x1b'), std::string::npos);
  std::string text = ExportTimeline({r}, TimelineFormat::kText);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("\\e[2J"), std::string::npos) << text;
  EXPECT_NE(text.find("line 11 offset 1051270"), std::string::npos);
  for (TimelineFormat f : {TimelineFormat::kTimesketchJsonl, TimelineFormat::kEcsNdjson}) {
    std::string json = ExportTimeline({r}, f);
    EXPECT_EQ(json.find('\x1b'), std::string::npos);
    EXPECT_EQ(json.find("<script>"), std::string::npos) << json;
  }
}

TEST(TimelineExport, ARowWithoutItemSaysItIsDerived) {
  TimelineRow r = Row("analysis", "analysis.attacker", "attacker-1");
  r.evidence_id.reset();
  r.line.reset();
  r.byte_offset.reset();
  EXPECT_NE(ExportTimeline({r}, TimelineFormat::kText).find("(derived, no single item)"),
            std::string::npos);
  EXPECT_NE(ExportTimeline({r}, TimelineFormat::kTimesketchJsonl).find("\"evidence_item\":null"),
            std::string::npos);
}

// The attacker a command line names is checked against the case, and the terminal view's head
// lists attackers in rank order (attacker-2 before attacker-10) with their role and addresses.
TEST(TimelineAttackers, UnknownAttackerNamesTheKnownOnesAndHeadlinesGoInRankOrder) {
  tq::testing::TempDir tmp;
  CaseInfo info;
  info.name = "t";
  auto c = Case::Create(tmp.path() + "/case", info);
  ASSERT_TRUE(c.ok()) << c.status().message();
  Db& db = (*c)->db();
  EXPECT_EQ(CheckAttacker(db, "attacker-1").code(), ErrorCode::kUsage);  // none yet
  EXPECT_NE(CheckAttacker(db, "attacker-1").message().find("(it has none)"), std::string::npos);
  ASSERT_TRUE(db.Exec("INSERT INTO attackers (id, label, confidence, reasons) VALUES "
                      "(1, 'attacker-10', 0.5, '[\"role: scanner\"]'), "
                      "(2, 'attacker-2', 0.9, '[\"achieved: foothold\", \"other: x\", "
                      "\"campaign: c1\"]'), (3, 'attacker-1', 0.9, 'not json');"
                      "INSERT INTO attacker_addresses VALUES (2, '192.0.2.1'), (2, '192.0.2.2'),"
                      "(1, '198.51.100.1')")
                  .ok());
  EXPECT_TRUE(CheckAttacker(db, "attacker-2").ok());
  EXPECT_TRUE(CheckAttacker(db, "3").ok());  // by id
  Status s = CheckAttacker(db, "attacker-9");
  EXPECT_EQ(s.code(), ErrorCode::kUsage);
  EXPECT_NE(s.message().find("known: attacker-10, attacker-2, attacker-1"), std::string::npos)
      << s.message();
  Result<std::vector<AttackerHeadline>> h = AttackerHeadlines(db);
  ASSERT_TRUE(h.ok()) << h.status().message();
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].label, "attacker-1");
  EXPECT_EQ((*h)[0].summary, "");  // reasons that are not JSON read as none
  EXPECT_EQ((*h)[1].label, "attacker-2");
  EXPECT_EQ((*h)[1].summary, "foothold; c1");
  EXPECT_EQ((*h)[1].addresses, 2);
  EXPECT_EQ((*h)[2].label, "attacker-10");
  EXPECT_EQ((*h)[2].summary, "scanner");
}

}  // namespace
}  // namespace tq::analysis
