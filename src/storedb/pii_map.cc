// The known-schema PII map: data/pii/known_columns.tsv, compiled in (see CMakeLists.txt).
#include <set>

#include "storedb/classify.h"
#include "storedb/pii_map_data.h"

namespace tq::storedb {

namespace {
const std::set<std::string>& Categories() {
  static const std::set<std::string> c = {"name",
                                          "email",
                                          "phone",
                                          "postal_address",
                                          "date_of_birth",
                                          "tax_id",
                                          "ip_address",
                                          "password_hash",
                                          "payment_card",
                                          "order_history",
                                          "account_credentials"};
  return c;
}
}  // namespace

Result<std::vector<PiiMapEntry>> ParsePiiMap(std::string_view tsv, std::string_view name) {
  std::vector<PiiMapEntry> out;
  size_t line_no = 0;
  while (!tsv.empty()) {
    size_t nl = tsv.find('\n');
    std::string_view line = tsv.substr(0, nl);
    tsv = nl == std::string_view::npos ? std::string_view() : tsv.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    size_t b = 0;
    for (;;) {
      size_t t = line.find('\t', b);
      f.emplace_back(line.substr(b, t == std::string_view::npos ? line.npos : t - b));
      if (t == std::string_view::npos) break;
      b = t + 1;
    }
    if (f.size() != 4)
      return Status::BadInput(
                 "expected 4 tab-separated fields (platform, table, column, "
                 "category), found " +
                 std::to_string(f.size()))
          .At(std::string(name), line_no);
    if (!Categories().count(f[3]))
      return Status::BadInput("unknown category '" + f[3] + "'").At(std::string(name), line_no);
    if (f[0] != "magento" && f[0] != "woocommerce")
      return Status::BadInput("unknown platform '" + f[0] + "'").At(std::string(name), line_no);
    out.push_back({f[0], f[1], f[2], f[3]});
  }
  return out;
}

const std::vector<PiiMapEntry>& BuiltinPiiMap() {
  static const std::vector<PiiMapEntry> m = [] {
    Result<std::vector<PiiMapEntry>> r = ParsePiiMap(kKnownPiiColumnsTsv, "known_columns.tsv");
    return r.ok() ? *r : std::vector<PiiMapEntry>{};  // a bad file fails the unit test
  }();
  return m;
}

}  // namespace tq::storedb
