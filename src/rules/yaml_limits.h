// Limits on a rule file before yaml-cpp builds a node from it (internal to rules). Rule files
// come from users and from evidence-adjacent sources (`investigate --rules`); yaml-cpp 0.7
// loops in LoadAll on some tiny inputs (`,Tt:` allocates until the OOM killer) and builds
// alias-shared trees that a walk expands, so the text is checked first, bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tq::rules {

// A Sigma rule is a few kilobytes; the shipped pack's largest is about 1 KB.
inline constexpr size_t kMaxRuleFileBytes = 256 * 1024;
inline constexpr int kMaxRuleNesting = 32;      // maps and sequences inside each other
inline constexpr size_t kMaxRuleNodes = 20000;  // after aliases are expanded
inline constexpr size_t kMaxRuleAliases = 64;   // `*name` references

inline constexpr size_t kMaxRuleDocuments = 64;  // in one file (a correlation and its rules)

// The documents of a rule file, split at its `---` lines (and ended by `...` lines), each part
// preceded by as many empty lines as came before it so that YAML marks keep the file's line
// numbers. Empty when the file holds more than kMaxRuleDocuments (*why says so).
std::vector<std::string> SplitYamlDocuments(const std::string& text, std::string* why);

struct YamlLimitProblem {
  int line = 0;  // 1-based; 0 when the whole file is at fault
  std::string reason;
  bool empty = false;  // set when the text holds no document at all (within the limits)
};

// Checks `text` is one YAML document (a part of a file split at its `---` lines) within the
// limits above, without building nodes (the
// parser's events are counted and the walk stops at the first limit passed). True when the
// text may be given to YAML::Load (unless problem->empty); otherwise *problem says why.
bool CheckYamlLimits(std::string_view text, YamlLimitProblem* problem);

}  // namespace tq::rules
