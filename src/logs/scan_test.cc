// The reading side of a log scan: lines in batches with their parse outcome, work units in
// input order with their line shifts, statistics, ranges of a large plain file, compressed
// files, an unreadable file, and the request journal.
#include "logs/scan.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <mutex>
#include <set>

#include "logs/request_journal.h"
#include "support/testing.h"

namespace tq::logs {
namespace {

using tq::testing::TempDir;
using tq::testing::WriteFile;

std::string Line(int i, int sec) {
  char t[64];
  std::snprintf(t, sizeof t, "%02d/Oct/2025:%02d:%02d:%02d +0000", 1 + sec / 86400, sec / 3600 % 24,
                sec / 60 % 60, sec % 60);
  return "10.0." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + " - - [" + t +
         "] \"GET /p" + std::to_string(i) + " HTTP/1.1\" 200 " + std::to_string(i % 1000) +
         " \"-\" \"ua\"\n";
}

// What a sink was given, call by call.
struct Recorder : RecordSink {
  int chunks = 0;
  bool batched = false;
  std::vector<size_t> batch_sizes;
  std::vector<ParsedLine> lines;
  std::vector<std::string> clients, texts;  // of kRecord lines; texts: every line
  void OnChunk(std::string_view, uint64_t, bool b) override {
    ++chunks;
    batched = b;
  }
  void OnLines(std::string_view chunk, std::span<const ParsedLine> ls,
               std::span<const AccessLogRecord> recs) override {
    batch_sizes.push_back(ls.size());
    ASSERT_EQ(ls.size(), recs.size());
    for (size_t i = 0; i < ls.size(); ++i) {
      lines.push_back(ls[i]);
      texts.emplace_back(chunk.substr(ls[i].begin, ls[i].end - ls[i].begin));
      if (ls[i].kind == ParsedLine::Kind::kRecord)
        clients.emplace_back(recs[i].get(Field::kClientIp));
    }
  }
};

TEST(ChunkParserTest, BatchesAndLineKinds) {
  std::string chunk;
  for (int i = 0; i < 600; ++i) chunk += Line(i, i);
  chunk += "\n";                               // empty
  chunk += "garbage\n";                        // not combined
  chunk += std::string(300, 'x') + "\n";       // too long
  chunk += Line(7, 7).substr(0, 40) + "\r\n";  // cut: bad
  chunk += Line(601, 601);
  chunk.pop_back();  // a last line without '\n'
  chunk.insert(chunk.size(), "\r");
  std::unique_ptr<LineParser> p = NamedFormat("combined").value();
  ASSERT_TRUE(p->FieldsViewLine());
  ChunkParser cp;
  Recorder r;
  EXPECT_EQ(cp.Parse(chunk, 10, 1000, *p, 200, r), 605u);  // as CountNewlines, plus the last
  EXPECT_EQ(CountNewlines(chunk) + 1, 605u);
  EXPECT_EQ(r.chunks, 1);
  EXPECT_TRUE(r.batched);
  ASSERT_EQ(r.lines.size(), 605u);
  EXPECT_EQ(r.batch_sizes, (std::vector<size_t>{256, 256, 93}));
  EXPECT_EQ(r.lines[0].line_no, 10u);
  EXPECT_EQ(r.lines[604].line_no, 614u);
  EXPECT_EQ(r.lines[600].kind, ParsedLine::Kind::kEmpty);
  EXPECT_EQ(r.lines[600].SkipReason(), "empty line");
  EXPECT_EQ(r.lines[601].kind, ParsedLine::Kind::kBad);
  EXPECT_FALSE(r.lines[601].SkipReason().empty());
  EXPECT_EQ(r.lines[602].kind, ParsedLine::Kind::kTooLong);
  EXPECT_EQ(r.lines[602].SkipReason(), "line too long");
  EXPECT_EQ(r.lines[603].kind, ParsedLine::Kind::kBad);
  EXPECT_EQ(r.lines[604].kind, ParsedLine::Kind::kRecord);  // its '\r' is not part of it
  EXPECT_EQ(r.texts[5], Line(5, 5).substr(0, Line(5, 5).size() - 1));
  ASSERT_EQ(r.clients.size(), 601u);
  EXPECT_EQ(r.clients[300], "10.0.1.44");
  EXPECT_EQ(r.clients[600], "10.0.2.89");
}

TEST(ChunkParserTest, RecordsInTheParsersBuffersComeOneAtATime) {
  std::string chunk =
      "{\"remote_addr\":\"1.2.3.4\",\"request_uri\":\"/a\"}\n"
      "{\"remote_addr\":\"5.6.7.8\",\"request_uri\":\"/b\"}\n"
      "not json\n";
  std::unique_ptr<LineParser> p = NamedFormat("jsonl").value();
  ASSERT_FALSE(p->FieldsViewLine());
  ChunkParser cp;
  Recorder r;
  cp.Parse(chunk, 1, 0, *p, 1 << 20, r);
  EXPECT_FALSE(r.batched);
  EXPECT_EQ(r.batch_sizes, (std::vector<size_t>{1, 1, 1}));
  EXPECT_EQ(r.clients, (std::vector<std::string>{"1.2.3.4", "5.6.7.8"}));
  EXPECT_EQ(r.lines[2].kind, ParsedLine::Kind::kBad);
}

// Counts each unit's records and clients, and records the merges.
struct CountingSinks : UnitSinks {
  struct Sink : RecordSink {
    uint64_t records = 0;
    std::vector<uint64_t> line_nos;
    void OnLines(std::string_view, std::span<const ParsedLine> ls,
                 std::span<const AccessLogRecord>) override {
      for (const ParsedLine& l : ls) {
        if (l.kind == ParsedLine::Kind::kRecord) ++records;
        line_nos.push_back(l.line_no);
      }
    }
  };
  std::mutex mu;
  int opened = 0, closed = 0;
  std::vector<ScanUnit> merged;
  std::vector<uint64_t> shifts, records;
  // Every line number of every file, shifted (file -> lines).
  std::map<size_t, std::vector<uint64_t>> lines;
  std::unique_ptr<RecordSink> Open(const ScanUnit&) override {
    std::lock_guard<std::mutex> l(mu);
    ++opened;
    return std::make_unique<Sink>();
  }
  void Close(const ScanUnit&, RecordSink&) override {
    std::lock_guard<std::mutex> l(mu);
    ++closed;
  }
  void Merge(const ScanUnit& u, RecordSink& s, uint64_t shift) override {
    merged.push_back(u);
    shifts.push_back(shift);
    auto& sink = static_cast<Sink&>(s);
    records.push_back(sink.records);
    for (uint64_t n : sink.line_nos) lines[u.input].push_back(n + shift);
  }
};

TEST(ScanFilesTest, UnitsMergeInInputOrderWithStatistics) {
  TempDir dir;
  std::string a, b;
  for (int i = 0; i < 1000; ++i) a += Line(i, 1000 - i % 2);  // every other line goes back
  a += "garbage\n";
  for (int i = 0; i < 500; ++i) b += Line(i, 5 + i);
  WriteFile(dir / "a.log", a);
  WriteFile(dir / "b.log.1", testing::GzipBytes(b));
  std::vector<ScanFile> files = {
      {dir / "a.log", 1, "aa"}, {dir / "missing.log", 2, "bb"}, {dir / "b.log.1", 3, "cc"}};
  for (int threads : {1, 3}) {
    ScanOptions o;
    o.threads = threads;
    o.chunk_size = 4096;
    o.request_journal = dir / ("journal" + std::to_string(threads));
    std::atomic<uint64_t> progress{0};
    o.progress = [&](uint64_t done) { progress = done; };
    CountingSinks sinks;
    Result<ScanResult> res = ScanFiles(files, o, sinks);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(sinks.opened, 2);  // the missing file has no unit
    EXPECT_EQ(sinks.closed, 2);
    ASSERT_EQ(sinks.merged.size(), 2u);
    EXPECT_EQ(sinks.merged[0].input, 0u);
    EXPECT_EQ(sinks.merged[1].input, 2u);
    EXPECT_EQ(sinks.records, (std::vector<uint64_t>{1000, 500}));
    const std::vector<ParseStats>& st = res->stats;
    ASSERT_EQ(st.size(), 3u);
    EXPECT_EQ(st[0].lines, 1001u);
    EXPECT_EQ(st[0].parsed, 1000u);
    EXPECT_EQ(st[0].out_of_order, 500u);
    ASSERT_EQ(st[0].skipped.size(), 1u);
    ASSERT_EQ(st[0].skipped.begin()->second.examples.size(), 1u);
    EXPECT_EQ(st[0].skipped.begin()->second.examples[0].line, 1001u);
    EXPECT_EQ(st[0].format, "combined");
    EXPECT_FALSE(st[1].read_error.empty());
    EXPECT_EQ(st[2].compression, Compression::kGzip);
    EXPECT_EQ(st[2].lines, 500u);
    EXPECT_EQ(st[2].out_of_order, 0u);
    EXPECT_LT(st[2].first_time, st[0].first_time);
    EXPECT_EQ(res->order, (std::vector<size_t>{2, 0, 1}));  // by first time, none last
    EXPECT_EQ(progress.load(), a.size() + testing::GzipBytes(b).size());
    EXPECT_TRUE(res->request_journal_error.empty()) << res->request_journal_error;
    // The journal holds every request, with the items' identities.
    Result<JournalManifest> m = ReadJournalManifest(o.request_journal);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_EQ(m->inputs.size(), 3u);
    EXPECT_EQ(m->inputs[2].evidence_id, 3);
    EXPECT_EQ(m->inputs[0].parsed, 1000u);
    EXPECT_FALSE(m->inputs[1].problem.empty());
    std::map<int64_t, uint64_t> per_item;
    ASSERT_TRUE(ReplayJournal(o.request_journal, *m, [&](int64_t id, const JournalRequest& r) {
                  ++per_item[id];
                  EXPECT_GT(r.line, 0);
                }).ok());
    EXPECT_EQ(per_item, (std::map<int64_t, uint64_t>{{1, 1000}, {3, 500}}));
  }
}

// A large plain file is read in ranges, one a thread: each range's lines are numbered from its
// start and shifted at the merge, and lines that go back across a range's start count as out
// of order, as they do on one thread.
TEST(ScanFilesTest, LargePlainFileInRanges) {
  TempDir dir;
  std::string a;
  int n = 0;
  while (a.size() <= (size_t{65} << 20)) {
    a += Line(n, n % 500000 == 499999 ? 0 : n);  // now and then a line far back
    ++n;
  }
  WriteFile(dir / "big.log", a);
  std::vector<ParseStats> one;
  for (int threads : {1, 2, 3}) {
    ScanOptions o;
    o.threads = threads;
    CountingSinks sinks;
    Result<ScanResult> res = ScanFiles({{dir / "big.log", 1, "x"}}, o, sinks);
    ASSERT_TRUE(res.ok());
    ASSERT_EQ(sinks.merged.size(), static_cast<size_t>(threads));
    EXPECT_EQ(sinks.merged.back().range, threads > 1);
    for (size_t k = 1; k < sinks.merged.size(); ++k) {
      EXPECT_EQ(sinks.merged[k].begin, sinks.merged[k - 1].end);
      EXPECT_GT(sinks.shifts[k], sinks.shifts[k - 1]);
    }
    // Every line once, numbered as in the file.
    const std::vector<uint64_t>& ls = sinks.lines[0];
    ASSERT_EQ(ls.size(), static_cast<size_t>(n));
    for (size_t i = 0; i < ls.size(); i += 9973) ASSERT_EQ(ls[i], i + 1);
    EXPECT_EQ(ls.back(), static_cast<uint64_t>(n));
    EXPECT_EQ(res->stats[0].lines, static_cast<uint64_t>(n));
    EXPECT_EQ(res->stats[0].out_of_order, static_cast<uint64_t>(n / 500000));
    EXPECT_EQ(res->stats[0].first_time, one.empty() ? res->stats[0].first_time : one[0].first_time);
    if (one.empty()) one = res->stats;
  }
}

TEST(ScanFilesTest, BadOptionsFail) {
  ScanOptions o;
  o.stream.trusted_proxies = {"not a network"};
  CountingSinks sinks;
  EXPECT_FALSE(ScanFiles({}, o, sinks).ok());
}

}  // namespace
}  // namespace tq::logs
