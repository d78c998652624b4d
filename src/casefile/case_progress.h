// Where the response stands, phase by phase: the one reading of the case's progress that
// `status` prints and the web UI's overview shows, so the two never disagree. A step is done
// when the command behind it has run (not when its table merely exists: every table a case
// has at `init` is empty then), and each phase names the next command to run.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "casefile/case_counts.h"
#include "casefile/db.h"
#include "core/result.h"

namespace tq {

struct ProgressStep {
  std::string name;
  bool done = false;
};

struct ProgressPhase {
  int number = 0;
  std::string title;
  std::vector<ProgressStep> steps;
  // The counts behind the steps, in a fixed order; only those whose table exists.
  std::vector<std::pair<std::string, int64_t>> counts;
  std::string next;  // the command to run next, or empty when the phase is complete
};

// The five phases of the response, in order, from the case's tables. Read only.
Result<std::vector<ProgressPhase>> CaseProgress(Db& db);

}  // namespace tq
