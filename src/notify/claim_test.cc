// Claims on outbox messages: one run's claim keeps every other run off the row; the end of
// data may only go out under the claim that holds it; a dead claimer's rows are recovered
// ('sending' back to queued, 'unconfirmed' to unknown) and a live one's left alone.
#include "notify/claim.h"

#include <gtest/gtest.h>

#include "notify/test_outbox.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

OutboxRow Row(Db& db, const std::string& rcpt) {
  auto st = db.Prepare("SELECT id, state FROM notify_outbox WHERE recipient=?");
  EXPECT_TRUE(st.ok());
  st->Bind(1, rcpt);
  EXPECT_TRUE(*st->Step());
  OutboxRow r;
  r.id = st->Int(0);
  r.recipient = rcpt;
  r.state = st->String(1);
  return r;
}

TEST(Claim, OneRunHoldsARowAndOnlyItMayConfirm) {
  testing::TempDir tmp;
  auto c = OutboxCase(tmp.path(), {"a@example.com"});
  ASSERT_TRUE(c);
  ASSERT_TRUE(EnsureClaimSchema(*c).ok());
  LiveRun one, two;
  OutboxRow r = Row(c->db(), "a@example.com");
  auto first = Claim(c->db(), r, "state IN ('queued','deferred')", one.me());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  OutboxRow again = Row(c->db(), "a@example.com");
  auto second = Claim(c->db(), again, "state IN ('queued','deferred')", two.me());
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);                                         // the other run has it
  EXPECT_FALSE(Unconfirm(c->db(), r.id, two.me(), false).ok());  // not its claim
  EXPECT_TRUE(Unconfirm(c->db(), r.id, one.me(), false).ok());
  EXPECT_EQ(OutboxStates(*c)["a@example.com"], "unconfirmed");
}

TEST(Claim, ADeadRunsRowsAreRecoveredALiveRunsLeftAlone) {
  testing::TempDir tmp;
  auto c = OutboxCase(tmp.path(), {"a@example.com", "b@example.com", "c@example.com"});
  ASSERT_TRUE(c);
  ASSERT_TRUE(EnsureClaimSchema(*c).ok());
  LiveRun alive;
  {
    LiveRun gone;  // ends before the recovery: its claims belong to a finished run
    OutboxRow a = Row(c->db(), "a@example.com"), b = Row(c->db(), "b@example.com");
    ASSERT_TRUE(*Claim(c->db(), a, "state='queued'", gone.me()));
    ASSERT_TRUE(*Claim(c->db(), b, "state='queued'", gone.me()));
    ASSERT_TRUE(Unconfirm(c->db(), b.id, gone.me(), false).ok());
  }
  OutboxRow cc = Row(c->db(), "c@example.com");
  ASSERT_TRUE(*Claim(c->db(), cc, "state='queued'", alive.me()));
  LiveRun me;
  SendReport rep;
  ASSERT_TRUE(RecoverClaims(c->db(), me.me(), rep).ok());
  auto states = OutboxStates(*c);
  EXPECT_EQ(states["a@example.com"], "queued");   // end-of-data never left: sent again
  EXPECT_EQ(states["b@example.com"], "unknown");  // may have been accepted: not resent
  EXPECT_EQ(states["c@example.com"], "sending");  // a live run's: left alone
  EXPECT_EQ(rep.recovered_sending, 1);
  EXPECT_EQ(rep.in_flight_elsewhere, 1);
}

}  // namespace
}  // namespace tq::notify
