// Collected access logs as AccessRecords (see log_records.h).
#include "analysis/log_records.h"

#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "logs/logs.h"

namespace tq::analysis {
namespace {

int64_t Number(std::string_view s, int64_t if_none) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return if_none;
  return v;
}

}  // namespace

std::string_view SessionFromCookie(std::string_view cookie) {
  static constexpr std::string_view kNames[] = {
      "PHPSESSID=", "frontend=", "admin=", "wordpress_logged_in_", "wp_woocommerce_session_"};
  size_t pos = 0;
  while (pos < cookie.size()) {
    while (pos < cookie.size() && (cookie[pos] == ' ' || cookie[pos] == ';')) ++pos;
    size_t end = cookie.find(';', pos);
    if (end == std::string_view::npos) end = cookie.size();
    std::string_view pair = cookie.substr(pos, end - pos);
    for (std::string_view n : kNames) {
      size_t eq = pair.find('=');
      if (pair.starts_with(n) && eq != std::string_view::npos && eq + 1 < pair.size()) return pair;
    }
    pos = end + 1;
  }
  return {};
}

namespace {

// Records copied out of the parser's buffers so that another thread can read them.
struct Batch {
  struct Rec {
    UnixMicros time = 0;
    int status = 0;
    int64_t bytes = -1, line = 0, offset = -1;
    std::array<uint32_t, 8> at{}, len{};  // client method path query ua referrer session
  };
  std::string text;
  std::vector<Rec> recs;
  bool last = false;  // the file's last batch
};
constexpr size_t kBatchRecords = 4096;
// Batches parsed ahead of the reader, over all files (about 64 MB). The file the reader is
// on may always go past it, so the reader never waits for a worker that waits for room.
constexpr size_t kBatchesAhead = 64;

// One collected log file: its batches, handed from a parsing thread to the reader in order.
struct FileSlot {
  std::deque<Batch> ready;
  logs::ParseStats stats;
  Status status;
};

void Fill(Batch::Rec& out, std::string& text, size_t k, std::string_view v) {
  out.at[k] = static_cast<uint32_t>(text.size());
  out.len[k] = static_cast<uint32_t>(v.size());
  text.append(v);
}

}  // namespace

// Files are parsed on two threads, each its own file; the visitor sees every record on the
// calling thread, file by file in collection order and line by line, so the result does
// not depend on the thread schedule.
RecordSource CollectedLogRecords(Case& c, LogReadOptions options, LogReadStats* stats) {
  return [&c, options, stats](const RecordVisitor& visit) -> Status {
    TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> all, ListEvidence(c.db(), "logs"));
    std::vector<EvidenceItem> items;
    for (EvidenceItem& item : all)
      if (item.kind == "file" && !item.sha256.empty()) items.push_back(std::move(item));
    logs::StreamOptions so;
    so.log_format = options.log_format;
    so.json_field_map = options.json_field_map;
    TQ_RETURN_IF_ERROR(logs::ParserFor(so).status());
    std::vector<std::unique_ptr<FileSlot>> slots;
    for (size_t i = 0; i < items.size(); ++i) slots.push_back(std::make_unique<FileSlot>());
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex m;  // guards every slot, in_flight and reading
    std::condition_variable cv;
    size_t in_flight = 0, reading = 0;
    auto parse = [&] {
      for (size_t i = next++; i < items.size() && !stop; i = next++) {
        FileSlot& slot = *slots[i];
        Batch b;
        auto hand_over = [&](bool last) {
          b.last = last;
          std::unique_lock lock(m);
          cv.wait(lock, [&] { return in_flight < kBatchesAhead || i == reading || stop; });
          slot.ready.push_back(std::move(b));
          ++in_flight;
          cv.notify_all();
          b = Batch{};
        };
        logs::ParseStats ps;
        logs::RecordFilter everything;
        Status st = logs::StreamRecords(
            c.ObjectPath(items[i].sha256), so, everything,
            [&](const logs::AccessLogRecord& rec) {
              using logs::Field;
              // A WAF's audit entries and error-log lines repeat requests the access log
              // holds: they reach the analysis as rule hits and timeline rows, not as requests.
              if (rec.kind != logs::RecordKind::kRequest) return !stop.load();
              Batch::Rec r;
              r.time = rec.has_time ? rec.time : 0;
              r.status = static_cast<int>(Number(rec.get(Field::kStatus), 0));
              r.bytes = rec.has(Field::kBytesSent) ? Number(rec.get(Field::kBytesSent), 0) : -1;
              r.line = static_cast<int64_t>(rec.line_no);
              r.offset = static_cast<int64_t>(rec.offset);
              Fill(r, b.text, 0, rec.get(Field::kClientIp));
              Fill(r, b.text, 1, rec.get(Field::kMethod));
              Fill(r, b.text, 2, rec.get(Field::kUriStem));
              Fill(r, b.text, 3, rec.get(Field::kQuery));
              Fill(r, b.text, 4, rec.get(Field::kUserAgent));
              Fill(r, b.text, 5, rec.get(Field::kReferer));
              Fill(r, b.text, 6,
                   rec.has(Field::kCookie) ? SessionFromCookie(rec.get(Field::kCookie))
                                           : std::string_view());
              b.recs.push_back(r);
              if (b.recs.size() >= kBatchRecords) hand_over(false);
              return !stop.load();
            },
            &ps);
        {
          std::lock_guard lock(m);
          slot.stats = std::move(ps);
          slot.status = st;
        }
        hand_over(true);
      }
    };
    std::vector<std::jthread> workers;
    for (size_t t = 0; t < std::min<size_t>(2, items.size()); ++t) workers.emplace_back(parse);
    // However the reading below ends (an exception from the visitor), the workers are told
    // to stop before they are joined, so none waits for room forever.
    struct StopWorkers {
      std::atomic<bool>& stop;
      std::mutex& m;
      std::condition_variable& cv;
      ~StopWorkers() {
        std::lock_guard lock(m);
        stop = true;
        cv.notify_all();
      }
    } stop_workers{stop, m, cv};

    LogReadStats local;
    for (size_t i = 0; i < items.size(); ++i) {
      FileSlot& slot = *slots[i];
      const EvidenceItem& item = items[i];
      ++local.files;
      for (bool last = false; !last;) {
        Batch b;
        {
          std::unique_lock lock(m);
          if (reading != i) {
            reading = i;
            cv.notify_all();
          }
          cv.wait(lock, [&] { return !slot.ready.empty(); });
          b = std::move(slot.ready.front());
          slot.ready.pop_front();
          --in_flight;
          cv.notify_all();
        }
        last = b.last;
        for (const Batch::Rec& x : b.recs) {
          auto view = [&](size_t k) { return std::string_view(b.text).substr(x.at[k], x.len[k]); };
          AccessRecord r;
          r.time = x.time;
          r.client = view(0);
          r.method = view(1);
          r.path = view(2);
          r.query = view(3);
          r.status = x.status;
          r.bytes = x.bytes;
          r.user_agent = view(4);
          r.referrer = view(5);
          r.session = view(6);
          r.evidence_id = item.id;
          r.line = x.line;
          r.offset = x.offset;
          visit(r);
        }
      }
      std::lock_guard lock(m);
      const logs::ParseStats& ps = slot.stats;
      local.lines += static_cast<int64_t>(ps.lines);
      local.parsed += static_cast<int64_t>(ps.parsed);
      for (auto& [reason, sc] : ps.skipped) local.skipped += static_cast<int64_t>(sc.lines);
      if (!slot.status.ok())
        local.problems.push_back(
            Status(slot.status.code(), item.original_path + ": " + slot.status.message()));
      if (!ps.read_error.empty())
        local.problems.push_back(Status::BadInput(item.original_path + ": " + ps.read_error));
    }
    if (stats && stats->files == 0) *stats = std::move(local);
    return Status::Ok();
  };
}

}  // namespace tq::analysis
