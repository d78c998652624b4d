// The logs stage in a ClickHouse cluster (`investigate --only logs --clickhouse URL --source
// TABLE [--columns map.toml]`): the options, and the scan that stands in for the local one.
#pragma once

#include <string>
#include <vector>

#include "cli/investigate.h"
#include "rules/rules.h"

namespace tq::cli {

struct ClusterOptions {
  std::string url, table, columns_file, user = "default", database = "default";
};
void AddClusterOptions(CLI::App& app, ClusterOptions& o);
// Runs the rules on the table; fills the inputs (the case's items the rows came from, and the
// query's evidence item) and the result, as ScanLogs would, and notes for the summary.
Status ScanClickHouse(InvestigateContext& ctx, const ClusterOptions& o, const rules::RuleSet& rs,
                      std::vector<rules::LogInput>* inputs, rules::LogScanResult* res);

}  // namespace tq::cli
