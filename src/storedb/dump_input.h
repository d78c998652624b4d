// Byte sources for the dump reader: a file or memory, decoded from gzip or zstd when the
// first bytes carry that format's magic. Implementation header: included by .cc files only.
#pragma once

#include <cstddef>
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
  // A chunked input (the parallel read, dump_chunks.cc): after Read returned 0, whether that
  // is the end of a chunk rather than of the input; and Advance moves on to the next chunk,
  // false when this input has none.
  virtual bool AtBoundary() const { return false; }
  virtual bool Advance() { return false; }
  // The rest of the current chunk when it is in memory (empty otherwise), valid until the
  // next Advance; the input moves past it.
  virtual std::string_view Lend() { return {}; }
};

// Opens `path` (or wraps `bytes`, which must outlive the input) and sets *compression to
// "none", "gzip" or "zstd".
Result<std::unique_ptr<ByteInput>> OpenDumpInput(const std::string& path, std::string* compression);
std::unique_ptr<ByteInput> MemoryDumpInput(std::string_view bytes, std::string* compression);

}  // namespace tq::storedb
