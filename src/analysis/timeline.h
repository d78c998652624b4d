// The case timeline (table analysis_timeline, specified in analysis.h): building it from the
// investigation, the other stages' findings and the evidence file times, reading it back with
// filters, and exporting it for Timesketch (JSONL, CSV), Elastic/OpenSearch (ECS NDJSON for
// _bulk) and the terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "core/time.h"

namespace tq::analysis {

struct TimelineRow {
  int64_t id = 0;
  UnixMicros time = 0;
  std::string source;  // log | file | db | finding | analysis
  std::string kind;
  std::string message;
  std::string actor;
  std::string ip;
  std::optional<int64_t> evidence_id;
  std::string evidence_sha256;
  std::string evidence_path;
  std::optional<int64_t> line, byte_offset;
  std::optional<int64_t> attacker_id;
  std::string attacker_label;  // filled when read back
  std::optional<int64_t> finding_id;
  std::string detail_json = "{}";
};

struct TimelineFilter {
  std::optional<UnixMicros> from, to;  // inclusive
  std::string attacker;                // label or id; '' = all rows
};

// Rows in time order (then id).
Result<std::vector<TimelineRow>> ReadTimeline(Db& db, const TimelineFilter& filter);

// Ok when `attacker` (a label or an id) is one of the case's attackers, or when the case has no
// attackers table yet; else a usage error naming up to ten known labels (an unknown attacker is
// a mistake on the command line, not an empty timeline that reads as "they did nothing").
Status CheckAttacker(Db& db, const std::string& attacker);

// The attackers in rank order (attacker-1 achieved most), each with what its reasons say it
// was (role, campaign, achieved) and how many addresses it used: the head of the text view.
struct AttackerHeadline {
  std::string label, summary;
  int64_t addresses = 0;
};
Result<std::vector<AttackerHeadline>> AttackerHeadlines(Db& db);

enum class TimelineFormat { kTimesketchJsonl, kCsv, kEcsNdjson, kText };
Result<TimelineFormat> ParseTimelineFormat(std::string_view name);

// The whole export as text. ECS output is a _bulk body: an action line before each document.
std::string ExportTimeline(const std::vector<TimelineRow>& rows, TimelineFormat format,
                           std::string_view ecs_index = "tourniquet-timeline");

}  // namespace tq::analysis
