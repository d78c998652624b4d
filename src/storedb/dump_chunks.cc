// The dump parsed in chunks on several cores (see dump_chunks.h).
#include "storedb/dump_chunks.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "storedb/dump_batch.h"
#include "storedb/dump_parser.h"

namespace tq::storedb {

namespace {

constexpr size_t kReadBytes = 1u << 20;  // per read of the input
constexpr size_t kPooledBatches = 64;

// Chunk buffers of one size, reused: a new buffer's pages are faulted in and zeroed by the
// kernel, which costs more than the parse of them.
class BufferPool {
 public:
  BufferPool(size_t size, size_t kept) : size_(size), kept_(kept) {}
  size_t size() const { return size_; }
  std::unique_ptr<char[]> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::unique_ptr<char[]>(new char[size_]);
    std::unique_ptr<char[]> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Give(std::unique_ptr<char[]> b) {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < kept_) free_.push_back(std::move(b));
  }

 private:
  const size_t size_, kept_;
  std::mutex mu_;
  std::vector<std::unique_ptr<char[]>> free_;
};

struct Chunk {
  ~Chunk() {
    if (pool && data && cap == pool->size()) pool->Give(std::move(data));
  }
  uint64_t index = 0, offset = 0, line = 1;
  std::shared_ptr<BufferPool> pool;
  std::unique_ptr<char[]> data;
  size_t size = 0, cap = 0;
  bool last = false;
  Status read_error;  // the input failed after the bytes of the last chunk
  // A worker's parse of the chunk.
  bool claimed = false, done = false;
  bool guess_in_cond = false;
  std::vector<std::unique_ptr<Batch>> batches;
  DumpStats stats;
  Status status;
  ParseEnd end = ParseEnd::kEnd;
  ParseStart end_state;
  TableMap changed;
  std::vector<std::pair<std::string, std::shared_ptr<const DumpTable>>> read;
  bool restarted = false;
};

// Where to cut a chunk of n bytes: the start of the last line that begins "INSERT INTO " after
// a line that ends in ';' (mysqldump's statement lines), else the start of the last line after
// a ';', else n. Only a guess: a cut inside a statement is found out and parsed across.
size_t FindCut(const char* p, size_t n) {
  constexpr std::string_view kInsert = "INSERT INTO ";
  size_t after_semicolon = 0;
  for (size_t i = n; i > 1;) {
    const char* nl = static_cast<const char*>(memrchr(p, '\n', i - 1));
    if (!nl) break;
    size_t at = static_cast<size_t>(nl - p);
    if (at > 0 && p[at - 1] == ';') {
      if (after_semicolon == 0) after_semicolon = at + 1;
      if (n - (at + 1) >= kInsert.size() &&
          std::memcmp(p + at + 1, kInsert.data(), kInsert.size()) == 0)
        return at + 1;
    }
    i = at + 1;
  }
  return after_semicolon > 0 ? after_semicolon : n;
}

bool SameTable(const DumpTable* a, const DumpTable* b) {
  if (a == b) return true;
  if (!a || !b) return false;
  if (a->name != b->name || a->line != b->line || a->offset != b->offset ||
      a->primary_key != b->primary_key || a->columns.size() != b->columns.size())
    return false;
  for (size_t i = 0; i < a->columns.size(); ++i)
    if (a->columns[i].name != b->columns[i].name || a->columns[i].type != b->columns[i].type)
      return false;
  return true;
}

std::shared_ptr<const TableMap> Merge(const std::shared_ptr<const TableMap>& base,
                                      const TableMap& changed) {
  if (changed.empty()) return base;
  auto merged = std::make_shared<TableMap>(base ? *base : TableMap());
  for (const auto& [name, t] : changed) (*merged)[name] = t;
  return merged;
}

void AddStats(const DumpStats& s, DumpStats* total) {
  total->statements += s.statements;
  total->tables += s.tables;
  total->rows += s.rows;
  total->rows_skipped += s.rows_skipped;
  total->problems += s.problems;
}

// One chunk's bytes: its end is a boundary unless it is the dump's last chunk, whose end is
// the dump's (or the read error there).
class ChunkInput : public ByteInput {
 public:
  explicit ChunkInput(const Chunk& c) : c_(c) {}
  Result<size_t> Read(char* out, size_t n) override {
    size_t k = std::min(n, c_.size - pos_);
    if (k == 0 && c_.last && !c_.read_error.ok()) return c_.read_error;
    std::memcpy(out, c_.data.get() + pos_, k);
    pos_ += k;
    return k;
  }
  bool AtBoundary() const override { return !c_.last && pos_ == c_.size; }
  std::string_view Lend() override {
    std::string_view rest(c_.data.get() + pos_, c_.size - pos_);
    pos_ = c_.size;
    return rest;
  }

 private:
  const Chunk& c_;
  size_t pos_ = 0;
};

// The calling thread's sink during its own parse: the real sink, with the rows handed over
// counted per table, and the rows past those the sink reads in full only counted, as the
// workers' recorders do.
class CountingSink final : public DumpSink {
 public:
  CountingSink(DumpSink& sink, std::map<std::string, uint64_t, std::less<>>* delivered)
      : sink_(sink), delivered_(*delivered) {}
  Status OnTable(const DumpTable& t) override {
    Finish();
    return sink_.OnTable(t);
  }
  Status OnRow(const DumpRow& row) override {
    if (row.table != table_ || row.schema_generation != generation_) {
      Finish();
      table_ = row.table;
      generation_ = row.schema_generation;
      handed_ = &delivered_[row.table->name];
      read_in_full_ = sink_.RowsReadInFull(*row.table);
    }
    if (*handed_ >= read_in_full_) {
      if (counted_ == 0) counted_table_ = std::make_unique<DumpTable>(*row.table);
      ++counted_;
      return Status::Ok();
    }
    Finish();
    ++*handed_;
    return sink_.OnRow(row);
  }
  void OnProblem(const DumpProblem& p) override {
    Finish();
    sink_.OnProblem(p);
  }
  bool CountsOnly(const DumpTable& t) const override {
    uint64_t full = sink_.RowsReadInFull(t);
    if (full == UINT64_MAX) return false;
    auto it = delivered_.find(t.name);
    return it != delivered_.end() && it->second >= full;
  }
  // Hands over the rows counted since the last call.
  void Finish() {
    if (counted_ > 0) sink_.OnRowsCounted(*counted_table_, counted_);
    counted_ = 0;
  }

 private:
  DumpSink& sink_;
  std::map<std::string, uint64_t, std::less<>>& delivered_;
  const DumpTable* table_ = nullptr;
  uint64_t generation_ = ~0ull;
  uint64_t* handed_ = nullptr;
  uint64_t read_in_full_ = UINT64_MAX;
  std::unique_ptr<DumpTable> counted_table_;  // a copy: the parser may replace its own
  uint64_t counted_ = 0;
};

class ChunkedRead {
 public:
  ChunkedRead(ByteInput& in, std::string_view name, DumpSink& sink, const DumpOptions& o,
              int workers)
      : in_(in), name_(name), sink_(sink), opt_(o), window_max_(2 * workers + 2) {}

  Result<DumpStats> Run(int workers, std::string compression) {
    std::vector<std::thread> threads;
    threads.emplace_back([this] { Split(); });
    for (int i = 0; i < workers; ++i) threads.emplace_back([this] { Work(); });
    Result<DumpStats> r = Consume();
    if (std::getenv("TQ_STOREDB_PHASES"))  // where the read's time goes (core/phase_clock.h)
      std::fprintf(stderr,
                   "storedb chunks: %llu replayed, %llu parsed again on the calling thread, "
                   "which waited %.2f s for the workers\n",
                   static_cast<unsigned long long>(replayed_),
                   static_cast<unsigned long long>(reparsed_), waited_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads) t.join();
    if (r.ok()) r->compression = std::move(compression);
    return r;
  }

 private:
  // ---- Splitter thread ----
  void Split() {
    uint64_t offset = 0, line = 1, index = 0;
    auto pool = std::make_shared<BufferPool>(opt_.chunk_bytes + kReadBytes, window_max_ + 4);
    // The bytes after the last cut, already in the next chunk's buffer.
    std::unique_ptr<char[]> next = pool->Take();
    size_t next_cap = pool->size(), carry_size = 0;
    size_t next_cut = 0;  // into opt_.split_at
    for (;;) {
      auto c = std::make_shared<Chunk>();
      c->index = index++;
      c->offset = offset;
      c->line = line;
      c->pool = pool;
      c->data = std::move(next);
      c->cap = next_cap;
      c->size = carry_size;
      // How far this chunk should reach.
      uint64_t want = opt_.chunk_bytes;
      bool exact = false;
      while (next_cut < opt_.split_at.size() && opt_.split_at[next_cut] <= offset) ++next_cut;
      if (!opt_.split_at.empty()) {
        exact = true;
        want = next_cut < opt_.split_at.size() ? opt_.split_at[next_cut] - offset : UINT64_MAX;
      }
      bool eof = false;
      while (c->size < want) {
        if (stop_) return;
        if (c->size == c->cap) {  // an exact cut far away: grow
          std::unique_ptr<char[]> bigger(new char[c->cap * 2]);
          std::memcpy(bigger.get(), c->data.get(), c->size);
          c->data = std::move(bigger);
          c->cap *= 2;
        }
        Result<size_t> r =
            in_.Read(c->data.get() + c->size, std::min(kReadBytes, c->cap - c->size));
        if (!r.ok()) {
          c->read_error = r.status();
          eof = true;
          break;
        }
        if (*r == 0) {
          eof = true;
          break;
        }
        c->size += *r;
      }
      size_t cut = c->size;
      carry_size = 0;
      if (eof) {
        c->last = true;
      } else {
        cut = exact ? static_cast<size_t>(want) : FindCut(c->data.get(), c->size);
        carry_size = c->size - cut;
        if (carry_size <= pool->size()) {
          next = pool->Take();
          next_cap = pool->size();
        } else {
          next.reset(new char[carry_size]);
          next_cap = carry_size;
        }
        std::memcpy(next.get(), c->data.get() + cut, carry_size);
        c->size = cut;
      }
      offset += cut;
      line += CountLines(c->data.get(), cut);
      bool last = c->last;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return window_.size() < window_max_ || stop_; });
        if (stop_) return;
        window_.push_back(std::move(c));
        if (last) split_done_ = true;
      }
      cv_.notify_all();
      if (last) return;
    }
  }

  // ---- Worker threads ----
  class Outlet final : public BatchOutlet {
   public:
    Outlet(ChunkedRead& r, Chunk& c) : r_(r), c_(c) {}
    bool Push(std::unique_ptr<Batch> b) override {
      c_.batches.push_back(std::move(b));
      return !r_.stop_;
    }
    bool Stopped() const override { return r_.stop_; }
    std::unique_ptr<Batch> Reuse() override {
      std::lock_guard<std::mutex> lock(r_.mu_);
      if (r_.pool_.empty()) return nullptr;
      std::unique_ptr<Batch> b = std::move(r_.pool_.back());
      r_.pool_.pop_back();
      return b;
    }
    uint64_t DeliveredBefore(std::string_view table) override {
      std::lock_guard<std::mutex> lock(r_.mu_);
      auto it = r_.published_delivered_.find(table);
      return it == r_.published_delivered_.end() ? 0 : it->second;
    }

   private:
    ChunkedRead& r_;
    Chunk& c_;
  };

  void Work() {
    for (;;) {
      std::shared_ptr<Chunk> c;
      ParseStart start;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] {
          if (stop_) return true;
          for (const auto& w : window_)
            if (!w->claimed) return true;
          return split_done_;
        });
        if (stop_) return;
        for (const auto& w : window_)
          if (!w->claimed) {
            c = w;
            break;
          }
        if (!c) return;  // the splitter is done and every chunk is taken
        c->claimed = true;
        start.in_cond = guess_in_cond_;
        start.tables = guess_tables_;
      }
      start.offset = c->offset;
      start.line = c->line;
      c->guess_in_cond = start.in_cond;
      ChunkInput in(*c);
      Outlet out(*this, *c);
      Recorder rec(out, sink_);
      Parser p(in, rec, opt_, &c->stats, start);
      c->status = p.Run();
      Status flushed = rec.Flush(true);
      if (c->status.ok() && !flushed.ok()) c->status = flushed;
      c->end = p.end();
      c->end_state = p.EndState();
      c->end_state.tables.reset();
      c->changed = p.changed_tables();
      c->read = p.tables_read();
      c->restarted = p.restarted_row_index();
      {
        std::lock_guard<std::mutex> lock(mu_);
        c->done = true;
        // The next chunks guess from what this one ended with.
        if (c->end == ParseEnd::kBoundary) guess_in_cond_ = c->end_state.in_cond;
        guess_tables_ = Merge(guess_tables_, c->changed);
      }
      cv_.notify_all();
    }
  }

  // ---- Calling thread ----
  // The chunks from the window's front on, for the calling thread's own parse: at a chunk's
  // end it moves on to the next (waiting for the splitter), dropping the one it read.
  class SequenceInput final : public ByteInput {
   public:
    SequenceInput(ChunkedRead& r, std::shared_ptr<Chunk> first) : r_(r), c_(std::move(first)) {}
    Result<size_t> Read(char* out, size_t n) override {
      size_t k = std::min(n, c_->size - pos_);
      if (k == 0 && c_->last && !c_->read_error.ok()) return c_->read_error;
      std::memcpy(out, c_->data.get() + pos_, k);
      pos_ += k;
      return k;
    }
    bool AtBoundary() const override { return !c_->last && pos_ == c_->size; }
    std::string_view Lend() override {
      std::string_view rest(c_->data.get() + pos_, c_->size - pos_);
      pos_ = c_->size;
      return rest;
    }
    bool Advance() override {
      std::unique_lock<std::mutex> lock(r_.mu_);
      r_.window_.pop_front();  // c_, read to its end
      r_.cv_.notify_all();
      r_.cv_.wait(lock, [&] { return !r_.window_.empty() || r_.stop_; });
      if (r_.window_.empty()) return false;
      c_ = r_.window_.front();
      c_->claimed = true;  // no worker parses it now
      pos_ = 0;
      return true;
    }

   private:
    ChunkedRead& r_;
    std::shared_ptr<Chunk> c_;
    size_t pos_ = 0;
  };

  bool Valid(const Chunk& c) const {
    if (c.restarted || c.offset != truth_.offset || c.line != truth_.line ||
        c.guess_in_cond != truth_.in_cond)
      return false;
    if (c.end != (c.last ? ParseEnd::kEnd : ParseEnd::kBoundary)) return false;
    if (!c.status.ok() && !c.last) return false;
    for (const auto& [name, guessed] : c.read) {
      const DumpTable* truly = nullptr;
      if (truth_.tables) {
        auto it = truth_.tables->find(name);
        if (it != truth_.tables->end()) truly = it->second.get();
      }
      if (!SameTable(truly, guessed.get())) return false;
    }
    return true;
  }

  Status Failed(const Status& s) {
    return Status(s.code(), std::string(name_) + ": " + s.message());
  }

  // Publishes the rows handed over per table, for the workers' counting (Recorder).
  void Publish() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, n] : replay_.delivered) {
      auto [it, added] = published_delivered_.try_emplace(name, n);
      if (!added) it->second = n;
    }
  }

  Result<DumpStats> Consume() {
    DumpStats total;
    std::vector<DumpValue> values;
    for (;;) {
      std::shared_ptr<Chunk> c;
      {
        std::unique_lock<std::mutex> lock(mu_);
        auto t0 = std::chrono::steady_clock::now();
        cv_.wait(lock, [&] { return (!window_.empty() && window_.front()->done) || stop_; });
        waited_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (stop_) return Status::Internal("dump reader stopped");
        c = window_.front();
      }
      if (Valid(*c)) {
        ++replayed_;
        for (const std::unique_ptr<Batch>& b : c->batches) {
          Status s = Replay(*b, sink_, replay_, &replay_.delivered, &values);
          if (!s.ok()) return Failed(s);
        }
        AddStats(c->stats, &total);
        // A read error ends the read after the calls before it, as on the calling thread.
        if (!c->status.ok()) return Failed(c->status);
        for (const auto& [name, n] : c->end_state.row_index) replay_.row_index[name] += n;
        replay_.generation += c->end_state.schema_generation;
        truth_.tables = Merge(truth_.tables, c->changed);
        truth_.in_cond = c->end_state.in_cond;
        truth_.offset = c->end_state.offset;
        truth_.line = c->end_state.line;
        if (c->last) {
          total.bytes = c->stats.bytes;
          return total;
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          for (std::unique_ptr<Batch>& b : c->batches) {
            if (pool_.size() >= kPooledBatches) break;
            b->Clear();
            pool_.push_back(std::move(b));
          }
          window_.pop_front();
        }
        cv_.notify_all();
        Publish();
        continue;
      }
      // The worker's guess was wrong or its chunk was cut inside a statement: parse from the
      // true state here, through as many chunks as it takes to stand between two statements.
      ParseStart start = truth_;
      start.row_index = replay_.row_index;
      start.schema_generation = replay_.generation;
      ++reparsed_;
      SequenceInput in(*this, c);
      CountingSink counting(sink_, &replay_.delivered);
      DumpStats st;
      Parser p(in, counting, opt_, &st, start);
      Status s = p.Run();
      counting.Finish();
      AddStats(st, &total);
      if (!s.ok()) return Failed(s);
      if (p.end() == ParseEnd::kEnd) {
        total.bytes = st.bytes;
        return total;
      }
      ParseStart e = p.EndState();
      replay_.row_index = std::move(e.row_index);
      replay_.generation = e.schema_generation;
      truth_ = std::move(e);
      {
        std::lock_guard<std::mutex> lock(mu_);
        window_.pop_front();  // the chunk the parse stopped at the end of
        guess_in_cond_ = truth_.in_cond;
        guess_tables_ = truth_.tables;
      }
      cv_.notify_all();
      Publish();
    }
  }

  ByteInput& in_;
  std::string_view name_;
  DumpSink& sink_;
  const DumpOptions& opt_;
  const size_t window_max_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  std::deque<std::shared_ptr<Chunk>> window_;  // not yet taken by the calling thread
  bool split_done_ = false;
  std::atomic<bool> stop_{false};
  bool guess_in_cond_ = false;
  std::shared_ptr<const TableMap> guess_tables_;
  std::map<std::string, uint64_t, std::less<>> published_delivered_;
  std::vector<std::unique_ptr<Batch>> pool_;

  // The calling thread's: the true state at the front chunk's start.
  ParseStart truth_;
  ReplayState replay_;
  uint64_t replayed_ = 0, reparsed_ = 0;  // chunks
  double waited_ = 0;                     // seconds the calling thread waited for a chunk
};

}  // namespace

uint64_t CountLines(const char* p, size_t n) {
  uint64_t lines = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time: a newline's lane of the compare is -1, subtracted into byte lanes
  // for up to 255 steps, then the lanes summed.
  const __m128i newline = _mm_set1_epi8('\n');
  while (n - i >= 16) {
    __m128i counts = _mm_setzero_si128();
    const size_t steps = std::min<size_t>((n - i) / 16, 255);
    for (size_t k = 0; k < steps; ++k, i += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(v, newline));
    }
    __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    lines += static_cast<uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<uint64_t>(_mm_extract_epi16(sums, 4));
  }
#endif
  // Eight bytes at a time, exactly (no carries across bytes).
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full, kNewlines = 0x0a0a0a0a0a0a0a0aull;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    v ^= kNewlines;  // a newline is now a zero byte
    uint64_t t = (v & kLow7) + kLow7;
    uint64_t zero = ~(t | v | kLow7) >> 7;          // 1 in each byte that was a newline, else 0
    lines += (zero * 0x0101010101010101ull) >> 56;  // their sum, in the top byte
  }
  for (; i < n; ++i) lines += p[i] == '\n';
  return lines;
}

int ParallelWorkers(int threads) {
  if (threads == 1) return 0;
  unsigned cores = std::thread::hardware_concurrency();
  if (cores < 2) return 0;
  int n = threads <= 0 ? static_cast<int>(cores) : threads;
  return std::clamp(n, 2, 16);
}

Result<DumpStats> ReadInChunks(ByteInput& in, std::string compression,
                               std::string_view display_name, DumpSink& sink,
                               const DumpOptions& options) {
  int workers = ParallelWorkers(options.threads);
  ChunkedRead read(in, display_name, sink, options, workers);
  return read.Run(workers, std::move(compression));
}

}  // namespace tq::storedb
