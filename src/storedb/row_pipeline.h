// Rows made on a helper thread and written on the calling thread, batch by batch, in order:
// the customer and order join (C++: lookups, names, addresses, categories) runs on the second
// core while the calling thread binds and inserts the rows already made (SQLite). At most
// `depth` batches are ahead of the writer (bounded memory); the batches are reused, so their
// strings keep their capacity from one batch to the next (no malloc per row once warm).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.h"

namespace tq::storedb {

// Calls make(i, row) for each i in [0, count) and write(row) for each in order of i. With
// `threaded`, make runs on one helper thread, up to depth * batch rows ahead of write;
// without, each batch is made and then written on the calling thread. The first error of
// write stops both and is returned (make is not called for rows past the batch at hand).
template <typename Row, typename Make, typename Write>
Status MakeAndWrite(size_t count, bool threaded, Make make, Write write, size_t batch = 1024,
                    size_t depth = 4) {
  batch = std::max<size_t>(batch, 1);
  depth = std::max<size_t>(depth, 1);
  if (!threaded) {
    std::vector<Row> rows(std::min(batch, count));
    for (size_t at = 0; at < count; at += batch) {
      size_t n = std::min(batch, count - at);
      for (size_t k = 0; k < n; ++k) make(at + k, rows[k]);
      for (size_t k = 0; k < n; ++k) TQ_RETURN_IF_ERROR(write(rows[k]));
    }
    return Status::Ok();
  }
  struct Batch {
    std::vector<Row> rows;
    size_t n = 0;
  };
  std::vector<Batch> pool(depth + 1);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Batch*> ready, free;
  for (Batch& b : pool) free.push_back(&b);
  bool stop = false;
  std::thread maker([&] {
    for (size_t at = 0; at < count; at += batch) {
      Batch* b = nullptr;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stop || !free.empty(); });
        if (stop) return;
        b = free.front();
        free.pop_front();
      }
      b->n = std::min(batch, count - at);
      if (b->rows.size() < b->n) b->rows.resize(b->n);
      for (size_t k = 0; k < b->n; ++k) make(at + k, b->rows[k]);
      {
        std::lock_guard lock(mu);
        ready.push_back(b);
      }
      cv.notify_all();
    }
  });
  Status status = Status::Ok();
  for (size_t at = 0; at < count && status.ok(); at += batch) {
    Batch* b = nullptr;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !ready.empty(); });
      b = ready.front();
      ready.pop_front();
    }
    for (size_t k = 0; k < b->n && status.ok(); ++k) status = write(b->rows[k]);
    {
      std::lock_guard lock(mu);
      free.push_back(b);
      if (!status.ok()) stop = true;
    }
    cv.notify_all();
  }
  maker.join();
  return status;
}

}  // namespace tq::storedb
