// Claims on outbox messages (see claim.h and send.cc's head comment).
#include "notify/claim.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

#include "core/time.h"

namespace tq::notify {
namespace {

constexpr char kClaimSchema[] = R"sql(
CREATE TABLE notify_send_claim (
  outbox_id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  process_start TEXT NOT NULL,
  run_id TEXT NOT NULL,
  claimed_at INTEGER NOT NULL
);
)sql";
const Migration kClaimMigrations[] = {{1, kClaimSchema}};

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Field 22 of /proc/PID/stat: the start time in clock ticks since boot. With the pid it
// names one process (pids are reused, start times with them are not). Empty if none.
std::string ProcessStart(int64_t pid) {
  std::string stat = FirstLine("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && (rest >> field); ++i)
    if (i == 22) return field;
  return "";
}

Claimer ThisProcess() {
  Claimer c;
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) == 0) c.host = host;
  c.boot_id = FirstLine("/proc/sys/kernel/random/boot_id");
  c.pid = ::getpid();
  c.process_start = ProcessStart(c.pid);
  return c;
}

// Runs of SendOutbox alive in this process, by run id.
std::mutex g_runs_mu;
std::set<std::string> g_live_runs;

}  // namespace

LiveRun::LiveRun() {
  static std::atomic<int64_t> counter{0};
  me_ = ThisProcess();
  me_.run_id =
      std::to_string(me_.pid) + "." + std::to_string(NowMicros()) + "." + std::to_string(++counter);
  std::lock_guard lock(g_runs_mu);
  g_live_runs.insert(me_.run_id);
}

LiveRun::~LiveRun() {
  std::lock_guard lock(g_runs_mu);
  g_live_runs.erase(me_.run_id);
}

Status EnsureClaimSchema(Case& c) { return c.EnsureSchema("notify_send", kClaimMigrations); }

bool ClaimerAlive(const Claimer& c, const Claimer& me) {
  if (c.host != me.host) return true;
  if (c.boot_id.empty() || me.boot_id.empty()) return true;
  if (c.boot_id != me.boot_id) return false;  // claimed before a reboot
  if (c.pid == me.pid && c.process_start == me.process_start) {
    std::lock_guard lock(g_runs_mu);
    return g_live_runs.count(c.run_id) > 0;
  }
  std::string start = ProcessStart(c.pid);
  return !start.empty() && start == c.process_start;
}

Result<bool> Claim(Db& db, OutboxRow& r, const std::string& claimable, const Claimer& me) {
  UnixMicros now = NowMicros();
  TQ_RETURN_IF_ERROR(db.Begin());
  auto body = [&]() -> Result<bool> {
    TQ_ASSIGN_OR_RETURN(Stmt up,
                        db.Prepare("UPDATE notify_outbox SET state='sending', attempts=attempts+1, "
                                   "updated_at=? WHERE id=? AND (" +
                                   claimable +
                                   ") RETURNING sender, recipient, recipient_name, subject, body, "
                                   "message_id, person_key"));
    up.Bind(1, now).Bind(2, r.id);
    TQ_ASSIGN_OR_RETURN(bool got, up.Step());
    if (!got) return false;
    r.sender = up.String(0);
    r.recipient = up.String(1);
    r.recipient_name = up.String(2);
    r.subject = up.String(3);
    r.body = up.String(4);
    r.message_id = up.String(5);
    r.person_key = up.String(6);
    TQ_RETURN_IF_ERROR(up.Reset());
    TQ_ASSIGN_OR_RETURN(Stmt ins,
                        db.Prepare("INSERT OR REPLACE INTO notify_send_claim(outbox_id, host, "
                                   "boot_id, pid, process_start, run_id, claimed_at) "
                                   "VALUES(?,?,?,?,?,?,?)"));
    ins.Bind(1, r.id).Bind(2, me.host).Bind(3, me.boot_id).Bind(4, me.pid);
    ins.Bind(5, me.process_start).Bind(6, me.run_id).Bind(7, now);
    TQ_RETURN_IF_ERROR(ins.Run());
    return true;
  };
  Result<bool> got = body();
  if (!got.ok() || !*got) {
    db.Rollback();
    return got;
  }
  TQ_RETURN_IF_ERROR(db.Commit());
  return true;
}

Status Unconfirm(Db& db, int64_t id, const Claimer& me, bool fsync) {
  if (fsync) TQ_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  TQ_RETURN_IF_ERROR(db.Begin());
  Status s;
  {
    Result<Stmt> st = db.Prepare(
        "UPDATE notify_outbox SET state='unconfirmed', updated_at=? WHERE id=? AND "
        "state='sending' AND EXISTS (SELECT 1 FROM notify_send_claim WHERE outbox_id=? AND "
        "run_id=?)");
    s = st.ok() ? st->Bind(1, NowMicros()).Bind(2, id).Bind(3, id).Bind(4, me.run_id).Run()
                : st.status();
  }
  if (s.ok() && db.Changes() != 1)
    s = Status::Internal("outbox message " + std::to_string(id) +
                         " is no longer claimed by this run: not sent");
  if (s.ok()) {
    s = db.Commit();
  } else {
    db.Rollback();
  }
  if (fsync) {
    Status back = db.Exec("PRAGMA synchronous=NORMAL");
    if (s.ok()) s = back;
  }
  return s;
}

Status RecoverClaims(Db& db, const Claimer& me, SendReport& rep) {
  TQ_RETURN_IF_ERROR(db.Begin());
  auto recover = [&]() -> Status {
    TQ_ASSIGN_OR_RETURN(Stmt q,
                        db.Prepare("SELECT o.id, o.state, o.person_key, o.recipient, o.message_id, "
                                   "c.host, c.boot_id, c.pid, c.process_start, c.run_id, "
                                   "c.outbox_id IS NOT NULL FROM notify_outbox o LEFT JOIN "
                                   "notify_send_claim c ON c.outbox_id=o.id WHERE o.state IN "
                                   "('sending','unconfirmed') ORDER BY o.id"));
    std::vector<std::pair<int64_t, std::string>> dead;
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Claimer owner;
      owner.host = q.String(5);
      owner.boot_id = q.String(6);
      owner.pid = q.Int(7);
      owner.process_start = q.String(8);
      owner.run_id = q.String(9);
      if (q.Int(10) != 0 && ClaimerAlive(owner, me)) {
        ++rep.in_flight_elsewhere;
        rep.problems.push_back({q.Int(0), q.String(2), q.String(3), "in_flight",
                                "claimed by a running send: pid " + std::to_string(owner.pid) +
                                    " on " + CleanPlainText(owner.host, false),
                                q.String(4)});
        continue;
      }
      dead.emplace_back(q.Int(0), q.String(1));
    }
    TQ_ASSIGN_OR_RETURN(
        Stmt up, db.Prepare("UPDATE notify_outbox SET state=CASE state WHEN 'sending' THEN "
                            "'queued' ELSE 'unknown' END, last_reply=CASE state WHEN "
                            "'sending' THEN last_reply ELSE 'interrupted after the end of "
                            "data: check the server log for the Message-ID' END WHERE id=?"));
    TQ_ASSIGN_OR_RETURN(Stmt drop, db.Prepare("DELETE FROM notify_send_claim WHERE outbox_id=?"));
    for (const auto& [id, state] : dead) {
      TQ_RETURN_IF_ERROR(up.Bind(1, id).Run());
      TQ_RETURN_IF_ERROR(up.Reset());
      TQ_RETURN_IF_ERROR(drop.Bind(1, id).Run());
      TQ_RETURN_IF_ERROR(drop.Reset());
      if (state == "sending") ++rep.recovered_sending;
    }
    return Status::Ok();
  };
  if (Status s = recover(); !s.ok()) {
    db.Rollback();
    return s;
  }
  return db.Commit();
}

}  // namespace tq::notify
