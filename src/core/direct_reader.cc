// Reading a large file around the page cache (direct_reader.h).
#include "core/direct_reader.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tq {
namespace {

char* AllocateBlock(size_t bytes) {
  void* p = nullptr;
  return ::posix_memalign(&p, DirectReader::kAlign, bytes) == 0 ? static_cast<char*>(p) : nullptr;
}

}  // namespace

Result<std::unique_ptr<DirectReader>> DirectReader::Open(const std::string& path, Options options) {
  if (options.block < kAlign || options.block % kAlign != 0)
    return Status::Internal("DirectReader: block size " + std::to_string(options.block) +
                            " is not a multiple of " + std::to_string(kAlign));
  std::unique_ptr<DirectReader> r(new DirectReader());
  r->path_ = path;
  // O_DIRECT only for a regular file: a FIFO's open would meet its writer and then fail.
  struct stat pre;
  if (options.direct && (::stat(path.c_str(), &pre) != 0 || !S_ISREG(pre.st_mode)))
    options.direct = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (options.direct ? O_DIRECT : 0));
  if (fd < 0 && options.direct && errno == EINVAL) {  // a file system without O_DIRECT
    options.direct = false;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return Status::FromErrno(path, errno);
  r->fd_ = fd;
  r->direct_ = options.direct;
  struct stat st;
  if (::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
    // A pipe or a device: read(2) as it comes, no offsets, no thread.
    r->stream_ = true;
    r->direct_ = false;
    options.read_ahead = false;
  } else if (static_cast<uint64_t>(st.st_size) < options.block) {
    // One block holds the file: no larger buffer, no thread.
    uint64_t size = static_cast<uint64_t>(st.st_size);
    options.block =
        std::max<size_t>(kAlign, static_cast<size_t>((size + kAlign - 1) / kAlign * kAlign));
    options.read_ahead = false;
  }
  r->block_ = options.block;
  r->cur_.data = AllocateBlock(r->block_);
  if (options.read_ahead) r->next_.data = AllocateBlock(r->block_);
  if (!r->cur_.data || (options.read_ahead && !r->next_.data))
    return Status::Internal("DirectReader: cannot allocate " + std::to_string(r->block_) +
                            " bytes for " + path);
  if (options.read_ahead) r->ahead_ = std::thread([raw = r.get()] { raw->AheadLoop(); });
  return r;
}

DirectReader::~DirectReader() {
  if (ahead_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    ahead_.join();
  }
  if (fd_ >= 0) ::close(fd_);
  std::free(cur_.data);
  std::free(next_.data);
}

// pread until the block is full or the file ends. A direct read that ends off a block
// boundary has reached the end of the file (the next one would start unaligned): the block
// ends there, and a later Refill starts again from its last aligned offset.
void DirectReader::Fill(Block& b, uint64_t at, bool direct) const {
  b.at = at;
  b.len = 0;
  b.eof = false;
  b.err = 0;
  while (b.len < block_) {
    ssize_t n = stream_
                    ? ::read(fd_, b.data + b.len, block_ - b.len)
                    : ::pread(fd_, b.data + b.len, block_ - b.len, static_cast<off_t>(at + b.len));
    if (n < 0) {
      if (errno == EINTR) continue;
      b.err = errno;
      return;
    }
    if (n == 0) {
      b.eof = true;
      return;
    }
    b.len += static_cast<size_t>(n);
    if (stream_ || (direct && b.len % kAlign != 0)) return;  // a pipe: what it had
  }
}

void DirectReader::AheadLoop() {
  ::pthread_setname_np(::pthread_self(), "tq-read-ahead");
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return pending_ || stop_; });
    if (stop_) return;
    pending_ = false;
    uint64_t at = next_at_;
    bool direct = direct_;  // the caller changes it only while no read is pending or running
    lock.unlock();
    Fill(next_, at, direct);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

void DirectReader::StartAhead(uint64_t at) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    next_at_ = at;
    pending_ = busy_ = true;
  }
  cv_.notify_all();
}

bool DirectReader::TakeAhead(uint64_t at) {
  if (!ahead_.joinable()) return false;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !busy_; });
  bool hit = next_at_ == at && next_.err == 0;
  next_at_ = UINT64_MAX;
  if (hit) std::swap(cur_, next_);
  return hit;
}

Status DirectReader::Refill() {
  for (;;) {
    uint64_t at = direct_ ? pos_ - pos_ % kAlign : pos_;
    if (!TakeAhead(at)) Fill(cur_, at, direct_);
    if (cur_.err == EINVAL && direct_) {
      // Refused for this file after all (an alignment this file system does not take): on
      // through the page cache, from the same offset.
      int flags = ::fcntl(fd_, F_GETFL);
      if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0)
        return Status::FromErrno(path_, errno);
      direct_ = false;
      continue;
    }
    if (cur_.err != 0) {
      int err = cur_.err;
      cur_.len = 0;
      return Status::FromErrno(path_, err);
    }
    break;
  }
  uint64_t next = cur_.at + cur_.len;
  if (ahead_.joinable() && cur_.len == block_ && !cur_.eof && next < end_) StartAhead(next);
  return Status::Ok();
}

void DirectReader::Range(uint64_t begin, uint64_t end) {
  pos_ = begin;
  end_ = std::max(begin, end);
}

Result<size_t> DirectReader::Read(char* out, size_t n) {
  if (n == 0 || pos_ >= end_) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
  auto inside = [&] { return pos_ >= cur_.at && pos_ < cur_.at + cur_.len; };
  if (!inside()) {
    if (cur_.eof && pos_ >= cur_.at) return size_t{0};
    TQ_RETURN_IF_ERROR(Refill());
    if (!inside()) {  // the file ends before pos_
      cur_.eof = true;
      return size_t{0};
    }
  }
  size_t k = static_cast<size_t>(std::min<uint64_t>(n, cur_.at + cur_.len - pos_));
  std::memcpy(out, cur_.data + (pos_ - cur_.at), k);
  pos_ += k;
  return k;
}

}  // namespace tq
