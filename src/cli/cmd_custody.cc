// tourniquet custody: export the chain of custody (every collect, verify and export).
#include "cli/case_access.h"
#include "core/sha256.h"
#include "evidence/evidence.h"

namespace tq::cli {
namespace {

struct CustodyArgs {
  std::string format = "csv";
};

Runner SetupCustody(CLI::App& app, Globals& g) {
  auto a = std::make_shared<CustodyArgs>();
  app.add_option("--format", a->format, "csv or json (default csv; --json implies json)")
      ->check(CLI::IsMember({"csv", "json"}));
  app.footer("Example: tourniquet --case case custody --format csv > custody.csv");
  return [a, &g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<std::vector<evidence::CustodyRecord>> records = evidence::ListCustody(**c);
    if (!records.ok()) return Fail(records.status());
    bool json = g.json || a->format == "json";
    std::string text = json ? evidence::CustodyJson(*records) : evidence::CustodyCsv(*records);
    // The export itself is a custody record (naming the hash of what was handed out).
    evidence::CustodyRecord r;
    r.actor = Actor(g);
    r.action = "export";
    r.what = "chain of custody (" + std::to_string(records->size()) + " records, " +
             (json ? "json" : "csv") + ")";
    r.origin = "stdout";
    r.sha256 = Sha256Hex(text);
    Result<evidence::CustodyRecord> added = evidence::RecordCustody(**c, r);
    AuditOutcome(**c, g, "custody", added.status(), r.what);
    if (!added.ok()) return Fail(added.status());
    PrintOut(text);
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("custody", "Export the chain of custody (csv or json)", 22, SetupCustody);
}  // namespace tq::cli
