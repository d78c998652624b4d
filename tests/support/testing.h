// Helpers for tests: temporary directories, running the built binary, reading files.
#pragma once

#include <string>
#include <vector>

namespace tq::testing {

// A fresh directory under $TMPDIR, removed (recursively) when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out, err;
};
// Runs a program (argv[0] is looked up on PATH when it has no '/') with stdin from
// `input`, capturing stdout and stderr.
RunResult Run(const std::vector<std::string>& argv, const std::string& input = "");

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);

// `data` as one gzip member (zlib, level 6): what logrotate leaves.
std::string GzipBytes(const std::string& data);

}  // namespace tq::testing
