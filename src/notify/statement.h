// statement: the facts every public document, letter and notice is built from, read from
// the case with their state, and the sentences built from them. A sentence carries the case
// rows it stands on (table, id, state), so a claims ledger can sit beside each document and
// counsel (or a test) can check the text against the case.
//
// The rules the sentences follow: a remediation is stated done only when its task is done
// (open or in progress reads "we are ..."; no task, no sentence); "told directly" only when
// the outbox says every letter was delivered; the entry vector is the analysis' own (never
// a guess); what the case cannot settle reads "[to confirm: ...]" and the caller refuses to
// publish until those markers are resolved. Public text never names an address, path,
// account, person, secret, or a weakness that is not fixed yet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "core/time.h"

namespace tq::notify {

// One case row (or an aggregate, id 0) a sentence was built from.
struct FactRef {
  std::string table;  // findings | tasks | notify_outbox | scope_count | notify_obligation ...
  int64_t id = 0;     // row id; 0 = an aggregate over the table
  std::string key;    // the row's kind or dedupe key, or the aggregate's filter
  std::string state;  // what the row says: "done", "open", "sent=12 of 40", a value
};

struct Claim {
  std::string text;
  std::vector<FactRef> facts;  // empty: advice or a promise, not a statement of fact
};

enum class EntryKind { kUnknown, kVulnerability, kCredentialAttack, kStolenAdminAccess, kOther };
std::string_view EntryKindName(EntryKind k);  // unknown | vulnerability | credential_attack ...
// The analysis' technique (a rule title or the analysis' own words) and CVE, read by what
// the technique is: a well-formed CVE id, credential guessing, a stolen admin login...
EntryKind ClassifyEntry(const std::string& technique, const std::string& cve);

struct TaskFact {
  int64_t id = 0;
  std::string key, status;  // dedupe key; open | in_progress | done | cancelled
};

struct StatementFacts {
  TimeZone zone = TimeZone::Utc();
  std::optional<UnixMicros> discovered_at;
  // The entry vector as analysis found it.
  EntryKind entry = EntryKind::kUnknown;
  std::string technique, cve;
  int64_t entry_finding = 0;
  // The window: first and last attacker activity (or skimmer window), with their rows.
  std::optional<UnixMicros> first, last;
  std::vector<FactRef> window_facts;
  // What the attacker did after getting in (finding ids; 0 = not found).
  int64_t webshell_finding = 0, rogue_admin_finding = 0, skimmer_finding = 0;
  int64_t exfil_findings = 0, exfil_first_finding = 0;
  // People: -1 = scope not run.
  int64_t affected = -1, unknown_country = 0;
  std::vector<std::pair<std::string, int64_t>> categories;  // in order of harm, people each
  // The outbox: letters by state.
  int64_t letters = 0, letters_sent = 0;
  // Duties that need someone other than the customers told (regulator, CRA, acquirer, card
  // brand), with the status the plan stored.
  struct Duty {
    int64_t id = 0;
    std::string key, notify, status;
  };
  std::vector<Duty> duties;
  bool plan_run = false;
  std::vector<TaskFact> tasks;
  const TaskFact* Task(std::string_view key) const;
  std::vector<const TaskFact*> TasksWithPrefix(std::string_view prefix) const;
};

// Reads the facts. Tables a later phase writes (scope, notify, contain) may be missing.
Result<StatementFacts> LoadStatementFacts(Case& c);

// "5 March 2025"; a range "between 5 March 2025 and 9 March 2025"; a single day "on 5 March
// 2025" (never "between X and X"). Dates in the store's zone.
std::string ReadableDate(UnixMicros t, const TimeZone& zone);
std::string ReadableRange(UnixMicros from, UnixMicros to, const TimeZone& zone);

// Category labels for public text and notices ("hashed account passwords", never
// "encrypted"), and the order of harm (card data, passwords, identity data first).
std::string PublicCategoryLabel(std::string_view category);
int CategoryHarmRank(std::string_view category);

// The sentences. Each is complete: its markers are in its text.
Claim WindowClaim(const StatementFacts& f);  // "An unauthorised party ... <range>."
Claim EntryClaim(const StatementFacts& f);   // how they got in
std::vector<Claim> AfterEntryClaims(const StatementFacts& f);  // files, admin, skimmer, copy
std::vector<Claim> CategoryClaims(const StatementFacts& f);    // one per category, with count
Claim PeopleToldClaim(const StatementFacts& f);                // told directly / we are contacting
std::optional<Claim> AuthoritiesClaim(const StatementFacts& f);     // none when no plan
std::vector<Claim> MeasureClaims(const StatementFacts& f);          // done or in progress, by task
std::optional<Claim> UnknownCountryClaim(const StatementFacts& f);  // for notices

// Every "[to confirm: ...]" in the text, in order, without duplicates.
std::vector<std::string> OpenMarkers(std::string_view text);

// The claims ledger: {"document", "open_markers": [...], "claims": [{"text", "facts":
// [{"table","id","key","state"}]}]}, deterministic (no timestamps).
std::string ClaimsLedgerJson(std::string_view document, const std::vector<Claim>& claims);

}  // namespace tq::notify
