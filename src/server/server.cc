// The HTTP(S) server: sessions, CSRF, login rate limiting, the route table, static assets
// and security headers. The API's handlers are in api.cc.
#include "server/server.h"

#include <httplib.h>
#include <sodium.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "server/api.h"
#include "server/assets.h"
#include "server/listener.h"

namespace tq::server {

const Asset* FindAsset(std::string_view path) {
  for (const Asset& a : Assets())
    if (path == a.path) return &a;
  return nullptr;
}

const std::vector<ApiRouteInfo>& ApiRoutes() {
  static const std::vector<ApiRouteInfo> kInfo = [] {
    std::vector<ApiRouteInfo> out;
    for (const ApiRoute& r : ApiTable())
      out.push_back({r.method, r.path, r.example, r.permission, r.personal_data});
    out.push_back(
        {"GET", "/api/session", "/api/session", taskforce::Permission::kCaseOverview, false});
    out.push_back(
        {"POST", "/api/logout", "/api/logout", taskforce::Permission::kCaseOverview, false});
    return out;
  }();
  return kInfo;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSessionIdle = std::chrono::hours(8);
// Failed logins before the delay starts: per account from one address; per client address
// (higher, since people share an address behind NAT or a proxy); per account from all
// addresses (much higher: a guard against guessing from many addresses, which one address
// alone cannot reach without being slowed down for hours first).
constexpr int kFreeFailuresPerAccountAndAddress = 3;
constexpr int kFreeFailuresPerAddress = 10;
constexpr int kFreeFailuresPerAccount = 50;
constexpr int kMaxDelaySeconds = 300;
// Failed and refused logins from one address are audited as one row per window.
constexpr auto kAuditWindow = std::chrono::seconds(60);
constexpr size_t kAuditAddresses = 1000;  // more addresses share one row per window
constexpr const char* kCookie = "tq_session";
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct Session {
  taskforce::User user;
  std::string csrf;
  Clock::time_point last_seen;
};

struct Throttle {
  int failures = 0;
  Clock::time_point not_before{};
  Clock::time_point last{};
};

// At most `slots` password checks at once, at most `max_waiting` more waiting: Argon2id
// takes 64 MiB and a core each, so 60 parallel logins must not run 60 of them.
class PasswordCheckGate {
 public:
  explicit PasswordCheckGate(int slots) : slots_(std::max(1, slots)) {}
  bool Enter() {
    std::unique_lock lock(mu_);
    if (waiting_ >= 4 * slots_) return false;
    ++waiting_;
    bool got = cv_.wait_for(lock, std::chrono::seconds(10), [&] { return busy_ < slots_; });
    --waiting_;
    if (got) ++busy_;
    return got;
  }
  void Leave() {
    {
      std::lock_guard lock(mu_);
      --busy_;
    }
    cv_.notify_one();
  }

 private:
  int slots_, busy_ = 0, waiting_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
};

// Failed or refused logins from one address within one window, not yet written.
struct FailedLogins {
  Clock::time_point window_start{};
  UnixMicros window_start_utc = 0;
  int64_t pending = 0;
  std::set<std::string> names;  // a few of them, for the row
};

// "gzip, deflate, br" -> "gzip, deflate": the codings offered, without Brotli.
std::string WithoutBrotli(std::string_view offer) {
  std::string out;
  while (!offer.empty()) {
    size_t comma = offer.find(',');
    std::string_view item = offer.substr(0, comma);
    offer = comma == std::string_view::npos ? std::string_view() : offer.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::string_view name = item.substr(0, item.find(';'));
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name == "br" || item.empty()) continue;
    out += (out.empty() ? "" : ", ") + std::string(item);
  }
  return out;
}

void SecurityHeaders(httplib::Response& res) {
  // A report document brings its own, stricter policy (see the report route).
  if (!res.has_header("Content-Security-Policy")) res.set_header("Content-Security-Policy", kCsp);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
  res.set_header("Cache-Control", "no-store");
}

void JsonError(httplib::Response& res, int code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Field("error", message).EndObject();
  res.status = code;
  res.set_content(w.str(), "application/json");
}

int HttpCode(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kUsage:
    case ErrorCode::kBadInput: return 400;
    case ErrorCode::kNotFound: return 404;
    default: return 500;
  }
}

class HttpServer final : public Server {
 public:
  explicit HttpServer(ServerOptions o) : options_(std::move(o)) {}

  Status Init() {
    if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
    TQ_ASSIGN_OR_RETURN(std::unique_ptr<Case> c, Case::Open(options_.case_dir));
    TQ_RETURN_IF_ERROR(taskforce::EnsureSchema(*c));
    TQ_RETURN_IF_ERROR(EnsureServerSchema(*c));
    TQ_ASSIGN_OR_RETURN(int64_t users, c->db().QueryInt("SELECT count(*) FROM server_user"));
    if (users == 0)
      return Status::Usage("no users: add one first with tourniquet user add NAME --role lead");
    pool_.push_back(std::move(c));
    // Connections are ours (listener.h): deadlines per request, a bounded queue. TCP_NODELAY
    // is set on each (headers and body go out in separate writes: without it, Nagle and the
    // client's delayed ACK add 40 ms to every keep-alive response).
    ListenLimits limits;
    limits.threads = std::max(2, options_.threads);
    limits.max_queued = std::max(1, options_.max_queued);
    limits.request_seconds = std::max(1, options_.request_seconds);
    TQ_ASSIGN_OR_RETURN(listener_, MakeListener(limits, options_.cert_file, options_.key_file));
    tls_ = !options_.cert_file.empty();
    listener_->on_tick = [this] { FlushFailedLogins(false); };
    http_ = &listener_->http();
    http_->set_payload_max_length(64 * 1024);
    // Only for the Keep-Alive header cpp-httplib writes: the listener enforces the limits.
    http_->set_keep_alive_max_count(static_cast<size_t>(limits.keep_alive_max));
    http_->set_keep_alive_timeout(limits.keep_alive_seconds);
    Routes();
    return Status::Ok();
  }

  Status Bind() override { return listener_->Bind(options_.listen, options_.port); }
  int port() const override { return listener_->port(); }
  Status Run() override {
    Status s = listener_->Run();
    FlushFailedLogins(true);
    return s;
  }
  void Stop() override { listener_->Stop(); }

 private:
  // A case connection per concurrent request (SQLite connections are not shared between
  // threads); kept for reuse.
  class Lease {
   public:
    explicit Lease(HttpServer& s) : s_(s) {
      std::lock_guard lock(s_.pool_mu_);
      if (!s_.pool_.empty()) {
        c_ = std::move(s_.pool_.back());
        s_.pool_.pop_back();
      }
    }
    ~Lease() {
      if (!c_) return;
      std::lock_guard lock(s_.pool_mu_);
      s_.pool_.push_back(std::move(c_));
    }
    Result<Case*> Get() {
      if (!c_) {
        TQ_ASSIGN_OR_RETURN(c_, Case::Open(s_.options_.case_dir));
      }
      return c_.get();
    }

   private:
    HttpServer& s_;
    std::unique_ptr<Case> c_;
  };

  std::optional<Session> FindSession(const httplib::Request& req, std::string* token_out) {
    std::string cookies = req.get_header_value("Cookie");
    std::string token;
    size_t pos = 0;
    while (pos < cookies.size()) {
      size_t end = cookies.find(';', pos);
      if (end == std::string::npos) end = cookies.size();
      std::string_view part(cookies.data() + pos, end - pos);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      std::string prefix = std::string(kCookie) + "=";
      if (part.substr(0, prefix.size()) == prefix) token = std::string(part.substr(prefix.size()));
      pos = end + 1;
    }
    if (token.size() != 64) return std::nullopt;
    std::lock_guard lock(sessions_mu_);
    auto it = sessions_.find(token);
    if (it == sessions_.end()) return std::nullopt;
    auto now = Clock::now();
    if (now - it->second.last_seen > kSessionIdle) {
      sessions_.erase(it);
      return std::nullopt;
    }
    it->second.last_seen = now;
    if (token_out) *token_out = token;
    return it->second;
  }

  static int FreeFailures(const std::string& key) {
    if (key.starts_with("acct:")) return kFreeFailuresPerAccountAndAddress;
    if (key.starts_with("addr:")) return kFreeFailuresPerAddress;
    return kFreeFailuresPerAccount;
  }

  // One login try for these keys. When one of them is in its delay: the seconds left, and
  // nothing is counted. Otherwise the try is counted as a failure now, before the password
  // is checked (so that parallel tries all see it), and 0 is returned; a good password
  // then clears the account's counts (LoginSucceeded).
  int LoginAttempt(const std::vector<std::string>& keys) {
    std::lock_guard lock(throttle_mu_);
    auto now = Clock::now();
    int wait = 0;
    for (const auto& k : keys) {
      auto it = throttle_.find(k);
      if (it == throttle_.end() || it->second.not_before <= now) continue;
      wait = std::max<int>(
          wait, static_cast<int>(
                    std::chrono::ceil<std::chrono::seconds>(it->second.not_before - now).count()));
    }
    if (wait > 0) return wait;
    if (throttle_.size() > 100000) {  // bounded: forget entries idle for an hour
      for (auto it = throttle_.begin(); it != throttle_.end();)
        it = now - it->second.last > std::chrono::hours(1) ? throttle_.erase(it) : std::next(it);
    }
    for (const auto& k : keys) {
      Throttle& t = throttle_[k];
      if (now - t.last > std::chrono::hours(1)) t.failures = 0;
      t.failures++;
      t.last = now;
      Arm(k, t, now);
    }
    return 0;
  }

  // Past the free failures, the next try waits 1 s, 2 s, 4 s ... from `now`.
  static void Arm(const std::string& key, Throttle& t, Clock::time_point now) {
    int free = FreeFailures(key);
    if (t.failures < free) return;
    int shift = std::min(t.failures - free, 9);
    int delay = std::min(kMaxDelaySeconds, 1 << shift);
    t.not_before = std::max(t.not_before, now + std::chrono::seconds(delay));
  }

  // The password was wrong: the wait runs from now, the end of the check (which can take
  // seconds on a busy machine), not from when the try was counted.
  void LoginFailed(const std::vector<std::string>& keys) {
    std::lock_guard lock(throttle_mu_);
    auto now = Clock::now();
    for (const auto& k : keys)
      if (auto it = throttle_.find(k); it != throttle_.end()) Arm(k, it->second, now);
  }

  // A try that was never judged (the password checks were all busy): uncounted.
  void LoginNotJudged(const std::vector<std::string>& keys) {
    std::lock_guard lock(throttle_mu_);
    for (const auto& k : keys) {
      auto it = throttle_.find(k);
      if (it == throttle_.end() || it->second.failures == 0) continue;
      if (--it->second.failures < FreeFailures(k)) it->second.not_before = {};
    }
  }

  // The account's counts go; the address's stay (a good login of one's own account must
  // not reset the count of guesses at other accounts from that address).
  void LoginSucceeded(const std::vector<std::string>& keys) {
    std::lock_guard lock(throttle_mu_);
    for (const auto& k : keys)
      if (!k.starts_with("addr:")) throttle_.erase(k);
  }

  // Failed and refused logins: the first from an address in a window is written at once,
  // the rest of the window as one row with their count (a flood of 50,000 tries is a few
  // rows, not 50,000).
  void AuditFailedLogin(const std::string& name, const std::string& addr,
                        const std::string& outcome) {
    bool write_now = false;
    {
      std::lock_guard lock(failed_mu_);
      std::string key = failed_.size() < kAuditAddresses || failed_.count(addr) ? addr : "*";
      FailedLogins& f = failed_[key];
      auto now = Clock::now();
      if (f.window_start == Clock::time_point{} || now - f.window_start >= kAuditWindow) {
        if (f.pending > 0) failed_rows_.push_back(SummaryRow(key, f));
        f = FailedLogins();
        f.window_start = now;
        f.window_start_utc = NowMicros();
        write_now = true;
      } else {
        ++f.pending;
        if (f.names.size() < 5) f.names.insert(name);
      }
    }
    if (write_now) Audit(name, "serve login", outcome, "from " + addr);
    FlushFailedLogins(false);
  }

  struct AuditRow {
    std::string actor, outcome, detail;
  };
  static AuditRow SummaryRow(const std::string& addr, const FailedLogins& f) {
    std::string names;
    for (const auto& n : f.names) names += (names.empty() ? "" : ", ") + n;
    return {"?", "failed or refused",
            std::to_string(f.pending) + " more failed or refused logins from " +
                (addr == "*" ? std::string("other addresses") : addr) + " in the minute from " +
                FormatUtc(f.window_start_utc) + " (names tried include: " + names + ")"};
  }

  // Writes the summary rows due: windows that ended (or all, at shutdown).
  void FlushFailedLogins(bool all) {
    std::vector<AuditRow> rows;
    {
      std::lock_guard lock(failed_mu_);
      auto now = Clock::now();
      for (auto it = failed_.begin(); it != failed_.end();) {
        if (all || now - it->second.window_start >= kAuditWindow) {
          if (it->second.pending > 0) failed_rows_.push_back(SummaryRow(it->first, it->second));
          it = failed_.erase(it);
        } else {
          ++it;
        }
      }
      rows.swap(failed_rows_);
    }
    for (const AuditRow& r : rows) Audit(r.actor, "serve login", r.outcome, r.detail);
  }

  void Audit(std::string_view actor, std::string_view command, std::string_view outcome,
             std::string_view detail) {
    Lease lease(*this);
    auto c = lease.Get();
    if (!c.ok()) return;
    (void)(*c)->Transaction([&](Db&) { return (*c)->Audit(actor, command, outcome, detail); });
  }

  void Login(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
      return JsonError(res, 415, "login takes a JSON body");
    std::map<std::string, std::string> body;
    if (Status s = ParseJsonObject(req.body, body); !s.ok())
      return JsonError(res, 400, s.message());
    std::string name = body["name"], password = body["password"];
    bool valid_name = taskforce::ValidateUserName(name).ok();
    std::string shown = valid_name ? name : "?";
    const std::string& addr = req.remote_addr;
    // Keys hold a valid name or "?": names up to the body's 64 KiB would make the
    // throttle table's 100,000 entries gigabytes.
    std::vector<std::string> keys = {"addr:" + addr, "acct:" + shown + "\n" + addr,
                                     "user:" + shown};
    if (int wait = LoginAttempt(keys); wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      AuditFailedLogin(shown, addr, "refused: too many failed logins");
      return JsonError(res, 429, "too many failed logins; wait " + std::to_string(wait) + " s");
    }
    Result<taskforce::User> user = Status::NotFound("unknown user or wrong password");
    if (valid_name) {
      if (!password_gate_.Enter()) {
        LoginNotJudged(keys);
        res.set_header("Retry-After", "1");
        return JsonError(res, 503, "too many logins at once; try again in a second");
      }
      Lease lease(*this);
      auto c = lease.Get();
      if (c.ok()) user = taskforce::CheckPassword((*c)->db(), name, password);
      password_gate_.Leave();
      if (!c.ok()) return JsonError(res, 500, c.status().message());
    }
    if (!user.ok()) {
      LoginFailed(keys);
      AuditFailedLogin(shown, addr, "failed");
      return JsonError(res, 401, "unknown user or wrong password");
    }
    LoginSucceeded(keys);
    Session s{*user, RandomHex(32), Clock::now()};
    std::string token = RandomHex(32);
    {
      std::lock_guard lock(sessions_mu_);
      sessions_[token] = s;
    }
    Audit(user->name, "serve login", "ok", "from " + req.remote_addr);
    res.set_header("Set-Cookie", std::string(kCookie) + "=" + token +
                                     "; Path=/; HttpOnly; SameSite=Strict" +
                                     (tls_ ? "; Secure" : ""));
    WriteSession(res, s);
  }

  void WriteSession(httplib::Response& res, const Session& s) {
    JsonWriter w;
    w.BeginObject().Field("user", s.user.name).Field("role", taskforce::RoleName(s.user.role));
    w.Field("csrf", s.csrf).Field("now", FormatUtc(NowMicros()));
    w.Key("permissions").BeginArray();
    for (const auto& row : taskforce::RoleTable())
      if (row.role == s.user.role)
        for (auto p : row.permissions) w.String(taskforce::PermissionName(p));
    w.EndArray().EndObject();
    res.set_content(w.str(), "application/json");
  }

  // Session and CSRF checks shared by every API route. Returns false after answering.
  bool Authorize(const httplib::Request& req, httplib::Response& res, bool change,
                 std::optional<Session>& session, std::string* token = nullptr) {
    session = FindSession(req, token);
    if (!session) {
      JsonError(res, 401, "log in first");
      return false;
    }
    if (change) {
      std::string sent = req.get_header_value("X-CSRF-Token");
      if (!SameSecret(sent, session->csrf)) {
        Audit(session->user.name, "serve " + req.path, "refused: missing or wrong CSRF token",
              "from " + req.remote_addr);
        JsonError(res, 403, "missing or wrong CSRF token");
        return false;
      }
    }
    return true;
  }

  // Changes whenever any connection (this server's or a CLI command) commits to the case:
  // SQLite's data_version, read on a connection that itself never writes.
  int64_t DataVersion() {
    std::lock_guard lock(cache_mu_);
    if (!watch_) {
      auto c = Case::Open(options_.case_dir, /*read_only=*/true);
      if (!c.ok()) return -1;
      watch_ = std::move(*c);
    }
    if (!watch_stmt_) {
      auto st = watch_->db().Prepare("PRAGMA data_version");
      if (!st.ok()) return -1;
      watch_stmt_ = std::make_unique<Stmt>(std::move(*st));
    }
    auto row = watch_stmt_->Step();
    int64_t v = row.ok() && *row ? watch_stmt_->Int(0) : -1;
    (void)watch_stmt_->Reset();
    return v;
  }
  std::shared_ptr<std::mutex> FlightLock(const std::string& key) {
    std::lock_guard lock(cache_mu_);
    if (flights_.size() > 4096) {
      for (auto it = flights_.begin(); it != flights_.end();)
        it = it->second.use_count() == 1 ? flights_.erase(it) : std::next(it);
    }
    auto& m = flights_[key];
    if (!m) m = std::make_shared<std::mutex>();
    return m;
  }
  std::optional<std::string> CacheGet(const std::string& key, int64_t version) {
    std::lock_guard lock(cache_mu_);
    if (version < 0 || version != cache_version_) return std::nullopt;
    auto it = cache_.find(key);
    if (it == cache_.end()) return std::nullopt;
    return it->second;
  }
  void CachePut(const std::string& key, int64_t version, const std::string& body) {
    std::lock_guard lock(cache_mu_);
    if (version < 0) return;
    if (version != cache_version_) {
      cache_.clear();
      cache_bytes_ = 0;
      cache_version_ = version;
    }
    if (body.size() > (1 << 20)) return;
    if (cache_bytes_ + body.size() > (64 << 20) || cache_.size() >= 4096) {
      cache_.clear();  // bounded: filtered timeline pages are many and cheap to redo
      cache_bytes_ = 0;
    }
    cache_bytes_ += body.size();
    cache_[key] = body;
  }

  void Routes() {
    httplib::Server& h = *http_;
    h.set_post_routing_handler(
        [](const httplib::Request&, httplib::Response& res) { SecurityHeaders(res); });
    // The library answers with Brotli whenever a browser offers it, at its fixed quality 11:
    // 0.2 s for app.js and 0.4-0.5 s for a page of findings on a busy 2-core machine, against
    // 5-15 ms with gzip (one sixth larger). So the browser's offer is read without "br". The
    // request is the library's own non-const object; its handlers only get a const view.
    h.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      auto& headers = const_cast<httplib::Headers&>(req.headers);
      for (auto it = headers.find("Accept-Encoding");
           it != headers.end() && it->first == "Accept-Encoding"; ++it)
        it->second = WithoutBrotli(it->second);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    h.Post("/api/login",
           [this](const httplib::Request& req, httplib::Response& res) { Login(req, res); });
    h.Get("/api/session", [this](const httplib::Request& req, httplib::Response& res) {
      std::optional<Session> s;
      if (Authorize(req, res, false, s)) WriteSession(res, *s);
    });
    h.Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) {
      std::optional<Session> s;
      std::string token;
      if (!Authorize(req, res, true, s, &token)) return;
      {
        std::lock_guard lock(sessions_mu_);
        sessions_.erase(token);
      }
      Audit(s->user.name, "serve logout", "ok", "");
      res.set_header("Set-Cookie",
                     std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
      res.set_content("{}", "application/json");
    });
    // A written report, opened in the browser or downloaded. The document is the case's own
    // file under reports/ (the path comes from report_document and must stay in there); it is
    // sandboxed and may run nothing (its strings from evidence are escaped by the report).
    h.Get(R"(/api/reports/(\d{1,18})/file)", [this](const httplib::Request& req,
                                                    httplib::Response& res) {
      std::optional<Session> s;
      if (!Authorize(req, res, false, s)) return;
      if (!taskforce::RoleAllows(s->user.role, taskforce::Permission::kReports))
        return JsonError(res, 403, "your role may not open reports");
      Lease lease(*this);
      auto c = lease.Get();
      if (!c.ok()) return JsonError(res, 500, c.status().message());
      Db& db = (*c)->db();
      if (!TableExists(db, "report_document")) return JsonError(res, 404, "no reports yet");
      auto st = db.Prepare("SELECT name, format, path FROM report_document WHERE id=?");
      if (!st.ok()) return JsonError(res, 500, st.status().message());
      st->Bind(1, static_cast<int64_t>(std::stoll(req.matches[1])));
      auto row = st->Step();
      if (!row.ok() || !*row) return JsonError(res, 404, "no such report");
      std::string name = st->String(0), format = st->String(1), rel = st->String(2);
      if (!rel.starts_with("reports/") || rel.find("..") != std::string::npos ||
          rel.find('\0') != std::string::npos)
        return JsonError(res, 404, "report path outside the case's reports/");
      std::ifstream in((*c)->dir() + "/" + rel, std::ios::binary);
      if (!in) return JsonError(res, 404, "report file missing: " + rel);
      std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::string safe;
      for (char ch : name)
        safe +=
            (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_')
                ? ch
                : '_';
      bool download = req.has_param("download");
      res.set_header("Content-Disposition", std::string(download ? "attachment" : "inline") +
                                                "; filename=\"" + safe + "\"");
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox");
      res.set_content(body, format == "html" ? "text/html; charset=utf-8"
                            : format == "md" ? "text/markdown; charset=utf-8"
                                             : "application/octet-stream");
    });
    for (const ApiRoute& route : ApiTable()) {
      bool change = std::string_view(route.method) == "POST";
      auto handler = [this, &route, change](const httplib::Request& req, httplib::Response& res) {
        std::optional<Session> s;
        if (!Authorize(req, res, change, s)) return;
        if (!taskforce::RoleAllows(s->user.role, route.permission)) {
          if (route.personal_data)
            Audit(s->user.name, std::string("serve ") + route.path,
                  "refused: role " + std::string(taskforce::RoleName(s->user.role)),
                  "from " + req.remote_addr);
          return JsonError(res, 403,
                           "your role (" + std::string(taskforce::RoleName(s->user.role)) +
                               ") may not see or do this");
        }
        // Views depend only on the route and its parameters (the role check is done), so
        // they are cached until anybody commits to the case.
        std::string key;
        int64_t version = -1;
        if (!change && options_.cache) {
          key = req.path;
          for (const auto& [k, v] : req.params) key += "\n" + k + "=" + v;
          version = DataVersion();
          if (std::optional<std::string> hit = CacheGet(key, version)) {
            res.set_content(*hit, "application/json");
            return;
          }
        }
        // One computation per view at a time: when many clients miss the cache together
        // (a change, or a cold start), the others wait for the first one's answer instead
        // of all running the same queries.
        std::shared_ptr<std::mutex> flight_mu;  // held while locked: never erased under us
        std::unique_lock<std::mutex> flight;
        if (!key.empty()) {
          flight_mu = FlightLock(key);
          flight = std::unique_lock<std::mutex>(*flight_mu);
          if (std::optional<std::string> hit = CacheGet(key, version)) {
            res.set_content(*hit, "application/json");
            return;
          }
        }
        Lease lease(*this);
        auto c = lease.Get();
        if (!c.ok()) return JsonError(res, 500, c.status().message());
        ApiRequest r{**c, s->user, {}, {}, {}};
        for (const auto& [k, v] : req.params) r.params.emplace(k, v);
        if (req.matches.size() > 1) r.id = req.matches[1];
        if (change) {
          if (Status st = ParseJsonObject(req.body.empty() ? "{}" : req.body, r.body); !st.ok())
            return JsonError(res, 400, st.message());
        }
        JsonWriter w;
        Status st;
        if (change) {
          st = route.handler(r, w);  // runs its own write transaction
        } else {
          // One read transaction per view: a consistent snapshot, and the file locks taken
          // once instead of once per statement.
          Db& db = (*c)->db();
          st = db.Exec("BEGIN DEFERRED");
          if (st.ok()) {
            st = route.handler(r, w);
            (void)db.Exec("COMMIT");
          }
        }
        if (!st.ok()) {
          if (change)
            Audit(s->user.name, std::string("serve ") + route.path, "failed: " + st.message(), "");
          return JsonError(res, HttpCode(st), st.message());
        }
        if (!change && options_.cache) CachePut(key, version, w.str());
        res.set_content(w.Take(), "application/json");
      };
      if (change) {
        h.Post(route.pattern, handler);
      } else {
        h.Get(route.pattern, handler);
      }
    }
    // Any other /api/ path: 401 without a session, 404 with one.
    auto unknown = [this](const httplib::Request& req, httplib::Response& res) {
      std::optional<Session> s;
      if (Authorize(req, res, false, s)) JsonError(res, 404, "no such API route");
    };
    h.Get(R"(/api/.*)", unknown);
    h.Post(R"(/api/.*)", unknown);
    h.Get(R"(/[A-Za-z0-9._-]*)", [](const httplib::Request& req, httplib::Response& res) {
      const Asset* a = FindAsset(req.path == "/" ? "/index.html" : req.path);
      if (!a) {
        res.status = 404;
        res.set_content("not found\n", "text/plain");
        return;
      }
      res.set_content(a->data, a->size, a->content_type);
    });
  }

  ServerOptions options_;
  std::unique_ptr<Listener> listener_;
  httplib::Server* http_ = nullptr;  // the listener's
  bool tls_ = false;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Case>> pool_;
  std::mutex cache_mu_;
  std::unique_ptr<Case> watch_;
  std::unique_ptr<Stmt> watch_stmt_;  // destroyed before watch_ (declared after it)
  int64_t cache_version_ = -1;
  size_t cache_bytes_ = 0;
  std::unordered_map<std::string, std::string> cache_;
  std::unordered_map<std::string, std::shared_ptr<std::mutex>> flights_;
  std::mutex sessions_mu_;
  std::unordered_map<std::string, Session> sessions_;
  std::mutex throttle_mu_;
  std::unordered_map<std::string, Throttle> throttle_;
  PasswordCheckGate password_gate_{options_.password_checks};
  std::mutex failed_mu_;
  std::unordered_map<std::string, FailedLogins> failed_;
  std::vector<AuditRow> failed_rows_;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options) {
  auto s = std::make_unique<HttpServer>(options);
  TQ_RETURN_IF_ERROR(s->Init());
  return std::unique_ptr<Server>(std::move(s));
}

}  // namespace tq::server
