// The reading side of a log scan (scan.h): work units, threads, parsing, statistics and the
// request journal.
#include "logs/scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "logs/request_journal.h"

namespace tq::logs {

ChunkParser::ChunkParser() {
  lines_.reserve(kBatchLines);
  recs_.resize(kBatchLines);
}

uint64_t ChunkParser::Parse(std::string_view chunk, uint64_t first_line, uint64_t offset,
                            LineParser& parser, size_t max_line, RecordSink& sink) {
  // Records whose fields point into the chunk are kept for a batch of lines; others (JSON
  // values unescaped into the parser's buffer) go one at a time.
  const bool batched = parser.FieldsViewLine();
  sink.OnChunk(chunk, offset, batched);
  AccessLogRecord rec;
  size_t p = 0;
  uint64_t line_no = first_line;
  lines_.clear();
  while (p < chunk.size()) {
    const char* nl =
        static_cast<const char*>(std::memchr(chunk.data() + p, '\n', chunk.size() - p));
    size_t e = nl ? static_cast<size_t>(nl - chunk.data()) : chunk.size();
    std::string_view line = chunk.substr(p, e - p);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ParsedLine& it = lines_.emplace_back();
    it.line_no = line_no;
    it.begin = p;
    it.end = e;
    AccessLogRecord& r = batched ? recs_[lines_.size() - 1] : rec;
    // Set before Parse: a multi-line record (a ModSecurity audit entry, given on its last line)
    // sets the line and offset of its request line instead.
    r.line_no = line_no;
    r.offset = offset + p;
    if (line.empty()) {
      it.kind = ParsedLine::Kind::kEmpty;
    } else if (line.size() > max_line) {
      it.kind = ParsedLine::Kind::kTooLong;
    } else if (parser.Parse(line, r, &it.why)) {
      it.kind = ParsedLine::Kind::kRecord;
    } else {
      it.kind = ParsedLine::Kind::kBad;
    }
    if (!batched) {
      sink.OnLines(chunk, lines_, std::span<const AccessLogRecord>(&rec, 1));
      lines_.clear();
    } else if (lines_.size() == kBatchLines) {
      sink.OnLines(chunk, lines_, recs_);
      lines_.clear();
    }
    ++line_no;
    p = e + 1;
  }
  if (!lines_.empty()) sink.OnLines(chunk, lines_, std::span(recs_).first(lines_.size()));
  lines_.clear();
  return line_no - first_line;
}

namespace {

// The first bytes of a file's content, for format detection.
std::vector<std::string> SampleLines(const std::string& path, std::string* error) {
  std::vector<std::string> out;
  Result<std::unique_ptr<ByteStream>> s = OpenByteStream(path);
  if (!s.ok()) {
    *error = s.status().ToString();
    return out;
  }
  std::string buf(1 << 16, '\0');
  size_t len = 0;
  while (len < buf.size()) {
    Result<size_t> r = (*s)->Read(buf.data() + len, buf.size() - len);
    if (!r.ok() || *r == 0) break;
    len += *r;
  }
  std::string_view v(buf.data(), len);
  size_t p = 0;
  while (p < v.size() && out.size() < 50) {
    size_t e = v.find('\n', p);
    if (e == std::string_view::npos) break;  // a partial last line is not a sample
    if (e > p) out.emplace_back(v.substr(p, e - p));
    p = e + 1;
  }
  if (out.empty() && len > 0 && len < buf.size()) out.emplace_back(v);
  return out;
}

// Offset of the first line start at or after `at`.
uint64_t NextLineStart(int fd, uint64_t at, uint64_t size) {
  char buf[65536];
  while (at < size) {
    ssize_t n = pread(fd, buf, sizeof buf, static_cast<off_t>(at));
    if (n <= 0) return size;
    const char* nl = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(n)));
    if (nl) return at + static_cast<uint64_t>(nl - buf) + 1;
    at += static_cast<uint64_t>(n);
  }
  return size;
}

struct Unit {
  ScanUnit u;
  ParseStats stats;
  // A range's lines in time order as far as the range saw (not counted out of order against
  // its own earlier lines): their times, non-decreasing, the first kRisingKept of them. When
  // the ranges are merged, those earlier than the ranges before them reached are out of order
  // too, as they are when one thread reads the file.
  static constexpr size_t kRisingKept = 1u << 18;
  std::vector<UnixMicros> rising;
  std::unique_ptr<RecordSink> sink;
  // Its segment of the request journal, when one is kept.
  std::unique_ptr<JournalSegmentWriter> journal;
  std::string journal_file;
  uint64_t journal_records = 0;
  Status journal_status;
};

// Counts a unit's lines, keeps its requests in the journal, then hands the lines on.
class CountingSink : public RecordSink {
 public:
  explicit CountingSink(Unit& u) : u_(u), next_(*u.sink) {}
  void OnChunk(std::string_view chunk, uint64_t offset, bool batched) override {
    next_.OnChunk(chunk, offset, batched);
  }
  void OnLines(std::string_view chunk, std::span<const ParsedLine> lines,
               std::span<const AccessLogRecord> records) override {
    ParseStats& st = u_.stats;
    if (u_.journal) kept_.clear();
    for (size_t i = 0; i < lines.size(); ++i) {
      const ParsedLine& l = lines[i];
      ++st.lines;
      if (l.kind != ParsedLine::Kind::kRecord) {
        st.Skip(l.SkipReason(), l.line_no);
        continue;
      }
      const AccessLogRecord& r = records[i];
      ++st.parsed;
      if (r.has_time) {
        if (r.time < prev_) {
          ++st.out_of_order;
        } else if (u_.u.range && u_.rising.size() < Unit::kRisingKept) {
          u_.rising.push_back(r.time);
        }
        prev_ = std::max(prev_, r.time);
        if (!st.first_time || r.time < st.first_time) st.first_time = r.time;
        if (r.time > st.last_time) st.last_time = r.time;
      }
      if (u_.journal) kept_.push_back(&r);
    }
    if (u_.journal && !kept_.empty()) {
      if (kept_.size() == 1)
        u_.journal->Add(*kept_[0]);
      else
        u_.journal->Add(kept_);
    }
    next_.OnLines(chunk, lines, records);
  }

 private:
  Unit& u_;
  RecordSink& next_;
  UnixMicros prev_ = 0;
  std::vector<const AccessLogRecord*> kept_;
};

}  // namespace

Result<ScanResult> ScanFiles(const std::vector<ScanFile>& inputs, const ScanOptions& o,
                             UnitSinks& sinks) {
  TQ_RETURN_IF_ERROR(ParserFor(o.stream).status());
  ScanResult res;
  res.stats.resize(inputs.size());
  std::vector<std::unique_ptr<LineParser>> parsers(inputs.size());
  std::vector<std::vector<std::string>> samples(inputs.size());
  std::vector<std::unique_ptr<Unit>> units;
  const int threads = std::max(1, o.threads);
  auto add_unit = [&](size_t input, bool range, uint64_t begin, uint64_t end) {
    auto u = std::make_unique<Unit>();
    u->u.index = units.size();
    u->u.input = input;
    u->u.range = range;
    u->u.begin = begin;
    u->u.end = end;
    units.push_back(std::move(u));
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string err;
    samples[i] = SampleLines(inputs[i].path, &err);
    std::vector<std::string_view> views(samples[i].begin(), samples[i].end());
    TQ_ASSIGN_OR_RETURN(parsers[i], ParserForFile(o.stream, views));
    res.stats[i].format = parsers[i]->name();
    if (!err.empty()) {
      res.stats[i].read_error = err;
      continue;
    }
    // Split a large plain file into ranges at line starts, one per thread.
    char head[4] = {};
    uint64_t size = 0;
    int fd = ::open(inputs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st;
      if (fstat(fd, &st) == 0) size = static_cast<uint64_t>(st.st_size);
      ssize_t got = pread(fd, head, sizeof head, 0);
      Compression c =
          DetectCompression(std::string_view(head, got > 0 ? static_cast<size_t>(got) : 0));
      res.stats[i].compression = c;
      // A format whose lines depend on the lines before (W3C's #Fields:) is read in one piece.
      if (c == Compression::kPlain && threads > 1 && size > (64u << 20) &&
          !parsers[i]->Stateful()) {
        uint64_t begin = 0;
        for (int k = 1; k <= threads; ++k) {
          uint64_t end = k == threads ? size : NextLineStart(fd, size * k / threads, size);
          if (end > begin) add_unit(i, true, begin, end);
          begin = end;
        }
        ::close(fd);
        continue;
      }
      ::close(fd);
    }
    add_unit(i, false, 0, 0);
  }
  const size_t window = ScanWindow(threads);
  std::vector<uint64_t> lines_before(inputs.size(), 0);
  // The request journal: its segments are written beside the journal they replace, which is
  // replaced once the scan is done.
  std::string journal_dir;
  JournalManifest journal;
  if (!o.request_journal.empty()) {
    Result<std::string> staging = BeginJournal(o.request_journal);
    if (staging.ok())
      journal_dir = *staging;
    else
      res.request_journal_error = staging.status().ToString();
  }
  // Merges one finished unit into `res` and hands it to the caller's merge, then frees it.
  // Ranges of one file get their line numbers shifted.
  std::vector<UnixMicros> latest_before(inputs.size(), 0);
  auto merge = [&](Unit& u) {
    const size_t input = u.u.input;
    uint64_t shift = lines_before[input];
    lines_before[input] += u.stats.lines;
    // Out of order against the ranges before this one (merged in file order): the lines this
    // range saw in order but earlier than those ranges reached. Past kRisingKept such lines
    // (a file whose times go back further than that across a range's start) it is a lower
    // bound.
    UnixMicros before = latest_before[input];
    u.stats.out_of_order += static_cast<uint64_t>(
        std::lower_bound(u.rising.begin(), u.rising.end(), before) - u.rising.begin());
    latest_before[input] = std::max(before, u.stats.last_time);
    if (!u.journal_file.empty()) {
      if (!u.journal_status.ok() && res.request_journal_error.empty())
        res.request_journal_error = u.journal_status.ToString();
      journal.segments.push_back({input, shift, u.u.begin, u.journal_records, u.journal_file});
    }
    std::vector<UnixMicros>().swap(u.rising);
    u.stats.skipped.ShiftLines(shift);
    ParseStats& ps = res.stats[input];
    std::string fmt = ps.format;
    Compression comp = u.stats.compression;
    ps.Merge(u.stats);
    ps.format = fmt;
    ps.compression = comp;
    sinks.Merge(u.u, *u.sink, shift);
    u.sink.reset();
  };

  std::atomic<size_t> next{0};
  std::atomic<uint64_t> done_bytes{0};
  std::mutex merge_mu;
  std::condition_variable merge_cv;
  size_t merged = 0;  // units merged (a prefix of `units`)
  std::vector<char> finished(units.size(), 0);
  auto scan = [&](ChunkParser& chunks, Unit& u) {
    const ScanFile& in = inputs[u.u.input];
    if (!journal_dir.empty()) {
      u.journal_file = "segment-" + std::to_string(u.u.index) + ".tqj";
      Result<std::unique_ptr<JournalSegmentWriter>> w =
          JournalSegmentWriter::Create(journal_dir + "/" + u.journal_file);
      if (w.ok())
        u.journal = std::move(*w);
      else
        u.journal_status = w.status();
    }
    Result<std::unique_ptr<ByteStream>> s =
        u.u.range ? OpenRange(in.path, u.u.begin, u.u.end) : OpenByteStream(in.path);
    if (!s.ok()) {
      u.stats.read_error = s.status().ToString();
      return;
    }
    u.stats.compression = (*s)->compression();
    std::unique_ptr<LineParser> parser = parsers[u.u.input]->Clone();
    CountingSink sink(u);
    uint64_t last_bytes = 0, chunk_lines = 0;
    Status st = ForEachChunk(
        **s, o.chunk_size, o.stream.max_line, &u.stats,
        [&](std::string_view chunk, uint64_t first_line, uint64_t offset) {
          chunk_lines = chunks.Parse(chunk, first_line, offset, *parser, o.stream.max_line, sink);
          if (o.progress) {
            uint64_t now = (*s)->consumed();  // against the file sizes, not decompressed
            done_bytes += now - last_bytes;
            last_bytes = now;
            o.progress(done_bytes.load());
          }
          return true;
        },
        &chunk_lines);
    if (!st.ok()) u.stats.read_error = st.ToString();
  };
  auto work = [&]() {
    ChunkParser chunks;
    for (;;) {
      size_t k = next.fetch_add(1);
      if (k >= units.size()) return;
      {
        std::unique_lock<std::mutex> lock(merge_mu);
        merge_cv.wait(lock, [&] { return k < merged + window; });
      }
      Unit& u = *units[k];
      u.sink = sinks.Open(u.u);
      scan(chunks, u);
      if (u.journal) {
        u.journal_status = u.journal->Finish();
        u.journal_records = u.journal->records();
        u.journal.reset();
      }
      sinks.Close(u.u, *u.sink);
      std::lock_guard<std::mutex> lock(merge_mu);
      finished[k] = 1;
      while (merged < units.size() && finished[merged]) merge(*units[merged++]);
      merge_cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  // A file that mostly did not parse was probably read with the wrong format: which built-in
  // format reads its first lines best, for the report.
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (res.stats[i].LowShare().empty()) continue;
    std::vector<std::string_view> views(samples[i].begin(), samples[i].end());
    FormatGuess g = BestFormat(views);
    if (!g.format.empty())
      res.stats[i].best_format = g.format + " (" + std::to_string(g.parsed) + " of " +
                                 std::to_string(g.tried) + " sample lines)";
  }
  res.order.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) res.order[i] = i;
  std::stable_sort(res.order.begin(), res.order.end(), [&](size_t a, size_t b) {
    UnixMicros ta = res.stats[a].first_time, tb = res.stats[b].first_time;
    if (!ta || !tb) return ta != 0 && tb == 0;
    return ta < tb;
  });
  if (!journal_dir.empty()) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const ParseStats& ps = res.stats[i];
      JournalManifest::Input& x = journal.inputs.emplace_back();
      x.evidence_id = inputs[i].evidence_id;
      x.sha256 = inputs[i].sha256;
      x.lines = ps.lines;
      x.parsed = ps.parsed;
      x.skipped += ps.skipped.total();
      x.problem = ps.read_error;
    }
    if (res.request_journal_error.empty()) {
      Status st = CommitJournal(o.request_journal, journal);
      if (!st.ok()) res.request_journal_error = st.ToString();
    }
    if (!res.request_journal_error.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(journal_dir, ec);
    }
  }
  return res;
}

}  // namespace tq::logs
