// Reading contents from the evidence store and measuring them, in parallel.
#include "webroot/scan.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

namespace tq::webroot {
namespace {

Status ReadWhole(const std::string& path, uint64_t size, std::string& buf) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(path, errno);
  buf.resize(size);
  uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, buf.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    if (n == 0) break;
    done += static_cast<uint64_t>(n);
  }
  ::close(fd);
  if (done != size) {
    buf.resize(done);
    return Status::Integrity(path + ": object is " + std::to_string(done) + " bytes, expected " +
                             std::to_string(size));
  }
  return Status::Ok();
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

void Measure(std::string_view d, ContentFacts& f) {
  f.image_magic = StartsWith(d, "GIF8") || StartsWith(d, "\x89PNG") || StartsWith(d, "\xFF\xD8\xFF") ||
                  StartsWith(d, std::string_view("\x00\x00\x01\x00", 4)) ||
                  (StartsWith(d, "RIFF") && d.substr(8, 4) == "WEBP");
  size_t tag = std::string_view::npos;
  for (size_t p = d.find("<?"); p != std::string_view::npos; p = d.find("<?", p + 2)) {
    std::string_view rest = d.substr(p + 2, 3);
    if (rest.size() >= 1 && rest[0] == '=') { tag = p; break; }
    if (rest.size() == 3 && std::tolower(static_cast<unsigned char>(rest[0])) == 'p' &&
        std::tolower(static_cast<unsigned char>(rest[1])) == 'h' &&
        std::tolower(static_cast<unsigned char>(rest[2])) == 'p') {
      tag = p;
      break;
    }
  }
  f.php_tag = tag != std::string_view::npos;
  if (f.php_tag) f.php_code = PhpHasCode(d.substr(tag, 1 << 20));
  uint64_t counts[256] = {};
  uint64_t line = 0;
  for (unsigned char c : d) {
    ++counts[c];
    if (c == '\n') {
      f.max_line = std::max(f.max_line, line);
      if (line > 1000) ++f.long_lines;
      line = 0;
    } else {
      ++line;
    }
  }
  f.max_line = std::max(f.max_line, line);
  if (line > 1000) ++f.long_lines;
  double e = 0;
  for (uint64_t n : counts)
    if (n) {
      double p = static_cast<double>(n) / static_cast<double>(d.size());
      e -= p * std::log2(p);
    }
  f.entropy = e;
}

}  // namespace

bool PhpHasCode(std::string_view s) {
  size_t i = 0;
  bool in_php = false;
  while (i < s.size()) {
    if (!in_php) {
      size_t open = s.find("<?", i);
      if (open == std::string_view::npos) return false;
      i = open + 2;
      if (s.substr(i, 3) == "php" || s.substr(i, 3) == "PHP") i += 3;
      else if (i < s.size() && s[i] == '=') return true;  // <?= echoes an expression
      in_php = true;
      continue;
    }
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if (s.substr(i, 2) == "?>") { in_php = false; i += 2; continue; }
    if (c == '#' || s.substr(i, 2) == "//") {
      while (i < s.size() && s[i] != '\n' && s.substr(i, 2) != "?>") ++i;
      continue;
    }
    if (s.substr(i, 2) == "/*") {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
      continue;
    }
    return true;
  }
  return false;
}

std::vector<ContentFacts> ScanContents(const std::vector<ScanJob>& jobs, const YaraRules* rules,
                                       int threads, int timeout_seconds, uint64_t max_bytes,
                                       const std::function<void(uint64_t, uint64_t)>& progress) {
  std::vector<ContentFacts> out(jobs.size());
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> bytes_done{0}, files_done{0};
  std::mutex progress_mu;
  auto worker = [&]() {
    std::unique_ptr<YaraScanner> scanner;
    Status scanner_error;
    if (rules) {
      auto s = YaraScanner::Create(*rules, timeout_seconds);
      if (s.ok()) scanner = std::move(*s);
      else scanner_error = s.status();
    }
    std::string buf;
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      const ScanJob& job = jobs[i];
      ContentFacts& f = out[i];
      if (job.size > max_bytes) {
        f.error = Status::BadInput(job.vars.filepath + ": " + std::to_string(job.size) +
                                   " bytes, over the per-file limit; not scanned");
        continue;
      }
      f.error = ReadWhole(job.object_path, job.size, buf);
      if (!f.error.ok()) continue;
      std::string_view data(buf);
      Measure(data, f);
      f.plain_media = job.skip_plain_media && f.image_magic && !f.php_tag &&
                      data.find("<script") == std::string_view::npos;
      if (job.run_yara && scanner && !f.plain_media) {
        Result<std::vector<YaraMatch>> m = scanner->Scan(data, job.vars);
        if (!m.ok()) {
          f.error = Status(m.status().code(), job.vars.filepath + ": " + m.status().message());
        } else {
          f.scanned = true;
          for (YaraMatch& ym : *m) {
            RuleHit h;
            if (!ym.hits.empty()) {
              h.first_offset = ym.hits.front().offset;
              uint64_t off = std::min<uint64_t>(h.first_offset, data.size());
              h.first_line = 1 + static_cast<uint64_t>(std::count(data.begin(), data.begin() + off, '\n'));
              uint64_t from = off > 60 ? off - 60 : 0;
              h.snippet = std::string(data.substr(from, 200));
            }
            h.match = std::move(ym);
            f.hits.push_back(std::move(h));
          }
        }
      } else if (job.run_yara && !scanner_error.ok()) {
        f.error = scanner_error;
      }
      uint64_t b = bytes_done.fetch_add(data.size()) + data.size();
      uint64_t n = files_done.fetch_add(1) + 1;
      if (progress && (n % 256 == 0)) {
        std::lock_guard<std::mutex> lock(progress_mu);
        progress(b, n);
      }
    }
  };
  int n = std::max(1, threads);
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (progress) progress(bytes_done.load(), files_done.load());
  return out;
}

}  // namespace tq::webroot
