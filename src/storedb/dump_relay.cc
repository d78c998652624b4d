// The dump parser on a core of its own: the parser thread records each sink call (tables,
// rows with their values copied into one arena per batch, problems) into batches; the calling
// thread replays them to the real sink in order. The sink (the analyzer and its SQLite writes)
// sees exactly the calls the single-thread path makes, so the case it writes is the same;
// the parse (a quarter of the database stage) runs beside the writes instead of between them
// (investigate --db-threads 2). Rows past those the sink reads in full (DumpSink::RowsReadInFull:
// the analyzer only counts most rows of the order item and grid tables) are counted on the
// parser thread and handed over as one count per run of them.
// Memory: at most kQueued + 4 batches of about kBatchBytes each, plus one row that is larger.
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "core/batch_channel.h"
#include "storedb/dump_input.h"

namespace tq::storedb {

namespace {

// Small batches that are reused: a batch stays in the caches between the two threads, and
// no page is allocated (and faulted in) again per batch.
constexpr size_t kBatchBytes = 1u << 20;
constexpr size_t kBatchEvents = 4096;
constexpr size_t kQueued = 4;

struct Batch {
  enum class Kind : uint8_t { kTable, kRow, kProblem, kCounted };
  struct Event {
    Kind kind;
    uint32_t index;  // into tables, rows, problems or counted
  };
  struct Counted {
    std::shared_ptr<const DumpTable> table;
    uint64_t rows;
  };
  struct Value {
    ValueKind kind;
    size_t begin, size;  // in arena
  };
  struct Row {
    uint32_t schema;  // into schemas
    uint32_t first_value, values;
    uint64_t line, offset, index;
  };
  struct Schema {
    std::shared_ptr<const DumpTable> table;
    std::shared_ptr<const std::vector<std::string>> columns;  // null: none
    uint64_t generation = 0;
  };
  std::vector<Event> events;
  std::vector<std::shared_ptr<const DumpTable>> tables;
  std::vector<Row> rows;
  std::vector<Value> values;
  std::vector<Schema> schemas;
  std::vector<DumpProblem> problems;
  std::vector<Counted> counted;
  std::string arena;
  void Clear() {  // keeps the capacity
    events.clear();
    counted.clear();
    tables.clear();
    rows.clear();
    values.clear();
    schemas.clear();
    problems.clear();
    arena.clear();
  }
};

// Between the two threads: a bounded queue of batches, and a stop flag either side sets;
// replayed batches go back to the parser to be filled again.
using Channel = BatchChannel<std::unique_ptr<Batch>>;

// Parser thread: records every call into the current batch.
class Recorder final : public DumpSink {
 public:
  Recorder(Channel& ch, const DumpSink& sink) : ch_(ch), sink_(sink) {}

  Status OnTable(const DumpTable& table) override {
    EndCount();
    Batch& b = Current();
    b.events.push_back({Batch::Kind::kTable, static_cast<uint32_t>(b.tables.size())});
    b.tables.push_back(std::make_shared<const DumpTable>(table));
    return Flush(false);
  }

  Status OnRow(const DumpRow& row) override {
    // The table and column list are copied once per change (a statement), not per row.
    if (!table_ || generation_ != row.schema_generation || table_source_ != row.table ||
        columns_source_ != row.columns) {
      EndCount();
      generation_ = row.schema_generation;
      table_source_ = row.table;
      columns_source_ = row.columns;
      table_ = std::make_shared<const DumpTable>(*row.table);
      columns_ =
          row.columns ? std::make_shared<const std::vector<std::string>>(*row.columns) : nullptr;
      read_in_full_ = sink_.RowsReadInFull(*table_);
      rows_of_table_ = &rows_by_table_[table_->name];
    }
    if (*rows_of_table_ >= read_in_full_) {
      // Counting pushes nothing, so a stop is looked for here now and then.
      if (++counting_ % 65536 == 0 && ch_.Stopped()) return Status::Internal("dump reader stopped");
      return Status::Ok();
    }
    ++*rows_of_table_;
    Batch& b = Current();
    if (b.schemas.empty() || b.schemas.back().table != table_)
      b.schemas.push_back({table_, columns_, generation_});
    Batch::Row r;
    r.schema = static_cast<uint32_t>(b.schemas.size() - 1);
    r.first_value = static_cast<uint32_t>(b.values.size());
    r.values = static_cast<uint32_t>(row.values.size());
    r.line = row.line;
    r.offset = row.offset;
    r.index = row.index;
    for (const DumpValue& v : row.values) {
      b.values.push_back({v.kind, b.arena.size(), v.bytes.size()});
      b.arena.append(v.bytes);
    }
    b.events.push_back({Batch::Kind::kRow, static_cast<uint32_t>(b.rows.size())});
    b.rows.push_back(r);
    return Flush(false);
  }

  void OnProblem(const DumpProblem& problem) override {
    EndCount();
    Batch& b = Current();
    b.events.push_back({Batch::Kind::kProblem, static_cast<uint32_t>(b.problems.size())});
    b.problems.push_back(problem);
    (void)Flush(false);  // a stop is seen at the next row or table
  }

  // Hands the current batch on (all of it when `last`). An error when the reader stopped.
  Status Flush(bool last) {
    if (last) EndCount();
    if (!batch_) return Status::Ok();
    if (!last && batch_->arena.size() < kBatchBytes && batch_->events.size() < kBatchEvents)
      return Status::Ok();
    if (!ch_.Push(std::move(batch_))) return Status::Internal("dump reader stopped");
    return Status::Ok();
  }

 private:
  // Records the rows counted since the last event as one event.
  void EndCount() {
    if (counting_ == 0) return;
    Batch& b = Current();
    b.events.push_back({Batch::Kind::kCounted, static_cast<uint32_t>(b.counted.size())});
    b.counted.push_back({table_, counting_});
    counting_ = 0;
  }

  Batch& Current() {
    if (!batch_) {
      if (std::optional<std::unique_ptr<Batch>> reused = ch_.TakeReturned())
        batch_ = std::move(*reused);
      if (!batch_) {
        batch_ = std::make_unique<Batch>();
        batch_->arena.reserve(kBatchBytes + (64u << 10));
      }
    }
    return *batch_;
  }

  Channel& ch_;
  const DumpSink& sink_;
  std::unique_ptr<Batch> batch_;
  // Rows handed over per table name, those read in full for the current table, and the rows
  // of it counted since the last event.
  std::map<std::string, uint64_t, std::less<>> rows_by_table_;
  uint64_t* rows_of_table_ = nullptr;
  uint64_t read_in_full_ = UINT64_MAX;
  uint64_t counting_ = 0;
  // The last copies made, shared by the batches that follow while the schema is unchanged.
  std::shared_ptr<const DumpTable> table_;
  std::shared_ptr<const std::vector<std::string>> columns_;
  uint64_t generation_ = 0;
  const DumpTable* table_source_ = nullptr;
  const std::vector<std::string>* columns_source_ = nullptr;
};

// Calling thread: replays one batch to the sink.
Status Replay(const Batch& b, DumpSink& sink, std::vector<DumpValue>* values) {
  for (const Batch::Event& e : b.events) {
    switch (e.kind) {
      case Batch::Kind::kTable: TQ_RETURN_IF_ERROR(sink.OnTable(*b.tables[e.index])); break;
      case Batch::Kind::kProblem: sink.OnProblem(b.problems[e.index]); break;
      case Batch::Kind::kCounted:
        sink.OnRowsCounted(*b.counted[e.index].table, b.counted[e.index].rows);
        break;
      case Batch::Kind::kRow: {
        const Batch::Row& r = b.rows[e.index];
        const Batch::Schema& s = b.schemas[r.schema];
        values->resize(r.values);
        for (uint32_t i = 0; i < r.values; ++i) {
          const Batch::Value& v = b.values[r.first_value + i];
          (*values)[i] = DumpValue{v.kind, std::string_view(b.arena.data() + v.begin, v.size)};
        }
        DumpRow row;
        row.table = s.table.get();
        row.columns = s.columns.get();
        row.values = std::span<const DumpValue>(values->data(), values->size());
        row.line = r.line;
        row.offset = r.offset;
        row.index = r.index;
        row.schema_generation = s.generation;
        TQ_RETURN_IF_ERROR(sink.OnRow(row));
        break;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<DumpStats> ParseRelayed(const std::function<Result<DumpStats>(DumpSink&)>& parse,
                               std::string_view display_name, DumpSink& sink, int threads) {
  if (threads == 1 || std::thread::hardware_concurrency() < 2) return parse(sink);
  Channel ch(kQueued, kQueued + 2);
  Result<DumpStats> parsed = Status::Internal("dump parser did not run");
  std::thread parser([&] {
    Recorder rec(ch, sink);
    parsed = parse(rec);
    // What came before a read error reaches the sink too, as on the direct path.
    Status s = rec.Flush(true);
    if (parsed.ok() && !s.ok()) parsed = s;
    ch.Close();
  });
  Status sink_error;
  std::vector<DumpValue> values;
  while (std::optional<std::unique_ptr<Batch>> b = ch.Pop()) {
    if (!sink_error.ok()) continue;  // draining after a stop
    sink_error = Replay(**b, sink, &values);
    if (!sink_error.ok()) ch.Stop();
    (*b)->Clear();
    ch.Return(std::move(*b));
  }
  parser.join();
  if (!sink_error.ok())
    return Status(sink_error.code(), std::string(display_name) + ": " + sink_error.message());
  return parsed;
}

}  // namespace tq::storedb
