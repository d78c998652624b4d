// The breach window of a case as the stages before the database stage left it, and the
// attacks the web server answered: what the database stage judges its rows against (when an
// admin account, a token or a configuration change falls inside it, and which account an
// answered attack made). Computed here, in analysis, from the logs stage's rule hits and the
// logs and web-root stages' findings; the database stage gets the typed values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "casefile/casefile.h"
#include "casefile/db.h"
#include "core/result.h"
#include "core/time.h"

namespace tq::analysis {

// The span of high-severity attacks that worked (rule hits the server answered 2xx/3xx: a
// scanner's failed probes months earlier do not open the window) and high-severity web-root
// findings, else of every high-severity finding of the logs and web-root stages; none when
// they found nothing. Only what this run's earlier stages wrote: the analysis stage's own
// findings come after the database stage, and reading them would take the previous run's
// answer (a second run on the same evidence would differ).
std::optional<BreachWindow> BreachWindowFromCase(Db& db);

// The span of the logs stage's high and critical findings: the window the web-root stage judges
// file times against. It runs before the database stage, and its own findings must not open the
// window it judges by (a second run would read the first run's). None when the logs stage
// found nothing high.
std::optional<BreachWindow> LogsWindow(Db& db);

// High and critical rule hits the server answered 2xx/3xx (the logs stage's table), inside
// the window when there is one; at most 100,000, by time. None without a logs stage.
Result<std::vector<AnsweredAttack>> AnsweredAttacks(Db& db,
                                                    const std::optional<BreachWindow>& window);

}  // namespace tq::analysis
