// Compiled Vectorscan databases, kept on disk between runs. Compiling the shipped pack's
// databases takes longer than scanning a few hundred megabytes of logs, and every command that
// loads the rules did it again. A database is stored under the SHA-256 of everything the
// compiler is given (the library version, mode, and each expression with its flags and id),
// so a cached one is the compiler's output for exactly that input; the file carries the
// SHA-256 of its bytes too, and anything that does not check out is compiled afresh. The cache
// is an optimization only: a directory that cannot be read or written changes nothing else.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/sha256.h"
#include "rules/engine.h"

namespace tq::rules {
namespace {

namespace fs = std::filesystem;

std::atomic<uint64_t> g_hits{0}, g_misses{0};
constexpr std::string_view kMagic = "tourniquet-hsdb-1\n";
constexpr uintmax_t kMaxCacheBytes = uintmax_t{256} << 20;

void HashField(Sha256& h, std::string_view s) {
  uint64_t n = s.size();
  h.Update(&n, sizeof n);
  h.Update(s);
}

}  // namespace

void PruneCompileCache(const std::string& dir, uintmax_t max_bytes) {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  uintmax_t total = 0;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() != ".hsdb") continue;
    std::error_code e2;
    uintmax_t size = it->file_size(e2);
    if (e2) continue;
    total += size;
    files.emplace_back(it->last_write_time(e2), it->path());
  }
  if (total <= max_bytes) return;
  std::sort(files.begin(), files.end());
  for (auto& [when, path] : files) {
    if (total <= max_bytes / 2) break;
    std::error_code e2;
    uintmax_t size = fs::file_size(path, e2);
    if (fs::remove(path, e2)) total -= size;
  }
}

namespace {

hs_database_t* Load(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return nullptr;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  // magic, 64 hex digits of the payload's SHA-256, '\n', payload
  if (data.size() < kMagic.size() + 65 || data.compare(0, kMagic.size(), kMagic) != 0)
    return nullptr;
  std::string_view hex(data.data() + kMagic.size(), 64);
  std::string_view payload(data.data() + kMagic.size() + 65, data.size() - kMagic.size() - 65);
  if (data[kMagic.size() + 64] != '\n' || Sha256Hex(payload) != hex) return nullptr;
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(payload.data(), payload.size(), &db) != HS_SUCCESS) return nullptr;
  // Recently used: kept longest by Prune.
  utimensat(AT_FDCWD, file.c_str(), nullptr, 0);
  return db;
}

void Store(const fs::path& dir, const fs::path& file, const hs_database_t* db) {
  char* bytes = nullptr;
  size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
  std::string_view payload(bytes, len);
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path tmp = file;
  tmp += ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << kMagic << Sha256Hex(payload) << '\n' << payload;
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      free(bytes);
      return;
    }
  }
  free(bytes);
  fs::rename(tmp, file, ec);  // whole or not at all
  if (ec) fs::remove(tmp, ec);
  // Once per process: a cold start stores a few dozen databases, and one look at the
  // directory bounds it as well as one after each.
  static std::atomic<bool> pruned{false};
  if (!pruned.exchange(true)) PruneCompileCache(dir, kMaxCacheBytes);
}

}  // namespace

std::string CompileCacheDir() {
  if (const char* d = std::getenv("TOURNIQUET_CACHE_DIR")) return *d ? std::string(d) + "/hs" : "";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::string(x) + "/tourniquet/hs";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/tourniquet/hs";
  return "";
}

CompileCacheStats CompileCacheCounts() { return {g_hits.load(), g_misses.load()}; }

hs_error_t CompileCached(const char* const* exprs, const unsigned* flags, const unsigned* ids,
                         unsigned count, hs_database_t** db, hs_compile_error_t** err) {
  std::string dir = CompileCacheDir();
  fs::path file;
  if (!dir.empty()) {
    Sha256 h;
    HashField(h, hs_version());
    HashField(h, "block");
    // Databases are built for the CPU they are compiled on (a copy of the cache on an older
    // one, or under valgrind, must not be handed a database for this one).
    hs_platform_info_t plat{};
    if (hs_populate_platform(&plat) == HS_SUCCESS) {
      h.Update(&plat.tune, sizeof plat.tune);
      h.Update(&plat.cpu_features, sizeof plat.cpu_features);
    }
    for (unsigned i = 0; i < count; ++i) {
      HashField(h, exprs[i]);
      unsigned f = flags ? flags[i] : 0, id = ids ? ids[i] : 0;
      h.Update(&f, sizeof f);
      h.Update(&id, sizeof id);
    }
    file = fs::path(dir) / (ToHex(h.Finish()) + ".hsdb");
    if (hs_database_t* cached = Load(file)) {
      ++g_hits;
      *db = cached;
      return HS_SUCCESS;
    }
  }
  ++g_misses;
  hs_error_t rc = hs_compile_multi(exprs, flags, ids, count, HS_MODE_BLOCK, nullptr, db, err);
  if (rc == HS_SUCCESS && !dir.empty()) Store(dir, file, *db);
  return rc;
}

}  // namespace tq::rules
