// Frees memory on a thread of its own. A stage hands over what it no longer needs (a work
// unit's per-client paths are a million short strings, a tenth of a second to free) and goes
// on; the thread frees it meanwhile. The thread starts with the first hand-over; the
// destructor waits until everything handed over is freed.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

namespace tq {

class Releaser {
 public:
  Releaser() = default;
  Releaser(const Releaser&) = delete;
  Releaser& operator=(const Releaser&) = delete;
  ~Releaser();
  // Takes `garbage` (moved from) and destroys it on the releasing thread.
  template <typename T>
  void Free(T&& garbage) {
    Push(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(garbage)));
  }
  // Nothing handed over is still waiting to be freed.
  bool Idle() const;
  // Returns once everything handed over so far is freed.
  void Wait();

 private:
  void Push(std::shared_ptr<void> garbage);
  void Run();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<void>> queue_;
  size_t pending_ = 0;  // handed over and not yet freed
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tq
