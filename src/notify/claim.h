// Claims on outbox messages: which run of `notify send` is handing which message to the SMTP
// server, so that two runs never both send one (the state machine and what a claim means
// after a kill are in send.cc's head comment). Internal to the notify component.
#pragma once

#include <cstdint>
#include <string>

#include "casefile/casefile.h"
#include "core/result.h"
#include "notify/notify.h"

namespace tq::notify {

// One outbox message as delivery reads it.
struct OutboxRow {
  int64_t id = 0;
  std::string person_key, recipient, recipient_name, sender, subject, body, message_id, state;
  int64_t attempts = 0;
};

// Who holds a claim: a process (host, boot, pid, its start time: pids are reused, a pid
// with its start time is not) and one run in it.
struct Claimer {
  std::string host, boot_id, process_start, run_id;
  int64_t pid = 0;
};

// This process as a claimer, with a fresh run id, known to be alive while the object lives.
class LiveRun {
 public:
  LiveRun();
  ~LiveRun();
  LiveRun(const LiveRun&) = delete;
  LiveRun& operator=(const LiveRun&) = delete;
  const Claimer& me() const { return me_; }

 private:
  Claimer me_;
};

// Creates notify_send_claim (component schema "notify_send").
Status EnsureClaimSchema(Case& c);

// False only when the claimer is known to be gone; one that cannot be checked (another host
// or boot context) counts as alive.
bool ClaimerAlive(const Claimer& claimer, const Claimer& me);

// At the start of a run: rows left 'sending'/'unconfirmed' by a claimer that is gone become
// 'queued' (the end-of-data never left) or 'unknown' (it may have); live claims are left
// alone and reported as 'in_flight' problems. One transaction.
Status RecoverClaims(Db& db, const Claimer& me, SendReport& rep);

// Moves the row to 'sending' for this run if it is still `claimable` (an SQL condition on
// state) and records the claim, in one transaction. False when another run has it; on true,
// `r` holds the row as claimed (render may have changed it since it was read).
Result<bool> Claim(Db& db, OutboxRow& r, const std::string& claimable, const Claimer& me);

// The point of no return: 'sending' -> 'unconfirmed', only while this run's claim holds
// (`fsync`: committed with synchronous=FULL). A lost claim is an error, and the
// end-of-data must then not be sent.
Status Unconfirm(Db& db, int64_t id, const Claimer& me, bool fsync);

}  // namespace tq::notify
