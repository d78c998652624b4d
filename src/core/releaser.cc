#include "core/releaser.h"

namespace tq {

Releaser::~Releaser() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Releaser::Idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_ == 0;
}

void Releaser::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return pending_ == 0; });
}

void Releaser::Push(std::shared_ptr<void> garbage) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(garbage));
    ++pending_;
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  cv_.notify_all();
}

void Releaser::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is freed
    std::shared_ptr<void> g = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    g.reset();  // the garbage's destructor, outside the lock
    lock.lock();
    --pending_;
    cv_.notify_all();
  }
}

}  // namespace tq
