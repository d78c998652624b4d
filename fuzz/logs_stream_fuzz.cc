// Fuzzes the log byte streams: gzip (zlib / ISA-L), zstd and bzip2 members detected by magic
// bytes, concatenated and truncated, read through the same OpenByteStream as investigate.
// The input is a file in memory (memfd); at most 16 MiB is decompressed per input, so a
// compression bomb is bounded by the harness, not mistaken for a leak.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "logs/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("log", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  auto stream = tq::logs::OpenByteStream("/proc/self/fd/" + std::to_string(fd));
  if (stream.ok()) {
    std::vector<char> buf(1 << 16);
    uint64_t total = 0;
    while (total < (16u << 20)) {
      auto n = (*stream)->Read(buf.data(), buf.size());
      if (!n.ok() || *n == 0) break;
      total += *n;
    }
    (void)tq::logs::CompressionName((*stream)->compression());
  }
  ::close(fd);
  return 0;
}
