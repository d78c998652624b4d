// Security tests of `serve`, against a real server on a loopback port: no session -> 401 on
// every API route (walking the route table), the role table enforced on every route (viewer
// -> 403 on personal data), CSRF on every change, bad logins slowed down, headers.
#include "server/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <thread>

#include "casefile/casefile.h"
#include "support/testing.h"
#include "taskforce/taskforce.h"

namespace tq::server {
namespace {

using taskforce::Role;

struct TestUser {
  const char* name;
  Role role;
};
constexpr TestUser kUsers[] = {{"lena", Role::kLead},
                               {"ivan", Role::kInvestigator},
                               {"cora", Role::kComms},
                               {"vera", Role::kViewer}};
constexpr const char* kPassword = "a long enough password";

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new tq::testing::TempDir();
    CaseInfo info;
    info.name = "server test";
    auto c = Case::Create(*dir_ / "case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(taskforce::EnsureSchema(**c).ok());
    ASSERT_TRUE(
        (*c)->Transaction([&](Db& db) -> Status {
              for (const TestUser& u : kUsers)
                TQ_RETURN_IF_ERROR(taskforce::AddUser(db, u.name, u.role, kPassword).status());
              Task t;
              t.title = "Rotate keys";
              TQ_RETURN_IF_ERROR(UpsertTask(db, t).status());
              TQ_RETURN_IF_ERROR(taskforce::AddPostmortemEntry(db, "f", "p", "lena").status());
              return db.Exec(
                  "CREATE TABLE scope_person(id INTEGER PRIMARY KEY, email TEXT, country TEXT);"
                  "INSERT INTO scope_person(email,country) VALUES('a@example.test','FR');"
                  "CREATE TABLE notify_obligation(id INTEGER PRIMARY KEY, jurisdiction TEXT, "
                  "deadline_at INTEGER);"
                  "INSERT INTO notify_obligation(jurisdiction,deadline_at) "
                  "VALUES('FR',4102444800000000);"
                  "CREATE TABLE notify_outbox(id INTEGER PRIMARY KEY, kind TEXT, recipient TEXT, "
                  "recipient_name TEXT, language TEXT, subject TEXT, body TEXT, state TEXT, "
                  "sender TEXT, attempts INTEGER, last_reply TEXT, created_at INTEGER, sent_at "
                  "INTEGER);"
                  "INSERT INTO notify_outbox VALUES(1,'letter','a@example.test','A','fr',"
                  "'Notice','Dear A,\n...','queued','dpo@shop.test',0,'',1,NULL);"
                  "CREATE TABLE report_document(id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
                  "audience TEXT, format TEXT, path TEXT, sha256 TEXT, bytes INTEGER, "
                  "written_at INTEGER);"
                  "INSERT INTO report_document VALUES(1,'notice.html','public','html',"
                  "'reports/notice.html','x',13,1),(2,'evil.md','internal','md',"
                  "'reports/../case.db','x',1,1);"
                  "INSERT INTO findings(kind,component,severity,confidence,summary,event_time,"
                  "dedupe_key,created_at,updated_at) VALUES('log.rule_hit','logs','high',0.9,"
                  "'UA \"</script><script>alert(1)</script>\\',1000000,'k',1,1);");
            })
            .ok());
  }
  static void TearDownTestSuite() { delete dir_; }
  static void WriteReport() {
    std::filesystem::create_directories(*dir_ / "case/reports");
    tq::testing::WriteFile(*dir_ / "case/reports/notice.html", "<p>notice</p>");
  }

  void SetUp() override {
    ServerOptions o;
    o.case_dir = *dir_ / "case";
    o.port = 0;
    o.threads = 4;
    auto s = Server::Create(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { (void)server_->Run(); });
  }
  void TearDown() override {
    server_->Stop();
    thread_.join();
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(10, 0);
    return c;
  }

  struct Login {
    std::string cookie, csrf;
  };
  Login LogIn(const char* name, const char* password = kPassword) {
    auto c = Client();
    auto res = c.Post("/api/login",
                      std::string("{\"name\":\"") + name + "\",\"password\":\"" + password + "\"}",
                      "application/json");
    EXPECT_TRUE(res) << "no answer";
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    std::string set = res->get_header_value("Set-Cookie");
    Login l;
    l.cookie = set.substr(0, set.find(';'));
    size_t at = res->body.find("\"csrf\":\"");
    if (at != std::string::npos) l.csrf = res->body.substr(at + 8, 64);
    return l;
  }

  httplib::Result Call(const ApiRouteInfo& r, const Login* who, bool with_csrf = true,
                       const std::string& body = "{}") {
    auto c = Client();
    httplib::Headers h;
    if (who) h.emplace("Cookie", who->cookie);
    if (who && with_csrf) h.emplace("X-CSRF-Token", who->csrf);
    if (std::string_view(r.method) == "POST")
      return c.Post(r.example_path, h, body, "application/json");
    return c.Get(r.example_path, h);
  }

  static tq::testing::TempDir* dir_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};
tq::testing::TempDir* ServerTest::dir_ = nullptr;

TEST_F(ServerTest, EveryApiRouteWithoutSessionIs401) {
  ASSERT_GE(ApiRoutes().size(), 15u);
  for (const ApiRouteInfo& r : ApiRoutes()) {
    auto res = Call(r, nullptr);
    ASSERT_TRUE(res) << r.path;
    EXPECT_EQ(res->status, 401) << r.method << " " << r.path;
    EXPECT_EQ(res->body.find("lena"), std::string::npos);
  }
  // A forged cookie is no session either; nor is an unknown /api/ path.
  Login forged{"tq_session=" + std::string(64, 'a'), std::string(64, 'b')};
  for (const ApiRouteInfo& r : ApiRoutes()) {
    auto res = Call(r, &forged);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << r.path;
  }
  auto res = Client().Get("/api/secret-dump");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(ServerTest, RoleTableDecidesEveryReadRoute) {
  for (const TestUser& u : kUsers) {
    Login l = LogIn(u.name);
    for (const ApiRouteInfo& r : ApiRoutes()) {
      if (std::string_view(r.method) != "GET" || std::string_view(r.path) == "/api/session")
        continue;
      auto res = Call(r, &l);
      ASSERT_TRUE(res);
      bool allowed = taskforce::RoleAllows(u.role, r.permission);
      EXPECT_EQ(res->status, allowed ? 200 : 403) << u.name << " " << r.path << " " << res->body;
      if (r.personal_data && !allowed) {
        EXPECT_EQ(res->body.find("a@example.test"), std::string::npos);
      }
    }
  }
}

TEST_F(ServerTest, ViewerGets403OnPersonalData) {
  Login viewer = LogIn("vera");
  int personal = 0;
  for (const ApiRouteInfo& r : ApiRoutes()) {
    if (!r.personal_data) continue;
    ++personal;
    auto res = Call(r, &viewer);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << r.path;
  }
  EXPECT_GE(personal, 2);
  Login comms = LogIn("cora");
  auto res = Client().Get("/api/scope", {{"Cookie", comms.cookie}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("a@example.test"), std::string::npos);
}

TEST_F(ServerTest, EveryChangeNeedsTheCsrfToken) {
  Login lead = LogIn("lena");
  int changes = 0;
  for (const ApiRouteInfo& r : ApiRoutes()) {
    if (std::string_view(r.method) != "POST") continue;
    ++changes;
    auto res = Call(r, &lead, /*with_csrf=*/false, R"({"title":"x","owner":"y","body":"z"})");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << r.path;
    Login wrong = lead;
    wrong.csrf = std::string(64, '0');
    res = Call(r, &wrong, true, R"({"title":"x","owner":"y","body":"z"})");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << r.path;
  }
  EXPECT_GE(changes, 5);
  auto c = Client();
  auto res = c.Post("/api/tasks/1", {{"Cookie", lead.cookie}, {"X-CSRF-Token", lead.csrf}},
                    R"({"owner":"ops","status":"in_progress"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  res = c.Get("/api/tasks", {{"Cookie", lead.cookie}});
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find(R"("owner":"ops","status":"in_progress")"), std::string::npos)
      << res->body;
  // The change is in the audit log under the user's name.
  auto cs = Case::Open(*dir_ / "case");
  ASSERT_TRUE(cs.ok());
  auto n = (*cs)->db().QueryInt(
      "SELECT count(*) FROM audit_log WHERE actor='lena' AND command='task update' AND "
      "detail LIKE '%owner -> ops%'");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
}

TEST_F(ServerTest, ViewerCannotChangeTasks) {
  Login viewer = LogIn("vera");
  auto res =
      Client().Post("/api/tasks/1", {{"Cookie", viewer.cookie}, {"X-CSRF-Token", viewer.csrf}},
                    R"({"owner":"vera"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
}

TEST_F(ServerTest, RepeatedBadLoginsAreSlowedDown) {
  auto c = Client();
  auto attempt = [&](const char* password) {
    return c.Post("/api/login", std::string(R"({"name":"ivan","password":")") + password + "\"}",
                  "application/json");
  };
  for (int i = 0; i < 3; ++i) {
    auto res = attempt("guess");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << i;
  }
  auto res = attempt("guess");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  // Even the right password waits: the password is not checked during the delay.
  res = attempt(kPassword);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  // Another user from the same address is not locked out by ivan's failures.
  Login other = LogIn("cora");
  EXPECT_FALSE(other.csrf.empty());
  // After the delay, the right password works again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  res = attempt(kPassword);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_F(ServerTest, LoginCookieAndHeaders) {
  auto c = Client();
  auto res = c.Post("/api/login", std::string(R"({"name":"lena","password":")") + kPassword + "\"}",
                    "application/json");
  ASSERT_TRUE(res);
  std::string cookie = res->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  // A login from a form (not JSON) is refused: no cross-site form can post it.
  res = c.Post("/api/login", "name=lena&password=x", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  res = c.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("/app.js"), std::string::npos);
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  res = c.Get("/../case.db");
  ASSERT_TRUE(res);
  EXPECT_NE(res->status, 200);
}

// A written report opens (sandboxed) or downloads, for any role with the reports permission,
// and only from the case's reports/ folder.
TEST_F(ServerTest, ReportsOpenSandboxedAndStayInsideTheCase) {
  WriteReport();
  auto c = Client();
  auto res = c.Get("/api/reports/1/file");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  Login vera = LogIn("vera");
  httplib::Headers h = {{"Cookie", vera.cookie}};
  res = c.Get("/api/reports/1/file", h);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "<p>notice</p>");
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("sandbox"), std::string::npos);
  EXPECT_EQ(res->get_header_value("Content-Disposition").rfind("inline", 0), 0u);
  res = c.Get("/api/reports/1/file?download=1", h);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Disposition"), "attachment; filename=\"notice.html\"");
  for (const char* path : {"/api/reports/2/file", "/api/reports/9/file"}) {
    res = c.Get(path, h);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->body.find("SQLite"), std::string::npos);
  }
}

// Brotli at the library's quality 11 took 0.2-0.5 s per answer; a browser that offers gzip
// too gets gzip (and one that offers only br, the plain body).
TEST_F(ServerTest, AnswersGzipWhereBrotliIsOffered) {
  auto c = Client();
  c.set_decompress(false);
  auto res = c.Get("/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  res = c.Get("/app.js", {{"Accept-Encoding", "br;q=1.0"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "");
  EXPECT_NE(res->body.find("textContent"), std::string::npos);
}

TEST_F(ServerTest, HostileTextStaysInsideJsonStrings) {
  Login lead = LogIn("lena");
  auto res = Client().Get("/api/timeline", {{"Cookie", lead.cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  // The quote, the backslash and '<' are escaped: the JSON stays one string and never holds
  // a literal "</script>".
  EXPECT_NE(res->body.find(R"(UA \"\u003c/script>\u003cscript>alert(1)\u003c/script>\\\\")"),
            std::string::npos)
      << res->body;
  EXPECT_EQ(res->body.find("</script>"), std::string::npos);
  res = Client().Get("/api/case", {{"Cookie", lead.cookie}});
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find(R"("jurisdiction":"FR","people":1)"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find(R"("kind":"notification")"), std::string::npos) << res->body;
}

TEST_F(ServerTest, BadInputGets400NotACrash) {
  Login lead = LogIn("lena");
  auto c = Client();
  httplib::Headers h = {{"Cookie", lead.cookie}, {"X-CSRF-Token", lead.csrf}};
  for (const char* body : {"", "[1,2]", "{\"title\":", "{\"title\":{\"x\":1}}", "\xff\xfe",
                           "{\"title\":\"\"}", "{\"title\":\"t\",\"phase\":9}"}) {
    auto res = c.Post("/api/tasks", h, body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body << " -> " << res->body;
  }
  auto res = c.Post("/api/tasks/999", h, R"({"owner":"x"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = c.Get("/api/timeline?from=yesterday", {{"Cookie", lead.cookie}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

// Findings list actionable first (whatever their severity), count every triage class, and say
// how many a class filter hides.
TEST_F(ServerTest, FindingsListActionableFirstAndCountWhatIsHidden) {
  {
    auto c = Case::Open(*dir_ / "case");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    Finding f;
    f.kind = "log.rule_hit";
    f.component = "logs";
    f.summary = "refused probe";
    f.severity = Severity::kLow;
    f.triage = "noise";
    f.dedupe_key = "triage-noise";
    ASSERT_TRUE(UpsertFinding((*c)->db(), f).ok());
    f.summary = "the entry request";
    f.severity = Severity::kMedium;
    f.triage = "actionable";
    f.dedupe_key = "triage-actionable";
    ASSERT_TRUE(UpsertFinding((*c)->db(), f).ok());
  }
  Login ivan = LogIn("ivan");
  auto c = Client();
  auto res = c.Get("/api/findings", {{"Cookie", ivan.cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string& b = res->body;
  EXPECT_NE(b.find(R"("hidden":0,"triage":{"actionable":1,"context":1,"noise":1})"),
            std::string::npos)
      << b;
  size_t entry = b.find("the entry request"), probe = b.find("refused probe"),
         high = b.find("alert(1)");
  ASSERT_NE(entry, std::string::npos);
  EXPECT_LT(entry, high) << "actionable (medium) before context (high)";
  EXPECT_LT(high, probe) << "context before noise";
  res = c.Get("/api/findings?triage=noise", {{"Cookie", ivan.cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_NE(res->body.find(R"("total":1,)"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find(R"("hidden":2,)"), std::string::npos) << res->body;
  EXPECT_EQ(res->body.find("the entry request"), std::string::npos);
  res = c.Get("/api/findings?triage=urgent", {{"Cookie", ivan.cookie}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("expected actionable, context or noise"), std::string::npos);
}

}  // namespace
}  // namespace tq::server

namespace tq::server {
namespace {

TEST_F(ServerTest, CachedViewsFollowChangesFromAnyConnection) {
  Login lead = LogIn("lena");
  auto c = Client();
  auto get = [&] {
    auto res = c.Get("/api/tasks", {{"Cookie", lead.cookie}});
    EXPECT_TRUE(res);
    return res ? res->body : std::string();
  };
  std::string before = get();
  EXPECT_EQ(before, get());  // served from the cache
  // A CLI command on the same case, through its own connection.
  auto cs = Case::Open(*dir_ / "case");
  ASSERT_TRUE(cs.ok());
  ASSERT_TRUE(
      (*cs)->Transaction([](Db& db) { return taskforce::AssignTask(db, 1, "night-shift"); }).ok());
  EXPECT_NE(get().find("night-shift"), std::string::npos);
}

}  // namespace
}  // namespace tq::server
