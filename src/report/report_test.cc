#include "report/report.h"

#include <gtest/gtest.h>

#include "support/testing.h"

namespace tq::report {
namespace {

TEST(ReportTest, HtmlEscapesEveryBlock) {
  const std::string evil = "<script>alert(1)</script>\"'&";
  Document d;
  d.title = evil;
  Block p;
  p.items = {evil};
  Block l;
  l.kind = Block::kList;
  l.items = {evil};
  Block t;
  t.kind = Block::kTable;
  t.items = {evil};
  t.rows = {{evil}};
  d.blocks = {p, l, t};
  std::string html = RenderHtml(d);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  std::string md = RenderMarkdown(d);
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST(ReportTest, MarkdownEscapes) {
  struct {
    const char* in;
    const char* out;
  } cases[] = {{"a*b", "a\\*b"},
               {"[x](y)", "\\[x\\](y)"},
               {"<b>", "&lt;b&gt;"},
               {"a\nb", "a b"},
               {"`c`", "\\`c\\`"}};
  for (auto& c : cases) EXPECT_EQ(EscapeMarkdown(c.in), c.out) << c.in;
}

TEST(ReportTest, PublicDocumentsLeaveOutInternals) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "shop";
  info.store_url = "https://secret-host.example";
  info.platform = "magento";
  auto c = Case::Create(tmp.path() + "/case", info);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Transaction([&](Db& db) -> Status {
                    Finding f;
                    f.kind = "analysis.entry_vector";
                    f.component = "analysis";
                    f.summary = "Entry: XXE from 203.0.113.9: POST /rest/V1/guest-carts";
                    f.detail_json =
                        R"({"technique":"XXE","cve":"CVE-2024-34102","ip":"203.0.113.9"})";
                    f.dedupe_key = "e";
                    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
                    f.kind = "storedb.rogue_admin";
                    f.component = "storedb";
                    f.summary = "Suspicious admin account 'sysupport' <x@evil.test>";
                    f.detail_json = R"({"username":"sysupport"})";
                    f.dedupe_key = "r";
                    return UpsertFinding(db, f).status();
                  })
                  .ok());
  for (const char* kind : {"notice", "postmortem"}) {
    auto d = BuildPublic(**c, kind);
    ASSERT_TRUE(d.ok());
    for (const std::string& text : {RenderMarkdown(*d), RenderHtml(*d)})
      for (const char* bad : {"203.0.113.9", "sysupport", "evil.test", "secret-host", "/rest/"})
        EXPECT_EQ(text.find(bad), std::string::npos) << kind << " leaks " << bad;
  }
  auto internal = BuildInternal(**c);
  ASSERT_TRUE(internal.ok());
  EXPECT_NE(RenderMarkdown(*internal).find("203.0.113.9"), std::string::npos);
}

}  // namespace
}  // namespace tq::report
