// Delivery of the outbox over SMTP (libcurl): STARTTLS when offered (or required), AUTH,
// a rate limit, retries with backoff, and each message's state and the server's reply
// recorded in notify_outbox.
//
// Exactly once. Each message moves through states, each change committed before the next
// step:
//
//   queued/deferred --(commit)--> sending --(curl asks for the end of the body: commit)-->
//   unconfirmed --(server's final reply)--> sent | failed (5xx) | deferred (4xx)
//
// An SMTP server takes responsibility for a message only when it answers the end-of-data
// marker ("\r\n.\r\n"), which libcurl sends after our read callback has reported the end of
// the body, i.e. after 'unconfirmed' is committed. So after a kill:
//   - 'sending': the end-of-data was never sent, the server cannot have accepted it: it goes
//     back to 'queued' and is sent again (safe);
//   - 'unconfirmed': the server may or may not have accepted it: it becomes 'unknown', is
//     reported, and is NOT resent unless the responder asks (--resend-unknown) after checking
//     the server's log for its Message-ID. A resend keeps the same Message-ID (derived from
//     the outbox row), so a duplicate is detectable by the receiving side.
// A connection lost after the end-of-data without a final reply is 'unknown' too.
//
// Two runs at once. `notify send` holds the case lock of the outbox (cli), and the database
// holds a claim besides, so that no message reaches the server twice even if two runs do
// race (a lock on a file system without flock, two callers in one process). The move to
// 'sending' is the claim (claim.h): one transaction that changes the row only if it is still
// claimable, and records the claimer (host, boot, pid, process start time, run) in
// notify_send_claim; a run that finds the row taken skips it. The end-of-data goes out only
// if the move to 'unconfirmed' finds the row still 'sending' under this run's claim. At
// start, a run recovers (as above) only the rows whose claimer is dead: same host and boot,
// and no live process with that pid and start time (or, in this process, no live run with
// that id). A claim by a live run, or by another host, is left alone and reported.
//
// After a kill -9 mid-send: the claim row stays, its process is gone, the next run on that
// host sees it dead and applies the recovery above; nothing is sent twice or left stuck.
//
// Durability: the 'unconfirmed' commit is made with synchronous=FULL (fsync before the
// end-of-data leaves), so even a power cut cannot turn an accepted message back into a
// sendable one. The other commits use NORMAL: losing 'sending' leaves the row queued (the
// end-of-data never went out), losing 'sent' leaves it unconfirmed, i.e. unknown (reported,
// not resent). One fsync per message instead of three.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <thread>

#include "core/escape.h"
#include "notify/claim.h"
#include "notify/notify.h"

namespace tq::notify {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool HasLineBreak(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos ||
         s.find('\0') != std::string_view::npos;
}

// RFC 2047 encoded words (B encoding), each at most 75 characters, cut on UTF-8 boundaries.
std::string EncodeHeaderText(std::string_view text) {
  if (IsAscii(text) && text.size() < 900) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t n = 0;
    while (i + n < text.size()) {
      size_t len = Utf8SequenceLength(text.substr(i + n));
      if (len == 0) len = 1;
      if (n + len > 45) break;
      n += len;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

std::string RfcDate(UnixMicros t) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t secs = static_cast<time_t>(t / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
           kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

using Row = OutboxRow;

struct Upload {
  std::string data;
  size_t pos = 0;
  bool eof_reported = false;
  std::function<bool()> on_eof;  // commits 'unconfirmed'; false aborts the transfer
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t room = size * nitems;
  if (u->pos >= u->data.size()) {
    if (!u->eof_reported) {
      u->eof_reported = true;
      if (u->on_eof && !u->on_eof()) return CURL_READFUNC_ABORT;
    }
    return 0;
  }
  size_t n = std::min(room, u->data.size() - u->pos);
  memcpy(buf, u->data.data() + u->pos, n);
  u->pos += n;
  return n;
}

// Keeps the server's replies (CURLINFO_HEADER_IN for SMTP), the last few lines.
int Trace(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* s = static_cast<std::string*>(user);
  s->append(data, size);
  if (s->size() > 2048) s->erase(0, s->size() - 2048);
  return 0;
}

// The server's line for `code` (the reply that decided the outcome), else the last line.
std::string ReplyLine(const std::string& replies, long code) {
  if (code > 0) {
    std::string want = std::to_string(code);
    size_t end = replies.size();
    while (end > 0) {
      size_t start = replies.rfind('\n', end - 1);
      start = start == std::string::npos ? 0 : start + 1;
      std::string line = replies.substr(start, end - start);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.starts_with(want)) return line;
      if (start == 0) break;
      end = start - 1;
    }
  }
  std::string r = replies;
  while (!r.empty() && (r.back() == '\n' || r.back() == '\r')) r.pop_back();
  size_t nl = r.rfind('\n');
  return nl == std::string::npos ? r : r.substr(nl + 1);
}

// A claimed message's outcome (sent, failed, deferred, unknown) and the server's reply; the
// claim goes with it, in one transaction.
Status SetState(Db& db, int64_t id, std::string_view state, std::string_view reply, bool sent_now) {
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db.Prepare("UPDATE notify_outbox SET state=?, last_reply=CASE WHEN ?='' THEN "
                                 "last_reply ELSE ? END, updated_at=?, "
                                 "sent_at=CASE WHEN ? THEN ? ELSE sent_at END WHERE id=?"));
  UnixMicros now = NowMicros();
  std::string r(reply.substr(0, 1000));
  st.Bind(1, state).Bind(2, r).Bind(3, r).Bind(4, now);
  st.Bind(5, sent_now ? 1 : 0).Bind(6, now).Bind(7, id);
  TQ_RETURN_IF_ERROR(db.Begin());
  Status s = st.Run();
  if (s.ok()) {
    Result<Stmt> drop = db.Prepare("DELETE FROM notify_send_claim WHERE outbox_id=?");
    s = drop.ok() ? drop->Bind(1, id).Run() : drop.status();
  }
  if (!s.ok()) {
    db.Rollback();
    return s;
  }
  return db.Commit();
}

Result<std::vector<Row>> LoadRows(Db& db, std::string_view where) {
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare("SELECT id,person_key,recipient,recipient_name,sender,subject,body,"
                          "message_id,state,attempts FROM notify_outbox WHERE " +
                          std::string(where) + " ORDER BY id"));
  std::vector<Row> rows;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Row r;
    r.id = st.Int(0);
    r.person_key = st.String(1);
    r.recipient = st.String(2);
    r.recipient_name = st.String(3);
    r.sender = st.String(4);
    r.subject = st.String(5);
    r.body = st.String(6);
    r.message_id = st.String(7);
    r.state = st.String(8);
    r.attempts = st.Int(9);
    rows.push_back(std::move(r));
  }
  return rows;
}

enum class Outcome { kSent, kFailed, kDeferred, kUnknown, kUnreachable };

struct Attempt {
  Outcome outcome;
  std::string reply;
};

// One SMTP transaction in flight on one easy handle of the multi handle (connections are
// pooled by the multi handle and reused).
struct Slot {
  CURL* easy = nullptr;
  bool busy = false;
  size_t row = 0;
  int attempt = 0;
  Upload up;
  std::string replies, mail_from, rcpt_to;
  curl_slist* rcpt = nullptr;
  Status eof_status;
};

void Configure(Slot& s, const SendOptions& o) {
  CURL* e = s.easy;
  curl_easy_reset(e);
  curl_easy_setopt(e, CURLOPT_URL, o.smtp_url.c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, s.mail_from.c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, s.rcpt);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(e, CURLOPT_READDATA, &s.up);
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(
      e, CURLOPT_USE_SSL,
      o.require_tls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
  // --timeout bounds each stage: the connection, each server reply (the end-of-data's
  // included: without this libcurl waits up to the whole-transfer limit for it), and an
  // upload that stops moving. The whole-transfer limit only backs these up.
  long t = o.timeout_seconds;
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, t);
  curl_easy_setopt(e, CURLOPT_SERVER_RESPONSE_TIMEOUT, t);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, t);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, t * 4);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, Trace);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, &s.replies);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);  // feeds Trace only (no stderr output)
  curl_easy_setopt(e, CURLOPT_PRIVATE, &s);
  if (!o.user.empty()) {
    curl_easy_setopt(e, CURLOPT_USERNAME, o.user.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, o.password.c_str());
  }
}

Attempt Classify(CURLcode rc, long code, const std::string& replies, bool eof_reported) {
  std::string last = CleanPlainText(ReplyLine(replies, code), false);
  if (rc == CURLE_OK) return {Outcome::kSent, last.empty() ? "250" : last};
  std::string err = std::string(curl_easy_strerror(rc));
  std::string reply = last.empty() ? err : last + " (" + err + ")";
  // The end of data may have reached the server with no final answer seen.
  if (eof_reported && (code == 354 || code < 400)) return {Outcome::kUnknown, reply};
  if (code >= 500) return {Outcome::kFailed, reply};
  if (code >= 400) return {Outcome::kDeferred, reply};
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
      rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_USE_SSL_FAILED || rc == CURLE_LOGIN_DENIED)
    return {Outcome::kUnreachable, reply};
  return {Outcome::kDeferred, reply};
}

}  // namespace

Result<std::string> BuildMimeMessage(std::string_view from, std::string_view to,
                                     std::string_view to_name, std::string_view subject,
                                     std::string_view body, std::string_view message_id,
                                     UnixMicros date) {
  for (std::string_view v : {from, to, to_name, subject, message_id})
    if (HasLineBreak(v)) return Status::BadInput("header value with a line break refused");
  if (!IsSafeMailAddress(from)) return Status::BadInput("unsafe sender address");
  if (!IsSafeMailAddress(to)) return Status::BadInput("unsafe recipient address");
  std::string m;
  m += "From: <" + std::string(from) + ">\r\n";
  std::string name = CleanPlainText(to_name, false);
  if (name.empty()) {
    m += "To: <" + std::string(to) + ">\r\n";
  } else {
    // Always encoded: a name can hold quotes, commas or '<' that would change the address.
    m += "To: " + std::string("=?UTF-8?B?") + Base64(name.substr(0, 200)) + "?= <" +
         std::string(to) + ">\r\n";
  }
  m += "Subject: " + EncodeHeaderText(CleanPlainText(subject, false)) + "\r\n";
  m += "Date: " + RfcDate(date) + "\r\n";
  m += "Message-ID: " + std::string(message_id) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: base64\r\n";
  m += "Auto-Submitted: auto-generated\r\n\r\n";
  std::string b64 = Base64(body);
  for (size_t i = 0; i < b64.size(); i += 76) m += b64.substr(i, 76) + "\r\n";
  return m;
}

Status MarkDelivered(Db& db, int64_t outbox_id, std::string_view who) {
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db.Prepare("UPDATE notify_outbox SET state='sent', last_reply=?, "
                                 "updated_at=?, sent_at=? WHERE id=? AND state='unknown'"));
  UnixMicros now = NowMicros();
  st.Bind(1,
          "marked delivered by " + CleanPlainText(who, false) + " after checking the server log");
  st.Bind(2, now).Bind(3, now).Bind(4, outbox_id);
  TQ_RETURN_IF_ERROR(st.Run());
  if (db.Changes() == 0)
    return Status::NotFound("outbox message " + std::to_string(outbox_id) +
                            " is not in state 'unknown'");
  return Status::Ok();
}

Result<SendReport> SendOutbox(Case& c, const SendOptions& o) {
  Db& db = c.db();
  SendReport rep;
  rep.dry_run = !o.confirm;
  auto t0 = std::chrono::steady_clock::now();
  if (!o.smtp_url.starts_with("smtp://") && !o.smtp_url.starts_with("smtps://"))
    return Status::Usage("--smtp: expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
  TQ_ASSIGN_OR_RETURN(rep.already_sent,
                      db.QueryInt("SELECT count(*) FROM notify_outbox WHERE state='sent'"));
  std::string pending_where = "state IN ('queued','deferred','sending')";
  if (o.resend_unknown) pending_where += " OR state='unknown'";
  if (o.retry_failed) pending_where += " OR state='failed'";
  // Letters for the post are printed (`notify print`), never e-mailed.
  pending_where = "channel='email' AND (" + pending_where + ")";
  TQ_ASSIGN_OR_RETURN(int64_t no_sender, db.QueryInt("SELECT count(*) FROM notify_outbox WHERE (" +
                                                     pending_where + ") AND sender=''"));
  if (no_sender > 0)
    return Status::Usage(std::to_string(no_sender) +
                         " messages have no sender address: run `tourniquet notify render --from "
                         "ADDRESS` first");
  if (!o.confirm) {
    TQ_ASSIGN_OR_RETURN(rep.pending,
                        db.QueryInt("SELECT count(*) FROM notify_outbox WHERE " + pending_where));
    TQ_ASSIGN_OR_RETURN(auto stuck, LoadRows(db,
                                             "state IN ('no_address','failed','unknown',"
                                             "'unconfirmed')"));
    for (const Row& r : stuck) {
      rep.problems.push_back({r.id, r.person_key, r.recipient, r.state, "", r.message_id});
      if (r.state == "no_address") ++rep.no_address;
      if (r.state == "failed") ++rep.failed;
      if (r.state == "unknown" || r.state == "unconfirmed") ++rep.unknown;
    }
    return rep;
  }
  TQ_RETURN_IF_ERROR(EnsureClaimSchema(c));
  LiveRun run;
  const Claimer& me = run.me();
  // Recover what a killed run left behind (see the head comment); leave live claims alone.
  TQ_RETURN_IF_ERROR(RecoverClaims(db, me, rep));
  // What this run may claim: never a row in flight (another run's, after the recovery).
  std::string claimable = "state IN ('queued','deferred')";
  if (o.resend_unknown) claimable += " OR state='unknown'";
  if (o.retry_failed) claimable += " OR state='failed'";
  claimable = "channel='email' AND (" + claimable + ")";
  TQ_ASSIGN_OR_RETURN(std::vector<Row> rows, LoadRows(db, claimable));
  if (o.limit > 0 && static_cast<int64_t>(rows.size()) > o.limit) rows.resize(o.limit);
  rep.pending = static_cast<int64_t>(rows.size());
  if (o.progress) o.progress(0, rep.pending);  // the total before the first reply
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  if (!multi) return Status::Internal("curl_multi_init failed");
  std::vector<Slot> slots(static_cast<size_t>(std::max(1, o.connections)));
  for (Slot& s : slots) s.easy = curl_easy_init();
  auto cleanup = [&]() {
    for (Slot& s : slots) {
      if (s.busy) curl_multi_remove_handle(multi, s.easy);
      if (s.rcpt) curl_slist_free_all(s.rcpt);
      if (s.easy) curl_easy_cleanup(s.easy);
    }
    curl_multi_cleanup(multi);
  };
  using Clock = std::chrono::steady_clock;
  std::deque<size_t> ready;
  for (size_t i = 0; i < rows.size(); ++i) ready.push_back(i);
  std::vector<std::pair<Clock::time_point, size_t>> retry;  // due time, row
  std::vector<int> attempts(rows.size(), 0);
  Clock::time_point next_start = Clock::now();
  int64_t done = 0;
  int busy = 0;
  bool drop_pool = false;  // see below
  Status fatal_db;         // a failed commit ends the run: the state machine cannot be trusted
  Status fatal;
  auto finish = [&](size_t i, const Attempt& a) -> Status {
    Row& r = rows[i];
    switch (a.outcome) {
      case Outcome::kSent:
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "sent", a.reply, true));
        ++rep.sent;
        break;
      case Outcome::kFailed:
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "failed", a.reply, false));
        ++rep.failed;
        rep.problems.push_back({r.id, r.person_key, r.recipient, "failed", a.reply, r.message_id});
        break;
      case Outcome::kUnknown:
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "unknown", a.reply, false));
        ++rep.unknown;
        rep.problems.push_back({r.id, r.person_key, r.recipient, "unknown", a.reply, r.message_id});
        break;
      case Outcome::kDeferred:
      case Outcome::kUnreachable:
        // Not accepted and nothing in flight: safe to try again after a pause.
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "deferred", a.reply, false));
        if (attempts[i] <= o.retries && fatal.ok()) {
          double wait =
              std::min(60.0, o.backoff_seconds * double(1 << std::min(attempts[i] - 1, 10)));
          auto due = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(wait));
          retry.emplace_back(due, i);
          // The server is down or refusing: start nothing new before this retry is due.
          if (a.outcome == Outcome::kUnreachable) next_start = std::max(next_start, due);
          return Status::Ok();
        }
        ++rep.deferred;
        rep.problems.push_back(
            {r.id, r.person_key, r.recipient, "deferred", a.reply, r.message_id});
        if (a.outcome == Outcome::kUnreachable && fatal.ok())
          fatal = Status::Network("SMTP server " + o.smtp_url + " unreachable: " + a.reply);
        break;
    }
    ++done;
    if (o.progress) o.progress(done, rep.pending);
    return Status::Ok();
  };
  for (;;) {
    // Due retries go back to the front of the line.
    auto now = Clock::now();
    for (auto it = retry.begin(); it != retry.end();) {
      if (it->first <= now || !fatal.ok()) {
        if (fatal.ok()) {
          ready.push_front(it->second);
        } else {
          Row& r = rows[it->second];
          ++rep.deferred;
          rep.problems.push_back({r.id, r.person_key, r.recipient, "deferred",
                                  "not retried: " + fatal.message(), r.message_id});
        }
        it = retry.erase(it);
      } else {
        ++it;
      }
    }
    // After a failed transfer its connection may be out of step with the server (a reply
    // that came too late is still on the way, and libcurl keeps a connection whose
    // end-of-data timed out): no new message starts on any pooled connection. Once nothing
    // is in flight, the pool goes and the next message opens a new connection.
    if (drop_pool && busy == 0) {
      curl_multi_cleanup(multi);
      multi = curl_multi_init();
      if (!multi) {
        fatal_db = Status::Internal("curl_multi_init failed");
        break;
      }
      drop_pool = false;
    }
    // Start messages on free connections, paced by the rate limit.
    while (fatal.ok() && fatal_db.ok() && !drop_pool && !ready.empty() &&
           busy < static_cast<int>(slots.size())) {
      if (Clock::now() < next_start) break;
      size_t i = ready.front();
      ready.pop_front();
      Row& r = rows[i];
      // The claim comes first: a row another run has taken is skipped, whatever its state.
      Result<bool> claimed = Claim(db, r, claimable, me);
      if (!claimed.ok()) {
        fatal_db = claimed.status();
        break;
      }
      if (!*claimed) {
        ++rep.claimed_elsewhere;
        ++done;
        continue;
      }
      Result<std::string> msg = BuildMimeMessage(r.sender, r.recipient, r.recipient_name, r.subject,
                                                 r.body, r.message_id, NowMicros());
      if (!msg.ok()) {
        fatal_db = SetState(db, r.id, "failed", msg.status().message(), false);
        ++rep.failed;
        rep.problems.push_back(
            {r.id, r.person_key, r.recipient, "failed", msg.status().message(), r.message_id});
        ++done;
        continue;
      }
      Slot* s = nullptr;
      for (Slot& cand : slots)
        if (!cand.busy) s = &cand;
      ++attempts[i];
      s->busy = true;
      s->row = i;
      s->replies.clear();
      s->eof_status = Status::Ok();
      s->mail_from = "<" + r.sender + ">";
      if (s->rcpt) curl_slist_free_all(s->rcpt);
      s->rcpt = curl_slist_append(nullptr, ("<" + r.recipient + ">").c_str());
      int64_t id = r.id;
      Slot* self = s;
      s->up = Upload{std::move(*msg), 0, false, [&db, id, self, &o, &me]() {
                       self->eof_status = Unconfirm(db, id, me, o.fsync_each);
                       return self->eof_status.ok();
                     }};
      Configure(*s, o);
      curl_multi_add_handle(multi, s->easy);
      ++busy;
      if (o.rate_per_second > 0)
        next_start = std::max(next_start, Clock::now() - std::chrono::milliseconds(50)) +
                     std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(1.0 / o.rate_per_second));
    }
    if (busy == 0 && (ready.empty() || !fatal.ok() || !fatal_db.ok()) &&
        (retry.empty() || !fatal.ok() || !fatal_db.ok()))
      break;
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Slot* s = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &s);
      CURLcode rc = m->data.result;
      long code = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
      curl_multi_remove_handle(multi, m->easy_handle);
      s->busy = false;
      --busy;
      if (rc != CURLE_OK) drop_pool = true;
      if (!s->eof_status.ok()) {
        fatal_db = s->eof_status;
        continue;
      }
      Status st = finish(s->row, Classify(rc, code, s->replies, s->up.eof_reported));
      if (!st.ok()) fatal_db = st;
    }
    int wait_ms = 100;
    if (busy == 0) {
      // Nothing in flight: sleep until the next start or retry is due.
      auto until = next_start;
      if (!retry.empty()) {
        auto first = std::min_element(retry.begin(), retry.end())->first;
        if (ready.empty() || first < until) until = first;
      }
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, 1000));
      if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      continue;
    }
    if (o.rate_per_second > 0 && !ready.empty()) {
      auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_start - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, 100));
    }
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
  cleanup();
  if (!fatal_db.ok()) return fatal_db;
  // Messages no run can deliver are reported every time, never skipped in silence.
  TQ_ASSIGN_OR_RETURN(auto stuck, LoadRows(db, "state IN ('no_address','unknown','failed')"));
  for (const Row& r : stuck) {
    if (std::any_of(rep.problems.begin(), rep.problems.end(),
                    [&](const DeliveryProblem& p) { return p.outbox_id == r.id; }))
      continue;
    if (r.state == "no_address") ++rep.no_address;
    if (r.state == "unknown") ++rep.unknown;
    if (r.state == "failed") ++rep.failed;
    rep.problems.push_back({r.id, r.person_key, r.recipient, r.state, "", r.message_id});
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!fatal.ok()) rep.server_error = fatal.message();
  return rep;
}

}  // namespace tq::notify
