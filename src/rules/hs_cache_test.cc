// The cache of compiled Vectorscan databases: a second load of the same rules takes every
// database from it and matches the same; damaged cache files are compiled afresh and replaced;
// an empty TOURNIQUET_CACHE_DIR turns the cache off.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "rules/engine.h"
#include "support/testing.h"

namespace tq::rules {
namespace {

namespace fs = std::filesystem;
using tq::testing::TempDir;

const char* kRules[] = {
    "title: a\nid: 0f0e0d0c-0000-4000-8003-000000000001\nstatus: test\nlevel: high\n"
    "logsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem|contains:\n"
    "    - '/wp-config.php'\n    - '/app/etc/env.php'\n  ua:\n    cs-user-agent|re: '(?i)sqlmap'\n"
    "  condition: sel or ua\n",
    "title: b\nid: 0f0e0d0c-0000-4000-8003-000000000002\nstatus: test\nlevel: high\n"
    "logsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-query|contains|all:\n"
    "    - 'union'\n    - 'select'\n  agent:\n    cs-user-agent|endswith: '*bot'\n"
    "  condition: sel and not agent\n"};

RuleSetPtr Load() {
  Result<RuleSetPtr> rs = LoadRulesFromText({{"a.yml", kRules[0]}, {"b.yml", kRules[1]}});
  EXPECT_TRUE(rs.ok()) << rs.status().ToString();
  return rs.ok() ? std::move(*rs) : nullptr;
}

std::vector<std::vector<uint32_t>> Hits(const RuleSet& rs) {
  auto parser = logs::NamedFormat("combined").value();
  Scanner s(rs);
  std::vector<std::vector<uint32_t>> out;
  for (const char* uri : {"/wp-config.php", "/p?q=1%20UNION%20SELECT%201", "/index.php"})
    for (const char* ua : {"sqlmap/1.7", "Googlebot", "Mozilla/5.0"})
      out.push_back(s.MatchLine(std::string("203.0.113.9 - - [10/Oct/2025:13:55:36 +0200] \"GET ") +
                                    uri + " HTTP/1.1\" 200 512 \"-\" \"" + ua + "\"",
                                *parser));
  return out;
}

std::vector<fs::path> CacheFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir / "hs")) out.push_back(e.path());
  return out;
}

TEST(CompileCacheTest, SecondLoadTakesEveryDatabaseFromTheCache) {
  TempDir d;
  setenv("TOURNIQUET_CACHE_DIR", d.path().c_str(), 1);
  EXPECT_EQ(CompileCacheDir(), d.path() + "/hs");
  CompileCacheStats before = CompileCacheCounts();
  RuleSetPtr first = Load();
  CompileCacheStats mid = CompileCacheCounts();
  uint64_t compiled = mid.misses - before.misses;
  EXPECT_GT(compiled, 2u);
  EXPECT_EQ(mid.hits, before.hits);
  EXPECT_EQ(CacheFiles(fs::path(d.path())).size(), compiled);
  RuleSetPtr second = Load();
  CompileCacheStats after = CompileCacheCounts();
  EXPECT_EQ(after.misses, mid.misses);
  EXPECT_EQ(after.hits - mid.hits, compiled);
  EXPECT_EQ(Hits(*first), Hits(*second));
  EXPECT_FALSE(Hits(*second)[0].empty());
  unsetenv("TOURNIQUET_CACHE_DIR");
}

TEST(CompileCacheTest, DamagedFilesAreCompiledAgainAndReplaced) {
  TempDir d;
  setenv("TOURNIQUET_CACHE_DIR", d.path().c_str(), 1);
  RuleSetPtr first = Load();
  std::vector<fs::path> files = CacheFiles(fs::path(d.path()));
  ASSERT_FALSE(files.empty());
  for (size_t i = 0; i < files.size(); ++i) {  // a flipped byte, a cut file, garbage
    std::string data;
    {
      std::ifstream in(files[i], std::ios::binary);
      data.assign(std::istreambuf_iterator<char>(in), {});
    }
    if (i % 3 == 0) data[data.size() - 1] ^= 0x40;
    if (i % 3 == 1) data.resize(data.size() / 2);
    if (i % 3 == 2) data = "not a database";
    std::ofstream(files[i], std::ios::binary | std::ios::trunc) << data;
  }
  CompileCacheStats before = CompileCacheCounts();
  RuleSetPtr second = Load();
  CompileCacheStats mid = CompileCacheCounts();
  EXPECT_EQ(mid.misses - before.misses, files.size());
  EXPECT_EQ(mid.hits, before.hits);
  EXPECT_EQ(Hits(*first), Hits(*second));
  RuleSetPtr third = Load();  // the replacements are good
  EXPECT_EQ(CompileCacheCounts().hits - mid.hits, files.size());
  unsetenv("TOURNIQUET_CACHE_DIR");
}

// Past the bound, the least recently used databases go until half of it is left; other files
// stay.
TEST(CompileCacheTest, PruningDropsTheLeastRecentlyUsed) {
  TempDir d;
  fs::path dir(d.path());
  auto now = fs::file_time_type::clock::now();
  for (int i = 0; i < 10; ++i) {
    fs::path f = dir / (std::to_string(i) + ".hsdb");
    std::ofstream(f, std::ios::binary) << std::string(1000, 'x');
    fs::last_write_time(f, now - std::chrono::hours(10 - i));  // 0 the oldest
  }
  std::ofstream(dir / "notes.txt") << std::string(5000, 'y');
  PruneCompileCache(dir, 20000);  // within the bound: nothing goes
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 11);
  PruneCompileCache(dir, 8000);  // 10,000 bytes: down to 4,000, the newest four
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(fs::exists(dir / (std::to_string(i) + ".hsdb")), i >= 6) << i;
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
}

TEST(CompileCacheTest, EmptyDirectorySettingTurnsItOff) {
  setenv("TOURNIQUET_CACHE_DIR", "", 1);
  EXPECT_EQ(CompileCacheDir(), "");
  CompileCacheStats before = CompileCacheCounts();
  RuleSetPtr rs = Load();
  EXPECT_EQ(CompileCacheCounts().hits, before.hits);
  EXPECT_GT(CompileCacheCounts().misses, before.misses);
  unsetenv("TOURNIQUET_CACHE_DIR");
}

}  // namespace
}  // namespace tq::rules
