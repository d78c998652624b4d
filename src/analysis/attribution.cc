// Attribution, between the two passes: client profiles scored into attackers (rule hits that
// worked, exploits for CVEs the store has, planted files, writes at the second of a malicious
// row, credential stuffing, rogue admins, unusual downloads), addresses linked into actors
// (shared downloads, sessions, rare agents, reconnaissance, campaigns), background scanning
// set apart, and the entry request.
#include "analysis/actors.h"
#include "analysis/investigation_state.h"

namespace tq::analysis {

namespace {

void Raise(ClientProfile& c, double score, std::string_view role, std::string reason) {
  if (score > c.score || (score == c.score && RolePriority(role) > RolePriority(c.role))) {
    c.score = score;
    c.role = role;
  }
  c.reasons.push_back(std::move(reason));
}

bool IsReconHit(const RuleMatch& h) {
  for (const std::string& t : h.tags)
    if (t.starts_with("attack.t1592")) return true;  // gather victim host information
  return false;
}

}  // namespace

// An exploit payload the platform stored with an order (a template directive typed into an
// address field) names its sender: the order was placed by the checkout call that wrote at
// the row's time, and the payload came in with that client's last address submission
// before it. The access log holds no request bodies; the database does.
void Investigation::State::AttributeStoredExploits() {
  for (const DbEvent& e : in.db_events) {
    if (!e.exploit) continue;
    const Request* placed = nullptr;
    for (const Request& q : checkout_near_exploit) {
      if (CheckoutCallOf(q.method, q.path) != CheckoutCall::kPlaceOrder ||
          std::llabs(q.time - e.time) > kDbWriteSlack)
        continue;
      if (!placed || std::llabs(q.time - e.time) < std::llabs(placed->time - e.time)) placed = &q;
    }
    if (!placed) {
      notes.push_back("no checkout call in the logs placed the order of '" + e.summary + "'");
      continue;
    }
    const Request* carried = nullptr;
    for (const Request& q : checkout_near_exploit) {
      if (q.client != placed->client ||
          CheckoutCallOf(q.method, q.path) != CheckoutCall::kAddress || q.time > placed->time)
        continue;
      if (!carried || Earlier(*carried, q)) carried = &q;
    }
    if (!carried) carried = placed;  // the address came with the order itself
    std::string cve = e.cve.empty() ? "" : " (" + e.cve + ")";
    std::string reason =
        "submitted the checkout address the database stores with an exploit payload" + cve + ": " +
        Describe(*carried) + " at " + FormatUtc(carried->time) + " (" + Where(*carried) +
        "); the order was placed by " + Describe(*placed) + " at " + FormatUtc(placed->time) +
        "; the row: " + e.summary;
    clients[Client(placed->client)].foothold = true;
    Raise(clients[Client(placed->client)], 0.8, "intruder", reason);
    if (!db_entry || Earlier(*carried, db_entry->request))
      db_entry = DbEntry{*carried, &e, std::move(reason)};
  }
}

// Reconnaissance for an intrusion: an address whose answered rule hits are all platform
// fingerprinting (the version banner), that used a user agent of an intruder's address and
// fingerprinted in the hours before that address first showed up, scouted for it. Exploit
// kits split the version check and the exploit across addresses; the agent string and the
// lead time tie them together.
void Investigation::State::LinkReconnaissance(Links& links) {
  std::vector<uint32_t> intruders;
  for (uint32_t id = 0; id < clients.size(); ++id)
    if (clients[id].score >= kAttackerThreshold && clients[id].role == "intruder")
      intruders.push_back(id);
  for (uint32_t id = 0; id < clients.size(); ++id) {
    ClientProfile& c = clients[id];
    if (c.score >= kAttackerThreshold || c.answered_hits.empty() || !c.worked.empty()) continue;
    bool recon_only = std::all_of(c.answered_hits.begin(), c.answered_hits.end(), [](auto& q) {
      return std::all_of(q.hits.begin(), q.hits.end(), IsReconHit);
    });
    if (!recon_only) continue;
    const Request& probe = c.answered_hits.front();
    for (uint32_t other : intruders) {
      const ClientProfile& i = clients[other];
      if (i.first <= probe.time || i.first - probe.time > kReconLead) continue;
      auto shared = std::find_first_of(c.user_agents.begin(), c.user_agents.end(),
                                       i.user_agents.begin(), i.user_agents.end());
      if (shared == c.user_agents.end()) continue;
      Raise(c, 0.55, "intruder",
            "fingerprinted the platform (" + Describe(probe) + " at " + FormatUtc(probe.time) +
                ", " + Where(probe) + ") with the user agent \"" + *shared +
                "\" that intruder address " + i.address + " used from " + FormatUtc(i.first));
      links.Join(other, id);
      break;
    }
  }
}

// Campaigns: attacker addresses that do the same few things (targets, method mix) at the same
// pace in one window, linked by the agents they share, are one actor. Stuffing and brute-force
// bots spread over many addresses this way; each alone would be its own "attacker".
void Investigation::State::LinkCampaigns(Links& links) {
  // Attackers, and addresses that are mostly login posts but too few to be attackers alone:
  // stuffing through many proxies sends a handful of posts per address, and such an address
  // joins a campaign only when it behaves like the attackers in it.
  std::vector<Behaviour> suspects;
  for (uint32_t id = 0; id < clients.size(); ++id) {
    const ClientProfile& c = clients[id];
    bool attacker = c.score >= kAttackerThreshold;
    bool login_posts = c.login_posts >= 2 && c.login_posts * 2 >= c.requests;
    if (!attacker && !login_posts) continue;
    Behaviour b;
    b.client = id;
    b.first = c.first;
    b.last = c.last;
    b.requests = c.requests;
    b.posts = c.posts;
    b.targets = c.targets;
    b.diverse = c.diverse;
    b.agents = c.user_agents;
    suspects.push_back(std::move(b));
  }
  for (const std::vector<uint32_t>& ids : FindCampaigns(suspects)) {
    // A campaign is what its attackers do: at least three of its addresses are attackers on
    // their own; the others are there by behaving the same.
    size_t attackers = 0;
    uint32_t strongest = ids.front();
    for (uint32_t id : ids) {
      if (clients[id].score >= kAttackerThreshold) ++attackers;
      if (clients[id].score > clients[strongest].score) strongest = id;
    }
    if (attackers < 3) continue;
    for (uint32_t id : ids) {
      ClientProfile& c = clients[id];
      if (c.score < kAttackerThreshold)
        Raise(c, 0.55, "credential_stuffing",
              std::to_string(c.login_posts) + " login form posts out of " +
                  std::to_string(c.requests) +
                  " requests, the same targets, pace, window and user agents as the campaign of " +
                  clients[strongest].address);
      c.campaign = true;
      links.Join(ids.front(), id);
    }
  }
}

// Background scanning: addresses no attacker holds whose rule hits were refused (some 4xx or
// 5xx) and none worked. They stay countable as one actor; they are not contained.
void Investigation::State::CollectBackground() {
  BackgroundScanning b;
  UnixMicros first = std::numeric_limits<UnixMicros>::max(), last = 0;
  std::vector<std::string> sample;
  for (const ClientProfile& c : clients) {
    if (c.hits == 0 || c.hits_answered >= c.hits || !c.worked.empty()) continue;
    if (address_attacker.count(c.address) > 0) continue;
    ++b.addresses;
    b.requests += c.requests;
    b.hits += c.hits;
    b.refused += c.hits - c.hits_answered;
    first = std::min(first, c.first);
    last = std::max(last, c.last);
    sample.push_back(c.address);
  }
  if (b.addresses == 0) return;
  std::sort(sample.begin(), sample.end());
  if (sample.size() > kMaxBackgroundSample) sample.resize(kMaxBackgroundSample);
  b.sample = std::move(sample);
  b.first_seen = first;
  b.last_seen = last;
  background = std::move(b);
}

void Investigation::Attribute() {
  State& s = *s_;
  const size_t n = s.clients.size();
  UnixMicros never = std::numeric_limits<UnixMicros>::max();

  // 0. Rules that fire for many clients describe this store's ordinary traffic.
  const size_t common = std::max<size_t>(8, n / 100);
  std::unordered_set<std::string> common_rules;
  for (auto& [rule, set] : s.rule_clients)
    if (set.size() > common) common_rules.insert(rule);
  auto discriminating = [&](Request q) {
    std::erase_if(q.hits, [&](const RuleMatch& h) { return common_rules.count(h.rule) > 0; });
    return q;
  };
  for (ClientProfile& c : s.clients) {
    for (Request& q : c.answered_hits) q = discriminating(q);
    for (Request& q : c.exploit_hits) q = discriminating(q);
    std::erase_if(c.answered_hits, [](const Request& q) { return q.hits.empty(); });
    std::erase_if(c.exploit_hits, [](const Request& q) { return q.hits.empty(); });
  }
  if (!common_rules.empty())
    s.notes.push_back(std::to_string(common_rules.size()) + " rule(s) fired for more than " +
                      std::to_string(common) + " clients and were not used to attribute");
  // 1. Rule hits that worked (triage.h: 2xx/3xx unlike the path's ordinary answer, which is
  // the median of its ordinary 2xx answers once five are seen), medium level or above.
  for (auto& [path, sizes] : s.stem_sizes) {
    if (sizes.size() < 5) continue;
    std::vector<int64_t> v = sizes;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    s.ordinary_size.emplace(path, v[v.size() / 2]);
  }
  for (ClientProfile& c : s.clients) {
    for (const Request& q : c.answered_hits)
      if (MaxLevel(q.hits) >= LevelRank("medium") && Worked(s.Judge(q.status, q.bytes, q.path)))
        c.worked.push_back(q);
  }
  // The store's own admins: admin activity before anything else went wrong. Their hits on
  // admin pages (saving content with markup) are work, not attacks.
  // The breach begins with the first request that worked; the database and file times
  // only when the logs show none (a row's or file's time may be older than the logs, or
  // forged).
  UnixMicros breach = never;
  for (const ClientProfile& c : s.clients) {
    for (const Request& q : c.worked)
      if (!IsAdminPath(q.path)) breach = std::min(breach, q.time);
    if (c.first_artifact && s.artifact_touchers[c.first_artifact->path].size() <= kMaxArtifactUsers)
      breach = std::min(breach, c.first_artifact->time);
  }
  if (breach == never) {
    for (const DbEvent& e : s.in.db_events)
      if (e.rogue_admin || e.skimmer) breach = std::min(breach, e.time);
    for (const Artifact& a : s.in.artifacts)
      if (a.mtime && (a.kind == "webshell" || a.kind == "backdoor"))
        breach = std::min(breach, *a.mtime);
  }
  if (breach != never) s.breach_start = breach;
  std::optional<UnixMicros> rogue_account;
  for (const DbEvent& e : s.in.db_events)
    if (e.rogue_admin && (!rogue_account || e.time < *rogue_account)) rogue_account = e.time;

  for (ClientProfile& c : s.clients) {
    bool admin = c.admin_requests > 0;
    bool legit_admin = admin && c.first_admin->time < breach;
    if (legit_admin) {
      ++s.store_admins;
      std::erase_if(c.worked, [](const Request& q) { return IsAdminPath(q.path); });
      std::erase_if(c.exploit_hits, [](const Request& q) { return IsAdminPath(q.path); });
    }
    if (!c.worked.empty()) {
      const Request& q = c.worked.front();
      // One answered hit of a rule that names no CVE and is not critical is weak on its own
      // (a reflected probe answered with the page): it needs another signal.
      bool strong = c.worked.size() > 1 || MaxLevel(q.hits) >= LevelRank("critical") ||
                    std::any_of(q.hits.begin(), q.hits.end(),
                                [](const RuleMatch& h) { return !CveFromTags(h.tags).empty(); });
      double score = strong ? 0.7 + 0.05 * std::min<size_t>(c.worked.size() - 1, 4) : 0.45;
      // A foothold: a high or critical rule, or one naming a CVE, that worked. A download that
      // worked is exfiltration (counted in Finish); a brute-force post answered 200 is not in.
      c.foothold |= std::any_of(c.worked.begin(), c.worked.end(), [](const Request& w) {
        return !IsDownloadPath(w.path) &&
               (MaxLevel(w.hits) >= LevelRank("high") ||
                std::any_of(w.hits.begin(), w.hits.end(),
                            [](const RuleMatch& h) { return !CveFromTags(h.tags).empty(); }));
      });
      std::string title = q.hits.empty() ? "" : q.hits.front().title;
      Raise(c, score, "intruder",
            std::to_string(c.worked.size()) + (c.worked.size() >= kMaxSuccessHitsKept ? "+" : "") +
                " rule hit(s) answered with success; first '" + title + "' on " + Describe(q) +
                " at " + FormatUtc(q.time) + " (" + Where(q) + ")");
    }
    // An exploit for a vulnerability the installed version has: whatever the server answered
    // (out-of-band XXE and template injection answer with errors), this is an intrusion
    // attempt against a store that is open to it.
    for (const Request& q : c.exploit_hits) {
      std::string cve;
      for (const RuleMatch& h : q.hits)
        if (cve.empty()) cve = CveFromTags(h.tags);
      if (std::find(s.in.advisory_cves.begin(), s.in.advisory_cves.end(), cve) ==
          s.in.advisory_cves.end())
        continue;
      c.foothold = true;
      Raise(c, 0.75, "intruder",
            "exploit for " + cve + ", which the installed platform version is open to: " +
                Describe(q) + " at " + FormatUtc(q.time) + " (" + Where(q) + ")");
      break;
    }
    // A file many clients fetch with success is the store's, whatever a scanner thought of it.
    if (c.first_artifact &&
        s.artifact_touchers[c.first_artifact->path].size() <= kMaxArtifactUsers) {
      const Request& q = *c.first_artifact;
      if (c.artifact_kind == "webshell" || c.artifact_kind == "backdoor") c.foothold = true;
      if (c.artifact_kind == "injected_row" && q.method != "GET" && q.method != "HEAD")
        c.persistence = true;  // wrote the attacker's row
      Raise(c, 0.85, c.artifact_kind == "dump" ? "exfiltration" : "intruder",
            "requested the attacker's " + c.artifact_kind + " " + Describe(q) + " at " +
                FormatUtc(q.time) + " (" + Where(q) + ")");
    }
    for (const Request& q : s.writes_near_db_events) {
      if (q.client != c.address) continue;
      const DbEvent* hit = nullptr;
      for (const DbEvent& e : s.in.db_events)
        if ((e.skimmer || e.rogue_admin) && std::llabs(e.time - q.time) <= kDbWriteSlack) hit = &e;
      if (!hit || (legit_admin && IsAdminPath(q.path))) continue;
      c.persistence = true;
      Raise(c, 0.7, "intruder",
            "wrote to the store at the second the database shows '" + hit->summary +
                "': " + Describe(q) + " at " + FormatUtc(q.time) + " (" + Where(q) + ")");
      break;
    }
    if (IsStuffing(c)) {
      Raise(c, 0.6, "credential_stuffing",
            std::to_string(c.login_posts) + " login form posts out of " +
                std::to_string(c.requests) + " requests, first " + Describe(*c.first_login_post) +
                " at " + FormatUtc(c.first_login_post->time));
    }
    if (admin && !legit_admin && c.first >= breach && c.admin_posts > 0 && c.admin_requests >= 2) {
      const Request& q = *c.first_admin;
      bool after_account = rogue_account && q.time >= *rogue_account - 5 * kMinute;
      // Admin pages answering it (not only the login form again): it holds an admin session.
      c.foothold |= c.admin_pages > 0;
      Raise(c, after_account ? 0.75 : 0.6, "rogue_admin",
            "uses the admin area (" + std::to_string(c.admin_requests) +
                " requests) but was never seen before the breach began at " + FormatUtc(breach) +
                "; first " + Describe(q) + " at " + FormatUtc(q.time) + " (" + Where(q) + ")" +
                (after_account ? "; after a rogue admin account was created" : ""));
    }
    if (c.hits > 0 && c.hits_answered == 0 && c.score < kAttackerThreshold) ++s.failed_scanners;
  }
  s.AttributeStoredExploits();

  // 2. Unusual downloads: an archive, dump or export fetched by at most a few clients, first
  // served after the breach began. Its downloaders are attackers when already suspect, when
  // the file is a known artifact, or when they are linked to an attacker below.
  Links links(n);
  for (auto* entry : InKeyOrder(s.download_paths, [&](const DownloadPath& d) {
         return d.clients.size() <= kRareClients && d.first_ok != never;
       })) {
    const std::string& path = entry->first;
    DownloadPath& d = entry->second;
    if (!s.breach_start || d.first_ok < *s.breach_start) continue;
    bool any_attacker = false;
    for (uint32_t id : d.clients) any_attacker |= s.clients[id].score >= kAttackerThreshold;
    bool artifact = s.ArtifactAt(path) != nullptr;
    for (uint32_t id : d.clients) {
      ClientProfile& c = s.clients[id];
      // A copy of the binding's reference: clang before 16 cannot capture structured bindings.
      const auto& wanted = path;
      auto q = std::find_if(c.downloads.begin(), c.downloads.end(),
                            [&wanted](const Request& r) { return r.path == wanted; });
      if (q == c.downloads.end()) continue;
      s.derived_downloads.insert(path);
      Raise(c, any_attacker || artifact ? 0.8 : 0.45, "exfiltration",
            "downloaded " + Describe(*q) + " at " + FormatUtc(q->time) + ", a file only " +
                std::to_string(d.clients.size()) + " client(s) ever requested, first served " +
                "after the breach began (" + Where(*q) + ")");
    }
    for (size_t i = 1; i < d.clients.size(); ++i) links.Join(d.clients[0], d.clients[i]);
  }
  for (auto& [path, touchers] : s.artifact_touchers)
    if (touchers.size() <= kMaxArtifactUsers)
      for (size_t i = 1; i < touchers.size(); ++i) links.Join(touchers[0], touchers[i]);
  // 3. The same session or token from two addresses is one actor.
  for (auto* entry :
       InKeyOrder(s.session_clients, [](const std::vector<uint32_t>& v) { return v.size() > 1; })) {
    const std::vector<uint32_t>& ids = entry->second;
    for (size_t i = 1; i < ids.size(); ++i) {
      links.Join(ids[0], ids[i]);
      ClientProfile& a = s.clients[ids[0]];
      ClientProfile& b = s.clients[ids[i]];
      double top = std::max(a.score, b.score);
      if (top >= kAttackerThreshold) {
        for (ClientProfile* c : {&a, &b})
          if (c->score < top)
            Raise(*c, top, a.score >= b.score ? a.role : b.role,
                  "shares a session/token with " + (c == &a ? b.address : a.address));
      }
    }
  }
  // 4. A rare user agent shared between an attacker and another suspect address.
  std::unordered_map<std::string, std::vector<uint32_t>> rare_agent_users;
  for (uint32_t id = 0; id < n; ++id) {
    for (const std::string& ua : s.clients[id].user_agents) {
      auto it = s.agent_clients.find(ua);
      if (it != s.agent_clients.end() && it->second <= kRareClients)
        rare_agent_users[ua].push_back(id);
    }
  }
  for (auto* entry :
       InKeyOrder(rare_agent_users, [](const std::vector<uint32_t>&) { return true; })) {
    const std::string& ua = entry->first;
    const std::vector<uint32_t>& ids = entry->second;
    std::vector<uint32_t> suspects;
    for (uint32_t id : ids)
      if (s.clients[id].score >= 0.4) suspects.push_back(id);
    if (suspects.size() < 2) continue;
    auto strongest = *std::max_element(suspects.begin(), suspects.end(), [&](auto a, auto b) {
      return s.clients[a].score < s.clients[b].score;
    });
    if (s.clients[strongest].score < kAttackerThreshold) continue;
    for (uint32_t id : suspects) {
      links.Join(strongest, id);
      ClientProfile& c = s.clients[id];
      if (id != strongest && c.score < kAttackerThreshold)
        Raise(c, 0.6, c.role.empty() ? s.clients[strongest].role : c.role,
              "shares the rare user agent \"" + ua + "\" with attacker address " +
                  s.clients[strongest].address);
    }
  }

  s.LinkReconnaissance(links);
  s.LinkCampaigns(links);

  // 5. Attackers: linked groups of addresses that scored.
  std::map<uint32_t, std::vector<uint32_t>> groups;
  for (uint32_t id = 0; id < n; ++id)
    if (s.clients[id].score >= kAttackerThreshold) groups[links.Find(id)].push_back(id);
  std::vector<std::vector<uint32_t>> ordered;
  for (auto& [root, ids] : groups) ordered.push_back(ids);
  auto first_of = [&](const std::vector<uint32_t>& ids) {
    UnixMicros t = never;
    for (uint32_t id : ids) t = std::min(t, s.clients[id].first);
    return t;
  };
  std::sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    UnixMicros fa = first_of(a), fb = first_of(b);
    if (fa != fb) return fa < fb;
    return s.clients[a.front()].address < s.clients[b.front()].address;
  });
  for (const auto& ids : ordered) {
    Attacker a;
    a.label = "attacker-" + std::to_string(s.attackers.size() + 1);
    a.first_seen = never;
    a.last_seen = std::numeric_limits<UnixMicros>::min();
    const ClientProfile* best = nullptr;
    std::set<std::string> kinds;
    size_t campaign_members = 0, stuffers = 0;
    bool foothold = false, persistence = false;
    for (uint32_t id : ids) {
      const ClientProfile& c = s.clients[id];
      a.addresses.push_back(c.address);
      a.first_seen = std::min(a.first_seen, c.first);
      a.last_seen = std::max(a.last_seen, c.last);
      a.requests += c.requests;
      a.bytes_sent += c.bytes;
      for (const std::string& r : c.reasons) a.reasons.push_back(c.address + ": " + r);
      kinds.insert(c.role);
      campaign_members += c.campaign ? 1 : 0;
      stuffers += c.campaign && IsStuffing(c) ? 1 : 0;
      foothold |= c.foothold;
      persistence |= c.persistence;
      if (!best || c.score > best->score ||
          (c.score == best->score && RolePriority(c.role) > RolePriority(best->role)))
        best = &c;
    }
    std::sort(a.addresses.begin(), a.addresses.end());
    a.role = best->role;
    if (campaign_members >= 3) {
      // A campaign is named by what most of its members do, not by its loudest member (a bot
      // whose login post was answered with a page of a new size scores as an intruder).
      if (stuffers * 2 >= campaign_members) a.role = "credential_stuffing";
      a.kind = "campaign";
      a.summary = CampaignSummary(a.role, a.addresses.size());
      // A campaign's reasons name each member: keep the first few and say how many.
      if (a.reasons.size() > 10) {
        size_t more = a.reasons.size() - 10;
        a.reasons.resize(10);
        a.reasons.push_back("... and " + std::to_string(more) + " more reasons of its members");
      }
    }
    if (foothold) a.achieved.push_back("foothold");
    if (persistence) a.achieved.push_back("persistence");
    a.confidence = std::min(0.99, best->score + 0.05 * (static_cast<double>(kinds.size()) - 1) +
                                      0.02 * (static_cast<double>(a.reasons.size()) - 1));
    for (const std::string& addr : a.addresses) s.address_attacker[addr] = s.attackers.size();
    s.attackers.push_back(std::move(a));
  }
  for (auto& [path, touchers] : s.artifact_touchers) {
    for (uint32_t id : touchers) {
      auto it = s.address_attacker.find(s.clients[id].address);
      if (it != s.address_attacker.end()) {
        s.artifact_owner.emplace(path, it->second);
        break;
      }
    }
  }
  for (const std::string& path : s.derived_downloads) {
    for (uint32_t id : s.download_paths[path].clients) {
      auto it = s.address_attacker.find(s.clients[id].address);
      if (it != s.address_attacker.end()) {
        s.artifact_owner.emplace(path, it->second);
        break;
      }
    }
  }

  // 6. The entry: the attackers' first exploit for a CVE the installed version is open to;
  // else their first rule hit that worked; else their first suspicious request (an artifact,
  // an admin login, a login post).
  std::optional<EntryVector> entry;
  auto consider = [&](size_t attacker, const Request& q, const std::string& why) {
    if (entry && !Earlier(q, entry->request)) return;
    EntryVector e;
    e.attacker = attacker;
    e.request = q;
    const RuleMatch* top = &q.hits.front();
    for (const RuleMatch& h : q.hits) {
      bool hc = !CveFromTags(h.tags).empty(), tc = !CveFromTags(top->tags).empty();
      if ((hc && !tc) || (hc == tc && LevelRank(h.level) > LevelRank(top->level))) top = &h;
    }
    e.technique = top->title;
    e.cve = CveFromTags(top->tags);
    e.reasons.push_back(why + ": rule '" + top->title + "' (" + top->rule + ", level " +
                        top->level + ") on " + Describe(q) + " (" + Where(q) + ")");
    entry = std::move(e);
  };
  for (uint32_t id = 0; id < n; ++id) {
    const ClientProfile& c = s.clients[id];
    auto it = s.address_attacker.find(c.address);
    if (it == s.address_attacker.end()) continue;
    for (const Request& q : c.exploit_hits) {
      bool open = false;
      for (const RuleMatch& h : q.hits)
        open |= std::find(s.in.advisory_cves.begin(), s.in.advisory_cves.end(),
                          CveFromTags(h.tags)) != s.in.advisory_cves.end();
      if (open) {
        consider(it->second, q,
                 "first exploit by the attackers for a vulnerability the "
                 "installed version has");
        break;
      }
    }
  }
  // The exploit the database holds: its request is the entry when no earlier exploit is.
  if (s.db_entry) {
    auto it = s.address_attacker.find(s.db_entry->request.client);
    if (it != s.address_attacker.end() &&
        (!entry || Earlier(s.db_entry->request, entry->request))) {
      EntryVector e;
      e.attacker = it->second;
      e.request = s.db_entry->request;
      e.technique = "template injection through a checkout field";
      e.cve = s.db_entry->event->cve;
      e.reasons.push_back("first exploit by the attackers; " + s.db_entry->reason);
      entry = std::move(e);
    }
  }
  const bool open_exploit = entry.has_value();
  if (!open_exploit) {
    for (uint32_t id = 0; id < n; ++id) {
      const ClientProfile& c = s.clients[id];
      auto it = s.address_attacker.find(c.address);
      if (it == s.address_attacker.end() || c.worked.empty()) continue;
      consider(it->second, c.worked.front(),
               "first rule hit answered with success among the attackers");
    }
  }
  // Attacks that need no exploit (credential stuffing, a rogue admin, a planted file found
  // before any rule fired) begin with their first request, when that is earlier.
  bool by_rule = entry.has_value();
  if (!open_exploit) {
    for (uint32_t id = 0; id < n; ++id) {
      const ClientProfile& c = s.clients[id];
      auto it = s.address_attacker.find(c.address);
      if (it == s.address_attacker.end()) continue;
      for (const HeapOptional<Request>* q :
           {&c.first_artifact, &c.first_admin, &c.first_login_post}) {
        if (!*q || (entry && !Earlier(**q, entry->request))) continue;
        if (q == &c.first_admin && c.role != "rogue_admin") continue;
        if (q == &c.first_login_post && c.role != "credential_stuffing") continue;
        by_rule = false;
        EntryVector e;
        e.attacker = it->second;
        e.request = **q;
        e.technique = q == &c.first_artifact ? "request to an attacker artifact"
                      : q == &c.first_admin  ? "admin area access by an unknown address"
                                             : "login form posts (credential stuffing)";
        e.reasons.push_back("earliest suspicious request of the attackers: " + Describe(**q) +
                            " (" + Where(**q) + ")");
        entry = std::move(e);
      }
    }
  }
  if (entry && by_rule && entry->cve.empty() && !s.in.advisory_cves.empty()) {
    entry->cve = s.in.advisory_cves.front();
    entry->reasons.push_back("the installed platform version is open to " + entry->cve +
                             " (web-root advisory)");
  } else if (entry && !entry->cve.empty()) {
    for (const std::string& cve : s.in.advisory_cves)
      if (cve == entry->cve)
        entry->reasons.push_back("the installed platform version is open to " + cve +
                                 " (web-root advisory agrees)");
  }
  s.entry_is_exploit = entry && by_rule;
  s.entry = std::move(entry);
  s.CollectBackground();
  if (s.capped_stems) s.notes.push_back("response-size baselines capped at 200000 paths");
  if (s.capped_agents) s.notes.push_back("user-agent rarity capped at 500000 agents");
  if (s.capped_downloads) s.notes.push_back("download tracking capped at 100000 paths");
}

}  // namespace tq::analysis
