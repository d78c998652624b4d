// notify: who must be told about the breach, by when (obligations from the jurisdiction
// table in data/jurisdictions/), the letters and notices (Mustache templates in
// data/templates/), and their delivery over SMTP from an outbox in the case file.
//
// Legal knowledge lives in the data files, never here. Everything the plan prints is
// guidance, not legal advice, and every duty carries its verification status.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "core/time.h"

namespace tq::notify {

// ---- The jurisdiction table (duties.cc) ----

enum class DeadlineUnit { kNone, kHours, kDays, kBusinessDays };

struct DutyRule {
  std::string id, name;
  std::vector<std::string> where;  // codes or set names as written; "*" = everyone
  bool per_jurisdiction = false;   // per: jurisdiction | all
  std::string notify;              // individuals | regulator | cra | acquirer | card_brand
  std::string recipient;
  std::vector<std::string> categories;  // empty = any
  bool people_inclusive = true;         // people: >=N (true) or >N (false)
  int64_t people_min = 0;               // 0 with inclusive = "any"
  std::optional<int64_t> scale_min;     // scale: >=N in any category
  DeadlineUnit unit = DeadlineUnit::kNone;
  int64_t amount = 0;
  std::string after;  // from: after:RULE (empty = discovery)
  // also_by: told = due at the sooner of the deadline above and the moment the first of the
  // obligation's people is told (their letter sent): "14 business days, or when consumers
  // are notified, whichever is sooner" (Vermont).
  bool also_by_told = false;
  // establishment: the controller's EU/EEA establishment states this rule applies to
  // ("eea", "none", "unknown"); empty = always. GDPR's one-stop shop needs one.
  std::vector<std::string> establishment;
  std::string deadline_text, template_name, law, source, status, note;
  // The rule is in force for breaches discovered from in_force_from (00:00 UTC) up to the end
  // of in_force_until (a law that changed keeps both versions, each with its dates).
  std::optional<UnixMicros> in_force_from, in_force_until;
  bool InForce(UnixMicros discovered_at) const;
  int line = 0;                       // where the record starts in the file
  std::string ThresholdText() const;  // "any", ">500", ">=250"
};

struct DutyTable {
  std::vector<DutyRule> rules;
  std::map<std::string, std::vector<std::string>> sets;
  // Records left out, each "file:line: message": one bad record costs only its duty; the
  // caller must report them (a duty missing from the plan is never silent).
  std::vector<Status> errors;
};

// Parses the table; errors read "file:line: message" and leave out only their record (see
// DutyTable::errors). Never throws, never crashes on any bytes (fuzzed).
Result<DutyTable> ParseDutyTable(std::string_view text, const std::string& file);
Result<DutyTable> LoadDutyTable(const std::string& path);
// Adds `amount` units to `from` (business days skip Saturday and Sunday, in UTC).
UnixMicros AddDeadline(UnixMicros from, DeadlineUnit unit, int64_t amount);

// The data directory (jurisdictions/, templates/): $TOURNIQUET_DATA, else share/tourniquet
// or data/ near the binary, else the source tree it was built from.
std::string DefaultDataDir();

// ---- Scope input (the scope component's tables; see notes/scope-contract.md) ----

struct AffectedPerson {
  std::string person_key, email, name, country, region, language;
  std::vector<std::string> categories;  // sorted
  std::optional<UnixMicros> first_exposure, last_exposure;
  std::optional<UnixMicros> told_at;  // their letter was delivered (sent or printed) then
  // 'US-CA', 'CA-ON', 'AU-NSW' (region kept for US, CA, AU), else the country; '' unknown.
  std::string Jurisdiction() const;
};
// Reads scope_person (NotFound when `tourniquet scope` has not run). Categories must be a
// JSON array of strings; a malformed row is an error naming its person_key.
Result<std::vector<AffectedPerson>> LoadAffectedPeople(Db& db);

// ---- Obligations (plan.cc) ----

struct Obligation {
  std::string key;  // rule id + "/" + jurisdiction code (or "all")
  const DutyRule* rule = nullptr;
  std::vector<std::string> jurisdictions;  // codes matched
  int64_t people = 0;                      // people with a triggering category
  bool threshold_met = false;
  std::optional<UnixMicros> deadline;
  std::string status;                    // due | overdue | done | not_required
  std::vector<std::string> person_keys;  // for individual duties
  std::optional<UnixMicros> first_told;  // the first of its people told (a letter delivered)
};

struct Plan {
  std::vector<Obligation> obligations;  // sorted by deadline, then key
  int64_t people_total = 0;
  int64_t people_unknown_country = 0;
  std::vector<std::string> jurisdictions;  // all codes seen in the scope
  std::vector<std::string> unmatched;      // codes no rule covers
};

// What the plan needs to know about the controller: "eea" (an establishment in the EU/EEA,
// so one lead authority), "none" (each authority where affected people live), or "unknown".
struct PlanContext {
  std::string establishment = "unknown";
};

Plan BuildPlan(const DutyTable& table, const std::vector<AffectedPerson>& people,
               UnixMicros discovered_at, UnixMicros now, const PlanContext& context = {});

// Creates notify_obligation and notify_outbox (component schema "notify").
Status EnsureNotifySchema(Case& c);
// Marks obligations done (from their task, or for individual duties from the outbox: all
// their people sent), then replaces notify_obligation and upserts one task per required
// obligation (source 'notify', phase 3, due_at). Call inside a transaction.
Status StorePlan(Db& db, Plan& plan, UnixMicros now);
// Marks an obligation's task done (by obligation key); NotFound when there is none.
Status MarkObligationDone(Db& db, std::string_view key);

// ---- Messages (render.cc) ----

struct RenderOptions {
  // Letters written so far of the people to write to (for a progress bar), every few hundred.
  std::function<void(int64_t done, int64_t total)> progress;
  std::string templates_dir;  // data/templates
  std::string out_dir;        // <case>/reports/notify
  std::string organisation;   // who writes ("Example Shop"); default: store URL host
  std::string sender;         // From address for letters ("privacy@shop.example")
  std::string contact;        // how people reach the store; default: sender
  std::string dpo;            // data protection officer / privacy contact; "" = [to confirm]
  // Controller details some letter layouts require (data/templates/*@*.txt "Requires:").
  std::string legal_name;              // default: organisation
  std::string phone, website;          // a toll-free number and a web page about the incident
  bool law_enforcement_delay = false;  // notice was delayed at law enforcement's request
  bool write_letter_files = true;
  std::string postal_address;  // the controller's, for the return address of printed letters
  // data/jurisdictions/letters.txt (delivery.h): the details each jurisdiction's letters
  // must carry and whether they may go by e-mail. Empty: every letter by e-mail, no checks.
  std::string letter_rules;
};

struct RenderSummary {
  int64_t letters = 0, queued = 0, updated = 0, unchanged = 0;
  int64_t kept_sent = 0;   // already sent or in flight: left as they were
  int64_t no_address = 0;  // no usable email: a letter file only, listed in the outbox
  int64_t fallback_language = 0;
  int64_t notices = 0;
  std::map<std::string, int64_t> by_language;
  std::vector<std::string> files;  // notices and statement written
  // Letters not written because their language's template does not load, and those
  // templates' errors ("letter.de.txt:2: ..."): the other languages' letters are written.
  int64_t template_skipped = 0;
  std::vector<std::string> template_errors;
  // Channels (with letter_rules): letters for e-mail and for print, and letters refused
  // because the controller details their jurisdiction requires are missing (one message
  // per jurisdiction and field).
  int64_t by_email = 0, by_post = 0, missing_details = 0;
  std::vector<std::string> detail_errors;
};

struct Letter {
  std::string subject, body, language;
};

// Renders per-person letters with the templates of one directory. Loaded once; Render is
// cheap (used 100,000 times by the benchmark).
class LetterRenderer {
 public:
  static Result<LetterRenderer> Load(const std::string& templates_dir);
  // `extra` holds case-level values (organisation, contact, store_url, discovered...).
  Result<Letter> Render(const AffectedPerson& p,
                        const std::map<std::string, std::string>& extra) const;
  ~LetterRenderer();
  LetterRenderer(LetterRenderer&&) noexcept;
  LetterRenderer& operator=(LetterRenderer&&) noexcept;

 private:
  struct Impl;
  explicit LetterRenderer(Impl* impl) : impl_(impl) {}
  Impl* impl_;
};

// Plain text made safe for a letter: no control characters except newline (and only where
// `allow_newline`), invalid UTF-8 as U+FFFD.
std::string CleanPlainText(std::string_view raw, bool allow_newline);
// A conservative mailbox check (no CR/LF, spaces, quotes, angle brackets, one '@', a dotted
// domain, <= 254 bytes). False = never handed to SMTP.
bool IsSafeMailAddress(std::string_view address);

Result<RenderSummary> RenderAll(Case& c, const Plan& plan,
                                const std::vector<AffectedPerson>& people,
                                const RenderOptions& options);

// ---- Delivery (send.cc) ----

struct SendOptions {
  std::string smtp_url;  // smtp://host:port, smtps://host:port
  std::string user, password;
  bool confirm = false;         // false = dry run: nothing sent, nothing changed
  double rate_per_second = 10;  // 0 = unlimited
  int retries = 3;              // extra attempts on transient failures, with backoff
  double backoff_seconds = 1;   // first backoff; doubles each retry (capped at 60 s)
  bool require_tls = false;     // fail unless STARTTLS/TLS is in place
  bool resend_unknown = false;  // resend messages whose fate is unknown (same Message-ID)
  bool retry_failed = false;    // try permanently failed messages again
  int timeout_seconds = 30;
  int connections = 1;     // SMTP transactions in flight at once
  bool fsync_each = true;  // fsync 'unconfirmed' before each end of data (power-cut safe)
  int64_t limit = 0;       // at most this many messages this run (0 = all)
  std::function<void(int64_t done, int64_t total)> progress;
};

struct DeliveryProblem {
  int64_t outbox_id = 0;
  std::string person_key, recipient, state, reply, message_id;
};

struct SendReport {
  bool dry_run = true;
  int64_t pending = 0;  // messages that would be / were attempted
  int64_t sent = 0, failed = 0, deferred = 0, unknown = 0, no_address = 0;
  int64_t recovered_sending = 0;    // rows left 'sending' by a killed run, requeued
  int64_t in_flight_elsewhere = 0;  // rows claimed by another live run: left alone
  int64_t claimed_elsewhere = 0;    // rows another run claimed while this one ran
  int64_t already_sent = 0;
  double seconds = 0;
  std::string server_error;               // set when the server was unreachable and the run stopped
  std::vector<DeliveryProblem> problems;  // every message not delivered, by name
};

// After checking the server's log: a message in state 'unknown' did arrive. Sets it 'sent'.
Status MarkDelivered(Db& db, int64_t outbox_id, std::string_view who);

// Delivers the outbox. Exactly once per message: see send.cc for the state machine.
Result<SendReport> SendOutbox(Case& c, const SendOptions& options);

// The RFC 5322 message for one outbox row (exposed for tests): headers (From, To, Subject
// as RFC 2047 when not ASCII, Date, Message-ID, MIME) and a base64 body. Refuses CR/LF in
// any header value.
Result<std::string> BuildMimeMessage(std::string_view from, std::string_view to,
                                     std::string_view to_name, std::string_view subject,
                                     std::string_view body, std::string_view message_id,
                                     UnixMicros date);

}  // namespace tq::notify
