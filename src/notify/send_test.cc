// The message put on the wire: headers safe from injection, RFC 2047 subjects, base64 body.
// Delivery against a real SMTP server on loopback: two runs racing on one outbox deliver
// each message once; a late end-of-data reply costs one --timeout and is never taken for
// the next message's.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "notify/notify.h"
#include "notify/test_outbox.h"
#include "notify/test_smtp_sink.h"
#include "support/testing.h"

namespace tq::notify {
namespace {

std::string Header(const std::string& m, const std::string& name) {
  size_t at = m.find("\r\n" + name + ": ");
  if (m.starts_with(name + ": "))
    at = 0;
  else if (at == std::string::npos)
    return "";
  else
    at += 2;
  size_t end = m.find("\r\n", at);
  return m.substr(at + name.size() + 2, end - at - name.size() - 2);
}

TEST(Mime, HeadersAndBody) {
  Result<std::string> m =
      BuildMimeMessage("privacy@shop.example", "ann@example.com", "Ann", "Your data",
                       "Hello\nWorld\n", "<tq.1@shop.example>", 1772463600000000);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(Header(*m, "From"), "<privacy@shop.example>");
  EXPECT_EQ(Header(*m, "To"), "=?UTF-8?B?QW5u?= <ann@example.com>");
  EXPECT_EQ(Header(*m, "Subject"), "Your data");
  EXPECT_EQ(Header(*m, "Message-ID"), "<tq.1@shop.example>");
  EXPECT_EQ(Header(*m, "Date"), "Mon, 02 Mar 2026 15:00:00 +0000");
  EXPECT_NE(m->find("\r\n\r\nSGVsbG8KV29ybGQK\r\n"), std::string::npos);
}

TEST(Mime, NonAsciiSubjectIsEncodedInShortWords) {
  std::string subject = "Wichtig: Ihre Daten bei Müller & Söhne waren von einem Vorfall betroffen";
  Result<std::string> m =
      BuildMimeMessage("a@shop.example", "b@example.com", "", subject, "x", "<m@x.y>", 0);
  ASSERT_TRUE(m.ok());
  std::string s = m->substr(m->find("Subject: ") + 9);
  s = s.substr(0, s.find("\r\nDate:"));
  EXPECT_TRUE(s.starts_with("=?UTF-8?B?"));
  size_t pos = 0;
  while ((pos = s.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = s.find("?=", pos + 10);
    EXPECT_LE(end + 2 - pos, 75u);
    pos = end;
  }
}

TEST(Mime, HeaderInjectionIsRefused) {
  struct {
    const char *to, *name, *subject, *mid;
  } cases[] = {
      {"b@example.com\r\nBcc: v@x.com", "", "s", "<m@x.y>"},
      {"b@example.com", "", "s\r\nBcc: v@x.com", "<m@x.y>"},
      {"b@example.com", "n\nBcc: v@x.com", "s", "<m@x.y>"},
      {"b@example.com", "", "s", "<m@x.y>\r\nX: y"},
      {"b@example.com>, <v@x.com", "", "s", "<m@x.y>"},
  };
  for (const auto& c : cases) {
    Result<std::string> m =
        BuildMimeMessage("a@shop.example", c.to, c.name, c.subject, "x", c.mid, 0);
    EXPECT_FALSE(m.ok()) << c.to << c.name << c.subject;
  }
  // A name with quotes, commas and angle brackets cannot add an address: always encoded.
  Result<std::string> m = BuildMimeMessage("a@shop.example", "b@example.com",
                                           "\"v@x.com\" <v@x.com>,", "s", "x", "<m@x.y>", 0);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->find("v@x.com"), std::string::npos);
}

// The claim, not the command's lock, keeps two runs apart here: both call SendOutbox on
// their own connection at the same moment. Each letter reaches the server exactly once.
TEST(Send, TwoRunsRacingDeliverEachMessageOnce) {
  for (int round = 0; round < 5; ++round) {
    testing::TempDir tmp;
    TestSmtpSink sink;
    std::vector<std::string> rcpts;
    for (int i = 0; i < 24; ++i) rcpts.push_back("p" + std::to_string(i) + "@example.com");
    auto c = OutboxCase(tmp.path(), rcpts);
    Result<SendReport> reps[2] = {Status::Internal("not run"), Status::Internal("not run")};
    std::atomic<int> ready{0};
    std::vector<std::thread> runs;
    for (int k = 0; k < 2; ++k) {
      runs.emplace_back([&, k] {
        auto mine = Case::Open(tmp.path());
        ASSERT_TRUE(mine.ok());
        SendOptions o = ConfirmedSend(sink.url());
        o.connections = 2;
        ++ready;
        while (ready < 2) std::this_thread::yield();
        reps[k] = SendOutbox(**mine, o);
      });
    }
    for (auto& t : runs) t.join();
    ASSERT_TRUE(reps[0].ok()) << reps[0].status().ToString();
    ASSERT_TRUE(reps[1].ok()) << reps[1].status().ToString();
    std::multiset<std::string> got;
    for (const auto& m : sink.messages()) got.insert(m.rcpt);
    EXPECT_EQ(got.size(), rcpts.size()) << "round " << round;
    for (const auto& r : rcpts) EXPECT_EQ(got.count(r), 1u) << r << " round " << round;
    EXPECT_EQ(reps[0]->sent + reps[1]->sent, static_cast<int64_t>(rcpts.size()));
    for (const auto& [rcpt, state] : OutboxStates(*c)) EXPECT_EQ(state, "sent") << rcpt;
    EXPECT_EQ(*c->db().QueryInt("SELECT count(*) FROM notify_send_claim"), 0);
  }
}

// Field 22 of /proc/PID/stat (the process start time), as the claim records it.
std::string StartTime(pid_t pid) {
  std::string stat = testing::ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) rest >> field;
  return field;
}

// A run killed mid-send leaves rows 'sending'/'unconfirmed' with its claim. The next run
// finds the claimer dead: 'sending' is sent again (the end-of-data never left), 'unconfirmed'
// becomes 'unknown' and is not sent. A claim by a live process is left alone, reported.
TEST(Send, DeadClaimsAreRecoveredLiveOnesLeftAlone) {
  testing::TempDir tmp;
  TestSmtpSink sink;
  auto c = OutboxCase(tmp.path(), {"a@example.com", "b@example.com", "c@example.com"});
  // A run with nothing to send creates the claim table.
  ASSERT_TRUE(c->db().Exec("UPDATE notify_outbox SET state='sent'").ok());
  ASSERT_TRUE(SendOutbox(*c, ConfirmedSend(sink.url())).ok());
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  std::string dead_start = StartTime(child);  // a zombie until reaped: still readable
  ::waitpid(child, nullptr, 0);
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::string boot = testing::ReadFile("/proc/sys/kernel/random/boot_id");
  while (!boot.empty() && boot.back() == '\n') boot.pop_back();
  auto claim = [&](const char* rcpt, const char* state, int64_t pid, const std::string& start) {
    auto st = c->db().Prepare("UPDATE notify_outbox SET state=? WHERE recipient=?");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->Bind(1, state).Bind(2, rcpt).Run().ok());
    auto ins = c->db().Prepare(
        "INSERT INTO notify_send_claim SELECT id, ?, ?, ?, ?, 'killed-run', 0 FROM "
        "notify_outbox WHERE recipient=?");
    ASSERT_TRUE(ins.ok());
    ASSERT_TRUE(
        ins->Bind(1, host).Bind(2, boot).Bind(3, pid).Bind(4, start).Bind(5, rcpt).Run().ok());
  };
  claim("a@example.com", "sending", child, dead_start);
  claim("b@example.com", "unconfirmed", child, dead_start);
  claim("c@example.com", "sending", 1, StartTime(1));  // pid 1 lives
  Result<SendReport> rep = SendOutbox(*c, ConfirmedSend(sink.url()));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->recovered_sending, 1);
  EXPECT_EQ(rep->in_flight_elsewhere, 1);
  EXPECT_EQ(rep->sent, 1);
  EXPECT_EQ(rep->unknown, 1);
  auto states = OutboxStates(*c);
  EXPECT_EQ(states["a@example.com"], "sent");
  EXPECT_EQ(states["b@example.com"], "unknown");
  EXPECT_EQ(states["c@example.com"], "sending");
  auto msgs = sink.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].rcpt, "a@example.com");
}

// A server that answers the end-of-data too late: the wait costs one --timeout (not the
// whole-transfer limit), the message is 'unknown' (it may have arrived), and the next
// message goes on a new connection and is decided by its own reply, never the late one.
TEST(Send, LateEndOfDataReplyCostsOneTimeoutAndIsNotTakenForTheNext) {
  testing::TempDir tmp;
  TestSmtpSink sink;
  sink.HoldReply("slow", 8);
  auto c = OutboxCase(tmp.path(), {"slow@example.com", "a@example.com", "b@example.com"});
  SendOptions o = ConfirmedSend(sink.url());
  o.timeout_seconds = 1;
  o.retries = 0;
  auto t0 = std::chrono::steady_clock::now();
  Result<SendReport> rep = SendOutbox(*c, o);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_LT(secs, 3.5);  // 1 s timeout; it was at least 4 s (the whole-transfer limit)
  EXPECT_EQ(rep->sent, 2);
  EXPECT_EQ(rep->unknown, 1);
  auto states = OutboxStates(*c);
  EXPECT_EQ(states["slow@example.com"], "unknown");
  EXPECT_EQ(states["a@example.com"], "sent");
  EXPECT_EQ(states["b@example.com"], "sent");
  auto replies = OutboxStates(*c, "last_reply");
  auto msgs = sink.messages();
  ASSERT_EQ(msgs.size(), 3u);
  for (const auto& m : msgs) {
    if (m.rcpt == "slow@example.com") continue;
    EXPECT_NE(m.connection, msgs[0].connection) << m.rcpt << " sent on the stale connection";
    EXPECT_NE(replies[m.rcpt].find("queued as " + std::to_string(m.number)), std::string::npos)
        << m.rcpt << ": " << replies[m.rcpt];
  }
}

}  // namespace
}  // namespace tq::notify
