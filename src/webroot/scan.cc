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

#include "core/text.h"

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

bool IsImageExtension(std::string_view e) {
  for (std::string_view x : {"jpg", "jpeg", "png", "gif", "ico", "bmp", "webp"})
    if (e == x) return true;
  return false;
}

void Measure(std::string_view d, bool lines, ContentFacts& f) {
  f.image_magic = StartsWith(d, "GIF8") || StartsWith(d, "\x89PNG") ||
                  StartsWith(d, "\xFF\xD8\xFF") ||
                  StartsWith(d, std::string_view("\x00\x00\x01\x00", 4)) ||
                  (StartsWith(d, "RIFF") && d.substr(8, 4) == "WEBP");
  size_t tag = std::string_view::npos;
  for (size_t p = d.find("<?"); p != std::string_view::npos; p = d.find("<?", p + 2)) {
    std::string_view rest = d.substr(p + 2, 3);
    if (rest.size() >= 1 && rest[0] == '=') {
      tag = p;
      break;
    }
    if (rest.size() == 3 && std::tolower(static_cast<unsigned char>(rest[0])) == 'p' &&
        std::tolower(static_cast<unsigned char>(rest[1])) == 'h' &&
        std::tolower(static_cast<unsigned char>(rest[2])) == 'p') {
      tag = p;
      break;
    }
  }
  f.php_tag = tag != std::string_view::npos;
  if (!f.php_tag) return;
  f.php_code = PhpHasCode(d.substr(tag, 1 << 20));
  if (!lines) return;  // line and entropy measures serve the PHP heuristics only
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

// The loaders commercial extensions ship under: encoded by a licence tool, not malware.
std::string LicenceEncoder(std::string_view head) {
  if (head.find("ionCube Loader") != std::string_view::npos ||
      head.find("ioncube_loader") != std::string_view::npos ||
      head.find("_il_exec") != std::string_view::npos)
    return "ionCube";
  if (head.find("sg_load(") != std::string_view::npos ||
      head.find("SourceGuardian") != std::string_view::npos)
    return "SourceGuardian";
  if (head.find("@Zend;") != std::string_view::npos ||
      head.find("Zend Optimizer") != std::string_view::npos ||
      head.find("Zend Guard") != std::string_view::npos)
    return "Zend Guard";
  return "";
}

bool SqlDumpContent(std::string_view d) {
  if (StartsWith(d, "\x1f\x8b") || StartsWith(d, "\x28\xb5\x2f\xfd") ||
      StartsWith(d, "PK\x03\x04") || StartsWith(d, "BZh") ||
      StartsWith(d,
                 "\xfd"
                 "7zXZ"))
    return d.size() >= 512;
  std::string_view head = d.substr(0, 1 << 16);
  for (std::string_view k : {"INSERT INTO", "CREATE TABLE", "insert into", "create table",
                             "-- MySQL dump", "-- MariaDB dump", "COPY "})
    if (head.find(k) != std::string_view::npos) return true;
  return false;
}

RuleHit MakeHit(YaraMatch ym, std::string_view data, std::string layer) {
  RuleHit h;
  if (!ym.hits.empty()) {
    h.first_offset = ym.hits.front().offset;
    uint64_t off = std::min<uint64_t>(h.first_offset, data.size());
    h.first_line = 1 + static_cast<uint64_t>(std::count(data.begin(), data.begin() + off, '\n'));
    uint64_t from = off > 60 ? off - 60 : 0;
    h.snippet = std::string(data.substr(from, 200));
  }
  h.match = std::move(ym);
  h.layer = std::move(layer);
  return h;
}

bool CodeScoped(const YaraMatch& m) {
  auto it = m.meta.find("scope");
  return it != m.meta.end() && it->second == "code";
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
      if (s.substr(i, 3) == "php" || s.substr(i, 3) == "PHP")
        i += 3;
      else if (i < s.size() && s[i] == '=')
        return true;  // <?= echoes an expression
      in_php = true;
      continue;
    }
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (s.substr(i, 2) == "?>") {
      in_php = false;
      i += 2;
      continue;
    }
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
      if (s.ok())
        scanner = std::move(*s);
      else
        scanner_error = s.status();
    }
    std::string buf;
    const bool has_trigger = rules && rules->HasRule("Tourniquet_NormaliseTrigger");
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
      bool trigger = false;
      Measure(data, job.measure_lines, f);
      // In an image, "<?=" is two bytes of pixel data unless statements follow it.
      if (f.php_code && (f.image_magic || IsImageExtension(job.vars.extension)))
        f.php_code = PhpTagHoldsCode(data);
      f.plain_media = job.skip_plain_media && f.image_magic && !f.php_tag &&
                      data.find("<script") == std::string_view::npos;
      if (job.run_yara && scanner && !f.plain_media) {
        Result<std::vector<YaraMatch>> m = scanner->Scan(data, job.vars);
        if (!m.ok()) {
          f.error = Status(m.status().code(), job.vars.filepath + ": " + m.status().message());
        } else {
          f.scanned = true;
          for (YaraMatch& ym : *m) {
            auto internal = ym.meta.find("internal");
            if (internal != ym.meta.end()) {
              if (internal->second == "normalise") trigger = true;
              continue;  // internal rules raise no finding
            }
            f.hits.push_back(MakeHit(std::move(ym), data, ""));
          }
        }
      }
      if (job.run_yara && !f.plain_media) {
        f.licence_encoder = LicenceEncoder(data.substr(0, 8192));
        f.sql_dump_content = SqlDumpContent(data);
      }
      // Without the trigger rule in the set, every code file is normalised.
      if (!has_trigger) trigger = true;
      if (job.run_yara && job.normalize && !f.plain_media && trigger) {
        CodeKind kind = ClassifyCode(data, job.vars.extension);
        std::optional<NormalizedCode> carried;
        if (kind == CodeKind::kNone && Lower(job.vars.extension) == "css")
          carried = NormalizeStylesheet(data);
        if (kind != CodeKind::kNone || carried) {
          NormalizedCode nc = carried ? std::move(*carried) : Normalize(data, kind);
          f.normalized = true;
          f.normalize_truncated = nc.truncated;
          f.layers = nc.layers.size();
          f.traits = std::move(nc.traits);
          // Rules scoped to code count on normalised text only: comments and documentation
          // in the raw bytes are not code.
          f.hits.erase(std::remove_if(f.hits.begin(), f.hits.end(),
                                      [](const RuleHit& h) { return CodeScoped(h.match); }),
                       f.hits.end());
          if (scanner) {
            for (const CodeLayer& layer : nc.layers) {
              Result<std::vector<YaraMatch>> lm = scanner->Scan(layer.text, job.vars);
              if (!lm.ok()) {
                f.normalize_truncated = true;
                continue;
              }
              for (YaraMatch& ym : *lm) {
                if (ym.meta.count("internal")) continue;
                bool seen = std::any_of(f.hits.begin(), f.hits.end(), [&](const RuleHit& h) {
                  return h.match.rule == ym.rule && h.match.rule_namespace == ym.rule_namespace;
                });
                if (!seen) f.hits.push_back(MakeHit(std::move(ym), layer.text, layer.path));
              }
            }
          }
        }
      }
      if (job.run_yara && !scanner && !scanner_error.ok()) f.error = scanner_error;
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
