// Known-good baselines: tree walk, libarchive release archives, sha256sum manifests.
#include "webroot/baseline.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "core/sha256.h"

namespace tq::webroot {
namespace {

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string NormalizePath(std::string p) {
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  return p;
}

void StripCommonTopDir(Baseline& b) {
  if (b.files.empty()) return;
  std::string top;
  for (const auto& [path, hash] : b.files) {
    size_t slash = path.find('/');
    if (slash == std::string::npos) return;  // a file at the top: nothing common to strip
    std::string first = path.substr(0, slash + 1);
    if (top.empty())
      top = first;
    else if (first != top)
      return;
  }
  std::map<std::string, std::string> stripped;
  for (auto& [path, hash] : b.files) stripped.emplace(path.substr(top.size()), hash);
  b.files = std::move(stripped);
}

Result<Baseline> LoadTree(const std::string& dir) {
  namespace fs = std::filesystem;
  Baseline b{dir, "tree", {}, {}, {}};
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    Result<std::string> h = Sha256File(it->path().string());
    if (!h.ok()) {
      b.skipped.push_back(SkippedInput{"", 0, 0, 0, h.status().message()});
      continue;
    }
    b.files.emplace(fs::relative(it->path(), dir, ec).generic_string(), *h);
  }
  if (ec) return Status::FromErrno(dir, ec.value());
  return b;
}

Result<Baseline> LoadArchive(const std::string& path) {
  Baseline b{path, "archive", {}, {}, {}};
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string msg = archive_error_string(a) ? archive_error_string(a) : "unreadable";
    archive_read_free(a);
    return Status::BadInput(path + ": not a directory, archive or sha256 manifest: " + msg);
  }
  struct archive_entry* entry;
  std::vector<char> buf(1 << 16);
  int rc;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* name = archive_entry_pathname(entry);
    std::string member = NormalizePath(name ? name : "");
    Sha256 h;
    la_ssize_t n;
    while ((n = archive_read_data(a, buf.data(), buf.size())) > 0) h.Update(buf.data(), n);
    if (n < 0) {
      b.skipped.push_back(
          SkippedInput{path, 0, 0, 0,
                       "member " + member + ": " +
                           (archive_error_string(a) ? archive_error_string(a) : "read error")});
      continue;
    }
    if (!member.empty() && member.find("../") == std::string::npos)
      b.files[member] = ToHex(h.Finish());
  }
  if (rc != ARCHIVE_EOF)
    b.skipped.push_back(SkippedInput{path, 0, 0, 0,
                                     std::string("archive ends early: ") +
                                         (archive_error_string(a) ? archive_error_string(a) : "")});
  archive_read_free(a);
  if (b.files.empty()) return Status::BadInput(path + ": archive holds no files");
  StripCommonTopDir(b);
  return b;
}

}  // namespace

Baseline ParseManifest(std::string_view text, const std::string& source) {
  Baseline b{source, "manifest", {}, {}, {}};
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    const size_t at = pos;
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::string_view hash = line.substr(0, std::min<size_t>(64, line.size()));
    if (!IsHex64(hash) || line.size() < 67 || line[64] != ' ' ||
        (line[65] != ' ' && line[65] != '*')) {
      b.skipped.push_back(
          SkippedInput{source, line_no, at, line.size(), "expected \"<sha256>  <path>\""});
      continue;
    }
    std::string path = NormalizePath(std::string(line.substr(66)));
    if (path.empty()) {
      b.skipped.push_back(SkippedInput{source, line_no, at, line.size(), "empty path"});
      continue;
    }
    std::string lower(hash);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    b.files[path] = lower;
  }
  for (auto& [p, h] : b.files) b.hashes.insert(h);
  return b;
}

Result<Baseline> LoadBaseline(const std::string& path) {
  std::error_code ec;
  Result<Baseline> out = Status::Internal("unset");
  if (std::filesystem::is_directory(path, ec)) {
    out = LoadTree(path);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::FromErrno(path, errno);
    char head[66] = {};
    in.read(head, sizeof head);
    std::string_view h(head, static_cast<size_t>(in.gcount()));
    if (h.size() == 66 && IsHex64(h.substr(0, 64)) && h[64] == ' ') {
      in.clear();
      in.seekg(0);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      return ParseManifest(text, path);
    }
    out = LoadArchive(path);
  }
  if (out.ok())
    for (auto& [p, h] : out->files) out->hashes.insert(h);
  return out;
}

std::string AlignPrefix(const std::vector<std::string>& evidence_paths, const Baseline& b) {
  std::unordered_map<std::string, size_t> score;
  score[""] = 0;
  for (const std::string& p : evidence_paths) {
    size_t slash = 0;
    for (int depth = 0; depth < 6; ++depth) {
      std::string prefix = p.substr(0, slash);
      if (b.files.count(p.substr(slash))) ++score[prefix];
      size_t next = p.find('/', slash);
      if (next == std::string::npos) break;
      slash = next + 1;
    }
  }
  std::string best;
  size_t best_score = 0;
  for (auto& [prefix, n] : score)
    if (n > best_score || (n == best_score && prefix < best)) {
      best = prefix;
      best_score = n;
    }
  return best;
}

}  // namespace tq::webroot
