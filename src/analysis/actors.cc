// Campaigns and the ranking of attackers (see actors.h).
#include "analysis/actors.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace tq::analysis {
namespace {

constexpr UnixMicros kMinute = 60LL * 1000000;
constexpr UnixMicros kCampaignGap = 60 * kMinute;  // windows this close count as one
constexpr double kPaceFactor = 4;
constexpr size_t kMaxBucket = 20000;  // addresses compared pairwise in one bucket

double Pace(const Behaviour& b) {
  double minutes = std::max<double>(1.0, static_cast<double>(b.last - b.first) / kMinute);
  return static_cast<double>(b.requests) / minutes;
}

bool ShareAgent(const Behaviour& a, const Behaviour& b) {
  for (const std::string& x : a.agents)
    if (std::find(b.agents.begin(), b.agents.end(), x) != b.agents.end()) return true;
  return false;
}

uint32_t Find(std::vector<uint32_t>& parent, uint32_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

int RolePriority(std::string_view role) {
  if (role == "intruder") return 4;
  if (role == "rogue_admin") return 3;
  if (role == "exfiltration") return 2;
  if (role == "credential_stuffing") return 1;
  return 0;
}

int AchievementWeight(const Attacker& a) {
  int w = 0;
  for (const std::string& x : a.achieved)
    w |= x == "foothold" ? 4 : x == "persistence" ? 2 : x == "exfiltration" ? 1 : 0;
  return w;
}

}  // namespace

std::vector<std::vector<uint32_t>> FindCampaigns(std::span<const Behaviour> clients,
                                                 size_t min_size) {
  // Bucket by what they do: the target set and the share of posts (in quarters).
  std::map<std::pair<std::vector<uint64_t>, int64_t>, std::vector<size_t>> buckets;
  for (size_t i = 0; i < clients.size(); ++i) {
    const Behaviour& b = clients[i];
    if (b.diverse || b.targets.empty() || b.requests < 2) continue;
    int64_t posts = b.requests > 0 ? b.posts * 4 / b.requests : 0;
    buckets[{b.targets, posts}].push_back(i);
  }
  std::vector<std::vector<uint32_t>> out;
  for (auto& [key, members] : buckets) {
    if (members.size() < min_size) continue;
    if (members.size() > kMaxBucket) members.resize(kMaxBucket);
    std::sort(members.begin(), members.end(),
              [&](size_t a, size_t b) { return clients[a].first < clients[b].first; });
    std::vector<uint32_t> parent(members.size());
    std::iota(parent.begin(), parent.end(), 0u);
    for (size_t i = 0; i < members.size(); ++i) {
      const Behaviour& a = clients[members[i]];
      double pa = Pace(a);
      for (size_t j = i + 1; j < members.size(); ++j) {
        const Behaviour& b = clients[members[j]];
        if (b.first > a.last + kCampaignGap) break;  // sorted by first: none later overlaps
        double pb = Pace(b);
        if (std::max(pa, pb) > kPaceFactor * std::min(pa, pb) || !ShareAgent(a, b)) continue;
        uint32_t x = Find(parent, static_cast<uint32_t>(i)),
                 y = Find(parent, static_cast<uint32_t>(j));
        if (x != y) parent[std::max(x, y)] = std::min(x, y);
      }
    }
    std::map<uint32_t, std::vector<uint32_t>> groups;
    for (size_t i = 0; i < members.size(); ++i)
      groups[Find(parent, static_cast<uint32_t>(i))].push_back(clients[members[i]].client);
    for (auto& [root, ids] : groups) {
      if (ids.size() < min_size) continue;
      std::sort(ids.begin(), ids.end());
      out.push_back(std::move(ids));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string CampaignSummary(std::string_view role, size_t addresses) {
  std::string name(role.empty() ? "attack" : role);
  std::replace(name.begin(), name.end(), '_', '-');
  return name + " campaign, " + std::to_string(addresses) + " addresses";
}

void RankAttackers(InvestigationResult& r) {
  const size_t n = r.attackers.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const Attacker& a = r.attackers[x];
    const Attacker& b = r.attackers[y];
    int wa = AchievementWeight(a), wb = AchievementWeight(b);
    if (wa != wb) return wa > wb;
    if (RolePriority(a.role) != RolePriority(b.role))
      return RolePriority(a.role) > RolePriority(b.role);
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return a.first_seen < b.first_seen;
  });
  std::vector<size_t> new_index(n);
  std::vector<Attacker> ranked;
  ranked.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    new_index[order[k]] = k;
    ranked.push_back(std::move(r.attackers[order[k]]));
    ranked.back().label = "attacker-" + std::to_string(k + 1);
  }
  r.attackers = std::move(ranked);
  if (r.entry) r.entry->attacker = new_index[r.entry->attacker];
  for (SessionEvent& e : r.sessions) e.attacker = new_index[e.attacker];
  for (Exfiltration& x : r.exfiltration) x.attacker = new_index[x.attacker];
  for (RatedRequest& q : r.rated)
    if (q.attacker) q.attacker = new_index[*q.attacker];
}

}  // namespace tq::analysis
