// From what the analyzer gathered to findings: injected scripts (scored), rogue admin
// accounts (judged against the breach window and the other admins), API and integration
// tokens, and payment/cron configuration changed in the window.
#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "core/text.h"
#include "storedb/analyzer.h"

namespace tq::storedb {

namespace {
constexpr UnixMicros kHour = 3600LL * 1000000;
constexpr UnixMicros kDay = 24 * kHour;
constexpr UnixMicros kAttackSlack = 5LL * 1000000;  // row time vs. the request that wrote it

std::string DomainOf(std::string_view email) {
  size_t at = email.rfind('@');
  return at == std::string_view::npos ? "" : Lower(email.substr(at + 1));
}
std::string RegistrableTail(std::string host) {  // "www.shop.example" -> "shop.example"
  if (host.starts_with("www.")) host = host.substr(4);
  return host;
}
bool InWindow(std::optional<UnixMicros> t, const std::optional<BreachWindow>& w) {
  return t && w && *t >= w->start - kDay && *t <= w->end + kDay;
}
std::string Excerpt(std::string_view s) { return std::string(s.substr(0, 300)); }

// The latest "login" time in a WordPress session_tokens value (PHP serialized).
std::optional<UnixMicros> LastWpLogin(std::string_view v) {
  std::optional<UnixMicros> best;
  size_t i = 0;
  while ((i = v.find("\"login\";i:", i)) != std::string_view::npos) {
    i += 10;
    int64_t t = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9' && t < 1'000'000'000'000)
      t = t * 10 + (v[i++] - '0');
    if (!best || t * 1000000 > *best) best = t * 1000000;
  }
  return best;
}
}  // namespace

Status Analyzer::Upsert(Finding f, AnalyzeSummary* s) {
  f.component = "storedb";
  f.evidence_id = item_.id;
  f.evidence_sha256 = item_.sha256;
  TQ_ASSIGN_OR_RETURN(int64_t id, UpsertFinding(db_, f));
  (void)id;
  ++s->findings;
  return Status::Ok();
}

Status Analyzer::Finish(const DumpStats& read, AnalyzeSummary* s, PhaseClock* clock) {
  TQ_RETURN_IF_ERROR(FinishFindings(read, s, clock));
  return FinishTables(s, clock);
}

Status Analyzer::FinishFindings(const DumpStats& read, AnalyzeSummary* s, PhaseClock* clock) {
  PhaseClock unused;
  if (!clock) clock = &unused;
  DumpStats stats = read;
  if (people_left_out_ > 0) {  // past the memory cap of the customer join (Holding)
    ++stats.problems;
    stats.rows_skipped += people_left_out_;
  }
  s->stats = stats;
  TQ_RETURN_IF_ERROR(IndexStaging());
  TQ_RETURN_IF_ERROR(ScanFindings(s));
  clock->Mark("findings");
  return Status::Ok();
}

void Analyzer::ReleaseHeldRows() {
  people_.Clear();  // its memory goes to the index builds' sorts
  if (held_rows_released) std::exchange(held_rows_released, nullptr)();
}

Status Analyzer::FinishTables(AnalyzeSummary* s, PhaseClock* clock) {
  PhaseClock unused;
  if (!clock) clock = &unused;
  TQ_RETURN_IF_ERROR(ClearTables());
  clock->Mark("clear");
  TQ_RETURN_IF_ERROR(BuildCustomers(s, clock));
  ReleaseHeldRows();
  TQ_RETURN_IF_ERROR(WriteTables(s->stats, s));
  clock->Mark("tables");
  // Each index is one sort of up to two million keys: with room for it in memory (SQLite's
  // sorter takes the page cache's size) and a helper thread, it is not spilled to temporary
  // files and merged back.
  TQ_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-262144; PRAGMA threads=2"));
  Status indexed = CreateSecondaryIndexes(db_);
  TQ_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-65536; PRAGMA threads=0"));
  clock->Mark("indexes");
  return indexed;
}

Status Analyzer::ScanFindings(AnalyzeSummary* s) {
  std::vector<std::string> own(own_hosts_.begin(), own_hosts_.end());
  auto key = [&](const char* kind, const RowRef& r, const std::string& col) {
    return std::string(kind) + ":" + item_.sha256 + ":" + r.table + ":" + PkJson(r) + ":" + col;
  };
  // 0. Template directives in customer-supplied fields (TrojanOrder, CVE-2022-24086).
  for (const ScriptCandidate& c : directives_) {
    Finding f;
    f.kind = "storedb.injected_script";
    f.severity = Severity::kCritical;
    f.confidence = 0.85;
    f.summary = "Template directive in " + c.row.table + "." + c.column + " " + PkJson(c.row) +
                ": a checkout field carrying a Magento template-injection payload "
                "(TrojanOrder, CVE-2022-24086)";
    JsonWriter d;
    d.BeginObject().Field("table", c.row.table).Field("canonical_table", c.row.canonical);
    d.Key("pk").Raw(PkJson(c.row)).Field("column", c.column).Field("label", c.label);
    d.Field("technique", "template_injection").Field("cve", "CVE-2022-24086");
    d.Field("excerpt", Excerpt(c.content)).EndObject();
    f.detail_json = d.Take();
    f.line = static_cast<int64_t>(c.row.line);
    f.byte_offset = static_cast<int64_t>(c.row.offset);
    f.event_time = c.time;
    f.rule = "storedb/template-directive";
    f.dedupe_key = key("storedb.injected_script", c.row, c.column);
    TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    ++s->injected_scripts;
  }
  // 1. Injected scripts.
  std::vector<UnixMicros> planted_times;
  for (const ScriptCandidate& c : scripts_) {
    ScriptScore sc = ScoreStoredScript(c.content, own);
    if (sc.score < kInjectedScriptThreshold) continue;
    if (c.time && sc.score >= 4) planted_times.push_back(*c.time);
    Finding f;
    f.kind = "storedb.injected_script";
    f.severity = sc.score >= 4         ? Severity::kCritical
                 : sc.obfuscation_only ? Severity::kMedium
                                       : Severity::kHigh;
    f.confidence = std::min(0.95, 0.4 + 0.1 * sc.score);
    f.summary = std::string(sc.obfuscation_only ? "Obfuscated script in " : "Injected script in ") +
                c.row.table + "." + c.column + " " + PkJson(c.row) +
                (c.label.empty() ? "" : " (" + c.label + ")") + ": " + sc.reasons[0];
    JsonWriter d;
    d.BeginObject().Field("table", c.row.table).Field("canonical_table", c.row.canonical);
    d.Key("pk").Raw(PkJson(c.row)).Field("column", c.column).Field("label", c.label);
    d.Field("score", sc.score).Key("reasons").BeginArray();
    for (const std::string& r : sc.reasons) d.String(r);
    d.EndArray().Key("foreign_hosts").BeginArray();
    for (const std::string& h : sc.foreign_hosts) d.String(h);
    d.EndArray().Field("excerpt", Excerpt(c.content)).EndObject();
    f.detail_json = d.Take();
    f.line = static_cast<int64_t>(c.row.line);
    f.byte_offset = static_cast<int64_t>(c.row.offset);
    f.event_time = c.time;
    f.rule = "storedb/injected-script";
    f.dedupe_key = key("storedb.injected_script", c.row, c.column);
    TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    ++s->injected_scripts;
  }
  // The window: from the caller (logs, web root), else around the planted skimmers.
  std::optional<BreachWindow> window = opt_.window;
  if (!window && !planted_times.empty()) {
    auto [lo, hi] = std::minmax_element(planted_times.begin(), planted_times.end());
    window = BreachWindow{*lo - 3 * kDay, *hi + kDay};
  }

  // 2. Admin accounts: Magento admin_user, WordPress users with the administrator role.
  std::vector<AdminAccount> admins = admins_;
  for (AdminAccount& a : admins) {
    auto it = magento_user_role_.find(a.row.pk.empty() ? "" : a.row.pk[0].second);
    if (it != magento_user_role_.end()) a.role = magento_role_names_[it->second];
  }
  {
    TQ_ASSIGN_OR_RETURN(
        Stmt q, db_.Prepare("SELECT u.id,u.source,u.login,u.email,u.registered,u.display_name,"
                            "u.line,u.byte_offset,(SELECT value FROM tmp_sdb_meta t WHERE "
                            "t.kind='user' AND t.id=u.id AND t.key='session_tokens') FROM "
                            "tmp_sdb_wpuser u JOIN tmp_sdb_meta m ON m.kind='user' AND m.id=u.id "
                            "AND m.key='capabilities' AND m.value LIKE '%\"administrator\"%'"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool more, q.Step());
      if (!more) break;
      AdminAccount a;
      a.row.table = q.String(1);
      a.row.canonical = "users";
      a.row.pk = {{"ID", q.String(0)}};
      a.row.line = static_cast<uint64_t>(q.Int(6));
      a.row.offset = static_cast<uint64_t>(q.Int(7));
      a.username = q.String(2);
      a.email = q.String(3);
      if (!q.IsNull(4)) a.created = q.Int(4);
      std::string dn = q.String(5);
      size_t sp = dn.find(' ');
      a.firstname = dn.substr(0, sp);
      a.lastname = sp == std::string::npos ? "" : dn.substr(sp + 1);
      a.last_login = LastWpLogin(q.Text(8));
      a.role = "administrator";
      admins.push_back(std::move(a));
    }
  }
  std::set<std::string> own_domains;
  for (const std::string& h : own) own_domains.insert(RegistrableTail(h));
  std::set<std::string> rogue_accounts;  // ids of the accounts flagged below
  for (const AdminAccount& a : admins) {
    bool in_window = InWindow(a.created, window);
    bool recent =
        !window && a.created && opt_.discovered_at && *a.created >= *opt_.discovered_at - 30 * kDay;
    if (!in_window && !recent) continue;  // created long before: never flagged
    std::vector<std::string> signals;
    // Foreign e-mail domain: neither the store's nor one any other (earlier) admin uses.
    std::string dom = DomainOf(a.email);
    bool known_domain = dom.empty();
    for (const std::string& o : own_domains)
      known_domain = known_domain || dom == o || dom.ends_with("." + o) || o.ends_with("." + dom);
    for (const AdminAccount& b : admins)
      if (&b != &a && !InWindow(b.created, window) && DomainOf(b.email) == dom) known_domain = true;
    if (!known_domain)
      signals.push_back("e-mail domain " + dom + " is not the store's nor any other admin's");
    // Name does not match the account: neither first nor last name in the login or mailbox.
    std::string user = Lower(a.username), local = Lower(a.email.substr(0, a.email.find('@')));
    std::string fn = Lower(a.firstname), ln = Lower(a.lastname);
    auto in = [&](const std::string& n) {
      return n.size() >= 2 &&
             (user.find(n) != std::string::npos || local.find(n) != std::string::npos);
    };
    // Weak alone: role logins ("marketing", "support") are common for real staff too.
    bool name_mismatch = fn.empty() || fn == ln || !(in(fn) || in(ln));
    if (name_mismatch) signals.push_back("name does not match the login or e-mail");
    // Created at an hour when no other admin was ever created or logged in (+-2 h).
    std::vector<int> hours;
    for (const AdminAccount& b : admins) {
      if (&b == &a || InWindow(b.created, window)) continue;
      for (auto t : {b.created, b.last_login})
        if (t) hours.push_back(static_cast<int>((*t / kHour) % 24));
    }
    if (hours.size() >= 2 && a.created) {
      int h = static_cast<int>((*a.created / kHour) % 24);
      bool usual = false;
      for (int x : hours) usual = usual || std::min((h - x + 24) % 24, (x - h + 24) % 24) <= 2;
      if (!usual)
        signals.push_back("created at " + std::to_string(h) +
                          ":00 UTC, outside the hours the other admins work");
    }
    // Created at the second an attack was answered (a webshell command, an exploit): the
    // database row and the access log tell the same story.
    if (a.created) {
      const auto& attacks = opt_.answered_attacks;
      auto near =
          std::lower_bound(attacks.begin(), attacks.end(), *a.created - kAttackSlack,
                           [](const AnsweredAttack& x, UnixMicros t) { return x.time < t; });
      if (near != attacks.end() && near->time <= *a.created + kAttackSlack)
        signals.push_back("created at " + FormatUtc(*a.created) +
                          ", the second the server answered '" + near->rule + "' for " +
                          near->client + " (" + near->request + ")");
    }
    // Each signal counts one, the name mismatch a half: in the window one is enough, for a
    // merely recent account two.
    double score = static_cast<double>(signals.size()) - (name_mismatch ? 0.5 : 0.0);
    double need = in_window ? 1 : 2;
    if (score < need) continue;
    if (!a.row.pk.empty()) rogue_accounts.insert(a.row.pk[0].second);
    Finding f;
    f.kind = "storedb.rogue_admin";
    f.severity = in_window ? Severity::kCritical : Severity::kHigh;
    f.confidence = std::min(0.95, (in_window ? 0.5 : 0.3) + 0.15 * signals.size());
    f.summary = "Suspicious admin account '" + a.username + "' <" + a.email + "> in " +
                a.row.table + " " + PkJson(a.row) + ": " +
                (in_window ? "created in the breach window" : "created recently") + ", " +
                signals[0];
    JsonWriter d;
    d.BeginObject().Field("table", a.row.table).Key("pk").Raw(PkJson(a.row));
    d.Field("username", a.username).Field("email", a.email).Field("role", a.role);
    d.Field("active", a.active);
    if (a.created) d.Field("created", FormatUtc(*a.created));
    d.Key("signals").BeginArray();
    for (const std::string& x : signals) d.String(x);
    d.EndArray().EndObject();
    f.detail_json = d.Take();
    f.line = static_cast<int64_t>(a.row.line);
    f.byte_offset = static_cast<int64_t>(a.row.offset);
    f.event_time = a.created;
    f.rule = "storedb/rogue-admin";
    f.dedupe_key = key("storedb.rogue_admin", a.row, "");
    TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    ++s->rogue_admins;
  }

  // 3. Tokens and integrations: each is a credential to revoke after a breach.
  for (const TokenCandidate& k : tokens_) {
    bool in_window = InWindow(k.created, window);
    bool rogue_owner = !k.owner_account.empty() && rogue_accounts.count(k.owner_account);
    if (k.kind == "customer_token" && !in_window) continue;  // thousands, only new ones matter
    Finding f;
    f.kind = "storedb.token";
    // Created in the window, or owned by an account flagged above: the attacker's. Any other
    // live credential is one to rotate after a breach (a containment step), not a sign of one.
    bool powerful = k.kind == "admin_token" || k.kind == "integration" ||
                    (k.kind == "api_key" && k.write_access);
    f.severity = in_window || rogue_owner ? Severity::kCritical
                 : powerful               ? Severity::kMedium
                                          : Severity::kLow;
    f.triage = in_window || rogue_owner ? "actionable" : "context";
    f.confidence = in_window || rogue_owner ? 0.9 : 0.6;
    f.summary = "Active " + k.kind + " in " + k.row.table + " " + PkJson(k.row) + " (" + k.owner +
                ")" + (in_window ? ", created in the breach window" : "") +
                (rogue_owner ? ", owned by an account flagged as rogue" : "") +
                ": revoke and rotate";
    JsonWriter d;
    d.BeginObject().Field("table", k.row.table).Key("pk").Raw(PkJson(k.row));
    d.Field("kind", k.kind).Field("owner", k.owner).Field("hint", k.hint);
    d.Field("in_window", in_window).Field("rogue_owner", rogue_owner);
    if (k.created) d.Field("created", FormatUtc(*k.created));
    d.EndObject();
    f.detail_json = d.Take();
    f.line = static_cast<int64_t>(k.row.line);
    f.byte_offset = static_cast<int64_t>(k.row.offset);
    f.event_time = k.created;
    f.rule = "storedb/token";
    f.dedupe_key = key("storedb.token", k.row, "");
    TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    ++s->tokens;
  }

  // 3b. The store's own address pointed elsewhere (siteurl/home, Magento base URLs): every
  // page, redirect and script then loads from the attacker's host.
  for (const ForeignSiteUrl& u : foreign_site_urls_) {
    Finding f;
    f.kind = "storedb.config_change";
    f.severity = Severity::kHigh;
    f.confidence = 0.7;
    f.summary = "The store's address in " + u.row.table + " " + PkJson(u.row) +
                " points to another host (" + u.host + ") than the case's store URL";
    JsonWriter d;
    d.BeginObject().Field("table", u.row.table).Key("pk").Raw(PkJson(u.row));
    d.Field("path", u.path).Field("host", u.host).Field("technique", "site_url_hijack");
    d.EndObject();
    f.detail_json = d.Take();
    f.line = static_cast<int64_t>(u.row.line);
    f.byte_offset = static_cast<int64_t>(u.row.offset);
    f.rule = "storedb/site-url";
    f.dedupe_key = key("storedb.config_change", u.row, "site_url");
    TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    ++s->config_changes;
  }

  // 3d. Admin sessions opened from an address whose attack the server answered (the logs
  // stage's high or critical hits that worked): the attacker is, or was, logged in.
  {
    std::map<std::string, const AnsweredAttack*> attackers;
    for (const AnsweredAttack& a : opt_.answered_attacks) attackers.emplace(a.client, &a);
    for (const AdminSession& as : admin_sessions_) {
      auto it = attackers.find(as.ip);
      if (it == attackers.end()) continue;
      Finding f;
      f.kind = "storedb.admin_session";
      f.severity = Severity::kCritical;
      f.confidence = 0.85;
      f.summary = "Admin session of user " + as.user_id + " in " + as.row.table + " " +
                  PkJson(as.row) + " from " + as.ip + ", an address whose attack the server " +
                  "answered ('" + it->second->rule + "': " + it->second->request + ")";
      JsonWriter d;
      d.BeginObject().Field("table", as.row.table).Key("pk").Raw(PkJson(as.row));
      d.Field("user_id", as.user_id).Field("ip", as.ip).Field("rule", it->second->rule);
      d.EndObject();
      f.detail_json = d.Take();
      f.line = static_cast<int64_t>(as.row.line);
      f.byte_offset = static_cast<int64_t>(as.row.offset);
      f.event_time = as.time;
      f.rule = "storedb/admin-session";
      f.dedupe_key = key("storedb.admin_session", as.row, "ip");
      TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    }
  }

  // 3e. Active plugins: WordPress includes WP_PLUGIN_DIR/<entry> on every request, so an entry
  // that climbs out of the plugins folder (or is absolute) loads any file, an upload included;
  // one whose folder is not in the collected web root is code nobody collected.
  for (const ActivePlugin& ap : active_plugins_) {
    const std::string& p = ap.plugin;
    bool escapes = p.find("..") != std::string::npos || p.starts_with("/") ||
                   p.find('\\') != std::string::npos || p.find(':') != std::string::npos;
    bool php = p.size() > 4 && p.compare(p.size() - 4, 4, ".php") == 0;
    std::string dir = p.substr(0, p.find('/'));
    bool unknown = !opt_.installed_plugins.empty() && !opt_.installed_plugins.count(dir);
    if (!escapes && php && !unknown) continue;
    Finding f;
    f.kind = "storedb.active_plugin";
    f.severity = escapes ? Severity::kCritical : Severity::kMedium;
    f.confidence = escapes ? 0.9 : 0.5;
    f.summary = "Active plugin entry '" + p + "' in " + ap.row.table + " " + PkJson(ap.row) +
                (escapes ? ": it points outside the plugins folder, so WordPress loads that file "
                           "on every request"
                 : !php  ? ": not a PHP file"
                         : ": no such plugin folder in the collected web root");
    JsonWriter d;
    d.BeginObject().Field("table", ap.row.table).Key("pk").Raw(PkJson(ap.row));
    d.Field("plugin", p).Field("escapes", escapes).EndObject();
    f.detail_json = d.Take();
    f.line = static_cast<int64_t>(ap.row.line);
    f.byte_offset = static_cast<int64_t>(ap.row.offset);
    f.rule = "storedb/active-plugin";
    f.dedupe_key = key("storedb.active_plugin", ap.row, p);
    TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
  }

  // 3c. Cron jobs in cron_schedule that no installed module declares (only when the web root
  // was collected: without it every job would look unknown).
  if (!opt_.declared_cron_jobs.empty()) {
    for (const auto& [code, row] : cron_codes_) {
      if (opt_.declared_cron_jobs.count(code)) continue;
      Finding f;
      f.kind = "storedb.cron_job";
      f.severity = Severity::kMedium;
      f.confidence = 0.6;
      f.summary = "Cron job '" + code + "' in " + row.table +
                  " that no module of the collected web root declares (crontab.xml): check "
                  "core_config_data crontab/*/jobs/" +
                  code + " and the code it runs";
      JsonWriter d;
      d.BeginObject().Field("table", row.table).Key("pk").Raw(PkJson(row));
      d.Field("job_code", code).EndObject();
      f.detail_json = d.Take();
      f.line = static_cast<int64_t>(row.line);
      f.byte_offset = static_cast<int64_t>(row.offset);
      f.rule = "storedb/cron-job";
      f.dedupe_key = key("storedb.cron_job", row, code);
      TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    }
  }

  // 4. Payment, cron and code-loading configuration changed in the window.
  for (const ConfigCandidate& c : configs_) {
    if (!InWindow(c.time, window)) continue;
    bool sensitive = false;
    for (const char* p : {"payment/", "crontab/", "dev/js/", "dev/template/", "admin/url/",
                          "web/secure/base", "web/unsecure/base", "system/smtp", "csp/",
                          "checkout/", "sales_email/"})  // design/* is the script scan's
      sensitive = sensitive || c.path.starts_with(p);
    if (!sensitive) continue;
    Finding f;
    f.kind = "storedb.config_change";
    f.severity = c.path.starts_with("payment/") || c.path.starts_with("crontab/")
                     ? Severity::kHigh
                     : Severity::kMedium;
    f.confidence = 0.6;
    f.summary = "Configuration " + c.path + " changed in the breach window (" + c.row.table + " " +
                PkJson(c.row) + ")";
    JsonWriter d;
    d.BeginObject().Field("table", c.row.table).Key("pk").Raw(PkJson(c.row));
    d.Field("path", c.path).Field("value", Excerpt(c.value));
    if (c.time) d.Field("updated_at", FormatUtc(*c.time));
    d.EndObject();
    f.detail_json = d.Take();
    f.line = static_cast<int64_t>(c.row.line);
    f.byte_offset = static_cast<int64_t>(c.row.offset);
    f.event_time = c.time;
    f.rule = "storedb/config-change";
    f.dedupe_key = key("storedb.config_change", c.row, "value");
    TQ_RETURN_IF_ERROR(Upsert(std::move(f), s));
    ++s->config_changes;
  }
  return Status::Ok();
}

}  // namespace tq::storedb
