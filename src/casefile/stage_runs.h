// Stage runs: each stage of a multi-stage command (investigate's logs, webroot, storedb,
// analysis) is recorded as started before it runs and finished after, so a run killed in the
// middle is visible as such. Readers of the results (status, scope, report) ask for the
// latest run's unfinished stages instead of taking a half-written case for a finished one
// ("nobody is affected" after an investigate killed past the database stage).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"

namespace tq {

// Declares the table (schema_component "stage_runs").
Status EnsureStageRunSchema(Case& c);

// Records a run of `command` with its `stages`, all in one transaction before any of them
// runs, so a run that fails to record a later stage's start (a disk that went bad, a kill)
// still shows that stage as never finished. *run_id names the run; rows[i] is stages[i]'s row.
Status BeginRun(Case& c, std::string_view command, const std::vector<std::string>& stages,
                int64_t* run_id, std::vector<int64_t>* rows);
// Records the stage of `row` as started now, by this process.
Status StartStage(Case& c, int64_t row);
// Records the stage's end: "ok" or the error text.
Status FinishStage(Case& c, int64_t row, std::string_view outcome);

struct UnfinishedStage {
  std::string stage;
  UnixMicros started_at = 0;  // when it started, or when its run began if it never started
  bool started = true;        // false: the run ended before this stage began
  int64_t pid = 0;
  bool process_alive = false;  // the pid still runs (the run may be in progress)
  std::string failure;         // non-empty: the stage ended with this error
};
// The stages of `command`'s latest run that did not finish well: started and never ended,
// never started, or ended with an error (empty when every stage of the latest run ended "ok",
// when there was none, or when the table does not exist). Read only.
Result<std::vector<UnfinishedStage>> UnfinishedStages(Db& db, std::string_view command);
// One line for a person: "investigate did not finish: stage storedb started 2025-..., ..."
std::string DescribeUnfinished(std::string_view command, const std::vector<UnfinishedStage>& u);
// Whether `command` ever began a run on this case (a row in stage_runs). Read only.
Result<bool> EverRan(Db& db, std::string_view command);
// For commands that read `command`'s results (scope, report read investigate's): a case error
// naming the unfinished stage, so half a run is never reported as a finished one.
Status RequireFinished(Db& db, std::string_view command, std::string_view reader);
// As RequireFinished, and also a case error when `command` never ran: for a reader whose empty
// answer would be taken as a finding (scope's "nobody is affected"). The report still runs on
// a case with no investigation: its statements then say every fact is still to confirm.
Status RequireRun(Db& db, std::string_view command, std::string_view reader);

}  // namespace tq
