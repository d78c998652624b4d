// What a PHP layer gives away or hides (php_exposure.cc), through the whole pipeline (lex,
// fold, decode, analyse): each technique beside the look-alike that real code writes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "webroot/normalize.h"

namespace tq::webroot {
namespace {

// The trait `id` of the normalised source: its strength, 0 when absent; -1 when it only
// counts beside another family.
int Trait(std::string_view src, std::string_view id) {
  for (const CodeTrait& t : Normalize(src, CodeKind::kPhp).traits)
    if (t.id == id) return t.alone ? t.strength : -1;
  return 0;
}

TEST(PhpExposure, RequestInputUnderABuiltName) {
  EXPECT_EQ(
      Trait("<?php $_POST[4] == ${chr(95).'POS'.chr(84)}[4]; ?>", "php.concealed_request_input"),
      3);
  EXPECT_EQ(Trait("<?php $c = ${'_G' . 'ET'}['c']; echo $c;", "php.concealed_request_input"), 3);
  EXPECT_EQ(Trait("<?php $n = '_COOKIE'; $v = $$n['x'];", "php.concealed_request_input"), 3);
  // Variable variables over the code's own names, and superglobals written plainly: no.
  EXPECT_EQ(Trait("<?php $n = 'config'; $v = $$n; $w = ${'lang'};", "php.concealed_request_input"),
            0);
  EXPECT_EQ(Trait("<?php $q = $_GET['q']; $p = $_POST;", "php.concealed_request_input"), 0);
}

TEST(PhpExposure, ConfigurationFilePrintedToThePage) {
  EXPECT_EQ(
      Trait("<? echo file_get_contents(\"..//cfg_database.php\");?>", "php.config_disclosure"), 3);
  EXPECT_EQ(Trait("<?php readfile('/etc/passwd');", "php.config_disclosure"), 3);
  EXPECT_EQ(Trait("<?php highlight_file('../app/etc/env.php');", "php.config_disclosure"), 3);
  EXPECT_EQ(
      Trait("<?php print @file_get_contents('../../wp-config.php');", "php.config_disclosure"), 3);
  // The application reading its own settings, or printing a template: no.
  EXPECT_EQ(Trait("<?php $c = json_decode(file_get_contents('config.json'), true);",
                  "php.config_disclosure"),
            0);
  EXPECT_EQ(Trait("<?php echo file_get_contents('templates/footer.html'); readfile($path);",
                  "php.config_disclosure"),
            0);
}

TEST(PhpExposure, EveryAccountsPasswordDumped) {
  std::string dump =
      "<?php set_time_limit(0); $c = mysql_connect('127.0.0.1', 'root', 'root');\n"
      "$r = mysql_query('select username,password from `users` limit ' . $n . ',' . $m);\n"
      "while ($row = mysql_fetch_array($r)) { if ($k++ > 100) { flush(); }\n"
      "  echo $row['username'] . '-->' . $row['password'] . \"\\n\"; }";
  EXPECT_EQ(Trait(dump, "php.credential_dump"), 3);
  std::string cards =
      "<?php $s = $db->query(\"SELECT cc_number_enc, cc_exp_year FROM sales_order_payment\");\n"
      "while ($r = $s->fetch()) fwrite($fh, implode(';', $r) . \"\\n\");";
  EXPECT_EQ(Trait(cards, "php.credential_dump"), 3);
  // A login looks one account up; a list of customers prints no password.
  EXPECT_EQ(Trait("<?php $r = mysqli_query($c, \"SELECT id, password FROM users WHERE login = '\" "
                  ". $l . \"'\"); while ($row = mysqli_fetch_assoc($r)) { echo $row['id']; }",
                  "php.credential_dump"),
            0);
  EXPECT_EQ(Trait("<?php $r = mysqli_query($c, 'SELECT name, email FROM customers');\n"
                  "while ($row = mysqli_fetch_assoc($r)) { echo $row['name']; }",
                  "php.credential_dump"),
            0);
  // Selected but never printed or written (a migration copies it with SQL): no.
  EXPECT_EQ(Trait("<?php $r = $db->query('SELECT id, user_pass FROM wp_users');\n"
                  "while ($row = $r->fetch()) { $new->insert('users', $row); }",
                  "php.credential_dump"),
            0);
}

TEST(PhpExposure, OtherSitesOnTheAddressLookedUp) {
  std::string bing =
      "<?php $sites = mbing(\"ip:$target index.php?option=com\");\n"
      "function mbing($what) { $ch = curl_init(); curl_setopt($ch, CURLOPT_URL, "
      "\"http://www.bing.com/search?q=\" . str_replace(' ', '+', $what)); return curl_exec($ch); }";
  EXPECT_EQ(Trait(bing, "php.reverse_ip_lookup"), 3);
  EXPECT_EQ(Trait("<?php $x = file_get_contents('https://api.hackertarget.com/reverseiplookup/?q=' "
                  ". $ip);",
                  "php.reverse_ip_lookup"),
            3);
  // A site search box that links to a search engine: no.
  EXPECT_EQ(Trait("<?php echo '<a href=\"https://www.bing.com/search?q=' . urlencode($q) . "
                  "'\">Bing</a>'; $ip = $_SERVER['REMOTE_ADDR'];",
                  "php.reverse_ip_lookup"),
            0);
}

TEST(PhpExposure, FixedPasswordOpeningSqlWrites) {
  std::string gate =
      "<?php if (isset($_REQUEST['password']) && ($_REQUEST['password'] == "
      "'5f4dcc3b5aa765d61d8327deb882cf99')) {\n"
      "  $wpdb->query('UPDATE `' . $wpdb->prefix . 'posts` SET `post_content` = \"' . "
      "$_REQUEST['data'] . '\" WHERE `ID` = 1'); }";
  EXPECT_EQ(Trait(gate, "php.fixed_password_gate"), -1);
  EXPECT_EQ(Trait(gate, "php.request_sql_write"), -1);
  EXPECT_EQ(
      Trait("<?php if (md5($_GET['k']) === 'e10adc3949ba59abbe56e057f20f883e') { phpinfo(); }",
            "php.fixed_password_gate"),
      -1);
  // Actions chosen by name, a password compared with the stored one: no gate.
  EXPECT_EQ(Trait("<?php if ($_GET['action'] == 'delete_post') { $wpdb->query('DELETE FROM t "
                  "WHERE id = ' . (int)$_GET['id']); }",
                  "php.fixed_password_gate"),
            0);
  EXPECT_EQ(
      Trait("<?php if ($_POST['password'] == $stored) { login(); }", "php.fixed_password_gate"), 0);
  // The gate without SQL written from the request: only the gate.
  EXPECT_EQ(
      Trait("<?php if ($_GET['pass'] == 'letmein99') { echo 'ok'; }", "php.request_sql_write"), 0);
}

TEST(PhpExposure, DriveLettersNetworkScansAndSessionFiles) {
  EXPECT_EQ(Trait("<?php foreach (range('c', 'z') as $l) if (is_dir($l . ':')) echo $l;",
                  "php.lists_drives"),
            -1);
  EXPECT_EQ(Trait("<?php $net = substr($ip, 0, strrpos($ip, '.') + 1);\n"
                  "for ($i = 1; $i < 255; $i++) { $u = \"http://\" . $net . $i; check($u); }",
                  "php.network_scan"),
            2);
  EXPECT_EQ(Trait("<?php $net = $_GET['n'];\n"
                  "for ($i = 1; $i < 255; $i++) { $u = 'http://' . $net . '.' . $i; check($u); }",
                  "php.network_scan"),
            3);
  // Paging through 255 results of one host's API: the counter is no address.
  EXPECT_EQ(Trait("<?php for ($p = 1; $p <= 255; $p++) { $u = 'https://' . $host . '/api?page=' "
                  ". $p; get($u); }",
                  "php.network_scan"),
            0);
  // A path with a colon in the middle is no drive letter tried.
  EXPECT_EQ(Trait("<?php if (is_dir($base . ':cache')) { $x = 1; }", "php.lists_drives"), 0);
  std::string sessions =
      "<?php $d = opendir('/var/lib/php/sessions');\n"
      "while (($f = readdir($d)) !== false) if (strpos($f, 'sess_') === 0) {\n"
      "  echo htmlspecialchars(file_get_contents('/var/lib/php/sessions/' . $f)); }";
  EXPECT_EQ(Trait(sessions, "php.session_file_reader"), 3);
  // A session garbage collector lists and deletes them, printing nothing.
  EXPECT_EQ(Trait("<?php foreach (glob($dir . '/sess_*') as $f) if (filemtime($f) < $old) "
                  "unlink($f);",
                  "php.session_file_reader"),
            0);
}

TEST(PhpExposure, SinkNameCompletedAtRunTime) {
  EXPECT_EQ(Trait("<?php function add(&$v) { $v = $v . 't'; } $a = 'asser'; add($a);"
                  " $a($_GET['c']);",
                  "php.completed_sink_name"),
            3);
  // A callback held whole, or a partial name never called: no.
  EXPECT_EQ(Trait("<?php $f = 'strtoupper'; echo $f($name); $p = 'sys'; echo $p . 'tem';",
                  "php.completed_sink_name"),
            0);
}

TEST(PhpExposure, EveryTableDumpedWithALoginWrittenInTheFile) {
  std::string dump =
      "<?php $u = 'root'; $p = 'secret'; $h = 'localhost';\n"
      "$l = @mysql_connect($h, $u, $p); $q = mysql_query('show tables');\n"
      "while ($t = mysql_fetch_array($q)) { $r = mysql_query(\"select * from `$t[0]`\");\n"
      "  while ($row = mysql_fetch_assoc($r)) $out .= implode(',', $row); }";
  EXPECT_EQ(Trait(dump, "php.dumps_every_table"), -1);
  EXPECT_EQ(Trait(dump, "php.literal_database_login"), -1);
  // A backup plugin: every table, with the application's own login; an installer connecting
  // with what the form sent.
  std::string backup =
      "<?php $db = new mysqli(DB_HOST, DB_USER, DB_PASSWORD, DB_NAME);\n"
      "foreach ($db->query('SHOW TABLES') as $t) $db->query('SELECT * FROM ' . $t[0]);";
  EXPECT_EQ(Trait(backup, "php.literal_database_login"), 0);
  EXPECT_EQ(Trait("<?php $c = mysqli_connect($_POST['host'], $_POST['user'], $_POST['pass']);",
                  "php.literal_database_login"),
            0);
}

TEST(PhpExposure, VisitorsFromAntiPhishingServicesTurnedAway) {
  std::string cloak =
      "<?php $host = gethostbyaddr($_SERVER['REMOTE_ADDR']);\n"
      "$blocked = array('phishtank', 'netcraft', 'fraudwatch', 'trendmicro', 'kaspersky');\n"
      "foreach ($blocked as $b) if (stripos($host, $b) !== false) {\n"
      "  header('HTTP/1.0 404 Not Found'); exit; }\n"
      "header('Location: https://login.example.test/verify');";
  EXPECT_EQ(Trait(cloak, "php.visitor_cloak"), 3);
  // The same names in a user-agent list with the page answering nothing different to them.
  EXPECT_EQ(Trait("<?php $ua = $_SERVER['HTTP_USER_AGENT'];\n"
                  "foreach (array('phishtank', 'netcraft', 'sucuri') as $b)\n"
                  "  if (stripos($ua, $b) !== false) $stats['bots']++;",
                  "php.visitor_cloak"),
            0);
  // A crawler list naming one security vendor beside search engines, and a redirect.
  EXPECT_EQ(Trait("<?php $ua = $_SERVER['HTTP_USER_AGENT'];\n"
                  "$bots = array('googlebot', 'bingbot', 'NetcraftSurveyAgent', 'AhrefsBot');\n"
                  "if (preg_match('/' . implode('|', $bots) . '/i', $ua)) header('Location: /');",
                  "php.visitor_cloak"),
            0);
  // Anti-spam code: the visitor's address against DNS blocklists, refused with 403.
  EXPECT_EQ(
      Trait("<?php $ip = implode('.', array_reverse(explode('.', $_SERVER['REMOTE_ADDR'])));\n"
            "foreach (array('zen.spamhaus.org', 'multi.surbl.org', 'bl.spamcop.net') as $l)\n"
            "  if (checkdnsrr($ip . '.' . $l, 'A')) { header('HTTP/1.1 403 Forbidden'); exit; }",
            "php.visitor_cloak"),
      0);
}

}  // namespace
}  // namespace tq::webroot
