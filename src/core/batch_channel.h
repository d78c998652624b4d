// A bounded queue of batches from one producing thread to one consuming thread, as the
// dump relay (storedb) and the logs store's row maker (rules) use it: the producer waits
// while `capacity` batches are queued; the consumer takes them in order and hands each back
// when done with it, so that the producer reuses it or frees it on its own thread (a block
// freed by another thread than the one that allocated it costs a lock of that thread's
// arena); either side can end it: the producer closes it (the consumer drains what is left),
// the consumer stops it (the producer's next push fails and what was queued is dropped).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace tq {

template <typename Batch>
class BatchChannel {
 public:
  // `capacity` batches at most wait in the queue; at most `returned_max` handed back batches
  // are kept for the producer (the rest are destroyed by the consumer).
  explicit BatchChannel(size_t capacity, size_t returned_max = static_cast<size_t>(-1))
      : capacity_(capacity), returned_max_(returned_max) {}

  // Producer: queues `b`, waiting for room. False once the consumer stopped.
  bool Push(Batch b) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return queue_.size() < capacity_ || stopped_; });
    if (stopped_) return false;
    queue_.push_back(std::move(b));
    ready_.notify_one();
    return true;
  }
  // Producer: no more batches.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    ready_.notify_one();
  }
  // Producer: one batch the consumer handed back, if any.
  std::optional<Batch> TakeReturned() {
    std::lock_guard<std::mutex> lock(mu_);
    if (returned_.empty()) return std::nullopt;
    Batch b = std::move(returned_.back());
    returned_.pop_back();
    return b;
  }
  // Producer: every batch handed back so far.
  std::deque<Batch> TakeAllReturned() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(returned_, {});
  }

  // Consumer: the next batch in order; nullopt once the channel is closed and drained.
  std::optional<Batch> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    room_.notify_one();
    return b;
  }
  // Consumer: a batch it is done with, back to the producer.
  void Return(Batch b) {
    std::lock_guard<std::mutex> lock(mu_);
    if (returned_.size() < returned_max_) returned_.push_back(std::move(b));
  }
  // Consumer: wants no more; the producer's pushes fail from now on, queued batches go.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    queue_.clear();
    room_.notify_all();
  }
  bool Stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

 private:
  const size_t capacity_, returned_max_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<Batch> queue_, returned_;
  bool closed_ = false, stopped_ = false;
};

}  // namespace tq
