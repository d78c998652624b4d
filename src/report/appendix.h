// The internal post-mortem's appendix: the indicators a responder acts on (the attackers'
// addresses and campaigns, the entry request, planted files, data taken, backdoor accounts and
// other persistence), each with its evidence line, and the full list of findings as a CSV
// written beside the report (a case can hold 100,000 findings: they do not belong in a page).
#pragma once

#include <string>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "report/report.h"

namespace tq::report {

// Each table lists at most this many rows; the rest are in the CSV (said in the text).
inline constexpr size_t kIndicatorRows = 50;

// Headings, tables and paragraphs for the appendix. `csv_name` is the CSV's file name,
// linked from the text.
Result<std::vector<Block>> IndicatorBlocks(Db& db, const std::string& csv_name);

// Every finding, one CSV row each (RFC 4180, CRLF, every field quoted, cells that a
// spreadsheet would run as a formula prefixed with '). Returns the number of rows written.
Result<int64_t> WriteFindingsCsv(Db& db, const std::string& path);

}  // namespace tq::report
