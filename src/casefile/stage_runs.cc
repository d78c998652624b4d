// Stage runs (see stage_runs.h). One row per stage per run; a row without finished_at is a
// stage that was killed (or is still running: its pid is kept to tell the two apart).
#include "casefile/stage_runs.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace tq {
namespace {

constexpr Migration kStageRunMigrations[] = {
    {1,
     "CREATE TABLE stage_runs (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  run_id INTEGER NOT NULL,\n"
     "  command TEXT NOT NULL,\n"
     "  stage TEXT NOT NULL,\n"
     "  pid INTEGER NOT NULL,\n"
     "  started_at INTEGER NOT NULL,\n"
     "  finished_at INTEGER,\n"
     "  outcome TEXT\n"
     ");\n"
     "CREATE INDEX stage_runs_command ON stage_runs(command, run_id);\n"},
};

bool Alive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

Status EnsureStageRunSchema(Case& c) { return c.EnsureSchema("stage_runs", kStageRunMigrations); }

Status BeginRun(Case& c, std::string_view command, const std::vector<std::string>& stages,
                int64_t* run_id, std::vector<int64_t>* rows) {
  TQ_RETURN_IF_ERROR(EnsureStageRunSchema(c));
  rows->clear();
  return c.Transaction([&](Db& db) -> Status {
    // Stages not started yet carry the outcome "planned" (finished_at stays NULL).
    TQ_ASSIGN_OR_RETURN(
        Stmt st, db.Prepare("INSERT INTO stage_runs(run_id,command,stage,pid,started_at,outcome) "
                            "VALUES(?,?,?,?,?,'planned')"));
    int64_t run = 0;
    for (const std::string& stage : stages) {
      TQ_RETURN_IF_ERROR(st.Reset());
      st.Bind(1, run).Bind(2, command).Bind(3, stage).Bind(4, static_cast<int64_t>(getpid()));
      st.Bind(5, NowMicros());
      TQ_RETURN_IF_ERROR(st.Step().status());
      rows->push_back(db.LastInsertRowid());
      if (run == 0) run = rows->back();  // the first stage's row names the run
    }
    if (run != 0) {
      TQ_ASSIGN_OR_RETURN(Stmt up, db.Prepare("UPDATE stage_runs SET run_id=? WHERE id>=?"));
      up.Bind(1, run).Bind(2, run);
      TQ_RETURN_IF_ERROR(up.Step().status());
    }
    *run_id = run;
    return Status::Ok();
  });
}

Status StartStage(Case& c, int64_t row) {
  return c.Transaction([&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("UPDATE stage_runs SET started_at=?, pid=?, "
                                            "outcome=NULL WHERE id=?"));
    st.Bind(1, NowMicros()).Bind(2, static_cast<int64_t>(getpid())).Bind(3, row);
    return st.Step().status();
  });
}

Status FinishStage(Case& c, int64_t row, std::string_view outcome) {
  return c.Transaction([&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(Stmt st,
                        db.Prepare("UPDATE stage_runs SET finished_at=?, outcome=? WHERE id=?"));
    st.Bind(1, NowMicros()).Bind(2, outcome).Bind(3, row);
    return st.Step().status();
  });
}

Result<std::vector<UnfinishedStage>> UnfinishedStages(Db& db, std::string_view command) {
  std::vector<UnfinishedStage> out;
  TQ_ASSIGN_OR_RETURN(int64_t has, db.QueryInt("SELECT count(*) FROM sqlite_master WHERE "
                                               "type='table' AND name='stage_runs'"));
  if (has == 0) return out;
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare("SELECT stage, started_at, pid, outcome IS 'planned', "
                          "CASE WHEN finished_at IS NOT NULL THEN coalesce(outcome,'') END "
                          "FROM stage_runs WHERE command=? "
                          "AND (finished_at IS NULL OR outcome IS NOT 'ok') AND run_id=(SELECT "
                          "max(run_id) FROM stage_runs WHERE command=?) ORDER BY id"));
  st.Bind(1, command).Bind(2, command);
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    UnfinishedStage u;
    u.stage = st.String(0);
    u.started_at = st.Int(1);
    u.pid = st.Int(2);
    u.started = st.Int(3) == 0;
    if (!st.IsNull(4)) {
      u.failure = st.String(4);
      if (u.failure.empty()) u.failure = "an error it did not name";
    }
    u.process_alive = u.failure.empty() && Alive(u.pid) && u.pid != getpid();
    out.push_back(std::move(u));
  }
  return out;
}

std::string DescribeUnfinished(std::string_view command, const std::vector<UnfinishedStage>& u) {
  if (u.empty()) return "";
  const UnfinishedStage& s = u.front();
  if (!s.failure.empty())
    return std::string(command) + " did not finish: stage " + s.stage + " failed (" + s.failure +
           "); its results are missing or stale. Run `tourniquet " + std::string(command) +
           "` again";
  std::string what = s.started
                         ? "started " + FormatUtc(s.started_at) + " (pid " + std::to_string(s.pid) +
                               (s.process_alive ? ", still running" : ", no longer running") +
                               ") and never ended"
                         : "was to run in the run begun " + FormatUtc(s.started_at) + " (pid " +
                               std::to_string(s.pid) +
                               (s.process_alive ? ", still running" : ", no longer running") +
                               ") and never started";
  std::string out = std::string(command) + " did not finish: stage " + s.stage + " " + what +
                    "; its results and those of later stages are missing or stale. Run "
                    "`tourniquet " +
                    std::string(command) + "` again";
  return out;
}

Result<bool> EverRan(Db& db, std::string_view command) {
  TQ_ASSIGN_OR_RETURN(int64_t has, db.QueryInt("SELECT count(*) FROM sqlite_master WHERE "
                                               "type='table' AND name='stage_runs'"));
  if (has == 0) return false;
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT 1 FROM stage_runs WHERE command=? LIMIT 1"));
  st.Bind(1, command);
  return st.Step();
}

Status RequireFinished(Db& db, std::string_view command, std::string_view reader) {
  TQ_ASSIGN_OR_RETURN(std::vector<UnfinishedStage> u, UnfinishedStages(db, command));
  if (u.empty()) return Status::Ok();
  return Status::CaseError(std::string(reader) + " refused: " + DescribeUnfinished(command, u));
}

Status RequireRun(Db& db, std::string_view command, std::string_view reader) {
  TQ_ASSIGN_OR_RETURN(bool ran, EverRan(db, command));
  if (!ran)
    return Status::CaseError(std::string(reader) + " refused: `" + std::string(command) +
                             "` has not run on this case, so nothing is known yet (an empty "
                             "answer would read as \"nobody is affected\"). Run `tourniquet " +
                             std::string(command) + "` first");
  return RequireFinished(db, command, reader);
}

}  // namespace tq
