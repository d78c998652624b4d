// Collected access logs as AccessRecords, replayed from the request journal (see
// log_records.h).
#include "analysis/log_records.h"

#include <filesystem>

#include "logs/request_journal.h"

namespace tq::analysis {
namespace {

// Whether the journal was made from exactly these log items, in this order.
bool SameEvidence(const logs::JournalManifest& m, const std::vector<logs::JournalSource>& in) {
  if (m.inputs.size() != in.size()) return false;
  for (size_t i = 0; i < in.size(); ++i)
    if (m.inputs[i].evidence_id != in[i].evidence_id || m.inputs[i].sha256 != in[i].sha256)
      return false;
  return true;
}

}  // namespace

void DropRequestJournal(const std::string& journal_dir) {
  std::error_code ec;
  std::filesystem::remove(journal_dir + "/MANIFEST", ec);
}

Result<RecordSource> CaseLogRecords(Case& c, const std::string& journal_dir,
                                    const logs::StreamOptions& options, LogReadStats* stats) {
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> all, ListEvidence(c.db(), "logs"));
  std::vector<logs::JournalSource> inputs;
  for (const EvidenceItem& item : all)
    if (item.kind == "file" && !item.sha256.empty())
      inputs.push_back({item.id, item.sha256, c.ObjectPath(item.sha256)});
  LogReadStats local;
  logs::JournalManifest manifest;
  Result<logs::JournalManifest> m = logs::ReadJournalManifest(journal_dir);
  if (!m.ok()) {
    local.rebuilt =
        m.status().code() == ErrorCode::kNotFound ? "no request journal" : m.status().message();
  } else if (!SameEvidence(*m, inputs)) {
    local.rebuilt = "the request journal was made from other log items";
  } else {
    manifest = std::move(*m);
  }
  if (!local.rebuilt.empty()) {
    TQ_ASSIGN_OR_RETURN(manifest, logs::BuildRequestJournal(journal_dir, inputs, options));
  }
  local.files = static_cast<int64_t>(manifest.inputs.size());
  for (const logs::JournalManifest::Input& in : manifest.inputs) {
    local.lines += static_cast<int64_t>(in.lines);
    local.parsed += static_cast<int64_t>(in.parsed);
    local.skipped += static_cast<int64_t>(in.skipped);
    if (!in.problem.empty()) local.problems.push_back(in.problem);
  }
  if (stats) *stats = std::move(local);
  // A journal damaged after it was written fails the pass that reads it (BadInput, naming the
  // journal); DropRequestJournal then lets the next call build it again.
  return RecordSource(
      [journal_dir, manifest = std::move(manifest)](const RecordVisitor& visit) -> Status {
        return logs::ReplayJournal(journal_dir, manifest,
                                   [&](int64_t evidence_id, const logs::JournalRequest& q) {
                                     AccessRecord r;
                                     r.time = q.time;
                                     r.client = q.client;
                                     r.method = q.method;
                                     r.path = q.path;
                                     r.query = q.query;
                                     r.status = q.status;
                                     r.bytes = q.bytes;
                                     r.user_agent = q.user_agent;
                                     r.session = q.session;
                                     r.evidence_id = evidence_id;
                                     r.line = q.line;
                                     r.offset = q.offset;
                                     visit(r);
                                   });
      });
}

}  // namespace tq::analysis
