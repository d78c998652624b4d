#include "webroot/webroot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/sha256.h"
#include "support/testing.h"
#include "webroot/baseline.h"
#include "webroot/normalize.h"
#include "webroot/platform.h"
#include "webroot/scan.h"
#include "webroot/yara_scan.h"

namespace tq::webroot {
namespace {

const std::string kSrc = TQ_SOURCE_DIR;
const std::string kData = kSrc + "/src/webroot/testdata";

std::set<std::string> RulesMatching(YaraScanner& s, const std::string& path,
                                    const std::string& filename) {
  std::string bytes = testing::ReadFile(path);
  YaraFileVars vars;
  vars.filename = filename;
  vars.filepath = filename;
  auto m = s.Scan(bytes, vars);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  std::set<std::string> out;
  if (m.ok())
    for (const YaraMatch& x : *m)
      if (!x.meta.count("internal")) out.insert(x.rule);
  return out;
}

// What the scan pass keeps: raw hits (less the code-scoped rules when the file is code) and
// the hits on every normalised layer.
std::set<std::string> PipelineMatching(YaraScanner& s, const std::string& path,
                                       const std::string& filename) {
  std::string bytes = testing::ReadFile(path);
  YaraFileVars vars;
  vars.filename = filename;
  vars.filepath = filename;
  std::string ext = filename.substr(filename.rfind('.') + 1);
  CodeKind kind = ClassifyCode(bytes, ext);
  std::set<std::string> out;
  auto m = s.Scan(bytes, vars);
  EXPECT_TRUE(m.ok());
  if (m.ok())
    for (const YaraMatch& x : *m)
      if (!x.meta.count("internal") && (kind == CodeKind::kNone || !x.meta.count("scope")))
        out.insert(x.rule);
  for (const CodeLayer& l : Normalize(bytes, kind).layers) {
    auto lm = s.Scan(l.text, vars);
    if (lm.ok())
      for (const YaraMatch& x : *lm)
        if (!x.meta.count("internal")) out.insert(x.rule);
  }
  return out;
}

class PackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto load = YaraRules::Compile(ListRuleFiles(kSrc + "/rules/yara"), "");
    ASSERT_TRUE(load.ok()) << load.status().ToString();
    for (const Status& e : load->errors) ADD_FAILURE() << e.ToString();
    rules = std::move(load->rules);
    auto s = YaraScanner::Create(*rules, 10);
    ASSERT_TRUE(s.ok());
    scanner = std::move(*s);
  }
  std::unique_ptr<YaraRules> rules;
  std::unique_ptr<YaraScanner> scanner;
};

TEST_F(PackTest, EveryFamilyHitsItsRealisticSample) {
  struct Row {
    const char* file;
    const char* name;
    const char* rule;
  } rows[] = {
      {"checkout_harvester.js", "bundle.js", "Skimmer_JS_CheckoutHarvester"},
      {"image_beacon.js", "jquery.cookie.js", "Skimmer_JS_ImageBeaconExfil"},
      {"websocket_loader.js", "tracking.js", "Skimmer_JS_WebSocketLoader"},
      {"encoded_strings.js", "x.js", "Skimmer_JS_EncodedCheckoutStrings"},
      {"shell_eval_post.php", "cache.php", "WebShell_PHP_RequestToExec"},
      {"shell_eval_post.php", "cache.php", "WebShell_PHP_DecodeAndRun"},
      {"shell_request_function.php", "x.php", "WebShell_PHP_RequestAsFunction"},
      {"shell_gzinflate.php", "x.php", "WebShell_PHP_DecodeAndRun"},
      {"filemanager.php", "x.php", "WebShell_PHP_FileManager"},
      {"favicon_cache.ico", "favicon_cache.ico", "WebShell_PHP_InImageFile"},
      {"card_capture.php", "Cc.php", "Backdoor_PHP_CardCapture"},
      {"rogue_plugin.php", "wp-cache-helper.php", "Backdoor_PHP_HiddenAdminCreation"},
      {"dot_user.ini", ".user.ini", "Persistence_AutoPrependFile"},
      {"dot_htaccess", ".htaccess", "Persistence_AutoPrependFile"},
      {"dot_htaccess", ".htaccess", "Persistence_ImagesRunAsPHP"},
      {"search_redirect_htaccess", ".htaccess", "Persistence_SearchReferrerRedirect"},
      {"crontab.txt", "crontab", "Persistence_FetchAndRun"},
      {"shell_rot13_name.php", "thumb.php", "WebShell_PHP_HiddenFunctionOnRequest"},
      {"shell_concat_name.php", "object-cache-tools.php", "WebShell_PHP_HiddenFunctionOnRequest"},
      {"card_pattern_exfil.js", "bundle.min.js", "Skimmer_JS_CardNumberPatternExfil"},
      {"recon_panel.php", "x.php", "WebShell_PHP_ServerReconWithControl"},
      {"backconnect.php", "x.php", "WebShell_PHP_BackConnect"},
      {"asp_eval.asp", "x.asp", "WebShell_ASP_RequestToExec"},
      {"asp_filemanager.asp", "x.asp", "WebShell_ASP_FileManager"},
      {"jsp_cmd.jsp", "x.jsp", "WebShell_JSP_RequestToExec"},
      {"asp_encoded.asp", "x.asp", "WebShell_ASP_EncodedScript"},
      {"perl_cgi.cgi", "x.cgi", "WebShell_Perl_CGI_Command"},
      {"perl_open3.cgi", "x.php", "WebShell_Perl_CGI_Command"},
      {"aspx_shell_process.aspx", "x.php", "WebShell_ASPX_ShellProcess"},
      {"jsf_el_exec.xhtml", "x.xhtml", "WebShell_JSP_ReflectionExec"},
  };
  for (const Row& r : rows) {
    auto got = PipelineMatching(*scanner, kData + "/malicious/" + r.file, r.name);
    EXPECT_TRUE(got.count(r.rule)) << r.file << " should match " << r.rule;
  }
}

TEST_F(PackTest, BenignLookalikesDoNotMatch) {
  for (auto& e : std::filesystem::directory_iterator(kData + "/benign")) {
    std::string name = e.path().filename().string();
    if (name.find("user.ini") != std::string::npos) name = ".user.ini";
    auto got = PipelineMatching(*scanner, e.path().string(), name);
    EXPECT_TRUE(got.empty()) << e.path() << " matched " << *got.begin();
  }
}

TEST_F(PackTest, CodeScopedRulesMatchNormalisedText) {
  // The same rule on the raw bytes misses the escaped name; on the normalised layer it hits.
  std::string raw = testing::ReadFile(kData + "/malicious/normalised_request_exec.php");
  YaraFileVars vars;
  auto before = scanner->Scan(raw, vars);
  ASSERT_TRUE(before.ok());
  for (const YaraMatch& m : *before) EXPECT_NE(m.rule, "WebShell_PHP_RequestToExec_Normalised");
  NormalizedCode n = Normalize(raw, CodeKind::kPhp);
  ASSERT_FALSE(n.layers.empty());
  auto after = scanner->Scan(n.layers[0].text, vars);
  ASSERT_TRUE(after.ok());
  bool hit = false;
  for (const YaraMatch& m : *after) hit |= m.rule == "WebShell_PHP_RequestToExec_Normalised";
  EXPECT_TRUE(hit) << n.layers[0].text;
}

TEST_F(PackTest, AutoPrependNeedsTheConfigFileName) {
  // The same text in a PHP source file (e.g. documentation) is not persistence.
  auto got = RulesMatching(*scanner, kData + "/malicious/dot_user.ini", "README.php");
  EXPECT_FALSE(got.count("Persistence_AutoPrependFile"));
}

TEST(UserRules, LoadUnchangedWithExternalsAndModules) {
  testing::TempDir dir;
  // A rule in the style of public rule sets: an import, external variables, metadata.
  testing::WriteFile(dir / "mine.yar", R"(import "hash"
rule Custom_Known_Bad : webshell {
  meta:
    author = "responder"
    score = 80
  strings:
    $s = "my-own-indicator" ascii wide
  condition:
    $s and filesize < 1MB and extension == "php" and hash.md5(0, 0) == "d41d8cd98f00b204e9800998ecf8427e"
}
)");
  testing::WriteFile(dir / "broken.yara", "rule Broken {\n  condition:\n    nonsense ==\n}\n");
  auto load = YaraRules::Compile(ListRuleFiles(dir.path()), dir / "cache");
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  EXPECT_FALSE(load->from_cache);
  ASSERT_EQ(load->errors.size(), 1u);
  EXPECT_NE(load->errors[0].message().find("broken.yara:3:"), std::string::npos)
      << load->errors[0].message();
  EXPECT_EQ(load->rules->rule_count(), 1u);
  auto s = YaraScanner::Create(*load->rules, 5);
  ASSERT_TRUE(s.ok());
  YaraFileVars php{"a.php", "x/a.php", "php", "", ""};
  auto m = (*s)->Scan("<?php // my-own-indicator", php);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].rule, "Custom_Known_Bad");
  EXPECT_EQ((*m)[0].rule_namespace, "mine");
  EXPECT_EQ((*m)[0].meta.at("score"), "80");
  EXPECT_EQ((*m)[0].tags, std::vector<std::string>{"webshell"});
  ASSERT_EQ((*m)[0].hits.size(), 1u);
  EXPECT_EQ((*m)[0].hits[0].offset, 9u);
  YaraFileVars js{"a.js", "x/a.js", "js", "", ""};
  EXPECT_TRUE((*s)->Scan("my-own-indicator", js)->empty());
  // Second compile comes from the cache.
  auto again = YaraRules::Compile(ListRuleFiles(dir.path()), dir / "cache");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->from_cache);
  EXPECT_EQ(again->rules->rule_count(), 1u);
}

TEST(PhpHasCode, SilenceIsNotCode) {
  EXPECT_FALSE(PhpHasCode("<?php\n// Silence is golden.\n"));
  EXPECT_FALSE(PhpHasCode("<?php /* nothing */ # here\n?>\n<html></html>"));
  EXPECT_TRUE(PhpHasCode("<?php\n// hi\nsystem($_GET['c']);"));
  EXPECT_TRUE(PhpHasCode("<?= $x ?>"));
  EXPECT_FALSE(PhpHasCode("<?php /* unterminated"));
}

using Tree = std::map<std::string, std::string>;
TreeReader ReaderOf(const Tree& t) {
  return [&t](const std::string& p) -> std::optional<std::string> {
    auto it = t.find(p);
    if (it == t.end()) return std::nullopt;
    return it->second;
  };
}
std::vector<std::string> PathsOf(const Tree& t) {
  std::vector<std::string> out;
  for (auto& [p, c] : t) out.push_back(p);
  return out;
}

TEST(DetectPlatforms, MagentoFromComposerLock) {
  Tree t = {
      {"htdocs/app/etc/env.php", "<?php return [];"},
      {"htdocs/app/etc/di.xml", "<config/>"},
      {"htdocs/composer.lock",
       R"({"packages":[{"name":"magento/product-community-edition","version":"2.4.6-p5"},
                       {"name":"monolog/monolog","version":"2.9.1"}],"packages-dev":[]})"},
  };
  auto found = DetectPlatforms(PathsOf(t), ReaderOf(t));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].platform, "magento");
  EXPECT_EQ(found[0].edition, "Magento Open Source");
  EXPECT_EQ(found[0].version, "2.4.6-p5");
  EXPECT_EQ(found[0].root, "htdocs/");
  EXPECT_EQ(found[0].evidence, "htdocs/composer.lock");
  EXPECT_EQ(found[0].packages.size(), 2u);
}

// A composer.lock cut short (a partial copy, a full disk) is named as damaged: it once gave
// version "unknown" and no advisories without a word.
TEST(DetectPlatforms, TruncatedComposerLockIsAProblemNamed) {
  std::string lock =
      R"({"packages":[{"name":"magento/product-community-edition","version":"2.4.6-p5"},
                      {"name":"monolog/monolog","version":"2.9.1"}],"packages-dev":[]})";
  for (size_t cut : {lock.size() - 1, lock.size() / 2, size_t{1}}) {
    Tree t = {{"htdocs/app/etc/di.xml", "<config/>"},
              {"htdocs/composer.lock", lock.substr(0, cut)}};
    std::vector<std::string> problems;
    auto found = DetectPlatforms(PathsOf(t), ReaderOf(t), &problems);
    ASSERT_EQ(problems.size(), 1u) << cut;
    EXPECT_THAT(problems[0], ::testing::StartsWith("htdocs/composer.lock: not valid JSON ("));
    EXPECT_THAT(problems[0], ::testing::HasSubstr("no advisory can match them"));
  }
  Tree whole = {{"htdocs/app/etc/di.xml", "<config/>"}, {"htdocs/composer.lock", lock}};
  std::vector<std::string> none;
  EXPECT_EQ(DetectPlatforms(PathsOf(whole), ReaderOf(whole), &none)[0].version, "2.4.6-p5");
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(ComposerLockProblem("{\"packages-dev\":[]}"),
            "no \"packages\" list: its packages and versions are unknown");
}

TEST(DetectPlatforms, AdobeCommerceFromComposerJsonWhenNoLock) {
  Tree t = {
      {"bin/magento", "#!/usr/bin/env php"},
      {"composer.json",
       R"({"name":"magento/project-enterprise-edition","require":{"magento/product-enterprise-edition":"2.4.5-p7"}})"}};
  auto found = DetectPlatforms(PathsOf(t), ReaderOf(t));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].edition, "Adobe Commerce");
  EXPECT_EQ(found[0].version, "2.4.5-p7");
  ASSERT_EQ(found[0].packages.size(), 1u);
  EXPECT_EQ(found[0].packages[0].name, "magento/product-enterprise-edition");
}

TEST(DetectPlatforms, WooCommerceAndEveryPluginAndTheme) {
  Tree t = {
      {"wp-includes/version.php", "<?php\n$wp_version = '6.4.3';\n$wp_db_version = 56657;\n"},
      {"wp-content/plugins/woocommerce/woocommerce.php",
       "<?php\n/**\n * Plugin Name: WooCommerce\n * Version: 8.5.2\n */\n"},
      {"wp-content/plugins/woocommerce/uninstall.php", "<?php // no header"},
      {"wp-content/plugins/woocommerce-payments/woocommerce-payments.php",
       "<?php\n/*\nPlugin Name: WooPayments\nVersion: 5.6.1\n*/"},
      {"wp-content/plugins/hello.php", "<?php\n/*\nPlugin Name: Hello Dolly\nVersion: 1.7.2\n*/"},
      {"wp-content/plugins/woocommerce/includes/deep.php", "<?php /* Plugin Name: not top */"},
      {"wp-content/themes/storefront/style.css", "/*\nTheme Name: Storefront\nVersion: 4.5.4\n*/"},
  };
  auto found = DetectPlatforms(PathsOf(t), ReaderOf(t));
  ASSERT_EQ(found.size(), 1u);
  const Installation& w = found[0];
  EXPECT_EQ(w.platform, "woocommerce");
  EXPECT_EQ(w.version, "8.5.2");
  std::map<std::string, std::string> pk;
  for (auto& p : w.packages) pk[p.name] = p.version;
  EXPECT_EQ(pk["wordpress"], "6.4.3");
  EXPECT_EQ(pk["plugin/woocommerce"], "8.5.2");
  EXPECT_EQ(pk["plugin/woocommerce-payments"], "5.6.1");
  EXPECT_EQ(pk["plugin/hello"], "1.7.2");
  EXPECT_EQ(pk["theme/storefront"], "4.5.4");
  EXPECT_EQ(pk.size(), 5u);
}

TEST(DetectPlatforms, PrestaShopShopwareOpenCart) {
  Tree t = {
      {"ps/app/AppKernel.php",
       "<?php class AppKernel { const VERSION = '8.1.2'; const MAJOR_VERSION = 8; }"},
      {"ps/config/defines.inc.php", "<?php"},
      {"sw/composer.lock", R"({"packages":[{"name":"shopware/core","version":"v6.5.8.2"}]})"},
      {"oc/index.php", "<?php\n// Version\ndefine('VERSION', '4.0.2.3');\n"},
      {"oc/system/startup.php", "<?php"},
  };
  auto found = DetectPlatforms(PathsOf(t), ReaderOf(t));
  std::map<std::string, std::string> v;
  for (auto& i : found) v[i.platform] = i.version;
  EXPECT_EQ(v["prestashop"], "8.1.2");
  EXPECT_EQ(v["shopware"], "v6.5.8.2");
  EXPECT_EQ(v["opencart"], "4.0.2.3");
}

TEST(DetectPlatforms, HostileVersionFilesGiveNoVersion) {
  Tree t = {{"wp-includes/version.php", "<?php $wp_version = '<script>'; "},
            {"app/etc/di.xml", ""},
            {"composer.lock", "{\"packages\": [{\"name\": 5}"}};
  auto found = DetectPlatforms(PathsOf(t), ReaderOf(t));
  ASSERT_EQ(found.size(), 2u);
  for (auto& i : found) EXPECT_EQ(i.version, "") << i.platform;
}

TEST(Baseline, ManifestLinesAndErrors) {
  std::string h(64, 'a');
  const std::string text = h + "  ./pub/index.php\n" + h + " *bin/magento\r\nnot a line\n" +
                           std::string(64, 'g') + "  x\n# comment\n\n";
  Baseline b = ParseManifest(text, "release.sha256");
  EXPECT_EQ(b.files.size(), 2u);
  EXPECT_TRUE(b.files.count("pub/index.php"));
  EXPECT_TRUE(b.files.count("bin/magento"));
  ASSERT_EQ(b.skipped.size(), 2u);
  EXPECT_EQ(b.skipped[0].ToString(), "release.sha256:3: expected \"<sha256>  <path>\" (10 bytes)");
  EXPECT_EQ(b.skipped[1].ToString(), "release.sha256:4: expected \"<sha256>  <path>\" (67 bytes)");
  EXPECT_EQ(b.skipped[0].offset, text.find("not a line"));
  EXPECT_EQ(b.skipped[1].offset, text.find("ggg"));
}

TEST(Baseline, CleanTreeAndReleaseArchiveGiveTheSameHashes) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "magento2-2.4.6-p5/pub");
  std::filesystem::create_directories(dir / "magento2-2.4.6-p5/app/etc");
  testing::WriteFile(dir / "magento2-2.4.6-p5/pub/index.php", "<?php echo 1;");
  testing::WriteFile(dir / "magento2-2.4.6-p5/app/etc/di.xml", "<config/>");
  auto tree = LoadBaseline(dir / "magento2-2.4.6-p5");
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(tree->kind, "tree");
  EXPECT_EQ(tree->files.at("pub/index.php"), Sha256Hex("<?php echo 1;"));
  for (const char* name : {"release.tar.gz", "release.zip"}) {
    std::string archive = dir / name;
    auto r = std::string(name).find(".zip") != std::string::npos
                 ? testing::Run({"sh", "-c",
                                 "cd '" + dir.path() + "' && zip -qr " + archive +
                                     " magento2-2.4.6-p5 2>&1 || python3 -c \"import "
                                     "shutil;shutil.make_archive('" +
                                     archive.substr(0, archive.size() - 4) + "','zip','" +
                                     dir.path() + "','magento2-2.4.6-p5')\""})
                 : testing::Run({"tar", "-C", dir.path(), "-czf", archive, "magento2-2.4.6-p5"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto b = LoadBaseline(archive);
    ASSERT_TRUE(b.ok()) << name << ": " << b.status().ToString();
    EXPECT_EQ(b->kind, "archive");
    EXPECT_EQ(b->files, tree->files) << name;  // the release's top directory is stripped
    EXPECT_EQ(b->hashes.size(), 2u);
  }
  testing::WriteFile(dir / "junk.bin", std::string(100, '\x07'));
  auto junk = LoadBaseline(dir / "junk.bin");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("not a directory, archive or sha256 manifest"),
            std::string::npos)
      << junk.status().ToString();
}

TEST(Baseline, AlignPrefixFindsTheWebRootInsideTheCollection) {
  Baseline b;
  b.files = {{"index.php", "1"}, {"app/etc/di.xml", "2"}, {"pub/index.php", "3"}};
  EXPECT_EQ(AlignPrefix({"var/www/html/index.php", "var/www/html/app/etc/di.xml",
                         "var/www/html/pub/index.php", "other.txt"},
                        b),
            "var/www/html/");
  EXPECT_EQ(AlignPrefix({"index.php", "pub/index.php"}, b), "");
}

}  // namespace
}  // namespace tq::webroot
