// The progress line and its ticker. See progress.h.
#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/time.h"

namespace tq {
namespace {

std::string Count(uint64_t v, bool bytes) {
  char buf[32];
  if (!bytes) {
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
    return buf;
  }
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double d = static_cast<double>(v);
  int u = 0;
  while (d >= 1000 && u < 4) {
    d /= 1000;
    ++u;
  }
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", d, units[u]);
  return buf;
}

std::string Duration(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600,
                  static_cast<int>(s) / 60 % 60);
  return buf;
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;  // a closed terminal must not stop the work
    off += static_cast<size_t>(n);
  }
}

}  // namespace

std::string FormatProgress(std::string_view label, std::string_view unit, uint64_t done,
                           uint64_t total, double elapsed) {
  bool bytes = unit == "bytes";
  std::string suffix = bytes || unit.empty() ? "" : " " + std::string(unit);
  std::string line(label);
  double rate = elapsed > 0.05 ? static_cast<double>(done) / elapsed : 0;
  if (total > 0) {
    done = std::min(done, total);
    constexpr int kWidth = 24;
    int filled = static_cast<int>(kWidth * static_cast<double>(done) / static_cast<double>(total));
    line += " [" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    line += Count(done, bytes) + "/" + Count(total, bytes) + suffix;
    if (rate >= 1) line += "  " + Count(static_cast<uint64_t>(rate), bytes) + suffix + "/s";
    if (done >= total)
      line += "  " + Duration(elapsed);
    else if (rate > 0)
      line += "  ETA " + Duration(static_cast<double>(total - done) / rate);
    else
      line += "  ETA ?";
  } else if (unit.empty()) {  // a step with nothing to count: how long it has taken
    line += "  " + Duration(elapsed);
  } else {
    line += " " + Count(done, bytes) + suffix + "  " + Duration(elapsed);
  }
  return line;
}

Progress::Progress(int fd, std::string label, std::string unit, uint64_t total)
    : fd_(fd), label_(std::move(label)), unit_(std::move(unit)), step_start_us_(NowMicros()) {
  total_ = total;
  if (fd_ < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  DrawLocked();  // what is being done and how much of it, from the start
  ticker_ = std::thread([this] { Tick(); });
}

void Progress::DrawLocked() {
  WriteAll(fd_, "\r" +
                    FormatProgress(label_, unit_, done_.load(), total_.load(),
                                   static_cast<double>(NowMicros() - step_start_us_) / 1e6) +
                    "\x1b[K");
}

Progress::~Progress() { Finish(); }

void Progress::Step(std::string label, std::string unit, uint64_t total) {
  if (fd_ < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  label_ = std::move(label);
  unit_ = std::move(unit);
  step_start_us_ = NowMicros();
  done_ = 0;
  total_ = total;
  DrawLocked();
}

void Progress::Tick() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (stop_) break;
    DrawLocked();
  }
}

void Progress::Finish() {
  if (fd_ < 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    DrawLocked();  // where it ended, then the line is cleared for what follows
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  WriteAll(fd_, "\r\x1b[K");
  fd_ = -1;
}

}  // namespace tq
