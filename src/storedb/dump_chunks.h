// Implementation header of storedb's dump reader: the dump parsed on several cores.
//
// A splitter thread reads (and decompresses) the dump into chunks of about
// DumpOptions::chunk_bytes, each cut just before a line that starts an INSERT after a ';'
// (mysqldump writes a statement a line, about 1 MB each), and counts each chunk's lines.
// Worker threads parse chunks with the real parser (dump_parser.h), each from the state it
// guesses the dump is in at the chunk's start (the table definitions and /*! comment state the
// chunks before it left, as far as they are known), recording the sink calls into batches
// (dump_batch.h). The calling thread takes the chunks in order and checks each against the
// true state: the chunk's parse must have ended between two statements exactly at the chunk's
// end, started in the same /*! comment state, and found every table it looked up as truly
// defined there. Then its recorded calls are replayed to the sink, row numbers moved past
// those before it; otherwise (a cut inside a string, a DELIMITER block, a table defined in a
// chunk parsed at the same time) the calling thread parses from the chunk's start itself, from
// the true state, on through the chunks after it until it stands between two statements at a
// chunk's start. Either way the sink gets the calls a one-thread parse makes, in its order.
// Memory: a bounded window of chunks (their bytes and recorded calls).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "storedb/dump.h"
#include "storedb/dump_input.h"

namespace tq::storedb {

// The newlines in [p, p + n) (the splitter's count of each chunk's lines).
uint64_t CountLines(const char* p, size_t n);

// Worker threads for DumpOptions::threads on this machine; 0: parse on the calling thread.
int ParallelWorkers(int threads);

Result<DumpStats> ReadInChunks(ByteInput& in, std::string compression,
                               std::string_view display_name, DumpSink& sink,
                               const DumpOptions& options);

}  // namespace tq::storedb
