// Campaigns from behaviour and the ranking of attackers, on small hand-made inputs: the edges
// of the window, the pace and the agents, and the remapping of every index after ranking.
#include "analysis/actors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tq::analysis {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr UnixMicros kMin = 60LL * 1000000;

Behaviour Bot(uint32_t id, UnixMicros first, UnixMicros minutes, int64_t requests,
              std::vector<std::string> agents = {"A"}, std::vector<uint64_t> targets = {1, 2}) {
  Behaviour b;
  b.client = id;
  b.first = first;
  b.last = first + minutes * kMin;
  b.requests = requests;
  b.posts = requests;
  b.targets = std::move(targets);
  b.agents = std::move(agents);
  return b;
}

TEST(FindCampaigns, ThreeAlikeAddressesAreOneCampaignTwoAreNot) {
  std::vector<Behaviour> three = {Bot(7, 0, 60, 60), Bot(3, 5 * kMin, 60, 50),
                                  Bot(9, 10 * kMin, 60, 70)};
  EXPECT_THAT(FindCampaigns(three), ElementsAre(ElementsAre(3, 7, 9)));
  three.pop_back();
  EXPECT_THAT(FindCampaigns(three), IsEmpty());
}

TEST(FindCampaigns, WindowEdgeIsAnHourAfterTheLastRequest) {
  // Bot 2 starts exactly an hour after bot 1's last request (joined); bot 3 a minute later
  // than an hour after bot 2's (not joined, and too few left for a campaign of its own).
  std::vector<Behaviour> v = {Bot(1, 0, 30, 30), Bot(2, 90 * kMin, 30, 30),
                              Bot(3, 181 * kMin, 30, 30), Bot(4, 10 * kMin, 30, 30)};
  EXPECT_THAT(FindCampaigns(v), ElementsAre(ElementsAre(1, 2, 4)));
}

TEST(FindCampaigns, PaceAgentsTargetsAndMethodMixMustAgree) {
  std::vector<Behaviour> v = {Bot(1, 0, 60, 60),
                              Bot(2, 0, 60, 60),
                              Bot(3, 0, 60, 60),
                              Bot(4, 0, 60, 240),                    // 4x the pace: still alike
                              Bot(5, 0, 60, 1000),                   // past 4x of every member: not
                              Bot(6, 0, 60, 60, {"B"}),              // no shared agent
                              Bot(7, 0, 60, 60, {"A"}, {1, 2, 3})};  // other targets
  Behaviour gets = Bot(8, 0, 60, 60);
  gets.posts = 0;  // same targets by GET: another method mix
  v.push_back(gets);
  Behaviour many = Bot(9, 0, 60, 60);
  many.diverse = true;
  many.targets.clear();
  v.push_back(many);
  EXPECT_THAT(FindCampaigns(v), ElementsAre(ElementsAre(1, 2, 3, 4)));
}

TEST(FindCampaigns, AgentsChainAcrossMembers) {
  // 1 and 3 share nothing, but each shares an agent with 2.
  std::vector<Behaviour> v = {Bot(1, 0, 60, 60, {"A"}), Bot(2, 0, 60, 60, {"A", "B"}),
                              Bot(3, 0, 60, 60, {"B"})};
  EXPECT_THAT(FindCampaigns(v), ElementsAre(ElementsAre(1, 2, 3)));
}

TEST(CampaignSummary, NamesTheRoleAndTheCount) {
  EXPECT_EQ(CampaignSummary("credential_stuffing", 40),
            "credential-stuffing campaign, 40 addresses");
  EXPECT_EQ(CampaignSummary("", 3), "attack campaign, 3 addresses");
}

TEST(RankAttackers, WhatTheyAchievedComesFirstAndIndexesFollow) {
  InvestigationResult r;
  auto add = [&](std::string role, std::vector<std::string> achieved, double confidence,
                 UnixMicros first, std::string ip) {
    Attacker a;
    a.label = "attacker-" + std::to_string(r.attackers.size() + 1);
    a.role = std::move(role);
    a.achieved = std::move(achieved);
    a.confidence = confidence;
    a.first_seen = first;
    a.addresses = {std::move(ip)};
    r.attackers.push_back(std::move(a));
  };
  add("credential_stuffing", {}, 0.99, 0, "10.0.0.1");  // seen first
  add("exfiltration", {"exfiltration"}, 0.8, 5, "10.0.0.2");
  add("intruder", {"foothold", "persistence"}, 0.7, 3, "10.0.0.3");  // the intruder
  add("intruder", {"persistence"}, 0.9, 4, "10.0.0.4");
  add("intruder", {}, 0.6, 1, "10.0.0.5");
  add("rogue_admin", {}, 0.6, 1, "10.0.0.6");
  r.entry = EntryVector{};
  r.entry->attacker = 0;
  SessionEvent e;
  e.attacker = 2;
  r.sessions.push_back(e);
  r.exfiltration.push_back({1, "download", {}, std::nullopt});
  RatedRequest q;
  q.attacker = 3;
  r.rated.push_back(q);
  r.rated.push_back(RatedRequest{});
  RankAttackers(r);
  std::vector<std::string> order;
  for (const Attacker& a : r.attackers) order.push_back(a.label + "=" + a.addresses[0]);
  EXPECT_THAT(order,
              ElementsAre("attacker-1=10.0.0.3", "attacker-2=10.0.0.4", "attacker-3=10.0.0.2",
                          "attacker-4=10.0.0.5", "attacker-5=10.0.0.6", "attacker-6=10.0.0.1"));
  EXPECT_EQ(r.attackers[r.entry->attacker].addresses[0], "10.0.0.1");
  EXPECT_EQ(r.attackers[r.sessions[0].attacker].addresses[0], "10.0.0.3");
  EXPECT_EQ(r.attackers[r.exfiltration[0].attacker].addresses[0], "10.0.0.2");
  EXPECT_EQ(r.attackers[*r.rated[0].attacker].addresses[0], "10.0.0.4");
  EXPECT_FALSE(r.rated[1].attacker.has_value());
}

}  // namespace
}  // namespace tq::analysis
