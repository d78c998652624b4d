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
#include "core/skipped.h"
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
  // Bytes of the file itself used so far (compressed bytes for a compressed file): progress
  // against the file's size, which the decompressed count overshoots many times.
  virtual uint64_t consumed() const { return produced_; }

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
  kPeerIp,         // the peer that connected, when the client came from X-Forwarded-For
  kBody,           // cs-body: the request body (ModSecurity audit logs, nginx $request_body)
  kMessage,        // message: what the server said (error-log text, a WAF's rule messages)
  kCount
};
constexpr size_t kFieldCount = static_cast<size_t>(Field::kCount);
std::string_view FieldName(Field f);  // the Sigma name
// Sigma field names and common aliases ("c-uri", "cs-useragent") to a field; false if unknown.
bool FieldFromSigmaName(std::string_view name, Field* out);

// What a record is: a request from an access log, or a request or message that another log
// repeats or tells about (a WAF's audit entry, a web server's error line). Only access-log
// requests count in per-client request totals: the others are the same requests again.
enum class RecordKind : uint8_t { kRequest, kAuditEntry, kErrorLine };

struct AccessLogRecord {
  std::array<std::string_view, kFieldCount> field{};
  RecordKind kind = RecordKind::kRequest;
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

// ---- Client addresses ----
enum class AddressKind : uint8_t { kNone, kIpv4, kIpv6, kUnix };
// What a client field holds: only an address (or a `unix:` socket peer) is ever a client.
AddressKind ClassifyClient(std::string_view s);
// A dotted quad, each part 0-255 without a leading zero ("010" is octal to some parsers and
// never what a server writes): its four bytes.
bool ParseIpv4(std::string_view s, uint8_t out[4]);
struct IpAddress {
  std::array<uint8_t, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
};
bool ParseAddress(std::string_view s, IpAddress* out);
// The proxies whose X-Forwarded-For is believed (`--trusted-proxy CIDR...`).
class TrustedProxies {
 public:
  static Result<TrustedProxies> Parse(const std::vector<std::string>& cidrs);
  // Private and loopback ranges: 10/8, 172.16/12, 192.168/16, 127/8, ::1, fc00::/7.
  static const TrustedProxies& Default();
  bool Contains(std::string_view addr) const;

 private:
  struct Range {
    IpAddress base;
    int bits;  // of the 128
  };
  std::vector<Range> ranges_;
};
// The client of a request that `peer` forwarded with X-Forwarded-For `xff`: the peer itself
// unless it is trusted; then the rightmost address of the list that is not a trusted proxy
// (the leftmost when all are; the last good one when an entry is not an address).
std::string_view ForwardedClient(std::string_view peer, std::string_view xff,
                                 const TrustedProxies& trusted);

// Skip reasons for lines that are not requests (they do not count against a file's share of
// parsed lines): blank lines, W3C `#` directives, JSON service messages.
inline constexpr std::string_view kSkipEmpty = "empty line";
inline constexpr std::string_view kSkipDirective = "directive";
inline constexpr std::string_view kSkipNoRequest = "no request fields";
inline constexpr std::string_view kSkipClient = "client not an address";
// The lines of a multi-line record (a ModSecurity audit entry) other than the one it is given
// on: not requests of their own either.
inline constexpr std::string_view kSkipAuditLine = "audit entry line";

// Parses one line; on failure returns false and sets *reason to a short fixed reason
// ("format mismatch", "bad timestamp", ...) used to count skipped lines.
class LineParser {
 public:
  virtual ~LineParser() = default;
  virtual bool Parse(std::string_view line, AccessLogRecord& rec, std::string_view* reason) = 0;
  virtual const std::string& name() const = 0;
  virtual std::unique_ptr<LineParser> Clone() const = 0;  // one per thread
  // Whether a line's parse depends on lines before it (W3C `#Fields:`): such a file is not
  // split into ranges.
  virtual bool Stateful() const { return false; }
  // Whose X-Forwarded-For is believed (default: TrustedProxies::Default()).
  virtual void SetTrustedProxies(std::shared_ptr<const TrustedProxies> t) { trusted_ = t; }
  // Lines this parser does not read are tried with these, in order (detection per line).
  virtual void SetFallbacks(std::vector<std::unique_ptr<LineParser>> f) { (void)f; }
  // The time field as this strptime pattern (ParseTimeWithFormat) instead of its usual forms.
  virtual void SetTimeFormat(const std::string& f) { time_format_ = f; }
  // The zone of times written without one (error logs); default UTC.
  virtual void SetLocalZone(const TimeZone& zone) { (void)zone; }
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

 protected:
  const TrustedProxies& trusted() const { return trusted_ ? *trusted_ : TrustedProxies::Default(); }
  std::shared_ptr<const TrustedProxies> trusted_;
  std::string time_format_;
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
// Every built-in format, in detection order (ties go to the first).
std::vector<std::string> BuiltinFormatNames();
// The built-in format that reads most of `sample_lines` and how many it read.
struct FormatGuess {
  std::string format;  // empty when none reads any
  size_t parsed = 0, tried = 0;
};
FormatGuess BestFormat(const std::vector<std::string_view>& sample_lines);

// A time written with a strptime pattern ("%Y/%m/%d %H:%M:%S %z"): a fraction of a second may
// follow %S (to nanoseconds, kept to microseconds); without %z the time is UTC. False when the
// text does not fit the pattern all the way or names an impossible date.
bool ParseTimeWithFormat(std::string_view text, const std::string& pattern, UnixMicros* out);

// ---- Error logs ----
// One line of an Apache (2.2, 2.4), nginx or PHP-FPM error log (see errorlog.cc); views into
// the line. Times are local, read in `zone`.
struct ErrorLogLine {
  UnixMicros time = 0;
  std::string_view source;  // "apache", "nginx", "php-fpm"
  std::string_view level;   // as written: "error", "warn", "crit", "WARNING", ...
  std::string_view client, request, host, referer;  // empty when the line has none
  std::string_view message;                         // the message alone
  std::string_view text;                            // everything after the time, as written
};
bool ParseErrorLogLine(std::string_view line, const TimeZone& zone, ErrorLogLine* out,
                       std::string_view* reason);

// ---- URL handling ----
// Percent-decoding ('+' as space in the query), repeated while it changes (double
// encoding), at most 3 rounds. Returns false when nothing was encoded.
bool UrlDecode(std::string_view in, std::string* out);
// The request target with its path as the server resolves it: backslashes as slashes,
// overlong UTF-8 of ASCII decoded, "//" collapsed, "." and ".." segments resolved (never above
// the root); the query unchanged. Returns false when that changes nothing. Apply after
// UrlDecode (for %2e and %2f).
bool NormalizeTarget(std::string_view target, std::string* out);
// False when NormalizeTarget would certainly change nothing (a fast check for every line).
bool MayNeedNormalizing(std::string_view target);

// ---- Streaming parsed records (for analysis and tests) ----
struct ParseStats {
  std::string format;  // detected or given
  Compression compression = Compression::kPlain;
  uint64_t bytes = 0, lines = 0, parsed = 0, out_of_order = 0;
  SkipTally skipped;  // lines by reason, the first few of each with their line numbers
  UnixMicros first_time = 0, last_time = 0;  // 0 when no line had a time
  std::string read_error;                    // damage: what was read before it
  std::string best_format;  // when LowShare(): the built-in format that reads it best, if any
  void Skip(std::string_view reason, uint64_t line_no) { skipped.Add(reason, line_no); }
  // Lines that should have been requests: all but blank lines, directives and service
  // messages.
  uint64_t RequestLines() const;
  // Non-empty when the file looks read with the wrong format: fewer than half of its request
  // lines parsed, or none at all ("parsed 12 of 5545 lines (0.2%) as combined").
  std::string LowShare() const;
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
  size_t max_line = 1 << 20;                 // longer lines are skipped as "line too long"
  std::vector<std::string> trusted_proxies;  // CIDRs; empty: private and loopback ranges
  std::string time_format;  // strptime pattern for the time field (--time-format); empty: usual
  std::string local_zone;   // IANA zone of times logged without one (error logs); empty: UTC
};
// The parser StreamOptions asks for (nullptr when it says: detect).
Result<std::unique_ptr<LineParser>> ParserFor(const StreamOptions& options);
// The parser for a file whose first lines are `sample`: the one asked for, else the detected
// format with every other built-in text format as a per-line fallback; with the options'
// trusted proxies.
Result<std::unique_ptr<LineParser>> ParserForFile(const StreamOptions& options,
                                                  const std::vector<std::string_view>& sample);

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
// `chunk_lines`: a consumer that splits the chunk into lines itself sets it to their number
// (as CountNewlines counts them, plus a last line without its '\n'), and the chunk is not
// read again to count them; left at kNotCounted, they are counted here.
inline constexpr uint64_t kNotCounted = ~uint64_t{0};
Status ForEachChunk(ByteStream& in, size_t chunk_size, size_t max_line, ParseStats* stats,
                    const std::function<bool(std::string_view chunk, uint64_t first_line,
                                             uint64_t offset)>& consume,
                    uint64_t* chunk_lines = nullptr);

}  // namespace tq::logs
