// The web-root investigation: gathers the collected files, runs the scan, the integrity
// checks and platform/advisory matching, and records findings and tables in the case.
#include "webroot/webroot.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/json.h"
#include "core/shipped.h"
#include "core/time.h"
#include "webroot/advisory.h"
#include "webroot/baseline.h"
#include "webroot/findings.h"
#include "webroot/scan.h"
#include "webroot/yara_scan.h"

namespace tq::webroot {

std::string ShippedPath(std::string_view relative) {
  if (const char* env = std::getenv("TOURNIQUET_DATA_DIR"); env && *env)
    return (std::filesystem::path(env) / relative).string();
  return tq::ShippedPath(relative);
}

namespace {

std::string NormalizePath(std::string p) {
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  return p;
}

std::string Extension(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string FileName(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

// The investigation's state between its halves (webroot.h).
struct WebrootScan {
  WebrootReport report;
  std::vector<WebFile> files;
  std::vector<std::string> objects;  // files[i]'s evidence object
  std::optional<Baseline> baseline;
  std::string prefix;
  std::vector<std::pair<size_t, VulnerableComponent>> vulns;  // installation index, match
  std::vector<ContentFacts> facts;
};

Result<std::shared_ptr<WebrootScan>> ListWebroot(Case& c) {
  auto w = std::make_shared<WebrootScan>();
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> all, ListEvidence(c.db(), "webroot"));
  for (EvidenceItem& item : all) {
    if (item.kind != "file" || item.sha256.empty()) continue;
    WebFile f;
    f.path = NormalizePath(item.original_path);
    f.item = std::move(item);
    w->files.push_back(std::move(f));
  }
  std::sort(w->files.begin(), w->files.end(),
            [](const WebFile& a, const WebFile& b) { return a.path < b.path; });
  w->report.files = w->files.size();
  for (const WebFile& f : w->files) w->objects.push_back(c.ObjectPath(f.item.sha256));
  return w;
}

Status ScanWebroot(const WebrootOptions& o, WebrootScan& w) {
  WebrootReport& report = w.report;
  std::vector<WebFile>& files = w.files;
  std::unordered_map<std::string, size_t> by_path;
  std::vector<std::string> paths;
  for (size_t i = 0; i < files.size(); ++i) {
    by_path.emplace(files[i].path, i);
    paths.push_back(files[i].path);
  }

  // Baseline (optional).
  std::optional<Baseline>& baseline = w.baseline;
  std::string& prefix = w.prefix;
  if (!o.baseline.empty()) {
    Result<Baseline> b = LoadBaseline(o.baseline);
    if (!b.ok()) return b.status();
    baseline = std::move(*b);
    for (const SkippedInput& s : baseline->skipped)
      report.item_errors.push_back(Status::BadInput(s.ToString()));
    prefix = AlignPrefix(paths, *baseline);
  }

  // Platform and packages: read the few version files straight from the store.
  TreeReader reader = [&](const std::string& path) -> std::optional<std::string> {
    auto it = by_path.find(path);
    if (it == by_path.end()) return std::nullopt;
    const EvidenceItem& item = files[it->second].item;
    if (item.size > (16u << 20)) return std::nullopt;
    std::FILE* fp = std::fopen(w.objects[it->second].c_str(), "rb");
    if (!fp) return std::nullopt;
    std::string text(item.size, '\0');
    size_t n = std::fread(text.data(), 1, text.size(), fp);
    std::fclose(fp);
    text.resize(n);
    return text;
  };
  std::vector<std::string> version_file_problems;
  report.installations = DetectPlatforms(paths, reader, &version_file_problems);
  for (const std::string& p : version_file_problems)
    report.item_errors.push_back(Status::BadInput(p));

  // Advisories.
  std::vector<Advisory> advisories;
  for (const std::string& dir : o.advisory_dirs) {
    AdvisoryLoad load = LoadAdvisoryDir(dir);
    for (Status& s : load.errors) report.item_errors.push_back(s);
    for (Advisory& a : load.advisories) advisories.push_back(std::move(a));
  }
  report.advisories = advisories.size();
  std::vector<std::pair<size_t, VulnerableComponent>>& vulns = w.vulns;
  for (size_t i = 0; i < report.installations.size(); ++i) {
    std::set<std::string> seen;
    for (const InstalledPackage& p : report.installations[i].packages) {
      if (p.version.empty()) continue;
      std::vector<std::pair<std::string, std::string>> names = {{p.ecosystem, p.name}};
      for (const std::string& alias : p.aliases) {
        size_t colon = alias.find(':');
        if (colon != std::string::npos)
          names.emplace_back(alias.substr(0, colon), alias.substr(colon + 1));
      }
      for (const Advisory& a : advisories) {
        for (const OsvAffected& af : a.affected) {
          bool same = std::any_of(names.begin(), names.end(),
                                  [&](auto& n) { return SamePackage(af, n.first, n.second); });
          if (!same) continue;
          AdvisoryMatch m = Evaluate(af, p.version);
          if (!m.affected) continue;
          if (!seen.insert(p.name + "\n" + a.id).second) continue;
          vulns.push_back({i,
                           {p.ecosystem, p.name, p.version, a.id, a.Cve(), a.summary, a.severity,
                            m.fixed, a.reference}});
        }
      }
    }
  }

  // Rules.
  std::unique_ptr<YaraRules> rules;
  {
    std::vector<std::string> rule_files;
    for (const std::string& p : o.yara_paths) {
      std::error_code ec;
      if (!std::filesystem::exists(p, ec)) {
        report.item_errors.push_back(Status::NotFound(p + ": no such YARA rule file or directory"));
        continue;
      }
      for (std::string& f : ListRuleFiles(p)) rule_files.push_back(std::move(f));
    }
    if (!rule_files.empty()) {
      TQ_ASSIGN_OR_RETURN(YaraRules::Load load, YaraRules::Compile(rule_files, o.cache_dir));
      for (Status& s : load.errors) report.item_errors.push_back(s);
      report.rules_from_cache = load.from_cache;
      rules = std::move(load.rules);
      report.rules = rules->rule_count();
    }
  }

  // One job per distinct content.
  std::vector<ScanJob> jobs;
  std::unordered_map<std::string, size_t> job_of;
  for (size_t i = 0; i < files.size(); ++i) {
    WebFile& f = files[i];
    auto [it, fresh] = job_of.emplace(f.item.sha256, jobs.size());
    f.job = it->second;
    if (!fresh) continue;
    ScanJob job;
    job.object_path = w.objects[i];
    job.size = f.item.size;
    job.vars.filepath = f.path;
    job.vars.filename = FileName(f.path);
    job.vars.extension = Extension(f.path);
    job.vars.owner = f.item.owner;
    job.run_yara = !(baseline && baseline->hashes.count(f.item.sha256));
    job.skip_plain_media = o.skip_plain_media;
    static const std::set<std::string> kPhp = {"php",   "php3", "php4", "php5", "php7",
                                               "phtml", "pht",  "phar", "inc"};
    job.measure_lines = kPhp.count(job.vars.extension) > 0;
    if (!job.run_yara) ++report.vouched;
    jobs.push_back(std::move(job));
  }
  report.unique_contents = jobs.size();
  w.facts =
      ScanContents(jobs, rules.get(), o.threads, o.timeout_seconds, o.max_file_bytes, o.progress);
  const std::vector<ContentFacts>& facts = w.facts;
  for (size_t i = 0; i < facts.size(); ++i) {
    if (facts[i].plain_media) ++report.plain_media;
    if (facts[i].scanned) {
      ++report.scanned;
      report.bytes_scanned += jobs[i].size;
    }
    if (!facts[i].error.ok()) {
      if (jobs[i].size > o.max_file_bytes) ++report.oversize;
      report.item_errors.push_back(facts[i].error);
    }
  }

  return Status::Ok();
}

Result<WebrootReport> RecordWebroot(Case& c, WebrootScan& w,
                                    const std::optional<BreachWindow>& window) {
  WebrootReport& report = w.report;
  // Findings and tables, in one transaction.
  TQ_RETURN_IF_ERROR(EnsureWebrootSchema(c));
  FindingSink sink;
  // The store's own host: scripts from it are local whatever file loads them.
  std::vector<std::string> store_hosts;
  if (Result<CaseInfo> info = c.Info(); info.ok() && !info->store_url.empty()) {
    std::string h = ScriptHost(info->store_url);
    if (!h.empty()) store_hosts.push_back(h);
  }
  CollectFileFindings(w.files, w.facts, w.baseline ? &*w.baseline : nullptr, w.prefix, window,
                      report, sink, store_hosts);
  TQ_RETURN_IF_ERROR(c.Transaction([&](Db& db) -> Status {
    TQ_RETURN_IF_ERROR(RecordPlatform(db, report.installations, w.vulns, report));
    for (const Finding& f : sink.findings) {
      TQ_ASSIGN_OR_RETURN(int64_t id, UpsertFinding(db, f));
      (void)id;
      ++report.findings_by_kind[f.kind];
      ++report.findings;
    }
    return Status::Ok();
  }));
  for (auto& [i, v] : w.vulns) report.vulnerable.push_back(v);
  return std::move(report);
}

Result<WebrootReport> InvestigateWebroot(Case& c, const WebrootOptions& o,
                                         const std::optional<BreachWindow>& window) {
  TQ_ASSIGN_OR_RETURN(std::shared_ptr<WebrootScan> w, ListWebroot(c));
  TQ_RETURN_IF_ERROR(ScanWebroot(o, *w));
  return RecordWebroot(c, *w, window);
}

}  // namespace tq::webroot
