// The SQL generator against the engine's semantics: a ClickHouse server (Debian's 18.16) is
// started here on loopback; access-log lines are parsed by the logs component and stored as the
// export stores them; for each rule (one or two per Sigma modifier), the rows its generated
// WHERE selects must be exactly the lines the local matcher (Scanner::MatchLineDirect) says it
// matches; the prefilter must keep every one of them, and RecordMatcher must agree with the
// local matcher on every row. Skipped when clickhouse-server is not installed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "logs/logs.h"
#include "rules/rules.h"
#include "warehouse/prefilter.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  int port = ntohs(a.sin_port);
  close(s);
  return port;
}

std::string ServerBinary() {
  for (const char* p : {"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

// One server for the whole test binary.
class Server {
 public:
  static Server& Get() {
    static Server s;
    return s;
  }
  bool ok() const { return client_ != nullptr; }
  Client& client() { return *client_; }
  std::string url;
  ~Server() {
    client_.reset();
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

 private:
  Server() {
    std::string bin = ServerBinary();
    if (bin.empty()) return;
    char tmpl[] = "/tmp/tq-ch-test.XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    int http = FreePort(), tcp = FreePort();
    std::ofstream(dir_ + "/config.xml")
        << "<?xml version=\"1.0\"?><yandex><logger><level>warning</level><log>" << dir_
        << "/server.log</log><errorlog>" << dir_ << "/error.log</errorlog></logger>"
        << "<listen_host>127.0.0.1</listen_host><http_port>" << http << "</http_port><tcp_port>"
        << tcp << "</tcp_port><path>" << dir_ << "/data/</path><tmp_path>" << dir_
        << "/tmp/</tmp_path><user_files_path>" << dir_ << "/uf/</user_files_path><users_config>"
        << dir_ << "/users.xml</users_config><default_profile>default</default_profile>"
        << "<default_database>default</default_database><mark_cache_size>67108864"
        << "</mark_cache_size><mlock_executable>false</mlock_executable></yandex>";
    std::ofstream(dir_ + "/users.xml")
        << "<?xml version=\"1.0\"?><yandex><profiles><default><max_threads>1</max_threads>"
        << "</default></profiles><users><default><password></password><networks><ip>127.0.0.1"
        << "</ip></networks><profile>default</profile><quota>default</quota></default></users>"
        << "<quotas><default></default></quotas></yandex>";
    pid_ = fork();
    if (pid_ == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      std::string cfg = "--config-file=" + dir_ + "/config.xml";
      execl(bin.c_str(), bin.c_str(), cfg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    url = "http://127.0.0.1:" + std::to_string(http);
    Endpoint e;
    e.url = url;
    e.retries = 0;
    e.timeout_s = 30;
    for (int i = 0; i < 200; ++i) {
      Result<std::unique_ptr<Client>> c = Client::Connect(e);
      if (c.ok()) {
        client_ = std::move(*c);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::unique_ptr<Client> client_;
  pid_t pid_ = -1;
  std::string dir_;
};

std::string Json(std::string_view s) {
  std::string o = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    if (ch < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", ch);
      o += b;
      continue;
    }
    o += static_cast<char>(ch);
  }
  return o + "\"";
}

// Lines in the combined format, each a case for some modifier.
const std::vector<std::string> kLines = {
    R"(203.0.113.5 - - [10/Jul/2024:10:00:00 +0000] "GET /index.php?id=1 HTTP/1.1" 200 512 "-" "Mozilla/5.0")",
    R"(203.0.113.77 - - [10/Jul/2024:10:00:01 +0000] "GET /ADMIN/Login HTTP/1.1" 403 10 "-" "curl/8.0")",
    R"(198.51.100.9 - - [10/Jul/2024:10:00:02 +0000] "POST /rest/V1/guest-carts/x/estimate-shipping-methods HTTP/1.1" 200 9000 "-" "python-requests/2.31")",
    R"(10.1.2.3 - - [10/Jul/2024:10:00:03 +0000] "GET /media/%2e%2e/app/etc/env.php HTTP/1.1" 200 2048 "-" "Mozilla/5.0")",
    R"(2001:db8::7 - - [10/Jul/2024:10:00:04 +0000] "GET /shell.php?cmd=cat+/etc/passwd HTTP/1.1" 200 77 "-" "Go-http-client/1.1")",
    R"(203.0.113.6 - - [10/Jul/2024:10:00:05 +0000] "GET /x?q=PD9waHAgc3lzdGVtKCk7 HTTP/1.1" 404 0 "-" "sqlmap/1.7")",
    R"(192.0.2.1 - - [10/Jul/2024:10:00:06 +0000] "GET /backup.tar.gz HTTP/1.1" 200 99999999 "http://evil.example/" "Wget/1.21")",
    R"(192.0.2.2 - - [10/Jul/2024:10:00:07 +0000] "GET /Backup.SQL HTTP/1.1" 200 1234 "-" "-")",
    R"(203.0.113.9 - - [10/Jul/2024:10:00:08 +0000] "GET /a//b/./c/../downloader/index.php HTTP/1.1" 200 5 "-" "Mozilla/5.0")",
    R"(198.51.100.200 - - [10/Jul/2024:10:00:09 +0000] "GET /search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E HTTP/1.1" 200 5 "-" "Mozilla/5.0")",
    R"(198.51.100.201 - - [10/Jul/2024:10:00:10 +0000] "GET /ab1 HTTP/1.1" 500 5 "-" "UPPER AGENT")",
    R"(198.51.100.202 - - [10/Jul/2024:10:00:11 +0000] "GET /abc HTTP/1.1" 200 5 "-" "upper agent")",
};

const char* kRules = R"(
title: contains case-insensitive
id: r-contains
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains: '/admin/'}
  condition: sel
---
title: cased contains
id: r-cased
logsource: {category: webserver}
detection:
  sel: {cs-user-agent|contains|cased: 'UPPER'}
  condition: sel
---
title: startswith and endswith
id: r-starts-ends
logsource: {category: webserver}
detection:
  a: {cs-uri-stem|startswith: '/rest/v1/'}
  b: {cs-uri-stem|endswith: '-methods'}
  condition: a and b
---
title: equals with a list
id: r-equals
logsource: {category: webserver}
detection:
  sel: {cs-method: [post, put], sc-status: 200}
  condition: sel
---
title: contains all
id: r-all
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains|all: ['cmd=', 'passwd']}
  condition: sel
---
title: wildcards
id: r-wild
logsource: {category: webserver}
detection:
  sel: {cs-uri-stem: ['*backup.*', '/ab?']}
  condition: sel
---
title: regex
id: r-re
logsource: {category: webserver}
detection:
  sel: {cs-user-agent|re: '^(sqlmap|python-requests)/[0-9.]+$'}
  condition: sel
---
title: regex i
id: r-re-i
logsource: {category: webserver}
detection:
  sel: {cs-uri-stem|re|i: '\.(sql|tar\.gz)$'}
  condition: sel
---
title: cidr
id: r-cidr
logsource: {category: webserver}
detection:
  sel: {c-ip|cidr: ['203.0.113.0/25', '2001:db8::/33']}
  condition: sel
---
title: base64offset
id: r-b64
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|base64offset|contains: '<?php'}
  condition: sel
---
title: keywords and not
id: r-keyword
logsource: {category: webserver}
detection:
  kw: ['env.php', 'downloader/index.php']
  filter: {sc-status: 404}
  condition: kw and not filter
---
title: decoded target
id: r-decoded
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains: '<script>'}
  condition: sel
---
title: null and exists
id: r-null
logsource: {category: webserver}
detection:
  sel: {cs-referer: null}
  ua: {cs-user-agent|exists: true}
  condition: sel and ua
---
title: numbers
id: r-numbers
logsource: {category: webserver}
detection:
  sel: {sc-bytes|gt: 1000000}
  condition: sel
---
title: not alone
id: r-not
logsource: {category: webserver}
detection:
  sel: {sc-status: 200}
  condition: not sel
)";

class WarehouseSql : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Server::Get().ok()) GTEST_SKIP() << "clickhouse-server not installed or did not start";
  }
};

TEST_F(WarehouseSql, EveryModifierSelectsWhatTheLocalMatcherMatches) {
  Client& cl = Server::Get().client();
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kRules}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  const auto& info = rules::Rules(**rs);
  ASSERT_EQ(info.size(), 15u);
  for (const auto& p : rules::Skipped(**rs)) ADD_FAILURE() << p.ToString();
  Result<std::unique_ptr<logs::LineParser>> parser = logs::NamedFormat("combined");
  ASSERT_TRUE(parser.ok());
  rules::Scanner scanner(**rs);

  std::string cols;
  for (size_t f = 0; f < logs::kFieldCount; ++f) cols += OurColumns()[f] + " String, ";
  ASSERT_TRUE(cl.Query("DROP TABLE IF EXISTS default.sqlt").ok());
  ASSERT_TRUE(cl.Query("CREATE TABLE default.sqlt (id UInt32, " + cols +
                       "line String, target_decoded String, target_normalized String, "
                       "present UInt32) ENGINE = Memory")
                  .ok());
  std::string rows;
  std::vector<std::set<uint32_t>> local(info.size());  // rule -> lines it matches
  for (uint32_t i = 0; i < kLines.size(); ++i) {
    logs::AccessLogRecord r;
    std::string_view why;
    ASSERT_TRUE((*parser)->Parse(kLines[i], r, &why)) << kLines[i] << ": " << why;
    std::string dec, norm;
    TargetVariants(r.get(logs::Field::kUri), &dec, &norm);
    rows += "{\"id\":" + std::to_string(i);
    for (size_t f = 0; f < logs::kFieldCount; ++f)
      rows += ",\"" + OurColumns()[f] + "\":" + Json(r.field[f]);
    rows += ",\"line\":" + Json(kLines[i]) + ",\"target_decoded\":" + Json(dec) +
            ",\"target_normalized\":" + Json(norm) + ",\"present\":" + std::to_string(r.present) +
            "}\n";
    for (uint32_t h : scanner.MatchLineDirect(kLines[i], **parser)) local[h].insert(i);
  }
  ASSERT_TRUE(cl.Query("INSERT INTO default.sqlt FORMAT JSONEachRow", "sqlt", rows).ok());

  ColumnMap map;  // the export's own names
  ServerFeatures feat{cl.major()};
  for (uint32_t r = 0; r < info.size(); ++r) {
    std::string sql, why;
    ASSERT_TRUE(RuleSql(**rs, r, map, feat, &sql, &why)) << info[r].id << ": " << why;
    Result<std::string> body =
        cl.Query("SELECT id FROM default.sqlt WHERE " + sql + " ORDER BY id", "sqlt");
    ASSERT_TRUE(body.ok()) << info[r].id << ": " << body.status().ToString() << "\n" << sql;
    Result<std::vector<std::vector<std::string>>> ids = ParseTsv(*body, 1);
    ASSERT_TRUE(ids.ok());
    std::set<uint32_t> got;
    for (const auto& row : *ids) got.insert(static_cast<uint32_t>(std::stoul(row[0])));
    EXPECT_EQ(got, local[r]) << info[r].id << "\n" << sql;
  }
  // Each rule matches something and misses something: the comparison can fail.
  for (uint32_t r = 0; r < info.size(); ++r) {
    EXPECT_FALSE(local[r].empty()) << info[r].id;
    EXPECT_LT(local[r].size(), kLines.size()) << info[r].id;
  }

  // The prefilter keeps every matching row, and the rows it keeps are matched here exactly as
  // by the local matcher.
  Prefilter pf = BuildPrefilter(**rs, map, feat, [&](const std::string& re) {
    return cl.Query("SELECT match('', " + SqlString(re) + ")").ok();
  });
  EXPECT_TRUE(pf.not_run.empty());
  Result<std::string> kept =
      cl.Query("SELECT id FROM default.sqlt WHERE " + pf.where + " ORDER BY id", "sqlt");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  std::set<uint32_t> through;
  Result<std::vector<std::vector<std::string>>> kept_rows = ParseTsv(*kept, 1);
  ASSERT_TRUE(kept_rows.ok());
  for (const auto& row : *kept_rows) through.insert(static_cast<uint32_t>(std::stoul(row[0])));
  RecordMatcher m(**rs, pf);
  for (uint32_t i = 0; i < kLines.size(); ++i) {
    std::vector<uint32_t> want = scanner.MatchLineDirect(kLines[i], **parser);
    if (!want.empty()) {
      EXPECT_TRUE(through.count(i)) << "line " << i << " not kept";
    }
    logs::AccessLogRecord r;
    std::string_view why;
    ASSERT_TRUE((*parser)->Parse(kLines[i], r, &why));
    std::vector<uint32_t> got;
    m.Match(r, &got);
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "line " << i;
  }
}

TEST_F(WarehouseSql, APatternTheServerCannotCompileIsReportedNotSent) {
  // `\Z` is Vectorscan's, not RE2's: the rule loads here and cannot run there.
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", R"(
title: only a regex
id: r-z
logsource: {category: webserver}
detection:
  sel: {cs-uri-stem|re: 'php\Z'}
  condition: sel
---
title: literal and regex
id: r-lit
logsource: {category: webserver}
detection:
  a: {cs-uri-stem|contains: 'shell'}
  b: {cs-uri-stem|re: 'php\Z'}
  condition: a and b
)"}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(rules::Rules(**rs).size(), 2u);
  Client& cl = Server::Get().client();
  Prefilter pf =
      BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{cl.major()}, [&](const std::string& re) {
        return cl.Query("SELECT match('', " + SqlString(re) + ")").ok();
      });
  ASSERT_EQ(pf.not_run.size(), 1u);
  EXPECT_EQ(pf.not_run[0], "r-z: a regular expression ClickHouse (RE2) cannot compile");
  // The other is selected by its literal and confirmed here by Vectorscan.
  ASSERT_EQ(pf.rules.size(), 1u);
  EXPECT_NE(pf.where.find("shell"), std::string::npos);
  EXPECT_EQ(pf.where.find("\\Z"), std::string::npos);
  std::string cols;
  for (size_t f = 0; f < logs::kFieldCount; ++f) cols += OurColumns()[f] + " String, ";
  ASSERT_TRUE(cl.Query("CREATE TABLE IF NOT EXISTS default.sqlz (" + cols +
                       "line String, target_decoded String, target_normalized String, "
                       "present UInt32) ENGINE = Memory")
                  .ok());
  Result<std::string> r = cl.Query("SELECT count() FROM default.sqlz WHERE " + pf.where);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST(WarehousePrefilter, NewerServersSearchLiteralsWithMultiSearch) {
  Result<rules::RuleSetPtr> rs = rules::LoadRulesFromText({{"t.yml", kRules}});
  ASSERT_TRUE(rs.ok());
  auto ok = [](const std::string&) { return true; };
  Prefilter old = BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{18}, ok);
  Prefilter now = BuildPrefilter(**rs, ColumnMap{}, ServerFeatures{23}, ok);
  EXPECT_EQ(old.where.find("multiSearch"), std::string::npos);  // not in 18.16
  EXPECT_NE(now.where.find("multiSearchAnyCaseInsensitive(`target`, ["), std::string::npos);
  EXPECT_NE(now.where.find("'/admin/'"), std::string::npos);
  EXPECT_EQ(now.rules, old.rules);
}

TEST(WarehouseTsv, ParsesEscapesAndRefusesBrokenRows) {
  Result<std::vector<std::vector<std::string>>> r = ParseTsv("a\\tb\tc\\nd\\\\\n\\x41\\0z\t\n", 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0][0], "a\tb");
  EXPECT_EQ((*r)[0][1], "c\nd\\");
  EXPECT_EQ((*r)[1][0], std::string("A\0z", 3));
  EXPECT_EQ((*r)[1][1], "");
  EXPECT_EQ(ParseTsv("a\tb\tc\n", 2).status().message(), "row 1 has more than 2 columns");
  EXPECT_EQ(ParseTsv("a\n", 2).status().message(), "row 1 has 1 columns, not 2");
  EXPECT_EQ(ParseTsv("a\tb", 2).status().message(), "row 1 unfinished");
  EXPECT_EQ(ParseTsv("a\\", 1).status().message(), "row 1: escape at the end");
  EXPECT_EQ(ParseTsv("\\xZZ\n", 1).status().message(), "row 1: bad \\x escape");
}

TEST(WarehouseServerError, ReadsCodeAndText) {
  int code = 0;
  std::string text;
  ASSERT_TRUE(ParseServerError(
      "Code: 47, e.displayText() = DB::Exception: Unknown identifier: x, e.what() = "
      "DB::Exception\n",
      &code, &text));
  EXPECT_EQ(code, 47);
  EXPECT_EQ(text, "Unknown identifier: x");
  EXPECT_FALSE(ParseServerError("Ok.\n", &code, &text));
  EXPECT_FALSE(ParseServerError("Code: x", &code, &text));
}

TEST(WarehouseColumnMap, ReadsTheSubsetAndNamesBadLines) {
  Result<ColumnMap> m = ParseColumnMap(
      "# ours = theirs\n[columns]\nclient = \"ClientIP\"\ntarget = 'RequestURI' # raw\n"
      "time_us = \"toInt64(toUnixTimestamp(EdgeStartTimestamp)) * 1000000\"\nline = none\n",
      "map.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Sql("client"), "`ClientIP`");
  EXPECT_EQ(m->Sql("target"), "`RequestURI`");
  EXPECT_EQ(m->Sql("time_us"), "(toInt64(toUnixTimestamp(EdgeStartTimestamp)) * 1000000)");
  EXPECT_EQ(m->Sql("line"), "");
  EXPECT_EQ(m->Sql("method"), "`method`");
  auto err = [](std::string_view text) {
    return ParseColumnMap(text, "m.toml").status().message();
  };
  EXPECT_EQ(err("clent = \"x\"\n").substr(0, 35), "m.toml:1: 'clent' is not one of our");
  EXPECT_EQ(err("[columns]\nclient = \"x\"\nclient = \"y\"\n"), "m.toml:3: 'client' mapped twice");
  EXPECT_EQ(err("client = \"x\n"), "m.toml:1: unterminated string");
  EXPECT_EQ(err("client = \"x; DROP TABLE t\"\n"),
            "m.toml:1: ';' in the column expression for 'client'");
  EXPECT_EQ(err("[other]\n"), "m.toml:1: unknown table [other] (only [columns])");
  EXPECT_EQ(err("client = x\n"),
            "m.toml:1: value for 'client' is neither a \"quoted column\" nor none");
  EXPECT_EQ(err("client = \"a\x01\"\n"), "m.toml:1: control character in the line");
}

}  // namespace
}  // namespace tq::warehouse
