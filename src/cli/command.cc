// The command registry, exit-code mapping, printing and where progress goes.
#include "cli/command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/escape.h"
#include "core/time.h"

namespace tq::cli {
namespace {
std::vector<CommandDef>& Registry() {
  static std::vector<CommandDef> commands;
  return commands;
}
}  // namespace

CommandRegistrar::CommandRegistrar(CommandDef def) {
  auto& r = Registry();
  r.push_back(def);
  std::stable_sort(r.begin(), r.end(),
                   [](const CommandDef& a, const CommandDef& b) { return a.order < b.order; });
}

const std::vector<CommandDef>& Commands() { return Registry(); }

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kOk: return kExitOk;
    case ErrorCode::kUsage: return kExitUsage;
    case ErrorCode::kBadInput: return kExitBadInput;
    case ErrorCode::kCase: return kExitCaseError;
    case ErrorCode::kIo: return kExitIo;
    case ErrorCode::kNotFound: return kExitIo;
    case ErrorCode::kIntegrity: return kExitIntegrity;
    case ErrorCode::kNetwork: return kExitNetwork;
    case ErrorCode::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

void PrintError(const Status& s) {
  std::string line = "tourniquet: error: " + EscapeTerminal(s.ToString()) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void PrintNote(const Globals& g, std::string_view text) {
  if (g.quiet || g.json) return;
  std::string line = "tourniquet: " + std::string(text) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void PrintOut(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int Fail(const Status& s) {
  PrintError(s);
  return ExitCodeFor(s);
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& names) {
  // Optimal string alignment distance: insertions, deletions, substitutions and adjacent
  // transpositions ("invetsigate") each cost one.
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    return d[a.size()][b.size()];
  };
  if (word.size() > 64) return "";  // no command is that long; keep the table small
  std::string best;
  size_t best_d = std::string::npos;
  for (const std::string& n : names) {
    size_t d = distance(word, n);
    // A prefix of one command ("inv") is that command.
    if (word.size() >= 3 && n.starts_with(word)) d = std::min<size_t>(d, 1);
    if (d < best_d) best_d = d, best = n;
  }
  // Close enough: at most a third of the longer word's letters wrong, and never more than 3.
  size_t limit = std::min<size_t>(3, std::max(word.size(), best.size()) / 3);
  return best_d <= std::max<size_t>(limit, 1) ? best : "";
}

int ProgressFd(const Globals& g) {
  return !g.quiet && !g.json && ::isatty(STDERR_FILENO) ? STDERR_FILENO : -1;
}

}  // namespace tq::cli
