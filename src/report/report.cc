// The post-mortem and public documents: see report.h.
#include "report/report.h"

#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/escape.h"
#include "core/sha256.h"
#include "notify/statement.h"
#include "report/appendix.h"
#include "report/story.h"
#include "report/timeline.h"

namespace tq::report {
namespace {

constexpr Migration kMigrations[] = {{1, R"sql(
CREATE TABLE report_document (
  id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  audience TEXT NOT NULL,
  format TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  written_at INTEGER NOT NULL
);
)sql"}};

std::string JText(const std::string& json, const char* key) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  std::string_view v;
  if (p.parse(json).get(doc) || doc[key].get(v)) return "";
  return RecoverJsonBytes(v);
}

Block H(std::string text, int level = 2) {
  Block b;
  b.kind = Block::kHeading;
  b.level = level;
  b.items = {std::move(text)};
  return b;
}
Block P(std::string text) {
  Block b;
  b.items = {std::move(text)};
  return b;
}
Block L(std::vector<std::string> items) {
  Block b;
  b.kind = Block::kList;
  b.items = std::move(items);
  return b;
}

// What the case knows, read once.
struct Facts {
  CaseInfo info;
  std::vector<Finding> findings;
  std::vector<std::pair<std::string, std::string>> attackers;  // label, addresses
  std::vector<std::string> addresses;
  std::string technique, cve, platform, version, fixed;
  std::optional<UnixMicros> first, last;
  std::optional<UnixMicros> skim_start, skim_end;
  int64_t exfil = 0, bytes = 0, affected = -1;
  std::vector<std::tuple<std::string, std::string, int64_t>> counts;  // jurisdiction, cat, n
  std::set<std::string> categories;
  std::vector<Task> tasks;
  std::vector<std::pair<std::string, std::string>> root_causes;  // factor, process failure
  std::vector<std::pair<std::string, std::string>> actions;      // action, owner
  bool rogue_admin = false, webshell = false, secrets_file = false;
};

Result<Facts> Load(Case& c) {
  Db& db = c.db();
  Facts f;
  TQ_ASSIGN_OR_RETURN(f.info, c.Info());
  TQ_ASSIGN_OR_RETURN(f.findings, ListFindings(db));
  TQ_ASSIGN_OR_RETURN(f.tasks, ListTasks(db));
  if (TableExists(db, "attackers")) {
    TQ_ASSIGN_OR_RETURN(
        Stmt st,
        // The label with what the analysis says of the actor (role, campaign, what it
        // achieved), kept as the first reasons.
        db.Prepare("SELECT a.label || coalesce(' (' || (SELECT group_concat(substr(value,"
                   "instr(value,': ')+2),'; ') FROM json_each(CASE WHEN json_valid(a.reasons) THEN "
                   "a.reasons "
                   "ELSE '[]' END) WHERE value GLOB "
                   "'role: *' OR value GLOB 'campaign: *' OR value GLOB 'achieved: *') || ')', ''),"
                   " group_concat(x.address, ' '), min(a.first_seen), "
                   "max(a.last_seen) FROM "
                   "attackers a LEFT JOIN attacker_addresses x ON x.attacker_id=a.id GROUP BY a.id "
                   // By rank (attacker-1 achieved most), not as text (attacker-10 < attacker-2).
                   "ORDER BY CASE WHEN a.label GLOB 'attacker-[0-9]*' THEN CAST(substr(a.label,10) "
                   "AS INTEGER) ELSE 1000000000 END, a.label"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      f.attackers.emplace_back(st.String(0), st.String(1));
      UnixMicros a = st.Int(2), b = st.Int(3);
      if (!f.first || a < *f.first) f.first = a;
      if (!f.last || b > *f.last) f.last = b;
    }
    TQ_ASSIGN_OR_RETURN(Stmt ad, db.Prepare("SELECT DISTINCT address FROM attacker_addresses"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, ad.Step());
      if (!row) break;
      f.addresses.push_back(ad.String(0));
    }
  }
  if (TableExists(db, "webroot_platform")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT platform,version,fixed_version FROM "
                                            "webroot_platform ORDER BY id LIMIT 1"));
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) f.platform = st.String(0), f.version = st.String(1), f.fixed = st.String(2);
  }
  if (f.platform.empty()) f.platform = f.info.platform;
  for (const Finding& x : f.findings) {
    if (x.kind == "analysis.entry_vector") {
      f.technique = JText(x.detail_json, "technique");
      f.cve = JText(x.detail_json, "cve");
    } else if (x.kind == "analysis.exfiltration") {
      ++f.exfil;
    } else if (x.kind == "analysis.skimmer_window") {
      std::string s = JText(x.detail_json, "start"), e = JText(x.detail_json, "end");
      auto a = ParseIso8601(s, c.Zone());
      if (a.ok()) f.skim_start = *a;
      auto b = ParseIso8601(e, c.Zone());
      if (b.ok()) f.skim_end = *b;
    } else if (x.kind == "storedb.rogue_admin") {
      f.rogue_admin = true;
    } else if (x.kind == "webroot.yara" || x.kind == "webroot.misplaced_php" ||
               x.kind == "webroot.disguised_php") {
      f.webshell = true;
    } else if (x.kind == "webroot.advisory" && f.cve.empty()) {
      f.cve = JText(x.detail_json, "cve");
    }
  }
  if (TableExists(db, "attackers")) {
    auto n = db.QueryInt("SELECT coalesce(sum(bytes_sent),0) FROM attackers");
    (void)n;
  }
  for (const Finding& x : f.findings)
    if (x.kind == "analysis.attacker") {
      simdjson::dom::parser p;
      simdjson::dom::element doc;
      int64_t b = 0;
      if (!p.parse(x.detail_json).get(doc) && !doc["bytes_sent"].get(b)) f.bytes += b;
    }
  if (TableExists(db, "scope_person")) {
    TQ_ASSIGN_OR_RETURN(f.affected, db.QueryInt("SELECT count(*) FROM scope_person"));
  }
  if (TableExists(db, "scope_count")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT jurisdiction,category,people FROM "
                                            "scope_count ORDER BY jurisdiction,category"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      f.counts.emplace_back(st.String(0), st.String(1), st.Int(2));
      f.categories.insert(st.String(1));
    }
  }
  if (f.categories.empty() && TableExists(db, "storedb_pii_column")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT DISTINCT category FROM storedb_pii_column"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      f.categories.insert(st.String(0));
    }
  }
  if (f.skim_start) f.categories.insert("payment_card");
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> web, ListEvidence(db, "webroot"));
  for (const EvidenceItem& i : web)
    if (i.original_path.ends_with("app/etc/env.php") || i.original_path.ends_with("wp-config.php"))
      f.secrets_file = true;
  // Root causes and action items: the task force's when recorded, else from the findings.
  if (TableExists(db, "taskforce_postmortem")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT p.factor,p.process_failure,"
                                            "coalesce(a.action,''),coalesce(a.owner,'') FROM "
                                            "taskforce_postmortem p LEFT JOIN "
                                            "taskforce_action_item a ON a.postmortem_id=p.id "
                                            "ORDER BY p.id,a.id"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::pair<std::string, std::string> rc{st.String(0), st.String(1)};
      if (f.root_causes.empty() || f.root_causes.back() != rc) f.root_causes.push_back(rc);
      if (!st.String(2).empty()) f.actions.emplace_back(st.String(2), st.String(3));
    }
  }
  if (f.root_causes.empty()) {
    if (!f.cve.empty() || !f.fixed.empty())
      f.root_causes.emplace_back(
          "Out-of-date platform (" + f.platform + " " + f.version +
              (f.cve.empty() ? "" : ", " + f.cve) +
              (f.fixed.empty() ? "" : ", fixed in " + f.fixed) + ")",
          "Security releases were not applied within days of publication: no patch process "
          "with an owner and a deadline.");
    if (f.rogue_admin)
      f.root_causes.emplace_back("No second factor on admin accounts",
                                 "An admin login needed only a password; 2FA was not required.");
    if (f.secrets_file)
      f.root_causes.emplace_back("Secrets in reach of the web root",
                                 "Configuration with keys and passwords was readable by code "
                                 "the web server runs.");
    f.root_causes.emplace_back("No file integrity monitoring",
                               "Planted or changed files in the web root raised no alert.");
    f.root_causes.emplace_back("Late detection",
                               "The breach was found from outside, not by our own monitoring.");
  }
  if (f.actions.empty()) {
    f.actions = {{"Subscribe to the platform's security advisories; patch within 72 hours",
                  "platform owner"},
                 {"Enforce 2FA for every admin account", "platform owner"},
                 {"Move secrets out of the web root's reach; config files 0440", "operations"},
                 {"File integrity monitoring on the web root with alerting", "operations"},
                 {"Alert on new admin accounts and on payment configuration changes", "security"}};
  }
  return f;
}

// The timeline: a picture on a real time axis and, for every reader, the table of the same
// events (the Markdown's only form of it).
constexpr size_t kTimelineEvents = 100;
// The full list of findings, beside the internal report (linked from its appendix).
constexpr const char* kFindingsCsv = "postmortem-internal-findings.csv";

Result<std::vector<Block>> TimelineBlocks(Case& c) {
  TQ_ASSIGN_OR_RETURN(AttackTimeline t, SelectTimeline(c.db(), kTimelineEvents));
  std::vector<Block> out;
  if (t.events.empty()) {
    out.push_back(P("No timeline yet: run `tourniquet investigate`."));
    return out;
  }
  std::string caption = std::to_string(t.events.size()) + " of " + std::to_string(t.considered) +
                        " timeline events, picked by significance (findings by severity, each "
                        "actor's first and last action, what changed in its behaviour)";
  if (!t.phases.empty()) {
    caption += "; phases: ";
    for (size_t i = 0; i < t.phases.size(); ++i)
      caption += (i ? ", " : "") + std::string(PhaseName(t.phases[i].first)) + " from " +
                 ShortUtc(t.phases[i].second);
  }
  if (t.outside)
    caption += "; " + std::to_string(t.outside) +
               " outside the attack window (a file's claimed time, or when the evidence was "
               "copied) are in the table, not the picture";
  Block svg;
  svg.kind = Block::kSvg;
  svg.svg = TimelineSvg(t);
  svg.items = {caption + "."};
  out.push_back(std::move(svg));
  Block table;
  table.kind = Block::kTable;
  table.items = {"#", "Time (UTC)", "Actor", "Phase", "Event", "Evidence"};
  for (size_t i = 0; i < t.events.size(); ++i) {
    const TimelineEvent& e = t.events[i];
    table.rows.push_back({std::to_string(i + 1), ShortUtc(e.time) + (e.outside ? " (outside)" : ""),
                          e.lane, std::string(PhaseName(e.phase)), e.text, e.evidence});
  }
  out.push_back(std::move(table));
  return out;
}

}  // namespace

std::string EscapeMarkdown(std::string_view raw) {
  std::string flat(raw);
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  std::replace(flat.begin(), flat.end(), '\r', ' ');
  std::string in = EscapeTerminal(flat), out;
  for (char ch : in) {
    if (ch == '<')
      out += "&lt;";
    else if (ch == '>')
      out += "&gt;";
    else if (ch == '&')
      out += "&amp;";
    else if (ch == '\n' || ch == '\r')
      out += ' ';
    else if (std::string_view("\\`*_[]|#!").find(ch) != std::string_view::npos)
      out += "\\" + std::string(1, ch);
    else
      out += ch;
  }
  return out;
}

std::string RenderMarkdown(const Document& d) {
  std::string out = "# " + EscapeMarkdown(d.title) + "\n";
  for (const Block& b : d.blocks) {
    out += "\n";
    switch (b.kind) {
      case Block::kHeading:
        out += std::string(b.level, '#') + " " + EscapeMarkdown(b.items[0]) + "\n";
        break;
      case Block::kParagraph:
        out += EscapeMarkdown(b.items[0]);
        if (!b.href.empty()) out += " [" + EscapeMarkdown(b.href) + "](" + b.href + ")";
        out += "\n";
        break;
      case Block::kList:
        for (const auto& i : b.items) out += "- " + EscapeMarkdown(i) + "\n";
        break;
      case Block::kTable: {
        out += "|";
        for (const auto& i : b.items) out += " " + EscapeMarkdown(i) + " |";
        out += "\n|";
        for (size_t i = 0; i < b.items.size(); ++i) out += " --- |";
        out += "\n";
        for (const auto& r : b.rows) {
          out += "|";
          for (const auto& cell : r) out += " " + EscapeMarkdown(cell) + " |";
          out += "\n";
        }
        break;
      }
      case Block::kSvg:  // the table that follows carries what it shows
        out += EscapeMarkdown(b.items.empty() ? "" : b.items[0]) + "\n";
        break;
    }
  }
  return out;
}

std::string RenderHtml(const Document& d) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\"><title>" +
      EscapeHtml(d.title) +
      "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
      "line-height:1.45}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em "
      ".5em;text-align:left;word-break:break-all}</style></head><body>\n<h1>" +
      EscapeHtml(d.title) + "</h1>\n";
  for (const Block& b : d.blocks) {
    switch (b.kind) {
      case Block::kHeading: {
        std::string l = std::to_string(std::clamp(b.level, 2, 4));
        out += "<h" + l + ">" + EscapeHtml(b.items[0]) + "</h" + l + ">\n";
        break;
      }
      case Block::kParagraph:
        out += "<p>" + EscapeHtml(b.items[0]);
        if (!b.href.empty())
          out += " <a href=\"" + EscapeHtml(b.href) + "\">" + EscapeHtml(b.href) + "</a>";
        out += "</p>\n";
        break;
      case Block::kList:
        out += "<ul>\n";
        for (const auto& i : b.items) out += "<li>" + EscapeHtml(i) + "</li>\n";
        out += "</ul>\n";
        break;
      case Block::kTable:
        out += "<table><tr>";
        for (const auto& i : b.items) out += "<th>" + EscapeHtml(i) + "</th>";
        out += "</tr>\n";
        for (const auto& r : b.rows) {
          out += "<tr>";
          for (const auto& cell : r) out += "<td>" + EscapeHtml(cell) + "</td>";
          out += "</tr>\n";
        }
        out += "</table>\n";
        break;
      case Block::kSvg:
        out += "<figure style=\"margin:0;overflow-x:auto\">" + b.svg + "<figcaption>" +
               EscapeHtml(b.items.empty() ? "" : b.items[0]) + "</figcaption></figure>\n";
        break;
    }
  }
  return out + "</body></html>\n";
}

Result<Document> BuildInternal(Case& c) {
  TQ_ASSIGN_OR_RETURN(Facts f, Load(c));
  Document d;
  d.title = "Internal post-mortem: " + f.info.name;
  // The story first (entry, foothold, persistence, theft, impact), as the web UI tells it.
  TQ_ASSIGN_OR_RETURN(Story story, BuildStory(c.db()));
  for (Block& b : StoryBlocks(story)) d.blocks.push_back(std::move(b));
  d.blocks.push_back(H("Summary"));
  std::string win = f.first ? FormatUtc(*f.first) + " to " + FormatUtc(*f.last) : "unknown";
  d.blocks.push_back(L({"Store: " + f.info.store_url + " (" + f.platform + " " + f.version + ")",
                        "Attack window: " + win,
                        "Discovered: " + (f.info.discovered_at ? FormatUtc(*f.info.discovered_at)
                                                               : std::string("unknown")),
                        "Attackers: " + std::to_string(f.attackers.size()) + " (" +
                            std::to_string(f.addresses.size()) + " addresses)",
                        "Affected people: " + (f.affected >= 0 ? std::to_string(f.affected)
                                                               : std::string("scope not run"))}));
  d.blocks.push_back(H("Timeline"));
  TQ_ASSIGN_OR_RETURN(std::vector<Block> timeline, TimelineBlocks(c));
  for (Block& b : timeline) d.blocks.push_back(std::move(b));
  d.blocks.push_back(H("Entry vector"));
  std::vector<std::string> entry;
  for (const Finding& x : f.findings)
    if (x.kind == "analysis.entry_vector") entry.push_back(x.summary);
  if (entry.empty()) entry.push_back("not established");
  d.blocks.push_back(L(entry));
  d.blocks.push_back(H("What was taken"));
  std::vector<std::string> taken;
  for (const Finding& x : f.findings)
    if (x.kind == "analysis.exfiltration" || x.kind == "analysis.skimmer_window" ||
        x.kind == "storedb.injected_script")
      taken.push_back(x.summary);
  taken.push_back("Bytes sent to attacker addresses: " + std::to_string(f.bytes));
  d.blocks.push_back(L(taken));
  d.blocks.push_back(H("Who is affected"));
  Block t;
  t.kind = Block::kTable;
  t.items = {"Jurisdiction", "Category", "People"};
  for (auto& [j, cat, n] : f.counts) t.rows.push_back({j, cat, std::to_string(n)});
  if (t.rows.empty())
    d.blocks.push_back(P("No scope yet: run `tourniquet scope`."));
  else
    d.blocks.push_back(t);
  d.blocks.push_back(H("Containment"));
  Block tasks;
  tasks.kind = Block::kTable;
  tasks.items = {"Task", "Status", "Owner"};
  for (const Task& x : f.tasks)
    tasks.rows.push_back({x.title, std::string(TaskStatusName(x.status)), x.owner});
  if (tasks.rows.empty())
    d.blocks.push_back(P("No containment plan yet: run `tourniquet contain`."));
  else
    d.blocks.push_back(tasks);
  d.blocks.push_back(H("Root causes (process failures)"));
  std::vector<std::string> rc;
  for (auto& [a, b] : f.root_causes) rc.push_back(a + ": " + b);
  d.blocks.push_back(L(rc));
  d.blocks.push_back(H("Action items (blameless)"));
  Block ai;
  ai.kind = Block::kTable;
  ai.items = {"Action", "Owner"};
  for (auto& [a, o] : f.actions) ai.rows.push_back({a, o});
  d.blocks.push_back(ai);
  d.blocks.push_back(H("Appendix: indicators"));
  TQ_ASSIGN_OR_RETURN(std::vector<Block> indicators, IndicatorBlocks(c.db(), kFindingsCsv));
  for (Block& b : indicators) d.blocks.push_back(std::move(b));
  d.blocks.push_back(H("Appendix: evidence hashes"));
  Block ev;
  ev.kind = Block::kTable;
  ev.items = {"Label", "Items", "Bytes"};
  auto st = c.db().Prepare("SELECT label,count(*),sum(size) FROM evidence_items GROUP BY label");
  if (st.ok())
    for (;;) {
      auto row = st->Step();
      if (!row.ok() || !*row) break;
      ev.rows.push_back({st->String(0), st->String(1), st->String(2)});
    }
  d.blocks.push_back(ev);
  d.blocks.push_back(
      P("Every collected item's SHA-256 is in the case's evidence manifest "
        "(`tourniquet verify` checks them)."));
  return d;
}

Result<Document> BuildPublic(Case& c, const std::string& kind) {
  // Every sentence comes from a case fact (notify/statement.h) and goes into the ledger; the
  // blocks are made of those sentences only, so the ledger covers the whole text.
  TQ_ASSIGN_OR_RETURN(notify::StatementFacts f, notify::LoadStatementFacts(c));
  Document d;
  auto para = [&](std::vector<notify::Claim> claims) {
    std::string text;
    for (notify::Claim& cl : claims) {
      text += (text.empty() ? "" : " ") + cl.text;
      d.claims.push_back(std::move(cl));
    }
    d.blocks.push_back(P(text));
  };
  auto list = [&](std::vector<notify::Claim> claims) {
    std::vector<std::string> items;
    for (notify::Claim& cl : claims) {
      items.push_back(cl.text);
      d.claims.push_back(std::move(cl));
    }
    d.blocks.push_back(L(items));
  };
  bool card = false, pw = false;
  notify::Claim card_basis, pw_basis;
  for (const auto& [cat, n] : f.categories) {
    notify::FactRef ref{"scope_count", 0, "category=" + cat, "people=" + std::to_string(n)};
    if (cat == "payment_card") card = true, card_basis.facts.push_back(ref);
    if (cat == "password_hash" || cat == "account_credentials")
      pw = true, pw_basis.facts.push_back(ref);
  }
  std::vector<notify::Claim> customer_steps;
  if (card)
    customer_steps.push_back(
        {"Check your card statements and ask your bank to replace the card "
         "if you see payments you do not recognise.",
         card_basis.facts});
  if (pw)
    customer_steps.push_back(
        {"Change your password for our store and anywhere you used the same one.", pw_basis.facts});
  customer_steps.push_back(
      {"Be wary of e-mails or calls that claim to be from us and ask for "
       "payment or passwords: we will never ask for them.",
       {}});
  std::vector<notify::Claim> measures = notify::MeasureClaims(f);
  std::optional<notify::Claim> authorities = notify::AuthoritiesClaim(f);
  if (kind == "notice") {
    d.title = "Security incident notice";
    d.blocks.push_back(H("What we know so far"));
    para({notify::WindowClaim(f), notify::EntryClaim(f)});
    if (!measures.empty()) {
      d.blocks.push_back(H("What we have done so far"));
      list(measures);
    }
    d.blocks.push_back(H("What data is involved"));
    list(notify::CategoryClaims(f));
    para({notify::PeopleToldClaim(f), {"Our investigation continues.", {}}});
    d.blocks.push_back(H("What you should do"));
    list(customer_steps);
    d.blocks.push_back(H("What happens next"));
    std::vector<notify::Claim> next;
    if (authorities) next.push_back(*authorities);
    next.push_back({"We will publish a full account of what happened and what we changed.", {}});
    next.push_back({"Questions: reply to our notification letter or contact our support.", {}});
    list(next);
  } else {
    d.title = "What happened, and what we changed";
    d.blocks.push_back(H("How it happened"));
    std::vector<notify::Claim> how = {notify::EntryClaim(f)};
    for (notify::Claim& cl : notify::AfterEntryClaims(f)) how.push_back(std::move(cl));
    how.push_back(notify::WindowClaim(f));
    para(std::move(how));
    d.blocks.push_back(H("Which data was taken"));
    list(notify::CategoryClaims(f));
    std::vector<notify::Claim> told = {notify::PeopleToldClaim(f)};
    if (authorities) told.push_back(*authorities);
    para(std::move(told));
    d.blocks.push_back(H("What we have done and are doing"));
    if (measures.empty())
      measures.push_back(
          {"[to confirm: the containment and remediation steps: no plan is "
           "recorded yet]",
           {}});
    list(measures);
    d.blocks.push_back(H("What you should do"));
    list(customer_steps);
  }
  std::string all;
  for (const notify::Claim& cl : d.claims) all += cl.text + "\n";
  d.open_markers = notify::OpenMarkers(all);
  if (!d.open_markers.empty())
    d.blocks.insert(d.blocks.begin(),
                    P("DRAFT: not for publication while facts below are marked to confirm."));
  return d;
}

Result<std::vector<Written>> WriteReports(
    Case& c, Db& db, const std::string& which,
    const std::function<void(std::string_view, int, int)>& progress) {
  TQ_RETURN_IF_ERROR(c.EnsureSchema("report", kMigrations));
  std::vector<Written> out;
  std::error_code ec;
  std::filesystem::create_directories(c.ReportsDir(), ec);
  if (ec) return Status::FromErrno(c.ReportsDir(), ec.value());
  std::vector<std::pair<std::string, std::string>> docs;  // name, kind
  if (which.empty() || which == "internal") docs.emplace_back("postmortem-internal", "internal");
  if (which.empty() || which == "notice") docs.emplace_back("public-notice", "notice");
  if (which.empty() || which == "postmortem") docs.emplace_back("public-postmortem", "postmortem");
  if (docs.empty()) return Status::Usage("unknown document " + which);
  int done = 0;
  for (auto& [name, kind] : docs) {
    if (progress) progress(name, done++, static_cast<int>(docs.size()));
    Result<Document> d = kind == "internal" ? BuildInternal(c) : BuildPublic(c, kind);
    if (!d.ok()) return d.status();
    if (kind != "internal") {
      // The claims ledger: each sentence with the case rows it was built from.
      std::string path = c.ReportsDir() + "/" + name + ".claims.json";
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f << notify::ClaimsLedgerJson(name, d->claims);
      f.close();
      if (!f) return Status::Io(path + ": write failed");
    }
    // Named outside the lambda: clang 14 (the fuzz build) cannot capture a structured binding.
    const std::string audience = kind == "internal" ? "internal" : "public";
    auto record = [&](const std::string& file, const std::string& ext, const std::string& sha,
                      uint64_t bytes) -> Status {
      TQ_ASSIGN_OR_RETURN(
          Stmt st,
          db.Prepare(
              "INSERT INTO report_document(name,audience,format,path,sha256,bytes,written_at) "
              "VALUES(?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET path=excluded.path,"
              "sha256=excluded.sha256,bytes=excluded.bytes,written_at=excluded.written_at"));
      st.Bind(1, file).Bind(2, audience);
      st.Bind(3, ext).Bind(4, "reports/" + file).Bind(5, sha);
      st.Bind(6, bytes).Bind(7, NowMicros());
      TQ_RETURN_IF_ERROR(st.Run());
      out.push_back({file, c.ReportsDir() + "/" + file, d->open_markers});
      return Status::Ok();
    };
    for (auto [ext, text] : {std::pair<std::string, std::string>{"md", RenderMarkdown(*d)},
                             {"html", RenderHtml(*d)}}) {
      std::string path = c.ReportsDir() + "/" + name + "." + ext;
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f << text;
      f.close();
      if (!f) return Status::Io(path + ": write failed");
      TQ_RETURN_IF_ERROR(record(name + "." + ext, ext, Sha256Hex(text), text.size()));
    }
    if (kind == "internal") {
      // Every finding, linked from the appendix (which lists only the indicators). Not a
      // report_document row: that table holds the documents themselves (md, html).
      std::string path = c.ReportsDir() + "/" + kFindingsCsv;
      TQ_RETURN_IF_ERROR(WriteFindingsCsv(db, path).status());
      out.push_back({kFindingsCsv, path, {}});
    }
  }
  return out;
}

}  // namespace tq::report
