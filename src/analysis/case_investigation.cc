// The investigation over a case: the other stages' findings become inputs (artifacts,
// database events, advisories, rule hits), the records are replayed twice (from the request
// journal the logs stage kept), and the outcome is written in one transaction.
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "analysis/analysis.h"
#include "analysis/investigation_state.h"
#include "analysis/platform_logs.h"
#include "analysis/request_shape.h"
#include "core/escape.h"

namespace tq::analysis {
namespace {

std::string JsonText(simdjson::dom::element& doc, const char* key) {
  std::string_view v;
  if (doc[key].get(v)) return "";
  return RecoverJsonBytes(v);
}

std::vector<std::string> JsonTextArray(simdjson::dom::element& doc, const char* key) {
  std::vector<std::string> out;
  simdjson::dom::array a;
  if (doc[key].get(a)) return out;
  for (simdjson::dom::element e : a) {
    std::string_view v;
    if (!e.get(v)) out.push_back(RecoverJsonBytes(v));
  }
  return out;
}

}  // namespace

void LineBits::Set(int64_t item, int64_t line) {
  if (line < 0 || line >= kMaxLine) return;          // beyond the bound: Test answers "maybe"
  last_item_ = std::numeric_limits<int64_t>::min();  // Test's cached item may be new now
  std::vector<uint64_t>& b = items_[item];
  size_t word = static_cast<size_t>(line) / 64;
  if (b.size() <= word) b.resize(word + 1);
  b[word] |= uint64_t{1} << (line % 64);
}

bool LineBits::Test(int64_t item, int64_t line) const {
  if (line < 0 || line >= kMaxLine) return true;
  if (item != last_item_) {
    auto it = items_.find(item);
    last_item_ = item;
    last_ = it == items_.end() ? nullptr : &it->second;
  }
  if (!last_) return false;
  size_t word = static_cast<size_t>(line) / 64;
  return word < last_->size() && ((*last_)[word] >> (line % 64) & 1) != 0;
}

namespace {

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

std::string LevelFromSeverity(Severity s) {
  return s == Severity::kInfo ? "informational" : std::string(SeverityName(s));
}

}  // namespace

Result<InvestigationInputs> LoadInvestigationInputs(Case& c) {
  InvestigationInputs in;
  TQ_ASSIGN_OR_RETURN(CaseInfo info, c.Info());
  in.discovered_at = info.discovered_at;
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(c.db(), "webroot"));
  for (const EvidenceItem& e : items)
    if (!in.collected_at || e.collected_at > *in.collected_at) in.collected_at = e.collected_at;

  simdjson::dom::parser parser;
  TQ_ASSIGN_OR_RETURN(std::vector<Finding> webroot, ListFindings(c.db(), "webroot."));
  std::map<std::string, size_t> by_path;
  for (const Finding& f : webroot) {
    simdjson::dom::element doc;
    if (parser.parse(f.detail_json).get(doc)) continue;
    if (f.kind == "webroot.advisory") {
      std::string cve = JsonText(doc, "cve");
      if (!cve.empty() && std::find(in.advisory_cves.begin(), in.advisory_cves.end(), cve) ==
                              in.advisory_cves.end())
        in.advisory_cves.push_back(cve);
      continue;
    }
    std::string kind;
    if (f.kind == "webroot.yara") {
      std::string family = JsonText(doc, "family");
      if (family == "webshell" || family == "skimmer" || family == "persistence" ||
          family == "backdoor")
        kind = family;
    } else if (f.kind == "webroot.misplaced_php" || f.kind == "webroot.disguised_php") {
      kind = "webshell";
    }
    std::string path = JsonText(doc, "path");
    if (kind.empty() || path.empty()) continue;
    auto it = by_path.find(path);
    if (it != by_path.end()) {
      // One file, several findings: the kind a request to it says most about wins.
      Artifact& a = in.artifacts[it->second];
      if (a.kind != "webshell" && kind == "webshell") a.kind = kind;
      continue;
    }
    Artifact a;
    a.path = path;
    a.kind = kind;
    a.mtime = f.event_time;
    a.finding_id = f.id;
    a.evidence_id = f.evidence_id.value_or(0);
    by_path.emplace(path, in.artifacts.size());
    in.artifacts.push_back(std::move(a));
  }

  TQ_ASSIGN_OR_RETURN(std::vector<Finding> db, ListFindings(c.db(), "storedb."));
  for (const Finding& f : db) {
    if (!f.event_time) continue;
    DbEvent e;
    e.time = *f.event_time;
    e.kind = f.kind;
    e.summary = f.summary;
    simdjson::dom::element doc;
    if (!parser.parse(f.detail_json).get(doc)) {
      for (const char* key : {"username", "user", "account", "actor"}) {
        if (e.actor.empty()) e.actor = JsonText(doc, key);
      }
    }
    std::string_view k = f.kind;
    e.skimmer = Contains(k, "inject") || Contains(k, "skimmer") || Contains(k, "script");
    e.rogue_admin = Contains(k, "rogue") || (Contains(k, "admin") && !e.skimmer);
    if (!parser.parse(f.detail_json).get(doc) &&
        JsonText(doc, "technique") == "template_injection") {
      // A payload the attacker typed into a checkout field: the exploit, served to nobody.
      e.exploit = true;
      e.skimmer = false;
      e.cve = JsonText(doc, "cve");
    }
    // Magento serves CMS blocks and pages over REST by id: a request to the resource of an
    // injected row touches the attacker's artifact (the write that planted it, a check on it).
    if (e.skimmer) {
      simdjson::dom::element d;
      simdjson::dom::object pk;
      if (!parser.parse(f.detail_json).get(d) && !d["pk"].get(pk)) {
        std::string table = JsonText(d, "canonical_table");
        if (table.empty()) table = JsonText(d, "table");
        const char* resource = table == "cms_block"  ? "cmsBlock"
                               : table == "cms_page" ? "cmsPage"
                                                     : nullptr;
        int64_t id = 0;
        for (auto field : pk) {
          if (!field.value.get(id)) break;
        }
        if (resource && id > 0) {
          for (const char* prefix :
               {"rest/V1/", "rest/default/V1/", "rest/all/V1/", "index.php/rest/V1/"}) {
            Artifact a;
            a.path = std::string(prefix) + resource + "/" + std::to_string(id);
            a.kind = "injected_row";
            a.mtime = f.event_time;
            a.finding_id = f.id;
            a.evidence_id = f.evidence_id.value_or(0);
            in.artifacts.push_back(std::move(a));
          }
        }
      }
    }
    e.finding_id = f.id;
    e.evidence_id = f.evidence_id.value_or(0);
    e.line = f.line;
    e.byte_offset = f.byte_offset;
    in.db_events.push_back(std::move(e));
  }
  return in;
}

Result<CaseInvestigation> ComputeCaseInvestigation(Case& c, const RecordSource& records) {
  TQ_ASSIGN_OR_RETURN(InvestigationInputs inputs, LoadInvestigationInputs(c));
  CaseInvestigation out;

  // Rule hits by (item, line), for records that come without them: from the logs stage's
  // table logs_rule_hit (every hit kept) when it exists, with each rule's tags from its
  // log.rule_hit findings; else from the findings alone.
  std::map<std::pair<int64_t, int64_t>, std::vector<RuleMatch>> hits;
  const bool rule_hit_table = TableExists(c.db(), "logs_rule_hit");
  {
    TQ_ASSIGN_OR_RETURN(std::vector<Finding> rule_hits, ListFindings(c.db(), "log.rule_hit"));
    simdjson::dom::parser parser;
    std::map<std::string, std::vector<std::string>> rule_tags;
    for (const Finding& f : rule_hits) {
      RuleMatch m;
      m.rule = f.rule;
      m.level = LevelFromSeverity(f.severity);
      m.title = f.rule;
      simdjson::dom::element doc;
      if (!parser.parse(f.detail_json).get(doc)) {
        for (const char* key : {"rule_title", "title"}) {
          std::string t = JsonText(doc, key);
          if (!t.empty()) {
            m.title = t;
            break;
          }
        }
        std::string level = JsonText(doc, "level");
        if (LevelRank(level) >= 0) m.level = level;
        std::string id = JsonText(doc, "rule_id");
        if (!id.empty()) m.rule = id;
        m.tags = JsonTextArray(doc, "tags");
      }
      rule_tags.emplace(m.rule, m.tags);
      if (f.evidence_id && f.line) hits[{*f.evidence_id, *f.line}].push_back(std::move(m));
    }
    if (rule_hit_table) {
      hits.clear();
      TQ_ASSIGN_OR_RETURN(Stmt st, c.db().Prepare("SELECT rule_id,rule_title,coalesce(level,''),"
                                                  "evidence_id,line FROM logs_rule_hit"));
      for (;;) {
        TQ_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        RuleMatch m{st.String(0), st.String(1), st.String(2), {}};
        auto t = rule_tags.find(m.rule);
        if (t != rule_tags.end()) m.tags = t->second;
        hits[{st.Int(3), st.Int(4)}].push_back(std::move(m));
      }
    }
  }
  // Hits on the lines of a WAF audit log or an error log: those records repeat requests the
  // access log holds (the analysis reads only the access log's), so each such hit joins the
  // access-log request with the same client, method and target within a few seconds of it (a
  // WAF writes when the request came, a server's access log when it was answered). The
  // TrojanOrder payload, say, is only in the audit log's copy of the checkout request.
  struct SideHit {
    UnixMicros time;
    RuleMatch match;
  };
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<SideHit>> side_hits;
  {
    if (rule_hit_table) {
      TQ_ASSIGN_OR_RETURN(
          Stmt st, c.db().Prepare("SELECT h.rule_id, h.rule_title, coalesce(h.level,''), "
                                  "coalesce(h.c_ip,''), coalesce(h.method,''), coalesce(h.uri,''), "
                                  "coalesce(h.time,0), h.evidence_id, h.line FROM logs_rule_hit h "
                                  "JOIN logs_file f ON f.evidence_id = h.evidence_id "
                                  "WHERE f.format IN ('modsec', 'error')"));
      for (;;) {
        TQ_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        if (st.String(3).empty() || st.String(5).empty()) continue;
        RuleMatch m{st.String(0), st.String(1), st.String(2), {}};
        if (auto h = hits.find({st.Int(7), st.Int(8)}); h != hits.end())
          for (const RuleMatch& x : h->second)
            if (x.rule == m.rule) m.tags = x.tags;
        side_hits[{st.String(3), st.String(4), st.String(5)}].push_back({st.Int(6), std::move(m)});
      }
    }
  }
  // Most requests have no hit: a bit per (item, line) answers them without searching the map.
  LineBits hit_lines;
  for (const auto& [key, matches] : hits) hit_lines.Set(key.first, key.second);
  constexpr UnixMicros kSideWindow = 5LL * 1000000;
  auto joined = [&](const AccessRecord& r, const auto& fn) {
    if (hits.empty()) return fn(r);
    auto it = r.hits.empty() && hit_lines.Test(r.evidence_id, r.line)
                  ? hits.find({r.evidence_id, r.line})
                  : hits.end();
    std::vector<RuleMatch> side;
    if (!side_hits.empty()) {
      std::string target(r.path);
      if (!r.query.empty()) (target += '?') += r.query;
      auto s = side_hits.find({std::string(r.client), std::string(r.method), target});
      if (s != side_hits.end())
        for (const SideHit& h : s->second)
          if (h.time >= r.time - kSideWindow && h.time <= r.time + kSideWindow &&
              std::none_of(side.begin(), side.end(),
                           [&](const RuleMatch& x) { return x.rule == h.match.rule; }))
            side.push_back(h.match);
    }
    if (it == hits.end() && side.empty()) return fn(r);
    AccessRecord copy = r;
    std::vector<RuleMatch> all;
    if (!side.empty()) {
      all.assign(r.hits.begin(), r.hits.end());
      if (it != hits.end()) all.insert(all.end(), it->second.begin(), it->second.end());
      all.insert(all.end(), side.begin(), side.end());
      copy.hits = all;
    } else {
      copy.hits = it->second;
    }
    ++out.hits_joined;
    return fn(copy);
  };

  std::vector<std::string> needles;
  for (const Artifact& a : inputs.artifacts)
    if (a.kind != "injected_row")
      for (std::string& u : UrlPathsForWebrootFile(a.path)) needles.push_back(std::move(u));
  constexpr UnixMicros kHour = 3600LL * 1000000;
  Investigation inv(std::move(inputs));
  TQ_RETURN_IF_ERROR(records(
      [&](const AccessRecord& r) { joined(r, [&](const AccessRecord& x) { inv.Observe(x); }); }));
  inv.Attribute();
  TQ_RETURN_IF_ERROR(records(
      [&](const AccessRecord& r) { joined(r, [&](const AccessRecord& x) { inv.Revisit(x); }); }));
  out.result = inv.Finish();
  // The platform's error logs: lines naming an attacker's file or address, and errors in
  // the attack window.
  PlatformLogSelect select;
  select.needles = std::move(needles);
  for (const Attacker& a : out.result.attackers) {
    for (const std::string& addr : a.addresses) select.needles.push_back(addr);
    select.from = std::min(select.from.value_or(a.first_seen), a.first_seen - kHour);
    select.to = std::max(select.to.value_or(a.last_seen), a.last_seen + kHour);
  }
  PlatformLogStats ps;
  TQ_RETURN_IF_ERROR(ReadPlatformLogs(c, select, &out.result.platform_events, &ps));
  out.platform_log_files = ps.files;
  out.platform_log_lines = ps.lines;
  for (const std::string& p : ps.problems) out.result.notes.push_back("platform log " + p);
  uint64_t skipped = ps.skipped.total();
  if (skipped > 0)
    out.result.notes.push_back(std::to_string(skipped) +
                               " platform log line(s) skipped (too long, or a bad date)");
  if (ps.dropped > 0)
    out.result.notes.push_back(std::to_string(ps.dropped) +
                               " platform log line(s) beyond the cap were left off the timeline");
  return out;
}

Result<CaseInvestigation> WriteCaseInvestigation(Case& c, CaseInvestigation computed) {
  TQ_RETURN_IF_ERROR(EnsureAnalysisSchema(c));
  CaseInvestigation out = std::move(computed);
  TQ_RETURN_IF_ERROR(c.Transaction([&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(out.findings, WriteInvestigation(c, db, out.result));
    TQ_ASSIGN_OR_RETURN(out.rating, RateFindings(db, out.result));
    TQ_ASSIGN_OR_RETURN(out.timeline_rows, db.QueryInt("SELECT count(*) FROM analysis_timeline"));
    return Status::Ok();
  }));
  return out;
}

Result<CaseInvestigation> InvestigateCase(Case& c, const RecordSource& records) {
  TQ_ASSIGN_OR_RETURN(CaseInvestigation computed, ComputeCaseInvestigation(c, records));
  return WriteCaseInvestigation(c, std::move(computed));
}

}  // namespace tq::analysis
