// Opening the case a command works on, and the audit trail every changing command writes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "casefile/casefile.h"
#include "casefile/lock.h"
#include "cli/command.h"

namespace tq::cli {

// The case directory: --case, else $TOURNIQUET_CASE, else the current directory.
std::string CaseDir(const Globals& g);
Result<std::unique_ptr<Case>> OpenCaseForCommand(const Globals& g, bool read_only = false);
// Takes the case-wide lock of one kind of changing command (casefile/lock.h), held until the
// returned object goes: a second `notify send` on the case gets exit 4 and who holds it.
// Kinds: collect, investigate, scope, contain, report, notify-outbox (render and send).
Result<CaseLock> LockCase(const Case& c, std::string_view kind, std::string_view command);
// Who is acting: --as NAME, else the OS user.
std::string Actor(const Globals& g);
// One audit row for this command: outcome "ok" or "failed: <message>". Written in its own
// transaction, after the command's own one committed or rolled back.
void AuditOutcome(Case& c, const Globals& g, std::string_view command, const Status& result,
                  std::string_view detail = "");

}  // namespace tq::cli
