// The store's web root: a Magento 2 or WordPress + WooCommerce tree of a few thousand files
// with the exact version in the places version detectors read (composer.lock,
// wp-includes/version.php, plugin headers), secrets in the config files, benign look-alikes
// (minified JS with eval, base64 images, base64 in legitimate PHP) and the scenario's
// attacker files. Modification times are plausible and fixed, directories included.
#include <algorithm>
#include <cstdio>
#include <map>

#include "core/sha256.h"
#include "drill/schedule.h"

namespace tq::drill {

namespace {

struct FileOut {
  std::string path, content;
  UnixMicros mtime;
};

const char* kMagentoModules[] = {
    "AdminNotification", "AdvancedSearch", "Backend", "Braintree", "Bundle", "Captcha",
    "Catalog", "CatalogInventory", "CatalogRule", "CatalogSearch", "CatalogUrlRewrite",
    "CatalogWidget", "Checkout", "CheckoutAgreements", "Cms", "CmsUrlRewrite", "Config",
    "ConfigurableProduct", "Contact", "Cookie", "Cron", "Customer", "Deploy", "Directory",
    "Eav", "Email", "GiftMessage", "GoogleAnalytics", "ImportExport", "Indexer", "Integration",
    "Msrp", "Multishipping", "Newsletter", "OfflinePayments", "OfflineShipping", "PageCache",
    "Payment", "Paypal", "Persistent", "ProductAlert", "Quote", "Reports", "Review", "Robots",
    "Rss", "Rule", "Sales", "SalesRule", "SalesSequence", "Search", "Security", "SendFriend",
    "Shipping", "Sitemap", "Store", "Swatches", "Tax", "Theme", "Translation", "Ui",
    "UrlRewrite", "User", "Variable", "Vault", "Webapi", "Weee", "Widget", "Wishlist"};

std::string Kebab(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    char c = camel[i];
    if (c >= 'A' && c <= 'Z') {
      if (i) out += '-';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string PhpClass(const std::string& ns, const std::string& cls, Rng& r) {
  std::string s = "<?php\n/**\n * Copyright © Magento, Inc. All rights reserved.\n * See COPYING.txt "
                  "for license details.\n */\ndeclare(strict_types=1);\n\nnamespace " + ns +
                  ";\n\n/**\n * " + cls + "\n */\nclass " + cls + "\n{\n";
  int methods = static_cast<int>(r.Range(2, 6));
  for (int i = 0; i < methods; ++i) {
    s += "    /**\n     * @param array $data\n     * @return array\n     */\n    public function "
         "process" + std::to_string(i) + "(array $data): array\n    {\n        $result = [];\n"
         "        foreach ($data as $key => $value) {\n            $result[$key] = is_string($value) "
         "? trim($value) : $value;\n        }\n        return $result;\n    }\n\n";
  }
  return s + "}\n";
}

std::string JsModule(const std::string& name, Rng& r) {
  std::string s = "/**\n * Copyright © Magento, Inc. All rights reserved.\n */\ndefine([\n    'jquery',\n"
                  "    'uiComponent',\n    'ko'\n], function ($, Component, ko) {\n    'use strict';\n\n"
                  "    return Component.extend({\n        defaults: {\n            template: '" + name +
                  "'\n        },\n";
  int n = static_cast<int>(r.Range(2, 5));
  for (int i = 0; i < n; ++i) {
    s += "        step" + std::to_string(i) + ": function (data) {\n            return $.extend({}, "
         "data, {index: " + std::to_string(i) + "});\n        },\n";
  }
  return s + "        isVisible: ko.observable(true)\n    });\n});\n";
}

std::string FakeJpeg(Rng& r, size_t n) {
  std::string s = "\xFF\xD8\xFF\xE0";
  s.push_back(0);
  s.push_back(16);
  s += "JFIF";
  s.push_back(0);
  while (s.size() < n) s.push_back(static_cast<char>(r.Below(256)));
  s += "\xFF\xD9";
  return s;
}

const char kMinifiedEval[] =
    "/*! analytics-bundle v3.2.1 | (c) Example Analytics | MIT */\n"
    "!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};"
    "return e[r].call(o.exports,o,o.exports,n),o.l=!0,o.exports}n.m=e,n.c=t,n(n.s=0)}([function(e,t,n)"
    "{eval(\"var r=n(1);window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
    "arguments)}gtag('js',new Date());\\n//# sourceURL=webpack:///./src/index.js?\")},function(e,t)"
    "{eval(\"e.exports={version:'3.2.1'};\\n//# sourceURL=webpack:///./src/version.js?\")}]);\n";

const char kBase64Css[] =
    ".loading-mask .loader>img{background:url(data:image/gif;base64,R0lGODlhEAAQAPIAAP///"
    "wAAAMLCwkJCQgAAAGJiYoKCgpKSkiH/C05FVFNDQVBFMi4wAwEAAAAh/hpDcmVhdGVkIHdpdGggYWpheGxvYWQuaW5m"
    "bwAh+QQJCgAAACwAAAAAEAAQAAADMwi63P4wyklrE2MIOggZnAdOmGYJRbExwroUmcG2LmDEwnHQLVsYOd2mBzkYDAdKa"
    "+dIAAAh+QQJCgAAACwAAAAAEAAQAAADNAi63P5OjCEgG4QMu7DmikRxQlFUYDEZIGBMRVsaqHwctXXf7WEYB4Ag1xjihkM"
    "ZsiUkKhIAIfkECQoAAAAsAAAAABAAEAAAAzYIujIjK8pByJDMlFYvBoVjHA70GU7xSUJhmKtwHPAKzLO9HMaoKwJZ7Rf8"
    "AYPDDzKpZBqfvwQAIfkECQoAAAAsAAAAABAAEAAAAzMIumIlK8oyhpHsnFZfhYumCYUhDAQxRIdhHBGqRoKw0R8DYlJd8z"
    "0fMDgsGo/IpHI5TAAAIfkECQoAAAAsAAAAABAAEAAAAzIIunInK0rnZBTwGPNMgQwmdsNgXGJUlIWEuR5oWUIpz8pAEAM"
    "e6TwfwCYwGo/IpHI5TAAAOw==) no-repeat}\n";

void MagentoTree(const Store& s, Rng& r, std::vector<FileOut>* out, Truth* tr) {
  const UnixMicros inst = s.spec.installed;
  const UnixMicros deploy = inst + 30 * kDay;
  const std::string v = s.spec.version;
  auto add = [&](std::string p, std::string c, UnixMicros t) {
    out->push_back({std::move(p), std::move(c), t});
  };
  add("app/etc/env.php",
      "<?php\nreturn [\n    'backend' => [\n        'frontName' => 'admin_q7x2'\n    ],\n"
      "    'crypt' => [\n        'key' => 'base64" + s.crypt_key + "'\n    ],\n"
      "    'db' => [\n        'table_prefix' => '',\n        'connection' => [\n"
      "            'default' => [\n                'host' => 'localhost',\n"
      "                'dbname' => '" + s.spec.db_name + "',\n                'username' => '" +
          s.spec.db_user + "',\n                'password' => '" + s.spec.db_password +
          "',\n                'model' => 'mysql4',\n                'engine' => 'innodb',\n"
          "                'initStatements' => 'SET NAMES utf8;',\n                'active' => '1'\n"
          "            ]\n        ]\n    ],\n    'resource' => [\n        'default_setup' => [\n"
          "            'connection' => 'default'\n        ]\n    ],\n    'x-frame-options' => "
          "'SAMEORIGIN',\n    'MAGE_MODE' => 'production',\n    'session' => [\n        'save' => "
          "'files'\n    ],\n    'cache_types' => [\n        'config' => 1,\n        'layout' => 1,\n"
          "        'block_html' => 1,\n        'full_page' => 1\n    ],\n    'install' => [\n"
          "        'date' => '" + SqlDateTime(inst) + "'\n    ]\n];\n",
      inst + 2 * kHour);
  std::string modules = "<?php\nreturn [\n    'modules' => [\n";
  for (const char* m : kMagentoModules) modules += "        'Magento_" + std::string(m) + "' => 1,\n";
  add("app/etc/config.php", modules + "    ]\n];\n", inst + 2 * kHour);
  add("composer.json",
      "{\n    \"name\": \"magento/project-community-edition\",\n    \"type\": \"project\",\n"
      "    \"version\": \"" + v + "\",\n    \"require\": {\n        \"magento/product-community-edition\": \"" +
          v + "\"\n    },\n    \"repositories\": [\n        {\n            \"type\": \"composer\",\n"
          "            \"url\": \"https://repo.magento.com/\"\n        }\n    ],\n"
          "    \"minimum-stability\": \"stable\"\n}\n",
      inst);
  std::string lock = "{\n    \"_readme\": [\n        \"This file locks the dependencies of your project to a known state\"\n    ],\n"
                     "    \"content-hash\": \"" + r.Hex(32) + "\",\n    \"packages\": [\n";
  std::string mv = v.rfind("2.4.6", 0) == 0 ? "100.4.6" : "100.4.3";
  std::vector<std::pair<std::string, std::string>> pkgs = {
      {"magento/product-community-edition", v}, {"magento/magento2-base", v},
      {"magento/framework", v.rfind("2.4.6", 0) == 0 ? "103.0.6" : "103.0.3"}};
  for (const char* m : kMagentoModules) pkgs.push_back({"magento/module-" + Kebab(m), mv});
  pkgs.push_back({"braintree/braintree_php", "6.13.0"});
  pkgs.push_back({"monolog/monolog", "2.9.1"});
  pkgs.push_back({"laminas/laminas-http", "2.18.0"});
  std::sort(pkgs.begin(), pkgs.end());
  for (size_t i = 0; i < pkgs.size(); ++i) {
    lock += "        {\n            \"name\": \"" + pkgs[i].first + "\",\n            \"version\": \"" +
            pkgs[i].second + "\",\n            \"dist\": {\n                \"type\": \"zip\",\n"
            "                \"shasum\": \"" + r.Hex(40) + "\"\n            },\n"
            "            \"type\": \"" + (pkgs[i].first.find("module-") != std::string::npos ? "magento2-module" : "library") +
            "\"\n        }" + (i + 1 < pkgs.size() ? "," : "") + "\n";
  }
  add("composer.lock", lock + "    ]\n}\n", inst);
  add("index.php", "<?php\n/**\n * Application entry point\n */\ntry {\n    require __DIR__ . '/app/bootstrap.php';\n} catch (\\Exception $e) {\n    echo 'Autoload error';\n    exit(1);\n}\n$bootstrap = \\Magento\\Framework\\App\\Bootstrap::create(BP, $_SERVER);\n$app = $bootstrap->createApplication(\\Magento\\Framework\\App\\Http::class);\n$bootstrap->run($app);\n", inst);
  add("pub/index.php", "<?php\n/**\n * Public alias for the application entry point\n */\nuse Magento\\Framework\\App\\Bootstrap;\nuse Magento\\Framework\\App\\Filesystem\\DirectoryList;\n\ntry {\n    require __DIR__ . '/../app/bootstrap.php';\n} catch (\\Exception $e) {\n    exit(1);\n}\n$bootstrap = Bootstrap::create(BP, $_SERVER);\n$app = $bootstrap->createApplication(\\Magento\\Framework\\App\\Http::class);\n$bootstrap->run($app);\n", inst);
  add("pub/media/.htaccess", "Options -Indexes\n<IfModule mod_php7.c>\nphp_flag engine 0\n</IfModule>\n", inst);
  add("pub/static/deployed_version.txt", std::to_string(deploy / kSec), deploy);
  add("app/bootstrap.php", "<?php\nerror_reporting(E_ALL);\nrequire_once __DIR__ . '/autoload.php';\n", inst);
  add("vendor/autoload.php", "<?php\n// autoload.php @generated by Composer\nrequire_once __DIR__ . '/composer/autoload_real.php';\nreturn ComposerAutoloaderInit" + r.Hex(32) + "::getLoader();\n", inst);
  add("vendor/magento/magento2-base/composer.json",
      "{\n    \"name\": \"magento/magento2-base\",\n    \"version\": \"" + v + "\"\n}\n", inst);
  // Modules: code under vendor, their JS deployed under pub/static.
  const char* kParts[] = {"Model", "Controller/Index", "Block", "Observer", "Plugin", "Helper"};
  for (const char* m : kMagentoModules) {
    std::string dir = "vendor/magento/module-" + Kebab(m) + "/";
    std::string ns = "Magento\\" + std::string(m);
    add(dir + "registration.php", "<?php\nuse Magento\\Framework\\Component\\ComponentRegistrar;\n\nComponentRegistrar::register(ComponentRegistrar::MODULE, 'Magento_" + std::string(m) + "', __DIR__);\n", inst);
    add(dir + "composer.json", "{\n    \"name\": \"magento/module-" + Kebab(m) + "\",\n    \"version\": \"" + mv + "\",\n    \"type\": \"magento2-module\"\n}\n", inst);
    add(dir + "etc/module.xml", "<?xml version=\"1.0\"?>\n<config xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"urn:magento:framework:Module/etc/module.xsd\">\n    <module name=\"Magento_" + std::string(m) + "\"/>\n</config>\n", inst);
    add(dir + "etc/di.xml", "<?xml version=\"1.0\"?>\n<config xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"urn:magento:framework:ObjectManager/etc/config.xsd\">\n</config>\n", inst);
    int nphp = static_cast<int>(r.Range(6, 14));
    for (int i = 0; i < nphp; ++i) {
      std::string part = kParts[i % std::size(kParts)];
      std::string cls = std::string(m) + "Service" + std::to_string(i);
      std::string pns = ns + "\\" + part;
      std::replace(pns.begin(), pns.end(), '/', '\\');
      add(dir + part + "/" + cls + ".php", PhpClass(pns, cls, r), inst);
    }
    int njs = static_cast<int>(r.Range(3, 8));
    for (int i = 0; i < njs; ++i) {
      std::string js = "js/view/component-" + std::to_string(i) + ".js";
      std::string body = JsModule("Magento_" + std::string(m) + "/" + js, r);
      add(dir + "view/frontend/web/" + js, body, inst);
      add("pub/static/frontend/Magento/luma/en_US/Magento_" + std::string(m) + "/" + js, body, deploy);
    }
  }
  // Files the skimmer scenario touches, the loaders every page uses.
  std::string payment_default = JsModule("Magento_Checkout/payment/default", r);
  add("vendor/magento/module-checkout/view/frontend/web/js/view/payment/default.js", payment_default, inst);
  add("pub/static/frontend/Magento/luma/en_US/Magento_Checkout/js/view/payment/default.js", payment_default, deploy);
  add("pub/static/frontend/Magento/luma/en_US/requirejs/require.js", "/** vim: et:ts=4:sw=4:sts=4\n * @license RequireJS 2.3.6 */\nvar requirejs,require,define;(function(global){var req,s,head;})(this);\n", deploy);
  add("pub/static/frontend/Magento/luma/en_US/requirejs-config.js", "(function(require){\n    var config = {paths: {'jquery': 'jquery'}};\n    require.config(config);\n})(require);\n", deploy);
  add("pub/static/frontend/Magento/luma/en_US/jquery.js", "/*! jQuery v3.6.0 | (c) OpenJS Foundation and other contributors | jquery.org/license */\n!function(e,t){\"use strict\";\"object\"==typeof module?module.exports=t(e):t(e)}(this,function(e){return e});\n", deploy);
  add("pub/static/frontend/Magento/luma/en_US/css/styles-m.css", std::string(".page-wrapper{display:flex}\n") + kBase64Css, deploy);
  add("pub/static/frontend/Magento/luma/en_US/js/vendor/analytics-bundle.min.js", kMinifiedEval, deploy);
  add("vendor/magento/framework/Serialize/Serializer/Base64Json.php",
      "<?php\n/**\n * Copyright © Magento, Inc. All rights reserved.\n */\nnamespace Magento\\Framework\\Serialize\\Serializer;\n\n"
      "class Base64Json extends Json\n{\n    public function serialize($data)\n    {\n        return base64_encode(parent::serialize($data));\n    }\n\n"
      "    public function unserialize($string)\n    {\n        $result = json_decode($string, true);\n        if (json_last_error() !== JSON_ERROR_NONE) {\n"
      "            $string = base64_decode($string, true);\n        }\n        return parent::unserialize($string);\n    }\n}\n", inst);
  tr->lookalikes.push_back({"pub/static/frontend/Magento/luma/en_US/js/vendor/analytics-bundle.min.js", "minified JS with eval (webpack dev bundle)"});
  tr->lookalikes.push_back({"pub/static/frontend/Magento/luma/en_US/css/styles-m.css", "base64 image in CSS"});
  tr->lookalikes.push_back({"vendor/magento/framework/Serialize/Serializer/Base64Json.php", "base64_decode in legitimate framework code"});
  // Media: product images, CMS images with a .tmb thumbnail folder.
  for (const Product& p : s.products) {
    std::string d = "pub/media/catalog/product/" + p.url_key.substr(0, 1) + "/" + p.url_key.substr(1, 1) + "/";
    UnixMicros t = inst + static_cast<int64_t>(p.id) * kHour * 3;
    add(d + p.url_key + "-main.jpg", FakeJpeg(r, 600 + r.Below(1400)), t);
    add(d + p.url_key + "-1.jpg", FakeJpeg(r, 600 + r.Below(1400)), t);
  }
  for (int i = 0; i < 12; ++i) {
    UnixMicros t = inst + 5 * kDay + i * kHour;
    std::string n = "banner-" + std::to_string(i + 1) + ".jpg";
    add("pub/media/wysiwyg/" + n, FakeJpeg(r, 900), t);
    add("pub/media/wysiwyg/.tmb/" + n, FakeJpeg(r, 300), t + 3 * kSec);
  }
}

void WordPressTree(const Store& s, Rng& r, std::vector<FileOut>* out, Truth* tr) {
  const UnixMicros inst = s.spec.installed;
  auto add = [&](std::string p, std::string c, UnixMicros t) {
    out->push_back({std::move(p), std::move(c), t});
  };
  auto salt = [&]() { return r.Alnum(64); };
  add("wp-config.php",
      "<?php\ndefine( 'DB_NAME', '" + s.spec.db_name + "' );\ndefine( 'DB_USER', '" + s.spec.db_user +
          "' );\ndefine( 'DB_PASSWORD', '" + s.spec.db_password + "' );\ndefine( 'DB_HOST', 'localhost' );\n"
          "define( 'DB_CHARSET', 'utf8mb4' );\ndefine( 'DB_COLLATE', '' );\n\ndefine( 'AUTH_KEY',         '" + s.crypt_key + salt() +
          "' );\ndefine( 'SECURE_AUTH_KEY',  '" + salt() + "' );\ndefine( 'LOGGED_IN_KEY',    '" + salt() +
          "' );\ndefine( 'NONCE_KEY',        '" + salt() + "' );\ndefine( 'AUTH_SALT',        '" + salt() +
          "' );\n\n$table_prefix = 'wp_';\n\ndefine( 'WP_DEBUG', true );\ndefine( 'WP_DEBUG_LOG', true );\n"
          "define( 'WP_DEBUG_DISPLAY', false );\n\nif ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\n"
          "require_once ABSPATH . 'wp-settings.php';\n",
      inst + kHour);
  add("wp-includes/version.php",
      "<?php\n/**\n * WordPress Version\n */\n$wp_version = '" + s.spec.wp_version + "';\n$wp_db_version = 57155;\n"
      "$tinymce_version = '49110-20201110';\n$required_php_version = '7.0.0';\n$required_mysql_version = '5.5.5';\n",
      inst);
  add("index.php", "<?php\ndefine( 'WP_USE_THEMES', true );\nrequire __DIR__ . '/wp-blog-header.php';\n", inst);
  add("xmlrpc.php", "<?php\n/**\n * XML-RPC protocol support for WordPress\n */\ndefine( 'XMLRPC_REQUEST', true );\nrequire_once __DIR__ . '/wp-load.php';\n", inst);
  add("wp-login.php", "<?php\n/**\n * WordPress User Page\n */\nrequire __DIR__ . '/wp-load.php';\n", inst);
  add(".htaccess", "# BEGIN WordPress\n<IfModule mod_rewrite.c>\nRewriteEngine On\nRewriteRule ^index\\.php$ - [L]\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteCond %{REQUEST_FILENAME} !-d\nRewriteRule . /index.php [L]\n</IfModule>\n# END WordPress\n", inst);
  struct Plugin {
    const char* dir;
    const char* main;
    const char* name;
    std::string version;
    int files;
  };
  std::vector<Plugin> plugins = {
      {"woocommerce", "woocommerce.php", "WooCommerce", s.spec.version, 700},
      {"woocommerce-gateway-stripe", "woocommerce-gateway-stripe.php", "WooCommerce Stripe Gateway", "8.2.0", 160},
      {"woocommerce-paypal-payments", "woocommerce-paypal-payments.php", "WooCommerce PayPal Payments", "2.7.1", 220},
      {"wordpress-seo", "wp-seo.php", "Yoast SEO", "22.7", 300},
      {"akismet", "akismet.php", "Akismet Anti-spam: Spam Protection", "5.3.2", 20}};
  for (const Plugin& p : plugins) {
    std::string dir = "wp-content/plugins/" + std::string(p.dir) + "/";
    add(dir + p.main, "<?php\n/**\n * Plugin Name: " + std::string(p.name) + "\n * Version: " + p.version +
                          "\n * Requires at least: 6.4\n * Requires PHP: 7.4\n * License: GPL-3.0\n */\n\ndefined( 'ABSPATH' ) || exit;\n",
        inst + kDay);
    add(dir + "readme.txt", "=== " + std::string(p.name) + " ===\nStable tag: " + p.version + "\nTested up to: 6.5\n", inst + kDay);
    for (int i = 0; i < p.files; ++i) {
      std::string cls = std::string(p.name).substr(0, 3) + "_Component_" + std::to_string(i);
      std::replace(cls.begin(), cls.end(), ' ', '_');
      if (i % 4 == 3) {
        add(dir + "assets/js/component-" + std::to_string(i) + ".min.js",
            "!function(e){\"use strict\";e(function(){e(\".c" + std::to_string(i) + "\").on(\"click\",function(){return!1})})}(jQuery);\n",
            inst + kDay);
      } else {
        add(dir + "includes/class-" + Slug(cls) + ".php", PhpClass("Vendor\\Plugin", cls, r), inst + kDay);
      }
    }
  }
  add("wp-content/plugins/woocommerce/assets/js/frontend/analytics-bundle.min.js", kMinifiedEval, inst + kDay);
  add("wp-content/themes/storefront/style.css", "/*\nTheme Name: Storefront\nVersion: 4.5.5\n*/\n" + std::string(kBase64Css), inst + kDay);
  add("wp-content/themes/storefront/functions.php", "<?php\n$storefront_version = '4.5.5';\nrequire 'inc/class-storefront.php';\n", inst + kDay);
  for (int i = 0; i < 300; ++i) {
    add("wp-includes/class-wp-component-" + std::to_string(i) + ".php", PhpClass("WP", "WP_Component_" + std::to_string(i), r), inst);
  }
  for (int i = 0; i < 200; ++i) {
    add("wp-admin/includes/admin-part-" + std::to_string(i) + ".php", PhpClass("WP\\Admin", "Admin_Part_" + std::to_string(i), r), inst);
  }
  for (const Product& p : s.products) {
    std::string d = "wp-content/uploads/2024/0" + std::to_string(1 + p.id % 9) + "/";
    UnixMicros t = inst + static_cast<int64_t>(p.id) * kHour * 3;
    add(d + p.url_key + "-1.jpg", FakeJpeg(r, 700 + r.Below(1200)), t);
    add(d + p.url_key + "-1-324x324.jpg", FakeJpeg(r, 400), t + kSec);
  }
  tr->lookalikes.push_back({"wp-content/plugins/woocommerce/assets/js/frontend/analytics-bundle.min.js", "minified JS with eval (webpack dev bundle)"});
  tr->lookalikes.push_back({"wp-content/themes/storefront/style.css", "base64 image in CSS"});
}

}  // namespace

Status WriteWebroot(const std::string& out_dir, uint64_t seed, const Store& s, Breach* b,
                    uint64_t* files) {
  Rng r(seed, 5);
  std::vector<FileOut> out;
  if (s.spec.platform == Platform::kMagento) {
    MagentoTree(s, r, &out, &b->truth);
  } else {
    WordPressTree(s, r, &out, &b->truth);
  }
  // The attacker's files.
  for (TruthFile& f : b->truth.files) {
    if (f.kind == "dump") continue;
    if (f.change == "added") {
      out.push_back({f.path, f.content, f.mtime});
    } else {
      for (FileOut& o : out) {
        if (o.path == f.path) {
          o.content += f.content;
          o.mtime = f.mtime;
        }
      }
    }
  }
  if (!b->leak_path.empty()) {
    for (TruthFile& f : b->truth.files) {
      if (f.kind == "dump") f.content.clear();
    }
    bool listed = false;
    for (TruthFile& f : b->truth.files) listed |= f.kind == "dump";
    UnixMicros t = b->leak_time + 40 * kSec;
    if (!listed) {
      TruthFile f;
      f.path = b->leak_path;
      f.change = "added";
      f.kind = "dump";
      f.real_time = f.mtime = t;
      b->truth.files.push_back(f);
    }
    out.push_back({b->leak_path, b->leak_gz, t});
  }
  const std::string root = out_dir + "/webroot/";
  std::map<std::string, UnixMicros> dirs;
  for (const FileOut& f : out) {
    TQ_RETURN_IF_ERROR(WriteFileAt(root + f.path, f.content, f.mtime));
    for (size_t p = f.path.find('/'); p != std::string::npos; p = f.path.find('/', p + 1)) {
      UnixMicros& d = dirs[f.path.substr(0, p)];
      d = std::max(d, f.mtime);
    }
    for (TruthFile& tf : b->truth.files) {
      if (tf.path == f.path) tf.sha256 = Sha256Hex(f.content);
    }
  }
  // Directories: deepest first, each at its newest entry.
  std::vector<std::pair<std::string, UnixMicros>> ds(dirs.begin(), dirs.end());
  std::sort(ds.begin(), ds.end(), [](const auto& x, const auto& y) {
    return std::count(x.first.begin(), x.first.end(), '/') > std::count(y.first.begin(), y.first.end(), '/');
  });
  for (const auto& [d, t] : ds) TQ_RETURN_IF_ERROR(SetMtime(root + d, t));
  *files = out.size();
  return Status::Ok();
}

}  // namespace tq::drill
