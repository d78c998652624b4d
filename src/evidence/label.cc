// Guessing a source's label (logs, webroot, db, other) when --label is not given.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

#include "core/text.h"
#include "evidence/evidence.h"

namespace tq::evidence {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Strips one compression suffix: "x.sql.gz" -> "x.sql".
std::string_view StripCompression(std::string_view name) {
  for (std::string_view ext : {".gz", ".zst", ".bz2", ".xz", ".zip"})
    if (EndsWith(name, ext)) return name.substr(0, name.size() - ext.size());
  return name;
}

bool IsDbName(std::string_view name) {
  std::string_view base = StripCompression(name);
  return EndsWith(base, ".sql") || EndsWith(base, ".dump") || EndsWith(base, ".sql.tar");
}

// access.log, error.log.1, access.log.2.gz, access_log, php-fpm.log-20251010.
bool IsLogName(std::string_view name) {
  std::string_view base = StripCompression(name);
  while (!base.empty() && (std::isdigit(static_cast<unsigned char>(base.back())) ||
                           base.back() == '.' || base.back() == '-'))
    base.remove_suffix(1);
  return EndsWith(base, ".log") || EndsWith(base, "_log") || base == "syslog" ||
         base == "messages" || EndsWith(base, "auth.log");
}

bool InLogDir(const std::filesystem::path& p) {
  for (const auto& part : p) {
    std::string s = Lower(part.string());
    if (s == "log" || s == "logs" || s == "nginx" || s == "apache2" || s == "httpd") return true;
  }
  return false;
}

bool Exists(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

}  // namespace

std::string GuessLabel(const std::string& path) {
  if (path == "-") return "other";
  namespace fs = std::filesystem;
  fs::path p = fs::path(path).lexically_normal();
  std::string name = Lower(p.filename().string());
  if (name.empty()) name = Lower(p.parent_path().filename().string());
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    for (const char* marker : {"app/etc/env.php", "wp-config.php", "index.php", "pub/index.php",
                               "wp-login.php", "bin/magento"})
      if (Exists(path + "/" + marker)) return "webroot";
    std::error_code ec;
    size_t logs = 0, dbs = 0, files = 0;
    for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      if (++files > 2000) break;
      std::string n = Lower(it->path().filename().string());
      if (IsLogName(n)) ++logs;
      if (IsDbName(n)) ++dbs;
    }
    if (dbs > 0 && dbs >= logs) return "db";
    if (InLogDir(fs::absolute(p, ec)) || (files > 0 && logs * 2 >= files)) return "logs";
    return "other";
  }
  if (IsDbName(name)) return "db";
  if (IsLogName(name)) return "logs";
  std::error_code ec;
  if ((EndsWith(name, ".gz") || EndsWith(name, ".zst")) && InLogDir(fs::absolute(p, ec)))
    return "logs";
  // Archives named for what they hold.
  for (std::string_view ext : {".tar", ".tgz", ".tar.gz", ".tar.zst", ".tzst", ".zip"}) {
    if (!EndsWith(name, ext)) continue;
    if (name.find("sql") != std::string::npos || name.find("db") != std::string::npos) return "db";
    if (name.find("log") != std::string::npos) return "logs";
    for (const char* w : {"www", "html", "webroot", "htdocs", "site", "magento", "wordpress"})
      if (name.find(w) != std::string::npos) return "webroot";
  }
  return "other";
}

}  // namespace tq::evidence
