#include "report/appendix.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/testing.h"

namespace tq::report {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AppendixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "t";
    auto c = Case::Create(tmp_.path() + "/case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    case_ = std::move(*c);
  }
  void Add(const std::string& kind, Severity sev, const std::string& summary,
           const std::string& detail = "{}") {
    Finding f;
    f.kind = kind;
    f.component = kind.substr(0, kind.find('.'));
    f.severity = sev;
    f.summary = summary;
    f.detail_json = detail;
    f.dedupe_key = kind + ":" + summary;
    ASSERT_TRUE(UpsertFinding(case_->db(), f).ok());
  }
  std::string Text(const std::vector<Block>& blocks) {
    Document d;
    d.blocks = blocks;
    return RenderMarkdown(d);
  }
  testing::TempDir tmp_;
  std::unique_ptr<Case> case_;
};

TEST_F(AppendixTest, CsvIsRfc4180AndFormulaSafe) {
  Add("log.rule_hit", Severity::kLow, "=HYPERLINK(\"http://x\")");
  Add("log.rule_hit", Severity::kLow, "+1,\"two\"\nline");
  Add("log.rule_hit", Severity::kLow, "-2");
  Add("log.rule_hit", Severity::kLow, "@SUM(A1)");
  std::string path = tmp_.path() + "/f.csv";
  auto n = WriteFindingsCsv(case_->db(), path);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 4);
  std::string csv = ReadAll(path);
  EXPECT_EQ(csv.rfind("id,time_utc,severity,", 0), 0u);
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://x\"\")\""), std::string::npos);
  EXPECT_NE(csv.find("\"'+1,\"\"two\"\"\nline\""), std::string::npos);
  EXPECT_NE(csv.find("\"'-2\""), std::string::npos);
  EXPECT_NE(csv.find("\"'@SUM(A1)\""), std::string::npos);
  EXPECT_NE(csv.find("\r\n"), std::string::npos);
  EXPECT_FALSE(WriteFindingsCsv(case_->db(), tmp_.path() + "/no/such/dir/f.csv").ok());
}

TEST_F(AppendixTest, IndicatorsNotEveryFinding) {
  for (int i = 0; i < 500; ++i)
    Add("log.rule_hit", Severity::kHigh, "scanner probe " + std::to_string(i));
  Add("storedb.rogue_admin", Severity::kCritical, "Suspicious admin account 'backdoor_x'");
  Add("webroot.yara", Severity::kCritical, "webshell rule matched",
      R"({"path":"pub/media/shell.php"})");
  Add("analysis.exfiltration", Severity::kCritical, "Download of /media/dump.sql.gz",
      R"({"kind":"download"})");
  for (size_t i = 0; i < kIndicatorRows + 5; ++i)
    Add("analysis.exfiltration", Severity::kHigh, "Webshell response " + std::to_string(i),
        R"({"kind":"webshell_response"})");
  auto blocks = IndicatorBlocks(case_->db(), "all.csv");
  ASSERT_TRUE(blocks.ok()) << blocks.status().ToString();
  std::string md = Text(*blocks);
  EXPECT_NE(md.find("backdoor\\_x"), std::string::npos);
  EXPECT_NE(md.find("pub/media/shell.php"), std::string::npos);
  EXPECT_NE(md.find("/media/dump.sql.gz"), std::string::npos);
  EXPECT_EQ(md.find("scanner probe"), std::string::npos);
  EXPECT_NE(md.find("The first 50 of 55"), std::string::npos);
  EXPECT_NE(md.find("All 558 findings"), std::string::npos);
  EXPECT_NE(md.find("[all.csv](all.csv)"), std::string::npos);
}

}  // namespace
}  // namespace tq::report
