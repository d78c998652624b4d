// ShippedPath: one search order for rules/ and data/, whoever asks.
#include "core/shipped.h"

#include <cstdlib>
#include <filesystem>

namespace tq {

std::string ShippedPath(std::string_view relative) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* home = std::getenv("TOURNIQUET_HOME"); home && *home)
    return (fs::path(home) / relative).string();
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (fs::exists(dir / relative, ec)) return (dir / relative).string();
      if (fs::exists(dir / "share/tourniquet" / relative, ec))
        return (dir / "share/tourniquet" / relative).string();
      if (dir == dir.root_path()) break;
    }
  }
  fs::path source = fs::path(TQ_SHIPPED_SOURCE_ROOT) / relative;
  if (fs::exists(source, ec)) return source.string();
  return (fs::path("/usr/share/tourniquet") / relative).string();
}

}  // namespace tq
