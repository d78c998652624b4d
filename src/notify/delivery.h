// notify's delivery side: who the controller is (details some laws require in a letter), what
// a letter to each jurisdiction needs and how it may travel (data/jurisdictions/letters.txt),
// each person's consent to electronic notice, and the postal output (a print-ready PDF per
// letter and a mail-merge CSV for a postal service).
//
// The law lives in the data file: an e-mail goes only where the person's jurisdiction allows
// it (by law or with the person's consent); everything else is printed and posted.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "notify/notify.h"

namespace tq::notify {

// ---- The controller (controller.cc): stored in the case by init and notify ----

struct ControllerDetails {
  std::string legal_name;        // the controller's legal name ("Example Shop GmbH")
  std::string postal_address;    // its postal address (the letters' return address)
  std::string dpo;               // data protection officer or privacy contact
  std::string phone;             // a (toll-free) number for questions
  std::string website;           // a web page about the incident
  std::string eu_establishment;  // eea | none | "" (unknown): GDPR's lead authority
  // The value of a field by its name in letters.txt "requires:" ("legal_name", "dpo"...).
  std::string Field(std::string_view name) const;
};

// The option names, as letters.txt and the CLI spell them.
const std::vector<std::string>& ControllerFieldNames();

// Stored values (empty ControllerDetails when none).
Result<ControllerDetails> LoadController(Db& db);
// Stores the non-empty fields of `given` (the others keep their stored value). Checks them:
// plain text (no control characters except newlines in the address), bounded, and
// eu_establishment one of eea, none. Call inside a transaction, after EnsureNotifySchema.
Status StoreController(Db& db, const ControllerDetails& given, UnixMicros now);

// ---- Letter rules per jurisdiction (letter_rules.cc) ----

enum class EmailRule {
  kAllowed,        // the law lets a letter go by e-mail
  kEsign,          // only with the person's E-SIGN consent to electronic records
  kAuthenticated,  // only to an authenticated address (or with E-SIGN consent)
  kConsent,        // only with the person's consent to electronic notice (any kind)
};

struct LetterRule {
  std::vector<std::string> where;     // codes or set names ("US-CA", "EEA", "*")
  std::vector<std::string> required;  // controller fields the letter must carry
  EmailRule email = EmailRule::kConsent;
  std::string law, source, status, note;
  int line = 0;
};

struct LetterRules {
  std::vector<LetterRule> rules;
  std::map<std::string, std::vector<std::string>> sets;  // from the duty table
  // The rule for a jurisdiction code: an exact code beats its country ("US-CA" then "US"),
  // which beats a set, which beats "*". nullptr when nothing matches.
  const LetterRule* For(std::string_view jurisdiction) const;
};

// Parses the file; every error reads "file:line: message" and stops the load (a letter must
// never travel by a rule that was silently left out). `sets` are the duty table's.
Result<LetterRules> ParseLetterRules(std::string_view text, const std::string& file,
                                     const std::map<std::string, std::vector<std::string>>& sets);
Result<LetterRules> LoadLetterRules(const std::string& path,
                                    const std::map<std::string, std::vector<std::string>>& sets);

// ---- Consent to electronic notice (controller.cc), per person ----

// Records consent for people by person key or e-mail address: kind "esign" (E-SIGN consent to
// electronic records) or "authenticated" (the address is an authenticated one, e.g. the
// account's verified login). Returns how many people matched; each key that matched no one
// is returned in `unmatched`. Call inside a transaction.
Result<int64_t> RecordConsent(Db& db, const std::vector<std::string>& keys, std::string_view kind,
                              std::string_view source, UnixMicros now,
                              std::vector<std::string>* unmatched);
// A consent list file: one person key or e-mail address a line; blank lines and "#" comments
// skipped. Errors read "file:line: message" (a control character, a line over 512 bytes,
// more than 1,000,000 lines): the whole list is refused, so no one is half-recorded.
Result<std::vector<std::string>> ParseConsentList(std::string_view text, const std::string& file);
// person_key -> consent kind.
Result<std::map<std::string, std::string>> LoadConsent(Db& db);

// The channel of one person's letter: "email" or "post", and why (for the index and review).
struct ChannelChoice {
  std::string channel, reason;
};
ChannelChoice ChooseChannel(const LetterRule* rule, std::string_view consent, bool email_ok);

// ---- Postal output (postal.cc) ----

struct PostalAddress {
  std::vector<std::string> lines;  // street lines
  std::string city, postal_code, region, country;
  bool empty() const { return lines.empty() && city.empty() && postal_code.empty(); }
  // The lines of the address block below the name, in the order the country's post expects
  // them (US, CA, AU: "City Region Postcode"; GB, IE: city, then postcode; elsewhere
  // "Postcode City"), then the country.
  std::vector<std::string> BlockLines() const;
};
// A letter body made for e-mail (lines wrapped by hand in the template) as paragraphs for
// print: a long line runs on into the next unless that starts a list item or an indent.
std::string ReflowForPrint(std::string_view body);
// person_key -> the billing address of their latest order in the store database (empty when
// the case has none).
Result<std::map<std::string, PostalAddress>> LoadPostalAddresses(Db& db);

struct PrintOptions {
  std::string out_dir;   // <case>/reports/notify/print
  bool reprint = false;  // print letters already printed again (same files)
};
struct PrintReport {
  int64_t printed = 0, already_printed = 0, no_postal_address = 0;
  std::string csv_path;
  std::vector<std::string> files;
  std::vector<std::string> problems;  // "person_key: no postal address", per letter
};
// Writes a PDF for every letter whose channel is post (state queued, or printed with
// `reprint`), the mail-merge CSV beside them, and marks them printed. A letter without a
// postal address is reported by name and stays queued.
Result<PrintReport> PrintLetters(Case& c, const PrintOptions& options);

// The PDF of one letter (A4, the return address, the recipient's address block, the body).
// Exposed for tests.
Status WriteLetterPdf(const std::string& path, std::string_view sender_block,
                      std::string_view recipient_name, const PostalAddress& address,
                      std::string_view subject, std::string_view body);

}  // namespace tq::notify
