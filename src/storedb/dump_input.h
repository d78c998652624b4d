// Byte sources for the dump reader: a file or memory, decoded from gzip or zstd when the
// first bytes carry that format's magic. Implementation header: included by .cc files only.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storedb/dump.h"

namespace tq::storedb {

class ByteInput {
 public:
  virtual ~ByteInput() = default;
  // Reads up to n bytes; 0 at the end. Errors name the file.
  virtual Result<size_t> Read(char* out, size_t n) = 0;
};

// Opens `path` (or wraps `bytes`, which must outlive the input) and sets *compression to
// "none", "gzip" or "zstd".
Result<std::unique_ptr<ByteInput>> OpenDumpInput(const std::string& path, std::string* compression);
std::unique_ptr<ByteInput> MemoryDumpInput(std::string_view bytes, std::string* compression);

// Runs `parse` (the parser bound to its input) with `sink`: directly when threads == 1 or the
// machine has one core; else the parser runs on a thread of its own and every call it makes
// (OnTable, OnRow, OnProblem) reaches `sink` on the calling thread, in the same order, in
// batches through a bounded queue (dump_relay.cc). A sink error stops the parser and is
// returned as "display_name: message", as the direct path returns it.
Result<DumpStats> ParseRelayed(const std::function<Result<DumpStats>(DumpSink&)>& parse,
                               std::string_view display_name, DumpSink& sink, int threads);

}  // namespace tq::storedb
