// Reading ahead (prefetch.h).
#include "core/prefetch.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace tq {

std::unique_ptr<Prefetcher> Prefetcher::Start(std::vector<std::string> paths, uint64_t total_bytes,
                                              uint64_t available_bytes, Way way) {
  if (paths.empty() || total_bytes == 0 || total_bytes > available_bytes / 2) return nullptr;
  std::unique_ptr<Prefetcher> p(new Prefetcher());
  p->way_ = way;
  p->thread_ = std::thread(
      [raw = p.get(), paths = std::move(paths)]() mutable { raw->Run(std::move(paths)); });
  return p;
}

Prefetcher::~Prefetcher() { Stop(); }

void Prefetcher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void Prefetcher::Run(std::vector<std::string> paths) {
  // Below the stages running meanwhile (a Linux nice value is a thread's): bringing the pages
  // in is the only CPU this costs. Best effort.
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (errno == 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(nice + 10, 19));
  // Read through, not hinted: POSIX_FADV_WILLNEED (and readahead(2)) are best effort and,
  // measured on a 6.2 GB dump with a warm page cache, brought in 1.4 GB and dropped the rest.
  // The read goes to /dev/null by sendfile(2): the kernel brings the pages into the page cache
  // and hands them to a sink that drops them, with no copy into this process (a pread into a
  // buffer copies every byte once more: 0.5-0.8 s of system time per GB on this VM, against
  // 0.03-0.17 s). Where sendfile refuses the pair, plain reads into one buffer. A chunk already
  // in the page cache (a re-run, a dump read before) is not read again: mincore over a mapping
  // of the file tells, without reading it.
  int sink = way_ == Way::kWithoutCopy ? ::open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
  std::vector<char> buf;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident(kChunk / page + 1);
  for (const std::string& path : paths) {
    if (stop_) break;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      const uint64_t size = static_cast<uint64_t>(st.st_size);
      void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      for (uint64_t at = 0; at < size && !stop_;) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, size - at));
        if (map != MAP_FAILED &&
            ::mincore(static_cast<char*>(map) + at, want, resident.data()) == 0 &&
            std::all_of(resident.begin(), resident.begin() + (want + page - 1) / page,
                        [](unsigned char r) { return (r & 1) != 0; })) {
          at += want;
          ++chunks_cached_;
          continue;
        }
        ssize_t n = -1;
        if (sink >= 0) {
          off_t off = static_cast<off_t>(at);
          n = ::sendfile(sink, fd, &off, want);
          if (n < 0 && errno != EINTR) {  // not this pair (EINVAL, ENOSYS): reads from now on
            ::close(sink);
            sink = -1;
            continue;
          }
        } else {
          if (buf.empty()) buf.resize(kChunk);
          n = ::pread(fd, buf.data(), want, static_cast<off_t>(at));
          if (n > 0) copied_ += static_cast<uint64_t>(n);
        }
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        at += static_cast<uint64_t>(n);
        requested_ += static_cast<uint64_t>(n);
      }
      if (map != MAP_FAILED) ::munmap(map, size);
    }
    ::close(fd);
  }
  if (sink >= 0) ::close(sink);
}

uint64_t MemAvailableBytes(std::string_view meminfo) {
  constexpr std::string_view kKey = "MemAvailable:";
  size_t at = meminfo.find(kKey);
  if (at == std::string_view::npos || (at > 0 && meminfo[at - 1] != '\n')) return 0;
  std::string_view rest = meminfo.substr(at + kKey.size());
  size_t digits = rest.find_first_not_of(' ');
  if (digits == std::string_view::npos) return 0;
  rest.remove_prefix(digits);
  uint64_t kb = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), kb);
  if (ec != std::errc() || end == rest.data()) return 0;
  std::string_view unit(end, static_cast<size_t>(rest.data() + rest.size() - end));
  if (unit.substr(0, 3) != " kB") return 0;
  if (kb > UINT64_MAX / 1024) return 0;
  return kb * 1024;
}

uint64_t MemAvailableBytes() {
  std::ifstream in("/proc/meminfo");
  if (!in) return 0;
  std::stringstream ss;
  ss << in.rdbuf();
  return MemAvailableBytes(ss.str());
}

}  // namespace tq
