// The post-mortem's timeline: selection by significance and the SVG. See timeline.h.
#include "report/timeline.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "core/escape.h"

namespace tq::report {
namespace {

// Scores: what makes an event worth one of the few places on the chart. Findings rated
// high or critical first (the analysis rates by outcome), then each actor's first and last
// action, then what is new in an actor's behaviour, then the rest.
constexpr int kEntry = 100;
constexpr int kCriticalFinding = 90;
constexpr int kHighFinding = 80;
constexpr int kRequestOnCritical = 85;
constexpr int kRequestOnHigh = 75;
constexpr int kActorFirst = 70;
constexpr int kActorLast = 65;
constexpr int kArtifactFirst = 60;
constexpr int kPlatformFirst = 55;
constexpr int kNewPath = 50;
constexpr int kOutcomeChange = 45;
constexpr int kMediumFinding = 40;
constexpr int kFlaggedFile = 30;
constexpr int kArtifactAgain = 20;
constexpr int kActorOther = 15;
constexpr int kPlatformAgain = 12;
constexpr int kLowFinding = 10;
constexpr int kFileOther = 8;
constexpr int kCampaignOther = 5;
constexpr int kDirectory = 3;  // a folder's time changes with every file written in it
// Never shown, however much room is left.
constexpr int kMinScore = 5;
// Rows below this score are kept only up to kMaxLowRows: a campaign's or a crawler's
// thousands of requests must not grow memory with the log.
constexpr int kKeepAlways = 20;
constexpr size_t kMaxLowRows = 4000;

struct Actor {
  std::string lane;
  bool campaign = false;
  int rank = 1 << 20;
  std::set<std::string> paths, artifacts;
  int last_status_class = 0;
  bool seen = false;
  TimelineEvent last;
};

int SeverityScore(std::string_view sev, bool request) {
  if (sev == "critical") return request ? kRequestOnCritical : kCriticalFinding;
  if (sev == "high") return request ? kRequestOnHigh : kHighFinding;
  if (sev == "medium") return kMediumFinding;
  return kLowFinding;
}

std::string JsonString(simdjson::dom::parser& p, std::string_view json, const char* key) {
  simdjson::dom::element doc;
  std::string_view v;
  if (json.empty() || p.parse(json.data(), json.size()).get(doc) || doc[key].get(v)) return "";
  return RecoverJsonBytes(v);
}

// The phase a finding marks (only findings rated high or critical mark one).
Phase PhaseOf(std::string_view kind, std::string_view detail_kind, std::string_view technique) {
  if (kind == "analysis.entry_vector") return Phase::kEntry;
  if (kind == "storedb.injected_script")
    return technique == "template_injection" ? Phase::kEntry : Phase::kTheft;
  if (kind == "analysis.exfiltration")
    return detail_kind == "webshell_response" ? Phase::kFoothold : Phase::kTheft;
  if (kind == "analysis.skimmer_window" || kind == "webroot.dump") return Phase::kTheft;
  if (kind == "webroot.yara" || kind == "webroot.misplaced_php" ||
      kind == "webroot.disguised_php" || kind == "webroot.behaviour" || kind == "webroot.integrity")
    return Phase::kFoothold;
  if (kind == "storedb.rogue_admin" || kind == "storedb.token" || kind == "storedb.admin_session" ||
      kind == "storedb.cron_job" || kind == "storedb.config_change" || kind.starts_with("host."))
    return Phase::kPersistence;
  return Phase::kNone;
}

std::string SourceLane(std::string_view source, std::string_view kind) {
  if (kind.starts_with("host.")) return "host";
  if (source == "db") return "database";
  if (source == "file") return "web root";
  if (source == "platform") return "platform log";
  return "analysis";
}

std::string Basename(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

std::string_view PhaseName(Phase p) {
  switch (p) {
    case Phase::kNone: return "";
    case Phase::kEntry: return "entry";
    case Phase::kFoothold: return "foothold";
    case Phase::kPersistence: return "persistence";
    case Phase::kTheft: return "theft";
  }
  return "";
}

std::string ShortUtc(UnixMicros t) {
  std::string s = FormatUtc(t).substr(0, 19);
  if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
  return s;
}

Result<AttackTimeline> SelectTimeline(Db& db, size_t budget) {
  AttackTimeline out;
  if (!TableExists(db, "analysis_timeline")) return out;
  simdjson::dom::parser parser;
  // The actors, from the analysis' own finding about each (role, campaign or not, rank).
  std::map<int64_t, Actor> actors;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT detail FROM findings WHERE "
                                            "kind='analysis.attacker'"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      simdjson::dom::element doc;
      std::string detail = st.String(0);
      int64_t id = 0, rank = 0;
      if (parser.parse(detail).get(doc) || doc["attacker_id"].get(id)) continue;
      Actor& a = actors[id];
      std::string label = JsonString(parser, detail, "label");
      std::string role = JsonString(parser, detail, "role");
      a.lane = label + (role.empty() ? "" : " (" + role + ")");
      a.campaign = JsonString(parser, detail, "kind") == "campaign";
      if (!parser.parse(detail).get(doc) && !doc["rank"].get(rank)) a.rank = static_cast<int>(rank);
    }
  }
  // Log lines that findings rated high or critical point at: a request there counts with them.
  std::map<std::pair<int64_t, int64_t>, std::string> rated;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT evidence_id,line,max(severity='critical') "
                                            "FROM findings WHERE severity IN ('high','critical') "
                                            "AND line IS NOT NULL AND evidence_id IS NOT NULL "
                                            "AND kind!='analysis.attacker' GROUP BY 1,2"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      rated[{st.Int(0), st.Int(1)}] = st.Int(2) ? "critical" : "high";
    }
  }
  // The attack window: from a day before the first actor's first request to a day after the
  // last one's last (as the analysis does for file times).
  constexpr UnixMicros kDay = 86400LL * 1000000;
  std::optional<UnixMicros> lo, hi;
  if (TableExists(db, "attackers")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT min(first_seen),max(last_seen) FROM "
                                            "attackers"));
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row && !st.IsNull(0) && !st.IsNull(1)) lo = st.Int(0) - kDay, hi = st.Int(1) + kDay;
  }
  std::set<int64_t> flagged_items;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT DISTINCT evidence_id FROM findings WHERE "
                                            "component='webroot' AND evidence_id IS NOT NULL AND "
                                            "severity IN ('high','critical')"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      flagged_items.insert(st.Int(0));
    }
  }
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare("SELECT t.time,t.kind,t.message,t.source,coalesce(t.attacker_id,0),"
                 "CAST(t.evidence_path AS TEXT),t.line,coalesce(t.evidence_id,0),"
                 "coalesce(f.severity,''),coalesce(f.detail,''),"
                 "CASE WHEN t.kind GLOB 'request*' AND json_valid(t.detail) THEN "
                 "json_extract(t.detail,'$.method') || ' ' || json_extract(t.detail,'$.path') "
                 "END,CASE WHEN t.kind GLOB 'request*' AND json_valid(t.detail) THEN "
                 "json_extract(t.detail,'$.status') END,coalesce(i.kind,'') "
                 "FROM analysis_timeline t LEFT JOIN findings f ON f.id=t.finding_id "
                 "LEFT JOIN evidence_items i ON i.id=t.evidence_id "
                 "ORDER BY t.time,t.id"));
  std::vector<TimelineEvent> kept;
  size_t low_rows = 0;
  std::set<std::string> platform_seen;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ++out.considered;
    TimelineEvent e;
    e.time = st.Int(0);
    e.kind = st.String(1);
    e.outside = lo && (e.time < *lo || e.time > *hi);
    // The analysis' summaries of each actor and of background noise are the lanes and the
    // legend, not events.
    if (e.kind == "analysis.attacker" || e.kind == "analysis.background_scanning") continue;
    e.text = std::string(Excerpt(st.Text(2), 240));
    std::string source = st.String(3);
    int64_t attacker = st.Int(4);
    std::string path = st.String(5);
    if (!st.IsNull(6)) e.evidence = Basename(path) + ":" + std::to_string(st.Int(6));
    int64_t item = st.Int(7);
    std::string severity = st.String(8), detail = st.String(9);
    auto actor = attacker ? actors.find(attacker) : actors.end();
    if (attacker && actor == actors.end()) {
      actor = actors.emplace(attacker, Actor{}).first;
      actor->second.lane = "actor " + std::to_string(attacker);
    }
    e.lane = actor != actors.end() ? actor->second.lane : SourceLane(source, e.kind);
    if (e.kind.starts_with("request") && actor != actors.end()) {
      Actor& a = actor->second;
      std::string method_path = st.String(10);
      int status_class = static_cast<int>(st.Int(11) / 100);
      auto r = rated.find({item, st.IsNull(6) ? -1 : st.Int(6)});
      bool artifact = e.kind == "request.artifact";
      if (!a.seen) {
        e.score = kActorFirst;
      } else if (r != rated.end()) {
        e.score = SeverityScore(r->second, true);
      } else if (artifact) {
        e.score = a.artifacts.insert(method_path).second ? kArtifactFirst : kArtifactAgain;
      } else if (!a.campaign && a.paths.count(method_path) == 0) {
        e.score = kNewPath;
      } else if (!a.campaign && status_class != a.last_status_class) {
        e.score = kOutcomeChange;
      } else {
        e.score = a.campaign ? kCampaignOther : kActorOther;
      }
      if (r != rated.end()) e.score = std::max(e.score, SeverityScore(r->second, true));
      a.paths.insert(method_path);
      if (artifact) a.artifacts.insert(method_path);
      a.last_status_class = status_class;
      a.seen = true;
      a.last = e;
      a.last.score = kActorLast;
    } else if (source == "platform") {
      // The analysis selected these lines; the first of each message counts, not its repeats.
      std::string key = e.kind + "\x1f" + std::string(Excerpt(e.text, 60));
      e.score = platform_seen.insert(key).second ? kPlatformFirst : kPlatformAgain;
    } else if (e.kind.starts_with("file.")) {
      e.score = st.Text(12) == "dir"                      ? kDirectory
                : flagged_items.count(item) && !e.outside ? kFlaggedFile
                                                          : kFileOther;
    } else {
      e.score = e.kind == "analysis.entry_vector" ? kEntry : SeverityScore(severity, false);
      if ((severity == "high" || severity == "critical") && !e.outside)
        e.phase = PhaseOf(e.kind, JsonString(parser, detail, "kind"),
                          JsonString(parser, detail, "technique"));
    }
    if (e.score < kMinScore || (e.score < kKeepAlways && low_rows++ >= kMaxLowRows)) continue;
    kept.push_back(std::move(e));
  }
  // Each actor's last action (when it is not also its first).
  for (auto& entry : actors) {  // not a structured binding: clang 14 cannot capture one
    const auto& a = entry.second;
    if (!a.seen) continue;
    auto same = std::find_if(kept.begin(), kept.end(), [&](const TimelineEvent& k) {
      return k.time == a.last.time && k.lane == a.last.lane && k.text == a.last.text;
    });
    if (same != kept.end())
      same->score = std::max(same->score, kActorLast);
    else
      kept.push_back(a.last);
  }
  // Phases: the first rated finding of each. Their events are kept whatever the budget.
  std::map<Phase, size_t> phase_first;
  for (size_t i = 0; i < kept.size(); ++i)
    if (kept[i].phase != Phase::kNone) {
      auto [it, fresh] = phase_first.emplace(kept[i].phase, i);
      if (!fresh && kept[i].time < kept[it->second].time) it->second = i;
    }
  for (auto& [p, i] : phase_first) {
    kept[i].score = kEntry + 1;
    out.phases.emplace_back(p, kept[i].time);
  }
  std::sort(out.phases.begin(), out.phases.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::stable_sort(kept.begin(), kept.end(), [](const TimelineEvent& a, const TimelineEvent& b) {
    return a.score > b.score || (a.score == b.score && a.time < b.time);
  });
  if (kept.size() > budget) kept.resize(budget);
  std::stable_sort(kept.begin(), kept.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.time < b.time; });
  out.events = std::move(kept);
  for (const TimelineEvent& e : out.events) out.outside += e.outside;
  // Lanes: actors by rank, then the other sources in a fixed order; only lanes with events.
  std::set<std::string> used;
  for (const TimelineEvent& e : out.events)
    if (!e.outside) used.insert(e.lane);
  std::vector<const Actor*> ranked;
  for (auto& [id, a] : actors) ranked.push_back(&a);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Actor* a, const Actor* b) { return a->rank < b->rank; });
  for (const Actor* a : ranked)
    if (used.count(a->lane)) out.lanes.push_back(a->lane);
  for (const char* s : {"analysis", "web root", "database", "host", "platform log"})
    if (used.count(s)) out.lanes.push_back(s);
  return out;
}

std::string TimelineSvg(const AttackTimeline& t) {
  constexpr int kWidth = 960, kLeft = 215, kRight = 20, kTop = 34, kLane = 30;
  int h = kTop + std::max<int>(1, static_cast<int>(t.lanes.size())) * kLane + 40;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                  "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " +
                  std::to_string(kWidth) + " " + std::to_string(h) +
                  "\" role=\"img\" aria-label=\"attack timeline\" font-family=\"sans-serif\" "
                  "font-size=\"11\">";
  std::optional<UnixMicros> first, last;
  for (const TimelineEvent& e : t.events)
    if (!e.outside) {
      if (!first) first = e.time;
      last = e.time;
    }
  if (!first) return s + "<text x=\"10\" y=\"20\">no events</text></svg>";
  UnixMicros lo = *first, hi = *last;
  if (hi - lo < 60'000'000) hi = lo + 60'000'000;
  UnixMicros pad = (hi - lo) / 40;
  lo -= pad, hi += pad;
  double span = static_cast<double>(hi - lo), plot = kWidth - kLeft - kRight;
  auto x_of = [&](UnixMicros v) {
    return kLeft + static_cast<int>(std::lround(plot * static_cast<double>(v - lo) / span));
  };
  int axis_y = kTop + static_cast<int>(t.lanes.size()) * kLane;
  // Ticks at a round step giving at most ~8 labels.
  constexpr int64_t kMin = 60'000'000;
  int64_t steps[] = {kMin,       5 * kMin,   15 * kMin,   30 * kMin,   60 * kMin,    180 * kMin,
                     360 * kMin, 720 * kMin, 1440 * kMin, 2880 * kMin, 10080 * kMin, 43200 * kMin};
  int64_t step = steps[std::size(steps) - 1];
  for (int64_t c : steps)
    if ((hi - lo) / c <= 8) {
      step = c;
      break;
    }
  for (UnixMicros v = (lo / step + 1) * step; v < hi; v += step) {
    int x = x_of(v);
    std::string label = ShortUtc(v).substr(5, step >= 1440 * kMin ? 5 : 11);  // MM-DD[ HH:MM]
    s += "<line x1=\"" + std::to_string(x) + "\" y1=\"" + std::to_string(kTop - 6) + "\" x2=\"" +
         std::to_string(x) + "\" y2=\"" + std::to_string(axis_y) + "\" stroke=\"#eee\"/>";
    s += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(axis_y + 14) +
         "\" text-anchor=\"middle\" fill=\"#555\">" + EscapeHtml(label) + "</text>";
  }
  s += "<text x=\"" + std::to_string(kWidth - kRight) + "\" y=\"" + std::to_string(axis_y + 30) +
       "\" text-anchor=\"end\" fill=\"#555\">UTC</text>";
  // Lanes.
  std::map<std::string, int> lane_y;
  for (size_t i = 0; i < t.lanes.size(); ++i) {
    int y = kTop + static_cast<int>(i) * kLane + kLane / 2;
    lane_y[t.lanes[i]] = y;
    s += "<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + std::to_string(y) + "\" x2=\"" +
         std::to_string(kWidth - kRight) + "\" y2=\"" + std::to_string(y) +
         "\" stroke=\"#ccc\"/><text x=\"" + std::to_string(kLeft - 8) + "\" y=\"" +
         std::to_string(y + 4) + "\" text-anchor=\"end\">" + EscapeHtml(Excerpt(t.lanes[i], 34)) +
         "</text>";
  }
  // Phases: a dashed line at the first event of each, labelled above the lanes.
  for (auto& [p, when] : t.phases) {
    int x = x_of(when);
    s += "<line x1=\"" + std::to_string(x) + "\" y1=\"14\" x2=\"" + std::to_string(x) + "\" y2=\"" +
         std::to_string(axis_y) + "\" stroke=\"#a00\" stroke-dasharray=\"4 3\"/><text x=\"" +
         std::to_string(x + 3) + "\" y=\"" + std::to_string(12 + 10 * (static_cast<int>(p) % 2)) +
         "\" fill=\"#a00\">" + std::string(PhaseName(p)) + "</text>";
  }
  // Events: a dot per event with its number (the table's #) where there is room for it.
  std::map<std::string, int> last_label_x;
  for (size_t i = 0; i < t.events.size(); ++i) {
    const TimelineEvent& e = t.events[i];
    if (e.outside) continue;
    int x = x_of(e.time), y = lane_y[e.lane];
    const char* color = e.phase != Phase::kNone         ? "#c00"
                        : e.kind.starts_with("request") ? "#d60"
                        : e.kind.starts_with("file")    ? "#36c"
                                                        : "#777";
    s += "<circle cx=\"" + std::to_string(x) + "\" cy=\"" + std::to_string(y) +
         "\" r=\"5\" fill=\"" + color + "\" fill-opacity=\"0.8\"><title>" +
         EscapeHtml("#" + std::to_string(i + 1) + " " + ShortUtc(e.time) + " " + e.lane + ": " +
                    e.text) +
         "</title></circle>";
    auto it = last_label_x.find(e.lane);
    if (it == last_label_x.end() || x - it->second >= 16) {
      s += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y - 8) +
           "\" text-anchor=\"middle\" font-size=\"9\">" + std::to_string(i + 1) + "</text>";
      last_label_x[e.lane] = x;
    }
  }
  return s + "</svg>";
}

}  // namespace tq::report
