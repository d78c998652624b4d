// The two-pass investigation over access records: client profiles (pass 1), attribution of
// addresses to attackers and the entry request, sessions from a second pass, then
// exfiltration and the skimmer window. Every decision keeps its reason in words, and every
// request it keeps names its evidence item and line.
//
// Heuristics hold for real stores, not only drilled ones: they use response codes and sizes,
// the order of events, rarity across the whole log, and the admin/login/download shapes every
// PHP store shares; attack knowledge itself comes from the rule hits and the other stages.
#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "analysis/actors.h"
#include "analysis/analysis.h"
#include "analysis/request_shape.h"

namespace tq::analysis {
namespace {

constexpr size_t kMaxSuccessHitsKept = 8;
constexpr size_t kMaxUserAgentsPerClient = 4;
constexpr size_t kMaxSessionsPerClient = 4;
constexpr size_t kMaxDownloadsPerClient = 16;
constexpr size_t kMaxSizeSamples = 16;
constexpr size_t kMaxStems = 200000;
constexpr size_t kMaxUserAgents = 500000;
constexpr size_t kMaxDownloadPaths = 100000;
constexpr size_t kMaxSessionEvents = 1000000;
constexpr size_t kRareClients = 3;  // a path or agent used by at most this many clients
constexpr int kCredentialStuffingPosts = 20;
constexpr size_t kMaxArtifactUsers = 5;
constexpr UnixMicros kDbWriteSlack = 2 * 1000000;  // a row's time vs. the request that wrote it
constexpr double kAttackerThreshold = 0.5;
constexpr UnixMicros kMinute = 60LL * 1000000;
constexpr UnixMicros kHour = 60 * kMinute;
constexpr UnixMicros kCheckoutSpan = kHour;  // address submitted .. order placed
constexpr size_t kMaxCheckoutCalls = 512;
constexpr UnixMicros kReconLead = 6 * kHour;         // fingerprinting .. the intrusion it served
constexpr UnixMicros kDumpCommandLead = 24 * kHour;  // webshell command .. the download
constexpr size_t kMaxRated = 2000000;                // requests with hits rated in pass 2
constexpr size_t kMaxBackgroundSample = 1000;

// Heterogeneous lookup: a record's string_view finds a key without building a string.
struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
};
template <typename V>
using StrMap = std::unordered_map<std::string, V, SvHash, std::equal_to<>>;
using StrSet = std::unordered_set<std::string, SvHash, std::equal_to<>>;

Request Snapshot(const AccessRecord& r) {
  Request q;
  q.time = r.time;
  q.client = r.client;
  q.method = r.method;
  q.path = r.path;
  q.query = r.query;
  q.user_agent = r.user_agent;
  q.status = r.status;
  q.bytes = r.bytes;
  q.evidence_id = r.evidence_id;
  q.line = r.line;
  q.offset = r.offset;
  q.hits.assign(r.hits.begin(), r.hits.end());
  return q;
}

bool Earlier(const Request& a, const Request& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.evidence_id != b.evidence_id) return a.evidence_id < b.evidence_id;
  return a.line < b.line;
}

// Keeps the `cap` earliest requests.
void KeepEarliest(std::vector<Request>& v, size_t cap, const AccessRecord& r) {
  if (v.size() >= cap && !(r.time < v.back().time)) return;
  Request q = Snapshot(r);
  auto at = std::upper_bound(v.begin(), v.end(), q, Earlier);
  v.insert(at, std::move(q));
  if (v.size() > cap) v.pop_back();
}

// The server answered as if the request went through (2xx/3xx): the one definition in
// casefile/triage.h, before the path's ordinary answer is known.
bool Succeeded(int status) {
  return JudgeOutcome(status, -1, std::nullopt) == RequestOutcome::kWorked;
}

uint64_t TargetHash(std::string_view method, std::string_view path) {
  return std::hash<std::string_view>{}(path)*1000003u ^ std::hash<std::string_view>{}(method);
}

int MaxLevel(std::span<const RuleMatch> hits) {
  int m = -1;
  for (const RuleMatch& h : hits) m = std::max(m, LevelRank(h.level));
  return m;
}

std::string Describe(const Request& q) {
  std::string s = q.method + " " + q.path;
  if (!q.query.empty()) s += "?" + q.query;
  s += " -> " + std::to_string(q.status);
  if (q.bytes >= 0) s += ", " + std::to_string(q.bytes) + " bytes";
  return s;
}

std::string Where(const Request& q) {
  return "evidence item " + std::to_string(q.evidence_id) + " line " + std::to_string(q.line);
}

struct ClientProfile {
  std::string address;
  UnixMicros first = std::numeric_limits<UnixMicros>::max();
  UnixMicros last = std::numeric_limits<UnixMicros>::min();
  int64_t requests = 0, bytes = 0;
  int64_t hits = 0, hits_answered = 0;
  std::vector<Request> answered_hits;  // earliest, rule hits answered 2xx/3xx
  std::vector<Request> exploit_hits;   // earliest hits naming a CVE, whatever the answer
  std::vector<std::string> user_agents, sessions;
  int64_t admin_requests = 0, admin_posts = 0;
  int64_t admin_pages = 0;  // answered admin requests other than login posts
  std::optional<Request> first_admin;
  int64_t login_posts = 0;
  std::optional<Request> first_login_post;
  int64_t artifact_requests = 0;
  std::optional<Request> first_artifact;
  std::string artifact_kind;
  std::vector<Request> downloads;  // earliest 2xx downloads of archives, dumps, exports
  // Behaviour for campaigns: distinct METHOD+path targets (hashes, sorted) while few.
  std::vector<uint64_t> targets;
  bool diverse = false;
  int64_t posts = 0;
  // Outcome of attribution.
  bool foothold = false, persistence = false, campaign = false;
  double score = 0;
  std::string role;
  std::vector<std::string> reasons;
  std::vector<Request> worked;  // answered hits that look like they worked
};

// Mostly login form posts, many of them.
bool IsStuffing(const ClientProfile& c) {
  return c.login_posts >= kCredentialStuffingPosts && c.login_posts * 2 >= c.requests;
}

struct DownloadPath {
  std::vector<uint32_t> clients;  // distinct, capped
  UnixMicros first_ok = std::numeric_limits<UnixMicros>::max();
};

struct SkimmerPath {
  UnixMicros last_served = std::numeric_limits<UnixMicros>::min();
  std::vector<UnixMicros> gone;  // 404/410 answers, capped
};

// Union-find over client ids.
struct Links {
  std::vector<uint32_t> parent;
  explicit Links(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  uint32_t Find(uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

int RolePriority(std::string_view role) {
  if (role == "intruder") return 4;
  if (role == "rogue_admin") return 3;
  if (role == "exfiltration") return 2;
  if (role == "credential_stuffing") return 1;
  return 0;
}

}  // namespace

std::string CveFromTags(std::span<const std::string> tags) {
  for (const std::string& t : tags) {
    std::string low;
    for (char c : t) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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

struct Investigation::State {
  InvestigationInputs in;
  std::vector<ClientProfile> clients;
  StrMap<uint32_t> client_index;
  StrMap<std::vector<int64_t>> stem_sizes;  // non-hit 2xx sizes
  StrMap<uint32_t> agent_clients;
  StrMap<std::vector<uint32_t>> session_clients;
  StrMap<DownloadPath> download_paths;
  StrMap<size_t> artifact_urls;  // URL path -> artifacts index
  StrMap<SkimmerPath> skimmer_paths;
  StrMap<std::vector<uint32_t>> artifact_touchers;
  // Distinct clients each rule fired for (capped): a rule that fires for a large share of
  // the clients describes ordinary traffic on this store, not an attack.
  std::unordered_map<std::string, std::unordered_set<uint32_t>> rule_clients;
  // Write requests (not GET/HEAD), kept only near the times of database events.
  std::vector<Request> writes_near_db_events;
  // Checkout calls in the hour before an order whose row carries an exploit payload.
  std::vector<Request> checkout_near_exploit;
  int64_t records = 0;
  UnixMicros last_record = 0;     // the end of the collected logs
  StrMap<int64_t> ordinary_size;  // after pass 1: the median ordinary answer per path
  std::vector<RatedRequest> rated;
  int64_t rated_dropped = 0;
  std::optional<BackgroundScanning> background;
  bool capped_stems = false, capped_agents = false, capped_downloads = false;

  // After Attribute.
  std::vector<Attacker> attackers;
  StrMap<size_t> address_attacker;
  StrMap<size_t> artifact_owner;  // URL path -> attacker
  StrSet derived_downloads;       // unusual download URL paths
  std::optional<EntryVector> entry;
  // The entry the database tells of (an exploit payload stored with an order).
  struct DbEntry {
    Request request;
    const DbEvent* event = nullptr;
    std::string reason;
  };
  std::optional<DbEntry> db_entry;
  std::optional<UnixMicros> breach_start;
  bool entry_is_exploit = false;  // the entry is a rule hit or a stored exploit
  int64_t failed_scanners = 0, store_admins = 0;
  std::vector<SessionEvent> sessions;
  int64_t dropped_events = 0;
  std::vector<std::string> notes;

  uint32_t Client(std::string_view address) {
    auto it = client_index.find(address);
    if (it != client_index.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(clients.size());
    clients.emplace_back();
    clients.back().address = address;
    client_index.emplace(std::string(address), id);
    return id;
  }

  // The one judgement of triage.h with this store's ordinary answer for the path.
  RequestOutcome Judge(int status, int64_t bytes, std::string_view path) const {
    auto it = ordinary_size.find(path);
    return JudgeOutcome(status, bytes,
                        it == ordinary_size.end() ? std::nullopt : std::optional(it->second));
  }

  const Artifact* ArtifactAt(std::string_view path) const {
    auto it = artifact_urls.find(path);
    return it == artifact_urls.end() ? nullptr : &in.artifacts[it->second];
  }

  void AttributeStoredExploits();
  void LinkReconnaissance(Links& links);
  void LinkCampaigns(Links& links);
  void CollectBackground();
};

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
  std::vector<Behaviour> suspects;
  for (uint32_t id = 0; id < clients.size(); ++id) {
    const ClientProfile& c = clients[id];
    if (c.score < kAttackerThreshold) continue;
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
    for (uint32_t id : ids) {
      clients[id].campaign = true;
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
  for (auto& [path, d] : s.download_paths) {
    if (d.clients.size() > kRareClients || d.first_ok == never) continue;
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
  for (auto& [token, ids] : s.session_clients) {
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
  for (auto& [ua, ids] : rare_agent_users) {
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
      for (const std::optional<Request>* q :
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
    for (auto& [path, sp] : s.skimmer_paths) {
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
