// Web server access logs: readers (plain, gzip, zstd, bzip2, detected by magic bytes) and
// format parsers (nginx / Apache combined, common, vhost_combined, a custom nginx
// `log_format` or Apache `LogFormat` string, JSON lines with a field map), with per-file
// auto-detection. Records are views over the reader's buffer: no allocation per line.
//
// Other components (analysis) stream the parsed records of a collected log item with
// StreamRecords and a RecordFilter, reusing the readers and parsers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace tq::logs {

// ---- Readers ----
enum class Compression { kPlain, kGzip, kZstd, kBzip2 };
std::string_view CompressionName(Compression c);
Compression DetectCompression(std::string_view head);  // by magic bytes, never by name

// Decompressed bytes of one file, in pieces. A damaged stream yields everything before the
// damage, then the error ("truncated gzip member after 123 bytes decompressed").
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Fills up to n bytes; 0 at the end. An error ends the stream.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  virtual Compression compression() const = 0;
  uint64_t produced() const { return produced_; }  // decompressed bytes returned so far
 protected:
  uint64_t produced_ = 0;
};
Result<std::unique_ptr<ByteStream>> OpenByteStream(const std::string& path);
// Plain bytes from [begin, end) of an uncompressed file (for splitting one file on cores).
Result<std::unique_ptr<ByteStream>> OpenRange(const std::string& path, uint64_t begin,
                                              uint64_t end);

// ---- Records ----
// The Sigma webserver taxonomy, as filled from each format's variables.
enum class Field : uint8_t {
  kClientIp,       // c-ip
  kUser,           // cs-username
  kMethod,         // cs-method
  kUri,            // cs-uri-query in SigmaHQ's sense: the whole request target, path?query
  kUriStem,        // cs-uri-stem: the path
  kQuery,          // the query string alone (after '?')
  kVersion,        // cs-version
  kStatus,         // sc-status
  kBytesSent,      // sc-bytes
  kBytesReceived,  // cs-bytes
  kTimeTaken,      // time-taken
  kHost,           // cs-host
  kUserAgent,      // cs-user-agent
  kReferer,        // cs-referer
  kCookie,         // cs-cookie
  kContentType,    // cs-content-type
  kCount
};
constexpr size_t kFieldCount = static_cast<size_t>(Field::kCount);
std::string_view FieldName(Field f);  // the Sigma name
// Sigma field names and common aliases ("c-uri", "cs-useragent") to a field; false if unknown.
bool FieldFromSigmaName(std::string_view name, Field* out);

struct AccessLogRecord {
  std::array<std::string_view, kFieldCount> field{};
  uint32_t present = 0;  // bit per Field: the format carries it
  UnixMicros time = 0;
  bool has_time = false;
  std::string_view line;  // the raw line, without the newline
  // The parser that read it, for fields outside the taxonomy (LineParser::ExtraField); nullptr
  // when the format has none.
  const class LineParser* source = nullptr;
  uint64_t line_no = 0;  // 1-based in the decompressed content
  uint64_t offset = 0;   // byte offset of the line in the decompressed content
  std::string_view get(Field f) const { return field[static_cast<size_t>(f)]; }
  bool has(Field f) const { return present & (1u << static_cast<unsigned>(f)); }
};

// Parses one line; on failure returns false and sets *reason to a short fixed reason
// ("format mismatch", "bad timestamp", ...) used to count skipped lines.
class LineParser {
 public:
  virtual ~LineParser() = default;
  virtual bool Parse(std::string_view line, AccessLogRecord& rec, std::string_view* reason) = 0;
  virtual const std::string& name() const = 0;
  virtual std::unique_ptr<LineParser> Clone() const = 0;  // one per thread
  // True when every field of a parsed record is a view into the line itself (not into the
  // parser's own buffers), so records of many lines stay valid together (batched matching).
  virtual bool FieldsViewLine() const { return false; }
  // A field outside the webserver taxonomy (a Sigma rule's `response`), read from a line this
  // parser parsed: false when the line or the format has no such field.
  virtual bool ExtraField(std::string_view line, std::string_view sigma_name,
                          std::string* value) const {
    (void)line, (void)sigma_name, (void)value;
    return false;
  }
};

// "combined", "common", "vhost_combined", "nginx-combined", "apache-combined", "jsonl".
Result<std::unique_ptr<LineParser>> NamedFormat(std::string_view name);
// A custom format exactly as in the server config: nginx (`$remote_addr - ...`) or Apache
// (`%h %l %u %t \"%r\" ...`), told apart by its variables.
Result<std::unique_ptr<LineParser>> CompileLogFormat(std::string_view format);
// JSON lines; `field_map` maps Sigma names to dotted JSON paths ("c-ip" -> "request.remote_ip")
// on top of built-in guesses (remote_addr, ClientIP, request.uri, ...). A name outside the
// taxonomy ("response" -> "resp.body") serves rules on that field; unmapped, such a field is
// the member of its own name.
Result<std::unique_ptr<LineParser>> JsonLinesFormat(
    const std::map<std::string, std::string>& field_map);
// Picks the built-in format that parses most of the sample lines (nullptr if none does).
std::unique_ptr<LineParser> DetectFormat(const std::vector<std::string_view>& sample_lines);

// ---- URL handling ----
// Percent-decoding ('+' as space in the query), repeated while it changes (double
// encoding), at most 3 rounds. Returns false when nothing was encoded.
bool UrlDecode(std::string_view in, std::string* out);

// ---- Streaming parsed records (for analysis and tests) ----
struct SkipCount {
  uint64_t lines = 0;
  std::vector<uint64_t> example_lines;  // first few line numbers
};
struct ParseStats {
  std::string format;  // detected or given
  Compression compression = Compression::kPlain;
  uint64_t bytes = 0, lines = 0, parsed = 0, out_of_order = 0;
  std::map<std::string, SkipCount> skipped;  // reason -> count and examples
  UnixMicros first_time = 0, last_time = 0;  // 0 when no line had a time
  std::string read_error;                    // damage: what was read before it
  void Skip(std::string_view reason, uint64_t line_no);
  void Merge(const ParseStats& later);
};

struct RecordFilter {
  std::vector<std::string> client_ips;     // any of (empty = all)
  std::vector<std::string> path_contains;  // cs-uri contains any of (empty = all)
  UnixMicros from = 0, to = 0;             // 0 = open
  bool Accepts(const AccessLogRecord& r) const;
};

struct StreamOptions {
  std::string log_format;  // empty = detect; a name, or a format string
  std::map<std::string, std::string> json_field_map;
  size_t max_line = 1 << 20;  // longer lines are skipped as "line too long"
};
// The parser StreamOptions asks for (nullptr when it says: detect).
Result<std::unique_ptr<LineParser>> ParserFor(const StreamOptions& options);

// Streams every parsed record of a file accepted by `filter` to `sink` (return false to
// stop). Damage in the file ends the stream with stats->read_error set, not an error.
Status StreamRecords(const std::string& path, const StreamOptions& options,
                     const RecordFilter& filter,
                     const std::function<bool(const AccessLogRecord&)>& sink, ParseStats* stats);

// The number of '\n' bytes in s.
size_t CountNewlines(std::string_view s);

// Splits a byte stream into lines for a chunk consumer: hands over buffers of whole lines
// (each ending in '\n' except maybe the last piece of the file) with the line number and
// offset of the first line. Lines longer than max_line are skipped and counted in stats.
Status ForEachChunk(ByteStream& in, size_t chunk_size, size_t max_line, ParseStats* stats,
                    const std::function<bool(std::string_view chunk, uint64_t first_line,
                                             uint64_t offset)>& consume);

}  // namespace tq::logs
