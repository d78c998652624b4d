// Building a request journal from the log items themselves, for a case whose logs stage left
// none: each file read and parsed once (StreamRecords, the same readers and parsers), its
// requests written to its own segment, files spread over the threads.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "logs/request_journal.h"

namespace tq::logs {

Result<JournalManifest> BuildRequestJournal(const std::string& dir,
                                            const std::vector<JournalSource>& inputs,
                                            const StreamOptions& options, int threads) {
  TQ_RETURN_IF_ERROR(ParserFor(options).status());
  TQ_ASSIGN_OR_RETURN(std::string staging, BeginJournal(dir));
  JournalManifest m;
  m.inputs.resize(inputs.size());
  m.segments.resize(inputs.size());
  std::vector<Status> failed(inputs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < inputs.size(); i = next++) {
      JournalManifest::Input& in = m.inputs[i];
      in.evidence_id = inputs[i].evidence_id;
      in.sha256 = inputs[i].sha256;
      JournalManifest::Segment& seg = m.segments[i];
      seg.input = i;
      seg.file = "segment-" + std::to_string(i) + ".tqj";
      Result<std::unique_ptr<JournalSegmentWriter>> w =
          JournalSegmentWriter::Create(staging + "/" + seg.file);
      if (!w.ok()) {
        failed[i] = w.status();
        continue;
      }
      ParseStats ps;
      RecordFilter everything;
      Status st = StreamRecords(
          inputs[i].path, options, everything,
          [&](const AccessLogRecord& rec) {
            (*w)->Add(rec);
            return true;
          },
          &ps);
      failed[i] = (*w)->Finish();
      seg.records = (*w)->records();
      in.lines = ps.lines;
      in.parsed = ps.parsed;
      in.skipped += ps.skipped.total();
      if (!st.ok())
        in.problem = st.message();
      else if (!ps.read_error.empty())
        in.problem = ps.read_error;
    }
  };
  {
    std::vector<std::jthread> pool;
    size_t n = std::min<size_t>(static_cast<size_t>(std::max(1, threads)), inputs.size());
    for (size_t t = 1; t < n; ++t) pool.emplace_back(work);
    work();
  }
  for (const Status& s : failed) TQ_RETURN_IF_ERROR(s);
  TQ_RETURN_IF_ERROR(CommitJournal(dir, m));
  return m;
}

}  // namespace tq::logs
