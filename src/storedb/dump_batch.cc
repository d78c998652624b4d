// Recording a parser's sink calls into batches and replaying them (see dump_batch.h). The sink
// sees exactly the calls the one-thread path makes, so the case it writes is the same.
// Memory: a batch holds about kBatchBytes of values (plus one row that is larger).
#include "storedb/dump_batch.h"

#include <algorithm>

#include "core/text.h"

namespace tq::storedb {

namespace {
// Small batches that are reused: a batch stays in the caches between the two threads, and
// no page is allocated (and faulted in) again per batch.
constexpr size_t kBatchBytes = 1u << 20;
constexpr size_t kBatchEvents = 4096;
}  // namespace

void Batch::Clear() {
  events.clear();
  counted.clear();
  tables.clear();
  rows.clear();
  values.clear();
  schemas.clear();
  problems.clear();
  arena.clear();
}

Status Recorder::OnTable(const DumpTable& table) {
  EndCount();
  Batch& b = Current();
  b.events.push_back({Batch::Kind::kTable, static_cast<uint32_t>(b.tables.size())});
  b.tables.push_back(std::make_shared<const DumpTable>(table));
  return Flush(false);
}

Status Recorder::OnRow(const DumpRow& row) {
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
    projection_ = row.columns ? sink_.Projection(*table_) : nullptr;
    if (projection_) Project(*row.columns);
    auto [it, added] = rows_by_table_.try_emplace(table_->name, 0);
    if (added && (read_in_full_ != UINT64_MAX || projection_))
      it->second = out_.DeliveredBefore(table_->name);
    rows_of_table_ = &it->second;
  }
  if (*rows_of_table_ >= read_in_full_) {
    // Counting pushes nothing, so a stop is looked for here now and then.
    if (++counting_ % 65536 == 0 && out_.Stopped()) return Status::Internal("dump reader stopped");
    return Status::Ok();
  }
  const uint64_t before = (*rows_of_table_)++;
  // Only the values the sink reads, past the rows it reads whole, unless some value holds
  // whole_if: searched for in the row's piece at once (a hit across two values only makes the
  // row whole), else value by value.
  bool projected = projection_ && before >= projection_->whole_rows &&
                   (kept_.empty() || kept_.back() < row.values.size());
  if (projected && !projection_->whole_if.empty()) {
    const std::string_view needle = projection_->whole_if;
    // From the first non-empty value's start to the last one's end, when they are in order.
    size_t first = 0, last = row.values.size();
    while (first < last && row.values[first].bytes.empty()) ++first;
    while (last > first && row.values[last - 1].bytes.empty()) --last;
    const char* lo = first < last ? row.values[first].bytes.data() : nullptr;
    const char* hi = first < last
                         ? row.values[last - 1].bytes.data() + row.values[last - 1].bytes.size()
                         : nullptr;
    if (row.one_piece && lo <= hi) {
      projected =
          std::string_view(lo, static_cast<size_t>(hi - lo)).find(needle) == std::string_view::npos;
    } else {
      for (const DumpValue& v : row.values)
        if (v.bytes.find(needle) != std::string_view::npos) projected = false;
    }
  }
  // The values, when they lie in order in one piece of memory (the row as written, or the
  // parser's arena: DumpRow::one_piece) with little else between them, are copied in one
  // piece with what lies between them (quotes and commas); else one by one.
  const char* lo = nullptr;
  const char* hi = nullptr;
  size_t bytes = 0;
  bool in_order = row.one_piece && !projected;
  for (const DumpValue& v : row.values) {
    if (!in_order) break;
    if (v.bytes.empty()) continue;
    if (hi && v.bytes.data() < hi) {
      in_order = false;
      break;
    }
    if (!lo) lo = v.bytes.data();
    hi = v.bytes.data() + v.bytes.size();
    bytes += v.bytes.size();
  }
  Batch& b = Current();
  const auto& columns = projected ? kept_columns_ : columns_;
  if (b.schemas.empty() || b.schemas.back().table != table_ ||
      b.schemas.back().projected != projected)
    b.schemas.push_back({table_, columns, generation_, projected});
  Batch::Row r;
  r.schema = static_cast<uint32_t>(b.schemas.size() - 1);
  r.first_value = static_cast<uint32_t>(b.values.size());
  r.values = static_cast<uint32_t>(projected ? kept_.size() : row.values.size());
  r.line = row.line;
  r.offset = row.offset;
  r.index = row.index;
  const size_t base = b.arena.size();
  if (projected) {
    for (uint32_t i : kept_) {
      const DumpValue& v = row.values[i];
      b.values.push_back({v.kind, b.arena.size(), v.bytes.size()});
      b.arena.append(v.bytes);
    }
  } else if (in_order && static_cast<size_t>(hi - lo) <= 2 * bytes + 4 * row.values.size()) {
    if (lo) b.arena.append(lo, static_cast<size_t>(hi - lo));
    for (const DumpValue& v : row.values)
      b.values.push_back({v.kind,
                          v.bytes.empty() ? base : base + static_cast<size_t>(v.bytes.data() - lo),
                          v.bytes.size()});
  } else {
    for (const DumpValue& v : row.values) {
      b.values.push_back({v.kind, b.arena.size(), v.bytes.size()});
      b.arena.append(v.bytes);
    }
  }
  b.events.push_back({Batch::Kind::kRow, static_cast<uint32_t>(b.rows.size())});
  b.rows.push_back(r);
  return Flush(false);
}

void Recorder::Project(const std::vector<std::string>& columns) {
  // Each column where DumpRow::Find finds it: the same spelling first, else the first that
  // differs only in case. Kept in the row's order, so that Find on the kept names comes to the
  // same value (no kept name before it matches better).
  kept_.clear();
  for (const std::string& want : projection_->columns) {
    auto at = std::find(columns.begin(), columns.end(), want);
    if (at == columns.end())
      at = std::find_if(columns.begin(), columns.end(),
                        [&](const std::string& c) { return EqualsFold(c, want); });
    if (at != columns.end()) kept_.push_back(static_cast<uint32_t>(at - columns.begin()));
  }
  std::sort(kept_.begin(), kept_.end());
  kept_.erase(std::unique(kept_.begin(), kept_.end()), kept_.end());
  auto names = std::make_shared<std::vector<std::string>>();
  for (uint32_t i : kept_) names->push_back(columns[i]);
  kept_columns_ = std::move(names);
}

bool Recorder::CountsOnly(const DumpTable& table) const {
  uint64_t full = sink_.RowsReadInFull(table);
  if (full == UINT64_MAX) return false;
  // As OnRow starts a table's count: from the rows handed over before this parse.
  auto it = rows_by_table_.find(table.name);
  return (it != rows_by_table_.end() ? it->second : out_.DeliveredBefore(table.name)) >= full;
}

void Recorder::OnProblem(const DumpProblem& problem) {
  EndCount();
  Batch& b = Current();
  b.events.push_back({Batch::Kind::kProblem, static_cast<uint32_t>(b.problems.size())});
  b.problems.push_back(problem);
  (void)Flush(false);  // a stop is seen at the next row or table
}

Status Recorder::Flush(bool last) {
  if (last) EndCount();
  if (!batch_) return Status::Ok();
  if (!last && batch_->arena.size() < kBatchBytes && batch_->events.size() < kBatchEvents)
    return Status::Ok();
  if (!out_.Push(std::move(batch_))) return Status::Internal("dump reader stopped");
  return Status::Ok();
}

void Recorder::EndCount() {
  if (counting_ == 0) return;
  Batch& b = Current();
  b.events.push_back({Batch::Kind::kCounted, static_cast<uint32_t>(b.counted.size())});
  b.counted.push_back({table_, counting_});
  counting_ = 0;
}

Batch& Recorder::Current() {
  if (!batch_) {
    batch_ = out_.Reuse();
    if (!batch_) {
      batch_ = std::make_unique<Batch>();
      batch_->arena.reserve(kBatchBytes + (64u << 10));
    }
  }
  return *batch_;
}

Status Replay(const Batch& b, DumpSink& sink, const ReplayState& state,
              std::map<std::string, uint64_t, std::less<>>* delivered,
              std::vector<DumpValue>* values) {
  // Per schema of the batch (a statement): its table's index base, rows handed over so far
  // and rows the sink reads in full, looked up once.
  uint32_t cached = UINT32_MAX;
  uint64_t index_base = 0, read_in_full = UINT64_MAX;
  uint64_t* handed = nullptr;
  // Rows turned into a count, handed over before any other call.
  const DumpTable* pending_table = nullptr;
  uint64_t pending = 0;
  auto flush_count = [&] {
    if (pending > 0) sink.OnRowsCounted(*pending_table, pending);
    pending = 0;
  };
  for (const Batch::Event& e : b.events) {
    if (e.kind != Batch::Kind::kRow) flush_count();
    switch (e.kind) {
      case Batch::Kind::kTable: TQ_RETURN_IF_ERROR(sink.OnTable(*b.tables[e.index])); break;
      case Batch::Kind::kProblem: sink.OnProblem(b.problems[e.index]); break;
      case Batch::Kind::kCounted:
        sink.OnRowsCounted(*b.counted[e.index].table, b.counted[e.index].rows);
        break;
      case Batch::Kind::kRow: {
        const Batch::Row& r = b.rows[e.index];
        const Batch::Schema& s = b.schemas[r.schema];
        if (r.schema != cached) {
          flush_count();
          cached = r.schema;
          const std::string& name = s.table->name;
          auto it = state.row_index.find(name);
          index_base = it == state.row_index.end() ? 0 : it->second;
          handed = &(*delivered)[name];
          read_in_full = sink.RowsReadInFull(*s.table);
        }
        if (*handed >= read_in_full) {
          pending_table = s.table.get();
          ++pending;
          break;
        }
        ++*handed;
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
        row.index = index_base + r.index;
        row.schema_generation = state.generation + s.generation;
        if (s.projected) row.schema_generation |= DumpRow::kProjectedRows;
        TQ_RETURN_IF_ERROR(sink.OnRow(row));
        break;
      }
    }
  }
  flush_count();
  return Status::Ok();
}

}  // namespace tq::storedb
