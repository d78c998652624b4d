// Correlation hits into the case: one row per hit in logs_correlation_hit (its correlation,
// level, group-by values, first and last time, event count and the events that made it, each
// by log file, line and byte offset) and one finding per hit (kind "log.correlation"), placed
// at its first event. Called inside StoreLogScan's transaction.
#include "casefile/casefile.h"
#include "core/json.h"
#include "rules/engine.h"

namespace tq::rules {
namespace {

const Migration kCorrelationMigrations[] = {
    {1,
     "CREATE TABLE logs_correlation_hit (id INTEGER PRIMARY KEY, correlation_id TEXT NOT NULL, "
     "title TEXT NOT NULL, level TEXT, type TEXT NOT NULL, rule_file TEXT, "
     "group_json TEXT NOT NULL, first_time INTEGER, last_time INTEGER, fired_at INTEGER, "
     "events INTEGER NOT NULL, distinct_values INTEGER NOT NULL, members_json TEXT NOT NULL);"},
};

std::string CorrelationKey(const CorrelationInfo& c) {
  return c.id.empty() ? c.file + ":" + c.title : c.id;
}

}  // namespace

Status EnsureCorrelationSchema(Case& c) {
  return c.EnsureSchema("logs_correlation", kCorrelationMigrations);
}

Status StoreCorrelationHits(Db& db, const std::vector<LogInput>& inputs, const RuleSet& rs,
                            const LogScanResult& r, int64_t* findings) {
  TQ_RETURN_IF_ERROR(db.Exec("DELETE FROM logs_correlation_hit"));
  TQ_ASSIGN_OR_RETURN(Stmt ins, db.Prepare("INSERT INTO logs_correlation_hit (correlation_id, "
                                           "title, level, type, rule_file, group_json, "
                                           "first_time, last_time, fired_at, events, "
                                           "distinct_values, members_json) "
                                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
  for (const CorrelationHit& h : r.correlation_hits) {
    const CorrelationInfo& ci = rs.corr_info[h.correlation];
    JsonWriter group;
    group.BeginObject();
    for (size_t g = 0; g < ci.group_by.size() && g < h.group.size(); ++g)
      group.Field(ci.group_by[g], h.group[g]);
    group.EndObject();
    JsonWriter members;
    members.BeginArray();
    for (const CorrelationEventRef& m : h.members) {
      members.BeginObject().Field("log_file", inputs[m.input].name);
      members.Field("sha256", inputs[m.input].sha256).Field("line", m.line_no);
      members.Field("byte_offset", m.offset).Field("time", FormatUtc(m.time));
      const RuleInfo& ri = rs.info[m.rule];
      members.Field("rule", ri.id.empty() ? ri.title : ri.id).EndObject();
    }
    members.EndArray();
    ins.Bind(1, CorrelationKey(ci)).Bind(2, ci.title).Bind(3, ci.level);
    ins.Bind(4, std::string(CorrelationTypeName(ci.type))).Bind(5, ci.file);
    ins.Bind(6, group.str()).Bind(7, h.first_time).Bind(8, h.last_time).Bind(9, h.fired_at);
    ins.Bind(10, static_cast<int64_t>(h.events)).Bind(11, static_cast<int64_t>(h.distinct));
    ins.Bind(12, members.str());
    TQ_RETURN_IF_ERROR(ins.Run());
    TQ_RETURN_IF_ERROR(ins.Reset());

    Finding fd;
    fd.kind = "log.correlation";
    fd.component = "logs";
    fd.severity = SeverityFromName(ci.level);
    fd.confidence = ci.status == "stable" ? 0.8 : 0.6;
    std::string where;
    for (size_t g = 0; g < ci.group_by.size() && g < h.group.size(); ++g)
      where += (where.empty() ? " " : ", ") + ci.group_by[g] + "=" + h.group[g].substr(0, 200);
    fd.summary = ci.title + ":" + where + " (" + std::to_string(h.events) + " events";
    if (ci.type == CorrelationType::kValueCount)
      fd.summary += ", " + std::to_string(h.distinct) + " distinct " + ci.field;
    fd.summary += ", " + FormatUtc(h.first_time) + " to " + FormatUtc(h.last_time) + ")";
    JsonWriter w;
    w.BeginObject().Field("correlation_id", CorrelationKey(ci)).Field("title", ci.title);
    w.Field("level", ci.level).Field("type", CorrelationTypeName(ci.type));
    w.Field("rule_file", ci.file).Field("condition", ci.condition.ToString());
    if (!ci.field.empty()) w.Field("field", ci.field);
    w.Field("timespan_seconds", ci.timespan / 1000000);
    w.Key("group").Raw(group.str());
    w.Field("first_time", FormatUtc(h.first_time)).Field("last_time", FormatUtc(h.last_time));
    w.Field("events", h.events).Field("distinct", h.distinct);
    w.Key("tags").BeginArray();
    for (const std::string& t : ci.tags) w.String(t);
    w.EndArray().Key("members").Raw(members.str()).EndObject();
    fd.detail_json = w.Take();
    if (!h.members.empty()) {
      const CorrelationEventRef& m = h.members.front();
      fd.evidence_id = inputs[m.input].evidence_id;
      fd.evidence_sha256 = inputs[m.input].sha256;
      fd.line = static_cast<int64_t>(m.line_no);
      fd.byte_offset = static_cast<int64_t>(m.offset);
    }
    fd.event_time = h.first_time;
    fd.rule = CorrelationKey(ci);
    std::string group_key;
    for (const std::string& g : h.group) group_key += g.substr(0, 200) + "|";
    fd.dedupe_key = "log.correlation:" + CorrelationKey(ci) + ":" + group_key + ":" +
                    std::to_string(h.first_time);
    TQ_RETURN_IF_ERROR(UpsertFinding(db, fd).status());
    ++*findings;
  }
  return Status::Ok();
}

}  // namespace tq::rules
