// Progress of a long piece of work, for a person watching a terminal. One type for every
// command and investigation stage: what is being done, the unit of work (bytes, files, rows,
// letters), done/total, the rate and the time left, as one line.
//
// Workers only move counters (atomics, from any thread); the line is drawn when the task and
// each step start, every 100 ms by a ticker thread (so the time keeps moving during a step
// that reports nothing), and once more at the end before it is cleared. A task of several steps
// (scan, then store) calls Step() for each: the bar restarts with the new step's unit and total.
//
// Where it draws is the caller's choice: the cli passes stderr's descriptor when stderr is a
// terminal (and not --quiet/--json) and -1 otherwise, which makes every call a no-op and
// starts no thread. core never decides that on its own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace tq {

// The line for one moment: "logs: scanning [#####...] 1.2 MB/3.4 MB  2.0 MB/s  ETA 2s".
// unit "bytes" is shown as B/kB/MB/GB; any other unit is shown after the counts ("3/12
// files"). total 0 means not known yet: counts and elapsed time, no bar and no ETA.
std::string FormatProgress(std::string_view label, std::string_view unit, uint64_t done,
                           uint64_t total, double elapsed_seconds);

class Progress {
 public:
  // fd < 0: silent. unit: "bytes" or a plural noun ("files", "rows", "letters").
  Progress(int fd, std::string label, std::string unit, uint64_t total);
  ~Progress();  // Finish()
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // The next step of the same task: its label, unit and total; done restarts at 0.
  void Step(std::string label, std::string unit, uint64_t total);
  void SetTotal(uint64_t total) { total_.store(total, std::memory_order_relaxed); }
  void Set(uint64_t done) { done_.store(done, std::memory_order_relaxed); }
  void Add(uint64_t n = 1) { done_.fetch_add(n, std::memory_order_relaxed); }
  // Clears the line and stops the ticker. Later calls do nothing.
  void Finish();

 private:
  void Tick();
  void DrawLocked();  // mu_ held

  int fd_;
  std::mutex mu_;  // label_, unit_, step_start_us_, stop_
  std::condition_variable cv_;
  std::string label_, unit_;
  int64_t step_start_us_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> done_{0}, total_{0};
  std::thread ticker_;
};

}  // namespace tq
