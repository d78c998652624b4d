// Where a stage's wall time goes, for whoever measures it: with the environment variable named
// at construction set (TQ_LOGS_PHASES, TQ_STOREDB_PHASES), each Mark writes to stderr the
// seconds since the clock started and since the mark before, and the process's CPU seconds
// (every thread's) since the mark before ("logs scan merge end  12.345 s  +0.123 s  cpu
// +0.240 s"). Off (or made with no variable), a Mark is one branch. Marks may come from several
// threads (a work unit's end).
#pragma once

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string_view>

namespace tq {

class PhaseClock {
 public:
  PhaseClock() = default;  // off: for a caller that was given none
  PhaseClock(const char* env, const char* label)
      : on_(std::getenv(env) != nullptr),
        label_(label),
        start_(Now()),
        last_(start_),
        last_cpu_(Cpu()) {}
  void Mark(std::string_view phase) {
    if (!on_) return;
    std::lock_guard<std::mutex> lock(mu_);
    double now = Now(), cpu = Cpu();
    std::fprintf(stderr, "%s %-24.*s %8.3f s %+8.3f s  cpu %+8.3f s\n", label_,
                 static_cast<int>(phase.size()), phase.data(), now - start_, now - last_,
                 cpu - last_cpu_);
    last_ = now;
    last_cpu_ = cpu;
  }

 private:
  static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  static double Cpu() {  // of the whole process: every thread's
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  }
  bool on_ = false;
  const char* label_ = "";
  double start_ = 0, last_ = 0, last_cpu_ = 0;
  std::mutex mu_;
};

}  // namespace tq
