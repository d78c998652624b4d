#include "casefile/case_progress.h"

#include <algorithm>

#include "casefile/stage_runs.h"

namespace tq {
namespace {

void Count(ProgressPhase& p, const char* name, int64_t n) {
  if (n >= 0) p.counts.emplace_back(name, n);
}

void Step(ProgressPhase& p, const char* name, bool done) { p.steps.push_back({name, done}); }

}  // namespace

Result<std::vector<ProgressPhase>> CaseProgress(Db& db) {
  TQ_ASSIGN_OR_RETURN(CaseCounts n, CountCase(db));
  TQ_ASSIGN_OR_RETURN(bool investigated, EverRan(db, "investigate"));
  TQ_ASSIGN_OR_RETURN(std::vector<UnfinishedStage> unfinished, UnfinishedStages(db, "investigate"));
  investigated = investigated && unfinished.empty();
  std::vector<ProgressPhase> out;

  ProgressPhase shut{1, "Shut it down", {}, {}, ""};
  Count(shut, "evidence_items", n.evidence_items);
  Count(shut, "containment_steps", n.containment_steps);
  Count(shut, "containment_steps_open", n.containment_steps_open);
  Step(shut, "evidence collected", n.evidence_items > 0);
  Step(shut, "containment plan", n.containment_steps > 0);
  Step(shut, "containment steps done", n.containment_steps > 0 && n.containment_steps_open == 0);
  shut.next = n.evidence_items <= 0      ? "tourniquet collect --label logs /var/log/nginx"
              : n.containment_steps <= 0 ? "tourniquet contain"
                                         : "";
  out.push_back(std::move(shut));

  ProgressPhase inv{2, "Investigate", {}, {}, ""};
  Count(inv, "findings", n.findings.all);
  Count(inv, "findings_high", n.findings.high);
  // What the default views show first; the rest (context, noise) is counted, not shown.
  Count(inv, "findings_actionable", n.findings.actionable);
  Count(inv, "attackers", n.attackers);
  Count(inv, "affected_people", n.affected_people);
  // A clean store investigated to the end is done with no finding; a run killed mid-way is not.
  Step(inv, "investigation", investigated);
  Step(inv, "scope", investigated && n.affected_people >= 0);
  inv.next = !investigated           ? "tourniquet investigate"
             : n.affected_people < 0 ? "tourniquet scope"
                                     : "";
  out.push_back(std::move(inv));

  ProgressPhase inform{3, "Keep customers informed", {}, {}, ""};
  Count(inform, "obligations", n.obligations);
  Count(inform, "messages", n.messages);
  Count(inform, "messages_sent", n.messages_sent);
  Count(inform, "messages_printed", n.messages_printed);
  // Letters for the post are delivered once printed (notify print); -1 before channels.
  int64_t delivered =
      std::max<int64_t>(n.messages_sent, 0) + std::max<int64_t>(n.messages_printed, 0);
  bool planned = n.notify_plans > 0;
  Step(inform, "notification plan", planned);
  Step(inform, "letters written", n.messages > 0);
  Step(inform, "letters delivered", n.messages > 0 && delivered == n.messages);
  inform.next = !planned          ? "tourniquet notify plan"
                : n.messages <= 0 ? "tourniquet notify render"
                : delivered + std::max<int64_t>(n.messages_to_print, 0) < n.messages
                    ? "tourniquet notify send"
                : n.messages_to_print > 0 ? "tourniquet notify print"
                                          : "";
  out.push_back(std::move(inform));

  ProgressPhase force{4, "Task force", {}, {}, ""};
  Count(force, "tasks", n.tasks);
  Count(force, "tasks_open", n.tasks_open);
  Count(force, "tasks_unowned", n.tasks_unowned);
  Count(force, "users", n.users);
  Step(force, "users", n.users > 0);
  Step(force, "every open task has an owner", n.tasks > 0 && n.tasks_unowned == 0);
  Step(force, "tasks closed", n.tasks > 0 && n.tasks_open == 0);
  Step(force, "post-mortem", n.postmortems > 0);
  force.next = n.tasks_unowned > 0 ? "tourniquet task list" : n.tasks > 0 ? "tourniquet serve" : "";
  out.push_back(std::move(force));

  ProgressPhase publish{5, "Publish", {}, {}, ""};
  Count(publish, "reports", n.reports);
  Step(publish, "post-mortem and public statement", n.reports > 0);
  publish.next = n.reports <= 0 ? "tourniquet report" : "";
  out.push_back(std::move(publish));
  return out;
}

}  // namespace tq
