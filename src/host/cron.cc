// Crontab tables (crontab(5)): a user's table "min hour dom mon dow command", the system's
// (/etc/crontab, /etc/cron.d) with a user field before the command, "@reboot"-style
// shortcuts, environment lines and comments. A line that is none of these is reported, not
// guessed at.
#include <cctype>
#include <string>

#include "host/host.h"
#include "host/text.h"

namespace tq::host {
namespace {

// The next whitespace-separated field; `s` keeps the rest.
std::string_view NextField(std::string_view& s) {
  s = Trim(s);
  size_t end = 0;
  while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
  std::string_view f = s.substr(0, end);
  s.remove_prefix(end);
  return f;
}

// A time field: digits, names (jan, mon), '*', ',', '-', '/'.
bool TimeField(std::string_view f) {
  if (f.empty()) return false;
  for (char c : f)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '*' && c != ',' && c != '-' &&
        c != '/')
      return false;
  return true;
}

bool Shortcut(std::string_view f) {
  for (std::string_view s :
       {"@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
    if (f == s) return true;
  return false;
}

// NAME=value (spaces allowed around '='), as cron reads environment settings.
bool EnvLine(std::string_view line) {
  size_t eq = line.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  std::string_view name = Trim(line.substr(0, eq));
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace

CronFile ParseCrontab(std::string_view text, bool system_format) {
  CronFile out;
  LineReader lines(text);
  std::string_view line_raw;
  while (lines.Next(&line_raw)) {
    uint64_t line_no = lines.number();
    std::string_view line = Trim(line_raw);
    if (line.empty() || line[0] == '#') continue;
    std::string_view rest = line;
    std::string_view first = NextField(rest);
    CronEntry e;
    e.line = line_no;
    if (Shortcut(first)) {
      e.schedule = std::string(first);
    } else if (TimeField(first)) {
      std::string sched(first);
      bool ok = true;
      for (int i = 0; i < 4; ++i) {
        std::string_view f = NextField(rest);
        if (!TimeField(f)) {
          ok = false;
          break;
        }
        sched += " ";
        sched += f;
      }
      if (!ok) {
        if (EnvLine(line)) continue;
        lines.Skip(out.skipped, "not a cron entry (a schedule needs five time fields)");
        continue;
      }
      e.schedule = std::move(sched);
    } else {
      if (EnvLine(line)) continue;
      lines.Skip(out.skipped, "not a cron entry, comment or environment setting");
      continue;
    }
    if (system_format) e.user = std::string(NextField(rest));
    e.command = std::string(Trim(rest));
    if (e.command.empty()) {
      lines.Skip(out.skipped, "a schedule with no command");
      continue;
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

}  // namespace tq::host
