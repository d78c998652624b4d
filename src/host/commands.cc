// Shell commands as an attacker's: the techniques of a cron backdoor or a hands-on session,
// matched on the command's words (no regular expressions over attacker text: a long line
// must not cost more than a pass or two). Each technique names what it means for the
// responder; the strongest one sets the severity.
#include <algorithm>
#include <cctype>
#include <string>

#include "core/text.h"
#include "host/host.h"

namespace tq::host {
namespace {

bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// `word` as a whole command word (after start, whitespace, a separator or a path slash).
bool HasWord(std::string_view s, std::string_view word) {
  for (size_t pos = s.find(word); pos != std::string_view::npos; pos = s.find(word, pos + 1)) {
    bool left = pos == 0 || !IsWordChar(s[pos - 1]) || s[pos - 1] == '/';
    if (pos > 0 && s[pos - 1] == '.') left = false;
    size_t end = pos + word.size();
    bool right = end == s.size() || !IsWordChar(s[end]);
    if (left && right) return true;
  }
  return false;
}

constexpr std::string_view kInterpreters[] = {"sh",      "bash",    "dash", "zsh",
                                              "ksh",     "php",     "perl", "python",
                                              "python2", "python3", "ruby", "node"};

// A pipe into an interpreter: "| sh", "|bash -s", "| sudo php", "| /bin/sh".
bool PipesIntoInterpreter(std::string_view s) {
  for (size_t pos = s.find('|'); pos != std::string_view::npos; pos = s.find('|', pos + 1)) {
    if (pos + 1 < s.size() && s[pos + 1] == '|') {  // "||" is not a pipe
      ++pos;
      continue;
    }
    size_t i = pos + 1;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::string_view rest = s.substr(i);
    if (rest.starts_with("sudo ")) rest.remove_prefix(5);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    size_t end = 0;
    while (end < rest.size() && rest[end] != ' ' && rest[end] != '\t' && rest[end] != ';' &&
           rest[end] != '|' && rest[end] != '&' && rest[end] != ')')
      ++end;
    std::string_view prog = rest.substr(0, end);
    size_t slash = prog.rfind('/');
    if (slash != std::string_view::npos) prog.remove_prefix(slash + 1);
    for (std::string_view interp : kInterpreters)
      if (prog == interp) return true;
  }
  return false;
}

bool Fetches(std::string_view s) {
  bool tool = HasWord(s, "curl") || HasWord(s, "wget") || HasWord(s, "fetch") ||
              HasWord(s, "lwp-download") || HasWord(s, "lynx") || HasWord(s, "aria2c") ||
              Contains(s, "file_get_contents(\"http") || Contains(s, "file_get_contents('http");
  return tool;
}

bool HasUrl(std::string_view s) {
  return Contains(s, "http://") || Contains(s, "https://") || Contains(s, "ftp://") ||
         Contains(s, "tftp ");
}

// Places anyone (or the web server) can write, or hide in.
constexpr std::string_view kWritable[] = {
    "/tmp/",
    "/var/tmp/",
    "/dev/shm/",
    "/run/shm/",
    "/pub/media/",
    "/media/",
    "/wp-content/uploads/",
    "/uploads/",
    "/var/www/html/tmp",
    "/pub/static/",
    "/var/cache/",
    "/var/lib/php/sessions",
    "/.cache/",
    "/.config/",
};

bool NamesWritablePlace(std::string_view s) {
  for (std::string_view w : kWritable)
    if (Contains(s, w)) return true;
  // A hidden folder or file in a path: "/.x/", "/...", "/. /": but not "/./" or "/../".
  for (size_t pos = s.find("/."); pos != std::string_view::npos; pos = s.find("/.", pos + 1)) {
    size_t n = pos + 2;
    if (n >= s.size()) break;
    char c = s[n];
    if (c == '/' || c == ' ') continue;
    if (c == '.' && (n + 1 >= s.size() || s[n + 1] == '/')) continue;  // "/../"
    // Dot-folders every home has are not hiding places.
    std::string_view rest = s.substr(n);
    if (rest.starts_with("ssh/") || rest.starts_with("bashrc") || rest.starts_with("profile") ||
        rest.starts_with("composer") || rest.starts_with("npm") || rest.starts_with("nvm") ||
        rest.starts_with("local/") || rest.starts_with("well-known") || rest.starts_with("git") ||
        rest.starts_with("cache/") || rest.starts_with("config/") || rest.starts_with("htaccess") ||
        rest.starts_with("user.ini") || rest.starts_with("env"))
      continue;
    return true;
  }
  return false;
}

// Runs something from a writable place: "php /tmp/x", "sh /dev/shm/.x", "/tmp/x &",
// "chmod +x /tmp/x".
bool RunsFromWritable(std::string_view s) {
  if (!NamesWritablePlace(s)) return false;
  for (std::string_view interp : kInterpreters)
    if (HasWord(s, interp)) return true;
  if (Contains(s, "chmod +x") || Contains(s, "chmod 7") || Contains(s, "chmod 0") ||
      Contains(s, "nohup "))
    return true;
  // The command word itself is a path in a writable place.
  std::string_view first = s.substr(0, s.find(' '));
  for (std::string_view w : kWritable)
    if (first.starts_with(w.substr(0, w.size() - 1)) || Contains(first, w)) return true;
  return first.find("/.") != std::string_view::npos;
}

// Where a download is written: the word after -o / -O / --output / --output-document / ">";
// "" for standard output or /dev/null.
std::string_view OutputTarget(std::string_view s) {
  for (std::string_view flag : {" -o ", " --output ", " --output-document=", " -o", " > ", ">"}) {
    size_t at = s.find(flag);
    if (at == std::string_view::npos) continue;
    std::string_view rest = s.substr(at + flag.size());
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    size_t end = rest.find_first_of(" ;|&)");
    std::string_view target = rest.substr(0, end);
    if (target.empty() || target == "-" || target.starts_with("/dev/null") || target == "&1" ||
        target.starts_with("&"))
      continue;
    return target;
  }
  return {};
}

bool ScriptName(std::string_view target) {
  for (std::string_view ext : {".php", ".phtml", ".phar", ".sh", ".pl", ".py", ".cgi"})
    if (target.size() >= ext.size() && target.substr(target.size() - ext.size()) == ext)
      return true;
  return false;
}

bool Decodes(std::string_view s) {
  return Contains(s, "base64 -d") || Contains(s, "base64 --decode") || Contains(s, "base64 -di") ||
         Contains(s, "openssl enc -d") || Contains(s, "openssl base64 -d") ||
         Contains(s, "xxd -r") || Contains(s, "base64_decode(") || Contains(s, "gzinflate(") ||
         Contains(s, "str_rot13(") || Contains(s, "b64decode(");
}

bool ReverseShell(std::string_view s) {
  return Contains(s, "/dev/tcp/") || Contains(s, "/dev/udp/") ||
         ((HasWord(s, "nc") || HasWord(s, "ncat") || HasWord(s, "netcat")) &&
          (Contains(s, " -e ") || Contains(s, " -c ") || Contains(s, "mkfifo") ||
           Contains(s, "/bin/sh") || Contains(s, "/bin/bash"))) ||
         (HasWord(s, "socat") && (Contains(s, "exec:") || Contains(s, "system:"))) ||
         Contains(s, "bash -i >&") || Contains(s, "sh -i >&") ||
         ((Contains(s, "python") || Contains(s, "perl") || Contains(s, "php") ||
           Contains(s, "ruby")) &&
          (Contains(s, "socket") || Contains(s, "fsockopen")) &&
          (Contains(s, "connect") || Contains(s, "fsockopen")) &&
          (Contains(s, "dup2") || Contains(s, "/bin/sh") || Contains(s, "exec") ||
           Contains(s, "proc_open") || Contains(s, "spawn")));
}

bool DumpsDatabase(std::string_view s) {
  return HasWord(s, "mysqldump") || HasWord(s, "mariadb-dump") || HasWord(s, "pg_dump") ||
         HasWord(s, "pg_dumpall") || HasWord(s, "mydumper") || Contains(s, "into outfile") ||
         (HasWord(s, "n98-magerun") && Contains(s, "db:dump")) ||
         (HasWord(s, "n98-magerun2") && Contains(s, "db:dump")) ||
         (HasWord(s, "wp") && Contains(s, "db export")) ||
         ((HasWord(s, "mysql") || HasWord(s, "mariadb")) && Contains(s, "select") &&
          Contains(s, ">"));
}

bool CoversTracks(std::string_view s) {
  return Contains(s, "history -c") || Contains(s, "history -w /dev/null") ||
         Contains(s, "unset histfile") || Contains(s, "histfile=/dev/null") ||
         Contains(s, "histsize=0") || Contains(s, "histfilesize=0") ||
         (Contains(s, "_history") && (HasWord(s, "rm") || HasWord(s, "shred") ||
                                      Contains(s, "/dev/null") || HasWord(s, "truncate"))) ||
         (HasWord(s, "touch") && (Contains(s, " -r ") || Contains(s, " -t ") ||
                                  Contains(s, "--reference") || Contains(s, " -d "))) ||
         ((Contains(s, "/var/log/") || Contains(s, "access.log") || Contains(s, "access_log")) &&
          (HasWord(s, "rm") || HasWord(s, "shred") || Contains(s, "> /var/log") ||
           HasWord(s, "truncate") || Contains(s, "sed -i")));
}

bool AddsPersistence(std::string_view s, std::string* what) {
  if (Contains(s, "authorized_keys") &&
      (Contains(s, ">>") || Contains(s, ">") || HasWord(s, "tee") || HasWord(s, "cp") ||
       HasWord(s, "mv") || Contains(s, "ssh-copy-id"))) {
    *what = "adds an SSH key";
    return true;
  }
  if (HasWord(s, "crontab") && (Contains(s, "crontab -") || Contains(s, "| crontab") ||
                                Contains(s, "crontab /") || Contains(s, "crontab -e"))) {
    *what = "installs a crontab";
    return true;
  }
  if ((Contains(s, "/etc/cron") || Contains(s, "/var/spool/cron")) &&
      (Contains(s, ">>") || Contains(s, ">") || HasWord(s, "tee") || HasWord(s, "cp") ||
       HasWord(s, "mv"))) {
    *what = "writes a cron file";
    return true;
  }
  if (HasWord(s, "useradd") || HasWord(s, "adduser") ||
      (HasWord(s, "usermod") && (Contains(s, "sudo") || Contains(s, "wheel"))) ||
      (Contains(s, "/etc/passwd") && Contains(s, ">>")) ||
      (Contains(s, "/etc/sudoers") && (Contains(s, ">>") || HasWord(s, "tee")))) {
    *what = "adds a user or privileges";
    return true;
  }
  if (HasWord(s, "chattr") && Contains(s, "+i")) {
    *what = "makes a file immutable (locks a backdoor in place)";
    return true;
  }
  if ((Contains(s, "auto_prepend_file") || Contains(s, "auto_append_file")) &&
      (Contains(s, ">") || HasWord(s, "tee") || HasWord(s, "sed"))) {
    *what = "sets a PHP auto_prepend/append file";
    return true;
  }
  return false;
}

bool MinesOrScans(std::string_view s) {
  return Contains(s, "stratum+tcp://") || Contains(s, "stratum+ssl://") || HasWord(s, "xmrig") ||
         HasWord(s, "masscan") || HasWord(s, "zmap");
}

void Add(CommandVerdict& v, Severity s, std::string technique, std::string reason) {
  if (v.reasons.empty() || s > v.severity) {
    v.severity = s;
    v.technique = std::move(technique);
  }
  v.reasons.push_back(std::move(reason));
}

}  // namespace

CommandVerdict AnalyzeCommand(std::string_view command) {
  CommandVerdict v;
  if (command.size() > 64 * 1024) command = command.substr(0, 64 * 1024);  // bounded
  std::string s = Lower(command);
  bool fetch = Fetches(s) && HasUrl(s);
  bool pipes = PipesIntoInterpreter(s);
  bool decodes = Decodes(s);
  if (fetch && (pipes || Contains(s, "<(curl") || Contains(s, "<(wget") || Contains(s, "$(curl") ||
                Contains(s, "$(wget") || Contains(s, "`curl") || Contains(s, "`wget")))
    Add(v, Severity::kCritical, "download_exec", "downloads code and runs it");
  else if (fetch && RunsFromWritable(s))
    Add(v, Severity::kHigh, "download_exec", "downloads to a writable place and runs it");
  else if (fetch && !OutputTarget(s).empty() &&
           (NamesWritablePlace(OutputTarget(s)) || ScriptName(OutputTarget(s))))
    Add(v, Severity::kHigh, "download_drop",
        "downloads a script or into a writable or hidden place");
  if (decodes && (pipes || Contains(s, "eval") || Contains(s, "$(echo") || Contains(s, "assert(") ||
                  Contains(s, "system(")))
    Add(v, Severity::kCritical, "decode_exec", "decodes hidden code and runs it");
  else if (decodes && (Contains(s, ".php") || NamesWritablePlace(s)))
    Add(v, Severity::kHigh, "decode_drop", "decodes hidden content into a file");
  if (ReverseShell(s)) Add(v, Severity::kCritical, "reverse_shell", "opens a reverse shell");
  if (HasWord(s, "php") && Contains(s, " -r ") &&
      (Contains(s, "eval(") || Contains(s, "system(") || Contains(s, "exec(") ||
       Contains(s, "passthru(") || Contains(s, "file_put_contents(") || Contains(s, "fsockopen(") ||
       Contains(s, "assert(")))
    Add(v, Severity::kHigh, "php_inline", "runs inline PHP that executes or writes code");
  if (v.reasons.empty() && RunsFromWritable(s))
    Add(v, Severity::kHigh, "writable_exec", "runs code from a writable or hidden place");
  if (DumpsDatabase(s)) {
    bool staged = NamesWritablePlace(s) || Contains(s, "public_html") || Contains(s, "/pub/");
    Add(v, staged ? Severity::kHigh : Severity::kMedium, "db_dump",
        staged ? "dumps the database into a web-served or writable place" : "dumps the database");
  }
  if (CoversTracks(s)) Add(v, Severity::kHigh, "cover_tracks", "hides or erases traces");
  std::string what;
  if (AddsPersistence(s, &what)) Add(v, Severity::kHigh, "persistence", what);
  if (MinesOrScans(s)) Add(v, Severity::kHigh, "miner_scanner", "runs a miner or mass scanner");
  return v;
}

}  // namespace tq::host
