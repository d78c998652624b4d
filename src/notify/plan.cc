// Obligations: the jurisdiction table applied to the scope. For each rule and each matching
// jurisdiction: how many people lost a triggering category, whether the threshold is met,
// the deadline (from the case's discovery time, or from another duty's deadline) and the
// status. Stored in notify_obligation and mirrored as tasks so `status` shows deadlines.
#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>

#include "core/json.h"
#include "notify/notify.h"

namespace tq::notify {
namespace {

bool Matches(std::string_view where_code, std::string_view jurisdiction) {
  if (where_code == "*") return true;
  if (jurisdiction.empty()) return false;
  if (jurisdiction == where_code) return true;
  return jurisdiction.size() > where_code.size() && jurisdiction.starts_with(where_code) &&
         jurisdiction[where_code.size()] == '-';
}

bool Triggers(const DutyRule& r, const std::vector<std::string>& categories) {
  if (r.categories.empty()) return !categories.empty();
  for (const std::string& c : categories)
    if (std::binary_search(r.categories.begin(), r.categories.end(), c)) return true;
  return false;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

const char* kObligationSchema = R"sql(
CREATE TABLE notify_obligation (
  id INTEGER PRIMARY KEY,
  obligation_key TEXT NOT NULL UNIQUE,
  rule_id TEXT NOT NULL,
  name TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  notify TEXT NOT NULL,
  recipient TEXT NOT NULL,
  categories TEXT NOT NULL,
  people INTEGER NOT NULL,
  threshold TEXT NOT NULL,
  threshold_met INTEGER NOT NULL,
  deadline_at INTEGER,
  deadline_text TEXT NOT NULL,
  status TEXT NOT NULL,
  verification TEXT NOT NULL,
  law TEXT NOT NULL,
  source TEXT NOT NULL,
  note TEXT NOT NULL,
  template TEXT NOT NULL,
  task_id INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE TABLE notify_outbox (
  id INTEGER PRIMARY KEY,
  message_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL DEFAULT 'letter',
  person_key TEXT NOT NULL DEFAULT '',
  recipient TEXT NOT NULL,
  recipient_name TEXT NOT NULL DEFAULT '',
  sender TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT 'en',
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  body_sha256 TEXT NOT NULL,
  message_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_reply TEXT NOT NULL DEFAULT '',
  next_attempt_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX notify_outbox_state ON notify_outbox(state);
CREATE INDEX notify_outbox_person ON notify_outbox(person_key);
)sql";

// 2: delivery channels (e-mail or post, and why), the controller's details and each
// person's consent to electronic notice (delivery.h).
const char* kDeliverySchema = R"sql(
ALTER TABLE notify_outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE notify_outbox ADD COLUMN channel_reason TEXT NOT NULL DEFAULT '';
CREATE TABLE notify_controller (
  field TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE notify_consent (
  person_key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
)sql";

const Migration kNotifyMigrations[] = {{1, kObligationSchema}, {2, kDeliverySchema}};

}  // namespace

Plan BuildPlan(const DutyTable& table, const std::vector<AffectedPerson>& people,
               UnixMicros discovered_at, UnixMicros now, const PlanContext& context) {
  Plan plan;
  plan.people_total = static_cast<int64_t>(people.size());
  std::set<std::string> codes;
  std::vector<std::string> person_code(people.size());  // computed once, used per rule
  for (size_t i = 0; i < people.size(); ++i) person_code[i] = people[i].Jurisdiction();
  for (const std::string& j : person_code) {
    if (j.empty()) {
      ++plan.people_unknown_country;
    } else {
      codes.insert(j);
    }
  }
  plan.jurisdictions.assign(codes.begin(), codes.end());
  std::set<std::string, std::less<>> covered;

  // Group key -> obligation, per rule, so after:RULE finds the same group.
  std::map<std::string, std::map<std::string, Obligation>> by_rule;
  for (const DutyRule& r : table.rules) {
    // A case is judged by the rules in force when the breach was discovered.
    if (!r.InForce(discovered_at)) continue;
    if (!r.establishment.empty() && std::find(r.establishment.begin(), r.establishment.end(),
                                              context.establishment) == r.establishment.end())
      continue;
    std::vector<std::string> where;
    for (const std::string& w : r.where) {
      auto s = table.sets.find(w);
      if (s != table.sets.end()) {
        where.insert(where.end(), s->second.begin(), s->second.end());
      } else {
        where.push_back(w);
      }
    }
    auto& groups = by_rule[r.id];
    std::map<std::string, int64_t> any_count;
    for (size_t pi = 0; pi < people.size(); ++pi) {
      const AffectedPerson& p = people[pi];
      std::string_view j = person_code[pi];
      for (const std::string& w : where) {
        if (!Matches(w, j)) continue;
        if (w != "*" && !covered.count(j)) covered.emplace(j);
        std::string group = r.per_jurisdiction ? w : "all";
        Obligation& o = groups[group];
        if (o.key.empty()) {
          o.key = r.id + "/" + group;
          o.rule = &r;
        }
        std::string_view shown = j.empty() ? std::string_view("unknown") : j;
        if (std::find(o.jurisdictions.begin(), o.jurisdictions.end(), shown) ==
            o.jurisdictions.end())
          o.jurisdictions.emplace_back(shown);
        ++any_count[group];
        if (Triggers(r, p.categories)) {
          ++o.people;
          if (r.notify == "individuals") o.person_keys.push_back(p.person_key);
          if (p.told_at && (!o.first_told || *p.told_at < *o.first_told)) o.first_told = p.told_at;
        }
        break;  // one match per person and rule
      }
    }
    for (auto& [group, o] : groups) {
      std::sort(o.jurisdictions.begin(), o.jurisdictions.end());
      bool people_met =
          o.people > 0 && (r.people_inclusive ? o.people >= r.people_min : o.people > r.people_min);
      bool scale_met = r.scale_min && any_count[group] >= *r.scale_min;
      o.threshold_met = people_met || scale_met;
      if (scale_met && !people_met) o.people = any_count[group];
    }
  }
  for (const std::string& j : plan.jurisdictions)
    if (!covered.count(j)) plan.unmatched.push_back(j);

  // Deadlines: from discovery or from the deadline of the referenced rule's same group.
  std::map<std::string, const DutyRule*> rules;
  for (const DutyRule& r : table.rules)
    if (r.InForce(discovered_at)) rules[r.id] = &r;
  std::function<std::optional<UnixMicros>(const DutyRule&, const std::string&, int)> deadline =
      [&](const DutyRule& r, const std::string& group, int depth) -> std::optional<UnixMicros> {
    if (r.unit == DeadlineUnit::kNone || depth > 64) return std::nullopt;
    UnixMicros from = discovered_at;
    if (!r.after.empty()) {
      auto it = rules.find(r.after);
      if (it == rules.end()) return std::nullopt;
      std::optional<UnixMicros> base = deadline(*it->second, group, depth + 1);
      if (!base) return std::nullopt;
      from = *base;
    }
    return AddDeadline(from, r.unit, r.amount);
  };
  for (auto& [id, groups] : by_rule) {
    for (auto& [group, o] : groups) {
      o.deadline = deadline(*o.rule, group, 0);
      // "Or when consumers are told, whichever is sooner".
      if (o.rule->also_by_told && o.first_told && (!o.deadline || *o.first_told < *o.deadline))
        o.deadline = o.first_told;
      if (!o.threshold_met) {
        o.status = "not_required";
      } else {
        o.status = (o.deadline && now > *o.deadline) ? "overdue" : "due";
      }
      plan.obligations.push_back(std::move(o));
    }
  }
  std::sort(plan.obligations.begin(), plan.obligations.end(),
            [](const Obligation& a, const Obligation& b) {
              if (a.threshold_met != b.threshold_met) return a.threshold_met;
              if (a.deadline.has_value() != b.deadline.has_value()) return a.deadline.has_value();
              if (a.deadline && *a.deadline != *b.deadline) return *a.deadline < *b.deadline;
              return a.key < b.key;
            });
  return plan;
}

Status EnsureNotifySchema(Case& c) { return c.EnsureSchema("notify", kNotifyMigrations); }

Status StorePlan(Db& db, Plan& plan, UnixMicros now) {
  // Letters already delivered, by person.
  std::unordered_map<std::string, bool> sent;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT person_key, state FROM notify_outbox "
                                            "WHERE kind='letter'"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      sent[st.String(0)] = st.Text(1) == "sent" || st.Text(1) == "printed";
    }
  }
  TQ_ASSIGN_OR_RETURN(Stmt task_status, db.Prepare("SELECT status FROM tasks WHERE dedupe_key=?"));
  TQ_ASSIGN_OR_RETURN(Stmt mark_done,
                      db.Prepare("UPDATE tasks SET status='done', updated_at=? WHERE "
                                 "dedupe_key=? AND status NOT IN ('done','cancelled')"));
  TQ_RETURN_IF_ERROR(db.Exec("DELETE FROM notify_obligation"));
  TQ_ASSIGN_OR_RETURN(
      Stmt ins,
      db.Prepare("INSERT INTO notify_obligation(obligation_key,rule_id,name,jurisdiction,notify,"
                 "recipient,categories,people,threshold,threshold_met,deadline_at,deadline_text,"
                 "status,verification,law,source,note,template,task_id,updated_at) "
                 "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  std::set<std::string> live_tasks;
  for (Obligation& o : plan.obligations) {
    const DutyRule& r = *o.rule;
    std::optional<int64_t> task_id;
    if (o.threshold_met) {
      std::string dkey = "notify:" + o.key;
      live_tasks.insert(dkey);
      bool letters_done =
          r.notify == "individuals" && !o.person_keys.empty() &&
          std::all_of(o.person_keys.begin(), o.person_keys.end(), [&](const std::string& k) {
            auto it = sent.find(k);
            return it != sent.end() && it->second;
          });
      TQ_RETURN_IF_ERROR(task_status.Reset());
      task_status.Bind(1, dkey);
      TQ_ASSIGN_OR_RETURN(bool row, task_status.Step());
      bool task_done = row && task_status.Text(0) == "done";
      if (task_done || letters_done) o.status = "done";
      Task t;
      t.title = r.name + " [" + Join(o.jurisdictions, ",") + "]";
      t.phase = 3;
      t.due_at = o.deadline;
      t.source = "notify";
      t.dedupe_key = dkey;
      t.detail = "Notify " + r.recipient + " — " + r.deadline_text + " (" + r.law +
                 "; verification " + r.status + "). Guidance, not legal advice.";
      TQ_ASSIGN_OR_RETURN(int64_t id, UpsertTask(db, t));
      task_id = id;
      if (letters_done) {
        TQ_RETURN_IF_ERROR(mark_done.Reset());
        mark_done.Bind(1, now).Bind(2, dkey);
        TQ_RETURN_IF_ERROR(mark_done.Run());
      }
    }
    JsonWriter cats;
    cats.BeginArray();
    for (const std::string& c : r.categories) cats.String(c);
    cats.EndArray();
    TQ_RETURN_IF_ERROR(ins.Reset());
    ins.Bind(1, o.key).Bind(2, r.id).Bind(3, r.name).Bind(4, Join(o.jurisdictions, ","));
    ins.Bind(5, r.notify).Bind(6, r.recipient).Bind(7, cats.str()).Bind(8, o.people);
    ins.Bind(9, r.ThresholdText()).Bind(10, o.threshold_met ? 1 : 0).Bind(11, o.deadline);
    ins.Bind(12, r.deadline_text).Bind(13, o.status).Bind(14, r.status).Bind(15, r.law);
    ins.Bind(16, r.source).Bind(17, r.note).Bind(18, r.template_name).Bind(19, task_id);
    ins.Bind(20, now);
    TQ_RETURN_IF_ERROR(ins.Run());
  }
  // Duties that no longer apply (scope changed): their open tasks are cancelled, not lost.
  std::vector<std::string> stale;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT dedupe_key FROM tasks WHERE source='notify' "
                                            "AND status NOT IN ('done','cancelled') AND "
                                            "dedupe_key LIKE 'notify:%'"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (!live_tasks.count(st.String(0))) stale.push_back(st.String(0));
    }
  }
  TQ_ASSIGN_OR_RETURN(Stmt cancel, db.Prepare("UPDATE tasks SET status='cancelled', updated_at=? "
                                              "WHERE dedupe_key=?"));
  for (const std::string& k : stale) {
    TQ_RETURN_IF_ERROR(cancel.Reset());
    cancel.Bind(1, now).Bind(2, k);
    TQ_RETURN_IF_ERROR(cancel.Run());
  }
  return Status::Ok();
}

Status MarkObligationDone(Db& db, std::string_view key) {
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("UPDATE tasks SET status='done', updated_at=? WHERE "
                                          "dedupe_key=?"));
  st.Bind(1, NowMicros()).Bind(2, "notify:" + std::string(key));
  TQ_RETURN_IF_ERROR(st.Run());
  if (db.Changes() == 0)
    return Status::NotFound("no obligation task '" + std::string(key) +
                            "' (run `tourniquet notify plan` and copy a key)");
  TQ_ASSIGN_OR_RETURN(Stmt ob, db.Prepare("UPDATE notify_obligation SET status='done' WHERE "
                                          "obligation_key=?"));
  ob.Bind(1, key);
  return ob.Run();
}

}  // namespace tq::notify
