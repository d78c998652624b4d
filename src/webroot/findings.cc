// From facts to findings: one finding per file and reason, with path, hash, times, rule,
// offsets and an escaped snippet; and the platform tables.
#include "webroot/findings.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "core/json.h"
#include "core/time.h"
#include "webroot/advisory.h"

namespace tq::webroot {
namespace {

std::string Ext(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name == ".htaccess" || name == ".user.ini") return std::string(name);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string Parent(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

bool IsPhpExt(const std::string& e) {
  static const std::set<std::string> k = {"php",   "php3", "php4", "php5", "php7", "php8",
                                          "phtml", "pht",  "phar", "phps", "inc"};
  return k.count(e) > 0;
}
bool IsImageExt(const std::string& e) {
  static const std::set<std::string> k = {"jpg", "jpeg", "png", "gif", "ico", "bmp", "webp"};
  return k.count(e) > 0;
}
bool IsCodeExt(const std::string& e) {
  static const std::set<std::string> k = {"js",        "mjs",       "html", "htm", "htaccess",
                                          ".htaccess", ".user.ini", "ini",  "sh",  "pl",
                                          "py",        "cgi",       "xml"};
  return IsPhpExt(e) || k.count(e) > 0;
}

// True when `dir` (ending in '/') starts at a path component boundary inside `path`.
bool Contains(std::string_view path, std::string_view dir) {
  for (size_t at = path.find(dir); at != std::string_view::npos; at = path.find(dir, at + 1))
    if (at == 0 || path[at - 1] == '/') return true;
  return false;
}

// Directories rebuilt on deploy or by the application (caches, generated code).
bool IsGeneratedDirectory(std::string_view path) {
  for (std::string_view d : {"generated/", "var/", "pub/static/", "wp-content/cache/",
                             "pub/media/catalog/product/cache/"})
    if (Contains(path, d)) return true;
  return false;
}

bool IsSiteConfig(std::string_view path) {
  for (std::string_view f :
       {"app/etc/env.php", "app/etc/config.php", "wp-config.php", "config/settings.inc.php",
        "app/config/parameters.php", ".env", "config.php", "admin/config.php"})
    if (path == f || (path.size() > f.size() && path.substr(path.size() - f.size()) == f &&
                      path[path.size() - f.size() - 1] == '/'))
      return true;
  return false;
}

int64_t Micros(int64_t ns) { return ns / 1000; }

struct FileFindingBuilder {
  const WebFile& f;
  Finding Make(std::string kind, Severity sev, double confidence, std::string summary,
               const std::function<void(JsonWriter&)>& extra, std::string key_suffix) const {
    Finding out;
    out.kind = std::move(kind);
    out.component = "webroot";
    out.severity = sev;
    out.confidence = confidence;
    out.summary = std::move(summary);
    JsonWriter w;
    w.BeginObject()
        .Field("path", f.path)
        .Field("sha256", f.item.sha256)
        .Field("size", f.item.size)
        .Field("mtime", FormatUtc(Micros(f.item.mtime_ns)))
        .Field("ctime", FormatUtc(Micros(f.item.ctime_ns)));
    if (extra) extra(w);
    w.EndObject();
    out.detail_json = w.Take();
    if (f.item.id) out.evidence_id = f.item.id;
    out.evidence_sha256 = f.item.sha256;
    if (f.item.mtime_ns) out.event_time = Micros(f.item.mtime_ns);
    out.dedupe_key = out.kind + "|" + f.path + "|" + key_suffix;
    return out;
  }
};

Severity MetaSeverity(const YaraMatch& m) {
  auto it = m.meta.find("severity");
  if (it == m.meta.end()) return Severity::kHigh;
  Severity s = SeverityFromName(it->second);
  return s == Severity::kInfo && it->second != "info" ? Severity::kHigh : s;
}

// One trait of a file, for the "two independent traits" rule.
struct Vote {
  std::string family;
  int strength = 1;  // 1 low, 2 medium, 3 high, 4 critical
  std::string label;
};

int Strength(Severity s) {
  switch (s) {
    case Severity::kCritical: return 4;
    case Severity::kHigh: return 3;
    case Severity::kMedium: return 2;
    default: return 1;
  }
}
Severity FromStrength(int s) {
  return s >= 4   ? Severity::kCritical
         : s == 3 ? Severity::kHigh
         : s == 2 ? Severity::kMedium
                  : Severity::kLow;
}

// Behaviour traits of the normalised code, one finding each, and the licence-encoder note.
void CollectBehaviour(const FileFindingBuilder& b, const WebFile& f, const ContentFacts& cf,
                      const std::vector<std::string>& store_hosts, std::vector<Vote>& votes,
                      FindingSink& sink) {
  bool licensed = !cf.licence_encoder.empty();
  if (licensed)
    sink.findings.push_back(b.Make(
        "webroot.licence_encoded", Severity::kInfo, 0.9,
        "Encoded with " + cf.licence_encoder + " (a commercial licence encoder): " + f.path,
        [&](JsonWriter& w) { w.Field("encoder", cf.licence_encoder); }, ""));
  for (const CodeTrait& t : cf.traits) {
    // Data posted to the store itself or to a payment provider is the checkout working.
    if (!t.target_host.empty()) {
      bool own = WellKnownScriptHost(t.target_host);
      for (const std::string& s : store_hosts) own = own || HostWithin(t.target_host, s);
      if (own) continue;
    }
    int strength = t.strength;
    std::string what = t.what;
    // Card data sent to a host that is no payment provider's, from the platform's own code:
    // the core ships no such module (a regional gateway is an extension of its own), so a
    // core payment file that does it was patched.
    if (t.id == "php.card_data_sender" && strength == 2 && PlatformCorePath(f.path)) {
      strength = 3;
      what += ", from the platform's own code";
    }
    // Encoded licence code is obfuscated by design: that alone says nothing.
    if (licensed && t.family == "obfuscation") strength = 1;
    votes.push_back({t.family, strength, what});
    if (strength < 2 || !t.alone) continue;  // weak traits only count towards a combination
    Finding out = b.Make(
        "webroot.behaviour", FromStrength(strength), strength >= 3 ? 0.85 : 0.5,
        what + ": " + f.path,
        [&](JsonWriter& w) {
          w.Field("trait", t.id).Field("family", t.family).Field("layer", t.layer);
        },
        t.id);
    out.rule = t.id;
    sink.findings.push_back(std::move(out));
  }
}

// Critical/high needs a behaviour or two independent traits: when no single trait reached
// high, two of different families at medium or above raise the file to high.
void Combine(const FileFindingBuilder& b, const std::vector<Vote>& votes, FindingSink& sink) {
  int best = 0;
  std::map<std::string, const Vote*> by_family;
  for (const Vote& v : votes) {
    best = std::max(best, v.strength);
    if (v.strength >= 2 &&
        (!by_family.count(v.family) || by_family[v.family]->strength < v.strength))
      by_family[v.family] = &v;
  }
  if (best >= 3 || by_family.size() < 2) return;
  std::string why;
  for (const auto& [family, v] : by_family) why += (why.empty() ? "" : "; ") + v->label;
  sink.findings.push_back(b.Make(
      "webroot.combined", Severity::kHigh, 0.7,
      "Independent traits agree (" + why + "): " + b.f.path,
      [&](JsonWriter& w) {
        w.Key("families").BeginArray();
        for (const auto& [family, v] : by_family) w.String(family);
        w.EndArray();
      },
      ""));
}

}  // namespace

bool IsDumpName(std::string_view path) {
  std::string lower(path);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view p = lower;
  for (std::string_view ext : {".sql", ".sql.gz", ".sql.zst", ".sql.bz2", ".sql.xz", ".sql.zip",
                               ".mysql", ".mysql.gz", ".dump", ".dump.gz"})
    if (p.size() > ext.size() && p.substr(p.size() - ext.size()) == ext) return true;
  return false;
}

bool PlatformCorePath(std::string_view path) {
  for (std::string_view d : {"app/code/core/mage/", "vendor/magento/", "lib/internal/magento/",
                             "wp-includes/", "wp-admin/", "wp-content/plugins/woocommerce/"}) {
    // The directory at the start of the path or after a slash (not inside another name).
    for (size_t at = 0; at + d.size() <= path.size(); ++at) {
      if (at > 0 && path[at - 1] != '/') continue;
      bool same = true;
      for (size_t k = 0; k < d.size() && same; ++k)
        same = std::tolower(static_cast<unsigned char>(path[at + k])) == d[k];
      if (same) return true;
    }
  }
  return false;
}

bool IsNoCodeDirectory(std::string_view path) {
  for (std::string_view d : {"pub/media/", "pub/static/", "wp-content/uploads/", "public/media/",
                             "image/catalog/", "media/catalog/", "media/wysiwyg/"})
    if (Contains(path, d)) return true;
  return false;
}

void CollectFileFindings(const std::vector<WebFile>& files, const std::vector<ContentFacts>& facts,
                         const Baseline* baseline, const std::string& prefix,
                         const std::optional<BreachWindow>& window, WebrootReport& report,
                         FindingSink& sink, const std::vector<std::string>& store_hosts) {
  // Script hosts across the tree: the CDNs a store uses appear in many files; a host that
  // one file alone loads from, not the store's own, is how an injected loader looks.
  std::map<std::string, std::set<std::string>> host_files;
  for (const WebFile& f : files)
    for (const CodeTrait& t : facts[f.job].traits)
      if (!t.host.empty() && host_files[t.host].size() < 2) host_files[t.host].insert(f.path);
  for (const WebFile& f : files) {
    const ContentFacts& cf = facts[f.job];
    FileFindingBuilder b{f};
    std::string ext = Ext(f.path);
    std::vector<Vote> votes;
    for (const RuleHit& h : cf.hits) {
      const YaraMatch& m = h.match;
      std::string family = m.meta.count("family") ? m.meta.at("family") : "yara";
      Finding out = b.Make(
          "webroot.yara", MetaSeverity(m), 0.9, family + " rule " + m.rule + " matched " + f.path,
          [&](JsonWriter& w) {
            w.Field("rule", m.rule).Field("namespace", m.rule_namespace).Field("family", family);
            if (m.meta.count("description")) w.Field("description", m.meta.at("description"));
            w.Key("tags").BeginArray();
            for (const std::string& t : m.tags) w.String(t);
            w.EndArray().Key("matches").BeginArray();
            for (const YaraStringHit& s : m.hits)
              w.BeginObject()
                  .Field("string", s.identifier)
                  .Field("offset", s.offset)
                  .Field("length", static_cast<uint64_t>(s.length))
                  .EndObject();
            w.EndArray().Field("line", h.first_line).Field("snippet", h.snippet);
            w.Field("layer", h.layer.empty() ? std::string("raw") : h.layer);
          },
          m.rule_namespace + ":" + m.rule);
      if (!cf.licence_encoder.empty() && family == "obfuscation") out.severity = Severity::kLow;
      if (!h.layer.empty()) out.summary += " (in normalised layer " + h.layer + ")";
      out.rule = m.rule_namespace + ":" + m.rule;
      if (h.layer.empty()) {
        out.byte_offset = static_cast<int64_t>(h.first_offset);
        out.line = static_cast<int64_t>(h.first_line);
      }
      votes.push_back({family, Strength(out.severity), "rule " + m.rule});
      sink.findings.push_back(std::move(out));
    }
    CollectBehaviour(b, f, cf, store_hosts, votes, sink);
    // PHP code inside something shaped or named like an image.
    if ((IsImageExt(ext) || cf.image_magic) && cf.php_code) {
      sink.findings.push_back(b.Make("webroot.disguised_php", Severity::kCritical, 0.9,
                                     "PHP code hidden in image file " + f.path, nullptr, ""));
    } else if (IsNoCodeDirectory(f.path) && (IsPhpExt(ext) || cf.php_tag)) {
      // "<?php // Silence is golden" index files that plugins drop into uploads are not code.
      // Licence-encoded PHP (ionCube, Zend Guard) is code too: its loader runs it.
      bool unreadable = !cf.error.ok() && cf.max_line == 0 && cf.entropy == 0;
      bool encoded = !cf.licence_encoder.empty() && IsPhpExt(ext);
      if (cf.php_code || encoded || (unreadable && IsPhpExt(ext)))
        sink.findings.push_back(b.Make("webroot.misplaced_php", Severity::kHigh, 0.85,
                                       "PHP in an upload/static directory: " + f.path, nullptr,
                                       ""));
    }
    // A database dump left in the web root: served to anyone who knows its name, and the
    // classic staging step before exfiltration.
    // A name alone (a 57-byte placeholder called backup.sql) is not a dump.
    if (IsDumpName(f.path)) {
      bool real = cf.sql_dump_content && f.item.size >= 1024;
      sink.findings.push_back(
          b.Make("webroot.dump", real ? Severity::kCritical : Severity::kLow, real ? 0.8 : 0.3,
                 std::string(real ? "Database dump in the web root: "
                                  : "Dump-like file name, content is not an SQL dump: ") +
                     f.path,
                 nullptr, ""));
    }
    // Obfuscation density: PHP whose code sits in very long, high-entropy lines.
    if (IsPhpExt(ext) && cf.php_code && cf.max_line > 4000 && cf.entropy > 5.3 &&
        !Contains(f.path, "vendor/") && cf.hits.empty() && cf.licence_encoder.empty()) {
      votes.push_back({"obfuscation", 2, "long high-entropy lines"});
      sink.findings.push_back(b.Make(
          "webroot.obfuscation", Severity::kMedium, 0.5,
          "PHP dominated by long high-entropy lines (obfuscated?): " + f.path,
          [&](JsonWriter& w) {
            w.Field("max_line", cf.max_line)
                .Field("long_lines", cf.long_lines)
                .Field("entropy", cf.entropy);
          },
          ""));
    }
    std::set<std::string> hosts_done;
    for (const CodeTrait& t : cf.traits) {
      if (t.host.empty() || !hosts_done.insert(t.host).second) continue;
      if (host_files[t.host].size() > 1 || WellKnownScriptHost(t.host)) continue;
      bool own = false;
      for (const std::string& s : store_hosts) own = own || HostWithin(t.host, s);
      if (own) continue;
      // From an event handler of the markup (a hidden image's onerror, an SVG's onload): no
      // store loads its scripts that way; injected loaders do, to stay out of <script> tags.
      bool handler = t.layer.find(">handler#") != std::string::npos;
      // A host named like a service it is not, or a tag that came out of a decoder (base64
      // in a template): deception on top of the foreign load.
      std::string brand = LookalikeOf(t.host);
      bool decoded = LayerDecoded(t.layer);
      bool high = handler || decoded || !brand.empty();
      votes.push_back({"inject", high ? 3 : 2, "script from " + t.host});
      sink.findings.push_back(b.Make(
          "webroot.foreign_script", high ? Severity::kHigh : Severity::kMedium, high ? 0.8 : 0.5,
          "Loads a script from " + t.host + ", a host no other file of the store loads from" +
              (brand.empty() ? "" : " (named like " + brand + "'s, which it is not)") +
              (decoded ? ", its tag hidden under an encoding (" + t.layer + ")" : "") +
              (handler ? ", from an event handler of the markup: " : ": ") + f.path,
          [&](JsonWriter& w) {
            w.Field("host", t.host).Field("trait", t.id).Field("layer", t.layer);
            if (!brand.empty()) w.Field("imitates", brand);
          },
          t.host));
    }
    Combine(b, votes, sink);
  }

  // Integrity against the baseline.
  if (baseline) {
    std::set<std::string> present_dirs, baseline_dirs, seen;
    for (const WebFile& f : files)
      if (f.path.rfind(prefix, 0) == 0) present_dirs.insert(Parent(f.path.substr(prefix.size())));
    for (const auto& [p, h] : baseline->files) baseline_dirs.insert(Parent(p));
    for (const WebFile& f : files) {
      if (f.path.rfind(prefix, 0) != 0) continue;
      std::string rel = f.path.substr(prefix.size());
      seen.insert(rel);
      std::string ext = Ext(rel);
      FileFindingBuilder b{f};
      auto it = baseline->files.find(rel);
      if (it != baseline->files.end()) {
        if (it->second == f.item.sha256) {
          ++report.unchanged;
          continue;
        }
        ++report.modified;
        bool config = IsSiteConfig(rel);
        Severity sev = config           ? Severity::kLow
                       : IsCodeExt(ext) ? Severity::kHigh
                                        : Severity::kMedium;
        sink.findings.push_back(b.Make(
            "webroot.integrity", sev, config ? 0.3 : 0.8,
            std::string(config ? "site configuration differs from the baseline: "
                               : "modified against the baseline: ") +
                rel,
            [&](JsonWriter& w) {
              w.Field("change", "modified")
                  .Field("baseline_sha256", it->second)
                  .Field("baseline", baseline->source);
            },
            "modified"));
        continue;
      }
      ++report.added;
      bool php = IsPhpExt(ext);
      bool known_dir = baseline_dirs.count(Parent(rel)) > 0;
      if (IsGeneratedDirectory(rel) && !php) continue;
      if (!(php || (IsCodeExt(ext) && known_dir))) continue;
      sink.findings.push_back(b.Make(
          "webroot.integrity", php ? Severity::kHigh : Severity::kMedium, php ? 0.7 : 0.5,
          "added, not in the baseline: " + rel,
          [&](JsonWriter& w) { w.Field("change", "added").Field("baseline", baseline->source); },
          "added"));
    }
    for (const auto& [rel, hash] : baseline->files) {
      if (seen.count(rel)) continue;
      ++report.removed;
      std::string ext = Ext(rel);
      if (!IsCodeExt(ext) || !present_dirs.count(Parent(rel))) continue;
      Finding out;
      out.kind = "webroot.integrity";
      out.component = "webroot";
      out.severity = ext == ".htaccess" ? Severity::kMedium : Severity::kLow;
      out.confidence = 0.5;
      out.summary = "removed, present in the baseline: " + rel;
      JsonWriter w;
      w.BeginObject()
          .Field("path", prefix + rel)
          .Field("change", "removed")
          .Field("baseline_sha256", hash)
          .Field("baseline", baseline->source)
          .EndObject();
      out.detail_json = w.Take();
      out.dedupe_key = "webroot.integrity|" + prefix + rel + "|removed";
      sink.findings.push_back(std::move(out));
    }
  }

  // Timing: code changed inside the breach window the log stage established (only when the
  // window is short enough to mean something).
  constexpr int64_t kDayUs = 86400ll * 1000000ll;
  if (window && window->end > 0 && window->end - window->start <= 90 * kDayUs) {
    for (const WebFile& f : files) {
      std::string ext = Ext(f.path);
      if (!IsCodeExt(ext) || IsGeneratedDirectory(f.path)) continue;
      int64_t m = Micros(f.item.mtime_ns), c = Micros(f.item.ctime_ns);
      bool in_m = m >= window->start && m <= window->end;
      bool in_c = c >= window->start && c <= window->end;
      if (!in_m && !in_c) continue;
      FileFindingBuilder b{f};
      sink.findings.push_back(b.Make(
          "webroot.timing", Severity::kMedium, 0.5,
          std::string(in_m ? "modified" : "changed (ctime)") +
              " during the breach window: " + f.path,
          [&](JsonWriter& w) {
            w.Field("window_start", FormatUtc(window->start))
                .Field("window_end", FormatUtc(window->end));
          },
          "window"));
    }
  }

  // Timing: a code file much newer than nearly all of its siblings.
  std::map<std::string, std::vector<const WebFile*>> by_dir;
  for (const WebFile& f : files) by_dir[Parent(f.path)].push_back(&f);
  constexpr int64_t kDayNs = 86400ll * 1000000000ll;
  for (auto& dir_list : by_dir) {
    const std::vector<const WebFile*>& list = dir_list.second;
    if (list.size() < 6) continue;
    std::vector<int64_t> mt;
    for (const WebFile* f : list) mt.push_back(f->item.mtime_ns);
    std::nth_element(mt.begin(), mt.begin() + mt.size() / 2, mt.end());
    int64_t median = mt[mt.size() / 2];
    std::vector<const WebFile*> late;
    for (const WebFile* f : list)
      if (f->item.mtime_ns > median + 30 * kDayNs) late.push_back(f);
    if (late.empty() || late.size() > std::max<size_t>(1, list.size() / 10)) continue;
    for (const WebFile* f : late) {
      if (!IsCodeExt(Ext(f->path))) continue;
      FileFindingBuilder b{*f};
      int64_t days = (f->item.mtime_ns - median) / kDayNs;
      sink.findings.push_back(b.Make(
          "webroot.timing", Severity::kLow, 0.4,
          "modified " + std::to_string(days) + " days after nearly all of its siblings: " + f->path,
          [&](JsonWriter& w) {
            w.Field("siblings", static_cast<uint64_t>(list.size()))
                .Field("siblings_median_mtime", FormatUtc(Micros(median)));
          },
          ""));
    }
  }
}

namespace {
const Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE webroot_platform (
  id INTEGER PRIMARY KEY,
  root TEXT NOT NULL,
  platform TEXT NOT NULL,
  edition TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  evidence_path TEXT NOT NULL DEFAULT '',
  fixed_version TEXT NOT NULL DEFAULT ''
);
CREATE TABLE webroot_package (
  id INTEGER PRIMARY KEY,
  platform_id INTEGER NOT NULL REFERENCES webroot_platform(id),
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  source_path TEXT NOT NULL DEFAULT ''
);
CREATE TABLE webroot_vulnerability (
  id INTEGER PRIMARY KEY,
  platform_id INTEGER NOT NULL REFERENCES webroot_platform(id),
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  cve TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  severity TEXT NOT NULL DEFAULT '',
  fixed TEXT NOT NULL DEFAULT '',
  reference TEXT NOT NULL DEFAULT '',
  finding_id INTEGER REFERENCES findings(id)
);
)sql"},
};

bool IsPlatformPackage(std::string_view name) {
  return name.rfind("magento/product-", 0) == 0 || name == "wordpress" ||
         name == "plugin/woocommerce" || name == "prestashop/prestashop" ||
         name == "shopware/core" || name == "opencart/opencart";
}

Severity AdvisorySeverity(std::string_view s) {
  std::string l(s);
  for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (l == "critical") return Severity::kCritical;
  if (l == "moderate" || l == "medium") return Severity::kMedium;
  if (l == "low") return Severity::kLow;
  return Severity::kHigh;
}
}  // namespace

Status EnsureWebrootSchema(Case& c) { return c.EnsureSchema("webroot", kMigrations); }

Status RecordPlatform(Db& db, const std::vector<Installation>& installations,
                      const std::vector<std::pair<size_t, VulnerableComponent>>& vulns,
                      WebrootReport& report) {
  TQ_RETURN_IF_ERROR(
      db.Exec("DELETE FROM webroot_vulnerability; DELETE FROM webroot_package; "
              "DELETE FROM webroot_platform;"));
  std::vector<int64_t> ids;
  for (const Installation& inst : installations) {
    // The upgrade that closes every advisory on the platform's own package.
    std::string upgrade;
    for (const auto& [index, v] : vulns)
      if (&installations[index] == &inst && IsPlatformPackage(v.package) && !v.fixed.empty() &&
          (upgrade.empty() || CompareVersions(v.fixed, upgrade) > 0))
        upgrade = v.fixed;
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO webroot_platform(root, platform, edition, "
                                            "version, evidence_path, fixed_version) "
                                            "VALUES (?,?,?,?,?,?)"));
    st.Bind(1, inst.root)
        .Bind(2, inst.platform)
        .Bind(3, inst.edition)
        .Bind(4, inst.version)
        .Bind(5, inst.evidence)
        .Bind(6, upgrade);
    TQ_RETURN_IF_ERROR(st.Run());
    int64_t pid = db.LastInsertRowid();
    ids.push_back(pid);
    TQ_ASSIGN_OR_RETURN(Stmt pk,
                        db.Prepare("INSERT INTO webroot_package(platform_id, ecosystem, "
                                   "name, title, version, source_path) VALUES (?,?,?,?,?,?)"));
    for (const InstalledPackage& p : inst.packages) {
      pk.Bind(1, pid)
          .Bind(2, p.ecosystem)
          .Bind(3, p.name)
          .Bind(4, p.title)
          .Bind(5, p.version)
          .Bind(6, p.source);
      TQ_RETURN_IF_ERROR(pk.Run());
      TQ_RETURN_IF_ERROR(pk.Reset());
    }
    Finding f;
    f.kind = "webroot.platform";
    f.component = "webroot";
    f.severity = Severity::kInfo;
    f.confidence = inst.version.empty() ? 0.5 : 0.95;
    f.summary = (inst.edition.empty() ? inst.platform : inst.edition) + " " +
                (inst.version.empty() ? "(version unknown)" : inst.version) + " at /" + inst.root +
                (inst.evidence.empty() ? "" : " (from " + inst.evidence + ")");
    JsonWriter w;
    w.BeginObject()
        .Field("platform", inst.platform)
        .Field("edition", inst.edition)
        .Field("version", inst.version)
        .Field("root", inst.root)
        .Field("evidence", inst.evidence)
        .Field("packages", static_cast<uint64_t>(inst.packages.size()))
        .Key("plugins")
        .BeginArray();
    for (const InstalledPackage& p : inst.packages)
      if (p.ecosystem == "WordPress")
        w.BeginObject()
            .Field("name", p.name)
            .Field("title", p.title)
            .Field("version", p.version)
            .EndObject();
    w.EndArray().EndObject();
    f.detail_json = w.Take();
    f.dedupe_key = "webroot.platform|" + inst.root + "|" + inst.platform;
    TQ_ASSIGN_OR_RETURN(int64_t id, UpsertFinding(db, f));
    (void)id;
    ++report.findings_by_kind[f.kind];
    ++report.findings;
  }
  for (const auto& [index, v] : vulns) {
    const Installation& inst = installations[index];
    Finding f;
    f.kind = "webroot.advisory";
    f.component = "webroot";
    f.severity = AdvisorySeverity(v.severity);
    f.confidence = 0.9;
    f.summary = v.package + " " + v.version + " is affected by " + v.cve +
                (v.cve != v.advisory_id ? " (" + v.advisory_id + ")" : "") + ": " + v.summary +
                (v.fixed.empty() ? "; no fixed version named" : "; fixed in " + v.fixed);
    JsonWriter w;
    w.BeginObject()
        .Field("ecosystem", v.ecosystem)
        .Field("package", v.package)
        .Field("version", v.version)
        .Field("advisory_id", v.advisory_id)
        .Field("cve", v.cve)
        .Field("summary", v.summary)
        .Field("severity", v.severity)
        .Field("fixed", v.fixed)
        .Field("reference", v.reference)
        .Field("platform", inst.platform)
        .Field("root", inst.root)
        .EndObject();
    f.detail_json = w.Take();
    f.rule = v.advisory_id;
    f.dedupe_key = "webroot.advisory|" + inst.root + "|" + v.package + "|" + v.advisory_id;
    TQ_ASSIGN_OR_RETURN(int64_t fid, UpsertFinding(db, f));
    ++report.findings_by_kind[f.kind];
    ++report.findings;
    TQ_ASSIGN_OR_RETURN(
        Stmt st,
        db.Prepare(
            "INSERT INTO webroot_vulnerability(platform_id, ecosystem, name, version, advisory_id, "
            "cve, summary, severity, fixed, reference, finding_id) VALUES "
            "(?,?,?,?,?,?,?,?,?,?,?)"));
    st.Bind(1, ids[index])
        .Bind(2, v.ecosystem)
        .Bind(3, v.package)
        .Bind(4, v.version)
        .Bind(5, v.advisory_id)
        .Bind(6, v.cve)
        .Bind(7, v.summary)
        .Bind(8, v.severity)
        .Bind(9, v.fixed)
        .Bind(10, v.reference)
        .Bind(11, fid);
    TQ_RETURN_IF_ERROR(st.Run());
  }
  return Status::Ok();
}

}  // namespace tq::webroot
