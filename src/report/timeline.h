// The post-mortem's timeline: the events that tell the attack, picked from the case's merged
// timeline (analysis_timeline) by significance rather than by order, and drawn as an SVG on a
// real time axis with one lane per actor and the attack phases marked.
//
// Significance, from what the investigation recorded (never from one drill's strings): the
// findings' severity (a request counts with the severity of the findings on its log line),
// each actor's first and last action and first use of each method and path, requests of a
// planted artifact, changes of outcome (2xx/3xx/4xx) within an actor, the platform log lines
// the analysis selected, and the files another stage flagged. A campaign's thousands of
// look-alike requests count once each at their first and last. The highest-scoring `budget`
// events are kept, then shown in time order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"

namespace tq::report {

// Attack phases, in the order an intrusion goes through them.
enum class Phase { kNone, kEntry, kFoothold, kPersistence, kTheft };
std::string_view PhaseName(Phase p);  // "" for kNone, else "entry", "foothold", ...

struct TimelineEvent {
  UnixMicros time = 0;
  std::string lane;      // actor label ("attacker-1 (intruder)") or the source ("web root")
  std::string kind;      // analysis_timeline.kind
  std::string text;      // raw message (escape when shown)
  std::string evidence;  // "file:line" (file's last path element), "" when none
  Phase phase = Phase::kNone;
  int score = 0;
  // Outside the attack window (the actors' first to last request, a day either side): a
  // timestomped file's claimed time, or the time the evidence was copied. Listed, not drawn,
  // and never the start of a phase.
  bool outside = false;
};

struct AttackTimeline {
  std::vector<std::string> lanes;                    // actors by rank, then the other sources
  std::vector<TimelineEvent> events;                 // the kept ones, by time
  std::vector<std::pair<Phase, UnixMicros>> phases;  // first event of each phase, by time
  int64_t considered = 0;                            // rows of analysis_timeline read
  int64_t outside = 0;                               // kept events outside the window
};

// Reads the case's timeline (empty when the analysis has not run) and keeps `budget` events.
Result<AttackTimeline> SelectTimeline(Db& db, size_t budget);

// The SVG (every attacker string escaped; each event carries a <title> with its time and text).
std::string TimelineSvg(const AttackTimeline& t);

// "2024-07-13 01:00:41" (UTC, seconds).
std::string ShortUtc(UnixMicros t);

}  // namespace tq::report
