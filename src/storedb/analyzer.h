// Implementation header of storedb: the dump analyzer, a DumpSink that routes each row to the
// scans (scripts, admins, tokens, configuration), the PII sampler and the customer/order
// join (held rows, and staging tables for WordPress's), then turns what it gathered into findings
// and case rows (Finish).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "casefile/casefile.h"
#include "core/phase_clock.h"
#include "storedb/classify.h"
#include "storedb/people_join.h"
#include "storedb/storedb.h"

namespace tq::storedb {

struct RowRef {       // where a row sits, and its primary key
  std::string table;  // as in the dump
  std::string canonical;
  std::vector<std::pair<std::string, std::string>> pk;  // column -> value
  uint64_t line = 0, offset = 0;
};

struct ScriptCandidate {
  RowRef row;
  std::string column, label;  // label: config path, block identifier, option name
  std::string content;        // capped copy
  std::optional<UnixMicros> time;
};

struct AdminAccount {
  RowRef row;
  std::string username, email, firstname, lastname, role;
  std::optional<UnixMicros> created, last_login;
  bool active = true;
};

struct TokenCandidate {
  RowRef row;
  std::string kind;  // admin_token | customer_token | integration_token | oauth_consumer |
                     // integration | api_key
  std::string owner, hint;
  std::string owner_account;  // the admin/user id that owns it ("" when none)
  std::optional<UnixMicros> created;
  bool write_access = true;
};

struct ConfigCandidate {
  RowRef row;
  std::string path, value;
  std::optional<UnixMicros> time;
};

struct ColumnSample {
  uint64_t non_empty = 0, email = 0, card = 0, phone = 0, ip = 0;
};

struct TableState {
  DumpTable def;
  CanonicalTable canon;
  uint64_t rows = 0;
  std::vector<ColumnSample> samples;  // by position in the first rows' column list
  std::vector<std::string> sample_columns;
};

constexpr uint64_t kSampleRows = 2000;  // rows per table classified by content (Sample)

// The columns Route and StageMagento read of the rows of a Magento table past those sampled,
// where they read only some (customers_join.cc): each row holding "{{" is read whole (the
// template directives of checkout fields); null for the other tables.
const DumpSink::RowProjection* MagentoColumnsRead(std::string_view canonical);

class Analyzer : public DumpSink {
 public:
  Analyzer(Case& c, const EvidenceItem& item, const AnalyzeOptions& options,
           const std::vector<PiiMapEntry>& pii_map);
  Status Begin();  // staging tables and statements; call inside the transaction
  Status OnTable(const DumpTable& table) override;
  Status OnRow(const DumpRow& row) override;
  void OnProblem(const DumpProblem& problem) override;
  // The sampled rows of a table that Route reads nothing from (kSampleRows); every row of the
  // others.
  uint64_t RowsReadInFull(const DumpTable& table) const override;
  void OnRowsCounted(const DumpTable& table, uint64_t rows) override;
  // The customer, address, order and payment tables' columns StageMagento reads
  // (MagentoColumnsRead), past the sampled rows.
  const RowProjection* Projection(const DumpTable& table) const override;
  // After the read, in two parts that may be two transactions: FinishFindings records the
  // findings (and the counts read); FinishTables replaces this item's rows of the storedb
  // tables (customers, orders, tables, personal-data columns, problems) with what was read.
  // Finish is both, in order.
  Status FinishFindings(const DumpStats& stats, AnalyzeSummary* summary,
                        PhaseClock* clock = nullptr);
  Status FinishTables(AnalyzeSummary* summary, PhaseClock* clock = nullptr);
  Status Finish(const DumpStats& stats, AnalyzeSummary* summary, PhaseClock* clock = nullptr);
  // Called once, during FinishTables, when the customer and order rows held since the read
  // are written and freed (the rest of the stage is SQLite's index sorts and copies).
  std::function<void()> held_rows_released;

 private:
  Status Route(TableState& t, const DumpRow& row);
  RowRef Ref(const TableState& t, const DumpRow& row) const;
  void Sample(TableState& t, const DumpRow& row);
  void SiteHost(const std::string& host, const TableState& t, const DumpRow& row);
  // findings.cc
  Status ScanFindings(AnalyzeSummary* s);
  Status Upsert(Finding f, AnalyzeSummary* s);
  // The table of a row and the positions of the columns read from it, looked up once per
  // INSERT statement (the row's schema_generation) rather than per row and column.
  TableState& TableOf(const DumpRow& row);
  const DumpValue* Col(const DumpRow& row, const char* column);
  std::string_view Val(const DumpRow& row, const char* column);  // "" when NULL or absent
  // customers_join.cc
  Status StageMagento(const TableState& t, const DumpRow& row);
  Status StageWordPress(const TableState& t, const DumpRow& row);
  // Whether the customer and order rows still fit their memory (else one problem, once).
  bool Holding(const TableState& t, const DumpRow& row);
  Status BuildCustomers(AnalyzeSummary* s, PhaseClock* clock);
  // customers.cc
  Status IndexStaging();
  Status ClearTables();
  void ReleaseHeldRows();  // people_ freed, then held_rows_released  // this item's rows of an
                           // earlier run (FinishTables)
  Status WriteTables(const DumpStats& stats, AnalyzeSummary* s);

  Case& case_;
  Db& db_;
  bool customers_shared_ = false;  // storedb_customer holds rows of other evidence items (Begin)
  bool orders_shared_ = false;     // storedb_order likewise
  const EvidenceItem& item_;
  const AnalyzeOptions& opt_;
  const std::vector<PiiMapEntry>& pii_;
  std::map<std::string, TableState> tables_;
  std::vector<DumpProblem> problems_;
  uint64_t problem_count_ = 0;
  std::vector<ScriptCandidate> scripts_;
  std::vector<ScriptCandidate> directives_;  // template directives in customer-supplied fields
  std::vector<AdminAccount> admins_;
  std::vector<TokenCandidate> tokens_;
  std::vector<ConfigCandidate> configs_;
  std::set<std::string> own_hosts_;
  struct ForeignSiteUrl {
    RowRef row;
    std::string host, path;  // path: the config path or option name
  };
  std::vector<ForeignSiteUrl> foreign_site_urls_;  // site/base URLs naming another host
  struct AdminSession {
    RowRef row;
    std::string user_id, ip;
    std::optional<UnixMicros> time;
  };
  std::vector<AdminSession> admin_sessions_;  // admin_user_session rows with an address
  std::map<std::string, RowRef> cron_codes_;
  struct ActivePlugin {
    RowRef row;
    std::string plugin;
  };
  std::vector<ActivePlugin> active_plugins_;              // cron_schedule job_code -> its first row
  std::map<std::string, std::string> magento_user_role_;  // admin user_id -> role name
  std::map<std::string, std::string> magento_role_names_;  // role_id -> role name
  uint64_t cached_generation_ = ~0ull;
  TableState* cached_table_ = nullptr;
  std::vector<std::pair<const char*, int>> cached_columns_;  // column name literal -> index
  // The customer, address, order and payment rows, held for the join (customers_join.cc).
  PeopleJoin people_;
  bool people_capped_ = false;
  uint64_t people_left_out_ = 0;  // rows not held past the cap
  // The staging statements of WordPress's users, orders and metadata (customers.cc), prepared
  // once by Begin.
  enum Staging { kMeta, kWpUser, kWpPost, kStagingCount };
  Stmt staging_[kStagingCount];
  uint64_t staged_[kStagingCount] = {};  // rows staged by each
  // A bound value: text is bound without a copy (it lives until the statement has run).
  struct SqlArg {
    enum class Kind : uint8_t { kNull, kText, kInt } kind = Kind::kNull;
    std::string_view text;
    int64_t number = 0;
    SqlArg(std::nullopt_t) {}
    SqlArg(std::string_view t) : kind(Kind::kText), text(t) {}
    SqlArg(const std::string& t) : kind(Kind::kText), text(t) {}
    SqlArg(const char* t) : kind(Kind::kText), text(t) {}
    SqlArg(uint64_t n) : kind(Kind::kInt), number(static_cast<int64_t>(n)) {}
    SqlArg(std::optional<std::string_view> t)
        : kind(t ? Kind::kText : Kind::kNull), text(t ? *t : std::string_view()) {}
    SqlArg(std::optional<UnixMicros> t) : kind(t ? Kind::kInt : Kind::kNull), number(t ? *t : 0) {}
  };
  Status Exec(Staging which, std::initializer_list<SqlArg> binds);
};

// Builds the indexes of storedb_customer and storedb_order that Begin drops for the bulk load
// (those of one table, or of both).
Status CreateCustomerIndexes(Db& db);
Status CreateOrderIndexes(Db& db);
Status CreateSecondaryIndexes(Db& db);
// The scratch database where a helper thread writes the customers (BuildCustomers), beside
// the case's database; attached to the case's connection as "sdb_scratch" to copy them.
std::string CustomerScratchPath(const Case& c);
// Detaches the scratch database and removes its file: after the transaction an Analyzer's
// Finish ran in (AnalyzeDumpEvidence does it; a caller of Analyzer itself must too).
void ReleaseCustomerScratch(Case& c);

// Shared helpers.
std::string ValueText(const DumpRow& row, std::string_view column);
// Whether some value of the row may hold "{{" (false: none does).
bool MayHoldBraces(const DumpRow& row);
std::optional<UnixMicros> DbTime(std::string_view text);  // "YYYY-MM-DD hh:mm:ss" UTC
std::string PkJson(const RowRef& ref);
bool IsCardGateway(std::string_view method);
// A Magento template directive ("{{var ...}}", "{{if ...}}"): what TrojanOrder
// (CVE-2022-24086) payloads put into checkout fields; never in a real name or address.
bool HasTemplateDirective(std::string_view text);

}  // namespace tq::storedb
