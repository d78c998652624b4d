// For fuzz targets that keep a scratch file or directory under /tmp for the whole process
// (the caller keeps its path in a static): removed when the process exits, so a replay in
// `make test` leaves nothing behind.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

namespace tq::fuzz {

// Removes `path` (a file or a directory tree) at exit. Registered while the caller's static is
// still being initialised, the removal runs after that static's destructor (the case is closed
// first).
inline void RemoveAtExit(const std::string& path) {
  static std::mutex mu;
  static std::vector<std::string>* paths = nullptr;
  std::lock_guard lock(mu);
  if (!paths) {
    paths = new std::vector<std::string>();
    std::atexit([] {
      std::error_code ec;
      for (const std::string& p : *paths) std::filesystem::remove_all(p, ec);
    });
  }
  paths->push_back(path);
}

}  // namespace tq::fuzz
