// Fuzzes every built-in parser (W3C, load balancer, proxy, ModSecurity, error logs), detection over
// the input's lines, the client-address check and the X-Forwarded-For rule with arbitrary bytes.
// Every record a parser accepts must have an address as its client.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "logs/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::logs;
  static std::vector<std::unique_ptr<LineParser>> parsers = [] {
    std::vector<std::unique_ptr<LineParser>> p;
    for (const std::string& n : BuiltinFormatNames()) p.push_back(NamedFormat(n).value());
    return p;
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  size_t p = 0;
  while (p <= in.size() && lines.size() < 200) {
    size_t e = in.find('\n', p);
    if (e == std::string_view::npos) e = in.size();
    lines.push_back(in.substr(p, e - p));
    p = e + 1;
  }
  std::vector<std::unique_ptr<LineParser>> fresh;  // W3C keeps #Fields: between lines
  for (auto& q : parsers) fresh.push_back(q->Clone());
  AccessLogRecord r;
  std::string_view why;
  for (std::string_view line : lines)
    for (auto& q : fresh)
      // An error-log line may have no client (a worker's crash); when it has one, and in
      // every other record, it is an address.
      if (q->Parse(line, r, &why) &&
          (r.kind != RecordKind::kErrorLine || r.has(Field::kClientIp)) &&
          ClassifyClient(r.get(Field::kClientIp)) == AddressKind::kNone) {
        std::fprintf(stderr, "%s stored client '%.*s'\n", q->name().c_str(),
                     static_cast<int>(r.get(Field::kClientIp).size()),
                     r.get(Field::kClientIp).data());
        std::abort();
      }
  for (std::string_view line : lines) {
    ClassifyClient(line);
    size_t sp = line.find(' ');
    if (sp != std::string_view::npos)
      ForwardedClient(line.substr(0, sp), line.substr(sp + 1), TrustedProxies::Default());
  }
  BestFormat(lines);
  return 0;
}
