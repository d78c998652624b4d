// Ways around disable_functions and around the followed sinks (php_escapes.cc), through the
// whole pipeline: each technique beside the look-alike that real code writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "webroot/php_trait_test_support.h"

namespace tq::webroot {
namespace {

TEST(PhpEscapes, LibraryPreloadedIntoAProcessMailStarts) {
  EXPECT_EQ(Strongest("<?php putenv('LD_PRELOAD=' . __DIR__ . '/x.so');"
                      " putenv('EVIL_CMD=' . $_GET['c']); mail('a@example.test', '', '', '');",
                      "php.ld_preload_spawn"),
            3);
  EXPECT_EQ(
      Strongest("<?php putenv(\"LD_PRELOAD=/tmp/h.so\"); error_log('x', 1, 'a@example.test');",
                "php.ld_preload_spawn"),
      3);
  // The time zone or a library path set for a converter, and mail sent: no.
  EXPECT_EQ(Strongest("<?php putenv('TZ=UTC'); putenv('LD_LIBRARY_PATH=/opt/lib');"
                      " mail($to, $subject, $body);",
                      "php.ld_preload_spawn"),
            0);
}

TEST(PhpEscapes, SendmailLogThroughMailsFifthArgument) {
  EXPECT_EQ(Strongest("<?php mail('a@example.test', 's', $_GET['b'], '',"
                      " '-OQueueDirectory=/tmp -X ' . __DIR__ . '/l.php');",
                      "php.sendmail_log_file"),
            3);
  EXPECT_EQ(
      Strongest("<?php mail($to, $s, $m, $h, \"-X/var/www/html/x.php\");", "php.sendmail_log_file"),
      3);
  // The envelope sender set with -f, and -X in the message body: no.
  EXPECT_EQ(Strongest("<?php mail($to, $subject, $body, $headers, '-f bounce@example.test');",
                      "php.sendmail_log_file"),
            0);
  EXPECT_EQ(
      Strongest("<?php mail($to, 'Options', 'use -X to log', $headers);", "php.sendmail_log_file"),
      0);
}

TEST(PhpEscapes, ErrorLogAppendingRequestInputToAPhpFile) {
  EXPECT_EQ(
      Strongest("<?php error_log($_POST['c'], 3, __DIR__ . '/cache.php');", "php.request_to_file"),
      3);
  EXPECT_EQ(Strongest("<?php error_log(base64_decode($_POST['c']), 3, $_POST['n']);",
                      "php.request_to_file"),
            3);
  // An application log of the request, and a PHP file logged to the system log: no.
  EXPECT_EQ(Strongest("<?php error_log('bad id ' . $_GET['id'] . \"\\n\", 3, '/var/log/app.log');",
                      "php.request_to_file"),
            0);
  EXPECT_EQ(Strongest("<?php error_log('failed in ' . __FILE__ . ' cache.php', 0);",
                      "php.request_to_file"),
            0);
}

TEST(PhpEscapes, StylesheetCallingAShellFunction) {
  std::string xslt =
      "<?php $x = new DOMDocument(); $x->loadXML('<xsl:stylesheet version=\"1.0\""
      " xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" xmlns:php=\"http://php.net/xsl\">"
      "<xsl:template match=\"/\"><xsl:value-of select=\"php:function(\\'system\\', string(/r))\"/>"
      "</xsl:template></xsl:stylesheet>');\n"
      "$p = new XSLTProcessor(); $p->registerPHPFunctions(); $p->importStylesheet($x);";
  EXPECT_EQ(Strongest(xslt, "php.xslt_code_sink"), 3);
  // A stylesheet formatting dates through PHP: no.
  EXPECT_EQ(Strongest("<?php $x->loadXML('<xsl:value-of select=\"php:function(\\'date\\', "
                      "\\'Y\\')\"/>'); $p = new XSLTProcessor(); $p->registerPHPFunctions('date');",
                      "php.xslt_code_sink"),
            0);
  EXPECT_EQ(Strongest("<?php $p = new XSLTProcessor(); $p->registerPHPFunctions($_GET['f']);",
                      "php.request_to_callback"),
            4);
}

TEST(PhpEscapes, CallbacksAndExtensionsTheRequestNames) {
  EXPECT_EQ(Strongest("<?php $db = new SQLite3(':memory:'); $db->createFunction('x', $_GET['f']);"
                      " $db->query(\"select x('\" . $_GET['a'] . \"')\");",
                      "php.request_to_callback"),
            4);
  EXPECT_EQ(Strongest("<?php $pdo->sqliteCreateFunction('f', $_POST['cb'], 1);",
                      "php.request_to_callback"),
            4);
  EXPECT_EQ(Strongest("<?php $a = new ArrayObject(array($_POST['c'])); $a->uasort($_POST['f']);",
                      "php.request_to_callback"),
            4);
  EXPECT_EQ(Strongest("<?php dl($_GET['e'] . '.so');", "php.request_extension_load"), 4);
  // A function of the application's registered for SQL, request values passed as data, and a
  // fixed extension loaded: no.
  EXPECT_EQ(
      Strongest("<?php $db->createFunction('regexp', 'my_regexp', 2);"
                " $db->query('select * from t where regexp(' . $db->quote($_GET['q']) . ')');",
                "php.request_to_callback"),
      0);
  EXPECT_EQ(Strongest("<?php $rows = new ArrayObject($_POST['rows']);"
                      " $rows->uasort(function ($a, $b) { return $a <=> $b; });",
                      "php.request_to_callback"),
            0);
  EXPECT_EQ(
      Strongest("<?php if (!extension_loaded('gd')) dl('gd.so');", "php.request_extension_load"),
      0);
}

TEST(PhpEscapes, RequestCommandRunOverSsh) {
  EXPECT_EQ(Strongest("<?php $c = ssh2_connect('127.0.0.1', 22); ssh2_auth_password($c, 'u', 'p');"
                      " $s = ssh2_exec($c, $_POST['cmd']); echo stream_get_contents($s);",
                      "php.request_to_shell"),
            4);
  // A monitoring page running a fixed command on the host the form names: no.
  EXPECT_EQ(Strongest("<?php $c = ssh2_connect($_POST['host'], 22);"
                      " ssh2_auth_pubkey_file($c, 'mon', '/etc/mon.pub', '/etc/mon');"
                      " $s = ssh2_exec($c, 'uptime');",
                      "php.request_to_shell"),
            0);
}

}  // namespace
}  // namespace tq::webroot
