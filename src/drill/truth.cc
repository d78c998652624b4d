// OUT/truth.json: the ground truth, in the schema documented in src/drill/TRUTH.md
// ("tourniquet-drill-truth/1"). Lists are in a fixed order (time, then as generated), so the
// file is byte-identical for one seed.
#include <algorithm>

#include "core/json.h"
#include "drill/schedule.h"

namespace tq::drill {

namespace {

void Evidence(JsonWriter& w, const Breach& b, int ev) {
  w.Key("evidence");
  if (ev < 0) {
    w.Null();
    return;
  }
  const EvidenceRef& e = b.evidence[ev];
  w.BeginObject().Field("file", e.file).Field("line", static_cast<uint64_t>(e.line)).EndObject();
}

void Time(JsonWriter& w, std::string_view key, UnixMicros t) {
  w.Key(key);
  if (t)
    w.String(FormatUtc(t));
  else
    w.Null();
}

void Steps(JsonWriter& w, const Breach& b, const std::vector<TruthStep>& steps) {
  std::vector<TruthStep> s = steps;
  std::stable_sort(s.begin(), s.end(),
                   [](const TruthStep& x, const TruthStep& y) { return x.t < y.t; });
  w.BeginArray();
  for (const TruthStep& st : s) {
    w.BeginObject();
    Time(w, "time", st.t);
    w.Field("action", st.action)
        .Field("description", st.description)
        .Field("ip", IpToString(st.ip));
    if (st.evidence >= 0 && !b.evidence_request[st.evidence].empty()) {
      w.Field("request", b.evidence_request[st.evidence]);
    }
    Evidence(w, b, st.evidence);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

Status WriteTruth(const std::string& out_dir, const DrillOptions& o, const Store& s,
                  const Breach& b) {
  const Truth& t = b.truth;
  const bool m = s.spec.platform == Platform::kMagento;
  JsonWriter w(true);
  w.BeginObject();
  w.Field("format", "tourniquet-drill-truth/1");
  w.Field("seed", o.seed)
      .Field("scenario", o.scenario)
      .Field("platform", m ? "magento" : "woocommerce");
  w.Field("store_url", "https://" + s.spec.host).Field("timezone", s.spec.timezone);
  w.Field("log_format", LogFormatName(o.log_format));
  w.Field("log_format_string", LogFormatString(o.log_format));
  w.Field("platform_version", s.spec.version);
  if (!m) w.Field("wordpress_version", s.spec.wp_version);
  w.Key("vulnerable_component").BeginObject();
  w.Field("ecosystem", t.vuln_ecosystem)
      .Field("package", t.vuln_package)
      .Field("version", t.vuln_version);
  w.Key("cve");
  if (t.cve.empty())
    w.Null();
  else
    w.String(t.cve);
  w.Key("fixed");
  if (t.vuln_fixed.empty())
    w.Null();
  else
    w.String(t.vuln_fixed);
  if (m) w.Field("osv_package", "magento/community-edition");
  w.Field("process_failure", t.weakness);
  w.EndObject();
  // Window: first malicious action .. last one.
  UnixMicros first = 0, last = 0;
  for (const TruthStep& st : t.steps) {
    if (!first || st.t < first) first = st.t;
    last = std::max(last, st.t);
  }
  w.Key("window").BeginObject();
  Time(w, "start", first);
  Time(w, "end", last);
  w.EndObject();
  Time(w, "discovered_at", s.spec.log_end);
  w.Key("logs").BeginObject();
  Time(w, "start", s.spec.log_start);
  Time(w, "end", s.spec.log_end);
  w.Field("days", s.spec.days);
  w.EndObject();
  w.Key("entry").BeginObject();
  w.Field("technique", t.technique);
  w.Key("cve");
  if (t.cve.empty())
    w.Null();
  else
    w.String(t.cve);
  Time(w, "time", t.entry_time);
  w.Field("ip", IpToString(t.entry_ip)).Field("request", t.entry_request);
  Evidence(w, b, t.entry_evidence);
  w.EndObject();
  w.Key("attackers").BeginArray();
  for (const auto& [ip, role] : t.attackers) {
    w.BeginObject().Field("ip", IpToString(ip)).Field("role", role).EndObject();
  }
  w.EndArray();
  w.Key("benign_actors").BeginArray();
  for (const auto& [ip, role] : t.benign) {
    w.BeginObject().Field("ip", IpToString(ip)).Field("role", role).EndObject();
  }
  w.EndArray();
  w.Key("admins").BeginArray();
  for (const AdminUser& a : s.admins) {
    w.BeginObject().Field("username", a.username).Field("legit", true);
    Time(w, "created", a.created);
    w.EndObject();
  }
  for (const AdminUser& a : b.rogue_admins) {
    w.BeginObject().Field("username", a.username).Field("legit", false);
    Time(w, "created", a.created);
    w.EndObject();
  }
  w.EndArray();
  w.Key("steps");
  Steps(w, b, t.steps);
  w.Key("benign_events");
  Steps(w, b, t.benign_events);
  w.Key("files").BeginArray();
  for (const TruthFile& f : t.files) {
    w.BeginObject().Field("path", f.path).Field("change", f.change).Field("kind", f.kind);
    w.Field("sha256", f.sha256);
    Time(w, "mtime", f.mtime);
    Time(w, "time", f.real_time);
    w.Field("timestomped", f.mtime != f.real_time);
    w.EndObject();
  }
  w.EndArray();
  w.Key("benign_lookalikes").BeginArray();
  for (const auto& [p, why] : t.lookalikes)
    w.BeginObject().Field("path", p).Field("why", why).EndObject();
  w.EndArray();
  for (const char* key : {"host_persistence", "benign_host"}) {
    const auto& list = std::string(key) == "benign_host" ? t.benign_host : t.host_persistence;
    w.Key(key).BeginArray();
    for (const HostItem& h : list) {
      w.BeginObject();
      if (!h.kind.empty()) w.Field("kind", h.kind);
      w.Field("path", h.path).Field("line", h.line);
      if (h.t) Time(w, "time", h.t);
      w.Field(h.kind.empty() ? "why" : "what", h.what).EndObject();
    }
    w.EndArray();
  }
  w.Key("db_injections").BeginArray();
  for (const DbInjection& d : t.db_injections) {
    w.BeginObject().Field("table", d.table);
    w.Key("pk").BeginObject().Field(d.pk_name, d.pk).EndObject();
    w.Field("column", d.column).Field("kind", d.kind);
    Time(w, "time", d.t);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rogue_accounts").BeginArray();
  for (const RogueAccount& a : t.rogue_accounts) {
    w.BeginObject().Field("table", a.table);
    w.Key("pk").BeginObject().Field(a.pk_name, a.pk).EndObject();
    w.Field("username", a.username);
    Time(w, "time", a.t);
    w.EndObject();
  }
  w.EndArray();
  w.Key("tokens").BeginArray();
  for (const TokenRow& tk : t.tokens) {
    w.BeginObject().Field("table", tk.table);
    w.Key("pk").BeginObject().Field(tk.pk_name, tk.pk).EndObject();
    w.Field("kind", tk.kind).EndObject();
  }
  w.EndArray();
  w.Key("secrets_exposed").BeginArray();
  for (const auto& [n, f] : t.secrets)
    w.BeginObject().Field("name", n).Field("file", f).EndObject();
  w.EndArray();
  uint64_t total = 0;
  w.Key("exfiltration").BeginArray();
  for (const Exfil& e : t.exfil) {
    w.BeginObject().Field("ip", IpToString(e.ip)).Field("path", e.path).Field("bytes", e.bytes);
    w.Field("request", b.evidence_request[e.evidence]);
    Evidence(w, b, e.evidence);
    w.EndObject();
    total += e.bytes;
  }
  w.EndArray();
  w.Field("bytes_exfiltrated", total);
  w.Key("skimmer_window");
  if (t.skimmer_start) {
    w.BeginObject();
    Time(w, "start", t.skimmer_start);
    Time(w, "end", t.skimmer_end);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("data_categories").BeginArray();
  for (const auto& c : t.data_categories) w.String(c);
  w.EndArray();
  w.Key("affected").BeginArray();
  for (const Affected& a : t.affected) {
    w.BeginObject();
    w.Key("customer_id");
    if (a.customer >= 0) {
      uint64_t id = s.customers[a.customer].id;
      w.Uint(m ? id : id + 3);  // WordPress user IDs follow the three admins
    } else {
      w.Null();
    }
    w.Field("email", a.email).Field("name", a.name).Field("country", a.country);
    w.Key("region");
    if (a.region.empty())
      w.Null();
    else
      w.String(a.region);
    w.Key("categories").BeginArray();
    for (const auto& c : a.categories) w.String(c);
    w.EndArray();
    w.Field("reason", a.reason).EndObject();
  }
  w.EndArray();
  w.Key("hostile_lines").BeginArray();
  for (const auto& h : t.hostile) {
    w.BeginObject().Field("kind", h.kind);
    if (!b.evidence_request[h.evidence].empty()) w.Field("request", b.evidence_request[h.evidence]);
    Evidence(w, b, h.evidence);
    w.EndObject();
  }
  w.EndArray();
  w.Key("platform_logs").BeginArray();
  if (m) {
    w.String("webroot/var/log/system.log").String("webroot/var/log/exception.log");
  } else {
    w.String("webroot/wp-content/debug.log");
  }
  w.EndArray();
  w.Key("row_counts").BeginObject();
  for (const auto& [table, n] : t.row_counts) w.Field(table, n);
  w.EndObject();
  w.Field("customers", static_cast<uint64_t>(s.customers.size()));
  w.Field("orders", static_cast<uint64_t>(s.orders.size() + b.extra_orders.size()));
  w.EndObject();
  std::string text = w.Take() + "\n";
  return WriteFileAt(out_dir + "/truth.json", text, s.spec.log_end + 30LL * 60 * 1000000);
}

}  // namespace tq::drill
