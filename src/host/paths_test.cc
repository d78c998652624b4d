#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

TEST(Paths, HostTreeFilesByKind) {
  struct {
    const char* path;
    FileKind kind;
  } cases[] = {
      {"etc/crontab", FileKind::kSystemCrontab},
      {"./etc/cron.d/magento", FileKind::kSystemCrontab},
      {"etc/cron.d/.placeholder", FileKind::kOther},
      {"var/spool/cron/crontabs/www-data", FileKind::kUserCrontab},
      {"var/spool/cron/deploy", FileKind::kUserCrontab},
      {"etc/php/8.2/fpm/php.ini", FileKind::kPhpIni},
      {"etc/php/8.2/fpm/conf.d/99-x.ini", FileKind::kPhpIni},
      {"etc/php/8.2/fpm/pool.d/www.conf", FileKind::kFpmPool},
      {"etc/php-fpm.d/shop.conf", FileKind::kFpmPool},
      {"pub/media/.user.ini", FileKind::kPhpIni},
      {"wp-content/uploads/.htaccess", FileKind::kHtaccess},
      {"etc/nginx/sites-enabled/shop", FileKind::kNginxConf},
      {"etc/nginx/nginx.conf", FileKind::kNginxConf},
      {"etc/apache2/sites-enabled/000-default.conf", FileKind::kApacheConf},
      {"etc/httpd/conf.d/php.conf", FileKind::kApacheConf},
      {"root/.ssh/authorized_keys", FileKind::kAuthorizedKeys},
      {"home/deploy/.ssh/authorized_keys2", FileKind::kAuthorizedKeys},
      {"home/deploy/.bash_history", FileKind::kShellHistory},
      {"root/.zsh_history", FileKind::kShellHistory},
      {"root/.mysql_history", FileKind::kMysqlHistory},
      {"ps-aux.txt", FileKind::kPsOutput},
      {"etc/passwd", FileKind::kOther},
      {"etc/nginx/mime.types", FileKind::kOther},
      {"", FileKind::kOther},
      {"\xff/\x01", FileKind::kOther},
  };
  for (const auto& c : cases) EXPECT_EQ(ClassifyPath(c.path), c.kind) << c.path;
}

}  // namespace
}  // namespace tq::host
