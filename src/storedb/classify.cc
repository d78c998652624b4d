// Table names without their install prefix, the injected-script score and the content
// classifiers (e-mail shapes, Luhn-valid card numbers, phone numbers) used by the PII map.
#include "storedb/classify.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/text.h"
#include "storedb/storedb.h"
#include "webroot/normalize.h"

namespace tq::storedb {

namespace {

// Tables the scans and customer extraction read, beyond those in the PII map.
constexpr const char* kMagentoTables[] = {"core_config_data",
                                          "cms_block",
                                          "cms_page",
                                          "email_template",
                                          "widget_instance",
                                          "layout_update",
                                          "layout_link",
                                          "admin_user",
                                          "authorization_role",
                                          "authorization_rule",
                                          "oauth_token",
                                          "oauth_consumer",
                                          "integration",
                                          "customer_entity",
                                          "customer_address_entity",
                                          "sales_order",
                                          "sales_order_address",
                                          "sales_order_payment",
                                          "sales_order_grid",
                                          "admin_user_session",
                                          "design_config_grid_flat",
                                          "cron_schedule",
                                          "store",
                                          "store_website",
                                          "store_group",
                                          "catalog_product_entity",
                                          "quote",
                                          "quote_address",
                                          "quote_payment",
                                          "vault_payment_token",
                                          "customer_grid_flat",
                                          "newsletter_subscriber",
                                          "url_rewrite",
                                          "setup_module",
                                          "patch_list",
                                          "eav_attribute",
                                          "core_config_data_backup"};
constexpr const char* kWordPressTables[] = {"options",
                                            "posts",
                                            "postmeta",
                                            "users",
                                            "usermeta",
                                            "comments",
                                            "commentmeta",
                                            "terms",
                                            "term_taxonomy",
                                            "term_relationships",
                                            "termmeta",
                                            "links",
                                            "woocommerce_api_keys",
                                            "woocommerce_sessions",
                                            "woocommerce_order_items",
                                            "woocommerce_order_itemmeta",
                                            "woocommerce_payment_tokens",
                                            "woocommerce_payment_tokenmeta",
                                            "wc_orders",
                                            "wc_order_addresses",
                                            "wc_orders_meta",
                                            "wc_order_operational_data",
                                            "wc_customer_lookup",
                                            "wc_order_stats",
                                            "wc_webhooks",
                                            "actionscheduler_actions",
                                            "blogs",
                                            "site",
                                            "sitemeta",
                                            "signups",
                                            "registration_log"};

struct KnownNames {
  std::set<std::string> magento, wordpress;
};
const KnownNames& Known() {
  static const KnownNames k = [] {
    KnownNames n;
    for (const char* t : kMagentoTables) n.magento.insert(t);
    for (const char* t : kWordPressTables) n.wordpress.insert(t);
    for (const PiiMapEntry& e : BuiltinPiiMap()) {
      if (e.platform == "magento")
        n.magento.insert(e.table);
      else
        n.wordpress.insert(e.table);
    }
    return n;
  }();
  return k;
}

// The longest known name that `t` ends with, after a non-empty prefix (WordPress prefixes end
// with '_', as wp-config.php's $table_prefix does in practice).
std::string MatchSuffix(const std::string& t, const std::set<std::string>& names, bool wp) {
  std::string best;
  for (const std::string& n : names) {
    if (n.size() <= best.size() || t.size() <= n.size()) continue;
    if (t.compare(t.size() - n.size(), n.size(), n) != 0) continue;
    if (wp && t[t.size() - n.size() - 1] != '_') continue;
    best = n;
  }
  return best;
}

bool Has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// Hosts of well-known analytics, tag, payment and widget services that stores embed on
// purpose. A script from one of them is not foreign; a lookalike (google-analytics.com.evil)
// does not match because the whole host must end with the listed domain.
constexpr const char* kKnownServiceDomains[] = {"googletagmanager.com",
                                                "google-analytics.com",
                                                "googleadservices.com",
                                                "google.com",
                                                "gstatic.com",
                                                "googleapis.com",
                                                "doubleclick.net",
                                                "googlesyndication.com",
                                                "facebook.net",
                                                "facebook.com",
                                                "hotjar.com",
                                                "clarity.ms",
                                                "bing.com",
                                                "linkedin.com",
                                                "licdn.com",
                                                "twitter.com",
                                                "pinterest.com",
                                                "pinimg.com",
                                                "tiktok.com",
                                                "youtube.com",
                                                "vimeo.com",
                                                "paypal.com",
                                                "paypalobjects.com",
                                                "stripe.com",
                                                "braintreegateway.com",
                                                "klarna.com",
                                                "adyen.com",
                                                "trustpilot.com",
                                                "klaviyo.com",
                                                "zendesk.com",
                                                "zdassets.com",
                                                "intercom.io",
                                                "tawk.to",
                                                "cookiebot.com",
                                                "onetrust.com",
                                                "cookielaw.org",
                                                "hubspot.com",
                                                "hs-scripts.com",
                                                "mailchimp.com",
                                                "chimpstatic.com",
                                                "yotpo.com",
                                                "typekit.net",
                                                "adobe.com",
                                                "newrelic.com",
                                                "nr-data.net",
                                                "sentry.io",
                                                "recaptcha.net",
                                                "wp.com",
                                                "wordpress.org",
                                                "gravatar.com",
                                                "magento.com",
                                                "adobedtm.com",
                                                "cloudflareinsights.com"};

bool HostEndsWith(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

std::vector<std::string> ExtractHosts(std::string_view lower) {
  std::vector<std::string> hosts;
  size_t i = 0;
  while ((i = lower.find("//", i)) != std::string_view::npos) {
    i += 2;
    size_t b = i;
    while (i < lower.size() && (std::isalnum(static_cast<unsigned char>(lower[i])) ||
                                lower[i] == '.' || lower[i] == '-'))
      ++i;
    std::string h(lower.substr(b, i - b));
    if (h.find('.') == std::string::npos || h.size() < 4) continue;
    if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    if (hosts.size() >= 20) break;
  }
  return hosts;
}

size_t LongestBase64Run(std::string_view s) {
  size_t best = 0, run = 0;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=') {
      if (++run > best) best = run;
    } else {
      run = 0;
    }
  }
  return best;
}

size_t CountHexEscapes(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i + 3 < s.size(); ++i)
    if (s[i] == '\\' && s[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(s[i + 2]))) ++n;
  return n;
}

}  // namespace

CanonicalTable CanonicalTableName(std::string_view table, std::string_view platform_hint) {
  std::string t = Lower(table);
  const KnownNames& k = Known();
  CanonicalTable out;
  bool try_m = platform_hint.empty() || platform_hint == "magento";
  bool try_w = platform_hint.empty() || platform_hint == "woocommerce";
  if (try_m && k.magento.count(t)) return {"magento", t, ""};
  // WordPress tables always carry a prefix ("wp_"); an unprefixed "users" is not WordPress.
  std::string m = try_m ? MatchSuffix(t, k.magento, false) : "";
  std::string w = try_w ? MatchSuffix(t, k.wordpress, true) : "";
  if (!w.empty() && w.size() >= m.size())
    return {"woocommerce", w, std::string(table.substr(0, t.size() - w.size()))};
  if (!m.empty()) return {"magento", m, std::string(table.substr(0, t.size() - m.size()))};
  return out;
}

namespace {

// The web root's judgement of the stored value: the same lexing, folding, decoding and
// behaviour analysis a file gets (card fields sent to another host, a form posting cards
// elsewhere, code decoded and run, loaders hidden in encoded code, fake card forms). A value
// with markup is read as an HTML fragment (script bodies, event handlers); one without as
// bare JavaScript. Traits the web root drops are dropped here too: data sent to the store's
// own host or a payment provider. Returns the strongest trait (two independent families at
// medium agree at high, as in the web root) and the reasons, strongest first; `loads` gets
// the hosts scripts are loaded from (markup and createElement('script') alike).
int JudgeBehaviour(std::string_view content, const std::vector<std::string>& own,
                   std::vector<std::string>& reasons, std::vector<std::string>& loads) {
  webroot::NormalizeLimits limits;
  limits.max_input = 1u << 20;
  limits.max_total_bytes = 8u << 20;
  // A tag: '<' and a name ended by a space, '>' or '/' ("i<f.length" in code is none).
  bool markup = false;
  for (size_t i = content.find('<'); i != std::string_view::npos && !markup && i < (1u << 20);
       i = content.find('<', i + 1)) {
    size_t j = i + 1;
    while (j < content.size() && std::isalpha(static_cast<unsigned char>(content[j]))) ++j;
    markup = (j > i + 1 || (j < content.size() && content[j] == '!')) && j < content.size() &&
             (std::isspace(static_cast<unsigned char>(content[j])) || content[j] == '>' ||
              content[j] == '/' || content[j] == '!');
  }
  webroot::NormalizedCode nc = webroot::Normalize(
      content, markup ? webroot::CodeKind::kHtml : webroot::CodeKind::kJs, limits);
  int best = 0;
  std::set<std::string> medium_families;
  std::vector<const webroot::CodeTrait*> counted;
  for (const webroot::CodeTrait& t : nc.traits) {
    if (!t.host.empty() && loads.size() < 16 &&
        std::find(loads.begin(), loads.end(), t.host) == loads.end())
      loads.push_back(t.host);
    if (!t.target_host.empty()) {
      bool mine = webroot::WellKnownScriptHost(t.target_host);
      for (const std::string& o : own) mine = mine || webroot::HostWithin(t.target_host, Lower(o));
      if (mine) continue;
    }
    if (t.strength < 2 || !t.alone) continue;
    best = std::max(best, t.strength);
    medium_families.insert(t.family);
    counted.push_back(&t);
  }
  if (best == 2 && medium_families.size() >= 2) best = 3;
  std::stable_sort(counted.begin(), counted.end(),
                   [](const webroot::CodeTrait* a, const webroot::CodeTrait* b) {
                     return a->strength > b->strength;
                   });
  for (const webroot::CodeTrait* t : counted) {
    std::string r = t->what;
    if (t->layer.find('>') != std::string::npos) r += " (in " + t->layer + ")";
    if (std::find(reasons.begin(), reasons.end(), r) == reasons.end()) reasons.push_back(r);
  }
  return best;
}

}  // namespace

namespace {

// An event-handler attribute inside a tag: on<name> (three letters or more), spaces allowed
// before the '=' ("<img src=x onerror = ...>", "<animate onbegin=...>").
bool HasHandlerAttribute(std::string_view lower) {
  if (lower.find('<') == std::string_view::npos) return false;
  for (size_t at = lower.find("on"); at != std::string_view::npos; at = lower.find("on", at + 2)) {
    char before = at > 0 ? lower[at - 1] : ' ';
    if (!(std::isspace(static_cast<unsigned char>(before)) || before == '/' || before == '"' ||
          before == '\''))
      continue;
    size_t k = at + 2;
    while (k < lower.size() && k < at + 26 && lower[k] >= 'a' && lower[k] <= 'z') ++k;
    if (k < at + 5) continue;
    while (k < lower.size() && std::isspace(static_cast<unsigned char>(lower[k]))) ++k;
    if (k < lower.size() && lower[k] == '=') return true;
  }
  return false;
}

}  // namespace

bool HasStoredMarkup(std::string_view lower) {
  for (std::string_view k : {"<script", "<iframe", "<form", "<svg", "<object", "<embed",
                             "javascript:", "eval(", "atob(", "fromcharcode"})
    if (lower.find(k) != std::string_view::npos) return true;
  return HasHandlerAttribute(lower);
}

ScriptScore ScoreStoredScript(std::string_view content, const std::vector<std::string>& own) {
  ScriptScore s;
  std::string lower = Lower(content.substr(0, 1 << 20));
  bool script = Has(lower, "<script"), iframe = Has(lower, "<iframe");
  bool handler = HasHandlerAttribute(lower) || Has(lower, "javascript:");
  bool bare_code = Has(lower, "eval(") || Has(lower, "atob(") || Has(lower, "fromcharcode");
  s.has_markup = HasStoredMarkup(lower);
  if (!s.has_markup) return s;
  // What the code does, judged as the web root judges a file.
  std::vector<std::string> behaviour, loads;
  int judged = JudgeBehaviour(content, own, behaviour, loads);
  // What only a database row tells: a script or frame from a host that is neither the
  // store's nor a known service's, obfuscation, code where a value should hold none.
  for (const std::string& h : ExtractHosts(lower)) {
    bool known = false;
    for (const char* d : kKnownServiceDomains) known = known || HostEndsWith(h, d);
    for (const std::string& o : own) known = known || HostEndsWith(h, Lower(o));
    if (!known) s.foreign_hosts.push_back(h);
  }
  // A script loaded from one of them (<script src>, createElement('script'), found by the
  // behaviour analysis), or a frame: a URL elsewhere in code is the behaviour analysis's
  // business (where data goes).
  for (size_t at = 0; (at = lower.find("<iframe", at)) != std::string::npos && loads.size() < 16;
       at += 7) {
    size_t src = lower.find("src=", at), gt = lower.find('>', at);
    if (src == std::string::npos || src > gt) continue;
    std::vector<std::string> h = ExtractHosts(std::string_view(lower).substr(src + 4, 300));
    if (!h.empty() && std::string_view(lower).substr(src + 4, 12).find("//") != std::string::npos)
      loads.push_back(h[0]);
  }
  for (const std::string& h : loads) {
    if (std::find(s.foreign_hosts.begin(), s.foreign_hosts.end(), h) == s.foreign_hosts.end())
      continue;
    s.score += 2;
    s.reasons.push_back("loads code from a foreign host (" + h + ")");
    break;
  }
  bool obf = false;
  // (new Function(...) alone is how module loaders compile code: the behaviour analysis
  // judges it where it runs something decoded.)
  for (const char* k : {"eval(", "atob(", "fromcharcode", "unescape(", "function(p,a,c,k,e",
                        "document.write(unescape"})
    if (Has(lower, k)) obf = true;
  if (CountHexEscapes(content) >= 10 || LongestBase64Run(content) >= 200) obf = true;
  if (Has(lower, "_0x") &&
      CountHexEscapes(content) + std::count(lower.begin(), lower.end(), '_') > 10)
    obf = true;
  if (obf) {
    s.score += 2;
    s.reasons.push_back("obfuscated JavaScript (eval/atob/fromCharCode/encoded blobs)");
  }
  if (handler && !script && (obf || !s.foreign_hosts.empty())) {
    s.score += 1;
    s.reasons.push_back("code in an event handler or javascript: URL");
  }
  if (bare_code && !script && !iframe && !handler) {
    s.score += 1;
    s.reasons.push_back("JavaScript in a value that should hold no code");
  }
  // One judgement: the behaviour's strength (3 high, 4 critical) where it is stronger; a
  // medium behaviour beside a row trait raises it by one. Its reasons come first.
  if (judged >= 3)
    s.score = std::max(s.score, judged);
  else if (judged == 2 && s.score >= 2)
    s.score += 1;
  s.reasons.insert(s.reasons.begin(), behaviour.begin(), behaviour.end());
  s.obfuscation_only = obf && s.score == 2 && s.reasons.size() == 1;
  return s;
}

bool LuhnValid(std::string_view digits) {
  int sum = 0, n = 0;
  bool dbl = false;
  for (size_t i = digits.size(); i-- > 0;) {
    char c = digits[i];
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') return false;
    int d = c - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
    ++n;
  }
  return n >= 13 && n <= 19 && sum % 10 == 0;
}

bool LooksLikeEmail(std::string_view v) {
  if (v.size() < 6 || v.size() > 254) return false;
  size_t at = v.find('@');
  if (at == std::string_view::npos || at == 0 || v.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string_view dom = v.substr(at + 1);
  size_t dot = dom.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dom.size() - dot < 3) return false;
  for (char c : v)
    if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' || c == ';') return false;
  return true;
}

bool LooksLikeCardNumber(std::string_view v) {
  if (v.size() < 13 || v.size() > 23) return false;
  return LuhnValid(v);
}

bool LooksLikePhone(std::string_view v) {
  if (v.size() < 7 || v.size() > 24) return false;
  // Dates (1990-05-06) and dotted numbers (IPs, 1234.5678) share the shape; not phones.
  if (v.size() == 10 && v[4] == '-' && v[7] == '-') return false;
  if (v.find('.') != std::string_view::npos && v[0] != '+' && v.find(' ') == std::string_view::npos)
    return false;
  int digits = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '+' && i == 0)
      continue;
    else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.' && c != '/')
      return false;
  }
  // A bare run of digits is more likely an id or a number than a phone number.
  bool formatted = v[0] == '+' || v.find_first_of(" -()./") != std::string_view::npos;
  return digits >= 7 && digits <= 15 && formatted;
}

bool LooksLikeIpAddress(std::string_view v) {
  int parts = 0, digits = 0;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else if (c == '.') {
      if (digits == 0) return false;
      ++parts;
      digits = 0;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

}  // namespace tq::storedb
