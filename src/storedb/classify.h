// Implementation header of storedb (not public): the known-columns PII map and the content
// classifiers shared by the analyzer and its tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tq::storedb {

struct PiiMapEntry {
  std::string platform, table, column, category;
};
// Parses the TSV (platform, table, column, category; '#' comments). Errors name the line.
Result<std::vector<PiiMapEntry>> ParsePiiMap(std::string_view tsv, std::string_view name);
// data/pii/known_columns.tsv as compiled in.
const std::vector<PiiMapEntry>& BuiltinPiiMap();

bool LooksLikeEmail(std::string_view v);
bool LooksLikeCardNumber(std::string_view v);
bool LooksLikePhone(std::string_view v);
bool LooksLikeIpAddress(std::string_view v);

}  // namespace tq::storedb
