#include "casefile/case_counts.h"

#include <string>

namespace tq {
namespace {

// `table` and `where` are this file's own constants, never input.
Result<int64_t> Count(Db& db, std::string_view table, std::string_view where = "") {
  if (!TableExists(db, table)) return int64_t{-1};
  std::string sql = "SELECT count(*) FROM " + std::string(table);
  if (!where.empty()) sql += " WHERE " + std::string(where);
  return db.QueryInt(sql);
}

}  // namespace

Result<FindingCounts> CountFindings(Db& db) {
  FindingCounts f;
  if (!TableExists(db, "findings")) return f;
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare("SELECT count(*), coalesce(sum(severity IN ('high','critical')),0),"
                          " coalesce(sum(triage='actionable'),0), "
                          "coalesce(sum(triage='context'),0), "
                          "coalesce(sum(triage='noise'),0) FROM findings"));
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (row) f = {st.Int(0), st.Int(1), st.Int(2), st.Int(3), st.Int(4)};
  return f;
}

Result<CaseCounts> CountCase(Db& db) {
  CaseCounts c;
  const char* kOpen = "status NOT IN ('done','cancelled')";
  TQ_ASSIGN_OR_RETURN(c.evidence_items, Count(db, "evidence_items"));
  TQ_ASSIGN_OR_RETURN(c.containment_steps, Count(db, "tasks", "source='contain'"));
  TQ_ASSIGN_OR_RETURN(c.containment_steps_open,
                      Count(db, "tasks", std::string("source='contain' AND ") + kOpen));
  TQ_ASSIGN_OR_RETURN(c.findings, CountFindings(db));
  TQ_ASSIGN_OR_RETURN(c.attackers, Count(db, "attackers"));
  TQ_ASSIGN_OR_RETURN(c.affected_people, Count(db, "scope_person"));
  TQ_ASSIGN_OR_RETURN(c.obligations, Count(db, "notify_obligation"));
  TQ_ASSIGN_OR_RETURN(c.messages, Count(db, "notify_outbox"));
  TQ_ASSIGN_OR_RETURN(c.messages_sent, Count(db, "notify_outbox", "state='sent'"));
  TQ_ASSIGN_OR_RETURN(c.messages_printed, Count(db, "notify_outbox", "state='printed'"));
  // Channels came with a later schema version: a case made before has no post to print.
  TQ_ASSIGN_OR_RETURN(int64_t has_channel,
                      db.QueryInt("SELECT count(*) FROM pragma_table_info('notify_outbox') "
                                  "WHERE name='channel'"));
  if (has_channel > 0) {
    TQ_ASSIGN_OR_RETURN(c.messages_to_print,
                        Count(db, "notify_outbox", "channel='post' AND state='queued'"));
  }
  TQ_ASSIGN_OR_RETURN(c.tasks, Count(db, "tasks"));
  TQ_ASSIGN_OR_RETURN(c.tasks_open, Count(db, "tasks", kOpen));
  TQ_ASSIGN_OR_RETURN(c.tasks_unowned, Count(db, "tasks", std::string("owner='' AND ") + kOpen));
  TQ_ASSIGN_OR_RETURN(c.users, Count(db, "server_user"));
  TQ_ASSIGN_OR_RETURN(c.reports, Count(db, "report_document"));
  TQ_ASSIGN_OR_RETURN(c.postmortems, Count(db, "taskforce_postmortem"));
  TQ_ASSIGN_OR_RETURN(c.notify_plans,
                      Count(db, "audit_log", "command='notify plan' AND outcome='ok'"));
  return c;
}

Result<int64_t> CountEvidenceFiles(Db& db, std::string_view label, bool distinct_contents) {
  if (!TableExists(db, "evidence_items")) return int64_t{0};
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db.Prepare(distinct_contents ? "SELECT count(DISTINCT sha256) FROM "
                                                     "evidence_items WHERE label=? AND kind='file' "
                                                     "AND sha256!=''"
                                                   : "SELECT count(*) FROM evidence_items WHERE "
                                                     "label=? AND kind='file'"));
  st.Bind(1, std::string(label));
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<int64_t> CountParsedRequests(Db& db) {
  if (!TableExists(db, "logs_file")) return int64_t{0};
  return db.QueryInt("SELECT coalesce(sum(parsed),0) FROM logs_file");
}

}  // namespace tq
