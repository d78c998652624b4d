// Provider field maps for JSON lines logs (CDNs and log shippers that name fields their own
// way: Akamai DataStream 2, Fastly, ...), read at run time from data/logs/json_fields.tsv so
// that a provider is added with a few lines of data, not code. See that file's head for the
// layout; a line that does not hold is an error naming the file and line.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/shipped.h"
#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {

Result<std::vector<JsonFieldPath>> ParseJsonFieldMaps(std::string_view text,
                                                      std::string_view name) {
  std::vector<JsonFieldPath> out;
  size_t line_no = 0;
  for (size_t p = 0; p < text.size();) {
    size_t e = text.find('\n', p);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(p, e - p);
    p = e + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto bad = [&](const std::string& what) {
      return Status::BadInput(std::string(name) + ":" + std::to_string(line_no) + ": " + what);
    };
    std::vector<std::string_view> cols;
    for (size_t q = 0; q <= line.size();) {
      size_t t = line.find('\t', q);
      if (t == std::string_view::npos) t = line.size();
      cols.push_back(line.substr(q, t - q));
      q = t + 1;
    }
    if (cols.size() != 3) return bad("want 3 tab-separated columns (provider, field, JSON path)");
    JsonFieldPath m{std::string(cols[0]), std::string(cols[1]), std::string(cols[2])};
    auto word = [](std::string_view s) {
      return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
               c == '@';
      });
    };
    if (!word(m.provider)) return bad("bad provider name '" + m.provider + "'");
    Field f;
    if (m.field != "time" && !FieldFromSigmaName(m.field, &f))
      return bad("unknown field '" + m.field + "' (a Sigma webserver field or time)");
    if (!word(m.path) || m.path.front() == '.' || m.path.back() == '.' ||
        m.path.find("..") != std::string::npos)
      return bad("bad JSON path '" + m.path + "'");
    out.push_back(std::move(m));
  }
  return out;
}

const Result<std::vector<JsonFieldPath>>& ShippedJsonFieldMaps() {
  static const Result<std::vector<JsonFieldPath>> maps =
      []() -> Result<std::vector<JsonFieldPath>> {
    std::string path = ShippedPath("data/logs/json_fields.tsv");
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound("JSON lines field maps not found: " + path);
    std::ostringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    if (text.size() > (1 << 20)) return Status::BadInput(path + ": larger than 1 MiB");
    return ParseJsonFieldMaps(text, path);
  }();
  return maps;
}

}  // namespace tq::logs
