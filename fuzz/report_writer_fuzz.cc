// Fuzzes the report writer with attacker text where evidence puts it: the input is cut into
// strings that become a document's headings, paragraphs, list items and table cells, and a
// finding's summary, rule and detail in a real case from which the internal report is built.
// Invariants: the HTML gets no markup from the input (the number of '<' in the page is the
// same as when every string is replaced by "x"), and building and rendering never fail on
// the case's own content.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "report/report.h"
#include "temp_case.h"

namespace {

std::vector<std::string> Pieces(std::string_view in) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= in.size() && out.size() < 64) {
    size_t cut = in.find('\x01', pos);
    if (cut == std::string_view::npos) cut = in.size();
    out.emplace_back(in.substr(pos, cut - pos));
    pos = cut + 1;
  }
  while (out.size() < 8) out.emplace_back("");
  return out;
}

// The stand-in for a string: "x" (empty stays empty, so the document keeps its shape).
std::string Plain(const std::string& s, bool plain) {
  if (!plain) return s;
  return s.empty() ? "" : "x";
}

tq::report::Document Build(const std::vector<std::string>& p, bool plain) {
  auto s = [&](size_t i) { return Plain(p[i % p.size()], plain); };
  tq::report::Document d;
  d.title = s(0);
  using B = tq::report::Block;
  B h;
  h.kind = B::kHeading;
  h.items = {s(1)};
  B para;
  para.items = {s(2)};
  B list;
  list.kind = B::kList;
  list.items = {s(3), s(4)};
  B table;
  table.kind = B::kTable;
  table.items = {s(5), s(6)};
  for (size_t i = 7; i < std::min<size_t>(p.size(), 40); i += 2)
    table.rows.push_back({s(i), s(i + 1)});
  d.blocks = {h, para, list, table};
  return d;
}

size_t Count(const std::string& s, char c) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), c));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> p = Pieces(in);
  std::string html = tq::report::RenderHtml(Build(p, false));
  std::string plain = tq::report::RenderHtml(Build(p, true));
  if (Count(html, '<') != Count(plain, '<')) __builtin_trap();
  (void)tq::report::RenderMarkdown(Build(p, false));

  // The same strings through a real case: a finding as a component would record it, the
  // report built from it, and again with every string a stand-in.
  static tq::fuzz::TempCase tc = tq::fuzz::NewTempCase("report");
  size_t marks[2] = {0, 0};
  for (int plain_run = 0; plain_run < 2; ++plain_run) {
    tq::Db& db = tc.c->db();
    if (!db.Exec("DELETE FROM findings").ok()) __builtin_trap();
    tq::Finding f;
    f.kind = "log.rule_hit";
    f.component = "logs";
    f.severity = tq::Severity::kHigh;
    f.summary = Plain(p[0], plain_run);
    f.rule = Plain(p[1], plain_run);
    f.dedupe_key = "fuzz";
    tq::JsonWriter w;
    w.BeginObject()
        .Field("target", Plain(p[2], plain_run))
        .Field("client", Plain(p[3], plain_run))
        .Field("user_agent", Plain(p[4], plain_run))
        .EndObject();
    f.detail_json = w.str();
    if (!tq::UpsertFinding(db, f).ok()) __builtin_trap();
    auto doc = tq::report::BuildInternal(*tc.c);
    if (!doc.ok()) __builtin_trap();  // the case's own content must always make a report
    marks[plain_run] = Count(tq::report::RenderHtml(*doc), '<');
  }
  if (marks[0] != marks[1]) __builtin_trap();  // attacker markup reached the page
  return 0;
}
