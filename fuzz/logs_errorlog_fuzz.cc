// Fuzzes the Apache / nginx / PHP-FPM error-log reader with arbitrary lines, in UTC and in a
// zone with daylight saving: a record's client, when it has one, is an address, and every
// view the line reader gives lies inside the line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "logs/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::logs;
  static const tq::TimeZone utc = tq::TimeZone::Utc();
  static const tq::TimeZone berlin = tq::TimeZone::Named("Europe/Berlin").value();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<LineParser> p = NamedFormat("error").value();
  AccessLogRecord r;
  std::string_view why;
  auto inside = [&](std::string_view line, std::string_view v) {
    return v.empty() ||
           (v.data() >= line.data() && v.data() + v.size() <= line.data() + line.size());
  };
  for (size_t pos = 0; pos <= in.size();) {
    size_t e = in.find('\n', pos);
    if (e == std::string_view::npos) e = in.size();
    std::string_view line = in.substr(pos, e - pos);
    if (p->Parse(line, r, &why) && r.has(Field::kClientIp) &&
        ClassifyClient(r.get(Field::kClientIp)) == AddressKind::kNone)
      std::abort();
    for (const tq::TimeZone* z : {&utc, &berlin}) {
      ErrorLogLine el;
      if (ParseErrorLogLine(line, *z, &el, &why)) {
        for (std::string_view v :
             {el.source, el.level, el.client, el.request, el.host, el.referer, el.message, el.text})
          if (!inside(line, v) && v != "apache" && v != "nginx" && v != "php-fpm") std::abort();
      }
    }
    pos = e + 1;
  }
  return 0;
}
