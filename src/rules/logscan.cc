// The matching side of a log scan: the logs component reads the collected files (logs/scan.h:
// work units on all cores, each a whole compressed file or a range of lines of a large plain
// file) and hands each unit's parsed lines to a sink made here, which matches them against
// the rules (its thread's Scanner) and counts per-client aggregates. Units are merged in input
// order, so the output does not depend on the thread schedule. Nothing here opens a file.
#include <malloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/phase_clock.h"
#include "core/releaser.h"
#include "logs/request_journal.h"
#include "rules/correlation_events.h"
#include "rules/engine.h"

namespace tq::rules {
namespace {

using logs::Field;

struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Addresses, paths and user agents are hashed on every line: XXH3, several times faster than
// std::hash on strings of this length.
uint64_t StrHash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }
uint64_t PathHash(std::string_view path) { return StrHash(path); }

// The bounds count what the allocator really hands out, not the bytes asked for: glibc's
// malloc adds an 8-byte header, rounds to 16 bytes and gives at least 32. Counting the bytes
// asked for (and vectors by size, not capacity) had the tables hold twice their budget on the
// large drill.
size_t MallocBytes(size_t n) { return std::max<size_t>(32, (n + 8 + 15) & ~size_t{15}); }
// What a string costs beyond its object (the heap block of a long string).
size_t HeapBytes(size_t len) { return len > 15 ? MallocBytes(len + 1) : 0; }
// What one more element costs a vector: nothing while it has room, else its next block
// (libstdc++ doubles it; the old block is freed once the elements are moved).
template <typename V>
size_t PushBytes(const V& v, size_t first = 1) {
  using T = typename V::value_type;
  if (v.size() < v.capacity()) return 0;
  size_t cap = v.capacity();
  return MallocBytes((cap ? 2 * cap : first) * sizeof(T)) -
         (cap ? MallocBytes(cap * sizeof(T)) : 0);
}
// Frees a vector's block (`v = {}` keeps it: that is assign() from an empty list, and the
// work units' hit and client vectors stayed allocated until the scan ended, 300 MB on the
// large drill).
template <typename V>
void Free(V& v) {
  V().swap(v);
}

// Large tables of the client aggregates are read at random, a few cache lines per request:
// on 4 KiB pages most of those reads also miss the TLB. Memory for them comes in 2 MiB
// blocks the kernel is asked to back with huge pages (a hint; without it nothing changes).
constexpr size_t kHugeBlock = size_t{2} << 20;
void* AllocHuge(size_t bytes) {
  bytes = (bytes + kHugeBlock - 1) / kHugeBlock * kHugeBlock;
  void* p = std::aligned_alloc(kHugeBlock, bytes);
  if (!p) throw std::bad_alloc();
  madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}
template <typename T>
struct HugeAllocator {  // huge-page blocks for arrays of 1 MiB and more
  using value_type = T;
  HugeAllocator() = default;
  template <typename U>
  HugeAllocator(const HugeAllocator<U>&) {}
  static bool Huge(size_t n) { return n * sizeof(T) >= (size_t{1} << 20); }
  T* allocate(size_t n) {
    return static_cast<T*>(Huge(n) ? AllocHuge(n * sizeof(T)) : ::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) {
    if (Huge(n))
      std::free(p);
    else
      ::operator delete(p);
  }
  template <typename U>
  bool operator==(const HugeAllocator<U>&) const {
    return true;
  }
};
// Objects with stable addresses, in huge-page blocks.
template <typename T>
class HugeArena {
 public:
  HugeArena() = default;
  HugeArena(const HugeArena&) = delete;
  HugeArena& operator=(const HugeArena&) = delete;
  ~HugeArena() { clear(); }
  T& emplace_back() {
    if (n_ % kPerBlock == 0) blocks_.push_back(static_cast<T*>(AllocHuge(kHugeBlock)));
    T* t = new (blocks_.back() + n_ % kPerBlock) T();
    ++n_;
    return *t;
  }
  T& operator[](size_t i) { return blocks_[i / kPerBlock][i % kPerBlock]; }
  size_t size() const { return n_; }
  void clear() {
    for (size_t i = 0; i < n_; ++i) (*this)[i].~T();
    for (T* b : blocks_) std::free(b);
    blocks_.clear();
    n_ = 0;
  }

 private:
  static constexpr size_t kPerBlock = kHugeBlock / sizeof(T);
  std::vector<T*> blocks_;
  size_t n_ = 0;
};

// Per-client aggregates while scanning, kept cache-friendly: what every request touches sits in
// the first two cache lines of an entry (the agent hashes in the third, touched only while a
// client has fewer than kMaxAgents agents), and the distinct paths are a short array of hashes
// scanned in place. The table counts the bytes it holds: past its budget it keeps no new
// clients, paths or agents, and counts them instead. Converted to ClientStats when a work
// unit ends.
// Of a budget for client aggregates, what the clients' paths and user agents may take; the
// rest is for the clients' own counts.
constexpr size_t ValuesBudget(size_t budget) { return budget / 4 * 3; }

class ClientTable {
 public:
  struct alignas(64) Entry {
    std::string ip;  // short addresses sit inside the string object
    uint64_t requests = 0, bytes = 0;
    UnixMicros first_seen = 0, last_seen = 0;
    // Statuses below 65536 with their counts, (status << 48) | count; others in more_statuses.
    std::array<uint64_t, 6> status{};
    uint8_t n_status = 0, n_agents = 0, n_paths = 0;
    bool paths_capped = false;
    std::array<uint64_t, ClientStats::kMaxAgents> agent_hash{};
    // The hashes of `paths`, in the same order: the first ones here (most clients have few
    // distinct paths), the others in more_path_hash.
    std::array<uint64_t, 16> path_hash{};
    std::vector<uint64_t> more_path_hash;
    std::vector<std::string> agents, paths;
    std::vector<std::pair<int, uint64_t>> more_statuses;
  };

  explicit ClientTable(size_t budget = SIZE_MAX) : budget_(budget) {}
  static uint64_t Hash(std::string_view ip) { return StrHash(ip); }
  // The entry for `ip` (h = Hash(ip)), created if there is room (nullptr when the table is
  // full: `max` entries, or its byte budget spent).
  Entry* Find(std::string_view ip, uint64_t h, size_t max) {
    if (slots_.empty()) Rehash(1024);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& sl = slots_[i];
      if (!sl.entry) {
        if (entries_.size() >= max || Full()) return nullptr;
        Entry* e = &entries_.emplace_back();
        e->ip = std::string(ip);
        sl.hash = h;
        sl.entry = e;
        // The entry and its share of the slot array (at most four slots an entry once the
        // array has doubled, the old array freed after the copy).
        bytes_ += sizeof(Entry) + 4 * sizeof(Slot) + HeapBytes(ip.size());
        if (entries_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
        return e;
      }
      if (sl.hash == h && sl.entry->ip == ip) return sl.entry;
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
      if (!sl.entry) return nullptr;
      if (sl.hash == h) return sl.entry;
    }
  }
  // Whether `bytes` more of a client's paths and agents may be kept; if so they are counted
  // as kept. Paths and agents have the first three quarters of the budget: past them, new
  // clients still get their counts (an address with no paths is better than no address).
  bool Take(size_t bytes) {
    if (bytes_ + bytes > ValuesBudget(budget_)) return false;
    bytes_ += bytes;
    return true;
  }
  bool Full() const { return bytes_ >= budget_; }
  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  // In first-seen order.
  std::vector<ClientStats> Release() {
    std::vector<ClientStats> out;
    out.reserve(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      Entry& e = entries_[i];
      ClientStats c;
      c.ip = std::move(e.ip);
      c.first_seen = e.first_seen;
      c.last_seen = e.last_seen;
      c.requests = e.requests;
      c.bytes = e.bytes;
      for (size_t k = 0; k < e.n_status; ++k)
        c.statuses.emplace_back(static_cast<int>(e.status[k] >> 48),
                                e.status[k] & ((uint64_t{1} << 48) - 1));
      for (auto& st : e.more_statuses) c.statuses.push_back(st);
      c.user_agents = std::move(e.agents);
      c.paths = std::move(e.paths);
      // The hashes of the kept strings (those of paths cut at 4 KiB: of the cut string).
      c.path_hashes.resize(c.paths.size());
      for (size_t k = 0; k < c.paths.size(); ++k)
        c.path_hashes[k] =
            k < e.path_hash.size() ? e.path_hash[k] : e.more_path_hash[k - e.path_hash.size()];
      for (size_t k = 0; k < c.paths.size(); ++k)
        if (c.paths[k].size() >= 4096) c.path_hashes[k] = PathHash(c.paths[k]);
      c.paths_capped = e.paths_capped;
      out.push_back(std::move(c));
    }
    entries_.clear();
    Free(slots_);
    return out;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;  // nullptr: empty
  };
  void Rehash(size_t n) {
    std::vector<Slot, HugeAllocator<Slot>> old = std::move(slots_);
    slots_.assign(n, Slot{});
    for (const Slot& sl : old) {
      if (!sl.entry) continue;
      size_t i = sl.hash & (n - 1);
      while (slots_[i].entry) i = (i + 1) & (n - 1);
      slots_[i] = sl;
    }
  }
  std::vector<Slot, HugeAllocator<Slot>> slots_;
  HugeArena<Entry> entries_;  // first seen first
  size_t bytes_ = 0, budget_;
};

// What one work unit found (its lines are counted by the logs component).
struct Unit {
  size_t input = 0;
  std::vector<LogHit> hits;
  std::vector<uint64_t> rule_hits;
  std::unique_ptr<ClientTable> table;
  std::vector<ClientStats> clients;  // from `table` when the unit is done, first seen first
  uint64_t clients_dropped = 0, hits_dropped = 0, client_values_dropped = 0;
  size_t hit_bytes = 0, hit_budget = SIZE_MAX;
  size_t client_bytes = 0;  // what its client table held when it was released
  const RuleSet* rs = nullptr;
  std::unique_ptr<CorrelationEvents> corr;  // events for correlations, when there are any
};

std::string Cap(std::string_view v) { return std::string(v.substr(0, 4096)); }

// Bytes a hit holds (its object and the heap blocks of its field copies).
size_t HitBytes(const std::array<std::string_view, logs::kFieldCount>& fields) {
  size_t n = sizeof(LogHit);
  for (std::string_view f : fields) n += HeapBytes(std::min<size_t>(f.size(), 4096));
  return n;
}

class UnitSink : public LineSink {
  struct Ahead;

 public:
  UnitSink(Unit& u, const LogScanOptions& o) : u_(u), table_(*u.table), o_(o) {}
  void OnSkip(std::string_view reason, uint64_t line_no) override {
    (void)reason, (void)line_no;  // counted by the logs component
  }
  // The client aggregates of the upcoming records are counted here, in their order, as a
  // software pipeline: while record i is counted, the entry of record i + 8 is fetched and the
  // table slot of record i + 16. Each record costs a few cache misses (slot, entry) in a table
  // larger than the caches; overlapped like this they no longer follow each other.
  void Upcoming(std::span<const logs::AccessLogRecord* const> recs) override {
    constexpr size_t kEntryAhead = 8, kLead = 16;
    const size_t n = recs.size();
    pre_.resize(n);
    pre_next_ = 0;
    for (size_t j = 0; j < n + kLead; ++j) {
      if (j < n) {
        Ahead& p = pre_[j];
        p = {recs[j], ClientTable::Hash(recs[j]->get(Field::kClientIp)), nullptr};
        table_.PrefetchSlot(p.ip_hash);
      }
      if (j >= kLead - kEntryAhead && j - (kLead - kEntryAhead) < n) {
        Ahead& p = pre_[j - (kLead - kEntryAhead)];
        p.entry = table_.PeekByHash(p.ip_hash);
        if (p.entry) {
          const char* e = reinterpret_cast<const char*>(p.entry);
          for (size_t off = 0; off < offsetof(ClientTable::Entry, more_path_hash); off += 64)
            __builtin_prefetch(e + off);
        }
      }
      if (j >= kLead) Client(*pre_[j - kLead].rec, &pre_[j - kLead]);
    }
  }
  void OnRecord(const logs::AccessLogRecord& r, std::span<const uint32_t> hits) override {
    if (pre_next_ < pre_.size() && pre_[pre_next_].rec == &r) {
      ++pre_next_;  // counted in Upcoming
    } else {
      Client(r, nullptr);
    }
    if (u_.corr && !hits.empty()) u_.corr->Add(r, hits, static_cast<uint32_t>(u_.input));
    for (uint32_t h : hits) {
      ++u_.rule_hits[h];
      if (!u_.rs->info[h].generate) continue;  // it only feeds correlations: counted, not kept
      size_t bytes = HitBytes(r.field);
      if (u_.hits.size() >= o_.max_hits || u_.hit_bytes + bytes > u_.hit_budget) {
        ++u_.hits_dropped;
        continue;
      }
      u_.hit_bytes += bytes;
      // Room for as many hits as the budget holds, reserved once: a doubling vector would
      // hold up to three times its hits while it moves them (pages not written to are not
      // resident, so the reserve costs only what is used).
      if (u_.hits.capacity() == 0)
        u_.hits.reserve(std::min(o_.max_hits, u_.hit_budget / sizeof(LogHit) + 1));
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
  // Counts a request in its client's aggregates; `pre`: what Upcoming looked up ahead, if it
  // did.
  void Client(const logs::AccessLogRecord& r, const Ahead* pre) {
    // A WAF entry or an error line repeats a request the access log counts (or has no client).
    if (r.kind != logs::RecordKind::kRequest) return;
    std::string_view ip = r.get(Field::kClientIp);
    ClientTable::Entry* c = nullptr;
    if (last_ && last_->ip == ip) {
      c = last_;
    } else if (pre && pre->entry && pre->entry->ip == ip) {
      c = last_ = pre->entry;
    } else {
      c = table_.Find(ip, pre ? pre->ip_hash : ClientTable::Hash(ip), o_.max_clients);
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
      uint64_t h = StrHash(ua);
      auto end = c->agent_hash.begin() + c->n_agents;
      if (std::find(c->agent_hash.begin(), end, h) == end) {
        if (table_.Take(PushBytes(c->agents, 4) + HeapBytes(std::min<size_t>(ua.size(), 4096)))) {
          if (c->agents.empty()) c->agents.reserve(4);
          c->agent_hash[c->n_agents++] = h;
          c->agents.push_back(Cap(ua));
        } else {
          ++u_.client_values_dropped;
        }
      }
    }
    if (!c->paths_capped) {
      std::string_view path = r.get(Field::kUriStem);
      AddPath(*c, path, PathHash(path));
    }
  }
  static void CountStatus(ClientTable::Entry& c, int status) {
    if (status >= 0 && status < 65536) {
      uint64_t key = static_cast<uint64_t>(status) << 48;
      for (size_t k = 0; k < c.n_status; ++k)
        if ((c.status[k] >> 48 << 48) == key) {
          ++c.status[k];
          return;
        }
      if (c.n_status < c.status.size()) {
        c.status[c.n_status++] = key | 1;
        return;
      }
    }
    for (auto& [s, k] : c.more_statuses)
      if (s == status) {
        ++k;
        return;
      }
    c.more_statuses.emplace_back(status, 1);
  }
  void AddPath(ClientTable::Entry& c, std::string_view path, uint64_t h) {
    size_t inline_n = std::min<size_t>(c.n_paths, c.path_hash.size());
    if (std::find(c.path_hash.begin(), c.path_hash.begin() + inline_n, h) !=
            c.path_hash.begin() + inline_n ||
        std::find(c.more_path_hash.begin(), c.more_path_hash.end(), h) != c.more_path_hash.end())
      return;
    if (c.n_paths >= ClientStats::kMaxPaths) {
      c.paths_capped = true;
      return;
    }
    // The string, the list's next block, and the hash's (past the first 16, inline), and
    // the exact array of hashes the aggregates get when the unit ends.
    size_t cost = PushBytes(c.paths, 8) + HeapBytes(std::min<size_t>(path.size(), 4096)) +
                  sizeof(uint64_t) +
                  (c.n_paths < c.path_hash.size() ? 0 : PushBytes(c.more_path_hash));
    if (!table_.Take(cost)) {
      ++u_.client_values_dropped;
      c.paths_capped = true;  // the list is incomplete
      return;
    }
    if (c.n_paths < c.path_hash.size())
      c.path_hash[c.n_paths] = h;
    else
      c.more_path_hash.push_back(h);
    ++c.n_paths;
    if (c.paths.empty()) c.paths.reserve(8);
    c.paths.push_back(Cap(path));
  }
  Unit& u_;
  ClientTable& table_;
  const LogScanOptions& o_;
  ClientTable::Entry* last_ = nullptr;
  struct Ahead {
    const logs::AccessLogRecord* rec;
    uint64_t ip_hash;
    ClientTable::Entry* entry;  // when the client was probably already known
  };
  std::vector<Ahead> pre_;
  size_t pre_next_ = 0;
};

// One work unit as the logs component reads it: its parsed lines are matched with a scanner
// and reported to the unit's aggregates.
class UnitScan : public logs::RecordSink {
 public:
  explicit UnitScan(std::unique_ptr<Scanner> scanner) : scanner_(std::move(scanner)) {}
  void Start(const LogScanOptions& o) { sink_ = std::make_unique<UnitSink>(unit, o); }
  // The unit is read: its scanner is free for another unit.
  std::unique_ptr<Scanner> Stop() {
    sink_.reset();
    return std::move(scanner_);
  }
  void OnChunk(std::string_view chunk, uint64_t offset, bool batched) override {
    (void)offset;
    scanner_->OnChunk(chunk, batched);
  }
  void OnLines(std::string_view chunk, std::span<const logs::ParsedLine> lines,
               std::span<const logs::AccessLogRecord> records) override {
    scanner_->Match(chunk, lines, records, *sink_);
  }
  Unit unit;

 private:
  std::unique_ptr<Scanner> scanner_;
  std::unique_ptr<UnitSink> sink_;
};

// logs::UnitSinks from three functions (ScanLogs' open, close and merge).
template <typename OpenF, typename CloseF, typename MergeF>
class UnitSinksOf : public logs::UnitSinks {
 public:
  UnitSinksOf(OpenF& open, CloseF& close, MergeF& merge)
      : open_(open), close_(close), merge_(merge) {}
  std::unique_ptr<logs::RecordSink> Open(const logs::ScanUnit& unit) override {
    return open_(unit);
  }
  void Close(const logs::ScanUnit& unit, logs::RecordSink& sink) override {
    (void)unit;
    close_(static_cast<UnitScan&>(sink));
  }
  void Merge(const logs::ScanUnit& unit, logs::RecordSink& sink, uint64_t line_shift) override {
    merge_(unit, static_cast<UnitScan&>(sink).unit, line_shift);
  }

 private:
  OpenF& open_;
  CloseF& close_;
  MergeF& merge_;
};

// Adds the paths of `c` that `m` lacks, up to the cap and as far as `take` (the memory
// budget) allows. Membership by hash (path_hashes, kept beside the paths), then bytes.
template <typename Take>
void MergePaths(ClientStats& m, ClientStats& c, Take& take) {
  for (size_t k = 0; k < c.paths.size(); ++k) {
    std::string& p = c.paths[k];
    uint64_t h = c.path_hashes[k];
    bool found = false;
    for (size_t j = 0; j < m.path_hashes.size() && !found; ++j)
      found = m.path_hashes[j] == h && m.paths[j] == p;
    if (found) continue;
    if (m.paths.size() >= ClientStats::kMaxPaths) {
      m.paths_capped = true;
      return;  // nothing else can change
    }
    if (!take(PushBytes(m.paths) + PushBytes(m.path_hashes) + HeapBytes(p.size()))) {
      m.paths_capped = true;  // the list is incomplete
      return;
    }
    m.path_hashes.push_back(h);
    m.paths.push_back(std::move(p));
  }
}

template <typename V>
size_t BlockBytes(const V& v) {
  return v.capacity() ? MallocBytes(v.capacity() * sizeof(typename V::value_type)) : 0;
}

}  // namespace

size_t StageFixedBytes(const LogScanOptions& o) {
  // Measured on the large drill with the shipped pack: 27 MB resident when the scan starts
  // (code, libraries, the rule databases), 5.5 MB of correlation window state, SQLite's page
  // cache (2 MB) while storing.
  constexpr size_t kProcess = size_t{32} << 20, kAfterScan = size_t{16} << 20;
  // Per thread: its line buffer (a chunk and the longest line), the decompressor's input,
  // and the parsed records of a chunk with the fields they decode (at most about a chunk).
  const size_t threads = static_cast<size_t>(std::max(1, o.threads));
  const size_t per_thread = 2 * o.chunk_size + o.stream.max_line + (size_t{1} << 20);
  // The writers of the request journal's segments (one a thread) live only while the scan
  // runs, the correlation state and the page cache only after it: they share one allowance.
  const size_t journal = o.request_journal.empty()
                             ? 0
                             : threads * logs::JournalSegmentWriter::MaxBytes(o.stream.max_line);
  return kProcess + std::max(kAfterScan, journal) + threads * per_thread;
}

namespace {

// Bytes a merged client's aggregates hold, for the memory bound: its map node (key, value,
// next pointer and hash) and bucket, the address twice, and the blocks of its lists as
// allocated. (The result's vector they are moved into once every unit is merged takes less
// than the work units' share, free by then.)
size_t ClientBytes(const ClientStats& c) {
  size_t n = MallocBytes(8 + sizeof(std::string) + sizeof(ClientStats) + 8) + 8 +
             2 * HeapBytes(c.ip.size());
  n += BlockBytes(c.statuses) + BlockBytes(c.user_agents) + BlockBytes(c.paths) +
       BlockBytes(c.path_hashes) + BlockBytes(c.agent_hashes);
  for (const std::string& a : c.user_agents) n += HeapBytes(a.size());
  for (const std::string& p : c.paths) n += HeapBytes(p.size());
  return n;
}

}  // namespace
Result<LogScanResult> ScanLogs(const std::vector<LogInput>& inputs, const RuleSet& rs,
                               const LogScanOptions& o) {
  TQ_RETURN_IF_ERROR(logs::ParserFor(o.stream).status());
  // TQ_LOGS_PHASES: when each unit is read and merged, and what follows the scan (its tail
  // runs on one thread).
  PhaseClock phases("TQ_LOGS_PHASES", "logs scan");
  LogScanResult res;
  res.rule_hits.assign(rs.rules.size(), 0);
  const int threads = std::max(1, o.threads);
  // Memory: the client aggregates and stored hits of the units being scanned or waiting to be
  // merged (at most `window` of them), and of the merged result, each within its share of
  // max_memory. A unit merges as soon as the units before it have (in input order, so the
  // result does not depend on the thread schedule); a thread waits rather than run more than
  // `window` units ahead of the merge.
  const size_t window = logs::ScanWindow(threads);
  // max_memory bounds the process while the stage runs. What it holds besides the tables
  // comes out of it first (StageFixedBytes); the tables count their bytes as the allocator
  // hands them out, and freed blocks go back to the system after each merge, so what is
  // resident follows what is counted.
  const size_t fixed = StageFixedBytes(o);
  const size_t stage_memory = o.max_memory > 2 * fixed ? o.max_memory - fixed : o.max_memory / 2;
  // Correlation events take their share out of it (at most a quarter).
  const size_t corr_memory =
      rs.corr.empty() ? 0 : std::min(o.max_correlation_memory, stage_memory / 4);
  const size_t scan_memory = stage_memory - corr_memory;
  const size_t client_budget = scan_memory / 4 * 3, hit_budget = scan_memory / 4;
  const size_t unit_client_budget = client_budget / 2 / window;
  const size_t unit_hit_budget = hit_budget / 2 / window;
  size_t merged_client_bytes = 0, merged_hit_bytes = 0;
  // Correlation events: one budget for the units' and the merged events.
  CorrelationBudget corr_budget(corr_memory);
  CorrelationEvents corr_events(rs, corr_budget);
  std::unordered_map<std::string, ClientStats, SvHash, std::equal_to<>> clients;
  // What the scan no longer needs is freed on a thread of its own (see the merge), which the
  // result keeps until it is destroyed (after it is stored).
  auto releaser = std::make_shared<Releaser>();

  // One Scanner (Vectorscan scratch, per-line state) per unit being read: at most one a thread.
  std::mutex scanners_mu;
  std::vector<std::unique_ptr<Scanner>> scanners;
  auto open = [&](const logs::ScanUnit& unit) -> std::unique_ptr<UnitScan> {
    std::unique_ptr<Scanner> scanner;
    {
      std::lock_guard<std::mutex> lock(scanners_mu);
      if (!scanners.empty()) {
        scanner = std::move(scanners.back());
        scanners.pop_back();
      }
    }
    if (!scanner) scanner = std::make_unique<Scanner>(rs);
    auto us = std::make_unique<UnitScan>(std::move(scanner));
    Unit& u = us->unit;
    u.input = unit.input;
    u.rule_hits.assign(rs.rules.size(), 0);
    u.table = std::make_unique<ClientTable>(unit_client_budget);
    u.hit_budget = unit_hit_budget;
    u.rs = &rs;
    if (!rs.corr.empty()) u.corr = std::make_unique<CorrelationEvents>(rs, corr_budget);
    us->Start(o);
    return us;
  };
  auto close = [&](UnitScan& us) {
    Unit& u = us.unit;
    std::unique_ptr<Scanner> scanner = us.Stop();
    u.client_bytes = u.table->bytes();
    u.clients = u.table->Release();
    u.table.reset();
    phases.Mark("unit read");
    std::lock_guard<std::mutex> lock(scanners_mu);
    scanners.push_back(std::move(scanner));
  };
  // Merges one finished unit into `res` and `clients`, then frees it. Ranges of one file get
  // their line numbers and offsets shifted.
  auto merge = [&](const logs::ScanUnit& unit, Unit& u, uint64_t shift) {
    for (LogHit& h : u.hits) {
      h.line_no += shift;
      h.offset += unit.begin;
    }
    for (size_t r = 0; r < u.rule_hits.size(); ++r) res.rule_hits[r] += u.rule_hits[r];
    if (res.hits.capacity() == 0 && !u.hits.empty())  // as in a unit: reserved once
      res.hits.reserve(std::min(o.max_hits, hit_budget / 2 / sizeof(LogHit) + 1));
    for (LogHit& h : u.hits) {
      size_t bytes = sizeof(LogHit);
      for (const std::string& f : h.fields) bytes += HeapBytes(f.size());
      if (res.hits.size() >= o.max_hits || merged_hit_bytes + bytes > hit_budget / 2) {
        ++res.hits_dropped;
        continue;
      }
      merged_hit_bytes += bytes;
      res.hits.push_back(std::move(h));
    }
    res.hits_dropped += u.hits_dropped;
    if (u.corr) {
      u.corr->Shift(shift, unit.begin);
      corr_events.Merge(*u.corr);
      u.corr.reset();
    }
    res.clients_dropped += u.clients_dropped;
    res.client_values_dropped += u.client_values_dropped;
    // The merged clients' share: paths and agents within its first three quarters, the
    // clients' own counts within all of it (as in a unit's table).
    const size_t merged_share = client_budget / 2;
    auto take = [&](size_t bytes) {
      if (merged_client_bytes + bytes > ValuesBudget(merged_share)) {
        ++res.client_values_dropped;
        return false;
      }
      merged_client_bytes += bytes;
      return true;
    };
    for (ClientStats& c : u.clients) {
      auto it = clients.find(c.ip);
      if (it == clients.end()) {
        size_t bytes = ClientBytes(c);
        if (merged_client_bytes + bytes > ValuesBudget(merged_share) &&
            (!c.paths.empty() || !c.user_agents.empty())) {
          // No room for its paths and agents: the client is kept with its counts.
          res.client_values_dropped += c.paths.size() + c.user_agents.size();
          Free(c.paths);
          Free(c.path_hashes);
          Free(c.user_agents);
          Free(c.agent_hashes);
          c.paths_capped = true;
          bytes = ClientBytes(c);
        }
        if (clients.size() >= o.max_clients || merged_client_bytes + bytes > merged_share) {
          res.clients_dropped += c.requests;
          continue;
        }
        merged_client_bytes += bytes;
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
        if (!found && take(PushBytes(m.statuses))) m.statuses.emplace_back(s, k);
      }
      for (auto& ua : c.user_agents)
        if (m.user_agents.size() < ClientStats::kMaxAgents &&
            std::find(m.user_agents.begin(), m.user_agents.end(), ua) == m.user_agents.end() &&
            take(PushBytes(m.user_agents) + HeapBytes(ua.size())))
          m.user_agents.push_back(ua);
      if (!(m.paths_capped && m.paths.size() >= ClientStats::kMaxPaths)) MergePaths(m, c, take);
      m.paths_capped |= c.paths_capped;
    }
    // The unit's blocks, once free, are still resident in its thread's arena, between blocks
    // the merged tables keep: 190 MB of the large drill's peak. Handed back here (whole free
    // pages), the process stays near what the tables count. Handing them back costs a system
    // call per run of free pages, each flushing the other core's TLB (6% of the CPU time of
    // four rotated gzip files), so it is done once the tables and the unit just merged come
    // to a quarter of the stage's memory; below that the freed blocks cost less than the
    // bound leaves free, and the next units reuse them. Below it too, the unit is freed on
    // the releasing thread, not here: freeing the last unit's million path strings was a
    // tenth of the single-threaded tail. One unit at most waits there to be freed (when the
    // one before still does, this one is freed here), so what is resident beyond what the
    // tables count stays under that quarter.
    const bool tight =
        4 * (merged_client_bytes + merged_hit_bytes + u.client_bytes + u.hit_bytes) > stage_memory;
    if (!tight && releaser->Idle()) {
      releaser->Free(std::move(u.hits));
      releaser->Free(std::move(u.clients));
    } else {
      Free(u.hits);
      Free(u.clients);
      if (tight) malloc_trim(0);
    }
    phases.Mark("unit merged");
  };
  UnitSinksOf sinks(open, close, merge);
  logs::ScanOptions lo;
  lo.stream = o.stream;
  lo.threads = threads;
  lo.chunk_size = o.chunk_size;
  lo.request_journal = o.request_journal;
  lo.progress = o.progress;
  std::vector<logs::ScanFile> files;
  files.reserve(inputs.size());
  for (const LogInput& in : inputs) files.push_back({in.path, in.evidence_id, in.sha256});
  TQ_ASSIGN_OR_RETURN(logs::ScanResult read, logs::ScanFiles(files, lo, sinks));
  res.stats = std::move(read.stats);
  res.order = std::move(read.order);
  res.request_journal_error = std::move(read.request_journal_error);

  res.correlation_hits = corr_events.Evaluate();
  phases.Mark("correlations");
  res.correlation_stats = corr_events.stats();
  std::sort(res.hits.begin(), res.hits.end(), [](const LogHit& a, const LogHit& b) {
    return std::tie(a.input, a.line_no, a.rule) < std::tie(b.input, b.line_no, b.rule);
  });
  // Node by node, each freed once moved (the map and a copy of it side by side were the
  // stage's peak).
  res.clients.reserve(clients.size());
  while (!clients.empty()) {
    ClientStats& c = res.clients.emplace_back(std::move(clients.extract(clients.begin()).mapped()));
    std::sort(c.statuses.begin(), c.statuses.end());
  }
  std::sort(res.clients.begin(), res.clients.end(),
            [](const ClientStats& a, const ClientStats& b) { return a.ip < b.ip; });
  // The scan's state is freed as the function returns, the scanners beside the store.
  releaser->Free(std::move(scanners));
  res.released = std::move(releaser);
  phases.Mark("sorted");
  return res;
}

}  // namespace tq::rules
