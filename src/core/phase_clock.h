// Where a stage's wall time goes, for whoever measures it: with the environment variable named
// at construction set (e.g. TQ_LOGS_PHASES), each Mark writes to stderr the seconds since the
// clock started and since the mark before ("logs phase merge end  12.345 s  +0.123 s"). Off, a
// Mark is one branch. Marks may come from several threads (a work unit's end).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string_view>

namespace tq {

class PhaseClock {
 public:
  PhaseClock(const char* env, const char* label)
      : on_(std::getenv(env) != nullptr), label_(label), start_(Now()), last_(start_) {}
  void Mark(std::string_view phase) {
    if (!on_) return;
    std::lock_guard<std::mutex> lock(mu_);
    double now = Now();
    std::fprintf(stderr, "%s %-24.*s %8.3f s %+8.3f s\n", label_, static_cast<int>(phase.size()),
                 phase.data(), now - start_, now - last_);
    last_ = now;
  }

 private:
  static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  bool on_;
  const char* label_;
  double start_, last_;
  std::mutex mu_;
};

}  // namespace tq
