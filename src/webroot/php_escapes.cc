// Ways around disable_functions and around the functions the behaviour pass follows: a
// library preloaded into the processes mail() and error_log() spawn (LD_PRELOAD), sendmail's
// own log written where the web server runs PHP (mail()'s fifth argument, -X), error_log()
// appending request input to a .php file, a stylesheet whose php:function() calls a shell or
// code sink through XSLTProcessor, callbacks registered from the request (SQLite functions,
// sort callbacks, XSLT functions), an extension loaded by the name the request sends, and a
// request command run over SSH (ssh2_exec).
#include <cctype>
#include <string_view>

#include "webroot/php_facts.h"

namespace tq::webroot::php {
namespace {

bool CodeSinkName(std::string_view name) {
  std::string n = Lower(name.substr(0, 64));
  return In(n, kShellSinks) || In(n, {"eval", "assert", "create_function", "include", "require"});
}

// Literals in [a, b) whose text holds `what` (case-insensitive, first 4 KB of each).
bool RangeHolds(const std::vector<Token>& t, size_t a, size_t b, std::string_view what) {
  for (size_t k = a; k < b && k < t.size(); ++k)
    if (t[k].type == Tok::kString &&
        Lower(std::string_view(t[k].text).substr(0, 4096)).find(what) != std::string::npos)
      return true;
  return false;
}

}  // namespace

void AnalyzeSandboxEscapes(const std::vector<Token>& t, const PhpTaint& taint,
                           const std::string& layer, std::vector<CodeTrait>& out) {
  bool preload = false, spawns = false, xslt_functions = false, xslt_sink = false;
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    const Token& k = t[i];
    // php:function('system', ...) in a stylesheet (literal text anywhere in the layer).
    if (k.type == Tok::kString && k.text.size() < (1u << 20)) {
      std::string l = Lower(k.text);
      for (size_t p = l.find("php:function("); p != std::string::npos && !xslt_sink;
           p = l.find("php:function(", p + 1)) {
        size_t q = p + 13;
        while (q < l.size() && (l[q] == ' ' || l[q] == '\'' || l[q] == '"' || l[q] == '\\')) ++q;
        size_t e = q;
        while (e < l.size() && (std::isalnum(static_cast<unsigned char>(l[e])) || l[e] == '_')) ++e;
        if (e > q && CodeSinkName(std::string_view(l).substr(q, e - q))) xslt_sink = true;
      }
    }
    if (k.type != Tok::kWord || !IsOp(t[i + 1], "(")) continue;
    std::string w = Lower(k.text);
    size_t close = taint.Close(i + 1);
    bool method = i > 0 && IsOp(t[i - 1], "->");
    bool tainted = taint.RangeTainted(i + 2, close);
    // putenv('LD_PRELOAD=...'): the next process PHP starts loads a library of the page's.
    if (w == "putenv" && !method && RangeHolds(t, i + 2, close, "ld_preload")) preload = true;
    // What starts a process even with exec() and friends disabled.
    if (!method && In(w, {"mail", "mb_send_mail", "error_log", "imap_mail", "gnupg_init"}))
      spawns = true;
    if (method && w == "registerphpfunctions") {
      xslt_functions = true;
      if (tainted)
        AddTrait(out, "php.request_to_callback", "exec", 4,
                 "lets a stylesheet call the PHP functions the request names "
                 "(XSLTProcessor::registerPHPFunctions)",
                 layer);
    }
    // mail($to, $s, $m, $h, '-X /var/www/x.php'): sendmail logs the whole message to a file.
    if (!method && In(w, {"mail", "mb_send_mail"})) {
      size_t a = i + 2;
      for (int arg = 0; arg < 4 && a < close; ++arg) a = taint.ExprEnd(a, true) + 1;
      if (a < close) {
        bool log_file = false;
        for (size_t q = a; q < close; ++q) {
          if (t[q].type != Tok::kString) continue;
          std::string_view s(t[q].text);
          for (size_t p = s.find("-X"); p != std::string_view::npos; p = s.find("-X", p + 1))
            if ((p == 0 || s[p - 1] == ' ') && p + 2 <= s.size() &&
                (p + 2 == s.size() || s[p + 2] == ' ' || s[p + 2] == '/'))
              log_file = true;
        }
        if (log_file)
          AddTrait(out, "php.sendmail_log_file", "upload", 3,
                   "passes sendmail -X through mail()'s fifth argument (the message, request "
                   "input included, is logged to a file of the page's choosing)",
                   layer);
      }
    }
    // error_log($_POST['c'], 3, 'x.php'): request input appended to a PHP file.
    if (!method && w == "error_log") {
      size_t first_end = taint.ExprEnd(i + 2, true);
      size_t type_end = first_end < close ? taint.ExprEnd(first_end + 1, true) : close;
      bool to_file = first_end + 1 < close && t[first_end + 1].text == "3";
      bool php_path = false;
      for (size_t q = type_end; q < close; ++q) {
        if (t[q].type != Tok::kString) continue;
        std::string l = Lower(std::string_view(t[q].text).substr(0, 400));
        for (std::string_view ext : {".php", ".phtml", ".phar"})
          if (l.size() >= ext.size() && l.compare(l.size() - ext.size(), ext.size(), ext) == 0)
            php_path = true;
      }
      bool path_tainted = type_end < close && taint.RangeTainted(type_end + 1, close);
      if (to_file && taint.RangeTainted(i + 2, first_end) && (php_path || path_tainted))
        AddTrait(out, "php.request_to_file", "upload", 3,
                 php_path ? "appends request input to a .php file through error_log()"
                          : "appends request input to a file the request names through "
                            "error_log()",
                 layer);
    }
    // $db->createFunction('f', $_GET['cb']): SQL now calls whatever the request names.
    if (method &&
        In(w, {"createfunction", "createaggregate", "sqlitecreatefunction", "sqlitecreateaggregate",
               "uasort", "uksort"}) &&
        tainted) {
      size_t callback = i + 2;
      if (!In(w, {"uasort", "uksort"}))
        callback = taint.ExprEnd(i + 2, true) + 1;  // the callback follows the SQL name
      if (callback < close && taint.RangeTainted(callback, taint.ExprEnd(callback, true)))
        AddTrait(out, "php.request_to_callback", "exec", 4,
                 "registers a callback the request names (" + w + ")", layer);
    }
    // ssh2_exec($c, $_POST['cmd']): a shell command of the request's, run over SSH (to the
    // server itself, past disable_functions, or to the next host).
    if (!method && w == "ssh2_exec") {
      size_t first_end = taint.ExprEnd(i + 2, true);
      if (first_end < close &&
          taint.RangeTainted(first_end + 1, taint.ExprEnd(first_end + 1, true)))
        AddTrait(out, "php.request_to_shell", "exec", 4,
                 "runs request input as a shell command over SSH (ssh2_exec)", layer);
    }
    // dl($_GET['e']): a PHP extension of the request's choosing loaded into the server.
    if (!method && w == "dl" && tainted)
      AddTrait(out, "php.request_extension_load", "exec", 4,
               "loads the PHP extension the request names (dl)", layer);
  }
  if (preload && spawns)
    AddTrait(out, "php.ld_preload_spawn", "exec", 3,
             "sets LD_PRELOAD and starts a process through mail() or error_log() (runs a library "
             "of its own despite disable_functions)",
             layer);
  if (xslt_functions && xslt_sink)
    AddTrait(out, "php.xslt_code_sink", "exec", 3,
             "runs a shell or code function from an XSLT stylesheet (php:function with "
             "registerPHPFunctions)",
             layer);
}

}  // namespace tq::webroot::php
