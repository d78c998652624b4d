// The breach window and the answered attacks, from the case (breach_window.h).
#include "analysis/breach_window.h"

#include <limits>

namespace tq::analysis {

Result<std::vector<AnsweredAttack>> AnsweredAttacks(Db& db,
                                                    const std::optional<BreachWindow>& window) {
  std::vector<AnsweredAttack> out;
  if (!TableExists(db, "logs_rule_hit")) return out;
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db.Prepare("SELECT time, coalesce(c_ip,''), coalesce(method,'') || ' ' || "
                                 "coalesce(uri,''), rule_title FROM logs_rule_hit WHERE level IN "
                                 "('high','critical') AND substr(status,1,1) IN ('2','3') AND time "
                                 "BETWEEN ? AND ? ORDER BY time LIMIT 100000"));
  st.Bind(1, window ? window->start : std::numeric_limits<int64_t>::min());
  st.Bind(2, window ? window->end : std::numeric_limits<int64_t>::max());
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Int(0), st.String(1), st.String(2), st.String(3)});
  }
  return out;
}

std::optional<BreachWindow> BreachWindowFromCase(Db& db) {
  // The first query needs the logs stage's table; without it (no logs collected) the second
  // answers from the findings alone.
  for (const char* sql :
       {"SELECT min(t), max(t) FROM (SELECT time AS t FROM logs_rule_hit WHERE level IN "
        "('high','critical') AND substr(status,1,1) IN ('2','3') AND time IS NOT NULL UNION ALL "
        "SELECT event_time FROM findings WHERE component='webroot' AND severity IN "
        "('high','critical') AND event_time IS NOT NULL)",
        "SELECT min(event_time), max(event_time) FROM findings WHERE component IN "
        "('logs','webroot') AND severity IN ('high','critical') AND event_time IS "
        "NOT NULL"}) {
    Result<Stmt> st = db.Prepare(sql);
    if (!st.ok()) continue;
    Result<bool> row = st->Step();
    if (row.ok() && *row && !st->IsNull(0) && !st->IsNull(1))
      return BreachWindow{st->Int(0), st->Int(1)};
  }
  return std::nullopt;
}

std::optional<BreachWindow> LogsWindow(Db& db) {
  Result<Stmt> st = db.Prepare(
      "SELECT min(event_time), max(event_time) FROM findings WHERE component = 'logs' AND "
      "severity IN ('high', 'critical') AND event_time IS NOT NULL");
  if (!st.ok()) return std::nullopt;
  Result<bool> row = st->Step();
  if (row.ok() && *row && !st->IsNull(0) && !st->IsNull(1))
    return BreachWindow{st->Int(0), st->Int(1)};
  return std::nullopt;
}

}  // namespace tq::analysis
