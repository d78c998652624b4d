// Behaviour analysis of PHP layers over folded tokens: what the code does, not which strings
// it holds. Request input (superglobals, php://input, getallheaders, extract()ed variables)
// reaching an execution sink (eval, assert, create_function, preg_replace /e, shell functions
// and backticks, callbacks, variable functions, include), file writes and uploads saved under
// the client's name; payloads decoded and run; sink names built from pieces or hidden by an
// encoding; droppers; database consoles, mass mailers and mailed beacons; card fields written
// to a file or mail. JavaScript and HTML are in behaviour_js.cc, the taint in php_taint.h.
// The taint tracking is deliberately shallow (one file, assignments and foreach only): it
// runs in linear time on hostile input, and frameworks that move request data through
// objects do not reach a sink in it, which is what keeps clean stores quiet.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>

#include "webroot/code_lexer.h"
#include "webroot/php_facts.h"
#include "webroot/php_taint.h"

namespace tq::webroot {
namespace {

using php::In;
using php::kCodeSinks;
using php::kDecoders;
using php::kShellSinks;
using php::Lower;
using php::PhpTaint;

bool PregE(std::string_view pattern) {
  if (pattern.size() < 3) return false;
  char open = pattern[0];
  char close = open == '(' ? ')' : open == '{' ? '}' : open == '[' ? ']' : open == '<' ? '>' : open;
  if (std::isalnum(static_cast<unsigned char>(open)) || open == '\\') return false;
  size_t end = pattern.rfind(close);
  if (end == 0 || end == std::string_view::npos) return false;
  std::string_view flags = pattern.substr(end + 1);
  for (char c : flags)
    if (!std::isalpha(static_cast<unsigned char>(c)) &&
        !std::isspace(static_cast<unsigned char>(c)))
      return false;
  return flags.find('e') != std::string_view::npos;
}

}  // namespace

void AddTrait(std::vector<CodeTrait>& out, std::string id, std::string family, int strength,
              std::string what, const std::string& layer) {
  for (const CodeTrait& t : out)
    if (t.id == id && t.layer == layer) return;
  out.push_back({std::move(id), std::move(family), strength, std::move(what), layer, true, "", ""});
}

bool CardSecretName(std::string_view s) {
  std::string l = Lower(s.substr(0, 200));
  for (std::string_view k :
       {"cc_number", "ccnumber", "cc-number", "card_number", "cardnumber", "card-number", "cc_cid",
        "cc-cid", "cvv", "cvc", "securitycode", "security_code", "getccnumber", "getcccid"})
    if (l.find(k) != std::string::npos) return true;
  return false;
}

bool CardFieldName(std::string_view s) {
  if (CardSecretName(s)) return true;
  std::string l = Lower(s.substr(0, 200));
  for (std::string_view k : {"cc_exp", "cc-exp", "ccexp", "card_exp", "payment[cc", "cc_owner",
                             "card_holder", "cardholder"})
    if (l.find(k) != std::string::npos) return true;
  return false;
}

void AnalyzePhp(const std::vector<Token>& t, const std::string& layer,
                std::vector<CodeTrait>& out) {
  PhpTaint taint(t);
  taint.Propagate();
  bool card = false, card_out = false, encode = false;
  bool listens = false;
  bool db_connect = false, db_open = false, request_sql = false, request_sql_method = false,
       mail_loop = false, long_run = false, beacon = false, server_paths = false;
  // A mail client of its own: MX records looked up, a socket opened, SMTP's RCPT TO sent.
  bool mx_lookup = false, smtp_socket = false, smtp_rcpt = false;
  std::set<std::string> request_ops;
  // An argument that is request input by itself (not a value inside a fixed SQL template).
  auto request_value = [&](size_t a, size_t end) {
    if (end == a + 1 && taint.Direct(a)) return true;
    return end > a + 1 && t[a].type == Tok::kVar && taint.IsSource(a) && IsOp(t[a + 1], "[") &&
           IsOp(t[end - 1], "]") && taint.Close(a + 1) + 1 == end;  // $_POST['sql']
  };
  auto whole_argument_tainted = [&](size_t open) {
    size_t close = taint.Close(open);
    for (size_t a = open + 1; a < close; ++a) {
      size_t end = taint.ExprEnd(a, true);
      if (request_value(a, end)) return true;
      a = end;
    }
    return false;
  };
  // Paths that name a .php file: literals, and variables set to an expression holding one;
  // handles fopen() returned for them.
  std::set<std::string> php_paths, php_handles;
  auto php_literal = [&](const Token& k) {
    if (k.type != Tok::kString) return false;
    std::string l = Lower(std::string_view(k.text).substr(0, 400));
    for (std::string_view ext : {".php", ".phtml", ".inc"})
      if (l.size() >= ext.size() && l.compare(l.size() - ext.size(), ext.size(), ext) == 0)
        return true;
    return false;
  };
  auto PhpPath = [&](size_t a, size_t b) {
    for (size_t k = a; k < b && k < t.size(); ++k)
      if (php_literal(t[k]) || (t[k].type == Tok::kVar && php_paths.count(t[k].text))) return true;
    return false;
  };
  // PHP and web server settings files (php.ini, .user.ini, .htaccess) and handles to them.
  std::set<std::string> config_handles;
  auto config_path = [&](size_t a, size_t b) {
    for (size_t k = a; k < b && k < t.size(); ++k) {
      if (t[k].type != Tok::kString) continue;
      std::string l = Lower(std::string_view(t[k].text).substr(0, 400));
      for (std::string_view name : {"php.ini", ".user.ini", ".htaccess"})
        if (l.size() >= name.size() && l.compare(l.size() - name.size(), name.size(), name) == 0)
          return true;
    }
    return false;
  };
  // A path expression as text ("$tmp", "/tmp/x.php"), to tell that a file written here is
  // the one included there; handles fopen() returned, by the path they were opened on.
  auto path_text = [&](size_t a, size_t b) {
    std::string out;
    for (size_t k = a; k < b && k < t.size() && out.size() < 512; ++k)
      if (!IsOp(t[k], "(") && !IsOp(t[k], ")") && !IsOp(t[k], "@"))
        (out += t[k].type == Tok::kString ? "'" : "") += t[k].text;
    return out;
  };
  std::map<std::string, std::string> handle_paths;
  std::set<std::string> request_written, included;
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i].type != Tok::kVar || !IsOp(t[i + 1], "=")) continue;
    size_t end = taint.ExprEnd(i + 2, true);
    size_t v = i + 2;
    while (v < end && IsOp(t[v], "@")) ++v;
    bool open = v + 1 < end && t[v].type == Tok::kWord && Lower(t[v].text) == "fopen";
    if (open) handle_paths[t[i].text] = path_text(v + 2, taint.ExprEnd(v + 2, true));
    if (open && config_path(v + 2, taint.ExprEnd(v + 2, true))) config_handles.insert(t[i].text);
    if (open && PhpPath(v + 2, taint.ExprEnd(v + 2, true)))
      php_handles.insert(t[i].text);
    else if (PhpPath(i + 2, end))
      php_paths.insert(t[i].text);
  }
  // Settings that switch the server's protections off, or make PHP of other files.
  auto lifts_protection = [&](size_t a, size_t b) {
    for (size_t k = a; k < b && k < t.size(); ++k) {
      if (t[k].type != Tok::kString) continue;
      std::string l = Lower(std::string_view(t[k].text).substr(0, 4096));
      for (std::string_view d : {"disable_functions", "safe_mode", "open_basedir",
                                 "suhosin.executor", "x-httpd-php", "auto_prepend_file"})
        if (l.find(d) != std::string::npos) return true;
    }
    return false;
  };
  const php::FileFacts facts = php::CollectFileFacts(t, taint);
  const auto& reflected_sinks = facts.reflected_sinks;
  const auto& own = facts.own;
  const auto& image_metadata = facts.image_metadata;
  const auto& variable_call_results = facts.variable_call_results;
  php::AnalyzeLayerAsAWhole(t, taint, layer, out);
  bool request_seen = false;
  for (size_t i = 0; i < t.size() && !request_seen; ++i) request_seen = taint.IsSource(i);
  size_t decoded_literals = 0;
  // register_globals (see PhpTaint::Undefined) is judged on the file's own code only: a
  // decoded payload's variables are the outer file's.
  bool root = layer.find('>') == std::string::npos;
  std::set<std::string> undefined_ops;
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    if (k.type == Tok::kString && !k.decoded_by.empty()) ++decoded_literals;
    if ((k.type == Tok::kString || k.type == Tok::kWord) && CardFieldName(k.text)) card = true;
    bool call = i + 1 < t.size() && IsOp(t[i + 1], "(");
    bool member = i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::") ||
                            (t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "function") ||
                            (t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "new"));
    // Backtick shell strings.
    if (k.type == Tok::kString && k.quote == '`' && taint.Tainted(i))
      AddTrait(out, "php.request_to_shell", "exec", 4,
               "runs request input as a shell command (backticks)", layer);
    if (k.type == Tok::kVar && call && !member) {
      size_t close = taint.Close(i + 1);
      if (taint.Tainted(i) || (taint.extract(i) && k.text != "$this"))
        AddTrait(out, "php.request_as_function", "exec", 4,
                 "calls a function whose name comes from the request (" + k.text + "(...))", layer);
      else if (taint.DecodedFromLiteral(i))
        AddTrait(out, "php.decoded_function_call", "exec", 3,
                 "calls a function whose name is decoded at run time (" + k.text + "(...))", layer);
      else if (taint.RangeTainted(i + 2, close))
        AddTrait(out, "php.request_to_dynamic_call", "exec", 3,
                 "passes request input to a variable function " + k.text + "(...)", layer);
    }
    // $_GET['a']($_GET['b']) and friends: a request value called.
    if (k.type == Tok::kVar && taint.IsSource(i) && i + 1 < t.size() && IsOp(t[i + 1], "[")) {
      size_t j = i + 1;
      while (j < t.size() && IsOp(t[j], "[")) j = taint.ExprEnd(j + 1, false) + 1;
      if (j < t.size() && IsOp(t[j], "("))
        AddTrait(out, "php.request_as_function", "exec", 4,
                 "calls a function named by request input (" + k.text + "[...](...))", layer);
    }
    // $t['f']($t['h']): a function taken from a table of decoded strings (names built with
    // pack, chr or base64 so that no search finds them) and called.
    if (k.type == Tok::kVar && taint.DecodedTableVar(i) && !member && i + 1 < t.size() &&
        IsOp(t[i + 1], "[")) {
      size_t j = i + 1;
      while (j < t.size() && IsOp(t[j], "[")) j = taint.ExprEnd(j + 1, false) + 1;
      if (j < t.size() && IsOp(t[j], "("))
        AddTrait(out, "php.decoded_function_call", "exec", 3,
                 "calls a function taken from a table of decoded names (" + k.text + "[...])",
                 layer);
    }
    // $list[0]['fn']($_POST['x']): a function taken from an array element and called on
    // request input (the element was set to 'assert' where no fold follows it).
    if (k.type == Tok::kVar && !taint.IsSource(i) && !member && i + 1 < t.size() &&
        IsOp(t[i + 1], "[")) {
      size_t j = i + 1;
      while (j < t.size() && IsOp(t[j], "[")) j = taint.ExprEnd(j + 1, false) + 1;
      if (j < t.size() && IsOp(t[j], "(") && taint.RangeTainted(j + 1, taint.Close(j)))
        AddTrait(out, "php.request_to_dynamic_call", "exec", 3,
                 "passes request input to a function taken from " + k.text + "[...]", layer);
    }
    // new ReflectionFunction($_GET['f']): the request names the function to run.
    if (k.type == Tok::kWord && call && i > 0 && t[i - 1].type == Tok::kWord &&
        Lower(t[i - 1].text) == "new" && Lower(k.text) == "reflectionfunction" &&
        taint.RangeTainted(i + 2, taint.Close(i + 1)))
      AddTrait(out, "php.request_as_function", "exec", 4,
               "calls a function whose name comes from the request (ReflectionFunction)", layer);
    // $f = new ReflectionFunction('system'); $f->invokeArgs([$_GET['c']]): an execution sink
    // called through reflection, so that no call of it appears in the code.
    if (k.type == Tok::kWord && i > 1 && IsOp(t[i - 1], "->") && call &&
        In(Lower(k.text), {"invoke", "invokeargs"}) && t[i - 2].type == Tok::kVar &&
        reflected_sinks.count(t[i - 2].text) && taint.RangeTainted(i + 2, taint.Close(i + 1)))
      AddTrait(out, "php.request_to_reflected_sink", "exec", 4,
               "runs request input through " + reflected_sinks.at(t[i - 2].text) +
                   "(), called by reflection",
               layer);
    // new COM('WScript.Shell'): Windows' shell and file system driven from PHP; ADSI
    // monikers (IIS://, WinNT://) read the server's sites, accounts and their passwords.
    if (k.type == Tok::kWord && call && i > 0 && t[i - 1].type == Tok::kWord &&
        Lower(t[i - 1].text) == "new" && Lower(k.text) == "com" && i + 2 < t.size() &&
        t[i + 2].type == Tok::kString &&
        (In(Lower(t[i + 2].text), {"wscript.shell", "shell.application", "wscript.network",
                                   "scripting.filesystemobject"}) ||
         Lower(t[i + 2].text).rfind("iis://", 0) == 0 ||
         Lower(t[i + 2].text).rfind("winnt://", 0) == 0))
      AddTrait(out, "php.windows_shell_object", "exec", 3,
               "drives the Windows shell or server directory through a COM object (" +
                   t[i + 2].text + ")",
               layer);
    // str_rot13('nffreg') handed to a call: an execution sink named through an encoding,
    // to be called back by whatever receives it.
    if (k.type == Tok::kString && !k.decoded_by.empty() && i > 0 &&
        (IsOp(t[i - 1], "(") || IsOp(t[i - 1], ",")) && i + 1 < t.size() &&
        (IsOp(t[i + 1], ")") || IsOp(t[i + 1], ",")) &&
        In(Lower(k.text), {"assert", "system", "passthru", "shell_exec", "exec", "popen",
                           "proc_open", "create_function", "pcntl_exec"}))
      AddTrait(out, "php.hidden_exec_call", "exec", 3,
               "passes " + Lower(k.text) + " as a callback, its name hidden (" + k.decoded_by + ")",
               layer);
    // A database console: the request gives the server and credentials, or the SQL itself.
    if (k.type == Tok::kWord && call && i > 0 &&
        ((t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "new" &&
          In(Lower(k.text), {"mysqli", "pdo"}) && taint.RangeTainted(i + 2, taint.Close(i + 1))) ||
         (IsOp(t[i - 1], "->") && In(Lower(k.text), {"real_connect"}) &&
          taint.RangeTainted(i + 2, taint.Close(i + 1)))))
      db_connect = true;
    if (k.type == Tok::kWord && call && i > 0 && IsOp(t[i - 1], "->") &&
        In(Lower(k.text), {"query", "exec", "multi_query", "real_query", "prepare"}) &&
        whole_argument_tainted(i + 1))
      request_sql_method = true;  // ->query() is SQL only beside a connection the file opens
    if (k.type == Tok::kWord && call && i > 0 &&
        ((t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "new" &&
          In(Lower(k.text), {"mysqli", "pdo"})) ||
         In(Lower(k.text), {"mysqli_connect", "mysql_connect", "mysql_pconnect", "pg_connect"})))
      db_open = true;
    if (k.type == Tok::kString && !smtp_rcpt && k.text.size() >= 7) {
      std::string head = Lower(std::string_view(k.text).substr(0, 16));
      smtp_rcpt = head.rfind("rcpt to", 0) == 0;
    }
    if (k.type == Tok::kWord && call &&
        (Lower(k.text) == "getmxrr" || Lower(k.text) == "dns_get_record")) {
      std::string name = Lower(k.text);
      if (name == "getmxrr") mx_lookup = true;
      for (size_t a = i + 2, end = taint.Close(i + 1); name != "getmxrr" && a < end; ++a)
        if (t[a].type == Tok::kWord && t[a].text == "DNS_MX") mx_lookup = true;
    }
    if (k.type == Tok::kWord && call &&
        In(Lower(k.text), {"fsockopen", "pfsockopen", "stream_socket_client", "socket_connect"}))
      smtp_socket = true;
    if (k.type == Tok::kVar && i + 2 < t.size() && k.text == "$_SERVER" && IsOp(t[i + 1], "[") &&
        t[i + 2].type == Tok::kString &&
        In(t[i + 2].text, {"DOCUMENT_ROOT", "SCRIPT_FILENAME", "PATH_TRANSLATED"}))
      server_paths = true;
    // Framework file writers that take file_put_contents' arguments (Magento's
    // Driver\File::filePutContents, Symfony's Filesystem::dumpFile) are judged as it is.
    bool framework_write = member && call && k.type == Tok::kWord &&
                           In(Lower(k.text), {"fileputcontents", "dumpfile"});
    if (k.type != Tok::kWord || (member && !framework_write)) continue;
    std::string w = framework_write ? "file_put_contents" : Lower(k.text);
    if (call && In(w, {"set_time_limit", "ignore_user_abort"})) long_run = true;
    if (call && In(w, {"socket_listen", "stream_socket_server"})) listens = true;
    if (In(w, {"base64_encode", "serialize", "json_encode", "openssl_encrypt", "bin2hex",
               "gzdeflate", "gzcompress", "str_rot13", "urlencode", "http_build_query"}))
      encode = true;
    // include / require of request input.
    if (In(w, {"include", "include_once", "require", "require_once"})) {
      size_t end = taint.ExprEnd(i + 1, false);
      if (taint.RangeRemote(i + 1, end))
        AddTrait(out, "php.remote_code", "exec", 4, "includes code fetched from a URL", layer);
      // A fixed directory and suffix around the request value (config-<host>.php) is how
      // multi-site setups pick a file; a path that is the request value is a backdoor.
      size_t first = i + 1;
      while (first < end && (IsOp(t[first], "(") || IsOp(t[first], "@"))) ++first;
      bool fixed_prefix =
          first < end && !taint.Tainted(first) &&
          (t[first].type == Tok::kString ||
           (t[first].type == Tok::kWord && !(first + 1 < end && IsOp(t[first + 1], "("))));
      if (first < end && t[first].type == Tok::kVar && taint.Prefixed(first)) fixed_prefix = true;
      // 'data://text/plain;base64,' . $_GET['c']: the prefix is a stream wrapper that makes
      // the request value itself the code, not a directory around a name.
      if (first < end && t[first].type == Tok::kString) {
        std::string head = Lower(std::string_view(t[first].text).substr(0, 16));
        for (std::string_view wrapper : {"data:", "php://input", "expect://"})
          if (head.rfind(wrapper, 0) == 0) fixed_prefix = false;
      }
      included.insert(path_text(i + 1, end));
      // include '/pub/media/favicon_3ab1.ico': PHP kept in a file named as an image or a
      // font, where no scan of code looks (no page includes a real image).
      for (size_t a = i + 1; a < end && a < t.size(); ++a)
        if (t[a].type == Tok::kString && ImageNamedPath(t[a].text)) {
          AddTrait(out, "php.includes_image_file", "exec", 3,
                   "includes a file named as an image or font (PHP hidden in a media file)", layer);
          break;
        }
      if (taint.RangeTainted(i + 1, end))
        AddTrait(out, fixed_prefix ? "php.request_names_include" : "php.request_to_include", "exec",
                 fixed_prefix ? 2 : 4,
                 fixed_prefix ? "includes a file whose name contains request input"
                              : "includes a file named by request input",
                 layer);
      continue;
    }
    if (!call) continue;
    size_t close = taint.Close(i + 1);
    bool tainted_args = taint.RangeTainted(i + 2, close);
    // A name built from pieces hides the call from a plain search; hiding an execution sink
    // is two traits at once (concealment and execution).
    if (k.concealed && (In(w, {"eval", "assert", "create_function", "call_user_func",
                               "call_user_func_array", "preg_replace"}) ||
                        In(w, kShellSinks)))
      AddTrait(out, "php.hidden_exec_call", "exec", 3,
               "calls " + w + "() through a name built from pieces", layer);
    else if (k.concealed && !k.decoded_by.empty())
      // A name that a decoder produced (base64, xor, the file's own decoder function): the
      // call is hidden on purpose, whichever function it names.
      AddTrait(out, "php.decoded_function_call", "exec", 3,
               "calls " + w + "() through a name decoded at run time (" + k.decoded_by + ")",
               layer);
    else if (k.concealed && (In(w, kCodeSinks) || In(w, kDecoders) ||
                             In(w, {"file_put_contents", "fwrite", "move_uploaded_file"})))
      AddTrait(out, "obfuscation.hidden_function_name", "obfuscation", 2,
               "calls " + w + "() through a name built from pieces", layer);
    // An execution sink on a value the code computes: weak alone (template engines eval
    // compiled code), telling beside an independent obfuscation trait.
    if (In(w, {"eval", "assert", "create_function", "system", "exec", "shell_exec", "passthru",
               "popen", "proc_open"}) &&
        !(i + 3 < t.size() && t[i + 2].type == Tok::kString && IsOp(t[i + 3], ")"))) {
      AddTrait(out, "php.exec_sink", "exec", 2, "passes a computed value to " + w + "()", layer);
      for (CodeTrait& ct : out)
        if (ct.id == "php.exec_sink") ct.alone = false;
    }
    // $f = 'c'.'o'.'p'.'y'; $f($_FILES[..]): request input handed to a function whose name
    // was built so that no search finds the call.
    if (k.concealed && tainted_args && !In(w, kCodeSinks) && !In(w, kShellSinks))
      AddTrait(out, "php.request_to_hidden_call", "exec", 3,
               "passes request input to " + w + "(), called through a name built from pieces",
               layer);
    if ((In(w, kShellSinks) || In(w, {"eval", "assert", "create_function"})) &&
        taint.RangeSocketData(i + 2, close))
      AddTrait(
          out, "php.back_connect_shell", "exec", 4,
          "runs what it reads from a network connection it opens (" + w + "; a back-connect shell)",
          layer);
    if (In(w, kShellSinks) && tainted_args)
      AddTrait(out, "php.request_to_shell", "exec", 4,
               "runs request input as a shell command (" + w + ")", layer);
    if (In(w, kCodeSinks) && tainted_args) {
      // A callback sink only executes request input when the request names the callback or
      // (eval, assert, create_function) is the code itself.
      bool code_sink = In(w, {"eval", "assert", "create_function"});
      size_t first_end = taint.ExprEnd(i + 2, true);
      // [$this, $_GET['a']]: the request picks a method of an object the code chose (a
      // dispatcher), not any function; only a request-chosen object or function is exec.
      auto callback_tainted = [&](size_t a, size_t b) {
        if (a >= b || a >= t.size()) return false;
        size_t first = IsOp(t[a], "[") ? a + 1
                       : t[a].type == Tok::kWord && Lower(t[a].text) == "array" && a + 1 < b &&
                               IsOp(t[a + 1], "(")
                           ? a + 2
                           : 0;
        if (first && first < b && taint.ExprEnd(first, true) < b)
          return taint.ValueTainted(first, taint.ExprEnd(first, true));
        return taint.ValueTainted(a, b);
      };
      bool callback_from_request = callback_tainted(i + 2, first_end);
      if (w == "usort" || w == "uasort" || w == "uksort" || w == "array_walk" ||
          w == "array_filter" || w == "array_reduce" || w == "iterator_apply" ||
          w == "array_walk_recursive" || w == "preg_replace_callback" || w == "mb_ereg_replace" ||
          w == "mb_ereg_replace_callback") {
        // callback is the second argument
        size_t second = first_end < close ? first_end + 1 : close;
        callback_from_request = callback_tainted(second, taint.ExprEnd(second, true));
      }
      if (In(w, {"array_diff_ukey", "array_udiff", "array_intersect_ukey", "array_intersect_uassoc",
                 "array_diff_uassoc", "array_uintersect", "array_uintersect_assoc",
                 "array_udiff_assoc"})) {
        // callback is the last argument
        size_t last = i + 2;
        for (size_t a = i + 2; a < close;) {
          last = a;
          a = taint.ExprEnd(a, true) + 1;
        }
        callback_from_request = callback_tainted(last, close);
      }
      // The callback is an execution sink named in a string ('assert'), or a function whose
      // body evaluates its argument (create_function('$a', 'assert($a)'), a closure).
      bool evaluating_callback = false;
      for (size_t a = i + 2; a < close; ++a) {
        const Token& c = t[a];
        if (c.type == Tok::kString &&
            (In(Lower(c.text), {"assert", "eval", "system", "passthru", "shell_exec", "exec",
                                "create_function", "popen"}) ||
             c.text.find("assert(") != std::string::npos ||
             c.text.find("eval(") != std::string::npos ||
             c.text.find("system(") != std::string::npos))
          evaluating_callback = true;
        if (c.type == Tok::kWord && a + 1 < close && IsOp(t[a + 1], "(") && !code_sink &&
            In(Lower(c.text), {"eval", "assert", "system", "passthru", "shell_exec"}))
          evaluating_callback = true;
      }
      // array_intersect_uassoc([$_REQUEST['p'] => ''], [1], $f) with $f = '..' ^ $key:
      // the callback is a name the code computes, called on request input.
      bool computed_callback = false;
      if (!code_sink)
        for (size_t a = i + 2; a < close; ++a)
          if (t[a].type == Tok::kVar && taint.Computed(a) && !taint.Tainted(a) &&
              (IsOp(t[a - 1], ",") || IsOp(t[a - 1], "(")) && a + 1 < t.size() &&
              (IsOp(t[a + 1], ",") || IsOp(t[a + 1], ")")))
            computed_callback = true;
      if (computed_callback && !callback_from_request && !evaluating_callback)
        AddTrait(out, "php.request_to_computed_callback", "exec", 3,
                 "passes request input to " + w + "() with a callback whose name is computed",
                 layer);
      if (code_sink || callback_from_request || evaluating_callback)
        AddTrait(out, "php.request_to_exec", "exec", 4,
                 "runs request input as PHP code (" + w + ")", layer);
    }
    if (In(w, kCodeSinks) && !In(w, {"eval", "assert", "create_function"}) && i + 2 < close &&
        t[i + 2].type == Tok::kString &&
        In(Lower(t[i + 2].text),
           {"assert", "eval", "system", "passthru", "shell_exec", "exec", "popen"}))
      AddTrait(out, "php.hidden_exec_call", "exec", 3,
               "calls " + Lower(t[i + 2].text) + "() as a callback of " + w + "()", layer);
    if (w == "preg_replace" && i + 2 < t.size() && t[i + 2].type == Tok::kString &&
        PregE(t[i + 2].text)) {
      // Legitimate /e replacements (before PHP 7 removed it) evaluate a back-reference
      // expression; one that references no match group runs code of its own.
      size_t first_end = taint.ExprEnd(i + 2, true);
      bool backref = false;
      for (size_t a = first_end; a < close; ++a)
        if (t[a].type == Tok::kString && (t[a].text.find("\\1") != std::string::npos ||
                                          t[a].text.find("\\0") != std::string::npos ||
                                          t[a].text.find("$1") != std::string::npos ||
                                          t[a].text.find("\\2") != std::string::npos))
          backref = true;
      AddTrait(out, tainted_args ? "php.request_to_exec" : "php.preg_replace_e", "exec",
               tainted_args ? 4
               : backref    ? 2
                            : 3,
               tainted_args ? "runs request input through preg_replace /e"
                            : "preg_replace with the /e (evaluate) modifier runs code",
               layer);
    }
    // preg_replace($exif['Model'], $exif['Make'], ''): the pattern (and its /e) comes from an
    // image's metadata; eval of metadata likewise.
    if (!image_metadata.empty() &&
        In(w, {"preg_replace", "eval", "assert", "create_function", "call_user_func"})) {
      size_t end = w == "preg_replace" ? taint.ExprEnd(i + 2, true) : close;
      for (size_t a = i + 2; a < end && a < t.size(); ++a)
        if (t[a].type == Tok::kVar && image_metadata.count(t[a].text)) {
          AddTrait(out, "php.runs_image_metadata", "exec", 3,
                   "runs code or a pattern read from an image's EXIF/IPTC metadata (" + w + ")",
                   layer);
          break;
        }
    }
    // create_function('$a', 'return assert($a);'): a function made to run whatever it is
    // given, handed to something that calls it back (a failure callback, a filter).
    if (w == "create_function" && i + 4 < close && t[i + 2].type == Tok::kString &&
        IsOp(t[i + 3], ",") && t[i + 4].type == Tok::kString) {
      const std::string& params = t[i + 2].text;
      const std::string body = Lower(t[i + 4].text.substr(0, 4096));
      bool evaluates = false;
      for (std::string_view sink : {"eval(", "assert(", "system(", "passthru(", "shell_exec(",
                                    "exec(", "popen(", "proc_open("})
        for (size_t at = body.find(sink); at != std::string::npos && !evaluates;
             at = body.find(sink, at + 1)) {
          size_t arg = at + sink.size();
          while (arg < body.size() && body[arg] == ' ') ++arg;
          size_t name_end = arg;
          if (arg < body.size() && body[arg] == '$') ++name_end;
          while (
              name_end < body.size() &&
              (std::isalnum(static_cast<unsigned char>(body[name_end])) || body[name_end] == '_'))
            ++name_end;
          if (name_end > arg + 1 && name_end < body.size() && body[name_end] == ')' &&
              Lower(params).find(body.substr(arg, name_end - arg)) != std::string::npos)
            evaluates = true;
        }
      if (evaluates)
        AddTrait(out, "php.evaluator_function", "exec", request_seen ? 3 : 2,
                 "creates a function that runs its argument as code or a command", layer);
    }
    // v01('assert', array($_POST['a'])) with function v01($f, $a) { call_user_func_array($f,
    // $a); }: an execution sink named at the call of the file's own function that calls it.
    if (!member && own.count(w) && !own.at(w).called.empty() && tainted_args) {
      size_t arg = 0;
      for (size_t a = i + 2; a < close && arg < 16; ++arg) {
        size_t end = taint.ExprEnd(a, true);
        if (end == a + 1 && t[a].type == Tok::kString && own.at(w).called.count(arg) &&
            (In(Lower(t[a].text), kShellSinks) ||
             In(Lower(t[a].text), {"assert", "create_function"})))
          AddTrait(
              out, "php.request_to_exec", "exec", 4,
              "hands " + Lower(t[a].text) + " and request input to " + w + "(), which calls it",
              layer);
        a = end + 1;
      }
    }
    if (In(w, {"eval", "assert"}) && close < t.size() && close == i + 3 &&
        t[i + 2].type == Tok::kVar && IsOp(t[i + 3], ")") &&
        variable_call_results.count(t[i + 2].text)) {
      AddTrait(out, "obfuscation.runs_variable_call_result", "obfuscation", 2,
               "runs what a function called through a variable name returned (" + w + ")", layer);
      for (CodeTrait& ct : out)
        if (ct.id == "obfuscation.runs_variable_call_result") ct.alone = false;
    }
    if (In(w, {"eval", "assert", "create_function"})) {
      bool decoded_arg = false, decoder_call = false;
      for (size_t a = i + 2; a < close; ++a) {
        if (t[a].type == Tok::kString && !t[a].decoded_by.empty()) decoded_arg = true;
        if (t[a].type == Tok::kWord && a + 1 < close && IsOp(t[a + 1], "(") &&
            In(Lower(t[a].text), kDecoders))
          decoder_call = true;
      }
      // eval($f('...long base64...')): a payload decoded by a function the code computed.
      for (size_t a = i + 2; a + 1 < close; ++a)
        if ((t[a].type == Tok::kVar || IsOp(t[a], "]")) && IsOp(t[a + 1], "(") && a + 2 < close &&
            t[a + 2].type == Tok::kString && t[a + 2].text.size() >= 64)
          decoder_call = true;
      if (decoded_arg || decoder_call || taint.RangeDecoded(i + 2, close))
        AddTrait(out, "php.decode_and_run", "exec", 3,
                 "decodes a hidden payload and runs it (" + w + ")", layer);
      if (taint.RangeRemote(i + 2, close))
        AddTrait(out, "php.remote_code", "exec", 4, "runs code fetched from a URL (" + w + ")",
                 layer);
    }
    if (In(w, {"move_uploaded_file", "copy"}) && tainted_args) {
      size_t first_end = taint.ExprEnd(i + 2, true);
      size_t second = first_end < close ? first_end + 1 : close;
      size_t second_end = taint.ExprEnd(second, true);
      bool named_by_client = false, wrapped = false;
      std::vector<size_t> names;
      for (size_t a = second; a < second_end; ++a)
        // $_FILES['f']['name'], or $_FILES[f][name] with bare words (PHP < 8 read them so)
        if ((t[a].type == Tok::kString ||
             (t[a].type == Tok::kWord && (a + 1 >= t.size() || !IsOp(t[a + 1], "(")))) &&
            t[a].text == "name")
          names.push_back(a);
      named_by_client = !names.empty();
      // The client's name passed through a function (basename, a sanitiser, a renamer) is
      // the code's choice; dirname(__FILE__) . '/' . $name around it is not.
      for (size_t a = second; a < second_end; ++a)
        if (t[a].type == Tok::kWord && a + 1 < second_end && IsOp(t[a + 1], "(")) {
          size_t call_end = taint.Close(a + 1);
          for (size_t n : names) wrapped = wrapped || (n > a + 1 && n < call_end);
        }
      for (size_t a = second; a < second_end; ++a)
        if (t[a].type == Tok::kVar && taint.ClientNamed(a)) named_by_client = true, wrapped = false;
      if (named_by_client && !wrapped && taint.RangeTainted(second, second_end))
        AddTrait(out, "php.upload_as_client_name", "upload", 3,
                 "saves an uploaded file under the name and place the client chose", layer);
      // The upload saved as a .php file, or at a path that is the request's value as a whole
      // (no directory of the application's own around it): whatever the client sends is
      // then a page of the site.
      else if (taint.RangeTainted(i + 2, first_end) && PhpPath(second, second_end))
        AddTrait(out, "php.upload_to_php", "upload", 3,
                 "saves an uploaded file as a .php page (a dropper)", layer);
      else if (taint.RangeTainted(i + 2, first_end) && request_value(second, second_end))
        AddTrait(out, "php.upload_to_request_path", "upload", 3,
                 "saves an uploaded file at the path the request names", layer);
      else
        AddTrait(out, "php.upload", "upload", 1, "saves an uploaded file", layer);
    }
    if (In(w, {"file_put_contents", "fwrite", "fputs"})) {
      size_t first_end = taint.ExprEnd(i + 2, true);
      bool path_tainted = taint.RangeTainted(i + 2, first_end);
      bool data_tainted = taint.RangeTainted(first_end, close);
      int code = taint.RangePhpCode(first_end, close);
      if (code)
        AddTrait(out, "php.writes_php_code", "upload", code == 2 ? 3 : 1,
                 code == 2 ? "writes PHP code hidden under an encoding to a file"
                           : "writes PHP code held in a string to a file",
                 layer);
      if (data_tainted && !(path_tainted && w == "file_put_contents")) {
        auto h = handle_paths.find(t[i + 2].text);
        request_written.insert(w == "file_put_contents" ? path_text(i + 2, first_end)
                               : h != handle_paths.end() && t[i + 2].type == Tok::kVar ? h->second
                                                                                       : "");
      }
      if (path_tainted && data_tainted && w == "file_put_contents")
        AddTrait(out, "php.request_to_file", "upload", 3,
                 "writes request content to a file the request names", layer);
      bool fetched = false;
      for (size_t a = first_end; a < close; ++a)
        if (t[a].type == Tok::kWord && In(Lower(t[a].text), {"file_get_contents", "curl_exec"}) &&
            a + 2 < close && t[a + 2].type == Tok::kString &&
            (t[a + 2].text.rfind("http://", 0) == 0 || t[a + 2].text.rfind("https://", 0) == 0))
          fetched = true;
      if (!fetched && first_end < close && taint.RangeRemote(first_end + 1, close)) fetched = true;
      // Into a .php file (named here, or through the handle fopen gave): a dropper.
      bool php_target = PhpPath(i + 2, first_end);
      if (w != "file_put_contents" && i + 2 < t.size() && t[i + 2].type == Tok::kVar &&
          php_handles.count(t[i + 2].text))
        php_target = true;
      if (fetched)
        AddTrait(out, "php.fetch_to_file", "upload", php_target ? 3 : 2,
                 php_target ? "writes code fetched from a URL into a .php file (a dropper)"
                            : "writes code fetched from a URL to a file",
                 layer);
      if (card) card_out = true;
    }
    if (php::MailFunction(w) && card) card_out = true;
    // File and system operations on what the request names: a file manager or a mailer.
    static const std::pair<std::string_view, std::vector<std::string_view>> kOps[] = {
        {"read",
         {"file_get_contents", "readfile", "file", "highlight_file", "show_source", "fopen",
          "parse_ini_file"}},
        {"write",
         {"file_put_contents", "fwrite", "fputs", "touch", "mkdir", "chmod", "rename", "copy",
          "move_uploaded_file"}},
        {"delete", {"unlink", "rmdir"}},
        {"list", {"opendir", "scandir", "glob", "dir", "is_dir", "filesize", "filemtime"}},
        {"database",
         {"mysql_connect", "mysqli_connect", "mysql_query", "mysqli_query", "pg_connect"}},
        {"socket", {"fsockopen", "pfsockopen", "socket_connect", "stream_socket_client"}},
    };
    // Reading the request body (php://input) is not a file the request names.
    bool body_only =
        i + 2 < t.size() && t[i + 2].type == Tok::kString && t[i + 2].text == "php://input";
    if (tainted_args && !body_only)
      for (const auto& [op, names] : kOps)
        if (In(w, names)) request_ops.insert(std::string(op));
    std::string undefined = root && !tainted_args ? taint.RangeUndefined(i + 2, close) : "";
    if (!undefined.empty()) {
      size_t first_end = taint.ExprEnd(i + 2, true);
      std::string first_undefined = taint.RangeUndefined(i + 2, first_end);
      if (In(w, kShellSinks) || In(w, {"eval", "assert", "create_function"}))
        AddTrait(out, "php.undefined_to_exec", "exec", 2,
                 "runs " + undefined + " through " + w +
                     "(), a variable nothing in the file sets (register_globals fills it from "
                     "the request)",
                 layer);
      bool write_mode = w == "fopen" && first_end + 1 < close &&
                        t[first_end + 1].type == Tok::kString && !t[first_end + 1].text.empty() &&
                        std::strchr("waxc", t[first_end + 1].text[0]);
      if (!first_undefined.empty() &&
          (write_mode || In(w, {"file_put_contents", "copy", "move_uploaded_file"})))
        AddTrait(out, "php.undefined_to_file", "upload", 2,
                 "writes to " + first_undefined +
                     ", a path nothing in the file sets (register_globals fills it from the "
                     "request)",
                 layer);
      for (const auto& [op, names] : kOps)
        if (In(w, names)) undefined_ops.insert(std::string(op));
    }
    // "compress.zlib://" . $_GET['file']: reading what the request names through another
    // stream wrapper, the classic safe_mode / open_basedir bypass.
    if (tainted_args && !body_only)
      for (size_t a = i + 2; a < close; ++a) {
        if (t[a].type != Tok::kString ||
            !((a + 1 < t.size() && IsOp(t[a + 1], ".")) || taint.Tainted(a)))
          continue;
        std::string head = Lower(std::string_view(t[a].text).substr(0, 20));
        for (std::string_view wrapper : {"compress.zlib://", "compress.bzip2://", "php://filter",
                                         "glob://", "file:", "zip://", "phar://", "expect://"})
          if (head.rfind(wrapper, 0) == 0)
            AddTrait(out, "php.request_wrapper_read", "filemanager", 3,
                     "opens a path the request names through " + std::string(wrapper) +
                         " (a safe_mode / open_basedir bypass)",
                     layer);
      }
    // fopen('php.ini', 'w') ... 'disable_functions=none': a kit switching the server's
    // protections off for its own folder (symlink and bypass kits write these).
    if (In(w, {"fwrite", "fputs", "file_put_contents"}) && i + 2 < close) {
      size_t first_end = taint.ExprEnd(i + 2, true);
      bool config = w == "file_put_contents"
                        ? config_path(i + 2, first_end)
                        : t[i + 2].type == Tok::kVar && config_handles.count(t[i + 2].text) > 0;
      if (config && lifts_protection(first_end, close))
        AddTrait(out, "php.writes_server_config", "upload", 3,
                 "writes PHP or web server settings that switch protections off or run other "
                 "files as PHP",
                 layer);
    }
    // symlink('/', 'root'): a link to the file system root or other sites' homes, read
    // through the web server (the symlink bypass of shared hosting).
    if (w == "symlink" && i + 2 < close && t[i + 2].type == Tok::kString) {
      const std::string& target = t[i + 2].text;
      if (target == "/" || target.rfind("/home", 0) == 0 || target.rfind("/etc/", 0) == 0 ||
          target.rfind("/var/www", 0) == 0)
        AddTrait(out, "php.symlink_escape", "filemanager", 3,
                 "links " + target.substr(0, 40) + " into the web root (symlink bypass)", layer);
    }
    // file_put_contents(__FILE__, <request>): a backdoor that rewrites itself on command.
    if (In(w, {"file_put_contents", "fopen"}) && i + 2 < close && t[i + 2].type == Tok::kWord &&
        t[i + 2].text == "__FILE__" && (w == "fopen" || tainted_args))
      for (size_t a = taint.ExprEnd(i + 2, true); a < close; ++a)
        if (taint.Tainted(a) || (w == "fopen" && t[a].type == Tok::kString && !t[a].text.empty() &&
                                 std::strchr("wa", t[a].text[0]) && request_seen))
          AddTrait(out, "php.rewrites_itself", "upload", 3,
                   "rewrites its own file with content the request sends", layer);
    if (w == "unserialize" && tainted_args)
      AddTrait(out, "php.request_to_unserialize", "exec", 3,
               "unserialises request input (object injection runs the classes' magic methods)",
               layer);
    if (In(w, {"mysql_connect", "mysql_pconnect", "mysqli_connect", "mysqli_real_connect",
               "pg_connect", "pg_pconnect", "mssql_connect", "sqlsrv_connect", "oci_connect"}) &&
        tainted_args)
      db_connect = true;
    if (In(w, {"mysql_query", "mysql_unbuffered_query", "mysql_db_query", "mysqli_query",
               "mysqli_multi_query", "mysqli_real_query", "pg_query", "mssql_query", "sqlsrv_query",
               "oci_parse"}) &&
        whole_argument_tainted(i + 1))
      request_sql = true;
    if (w == "mail" && taint.InLoop(i)) mail_loop = true;
    // mail('someone@example.net', ..., "$_SERVER[DOCUMENT_ROOT] ..."): where the shell was
    // planted, reported to a fixed mailbox.
    if (php::MailFunction(w) && i + 2 < t.size() && t[i + 2].type == Tok::kString &&
        t[i + 2].text.find('@') != std::string::npos && t[i + 2].text.size() < 200)
      beacon = true;
    // mail('someone@example.net', ..., "... $password ..."): a login form's credentials
    // copied to a fixed mailbox (a patched login or a phishing page).
    if (php::MailFunction(w) && i + 2 < t.size() && t[i + 2].type == Tok::kString &&
        t[i + 2].text.find('@') != std::string::npos && t[i + 2].text.size() < 200) {
      bool credential = false;
      for (size_t a = i + 3, end = std::min(taint.Close(i + 1), t.size()); a < end; ++a) {
        std::string n = Lower(t[a].text);
        if ((t[a].type == Tok::kVar &&
             (n.find("pass") != std::string::npos || n.find("pwd") != std::string::npos)) ||
            (t[a].type == Tok::kString && a > 0 && t[a - 1].text == "[" &&
             (n.find("pass") != std::string::npos || n == "pwd")))
          credential = true;
      }
      if (credential)
        AddTrait(out, "php.credential_mailer", "exfil", 3,
                 "mails a password to a fixed address (a credential harvester)", layer);
    }
    if (w == "mail" && taint.RangeTainted(i + 2, taint.ExprEnd(i + 2, true)))
      AddTrait(out, "php.request_mailer", "mailer", 3, "sends mail to recipients the request names",
               layer);
    if (In(w, {"fsockopen", "pfsockopen", "socket_connect", "stream_socket_client"}) &&
        tainted_args)
      AddTrait(out, "php.request_socket", "network", 2,
               "opens a connection to a host the request names", layer);
  }
  if (request_sql_method && (db_connect || db_open)) request_sql = true;

  if (db_connect || request_sql)
    AddTrait(out, db_connect && request_sql ? "php.sql_console" : "php.request_sql", "database",
             db_connect ? 3 : 2,
             db_connect && request_sql
                 ? "database console: logs in with credentials from the request "
                   "and runs the SQL it sends"
             : db_connect ? "logs in to a database server the request names"
                          : "runs SQL the request sends",
             layer);
  // A page that listens on a port and lifts its time limit keeps serving connections after
  // the request: a bind shell, a SOCKS proxy or a port forwarder (servers run from the
  // command line, where no time limit applies).
  if (listens)
    AddTrait(out, "php.listening_socket", "network", long_run ? 3 : 1,
             long_run ? "listens on a network port with the time limit lifted (a bind shell or "
                        "proxy run from the web)"
                      : "listens on a network port",
             layer);
  if (mail_loop)
    AddTrait(out, "php.mass_mailer", "mailer", long_run ? 3 : 1,
             long_run ? "mass mailer: sends mail in a loop with the time limit lifted"
                      : "sends mail in a loop",
             layer);
  // Recipients' mail exchangers looked up and spoken to in SMTP over a socket of the page's
  // own: an e-mail list verifier (RCPT TO probes) or a direct-to-MX spam sender. Mail
  // libraries (PHPMailer, Symfony Mailer) talk to one configured relay and look no MX up.
  if (mx_lookup && smtp_socket && smtp_rcpt)
    AddTrait(out, "php.direct_mx_smtp", "mailer", long_run ? 3 : 2,
             long_run ? "talks SMTP straight to recipients' mail exchangers with the time limit "
                        "lifted (a list verifier or direct-to-MX mailer)"
                      : "talks SMTP straight to recipients' mail exchangers",
             layer);
  if (beacon && server_paths)
    AddTrait(out, "php.location_beacon", "exfil", 3,
             "mails the server's paths to a fixed address (reports where it was planted)", layer);
  // file_put_contents($tmp, $_POST['c']); include $tmp: request input run as PHP through a
  // file of the code's choosing (no eval in sight).
  request_written.erase("");
  for (const std::string& p : request_written)
    if (included.count(p)) {
      AddTrait(out, "php.request_to_written_include", "exec", 4,
               "writes request input to a file and includes it (runs it as PHP code)", layer);
      break;
    }
  request_ops.erase(db_connect || request_sql ? "database" : "");
  bool modifies = request_ops.count("write") || request_ops.count("delete");
  if (request_ops.size() >= 2 && modifies) {
    std::string ops;
    for (const std::string& o : request_ops) ops += (ops.empty() ? "" : ", ") + o;
    AddTrait(out, "php.request_file_manager", "filemanager", 3,
             "file manager: request input drives " + ops + " operations", layer);
  } else if (!request_ops.empty()) {
    AddTrait(out, "php.request_file_op", "filemanager", 2,
             "request input names file operations (" + *request_ops.begin() + ")", layer);
  }
  // Undefined variables with no form sending them: weak, only beside an independent trait.
  for (CodeTrait& ct : out)
    if (ct.id.rfind("php.undefined_", 0) == 0) ct.alone = false;
  undefined_ops.erase("database");
  undefined_ops.erase("socket");
  if (undefined_ops.size() >= 2 && (undefined_ops.count("write") || undefined_ops.count("delete")))
    AddTrait(out, "php.undefined_file_manager", "filemanager", 2,
             "file manager on variables nothing in the file sets (register_globals)", layer);
  for (CodeTrait& ct : out)
    if (ct.id == "php.undefined_file_manager") ct.alone = false;
  if (card && card_out && encode)
    AddTrait(out, "php.card_data_writer", "exfil", 3,
             "serialises payment card fields and writes or mails them", layer);
  if (decoded_literals > 0 && layer.find('>') == std::string::npos)
    AddTrait(out, "obfuscation.decoded_literals", "obfuscation", 1,
             std::to_string(decoded_literals) + " literal(s) decoded from an encoding layer",
             layer);
  // A layer reached through a decoder (not just an eval of plain literal code).
  bool encoded = LayerDecoded(layer);
  if (layer.find("()") != std::string::npos) encoded = true;  // the file's own decoder ran
  if (encoded)
    AddTrait(out, "obfuscation.encoded_code", "obfuscation", 2,
             "code hidden under an encoding layer", layer);
}

}  // namespace tq::webroot
