// Background traffic for one logged day: shoppers browsing the platform's real URL structure
// with a daily rhythm (pages plus their static assets), search-engine crawlers, uptime
// monitors, SEO bots and failed vulnerability scanners. Generated in time order straight into
// LineParts whose strings live in this object, so nothing is allocated per line.
#include "drill/traffic.h"

#include <algorithm>
#include <cstdio>

namespace tq::drill {

namespace {

const double kHourWeight[24] = {0.9, 0.6, 0.4, 0.3, 0.3, 0.4, 0.7, 1.1, 1.5, 1.8, 2.0, 2.2,
                                2.4, 2.3, 2.1, 2.0, 2.0, 2.1, 2.3, 2.6, 2.8, 2.6, 2.0, 1.4};

const char* kShopperUas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.71 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.6422.165 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
};

struct Bot {
  uint32_t net;  // /24
  const char* ua;
};
const Bot kBots[] = {
    {(66u << 24) | (249u << 16) | (66u << 8),
     "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
    {(66u << 24) | (249u << 16) | (68u << 8),
     "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html)"},
    {(40u << 24) | (77u << 16) | (167u << 8),
     "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"},
    {(207u << 24) | (46u << 16) | (13u << 8),
     "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"},
    {(54u << 24) | (36u << 16) | (148u << 8),
     "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"},
    {(85u << 24) | (208u << 16) | (98u << 8),
     "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)"},
};

// Probes of mass scanners: paths that do not exist on this store (404) or are denied (403).
const char* kScanPaths[] = {
    "/.env", "/.git/config", "/wp-config.php.bak", "/phpmyadmin/index.php", "/pma/",
    "/admin.php", "/config.json", "/.aws/credentials", "/server-status", "/backup.zip",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/cgi-bin/luci/;stok=/locale",
    "/.DS_Store", "/actuator/env", "/api/v1/pods", "/solr/admin/info/system", "/owa/",
    "/boaform/admin/formLogin", "/HNAP1/", "/?XDEBUG_SESSION_START=phpstorm", "/.svn/entries",
    "/admin/.env", "/laravel/.env", "/debug/default/view?panel=config", "/telescope/requests",
    "/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php", "/shell.php",
    "/index.php?s=/Index/\\think\\app/invokefunction", "/_ignition/execute-solution",
    "/downloader/", "/app/etc/local.xml", "/magmi/web/magmi.php", "/info.php", "/test.php",
};
const char* kScanUas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/81.0.4044.129 Safari/537.36",
    "python-requests/2.31.0", "Go-http-client/1.1", "curl/7.88.1",
    "Mozilla/5.0 zgrab/0.x", "Mozilla/5.0 (compatible; Nuclei - Open-source project "
    "(github.com/projectdiscovery/nuclei))",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
};
const uint8_t kScanOctets[] = {20, 34, 35, 104, 139, 159, 161, 162, 164, 165, 170};

const char* kSearchTerms[] = {"hoodie", "linen+dress", "sneakers", "wool+scarf", "backpack",
                              "gift+card", "sale", "black+jacket", "tee", "boots+women",
                              "m%C3%BCtze", "chaussures", "regenjacke", "cashmere"};
const char* kExternalReferers[] = {
    "https://www.google.com/", "https://www.google.de/", "https://www.bing.com/",
    "https://duckduckgo.com/", "https://www.instagram.com/", "https://l.facebook.com/",
    "https://www.pinterest.com/", "android-app://com.google.android.gm/"};

}  // namespace

DayTraffic::DayTraffic(const Store& store, uint64_t seed, int day, UnixMicros start,
                       UnixMicros end, uint64_t target_lines)
    : s_(store), rng_(seed, 1000 + static_cast<uint64_t>(day)), start_(start), end_(end),
      magento_(store.spec.platform == Platform::kMagento) {
  double total = 0;
  for (double w : kHourWeight) total += w;
  // Lines per minute at weight 1, given the share of this day that is logged.
  double minutes = static_cast<double>(end - start) / 60e6;
  per_minute_ = static_cast<double>(target_lines) / (total / 24.0 * minutes);
  if (per_minute_ < 0.05) per_minute_ = 0.05;
  minute_ = start_ - start_ % 60000000;
  if (minute_ < start_) minute_ += 60000000;
  char v[32];
  std::snprintf(v, sizeof v, "%lld", static_cast<long long>(store.spec.installed / 1000000 +
                                                            86400 * 30));
  static_version_ = v;
  sessions_.resize(48);
}

int DayTraffic::LocalHour(UnixMicros t) const {
  int64_t sec = t / 1000000 + s_.tz->OffsetAt(t);
  return static_cast<int>((sec % 86400 + 86400) % 86400 / 3600);
}

void DayTraffic::FillMinute() {
  queue_.clear();
  qpos_ = 0;
  while (queue_.empty() && minute_ < end_) {
    UnixMicros m = minute_;
    minute_ += 60000000;
    double rate = per_minute_ * kHourWeight[LocalHour(m)];
    // Requests this minute: rate scaled by a jitter in [0.5, 1.5].
    double x = rate * (0.5 + rng_.Unit());
    int k = static_cast<int>(x);
    if (rng_.Unit() < x - k) ++k;
    for (int i = 0; i < k; ++i) {
      UnixMicros t = m + static_cast<int64_t>(rng_.Below(60000000));
      if (t >= start_ && t < end_) queue_.push_back(t);
    }
    // Uptime monitor: once a minute, HEAD / from two monitors, alternating.
    if (m >= start_) queue_.push_back(m + 17000000 + (m / 60000000 % 2));
    std::sort(queue_.begin(), queue_.end());
  }
}

void DayTraffic::StartSession(Session* s) {
  double p = rng_.Unit();
  s->pages = static_cast<int>(rng_.Range(1, 9));
  s->referer.assign(rng_.Pick(kExternalReferers));
  s->last_page.clear();
  s->pending_assets = 0;
  if (p < 0.72) {
    s->kind = Session::kShopper;
    if (!s_.customers.empty() && rng_.Chance(0.35)) {
      const Customer& c = s_.customers[rng_.Below(s_.customers.size())];
      s->ip = c.ip;
      s->ua = c.ua;
    } else {
      s->ip = (static_cast<uint32_t>(rng_.Pick(kConsumerOctetsForTraffic())) << 24) |
              static_cast<uint32_t>(rng_.Below(1u << 24));
      if ((s->ip & 255) == 0) s->ip |= 7;
      s->ua = rng_.Pick(kShopperUas);
    }
  } else if (p < 0.93) {
    s->kind = Session::kBot;
    const Bot& b = rng_.Pick(kBots);
    s->ip = b.net | static_cast<uint32_t>(1 + rng_.Below(250));
    s->ua = b.ua;
    s->pages = static_cast<int>(rng_.Range(3, 30));
    s->referer.clear();
  } else {
    s->kind = Session::kScanner;
    s->ip = (static_cast<uint32_t>(rng_.Pick(kScanOctets)) << 24) |
            static_cast<uint32_t>(rng_.Below(1u << 24));
    s->ua = rng_.Pick(kScanUas);
    s->pages = static_cast<int>(rng_.Range(3, 25));
    s->referer.clear();
  }
}

void DayTraffic::ShopperPage(Session* s, LineParts* p) {
  const Product& prod = s_.products[rng_.Below(s_.products.size())];
  double x = rng_.Unit();
  uri_.clear();
  p->method = "GET";
  p->status = 200;
  if (s->last_page.empty() && x < 0.3) {
    uri_ = "/";
    p->bytes = 38000 + rng_.Below(6000);
  } else if (x < 0.6) {
    uri_ = magento_ ? "/" + prod.url_key + ".html" : "/product/" + prod.url_key + "/";
    p->bytes = 52000 + rng_.Below(20000);
  } else if (x < 0.8) {
    const std::string& c = s_.categories[rng_.Below(s_.categories.size())];
    uri_ = magento_ ? "/" + c + ".html" : "/product-category/" + c + "/";
    if (rng_.Chance(0.2)) uri_ += magento_ ? "?p=2" : "page/2/";
    p->bytes = 61000 + rng_.Below(30000);
  } else if (x < 0.88) {
    uri_ = magento_ ? "/catalogsearch/result/?q=" : "/?s=";
    uri_ += rng_.Pick(kSearchTerms);
    if (!magento_) uri_ += "&post_type=product";
    p->bytes = 45000 + rng_.Below(30000);
  } else if (x < 0.93) {
    uri_ = magento_ ? "/checkout/cart/" : "/cart/";
    p->bytes = 33000 + rng_.Below(4000);
  } else if (x < 0.96) {
    uri_ = magento_ ? "/customer/account/login/" : "/my-account/";
    p->bytes = 29000 + rng_.Below(3000);
  } else if (x < 0.98) {
    // A stale link: 404 page.
    uri_ = magento_ ? "/" + prod.url_key + "-old.html" : "/product/" + prod.url_key + "-2/";
    p->status = 404;
    p->bytes = 21000 + rng_.Below(2000);
  } else {
    uri_ = magento_ ? "/contact/" : "/contact/";
    p->bytes = 24000 + rng_.Below(2000);
  }
  p->uri = uri_;
  ref_ = s->referer;
  p->referer = ref_;
  p->rt_ms = static_cast<uint32_t>(80 + rng_.Below(900));
  s->last_page = "https://" + s_.spec.host + uri_;
  s->referer = s->last_page;
  s->pending_assets = static_cast<int>(rng_.Range(2, 7));
  s->asset_referer = s->last_page;
}

void DayTraffic::ShopperAsset(Session* s, LineParts* p) {
  double x = rng_.Unit();
  uri_.clear();
  p->method = "GET";
  p->status = rng_.Chance(0.15) ? 304 : 200;
  if (magento_) {
    static const char* kAssets[] = {
        "frontend/Magento/luma/en_US/css/styles-m.css", "frontend/Magento/luma/en_US/css/styles-l.css",
        "frontend/Magento/luma/en_US/requirejs/require.js", "frontend/Magento/luma/en_US/mage/requirejs/mixins.js",
        "frontend/Magento/luma/en_US/requirejs-config.js", "frontend/Magento/luma/en_US/jquery.js",
        "frontend/Magento/luma/en_US/fonts/opensans/regular/opensans-400.woff2",
        "frontend/Magento/luma/en_US/images/logo.svg", "frontend/Magento/luma/en_US/js/theme.js",
        "frontend/Magento/luma/en_US/Magento_Ui/js/core/app.js"};
    if (x < 0.55) {
      uri_ = "/static/version" + static_version_ + "/" + rng_.Pick(kAssets);
    } else if (x < 0.85) {
      const Product& prod = s_.products[rng_.Below(s_.products.size())];
      char b[128];
      std::snprintf(b, sizeof b, "/media/catalog/product/cache/%08x%08x/%c/%c/", 0x5f2e8a1cu,
                    0x9d3b77e4u, prod.url_key[0], prod.url_key[1]);
      uri_ = b + prod.url_key + (rng_.Chance(0.5) ? "-1.jpg" : "-main.jpg");
    } else {
      char b[160];
      std::snprintf(b, sizeof b,
                    "/customer/section/load/?sections=cart%%2Cmessages&force_new_section_timestamp="
                    "false&_=%lld",
                    static_cast<long long>(s->page_time / 1000));
      uri_ = b;
      p->status = 200;
    }
  } else {
    static const char* kAssets[] = {
        "/wp-content/themes/storefront/style.css?ver=4.5.5",
        "/wp-includes/js/jquery/jquery.min.js?ver=3.7.1",
        "/wp-includes/js/jquery/jquery-migrate.min.js?ver=3.4.1",
        "/wp-content/plugins/woocommerce/assets/js/frontend/cart-fragments.min.js?ver=8.9.1",
        "/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=8.9.1",
        "/wp-content/themes/storefront/assets/js/navigation.min.js?ver=4.5.5",
        "/wp-includes/css/dist/block-library/style.min.css?ver=6.5.3",
        "/wp-content/plugins/woocommerce/assets/js/frontend/add-to-cart.min.js?ver=8.9.1"};
    if (x < 0.55) {
      uri_ = rng_.Pick(kAssets);
    } else if (x < 0.85) {
      const Product& prod = s_.products[rng_.Below(s_.products.size())];
      uri_ = "/wp-content/uploads/2024/0" + std::to_string(1 + prod.id % 9) + "/" + prod.url_key +
             "-1-324x324.jpg";
    } else {
      uri_ = "/?wc-ajax=get_refreshed_fragments";
      p->method = "POST";
      p->status = 200;
    }
  }
  p->uri = uri_;
  p->bytes = p->status == 304 ? 0 : 1200 + rng_.Below(90000);
  ref_ = s->asset_referer;
  p->referer = ref_;
  p->rt_ms = static_cast<uint32_t>(rng_.Below(40));
}

void DayTraffic::BotRequest(Session* s, LineParts* p) {
  const Product& prod = s_.products[rng_.Below(s_.products.size())];
  double x = rng_.Unit();
  p->method = "GET";
  p->status = 200;
  if (x < 0.08) {
    uri_ = "/robots.txt";
    p->bytes = 700;
  } else if (x < 0.15) {
    uri_ = magento_ ? "/sitemap.xml" : "/wp-sitemap.xml";
    p->bytes = 9000 + rng_.Below(2000);
  } else if (x < 0.75) {
    uri_ = magento_ ? "/" + prod.url_key + ".html" : "/product/" + prod.url_key + "/";
    p->bytes = 52000 + rng_.Below(20000);
  } else {
    const std::string& c = s_.categories[rng_.Below(s_.categories.size())];
    uri_ = magento_ ? "/" + c + ".html" : "/product-category/" + c + "/";
    p->bytes = 61000 + rng_.Below(30000);
  }
  if (rng_.Chance(0.02)) {
    p->status = 301;
    p->bytes = 162;
  }
  p->uri = uri_;
  p->referer = {};
  p->rt_ms = static_cast<uint32_t>(60 + rng_.Below(500));
  (void)s;
}

void DayTraffic::ScannerRequest(Session* s, LineParts* p) {
  uri_ = rng_.Pick(kScanPaths);
  bool wp_path = uri_.find("/wp-") != std::string::npos;
  p->method = rng_.Chance(0.1) ? "POST" : "GET";
  if (!magento_ && wp_path) {
    p->status = 404;
  } else if (uri_ == "/.env" || uri_ == "/.git/config" || uri_ == "/app/etc/local.xml" ||
             uri_ == "/.svn/entries" || uri_ == "/server-status") {
    p->status = 403;
  } else {
    p->status = 404;
  }
  p->bytes = p->status == 403 ? 153 : 21000 + rng_.Below(500);
  p->uri = uri_;
  p->referer = {};
  p->rt_ms = static_cast<uint32_t>(5 + rng_.Below(200));
  (void)s;
}

bool DayTraffic::Next(LineParts* p) {
  if (qpos_ >= queue_.size()) {
    FillMinute();
    if (queue_.empty()) return false;
  }
  UnixMicros t = queue_[qpos_++];
  p->t = t;
  p->proto = "HTTP/1.1";
  p->xff = 0;
  if (t % 60000000 == 17000000 || t % 60000000 == 17000001) {
    bool second = t % 2;
    p->ip = second ? ((216u << 24) | (245u << 16) | (221u << 8) | 82u)
                   : ((69u << 24) | (162u << 16) | (124u << 8) | 226u);
    p->method = "HEAD";
    p->uri = "/";
    p->status = 200;
    p->bytes = 0;
    p->referer = magento_ || !second ? std::string_view("https://uptimerobot.com/")
                                     : std::string_view("https://uptimerobot.com/");
    p->ua = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)";
    p->rt_ms = 90;
    return true;
  }
  Session* s = &sessions_[rng_.Below(sessions_.size())];
  if (s->pages <= 0 && s->pending_assets <= 0) StartSession(s);
  p->ip = s->ip;
  p->ua = s->ua;
  switch (s->kind) {
    case Session::kShopper:
      if (s->pending_assets > 0 && !s->last_page.empty()) {
        --s->pending_assets;
        ShopperAsset(s, p);
      } else {
        --s->pages;
        s->page_time = t;
        ShopperPage(s, p);
      }
      break;
    case Session::kBot:
      --s->pages;
      BotRequest(s, p);
      break;
    case Session::kScanner:
      --s->pages;
      ScannerRequest(s, p);
      break;
  }
  if (p->status == 304 && p->method == "HEAD") p->bytes = 0;
  return true;
}

const std::vector<uint8_t>& kConsumerOctetsForTraffic() {
  static const std::vector<uint8_t> k = {24, 50, 67, 68, 71, 73, 76, 77, 78, 79, 80,
                                         81, 82, 83, 84, 86, 87, 88, 89, 90, 92, 93,
                                         95, 98, 99, 108, 109, 151, 174, 176, 178, 188, 217};
  return k;
}

}  // namespace tq::drill
