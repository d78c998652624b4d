// Counts of the case's tables that `status`, `investigate` and the stages' progress lines show,
// so the SQL behind them lives with the tables and not in the command line. A count is -1 when
// its table does not exist yet (the stage that makes it has not run): "not yet" is not "none".
#pragma once

#include <cstdint>
#include <string_view>

#include "casefile/db.h"
#include "core/result.h"

namespace tq {

struct FindingCounts {
  int64_t all = -1, high = -1;  // high: rated high or critical
  int64_t actionable = -1, context = -1, noise = -1;
};

struct CaseCounts {
  int64_t evidence_items = -1;
  int64_t containment_steps = -1, containment_steps_open = -1;
  FindingCounts findings;
  int64_t attackers = -1, affected_people = -1;
  int64_t obligations = -1, messages = -1, messages_sent = -1, messages_printed = -1;
  int64_t messages_to_print = -1;  // letters for the post not yet printed
  int64_t tasks = -1, tasks_open = -1, tasks_unowned = -1, users = -1;
  int64_t reports = -1;
  int64_t postmortems = -1;  // the task force's blameless post-mortems
  // Successful runs of `notify plan` (from the audit log): its tables exist from `init` on,
  // so an empty duty table does not say whether the plan was made.
  int64_t notify_plans = -1;
};

Result<FindingCounts> CountFindings(Db& db);
Result<CaseCounts> CountCase(Db& db);

// Collected files (kind 'file') of one evidence label; with `distinct_contents`, the number of
// distinct SHA-256s among them (what a stage that reads each content once counts).
Result<int64_t> CountEvidenceFiles(Db& db, std::string_view label, bool distinct_contents);

// Requests the logs stage parsed (sum of logs_file.parsed); 0 before it ran.
Result<int64_t> CountParsedRequests(Db& db);

}  // namespace tq
