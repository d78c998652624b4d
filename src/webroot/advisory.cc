// OSV advisories: loading with simdjson, version ordering, range evaluation.
#include "webroot/advisory.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/text.h"

namespace tq::webroot {
namespace {

struct VersionToken {
  bool number = false;
  uint64_t value = 0;  // number
  int rank = 0;        // word: PHP version_compare special forms
};

// Ranks as PHP's version_compare: unknown < dev < alpha < beta < RC < number < patch.
int WordRank(std::string_view w) {
  if (w == "dev") return 0;
  if (w == "alpha" || w == "a") return 1;
  if (w == "beta" || w == "b") return 2;
  if (w == "rc" || w == "c") return 3;
  if (w == "p" || w == "pl" || w == "patch") return 5;
  return -1;
}
constexpr int kNumberRank = 4;

struct ParsedVersion {
  std::vector<uint64_t> release;     // leading numeric dot parts
  std::vector<VersionToken> suffix;  // the rest
};

ParsedVersion Parse(std::string_view v) {
  ParsedVersion p;
  std::string s = Lower(v);
  if (size_t plus = s.find('+'); plus != std::string::npos) s.resize(plus);  // build metadata
  size_t i = 0;
  while (i < s.size() && (s[i] == 'v' || s[i] == '=' || s[i] == ' ')) ++i;
  // Release: digits separated by dots.
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    uint64_t n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (n < (UINT64_MAX - 9) / 10) n = n * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
    }
    p.release.push_back(n);
    if (i + 1 < s.size() && s[i] == '.' && std::isdigit(static_cast<unsigned char>(s[i + 1])))
      ++i;
    else
      break;
  }
  // Suffix: words and numbers, separators . - _ ignored.
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isdigit(c)) {
      VersionToken t;
      t.number = true;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        if (t.value < (UINT64_MAX - 9) / 10) t.value = t.value * 10 + (s[i] - '0');
        ++i;
      }
      t.rank = kNumberRank;
      p.suffix.push_back(t);
    } else if (std::isalpha(c)) {
      size_t start = i;
      while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
      VersionToken t;
      t.rank = WordRank(std::string_view(s).substr(start, i - start));
      p.suffix.push_back(t);
    } else {
      ++i;
    }
  }
  return p;
}

}  // namespace

int CompareVersions(std::string_view a, std::string_view b) {
  ParsedVersion pa = Parse(a), pb = Parse(b);
  size_t n = std::max(pa.release.size(), pb.release.size());
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = i < pa.release.size() ? pa.release[i] : 0;
    uint64_t y = i < pb.release.size() ? pb.release[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  size_t m = std::max(pa.suffix.size(), pb.suffix.size());
  for (size_t i = 0; i < m; ++i) {
    // A missing token stands for the plain release (or 0 after a number).
    VersionToken none;
    none.number = true;
    none.rank = kNumberRank;
    const VersionToken& x = i < pa.suffix.size() ? pa.suffix[i] : none;
    const VersionToken& y = i < pb.suffix.size() ? pb.suffix[i] : none;
    if (x.rank != y.rank) return x.rank < y.rank ? -1 : 1;
    if (x.number && y.number && x.value != y.value) return x.value < y.value ? -1 : 1;
  }
  return 0;
}

std::string Advisory::Cve() const {
  for (const std::string& a : aliases)
    if (a.rfind("CVE-", 0) == 0) return a;
  return id;
}

namespace {

using simdjson::dom::element;

std::string Str(element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v) == simdjson::SUCCESS) return std::string(v);
  return {};
}

Result<Advisory> ParseOne(element obj, const std::string& source) {
  Advisory a;
  a.source = source;
  if (!obj.is_object()) return Status::BadInput(source + ": advisory is not a JSON object");
  a.id = Str(obj, "id");
  if (a.id.empty()) return Status::BadInput(source + ": advisory without an \"id\"");
  a.summary = Str(obj, "summary");
  if (a.summary.empty()) {
    std::string details = Str(obj, "details");
    a.summary = details.substr(0, std::min<size_t>(details.find('\n'), 200));
  }
  simdjson::dom::array arr;
  if (obj["aliases"].get_array().get(arr) == simdjson::SUCCESS)
    for (element e : arr) {
      std::string_view s;
      if (e.get_string().get(s) == simdjson::SUCCESS) a.aliases.emplace_back(s);
    }
  if (a.id.rfind("CVE-", 0) == 0) a.aliases.push_back(a.id);
  element specific;
  if (obj["database_specific"].get(specific) == simdjson::SUCCESS)
    a.severity = Str(specific, "severity");
  if (a.severity.empty() && obj["severity"].get_array().get(arr) == simdjson::SUCCESS)
    for (element e : arr) {
      a.severity = Str(e, "score");
      if (!a.severity.empty()) break;
    }
  if (obj["references"].get_array().get(arr) == simdjson::SUCCESS)
    for (element e : arr) {
      std::string url = Str(e, "url");
      if (!url.empty() && (a.reference.empty() || Str(e, "type") == "ADVISORY")) {
        bool advisory = Str(e, "type") == "ADVISORY";
        if (a.reference.empty() || advisory) a.reference = url;
        if (advisory) break;
      }
    }
  simdjson::dom::array affected;
  if (obj["affected"].get_array().get(affected) != simdjson::SUCCESS)
    return Status::BadInput(source + ": advisory " + a.id + " has no \"affected\" array");
  for (element af : affected) {
    OsvAffected out;
    element pkg;
    if (af["package"].get(pkg) == simdjson::SUCCESS) {
      out.ecosystem = Str(pkg, "ecosystem");
      out.package = Str(pkg, "name");
    }
    if (af["versions"].get_array().get(arr) == simdjson::SUCCESS)
      for (element e : arr) {
        std::string_view s;
        if (e.get_string().get(s) == simdjson::SUCCESS) out.versions.emplace_back(s);
      }
    simdjson::dom::array ranges;
    if (af["ranges"].get_array().get(ranges) == simdjson::SUCCESS)
      for (element r : ranges) {
        OsvRange range;
        range.type = Str(r, "type");
        simdjson::dom::array events;
        if (r["events"].get_array().get(events) != simdjson::SUCCESS)
          return Status::BadInput(source + ": advisory " + a.id + ": range without \"events\"");
        for (element ev : events) {
          simdjson::dom::object o;
          if (ev.get_object().get(o) != simdjson::SUCCESS) continue;
          for (auto field : o) {
            std::string_view v;
            if (field.value.get_string().get(v) != simdjson::SUCCESS) continue;
            OsvEvent e;
            if (field.key == "introduced")
              e.kind = OsvEvent::kIntroduced;
            else if (field.key == "fixed")
              e.kind = OsvEvent::kFixed;
            else if (field.key == "last_affected")
              e.kind = OsvEvent::kLastAffected;
            else if (field.key == "limit")
              e.kind = OsvEvent::kLimit;
            else
              continue;
            e.version = std::string(v);
            range.events.push_back(std::move(e));
          }
        }
        out.ranges.push_back(std::move(range));
      }
    if (!out.package.empty()) a.affected.push_back(std::move(out));
  }
  return a;
}

}  // namespace

Result<std::vector<Advisory>> ParseOsv(std::string_view json, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element doc;
  if (auto err = parser.parse(padded).get(doc); err)
    return Status::BadInput(source + ": not valid JSON: " + simdjson::error_message(err));
  std::vector<Advisory> out;
  simdjson::dom::array list;
  if (doc.get_array().get(list) != simdjson::SUCCESS &&
      doc["vulns"].get_array().get(list) != simdjson::SUCCESS) {
    TQ_ASSIGN_OR_RETURN(Advisory a, ParseOne(doc, source));
    out.push_back(std::move(a));
    return out;
  }
  size_t index = 0;
  for (element e : list) {
    Result<Advisory> a = ParseOne(e, source + "[" + std::to_string(index++) + "]");
    if (!a.ok()) return a.status();
    out.push_back(std::move(*a));
  }
  return out;
}

AdvisoryLoad LoadAdvisoryDir(const std::string& dir) {
  AdvisoryLoad load;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    load.errors.push_back(Status::NotFound(dir + ": not a directory of OSV JSON files"));
    return load;
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) load.errors.push_back(Status::FromErrno(dir, ec.value()));
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    ++load.files;
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      load.errors.push_back(Status::FromErrno(f.string(), errno));
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    Result<std::vector<Advisory>> parsed = ParseOsv(ss.str(), f.string());
    if (!parsed.ok()) {
      load.errors.push_back(parsed.status());
      continue;
    }
    for (Advisory& a : *parsed) load.advisories.push_back(std::move(a));
  }
  return load;
}

namespace {
bool IsZero(std::string_view v) { return v == "0"; }
int CompareEventVersions(std::string_view a, std::string_view b) {
  if (IsZero(a) || IsZero(b)) return IsZero(a) == IsZero(b) ? 0 : (IsZero(a) ? -1 : 1);
  return CompareVersions(a, b);
}
}  // namespace

AdvisoryMatch Evaluate(const OsvAffected& affected, std::string_view version) {
  AdvisoryMatch m;
  for (const std::string& v : affected.versions)
    if (v == version) m.affected = true;
  for (const OsvRange& r : affected.ranges) {
    if (r.type == "GIT") continue;  // commit ranges need a repository, not a version
    std::vector<OsvEvent> events = r.events;
    std::stable_sort(events.begin(), events.end(), [](const OsvEvent& a, const OsvEvent& b) {
      return CompareEventVersions(a.version, b.version) < 0;
    });
    bool hit = false;
    for (const OsvEvent& e : events) {
      int c = CompareEventVersions(version, e.version);
      if (e.kind == OsvEvent::kIntroduced && c >= 0)
        hit = true;
      else if (e.kind == OsvEvent::kFixed && c >= 0)
        hit = false;
      else if (e.kind == OsvEvent::kLastAffected && c > 0)
        hit = false;
    }
    if (hit) {
      m.affected = true;
      for (const OsvEvent& e : events)
        if (e.kind == OsvEvent::kFixed && CompareEventVersions(e.version, version) > 0) {
          if (m.fixed.empty() || CompareVersions(e.version, m.fixed) < 0) m.fixed = e.version;
          break;
        }
    }
  }
  return m;
}

bool SamePackage(const OsvAffected& a, std::string_view ecosystem, std::string_view package) {
  std::string eco = Lower(a.ecosystem);
  if (size_t colon = eco.find(':'); colon != std::string::npos) eco.resize(colon);
  return eco == Lower(ecosystem) && Lower(a.package) == Lower(package);
}

}  // namespace tq::webroot
