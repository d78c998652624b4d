// The column map (`--columns map.toml`): our column names to a table's. A small TOML subset is
// read: comments, one optional `[columns]` table, and `name = "value"` or `name = none` lines.
// The file is the responder's, but it may come from anywhere: every line is checked, and what
// is not understood is an error naming the file and line, never ignored.
#include <algorithm>

#include "warehouse/warehouse.h"

namespace tq::warehouse {

const std::vector<std::string>& OurColumns() {
  // The export schema (export.cc), in the order of logs::Field, then the row's place.
  static const std::vector<std::string> k = {"client",
                                             "user",
                                             "method",
                                             "target",
                                             "stem",
                                             "query",
                                             "version",
                                             "status",
                                             "bytes",
                                             "bytes_in",
                                             "time_taken",
                                             "host",
                                             "user_agent",
                                             "referer",
                                             "cookie",
                                             "content_type",
                                             "peer",
                                             "body",
                                             "message",
                                             "time_us",
                                             "line",
                                             "target_decoded",
                                             "target_normalized",
                                             "present",
                                             "kind",
                                             "evidence_id",
                                             "sha256",
                                             "file",
                                             "line_no",
                                             "byte_offset",
                                             "batch"};
  return k;
}

std::string ColumnMap::Sql(const std::string& ours) const {
  if (std::find(absent.begin(), absent.end(), ours) != absent.end()) return "";
  auto it = column.find(ours);
  if (it == column.end()) return SqlIdent(ours);
  const std::string& v = it->second;
  bool ident = !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) {
    return isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.';
  });
  if (ident && v.find('.') == std::string::npos) return SqlIdent(v);
  return "(" + v + ")";
}

Result<ColumnMap> ParseColumnMap(std::string_view text, const std::string& file) {
  ColumnMap m;
  if (text.size() > (1 << 20)) return Status::BadInput(file + ": larger than 1 MiB");
  const std::vector<std::string>& ours = OurColumns();
  size_t p = 0;
  int line_no = 0;
  bool in_columns = true;  // names before any table header belong to [columns]
  while (p < text.size()) {
    size_t nl = text.find('\n', p);
    std::string_view line = text.substr(p, nl == std::string_view::npos ? text.npos : nl - p);
    p = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    auto err = [&](const std::string& what) {
      return Status::BadInput(file + ":" + std::to_string(line_no) + ": " + what);
    };
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos || line[b] == '#') continue;
    line = line.substr(b);
    for (unsigned char ch : line)
      if (ch < 0x20 && ch != '\t') return err("control character in the line");
    if (line[0] == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos) return err("table header without ']'");
      std::string_view name = line.substr(1, close - 1);
      std::string_view rest = line.substr(close + 1);
      size_t r = rest.find_first_not_of(" \t");
      if (r != std::string_view::npos && rest[r] != '#') return err("text after the table header");
      in_columns = name == "columns";
      if (!in_columns) return err("unknown table [" + std::string(name) + "] (only [columns])");
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return err("expected name = \"column\"");
    std::string_view key = line.substr(0, eq);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"')
      key = key.substr(1, key.size() - 2);
    std::string name(key);
    if (std::find(ours.begin(), ours.end(), name) == ours.end())
      return err("'" + name.substr(0, 64) + "' is not one of our columns (client, method, " +
                 "target, stem, query, status, bytes, user_agent, referer, host, time_us, ...)");
    if (m.column.count(name) || std::find(m.absent.begin(), m.absent.end(), name) != m.absent.end())
      return err("'" + name + "' mapped twice");
    std::string_view v = line.substr(eq + 1);
    size_t vb = v.find_first_not_of(" \t");
    if (vb == std::string_view::npos) return err("no value for '" + name + "'");
    v = v.substr(vb);
    std::string value;
    if (v[0] == '"' || v[0] == '\'') {
      char q = v[0];
      size_t i = 1;
      bool closed = false;
      for (; i < v.size(); ++i) {
        char ch = v[i];
        if (ch == q) {
          closed = true;
          ++i;
          break;
        }
        if (ch == '\\' && q == '"') {
          if (i + 1 >= v.size()) return err("escape at the end of the line");
          char e = v[++i];
          if (e == '"' || e == '\\') {
            value += e;
          } else if (e == 't') {
            value += '\t';
          } else {
            return err(std::string("unsupported escape \\") + e);
          }
          continue;
        }
        value += ch;
      }
      if (!closed) return err("unterminated string");
      std::string_view rest = v.substr(i);
      size_t r = rest.find_first_not_of(" \t");
      if (r != std::string_view::npos && rest[r] != '#') return err("text after the value");
      if (value.empty()) return err("empty column for '" + name + "'");
      if (value.size() > 4096) return err("column expression longer than 4096 bytes");
      // The expression goes into SQL as written: it must not end the statement or open another.
      if (value.find(';') != std::string::npos)
        return err("';' in the column expression for '" + name + "'");
      m.column[name] = value;
    } else {
      std::string_view w = v.substr(0, v.find_first_of(" \t#"));
      std::string_view rest = v.substr(w.size());
      size_t r = rest.find_first_not_of(" \t");
      if (w != "none" || (r != std::string_view::npos && rest[r] != '#'))
        return err("value for '" + name + "' is neither a \"quoted column\" nor none");
      m.absent.push_back(name);
    }
  }
  return m;
}

}  // namespace tq::warehouse
