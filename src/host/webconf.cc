// Web-server configuration that lets an upload run as PHP, the way a backdoor is kept
// reachable after its file is found: nginx locations over upload/media folders that pass to
// PHP-FPM, regex locations that send images to PHP; Apache (and .htaccess) handler mappings
// of non-PHP extensions to PHP, SetHandler to PHP for every file of a folder, and PHP turned
// back on in an upload folder. Read line by line with a small block stack; nothing is
// evaluated.
#include <cctype>
#include <string>
#include <vector>

#include "core/text.h"
#include "host/host.h"
#include "host/text.h"

namespace tq::host {
namespace {

bool Contains(std::string_view s, std::string_view n) { return s.find(n) != std::string::npos; }

// Folders that hold what visitors or the admin upload.
bool NamesUploadFolder(std::string_view s) {
  // Not "/var/": every document root is under /var/www.
  for (std::string_view f :
       {"upload", "/media", "/files", "/images", "/img", "/tmp", "/cache", "/import", "/export"})
    if (Contains(s, f)) return true;
  return false;
}

// Extensions that must never run as PHP.
bool NamesInertExtension(std::string_view s) {
  for (std::string_view e :
       {"jpg",  "jpeg", "png", "gif",  "ico", "bmp", "webp", "svg", "txt", "css", "js",
        "html", "htm",  "xml", "json", "pdf", "zip", "csv",  "log", "mp4", "woff"})
    for (size_t pos = s.find(e); pos != std::string::npos; pos = s.find(e, pos + 1)) {
      char before = pos ? s[pos - 1] : ' ';
      size_t end = pos + e.size();
      char after = end < s.size() ? s[end] : ' ';
      if (!std::isalnum(static_cast<unsigned char>(before)) &&
          !std::isalnum(static_cast<unsigned char>(after)))
        return true;
    }
  return false;
}

bool PhpHandler(std::string_view lower) {
  return Contains(lower, "php") || Contains(lower, "fcgi") || Contains(lower, "fastcgi");
}

std::string Snip(std::string_view s) { return std::string(Trim(s).substr(0, 300)); }

}  // namespace

std::vector<WebConfIssue> AnalyzeNginxConf(std::string_view text) {
  std::vector<WebConfIssue> out;
  struct Block {
    bool location = false;
    std::string match;  // lower case
    bool reported = false;
  };
  std::vector<Block> stack;
  LineReader lines(text);
  std::string pending_location;  // a "location ..." whose '{' may follow on a later line
  std::string_view raw;
  while ((stack.size() < 256) && lines.Next(&raw)) {
    uint64_t line_no = lines.number();
    std::string_view line = Trim(raw);
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = Trim(line.substr(0, hash));
    if (line.empty()) continue;
    std::string lower = Lower(line);
    if (lower.starts_with("location") && lower.size() > 8 &&
        std::isspace(static_cast<unsigned char>(lower[8]))) {
      pending_location = lower.substr(9);
    }
    // Directives in this line, for the innermost block.
    if ((lower.starts_with("fastcgi_pass") || lower.starts_with("include snippets/fastcgi-php") ||
         (lower.starts_with("proxy_pass") && Contains(lower, "php"))) &&
        !stack.empty()) {
      // The innermost location that passes to PHP, and any location around it.
      for (size_t i = stack.size(); i-- > 0;) {
        Block& b = stack[i];
        if (!b.location || b.reported) continue;
        bool upload = NamesUploadFolder(b.match);
        bool inert = NamesInertExtension(b.match) && (b.match.starts_with("~"));
        if (upload || inert) {
          b.reported = true;
          out.push_back({line_no,
                         upload ? "PHP is passed to FastCGI inside an upload or media folder's "
                                  "location"
                                : "a location that sends images or text files to PHP",
                         Snip("location " + b.match + " ... " + std::string(line))});
          break;
        }
      }
    }
    for (char c : line) {
      if (c == '{') {
        Block b;
        if (!pending_location.empty()) {
          b.location = true;
          b.match = std::string(Trim(pending_location.substr(0, pending_location.find('{'))));
          pending_location.clear();
        }
        stack.push_back(std::move(b));
      } else if (c == '}') {
        if (!stack.empty()) stack.pop_back();
      }
    }
  }
  return out;
}

std::vector<WebConfIssue> AnalyzeApacheConf(std::string_view text) {
  std::vector<WebConfIssue> out;
  struct Section {
    std::string tag, arg;  // lower case: "filesmatch", "\.ph(p|tml)$"
  };
  std::vector<Section> stack;
  LineReader lines(text);
  std::string_view raw;
  while (lines.Next(&raw)) {
    uint64_t line_no = lines.number();
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    std::string lower = Lower(line);
    if (lower.starts_with("</")) {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    if (lower[0] == '<') {
      if (stack.size() >= 64) continue;
      size_t sp = lower.find_first_of(" \t>");
      Section s;
      s.tag = lower.substr(1, sp == std::string::npos ? std::string::npos : sp - 1);
      if (sp != std::string::npos)
        s.arg = std::string(Trim(lower.substr(sp, lower.find('>') - sp)));
      stack.push_back(std::move(s));
      continue;
    }
    bool in_files = false, files_inert = false, in_upload_dir = false;
    for (const Section& s : stack) {
      if (s.tag == "files" || s.tag == "filesmatch") {
        in_files = true;
        if (NamesInertExtension(s.arg)) files_inert = true;
      }
      if ((s.tag == "directory" || s.tag == "directorymatch" || s.tag == "location" ||
           s.tag == "locationmatch") &&
          NamesUploadFolder(s.arg))
        in_upload_dir = true;
    }
    if ((lower.starts_with("addhandler") || lower.starts_with("addtype")) && PhpHandler(lower)) {
      // "AddHandler application/x-httpd-php .php .jpg": the extensions after the handler.
      std::string_view rest = lower;
      size_t sp = rest.find_first_of(" \t");
      rest = sp == std::string::npos ? "" : Trim(rest.substr(sp));
      sp = rest.find_first_of(" \t");
      std::string_view exts = sp == std::string::npos ? "" : rest.substr(sp);
      if (NamesInertExtension(exts))
        out.push_back({line_no, "maps image or text extensions to the PHP handler", Snip(line)});
      continue;
    }
    if (lower.starts_with("sethandler") && PhpHandler(lower)) {
      if (files_inert)
        out.push_back({line_no, "runs image or text files as PHP (SetHandler in a Files section)",
                       Snip(line)});
      else if (!in_files)
        out.push_back({line_no,
                       "runs every file of the folder as PHP (SetHandler outside a "
                       "Files section)",
                       Snip(line)});
      continue;
    }
    if (in_upload_dir && (lower.starts_with("php_admin_flag") || lower.starts_with("php_flag")) &&
        Contains(lower, "engine") && (Contains(lower, " on") || Contains(lower, " 1")))
      out.push_back({line_no, "turns PHP back on in an upload or media folder", Snip(line)});
  }
  return out;
}

}  // namespace tq::host
