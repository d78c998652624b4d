// Reading a large evidence file front to back around the page cache.
//
// Collect writes a multi-gigabyte object with O_DIRECT (evidence/store.cc), so when a stage
// reads it the file is not in the page cache. Read through the cache, every page is first
// allocated and filled by the kernel and then copied out again: measured on this project's
// VM for a 6.2 GB dump, a buffered read cost 4.3 s of system time from the disk and 2.6 s even
// with every page cached, against 0.3-0.4 s for O_DIRECT reads of whole aligned blocks (which
// the device served at 1.1-3.3 GB/s, faster than any parser here consumes). A DirectReader
// reads aligned blocks with O_DIRECT into aligned buffers of its own and hands the bytes out
// from there; with read-ahead, a thread of its own reads the next block while the caller
// works on the current one, so the caller does not wait for the device. Where the file system
// refuses O_DIRECT (EINVAL at open or at a read: tmpfs, some FUSE and network file systems)
// it reads on through the page cache, from where it was.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"

namespace tq {

class DirectReader {
 public:
  // Alignment of the direct reads (a multiple of every logical block size Linux devices use,
  // 512 and 4096); blocks are multiples of it.
  static constexpr size_t kAlign = 4096;
  static constexpr size_t kDefaultBlock = 4u << 20;

  struct Options {
    size_t block = kDefaultBlock;  // bytes per read; a multiple of kAlign, at least kAlign
    bool direct = true;            // false: through the page cache from the start
    bool read_ahead = true;        // a thread reads the next block meanwhile
  };
  // Opens `path` for reading. A file smaller than the block gets a block of its own size
  // (rounded up to kAlign) and no read-ahead thread.
  static Result<std::unique_ptr<DirectReader>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<DirectReader>> Open(const std::string& path) {
    return Open(path, Options());
  }
  ~DirectReader();
  DirectReader(const DirectReader&) = delete;
  DirectReader& operator=(const DirectReader&) = delete;

  // Copies up to n bytes into out; 0 at the end of the file or of the range. Errors name the
  // file.
  Result<size_t> Read(char* out, size_t n);
  // Reads [begin, end) from now on (end past the file: to its end). Of a pipe, only forward
  // within what was read.
  void Range(uint64_t begin, uint64_t end = UINT64_MAX);
  // Whether the reads still go around the page cache.
  bool direct() const { return direct_; }
  // The next byte Read hands out (a file offset).
  uint64_t position() const { return pos_; }

 private:
  struct Block {
    char* data = nullptr;  // block_ bytes, kAlign-aligned
    uint64_t at = 0;       // file offset of data[0]
    size_t len = 0;        // valid bytes
    bool eof = false;      // the file ended within (or right after) this block
    int err = 0;           // errno of a failed read
  };
  DirectReader() = default;
  // Fills b with the block starting at `at` (pread until full or the end of the file).
  void Fill(Block& b, uint64_t at, bool direct) const;
  Status Refill();
  void StartAhead(uint64_t at);
  // Waits for the read-ahead; true (and next_ swapped into cur_) when it read `at` whole.
  bool TakeAhead(uint64_t at);
  void AheadLoop();
  int fd_ = -1;
  std::string path_;
  bool direct_ = false;
  bool stream_ = false;  // not a regular file: read(2) in order, Range cannot go back
  size_t block_ = kDefaultBlock;
  Block cur_, next_;
  uint64_t pos_ = 0;
  uint64_t end_ = UINT64_MAX;
  // Read-ahead: next_ is the thread's while busy_; next_at_ is the offset asked of it,
  // UINT64_MAX when none (guarded by mu_).
  std::thread ahead_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false, busy_ = false, stop_ = false;
  uint64_t next_at_ = UINT64_MAX;
};

}  // namespace tq
