// How a finding is rated: the one definition of whether a request "worked" (its outcome), the
// severity a rule hit takes from that outcome, and the triage class every finding carries.
// The logs stage rates hits by their status when it writes them; the analysis, which knows
// each path's ordinary answer and who the attackers are, refines the same rating with the
// same functions. Nothing else decides what "worked" means.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "casefile/casefile.h"

namespace tq {

enum class RequestOutcome {
  kUnknown,   // no status logged: judged as if it worked (nothing says it did not)
  kWorked,    // 2xx/3xx with an answer unlike the path's ordinary one (or no baseline)
  kOrdinary,  // 2xx/3xx with the path's ordinary answer: the store ignored the payload
  kRefused,   // 4xx: the store refused the request
  kError,     // 5xx: the request failed (an effect needs other evidence)
};
std::string_view RequestOutcomeName(RequestOutcome o);  // unknown|worked|ordinary|refused|error

// `ordinary_bytes`: the store's usual response size for the path (the median of ordinary
// answers), when known. Sizes within max(16 bytes, 2%) of it count as the ordinary answer.
RequestOutcome JudgeOutcome(int status, int64_t bytes, std::optional<int64_t> ordinary_bytes);
// The outcome says the attack could have had its effect.
bool Worked(RequestOutcome o);

// A rule hit's severity: the rule's level when the request could have worked; a request that
// did not is low (info when the rule itself is low or info). The finding stays, counted.
Severity SeverityByOutcome(Severity rule_level, RequestOutcome o);

// What a responder should look at first.
enum class Triage {
  kActionable,  // part of the breach or a request that could have worked against the store
  kContext,     // explains the breach (an attacker's failed attempt, a worked low-level hit)
  kNoise,       // refused probes and background scanning: kept and counted, shown last
};
std::string_view TriageName(Triage t);
std::optional<Triage> TriageFromName(std::string_view name);
// The class a finding gets when its writer names none: from its severity alone (high and
// critical are actionable, medium context, low and info noise). The analysis refines it.
Triage DefaultTriage(Severity s);

}  // namespace tq
