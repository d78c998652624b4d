// The platform's own logs (Magento var/log/system.log and exception.log, WordPress
// wp-content/debug.log) with routine noise around the scenario's lines, and by option a
// ModSecurity serial audit log (OUT/logs/modsec_audit.log) holding the request bodies the
// access log cannot show.
#include <algorithm>
#include <cstdio>

#include "drill/schedule.h"

namespace tq::drill {

namespace {

std::string MagentoStamp(UnixMicros t) {
  std::string ts = SqlDateTime(t);
  ts[10] = 'T';
  char us[16];
  std::snprintf(us, sizeof us, ".%06lld", static_cast<long long>(t % kSec));
  return "[" + ts + us + "+00:00]";
}

std::string WpStamp(UnixMicros t) {
  static const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Civil c = ToCivil(t / kSec);
  char b[40];
  std::snprintf(b, sizeof b, "[%02d-%s-%04d %02d:%02d:%02d UTC]", c.day, kMon[c.month - 1], c.year,
                c.hour, c.minute, c.second);
  return b;
}

}  // namespace

Status WritePlatformLogs(const std::string& out_dir, const Store& s, Breach* b) {
  Rng r(s.spec.customers * 31 + s.spec.days, 6);
  const bool m = s.spec.platform == Platform::kMagento;
  std::vector<PlatformLogLine> lines = b->platform_lines;
  // Routine noise: cron, indexers, a deprecated call, mail transport hiccups.
  for (UnixMicros t = s.spec.log_start + 7 * kMin; t < s.spec.log_end; t += 97 * kMin) {
    UnixMicros tt = t + static_cast<int64_t>(r.Below(60)) * kSec;
    if (m) {
      static const char* kSys[] = {
          "main.INFO: Cron Job indexer_reindex_all_invalid is run [] []",
          "main.INFO: Cron Job sales_grid_order_async_insert is run [] []",
          "main.INFO: Cron Job catalog_product_outdated_price_values_cleanup is run [] []",
          ("main.INFO: Broken reference: the 'header.panel' tries to reorder itself towards "
           "'skip_to_content', but their parents are different. [] []"),
          "main.WARNING: Could not send email: Connection timed out [] []"};
      lines.push_back({tt, 0, MagentoStamp(tt) + " " + r.Pick(kSys), -1});
      if (r.Chance(0.15)) {
        lines.push_back(
            {tt + kSec, 1,
             MagentoStamp(tt + kSec) +
                 " main.CRITICAL: Unable to unserialize value. Error: Syntax error "
                 "{\"exception\":\"[object] (InvalidArgumentException(code: 0): Unable to "
                 "unserialize value. at /var/www/html/vendor/magento/framework/Serialize/"
                 "Serializer/Json.php:47)\"} []",
             -1});
      }
    } else {
      static const char* kWp[] = {
          // Parenthesised: one entry each, as clang's -Wstring-concatenation wants to see.
          ("PHP Deprecated:  Creation of dynamic property WC_Payment_Gateway::$supports is "
           "deprecated in "
           "/var/www/html/wp-content/plugins/woocommerce-gateway-stripe/includes/abstracts/"
           "abstract-wc-stripe-payment-gateway.php on line 62"),
          ("PHP Notice:  Function _load_textdomain_just_in_time was called "
           "<strong>incorrectly</strong>. in /var/www/html/wp-includes/functions.php on line "
           "6078"),
          ("PHP Warning:  Undefined array key \"HTTP_REFERER\" in "
           "/var/www/html/wp-content/themes/storefront/inc/class-storefront.php on line 211")};
      lines.push_back({tt, 0, WpStamp(tt) + " " + r.Pick(kWp), -1});
    }
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const PlatformLogLine& x, const PlatformLogLine& y) { return x.t < y.t; });
  const std::vector<std::string> names =
      m ? std::vector<std::string>{"webroot/var/log/system.log", "webroot/var/log/exception.log"}
        : std::vector<std::string>{"webroot/wp-content/debug.log", "webroot/wp-content/debug.log"};
  std::map<std::string, std::string> text;
  std::map<std::string, uint64_t> lineno;
  std::map<std::string, UnixMicros> last;
  for (const PlatformLogLine& l : lines) {
    const std::string& f = names[l.file];
    text[f] += l.text;
    text[f] += '\n';
    ++lineno[f];
    if (l.evidence >= 0) b->evidence[l.evidence] = {f, lineno[f]};
    lineno[f] += static_cast<uint64_t>(std::count(l.text.begin(), l.text.end(), '\n'));
    last[f] = l.t;
  }
  UnixMicros newest = 0;
  for (const auto& [f, t] : text) {
    TQ_RETURN_IF_ERROR(WriteFileAt(out_dir + "/" + f, t, last[f]));
    newest = std::max(newest, last[f]);
  }
  // Fixed directory times too (the web root writer does the directories it owns).
  if (m) {
    TQ_RETURN_IF_ERROR(SetMtime(out_dir + "/webroot/var/log", newest));
    TQ_RETURN_IF_ERROR(SetMtime(out_dir + "/webroot/var", newest));
  }
  return Status::Ok();
}

Status WriteWafLog(const std::string& out_dir, const Store& s, const Breach& b) {
  std::vector<const Request*> reqs;
  for (const Request& r : b.requests) {
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT") reqs.push_back(&r);
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Request* x, const Request* y) { return x->t < y->t; });
  std::string out;
  Rng rng(s.spec.customers, 7);
  for (const Request* r : reqs) {
    std::string id = rng.Hex(8);
    int off = s.tz->OffsetAt(r->t) / 60;
    Civil c = ToCivil(r->t / kSec + s.tz->OffsetAt(r->t));
    static const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char head[128];
    std::snprintf(head, sizeof head, "[%02d/%s/%04d:%02d:%02d:%02d.%06lld %c%02d%02d] ", c.day,
                  kMon[c.month - 1], c.year, c.hour, c.minute, c.second,
                  static_cast<long long>(r->t % kSec), off < 0 ? '-' : '+', std::abs(off) / 60,
                  std::abs(off) % 60);
    out += "--" + id + "-A--\n" + head + rng.Alnum(27) + " " + IpToString(r->ip) + " " +
           std::to_string(40000 + rng.Below(25000)) + " 10.20.0.10 443\n";
    out += "--" + id + "-B--\n" + RequestLine(*r) + "\nHost: " + s.spec.host +
           "\nUser-Agent: " + r->ua + "\n";
    if (!r->body.empty()) {
      bool json = r->body[0] == '{';
      out += std::string("Content-Type: ") +
             (json ? "application/json" : "application/x-www-form-urlencoded") +
             "\nContent-Length: " + std::to_string(r->body.size()) + "\n\n--" + id + "-C--\n" +
             r->body + "\n";
    } else {
      out += "\n";
    }
    out += "--" + id + "-F--\nHTTP/1.1 " + std::to_string(r->status) + "\n\n--" + id + "-H--\n" +
           "Stopwatch: " + std::to_string(r->t) + " " + std::to_string(r->request_time_ms * 1000) +
           " (- - -)\nProducer: ModSecurity for nginx (http://www.modsecurity.org/); "
           "OWASP_CRS/3.3.5.\n"
           "Engine-Mode: \"DETECTION_ONLY\"\n\n--" +
           id + "-Z--\n\n";
  }
  return WriteFileAt(out_dir + "/logs/modsec_audit.log", out, s.spec.log_end);
}

}  // namespace tq::drill
