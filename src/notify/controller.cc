// The controller's details (stored once in the case by `init` or `notify`, so every render
// signs the same way), each person's consent to electronic notice, and the choice of channel
// for a letter from the jurisdiction's rule and that consent.
#include <algorithm>

#include "notify/delivery.h"

namespace tq::notify {

const std::vector<std::string>& ControllerFieldNames() {
  static const std::vector<std::string> k = {"legal_name", "postal_address", "dpo",
                                             "phone",      "website",        "eu_establishment"};
  return k;
}

std::string ControllerDetails::Field(std::string_view name) const {
  if (name == "legal_name") return legal_name;
  if (name == "postal_address") return postal_address;
  if (name == "dpo") return dpo;
  if (name == "phone") return phone;
  if (name == "website") return website;
  if (name == "eu_establishment") return eu_establishment;
  return "";
}

namespace {

std::string* Slot(ControllerDetails& d, std::string_view name) {
  if (name == "legal_name") return &d.legal_name;
  if (name == "postal_address") return &d.postal_address;
  if (name == "dpo") return &d.dpo;
  if (name == "phone") return &d.phone;
  if (name == "website") return &d.website;
  if (name == "eu_establishment") return &d.eu_establishment;
  return nullptr;
}

}  // namespace

Result<ControllerDetails> LoadController(Db& db) {
  ControllerDetails d;
  TQ_ASSIGN_OR_RETURN(int64_t has, db.QueryInt("SELECT count(*) FROM sqlite_master WHERE "
                                               "type='table' AND name='notify_controller'"));
  if (!has) return d;
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT field, value FROM notify_controller"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (std::string* slot = Slot(d, st.Text(0))) *slot = st.String(1);
  }
  return d;
}

Status StoreController(Db& db, const ControllerDetails& given, UnixMicros now) {
  TQ_ASSIGN_OR_RETURN(
      Stmt up, db.Prepare("INSERT INTO notify_controller(field, value, updated_at) VALUES(?,?,?) "
                          "ON CONFLICT(field) DO UPDATE SET value=excluded.value, "
                          "updated_at=excluded.updated_at"));
  for (const std::string& name : ControllerFieldNames()) {
    std::string value = given.Field(name);
    if (value.empty()) continue;
    // An address has lines; everything else is one line. Letters print these verbatim.
    bool multiline = name == "postal_address";
    std::string flag = name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    if (value.size() > 1000) return Status::Usage("--" + flag + ": longer than 1,000 bytes");
    if (CleanPlainText(value, multiline) != value)
      return Status::Usage("--" + flag + ": control characters or invalid UTF-8 (give plain text" +
                           (multiline ? "; lines separated by newlines)" : ")"));
    if (name == "eu_establishment" && value != "eea" && value != "none")
      return Status::Usage(
          "--eu-establishment: expected eea (an establishment in the EU/EEA) "
          "or none, got '" +
          value + "'");
    TQ_RETURN_IF_ERROR(up.Reset());
    up.Bind(1, name).Bind(2, value).Bind(3, now);
    TQ_RETURN_IF_ERROR(up.Run());
  }
  return Status::Ok();
}

Result<int64_t> RecordConsent(Db& db, const std::vector<std::string>& keys, std::string_view kind,
                              std::string_view source, UnixMicros now,
                              std::vector<std::string>* unmatched) {
  if (kind != "esign" && kind != "authenticated")
    return Status::Usage("consent kind: expected esign or authenticated, got '" +
                         CleanPlainText(kind, false) + "'");
  TQ_ASSIGN_OR_RETURN(Stmt find, db.Prepare("SELECT person_key FROM scope_person WHERE "
                                            "person_key=?1 OR (?1 LIKE '%@%' AND "
                                            "lower(email)=lower(?1))"));
  TQ_ASSIGN_OR_RETURN(
      Stmt put, db.Prepare("INSERT INTO notify_consent(person_key, kind, source, recorded_at) "
                           "VALUES(?,?,?,?) ON CONFLICT(person_key) DO UPDATE SET "
                           "kind=excluded.kind, source=excluded.source, "
                           "recorded_at=excluded.recorded_at"));
  int64_t matched = 0;
  for (const std::string& key : keys) {
    TQ_RETURN_IF_ERROR(find.Reset());
    find.Bind(1, key);
    bool any = false;
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, find.Step());
      if (!row) break;
      any = true;
      TQ_RETURN_IF_ERROR(put.Reset());
      put.Bind(1, find.String(0)).Bind(2, std::string(kind)).Bind(3, std::string(source));
      put.Bind(4, now);
      TQ_RETURN_IF_ERROR(put.Run());
      ++matched;
    }
    if (!any && unmatched) unmatched->push_back(CleanPlainText(key, false));
  }
  return matched;
}

Result<std::vector<std::string>> ParseConsentList(std::string_view text, const std::string& file) {
  std::vector<std::string> out;
  size_t pos = 0;
  uint64_t line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line_no > 1000000) return Status::BadInput("more than 1,000,000 lines").At(file, line_no);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.size() > 512) return Status::BadInput("line longer than 512 bytes").At(file, line_no);
    if (CleanPlainText(line, false) != line)
      return Status::BadInput("control character or invalid UTF-8 in '" +
                              CleanPlainText(line.substr(0, 60), false) + "'")
          .At(file, line_no);
    out.emplace_back(line);
  }
  return out;
}

Result<std::map<std::string, std::string>> LoadConsent(Db& db) {
  std::map<std::string, std::string> out;
  TQ_ASSIGN_OR_RETURN(int64_t has, db.QueryInt("SELECT count(*) FROM sqlite_master WHERE "
                                               "type='table' AND name='notify_consent'"));
  if (!has) return out;
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT person_key, kind FROM notify_consent"));
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[st.String(0)] = st.String(1);
  }
  return out;
}

ChannelChoice ChooseChannel(const LetterRule* rule, std::string_view consent, bool email_ok) {
  if (!email_ok) return {"post", "no usable e-mail address"};
  // No rule for the jurisdiction (or no country): post unless the person agreed.
  EmailRule r = rule ? rule->email : EmailRule::kConsent;
  switch (r) {
    case EmailRule::kAllowed: return {"email", "e-mail allowed by law"};
    case EmailRule::kEsign:
      if (consent == "esign") return {"email", "E-SIGN consent on record"};
      return {"post", "e-mail needs the person's E-SIGN consent (none on record)"};
    case EmailRule::kAuthenticated:
      if (consent == "authenticated" || consent == "esign")
        return {"email", std::string(consent) + " address on record"};
      return {"post", "e-mail needs an authenticated address (none on record)"};
    case EmailRule::kConsent:
      if (!consent.empty()) return {"email", std::string(consent) + " consent on record"};
      return {"post", "postal by default: no consent to electronic notice on record"};
  }
  return {"post", ""};
}

}  // namespace tq::notify
