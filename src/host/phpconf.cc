// PHP settings wherever they are written: php.ini and conf.d (ini: "name = value", ';'
// comments, [sections]), .user.ini (the same, read per directory by PHP-FPM/CGI), PHP-FPM
// pools ("php_admin_value[name] = value", "php_value[...]"), and Apache's .htaccess or
// vhost lines ("php_value name value", "php_admin_value", "php_flag"). Only the directive
// names and values matter here; quoting is removed as PHP does.
#include <cctype>
#include <string>

#include "core/text.h"
#include "host/host.h"
#include "host/text.h"

namespace tq::host {
namespace {

std::string Unquote(std::string_view v) {
  v = Trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// "name = value ; comment" (the value may be quoted; a ';' inside quotes stays).
bool IniLine(std::string_view line, std::string* name, std::string* value) {
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) return false;
  std::string_view n = Trim(line.substr(0, eq));
  std::string_view v = Trim(line.substr(eq + 1));
  if (!v.empty() && (v[0] == '"' || v[0] == '\'')) {
    size_t close = v.find(v[0], 1);  // a quoted value ends at its quote; a comment may follow
    if (close != std::string_view::npos) v = v.substr(0, close + 1);
  } else {
    size_t semi = v.find(';');
    if (semi != std::string_view::npos) v = Trim(v.substr(0, semi));
  }
  // FPM pools: php_value[name] / php_admin_value[name] / php_flag[...] / php_admin_flag[...]
  if (n.starts_with("php_") && n.find('[') != std::string_view::npos) {
    if (n.back() != ']') return false;
    size_t open = n.find('[');
    if (open == std::string_view::npos) return false;
    n = n.substr(open + 1, n.size() - open - 2);
  }
  n = Trim(n);  // "php_value[ ]" names nothing
  if (n.empty()) return false;
  *name = Lower(n);
  *value = Unquote(v);
  return true;
}

// Apache: "php_value name value" / "php_admin_value" / "php_flag" / "php_admin_flag".
bool ApacheLine(std::string_view line, std::string* name, std::string* value) {
  std::string lower = Lower(line.substr(0, 20));
  std::string_view rest;
  for (std::string_view d : {"php_admin_value", "php_admin_flag", "php_value", "php_flag"}) {
    if (lower.starts_with(d) && line.size() > d.size() &&
        std::isspace(static_cast<unsigned char>(line[d.size()]))) {
      rest = Trim(line.substr(d.size()));
      break;
    }
  }
  if (rest.empty()) return false;
  size_t sp = 0;
  while (sp < rest.size() && !std::isspace(static_cast<unsigned char>(rest[sp]))) ++sp;
  *name = Lower(rest.substr(0, sp));
  *value = Unquote(rest.substr(sp));
  return !name->empty();
}

}  // namespace

std::vector<PhpDirective> ParsePhpDirectives(std::string_view text, FileKind kind) {
  std::vector<PhpDirective> out;
  bool apache = kind == FileKind::kHtaccess || kind == FileKind::kApacheConf;
  LineReader lines(text);
  std::string_view raw;
  while (lines.Next(&raw)) {
    uint64_t line_no = lines.number();
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == ';' || line[0] == '#' || line[0] == '[') continue;
    PhpDirective d;
    d.line = line_no;
    bool ok = apache ? ApacheLine(line, &d.name, &d.value) : IniLine(line, &d.name, &d.value);
    if (!ok) continue;
    d.raw = std::string(line.substr(0, 512));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tq::host
