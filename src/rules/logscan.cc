// Scanning collected log files with all cores: the format of each file is detected once,
// then work units (a whole compressed file, or a range of lines of a large plain file) run on
// worker threads, each with its own parser, Vectorscan scratch and aggregates. Results are
// merged in input order, so the output does not depend on the thread schedule.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "rules/engine.h"

namespace tq::rules {
namespace {

using logs::Field;

struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Per-client aggregates while scanning, kept cache-friendly: a line costs a few cache misses
// (the slot, the record, the agent hashes, one probe of the path set) instead of a walk over
// node-based maps and vectors. Converted to ClientStats when a work unit ends.
class ClientTable {
 public:
  struct Entry {
    std::string ip;  // short addresses sit inside the string object
    uint64_t requests = 0, bytes = 0;
    UnixMicros first_seen = 0, last_seen = 0;
    uint8_t n_status = 0, n_agents = 0;
    bool paths_capped = false;
    uint16_t n_paths = 0;
    std::array<int, 8> status{};
    std::array<uint64_t, 8> status_n{};
    std::vector<std::pair<int, uint64_t>> more_statuses;
    std::array<uint64_t, ClientStats::kMaxAgents> agent_hash{};
    std::unique_ptr<uint64_t[]> path_set;  // open addressing, kPathSlots; 0 = empty
    std::vector<std::string> agents, paths;
  };
  static constexpr size_t kPathSlots = 2 * ClientStats::kMaxPaths;  // load <= 1/2

  static uint64_t Hash(std::string_view ip) { return Mix(std::hash<std::string_view>{}(ip)); }
  // The entry for `ip` (h = Hash(ip)), created if there is room (nullptr when the table is
  // full).
  Entry* Find(std::string_view ip, uint64_t h, size_t max) {
    if (slots_.empty()) Rehash(1024);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& sl = slots_[i];
      if (sl.idx == kEmpty) {
        if (entries_.size() >= max) return nullptr;
        sl.hash = h;
        sl.idx = static_cast<uint32_t>(entries_.size());
        entries_.emplace_back();
        entries_.back().ip = std::string(ip);
        Entry* e = &entries_.back();
        if (entries_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
        return e;
      }
      if (sl.hash == h && entries_[sl.idx].ip == ip) return &entries_[sl.idx];
    }
  }
  // Prefetches the slot of `ip` (a group of lines ahead: the lookups' cache misses then
  // overlap instead of following each other).
  void PrefetchSlot(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
  }
  // The entry whose address has the hash `h`, if there is one, without creating it and
  // without reading the entry (its address is compared when it is used: the entries of a
  // group of lines are then fetched from memory together, not one after the other).
  Entry* PeekByHash(uint64_t h) {
    if (slots_.empty()) return nullptr;
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& sl = slots_[i];
      if (sl.idx == kEmpty) return nullptr;
      if (sl.hash == h) return &entries_[sl.idx];
    }
  }
  size_t size() const { return entries_.size(); }
  // In first-seen order.
  std::vector<ClientStats> Release() {
    std::vector<ClientStats> out;
    out.reserve(entries_.size());
    for (Entry& e : entries_) {
      ClientStats c;
      c.ip = std::move(e.ip);
      c.first_seen = e.first_seen;
      c.last_seen = e.last_seen;
      c.requests = e.requests;
      c.bytes = e.bytes;
      for (size_t k = 0; k < e.n_status; ++k) c.statuses.emplace_back(e.status[k], e.status_n[k]);
      for (auto& st : e.more_statuses) c.statuses.push_back(st);
      c.user_agents = std::move(e.agents);
      c.paths = std::move(e.paths);
      c.paths_capped = e.paths_capped;
      out.push_back(std::move(c));
    }
    entries_.clear();
    slots_.clear();
    return out;
  }

 private:
  static constexpr uint32_t kEmpty = 0xffffffffu;
  struct Slot {
    uint64_t hash = 0;
    uint32_t idx = kEmpty;
  };
  static uint64_t Mix(uint64_t h) {  // spread low-entropy hashes over the low bits
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }
  void Rehash(size_t n) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(n, Slot{});
    for (const Slot& sl : old) {
      if (sl.idx == kEmpty) continue;
      size_t i = sl.hash & (n - 1);
      while (slots_[i].idx != kEmpty) i = (i + 1) & (n - 1);
      slots_[i] = sl;
    }
  }
  std::vector<Slot> slots_;
  std::deque<Entry> entries_;  // stable addresses
};

struct Unit {
  size_t input = 0;
  bool range = false;
  uint64_t begin = 0, end = 0;
  // Results.
  logs::ParseStats stats;
  std::vector<LogHit> hits;
  std::vector<uint64_t> rule_hits;
  ClientTable table;
  std::vector<ClientStats> clients;  // from `table` when the unit is done, first seen first
  uint64_t clients_dropped = 0, hits_dropped = 0;
};

std::string Cap(std::string_view v) { return std::string(v.substr(0, 4096)); }

class UnitSink : public LineSink {
 public:
  UnitSink(Unit& u, const LogScanOptions& o) : u_(u), o_(o) {}
  void OnSkip(std::string_view reason, uint64_t line_no) override {
    ++u_.stats.lines;
    u_.stats.Skip(reason, line_no);
  }
  // Three passes over the upcoming records, each issuing independent loads: the table slots,
  // then the clients' records, then their path sets. The hashes are kept for OnRecord.
  void Upcoming(std::span<const logs::AccessLogRecord* const> recs) override {
    pre_.clear();
    pre_next_ = 0;
    for (const logs::AccessLogRecord* r : recs) {
      uint64_t h = ClientTable::Hash(r->get(Field::kClientIp));
      u_.table.PrefetchSlot(h);
      pre_.push_back({r, h, nullptr, 0});
    }
    for (Ahead& p : pre_) {
      p.entry = u_.table.PeekByHash(p.ip_hash);
      if (!p.entry) continue;
      const char* e = reinterpret_cast<const char*>(p.entry);
      for (size_t off = 0; off < sizeof(ClientTable::Entry); off += 64) __builtin_prefetch(e + off);
    }
    for (Ahead& p : pre_) {
      if (!p.entry || !p.entry->path_set) continue;
      p.path_hash = PathHash(p.rec->get(Field::kUriStem));
      __builtin_prefetch(&p.entry->path_set[PathSlot(p.path_hash)]);
    }
  }
  void OnRecord(const logs::AccessLogRecord& r, std::span<const uint32_t> hits) override {
    ++u_.stats.lines;
    ++u_.stats.parsed;
    if (r.has_time) {
      if (r.time < prev_) ++u_.stats.out_of_order;
      prev_ = std::max(prev_, r.time);
      if (!u_.stats.first_time || r.time < u_.stats.first_time) u_.stats.first_time = r.time;
      if (r.time > u_.stats.last_time) u_.stats.last_time = r.time;
    }
    Client(r);
    for (uint32_t h : hits) {
      ++u_.rule_hits[h];
      if (u_.hits.size() >= o_.max_hits) {
        ++u_.hits_dropped;
        continue;
      }
      LogHit hit;
      hit.rule = h;
      hit.input = u_.input;
      hit.line_no = r.line_no;
      hit.offset = r.offset;
      hit.time = r.time;
      hit.has_time = r.has_time;
      for (size_t f = 0; f < logs::kFieldCount; ++f) hit.fields[f] = Cap(r.field[f]);
      u_.hits.push_back(std::move(hit));
    }
  }

 private:
  void Client(const logs::AccessLogRecord& r) {
    std::string_view ip = r.get(Field::kClientIp);
    const Ahead* pre = nullptr;
    if (pre_next_ < pre_.size() && pre_[pre_next_].rec == &r) pre = &pre_[pre_next_++];
    ClientTable::Entry* c = nullptr;
    if (last_ && last_->ip == ip) {
      c = last_;
    } else if (pre && pre->entry && pre->entry->ip == ip) {
      c = last_ = pre->entry;
    } else {
      c = u_.table.Find(ip, pre ? pre->ip_hash : ClientTable::Hash(ip), o_.max_clients);
      if (!c) {
        ++u_.clients_dropped;
        return;
      }
      last_ = c;
    }
    ++c->requests;
    std::string_view b = r.get(Field::kBytesSent);
    uint64_t n = 0;
    for (char ch : b) {
      if (ch < '0' || ch > '9') break;
      n = n * 10 + static_cast<uint64_t>(ch - '0');
    }
    c->bytes += n;
    if (r.has_time) {
      if (!c->first_seen || r.time < c->first_seen) c->first_seen = r.time;
      if (r.time > c->last_seen) c->last_seen = r.time;
    }
    std::string_view st = r.get(Field::kStatus);
    int status = 0;
    for (char ch : st)
      if (ch >= '0' && ch <= '9') status = status * 10 + (ch - '0');
    CountStatus(*c, status);
    // Membership by 64-bit hash: a linear search over strings on every line was the
    // scan's largest cost.
    std::string_view ua = r.get(Field::kUserAgent);
    if (c->n_agents < ClientStats::kMaxAgents && !ua.empty()) {
      uint64_t h = std::hash<std::string_view>{}(ua);
      auto end = c->agent_hash.begin() + c->n_agents;
      if (std::find(c->agent_hash.begin(), end, h) == end) {
        c->agent_hash[c->n_agents++] = h;
        c->agents.push_back(Cap(ua));
      }
    }
    if (!c->paths_capped) {
      std::string_view path = r.get(Field::kUriStem);
      AddPath(*c, path, pre && pre->path_hash ? pre->path_hash : PathHash(path));
    }
  }
  static void CountStatus(ClientTable::Entry& c, int status) {
    for (size_t k = 0; k < c.n_status; ++k)
      if (c.status[k] == status) {
        ++c.status_n[k];
        return;
      }
    if (c.n_status < c.status.size()) {
      c.status[c.n_status] = status;
      c.status_n[c.n_status++] = 1;
      return;
    }
    for (auto& [s, k] : c.more_statuses)
      if (s == status) {
        ++k;
        return;
      }
    c.more_statuses.emplace_back(status, 1);
  }
  static uint64_t PathHash(std::string_view path) {
    uint64_t h = std::hash<std::string_view>{}(path);
    return h == 0 ? 1 : h;  // 0 marks an empty slot
  }
  static size_t PathSlot(uint64_t h) { return (h ^ (h >> 29)) & (ClientTable::kPathSlots - 1); }
  static void AddPath(ClientTable::Entry& c, std::string_view path, uint64_t h) {
    if (!c.path_set) {
      c.path_set = std::make_unique<uint64_t[]>(ClientTable::kPathSlots);
      std::fill_n(c.path_set.get(), ClientTable::kPathSlots, 0);
    }
    size_t mask = ClientTable::kPathSlots - 1;
    size_t i = PathSlot(h);
    while (c.path_set[i] != 0) {
      if (c.path_set[i] == h) return;
      i = (i + 1) & mask;
    }
    if (c.n_paths >= ClientStats::kMaxPaths) {
      c.paths_capped = true;
      c.path_set.reset();  // never consulted again
      return;
    }
    c.path_set[i] = h;
    ++c.n_paths;
    c.paths.push_back(Cap(path));
  }
  Unit& u_;
  const LogScanOptions& o_;
  ClientTable::Entry* last_ = nullptr;
  UnixMicros prev_ = 0;
  struct Ahead {
    const logs::AccessLogRecord* rec;
    uint64_t ip_hash;
    ClientTable::Entry* entry;  // when the client was already known
    uint64_t path_hash;         // 0 when not computed
  };
  std::vector<Ahead> pre_;
  size_t pre_next_ = 0;
};

// The first bytes of a file's content, for format detection.
std::vector<std::string> SampleLines(const std::string& path, std::string* error) {
  std::vector<std::string> out;
  Result<std::unique_ptr<logs::ByteStream>> s = logs::OpenByteStream(path);
  if (!s.ok()) {
    *error = s.status().ToString();
    return out;
  }
  std::string buf(1 << 16, '\0');
  size_t len = 0;
  while (len < buf.size()) {
    Result<size_t> r = (*s)->Read(buf.data() + len, buf.size() - len);
    if (!r.ok() || *r == 0) break;
    len += *r;
  }
  std::string_view v(buf.data(), len);
  size_t p = 0;
  while (p < v.size() && out.size() < 50) {
    size_t e = v.find('\n', p);
    if (e == std::string_view::npos) break;  // a partial last line is not a sample
    if (e > p) out.emplace_back(v.substr(p, e - p));
    p = e + 1;
  }
  if (out.empty() && len > 0 && len < buf.size()) out.emplace_back(v);
  return out;
}

// Offset of the first line start at or after `at`.
uint64_t NextLineStart(int fd, uint64_t at, uint64_t size) {
  char buf[65536];
  while (at < size) {
    ssize_t n = pread(fd, buf, sizeof buf, static_cast<off_t>(at));
    if (n <= 0) return size;
    const char* nl = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(n)));
    if (nl) return at + static_cast<uint64_t>(nl - buf) + 1;
    at += static_cast<uint64_t>(n);
  }
  return size;
}

// Adds the paths of `c` that `m` lacks, up to the cap. Membership by hash, then bytes: a
// linear search per path made merging the units of rotated files quadratic.
void MergePaths(ClientStats& m, ClientStats& c) {
  std::vector<std::pair<uint64_t, uint32_t>> have;  // (hash, index in m.paths), sorted
  have.reserve(m.paths.size() + c.paths.size());
  for (uint32_t k = 0; k < m.paths.size(); ++k)
    have.emplace_back(std::hash<std::string>{}(m.paths[k]), k);
  std::sort(have.begin(), have.end());
  for (std::string& p : c.paths) {
    uint64_t h = std::hash<std::string>{}(p);
    auto it = std::lower_bound(have.begin(), have.end(), std::make_pair(h, uint32_t{0}));
    bool found = false;
    for (; it != have.end() && it->first == h && !found; ++it) found = m.paths[it->second] == p;
    if (found) continue;
    if (m.paths.size() >= ClientStats::kMaxPaths) {
      m.paths_capped = true;
      return;  // nothing else can change
    }
    auto at = std::lower_bound(have.begin(), have.end(), std::make_pair(h, uint32_t{0}));
    have.insert(at, {h, static_cast<uint32_t>(m.paths.size())});
    m.paths.push_back(std::move(p));
  }
}

}  // namespace

Result<LogScanResult> ScanLogs(const std::vector<LogInput>& inputs, const RuleSet& rs,
                               const LogScanOptions& o) {
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<logs::LineParser> given, logs::ParserFor(o.stream));
  LogScanResult res;
  res.stats.resize(inputs.size());
  res.rule_hits.assign(rs.rules.size(), 0);
  std::vector<std::unique_ptr<logs::LineParser>> parsers(inputs.size());
  std::vector<std::unique_ptr<Unit>> units;
  int threads = std::max(1, o.threads);
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string err;
    if (given) {
      parsers[i] = given->Clone();
    } else {
      std::vector<std::string> sample = SampleLines(inputs[i].path, &err);
      std::vector<std::string_view> views(sample.begin(), sample.end());
      parsers[i] = logs::DetectFormat(views);
      if (!parsers[i]) parsers[i] = logs::NamedFormat("combined").value();
    }
    res.stats[i].format = parsers[i]->name();
    if (!err.empty()) {
      res.stats[i].read_error = err;
      continue;
    }
    // Split a large plain file into ranges at line starts, one per thread.
    char head[4] = {};
    uint64_t size = 0;
    int fd = ::open(inputs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st;
      if (fstat(fd, &st) == 0) size = static_cast<uint64_t>(st.st_size);
      ssize_t got = pread(fd, head, sizeof head, 0);
      logs::Compression c =
          logs::DetectCompression(std::string_view(head, got > 0 ? static_cast<size_t>(got) : 0));
      res.stats[i].compression = c;
      if (c == logs::Compression::kPlain && threads > 1 && size > (64u << 20)) {
        uint64_t begin = 0;
        for (int k = 1; k <= threads; ++k) {
          uint64_t end = k == threads ? size : NextLineStart(fd, size * k / threads, size);
          if (end > begin) {
            auto u = std::make_unique<Unit>();
            u->input = i;
            u->range = true;
            u->begin = begin;
            u->end = end;
            units.push_back(std::move(u));
          }
          begin = end;
        }
        ::close(fd);
        continue;
      }
      ::close(fd);
    }
    auto u = std::make_unique<Unit>();
    u->input = i;
    units.push_back(std::move(u));
  }
  // Larger work first keeps both cores busy to the end (compressed files: by input order).
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> done_bytes{0};
  auto work = [&]() {
    Scanner scanner(rs);
    for (;;) {
      size_t k = next.fetch_add(1);
      if (k >= units.size()) return;
      Unit& u = *units[k];
      u.rule_hits.assign(rs.rules.size(), 0);
      const LogInput& in = inputs[u.input];
      Result<std::unique_ptr<logs::ByteStream>> s =
          u.range ? logs::OpenRange(in.path, u.begin, u.end) : logs::OpenByteStream(in.path);
      if (!s.ok()) {
        u.stats.read_error = s.status().ToString();
        continue;
      }
      u.stats.compression = (*s)->compression();
      std::unique_ptr<logs::LineParser> parser = parsers[u.input]->Clone();
      UnitSink sink(u, o);
      uint64_t last_bytes = 0;
      Status st = logs::ForEachChunk(
          **s, o.chunk_size, o.stream.max_line, &u.stats,
          [&](std::string_view chunk, uint64_t first_line, uint64_t offset) {
            scanner.ScanChunk(chunk, first_line, offset, *parser, sink, o.stream.max_line);
            if (o.progress) {
              uint64_t now = (*s)->produced();
              done_bytes += now - last_bytes;
              last_bytes = now;
              o.progress(done_bytes.load());
            }
            return true;
          });
      if (!st.ok()) u.stats.read_error = st.ToString();
      u.clients = u.table.Release();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  // Merge in input order; ranges of one file get their line numbers and offsets shifted.
  std::unordered_map<std::string, ClientStats, SvHash, std::equal_to<>> clients;
  std::vector<uint64_t> lines_before(inputs.size(), 0);
  for (auto& up : units) {
    Unit& u = *up;
    uint64_t shift = lines_before[u.input];
    lines_before[u.input] += u.stats.lines;
    for (auto& [reason, sc] : u.stats.skipped)
      for (uint64_t& l : sc.example_lines) l += shift;
    for (LogHit& h : u.hits) {
      h.line_no += shift;
      h.offset += u.begin;
    }
    logs::ParseStats& ps = res.stats[u.input];
    std::string fmt = ps.format;
    logs::Compression comp = u.stats.compression;
    ps.Merge(u.stats);
    ps.format = fmt;
    ps.compression = comp;
    for (size_t r = 0; r < u.rule_hits.size(); ++r) res.rule_hits[r] += u.rule_hits[r];
    for (LogHit& h : u.hits) {
      if (res.hits.size() >= o.max_hits) {
        ++res.hits_dropped;
        continue;
      }
      res.hits.push_back(std::move(h));
    }
    res.hits_dropped += u.hits_dropped;
    res.clients_dropped += u.clients_dropped;
    for (ClientStats& c : u.clients) {
      auto it = clients.find(c.ip);
      if (it == clients.end()) {
        if (clients.size() >= o.max_clients) {
          ++res.clients_dropped;
          continue;
        }
        std::string ip = c.ip;
        clients.emplace(std::move(ip), std::move(c));
        continue;
      }
      ClientStats& m = it->second;
      m.requests += c.requests;
      m.bytes += c.bytes;
      if (c.first_seen && (!m.first_seen || c.first_seen < m.first_seen))
        m.first_seen = c.first_seen;
      m.last_seen = std::max(m.last_seen, c.last_seen);
      for (auto& [s, k] : c.statuses) {
        bool found = false;
        for (auto& [s2, k2] : m.statuses)
          if (s2 == s) k2 += k, found = true;
        if (!found) m.statuses.emplace_back(s, k);
      }
      for (auto& ua : c.user_agents)
        if (m.user_agents.size() < ClientStats::kMaxAgents &&
            std::find(m.user_agents.begin(), m.user_agents.end(), ua) == m.user_agents.end())
          m.user_agents.push_back(ua);
      if (!(m.paths_capped && m.paths.size() >= ClientStats::kMaxPaths)) MergePaths(m, c);
      m.paths_capped |= c.paths_capped;
    }
  }
  std::sort(res.hits.begin(), res.hits.end(), [](const LogHit& a, const LogHit& b) {
    return std::tie(a.input, a.line_no, a.rule) < std::tie(b.input, b.line_no, b.rule);
  });
  for (auto& [ip, c] : clients) {
    std::sort(c.statuses.begin(), c.statuses.end());
    res.clients.push_back(std::move(c));
  }
  std::sort(res.clients.begin(), res.clients.end(),
            [](const ClientStats& a, const ClientStats& b) { return a.ip < b.ip; });
  res.order.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) res.order[i] = i;
  std::stable_sort(res.order.begin(), res.order.end(), [&](size_t a, size_t b) {
    UnixMicros ta = res.stats[a].first_time, tb = res.stats[b].first_time;
    if (!ta || !tb) return ta != 0 && tb == 0;
    return ta < tb;
  });
  return res;
}

}  // namespace tq::rules
