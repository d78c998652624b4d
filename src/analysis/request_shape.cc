// Request shapes shared by PHP stores (see request_shape.h).
#include "analysis/request_shape.h"

#include <array>
#include <cctype>

#include "core/text.h"

namespace tq::analysis {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

int LevelRank(std::string_view level) {
  std::string l = Lower(level);
  if (l == "informational" || l == "info") return 0;
  if (l == "low") return 1;
  if (l == "medium") return 2;
  if (l == "high") return 3;
  if (l == "critical") return 4;
  return -1;
}

namespace {

bool IEndsWith(std::string_view s, std::string_view lower_suffix) {
  return s.size() >= lower_suffix.size() &&
         EqualsFold(s.substr(s.size() - lower_suffix.size()), lower_suffix);
}

bool IStartsWith(std::string_view s, std::string_view lower_prefix) {
  return s.size() >= lower_prefix.size() &&
         EqualsFold(s.substr(0, lower_prefix.size()), lower_prefix);
}

}  // namespace

// Called for every request: no copies.
bool IsAdminPath(std::string_view p) {
  size_t pos = 0;
  while (pos < p.size()) {
    while (pos < p.size() && p[pos] == '/') ++pos;
    size_t end = p.find('/', pos);
    if (end == std::string_view::npos) end = p.size();
    std::string_view seg = p.substr(pos, end - pos);
    if (EqualsFold(seg, "admin") || IStartsWith(seg, "admin_") ||
        EqualsFold(seg, "administrator") || EqualsFold(seg, "backend") ||
        EqualsFold(seg, "wp-admin") || EqualsFold(seg, "wp-login.php"))
      return true;
    // Only the first segment names the area, after an optional index.php.
    if (!EqualsFold(seg, "index.php")) return false;
    pos = end;
  }
  return false;
}

bool IsLoginPost(std::string_view method, std::string_view path) {
  if (method != "POST") return false;
  std::string p = Lower(path);
  return p.find("login") != std::string::npos || EndsWith(p, "/xmlrpc.php");
}

bool IsDownloadPath(std::string_view path) {
  static constexpr std::array<std::string_view, 17> kExt = {
      ".sql", ".gz",  ".zip",  ".tar",    ".tgz", ".bz2", ".xz", ".7z",   ".rar",
      ".csv", ".bak", ".dump", ".sqlite", ".zst", ".tbz", ".db", ".mysql"};
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return false;
  for (std::string_view e : kExt)
    if (IEndsWith(path, e)) return true;
  return false;
}

CheckoutCall CheckoutCallOf(std::string_view method, std::string_view path) {
  if (method != "POST" && method != "PUT") return CheckoutCall::kNone;
  std::string p = Lower(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.find("/rest/") == std::string::npos || p.find("carts/") == std::string::npos)
    return CheckoutCall::kNone;
  if (method == "POST" && (EndsWith(p, "/shipping-information") || EndsWith(p, "/billing-address")))
    return CheckoutCall::kAddress;
  if ((method == "POST" && EndsWith(p, "/payment-information")) ||
      (method == "PUT" && EndsWith(p, "/order")))
    return CheckoutCall::kPlaceOrder;
  return CheckoutCall::kNone;
}

std::vector<std::string> UrlPathsForWebrootFile(std::string_view relative_path) {
  std::string rel(relative_path);
  while (rel.starts_with("./")) rel.erase(0, 2);
  while (rel.starts_with("/")) rel.erase(0, 1);
  // The collected tree may hold the installation below a directory ("shop/pub/media/x.php"),
  // and Magento serves pub/ as the document root: every suffix that starts at a directory
  // boundary and keeps at least one directory is a URL that may reach the file.
  std::vector<std::string> out{"/" + rel};
  for (size_t at = rel.find('/'); at != std::string::npos; at = rel.find('/', at + 1)) {
    std::string suffix = rel.substr(at);
    if (suffix.find('/', 1) == std::string::npos) break;  // a bare file name is too common
    out.push_back(suffix);
  }
  return out;
}

}  // namespace tq::analysis
