// The cron jobs a Magento installation declares: every <job name="..."> of the etc/crontab.xml
// files of its modules (app/code/*/*/etc, vendor/*/*/etc) in the collected web root. A job code
// in cron_schedule that none declares was put there by something else: a job defined in
// core_config_data (crontab/<group>/jobs/<code>), a module that is not on disk, or a row written
// straight into the table. Likewise the WordPress plugins on disk (wp-content/plugins/<dir>),
// against which the active_plugins option is checked.
#include <string>

#include "evidence/evidence.h"
#include "storedb/storedb.h"

namespace tq::storedb {

std::vector<std::string> CronJobNames(std::string_view xml) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = xml.find("<job", pos)) != std::string_view::npos && out.size() < 10000) {
    pos += 4;
    if (pos >= xml.size() ||
        (xml[pos] != ' ' && xml[pos] != '\t' && xml[pos] != '\n' && xml[pos] != '\r'))
      continue;  // <jobs>, <job_name>
    size_t end = xml.find('>', pos);
    if (end == std::string_view::npos) break;
    std::string_view tag = xml.substr(pos, end - pos);
    size_t n = tag.find("name=");
    while (n != std::string_view::npos && n > 0 && tag[n - 1] != ' ' && tag[n - 1] != '\t' &&
           tag[n - 1] != '\n')
      n = tag.find("name=", n + 5);  // not "instance_name="
    if (n == std::string_view::npos || n + 6 > tag.size()) continue;
    char q = tag[n + 5];
    if (q != '"' && q != '\'') continue;
    size_t close = tag.find(q, n + 6);
    if (close == std::string_view::npos) continue;
    std::string_view name = tag.substr(n + 6, close - n - 6);
    if (!name.empty() && name.size() < 256) out.emplace_back(name);
    pos = end;
  }
  return out;
}

Result<std::set<std::string>> DeclaredCronJobs(Case& c) {
  std::set<std::string> out;
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, evidence::FilesForLabel(c, "webroot"));
  for (const EvidenceItem& item : items) {
    const std::string& p = item.original_path;
    if (p.size() < 16 || p.compare(p.size() - 16, 16, "/etc/crontab.xml") != 0) continue;
    if (item.size > (4u << 20)) continue;  // a crontab.xml is a few KB
    Result<evidence::ObjectView> v = evidence::ObjectView::Open(c, item.sha256);
    if (!v.ok()) continue;  // unreadable: its jobs count as undeclared, reported by verify
    for (std::string& n : CronJobNames(v->bytes())) out.insert(std::move(n));
  }
  return out;
}

std::vector<std::string> SerializedStrings(std::string_view php) {
  // s:<len>:"<bytes>"; -- the length counts bytes, so a value may hold quotes.
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = php.find("s:", pos)) != std::string_view::npos && out.size() < 10000) {
    size_t i = pos + 2, len = 0;
    bool digits = false;
    while (i < php.size() && php[i] >= '0' && php[i] <= '9' && len < (1u << 20)) {
      len = len * 10 + static_cast<size_t>(php[i] - '0');
      ++i;
      digits = true;
    }
    if (!digits || i + 2 > php.size() || php[i] != ':' || php[i + 1] != '"' ||
        i + 2 + len + 1 > php.size() || php[i + 2 + len] != '"') {
      pos += 2;
      continue;
    }
    out.emplace_back(php.substr(i + 2, len));
    pos = i + 2 + len + 1;
  }
  return out;
}

Result<std::set<std::string>> InstalledWpPlugins(Case& c) {
  std::set<std::string> out;
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, evidence::FilesForLabel(c, "webroot"));
  const std::string marker = "wp-content/plugins/";
  for (const EvidenceItem& item : items) {
    size_t at = item.original_path.find(marker);
    if (at == std::string::npos) continue;
    std::string rest = item.original_path.substr(at + marker.size());
    size_t slash = rest.find('/');
    out.insert(slash == std::string::npos ? rest : rest.substr(0, slash));
  }
  return out;
}

}  // namespace tq::storedb
