// The host stage: every collected host file (label "host") and the web root's .user.ini and
// .htaccess files, classified by path, parsed by their kind's reader and turned into host.*
// findings (host.h). One transaction; what an earlier run found and this one did not is
// removed (unless a task points at it), so a rerun with --known-keys drops the keys now known.
#include <fstream>
#include <set>
#include <sstream>

#include "core/json.h"
#include "evidence/evidence.h"
#include "host/host.h"

namespace tq::host {
namespace {

bool IsUnset(std::string_view v) {
  return v.empty() || v == "none" || v == "None" || v == "NONE" || v == "\"\"" || v == "''";
}

std::string Snippet(std::string_view s) {
  return std::string(s.substr(0, 300)) + (s.size() > 300 ? "..." : "");
}

struct Collector {
  std::vector<Finding> findings;

  Finding& Add(const EvidenceItem& item, std::string kind, Severity sev, uint64_t line,
               std::string summary, std::string detail, std::string key) {
    Finding f;
    f.kind = std::move(kind);
    f.component = "host";
    f.severity = sev;
    f.confidence = sev >= Severity::kHigh ? 0.8 : 0.5;
    f.summary = std::move(summary);
    f.detail_json = std::move(detail);
    f.evidence_id = item.id;
    f.evidence_sha256 = item.sha256;
    if (line) f.line = static_cast<int64_t>(line);
    // A configuration line has no time of its own; its file's modification time, as
    // collected, is when it was last written (a crontab is rewritten whole by crontab -e).
    if (item.mtime_ns > 0) f.event_time = item.mtime_ns / 1000;
    f.dedupe_key = f.kind + ":" + item.original_path + ":" + std::to_string(line) + ":" + key;
    findings.push_back(std::move(f));
    return findings.back();
  }
};

void Reasons(JsonWriter& w, const CommandVerdict& v) {
  w.Key("reasons").BeginArray();
  for (const std::string& r : v.reasons) w.String(r);
  w.EndArray().Field("technique", v.technique);
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

}  // namespace

Result<Report> InvestigateHost(Case& c, const Options& options) {
  Report rep;
  std::set<std::string> known;
  bool have_known = !options.known_keys_path.empty();
  if (have_known) {
    std::ifstream in(options.known_keys_path, std::ios::binary);
    if (!in) return Status::FromErrno(options.known_keys_path, errno);
    std::stringstream ss;
    ss << in.rdbuf();
    for (std::string& fp : KnownFingerprints(ss.str())) known.insert(std::move(fp));
    if (known.empty())
      return Status::BadInput(options.known_keys_path +
                              ": no key or SHA256 fingerprint found in the known-keys file");
  }

  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, evidence::FilesForLabel(c, "host"));
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> web, evidence::FilesForLabel(c, "webroot"));
  for (EvidenceItem& w : web) {
    FileKind k = ClassifyPath(w.original_path);
    if (k == FileKind::kHtaccess || k == FileKind::kPhpIni) items.push_back(std::move(w));
  }

  Collector col;
  for (const EvidenceItem& item : items) {
    ++rep.files;
    FileKind kind = ClassifyPath(item.original_path);
    if (kind == FileKind::kOther) continue;
    Result<evidence::ObjectView> view = evidence::ObjectView::Open(c, item.sha256);
    if (!view.ok()) {
      rep.item_errors.push_back(
          Status(view.status().code(), item.original_path + ": " + view.status().message()));
      continue;
    }
    ++rep.read;
    std::string_view text = view->bytes();
    if (text.size() > options.max_file_bytes) {
      rep.item_errors.push_back(Status::BadInput(
          item.original_path + ": " + std::to_string(text.size()) + " bytes; read the first " +
          std::to_string(options.max_file_bytes) + " (--max-host-file-mb)"));
      text = text.substr(0, options.max_file_bytes);
    }
    // What a parser read and did not use: the first few of each reason with line and byte
    // offset, then how many in all.
    auto skipped = [&](const SkipTally& tally) {
      for (const auto& [reason, r] : tally) {
        for (const SkippedInput& e : r.examples) {
          SkippedInput named = e;
          named.source = item.original_path;
          rep.item_errors.push_back(Status::BadInput(named.ToString()));
        }
        if (r.count > r.examples.size())
          rep.item_errors.push_back(Status::BadInput(
              item.original_path + ": " + std::to_string(r.count - r.examples.size()) +
              " more: " + reason + " (" + std::to_string(r.count) + " in all, " +
              std::to_string(r.bytes) + " bytes)"));
      }
    };

    switch (kind) {
      case FileKind::kSystemCrontab:
      case FileKind::kUserCrontab: {
        CronFile cf = ParseCrontab(text, kind == FileKind::kSystemCrontab);
        skipped(cf.skipped);
        rep.cron_entries += static_cast<int64_t>(cf.entries.size());
        std::string user = cf.entries.empty() || kind == FileKind::kSystemCrontab
                               ? ""
                               : item.original_path.substr(item.original_path.rfind('/') + 1);
        for (const CronEntry& e : cf.entries) {
          CommandVerdict v = AnalyzeCommand(e.command);
          if (v.reasons.empty()) continue;
          std::string who = e.user.empty() ? user : e.user;
          JsonWriter w;
          w.BeginObject()
              .Field("path", item.original_path)
              .Field("line", e.line)
              .Field("schedule", e.schedule)
              .Field("user", who)
              .Field("command", Snippet(e.command));
          Reasons(w, v);
          w.EndObject();
          col.Add(item, "host.cron", v.severity, e.line,
                  "Cron entry (" + e.schedule + (who.empty() ? "" : ", as " + who) + ") that " +
                      Join(v.reasons) + ": " + Snippet(e.command),
                  w.Take(), e.command);
        }
        break;
      }
      case FileKind::kPhpIni:
      case FileKind::kFpmPool:
      case FileKind::kHtaccess:
      case FileKind::kApacheConf: {
        for (const PhpDirective& d : ParsePhpDirectives(text, kind)) {
          ++rep.php_directives;
          bool prepend = d.name == "auto_prepend_file" || d.name == "auto_append_file";
          bool url_include =
              d.name == "allow_url_include" &&
              (d.value == "1" || d.value == "on" || d.value == "On" || d.value == "true");
          if ((!prepend || IsUnset(d.value)) && !url_include) continue;
          JsonWriter w;
          w.BeginObject()
              .Field("path", item.original_path)
              .Field("line", d.line)
              .Field("directive", d.name)
              .Field("value", Snippet(d.value))
              .Field("file_kind", FileKindName(kind))
              .EndObject();
          col.Add(item, "host.php_prepend", prepend ? Severity::kHigh : Severity::kMedium, d.line,
                  prepend ? std::string(FileKindName(kind)) + " sets " + d.name + " = " +
                                Snippet(d.value) + ": PHP runs that file before every script"
                          : std::string(FileKindName(kind)) +
                                " turns on allow_url_include: PHP may include code from URLs",
                  w.Take(), d.name);
        }
        if (kind == FileKind::kFpmPool || kind == FileKind::kPhpIni) break;
        [[fallthrough]];
      }
      case FileKind::kNginxConf: {
        std::vector<WebConfIssue> issues =
            kind == FileKind::kNginxConf ? AnalyzeNginxConf(text) : AnalyzeApacheConf(text);
        for (const WebConfIssue& is : issues) {
          JsonWriter w;
          w.BeginObject()
              .Field("path", item.original_path)
              .Field("line", is.line)
              .Field("what", is.what)
              .Field("snippet", is.snippet)
              .EndObject();
          col.Add(item, "host.vhost_upload", Severity::kHigh, is.line,
                  std::string(FileKindName(kind)) + " " + is.what + ": " + is.snippet, w.Take(),
                  is.what);
        }
        break;
      }
      case FileKind::kAuthorizedKeys: {
        KeyFile kf = ParseAuthorizedKeys(text);
        skipped(kf.skipped);
        rep.keys += static_cast<int64_t>(kf.keys.size());
        for (const SshKey& k : kf.keys) {
          if (have_known && known.count(k.fingerprint)) continue;
          JsonWriter w;
          w.BeginObject()
              .Field("path", item.original_path)
              .Field("line", k.line)
              .Field("type", k.type)
              .Field("fingerprint", k.fingerprint)
              .Field("comment", k.comment)
              .Field("options", Snippet(k.options))
              .Field("known_keys_given", have_known)
              .EndObject();
          col.Add(item, "host.ssh_key", have_known ? Severity::kHigh : Severity::kLow, k.line,
                  (have_known ? "SSH key no responder knows: " : "SSH key to review: ") + k.type +
                      " " + k.fingerprint + (k.comment.empty() ? "" : " (" + k.comment + ")"),
                  w.Take(), k.fingerprint);
        }
        break;
      }
      case FileKind::kShellHistory:
      case FileKind::kMysqlHistory: {
        bool sql = kind == FileKind::kMysqlHistory;
        History h = sql ? ParseMysqlHistory(text, options.max_history_lines)
                        : ParseShellHistory(text, options.max_history_lines);
        skipped(h.skipped);  // past --max-history-lines, commands past 64 KiB
        rep.history_commands += static_cast<int64_t>(h.commands.size());
        for (const HistoryCommand& hc : h.commands) {
          CommandVerdict v = sql ? AnalyzeSqlStatement(hc.command) : AnalyzeCommand(hc.command);
          if (v.reasons.empty()) continue;
          JsonWriter w;
          w.BeginObject()
              .Field("path", item.original_path)
              .Field("line", hc.line)
              .Field("command", Snippet(hc.command));
          if (hc.time) w.Field("time", *hc.time);
          Reasons(w, v);
          w.EndObject();
          Finding& f = col.Add(item, "host.shell_history", v.severity, hc.line,
                               std::string(sql ? "MySQL" : "Shell") +
                                   " history: " + Join(v.reasons) + ": " + Snippet(hc.command),
                               w.Take(), hc.command);
          f.event_time = hc.time;
        }
        break;
      }
      case FileKind::kPsOutput: {
        ProcessListing ps = ParsePsOutput(text);
        skipped(ps.skipped);
        rep.processes += static_cast<int64_t>(ps.processes.size());
        for (const Process& p : ps.processes) {
          CommandVerdict v = AnalyzeProcess(p);
          if (v.reasons.empty()) continue;
          JsonWriter w;
          w.BeginObject()
              .Field("path", item.original_path)
              .Field("line", p.line)
              .Field("user", p.user)
              .Field("pid", p.pid)
              .Field("command", Snippet(p.command));
          Reasons(w, v);
          w.EndObject();
          col.Add(item, "host.process", v.severity, p.line,
                  "Process " + p.pid + " (" + p.user + ") that " + Join(v.reasons) + ": " +
                      Snippet(p.command),
                  w.Take(), p.command);
        }
        break;
      }
      case FileKind::kSocketOutput: {
        SocketListing socks = ParseSocketListing(text);
        skipped(socks.skipped);
        rep.sockets += static_cast<int64_t>(socks.sockets.size());
        for (const Socket& so : socks.sockets) {
          CommandVerdict v = AnalyzeSocket(so);
          if (v.reasons.empty()) continue;
          JsonWriter w;
          w.BeginObject()
              .Field("path", item.original_path)
              .Field("line", so.line)
              .Field("state", so.state)
              .Field("local", so.local)
              .Field("peer", so.peer)
              .Field("program", so.program);
          Reasons(w, v);
          w.EndObject();
          col.Add(item, "host.socket", v.severity, so.line, "Socket: " + Join(v.reasons), w.Take(),
                  so.local + ">" + so.peer);
        }
        break;
      }
      case FileKind::kOther: break;
    }
  }

  UnixMicros run_start = NowMicros();
  TQ_RETURN_IF_ERROR(c.Transaction([&](Db& db) -> Status {
    for (const Finding& f : col.findings) TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("DELETE FROM findings WHERE component='host' AND "
                                            "updated_at < ? AND id NOT IN (SELECT finding_id "
                                            "FROM tasks WHERE finding_id IS NOT NULL)"));
    st.Bind(1, run_start);
    return st.Run();
  }));
  rep.findings = static_cast<int64_t>(col.findings.size());
  return rep;
}

}  // namespace tq::host
