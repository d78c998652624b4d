// Fuzzes the scan's line splitting and parsing (logs::ChunkParser, as ScanFiles runs it): a
// chunk of arbitrary bytes through every built-in parser (the first byte picks it, the second
// the longest line), with the guarantees a RecordSink is given checked: the lines cover the
// chunk in order, one number apart; batches hold at most kBatchLines lines (one when the
// records' fields are not views into the line); and every record of a batch still holds what
// its line parses to when the batch is handed over (a second parser reads the same lines one
// at a time beside it), so no record of a batch points into a buffer a later line reused; and
// the number of lines Parse returns (ForEachChunk's line count) is the chunk's.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "logs/scan.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "logs_scan: %s\n", what);
  std::abort();
}

struct Checker : tq::logs::RecordSink {
  std::string_view chunk;
  bool batched = false;
  size_t next_begin = 0, max_line = 0;
  uint64_t next_line = 0, offset = 0;
  int chunks = 0;
  tq::logs::LineParser* reference = nullptr;  // reads the same lines, one at a time
  tq::logs::AccessLogRecord ref;
  void OnChunk(std::string_view c, uint64_t, bool b) override {
    ++chunks;
    if (c.data() != chunk.data() || c.size() != chunk.size()) Fail("another chunk");
    batched = b;
  }
  void OnLines(std::string_view c, std::span<const tq::logs::ParsedLine> lines,
               std::span<const tq::logs::AccessLogRecord> recs) override {
    using tq::logs::ParsedLine;
    if (chunks != 1) Fail("lines before their chunk");
    if (lines.empty() || lines.size() != recs.size()) Fail("lines and records differ");
    if (lines.size() > (batched ? tq::logs::ChunkParser::kBatchLines : 1)) Fail("batch too big");
    for (size_t i = 0; i < lines.size(); ++i) {
      const ParsedLine& l = lines[i];
      if (l.begin != next_begin || l.end < l.begin || l.end > c.size()) Fail("line bounds");
      if (l.end < c.size() && c[l.end] != '\n') Fail("line end not a newline");
      if (l.line_no != next_line) Fail("line numbers");
      next_begin = l.end + 1;
      ++next_line;
      if (l.kind == ParsedLine::Kind::kBad && l.SkipReason().empty()) Fail("no reason");
      // The same line read alone, now.
      std::string_view line = c.substr(l.begin, l.end - l.begin);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ref.line_no = l.line_no;
      ref.offset = offset + l.begin;
      std::string_view why;
      ParsedLine::Kind want = line.empty()                        ? ParsedLine::Kind::kEmpty
                              : line.size() > max_line            ? ParsedLine::Kind::kTooLong
                              : reference->Parse(line, ref, &why) ? ParsedLine::Kind::kRecord
                                                                  : ParsedLine::Kind::kBad;
      if (want != l.kind) Fail("a line parsed differently");
      if (want != ParsedLine::Kind::kRecord) continue;
      const tq::logs::AccessLogRecord& r = recs[i];
      if (r.field != ref.field || r.time != ref.time || r.line_no != ref.line_no ||
          r.offset != ref.offset || r.present != ref.present)
        Fail("a record of the batch no longer holds what its line parses to");
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::logs;
  static const std::vector<std::string> names = BuiltinFormatNames();
  if (size < 2) return 0;
  const std::string& name = names[data[0] % names.size()];
  const size_t max_line = 16 + data[1];
  std::string_view chunk(reinterpret_cast<const char*>(data + 2), size - 2);
  tq::Result<std::unique_ptr<LineParser>> parser = NamedFormat(name);
  if (!parser.ok()) return 0;
  std::unique_ptr<LineParser> reference = (*parser)->Clone();
  static ChunkParser cp;
  Checker check;
  check.chunk = chunk;
  check.next_line = 7;
  check.offset = 1000;
  check.max_line = max_line;
  check.reference = reference.get();
  uint64_t lines = cp.Parse(chunk, 7, 1000, **parser, max_line, check);
  if (check.chunks != 1) Fail("no chunk");
  // The count ForEachChunk takes instead of counting the chunk's lines again.
  if (lines != check.next_line - 7) Fail("lines returned are not the lines handed over");
  if (lines != tq::logs::CountNewlines(chunk) + (!chunk.empty() && chunk.back() != '\n'))
    Fail("lines returned are not the chunk's lines");
  if (!chunk.empty() && check.next_begin < chunk.size()) Fail("lines left out");
  return 0;
}
