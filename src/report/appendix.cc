// The internal post-mortem's appendix and the findings CSV. See appendix.h.
#include "report/appendix.h"

#include <simdjson.h>

#include <fstream>
#include <map>

#include "core/escape.h"
#include "report/timeline.h"

namespace tq::report {
namespace {

std::string JsonText(simdjson::dom::parser& p, const std::string& json, const char* key) {
  simdjson::dom::element doc;
  std::string_view v;
  if (p.parse(json).get(doc) || doc[key].get(v)) return "";
  return RecoverJsonBytes(v);
}

std::string Basename(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Block Heading(std::string text, int level) {
  Block b;
  b.kind = Block::kHeading;
  b.level = level;
  b.items = {std::move(text)};
  return b;
}

Block Para(std::string text, std::string href = "") {
  Block b;
  b.items = {std::move(text)};
  b.href = std::move(href);
  return b;
}

// One group of indicators: which findings, and how a row reads.
struct Group {
  const char* title;
  const char* where;  // SQL condition on f (findings) rated high or critical
};

// Kinds named here are the components' own finding kinds (what they detect, by technique).
constexpr Group kGroups[] = {
    {"Entry",
     "f.kind='analysis.entry_vector' OR (f.kind='storedb.injected_script' AND "
     "json_extract(f.detail,'$.technique')='template_injection')"},
    {"Planted and changed files",
     "f.component='webroot' AND f.kind NOT IN ('webroot.dump','webroot.advisory',"
     "'webroot.platform')"},
    {"Backdoor accounts and persistence",
     "f.kind IN ('storedb.rogue_admin','storedb.token','storedb.admin_session',"
     "'storedb.cron_job','storedb.config_change','storedb.active_plugin') OR f.component='host'"},
    {"Data taken",
     "(f.kind='analysis.exfiltration' AND json_extract(f.detail,'$.kind')!='webshell_response') "
     "OR f.kind IN ('analysis.skimmer_window','webroot.dump') OR (f.kind="
     "'storedb.injected_script' AND coalesce(json_extract(f.detail,'$.technique'),'')!="
     "'template_injection')"},
    {"Webshell use",
     "f.kind='analysis.exfiltration' AND "
     "json_extract(f.detail,'$.kind')='webshell_response'"},
};

}  // namespace

Result<std::vector<Block>> IndicatorBlocks(Db& db, const std::string& csv_name) {
  std::vector<Block> out;
  simdjson::dom::parser parser;
  // The actors: every address of each (the containment blocklists are made from these).
  Block actors;
  actors.kind = Block::kTable;
  actors.items = {"Actor", "Role", "Seen", "Achieved", "Addresses"};
  if (TableExists(db, "attackers")) {
    TQ_ASSIGN_OR_RETURN(
        Stmt st, db.Prepare("SELECT a.id,a.label,a.first_seen,a.last_seen,coalesce(f.detail,'{}'),"
                            "(SELECT count(*) FROM attacker_addresses x WHERE x.attacker_id=a.id) "
                            "FROM attackers a LEFT JOIN findings f ON f.kind='analysis.attacker' "
                            "AND f.dedupe_key='analysis.attacker:' || a.label ORDER BY CASE WHEN "
                            "a.label GLOB 'attacker-[0-9]*' THEN CAST(substr(a.label,10) AS "
                            "INTEGER) ELSE 1000000000 END, a.label"));
    TQ_ASSIGN_OR_RETURN(Stmt addr, db.Prepare("SELECT address FROM attacker_addresses WHERE "
                                              "attacker_id=? ORDER BY address LIMIT ?"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::string detail = st.String(4);
      int64_t n = st.Int(5);
      std::string role = JsonText(parser, detail, "role"),
                  summary = JsonText(parser, detail, "summary");
      std::string achieved;
      simdjson::dom::element doc;
      simdjson::dom::array arr;
      if (!parser.parse(detail).get(doc) && !doc["achieved"].get(arr))
        for (simdjson::dom::element x : arr) {
          std::string_view v;
          if (!x.get(v)) achieved += (achieved.empty() ? "" : ", ") + RecoverJsonBytes(v);
        }
      addr.Bind(1, st.Int(0)).Bind(2, static_cast<int64_t>(kIndicatorRows));
      std::string list;
      for (;;) {
        TQ_ASSIGN_OR_RETURN(bool a, addr.Step());
        if (!a) break;
        list += (list.empty() ? "" : " ") + addr.String(0);
      }
      TQ_RETURN_IF_ERROR(addr.Reset());
      if (n > static_cast<int64_t>(kIndicatorRows))
        list += " (and " + std::to_string(n - static_cast<int64_t>(kIndicatorRows)) +
                " more: `tourniquet contain` writes them all to the blocklists)";
      actors.rows.push_back({st.String(1), role + (summary.empty() ? "" : ": " + summary),
                             (st.IsNull(2) ? "" : ShortUtc(st.Int(2))) + " to " +
                                 (st.IsNull(3) ? "" : ShortUtc(st.Int(3))),
                             achieved.empty() ? "-" : achieved, list});
    }
  }
  out.push_back(Heading("Attackers", 3));
  if (actors.rows.empty())
    out.push_back(Para("No attacker established."));
  else
    out.push_back(std::move(actors));
  for (const Group& g : kGroups) {
    Block t;
    t.kind = Block::kTable;
    t.items = {"Finding", "Time (UTC)", "Indicator", "Evidence"};
    TQ_ASSIGN_OR_RETURN(
        Stmt st,
        db.Prepare("SELECT f.id,f.event_time,f.summary,CAST(i.original_path AS TEXT),f.line,"
                   "f.detail,(SELECT count(*) FROM findings f WHERE f.severity IN "
                   "('high','critical') AND (" +
                   std::string(g.where) +
                   ")) FROM findings f LEFT JOIN evidence_items i ON i.id=f.evidence_id WHERE "
                   "f.severity IN ('high','critical') AND (" +
                   g.where + ") ORDER BY f.event_time IS NULL, f.event_time, f.id LIMIT ?"));
    st.Bind(1, static_cast<int64_t>(kIndicatorRows));
    int64_t total = 0;
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      total = st.Int(6);
      std::string evidence = JsonText(parser, st.String(5), "path");
      if (evidence.empty()) evidence = Basename(st.Text(3));
      if (!st.IsNull(4)) evidence += ":" + std::to_string(st.Int(4));
      t.rows.push_back({std::to_string(st.Int(0)), st.IsNull(1) ? "" : ShortUtc(st.Int(1)),
                        std::string(Excerpt(st.Text(2), 300)), evidence});
    }
    if (t.rows.empty()) continue;
    out.push_back(Heading(g.title, 3));
    out.push_back(std::move(t));
    if (total > static_cast<int64_t>(kIndicatorRows))
      out.push_back(Para("The first " + std::to_string(kIndicatorRows) + " of " +
                         std::to_string(total) + ": the rest are in the findings CSV."));
  }
  TQ_ASSIGN_OR_RETURN(int64_t all, db.QueryInt("SELECT count(*) FROM findings"));
  out.push_back(Heading("All findings", 3));
  out.push_back(Para("All " + std::to_string(all) +
                         " findings (every severity, with their evidence line and detail) are "
                         "in the CSV beside this report:",
                     csv_name));
  return out;
}

Result<int64_t> WriteFindingsCsv(Db& db, const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::Io(path + ": cannot write");
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare("SELECT f.id,f.event_time,f.severity,f.triage,f.kind,f.component,"
                          "f.confidence,f.summary,f.rule,CAST(i.original_path AS TEXT),f.line,"
                          "f.byte_offset,f.evidence_sha256,f.detail FROM findings f LEFT JOIN "
                          "evidence_items i ON i.id=f.evidence_id ORDER BY f.id"));
  std::string buf =
      "id,time_utc,severity,triage,kind,component,confidence,summary,rule,evidence_path,line,"
      "byte_offset,evidence_sha256,detail_json\r\n";
  int64_t rows = 0;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    for (int col = 0; col < 14; ++col) {
      if (col) buf += ',';
      if (st.IsNull(col)) continue;
      if (col == 1)
        AppendCsvField(FormatUtc(st.Int(col)), &buf);
      else
        AppendCsvField(st.Text(col), &buf);
    }
    buf += "\r\n";
    ++rows;
    if (buf.size() > (1 << 20)) {
      f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  f.close();
  if (!f) return Status::Io(path + ": write failed");
  return rows;
}

}  // namespace tq::report
