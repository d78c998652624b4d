// The access records of a case's collected logs, for the investigation's two passes. The logs
// component reads each log item once: during the logs stage it keeps every request in the
// request journal (logs/request_journal.h), and the analysis replays that journal, twice,
// without decompressing or parsing a log again. When the case has no journal for its current
// evidence (the logs stage ran elsewhere, or before journals existed, or the journal is
// damaged), the logs component builds it first, reading each item once. The analysis never
// opens a log item itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "casefile/casefile.h"
#include "logs/logs.h"

namespace tq::analysis {

struct LogReadStats {
  int64_t files = 0, lines = 0, parsed = 0, skipped = 0;
  std::vector<std::string> problems;  // per file: unreadable, damaged (what came before is used)
  // Why the journal was built here rather than taken from the logs stage ('' when taken).
  std::string rebuilt;
};

// A RecordSource over every request of the collected access logs (label "logs"), file by
// file in collection order and line by line, from the journal in `journal_dir`; built there
// first, with `options`, when it is missing, damaged or made from other evidence. `stats`
// (may be null) says what the read found.
Result<RecordSource> CaseLogRecords(Case& c, const std::string& journal_dir,
                                    const logs::StreamOptions& options, LogReadStats* stats);

// Forgets the journal in `journal_dir` (one that failed to read back): the next
// CaseLogRecords builds it again.
void DropRequestJournal(const std::string& journal_dir);

}  // namespace tq::analysis
