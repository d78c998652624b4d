// Delivery of the outbox over SMTP (libcurl): STARTTLS when offered (or required), AUTH,
// a rate limit, retries with backoff, and each message's state and the server's reply
// recorded in notify_outbox.
//
// Exactly once. Each message moves through states, each change committed before the next
// step (the case runs with synchronous=FULL while sending, so a commit survives a crash):
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
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "core/escape.h"
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

struct Row {
  int64_t id = 0;
  std::string person_key, recipient, recipient_name, sender, subject, body, message_id, state;
  int64_t attempts = 0;
};

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

Status SetState(Db& db, int64_t id, std::string_view state, std::string_view reply,
                bool count_attempt, bool sent_now) {
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db.Prepare("UPDATE notify_outbox SET state=?, last_reply=CASE WHEN ?='' THEN "
                                 "last_reply ELSE ? END, attempts=attempts+?, updated_at=?, "
                                 "sent_at=CASE WHEN ? THEN ? ELSE sent_at END WHERE id=?"));
  UnixMicros now = NowMicros();
  std::string r(reply.substr(0, 1000));
  st.Bind(1, state).Bind(2, r).Bind(3, r).Bind(4, count_attempt ? 1 : 0).Bind(5, now);
  st.Bind(6, sent_now ? 1 : 0).Bind(7, now).Bind(8, id);
  TQ_RETURN_IF_ERROR(db.Begin());
  Status s = st.Run();
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

class SmtpSession {
 public:
  explicit SmtpSession(const SendOptions& o) : o_(o), curl_(curl_easy_init()) {}
  ~SmtpSession() {
    if (curl_) curl_easy_cleanup(curl_);
  }
  bool ok() const { return curl_ != nullptr; }

  Attempt Send(const Row& r, const std::string& message, const std::function<bool()>& on_eof) {
    Upload up{message, 0, false, on_eof};
    std::string replies;
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + r.recipient + ">").c_str());
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, o_.smtp_url.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, ("<" + r.sender + ">").c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(
        curl_, CURLOPT_USE_SSL,
        o_.require_tls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o_.timeout_seconds));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(o_.timeout_seconds * 4));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, Trace);
    curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, &replies);
    curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L);  // feeds Trace only (no stderr output)
    if (!o_.user.empty()) {
      curl_easy_setopt(curl_, CURLOPT_USERNAME, o_.user.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, o_.password.c_str());
    }
    CURLcode rc = curl_easy_perform(curl_);
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    std::string last = CleanReply(ReplyLine(replies, code));
    if (rc == CURLE_OK) return {Outcome::kSent, last.empty() ? "250" : last};
    std::string err = std::string(curl_easy_strerror(rc));
    std::string reply = last.empty() ? err : last + " (" + err + ")";
    if (up.eof_reported && (code == 354 || code < 400)) {
      // The end of data may have reached the server with no final answer seen.
      return {Outcome::kUnknown, reply};
    }
    if (code >= 500) return {Outcome::kFailed, reply};
    if (code >= 400) return {Outcome::kDeferred, reply};
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
        rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_USE_SSL_FAILED || rc == CURLE_LOGIN_DENIED)
      return {Outcome::kUnreachable, reply};
    return {Outcome::kDeferred, reply};
  }

 private:
  static std::string CleanReply(const std::string& s) { return CleanPlainText(s, false); }
  const SendOptions& o_;
  CURL* curl_;
};

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
  // From here on every state change must survive a crash of the machine, not just of us.
  TQ_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  // Recover what a killed run left behind (see the head comment).
  {
    TQ_RETURN_IF_ERROR(db.Begin());
    Status s = db.Exec(
        "UPDATE notify_outbox SET state='unknown', last_reply='interrupted after "
        "the end of data: check the server log for the Message-ID' WHERE "
        "state='unconfirmed'");
    if (s.ok()) s = db.Exec("UPDATE notify_outbox SET state='queued' WHERE state='sending'");
    if (s.ok()) rep.recovered_sending = db.Changes();
    if (!s.ok()) {
      db.Rollback();
      return s;
    }
    TQ_RETURN_IF_ERROR(db.Commit());
  }
  TQ_ASSIGN_OR_RETURN(std::vector<Row> rows, LoadRows(db, pending_where));
  if (o.limit > 0 && static_cast<int64_t>(rows.size()) > o.limit) rows.resize(o.limit);
  rep.pending = static_cast<int64_t>(rows.size());
  curl_global_init(CURL_GLOBAL_DEFAULT);
  SmtpSession smtp(o);
  if (!smtp.ok()) return Status::Internal("curl_easy_init failed");
  auto start = std::chrono::steady_clock::now();
  int64_t done = 0;
  Status fatal;
  for (Row& r : rows) {
    if (o.rate_per_second > 0) {
      auto due = start + std::chrono::duration<double>(done / o.rate_per_second);
      std::this_thread::sleep_until(due);
    }
    UnixMicros now = NowMicros();
    Result<std::string> msg = BuildMimeMessage(r.sender, r.recipient, r.recipient_name, r.subject,
                                               r.body, r.message_id, now);
    if (!msg.ok()) {
      TQ_RETURN_IF_ERROR(SetState(db, r.id, "failed", msg.status().message(), false, false));
      ++rep.failed;
      rep.problems.push_back(
          {r.id, r.person_key, r.recipient, "failed", msg.status().message(), r.message_id});
      ++done;
      continue;
    }
    Attempt a{Outcome::kDeferred, ""};
    for (int attempt = 0;; ++attempt) {
      TQ_RETURN_IF_ERROR(SetState(db, r.id, "sending", "", true, false));
      Status eof_status;
      a = smtp.Send(r, *msg, [&]() {
        eof_status = SetState(db, r.id, "unconfirmed", "", false, false);
        return eof_status.ok();
      });
      TQ_RETURN_IF_ERROR(eof_status);
      if (a.outcome != Outcome::kDeferred && a.outcome != Outcome::kUnreachable) break;
      if (attempt >= o.retries) break;
      // Not accepted and nothing in flight: safe to try again after a pause.
      TQ_RETURN_IF_ERROR(SetState(db, r.id, "deferred", a.reply, false, false));
      double wait = std::min(60.0, o.backoff_seconds * double(1 << std::min(attempt, 10)));
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
    switch (a.outcome) {
      case Outcome::kSent:
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "sent", a.reply, false, true));
        ++rep.sent;
        break;
      case Outcome::kFailed:
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "failed", a.reply, false, false));
        ++rep.failed;
        rep.problems.push_back({r.id, r.person_key, r.recipient, "failed", a.reply, r.message_id});
        break;
      case Outcome::kUnknown:
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "unknown", a.reply, false, false));
        ++rep.unknown;
        rep.problems.push_back({r.id, r.person_key, r.recipient, "unknown", a.reply, r.message_id});
        break;
      case Outcome::kDeferred:
      case Outcome::kUnreachable:
        TQ_RETURN_IF_ERROR(SetState(db, r.id, "deferred", a.reply, false, false));
        ++rep.deferred;
        rep.problems.push_back(
            {r.id, r.person_key, r.recipient, "deferred", a.reply, r.message_id});
        if (a.outcome == Outcome::kUnreachable)
          fatal = Status::Network("SMTP server " + o.smtp_url + " unreachable: " + a.reply);
        break;
    }
    ++done;
    if (o.progress) o.progress(done, rep.pending);
    if (!fatal.ok()) break;  // the rest stays queued for the next run
  }
  (void)db.Exec("PRAGMA synchronous=NORMAL");
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
