// host: the server around the store, as persistence hides there. `collect --label host`
// takes a copy of a server's /etc (cron, web-server and PHP configuration, PHP-FPM pools),
// the crontabs under /var/spool/cron, users' ~/.ssh/authorized_keys and shell histories,
// and `ps`/`ss` output saved to files; the web root's own .user.ini and .htaccess files are
// read too. Everything is attacker-writable text: read as bytes, bounded, never executed,
// escaped where shown.
//
// investigate stage "host" reports (findings host.*, each naming the file, line and the
// offending text):
//   host.cron           a cron entry that fetches or runs code from a remote, writable or
//                       hidden place, or decodes and pipes into a shell
//   host.php_prepend    auto_prepend_file / auto_append_file set in any PHP configuration
//                       (php.ini, conf.d, FPM pool, .user.ini, .htaccess)
//   host.vhost_upload   a web-server configuration that runs PHP from an upload or media
//                       folder, or maps images/text to the PHP handler
//   host.ssh_key        an authorized_keys entry not in the responders' known keys
//                       (every key when none are given: to review)
//   host.shell_history  a history command of the attack's kind (download and run, decode to
//                       a shell, reverse shell, database dump, covering tracks, adding keys,
//                       users or cron entries)
//   host.process        a process running from a writable or deleted place (ps output)
//   host.socket         a shell or interpreter holding a connection to a remote port no shop
//                       uses, or listening (ss / netstat output)
// Findings carry a time: a history command's own timestamp where the shell wrote one, else
// the file's modification time as collected (when a crontab, pool or key file was last
// written); the timeline shows them and containment turns each into a step (contain.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "core/skipped.h"
#include "core/time.h"

namespace tq::host {

// ---- what a file in a host tree is, by its path ----
enum class FileKind {
  kOther,
  kSystemCrontab,  // /etc/crontab, /etc/cron.d/*: a user field after the schedule
  kUserCrontab,    // /var/spool/cron/crontabs/<user>, /var/spool/cron/<user>
  kPhpIni,         // php.ini, conf.d/*.ini, .user.ini
  kFpmPool,        // php-fpm pool files (pool.d/*.conf, php-fpm.conf)
  kHtaccess,       // .htaccess
  kNginxConf,      // nginx configuration
  kApacheConf,     // Apache httpd configuration
  kAuthorizedKeys,
  kShellHistory,  // .bash_history, .zsh_history, .sh_history, .ash_history, .histfile
  kMysqlHistory,  // .mysql_history, .mariadb_history
  kPsOutput,      // a saved `ps` listing (ps.txt, ps-aux.txt, ps_ef.out ...)
  kSocketOutput,  // a saved `ss -tanp` / `netstat -tanp` listing (ss.txt, netstat-tanp.txt)
};
FileKind ClassifyPath(std::string_view path);
std::string_view FileKindName(FileKind k);

// ---- shell commands (cron entries, history lines) ----
struct CommandVerdict {
  std::vector<std::string> reasons;  // "downloads and runs code", ...; empty: benign
  Severity severity = Severity::kInfo;
  std::string technique;  // short tag of the strongest reason ("download_exec", ...)
};
CommandVerdict AnalyzeCommand(std::string_view command);

// ---- crontabs ----
struct CronEntry {
  uint64_t line = 0;
  std::string schedule;  // "*/5 * * * *" or "@reboot"
  std::string user;      // system crontabs only
  std::string command;
};
// Input a host parser read and did not use (a line it did not understand, what was past a
// bound) is counted in a SkipTally by reason, with the line, byte offset and length of the
// first few of each (core/skipped.h); the caller names the file.
struct CronFile {
  std::vector<CronEntry> entries;
  SkipTally skipped;  // lines that are not entries, comments or settings
};
CronFile ParseCrontab(std::string_view text, bool system_format);

// ---- PHP configuration (ini syntax, FPM pools, .htaccess php_value lines) ----
struct PhpDirective {
  uint64_t line = 0;
  std::string name;   // lower case: "auto_prepend_file"
  std::string value;  // unquoted
  std::string raw;    // the line as written
};
std::vector<PhpDirective> ParsePhpDirectives(std::string_view text, FileKind kind);

// ---- web-server configuration ----
struct WebConfIssue {
  uint64_t line = 0;
  std::string what;     // why it lets uploads run as PHP
  std::string snippet;  // the directive(s)
};
std::vector<WebConfIssue> AnalyzeNginxConf(std::string_view text);
std::vector<WebConfIssue> AnalyzeApacheConf(std::string_view text);  // also .htaccess

// ---- authorized_keys ----
struct SshKey {
  uint64_t line = 0;
  std::string options;      // command="...",from="..." (raw)
  std::string type;         // ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, sk-...
  std::string fingerprint;  // SHA256:<base64 without padding>, as ssh-keygen -l prints
  std::string comment;
};
struct KeyFile {
  std::vector<SshKey> keys;
  SkipTally skipped;  // lines without a valid key
};
KeyFile ParseAuthorizedKeys(std::string_view text);
// Fingerprints from a known-keys file: authorized_keys lines, or "SHA256:..." lines.
std::vector<std::string> KnownFingerprints(std::string_view text);

// ---- shell histories ----
struct HistoryCommand {
  uint64_t line = 0;
  std::optional<UnixMicros> time;  // zsh extended history, bash HISTTIMEFORMAT "#<epoch>"
  std::string command;
};
struct History {
  std::vector<HistoryCommand> commands;
  uint64_t lines = 0;
  bool truncated = false;  // stopped at the bound (options.max_history_lines)
  // What was past that bound, and the part of a command past 64 KiB (the command is kept
  // and judged by its first 64 KiB).
  SkipTally skipped;
};
History ParseShellHistory(std::string_view text, uint64_t max_lines);
// A MySQL client history: statements, with \040 for spaces.
History ParseMysqlHistory(std::string_view text, uint64_t max_lines);
CommandVerdict AnalyzeSqlStatement(std::string_view statement);

// ---- ps output ----
struct Process {
  uint64_t line = 0;
  std::string user, pid, command;
};
struct ProcessListing {
  std::vector<Process> processes;
  // Lines before the header (all of them when no line names the command column), rows with
  // fewer columns than the PID column or no command, what is past 100,000 processes.
  SkipTally skipped;
};
ProcessListing ParsePsOutput(std::string_view text);
CommandVerdict AnalyzeProcess(const Process& p);

// ---- ss / netstat output ----
struct Socket {
  uint64_t line = 0;
  std::string state, local, peer, program;
};
struct SocketListing {
  std::vector<Socket> sockets;
  // Lines before the header (all of them when no line names the local and peer columns),
  // rows without both addresses, what is past 100,000 sockets.
  SkipTally skipped;
};
SocketListing ParseSocketListing(std::string_view text);
CommandVerdict AnalyzeSocket(const Socket& s);

// ---- the stage ----
struct Options {
  std::string known_keys_path;  // authorized_keys or fingerprint list of the responders' keys
  uint64_t max_file_bytes = uint64_t{64} << 20;  // larger host files: read up to here, reported
  uint64_t max_history_lines = 1'000'000;
};
struct Report {
  int64_t files = 0, read = 0, findings = 0;
  int64_t cron_entries = 0, php_directives = 0, keys = 0, history_commands = 0, processes = 0,
          sockets = 0;
  std::vector<Status> item_errors;  // per file: unreadable, truncated, malformed lines
};
Result<Report> InvestigateHost(Case& c, const Options& options);

}  // namespace tq::host
