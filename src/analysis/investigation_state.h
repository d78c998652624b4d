// The investigation's state between its passes: per-client profiles, the tables pass 1
// fills, and the attackers attribution makes. Internal to analysis: investigation.cc (the
// passes and Finish) and attribution.cc (Attribute) share it.
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analysis/analysis.h"
#include "analysis/request_shape.h"

namespace tq::analysis {

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

// Heterogeneous lookup: a record's string_view finds a key without building a string. XXH3:
// the maps are probed once or more per request of every pass (addresses, agents, paths, rule
// ids), and std::hash's byte-at-a-time mix was a tenth of the analysis's time.
struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view v) const { return XXH3_64bits(v.data(), v.size()); }
};
template <typename V>
using StrMap = std::unordered_map<std::string, V, SvHash, std::equal_to<>>;
using StrSet = std::unordered_set<std::string, SvHash, std::equal_to<>>;

// A set of (evidence item, line) pairs as a bit per line of each item: the question "has
// this line a rule hit?" asked for every request of every pass, answered without a search.
// Lines at or past kMaxLine are not stored and Test answers true for them (the caller then
// searches), so the bits never take more than kMaxLine / 8 bytes an item.
class LineBits {
 public:
  static constexpr int64_t kMaxLine = int64_t{1} << 28;
  void Set(int64_t item, int64_t line);
  bool Test(int64_t item, int64_t line) const;

 private:
  std::unordered_map<int64_t, std::vector<uint64_t>> items_;
  mutable int64_t last_item_ = std::numeric_limits<int64_t>::min();
  mutable const std::vector<uint64_t>* last_ = nullptr;
};

// A map's entries in key order, for the loops whose outcome depends on the order they visit
// entries in (reasons appended, scores raised in turn): the answer must not depend on the hash
// function or the table's history. `keep` leaves out entries the loop would skip anyway.
template <typename Map, typename Keep>
std::vector<typename Map::value_type*> InKeyOrder(Map& m, Keep keep) {
  std::vector<typename Map::value_type*> out;
  for (auto& e : m)
    if (keep(e.second)) out.push_back(&e);
  std::sort(out.begin(), out.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  return out;
}

inline Request Snapshot(const AccessRecord& r) {
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

inline bool Earlier(const Request& a, const Request& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.evidence_id != b.evidence_id) return a.evidence_id < b.evidence_id;
  return a.line < b.line;
}

// Keeps the `cap` earliest requests.
inline void KeepEarliest(std::vector<Request>& v, size_t cap, const AccessRecord& r) {
  if (v.size() >= cap && !(r.time < v.back().time)) return;
  Request q = Snapshot(r);
  auto at = std::upper_bound(v.begin(), v.end(), q, Earlier);
  v.insert(at, std::move(q));
  if (v.size() > cap) v.pop_back();
}

// The server answered as if the request went through (2xx/3xx): the one definition in
// casefile/triage.h, before the path's ordinary answer is known.
inline bool Succeeded(int status) {
  return JudgeOutcome(status, -1, std::nullopt) == RequestOutcome::kWorked;
}

inline uint64_t TargetHash(std::string_view method, std::string_view path) {
  return std::hash<std::string_view>{}(path)*1000003u ^ std::hash<std::string_view>{}(method);
}

inline int MaxLevel(std::span<const RuleMatch> hits) {
  int m = -1;
  for (const RuleMatch& h : hits) m = std::max(m, LevelRank(h.level));
  return m;
}

inline std::string Describe(const Request& q) {
  std::string s = q.method + " " + q.path;
  if (!q.query.empty()) s += "?" + q.query;
  s += " -> " + std::to_string(q.status);
  if (q.bytes >= 0) s += ", " + std::to_string(q.bytes) + " bytes";
  return s;
}

inline std::string Where(const Request& q) {
  return "evidence item " + std::to_string(q.evidence_id) + " line " + std::to_string(q.line);
}

// An optional value kept on the heap: a client's first admin request, first login post and
// first artifact request are each a whole Request (about 240 bytes) that most of a store's
// hundreds of thousands of clients never have; held inline they were two thirds of every
// profile (1,128 bytes, 440 MB for the 1 M-customer drill's 390,000 clients).
template <class T>
class HeapOptional {
 public:
  HeapOptional() = default;
  HeapOptional(const HeapOptional& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  HeapOptional(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(const HeapOptional& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  HeapOptional& operator=(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(T v) {
    if (p_)
      *p_ = std::move(v);
    else
      p_ = std::make_unique<T>(std::move(v));
    return *this;
  }
  explicit operator bool() const { return p_ != nullptr; }
  bool has_value() const { return p_ != nullptr; }
  const T& operator*() const { return *p_; }
  T& operator*() { return *p_; }
  const T* operator->() const { return p_.get(); }
  T* operator->() { return p_.get(); }

 private:
  std::unique_ptr<T> p_;
};

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
  HeapOptional<Request> first_admin;
  int64_t login_posts = 0;
  HeapOptional<Request> first_login_post;
  int64_t artifact_requests = 0;
  HeapOptional<Request> first_artifact;
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
inline bool IsStuffing(const ClientProfile& c) {
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

inline int RolePriority(std::string_view role) {
  if (role == "intruder") return 4;
  if (role == "rogue_admin") return 3;
  if (role == "exfiltration") return 2;
  if (role == "credential_stuffing") return 1;
  return 0;
}

struct Investigation::State {
  InvestigationInputs in;
  // A deque: profiles are large and a store's logs have hundreds of thousands of clients;
  // growing a vector moved every profile again at each doubling.
  std::deque<ClientProfile> clients;
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
  StrMap<std::unordered_set<uint32_t>> rule_clients;
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

}  // namespace tq::analysis
