// The chain of custody: one record per collect, verify and export (who, when, what, from
// where, hash), each also a signed manifest line; exported as CSV or JSON.
#include "core/escape.h"
#include "core/json.h"
#include "core/time.h"
#include "evidence/evidence.h"
#include "evidence/manifest.h"

namespace tq::evidence {
namespace internal {

Status AddCustody(ManifestWriter& w, CustodyRecord& r) {
  if (r.at == 0) r.at = NowMicros();
  if (r.host.empty()) r.host = HostName();
  if (r.outcome.empty()) r.outcome = "ok";
  return w.Commit([&](Db& db, ManifestWriter::Batch& b) -> Status {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO evidence_custody(at,actor,host,action,"
                                            "what,origin,sha256,outcome,detail) "
                                            "VALUES(?,?,?,?,?,?,?,?,?)"));
    st.Bind(1, r.at).Bind(2, r.actor).Bind(3, r.host).Bind(4, r.action).Bind(5, r.what);
    st.BindBlob(6, r.origin).Bind(7, r.sha256).Bind(8, r.outcome).Bind(9, r.detail);
    TQ_RETURN_IF_ERROR(st.Run());
    r.id = db.LastInsertRowid();
    TQ_ASSIGN_OR_RETURN(r.manifest_line, b.Add(db, "custody", CustodyBody(r), 0, r.id));
    return Status::Ok();
  });
}

}  // namespace internal

Result<CustodyRecord> RecordCustody(Case& c, CustodyRecord record) {
  TQ_ASSIGN_OR_RETURN(auto writer, internal::ManifestWriter::Open(c));
  TQ_RETURN_IF_ERROR(internal::AddCustody(*writer, record));
  return record;
}

Result<std::vector<CustodyRecord>> ListCustody(Case& c) {
  TQ_RETURN_IF_ERROR(internal::EnsureEvidenceSchema(c));
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      c.db().Prepare("SELECT c.id,c.at,c.actor,c.host,c.action,c.what,c.origin,"
                                     "c.sha256,c.outcome,c.detail,coalesce(m.seq,0) FROM "
                                     "evidence_custody c LEFT JOIN evidence_manifest m ON "
                                     "m.custody_id=c.id ORDER BY c.id"));
  std::vector<CustodyRecord> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    CustodyRecord r;
    r.id = st.Int(0);
    r.at = st.Int(1);
    r.actor = st.String(2);
    r.host = st.String(3);
    r.action = st.String(4);
    r.what = st.String(5);
    r.origin = st.String(6);
    r.sha256 = st.String(7);
    r.outcome = st.String(8);
    r.detail = st.String(9);
    r.manifest_line = static_cast<uint64_t>(st.Int(10));
    out.push_back(std::move(r));
  }
  return out;
}

std::string CustodyCsv(const std::vector<CustodyRecord>& records) {
  std::string out = "id,at,actor,host,action,what,origin,sha256,outcome,detail,manifest_line\r\n";
  for (const CustodyRecord& r : records) {
    out += std::to_string(r.id) + "," + EscapeCsvField(FormatUtc(r.at)) + "," +
           EscapeCsvField(r.actor) + "," + EscapeCsvField(r.host) + "," + EscapeCsvField(r.action) +
           "," + EscapeCsvField(r.what) + "," + EscapeCsvField(r.origin) + "," +
           EscapeCsvField(r.sha256) + "," + EscapeCsvField(r.outcome) + "," +
           EscapeCsvField(r.detail) + "," + std::to_string(r.manifest_line) + "\r\n";
  }
  return out;
}

std::string CustodyJson(const std::vector<CustodyRecord>& records) {
  JsonWriter w(true);
  w.BeginObject().Key("custody").BeginArray();
  for (const CustodyRecord& r : records) {
    w.BeginObject().Field("id", r.id).Field("at", FormatUtc(r.at)).Field("actor", r.actor);
    w.Field("host", r.host).Field("action", r.action).Field("what", r.what);
    w.Field("origin", r.origin).Field("sha256", r.sha256).Field("outcome", r.outcome);
    w.Field("detail", r.detail).Field("manifest_line", r.manifest_line).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take() + "\n";
}

}  // namespace tq::evidence
