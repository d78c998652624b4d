// tourniquet notify plan|render|send: who must be told by when, the letters and notices,
// and their delivery. Guidance, not legal advice; the legal knowledge is in data/.
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "notify/delivery.h"
#include "notify/notify.h"

namespace tq::cli {
namespace {

constexpr const char* kDisclaimer =
    "Guidance, not legal advice: confirm each duty with counsel, above all those marked UNV.";

struct NotifyOptions {
  std::string data_dir, duties, now;
  std::string done_key;
  // render
  std::string templates, sender, organisation, contact;
  notify::ControllerDetails controller;  // given on this command line; stored in the case
  bool law_enforcement_delay = false;
  bool no_letter_files = false;
  // send
  std::string smtp, user, password_env, rate = "10/s";
  int retries = 3, timeout = 30, connections = 1;
  double backoff = 1;
  int64_t limit = 0;
  // consent, print
  std::vector<std::string> consent_keys;
  std::string consent_file, consent_kind = "esign", consent_source;
  bool reprint = false;
  std::vector<int64_t> mark_delivered;
  bool confirm = false, dry_run = false, require_tls = false, resend_unknown = false,
       retry_failed = false, no_fsync = false;
};

std::string DutiesPath(const NotifyOptions& o) {
  if (!o.duties.empty()) return o.duties;
  return (o.data_dir.empty() ? notify::DefaultDataDir() : o.data_dir) + "/jurisdictions/duties.txt";
}

std::string TemplatesDir(const NotifyOptions& o) {
  if (!o.templates.empty()) return o.templates;
  return (o.data_dir.empty() ? notify::DefaultDataDir() : o.data_dir) + "/templates";
}

struct Loaded {
  std::unique_ptr<Case> c;
  CaseInfo info;
  notify::DutyTable table;
  std::vector<notify::AffectedPerson> people;
  notify::Plan plan;
  notify::ControllerDetails controller;  // stored, with this command's options applied
};

std::string LetterRulesPath(const NotifyOptions& o) {
  return (o.data_dir.empty() ? notify::DefaultDataDir() : o.data_dir) +
         "/jurisdictions/letters.txt";
}

// The controller options a command takes (stored in the case, used by every later render).
void AddControllerOptions(CLI::App* app, notify::ControllerDetails& d) {
  app->add_option("--legal-name", d.legal_name,
                  "The controller's legal name, as letters sign (GDPR letters require it)");
  app->add_option("--postal-address", d.postal_address,
                  "The controller's postal address (return address of printed letters; lines "
                  "separated by newlines)");
  app->add_option("--dpo", d.dpo,
                  "Data protection officer or privacy contact (GDPR letters require it)");
  app->add_option("--phone", d.phone,
                  "A toll-free number for questions (Puerto Rico letters require it)");
  app->add_option("--website", d.website,
                  "A web page about the incident (Puerto Rico letters require it)");
  app->add_option("--eu-establishment", d.eu_establishment,
                  "eea: an establishment in the EU/EEA (one lead authority); none: each "
                  "authority where affected people live");
}

// Opens the case, reads the scope and the table, and builds and stores the plan.
// `note_table_errors`: when set, each duty-table record left out is noted on stderr with it
// as a prefix (plan reports them itself).
Result<Loaded> LoadAndPlan(const Globals& g, const NotifyOptions& o,
                           const std::string& note_table_errors = "") {
  Loaded l;
  // Steps: the affected people are read from the case (hundreds of thousands on a big
  // breach), then the plan is built and stored.
  Progress progress(ProgressFd(g), "notify: reading the affected people", "steps", 3);
  TQ_ASSIGN_OR_RETURN(l.c, OpenCaseForCommand(g));
  TQ_ASSIGN_OR_RETURN(l.info, l.c->Info());
  if (!l.info.discovered_at)
    return Status::Usage(
        "the case has no discovery time: deadlines count from it "
        "(set it with tourniquet init --discovered-at)");
  TQ_ASSIGN_OR_RETURN(l.table, notify::LoadDutyTable(DutiesPath(o)));
  if (!note_table_errors.empty())
    for (const Status& e : l.table.errors)
      PrintNote(g, note_table_errors + ": " + EscapeTerminal(e.ToString()) +
                       " (this duty is not in the plan; see notify plan)");
  TQ_RETURN_IF_ERROR(notify::EnsureNotifySchema(*l.c));
  TQ_RETURN_IF_ERROR(l.c->Transaction(
      [&](Db& db) { return notify::StoreController(db, o.controller, NowMicros()); }));
  TQ_ASSIGN_OR_RETURN(l.controller, notify::LoadController(l.c->db()));
  TQ_ASSIGN_OR_RETURN(l.people, notify::LoadAffectedPeople(l.c->db()));
  progress.Step("notify: building the plan", "steps", 3);
  progress.Set(1);
  UnixMicros now = NowMicros();
  if (!o.now.empty()) {
    TQ_ASSIGN_OR_RETURN(now, ParseIso8601(o.now, TimeZone::Utc()));
  }
  notify::PlanContext context;
  if (!l.controller.eu_establishment.empty()) context.establishment = l.controller.eu_establishment;
  l.plan = notify::BuildPlan(l.table, l.people, *l.info.discovered_at, now, context);
  progress.Step("notify: storing the plan", "steps", 3);
  progress.Set(2);
  TQ_RETURN_IF_ERROR(l.c->Transaction([&](Db& db) {
    if (!o.done_key.empty()) TQ_RETURN_IF_ERROR(notify::MarkObligationDone(db, o.done_key));
    return notify::StorePlan(db, l.plan, now);
  }));
  return l;
}

std::string Deadline(const notify::Obligation& ob, const TimeZone& zone) {
  if (!ob.deadline) return "no fixed date";
  return FormatUtc(*ob.deadline) + " (" + FormatInZone(*ob.deadline, zone) + " " + zone.name() +
         ")";
}

int RunPlan(const Globals& g, const NotifyOptions& o) {
  Result<Loaded> l = LoadAndPlan(g, o);
  if (!l.ok()) return Fail(l.status());
  TimeZone zone = l->c->Zone();
  const notify::Plan& plan = l->plan;
  int64_t required = 0, overdue = 0, unverified = 0;
  for (const auto& ob : plan.obligations) {
    if (!ob.threshold_met) continue;
    ++required;
    if (ob.status == "overdue") ++overdue;
    if (ob.rule->status == "UNV") ++unverified;
  }
  const std::vector<Status>& table_errors = l->table.errors;
  AuditOutcome(*l->c, g, "notify plan", Status::Ok(),
               std::to_string(required) + " obligations, " + std::to_string(overdue) + " overdue" +
                   (table_errors.empty()
                        ? ""
                        : ", " + std::to_string(table_errors.size()) + " table records left out"));
  if (g.json) {
    JsonWriter w(true);
    w.BeginObject().Field("disclaimer", kDisclaimer);
    w.Field("discovered_at", FormatUtc(*l->info.discovered_at)).Field("timezone", zone.name());
    w.Field("people", plan.people_total)
        .Field("people_unknown_country", plan.people_unknown_country);
    w.Key("jurisdictions").BeginArray();
    for (const auto& j : plan.jurisdictions) w.String(j);
    w.EndArray().Key("jurisdictions_without_rules").BeginArray();
    for (const auto& j : plan.unmatched) w.String(j);
    w.EndArray().Key("table_errors").BeginArray();
    for (const Status& e : table_errors) w.String(e.ToString());
    w.EndArray().Key("obligations").BeginArray();
    for (const auto& ob : plan.obligations) {
      w.BeginObject().Field("key", ob.key).Field("rule", ob.rule->id).Field("name", ob.rule->name);
      w.Field("notify", ob.rule->notify).Field("recipient", ob.rule->recipient);
      w.Key("jurisdictions").BeginArray();
      for (const auto& j : ob.jurisdictions) w.String(j);
      w.EndArray().Field("people", ob.people).Field("threshold", ob.rule->ThresholdText());
      w.Field("threshold_met", ob.threshold_met).Key("deadline_utc");
      ob.deadline ? w.String(FormatUtc(*ob.deadline)) : w.Null();
      w.Key("deadline_local");
      ob.deadline ? w.String(FormatInZone(*ob.deadline, zone)) : w.Null();
      w.Field("deadline_text", ob.rule->deadline_text).Field("status", ob.status);
      w.Field("verification", ob.rule->status).Field("law", ob.rule->law);
      w.Field("source", ob.rule->source).Field("note", ob.rule->note).EndObject();
    }
    w.EndArray().EndObject();
    PrintOut(w.str() + "\n");
  } else {
    std::string out = "Notification plan: " + EscapeTerminal(l->info.name) + "\n" + kDisclaimer +
                      "\nDiscovered " + FormatUtc(*l->info.discovered_at) + "; " +
                      std::to_string(plan.people_total) + " affected people in " +
                      std::to_string(plan.jurisdictions.size()) + " jurisdictions\n";
    if (plan.people_unknown_country)
      out += "WARNING: " + std::to_string(plan.people_unknown_country) +
             " people have no country: their legal duties cannot be determined\n";
    if (!plan.unmatched.empty()) {
      out += "WARNING: no rule in the table covers:";
      for (const auto& j : plan.unmatched) out += " " + EscapeTerminal(j);
      out += "\n";
    }
    out += "\n";
    for (const auto& ob : plan.obligations) {
      if (!ob.threshold_met) continue;
      std::string j;
      for (const auto& x : ob.jurisdictions) j += (j.empty() ? "" : ",") + EscapeTerminal(x);
      std::string st = ob.status == "overdue" ? "OVERDUE" : ob.status;
      out += "[" + st + "] " + ob.rule->name + "  (" + j + ")\n";
      out += "    tell: " + ob.rule->recipient + "; people " + std::to_string(ob.people) +
             " (threshold " + ob.rule->ThresholdText() + ")\n";
      out += "    by:   " + Deadline(ob, zone) + " - " + ob.rule->deadline_text + "\n";
      out += "    law:  " + ob.rule->law + "; verification " + ob.rule->status +
             (ob.rule->status == "UNV" ? " (UNVERIFIED: check before relying on it)" : "") +
             "\n    key:  " + ob.key + "\n";
    }
    for (const Status& e : table_errors)
      out += "ERROR: " + EscapeTerminal(e.ToString()) + " (this duty is not in the plan)\n";
    int64_t below = static_cast<int64_t>(plan.obligations.size()) - required;
    out += "\n" + std::to_string(required) + " obligations (" + std::to_string(overdue) +
           " overdue, " + std::to_string(unverified) + " unverified); " + std::to_string(below) +
           " duties checked and not triggered (see --json).\n";
    PrintOut(out);
  }
  if (!table_errors.empty()) return kExitBadInput;  // duties left out: say so first
  return overdue > 0 ? kExitFound : kExitOk;
}

int RunRender(const Globals& g, const NotifyOptions& o) {
  if (!o.sender.empty() && !notify::IsSafeMailAddress(o.sender))
    return Fail(Status::Usage("--from: not a plain mail address"));
  Result<Loaded> l = LoadAndPlan(g, o, "notify render");
  if (!l.ok()) return Fail(l.status());
  // Render rewrites queued letters: not while a send is handing them to the server.
  Result<CaseLock> lock = LockCase(*l->c, "notify-outbox", "notify render");
  if (!lock.ok()) return Fail(lock.status());
  notify::RenderOptions ro;
  ro.templates_dir = TemplatesDir(o);
  ro.out_dir = l->c->ReportsDir() + "/notify";
  ro.organisation = o.organisation;
  ro.sender = o.sender;
  ro.contact = o.contact;
  ro.dpo = l->controller.dpo;
  ro.legal_name = l->controller.legal_name;
  ro.phone = l->controller.phone;
  ro.website = l->controller.website;
  ro.postal_address = l->controller.postal_address;
  ro.letter_rules = LetterRulesPath(o);
  ro.law_enforcement_delay = o.law_enforcement_delay;
  ro.write_letter_files = !o.no_letter_files;
  Progress progress(ProgressFd(g), "notify: writing letters", "people", l->people.size());
  ro.progress = [&](int64_t done, int64_t) { progress.Set(static_cast<uint64_t>(done)); };
  Result<notify::RenderSummary> sum = Status::Internal("not run");
  Status s = l->c->Transaction([&](Db&) {
    sum = notify::RenderAll(*l->c, l->plan, l->people, ro);
    return sum.status();
  });
  progress.Finish();
  AuditOutcome(*l->c, g, "notify render", s,
               s.ok() ? std::to_string(sum->letters) + " letters" +
                            (sum->template_skipped ? ", " + std::to_string(sum->template_skipped) +
                                                         " not written (broken template)"
                                                   : "")
                      : "");
  if (!s.ok()) return Fail(s);
  if (g.json) {
    JsonWriter w(true);
    w.BeginObject().Field("disclaimer", kDisclaimer).Field("out_dir", ro.out_dir);
    w.Field("letters", sum->letters).Field("queued", sum->queued).Field("updated", sum->updated);
    w.Field("unchanged", sum->unchanged).Field("kept_sent", sum->kept_sent);
    w.Field("no_address", sum->no_address).Field("fallback_language", sum->fallback_language);
    w.Field("notices", sum->notices).Field("template_skipped", sum->template_skipped);
    w.Field("by_email", sum->by_email).Field("by_post", sum->by_post);
    w.Field("missing_details", sum->missing_details).Key("detail_errors").BeginArray();
    for (const auto& e : sum->detail_errors) w.String(e);
    w.EndArray();
    w.Key("template_errors").BeginArray();
    for (const auto& e : sum->template_errors) w.String(e);
    w.EndArray().Field("table_errors", static_cast<int64_t>(l->table.errors.size()));
    w.Key("languages").BeginObject();
    for (const auto& [k, v] : sum->by_language) w.Field(k, v);
    w.EndObject().Key("files").BeginArray();
    for (const auto& f : sum->files) w.String(f);
    w.EndArray().EndObject();
    PrintOut(w.str() + "\n");
  } else {
    std::string langs;
    for (const auto& [k, v] : sum->by_language) langs += " " + k + " " + std::to_string(v);
    std::string out =
        std::to_string(sum->letters) + " letters (" + langs.substr(langs.empty() ? 0 : 1) + "), " +
        std::to_string(sum->notices) + " regulator notices, public statement\n" +
        "outbox: " + std::to_string(sum->queued) + " new, " + std::to_string(sum->updated) +
        " updated, " + std::to_string(sum->unchanged) + " unchanged, " +
        std::to_string(sum->kept_sent) + " already sent or in flight (left as they were)\n";
    out += "channels: " + std::to_string(sum->by_email) + " by e-mail, " +
           std::to_string(sum->by_post) + " by post (print them with `notify print`)\n";
    if (sum->fallback_language)
      out += std::to_string(sum->fallback_language) +
             " letters in English: no template in the person's language\n";
    if (sum->no_address)
      out += "WARNING: " + std::to_string(sum->no_address) +
             " people have no usable email address: send their letters by post (see " +
             EscapeTerminal(ro.out_dir) + "/letters/index.csv)\n";
    if (o.sender.empty())
      out += "NOTE: no --from address given: `notify send` needs one (render again with --from)\n";
    for (const auto& e : sum->template_errors) out += "ERROR: " + EscapeTerminal(e) + "\n";
    for (const auto& e : sum->detail_errors) out += "ERROR: " + EscapeTerminal(e) + "\n";
    if (sum->missing_details)
      out += "ERROR: " + std::to_string(sum->missing_details) +
             " letters not written: the law of their jurisdiction requires controller details "
             "not given (the other letters are in the outbox)\n";
    if (sum->template_skipped)
      out += "ERROR: " + std::to_string(sum->template_skipped) +
             " letters not written: their language's template does not load (fix it and "
             "render again; the other letters are in the outbox)\n";
    out += "Review: " + EscapeTerminal(ro.out_dir) + "\n" + kDisclaimer + "\n";
    PrintOut(out);
  }
  if (sum->template_skipped || sum->missing_details || !l->table.errors.empty())
    return kExitBadInput;
  return kExitOk;
}

// notify consent: who agreed to electronic notice (E-SIGN) or has an authenticated address.
int RunConsent(const Globals& g, const NotifyOptions& o) {
  std::vector<std::string> keys = o.consent_keys;
  if (!o.consent_file.empty()) {
    std::ifstream in(o.consent_file, std::ios::binary);
    if (!in) return Fail(Status::FromErrno(o.consent_file, errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (ss.str().size() > (256u << 20))
      return Fail(Status::BadInput(o.consent_file + ": over 256 MiB"));
    Result<std::vector<std::string>> list = notify::ParseConsentList(ss.str(), o.consent_file);
    if (!list.ok()) return Fail(list.status());
    keys.insert(keys.end(), list->begin(), list->end());
  }
  if (keys.empty()) return Fail(Status::Usage("consent: give person keys or e-mails, or --file"));
  Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
  if (!c.ok()) return Fail(c.status());
  Status schema = notify::EnsureNotifySchema(**c);
  if (!schema.ok()) return Fail(schema);
  std::vector<std::string> unmatched;
  int64_t matched = 0;
  std::string source = o.consent_source.empty() ? "recorded by " + Actor(g) : o.consent_source;
  Status s = (*c)->Transaction([&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(
        matched, notify::RecordConsent(db, keys, o.consent_kind, source, NowMicros(), &unmatched));
    return Status::Ok();
  });
  AuditOutcome(**c, g, "notify consent", s,
               s.ok() ? std::to_string(matched) + " people, " + o.consent_kind : "");
  if (!s.ok()) return Fail(s);
  if (g.json) {
    JsonWriter w(true);
    w.BeginObject().Field("kind", o.consent_kind).Field("people", matched);
    w.Key("unmatched").BeginArray();
    for (const auto& u : unmatched) w.String(u);
    w.EndArray().EndObject();
    PrintOut(w.str() + "\n");
  } else {
    std::string out = std::to_string(matched) + " people recorded with " + o.consent_kind +
                      " consent; render again to move their letters to e-mail\n";
    for (const auto& u : unmatched) out += "ERROR: no affected person " + EscapeTerminal(u) + "\n";
    PrintOut(out);
  }
  return unmatched.empty() ? kExitOk : kExitBadInput;
}

// notify print: the PDFs and the mail-merge CSV for the letters that go by post.
int RunPrint(const Globals& g, const NotifyOptions& o) {
  Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
  if (!c.ok()) return Fail(c.status());
  Result<CaseLock> lock = LockCase(**c, "notify-outbox", "notify print");
  if (!lock.ok()) return Fail(lock.status());
  Status schema = notify::EnsureNotifySchema(**c);
  if (!schema.ok()) return Fail(schema);
  notify::PrintOptions po;
  po.out_dir = (*c)->ReportsDir() + "/notify/print";
  po.reprint = o.reprint;
  Result<notify::PrintReport> rep = Status::Internal("not run");
  Status s = (*c)->Transaction([&](Db&) {
    rep = notify::PrintLetters(**c, po);
    return rep.status();
  });
  AuditOutcome(**c, g, "notify print", s,
               s.ok() ? std::to_string(rep->printed) + " printed, " +
                            std::to_string(rep->no_postal_address) + " without postal address"
                      : "");
  if (!s.ok()) return Fail(s);
  // Printed letters count as told: refresh the plan (individual duties done, "or when
  // consumers are told" deadlines).
  if (rep->printed) {
    Result<Loaded> l = LoadAndPlan(g, o, "notify print");
    if (!l.ok()) PrintNote(g, "plan not refreshed: " + l.status().ToString());
  }
  if (g.json) {
    JsonWriter w(true);
    w.BeginObject().Field("printed", rep->printed).Field("already_printed", rep->already_printed);
    w.Field("no_postal_address", rep->no_postal_address).Field("out_dir", po.out_dir);
    w.Key("mail_merge");
    rep->csv_path.empty() ? w.Null() : w.String(rep->csv_path);
    w.Key("problems").BeginArray();
    for (const auto& p : rep->problems) w.String(p);
    w.EndArray().EndObject();
    PrintOut(w.str() + "\n");
  } else {
    std::string out = std::to_string(rep->printed) + " letters printed to " +
                      EscapeTerminal(po.out_dir) + "; " + std::to_string(rep->already_printed) +
                      " printed before\n";
    if (!rep->csv_path.empty())
      out += "mail-merge file for the postal service: " + EscapeTerminal(rep->csv_path) + "\n";
    for (const auto& p : rep->problems) out += "ERROR: " + EscapeTerminal(p) + "\n";
    PrintOut(out);
  }
  return rep->no_postal_address ? kExitBadInput : kExitOk;
}

int RunSend(const Globals& g, const NotifyOptions& o) {
  if (o.confirm && o.dry_run)
    return Fail(Status::Usage("--confirm and --dry-run exclude each other"));
  notify::SendOptions so;
  so.smtp_url = o.smtp;
  so.confirm = o.confirm;
  so.retries = o.retries;
  so.backoff_seconds = o.backoff;
  so.timeout_seconds = o.timeout;
  so.connections = o.connections;
  so.fsync_each = !o.no_fsync;
  so.require_tls = o.require_tls;
  so.resend_unknown = o.resend_unknown;
  so.retry_failed = o.retry_failed;
  so.limit = o.limit;
  std::string rate = o.rate;
  if (rate.ends_with("/s")) rate.resize(rate.size() - 2);
  char* end = nullptr;
  so.rate_per_second = std::strtod(rate.c_str(), &end);
  if (rate.empty() || *end != '\0' || so.rate_per_second < 0)
    return Fail(Status::Usage("--rate: expected N or N/s (0 = unlimited)"));
  so.user = o.user;
  if (!o.password_env.empty()) {
    const char* pw = std::getenv(o.password_env.c_str());
    if (!pw) return Fail(Status::Usage("--password-env: $" + o.password_env + " is not set"));
    so.password = pw;
  }
  Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
  if (!c.ok()) return Fail(c.status());
  // A dry run changes nothing and may watch a running send; anything else holds the lock.
  std::optional<CaseLock> lock;
  if (o.confirm || !o.mark_delivered.empty()) {
    Result<CaseLock> l = LockCase(**c, "notify-outbox", "notify send");
    if (!l.ok()) return Fail(l.status());
    lock.emplace(std::move(*l));
  }
  Status schema = notify::EnsureNotifySchema(**c);
  if (!schema.ok()) return Fail(schema);
  if (!o.mark_delivered.empty()) {
    Status s = (*c)->Transaction([&](Db& db) {
      for (int64_t id : o.mark_delivered)
        TQ_RETURN_IF_ERROR(notify::MarkDelivered(db, id, Actor(g)));
      return Status::Ok();
    });
    AuditOutcome(**c, g, "notify send --mark-delivered", s);
    if (!s.ok()) return Fail(s);
  }
  Progress progress(ProgressFd(g), "notify: sending", "messages", 0);
  so.progress = [&](int64_t done, int64_t total) {
    progress.SetTotal(static_cast<uint64_t>(std::max<int64_t>(total, 0)));
    progress.Set(static_cast<uint64_t>(std::max<int64_t>(done, 0)));
  };
  Result<notify::SendReport> rep = notify::SendOutbox(**c, so);
  progress.Finish();
  if (!rep.ok()) {
    AuditOutcome(**c, g, "notify send", rep.status());
    return Fail(rep.status());
  }
  // Refresh the plan's statuses: individual duties are done once all their letters are out.
  if (o.confirm) {
    Result<Loaded> l = LoadAndPlan(g, o, "notify send");
    if (!l.ok()) PrintNote(g, "plan not refreshed: " + l.status().ToString());
  }
  std::string detail = rep->dry_run
                           ? "dry run: " + std::to_string(rep->pending) + " pending"
                           : std::to_string(rep->sent) + " sent, " + std::to_string(rep->failed) +
                                 " failed, " + std::to_string(rep->deferred) + " deferred, " +
                                 std::to_string(rep->unknown) + " unknown";
  AuditOutcome(**c, g, "notify send", Status::Ok(), detail);
  if (g.json) {
    JsonWriter w(true);
    w.BeginObject().Field("dry_run", rep->dry_run).Field("pending", rep->pending);
    w.Field("sent", rep->sent).Field("already_sent", rep->already_sent);
    w.Field("failed", rep->failed).Field("deferred", rep->deferred);
    w.Field("unknown", rep->unknown).Field("no_address", rep->no_address);
    w.Field("recovered_sending", rep->recovered_sending).Field("seconds", rep->seconds);
    w.Field("in_flight_elsewhere", rep->in_flight_elsewhere);
    w.Field("claimed_elsewhere", rep->claimed_elsewhere);
    w.Key("server_error");
    rep->server_error.empty() ? w.Null() : w.String(rep->server_error);
    w.Key("problems").BeginArray();
    for (const auto& p : rep->problems) {
      w.BeginObject().Field("outbox_id", p.outbox_id).Field("person_key", p.person_key);
      w.Field("recipient", p.recipient).Field("state", p.state).Field("reply", p.reply);
      w.Field("message_id", p.message_id);
      w.EndObject();
    }
    w.EndArray().EndObject();
    PrintOut(w.str() + "\n");
  } else {
    std::string out;
    if (rep->dry_run) {
      out = "DRY RUN (nothing sent; add --confirm to deliver): " + std::to_string(rep->pending) +
            " messages would be sent to " + EscapeTerminal(o.smtp) + "; " +
            std::to_string(rep->already_sent) + " already sent\n";
    } else {
      char rate[64];
      snprintf(rate, sizeof rate, "%.1f", rep->seconds > 0 ? rep->sent / rep->seconds : 0.0);
      out = std::to_string(rep->sent) + " sent (" + rate + " messages/s), " +
            std::to_string(rep->failed) + " failed, " + std::to_string(rep->deferred) +
            " deferred, " + std::to_string(rep->unknown) + " unknown, " +
            std::to_string(rep->no_address) + " without address; " +
            std::to_string(rep->already_sent) + " were already sent\n";
      if (rep->recovered_sending)
        out += std::to_string(rep->recovered_sending) +
               " messages interrupted before their end of data were requeued\n";
      if (rep->in_flight_elsewhere || rep->claimed_elsewhere)
        out += std::to_string(rep->in_flight_elsewhere + rep->claimed_elsewhere) +
               " messages were being sent by another run and were left to it\n";
    }
    for (const auto& p : rep->problems) {
      out += "  " + p.state + ": " + EscapeTerminal(p.recipient) + " (" +
             EscapeTerminal(p.person_key) + ", outbox id " + std::to_string(p.outbox_id) +
             (p.state == "unknown" ? ", Message-ID " + EscapeTerminal(p.message_id) : "") + ")" +
             (p.reply.empty() ? "" : ": " + EscapeTerminal(p.reply)) + "\n";
    }
    if (rep->unknown)
      out +=
          "Messages marked unknown may have been delivered: check the server log for their "
          "Message-ID, then run again with --resend-unknown only for those that did not arrive.\n";
    if (!rep->server_error.empty()) out += "STOPPED: " + EscapeTerminal(rep->server_error) + "\n";
    PrintOut(out);
  }
  if (!rep->server_error.empty() || rep->failed || rep->deferred || rep->unknown)
    return kExitNetwork;
  if (rep->no_address) return kExitBadInput;
  return kExitOk;
}

Runner SetupNotify(CLI::App& app, Globals& g) {
  auto o = std::make_shared<NotifyOptions>();
  app.require_subcommand(1);
  app.add_option("--data", o->data_dir, "Data directory (jurisdictions/, templates/)");
  CLI::App* plan =
      app.add_subcommand("plan", "Who must be told, by when: obligations and deadlines");
  plan->add_option("--duties", o->duties,
                   "Jurisdiction table (default data/jurisdictions/duties.txt)");
  plan->add_option("--now", o->now, "Evaluate deadlines at this time (ISO 8601; default now)");
  plan->add_option("--done", o->done_key, "Mark an obligation done (its key from the plan)");
  plan->add_option("--eu-establishment", o->controller.eu_establishment,
                   "eea: an establishment in the EU/EEA (one lead authority); none: each "
                   "authority where affected people live (stored in the case)");
  plan->footer("Example: tourniquet --case case notify plan --json\n" + std::string(kDisclaimer));
  CLI::App* render = app.add_subcommand(
      "render", "Write the letters, notices and public statement; fill the outbox");
  render->add_option("--templates", o->templates, "Template directory (default data/templates)");
  render->add_option("--duties", o->duties, "Jurisdiction table");
  render->add_option("--from", o->sender, "Sender address of the letters (needed to send)");
  render->add_option("--organisation", o->organisation, "Who writes (default: the store's host)");
  render->add_option("--contact", o->contact, "How people reach you (default: --from)");
  AddControllerOptions(render, o->controller);
  render->add_flag("--delayed-by-law-enforcement", o->law_enforcement_delay,
                   "Letters say notice was delayed at law enforcement's request");
  render->add_flag("--no-letter-files", o->no_letter_files, "Do not write one file per letter");
  render->footer(
      "Example: tourniquet notify render --from privacy@shop.example --organisation 'Example "
      "Shop'");
  CLI::App* consent = app.add_subcommand(
      "consent", "Record consent to electronic notice (letters may then go by e-mail)");
  consent->add_option("PERSON", o->consent_keys, "Person keys or e-mail addresses");
  consent->add_option("--file", o->consent_file, "A list: one person key or e-mail a line");
  consent
      ->add_option("--kind", o->consent_kind,
                   "esign (E-SIGN consent to electronic records) or authenticated (an "
                   "authenticated address: Puerto Rico)")
      ->check(CLI::IsMember({"esign", "authenticated"}));
  consent->add_option("--source", o->consent_source, "Where the consent is recorded (for audit)");
  consent->footer("Example: tourniquet notify consent --kind esign --file esign-consented.txt");
  CLI::App* print = app.add_subcommand(
      "print", "Print the letters that go by post: a PDF each and a mail-merge CSV");
  print->add_flag("--reprint", o->reprint, "Print letters already printed again");
  print->footer("Example: tourniquet notify print (then hand reports/notify/print to the post)");
  CLI::App* send =
      app.add_subcommand("send", "Deliver the outbox over SMTP (dry run unless --confirm)");
  send->add_option("--smtp", o->smtp,
                   "smtp://HOST[:PORT] (STARTTLS when offered) or smtps://HOST[:PORT]")
      ->required();
  send->add_option("--user", o->user, "SMTP user (AUTH)");
  send->add_option("--password-env", o->password_env,
                   "Name of the environment variable with the SMTP password");
  send->add_option("--rate", o->rate,
                   "Messages per second, N or N/s (0 = unlimited; default 10/s)");
  send->add_option("--retries", o->retries, "Extra attempts on temporary failures (default 3)")
      ->check(CLI::Range(0, 20));
  send->add_option("--backoff", o->backoff, "First pause between attempts in seconds (doubles)")
      ->check(CLI::Range(0.0, 60.0));
  send->add_option("--timeout", o->timeout, "Connect timeout in seconds")
      ->check(CLI::Range(1, 600));
  send->add_option("--connections", o->connections,
                   "SMTP transactions in flight at once (default 1)")
      ->check(CLI::Range(1, 32));
  send->add_option("--limit", o->limit, "Send at most N messages this run");
  send->add_flag("--confirm", o->confirm, "Really send (default is a dry run)");
  send->add_flag("--dry-run", o->dry_run, "Show what would be sent (the default)");
  send->add_flag("--require-tls", o->require_tls, "Refuse to send without STARTTLS/TLS");
  send->add_flag("--resend-unknown", o->resend_unknown,
                 "Resend messages whose delivery is unknown (same Message-ID)");
  send->add_option("--mark-delivered", o->mark_delivered,
                   "Outbox ids in state unknown that the server log shows delivered");
  send->add_flag("--no-fsync", o->no_fsync,
                 "Faster: exactly-once survives a killed process but not a power cut");
  send->add_flag("--retry-failed", o->retry_failed, "Try permanently failed messages again");
  send->footer(
      "Example: TQ_SMTP_PW=... tourniquet notify send --smtp smtp://mail.example:587 "
      "--user shop --password-env TQ_SMTP_PW --rate 5/s --confirm");
  return [o, &g, plan, render, send, consent, print]() -> int {
    if (plan->parsed()) return RunPlan(g, *o);
    if (render->parsed()) return RunRender(g, *o);
    if (consent->parsed()) return RunConsent(g, *o);
    if (print->parsed()) return RunPrint(g, *o);
    if (send->parsed()) return RunSend(g, *o);
    return Fail(Status::Usage("notify: expected plan, render or send"));
  };
}

}  // namespace
TQ_COMMAND("notify", "Keep customers informed: duties and deadlines, letters, delivery", 600,
           SetupNotify);
}  // namespace tq::cli
