// The command registry, exit-code mapping, printing and the progress bar.
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

Progress::Progress(const Globals& g, std::string label, uint64_t total, bool bytes)
    : enabled_(!g.quiet && !g.json && ::isatty(STDERR_FILENO)),
      label_(std::move(label)),
      total_(total),
      bytes_(bytes),
      start_us_(NowMicros()) {}

Progress::~Progress() { Finish(); }

static std::string Human(uint64_t v, bool bytes) {
  char buf[32];
  if (!bytes) {
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
    return buf;
  }
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double d = static_cast<double>(v);
  int u = 0;
  while (d >= 1000 && u < 4) {
    d /= 1000;
    ++u;
  }
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", d, units[u]);
  return buf;
}

void Progress::Update(uint64_t done, uint64_t items) {
  if (!enabled_) return;
  int64_t now = NowMicros();
  if (now - last_draw_us_ < 100'000 && done < total_) return;
  last_draw_us_ = now;
  double secs = std::max(1e-3, (now - start_us_) / 1e6);
  double rate = done / secs;
  std::string line = "\r" + label_ + " ";
  if (total_) {
    int width = 24;
    int filled = static_cast<int>(width * std::min(1.0, double(done) / double(total_)));
    line += "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
    line += Human(done, bytes_) + "/" + Human(total_, bytes_);
    if (rate > 0 && done < total_) {
      char eta[32];
      std::snprintf(eta, sizeof eta, " ETA %.0fs", (total_ - done) / rate);
      line += eta;
    }
  } else {
    line += Human(done, bytes_);
  }
  line += "  " + Human(static_cast<uint64_t>(rate), bytes_) + "/s";
  if (items) line += "  " + std::to_string(items) + " items";
  line += "\x1b[K";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void Progress::Finish() {
  if (!enabled_) return;
  enabled_ = false;
  std::fputs("\r\x1b[K", stderr);
}

}  // namespace tq::cli
