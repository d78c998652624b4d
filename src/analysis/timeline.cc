// Reading the timeline back and exporting it: Timesketch JSONL and CSV (message, datetime,
// timestamp_desc, then attributes), ECS NDJSON for an Elasticsearch/OpenSearch _bulk load, and
// a terminal view. Every row names its evidence item, SHA-256 and line or offset.
#include "analysis/timeline.h"

#include <arpa/inet.h>
#include <simdjson.h>

#include "core/escape.h"
#include "core/json.h"
#include "core/sha256.h"

namespace tq::analysis {
namespace {

std::string IsoTime(UnixMicros t) {
  std::string s = FormatUtc(t);
  if (!s.empty() && s.back() == 'Z') s.replace(s.size() - 1, 1, "+00:00");
  return s;
}

std::string TimestampDesc(const TimelineRow& r) {
  if (r.source == "log") return "Request Time";
  if (r.kind == "file.mtime") return "Content Modification Time";
  if (r.kind == "file.ctime") return "Metadata Modification Time";
  if (r.source == "db") return "Record Time";
  if (r.source == "platform") return "Log Entry Time";
  return "Event Time";
}

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// The request fields of a log row's detail, for ECS's http/url/user_agent groups.
struct RequestFields {
  std::string method, path, query, user_agent;
  int64_t status = 0, bytes = -1;
  std::vector<std::string> rules;
  bool ok = false;
};

RequestFields ParseRequestDetail(const std::string& json) {
  RequestFields f;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc)) return f;
  auto text = [&](const char* key, std::string& out) {
    std::string_view v;
    if (!doc[key].get(v)) out = RecoverJsonBytes(v);
  };
  text("method", f.method);
  text("path", f.path);
  text("query", f.query);
  text("user_agent", f.user_agent);
  int64_t n;
  if (!doc["status"].get(n)) f.status = n;
  if (!doc["bytes"].get(n)) f.bytes = n;
  simdjson::dom::array rules;
  if (!doc["rules"].get(rules)) {
    for (simdjson::dom::element r : rules) {
      std::string_view title;
      if (!r["title"].get(title)) f.rules.push_back(RecoverJsonBytes(title));
    }
  }
  f.ok = !f.method.empty();
  return f;
}

void EvidenceAttributes(JsonWriter& w, const TimelineRow& r) {
  w.Key("evidence_item");
  r.evidence_id ? w.Int(*r.evidence_id) : w.Null();
  w.Field("evidence_sha256", r.evidence_sha256).Field("evidence_path", r.evidence_path);
  w.Key("line");
  r.line ? w.Int(*r.line) : w.Null();
  w.Key("byte_offset");
  r.byte_offset ? w.Int(*r.byte_offset) : w.Null();
}

std::string Timesketch(const TimelineRow& r) {
  JsonWriter w;
  w.BeginObject().Field("message", r.message).Field("datetime", IsoTime(r.time));
  w.Field("timestamp", r.time).Field("timestamp_desc", TimestampDesc(r));
  w.Field("data_type", "tourniquet:timeline:" + r.source);
  w.Field("source", r.source).Field("kind", r.kind).Field("ip", r.ip).Field("actor", r.actor);
  w.Field("attacker", r.attacker_label);
  EvidenceAttributes(w, r);
  w.EndObject();
  return w.Take();
}

std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

std::string EcsDocument(const TimelineRow& r) {
  JsonWriter w;
  w.BeginObject().Field("@timestamp", IsoTime(r.time)).Field("message", r.message);
  w.Key("event").BeginObject().Field("kind", "event").Field("action", r.kind);
  w.Field("provider", "tourniquet").Field("dataset", "tourniquet.timeline");
  w.Key("category").BeginArray();
  if (r.source == "log")
    w.String("web");
  else if (r.source == "file")
    w.String("file");
  else if (r.source == "db")
    w.String("database");
  else if (r.source == "platform")
    w.String("web").String("process");
  else
    w.String("threat");
  w.EndArray();
  if (r.finding_id) w.Field("id", std::to_string(*r.finding_id));
  w.EndObject();
  if (!r.ip.empty()) {
    w.Key("source").BeginObject().Field("address", r.ip);
    if (IsIpAddress(r.ip)) w.Field("ip", r.ip);
    w.EndObject();
  }
  if (!r.actor.empty()) w.Key("user").BeginObject().Field("name", r.actor).EndObject();
  if (r.source == "log") {
    RequestFields q = ParseRequestDetail(r.detail_json);
    if (q.ok) {
      w.Key("http").BeginObject().Key("request").BeginObject().Field("method", q.method);
      w.EndObject().Key("response").BeginObject().Field("status_code", q.status);
      if (q.bytes >= 0) w.Key("body").BeginObject().Field("bytes", q.bytes).EndObject();
      w.EndObject().EndObject();
      w.Key("url").BeginObject().Field("path", q.path);
      if (!q.query.empty()) w.Field("query", q.query);
      w.EndObject();
      if (!q.user_agent.empty())
        w.Key("user_agent").BeginObject().Field("original", q.user_agent).EndObject();
      if (!q.rules.empty()) {
        w.Key("rule").BeginObject().Field("name", q.rules.front()).EndObject();
      }
    }
  }
  w.Key("log").BeginObject().Key("file").BeginObject().Field("path", r.evidence_path).EndObject();
  if (r.byte_offset) w.Field("offset", *r.byte_offset);
  w.EndObject();
  w.Key("related").BeginObject();
  if (IsIpAddress(r.ip)) w.Key("ip").BeginArray().String(r.ip).EndArray();
  if (!r.evidence_sha256.empty()) w.Key("hash").BeginArray().String(r.evidence_sha256).EndArray();
  w.EndObject();
  if (!r.attacker_label.empty())
    w.Key("threat")
        .BeginObject()
        .Key("group")
        .BeginObject()
        .Field("name", r.attacker_label)
        .EndObject()
        .EndObject();
  w.Key("tourniquet").BeginObject().Field("source", r.source);
  EvidenceAttributes(w, r);
  w.Field("detail", r.detail_json).EndObject();
  w.EndObject();
  return w.Take();
}

std::string TextLine(const TimelineRow& r) {
  std::string s = FormatUtc(r.time) + "  " + r.source;
  s.resize(std::max<size_t>(s.size(), 33), ' ');
  std::string who = r.attacker_label.empty() ? "-" : r.attacker_label;
  if (!r.ip.empty()) who += " " + r.ip;
  if (!r.actor.empty()) who += " " + r.actor;
  s += EscapeTerminal(who) + "  " + EscapeTerminal(r.kind) + "  " + EscapeTerminal(r.message);
  s += "\n    evidence ";
  if (r.evidence_id) {
    s += "item " + std::to_string(*r.evidence_id) + " " + EscapeTerminal(r.evidence_path) +
         " sha256 " + r.evidence_sha256;
    if (r.line) s += " line " + std::to_string(*r.line);
    if (r.byte_offset) s += " offset " + std::to_string(*r.byte_offset);
  } else {
    s += "(derived, no single item)";
  }
  return s + "\n";
}

}  // namespace

Result<TimelineFormat> ParseTimelineFormat(std::string_view name) {
  if (name == "timesketch" || name == "jsonl") return TimelineFormat::kTimesketchJsonl;
  if (name == "csv") return TimelineFormat::kCsv;
  if (name == "ecs") return TimelineFormat::kEcsNdjson;
  if (name == "text") return TimelineFormat::kText;
  return Status::Usage("unknown timeline format '" + std::string(name) +
                       "' (timesketch, csv, ecs, text)");
}

Result<std::vector<TimelineRow>> ReadTimeline(Db& db, const TimelineFilter& filter) {
  TQ_ASSIGN_OR_RETURN(int64_t exists,
                      db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                  "name='analysis_timeline'"));
  if (exists == 0) return Status::NotFound("no timeline yet: run `tourniquet investigate` first");
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare("SELECT t.id,t.time,t.source,t.kind,t.message,t.actor,t.ip,t.evidence_id,"
                 "t.evidence_sha256,t.evidence_path,t.line,t.byte_offset,t.attacker_id,"
                 "t.finding_id,t.detail,coalesce(a.label,'') FROM analysis_timeline t "
                 "LEFT JOIN attackers a ON a.id=t.attacker_id "
                 "WHERE (?1 IS NULL OR t.time>=?1) AND (?2 IS NULL OR t.time<=?2) AND "
                 "(?3='' OR a.label=?3 OR CAST(t.attacker_id AS TEXT)=?3) ORDER BY t.time,t.id"));
  st.Bind(1, filter.from).Bind(2, filter.to).Bind(3, filter.attacker);
  std::vector<TimelineRow> out;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    TimelineRow r;
    r.id = st.Int(0);
    r.time = st.Int(1);
    r.source = st.String(2);
    r.kind = st.String(3);
    r.message = st.String(4);
    r.actor = st.String(5);
    r.ip = st.String(6);
    if (!st.IsNull(7)) r.evidence_id = st.Int(7);
    r.evidence_sha256 = st.String(8);
    r.evidence_path = st.String(9);
    if (!st.IsNull(10)) r.line = st.Int(10);
    if (!st.IsNull(11)) r.byte_offset = st.Int(11);
    if (!st.IsNull(12)) r.attacker_id = st.Int(12);
    if (!st.IsNull(13)) r.finding_id = st.Int(13);
    r.detail_json = st.String(14);
    r.attacker_label = st.String(15);
    out.push_back(std::move(r));
  }
  return out;
}

std::string ExportTimeline(const std::vector<TimelineRow>& rows, TimelineFormat format,
                           std::string_view ecs_index) {
  std::string out;
  switch (format) {
    case TimelineFormat::kTimesketchJsonl:
      for (const TimelineRow& r : rows) out += Timesketch(r) + "\n";
      break;
    case TimelineFormat::kCsv:
      out =
          "message,datetime,timestamp,timestamp_desc,source,kind,ip,actor,attacker,"
          "evidence_item,evidence_sha256,evidence_path,line,byte_offset\r\n";
      for (const TimelineRow& r : rows) {
        const std::string fields[] = {r.message,
                                      IsoTime(r.time),
                                      std::to_string(r.time),
                                      TimestampDesc(r),
                                      r.source,
                                      r.kind,
                                      r.ip,
                                      r.actor,
                                      r.attacker_label,
                                      Opt(r.evidence_id),
                                      r.evidence_sha256,
                                      r.evidence_path,
                                      Opt(r.line),
                                      Opt(r.byte_offset)};
        for (size_t i = 0; i < std::size(fields); ++i)
          out += (i ? "," : "") + EscapeCsvField(fields[i]);
        out += "\r\n";
      }
      break;
    case TimelineFormat::kEcsNdjson:
      for (const TimelineRow& r : rows) {
        // A stable _id (what the row is, not its position) makes a reload replace, not add.
        std::string key = std::to_string(r.time) + "\n" + r.source + "\n" + r.kind + "\n" +
                          Opt(r.evidence_id) + "\n" + Opt(r.line) + "\n" + Opt(r.byte_offset) +
                          "\n" + r.message;
        JsonWriter a;
        a.BeginObject().Key("index").BeginObject().Field("_index", ecs_index);
        a.Field("_id", Sha256Hex(key).substr(0, 32)).EndObject().EndObject();
        out += a.str() + "\n" + EcsDocument(r) + "\n";
      }
      break;
    case TimelineFormat::kText:
      for (const TimelineRow& r : rows) out += TextLine(r);
      break;
  }
  return out;
}

Status CheckAttacker(Db& db, const std::string& attacker) {
  if (!TableExists(db, "attackers")) return Status::Ok();
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare("SELECT (SELECT count(*) FROM attackers WHERE label=?1 OR "
                          "CAST(id AS TEXT)=?1),(SELECT group_concat(label,', ') FROM (SELECT "
                          "label FROM attackers ORDER BY id LIMIT 10))"));
  st.Bind(1, attacker);
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.Int(0) > 0) return Status::Ok();
  return Status::Usage(
      "--attacker " + attacker + ": no such attacker in the case" +
      (st.IsNull(1) ? std::string(" (it has none)") : " (known: " + st.String(1) + ")"));
}

Result<std::vector<AttackerHeadline>> AttackerHeadlines(Db& db) {
  std::vector<AttackerHeadline> out;
  if (!TableExists(db, "attackers")) return out;
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db.Prepare("SELECT a.label,(SELECT group_concat(substr(value,instr(value,': ')+2),'; ') "
                 "FROM json_each(CASE WHEN json_valid(a.reasons) THEN a.reasons ELSE '[]' END) "
                 "WHERE value GLOB 'role: *' OR value GLOB 'campaign: *' OR value GLOB "
                 "'achieved: *'),(SELECT count(*) FROM attacker_addresses x WHERE "
                 "x.attacker_id=a.id) FROM attackers a ORDER BY CASE WHEN a.label GLOB "
                 "'attacker-[0-9]*' THEN CAST(substr(a.label,10) AS INTEGER) ELSE 1000000000 "
                 "END"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.String(0), st.String(1), st.Int(2)});
  }
  return out;
}

}  // namespace tq::analysis
