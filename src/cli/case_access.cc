// Case lookup and audit rows for the commands.
#include "cli/case_access.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace tq::cli {

std::string CaseDir(const Globals& g) {
  if (!g.case_dir.empty()) return g.case_dir;
  if (const char* env = std::getenv("TOURNIQUET_CASE"); env && *env) return env;
  return ".";
}

Result<std::unique_ptr<Case>> OpenCaseForCommand(const Globals& g, bool read_only) {
  return Case::Open(CaseDir(g), read_only);
}

Result<CaseLock> LockCase(const Case& c, std::string_view kind, std::string_view command) {
  return CaseLock::Acquire(c.dir(), kind, command);
}

std::string Actor(const Globals& g) {
  if (!g.as_user.empty()) return g.as_user;
  if (struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  if (const char* u = std::getenv("USER"); u && *u) return u;
  return "uid:" + std::to_string(::geteuid());
}

void AuditOutcome(Case& c, const Globals& g, std::string_view command, const Status& result,
                  std::string_view detail) {
  std::string cmdline;
  for (size_t i = 0; i < g.argv.size(); ++i) {
    if (i) cmdline += ' ';
    cmdline += g.argv[i];
  }
  std::string outcome = result.ok() ? "ok" : "failed: " + result.ToString();
  std::string full_detail(detail);
  if (!cmdline.empty()) full_detail = cmdline + (detail.empty() ? "" : "\n") + full_detail;
  Status s = c.Transaction([&](Db&) { return c.Audit(Actor(g), command, outcome, full_detail); });
  if (!s.ok()) PrintError(Status(s.code(), "could not write the audit row: " + s.message()));
}

}  // namespace tq::cli
