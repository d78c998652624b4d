// The story of the breach: see story.h. Reads analysis_timeline (specified in analysis.h) with
// its rows' JSON detail unpacked by SQLite, merges rows that are one event (the entry vector
// and its request line, a download and its request, the findings on one planted file),
// collapses a campaign's repeated requests into one step, and gives each step its phase.
#include "report/story.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/json.h"

namespace tq::report {
namespace {

constexpr UnixMicros kSecond = 1000000;
// A platform error this close to an attacker's request is taken as caused by it.
constexpr UnixMicros kPlatformNear = 60 * kSecond;
// A step with no actor of its own takes the last actor active this long before it.
constexpr UnixMicros kActorNear = 6 * 3600 * kSecond;
constexpr size_t kMaxSentence = 400;

struct Row {
  int64_t id = 0;
  UnixMicros time = 0;
  std::string source, kind, message, ip, path;
  std::optional<int64_t> evidence_id, line, attacker_id, finding_id;
  std::string triage, severity;
  std::string method, uri, query, rules, tags, selected, detail_kind, technique, cve;
  std::optional<int64_t> status, bytes;
};

std::optional<int64_t> OptInt(const Stmt& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.Int(col);
}

std::string Clip(std::string s) {
  if (s.size() <= kMaxSentence) return s;
  s.resize(kMaxSentence);
  return s + "…";
}

bool HasTag(const Row& r, std::string_view tag) {
  std::string_view t = r.tags;
  size_t at = 0;
  while ((at = t.find(tag, at)) != std::string_view::npos) {
    bool start = at == 0 || t[at - 1] == ' ';
    size_t end = at + tag.size();
    if (start && (end == t.size() || t[end] == ' ')) return true;
    at = end;
  }
  return false;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Code a browser runs (a skimmer) as opposed to code the server runs (a webshell).
bool IsBrowserCode(std::string_view path) {
  return EndsWith(path, ".js") || EndsWith(path, ".html") || EndsWith(path, ".htm");
}

// A style sheet, script, picture or font fetched plainly (no rule, not an attacker's file):
// what a browser loads with every page, never a step of an attack by itself.
bool IsPageAsset(const Row& r) {
  if (r.kind != "request" || !r.rules.empty() || (r.method != "GET" && r.method != "HEAD"))
    return false;
  std::string_view path = r.uri;
  for (std::string_view ext : {".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp",
                               ".ico", ".woff", ".woff2", ".ttf", ".map"})
    if (EndsWith(path, ext)) return true;
  return false;
}

Result<std::vector<Row>> ReadRows(Db& db) {
  std::vector<Row> rows;
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare(
          "SELECT t.id,t.time,t.source,t.kind,t.message,t.ip,t.evidence_id,"
          "CAST(t.evidence_path AS TEXT),t.line,t.attacker_id,t.finding_id,"
          "coalesce(f.triage,''),coalesce(f.severity,''),"
          "json_extract(t.d,'$.method'),json_extract(t.d,'$.path'),json_extract(t.d,'$.query'),"
          "json_extract(t.d,'$.status'),json_extract(t.d,'$.bytes'),"
          "(SELECT group_concat(json_extract(r.value,'$.title'),'; ') FROM json_each(t.d,"
          "'$.rules') r WHERE r.type='object'),"
          // json_each(r.value) parses the element as JSON text: a string element ('oops') is
          // not, so anything but an object goes in as {}.
          "(SELECT group_concat(g.value,' ') FROM json_each(t.d,'$.rules') r, json_each(CASE "
          "WHEN r.type='object' THEN r.value ELSE '{}' END,'$.tags') g WHERE g.type IN "
          "('text')),"
          "json_extract(t.d,'$.selected'),json_extract(t.d,'$.kind'),"
          "json_extract(t.d,'$.technique'),json_extract(t.d,'$.cve'),"
          "json_extract(t.d,'$.request.method'),json_extract(t.d,'$.request.path'),"
          "json_extract(t.d,'$.request.status') "
          "FROM (SELECT *, CASE WHEN json_valid(detail) AND json_type(detail)='object' THEN "
          "detail ELSE '{}' END AS d FROM analysis_timeline) t LEFT JOIN findings f ON "
          "f.id=t.finding_id ORDER BY t.time, t.id"));
  auto text = [&](int col) { return st.IsNull(col) ? std::string() : st.String(col); };
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    Row r;
    r.id = st.Int(0);
    r.time = st.Int(1);
    r.source = text(2);
    r.kind = text(3);
    r.message = text(4);
    r.ip = text(5);
    r.evidence_id = OptInt(st, 6);
    r.path = text(7);
    r.line = OptInt(st, 8);
    r.attacker_id = OptInt(st, 9);
    r.finding_id = OptInt(st, 10);
    r.triage = text(11);
    r.severity = text(12);
    r.method = text(13);
    r.uri = text(14);
    r.query = text(15);
    if (!st.IsNull(16)) r.status = st.Int(16);
    if (!st.IsNull(17)) r.bytes = st.Int(17);
    r.rules = text(18);
    r.tags = text(19);
    r.selected = text(20);
    r.detail_kind = text(21);
    r.technique = text(22);
    r.cve = text(23);
    // An exfiltration row carries its request nested.
    if (r.method.empty()) r.method = text(24);
    if (r.uri.empty()) r.uri = text(25);
    if (!r.status && !st.IsNull(26)) r.status = st.Int(26);
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<std::vector<StoryActor>> ReadActors(Db& db) {
  std::vector<StoryActor> actors;
  if (!TableExists(db, "attackers")) return actors;
  // What the analysis says of each actor is in its analysis.attacker finding's detail.
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare("SELECT a.id,a.label,a.first_seen,a.last_seen,(SELECT count(*) FROM "
                 "attacker_addresses x WHERE x.attacker_id=a.id),coalesce(json_extract(f.d,"
                 "'$.role'),''),coalesce(json_extract(f.d,'$.kind'),'actor'),coalesce(json_"
                 "extract(f.d,'$.summary'),''),coalesce(json_extract(f.d,'$.bytes_sent'),0),"
                 "(SELECT group_concat(value,',') FROM json_each(f.d,'$.achieved')) FROM "
                 "attackers a LEFT JOIN (SELECT CASE WHEN json_valid(detail) AND "
                 "json_type(detail)='object' THEN detail ELSE '{}' END AS d FROM findings "
                 "WHERE kind='analysis.attacker') f ON json_extract(f.d,'$.attacker_id')=a.id "
                 "GROUP BY a.id ORDER BY CASE WHEN a.label GLOB 'attacker-[0-9]*' THEN "
                 "CAST(substr(a.label,10) AS INTEGER) ELSE 1000000000 END, a.id"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    StoryActor a;
    a.id = st.Int(0);
    a.label = st.String(1);
    a.first_seen = OptInt(st, 2);
    a.last_seen = OptInt(st, 3);
    a.addresses = st.Int(4);
    a.role = st.String(5);
    a.kind = st.String(6);
    a.summary = st.String(7);
    a.bytes_sent = st.Int(8);
    std::string_view achieved = st.IsNull(9) ? std::string_view() : st.Text(9);
    while (!achieved.empty()) {
      size_t comma = achieved.find(',');
      a.achieved.emplace_back(achieved.substr(0, comma));
      achieved = comma == std::string_view::npos ? "" : achieved.substr(comma + 1);
    }
    actors.push_back(std::move(a));
  }
  return actors;
}

// How strongly a row speaks for the event it shares a line with: the analysis' reading of a
// request beats the bare request.
int Weight(const Row& r) {
  if (r.kind == "analysis.entry_vector") return 5;
  if (r.kind == "analysis.exfiltration") return 4;
  if (r.finding_id) return 3;
  if (r.kind == "request.rule_hit") return 2;
  if (r.kind == "request.artifact") return 1;
  return 0;
}

// The phase a row names by itself; nullopt when it only continues what is going on.
std::optional<StoryPhase> OwnPhase(const Row& r, std::optional<UnixMicros> entry_time,
                                   std::optional<int64_t> entry_actor) {
  const std::string& k = r.kind;
  if (k == "analysis.entry_vector") return StoryPhase::kEntry;
  if (k == "analysis.skimmer_window" || k == "webroot.dump") return StoryPhase::kTheft;
  if (k == "analysis.exfiltration") {
    if (r.detail_kind == "download") return StoryPhase::kTheft;
    return std::nullopt;  // a webshell's answer: the attacker at work
  }
  if (k == "storedb.injected_script")
    return r.technique.empty() || r.technique == "skimmer" ? StoryPhase::kTheft
                                                           : StoryPhase::kEntry;
  if (k.starts_with("host.") || k == "storedb.rogue_admin" || k == "storedb.token")
    return StoryPhase::kPersistence;
  if (k.starts_with("webroot."))
    return IsBrowserCode(r.path) ? StoryPhase::kTheft : StoryPhase::kPersistence;
  if (r.source == "log") {
    // The entry technique before the entry, or repeated by the actor who got in that way.
    bool before_entry =
        !entry_time || r.time <= *entry_time || (entry_actor && r.attacker_id == entry_actor);
    if (HasTag(r, "attack.exfiltration") || HasTag(r, "attack.collection"))
      return StoryPhase::kTheft;
    if (HasTag(r, "attack.persistence")) return StoryPhase::kPersistence;
    if (before_entry && (HasTag(r, "attack.initial-access") || HasTag(r, "attack.reconnaissance") ||
                         HasTag(r, "attack.credential-access")))
      return StoryPhase::kEntry;
  }
  return std::nullopt;
}

std::string Request(const Row& r) {
  if (r.method.empty() && r.uri.empty()) return r.message;  // no detail to read it from
  std::string s = r.method + " " + r.uri;
  if (!r.query.empty()) s += "?" + r.query;
  if (r.status) s += " → " + std::to_string(*r.status);
  if (r.bytes && *r.bytes >= 0) s += " (" + std::to_string(*r.bytes) + " bytes)";
  return s;
}

std::string Sentence(const Row& r, const std::string& actor) {
  std::string who = actor.empty() ? "An unknown actor" : actor;
  std::string from = r.ip.empty() ? "" : " from " + r.ip;
  if (r.kind == "analysis.entry_vector") {
    std::string via = r.technique.empty() ? r.message : r.technique;
    if (!r.cve.empty() && via.find(r.cve) == std::string::npos) via += " (" + r.cve + ")";
    return who + " got in: " + via + from + (r.method.empty() ? "" : ", " + Request(r)) + ".";
  }
  if (r.kind == "analysis.exfiltration") {
    if (r.detail_kind == "download")
      return who + " downloaded " + r.uri + from + ": " +
             (r.bytes ? std::to_string(*r.bytes) + " bytes left the store"
                      : "data left the store") +
             (r.rules.empty() ? "" : " [" + r.rules + "]") + ".";
    return who + " ran a command through the webshell" + from + ": " + Request(r) + ".";
  }
  if (r.source == "log") {
    std::string s = who + " sent " + Request(r) + from;
    if (!r.rules.empty()) s += " [" + r.rules + "]";
    return s + ".";
  }
  if (r.source == "platform") return "The store's platform logged: " + r.message;
  return r.message;
}

}  // namespace

std::string_view StoryPhaseName(StoryPhase p) {
  switch (p) {
    case StoryPhase::kEntry: return "entry";
    case StoryPhase::kFoothold: return "foothold";
    case StoryPhase::kPersistence: return "persistence";
    case StoryPhase::kTheft: return "theft";
    case StoryPhase::kImpact: return "impact";
  }
  return "entry";
}

Result<Story> BuildStory(Db& db) {
  Story story;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT timezone, discovered_at FROM case_info"));
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      story.timezone = st.String(0);
      story.counts.discovered_at = OptInt(st, 1);
    }
  }
  StoryCounts& n = story.counts;
  TQ_ASSIGN_OR_RETURN(n.findings, db.QueryInt("SELECT count(*) FROM findings"));
  TQ_ASSIGN_OR_RETURN(n.findings_actionable,
                      db.QueryInt("SELECT count(*) FROM findings WHERE triage='actionable'"));
  TQ_ASSIGN_OR_RETURN(story.actors, ReadActors(db));
  std::map<int64_t, const StoryActor*> actor_of;
  for (const StoryActor& a : story.actors) {
    actor_of[a.id] = &a;
    n.addresses += a.addresses;
    if (a.first_seen && (!n.first_activity || *a.first_seen < *n.first_activity))
      n.first_activity = a.first_seen;
    if (a.last_seen && (!n.last_activity || *a.last_seen > *n.last_activity))
      n.last_activity = a.last_seen;
  }
  n.attackers = static_cast<int64_t>(story.actors.size());
  if (TableExists(db, "scope_person")) {
    TQ_ASSIGN_OR_RETURN(n.affected_people, db.QueryInt("SELECT count(*) FROM scope_person"));
  }
  if (TableExists(db, "scope_count")) {
    TQ_ASSIGN_OR_RETURN(n.jurisdictions,
                        db.QueryInt("SELECT count(DISTINCT jurisdiction) FROM scope_count WHERE "
                                    "jurisdiction<>'*'"));
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT DISTINCT category FROM scope_count WHERE "
                                            "category<>'*' ORDER BY category"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      n.categories.push_back(st.String(0));
    }
  }
  if (!TableExists(db, "analysis_timeline")) return story;
  TQ_ASSIGN_OR_RETURN(std::vector<Row> rows, ReadRows(db));
  n.timeline_rows = static_cast<int64_t>(rows.size());

  std::optional<UnixMicros> entry_time;
  std::optional<int64_t> entry_actor;
  std::string skimmer_text;
  std::optional<int64_t> skimmer_finding;
  std::vector<UnixMicros> attack_times;           // the attackers' requests, in order
  std::map<std::string, UnixMicros> first_touch;  // web path -> first attacker request on it
  for (const Row& r : rows) {
    if (r.kind == "analysis.entry_vector" && !entry_time) {
      entry_time = r.time;
      entry_actor = r.attacker_id;
    }
    if (r.source == "log" && r.attacker_id) {
      attack_times.push_back(r.time);
      ++n.attack_requests;
      if (!r.uri.empty() && !first_touch.count(r.uri)) first_touch[r.uri] = r.time;
    }
    if (r.kind == "analysis.exfiltration" && r.detail_kind == "download") {
      ++n.downloads;
      n.bytes_downloaded += r.bytes.value_or(0);
    }
    if (r.kind == "analysis.skimmer_window") {
      n.skimmer_start = r.time;
      skimmer_text = r.message;
      skimmer_finding = r.finding_id;
    }
  }
  auto near_attack = [&](UnixMicros t) {
    auto it = std::lower_bound(attack_times.begin(), attack_times.end(), t - kPlatformNear);
    return it != attack_times.end() && *it <= t + kPlatformNear;
  };

  // Which rows are on the story: the attackers' requests and the analysis' conclusions, the
  // findings that call for action, and the platform errors the attack caused.
  auto wanted = [&](const Row& r) {
    if (r.kind == "analysis.background_scanning" || r.kind == "analysis.attacker") return false;
    if (r.kind.starts_with("file.")) return false;  // a flagged file's finding says it better
    if (r.source == "log") return r.attacker_id.has_value() && !IsPageAsset(r);
    if (r.source == "platform") return r.selected.starts_with("names") || near_attack(r.time);
    if (r.source == "analysis") return true;
    if (!r.finding_id) return false;
    return r.triage == "actionable" || r.severity == "high" || r.severity == "critical";
  };

  struct Pending {
    Row row;
    int weight = 0;
    int64_t count = 1;
    std::optional<UnixMicros> until;
    std::set<std::string> ips;
    int64_t more_findings = 0;
  };
  // (rows are moved into the steps below: read nothing from them after this loop.)
  std::vector<Pending> pending;
  std::map<std::pair<int64_t, int64_t>, size_t> by_line;         // (evidence, line) -> pending
  std::map<std::pair<std::string, UnixMicros>, size_t> by_file;  // planted file, its time
  std::map<std::string, size_t> by_campaign;                     // campaign request shape
  // A campaign's requests of one shape (method, path, outcome class, rules) are one step.
  auto CampaignShape = [&](const Row& r) -> std::string {
    if (r.source != "log" || !r.attacker_id) return "";
    auto actor = actor_of.find(*r.attacker_id);
    if (actor == actor_of.end() || actor->second->kind != "campaign") return "";
    return std::to_string(*r.attacker_id) + " " + r.method + " " + r.uri + " " +
           std::to_string(r.status.value_or(0) / 100) + " " + r.rules;
  };
  auto severity_rank = [](std::string_view s) {
    return s == "critical" ? 4 : s == "high" ? 3 : s == "medium" ? 2 : s == "low" ? 1 : 0;
  };
  for (Row& r : rows) {
    if (!wanted(r)) continue;
    // One event, several rows: the entry vector, a download, the request line itself.
    if (r.evidence_id && r.line && r.source != "file" && r.source != "platform") {
      auto key = std::make_pair(*r.evidence_id, *r.line);
      auto it = by_line.find(key);
      std::string shape = CampaignShape(r);
      if (it != by_line.end()) {
        Pending& p = pending[it->second];
        // The campaign's first request may be the entry: its repeats fold into that step.
        if (!shape.empty() && !by_campaign.count(shape)) by_campaign[shape] = it->second;
        if (Weight(r) > p.weight) {
          std::optional<int64_t> finding = p.row.finding_id;
          std::optional<int64_t> attacker = p.row.attacker_id;
          std::string ip = p.row.ip, rules = p.row.rules, tags = p.row.tags;
          p.row = r;
          p.weight = Weight(r);
          if (!p.row.finding_id) p.row.finding_id = finding;
          if (!p.row.attacker_id) p.row.attacker_id = attacker;
          if (p.row.ip.empty()) p.row.ip = ip;
          if (p.row.rules.empty()) p.row.rules = rules;
          if (p.row.tags.empty()) p.row.tags = tags;
        } else {
          if (!p.row.finding_id) p.row.finding_id = r.finding_id;
          if (!p.row.attacker_id) p.row.attacker_id = r.attacker_id;
          if (p.row.ip.empty()) p.row.ip = r.ip;
          if (p.row.rules.empty()) p.row.rules = r.rules, p.row.tags = r.tags;
          if (p.row.method.empty()) p.row.method = r.method, p.row.uri = r.uri;
          if (!p.row.status) p.row.status = r.status;
        }
        continue;
      }
      if (!shape.empty()) {
        auto c = by_campaign.find(shape);
        if (c != by_campaign.end()) {
          Pending& p = pending[c->second];
          ++p.count;
          p.until = r.time;
          p.ips.insert(r.ip);
          continue;
        }
        by_campaign[shape] = pending.size();
      }
      by_line[key] = pending.size();
    } else if (r.source == "file" && !r.path.empty()) {
      auto key = std::make_pair(r.path, r.time);
      auto it = by_file.find(key);
      if (it != by_file.end()) {
        Pending& p = pending[it->second];
        ++p.more_findings;
        if (severity_rank(r.severity) > severity_rank(p.row.severity) || (!p.row.line && r.line)) {
          int64_t more = p.more_findings;
          p.row = r;
          p.more_findings = more;
        }
        continue;
      }
      by_file[key] = pending.size();
    }
    Pending p;
    p.weight = Weight(r);
    p.ips.insert(r.ip);
    p.row = std::move(r);
    pending.push_back(std::move(p));
  }

  // A planted file dated before any attack activity had its time set back (timestomping): it
  // goes where the attackers first touched it, or stays with its doubtful time.
  // (GCC's maybe-uninitialized false positive on optional<int64_t> under -O3: a plain value.)
  const bool any_attack = !attack_times.empty();
  const UnixMicros first_attack = any_attack ? attack_times.front() : 0;
  std::vector<bool> doubtful(pending.size(), false);
  for (size_t i = 0; i < pending.size(); ++i) {
    Row& r = pending[i].row;
    if (r.source != "file" || !any_attack || r.time >= first_attack) continue;
    doubtful[i] = true;
    std::optional<UnixMicros> touched;
    for (const auto& [uri, t] : first_touch)
      if (uri.size() > 1 && uri[0] == '/' && EndsWith(r.path, uri) && (!touched || t < *touched))
        touched = t;
    if (touched) {
      r.message += " (the file's time " + FormatUtc(r.time) +
                   " is before any attack activity: likely set back; placed at the first "
                   "request to it)";
      r.time = *touched;
    }
  }
  std::vector<size_t> order(pending.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pending[a].row.time < pending[b].row.time; });

  int max_phase = -1;
  // When each actor was last seen on the story, by rank (story.actors is in rank order: what
  // they achieved): a step without its own actor goes to the best-ranked one active shortly
  // before, not merely the last one (a mis-attributed bystander may be browsing meanwhile).
  std::map<std::string, std::pair<size_t, UnixMicros>> last_seen;  // label -> (rank, time)
  std::map<std::string, size_t> rank;
  for (size_t i = 0; i < story.actors.size(); ++i) rank[story.actors[i].label] = i;
  for (size_t i : order) {
    Pending& p = pending[i];
    const Row& r = p.row;
    StoryStep s;
    s.time_us = r.time;
    s.kind = r.kind;
    s.ip = r.ip;
    s.evidence_item = r.evidence_id;
    s.evidence_path = r.path;
    s.evidence_line = r.line;
    s.finding_id = r.finding_id;
    s.count = p.count;
    s.until = p.until;
    p.ips.erase("");
    s.addresses = static_cast<int64_t>(p.ips.size());
    s.time_doubtful = doubtful[i];
    if (r.attacker_id) {
      auto a = actor_of.find(*r.attacker_id);
      if (a != actor_of.end()) s.actor = a->second->label;
    }
    if (s.actor.empty() && r.kind == "analysis.exfiltration") {
      for (const StoryActor& a : story.actors)
        if (a.first_seen && a.last_seen && *a.first_seen <= r.time && r.time <= *a.last_seen &&
            std::find(a.achieved.begin(), a.achieved.end(), "exfiltration") != a.achieved.end())
          s.actor = a.label;
    }
    if (s.actor.empty()) {
      std::optional<size_t> best;
      for (const auto& [label, seen] : last_seen)
        if (r.time >= seen.second && r.time - seen.second <= kActorNear &&
            (!best || seen.first < *best)) {
          best = seen.first;
          s.actor = label;
        }
      s.actor_by_time = best.has_value();
    }
    if (!s.actor.empty() && !s.actor_by_time) {
      auto it = rank.find(s.actor);
      last_seen[s.actor] = {it == rank.end() ? SIZE_MAX : it->second, r.time};
    }
    std::optional<StoryPhase> own = OwnPhase(r, entry_time, entry_actor);
    // A step that names no phase continues the one in progress; once in, the attacker holds a
    // foothold.
    int phase = own ? static_cast<int>(*own) : std::max(max_phase, 0);
    if (!own && entry_time && r.time > *entry_time)
      phase = std::max(phase, static_cast<int>(StoryPhase::kFoothold));
    s.phase = static_cast<StoryPhase>(phase);
    max_phase = std::max(max_phase, phase);
    std::string sentence = Sentence(r, s.actor_by_time ? "" : s.actor);
    if (s.count > 1) {
      sentence += " The same request came " + std::to_string(s.count) + " times from " +
                  std::to_string(s.addresses) + " address" + (s.addresses == 1 ? "" : "es") +
                  (s.until ? ", until " + FormatUtc(*s.until) : "") + ".";
    }
    if (p.more_findings > 0)
      sentence += " (" + std::to_string(p.more_findings) + " more finding" +
                  (p.more_findings == 1 ? "" : "s") + " on this file)";
    s.sentence = Clip(std::move(sentence));
    story.steps.push_back(std::move(s));
  }

  // Impact: what the theft cost, at the time it became known (or the last activity).
  if (!story.steps.empty()) {
    std::string what;
    std::optional<int64_t> finding;
    if (n.downloads > 0)
      what += std::to_string(n.bytes_downloaded) + " bytes of data were downloaded in " +
              std::to_string(n.downloads) + " download" + (n.downloads == 1 ? "" : "s");
    if (n.skimmer_start) {
      finding = skimmer_finding;
      if (!what.empty()) what += "; ";
      what += skimmer_text.empty() ? "a skimmer was live" : skimmer_text;
    }
    if (n.affected_people >= 0) {
      if (!what.empty()) what += "; ";
      what += std::to_string(n.affected_people) + " people affected";
      if (n.jurisdictions > 0)
        what += " in " + std::to_string(n.jurisdictions) + " jurisdiction" +
                (n.jurisdictions == 1 ? "" : "s");
      if (!n.categories.empty()) {
        what += " (";
        for (size_t i = 0; i < n.categories.size(); ++i) what += (i ? ", " : "") + n.categories[i];
        what += ")";
      }
    }
    if (!what.empty()) {
      StoryStep s;
      s.phase = StoryPhase::kImpact;
      s.time_us = n.discovered_at.value_or(n.last_activity.value_or(story.steps.back().time_us));
      s.time_us = std::max(s.time_us, story.steps.back().time_us);
      s.kind = "impact";
      s.finding_id = finding;
      s.sentence = Clip("By discovery: " + what + ".");
      story.steps.push_back(std::move(s));
    }
  }
  return story;
}

std::vector<Block> StoryBlocks(const Story& s) {
  std::vector<Block> out;
  Block h;
  h.kind = Block::kHeading;
  h.items = {"The story"};
  out.push_back(h);
  if (s.steps.empty()) {
    Block p;
    p.items = {"No investigation yet: the story is told from its timeline."};
    out.push_back(p);
    return out;
  }
  Block t;
  t.kind = Block::kTable;
  t.items = {"time (UTC)", "phase", "actor", "what happened", "evidence"};
  for (const StoryStep& x : s.steps) {
    std::string evidence = x.evidence_path;
    if (x.evidence_line) evidence += ":" + std::to_string(*x.evidence_line);
    if (x.finding_id)
      evidence +=
          (evidence.empty() ? "" : ", ") + std::string("finding #") + std::to_string(*x.finding_id);
    std::string actor = x.actor + (x.actor_by_time && !x.actor.empty() ? " (by time)" : "");
    t.rows.push_back(
        {FormatUtc(x.time_us), std::string(StoryPhaseName(x.phase)), actor, x.sentence, evidence});
  }
  out.push_back(t);
  const StoryCounts& n = s.counts;
  Block l;
  l.kind = Block::kList;
  l.items.push_back(std::to_string(n.attackers) + " actors, " + std::to_string(n.addresses) +
                    " addresses, " + std::to_string(n.attack_requests) + " requests");
  if (n.downloads)
    l.items.push_back(std::to_string(n.bytes_downloaded) + " bytes downloaded in " +
                      std::to_string(n.downloads) + " download(s)");
  if (n.skimmer_start) l.items.push_back("skimmer live from " + FormatUtc(*n.skimmer_start));
  if (n.affected_people >= 0) {
    std::string cats;
    for (const std::string& c : n.categories) cats += (cats.empty() ? "" : ", ") + c;
    l.items.push_back(std::to_string(n.affected_people) + " people affected in " +
                      std::to_string(n.jurisdictions) + " jurisdiction(s)" +
                      (cats.empty() ? "" : ": " + cats));
  }
  if (n.first_activity && n.last_activity)
    l.items.push_back("first activity " + FormatUtc(*n.first_activity) + ", last " +
                      FormatUtc(*n.last_activity));
  out.push_back(l);
  return out;
}

std::string StoryJson(const Story& s) {
  JsonWriter w;
  auto time = [&](std::optional<UnixMicros> t) { t ? w.String(FormatUtc(*t)) : w.Null(); };
  auto opt = [&](std::optional<int64_t> v) { v ? w.Int(*v) : w.Null(); };
  w.BeginObject().Field("timezone", s.timezone).Key("steps").BeginArray();
  for (const StoryStep& x : s.steps) {
    w.BeginObject().Field("phase", StoryPhaseName(x.phase)).Key("time");
    time(x.time_us);
    w.Field("time_us", int64_t{x.time_us}).Field("actor", x.actor);
    w.Field("actor_by_time", x.actor_by_time).Field("ip", x.ip).Field("sentence", x.sentence);
    w.Key("evidence_item");
    opt(x.evidence_item);
    w.Field("evidence_path", x.evidence_path).Key("evidence_line");
    opt(x.evidence_line);
    w.Key("finding_id");
    opt(x.finding_id);
    w.Field("kind", x.kind).Field("count", x.count).Key("until");
    time(x.until);
    w.Field("addresses", x.addresses).Field("time_doubtful", x.time_doubtful).EndObject();
  }
  w.EndArray().Key("actors").BeginArray();
  for (const StoryActor& a : s.actors) {
    w.BeginObject().Field("id", a.id).Field("label", a.label).Field("role", a.role);
    w.Field("kind", a.kind).Field("summary", a.summary).Key("achieved").BeginArray();
    for (const std::string& x : a.achieved) w.String(x);
    w.EndArray().Field("addresses", a.addresses).Field("bytes_sent", a.bytes_sent);
    w.Key("first_seen");
    time(a.first_seen);
    w.Key("last_seen");
    time(a.last_seen);
    w.EndObject();
  }
  const StoryCounts& n = s.counts;
  w.EndArray().Key("counts").BeginObject();
  w.Field("attackers", n.attackers).Field("addresses", n.addresses);
  w.Field("attack_requests", n.attack_requests).Field("downloads", n.downloads);
  w.Field("bytes_downloaded", n.bytes_downloaded).Key("affected_people");
  n.affected_people < 0 ? w.Null() : w.Int(n.affected_people);
  w.Field("jurisdictions", n.jurisdictions).Key("categories").BeginArray();
  for (const std::string& c : n.categories) w.String(c);
  w.EndArray().Key("first_activity");
  time(n.first_activity);
  w.Key("last_activity");
  time(n.last_activity);
  w.Key("discovered_at");
  time(n.discovered_at);
  w.Key("skimmer_start");
  time(n.skimmer_start);
  w.Field("findings", n.findings).Field("findings_actionable", n.findings_actionable);
  w.Field("timeline_rows", n.timeline_rows).EndObject().EndObject();
  return w.Take();
}

}  // namespace tq::report
