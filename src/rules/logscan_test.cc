// Per-client aggregates of ScanLogs: counts, bytes, first and last seen, statuses (more than
// fit inline), the first user agents and distinct paths with their caps, the client cap, and
// the merge of one client over several files.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "rules/rules.h"
#include "support/testing.h"

namespace tq::rules {
namespace {

using tq::testing::TempDir;
using tq::testing::WriteFile;

std::string Line(std::string_view ip, int sec, std::string_view path, int status,
                 std::string_view bytes, std::string_view ua) {
  char t[64];
  std::snprintf(t, sizeof t, "10/Oct/2025:13:%02d:%02d +0000", sec / 60, sec % 60);
  return std::string(ip) + " - - [" + t + "] \"GET " + std::string(path) + " HTTP/1.1\" " +
         std::to_string(status) + " " + std::string(bytes) + " \"-\" \"" + std::string(ua) + "\"\n";
}

const RuleSet& Pack() {
  static RuleSetPtr rs = LoadRulesFromText({{"r.yml",
                                             "title: t\nid: 0f0e0d0c-0000-4000-8000-000000000003\n"
                                             "level: low\nlogsource:\n  category: webserver\n"
                                             "detection:\n  s:\n    cs-uri-stem|contains: "
                                             "'/admin'\n  condition: s\n"}})
                             .value();
  return *rs;
}

std::map<std::string, ClientStats> ByIp(LogScanResult& r) {
  std::map<std::string, ClientStats> m;
  for (ClientStats& c : r.clients) m[c.ip] = c;
  return m;
}

TEST(LogScanTest, ClientAggregates) {
  TempDir dir;
  std::string a, b;
  // 10.0.0.1: 100 requests over 70 distinct paths, 12 user agents, 10 statuses.
  for (int i = 0; i < 100; ++i)
    a += Line("10.0.0.1", 100 - i % 50, "/p" + std::to_string(i % 70), 200 + i % 10,
              i % 3 ? "10" : "-", "ua" + std::to_string(i % 12));
  // A second client, interleaved, and an IPv6 one.
  for (int i = 0; i < 5; ++i) a += Line("2001:db8::1", 10 + i, "/admin", 404, "7", "curl");
  a += Line("192.168.100.200", 5, "/x", 301, "1", "");
  b += Line("10.0.0.1", 1, "/p0", 500, "1000", "ua0");
  b += Line("10.0.0.1", 2, "/new", 503, "1", "other");
  WriteFile(dir / "a.log", a);
  WriteFile(dir / "b.log", b);
  LogScanOptions o;
  o.threads = 2;
  Result<LogScanResult> res =
      ScanLogs({{dir / "a.log", "a", 1, "x"}, {dir / "b.log", "b", 2, "y"}}, Pack(), o);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->hits.size(), 5u);
  EXPECT_EQ(res->clients_dropped, 0u);
  std::map<std::string, ClientStats> m = ByIp(*res);
  ASSERT_EQ(m.size(), 3u);
  const ClientStats& c = m["10.0.0.1"];
  EXPECT_EQ(c.requests, 102u);
  EXPECT_EQ(c.bytes, 66u * 10 + 1000 + 1);
  EXPECT_EQ(FormatUtc(c.first_seen), "2025-10-10T13:00:01Z");
  EXPECT_EQ(FormatUtc(c.last_seen), "2025-10-10T13:01:40Z");
  std::vector<std::pair<int, uint64_t>> statuses;
  for (int s = 200; s < 210; ++s) statuses.emplace_back(s, 10);
  statuses.emplace_back(500, 1);
  statuses.emplace_back(503, 1);
  EXPECT_EQ(c.statuses, statuses);
  ASSERT_EQ(c.user_agents.size(), ClientStats::kMaxAgents);
  for (size_t k = 0; k < ClientStats::kMaxAgents; ++k)
    EXPECT_EQ(c.user_agents[k], "ua" + std::to_string(k));
  ASSERT_EQ(c.paths.size(), ClientStats::kMaxPaths);
  EXPECT_EQ(c.paths[0], "/p0");
  EXPECT_EQ(c.paths[63], "/p63");
  EXPECT_TRUE(c.paths_capped);
  const ClientStats& v6 = m["2001:db8::1"];
  EXPECT_EQ(v6.requests, 5u);
  EXPECT_EQ(v6.bytes, 35u);
  EXPECT_EQ(v6.paths, std::vector<std::string>{"/admin"});
  EXPECT_FALSE(v6.paths_capped);
  EXPECT_EQ(v6.user_agents, std::vector<std::string>{"curl"});
  EXPECT_EQ(v6.statuses, (std::vector<std::pair<int, uint64_t>>{{404, 5}}));
  const ClientStats& lan = m["192.168.100.200"];
  EXPECT_TRUE(lan.user_agents.empty());  // an empty agent is not one
  EXPECT_EQ(lan.paths, std::vector<std::string>{"/x"});
}

// One client in rotated files: the distinct paths of all files, in file order, up to the cap.
TEST(LogScanTest, PathsMergeAcrossFiles) {
  TempDir dir;
  std::string a, b, c;
  for (int i = 0; i < 40; ++i) a += Line("10.0.0.2", i, "/a" + std::to_string(i), 200, "1", "u");
  for (int i = 20; i < 40; ++i) b += Line("10.0.0.2", i, "/a" + std::to_string(i), 200, "1", "u");
  for (int i = 0; i < 20; ++i) b += Line("10.0.0.2", i, "/b" + std::to_string(i), 200, "1", "u");
  for (int i = 0; i < 10; ++i) c += Line("10.0.0.2", i, "/c" + std::to_string(i), 200, "1", "u");
  WriteFile(dir / "a.log", a);
  WriteFile(dir / "b.log", b);
  WriteFile(dir / "c.log", c);
  LogScanOptions o;
  o.threads = 2;
  Result<LogScanResult> two =
      ScanLogs({{dir / "a.log", "a", 1, "x"}, {dir / "b.log", "b", 2, "y"}}, Pack(), o);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->clients.size(), 1u);
  const ClientStats& m = two->clients[0];
  ASSERT_EQ(m.paths.size(), 60u);
  EXPECT_FALSE(m.paths_capped);
  EXPECT_EQ(m.paths[39], "/a39");
  EXPECT_EQ(m.paths[40], "/b0");
  Result<LogScanResult> three = ScanLogs(
      {{dir / "a.log", "a", 1, "x"}, {dir / "b.log", "b", 2, "y"}, {dir / "c.log", "c", 3, "z"}},
      Pack(), o);
  ASSERT_TRUE(three.ok());
  const ClientStats& m3 = three->clients[0];
  ASSERT_EQ(m3.paths.size(), ClientStats::kMaxPaths);
  EXPECT_TRUE(m3.paths_capped);
  EXPECT_EQ(m3.paths[63], "/c3");
  EXPECT_EQ(m3.requests, 90u);
}

TEST(LogScanTest, ClientCapCountsTheRest) {
  TempDir dir;
  std::string a;
  for (int i = 0; i < 3000; ++i)
    a += Line("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250), 1, "/", 200, "1",
              "u");
  a += Line("10.1.0.0", 2, "/again", 200, "1", "u");
  WriteFile(dir / "a.log", a);
  LogScanOptions o;
  o.threads = 1;
  o.max_clients = 2000;
  Result<LogScanResult> res = ScanLogs({{dir / "a.log", "a", 1, "x"}}, Pack(), o);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->clients.size(), 2000u);
  EXPECT_EQ(res->clients_dropped, 1000u);
  std::map<std::string, ClientStats> m = ByIp(*res);
  EXPECT_EQ(m["10.1.0.0"].requests, 2u);
  EXPECT_EQ(m["10.1.0.0"].paths, (std::vector<std::string>{"/", "/again"}));
  EXPECT_EQ(m.count("10.1.11.249"), 0u);
}

// Hostile input: many clients, each with many long paths, every line a hit with long fields.
// Past max_memory, clients, paths and hits are counted instead of kept; what is kept stays
// within the bound, and every request and hit is still counted.
TEST(LogScanTest, MemoryBoundCountsWhatIsNotKept) {
  TempDir dir;
  std::string a;
  const int kClients = 200, kPaths = 20;
  std::string pad(1000, 'x');
  for (int c = 0; c < kClients; ++c)
    for (int p = 0; p < kPaths; ++p)
      a += Line("10.2." + std::to_string(c / 200) + "." + std::to_string(c % 200), p,
                "/admin/" + std::to_string(p) + pad, 200, "1", pad);
  WriteFile(dir / "a.log", a);
  LogScanOptions o;
  o.threads = 1;
  o.max_memory = 4 << 20;
  Result<LogScanResult> res = ScanLogs({{dir / "a.log", "a", 1, "x"}}, Pack(), o);
  ASSERT_TRUE(res.ok());
  // Paths and agents go first: every client is still there, with its counts.
  EXPECT_GT(res->client_values_dropped, 0u);
  EXPECT_EQ(res->clients.size(), static_cast<size_t>(kClients));
  EXPECT_EQ(res->clients_dropped, 0u);
  size_t kept = 0;
  bool some_incomplete = false;
  for (const ClientStats& c : res->clients) {
    EXPECT_EQ(c.requests, static_cast<uint64_t>(kPaths)) << c.ip;
    for (const std::string& p : c.paths) kept += p.size();
    for (const std::string& u : c.user_agents) kept += u.size();
    if (c.paths.size() < static_cast<size_t>(kPaths)) {
      EXPECT_TRUE(c.paths_capped) << c.ip;  // an incomplete list says so
      some_incomplete = true;
    }
  }
  EXPECT_TRUE(some_incomplete);
  EXPECT_LT(kept, o.max_memory);
  ASSERT_EQ(res->rule_hits.size(), 1u);
  EXPECT_EQ(res->rule_hits[0], static_cast<uint64_t>(kClients * kPaths));
  EXPECT_GT(res->hits_dropped, 0u);
  EXPECT_EQ(res->hits.size() + res->hits_dropped, res->rule_hits[0]);
  size_t hit_bytes = 0;
  for (const LogHit& h : res->hits)
    for (const std::string& f : h.fields) hit_bytes += f.size();
  EXPECT_LT(hit_bytes, o.max_memory);
}

// The process's resident set, and its peak since the last reset (/proc/self/status), in bytes.
size_t StatusBytes(const char* key) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t kb = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, key, std::strlen(key)) == 0)
      kb = std::strtoull(line + std::strlen(key), nullptr, 10);
  std::fclose(f);
  return kb << 10;
}
bool ResetPeak() {  // "5" resets VmHWM to the current resident set (Linux 4.0)
  FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}
// How much the process's peak grew over what it held when the scan started.
size_t ScanPeakGrowth(const std::vector<LogInput>& in, const LogScanOptions& o,
                      Result<LogScanResult>* res) {
  EXPECT_TRUE(ResetPeak());
  size_t before = StatusBytes("VmRSS:");
  *res = ScanLogs(in, Pack(), o);
  size_t peak = StatusBytes("VmHWM:");
  return peak > before ? peak - before : 0;
}

// max_memory bounds the process, not an estimate of the tables: a log whose clients, paths,
// agents and hits need several times the budget grows the process's peak by less than the
// budget, and what was not kept is counted (every request, every hit).
TEST(LogScanTest, MemoryBoundHoldsTheProcessPeak) {
  TempDir dir;
  // Rotated files, each with its own clients: the work units' tables and the merged one fill.
  const int kClients = 80000, kFiles = 8;
  const std::string pad(80, 'p'), agent(100, 'a');
  std::vector<LogInput> in;
  for (int f = 0; f < kFiles; ++f) {
    std::string a;
    for (int c = f; c < kClients; c += kFiles) {
      std::string ip = "10." + std::to_string(c >> 16) + "." + std::to_string(c >> 8 & 255) + "." +
                       std::to_string(c & 255);
      for (int k = 0; k < 2; ++k)
        a += Line(ip, k, "/admin/" + std::to_string(c) + "/" + std::to_string(k) + pad, 200, "1",
                  agent + std::to_string(c));
    }
    std::string name = "access.log." + std::to_string(f);
    WriteFile(dir / name, a);
    in.push_back({dir / name, name, f + 1, "x" + std::to_string(f)});
  }
  LogScanOptions o;
  o.threads = 2;
  o.chunk_size = 1 << 20;
  o.stream.max_line = 64 << 10;
  o.max_memory = size_t{128} << 20;
  Result<LogScanResult> res = Status::Internal("not run");
  size_t bounded = ScanPeakGrowth(in, o, &res);
  ASSERT_TRUE(res.ok());
  EXPECT_LT(bounded, o.max_memory) << "peak grew by " << (bounded >> 20) << " MB";
  // Counted, not kept: requests of clients not kept, paths and agents, hits.
  uint64_t requests = res->clients_dropped;
  for (const ClientStats& c : res->clients) requests += c.requests;
  EXPECT_EQ(requests, 2u * kClients);
  EXPECT_GT(res->client_values_dropped + res->clients_dropped, 0u);
  ASSERT_EQ(res->rule_hits.size(), 1u);
  EXPECT_EQ(res->rule_hits[0], 2u * kClients);
  EXPECT_GT(res->hits_dropped, 0u);
  EXPECT_EQ(res->hits.size() + res->hits_dropped, res->rule_hits[0]);
  // The same scan unbounded needs more than the budget (else the test proves nothing).
  res = Status::Internal("not run");
  o.max_memory = size_t{4} << 30;
  size_t unbounded = ScanPeakGrowth(in, o, &res);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->clients.size(), static_cast<size_t>(kClients));
  EXPECT_EQ(res->client_values_dropped, 0u);
  EXPECT_GT(unbounded, size_t{128} << 20) << "peak grew by " << (unbounded >> 20) << " MB";
}

// Past the whole budget, clients themselves are counted instead of kept, per request.
TEST(LogScanTest, MemoryBoundDropsClientsLast) {
  TempDir dir;
  std::string a;
  const int kClients = 20000;
  for (int c = 0; c < kClients; ++c)
    a += Line("10." + std::to_string(c / 65536) + "." + std::to_string(c / 256 % 256) + "." +
                  std::to_string(c % 256),
              c % 60, "/p", 200, "1", "ua");
  WriteFile(dir / "a.log", a);
  LogScanOptions o;
  o.threads = 1;
  o.max_memory = 4 << 20;
  Result<LogScanResult> res = ScanLogs({{dir / "a.log", "a", 1, "x"}}, Pack(), o);
  ASSERT_TRUE(res.ok());
  EXPECT_GT(res->clients.size(), 0u);
  EXPECT_LT(res->clients.size(), static_cast<size_t>(kClients));
  // One request each: counted per request of a client not kept.
  EXPECT_EQ(res->clients_dropped, kClients - res->clients.size());
}

// More files than threads: units merge in input order as they finish (a thread waits rather
// than run far ahead), so paths keep the order of the files.
TEST(LogScanTest, ManyFilesMergeInInputOrder) {
  TempDir dir;
  std::vector<LogInput> inputs;
  for (int f = 0; f < 9; ++f) {
    std::string a;
    int lines = f == 0 ? 20000 : 3;  // the first file takes longest
    for (int i = 0; i < lines; ++i)
      a += Line("10.3.0.1", 1, "/f" + std::to_string(f) + "/" + std::to_string(i % 3), 200, "2",
                "u");
    std::string name = "a" + std::to_string(f) + ".log";
    WriteFile(dir / name, a);
    inputs.push_back({dir / name, name, f + 1, "x" + std::to_string(f)});
  }
  for (int threads : {1, 2, 3}) {
    LogScanOptions o;
    o.threads = threads;
    Result<LogScanResult> res = ScanLogs(inputs, Pack(), o);
    ASSERT_TRUE(res.ok());
    ASSERT_EQ(res->clients.size(), 1u);
    const ClientStats& c = res->clients[0];
    EXPECT_EQ(c.requests, 20000u + 8 * 3);
    EXPECT_EQ(c.bytes, 2 * c.requests);
    ASSERT_EQ(c.paths.size(), 27u);
    for (int f = 0; f < 9; ++f)
      for (int i = 0; i < 3; ++i)
        EXPECT_EQ(c.paths[f * 3 + i], "/f" + std::to_string(f) + "/" + std::to_string(i));
    for (int f = 0; f < 9; ++f) EXPECT_EQ(res->stats[f].lines, f == 0 ? 20000u : 3u);
  }
}

}  // namespace
}  // namespace tq::rules
