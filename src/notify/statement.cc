// The facts statements are built from, and the sentences: see statement.h.
#include "notify/statement.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/json.h"
#include "core/text.h"

namespace tq::notify {
namespace {

std::string JText(const std::string& json, const char* key) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  std::string_view v;
  if (p.parse(json).get(doc) || doc[key].get(v)) return "";
  return std::string(v);
}

// Only a well-formed CVE id reaches public text.
bool IsCveId(std::string_view s) {
  if (!s.starts_with("CVE-") || s.size() < 13 || s.size() > 18 || s[8] != '-') return false;
  for (size_t i = 4; i < s.size(); ++i)
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return false;
  return true;
}

}  // namespace

// How the analysis' technique reads: by what the technique is, not by any one sample.
EntryKind ClassifyEntry(const std::string& technique, const std::string& cve) {
  if (IsCveId(cve)) return EntryKind::kVulnerability;
  std::string t = Lower(technique);
  if (t.empty() || t.find("artifact") != std::string::npos) return EntryKind::kUnknown;
  if (t.find("stuffing") != std::string::npos || t.find("brute") != std::string::npos ||
      t.find("password spray") != std::string::npos)
    return EntryKind::kCredentialAttack;
  if (t.find("token") != std::string::npos || t.find("session") != std::string::npos ||
      t.find("cookie") != std::string::npos || t.find("admin area access") != std::string::npos)
    return EntryKind::kStolenAdminAccess;
  return EntryKind::kOther;
}

namespace {

std::string People(int64_t n) { return std::to_string(n) + (n == 1 ? " customer" : " customers"); }

FactRef TaskRef(const TaskFact& t) { return {"tasks", t.id, t.key, t.status}; }

bool Done(const TaskFact& t) { return t.status == "done"; }
bool Cancelled(const TaskFact& t) { return t.status == "cancelled"; }

// The tasks that close the attacker's access (the end of the exposure window).
constexpr std::array<std::string_view, 6> kAccessTasks = {
    "contain:block",  "contain:quarantine:", "contain:account:",
    "contain:token:", "contain:sessions",    "contain:database:"};

}  // namespace

std::string_view EntryKindName(EntryKind k) {
  switch (k) {
    case EntryKind::kVulnerability: return "vulnerability";
    case EntryKind::kCredentialAttack: return "credential_attack";
    case EntryKind::kStolenAdminAccess: return "stolen_admin_access";
    case EntryKind::kOther: return "other";
    case EntryKind::kUnknown: break;
  }
  return "unknown";
}

const TaskFact* StatementFacts::Task(std::string_view key) const {
  for (const TaskFact& t : tasks)
    if (t.key == key) return &t;
  return nullptr;
}

std::vector<const TaskFact*> StatementFacts::TasksWithPrefix(std::string_view prefix) const {
  std::vector<const TaskFact*> out;
  for (const TaskFact& t : tasks)
    if (t.key.starts_with(prefix)) out.push_back(&t);
  return out;
}

Result<StatementFacts> LoadStatementFacts(Case& c) {
  Db& db = c.db();
  StatementFacts f;
  f.zone = c.Zone();
  TQ_ASSIGN_OR_RETURN(CaseInfo info, c.Info());
  f.discovered_at = info.discovered_at;
  TQ_ASSIGN_OR_RETURN(std::vector<Finding> findings, ListFindings(db));
  std::optional<UnixMicros> skim_start, skim_end;
  int64_t skim_id = 0;
  for (const Finding& x : findings) {
    if (x.kind == "analysis.entry_vector") {
      f.technique = JText(x.detail_json, "technique");
      f.cve = JText(x.detail_json, "cve");
      f.entry_finding = x.id;
    } else if (x.kind == "analysis.exfiltration") {
      if (!f.exfil_findings++) f.exfil_first_finding = x.id;
    } else if (x.kind == "analysis.skimmer_window") {
      skim_id = x.id;
      auto a = ParseIso8601(JText(x.detail_json, "start"), f.zone);
      auto b = ParseIso8601(JText(x.detail_json, "end"), f.zone);
      if (a.ok()) skim_start = *a;
      if (b.ok()) skim_end = *b;
      if (!f.skimmer_finding) f.skimmer_finding = x.id;
    } else if (x.kind == "storedb.injected_script") {
      if (!f.skimmer_finding) f.skimmer_finding = x.id;
    } else if (x.kind == "storedb.rogue_admin") {
      if (!f.rogue_admin_finding) f.rogue_admin_finding = x.id;
    } else if (x.kind == "webroot.yara" || x.kind == "webroot.misplaced_php" ||
               x.kind == "webroot.disguised_php") {
      if (!f.webshell_finding) f.webshell_finding = x.id;
    }
  }
  f.entry = f.entry_finding ? ClassifyEntry(f.technique, f.cve) : EntryKind::kUnknown;
  if (!IsCveId(f.cve)) f.cve.clear();
  if (TableExists(db, "attackers")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT id,first_seen,last_seen FROM attackers "
                                            "ORDER BY first_seen,id"));
    int64_t first_id = 0, last_id = 0;
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      UnixMicros a = st.Int(1), b = st.Int(2);
      if (!f.first || a < *f.first) f.first = a, first_id = st.Int(0);
      if (!f.last || b > *f.last) f.last = b, last_id = st.Int(0);
    }
    if (first_id)
      f.window_facts.push_back({"attackers", first_id, "first_seen", FormatUtc(*f.first)});
    if (last_id) f.window_facts.push_back({"attackers", last_id, "last_seen", FormatUtc(*f.last)});
  }
  if (skim_start && (!f.first || *skim_start < *f.first)) {
    f.first = skim_start;
    f.window_facts.push_back(
        {"findings", skim_id, "analysis.skimmer_window", "start " + FormatUtc(*skim_start)});
  }
  if (skim_end && (!f.last || *skim_end > *f.last)) {
    f.last = skim_end;
    f.window_facts.push_back(
        {"findings", skim_id, "analysis.skimmer_window", "end " + FormatUtc(*skim_end)});
  }
  if (TableExists(db, "scope_person")) {
    TQ_ASSIGN_OR_RETURN(f.affected, db.QueryInt("SELECT count(*) FROM scope_person"));
    TQ_ASSIGN_OR_RETURN(f.unknown_country,
                        db.QueryInt("SELECT count(*) FROM scope_person WHERE country=''"));
  }
  std::map<std::string, int64_t> cats;
  if (TableExists(db, "scope_count")) {
    // '*' is scope's all-categories total per jurisdiction, not a category.
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT category,sum(people) FROM scope_count "
                                            "WHERE category!='*' GROUP BY category"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      cats[st.String(0)] = st.Int(1);
    }
  }
  if (cats.empty() && TableExists(db, "storedb_pii_column")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT DISTINCT category FROM storedb_pii_column"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      cats[st.String(0)] = -1;  // the column exists; how many people is not known
    }
  }
  if (skim_start && !cats.count("payment_card")) cats["payment_card"] = -1;
  for (auto& [k, n] : cats) f.categories.emplace_back(k, n);
  std::stable_sort(f.categories.begin(), f.categories.end(), [](const auto& a, const auto& b) {
    return CategoryHarmRank(a.first) < CategoryHarmRank(b.first);
  });
  if (TableExists(db, "notify_outbox")) {
    TQ_ASSIGN_OR_RETURN(f.letters, db.QueryInt("SELECT count(*) FROM notify_outbox WHERE "
                                               "kind='letter'"));
    TQ_ASSIGN_OR_RETURN(f.letters_sent,
                        db.QueryInt("SELECT count(*) FROM notify_outbox WHERE "
                                    "kind='letter' AND state IN ('sent','printed')"));
  }
  if (TableExists(db, "notify_obligation")) {
    f.plan_run = true;
    // One status for a duty: the plan's, or done as soon as its task is (`task done` between
    // two `notify plan` runs), the same rule StorePlan applies.
    TQ_ASSIGN_OR_RETURN(
        Stmt st, db.Prepare("SELECT o.id,o.obligation_key,o.notify,CASE WHEN t.status='done' "
                            "THEN 'done' ELSE o.status END FROM notify_obligation o LEFT JOIN "
                            "tasks t ON t.id=o.task_id WHERE o.threshold_met=1 AND "
                            "o.notify!='individuals' ORDER BY o.obligation_key"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      f.duties.push_back({st.Int(0), st.String(1), st.String(2), st.String(3)});
    }
  }
  TQ_ASSIGN_OR_RETURN(std::vector<tq::Task> tasks, ListTasks(db));
  for (const tq::Task& t : tasks)
    if (!t.dedupe_key.empty())
      f.tasks.push_back({t.id, t.dedupe_key, std::string(TaskStatusName(t.status))});
  return f;
}

std::string ReadableDate(UnixMicros t, const TimeZone& zone) {
  static const char* kMonths[] = {"January",   "February", "March",    "April",
                                  "May",       "June",     "July",     "August",
                                  "September", "October",  "November", "December"};
  std::string iso = FormatInZone(t, zone);  // 2025-03-05T...
  if (iso.size() < 10) return iso;
  int month = std::atoi(iso.substr(5, 2).c_str()), day = std::atoi(iso.substr(8, 2).c_str());
  if (month < 1 || month > 12) return iso.substr(0, 10);
  return std::to_string(day) + " " + kMonths[month - 1] + " " + iso.substr(0, 4);
}

std::string ReadableRange(UnixMicros from, UnixMicros to, const TimeZone& zone) {
  std::string a = ReadableDate(from, zone), b = ReadableDate(to, zone);
  if (a == b) return "on " + a;
  return "between " + a + " and " + b;
}

std::string PublicCategoryLabel(std::string_view c) {
  static const std::map<std::string_view, std::string_view> m = {
      {"payment_card", "payment card details entered at checkout"},
      {"account_credentials", "account log-in details (e-mail address and password)"},
      {"password_hash", "hashed account passwords"},
      {"tax_id", "tax or social security numbers"},
      {"date_of_birth", "dates of birth"},
      {"postal_address", "postal addresses"},
      {"phone", "phone numbers"},
      {"email", "e-mail addresses"},
      {"order_history", "order history"},
      {"ip_address", "IP addresses used to order"},
      {"name", "names"}};
  auto it = m.find(c);
  return it == m.end() ? "other personal data" : std::string(it->second);
}

int CategoryHarmRank(std::string_view c) {
  static constexpr std::string_view kOrder[] = {
      "payment_card",  "account_credentials", "password_hash", "tax_id",
      "date_of_birth", "postal_address",      "phone",         "email",
      "order_history", "ip_address",          "name"};
  for (size_t i = 0; i < std::size(kOrder); ++i)
    if (kOrder[i] == c) return static_cast<int>(i);
  return static_cast<int>(std::size(kOrder));
}

Claim WindowClaim(const StatementFacts& f) {
  Claim c;
  c.facts = f.window_facts;
  if (!f.first || !f.last) {
    c.text =
        "An unauthorised party had access to our online store [to confirm: when the "
        "access began and ended].";
    return c;
  }
  // The exposure ends when the access is closed: the tasks that close it must be done.
  bool any = false, closed = true;
  for (std::string_view p : kAccessTasks)
    for (const TaskFact* t : f.TasksWithPrefix(p)) {
      c.facts.push_back(TaskRef(*t));
      if (Cancelled(*t)) continue;
      any = true;
      closed = closed && Done(*t);
    }
  if (any && closed) {
    c.text = "An unauthorised party had access to our online store " +
             ReadableRange(*f.first, *f.last, f.zone) + ".";
    return c;
  }
  std::string first = ReadableDate(*f.first, f.zone), last = ReadableDate(*f.last, f.zone);
  c.text = "An unauthorised party had access to our online store from " + first +
           (first == last ? "" : "; the last activity we found was on " + last) +
           " [to confirm: when the access ended: " +
           (any ? std::string("closing it is still in progress")
                : std::string("no containment step is recorded yet")) +
           "].";
  return c;
}

Claim EntryClaim(const StatementFacts& f) {
  Claim c;
  if (f.entry_finding)
    c.facts.push_back({"findings", f.entry_finding, "analysis.entry_vector",
                       std::string(EntryKindName(f.entry)) + (f.cve.empty() ? "" : " " + f.cve)});
  switch (f.entry) {
    case EntryKind::kVulnerability: {
      // The CVE is named only once it is fixed: an open weakness is not published.
      const TaskFact* fix = f.Task("contain:fix:upgrade");
      if (fix) c.facts.push_back(TaskRef(*fix));
      if (fix && Done(*fix))
        c.text = "The attacker got in through a known security flaw (" + f.cve +
                 ") in the software our store runs on, which we have since fixed by installing "
                 "its security update.";
      else if (fix && !Cancelled(*fix))
        c.text =
            "The attacker got in through a security flaw in the software our store runs "
            "on; we are installing the fix.";
      else
        c.text = "The attacker got in through a security flaw in the software our store runs on.";
      break;
    }
    case EntryKind::kCredentialAttack:
      c.text =
          "The attacker got in by trying e-mail addresses and passwords leaked from other "
          "websites against our store's login until some worked (credential stuffing).";
      break;
    case EntryKind::kStolenAdminAccess:
      if (Lower(f.technique).find("admin area access") != std::string::npos)
        c.text =
            "The attacker got in through the store's administration area with an "
            "administrator login [to confirm: how the attacker obtained that login].";
      else
        c.text = "The attacker got in with a stolen administrator login.";
      break;
    case EntryKind::kOther:
      c.text =
          "The attacker got in through an attack on the store's web application [to "
          "confirm: which weakness was used and whether it is fixed].";
      break;
    case EntryKind::kUnknown:
      c.text =
          "How the attacker got in is still being established [to confirm: the entry "
          "vector].";
      break;
  }
  return c;
}

std::vector<Claim> AfterEntryClaims(const StatementFacts& f) {
  std::vector<Claim> out;
  auto add = [&](int64_t id, const char* kind, const char* text) {
    if (id) out.push_back({text, {{"findings", id, kind, "found"}}});
  };
  add(f.webshell_finding, "webroot", "They then placed files on the server to keep their access.");
  add(f.rogue_admin_finding, "storedb.rogue_admin", "They created an administrator account.");
  add(f.skimmer_finding, "skimmer",
      "They added code to the checkout that copied card details as customers typed them.");
  if (f.exfil_findings)
    out.push_back({"They copied customer data out of the store.",
                   {{"findings", f.exfil_first_finding, "analysis.exfiltration",
                     std::to_string(f.exfil_findings) + " found"}}});
  return out;
}

std::vector<Claim> CategoryClaims(const StatementFacts& f) {
  std::vector<Claim> out;
  for (const auto& [cat, n] : f.categories) {
    Claim c;
    c.text = PublicCategoryLabel(cat);
    if (n >= 0) {
      c.text += " (" + People(n) + ")";
      c.facts.push_back({"scope_count", 0, "category=" + cat, "people=" + std::to_string(n)});
    } else {
      c.text += " [to confirm: how many customers]";
      c.facts.push_back({"storedb_pii_column", 0, "category=" + cat, "present"});
    }
    bool dup = false;
    for (Claim& o : out) dup = dup || o.text == c.text;
    if (!dup) out.push_back(std::move(c));
  }
  if (out.empty()) out.push_back({"[to confirm: which personal data was involved]", {}});
  return out;
}

Claim PeopleToldClaim(const StatementFacts& f) {
  Claim c;
  if (f.affected < 0) {
    c.text =
        "We are establishing which customers are affected [to confirm: how many customers "
        "are affected].";
    return c;
  }
  c.facts.push_back({"scope_person", 0, "count", std::to_string(f.affected)});
  c.facts.push_back(
      {"notify_outbox", 0, "kind=letter",
       "delivered=" + std::to_string(f.letters_sent) + " of " + std::to_string(f.letters)});
  if (f.affected == 0) {
    c.text = "Our investigation has found no customer whose personal data was involved.";
  } else if (f.letters_sent >= f.affected && f.letters_sent == f.letters) {
    c.text = "The " + People(f.affected) + " affected " + (f.affected == 1 ? "has" : "have") +
             " been told directly (" + std::to_string(f.letters_sent) + " letters delivered).";
  } else if (f.letters_sent > 0) {
    c.text = "We have written to " + std::to_string(f.letters_sent) + " of the " +
             People(f.affected) + " affected and are contacting the others.";
  } else {
    c.text = "We are contacting the " + People(f.affected) + " affected.";
  }
  return c;
}

std::optional<Claim> AuthoritiesClaim(const StatementFacts& f) {
  if (!f.plan_run || f.duties.empty()) return std::nullopt;
  Claim c;
  bool regulator = false, card = false, cra = false;
  int64_t done = 0;
  for (const auto& d : f.duties) {
    c.facts.push_back({"notify_obligation", d.id, d.key, d.status});
    regulator |= d.notify == "regulator";
    card |= d.notify == "acquirer" || d.notify == "card_brand";
    cra |= d.notify == "cra";
    if (d.status == "done") ++done;
  }
  std::vector<std::string> who;
  if (regulator) who.push_back("the authorities");
  if (card) who.push_back("our card payment providers");
  if (cra) who.push_back("the credit reporting agencies");
  std::string list;
  for (size_t i = 0; i < who.size(); ++i)
    list += (i == 0 ? "" : i + 1 == who.size() ? " and " : ", ") + who[i];
  int64_t n = static_cast<int64_t>(f.duties.size());
  if (done == n)
    c.text = "We have informed " + list + " as the law and our agreements require (" +
             std::to_string(n) + (n == 1 ? " notice)." : " notices).");
  else
    c.text = "We are informing " + list + " as the law and our agreements require (" +
             std::to_string(done) + " of " + std::to_string(n) + " notices done).";
  return c;
}

std::vector<Claim> MeasureClaims(const StatementFacts& f) {
  struct Measure {
    std::vector<std::string_view> prefixes;
    const char* done;
    const char* open;
  };
  // Open hardening reads generically: saying which protection is missing would publish a
  // weakness that is not fixed yet.
  static const Measure kMeasures[] = {
      {{"contain:maintenance"},
       "We put the store into maintenance mode while it was cleaned.",
       "We are putting the store into maintenance mode while it is cleaned."},
      {{"contain:block"},
       "We blocked the network addresses the attacker used.",
       "We are blocking the network addresses the attacker used."},
      {{"contain:quarantine:"},
       "We removed the files the attacker placed on the server.",
       "We are removing the files the attacker placed on the server."},
      {{"contain:account:"},
       "We disabled the accounts the attacker created or took over.",
       "We are disabling the accounts the attacker created or took over."},
      {{"contain:token:", "contain:sessions"},
       "We ended every login session and revoked the access keys the attacker could use.",
       "We are ending every login session and revoking the access keys the attacker could use."},
      {{"contain:database:"},
       "We removed the code the attacker added to the store's database.",
       "We are removing the code the attacker added to the store's database."},
      {{"contain:secret:"},
       "We replaced the passwords, keys and credentials the store uses.",
       "We are replacing the passwords, keys and credentials the store uses."},
      {{"contain:fix:upgrade"},
       "The store software is up to date with its security fixes.",
       "We are installing the security updates for the store software."},
      {{"contain:hardening:2fa"},
       "Every administrator login requires a second factor.",
       "We are strengthening how administrators log in."},
      {{"contain:hardening:admin_url"},
       "The store's administration area has moved off its default address.",
       "We are strengthening how administrators log in."},
      {{"contain:hardening:config_permissions"},
       "Configuration files holding keys and passwords can be read only by the store "
       "application.",
       "We are restricting who can read the store's configuration files."},
      {{"contain:hardening:integrity"},
       "Changes to the store's files now raise an alert.",
       "We are setting up alerts on changes to the store's files."},
  };
  std::vector<Claim> out;
  for (const Measure& m : kMeasures) {
    std::vector<const TaskFact*> ts;
    for (std::string_view p : m.prefixes)
      for (const TaskFact* t : f.TasksWithPrefix(p))
        if (!Cancelled(*t)) ts.push_back(t);
    if (ts.empty()) continue;  // no task, no claim
    bool all_done = std::all_of(ts.begin(), ts.end(), [](const TaskFact* t) { return Done(*t); });
    Claim c;
    c.text = all_done ? m.done : m.open;
    for (const TaskFact* t : ts) c.facts.push_back(TaskRef(*t));
    auto same =
        std::find_if(out.begin(), out.end(), [&](const Claim& o) { return o.text == c.text; });
    if (same != out.end())
      same->facts.insert(same->facts.end(), c.facts.begin(), c.facts.end());
    else
      out.push_back(std::move(c));
  }
  return out;
}

std::optional<Claim> UnknownCountryClaim(const StatementFacts& f) {
  if (f.unknown_country <= 0) return std::nullopt;
  return Claim{"[to confirm: where " + std::to_string(f.unknown_country) +
                   " of the affected "
                   "people live: the store has no country for them]",
               {{"scope_person", 0, "country=''", std::to_string(f.unknown_country)}}};
}

std::vector<std::string> OpenMarkers(std::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while ((at = text.find("[to confirm:", at)) != std::string_view::npos) {
    size_t end = text.find(']', at);
    if (end == std::string_view::npos) end = text.size() - 1;
    std::string m(text.substr(at, end - at + 1));
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    at = end + 1;
  }
  return out;
}

std::string ClaimsLedgerJson(std::string_view document, const std::vector<Claim>& claims) {
  std::string all;
  for (const Claim& c : claims) all += c.text + "\n";
  JsonWriter w(true);
  w.BeginObject().Field("document", document).Key("open_markers").BeginArray();
  for (const std::string& m : OpenMarkers(all)) w.String(m);
  w.EndArray().Key("claims").BeginArray();
  for (const Claim& c : claims) {
    w.BeginObject().Field("text", c.text).Key("facts").BeginArray();
    for (const FactRef& r : c.facts)
      w.BeginObject()
          .Field("table", r.table)
          .Field("id", r.id)
          .Field("key", r.key)
          .Field("state", r.state)
          .EndObject();
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return w.Take() + "\n";
}

}  // namespace tq::notify
