// What a file of a collected host tree is, from its path alone: the tree may be a copy of
// "/", of "/etc" only, or a tar with a leading "./"; names are matched on the path's last
// components, case-sensitively as on the server.
#include <array>
#include <string>

#include "host/host.h"

namespace tq::host {
namespace {

std::vector<std::string_view> Parts(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    if (!part.empty() && part != ".") out.push_back(part);
    pos = slash + 1;
  }
  return out;
}

bool Has(const std::vector<std::string_view>& parts, std::string_view name) {
  for (std::string_view p : parts)
    if (p == name) return true;
  return false;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The part before the last one (the folder holding the file), or "".
std::string_view Parent(const std::vector<std::string_view>& parts, size_t up = 1) {
  return parts.size() > up ? parts[parts.size() - 1 - up] : std::string_view();
}

}  // namespace

FileKind ClassifyPath(std::string_view path) {
  std::vector<std::string_view> parts = Parts(path);
  if (parts.empty()) return FileKind::kOther;
  std::string_view name = parts.back();
  std::string_view dir = Parent(parts);

  if (name == "authorized_keys" || name == "authorized_keys2") return FileKind::kAuthorizedKeys;
  for (std::string_view h : {".bash_history", ".zsh_history", ".sh_history", ".ash_history",
                             ".histfile", ".history", "fish_history"})
    if (name == h) return FileKind::kShellHistory;
  if (name == ".mysql_history" || name == ".mariadb_history") return FileKind::kMysqlHistory;
  if (name == ".user.ini" || name == "php.ini" || name == "php-cli.ini") return FileKind::kPhpIni;
  if (name == ".htaccess") return FileKind::kHtaccess;

  // Crontabs: /etc/crontab, /etc/cron.d/*, /var/spool/cron/crontabs/<user> (Debian),
  // /var/spool/cron/<user> (Red Hat), /etc/cron.{hourly,daily,...}/ hold scripts (read as
  // commands by the user-crontab parser would be wrong: they are shell scripts, not tables).
  if (dir == "etc" && name == "crontab") return FileKind::kSystemCrontab;
  if (dir == "cron.d" && !EndsWith(name, ".dpkg-dist") && !EndsWith(name, ".dpkg-old") &&
      name != ".placeholder")
    return FileKind::kSystemCrontab;
  if (dir == "crontabs" || (dir == "cron" && Parent(parts, 2) == "spool"))
    return FileKind::kUserCrontab;

  bool in_php =
      Has(parts, "php") || Has(parts, "php-fpm.d") || StartsWith(dir, "php") || Has(parts, "php.d");
  for (std::string_view p : parts)
    if (StartsWith(p, "php") && p.size() > 3 && (p[3] >= '0' && p[3] <= '9')) in_php = true;
  if (dir == "pool.d" || dir == "php-fpm.d" || name == "php-fpm.conf" || name == "www.conf")
    return FileKind::kFpmPool;
  if (in_php && (EndsWith(name, ".ini"))) return FileKind::kPhpIni;

  if (Has(parts, "nginx") && (EndsWith(name, ".conf") || dir == "sites-enabled" ||
                              dir == "sites-available" || dir == "conf.d" || name == "nginx.conf"))
    return FileKind::kNginxConf;
  if ((Has(parts, "apache2") || Has(parts, "httpd")) &&
      (EndsWith(name, ".conf") || dir == "sites-enabled" || dir == "sites-available" ||
       EndsWith(name, ".load")))
    return FileKind::kApacheConf;

  // Saved socket listings: ss.txt, ss-tanp.txt, netstat.txt, sockets.txt.
  if (StartsWith(name, "ss.") || StartsWith(name, "ss-") || StartsWith(name, "ss_") ||
      StartsWith(name, "netstat") || StartsWith(name, "sockets"))
    return FileKind::kSocketOutput;
  // Saved process listings: ps.txt, ps-aux.txt, ps_ef.out, processes.txt.
  if (StartsWith(name, "ps.") || StartsWith(name, "ps-") || StartsWith(name, "ps_") ||
      StartsWith(name, "processes"))
    return FileKind::kPsOutput;
  return FileKind::kOther;
}

std::string_view FileKindName(FileKind k) {
  switch (k) {
    case FileKind::kOther: return "other";
    case FileKind::kSystemCrontab: return "system crontab";
    case FileKind::kUserCrontab: return "user crontab";
    case FileKind::kPhpIni: return "PHP ini";
    case FileKind::kFpmPool: return "PHP-FPM pool";
    case FileKind::kHtaccess: return ".htaccess";
    case FileKind::kNginxConf: return "nginx configuration";
    case FileKind::kApacheConf: return "Apache configuration";
    case FileKind::kAuthorizedKeys: return "authorized_keys";
    case FileKind::kShellHistory: return "shell history";
    case FileKind::kMysqlHistory: return "MySQL history";
    case FileKind::kPsOutput: return "process listing";
    case FileKind::kSocketOutput: return "socket listing";
  }
  return "other";
}

}  // namespace tq::host
