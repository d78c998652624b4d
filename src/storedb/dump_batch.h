// Implementation header of storedb's parallel dump read (dump_chunks.cc): the sink calls a
// parser makes on a thread of its own, recorded into batches (tables, rows with their values
// copied into one arena per batch, problems, counted rows), and replayed on the calling thread
// to the real sink in order.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storedb/dump.h"

namespace tq::storedb {

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
    bool projected = false;  // the rows hold only the columns the sink reads (Projection)
  };
  std::vector<Event> events;
  std::vector<std::shared_ptr<const DumpTable>> tables;
  std::vector<Row> rows;
  std::vector<Value> values;
  std::vector<Schema> schemas;
  std::vector<DumpProblem> problems;
  std::vector<Counted> counted;
  std::string arena;
  void Clear();  // keeps the capacity
};

// Where the recorder's batches go, and what it may know of the read as a whole.
class BatchOutlet {
 public:
  virtual ~BatchOutlet() = default;
  // Takes a full batch; false when the read stopped.
  virtual bool Push(std::unique_ptr<Batch> batch) = 0;
  virtual bool Stopped() const = 0;
  // An emptied batch to fill again, or null.
  virtual std::unique_ptr<Batch> Reuse() = 0;
  // At least how many rows of a table (by name) the sink read in full before this parse.
  virtual uint64_t DeliveredBefore(std::string_view table) = 0;
};

// Records every call of a parser into batches for `outlet`. Rows of a table past those the
// sink reads in full (DumpSink::RowsReadInFull, asked on this thread) are only counted; of a
// table the sink reads some values of (DumpSink::Projection), only those values are copied.
class Recorder final : public DumpSink {
 public:
  Recorder(BatchOutlet& outlet, const DumpSink& sink) : out_(outlet), sink_(sink) {}
  Status OnTable(const DumpTable& table) override;
  Status OnRow(const DumpRow& row) override;
  void OnProblem(const DumpProblem& problem) override;
  // Once the rows of a table handed over reach those the sink reads in full, the rest are
  // counted (the count only grows).
  bool CountsOnly(const DumpTable& table) const override;
  // Hands the current batch on (all of it when `last`). An error when the read stopped.
  Status Flush(bool last);

 private:
  void EndCount();  // records the rows counted since the last event as one event
  Batch& Current();
  // The projection of the current statement's rows (kept_: positions in the row, ascending,
  // named by kept_columns_); null when every value is recorded.
  void Project(const std::vector<std::string>& columns);

  BatchOutlet& out_;
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
  const DumpSink::RowProjection* projection_ = nullptr;
  std::vector<uint32_t> kept_;
  std::shared_ptr<const std::vector<std::string>> kept_columns_;
};

// The read so far, as the calling thread replays recorded batches into it: each table's next
// row index and rows handed over in full (by name), and the schema generation, before the
// batches of a parse that numbered its rows and generations from 0.
struct ReplayState {
  std::map<std::string, uint64_t, std::less<>> row_index, delivered;
  uint64_t generation = 0;
};

// Replays one batch to the sink: row indexes and generations are moved past `state`'s, and
// rows of a table the sink already read in full as many rows of as it wants are counted
// instead (a parse recorded them not knowing how many came before it).
Status Replay(const Batch& b, DumpSink& sink, const ReplayState& state,
              std::map<std::string, uint64_t, std::less<>>* delivered,
              std::vector<DumpValue>* values);

}  // namespace tq::storedb
