// Implementation types shared by the drill's .cc files: the seeded PRNG, the store model
// (customers, orders, admins), the request records that become log lines, and the ground
// truth the scenario accumulates. Not a public header: include only from src/drill/*.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "drill/drill.h"

namespace tq::drill {

// ---- PRNG: xoshiro256** seeded through splitmix64. Never std::random_device. ----
uint64_t SplitMix64(uint64_t& state);

class Rng {
 public:
  // `stream` separates independent sequences from one seed (per day, per table, ...).
  explicit Rng(uint64_t seed, uint64_t stream = 0);
  uint64_t Next();
  uint64_t Below(uint64_t n);             // uniform in [0, n), n > 0
  int64_t Range(int64_t lo, int64_t hi);  // uniform in [lo, hi]
  double Unit();                          // [0, 1)
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Below(N)];
  }
  std::string Hex(size_t chars);
  std::string Alnum(size_t chars);

 private:
  uint64_t s_[4];
};

// ---- Small text helpers ----
std::string IpToString(uint32_t ip);
// "2024-07-14 09:12:44" in UTC (database timestamps, dump is TIME_ZONE='+00:00').
std::string SqlDateTime(UnixMicros t);
// The same wall clock in a zone.
std::string LocalDateTime(UnixMicros t, const TimeZone& tz);
// Civil fields of a UTC-shifted time.
struct Civil {
  int year, month, day, hour, minute, second;
};
Civil ToCivil(int64_t seconds_since_epoch);
std::string Slug(std::string_view text);       // "Blue Cotton Tee" -> "blue-cotton-tee"
std::string AsciiFold(std::string_view utf8);  // "Müller" -> "muller" for e-mail local parts

// ---- Names and places (names.cc) ----
struct Country {
  const char* code;  // ISO 3166-1 alpha-2
  const char* name;
  const char* phone_prefix;
  int weight;                        // share of customers
  std::vector<const char*> regions;  // region codes ("CA"), or empty
  std::vector<const char*> cities;
};
const std::vector<Country>& Countries();
struct UsState {
  const char* code;
  const char* name;
  const char* city;
  const char* zip_prefix;
};
const std::vector<UsState>& UsStates();
const std::vector<const char*>& FirstNames(std::string_view country);
const std::vector<const char*>& LastNames(std::string_view country);
const std::vector<const char*>& StreetNames();
const std::vector<const char*>& EmailDomains();

// ---- Store model (store.cc) ----
struct Address {
  std::string street, city, postcode, region_code, region, country;
};
struct Customer {
  uint32_t id = 0;
  std::string first, last, email, phone, password_hash, dob;  // dob "1984-03-02" or ""
  int gender = 0;
  Address addr;
  UnixMicros created = 0;
  uint32_t ip = 0;   // the address the customer usually shops from
  bool nat = false;  // ip is a carrier-NAT address shared with others
  std::string ua;
};
enum class PayKind { kCard, kPaypal, kBankTransfer, kCheckMo };
struct OrderItem {
  int product = 0;
  int qty = 1;
};
struct Order {
  uint32_t id = 0;
  std::string increment_id;
  int customer = -1;                      // index into Store::customers, or -1 for a guest
  std::string first, last, email, phone;  // billing person (copied for guests)
  Address addr;
  UnixMicros time = 0;
  PayKind pay = PayKind::kCard;
  std::string card_type, last4;
  int exp_month = 0, exp_year = 0;
  std::vector<OrderItem> items;
  double subtotal = 0, shipping = 0, tax = 0, grand = 0;
  std::string status;
  uint32_t ip = 0;
  std::string ua;
  bool in_logs = false;  // placed inside the logged days: has a checkout in the access log
};
struct Product {
  uint32_t id;
  std::string sku, name, url_key, category;
  double price;
};
struct AdminUser {
  uint32_t id;
  std::string username, first, last, email, password_hash;
  UnixMicros created;
  bool legit = true;
};

struct StoreSpec {
  Platform platform;
  std::string version;     // "2.4.6-p5" or WooCommerce "8.9.1"
  std::string wp_version;  // WordPress core, for WooCommerce
  std::string host;        // www.example-store.test
  std::string timezone;    // IANA
  std::string db_name, db_user, db_password, db_prefix;
  UnixMicros installed = 0;  // store launch
  UnixMicros log_start = 0;  // first logged instant (a local midnight)
  UnixMicros log_end = 0;    // discovery: the logs end here
  int days = 0;
  int customers = 0;
  uint64_t requests = 0;
};

struct Store {
  StoreSpec spec;
  const TimeZone* tz = nullptr;
  std::vector<Customer> customers;
  std::vector<Order> orders;
  std::vector<Product> products;
  std::vector<std::string> categories;
  std::vector<AdminUser> admins;
  uint32_t office_ip = 0;
  std::string crypt_key;  // Magento env.php key / WordPress AUTH_KEY
  std::vector<uint32_t> nat_pool;
};

void BuildStore(uint64_t seed, Store* store);
std::string_view PayMethodCode(const Store& s, PayKind k);

// ---- Requests (scheduled, i.e. not background noise) and platform log lines ----
struct Request {
  UnixMicros t = 0;
  uint32_t ip = 0;
  uint32_t xff = 0;  // client address when behind a proxy/CDN, 0 = none
  std::string method, uri, proto = "HTTP/1.1";
  int status = 200;
  uint64_t bytes = 0;
  std::string referer, ua;
  uint32_t request_time_ms = 50;
  std::string body;   // only ever in the WAF audit log
  int evidence = -1;  // index into Evidence slots, or -1
};

struct PlatformLogLine {
  UnixMicros t;
  int file;          // 0 = system.log / debug.log, 1 = exception.log
  std::string text;  // whole line(s) without the final newline
  int evidence = -1;
};

struct EvidenceRef {
  std::string file;  // relative to OUT
  uint64_t line = 0;
};

// ---- Ground truth assembled by the scenario ----
struct TruthStep {
  UnixMicros t;
  std::string action, description;
  uint32_t ip;
  int evidence;
};
struct TruthFile {
  std::string path, change, kind;
  std::string content;  // for added files, the whole file; for modified, the appended text
  UnixMicros real_time = 0;
  UnixMicros mtime = 0;  // as set on disk (may be timestomped)
  std::string sha256;    // of the final file, filled by the web root writer
};
struct DbInjection {
  std::string table, pk_name;
  uint64_t pk = 0;
  std::string column, kind;
  UnixMicros t = 0;
};
struct RogueAccount {
  std::string table, pk_name;
  uint64_t pk;
  std::string username;
  UnixMicros t;
};
struct TokenRow {
  std::string table, pk_name;
  uint64_t pk;
  std::string kind;
};
struct Exfil {
  uint32_t ip;
  std::string path;
  uint64_t bytes;
  int evidence;
};
// A file of the drilled host tree (OUT/host): planted persistence or a look-alike.
struct HostItem {
  std::string kind;  // cron | php_prepend | ssh_key ("" for a look-alike)
  std::string path;  // relative to OUT
  int line = 0;
  UnixMicros t = 0;
  std::string what;
};
struct Affected {
  int customer = -1;  // index into customers, -1 = guest
  std::string email, name, country, region;
  std::vector<std::string> categories;
  std::string reason;
};

struct Truth {
  std::string technique, cve;
  UnixMicros entry_time = 0;
  uint32_t entry_ip = 0;
  std::string entry_request;
  int entry_evidence = -1;
  std::vector<std::pair<uint32_t, std::string>> attackers;  // ip, role
  std::vector<std::pair<uint32_t, std::string>> benign;
  std::vector<TruthStep> steps;
  std::vector<TruthStep> benign_events;  // look-alikes with exact times (not attack steps)
  struct Hostile {
    int evidence;
    std::string kind;
  };
  std::vector<Hostile> hostile;  // lines carrying hostile bytes, for parsers' tests
  std::vector<TruthFile> files;
  std::vector<std::pair<std::string, std::string>> lookalikes;  // path, why
  std::vector<HostItem> host_persistence, benign_host;
  std::vector<DbInjection> db_injections;
  std::vector<RogueAccount> rogue_accounts;
  std::vector<TokenRow> tokens;
  std::vector<std::pair<std::string, std::string>> secrets;  // name, file
  std::vector<Exfil> exfil;
  UnixMicros skimmer_start = 0, skimmer_end = 0;
  std::vector<std::string> data_categories;
  std::vector<Affected> affected;
  std::map<std::string, uint64_t> row_counts;
  std::string vuln_ecosystem, vuln_package, vuln_version, vuln_fixed, weakness;
};

// Everything the scenario adds to the store; the writers consume it.
struct Breach {
  std::vector<Request> requests;  // attacker, admins, checkouts, look-alikes: sorted later
  std::vector<PlatformLogLine> platform_lines;
  std::vector<EvidenceRef> evidence;          // slots, resolved by the log writers
  std::vector<std::string> evidence_request;  // the request line a slot holds, if a request
  // Database additions keyed by table (rows already as SQL literal tuples "(..)" are not
  // used; the dump writers read these fields).
  std::string cms_skimmer_html;     // cms_block / wp_posts content with the skimmer
  std::string config_skimmer_html;  // core_config_data design/head/includes
  uint32_t skimmer_block_id = 0, skimmer_config_id = 0;
  std::vector<AdminUser> rogue_admins;  // appended to admin_user / wp_users
  struct Token {
    uint32_t id;
    uint32_t admin_id;
    std::string token;
    UnixMicros t;
  };
  std::vector<Token> tokens;
  // Orders the attacker placed (TrojanOrder's payload travels in the address).
  std::vector<Order> extra_orders;
  // The database copy the attacker left in the web root and downloaded.
  UnixMicros leak_time = 0;
  std::string leak_path;  // relative to the web root
  std::vector<std::string> leak_tables;
  std::string leak_gz;    // its bytes, filled by WriteDump
  int leak_request = -1;  // index in requests of the download (bytes filled in later)
  Truth truth;
  int NewEvidence() {
    evidence.push_back({});
    evidence_request.emplace_back();
    return static_cast<int>(evidence.size()) - 1;
  }
};

// Scenario timelines (scenarios.cc, scenario_*.cc).
Status BuildBreach(const DrillOptions& o, uint64_t seed, Store* store, Breach* breach);
// Legitimate activity with exact times: checkouts, admin sessions, exports (benign.cc).
void AddBenignSchedule(uint64_t seed, const Store& store, Breach* breach);

// ---- Writers ----
struct LogStats {
  uint64_t lines = 0, bytes = 0, files = 0;
};
Status WriteAccessLogs(const std::string& out_dir, uint64_t seed, const Store& store,
                       LogFormat format, int threads, Breach* breach, LogStats* stats);
std::string LogFormatString(LogFormat f);
Status WritePlatformLogs(const std::string& out_dir, const Store& store, Breach* breach);
Status WriteWafLog(const std::string& out_dir, const Store& store, const Breach& breach);
// OUT/host and OUT/known_keys.pub (host.cc); adds host_persistence / benign_host to the truth.
Status WriteHost(const std::string& out_dir, uint64_t seed, const Store& store, Breach* breach);
Status WriteWebroot(const std::string& out_dir, uint64_t seed, const Store& store, Breach* breach,
                    uint64_t* files);
Status WriteDump(const std::string& out_dir, uint64_t seed, const Store& store, Breach* breach,
                 uint64_t* bytes);
Status WriteTruth(const std::string& out_dir, const DrillOptions& o, const Store& store,
                  const Breach& breach);

// logrotate's name for the file rotated k times: access.log, access.log.1, access.log.2.gz.
std::string RotatedName(std::string_view base, int k);

// ---- File helpers (util.cc) ----
Status MakeDirs(const std::string& path);
// Writes a file with a fixed mtime; creates its parent directories unless make_dirs is false.
Status WriteFileAt(const std::string& path, std::string_view content, UnixMicros mtime,
                   bool make_dirs = true);
Status SetMtime(const std::string& path, UnixMicros mtime);
// gzip (zlib, level 6, no name, mtime 0: what `gzip` leaves when fed by logrotate).
Status GzipFile(const std::string& src, const std::string& dst);
std::string GzipBytes(std::string_view in);

}  // namespace tq::drill
