#include "webroot/advisory.h"

#include <gtest/gtest.h>

#include "support/testing.h"

namespace tq::webroot {
namespace {

TEST(CompareVersions, ComposerAndMagentoOrdering) {
  struct Case { const char* a; const char* b; int want; } cases[] = {
      {"2.4.6", "2.4.6", 0},          {"2.4.6", "2.4.6.0", 0},
      {"2.4.6", "2.4.6-p1", -1},      {"2.4.6-p5", "2.4.6-p6", -1},
      {"2.4.6-p10", "2.4.6-p9", 1},   {"2.4.6-p5", "2.4.7", -1},
      {"2.4.7-beta1", "2.4.7", -1},   {"2.4.7-rc1", "2.4.7-beta3", 1},
      {"2.4.7-alpha2", "2.4.7-beta1", -1}, {"2.4.7-dev", "2.4.7-alpha1", -1},
      {"v1.2.3", "1.2.3", 0},         {"10.0", "9.9.9", 1},
      {"5.6.1", "5.6.2", -1},         {"1.0.0+build.5", "1.0.0", 0},
      {"2.3.7-p2", "2.3.7-p3", -1},   {"2.4.4-p9", "2.4.5", -1},
  };
  for (const Case& c : cases) {
    int got = CompareVersions(c.a, c.b);
    EXPECT_EQ((got > 0) - (got < 0), c.want) << c.a << " vs " << c.b;
    int rev = CompareVersions(c.b, c.a);
    EXPECT_EQ((rev > 0) - (rev < 0), -c.want) << c.b << " vs " << c.a;
  }
}

OsvAffected Cosmic() {
  OsvAffected a;
  a.ecosystem = "Packagist";
  a.package = "magento/community-edition";
  for (auto [intro, fix] : std::vector<std::pair<const char*, const char*>>{
           {"0", "2.4.4-p9"}, {"2.4.5", "2.4.5-p8"}, {"2.4.6", "2.4.6-p6"}, {"2.4.7", "2.4.7-p1"}})
    a.ranges.push_back({"ECOSYSTEM", {{OsvEvent::kIntroduced, intro}, {OsvEvent::kFixed, fix}}});
  return a;
}

TEST(Evaluate, RangeTable) {
  struct Row { const char* version; bool affected; const char* fixed; } rows[] = {
      {"2.3.7-p4", true, "2.4.4-p9"}, {"2.4.4-p8", true, "2.4.4-p9"},
      {"2.4.4-p9", false, ""},        {"2.4.5", true, "2.4.5-p8"},
      {"2.4.5-p7", true, "2.4.5-p8"}, {"2.4.5-p8", false, ""},
      {"2.4.6-p5", true, "2.4.6-p6"}, {"2.4.6-p6", false, ""},
      {"2.4.7", true, "2.4.7-p1"},    {"2.4.7-p1", false, ""},
      {"2.4.8", false, ""},
  };
  OsvAffected a = Cosmic();
  for (const Row& r : rows) {
    AdvisoryMatch m = Evaluate(a, r.version);
    EXPECT_EQ(m.affected, r.affected) << r.version;
    EXPECT_EQ(m.fixed, r.fixed) << r.version;
  }
}

TEST(Evaluate, LastAffectedAndVersionsList) {
  OsvAffected a;
  a.ranges.push_back({"ECOSYSTEM", {{OsvEvent::kIntroduced, "1.0"}, {OsvEvent::kLastAffected, "1.4"}}});
  a.versions = {"0.9-special"};
  EXPECT_FALSE(Evaluate(a, "0.9").affected);
  EXPECT_TRUE(Evaluate(a, "0.9-special").affected);
  EXPECT_TRUE(Evaluate(a, "1.0").affected);
  EXPECT_TRUE(Evaluate(a, "1.4").affected);
  EXPECT_FALSE(Evaluate(a, "1.4.1").affected);
  // Events out of order in the file are sorted first.
  OsvAffected b;
  b.ranges.push_back({"ECOSYSTEM", {{OsvEvent::kFixed, "2.0"}, {OsvEvent::kIntroduced, "1.0"}}});
  EXPECT_TRUE(Evaluate(b, "1.5").affected);
  EXPECT_FALSE(Evaluate(b, "2.0").affected);
  // GIT ranges need a repository and are ignored.
  OsvAffected g;
  g.ranges.push_back({"GIT", {{OsvEvent::kIntroduced, "0"}}});
  EXPECT_FALSE(Evaluate(g, "1.0").affected);
}

// A GitHub Advisory Database record as osv.dev serves it (GHSA-m8cj-3v68-3cxj, abridged):
// loaded unchanged.
const char kGhsa[] = R"({
  "schema_version": "1.4.0",
  "id": "GHSA-m8cj-3v68-3cxj",
  "modified": "2024-07-15T21:30:00Z",
  "published": "2024-06-13T09:30:39Z",
  "aliases": ["CVE-2024-34102"],
  "summary": "Magento Open Source Improper Restriction of XML External Entity Reference vulnerability",
  "details": "Adobe Commerce versions 2.4.7, 2.4.6-p5, 2.4.5-p7, 2.4.4-p8 and earlier are affected...",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [
    {"package": {"ecosystem": "Packagist", "name": "magento/community-edition"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.4.4-p9"}]}]},
    {"package": {"ecosystem": "Packagist", "name": "magento/community-edition"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.4.6"}, {"fixed": "2.4.6-p6"}]}],
     "database_specific": {"last_known_affected_version_range": "<= 2.4.6-p5"}}
  ],
  "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2024-34102"},
                 {"type": "WEB", "url": "https://helpx.adobe.com/security/products/magento/apsb24-40.html"}],
  "database_specific": {"cwe_ids": ["CWE-611"], "severity": "CRITICAL", "github_reviewed": true}
})";

TEST(ParseOsv, GithubAdvisoryRecordLoadsUnchanged) {
  auto r = ParseOsv(kGhsa, "ghsa.json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  const Advisory& a = r->front();
  EXPECT_EQ(a.id, "GHSA-m8cj-3v68-3cxj");
  EXPECT_EQ(a.Cve(), "CVE-2024-34102");
  EXPECT_EQ(a.severity, "CRITICAL");
  EXPECT_EQ(a.reference, "https://nvd.nist.gov/vuln/detail/CVE-2024-34102");
  ASSERT_EQ(a.affected.size(), 2u);
  EXPECT_TRUE(SamePackage(a.affected[1], "packagist", "Magento/Community-Edition"));
  AdvisoryMatch m = Evaluate(a.affected[1], "2.4.6-p5");
  EXPECT_TRUE(m.affected);
  EXPECT_EQ(m.fixed, "2.4.6-p6");
}

TEST(ParseOsv, ArraysAndVulnsWrapper) {
  std::string one = R"({"id":"X-1","affected":[{"package":{"ecosystem":"Packagist","name":"a/b"},"versions":["1.0"]}]})";
  auto arr = ParseOsv("[" + one + "," + one + "]", "list.json");
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ(arr->size(), 2u);
  auto wrapped = ParseOsv("{\"vulns\":[" + one + "]}", "query.json");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->size(), 1u);
}

TEST(ParseOsv, BadInputNamesTheFile) {
  struct Row { const char* json; const char* error; } rows[] = {
      {"{", "bad.json: not valid JSON"},
      {"{\"affected\":[]}", "bad.json: advisory without an \"id\""},
      {"{\"id\":\"A\"}", "bad.json: advisory A has no \"affected\" array"},
      {"[1]", "bad.json[0]: advisory is not a JSON object"},
      {"{\"id\":\"A\",\"affected\":[{\"package\":{\"name\":\"x\"},\"ranges\":[{\"type\":\"ECOSYSTEM\"}]}]}",
       "bad.json: advisory A: range without \"events\""},
  };
  for (const Row& r : rows) {
    auto got = ParseOsv(r.json, "bad.json");
    ASSERT_FALSE(got.ok()) << r.json;
    EXPECT_EQ(got.status().message().substr(0, std::string(r.error).size()), r.error) << r.json;
  }
}

TEST(LoadAdvisoryDir, ShippedAdvisoriesAllLoad) {
  AdvisoryLoad load = LoadAdvisoryDir(std::string(TQ_SOURCE_DIR) + "/data/advisories");
  for (const Status& s : load.errors) ADD_FAILURE() << s.ToString();
  EXPECT_GE(load.advisories.size(), 8u);
  bool cosmic = false;
  for (const Advisory& a : load.advisories)
    if (a.Cve() == "CVE-2024-34102") {
      cosmic = true;
      bool hit = false;
      for (const OsvAffected& af : a.affected)
        if (SamePackage(af, "Packagist", "magento/product-community-edition")) {
          AdvisoryMatch m = Evaluate(af, "2.4.6-p5");
          hit = m.affected && m.fixed == "2.4.6-p6";
        }
      EXPECT_TRUE(hit);
    }
  EXPECT_TRUE(cosmic);
}

TEST(LoadAdvisoryDir, OneBrokenFileDoesNotStopTheRest) {
  testing::TempDir dir;
  testing::WriteFile(dir / "good.json", kGhsa);
  testing::WriteFile(dir / "broken.json", "{\"id\": ");
  testing::WriteFile(dir / "notes.txt", "ignored");
  AdvisoryLoad load = LoadAdvisoryDir(dir.path());
  EXPECT_EQ(load.files, 2u);
  EXPECT_EQ(load.advisories.size(), 1u);
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_NE(load.errors[0].message().find("broken.json: not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace tq::webroot
