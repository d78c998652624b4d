// Shared by the warehouse tests: one ClickHouse server (Debian's 18.16) started on loopback for
// the whole test binary (Server::Get(); installed() is false without clickhouse-server, ok() is
// false when it did not answer: TQ_REQUIRE_CLICKHOUSE skips on the first and fails on the
// second), a JSONEachRow string quoter, and a corpus of access-log lines and Sigma rules,
// one or two per modifier.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "casefile/casefile.h"
#include "evidence/evidence.h"
#include "support/testing.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse::test_server {

inline int FreePort() {
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

inline std::string ServerBinary() {
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
  bool installed() const { return installed_; }
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
    installed_ = true;
    char tmpl[] = "/tmp/tq-ch-test.XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    // A port can be taken between FreePort and the server's bind: a server that exits before
    // answering is started again on fresh ports.
    for (int attempt = 0; attempt < 3 && !client_; ++attempt) Start(bin);
  }

  // Starts the server and waits up to 90 s for it to answer (a loaded two-core machine starts
  // several at once); returns early when it exits.
  void Start(const std::string& bin) {
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
    for (int i = 0; i < 1800; ++i) {
      Result<std::unique_ptr<Client>> c = Client::Connect(e);
      if (c.ok()) {
        client_ = std::move(*c);
        return;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::unique_ptr<Client> client_;
  pid_t pid_ = -1;
  bool installed_ = false;
  std::string dir_;
};

// The first line of every warehouse test that needs the server.
#define TQ_REQUIRE_CLICKHOUSE()                                                        \
  do {                                                                                 \
    if (!::tq::warehouse::test_server::Server::Get().installed())                      \
      GTEST_SKIP() << "clickhouse-server not installed (scripts/setup installs it)";   \
    if (!::tq::warehouse::test_server::Server::Get().ok())                             \
      GTEST_FAIL() << "clickhouse-server is installed but did not answer within 90 s"; \
  } while (0)

inline std::string Json(std::string_view s) {
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
inline const std::vector<std::string> kLines = {
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

inline const char* kRules = R"(
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

// A client of the shared server whose statements go to `database` (its own per test).
inline Result<std::unique_ptr<Client>> ClientFor(const std::string& database) {
  Endpoint e;
  e.url = Server::Get().url;
  e.database = database;
  e.retries = 0;
  e.timeout_s = 30;
  return Client::Connect(e);
}

// A case in `tmp` holding `lines` as one collected access log; its logs as export reads them.
inline Result<std::unique_ptr<Case>> LogCase(const tq::testing::TempDir& tmp,
                                             const std::vector<std::string>& lines,
                                             std::vector<rules::LogInput>* inputs) {
  CaseInfo info;
  info.name = "warehouse";
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Case> c, Case::Create(tmp / "case", info));
  std::string log = tmp / "access.log";
  {
    std::ofstream out(log, std::ios::binary);
    for (const std::string& l : lines) out << l << "\n";
  }
  TQ_ASSIGN_OR_RETURN(EvidenceItem it, evidence::AddFileEvidence(*c, log, "/var/log/access.log",
                                                                 "test", "logs", "tester"));
  inputs->clear();
  inputs->push_back({c->ObjectPath(it.sha256), it.original_path, it.id, it.sha256});
  return c;
}
}  // namespace tq::warehouse::test_server
