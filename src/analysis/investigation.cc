// The two-pass investigation over access records: client profiles (pass 1), attribution of
// addresses to attackers and the entry request, sessions from a second pass, then
// exfiltration and the skimmer window. Every decision keeps its reason in words, and every
// request it keeps names its evidence item and line.
//
// Heuristics hold for real stores, not only drilled ones: they use response codes and sizes,
// the order of events, rarity across the whole log, and the admin/login/download shapes every
// PHP store shares; attack knowledge itself comes from the rule hits and the other stages.
#include "analysis/actors.h"
#include "analysis/investigation_state.h"
#include "core/text.h"

namespace tq::analysis {

std::string CveFromTags(std::span<const std::string> tags) {
  for (const std::string& t : tags) {
    std::string low = Lower(t);
    size_t at = low.find("cve");
    if (at == std::string::npos || at + 4 >= low.size()) continue;
    std::string rest = t.substr(at + 4);
    if (rest.size() < 6 || !std::isdigit(static_cast<unsigned char>(rest[0]))) continue;
    size_t end = 0;
    while (end < rest.size() &&
           (std::isdigit(static_cast<unsigned char>(rest[end])) || rest[end] == '-'))
      ++end;
    return "CVE-" + rest.substr(0, end);
  }
  return "";
}

Investigation::Investigation(InvestigationInputs inputs) : s_(std::make_unique<State>()) {
  s_->in = std::move(inputs);
  for (size_t i = 0; i < s_->in.artifacts.size(); ++i) {
    for (const std::string& url : UrlPathsForWebrootFile(s_->in.artifacts[i].path))
      s_->artifact_urls.emplace(url, i);
  }
}
Investigation::~Investigation() = default;

void Investigation::Observe(const AccessRecord& r) {
  State& s = *s_;
  ++s.records;
  if (r.time > 0) s.last_record = std::max(s.last_record, r.time);
  uint32_t id = s.Client(r.client);
  ClientProfile& c = s.clients[id];
  c.first = std::min(c.first, r.time);
  c.last = std::max(c.last, r.time);
  ++c.requests;
  if (r.bytes > 0) c.bytes += r.bytes;
  bool ok = Succeeded(r.status);
  if (r.method == "POST") ++c.posts;
  if (!c.diverse) {
    uint64_t t = TargetHash(r.method, r.path);
    auto at = std::lower_bound(c.targets.begin(), c.targets.end(), t);
    if (at == c.targets.end() || *at != t) {
      if (c.targets.size() >= kMaxCampaignTargets) {
        c.diverse = true;
        c.targets.clear();
        c.targets.shrink_to_fit();
      } else {
        c.targets.insert(at, t);
      }
    }
  }

  if (!r.user_agent.empty() && r.user_agent != "-" &&
      c.user_agents.size() < kMaxUserAgentsPerClient &&
      std::find(c.user_agents.begin(), c.user_agents.end(), r.user_agent) == c.user_agents.end()) {
    c.user_agents.emplace_back(r.user_agent);
    auto it = s.agent_clients.find(r.user_agent);
    if (it != s.agent_clients.end()) {
      ++it->second;
    } else if (s.agent_clients.size() < kMaxUserAgents) {
      s.agent_clients.emplace(std::string(r.user_agent), 1);
    } else {
      s.capped_agents = true;
    }
  }
  if (!r.session.empty() && r.session != "-" && c.sessions.size() < kMaxSessionsPerClient &&
      std::find(c.sessions.begin(), c.sessions.end(), r.session) == c.sessions.end()) {
    c.sessions.emplace_back(r.session);
    auto& v = s.session_clients[std::string(r.session)];
    if (v.size() < 8) v.push_back(id);
  }

  if (!r.hits.empty()) {
    ++c.hits;
    for (const RuleMatch& h : r.hits) {
      auto& set = s.rule_clients[h.rule];
      if (set.size() < 1000) set.insert(id);
    }
    if (ok) {
      ++c.hits_answered;
      KeepEarliest(c.answered_hits, kMaxSuccessHitsKept, r);
    }
    for (const RuleMatch& h : r.hits) {
      if (!CveFromTags(h.tags).empty()) {
        KeepEarliest(c.exploit_hits, kMaxSuccessHitsKept, r);
        break;
      }
    }
  } else if (ok && r.bytes >= 0 && r.method == "GET") {
    auto it = s.stem_sizes.find(r.path);
    if (it == s.stem_sizes.end()) {
      if (s.stem_sizes.size() < kMaxStems) {
        s.stem_sizes.emplace(std::string(r.path), std::vector<int64_t>{r.bytes});
      } else {
        s.capped_stems = true;
      }
    } else if (it->second.size() < kMaxSizeSamples) {
      it->second.push_back(r.bytes);
    }
  }

  if (r.method != "GET" && r.method != "HEAD" && ok && !s.in.db_events.empty()) {
    for (const DbEvent& e : s.in.db_events) {
      if (std::llabs(e.time - r.time) <= kDbWriteSlack && s.writes_near_db_events.size() < 256) {
        s.writes_near_db_events.push_back(Snapshot(r));
        break;
      }
    }
  }
  if (ok && s.checkout_near_exploit.size() < kMaxCheckoutCalls &&
      CheckoutCallOf(r.method, r.path) != CheckoutCall::kNone) {
    for (const DbEvent& e : s.in.db_events) {
      if (e.exploit && r.time <= e.time + kDbWriteSlack && e.time - r.time <= kCheckoutSpan) {
        s.checkout_near_exploit.push_back(Snapshot(r));
        break;
      }
    }
  }
  // Admin work: the admin area answering (a scanner's probes of /admin get 404s).
  if (ok && IsAdminPath(r.path)) {
    ++c.admin_requests;
    if (r.method == "POST") ++c.admin_posts;
    if (!IsLoginPost(r.method, r.path)) ++c.admin_pages;
    if (!c.first_admin || r.time < c.first_admin->time) c.first_admin = Snapshot(r);
  }
  if (IsLoginPost(r.method, r.path)) {
    ++c.login_posts;
    if (!c.first_login_post || r.time < c.first_login_post->time) c.first_login_post = Snapshot(r);
  }
  if (const Artifact* a = s.ArtifactAt(r.path)) {
    if (a->kind == "skimmer") {
      SkimmerPath& sp = s.skimmer_paths[std::string(r.path)];
      if (ok) sp.last_served = std::max(sp.last_served, r.time);
      if ((r.status == 404 || r.status == 410) && sp.gone.size() < 64) sp.gone.push_back(r.time);
    } else if (ok && a->kind != "persistence") {
      ++c.artifact_requests;
      if (!c.first_artifact || r.time < c.first_artifact->time) {
        c.first_artifact = Snapshot(r);
        c.artifact_kind = a->kind;
      }
      auto& v = s.artifact_touchers[std::string(r.path)];
      if (std::find(v.begin(), v.end(), id) == v.end() && v.size() < 64) v.push_back(id);
    }
  }
  if (IsDownloadPath(r.path)) {
    auto it = s.download_paths.find(r.path);
    if (it == s.download_paths.end() && s.download_paths.size() < kMaxDownloadPaths)
      it = s.download_paths.emplace(std::string(r.path), DownloadPath{}).first;
    if (it == s.download_paths.end()) {
      s.capped_downloads = true;
    } else {
      DownloadPath& d = it->second;
      if (std::find(d.clients.begin(), d.clients.end(), id) == d.clients.end() &&
          d.clients.size() <= kRareClients + 1)
        d.clients.push_back(id);
      if (ok && r.bytes > 0) {
        d.first_ok = std::min(d.first_ok, r.time);
        KeepEarliest(c.downloads, kMaxDownloadsPerClient, r);
      }
    }
  }
}

void Investigation::Revisit(const AccessRecord& r) {
  State& s = *s_;
  std::optional<size_t> who;
  bool artifact = false, by_artifact = false;
  auto a = s.address_attacker.find(r.client);
  if (a != s.address_attacker.end()) who = a->second;
  if (!r.hits.empty()) {
    if (s.rated.size() < kMaxRated) {
      RatedRequest q;
      q.evidence_id = r.evidence_id;
      q.line = r.line;
      q.outcome = s.Judge(r.status, r.bytes, r.path);
      q.attacker = who;
      for (const RuleMatch& h : r.hits) {
        std::string cve = CveFromTags(h.tags);
        q.open_exploit |=
            !cve.empty() && std::find(s.in.advisory_cves.begin(), s.in.advisory_cves.end(), cve) !=
                                s.in.advisory_cves.end();
      }
      s.rated.push_back(q);
    } else {
      ++s.rated_dropped;
    }
  }
  const Artifact* art = s.ArtifactAt(r.path);
  bool derived = s.derived_downloads.find(r.path) != s.derived_downloads.end();
  if ((art && art->kind != "skimmer") || derived) {
    artifact = true;
    auto owner = s.artifact_owner.find(r.path);
    if (!who && owner != s.artifact_owner.end() && Succeeded(r.status)) {
      // An address not attributed in pass 1 fetched the attacker's artifact with success.
      who = owner->second;
      by_artifact = true;
      Attacker& att = s.attackers[*who];
      std::string addr(r.client);
      att.addresses.insert(std::lower_bound(att.addresses.begin(), att.addresses.end(), addr),
                           addr);
      att.reasons.push_back(addr + ": requested the attacker's artifact " + std::string(r.path) +
                            " with success (found in the second pass)");
      s.address_attacker[addr] = *who;
      if (!r.hits.empty() && !s.rated.empty() && s.rated.back().line == r.line &&
          s.rated.back().evidence_id == r.evidence_id)
        s.rated.back().attacker = who;
    }
  }
  if (!who) return;
  if (s.sessions.size() >= kMaxSessionEvents) {
    ++s.dropped_events;
    return;
  }
  SessionEvent e;
  e.attacker = *who;
  e.request = Snapshot(r);
  e.artifact = artifact;
  e.attributed_by_artifact = by_artifact;
  s.sessions.push_back(std::move(e));
}

InvestigationResult Investigation::Finish() {
  State& s = *s_;
  InvestigationResult out;
  std::sort(s.sessions.begin(), s.sessions.end(), [](const SessionEvent& a, const SessionEvent& b) {
    return Earlier(a.request, b.request);
  });
  // Commands to the attackers' webshells (answered POSTs), in time order.
  std::vector<const Request*> shell_commands;
  for (const SessionEvent& e : s.sessions) {
    const Artifact* shell = s.ArtifactAt(e.request.path);
    if (shell && (shell->kind == "webshell" || shell->kind == "backdoor") &&
        e.request.method == "POST" && Succeeded(e.request.status))
      shell_commands.push_back(&e.request);
  }
  // The second pass is complete: recount each attacker from its session.
  std::vector<bool> seen(s.attackers.size(), false);
  for (const SessionEvent& e : s.sessions) {
    Attacker& a = s.attackers[e.attacker];
    if (!seen[e.attacker]) {
      seen[e.attacker] = true;
      a.requests = 0;
      a.bytes_sent = 0;
      a.first_seen = e.request.time;
    }
    ++a.requests;
    if (e.request.bytes > 0) a.bytes_sent += e.request.bytes;
    a.first_seen = std::min(a.first_seen, e.request.time);
    a.last_seen = std::max(a.last_seen, e.request.time);
    const Artifact* art = s.ArtifactAt(e.request.path);
    bool ok = e.request.status >= 200 && e.request.status < 300 && e.request.bytes > 0;
    if (!ok) continue;
    // An archive or dump is a download whatever a scanner called the file; a script that
    // answers is a webshell talking.
    if (IsDownloadPath(e.request.path) || (art && art->kind == "dump")) {
      out.exfiltration.push_back({e.attacker, "download", e.request, std::nullopt});
      out.bytes_exfiltrated += e.request.bytes;
      // The last webshell command before the download.
      auto after =
          std::upper_bound(shell_commands.begin(), shell_commands.end(), &e.request,
                           [](const Request* a, const Request* b) { return Earlier(*a, *b); });
      if (after != shell_commands.begin() &&
          e.request.time - (*std::prev(after))->time <= kDumpCommandLead)
        out.exfiltration.back().written_by = **std::prev(after);
    } else if (art && (art->kind == "webshell" || art->kind == "backdoor")) {
      out.exfiltration.push_back({e.attacker, "webshell_response", e.request, std::nullopt});
    }
  }
  // Skimmer window: from the earliest injection (file or database row) to its removal.
  std::optional<SkimmerWindow> w;
  for (const Artifact& a : s.in.artifacts) {
    if (a.kind != "skimmer" || !a.mtime) continue;
    if (w && w->start <= *a.mtime) continue;
    w = SkimmerWindow{
        *a.mtime, std::nullopt, "skimmer file " + a.path + " last modified (file time)",
        "",       a.finding_id, a.evidence_id};
  }
  for (const DbEvent& e : s.in.db_events) {
    if (!e.skimmer || (w && w->start <= e.time)) continue;
    w = SkimmerWindow{e.time, std::nullopt, "injected database row: " + e.summary,
                      "",     e.finding_id, e.evidence_id};
  }
  if (w) {
    for (auto* entry : InKeyOrder(s.skimmer_paths, [](const SkimmerPath&) { return true; })) {
      const std::string& path = entry->first;
      const SkimmerPath& sp = entry->second;
      std::optional<UnixMicros> removed;
      for (UnixMicros t : sp.gone)
        if (t > sp.last_served && t > w->start && (!removed || t < *removed)) removed = t;
      if (removed && (!w->end || *removed > *w->end)) {
        w->end = removed;
        w->end_reason = "the skimmer file " + path + " answered 404/410 from then on";
      }
    }
    // No removal seen: live until the end of the evidence, or the discovery if earlier.
    std::optional<UnixMicros> until;
    std::string why;
    if (s.last_record > w->start) {
      until = s.last_record;
      why = "no removal seen; still live at the end of the collected logs";
    }
    if (s.in.discovered_at && *s.in.discovered_at > w->start &&
        (!until || *s.in.discovered_at < *until)) {
      until = s.in.discovered_at;
      why = "no removal seen; open until the breach was discovered";
    }
    if (!until && s.in.collected_at && *s.in.collected_at > w->start) {
      until = s.in.collected_at;
      why = "still present when the evidence was collected";
    }
    if (!w->end && until) {
      w->end = until;
      w->end_reason = why;
    }
  }
  out.skimmer_window = std::move(w);
  // What each attacker achieved, from its session: a webshell answering is a foothold, commands
  // posted to it persistence, a download exfiltration; the entry is its actor's foothold.
  for (const SessionEvent& e : s.sessions) {
    const Artifact* art = s.ArtifactAt(e.request.path);
    if (!art || !(art->kind == "webshell" || art->kind == "backdoor") ||
        !Succeeded(e.request.status))
      continue;
    Attacker& a = s.attackers[e.attacker];
    auto add = [&a](const char* what) {
      if (std::find(a.achieved.begin(), a.achieved.end(), what) == a.achieved.end())
        a.achieved.push_back(what);
    };
    add("foothold");
    if (e.request.method == "POST") add("persistence");
  }
  // An exploit at the entry is its actor's foothold; a first login post or a first request
  // to a planted file is where the attack began, not what gave access.
  if (s.entry && s.entry_is_exploit) {
    auto& v = s.attackers[s.entry->attacker].achieved;
    if (std::find(v.begin(), v.end(), "foothold") == v.end()) v.push_back("foothold");
  }
  for (const Exfiltration& x : out.exfiltration) {
    auto& v = s.attackers[x.attacker].achieved;
    if (x.kind == "download" && std::find(v.begin(), v.end(), "exfiltration") == v.end())
      v.push_back("exfiltration");
  }
  for (Attacker& a : s.attackers) {
    static constexpr std::string_view kOrder[] = {"foothold", "persistence", "exfiltration"};
    std::sort(a.achieved.begin(), a.achieved.end(), [](const std::string& x, const std::string& y) {
      return std::find(std::begin(kOrder), std::end(kOrder), x) <
             std::find(std::begin(kOrder), std::end(kOrder), y);
    });
  }
  out.attackers = std::move(s.attackers);
  out.entry = std::move(s.entry);
  out.sessions = std::move(s.sessions);
  out.clients = static_cast<int64_t>(s.clients.size());
  out.failed_scanners = s.failed_scanners;
  out.store_admins = s.store_admins;
  out.records = s.records;
  out.dropped_session_events = s.dropped_events;
  out.notes = std::move(s.notes);
  if (s.dropped_events > 0)
    out.notes.push_back(std::to_string(s.dropped_events) +
                        " session events beyond the cap of 1000000 were not kept");
  out.background = std::move(s.background);
  out.rated = std::move(s.rated);
  out.rated_dropped = s.rated_dropped;
  if (s.rated_dropped > 0)
    out.notes.push_back(std::to_string(s.rated_dropped) +
                        " requests with rule hits beyond the cap of 2000000 were not rated");
  RankAttackers(out);
  return out;
}

}  // namespace tq::analysis
