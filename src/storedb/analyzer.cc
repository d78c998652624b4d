// The dump analyzer: per-row routing, the PII content sampler, and AnalyzeDumpEvidence.
#include "storedb/analyzer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/json.h"
#include "core/text.h"
#include "storedb/scratch_writer.h"

namespace tq::storedb {

namespace {
constexpr size_t kMaxCandidates = 100000;  // per scan: a table of results, capped
constexpr size_t kCandidateBytes = 64 * 1024;

std::string HostOf(std::string_view url) {
  size_t p = url.find("//");
  if (p == std::string_view::npos) return "";
  url.remove_prefix(p + 2);
  size_t e = url.find_first_of("/:?#");
  return Lower(url.substr(0, e));
}

bool HasMarkup(std::string_view v) {
  // Folded once, then searched for each marker (WordPress runs this on every option, post
  // and post meta value).
  thread_local std::string folded;
  folded.assign(v.substr(0, 1 << 20));
  LowerInPlace(&folded);
  return HasStoredMarkup(folded);
}
}  // namespace

bool MayHoldBraces(const DumpRow& row) {
  // The reader hands a row's values over one after another in one piece of memory: then one
  // search of that piece for "{{" clears the row (a hit, maybe across two values, is checked
  // value by value). Values elsewhere are searched one by one.
  const char* lo = nullptr;
  const char* hi = nullptr;
  for (const DumpValue& v : row.values) {
    if (v.bytes.empty()) continue;
    if (hi && v.bytes.data() < hi) {  // not in order: each value on its own
      for (const DumpValue& w : row.values)
        if (w.bytes.find("{{") != std::string_view::npos) return true;
      return false;
    }
    if (!lo) lo = v.bytes.data();
    hi = v.bytes.data() + v.bytes.size();
  }
  return lo &&
         std::string_view(lo, static_cast<size_t>(hi - lo)).find("{{") != std::string_view::npos;
}

std::string ValueText(const DumpRow& row, std::string_view column) {
  const DumpValue* v = row.Find(column);
  return v && !v->is_null() ? std::string(v->bytes) : std::string();
}

std::optional<UnixMicros> DbTime(std::string_view text) {
  if (text.size() < 10 || text.starts_with("0000")) return std::nullopt;
  Result<UnixMicros> t = ParseLocalDateTime(text, TimeZone::Utc());
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::string PkJson(const RowRef& ref) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [k, v] : ref.pk) {
    bool num = !v.empty() && v.size() < 18 &&
               std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    w.Key(k);
    if (num)
      w.Int(std::stoll(v));
    else
      w.String(v);
  }
  w.EndObject();
  return w.Take();
}

Analyzer::Analyzer(Case& c, const EvidenceItem& item, const AnalyzeOptions& options,
                   const std::vector<PiiMapEntry>& pii_map)
    : case_(c), db_(c.db()), item_(item), opt_(options), pii_(pii_map) {
  for (const std::string& h : opt_.store_hosts) own_hosts_.insert(Lower(h));
}

Status Analyzer::OnTable(const DumpTable& table) {
  TableState& t = tables_[table.name];
  t.def = table;
  t.canon = CanonicalTableName(table.name, opt_.platform);
  return Status::Ok();
}

void Analyzer::OnProblem(const DumpProblem& problem) {
  ++problem_count_;
  if (problems_.size() < 1000) problems_.push_back(problem);
}

RowRef Analyzer::Ref(const TableState& t, const DumpRow& row) const {
  RowRef r;
  r.table = t.def.name;
  r.canonical = t.canon.name;
  r.line = row.line;
  r.offset = row.offset;
  for (int i : t.def.primary_key) {
    const std::string& col = t.def.columns[i].name;
    r.pk.emplace_back(col, ValueText(row, col));
  }
  if (r.pk.empty() && !row.values.empty() && row.columns && !row.columns->empty())
    r.pk.emplace_back((*row.columns)[0], std::string(row.values[0].bytes));
  return r;
}

void Analyzer::Sample(TableState& t, const DumpRow& row) {
  if (t.rows > kSampleRows) return;
  if (t.sample_columns.empty()) {
    t.sample_columns = *row.columns;
    t.samples.resize(t.sample_columns.size());
  }
  for (size_t i = 0; i < row.values.size() && i < t.samples.size(); ++i) {
    const DumpValue& v = row.values[i];
    if (v.is_null() || v.bytes.empty() || v.kind == ValueKind::kBinary) continue;
    ColumnSample& s = t.samples[i];
    ++s.non_empty;
    std::string_view b = v.bytes;
    while (!b.empty() && b.back() == ' ') b.remove_suffix(1);
    if (LooksLikeEmail(b)) ++s.email;
    if (LooksLikeCardNumber(b)) ++s.card;
    if (v.kind == ValueKind::kString && LooksLikePhone(b)) ++s.phone;
    if (LooksLikeIpAddress(b)) ++s.ip;
  }
}

TableState& Analyzer::TableOf(const DumpRow& row) {
  if (row.schema_generation != cached_generation_ || !cached_table_) {
    cached_table_ = &tables_[row.table->name];
    cached_generation_ = row.schema_generation;
    cached_columns_.clear();
  }
  return *cached_table_;
}

const DumpValue* Analyzer::Col(const DumpRow& row, const char* column) {
  // Callers pass string literals: the pointer is the key (the same name spelled at two places
  // is looked up twice, still once per statement).
  for (const auto& [name, index] : cached_columns_)
    if (name == column) return index < 0 ? nullptr : &row.values[index];
  const DumpValue* v = row.Find(column);
  cached_columns_.emplace_back(column, v ? static_cast<int>(v - row.values.data()) : -1);
  return v;
}

std::string_view Analyzer::Val(const DumpRow& row, const char* column) {
  const DumpValue* v = Col(row, column);
  return v && !v->is_null() ? v->bytes : std::string_view();
}

// The canonical tables Route (and StageMagento / StageWordPress) reads rows of, by platform as
// Route branches: a table Route learns to read must be named here too, or with the parser on
// a thread of its own it sees only the sampled rows (analyzer_test checks a dump of every
// routed table both ways).
namespace {
bool RoutesRows(const CanonicalTable& canon) {
  static constexpr std::string_view kMagento[] = {"sales_order_address",
                                                  "quote_address",
                                                  "customer_address_entity",
                                                  "sales_order",
                                                  "quote",
                                                  "customer_entity",
                                                  "core_config_data",
                                                  "cms_block",
                                                  "cms_page",
                                                  "email_template",
                                                  "widget_instance",
                                                  "layout_update",
                                                  "admin_user_session",
                                                  "cron_schedule",
                                                  "admin_user",
                                                  "authorization_role",
                                                  "oauth_token",
                                                  "oauth_consumer",
                                                  "integration",
                                                  "sales_order_payment"};
  static constexpr std::string_view kWordPress[] = {
      "options", "posts",    "postmeta",  "woocommerce_api_keys",
      "users",   "usermeta", "wc_orders", "wc_order_addresses"};
  if (canon.platform.empty()) return false;
  auto has = [&](const auto& names) {
    return std::find(std::begin(names), std::end(names), canon.name) != std::end(names);
  };
  return canon.platform == "magento" ? has(kMagento) : has(kWordPress);
}
}  // namespace

uint64_t Analyzer::RowsReadInFull(const DumpTable& table) const {
  return RoutesRows(CanonicalTableName(table.name, opt_.platform)) ? UINT64_MAX : kSampleRows;
}

const DumpSink::RowProjection* Analyzer::Projection(const DumpTable& table) const {
  CanonicalTable canon = CanonicalTableName(table.name, opt_.platform);
  return canon.platform == "magento" ? MagentoColumnsRead(canon.name) : nullptr;
}

void Analyzer::OnRowsCounted(const DumpTable& table, uint64_t rows) {
  tables_[table.name].rows += rows;
}

Status Analyzer::OnRow(const DumpRow& row) {
  TableState& t = TableOf(row);
  if (t.def.name.empty()) {
    t.def = *row.table;
    t.canon = CanonicalTableName(row.table->name, opt_.platform);
  }
  ++t.rows;
  Sample(t, row);
  if (t.canon.platform.empty()) return Status::Ok();
  return Route(t, row);
}

Status Analyzer::Route(TableState& t, const DumpRow& row) {
  std::string_view c = t.canon.name;  // compared by size first
  auto script = [&](std::string_view column, std::string label, std::optional<UnixMicros> time) {
    const DumpValue* v = row.Find(column);
    if (!v || v->is_null() || scripts_.size() >= kMaxCandidates || !HasMarkup(v->bytes)) return;
    scripts_.push_back({Ref(t, row), std::string(column), std::move(label),
                        std::string(v->bytes.substr(0, kCandidateBytes)), time});
  };
  if (std::string_view(t.canon.platform) == "magento") {
    // Customer-supplied checkout fields: a template directive there is an exploit attempt.
    if (c == "sales_order_address" || c == "quote_address" || c == "customer_address_entity" ||
        c == "sales_order" || c == "quote" || c == "customer_entity") {
      const size_t n = MayHoldBraces(row) ? row.values.size() : 0;
      for (size_t i = 0; i < n && i < row.columns->size(); ++i) {
        const DumpValue& v = row.values[i];
        if (v.is_null() || directives_.size() >= kMaxCandidates) continue;
        if (!HasTemplateDirective(v.bytes)) continue;
        directives_.push_back({Ref(t, row), (*row.columns)[i], "customer-supplied field",
                               std::string(v.bytes.substr(0, kCandidateBytes)),
                               DbTime(ValueText(row, "created_at"))});
      }
    }
    if (c == "core_config_data") {
      std::string path = ValueText(row, "path"), value = ValueText(row, "value");
      auto time = DbTime(ValueText(row, "updated_at"));
      if (path == "web/unsecure/base_url" || path == "web/secure/base_url" ||
          path == "web/unsecure/base_link_url" || path == "web/secure/base_link_url")
        if (std::string h = HostOf(value); !h.empty()) SiteHost(h, t, row);
      script("value", path, time);
      if (configs_.size() < kMaxCandidates)
        configs_.push_back({Ref(t, row), path, value.substr(0, 512), time});
    } else if (c == "cms_block" || c == "cms_page") {
      script("content", ValueText(row, "identifier"), DbTime(ValueText(row, "update_time")));
      if (c == "cms_page") {  // layout XML saved with the page renders into it too
        script("layout_update_xml", ValueText(row, "identifier"),
               DbTime(ValueText(row, "update_time")));
        script("custom_layout_update_xml", ValueText(row, "identifier"),
               DbTime(ValueText(row, "update_time")));
      }
    } else if (c == "email_template") {
      script("template_text", ValueText(row, "template_code"),
             DbTime(ValueText(row, "modified_at")));
    } else if (c == "widget_instance") {
      script("widget_parameters", ValueText(row, "title"), std::nullopt);
    } else if (c == "layout_update") {
      // Layout XML the admin saved per page or product: rendered into every page it targets.
      script("xml", ValueText(row, "handle"), DbTime(ValueText(row, "updated_at")));
    } else if (c == "admin_user_session") {
      std::string ip = ValueText(row, "ip");
      if (!ip.empty() && admin_sessions_.size() < kMaxCandidates) {
        auto time = DbTime(ValueText(row, "updated_at"));
        if (!time) time = DbTime(ValueText(row, "created_at"));
        admin_sessions_.push_back({Ref(t, row), ValueText(row, "user_id"), ip, time});
      }
    } else if (c == "cron_schedule") {
      std::string code = ValueText(row, "job_code");
      if (!code.empty() && cron_codes_.size() < 10000 && !cron_codes_.count(code))
        cron_codes_.emplace(code, Ref(t, row));
    } else if (c == "admin_user") {
      AdminAccount a;
      a.row = Ref(t, row);
      a.username = ValueText(row, "username");
      a.email = ValueText(row, "email");
      a.firstname = ValueText(row, "firstname");
      a.lastname = ValueText(row, "lastname");
      a.created = DbTime(ValueText(row, "created"));
      a.last_login = DbTime(ValueText(row, "logdate"));
      a.active = ValueText(row, "is_active") != "0";
      if (admins_.size() < kMaxCandidates) admins_.push_back(std::move(a));
    } else if (c == "authorization_role") {
      std::string type = ValueText(row, "role_type");
      if (type == "G")
        magento_role_names_[ValueText(row, "role_id")] = ValueText(row, "role_name");
      else if (type == "U")
        magento_user_role_[ValueText(row, "user_id")] = ValueText(row, "parent_id");
    } else if (c == "oauth_token") {
      if (ValueText(row, "revoked") == "1") return Status::Ok();
      TokenCandidate k;
      k.row = Ref(t, row);
      std::string admin = ValueText(row, "admin_id"), customer = ValueText(row, "customer_id");
      std::string user_type = ValueText(row, "user_type");
      if (!admin.empty() || user_type == "2") {
        k.kind = "admin_token";
        k.owner = "admin user " + admin;
        k.owner_account = admin;
      } else if (!customer.empty() || user_type == "3") {
        k.kind = "customer_token";
        k.owner = "customer " + customer;
      } else {
        k.kind = "integration_token";
        k.owner = "consumer " + ValueText(row, "consumer_id");
      }
      k.hint = ValueText(row, "type");
      k.created = DbTime(ValueText(row, "created_at"));
      if (tokens_.size() < kMaxCandidates) tokens_.push_back(std::move(k));
    } else if (c == "oauth_consumer" || c == "integration") {
      TokenCandidate k;
      k.row = Ref(t, row);
      k.kind = c;
      k.owner = ValueText(row, "name");
      k.hint = c == "integration" ? ValueText(row, "email") : ValueText(row, "callback_url");
      k.created = DbTime(ValueText(row, "created_at"));
      if (tokens_.size() < kMaxCandidates) tokens_.push_back(std::move(k));
    }
    return StageMagento(t, row);
  }
  // WordPress / WooCommerce
  if (c == "options") {
    std::string name = ValueText(row, "option_name");
    if (name == "siteurl" || name == "home")
      if (std::string h = HostOf(ValueText(row, "option_value")); !h.empty()) SiteHost(h, t, row);
    if (name == "active_plugins" || name == "active_sitewide_plugins")
      for (std::string& pl : SerializedStrings(ValueText(row, "option_value")))
        if (active_plugins_.size() < 10000) active_plugins_.push_back({Ref(t, row), std::move(pl)});
    // Transients are caches of remote content (feeds, API answers), not configuration.
    if (!name.starts_with("_transient") && !name.starts_with("_site_transient"))
      script("option_value", name, std::nullopt);
  } else if (c == "posts") {
    script("post_content", ValueText(row, "post_type") + ":" + ValueText(row, "post_name"),
           DbTime(ValueText(row, "post_modified_gmt")));
  } else if (c == "postmeta") {
    // Page builders and themes keep rendered HTML and custom code in post meta.
    script("meta_value", ValueText(row, "meta_key"), std::nullopt);
  } else if (c == "woocommerce_api_keys") {
    TokenCandidate k;
    k.row = Ref(t, row);
    k.kind = "api_key";
    k.owner = "user " + ValueText(row, "user_id") + " (" + ValueText(row, "description") + ")";
    k.owner_account = ValueText(row, "user_id");
    k.hint = "…" + ValueText(row, "truncated_key");
    k.write_access = ValueText(row, "permissions") != "read";
    if (tokens_.size() < kMaxCandidates) tokens_.push_back(std::move(k));
  }
  return StageWordPress(t, row);
}

// The store's own host, as its configuration names it. With the case's store URL known, only
// hosts that match it are trusted for scripts: a site URL the attacker pointed elsewhere is
// itself a finding, and must not make the attacker's host "local".
void Analyzer::SiteHost(const std::string& host, const TableState& t, const DumpRow& row) {
  if (opt_.store_hosts.empty() || own_hosts_.count(host)) {
    own_hosts_.insert(host);
    return;
  }
  // www.shop.example and shop.example are one store.
  for (const std::string& own : opt_.store_hosts) {
    std::string o = Lower(own);
    auto bare = [](std::string_view h) { return h.starts_with("www.") ? h.substr(4) : h; };
    if (bare(o) == bare(host)) {
      own_hosts_.insert(host);
      return;
    }
  }
  if (foreign_site_urls_.size() < 100)
    foreign_site_urls_.push_back(
        {Ref(t, row), host,
         t.canon.platform == "magento" ? ValueText(row, "path") : ValueText(row, "option_name")});
}

Status Analyzer::Exec(Staging which, std::initializer_list<SqlArg> binds) {
  Stmt& st = staging_[which];
  ++staged_[which];
  TQ_RETURN_IF_ERROR(st.Reset());
  int i = 1;
  for (const SqlArg& b : binds) {
    switch (b.kind) {
      case SqlArg::Kind::kNull: st.BindNull(i); break;
      // An empty view may have no data pointer, which SQLite would bind as NULL.
      case SqlArg::Kind::kText: st.BindUncopied(i, b.text.empty() ? "" : b.text); break;
      case SqlArg::Kind::kInt: st.Bind(i, b.number); break;
    }
    ++i;
  }
  return st.Run();
}

void ReleaseCustomerScratch(Case& c) {
  if (Result<int64_t> n = c.db().QueryInt("SELECT count(*) FROM pragma_database_list WHERE "
                                          "name='sdb_scratch'");
      n.ok() && *n > 0)
    (void)c.db().Exec("DETACH sdb_scratch");
  ScratchWriter::Remove(CustomerScratchPath(c));
}

Result<AnalyzeSummary> AnalyzeDumpEvidence(Case& c, const EvidenceItem& item,
                                           const AnalyzeOptions& options) {
  TQ_RETURN_IF_ERROR(EnsureStoreDbSchema(c));
  std::vector<PiiMapEntry> custom;
  if (!options.pii_map_tsv.empty()) {
    TQ_ASSIGN_OR_RETURN(custom, ParsePiiMap(options.pii_map_tsv, "--pii-map"));
  }
  const std::vector<PiiMapEntry>& map = options.pii_map_tsv.empty() ? BuiltinPiiMap() : custom;
  AnalyzeSummary summary;
  std::string display = item.original_path.empty() ? item.sha256 : item.original_path;
  PhaseClock clock("TQ_STOREDB_PHASES", "storedb phase");
  // Every row written names this evidence item, which exists (it is what is read): checking
  // the foreign key of each of the 3.4 M customer and order rows of a large store is work for
  // nothing. The pragma takes effect outside a transaction only; it is set back after.
  TQ_RETURN_IF_ERROR(c.db().Exec("PRAGMA foreign_keys=OFF"));
  // Two transactions: the findings (with what they need, the read), then this item's rows of
  // the storedb tables. Between them a later stage that needs only the findings may start
  // (options.findings_committed: the analysis, beside the tables' writes). A run killed after
  // the first leaves the new findings and the tables as they were; the stage is then not
  // recorded as done, so status, scope and report ask for investigate to run again.
  Analyzer a(c, item, options, map);
  Status s = c.Transaction([&](Db&) -> Status {
    TQ_RETURN_IF_ERROR(a.Begin());
    clock.Mark("begin");
    TQ_ASSIGN_OR_RETURN(DumpStats stats,
                        ReadDumpFile(c.ObjectPath(item.sha256), display, a, options.dump));
    clock.Mark("read");
    return a.FinishFindings(stats, &summary, &clock);
  });
  if (s.ok()) {
    clock.Mark("findings-commit");
    // Told once the rows held since the read are freed: what starts then does not add its
    // memory to theirs (the 1 M-customer case holds about 750 MB of them).
    a.held_rows_released = options.findings_committed;
    s = c.Transaction([&](Db&) -> Status { return a.FinishTables(&summary, &clock); });
    if (a.held_rows_released) std::exchange(a.held_rows_released, nullptr)();
  }
  clock.Mark("commit");
  ReleaseCustomerScratch(c);
  Status fk = c.db().Exec("PRAGMA foreign_keys=ON");
  if (!s.ok()) return s;
  if (!fk.ok()) return fk;
  return summary;
}

}  // namespace tq::storedb
