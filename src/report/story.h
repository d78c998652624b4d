// The story of the breach: entry, foothold, persistence, theft and impact, one sentence per
// step with its UTC time, its actor and a link to its evidence (item and line, or finding),
// then the counts. Built from the case (analysis_timeline, the attackers, the findings and
// the scope), never from a template: a step is on the story because the case holds a row for
// it, and its phase comes from what the row is (the entry vector, a rule's ATT&CK tactic, a
// planted account or file, a download), not from any scenario's names.
//
// Read by the web UI (GET /api/story) and meant for the top of the internal report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/db.h"
#include "core/result.h"
#include "core/time.h"
#include "report/report.h"

namespace tq::report {

enum class StoryPhase { kEntry = 0, kFoothold, kPersistence, kTheft, kImpact };
std::string_view StoryPhaseName(StoryPhase p);  // entry | foothold | persistence | theft | impact

// One step. Text fields hold raw evidence bytes: escape for where they are shown.
struct StoryStep {
  StoryPhase phase = StoryPhase::kEntry;
  UnixMicros time_us = 0;
  std::string actor;                     // attacker label ("attacker-1"), '' when no actor is known
  bool actor_by_time = false;            // actor inferred: the last actor active before this step
  std::string ip;                        // the client address of a request step
  std::string sentence;                  // one line
  std::optional<int64_t> evidence_item;  // evidence_items.id
  std::string evidence_path;             // its original path
  std::optional<int64_t> evidence_line;  // 1-based line in the (decompressed) item
  std::optional<int64_t> finding_id;
  std::string kind;                 // the timeline row's kind (request, host.cron, ...)
  int64_t count = 1;                // rows the step stands for (a campaign's requests)
  std::optional<UnixMicros> until;  // the last of them, when count > 1
  int64_t addresses = 0;            // distinct addresses behind a collapsed step
  bool time_doubtful = false;       // a file time earlier than any attack activity (timestomped?)
};

// An actor of the story (attacker or campaign): the timeline chart draws one lane each.
struct StoryActor {
  int64_t id = 0;
  std::string label, role, kind;  // kind: actor | campaign
  std::string summary;
  std::vector<std::string> achieved;
  int64_t addresses = 0, requests = 0, bytes_sent = 0;
  std::optional<UnixMicros> first_seen, last_seen;
};

struct StoryCounts {
  int64_t attackers = 0, addresses = 0, attack_requests = 0;
  int64_t downloads = 0, bytes_downloaded = 0;  // data taken by download
  int64_t affected_people = -1;                 // -1: scope not run
  int64_t jurisdictions = 0;
  std::vector<std::string> categories;  // data categories exposed
  std::optional<UnixMicros> first_activity, last_activity, discovered_at;
  std::optional<UnixMicros> skimmer_start;
  int64_t findings = 0, findings_actionable = 0;
  int64_t timeline_rows = 0;  // rows the story was told from
};

struct Story {
  std::string timezone = "UTC";  // the store's zone (IANA name)
  std::vector<StoryStep> steps;  // in time order
  std::vector<StoryActor> actors;
  StoryCounts counts;
};

// Builds the story from the case database. A case without an investigation yields an empty
// story (no steps), not an error.
Result<Story> BuildStory(Db& db);

// The story as a JSON object: {timezone, steps[], actors[], counts{}} with times as RFC 3339
// UTC strings.
std::string StoryJson(const Story& s);

// The story as report blocks, for the top of the internal report: a heading, a table (time in
// UTC, phase, actor, what happened, evidence) and the counts as a list. Cells hold raw text: the
// renderers escape it.
std::vector<Block> StoryBlocks(const Story& s);

}  // namespace tq::report
