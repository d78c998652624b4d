// storedb: the store database as evidence. Reads a dump (see dump.h) or a live MariaDB/MySQL
// server (read-only, consistent snapshot, written out as a mysqldump-compatible file that is
// then collected as evidence), finds what an attacker planted (injected scripts, rogue
// admins, API tokens, payment and cron configuration changes), maps personal data, and
// extracts customers and orders for scope.
//
// Case tables written (component "storedb"; rows of one evidence item are replaced on each
// run, so re-running refreshes and never duplicates):
//   storedb_dump(evidence_id PK, sha256, platform, table_prefix, compression, bytes, statements,
//                tables, rows, rows_skipped, problems, read_at)
//   storedb_table(evidence_id, table_name, canonical, platform, row_count, columns JSON,
//                 primary_key JSON, line, byte_offset)       -- every table in the dump, so
//                 scope can say "every row of table X"
//   storedb_pii_column(evidence_id, table_name, column_name, category, source, row_count,
//                 matched)  -- source 'schema' (data/pii/known_columns.tsv) or 'content'
//   storedb_problem(evidence_id, seq, table_name, line, byte_offset, message, row_lost)
//   storedb_customer(id, evidence_id, source_table, customer_id NULL for guests, email, name,
//                 country, region, created_at UTC micros or NULL, line, byte_offset)
//   storedb_order(id, evidence_id, source_table, order_id, increment_id, customer_id NULL for
//                 guests, email, name, country, region, created_at UTC micros, payment_method,
//                 card_payment 0/1 (cc_last4/cc_type present or a card gateway), cc_last4,
//                 cc_type, billing_address, status, grand_total, line, byte_offset)
// Both also have `categories`: a JSON array of the personal-data categories the person's rows
// hold (name, email, phone, postal_address, date_of_birth, tax_id, ip_address, password_hash),
// from the row itself, its addresses and metadata; '[]' for guest customer rows (their orders
// carry it).
// Countries are ISO 3166-1 alpha-2 as the store keeps them; regions as the store keeps them
// (Magento region name, WooCommerce state code).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "core/time.h"
#include "storedb/dump.h"

namespace tq::storedb {

// Half of the machine's physical memory, at least 1 GiB (AnalyzeOptions::max_people_bytes).
uint64_t DefaultPeopleBytes();

struct AnalyzeOptions {
  std::string platform;                  // case platform; empty = detect from table names
  std::vector<std::string> store_hosts;  // the store's own hosts (scripts from them are local)
  std::optional<BreachWindow> window;    // from logs/web root findings or --db-window
  std::optional<UnixMicros> discovered_at;
  std::vector<AnsweredAttack> answered_attacks;  // sorted by time
  std::string pii_map_tsv;                       // known-columns map text; empty = the built-in one
  // Cron job codes the installed modules declare (DeclaredCronJobs); empty = not known (no web
  // root collected), and cron_schedule is not checked.
  std::set<std::string> declared_cron_jobs;
  // WordPress plugin folders (and single-file plugins) in the web root (InstalledWpPlugins);
  // empty = not known, and active_plugins is checked for path tricks only.
  std::set<std::string> installed_plugins;
  // Memory for the customer, address, order and payment rows held until the dump is read (a
  // million customers with two million orders take about 750 MB); past it the later rows are
  // left out of storedb_customer / storedb_order and a problem says so (lost rows, exit 3).
  // By default half of the machine's memory, at least 1 GiB: the cap stops a store too large
  // for this machine, not a store that fits.
  uint64_t max_people_bytes = DefaultPeopleBytes();
  DumpOptions dump;
  // Called once this dump's findings are committed (AnalyzeDumpEvidence), while its customer,
  // order and other storedb rows are written: as soon as the rows held since the read are
  // freed, else when the tables are written. What needs only the findings may start then.
  std::function<void()> findings_committed;
};

struct AnalyzeSummary {
  DumpStats stats;
  std::string platform, table_prefix;
  int64_t findings = 0, injected_scripts = 0, rogue_admins = 0, tokens = 0, config_changes = 0,
          customers = 0, orders = 0, pii_columns = 0, tables = 0;
  std::vector<DumpProblem> first_problems;  // up to 20, for the terminal
};

// The <job name="..."> codes of a Magento crontab.xml, and those of every etc/crontab.xml in the
// case's web-root evidence.
std::vector<std::string> CronJobNames(std::string_view crontab_xml);
Result<std::set<std::string>> DeclaredCronJobs(Case& c);
// The strings of a PHP-serialized value (s:<len>:"..."), in order; and the plugin folders and
// single-file plugins under wp-content/plugins/ in the case's web-root evidence.
std::vector<std::string> SerializedStrings(std::string_view php_serialized);
Result<std::set<std::string>> InstalledWpPlugins(Case& c);

// Declares the storedb_* tables in the case.
Status EnsureStoreDbSchema(Case& c);

// Reads one "db" evidence item (its object in the case), replaces its storedb_* rows and
// upserts its findings, all in one transaction.
Result<AnalyzeSummary> AnalyzeDumpEvidence(Case& c, const EvidenceItem& item,
                                           const AnalyzeOptions& options);

// ---- pieces exposed for tests ----

struct ScriptScore {
  int score = 0;
  bool has_markup = false;  // <script, <iframe, javascript:, on...= handlers, eval in config
  std::vector<std::string> reasons;
  std::vector<std::string> foreign_hosts;
  // Obfuscation is all it has (an address rebuilt with fromCharCode, a base64 blob): one weak
  // trait, reported at medium; high takes behaviour or a second trait.
  bool obfuscation_only = false;
};
// Scores stored content for a planted skimmer: foreign hosts, obfuscation, card-field
// harvesting and exfiltration patterns; a well-known analytics snippet scores 0.
ScriptScore ScoreStoredScript(std::string_view content, const std::vector<std::string>& own_hosts);
// A stored value (lower-cased) worth judging as markup: script, frame, form, SVG, object or
// embed tags, an event-handler attribute in a tag (spaces allowed before its '='), a
// javascript: URL, or eval/atob/fromCharCode. One list for the analyzer's candidate filter
// and ScoreStoredScript.
bool HasStoredMarkup(std::string_view lower);
constexpr int kInjectedScriptThreshold = 2;

// "wp2_users" -> {"woocommerce", "users", "wp2_"}; unknown tables -> empty platform.
struct CanonicalTable {
  std::string platform, name, prefix;
};
CanonicalTable CanonicalTableName(std::string_view table, std::string_view platform_hint = "");

bool LuhnValid(std::string_view digits);

// ---- live server ----

struct MysqlTarget {
  std::string host = "127.0.0.1", user, database, socket;
  unsigned port = 3306;
};
// "host=...;port=...;user=...;database=...[;socket=...]": the password is never part of it.
Result<MysqlTarget> ParseMysqlDsn(std::string_view dsn);

struct MysqlCollectStats {
  int64_t tables = 0, rows = 0, bytes = 0;
  std::string server_version;
};
// Connects, sets the session read-only, opens a consistent-snapshot transaction and writes
// every base table's schema and rows as a mysqldump-compatible SQL file at out_path.
Result<MysqlCollectStats> DumpLiveDatabase(const MysqlTarget& target, const std::string& password,
                                           const std::string& out_path);

// Stores a file as a "db" evidence item through the evidence component (signed manifest line,
// custody record). Returns the existing item when the same content was kept before.
Result<EvidenceItem> StoreFileAsEvidence(Case& c, const std::string& path,
                                         std::string_view original_path, std::string_view source,
                                         std::string_view actor);

}  // namespace tq::storedb
