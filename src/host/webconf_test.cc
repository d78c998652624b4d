#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

// The stock configurations shops use are quiet; the mappings that run uploads are not.
TEST(WebConf, NginxStockShopConfigsAreQuiet) {
  const char* conf = R"(
server {
  listen 80;
  root /var/www/shop/pub;
  location /media/ {
    try_files $uri $uri/ /get.php$is_args$args;
    location ~ ^/media/theme_customization/.*\.xml { deny all; }
  }
  location ~* /(?:uploads|files)/.*\.php$ { deny all; }
  location ~ (index|get|static|report|404|503|health_check)\.php$ {
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
    include fastcgi_params;
  }
  location ~ \.php$ {
    include snippets/fastcgi-php.conf;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
  }
}
)";
  EXPECT_TRUE(AnalyzeNginxConf(conf).empty());
}

TEST(WebConf, NginxUploadsRunningPhp) {
  auto a = AnalyzeNginxConf(
      "server {\n location ^~ /wp-content/uploads/ {\n  location ~ \\.php$ {\n"
      "   fastcgi_pass 127.0.0.1:9000;\n  }\n }\n}\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].line, 4u);  // the directive that hands the upload to PHP
  auto b = AnalyzeNginxConf("location ~ \\.(php|jpg)$\n{\n fastcgi_pass php;\n}\n");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(b[0].what.find("images"), std::string::npos);
}

TEST(WebConf, ApacheMappingsAndStockConfig) {
  const char* stock = R"(<FilesMatch ".+\.ph(?:ar|p|tml)$">
    SetHandler "proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost"
</FilesMatch>
<FilesMatch ".+\.phps$">
    SetHandler application/x-httpd-php-source
    Require all denied
</FilesMatch>
<Directory /var/www/shop>
    AllowOverride All
    php_admin_flag engine on
</Directory>
)";
  EXPECT_TRUE(AnalyzeApacheConf(stock).empty());
  auto a = AnalyzeApacheConf("AddHandler application/x-httpd-php .php .jpg\n");
  ASSERT_EQ(a.size(), 1u);
  auto b = AnalyzeApacheConf(
      "<FilesMatch \"\\.(png|gif)$\">\nSetHandler application/x-httpd-php\n"
      "</FilesMatch>\n");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].line, 2u);
  auto c = AnalyzeApacheConf("SetHandler application/x-httpd-php\n");  // a .htaccess
  ASSERT_EQ(c.size(), 1u);
  auto d = AnalyzeApacheConf(
      "<Directory /var/www/shop/pub/media>\nphp_admin_flag engine on\n"
      "</Directory>\n");
  ASSERT_EQ(d.size(), 1u);
}

TEST(WebConf, BrokenAndDeepInputIsBounded) {
  std::string deep(100000, '{');
  EXPECT_TRUE(AnalyzeNginxConf(deep + "\nfastcgi_pass x;\n").empty());
  std::string sections;
  for (int i = 0; i < 1000; ++i) sections += "<Directory /uploads>\n";
  sections += "php_flag engine on\n";
  EXPECT_EQ(AnalyzeApacheConf(sections).size(), 1u);
  EXPECT_TRUE(AnalyzeApacheConf("</>\n<\n>\n\xff\n").empty());
}

}  // namespace
}  // namespace tq::host
