// The SQL dump reader's entry points (see dump.h): the parser (dump_parser.h) on the calling
// thread, or on chunks of the dump in parallel (dump_chunks.cc).
#include "core/escape.h"
#include "storedb/dump.h"
#include "storedb/dump_chunks.h"
#include "storedb/dump_input.h"
#include "storedb/dump_parser.h"
#include "storedb/dump_syntax.h"

namespace tq::storedb {

using namespace dumpsyntax;  // NOLINT: the reader's own lexing helpers

namespace {

Result<DumpStats> Read(ByteInput& in, std::string compression, std::string_view name,
                       DumpSink& sink, const DumpOptions& options) {
  if (ParallelWorkers(options.threads) > 0)
    return ReadInChunks(in, std::move(compression), name, sink, options);
  DumpStats stats;
  stats.compression = std::move(compression);
  Parser p(in, sink, options, &stats);
  Status s = p.Run();
  if (!s.ok()) return Status(s.code(), std::string(name) + ": " + s.message());
  return stats;
}

}  // namespace

int DumpTable::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (IEquals(columns[i].name, column)) return static_cast<int>(i);
  return -1;
}

const DumpValue* DumpRow::Find(std::string_view column) const {
  if (!columns) return nullptr;
  for (size_t i = 0; i < columns->size() && i < values.size(); ++i)
    if ((*columns)[i] == column) return &values[i];  // the usual case: same spelling
  for (size_t i = 0; i < columns->size() && i < values.size(); ++i)
    if (IEquals((*columns)[i], column)) return &values[i];
  return nullptr;
}

Result<DumpStats> ReadDumpFile(const std::string& path, std::string_view display_name,
                               DumpSink& sink, const DumpOptions& options) {
  std::string compression;
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<ByteInput> in, OpenDumpInput(path, &compression));
  return Read(*in, compression, display_name, sink, options);
}

Result<DumpStats> ReadDumpBytes(std::string_view bytes, std::string_view display_name,
                                DumpSink& sink, const DumpOptions& options) {
  std::string compression;
  std::unique_ptr<ByteInput> in = MemoryDumpInput(bytes, &compression);
  return Read(*in, compression, display_name, sink, options);
}

}  // namespace tq::storedb
