// The containment plan: see contain.h.
#include "contain/contain.h"

#include <arpa/inet.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/escape.h"
#include "core/json.h"

namespace tq::contain {
namespace {

struct Detail {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool ok = false;
  explicit Detail(const std::string& json) { ok = !parser.parse(json).get(doc); }
  std::string Text(const char* key) {
    std::string_view v;
    if (!ok || doc[key].get(v)) return "";
    return RecoverJsonBytes(v);
  }
  std::string Raw(const char* key) {
    simdjson::dom::element e;
    if (!ok || doc[key].get(e)) return "";
    return simdjson::minify(e);
  }
  std::string Nested(const char* a, const char* b) {
    std::string_view v;
    if (!ok || doc[a][b].get(v)) return "";
    return RecoverJsonBytes(v);
  }
};

std::string FindingRef(const Finding& f) {
  std::string s = "finding " + std::to_string(f.id) + " (" + f.kind + ")";
  if (!f.evidence_sha256.empty()) s += ", evidence sha256 " + f.evidence_sha256;
  if (f.line) s += " line " + std::to_string(*f.line);
  return s;
}

bool EndsWith(std::string_view s, std::string_view t) {
  return s.size() >= t.size() && s.substr(s.size() - t.size()) == t;
}

std::string ReadAll(const std::string& path, size_t cap) {
  std::ifstream in(path, std::ios::binary);
  std::string out(cap, '\0');
  in.read(out.data(), static_cast<std::streamsize>(cap));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

// An echo line for the script: the text is for a person, shown escaped (no raw control
// bytes or invalid UTF-8 from evidence in contain.sh).
std::string ShellEcho(std::string_view text) { return "echo " + ShellQuote(EscapeTerminal(text)); }

// Key names (never values) of the secrets a config file holds.
std::vector<std::string> SecretNames(std::string_view file, std::string_view text) {
  std::vector<std::string> out;
  if (EndsWith(file, "env.php")) {
    if (text.find("'crypt'") != std::string_view::npos) out.push_back("crypt_key");
    if (text.find("'password'") != std::string_view::npos) out.push_back("db_password");
    return out;
  }
  // wp-config.php: define('NAME', ...) for *_KEY, *_SALT, DB_PASSWORD.
  size_t pos = 0;
  while ((pos = text.find("define", pos)) != std::string_view::npos) {
    pos += 6;
    size_t q = text.find_first_of("'\"", pos);
    if (q == std::string_view::npos || q - pos > 4) continue;
    size_t e = text.find(text[q], q + 1);
    if (e == std::string_view::npos || e - q > 64) continue;
    std::string name(text.substr(q + 1, e - q - 1));
    if (name == "DB_PASSWORD" || EndsWith(name, "_KEY") || EndsWith(name, "_SALT"))
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  if (out.empty())
    out = {"DB_PASSWORD", "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY"};
  return out;
}

// `root` is a shell expression for the live web root (a variable set at the top of the script).
std::string MaintenanceOn(const std::string& platform, const std::vector<std::string>& allow,
                          const std::string& root) {
  const std::string& r = root;
  if (platform == "magento") {
    std::string ips;
    for (const auto& a : allow) ips += " --ip=" + ShellQuote(EscapeTerminal(a));
    return "run php " + r + "/bin/magento maintenance:enable" + ips;
  }
  if (platform == "woocommerce" || platform == "wordpress")
    return "run sh -c " +
           ShellQuote("printf '<?php $upgrading = time(); ?>' > \"$0/.maintenance\"") + " " + r;
  if (platform == "prestashop")
    return "run php " + r + "/bin/console prestashop:config set PS_SHOP_ENABLE --value 0";
  if (platform == "shopware")
    return "run php " + r + "/bin/console sales-channel:maintenance:enable --all";
  return "echo 'put the store behind a maintenance page at the web server'";
}

// A collected web root: a directory (its files are live at source/original_path) or an
// archive or stream (the live directory its members are relative to is not known here: the
// operator sets ROOT<n> before running the script).
struct WebRoot {
  std::string source;
  bool directory = false;
  std::string Var(size_t i) const { return "ROOT" + std::to_string(i + 1); }
};

std::string NormalizeMember(std::string p) {
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  return p;
}

// A table name fit to put in SQL unquoted.
bool SqlIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s)
    if (!isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  return true;
}

// "user_id=4" from the detail's pk object when every key is an identifier and every value a
// number (anything else is attacker-shaped and goes to the operator as text).
std::string PkWhere(Detail& d) {
  simdjson::dom::object o;
  if (!d.ok || d.doc["pk"].get(o)) return "";
  std::string out;
  for (auto [k, v] : o) {
    std::string key(k), val;
    int64_t i;
    std::string_view sv;
    if (!v.get(i))
      val = std::to_string(i);
    else if (!v.get(sv))
      val = std::string(sv);
    if (key.empty() || val.empty() || val.size() > 20) return "";
    for (char ch : key)
      if (!isalnum(static_cast<unsigned char>(ch)) && ch != '_') return "";
    for (char ch : val)
      if (!isdigit(static_cast<unsigned char>(ch))) return "";
    out += (out.empty() ? "" : " AND ") + key + "=" + val;
  }
  return out;
}

}  // namespace

bool ValidAddress(std::string_view a) {
  std::string s(a);
  int bits = -1;
  size_t slash = s.find('/');
  if (slash != std::string::npos) {
    std::string b = s.substr(slash + 1);
    if (b.empty() || b.size() > 3 || !std::all_of(b.begin(), b.end(), ::isdigit)) return false;
    bits = std::stoi(b);
    s.resize(slash);
  }
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return bits <= 32;
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return bits <= 128;
  return false;
}

std::string PrintfBytes(std::string_view s) {
  static const char kHex[] = "01234567";
  std::string out;
  for (char ch : s) {
    auto b = static_cast<unsigned char>(ch);
    if (isalnum(b) || std::string_view("/._-+,:@=~% ").find(ch) != std::string_view::npos) {
      out += ch;
    } else {  // \0ooo: printf's %b reads one to three octal digits after \0
      out += "\\0";
      out += kHex[b >> 6];
      out += kHex[(b >> 3) & 7];
      out += kHex[b & 7];
    }
  }
  return out;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'')
      out += "'\\''";
    else
      out += ch;
  }
  return out + "'";
}

Result<Plan> BuildPlan(Case& c, const Options& o) {
  Db& db = c.db();
  Plan plan;
  TQ_ASSIGN_OR_RETURN(CaseInfo info, c.Info());
  plan.platform = o.platform.empty() ? info.platform : o.platform;
  if (TableExists(db, "webroot_platform")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT platform,version,fixed_version FROM "
                                            "webroot_platform ORDER BY id LIMIT 1"));
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      if (plan.platform.empty() || plan.platform == "other") plan.platform = st.String(0);
      plan.version = st.String(1);
      plan.fixed_version = st.String(2);
    }
  }
  if (plan.platform == "wordpress") plan.platform = "woocommerce";
  TQ_ASSIGN_OR_RETURN(std::vector<Finding> findings, ListFindings(db));
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(db));
  std::set<std::string> collected;
  for (const EvidenceItem& i : items)
    if (!i.sha256.empty()) collected.insert(i.sha256);
  // The collected web roots, in the order they were collected: each file is quarantined
  // under its own root (a second root's files once got the first root's path).
  std::vector<WebRoot> roots;
  std::map<std::string, size_t> root_of_source;
  for (const EvidenceItem& i : items) {
    if (i.label != "webroot" || i.source.empty()) continue;
    auto [it, added] = root_of_source.emplace(i.source, roots.size());
    if (added) roots.push_back({i.source, false});
    if (i.original_path == "." && i.kind == "dir") roots[it->second].directory = true;
  }
  size_t main_root = 0;  // maintenance mode and files found without an item: a directory root
  for (size_t r = roots.size(); r-- > 0;)
    if (roots[r].directory) main_root = r;
  if (roots.empty()) roots.push_back({"/var/www/store", true});
  std::map<int64_t, const EvidenceItem*> item_by_id;
  for (const EvidenceItem& i : items) item_by_id[i.id] = &i;
  for (size_t r = 0; r < roots.size(); ++r)
    plan.roots.push_back({roots[r].Var(r), roots[r].source, roots[r].directory});
  const std::string root_var = "\"$" + roots[main_root].Var(main_root) + "\"";

  std::set<std::string> allow(o.allow.begin(), o.allow.end());
  auto add = [&](Step s) { plan.steps.push_back(std::move(s)); };

  // 1. Block the attackers.
  std::map<std::string, std::string> addr_label;
  if (TableExists(db, "attacker_addresses")) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT a.label,x.address FROM attackers a JOIN "
                                            "attacker_addresses x ON x.attacker_id=a.id "
                                            "ORDER BY x.address"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      addr_label[st.String(1)] = st.String(0);
    }
  }
  for (const auto& [addr, label] : addr_label) {
    if (allow.count(addr) || !ValidAddress(addr)) {
      plan.not_blocked.push_back(addr);
      plan.warnings.push_back("attacker address " + addr + " (" + label + ") not blocked: " +
                              (allow.count(addr) ? "in --allow" : "not an IP address"));
      continue;
    }
    plan.blocked.push_back(addr);
  }
  {
    Step s;
    s.key = "block";
    s.category = "block";
    s.title = "Block " + std::to_string(plan.blocked.size()) +
              " attacker address(es) at the web server, firewall and CDN/WAF";
    s.reason =
        "every address the analysis attributes to an attacker; responders (--allow) excluded";
    for (const Finding& f : findings)
      if (f.kind == "analysis.attacker") s.evidence.push_back(FindingRef(f) + ": " + f.summary);
    s.commands = {
        "run cp reports/contain/blocklist-nginx.conf /etc/nginx/conf.d/tourniquet-deny.conf",
        "run nginx -t", "run systemctl reload nginx", "run nft -f reports/contain/blocklist.nft"};
    if (!plan.blocked.empty()) add(std::move(s));
  }
  // 2. Maintenance mode, responders allowed.
  {
    Step s;
    s.key = "maintenance";
    s.category = "maintenance";
    s.title = "Switch the " + (plan.platform.empty() ? std::string("store") : plan.platform) +
              " store to maintenance mode, responders' addresses allowed";
    s.reason = "stop the skimmer and further access while files and accounts are cleaned";
    if (o.allow.empty()) s.warning = "no --allow address: responders will be locked out too";
    s.commands = {MaintenanceOn(plan.platform, o.allow, root_var)};
    add(std::move(s));
  }
  // 3. Quarantine the attacker's files: one step per (collected root, path), so identical
  // files in two places are two steps with two destinations.
  struct Quarantined {
    std::string sha;
    const Finding* finding;
  };
  std::map<std::pair<size_t, std::string>, Quarantined> files;
  auto place = [&](const Finding& f, const std::string& path) -> std::pair<size_t, std::string> {
    if (f.evidence_id) {
      auto it = item_by_id.find(*f.evidence_id);
      if (it != item_by_id.end() && it->second->label == "webroot") {
        auto r = root_of_source.find(it->second->source);
        if (r != root_of_source.end())
          return {r->second, NormalizeMember(it->second->original_path)};
      }
    }
    return {main_root, path};
  };
  for (const Finding& f : findings) {
    bool file_kind = f.kind == "webroot.yara" || f.kind == "webroot.misplaced_php" ||
                     f.kind == "webroot.disguised_php" || f.kind == "webroot.obfuscation" ||
                     f.kind == "webroot.timing";
    Detail d(f.detail_json);
    if (f.kind == "webroot.integrity") {
      std::string ch = d.Text("change");
      file_kind = ch == "added" || ch == "modified";
    }
    if (!file_kind) continue;
    std::string path = d.Text("path");
    if (path.empty()) continue;
    files.emplace(place(f, path), Quarantined{d.Text("sha256"), &f});
  }
  // Dumps the attacker downloaded from the web root.
  for (const Finding& f : findings) {
    if (f.kind != "analysis.exfiltration") continue;
    Detail d(f.detail_json);
    std::string p = d.Nested("request", "path");
    if (p.size() < 2) continue;
    bool known = false;
    for (const EvidenceItem& i : items) {
      if (i.label != "webroot" || i.sha256.empty() || !EndsWith("/" + i.original_path, p)) continue;
      auto r = root_of_source.find(i.source);
      if (r == root_of_source.end()) continue;
      files.emplace(std::make_pair(r->second, NormalizeMember(i.original_path)),
                    Quarantined{i.sha256, &f});
      known = true;
    }
    for (const auto& [where, v] : files) known = known || EndsWith("/" + where.second, p);
    // Not collected (deleted or never in the collected tree): still named, with a warning.
    bool pub = plan.platform == "magento" && !p.starts_with("/pub/");
    if (!known && d.Text("kind") == "download" && p.find("..") == std::string::npos &&
        p.find('\0') == std::string::npos)
      files.emplace(std::make_pair(main_root, (pub ? "pub" : "") + p.substr(pub ? 0 : 1)),
                    Quarantined{std::string(), &f});
  }
  for (const auto& [where, v] : files) {
    const auto& [r, path] = where;
    const WebRoot& root = roots[r];
    Step s;
    // The first root keeps the key it always had (tasks already in a case match it).
    s.key = "quarantine:" + (r == 0 ? std::string() : root.source + ":") + path;
    s.category = "quarantine";
    s.title = "Quarantine " + path + " in " + root.source + " (sha256 " + v.sha + ")";
    s.reason = "attacker file: " + v.finding->summary;
    s.evidence.push_back(FindingRef(*v.finding));
    s.finding_id = v.finding->id;
    if (v.sha.empty() || !collected.count(v.sha)) {
      s.warning = "not collected yet: run `tourniquet collect` before moving it";
      plan.warnings.push_back(path + " " + s.warning);
    }
    if (!root.directory)
      s.warning += std::string(s.warning.empty() ? "" : "; ") + "collected from an archive: set " +
                   root.Var(r) + " in contain.sh to the live directory it was made from";
    s.commands = {"quarantine \"$" + root.Var(r) + "\" " + ShellQuote(PrintfBytes(path)) + " " +
                  ShellQuote(v.sha) + " " + ShellQuote(EscapeTerminal(root.source + "/" + path))};
    add(std::move(s));
  }
  // 4. Accounts, tokens, sessions, injected rows, configuration.
  for (const Finding& f : findings) {
    Detail d(f.detail_json);
    Step s;
    s.finding_id = f.id;
    s.evidence.push_back(FindingRef(f));
    std::string table = d.Text("table"), pk = d.Raw("pk");
    if (f.kind == "storedb.rogue_admin") {
      std::string user = d.Text("username");
      s.key = "account:" + table + ":" + pk;
      s.category = "account";
      s.title = "Disable admin account '" + user + "' (" + table + " " + pk + ")";
      s.reason = f.summary;
      std::string where = PkWhere(d);
      if (plan.platform == "magento" && !where.empty() && SqlIdentifier(table))
        s.commands = {"run_sql " +
                      ShellQuote("UPDATE " + table + " SET is_active=0 WHERE " + where + ";")};
      else
        s.commands = {ShellEcho("demote " + table + " " + pk +
                                " to a non-admin role and reset its password")};
    } else if (f.kind == "storedb.token") {
      s.key = "token:" + table + ":" + pk;
      s.category = "token";
      s.title = "Revoke " + d.Text("kind") + " in " + table + " " + pk + " (owner " +
                d.Text("owner") + ")";
      s.reason = f.summary;
      std::string where = PkWhere(d);
      if (where.empty() || !SqlIdentifier(table))
        s.commands = {ShellEcho("revoke " + table + " " + pk)};
      else if (table.find("oauth_token") != std::string::npos)
        s.commands = {"run_sql " +
                      ShellQuote("UPDATE " + table + " SET revoked=1 WHERE " + where + ";")};
      else
        s.commands = {"run_sql " + ShellQuote("DELETE FROM " + table + " WHERE " + where + ";")};
    } else if (f.kind == "storedb.injected_script") {
      s.key = "database:" + table + ":" + pk + ":" + d.Text("column");
      s.category = "database";
      s.title = "Remove the injected script from " + table + "." + d.Text("column") + " " + pk;
      s.reason = f.summary;
      s.commands = {ShellEcho("restore " + table + " " + pk + " from a clean backup")};
    } else if (f.kind == "storedb.cron_job") {
      std::string code = d.Text("job_code");
      s.key = "database:cron_schedule:" + code;
      s.category = "persistence";
      s.title = "Find what declares cron job '" + code + "' (core_config_data crontab/*/jobs/" +
                code + ", a module not on disk) and remove it with its cron_schedule rows";
      s.reason = f.summary;
    } else if (f.kind == "storedb.config_change") {
      s.key = "database:" + table + ":" + pk + ":config";
      s.category = "database";
      s.title =
          "Review and restore configuration " + d.Text("path") + " (" + table + " " + pk + ")";
      s.reason = f.summary;
    } else {
      continue;
    }
    add(std::move(s));
  }
  // 4b. Persistence on the host (host.h): each becomes a step to remove or revert on the
  // server; the commands only say what to do, with the file and line from the evidence.
  for (const Finding& f : findings) {
    if (f.kind.rfind("host.", 0) != 0) continue;
    Detail d(f.detail_json);
    std::string path = d.Text("path"), line = d.Raw("line");
    if (path.rfind("./", 0) == 0) path.erase(0, 2);  // as collected: relative to the tree
    Step s;
    s.finding_id = f.id;
    s.evidence.push_back(FindingRef(f));
    s.category = "persistence";
    s.reason = f.summary;
    if (f.kind == "host.cron") {
      s.key = "persistence:cron:" + path + ":" + line;
      s.title = "Remove the cron entry at " + path + " line " + line +
                (d.Text("user").empty() ? "" : " (runs as " + d.Text("user") + ")");
      s.commands = {ShellEcho("remove line " + line + " of " + path + ": " + d.Text("schedule") +
                              " " + d.Text("command"))};
    } else if (f.kind == "host.php_prepend") {
      s.key = "persistence:php:" + path + ":" + line;
      s.title = "Remove " + d.Text("directive") + " from " + path + " line " + line +
                " and the file it names (" + d.Text("value") + "), then reload PHP-FPM";
      s.commands = {ShellEcho("remove " + d.Text("directive") + " at " + path + ":" + line +
                              "; quarantine " + d.Text("value"))};
    } else if (f.kind == "host.vhost_upload") {
      s.key = "persistence:webconf:" + path + ":" + line;
      s.title = "Revert the web-server configuration at " + path + " line " + line +
                " so uploads never run as PHP, then reload the server";
    } else if (f.kind == "host.ssh_key") {
      s.key = "persistence:ssh:" + d.Text("fingerprint");
      s.category = "account";
      s.title =
          (f.severity >= Severity::kHigh ? "Remove the unknown SSH key " : "Review SSH key ") +
          d.Text("fingerprint") + " (" + d.Text("comment") + ") in " + path;
      s.commands = {ShellEcho("ssh-keygen -lf " + path + " and delete the line with " +
                              d.Text("fingerprint"))};
    } else if (f.kind == "host.process") {
      s.key = "persistence:process:" + d.Text("pid");
      s.title = "Stop process " + d.Text("pid") + " (" + d.Text("user") +
                ") after copying its binary for evidence";
    } else if (f.kind == "host.socket") {
      s.key = "persistence:socket:" + d.Text("local") + ">" + d.Text("peer");
      s.title = "Cut the connection of " + d.Text("program") + " (" + d.Text("local") + " to " +
                d.Text("peer") + ") and block the remote address, after copying the process";
    } else if (f.kind == "host.shell_history") {
      if (f.severity < Severity::kHigh) continue;  // context for the timeline, not a step
      s.key = "persistence:history:" + path + ":" + line;
      s.category = "fix";
      s.title = "Undo what the command at " + path + " line " + line + " did: " + d.Text("command");
    } else {
      continue;
    }
    add(std::move(s));
  }
  {
    Step s;
    s.key = "sessions";
    s.category = "token";
    s.title = "End every admin and customer session";
    s.reason = "an attacker session or stolen cookie survives a password change";
    s.commands = {plan.platform == "magento"
                      ? "run_sql 'DELETE FROM admin_user_session; DELETE FROM oauth_token "
                        "WHERE revoked=0 AND authorized=1 AND admin_id IS NOT NULL;'"
                      : "run_sql \"DELETE FROM wp_usermeta WHERE meta_key='session_tokens';\""};
    add(std::move(s));
  }
  // 5. Secrets in reach of the attacker: config files in the web root.
  for (const EvidenceItem& i : items) {
    if (i.label != "webroot" || i.sha256.empty()) continue;
    if (!EndsWith(i.original_path, "app/etc/env.php") &&
        !EndsWith(i.original_path, "wp-config.php"))
      continue;
    std::string text = ReadAll(c.ObjectPath(i.sha256), 1 << 20);
    std::vector<std::string> names = SecretNames(i.original_path, text);
    std::string file = EndsWith(i.original_path, "env.php") ? "app/etc/env.php" : "wp-config.php";
    for (const std::string& n : names) {
      Step s;
      s.key = "secret:" + file + ":" + n;
      s.category = "secret";
      s.title = "Rotate " + n + " in " + file;
      s.reason = "the file was readable by the web server the attacker controlled";
      s.evidence.push_back("evidence item " + std::to_string(i.id) + " sha256 " + i.sha256);
      plan.secrets.push_back(n);
      add(std::move(s));
    }
  }
  for (const char* n : {"admin_password", "payment_gateway_keys", "api_keys"}) {
    Step s;
    s.key = std::string("secret:") + n;
    s.category = "secret";
    s.title = std::string("Rotate ") + n +
              (std::string(n) == "admin_password" ? " (every admin account's password)"
               : std::string(n) == "api_keys"     ? " (integrations, shipping, mail, search)"
                                                  : " (payment provider API and webhook secrets)");
    s.reason = "stored in the database or configuration the attacker could read";
    plan.secrets.push_back(n);
    add(std::move(s));
  }
  // 6. The fix and hardening.
  std::set<std::string> cves;
  for (const Finding& f : findings)
    if (f.kind == "webroot.advisory" || f.kind == "analysis.entry_vector") {
      Detail d(f.detail_json);
      std::string cve = d.Text("cve");
      if (!cve.empty()) cves.insert(cve);
    }
  {
    Step s;
    s.key = "fix:upgrade";
    s.category = "fix";
    std::string list;
    for (const auto& cv : cves) list += (list.empty() ? "" : ", ") + cv;
    s.title = plan.fixed_version.empty()
                  ? "Apply the vendor's security patches for " + plan.platform
                  : "Upgrade " + plan.platform + " " + plan.version + " to " + plan.fixed_version +
                        " or later";
    s.reason = list.empty() ? "close the entry vector" : "closes " + list;
    for (const Finding& f : findings)
      if (f.kind == "webroot.advisory" || f.kind == "analysis.entry_vector")
        s.evidence.push_back(FindingRef(f));
    add(std::move(s));
  }
  for (auto [key, title, why] :
       {std::tuple{"hardening:admin_url", "Move the admin URL off the default path",
                   "attackers probe the default admin path"},
        std::tuple{"hardening:2fa", "Require a second factor for every admin login",
                   "a stolen or created admin password is enough to log in"},
        std::tuple{"hardening:config_permissions",
                   "Make configuration files readable by the application user only (0400/0440)",
                   "secrets were in reach of code running in the web root"},
        std::tuple{"hardening:integrity", "Turn on file integrity monitoring of the web root",
                   "planted files went unnoticed"}}) {
    Step s;
    s.key = key;
    s.category = "hardening";
    s.title = title;
    s.reason = why;
    add(std::move(s));
  }
  return plan;
}

Status WritePlan(Case& c, Db& db, Plan& plan) {
  namespace fs = std::filesystem;
  std::string dir = c.ReportsDir() + "/contain";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::FromErrno(dir, ec.value());
  auto write = [&](const std::string& name, const std::string& text, bool exec = false) -> Status {
    std::string path = dir + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Status::Io(path + ": write failed");
    if (exec)
      fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add,
                      ec);
    plan.files_written.push_back("reports/contain/" + name);
    return Status::Ok();
  };
  std::string nginx = "# tourniquet: attacker addresses (include in http{} or server{})\n";
  std::string apache =
      "# tourniquet: attacker addresses (Apache 2.4)\n<RequireAll>\n  Require all granted\n";
  std::string v4, v6;
  std::string csv = "address,action,note\n";
  for (const std::string& a : plan.blocked) {
    nginx += "deny " + a + ";\n";
    apache += "  Require not ip " + a + "\n";
    (a.find(':') != std::string::npos ? v6 : v4) +=
        (a.find(':') != std::string::npos ? v6 : v4).empty() ? a : ", " + a;
    csv += EscapeCsvField(a) + ",block,tourniquet containment\n";
  }
  apache += "</RequireAll>\n";
  std::string nft =
      "table inet tourniquet {\n  set attackers4 {\n    type ipv4_addr; flags interval;\n";
  if (!v4.empty()) nft += "    elements = { " + v4 + " }\n";
  nft += "  }\n  set attackers6 {\n    type ipv6_addr; flags interval;\n";
  if (!v6.empty()) nft += "    elements = { " + v6 + " }\n";
  nft +=
      "  }\n  chain input {\n    type filter hook input priority 0; policy accept;\n"
      "    ip saddr @attackers4 drop\n    ip6 saddr @attackers6 drop\n  }\n}\n";
  TQ_RETURN_IF_ERROR(write("blocklist-nginx.conf", nginx));
  TQ_RETURN_IF_ERROR(write("blocklist-apache.conf", apache));
  TQ_RETURN_IF_ERROR(write("blocklist.nft", nft));
  TQ_RETURN_IF_ERROR(write("blocklist.csv", csv));

  // contain.sh: POSIX sh, valid UTF-8 without control bytes. Evidence bytes (file names)
  // travel as printf %b arguments (PrintfBytes) and are shown escaped; a file it should
  // quarantine that is still live at the end makes it exit 1.
  std::string sh =
      "#!/bin/sh\n# tourniquet containment script. Review every line first.\n"
      "# Dry run (default): prints what it would do. Run with --apply to do it.\n"
      "# Secrets are named, never printed: rotate them by hand.\nset -eu\nAPPLY=0\n"
      "[ \"${1:-}\" = --apply ] && "
      "APPLY=1\nQUARANTINE=\"${QUARANTINE:-/root/tourniquet-quarantine}\"\n"
      "# The web roots collected (files are quarantined under their own root).\n";
  for (const Root& r : plan.roots) {
    if (r.directory) {
      sh += r.var + "=\"${" + r.var + ":-$(printf '%b/' " + ShellQuote(PrintfBytes(r.source)) +
            ")}\"; " + r.var + "=\"${" + r.var + "%/}\"  # " + EscapeTerminal(r.source) + "\n";
    } else {
      sh += "# " + EscapeTerminal(r.source) + " is an archive: set " + r.var +
            " to the live directory its members are relative to.\n" + r.var + "=\"${" + r.var +
            ":-}\"\n";
    }
  }
  sh +=
      "LIVE=0  # files this script should quarantine that are still in place\n"
      "run() { if [ $APPLY = 1 ]; then \"$@\"; else printf 'would run:'; printf ' %s' \"$@\"; "
      "printf '\\n'; fi; }\n"
      "run_sql() { if [ $APPLY = 1 ]; then mysql -e \"$1\"; else printf 'would run SQL: %s\\n' "
      "\"$1\"; fi; }\n"
      "left_live() { printf 'LEFT LIVE (%s): %s\\n' \"$1\" \"$2\" >&2; LIVE=$((LIVE + 1)); }\n"
      "# quarantine ROOT PATH SHA256 SHOWN: move ROOT/PATH aside (never delete) when its content\n"
      "# is the one collected. PATH is printf %b bytes; SHOWN is the name escaped for display.\n"
      "# Each file gets its own destination, QUARANTINE/<its live path>, never overwritten.\n"
      "quarantine() {\n"
      "  [ -n \"$1\" ] || { left_live 'its root is not set at the top of this script' \"$4\"; "
      "return 0; }\n"
      "  f=$(printf '%b/' \"$2\"); f=\"$1/${f%/}\"\n"
      "  [ -e \"$f\" ] || [ -L \"$f\" ] || { printf 'absent: %s\\n' \"$4\"; return 0; }\n"
      "  if [ -n \"$3\" ] && [ \"$(sha256sum < \"$f\" | cut -d' ' -f1)\" != \"$3\" ]; then\n"
      "    left_live 'changed since collection: check it by hand' \"$4\"; return 0; fi\n"
      "  dest=\"$QUARANTINE/${f#/}\"; n=0\n"
      "  while [ -e \"$dest\" ] || [ -L \"$dest\" ]; do n=$((n + 1)); "
      "dest=\"$QUARANTINE/${f#/}.$n\"; done\n"
      "  if [ $APPLY = 1 ]; then\n"
      "    { mkdir -p \"${dest%/*}\" && mv -n \"$f\" \"$dest\"; } || true\n"
      "    if [ -e \"$f\" ] || [ -L \"$f\" ]; then left_live 'the move failed' \"$4\"; fi\n"
      "  else printf 'would move to the quarantine: %s\\n' \"$4\"; fi\n"
      "  return 0\n}\n";
  auto md_line = [](std::string_view s) { return EscapeTerminal(s); };
  std::string md = "# Containment plan\n\nPlatform: " + md_line(plan.platform) + " " +
                   md_line(plan.version) +
                   "\n\nTourniquet never touches the live store: review `contain.sh` and run it "
                   "(dry run by default, `--apply` to act).\n\n";
  int n = 0;
  for (const Step& s : plan.steps) {
    ++n;
    md += std::to_string(n) + ". **" + s.category + "**: " + md_line(s.title) +
          "\n   - why: " + md_line(s.reason) + "\n";
    for (const auto& e : s.evidence) md += "   - evidence: " + md_line(e) + "\n";
    if (!s.warning.empty()) md += "   - WARNING: " + md_line(s.warning) + "\n";
    sh += "\n# " + std::to_string(n) + ". " + EscapeTerminal(s.title) + "\n";
    for (const auto& cmd : s.commands) sh += cmd + "\n";
  }
  sh +=
      "\nif [ $LIVE -gt 0 ]; then\n"
      "  printf '%s file(s) to quarantine are still live (LEFT LIVE above)\\n' $LIVE >&2\n"
      "  exit 1\nfi\n";
  if (!plan.warnings.empty()) {
    md += "\n## Warnings\n\n";
    for (const auto& w : plan.warnings) md += "- " + md_line(w) + "\n";
  }
  TQ_RETURN_IF_ERROR(write("contain.sh", sh, true));
  TQ_RETURN_IF_ERROR(write("plan.md", md));

  // Tasks.
  for (const Step& s : plan.steps) {
    Task t;
    t.title = s.title;
    t.phase = 1;
    t.source = "contain";
    t.dedupe_key = "contain:" + s.key;
    t.finding_id = s.finding_id;
    t.detail = s.reason;
    for (const auto& e : s.evidence) t.detail += "\n" + e;
    if (!s.warning.empty()) t.detail += "\nWARNING: " + s.warning;
    TQ_RETURN_IF_ERROR(UpsertTask(db, t).status());
  }
  return Status::Ok();
}

}  // namespace tq::contain
