// What a PHP layer gives away or hides from the people who run the store: configuration
// files printed, credential columns dumped, request input read under a built name, a
// password in the code that opens a request's actions, and other sites on the server looked
// up (the reconnaissance of a mass defacer). Each is one linear pass over the tokens.
#include <cctype>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "webroot/php_facts.h"

namespace tq::webroot::php {
namespace {

// A trait that only counts beside an independent one (no finding by itself).
void AddWeak(std::vector<CodeTrait>& out, const std::string& id, std::string family,
             std::string what, const std::string& layer) {
  AddTrait(out, id, std::move(family), 2, std::move(what), layer);
  for (CodeTrait& c : out)
    if (c.id == id && c.layer == layer) c.alone = false;
}

bool IsSuperglobal(std::string_view v) {
  return In(v, {"$_GET", "$_POST", "$_REQUEST", "$_COOKIE", "$_FILES", "$_SERVER", "$GLOBALS"});
}

// The base name of a path literal names a configuration or credential file: the store's own
// (app/etc/env.php, local.xml, wp-config.php, configuration.php, .env) or the system's.
bool ConfigFileName(std::string_view path) {
  if (path.empty() || path.size() > 400) return false;
  std::string l = Lower(path);
  size_t slash = l.find_last_of("/\\");
  std::string base = slash == std::string::npos ? l : l.substr(slash + 1);
  for (std::string_view k : {"config", "cfg", "database", "passwd", "shadow"})
    if (base.find(k) != std::string::npos) return true;
  return In(base, {".env", "env.php", "local.xml", "settings.php", "db.php", ".htpasswd",
                   "parameters.yml", "parameters.php"});
}

bool HashShaped(std::string_view s) {
  if (s.size() != 32 && s.size() != 40 && s.size() != 64) return false;
  for (unsigned char c : s)
    if (!std::isxdigit(c)) return false;
  return true;
}

bool SecretParamName(std::string_view name) {
  std::string l = Lower(name.substr(0, 64));
  for (std::string_view k : {"pass", "pwd", "pw", "key", "auth", "token", "secret"})
    if (l.find(k) != std::string::npos) return true;
  return false;
}

// Tokens i.. hold $_GET['name'] (a superglobal read by a literal key): the key, else "".
std::string RequestKeyAt(const std::vector<Token>& t, size_t i) {
  if (i + 3 >= t.size() || t[i].type != Tok::kVar ||
      !In(t[i].text, {"$_GET", "$_POST", "$_REQUEST", "$_COOKIE"}) || !IsOp(t[i + 1], "[") ||
      t[i + 2].type != Tok::kString || !IsOp(t[i + 3], "]"))
    return "";
  return t[i + 2].text.empty() ? std::string(" ") : t[i + 2].text;
}

}  // namespace

void AnalyzeConcealedRequestInput(const std::vector<Token>& t, const PhpTaint&,
                                  const std::string& layer, std::vector<CodeTrait>& out) {
  for (const Token& k : t)
    if (k.type == Tok::kVar && k.concealed && IsSuperglobal(k.text)) {
      AddTrait(out, "php.concealed_request_input", "backdoor", 3,
               "reads " + k.text + " under a name built at run time (hides its request input)",
               layer);
      return;
    }
}

void AnalyzeConfigDisclosure(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                             std::vector<CodeTrait>& out) {
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (t[i].type != Tok::kWord) continue;
    std::string w = Lower(t[i].text);
    size_t call = i + 1;
    // echo file_get_contents('..'), print implode('', file('..')): the bytes go to the page.
    if (In(w, {"echo", "print", "print_r", "var_dump", "die", "exit"})) {
      size_t k = i + 1;
      while (k < t.size() && (IsOp(t[k], "@") || IsOp(t[k], "("))) ++k;
      if (k + 1 >= t.size() || t[k].type != Tok::kWord ||
          !In(Lower(t[k].text), {"file_get_contents", "file"}))
        continue;
      call = k + 1;
    } else if (!In(w, {"readfile", "highlight_file", "show_source", "php_strip_whitespace"})) {
      continue;
    }
    if (call + 1 >= t.size() || !IsOp(t[call], "(") || t[call + 1].type != Tok::kString ||
        !ConfigFileName(t[call + 1].text))
      continue;
    AddTrait(out, "php.config_disclosure", "exfil", 3,
             "prints the configuration file " + t[call + 1].text.substr(0, 80) +
                 " (its passwords) to whoever opens the page",
             layer);
    return;
  }
}

void AnalyzeCredentialDump(const std::vector<Token>& t, const PhpTaint& taint,
                           const std::string& layer, std::vector<CodeTrait>& out) {
  // A SELECT whose columns are passwords or card data, with no WHERE: every account's.
  bool select = false;
  for (const Token& k : t) {
    if (k.type != Tok::kString || k.text.size() < 12) continue;
    std::string l = Lower(std::string_view(k.text).substr(0, 2000));
    size_t s = l.find("select ");
    size_t from = s == std::string::npos ? s : l.find(" from", s);
    if (from == std::string::npos || l.find(" where ") != std::string::npos) continue;
    std::string_view cols = std::string_view(l).substr(s + 7, from - s - 7);
    for (std::string_view c : {"pass", "pwd", "cc_number", "card_number", "cc_cid", "cvv"})
      if (cols.find(c) != std::string_view::npos) select = true;
    if (select) break;
  }
  if (!select) return;
  // ...rows fetched in a loop whose body prints or writes them.
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (!(t[i].type == Tok::kWord && Lower(t[i].text) == "while" && IsOp(t[i + 1], "("))) continue;
    size_t cond = taint.Close(i + 1);
    bool fetch = false;
    for (size_t a = i + 2; a < cond && a < t.size(); ++a)
      if (t[a].type == Tok::kWord && Lower(t[a].text).find("fetch") != std::string::npos)
        fetch = true;
    if (!fetch || cond + 1 >= t.size()) continue;
    size_t end = taint.ExprEnd(cond + 1, false);
    int depth = 0;
    if (IsOp(t[cond + 1], "{"))  // the block, braces counted (a few thousand tokens at most)
      for (size_t a = cond + 1; a < t.size() && a < cond + 4096; ++a) {
        depth += IsOp(t[a], "{") ? 1 : IsOp(t[a], "}") ? -1 : 0;
        end = a;
        if (depth == 0) break;
      }
    for (size_t a = cond + 1; a < end && a < t.size(); ++a)
      if (t[a].type == Tok::kWord && In(Lower(t[a].text), {"echo", "print", "printf", "fwrite",
                                                           "fputs", "file_put_contents"})) {
        AddTrait(out, "php.credential_dump", "exfil", 3,
                 "reads every account's password (or card) column out of the database and "
                 "prints or writes the rows",
                 layer);
        return;
      }
  }
}

void AnalyzeReverseIpLookup(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                            std::vector<CodeTrait>& out) {
  bool search = false, ip_query = false, service = false;
  for (const Token& k : t) {
    if (k.type != Tok::kString) continue;
    std::string l = Lower(std::string_view(k.text).substr(0, 400));
    for (std::string_view s : {"bing.com/search", "google.com/search", "search.yahoo.com/search"})
      if (l.find(s) != std::string::npos) search = true;
    for (std::string_view s : {"reverseiplookup", "reverse-ip", "reverseip", "domainsonip"})
      if (l.find(s) != std::string::npos && l.find("http") != std::string::npos) service = true;
    if (l.rfind("ip:", 0) == 0 || l.find("q=ip:") != std::string::npos ||
        l.find("ip%3a") != std::string::npos)
      ip_query = true;
  }
  if ((search && ip_query) || service)
    AddTrait(out, "php.reverse_ip_lookup", "recon", 3,
             "looks up the other sites hosted on an address (a mass attacker's reconnaissance)",
             layer);
}

void AnalyzeFixedPasswordGate(const std::vector<Token>& t, const PhpTaint& taint,
                              const std::string& layer, std::vector<CodeTrait>& out) {
  bool gate = false, sql_write = false;
  for (size_t i = 0; i + 4 < t.size() && !gate; ++i) {
    // $_GET['pass'] == 'literal' (either side), md5($_POST['p']) === '<hash>'
    bool hashed = t[i].type == Tok::kWord && In(Lower(t[i].text), {"md5", "sha1", "hash"}) &&
                  IsOp(t[i + 1], "(");
    size_t v = hashed ? i + 2 : i;
    std::string key = RequestKeyAt(t, v);
    if (key.empty()) continue;
    size_t after = hashed ? taint.Close(i + 1) + 1 : v + 4;
    size_t lit = std::string::npos;
    if (after + 1 < t.size() && In(t[after].text, {"==", "==="}) && t[after].type == Tok::kOp)
      lit = after + 1;
    else if (i >= 2 && In(t[i - 1].text, {"==", "==="}) && t[i - 1].type == Tok::kOp)
      lit = i - 2;
    if (lit == std::string::npos || t[lit].type != Tok::kString || t[lit].text.size() < 6) continue;
    gate = hashed || HashShaped(t[lit].text) || SecretParamName(key);
  }
  if (!gate) return;
  // What such a gate opens: SQL that changes the site's data, with request values in it.
  for (size_t i = 0; i + 2 < t.size() && !sql_write; ++i) {
    if (t[i].type != Tok::kWord || !IsOp(t[i + 1], "(")) continue;
    std::string w = Lower(t[i].text);
    if (!In(w, {"query", "mysql_query", "mysqli_query", "exec"})) continue;
    if (w != "mysql_query" && w != "mysqli_query" && !(i > 0 && IsOp(t[i - 1], "->"))) continue;
    bool write = false, request = false;
    for (size_t a = i + 2, end = taint.Close(i + 1); a < end && a < t.size(); ++a) {
      if (t[a].type == Tok::kString) {
        std::string l = Lower(std::string_view(t[a].text).substr(0, 16));
        size_t b = l.find_first_not_of(" \t\r\n");
        if (b != std::string::npos)
          for (std::string_view verb : {"update ", "insert ", "delete ", "replace "})
            if (l.compare(b, verb.size(), verb) == 0) write = true;
      }
      if (taint.Tainted(a)) request = true;
    }
    sql_write = write && request;
  }
  AddWeak(out, "php.fixed_password_gate", "backdoor",
          "opens its actions to a request carrying a password written in the code", layer);
  if (sql_write)
    AddWeak(out, "php.request_sql_write", "database",
            "writes what the request sends into the site's database", layer);
}

void AnalyzeServerSurvey(const std::vector<Token>& t, const PhpTaint& taint,
                         const std::string& layer, std::vector<CodeTrait>& out) {
  bool drive = false, listing = false, reads = false, sessions = false, prints = false;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i].type == Tok::kString && t[i].text.size() < 200 &&
        t[i].text.find("sess_") != std::string::npos)
      sessions = true;
    if (t[i].type != Tok::kWord) continue;
    std::string w = Lower(t[i].text);
    if (In(w, {"echo", "print", "printf"})) prints = true;
    if (!IsOp(t[i + 1], "(")) continue;
    if (In(w, {"opendir", "readdir", "scandir", "glob"})) listing = true;
    if (In(w, {"fopen", "file_get_contents", "file", "readfile", "fgets"})) reads = true;
    // is_dir($letter . ':'): a drive letter tried (the code walks c: to z:).
    if (In(w, {"is_dir", "file_exists", "is_readable", "is_writable", "disk_total_space",
               "disk_free_space"}))
      for (size_t a = i + 2; a + 1 < t.size() && a < i + 8 && !IsOp(t[a], ")"); ++a)
        if (t[a].type == Tok::kVar && IsOp(t[a + 1], ".") && a + 2 < t.size() &&
            t[a + 2].type == Tok::kString && In(t[a + 2].text, {":", ":\\", ":/", ":\\\\"}))
          drive = true;
  }
  // for ($i = 1; $i < 255; $i++) fetch("http://" . $net . $i): every address of a network
  // tried in turn (a scanner of the hosts around the server).
  bool scan = false, named = false;
  for (size_t i = 0; i + 1 < t.size() && !scan; ++i) {
    if (!(t[i].type == Tok::kWord && Lower(t[i].text) == "for" && IsOp(t[i + 1], "("))) continue;
    size_t head = i + 2, counter = std::string::npos, bound = std::string::npos;
    for (size_t a = head; a < t.size() && a < head + 24 && !IsOp(t[a], ")"); ++a) {
      if (t[a].type == Tok::kVar && counter == std::string::npos) counter = a;
      if (t[a].type == Tok::kNumber && In(t[a].text, {"254", "255", "256"})) bound = a;
    }
    if (counter == std::string::npos || bound == std::string::npos) continue;
    for (size_t a = bound; a + 2 < t.size() && a < bound + 400; ++a)
      if (t[a].type == Tok::kString && (t[a].text == "http://" || t[a].text == "https://") &&
          IsOp(t[a + 1], ".")) {
        // "http://" . $net . $i, or "http://" . $net . '.' . $i: the counter is the address's
        // last part.
        auto counter_at = [&](size_t b) {
          return b < t.size() && t[b].type == Tok::kVar && t[b].text == t[counter].text;
        };
        size_t b = a + 2;
        if (b + 2 < t.size() && t[b].type == Tok::kVar && IsOp(t[b + 1], ".") &&
            (counter_at(b + 2) ||
             (b + 4 < t.size() && t[b + 2].type == Tok::kString && t[b + 2].text == "." &&
              IsOp(t[b + 3], ".") && counter_at(b + 4)))) {
          scan = true;
          named = taint.Tainted(b);
        }
      }
  }
  if (scan)
    AddTrait(out, "php.network_scan", "recon", named ? 3 : 2,
             named ? "tries every address of the network the request names (a scanner run "
                     "from the site)"
                   : "tries every address of a network in turn (scans the hosts around the server)",
             layer);
  if (drive)
    AddWeak(out, "php.lists_drives", "recon", "tries every drive letter of the server (c: to z:)",
            layer);
  // Every file named sess_* read and printed: the logins of the site's other visitors.
  if (sessions && listing && reads && prints)
    AddTrait(out, "php.session_file_reader", "exfil", 3,
             "lists the server's PHP session files and prints what they hold (other visitors' "
             "logins)",
             layer);
}

void AnalyzeCompletedSinkName(const std::vector<Token>& t, const PhpTaint&,
                              const std::string& layer, std::vector<CodeTrait>& out) {
  // $a = 'asser'; ... $a(...): a variable that starts as part of an execution sink's name and
  // is called as a function (something completes the name at run time: a by-reference
  // helper, an append the folds cannot follow). Called as it stands it would fail.
  // (The folds may already have put the literal in the variable's place: a concealed name.)
  auto sink_begun = [](std::string_view v) -> std::string {
    if (v.size() < 4) return "";
    std::string l = Lower(v);
    for (std::string_view sink : {"assert", "system", "passthru", "shell_exec", "create_function",
                                  "call_user_func", "proc_open", "popen"})
      if (l.size() < sink.size() && sink.starts_with(l)) return std::string(sink);
    return "";
  };
  std::map<std::string, std::string> partial;  // variable -> the sink its value begins
  for (size_t i = 0; i + 3 < t.size(); ++i)
    if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=") && t[i + 2].type == Tok::kString &&
        IsOp(t[i + 3], ";"))
      if (std::string sink = sink_begun(t[i + 2].text); !sink.empty()) partial[t[i].text] = sink;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (!IsOp(t[i + 1], "(") || (i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::")))) continue;
    std::string sink = t[i].type == Tok::kVar && partial.count(t[i].text) ? partial[t[i].text]
                       : t[i].type == Tok::kWord && t[i].concealed        ? sink_begun(t[i].text)
                                                                          : "";
    if (sink.empty()) continue;
    AddTrait(out, "php.completed_sink_name", "exec", 3,
             "calls a function named by part of " + sink + "(), completed at run time", layer);
    return;
  }
}

void AnalyzeDatabaseDump(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                         std::vector<CodeTrait>& out) {
  // SHOW TABLES, then SELECT * of each: every table of the database read out.
  bool show_tables = false, select_all = false, literal_login = false;
  std::set<std::string> literal_vars;  // $user = 'root'
  for (size_t i = 0; i + 3 < t.size(); ++i)
    if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=") && t[i + 2].type == Tok::kString &&
        IsOp(t[i + 3], ";"))
      literal_vars.insert(t[i].text);
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i].type == Tok::kString) {
      std::string l = Lower(std::string_view(t[i].text).substr(0, 64));
      if (l.rfind("show tables", 0) == 0) show_tables = true;
      if (l.rfind("select * from", 0) == 0) select_all = true;
    }
    // mysql_connect('localhost', 'root', 'secret') / new mysqli($host, $user, $pass) with the
    // login written in the file (the application's own code reads it from its configuration).
    bool connect = t[i].type == Tok::kWord &&
                   In(Lower(t[i].text), {"mysql_connect", "mysqli_connect", "mysql_pconnect"}) &&
                   IsOp(t[i + 1], "(");
    bool object = t[i].type == Tok::kWord && Lower(t[i].text) == "new" &&
                  t[i + 1].type == Tok::kWord && Lower(t[i + 1].text) == "mysqli" &&
                  i + 2 < t.size() && IsOp(t[i + 2], "(");
    if (!connect && !object) continue;
    size_t a = connect ? i + 2 : i + 3;
    int literal = 0, args = 0;
    for (; a < t.size() && args < 3 && !IsOp(t[a], ")"); ++a) {
      if (IsOp(t[a], ",")) continue;
      ++args;
      bool lit =
          t[a].type == Tok::kString || (t[a].type == Tok::kVar && literal_vars.count(t[a].text));
      if (lit && a + 1 < t.size() && (IsOp(t[a + 1], ",") || IsOp(t[a + 1], ")"))) ++literal;
    }
    if (literal >= 3) literal_login = true;
  }
  if (show_tables && select_all)
    AddWeak(out, "php.dumps_every_table", "exfil", "reads every table of the database out", layer);
  if (literal_login)
    AddWeak(out, "php.literal_database_login", "database",
            "logs in to the database with a login written in the file", layer);
}

void AnalyzeVisitorCloak(const std::vector<Token>& t, const PhpTaint& taint,
                         const std::string& layer, std::vector<CodeTrait>& out) {
  // Names of anti-phishing, brand-protection, URL-reputation and security vendors whose
  // crawlers visit reported pages. Specific names first: a literal counts once, under the
  // first name it holds. DNS blocklists (Spamhaus, SURBL, ...) are left out: checking a
  // visitor's address against them is what anti-spam code does.
  static constexpr std::string_view kServices[] = {
      "phishtank",   "openphish",    "phishlabs",  "netcraft",   "clean-mx",    "fraudwatch",
      "siteadvisor", "safebrowsing", "virustotal", "urlscan",    "markmonitor", "brandprotect",
      "brantect",    "cyveillance",  "websense",   "trendmicro", "kaspersky",   "bitdefender",
      "sophos",      "mcafee",       "drweb",      "forcepoint", "zscaler",     "fortiguard",
      "sucuri",      "clamav",       "lionic",     "webwasher",  "bluecoat",    "malwarebytes",
      "scamadviser", "urlvoid",      "phish"};
  std::set<std::string_view> named;
  bool visitor = false, turned_away = false;
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    if ((k.type == Tok::kString || k.type == Tok::kWord) &&
        In(k.text, {"REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_X_FORWARDED_FOR"}))
      visitor = true;
    if (k.type == Tok::kWord && IsOp(t[std::min(i + 1, t.size() - 1)], "(") &&
        Lower(k.text) == "gethostbyaddr")
      visitor = true;
    if (k.type == Tok::kString && k.text.size() <= 100 && named.size() < 8) {
      std::string l = Lower(k.text);
      for (std::string_view s : kServices)
        if (l.find(s) != std::string::npos) {
          named.insert(s);
          break;
        }
    }
    // header('Location: ...'), header('HTTP/1.0 404 Not Found'): sent away or shown nothing.
    if (k.type == Tok::kWord && i + 2 < t.size() && IsOp(t[i + 1], "(") &&
        Lower(k.text) == "header")
      for (size_t a = i + 2, end = taint.Close(i + 1); a < end && a < t.size(); ++a) {
        if (t[a].type != Tok::kString) continue;
        std::string l = Lower(std::string_view(t[a].text).substr(0, 64));
        size_t b = l.find_first_not_of(" \t");
        if ((b != std::string::npos && l.compare(b, 9, "location:") == 0) ||
            l.find(" 404") != std::string::npos || l.find(" 403") != std::string::npos)
          turned_away = true;
      }
  }
  if (named.size() >= 3 && visitor && turned_away)
    AddTrait(out, "php.visitor_cloak", "cloak", 3,
             "turns away visitors whose address, host name or browser belongs to anti-phishing "
             "or security services (" +
                 std::to_string(named.size()) +
                 " named) and redirects the rest: a scam page hiding from its reporters",
             layer);
}

}  // namespace tq::webroot::php
