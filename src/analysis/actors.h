// Actors from addresses: campaigns (many addresses behaving as one) and the ranking of
// attackers by what they achieved. Internal to analysis; free functions over small value
// types so they are tested without a whole investigation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/analysis.h"

namespace tq::analysis {

// What one address did, in the terms a campaign is recognised by.
struct Behaviour {
  uint32_t client = 0;
  UnixMicros first = 0, last = 0;
  int64_t requests = 0, posts = 0;
  std::vector<uint64_t> targets;  // sorted hashes of "METHOD path"; empty when `diverse`
  bool diverse = false;           // more than kMaxCampaignTargets distinct targets
  std::vector<std::string> agents;
};
constexpr size_t kMaxCampaignTargets = 8;

// Campaigns: groups of at least `min_size` addresses with the same small set of targets and
// the same method mix, active in overlapping windows (within an hour), linked by shared user
// agents, at a similar pace (requests per minute within a factor of 4). Each group is sorted by
// client id; groups are ordered by their first client.
std::vector<std::vector<uint32_t>> FindCampaigns(std::span<const Behaviour> clients,
                                                 size_t min_size = 3);

// "credential_stuffing" -> "credential-stuffing campaign, 40 addresses".
std::string CampaignSummary(std::string_view role, size_t addresses);

// Orders attackers by what they achieved (foothold, then persistence, then exfiltration;
// more first), then by role, confidence and first sight; relabels them attacker-1.. in that
// order and remaps every index into attackers (entry, sessions, exfiltration, rated requests).
void RankAttackers(InvestigationResult& r);

}  // namespace tq::analysis
