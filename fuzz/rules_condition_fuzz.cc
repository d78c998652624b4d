// Fuzzes the Sigma loader and condition parser: the input is used as a condition string
// (against fixed selections) and as a whole rule file; whatever loads is run on a line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rules/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  (void)tq::rules::CheckCondition(in, {"sel", "sel2", "filter", "keywords"});
  std::string rule =
      "title: f\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem|contains: "
      "a\n"
      "  sel2:\n    cs-method: GET\n  filter:\n    sc-status: 404\n  keywords:\n    - x\n"
      "  condition: " +
      in.substr(0, in.find('\n')) + "\n";
  for (const std::string& doc : {rule, in}) {
    auto rs = tq::rules::LoadRulesFromText({{"f.yml", doc}});
    if (!rs.ok()) continue;
    static auto parser = tq::logs::NamedFormat("combined").value();
    tq::rules::Scanner s(**rs);
    s.MatchLine(
        "1.2.3.4 - - [10/Oct/2025:13:55:36 +0200] \"GET /a?x=1 HTTP/1.1\" 404 1 \"-\" \"x\"",
        *parser);
  }
  return 0;
}
