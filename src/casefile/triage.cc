// Outcome, severity by outcome, triage classes (see triage.h).
#include "casefile/triage.h"

#include <algorithm>
#include <cstdlib>

namespace tq {

std::string_view RequestOutcomeName(RequestOutcome o) {
  switch (o) {
    case RequestOutcome::kUnknown: return "unknown";
    case RequestOutcome::kWorked: return "worked";
    case RequestOutcome::kOrdinary: return "ordinary";
    case RequestOutcome::kRefused: return "refused";
    case RequestOutcome::kError: return "error";
  }
  return "unknown";
}

RequestOutcome JudgeOutcome(int status, int64_t bytes, std::optional<int64_t> ordinary_bytes) {
  if (status < 100 || status > 599) return RequestOutcome::kUnknown;
  if (status >= 500) return RequestOutcome::kError;
  if (status >= 400) return RequestOutcome::kRefused;
  if (status < 200) return RequestOutcome::kUnknown;  // 1xx: nothing answered yet
  // The same answer as the path's ordinary page: the payload changed nothing the size shows
  // (a probe answered with the catalog page, a failed login answered with the login form).
  if (ordinary_bytes && bytes >= 0 &&
      std::llabs(bytes - *ordinary_bytes) <= std::max<int64_t>(16, *ordinary_bytes / 50))
    return RequestOutcome::kOrdinary;
  return RequestOutcome::kWorked;
}

bool Worked(RequestOutcome o) {
  return o == RequestOutcome::kWorked || o == RequestOutcome::kUnknown;
}

Severity SeverityByOutcome(Severity rule_level, RequestOutcome o) {
  if (Worked(o)) return rule_level;
  return rule_level >= Severity::kMedium ? Severity::kLow : Severity::kInfo;
}

std::string_view TriageName(Triage t) {
  switch (t) {
    case Triage::kActionable: return "actionable";
    case Triage::kContext: return "context";
    case Triage::kNoise: return "noise";
  }
  return "context";
}

std::optional<Triage> TriageFromName(std::string_view name) {
  if (name == "actionable") return Triage::kActionable;
  if (name == "context") return Triage::kContext;
  if (name == "noise") return Triage::kNoise;
  return std::nullopt;
}

Triage DefaultTriage(Severity s) {
  if (s >= Severity::kHigh) return Triage::kActionable;
  if (s == Severity::kMedium) return Triage::kContext;
  return Triage::kNoise;
}

}  // namespace tq
