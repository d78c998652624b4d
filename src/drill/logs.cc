// Access logs rotated the way logrotate leaves them (daily at local midnight, delaycompress):
// access.log (today), access.log.1 (yesterday, plain), access.log.2.gz, ... Each day is one
// file, generated and gzip-compressed by a pool of threads; the scheduled requests of the
// scenario are merged into the background traffic in time order and their line numbers are
// recorded as evidence references.
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <thread>

#include "drill/internal.h"
#include "drill/logformat.h"
#include "drill/traffic.h"

namespace tq::drill {

namespace {

// Buffered output to a plain file or a gzip stream (zlib level 6, no name, mtime 0).
class LogSink {
 public:
  LogSink(std::string path, bool gz) : path_(std::move(path)), gz_(gz) {}
  ~LogSink() {
    if (f_) std::fclose(f_);
    if (gz_ && zinit_) deflateEnd(&z_);
  }
  Status Open() {
    f_ = std::fopen(path_.c_str(), "wb");
    if (!f_) return Status::FromErrno(path_, errno);
    if (gz_) {
      if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::Internal("zlib init failed");
      }
      zinit_ = true;
      zbuf_.resize(1 << 20);
    }
    return Status::Ok();
  }
  Status Write(std::string_view data, bool finish) {
    if (!gz_) {
      if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f_) != data.size()) {
        return Status::FromErrno(path_, errno);
      }
      return Status::Ok();
    }
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    int flush = finish ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(zbuf_.data());
      z_.avail_out = static_cast<uInt>(zbuf_.size());
      rc = deflate(&z_, flush);
      size_t have = zbuf_.size() - z_.avail_out;
      if (have && std::fwrite(zbuf_.data(), 1, have, f_) != have) {
        return Status::FromErrno(path_, errno);
      }
    } while (z_.avail_out == 0 || (finish && rc != Z_STREAM_END));
    return Status::Ok();
  }
  Status Close() {
    FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0) return Status::FromErrno(path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  bool gz_;
  FILE* f_ = nullptr;
  z_stream z_{};
  bool zinit_ = false;
  std::string zbuf_;
};

struct DayJob {
  int day;
  UnixMicros start, end;
  std::string name;  // "access.log.3.gz"
  bool gz;
  size_t first_req, last_req;  // range in the sorted scheduled requests
  uint64_t lines = 0, bytes = 0;
  UnixMicros last_time = 0;
  Status status;
};

constexpr uint32_t kLoadBalancer = (10u << 24) | (20u << 16) | 5u;

LineParts PartsOf(const Request& r) {
  LineParts p;
  p.t = r.t;
  p.ip = r.ip;
  p.xff = r.xff;
  p.method = r.method;
  p.uri = r.uri;
  p.proto = r.proto;
  p.status = r.status;
  p.bytes = r.bytes;
  p.referer = r.referer;
  p.ua = r.ua;
  p.rt_ms = r.request_time_ms;
  return p;
}

void RunDay(const std::string& dir, uint64_t seed, const Store& store, LogFormat format,
            uint64_t per_day, const std::vector<const Request*>& reqs, Breach* breach,
            DayJob* job) {
  LogSink sink(dir + "/" + job->name, job->gz);
  job->status = sink.Open();
  if (!job->status.ok()) return;
  LineFormatter fmt(format, *store.tz, store.spec.host);
  // Share of a full day this file covers (the last day ends at discovery).
  uint64_t target = static_cast<uint64_t>(static_cast<double>(per_day) *
                                          static_cast<double>(job->end - job->start) / 86400e6);
  DayTraffic traffic(store, seed, job->day, job->start, job->end, target);
  std::string buf;
  buf.reserve(4 << 20);
  size_t next = job->first_req;
  LineParts bg;
  bool have_bg = traffic.Next(&bg);
  const std::string relname = "logs/" + job->name;
  auto emit = [&](LineParts p) {
    if (format == LogFormat::kNginxCustom && p.xff == 0) {
      p.xff = p.ip;
      p.ip = kLoadBalancer | static_cast<uint32_t>(p.t / 1000000 % 2);
    }
    fmt.Append(p, &buf);
    ++job->lines;
    job->last_time = p.t;
  };
  while (have_bg || next < job->last_req) {
    if (next < job->last_req && (!have_bg || reqs[next]->t <= bg.t)) {
      const Request* r = reqs[next++];
      emit(PartsOf(*r));
      if (r->evidence >= 0) breach->evidence[r->evidence] = {relname, job->lines};
    } else {
      emit(bg);
      have_bg = traffic.Next(&bg);
    }
    if (buf.size() >= (4u << 20) - 65536) {
      job->bytes += buf.size();
      job->status = sink.Write(buf, false);
      if (!job->status.ok()) return;
      buf.clear();
    }
  }
  job->bytes += buf.size();
  job->status = sink.Write(buf, true);
  if (!job->status.ok()) return;
  job->status = sink.Close();
  if (!job->status.ok()) return;
  job->status = SetMtime(dir + "/" + job->name, std::max(job->last_time, job->start));
}

// Local midnight at or before t.
UnixMicros LocalMidnight(UnixMicros t, const TimeZone& tz) {
  int64_t local = t / 1000000 + tz.OffsetAt(t);
  int64_t midnight_local = local - ((local % 86400) + 86400) % 86400;
  return tz.LocalToUtc(midnight_local * 1000000);
}

}  // namespace

Status WriteAccessLogs(const std::string& out_dir, uint64_t seed, const Store& store,
                       LogFormat format, int threads, Breach* breach, LogStats* stats) {
  const std::string dir = out_dir + "/logs";
  TQ_RETURN_IF_ERROR(MakeDirs(dir));
  std::vector<const Request*> reqs;
  reqs.reserve(breach->requests.size());
  for (const Request& r : breach->requests) {
    if (r.t >= store.spec.log_start && r.t < store.spec.log_end) reqs.push_back(&r);
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Request* a, const Request* b) { return a->t < b->t; });
  // Day boundaries at local midnight.
  std::vector<DayJob> jobs;
  UnixMicros start = store.spec.log_start;
  int day = 0;
  while (start < store.spec.log_end) {
    UnixMicros next = LocalMidnight(start + 30LL * 3600 * 1000000, *store.tz);
    DayJob j;
    j.day = day++;
    j.start = start;
    j.end = std::min(next, store.spec.log_end);
    jobs.push_back(j);
    start = next;
  }
  const int n = static_cast<int>(jobs.size());
  size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    int k = n - 1 - i;  // rotation number
    jobs[i].name = k == 0 ? "access.log" : "access.log." + std::to_string(k) + (k >= 2 ? ".gz" : "");
    jobs[i].gz = k >= 2;
    jobs[i].first_req = pos;
    while (pos < reqs.size() && reqs[pos]->t < jobs[i].end) ++pos;
    jobs[i].last_req = pos;
  }
  uint64_t scheduled = reqs.size();
  uint64_t background = store.spec.requests > scheduled ? store.spec.requests - scheduled : 0;
  uint64_t per_day = background * 86400000000ULL /
                     static_cast<uint64_t>(store.spec.log_end - store.spec.log_start);
  std::atomic<int> next_job{0};
  auto worker = [&]() {
    for (;;) {
      int i = next_job.fetch_add(1);
      if (i >= n) return;
      RunDay(dir, seed, store, format, per_day, reqs, breach, &jobs[i]);
    }
  };
  // The biggest (compressed) days first would balance better, but order does not change
  // the output: each day has its own PRNG stream and file.
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const DayJob& j : jobs) {
    TQ_RETURN_IF_ERROR(j.status);
    stats->lines += j.lines;
    stats->bytes += j.bytes;
    stats->files += 1;
  }
  return Status::Ok();
}

}  // namespace tq::drill
