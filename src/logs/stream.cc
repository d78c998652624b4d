// Line streaming: whole-line chunks out of a byte stream, with bounded memory (one chunk plus
// one maximal line), and StreamRecords, the record-at-a-time API other components use.
#include <algorithm>
#include <cstring>

#include "logs/logs.h"

namespace tq::logs {

size_t CountNewlines(std::string_view s) {
  // 16 bytes at a time: a byte counter per lane (equal bytes compare to -1), summed before it
  // can wrap. std::count widened every byte to 64 bits.
  using V = unsigned char __attribute__((vector_size(16)));
  const char* p = s.data();
  size_t n = s.size(), total = 0;
  V nl;
  for (int k = 0; k < 16; ++k) nl[k] = '\n';
  while (n >= 16) {
    V acc = {};
    size_t blocks = std::min<size_t>(n / 16, 255);
    for (size_t b = 0; b < blocks; ++b, p += 16) {
      V v;
      std::memcpy(&v, p, 16);
      acc -= reinterpret_cast<V>(v == nl);
    }
    n -= blocks * 16;
    for (int k = 0; k < 16; ++k) total += acc[k];
  }
  for (; n > 0; --n, ++p) total += *p == '\n';
  return total;
}

Status ForEachChunk(ByteStream& in, size_t chunk_size, size_t max_line, ParseStats* stats,
                    const std::function<bool(std::string_view, uint64_t, uint64_t)>& consume,
                    uint64_t* chunk_lines) {
  std::vector<char> buf(chunk_size + max_line + 1);
  size_t len = 0;
  uint64_t line_no = 1, offset = 0;
  bool skipping = false;  // inside a line longer than max_line
  bool eof = false;
  while (!eof) {
    Result<size_t> r = in.Read(buf.data() + len, buf.size() - len);
    size_t n = 0;
    if (!r.ok()) {
      stats->read_error = r.status().ToString();
      eof = true;
    } else {
      n = *r;
      eof = n == 0;
    }
    if (skipping && n > 0) {  // drop bytes up to the end of the overlong line
      char* nl = static_cast<char*>(std::memchr(buf.data() + len, '\n', n));
      if (!nl) {
        offset += n;
        stats->bytes += n;
        continue;
      }
      size_t drop = static_cast<size_t>(nl - (buf.data() + len)) + 1;
      offset += drop;
      stats->bytes += drop;
      std::memmove(buf.data() + len, nl + 1, n - drop);
      n -= drop;
      skipping = false;
      ++line_no;
    }
    len += n;
    size_t end = 0;  // bytes of whole lines at the front
    if (eof) {
      end = len;
    } else {
      char* last = static_cast<char*>(memrchr(buf.data(), '\n', len));
      if (last) end = static_cast<size_t>(last - buf.data()) + 1;
      if (!last || (end < chunk_size && len < buf.size())) {
        if (!last && len >= max_line) {  // no newline within max_line bytes
          ++stats->lines;
          stats->Skip("line too long", line_no);
          stats->bytes += len;
          offset += len;
          len = 0;
          skipping = true;
          continue;
        }
        if (len < buf.size() && len < chunk_size) continue;  // read more first
      }
    }
    if (end == 0) continue;
    std::string_view chunk(buf.data(), end);
    if (chunk_lines) *chunk_lines = kNotCounted;
    if (!consume(chunk, line_no, offset)) return Status::Ok();
    uint64_t lines = chunk_lines ? *chunk_lines : kNotCounted;
    if (lines == kNotCounted) lines = CountNewlines(chunk) + (chunk.back() != '\n' ? 1 : 0);
    stats->bytes += end;
    line_no += lines;
    offset += end;
    std::memmove(buf.data(), buf.data() + end, len - end);
    len -= end;
  }
  return Status::Ok();
}

Status StreamRecords(const std::string& path, const StreamOptions& options,
                     const RecordFilter& filter,
                     const std::function<bool(const AccessLogRecord&)>& sink, ParseStats* stats) {
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<ByteStream> in, OpenByteStream(path));
  TQ_RETURN_IF_ERROR(ParserFor(options).status());
  std::unique_ptr<LineParser> parser;
  stats->compression = in->compression();
  AccessLogRecord rec;
  bool stop = false;
  UnixMicros prev = 0;
  Status s = ForEachChunk(*in, 1 << 20, options.max_line, stats,
                          [&](std::string_view chunk, uint64_t line_no, uint64_t offset) {
                            if (!parser) {  // detect on the first lines of the file
                              std::vector<std::string_view> sample;
                              size_t p = 0;
                              while (p < chunk.size() && sample.size() < 50) {
                                size_t e = chunk.find('\n', p);
                                if (e == std::string_view::npos) e = chunk.size();
                                if (e > p) sample.push_back(chunk.substr(p, e - p));
                                p = e + 1;
                              }
                              Result<std::unique_ptr<LineParser>> made =
                                  ParserForFile(options, sample);
                              if (!made.ok()) return false;  // ParserFor checked the options
                              parser = std::move(*made);
                              stats->format = parser->name();
                            }
                            size_t p = 0;
                            while (p < chunk.size()) {
                              size_t e = chunk.find('\n', p);
                              if (e == std::string_view::npos) e = chunk.size();
                              std::string_view line = chunk.substr(p, e - p);
                              if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                              ++stats->lines;
                              std::string_view why;
                              // Set before Parse: a multi-line record (ModSecurity) keeps the
                              // number of the line it points at and sets it back.
                              rec.line_no = line_no;
                              rec.offset = offset + p;
                              if (line.empty()) {
                                stats->Skip(kSkipEmpty, line_no);
                              } else if (line.size() > options.max_line) {
                                stats->Skip("line too long", line_no);
                              } else if (parser->Parse(line, rec, &why)) {
                                ++stats->parsed;
                                if (rec.has_time) {
                                  if (rec.time < prev) ++stats->out_of_order;
                                  prev = std::max(prev, rec.time);
                                  if (!stats->first_time || rec.time < stats->first_time)
                                    stats->first_time = rec.time;
                                  if (rec.time > stats->last_time) stats->last_time = rec.time;
                                }
                                if (filter.Accepts(rec) && !sink(rec)) {
                                  stop = true;
                                  return false;
                                }
                              } else {
                                stats->Skip(why, line_no);
                              }
                              ++line_no;
                              p = e + 1;
                            }
                            return true;
                          });
  if (stats->format.empty() && parser) stats->format = parser->name();
  (void)stop;
  return s;
}

}  // namespace tq::logs
