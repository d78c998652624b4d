// Reading ahead: files a later stage reads are asked into the page cache while the stages
// before it keep the CPUs busy and leave the disk idle (read through once, a chunk at a time,
// on a thread of its own at a lower priority). Evidence is collected around the page cache (a
// multi-gigabyte dump is written with O_DIRECT), so without this the store database stage
// would read its dump from the disk. Only files that fit in half of the memory the system has
// available are read ahead, so warming them evicts nothing the run needs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tq {

class Prefetcher {
 public:
  // How the files are read: handed by the kernel to /dev/null (sendfile: into the page cache,
  // never copied into this process), falling back to reads into a buffer where the kernel
  // refuses; or (tests) into a buffer only.
  enum class Way { kWithoutCopy, kThroughBuffer };
  // Starts reading `paths` ahead, in order, unless their total size is over half of
  // `available_bytes` (then nullptr: nothing is read ahead). Files that cannot be opened are
  // passed over; the reader reports them when it opens them itself.
  static std::unique_ptr<Prefetcher> Start(std::vector<std::string> paths, uint64_t total_bytes,
                                           uint64_t available_bytes, Way way = Way::kWithoutCopy);
  ~Prefetcher();  // Stop()
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;
  // Reads no further and waits for the thread (at most the chunk it is reading).
  void Stop();
  // Bytes read ahead so far (chunks already in the page cache are passed over, not read).
  uint64_t requested() const { return requested_.load(); }
  // Chunks found already in the page cache.
  uint64_t chunks_cached() const { return chunks_cached_.load(); }
  // Of requested(), the bytes copied into this process's buffer (the fallback's reads).
  uint64_t copied() const { return copied_.load(); }

  static constexpr uint64_t kChunk = 4u << 20;

 private:
  Prefetcher() = default;
  void Run(std::vector<std::string> paths);
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> requested_{0};
  std::atomic<uint64_t> chunks_cached_{0};
  std::atomic<uint64_t> copied_{0};
  Way way_ = Way::kWithoutCopy;
  std::thread thread_;
};

// MemAvailable of a /proc/meminfo text, in bytes; 0 when it is not there.
uint64_t MemAvailableBytes(std::string_view meminfo);
// The same of this system's /proc/meminfo (0 when it cannot be read).
uint64_t MemAvailableBytes();

}  // namespace tq
