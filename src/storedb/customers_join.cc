// Customers and orders for scope. The rows of the platform's customer, address, order and
// payment tables are held in memory as the dump streams by (PeopleJoin, in any table order;
// WordPress users, posts and their metadata are staged in temporary tables, where the
// findings read them too); once the dump is read each customer and order is joined in memory
// and written once, in its final form, into storedb_customer and storedb_order.
#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "storedb/analyzer.h"
#include "storedb/dump_chunks.h"
#include "storedb/guest_customers.h"
#include "storedb/row_pipeline.h"
#include "storedb/scratch_writer.h"

namespace tq::storedb {

namespace {
std::optional<std::string_view> NullIfEmpty(std::string_view s) {
  return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
}
std::string Join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out;
  out.reserve(a.size() + 1 + b.size());
  out.append(a).append(" ").append(b);
  return out;
}
// The meta value `key` of a staged row, in SQL.
std::string Meta(const char* kind, const char* key, const char* id_expr) {
  return std::string("(SELECT value FROM tmp_sdb_meta m WHERE m.kind='") + kind +
         "' AND m.id=" + id_expr + " AND m.key='" + key + "' LIMIT 1)";
}

// The personal-data categories a person's rows can hold, one bit each, in the order of their
// names (so a set of bits is written as a sorted JSON array by walking the bits).
enum Category : uint32_t {
  kDateOfBirth = 1u << 0,
  kEmail = 1u << 1,
  kIpAddress = 1u << 2,
  kName = 1u << 3,
  kPasswordHash = 1u << 4,
  kPhone = 1u << 5,
  kPostalAddress = 1u << 6,
  kTaxId = 1u << 7,
};
constexpr const char* kCategoryNames[] = {"date_of_birth", "email", "ip_address",     "name",
                                          "password_hash", "phone", "postal_address", "tax_id"};

// The categories a row holds: those whose value is not empty (held as bits, turned into a
// JSON array once addresses and metadata are joined in, in BuildCustomers).
uint64_t Held(std::initializer_list<std::pair<Category, std::string_view>> fields) {
  uint64_t out = 0;
  for (const auto& [category, value] : fields) {
    if (value.empty() || value == "0000-00-00" || value == "0000-00-00 00:00:00") continue;
    out |= category;
  }
  return out;
}

// The held bits plus the flagged extras -> sorted JSON array.
std::string CategoriesJson(uint64_t held, std::initializer_list<std::pair<Category, bool>> extra) {
  for (const auto& [category, present] : extra)
    if (present) held |= category;
  std::string out = "[";
  for (size_t i = 0; i < std::size(kCategoryNames); ++i) {
    if (!(held & (1u << i))) continue;
    if (out.size() > 1) out += ',';
    out.append("\"").append(kCategoryNames[i]).append("\"");
  }
  out += ']';
  return out;
}

// SQLite's trim(s, chars): the characters of `chars` dropped from both ends.
std::string_view SqlTrim(std::string_view s, std::string_view chars) {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(chars) - b + 1);
}

// Text bound as text even when empty: an empty view may have no data pointer, which SQLite
// would bind as NULL.
std::string_view NotNull(std::string_view s) { return s.empty() ? std::string_view("") : s; }

constexpr const char* kInsertCustomer =
    "INSERT INTO storedb_customer(evidence_id,source_table,customer_id,email,name,country,"
    "region,created_at,line,byte_offset,categories) VALUES(?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kInsertGuest =
    "INSERT INTO storedb_customer(evidence_id,source_table,customer_id,email,name,country,"
    "region,created_at,line,byte_offset) VALUES(?,?,NULL,?,?,?,?,?,?,?)";

// A plain decimal number, which CAST(x AS TEXT) of the integer SQLite stores gives back as
// written.
bool IsPlainKey(std::string_view id) {
  return !id.empty() && id.size() <= 18 && (id[0] != '0' || id.size() == 1) &&
         std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

std::optional<int64_t> ToOptional(std::optional<UnixMicros> t) {
  return t ? std::optional<int64_t>(*t) : std::nullopt;
}
}  // namespace

bool Analyzer::Holding(const TableState& t, const DumpRow& row) {
  if (!people_capped_ && people_.bytes() <= opt_.max_people_bytes) return true;
  // Lost rows, as the reader's are: counted, and the stage's exit status says so.
  ++people_left_out_;
  if (people_capped_) return false;
  people_capped_ = true;
  OnProblem(DumpProblem::At(t.def.name, row.line, row.offset,
                            "customers and orders need more than " +
                                std::to_string(opt_.max_people_bytes) +
                                " bytes of memory to join: this row and those after it are not "
                                "in storedb_customer / storedb_order",
                            true));
  return false;
}

const DumpSink::RowProjection* MagentoColumnsRead(std::string_view canonical) {
  // Every column StageMagento reads of these tables, and no more: the parse on threads of their
  // own copies and hands over only these of a row past the sampled ones (a column missing here
  // would read as empty there; analyzer_test reads every one both ways). Route reads nothing
  // else of them but the template directives, for which a row holding "{{" is read whole.
  using P = DumpSink::RowProjection;
  static const std::map<std::string, P, std::less<>> kRead = {
      {"customer_entity", P{kSampleRows,
                            {"entity_id", "default_billing", "email", "firstname", "lastname",
                             "created_at", "password_hash", "dob", "taxvat"},
                            "{{"}},
      {"customer_address_entity", P{kSampleRows,
                                    {"entity_id", "parent_id", "country_id", "region", "street",
                                     "city", "postcode", "telephone"},
                                    "{{"}},
      {"sales_order_address", P{kSampleRows,
                                {"address_type", "parent_id", "firstname", "lastname", "country_id",
                                 "region", "street", "city", "postcode", "email", "telephone"},
                                "{{"}},
      {"sales_order",
       P{kSampleRows,
         {"entity_id", "increment_id", "customer_id", "customer_is_guest", "customer_email",
          "customer_firstname", "customer_lastname", "status", "grand_total", "created_at",
          "remote_ip", "customer_dob", "customer_taxvat"},
         "{{"}},
      {"sales_order_payment", P{kSampleRows, {"parent_id", "method", "cc_last_4", "cc_type"}, ""}},
      {"quote", P{kSampleRows, {}, "{{"}},
      {"quote_address", P{kSampleRows, {}, "{{"}},
  };
  auto it = kRead.find(canonical);
  return it == kRead.end() ? nullptr : &it->second;
}

Status Analyzer::StageMagento(const TableState& t, const DumpRow& row) {
  // The columns read here are those MagentoColumnsRead names.
  std::string_view c = t.canon.name;  // compared by size first
  auto v = [&](const char* col) { return Val(row, col); };
  if (c == "customer_entity") {
    if (!Holding(t, row)) return Status::Ok();
    std::string name = Join(v("firstname"), v("lastname"));
    people_.AddCustomer({t.def.name, v("entity_id"), v("default_billing"), v("email"), name,
                         ToOptional(DbTime(v("created_at"))), row.line, row.offset,
                         Held({{kName, name},
                               {kEmail, v("email")},
                               {kPasswordHash, v("password_hash")},
                               {kDateOfBirth, v("dob")},
                               {kTaxId, v("taxvat")}})});
  } else if (c == "customer_address_entity") {
    if (!Holding(t, row)) return Status::Ok();
    people_.AddCustomerAddress(v("entity_id"), v("parent_id"), v("country_id"), v("region"),
                               !v("street").empty() || !v("city").empty() || !v("postcode").empty(),
                               !v("telephone").empty());
  } else if (c == "sales_order_address") {
    if (v("address_type") != "billing" || !Holding(t, row)) return Status::Ok();  // billing only
    people_.AddOrderAddress(
        v("parent_id"), {v("firstname"), v("lastname"), v("country_id"), v("region"), v("street"),
                         v("city"), v("postcode"), v("email"), !v("telephone").empty()});
  } else if (c == "sales_order") {
    if (!Holding(t, row)) return Status::Ok();
    std::string_view cid = v("customer_id");
    if (v("customer_is_guest") == "1") cid = {};
    std::string name = Join(v("customer_firstname"), v("customer_lastname"));
    people_.AddOrder({t.def.name, v("entity_id"), v("increment_id"), NullIfEmpty(cid),
                      v("customer_email"), name, v("status"), v("grand_total"), "",
                      ToOptional(DbTime(v("created_at"))), row.line, row.offset,
                      Held({{kName, name},
                            {kEmail, v("customer_email")},
                            {kIpAddress, v("remote_ip")},
                            {kDateOfBirth, v("customer_dob")},
                            {kTaxId, v("customer_taxvat")}})});
  } else if (c == "sales_order_payment") {
    if (!Holding(t, row)) return Status::Ok();
    people_.AddPayment(v("parent_id"), {v("method"), v("cc_last_4"), v("cc_type")});
  }
  return Status::Ok();
}

Status Analyzer::StageWordPress(const TableState& t, const DumpRow& row) {
  std::string_view c = t.canon.name;
  auto v = [&](const char* col) { return Val(row, col); };
  if (c == "users") {
    return Exec(kWpUser, {v("ID"), t.def.name, v("user_login"), v("user_email"),
                          DbTime(v("user_registered")), v("display_name"), row.line, row.offset});
  } else if (c == "usermeta") {
    std::string key(v("meta_key"));
    if (key.ends_with("capabilities")) key = "capabilities";
    // Birthdays: WooCommerce has no field of its own; account and checkout plugins keep them
    // under keys such as account_birthday, billing_birthdate or dob.
    std::string lower = Lower(key);
    if (lower.find("birth") != std::string::npos || lower == "dob" || lower.ends_with("_dob"))
      key = "birthday";
    static const char* kKeys[] = {"capabilities",      "first_name",        "last_name",
                                  "billing_country",   "billing_state",     "billing_first_name",
                                  "billing_last_name", "billing_email",     "session_tokens",
                                  "billing_phone",     "billing_address_1", "birthday"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys))
      return Exec(kMeta, {"user", v("user_id"), key, v("meta_value").substr(0, 4096)});
  } else if (c == "posts") {
    if (v("post_type") == "shop_order")
      return Exec(kWpPost, {v("ID"), t.def.name, DbTime(v("post_date_gmt")), v("post_status"),
                            row.line, row.offset});
  } else if (c == "postmeta") {
    std::string_view key = v("meta_key");
    if (key.starts_with("_billing_") || key == "_customer_user" || key == "_payment_method" ||
        key == "_order_total" || key == "_payment_method_title" || key == "_customer_ip_address")
      return Exec(kMeta, {"post", v("post_id"), key, v("meta_value").substr(0, 1024)});
  } else if (c == "wc_orders") {
    std::string_view type = v("type");
    if ((!type.empty() && type != "shop_order") || !Holding(t, row)) return Status::Ok();
    std::string_view cid = v("customer_id");
    if (cid == "0") cid = {};
    people_.AddOrder({t.def.name, v("id"), v("id"), NullIfEmpty(cid), v("billing_email"), "",
                      v("status"), v("total_amount"), v("payment_method"),
                      ToOptional(DbTime(v("date_created_gmt"))), row.line, row.offset,
                      Held({{kEmail, v("billing_email")}, {kIpAddress, v("ip_address")}})});
  } else if (c == "wc_order_addresses") {
    if (v("address_type") != "billing" || !Holding(t, row)) return Status::Ok();
    std::string street = Join(v("address_1"), v("address_2"));
    people_.AddOrderAddress(v("order_id"),
                            {v("first_name"), v("last_name"), v("country"), v("state"), street,
                             v("city"), v("postcode"), v("email"), !v("phone").empty()});
  }
  return Status::Ok();
}

namespace {
// Calls fn() for each row of `q` (read through q's accessors); an error of either stops.
template <typename Fn>
Status EachRow(Stmt& q, Fn fn) {
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Ok();
    TQ_RETURN_IF_ERROR(fn());
  }
}

// Which WordPress users and orders have a non-empty metadata value under a key the
// categories read (loaded once from the staged metadata).
struct MetaFlags {
  std::unordered_set<std::string> post_phone, post_ip, user_phone, user_address, user_birthday;
};

Result<MetaFlags> LoadMetaFlags(Db& db) {
  MetaFlags out;
  TQ_ASSIGN_OR_RETURN(Stmt q, db.Prepare("SELECT kind,key,id FROM tmp_sdb_meta WHERE value<>'' "
                                         "AND key IN ('_billing_phone','_customer_ip_address',"
                                         "'billing_phone','billing_address_1','birthday')"));
  TQ_RETURN_IF_ERROR(EachRow(q, [&]() -> Status {
    std::string_view kind = q.Text(0), key = q.Text(1);
    std::unordered_set<std::string>* set = nullptr;
    if (kind == "post")
      set = key == "_billing_phone"         ? &out.post_phone
            : key == "_customer_ip_address" ? &out.post_ip
                                            : nullptr;
    else if (kind == "user")
      set = key == "billing_phone"       ? &out.user_phone
            : key == "billing_address_1" ? &out.user_address
            : key == "birthday"          ? &out.user_birthday
                                         : nullptr;
    if (set) set->emplace(q.Text(2));
    return Status::Ok();
  }));
  return out;
}
}  // namespace

// Each held order, then each WooCommerce legacy order (wp_posts shop_order + wp_postmeta),
// joined with its first billing address and first payment, then each held customer, then
// each WordPress customer, joined with their addresses and metadata, then one customer row
// per guest e-mail address: each row written once, in that order, with its card flag and
// categories. The held rows are joined on a helper thread (MakeAndWrite) while the calling
// thread inserts those already joined.
Status Analyzer::BuildCustomers(AnalyzeSummary* s, PhaseClock* clock) {
  MetaFlags meta;
  if (staged_[kMeta] > 0) {
    TQ_ASSIGN_OR_RETURN(meta, LoadMetaFlags(db_));
  }
  auto has = [](const std::unordered_set<std::string>& set, std::string_view id) {
    return !set.empty() && set.count(std::string(id)) > 0;
  };
  // The join's helper thread when the dump was parsed on more than one (--db-threads).
  const bool threaded = ParallelWorkers(opt_.dump.threads) > 0;

  TQ_ASSIGN_OR_RETURN(Stmt ins_customer, db_.Prepare(kInsertCustomer));
  // A customer: a Magento customer's country and region are those of its default billing
  // address, else of its address of lowest id; a WordPress user's come from its metadata.
  // A row without a customer id holds nothing of its own ('[]'). WordPress accounts always
  // carry a password hash (wp_users.user_pass is NOT NULL).
  struct CustomerRow {
    HeldCustomer c;
    bool magento = true;
    std::string_view country, region;  // WordPress
  };
  // The customer id as the joins compare it: CAST(customer_id AS TEXT) of the id stored in an
  // INTEGER column. A plain decimal number is itself; anything else ("007", "1e3", " 5", "x")
  // is converted by SQLite itself, so the rare odd id is compared exactly as SQL would.
  Stmt key_insert, key_read;
  bool key_ready = false;
  auto key_of = [&](std::string_view id) -> Result<std::string> {
    if (IsPlainKey(id)) return std::string(id);
    if (!key_ready) {
      key_ready = true;
      TQ_RETURN_IF_ERROR(
          db_.Exec("CREATE TEMP TABLE IF NOT EXISTS tmp_sdb_key(x INTEGER); "
                   "DELETE FROM tmp_sdb_key"));
      TQ_ASSIGN_OR_RETURN(key_insert, db_.Prepare("INSERT INTO tmp_sdb_key(rowid,x) VALUES(1,?) "
                                                  "ON CONFLICT(rowid) DO UPDATE SET x=excluded.x"));
      TQ_ASSIGN_OR_RETURN(key_read, db_.Prepare("SELECT CAST(x AS TEXT) FROM tmp_sdb_key"));
    }
    TQ_RETURN_IF_ERROR(key_insert.Reset());
    key_insert.BindUncopied(1, NotNull(id));
    TQ_RETURN_IF_ERROR(key_insert.Run());
    TQ_RETURN_IF_ERROR(key_read.Reset());
    TQ_ASSIGN_OR_RETURN(bool row, key_read.Step());
    return row ? key_read.String(0) : std::string();
  };
  // A customer joined with its addresses and metadata, ready to insert.
  struct JoinedCustomer {
    CustomerRow r;
    bool guest = false;
    std::string key;
    std::string_view country, region;
    std::string categories;
  };
  // With the key of a customer that has an id: reads the held rows and the metadata flags
  // only (safe on the helper thread).
  auto join_customer = [&](const CustomerRow& r, JoinedCustomer& j) {
    j.r = r;
    const HeldCustomer& c = j.r.c;
    j.guest = r.magento && c.entity_id.empty();
    const std::string& key = j.key;
    CustomerAddressFacts facts;
    if (!j.guest) facts = people_.CustomerAddresses(key);
    j.country = r.country, j.region = r.region;
    if (r.magento) {
      j.country = facts.place ? facts.place->first : "";
      j.region = facts.place ? facts.place->second : "";
    }
    if (j.guest)
      j.categories.assign("[]");
    else
      j.categories =
          CategoriesJson(c.held, {{kEmail, !c.email.empty()},
                                  {kName, !c.name.empty()},
                                  {kPasswordHash, c.source_table.ends_with("users")},
                                  {kPostalAddress, facts.postal || has(meta.user_address, key)},
                                  {kPhone, facts.phone || has(meta.user_phone, key)},
                                  {kDateOfBirth, has(meta.user_birthday, key)}});
  };
  auto insert_customer = [&](Stmt& st, const JoinedCustomer& j, int64_t* written) -> Status {
    const HeldCustomer& c = j.r.c;
    TQ_RETURN_IF_ERROR(st.Reset());
    auto text = [&](int i, std::string_view v) { st.BindUncopied(i, NotNull(v)); };
    st.Bind(1, item_.id);
    text(2, c.source_table);
    if (j.guest)
      st.BindNull(3);
    else
      text(3, c.entity_id);
    text(4, c.email);
    text(5, c.name);
    text(6, j.country);
    text(7, j.region);
    st.Bind(8, c.created_at).Bind(9, c.line).Bind(10, c.offset);
    text(11, j.categories);
    TQ_RETURN_IF_ERROR(st.Run());
    ++*written;
    return Status::Ok();
  };
  // On the calling thread: the key through SQLite when the id is not a plain number.
  auto write_customer = [&](const CustomerRow& r, JoinedCustomer& j) -> Status {
    j.key.clear();
    if (!(r.magento && r.c.entity_id.empty())) {
      TQ_ASSIGN_OR_RETURN(j.key, key_of(r.c.entity_id));
    }
    join_customer(r, j);
    return insert_customer(ins_customer, j, &s->customers);
  };
  // The keys of the held customers' odd ids, found through SQLite before the helper thread
  // starts (it does not touch the database).
  std::unordered_map<std::string, std::string> odd_keys;
  for (size_t i = 0; i < people_.customers(); ++i) {
    std::string_view id = people_.Customer(i).entity_id;
    if (id.empty() || IsPlainKey(id) || odd_keys.count(std::string(id))) continue;
    TQ_ASSIGN_OR_RETURN(std::string key, key_of(id));
    odd_keys.emplace(std::string(id), std::move(key));
  }
  auto make_customer = [&](size_t i, JoinedCustomer& j) {
    CustomerRow r;
    r.c = people_.Customer(i);
    std::string_view id = r.c.entity_id;
    if (id.empty())
      j.key.clear();
    else if (IsPlainKey(id))
      j.key.assign(id);
    else
      j.key = odd_keys.at(std::string(id));
    join_customer(r, j);
  };

  // The orders written without a customer id, for the guest customers (after the others).
  GuestCustomers guests;
  auto insert_guests = [&](Stmt& st, int64_t* written) -> Status {
    return guests.ForEach([&](const GuestOrder& g) -> Status {
      TQ_RETURN_IF_ERROR(st.Reset());
      auto text = [&](int i, std::string_view v) { st.BindUncopied(i, NotNull(v)); };
      st.Bind(1, item_.id);
      text(2, g.source_table);
      text(3, g.email);
      text(4, g.name);
      text(5, g.country);
      text(6, g.region);
      st.Bind(7, g.created_at).Bind(8, g.line).Bind(9, g.offset);
      TQ_RETURN_IF_ERROR(st.Run());
      ++*written;
      return Status::Ok();
    });
  };

  s->customers = 0;
  // With a core to spare, a Magento store's customers (no WordPress rows staged) are written
  // by a helper thread into a scratch database, with their guests and indexes, while this
  // thread writes the orders and their indexes; then copied into the emptied table in whole.
  int64_t scratch_written = 0;  // declared before the writer: its helper writes it
  ScratchWriter writer;
  if (threaded && !customers_shared_ && staged_[kMeta] == 0 && staged_[kWpUser] == 0 &&
      staged_[kWpPost] == 0) {
    std::string table_sql;
    {
      TQ_ASSIGN_OR_RETURN(Stmt q, db_.Prepare("SELECT sql FROM sqlite_schema WHERE type='table' "
                                              "AND name='storedb_customer'"));
      TQ_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) return Status::Internal("storedb_customer: no such table");
      table_sql = q.String(0);
    }
    writer.Start(CustomerScratchPath(case_), [&, table_sql](Db& scratch) -> Status {
      TQ_RETURN_IF_ERROR(scratch.Exec(table_sql));
      TQ_ASSIGN_OR_RETURN(Stmt ins, scratch.Prepare(kInsertCustomer));
      int64_t& written = scratch_written;
      Status st = MakeAndWrite<JoinedCustomer>(
          people_.customers(), false, make_customer,
          [&](const JoinedCustomer& j) { return insert_customer(ins, j, &written); });
      writer.Reached(st);  // the held rows are no longer read
      TQ_RETURN_IF_ERROR(st);
      if (!writer.WaitToGoOn()) return Status::Ok();  // the caller stopped
      TQ_ASSIGN_OR_RETURN(Stmt ins_guest, scratch.Prepare(kInsertGuest));
      TQ_RETURN_IF_ERROR(insert_guests(ins_guest, &written));
      return CreateCustomerIndexes(scratch);
    });
  }
  TQ_ASSIGN_OR_RETURN(
      Stmt ins_order,
      db_.Prepare("INSERT OR IGNORE INTO storedb_order(evidence_id,source_table,order_id,"
                  "increment_id,customer_id,email,name,country,region,created_at,payment_method,"
                  "card_payment,cc_last4,cc_type,billing_address,status,grand_total,line,"
                  "byte_offset,categories,billing_street,billing_city,billing_postcode) "
                  "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  // An order as held or as the legacy query gives it, with the values only the latter has.
  struct OrderRow {
    HeldOrder o;
    SqlArg customer_id = std::nullopt;
    std::string_view country, region, billing_address, street, city, postcode;
  };
  // An order joined with its billing address and payment, ready to insert (views into the
  // held rows, the legacy query's row, or its own buffers).
  struct JoinedOrder {
    OrderRow r;
    std::optional<OrderBillingAddress> a;
    std::string_view email, name, billing_address, method, cc_last4, cc_type;
    bool card = false;
    std::string name_buf, address_buf, categories;
  };
  // Reads the held rows and the metadata flags only: safe on the helper thread.
  auto join_order = [&](const OrderRow& r, JoinedOrder& j) {
    j.r = r;
    const HeldOrder& o = j.r.o;
    j.a = people_.BillingAddress(o.order_id);
    std::optional<OrderPayment> p = people_.Payment(o.order_id);
    const std::optional<OrderBillingAddress>& a = j.a;
    j.email = o.email.empty() && a ? a->email : o.email;
    j.name = o.name;
    if (j.name.empty() && a) {
      j.name_buf.assign(a->first).append(" ").append(a->last);
      j.name = SqlTrim(j.name_buf, " ");
    }
    j.billing_address = j.r.billing_address;
    if (a) {
      j.address_buf.assign(a->street).append(", ").append(a->city).append(" ");
      j.address_buf.append(a->postcode).append(", ").append(a->region).append(", ");
      j.address_buf.append(a->country);
      j.billing_address = SqlTrim(j.address_buf, ", ");
    }
    j.method = p ? p->method : o.payment_method;
    j.cc_last4 = p ? p->cc_last4 : "";
    j.cc_type = p ? p->cc_type : "";
    j.card = !j.cc_last4.empty() || !j.cc_type.empty() || IsCardGateway(j.method);
    j.categories =
        CategoriesJson(o.held, {{kName, !j.name.empty()},
                                {kEmail, !j.email.empty()},
                                {kPostalAddress, !j.billing_address.empty()},
                                {kPhone, (a && a->any_phone) || has(meta.post_phone, o.order_id)},
                                {kIpAddress, has(meta.post_ip, o.order_id)}});
  };
  auto insert_order = [&](const JoinedOrder& j) -> Status {
    const OrderRow& r = j.r;
    const HeldOrder& o = r.o;
    const std::optional<OrderBillingAddress>& a = j.a;
    TQ_RETURN_IF_ERROR(ins_order.Reset());
    Stmt& st = ins_order;
    auto text = [&](int i, std::string_view v) { st.BindUncopied(i, NotNull(v)); };
    st.Bind(1, item_.id);
    text(2, o.source_table);
    text(3, o.order_id);
    text(4, o.increment_id);
    switch (r.customer_id.kind) {
      case SqlArg::Kind::kNull: st.BindNull(5); break;
      case SqlArg::Kind::kText: text(5, r.customer_id.text); break;
      case SqlArg::Kind::kInt: st.Bind(5, r.customer_id.number); break;
    }
    text(6, j.email);
    text(7, j.name);
    text(8, a ? a->country : r.country);
    text(9, a ? a->region : r.region);
    st.Bind(10, o.created_at);
    text(11, j.method);
    st.Bind(12, j.card ? 1 : 0);
    text(13, j.cc_last4);
    text(14, j.cc_type);
    text(15, j.billing_address);
    text(16, o.status);
    text(17, o.grand_total);
    st.Bind(18, o.line).Bind(19, o.offset);
    text(20, j.categories);
    text(21, a ? a->street : r.street);
    text(22, a ? a->city : r.city);
    text(23, a ? a->postcode : r.postcode);
    TQ_RETURN_IF_ERROR(st.Run());
    int written = db_.Changes();
    s->orders += written;
    if (written > 0 && r.customer_id.kind == SqlArg::Kind::kNull && !j.email.empty())
      guests.Add({o.source_table, o.order_id, j.email, j.name, a ? a->country : r.country,
                  a ? a->region : r.region, o.created_at, o.line, o.offset});
    return Status::Ok();
  };
  s->orders = 0;
  TQ_RETURN_IF_ERROR(MakeAndWrite<JoinedOrder>(
      people_.orders(), threaded,
      [&](size_t i, JoinedOrder& j) {
        // Two million lookups at random places: each is started 16 orders ahead.
        people_.PrefetchOrder(i + 16, 0);
        people_.PrefetchOrder(i + 8, 1);
        OrderRow r;
        r.o = people_.Order(i);
        if (r.o.customer_id) r.customer_id = *r.o.customer_id;
        join_order(r, j);
      },
      insert_order));
  if (clock) clock->Mark("orders");
  // WooCommerce legacy orders, after the streamed ones: HPOS rows win on a clash (the insert
  // ignores a second row of an order id).
  if (staged_[kWpPost] > 0) {
    auto pm = [](const char* key) { return Meta("post", key, "p.id"); };
    TQ_ASSIGN_OR_RETURN(
        Stmt q,
        db_.Prepare("SELECT p.source,p.id,NULLIF(CAST(" + pm("_customer_user") +
                    " AS INTEGER),0),COALESCE(" + pm("_billing_email") + ",''),trim(COALESCE(" +
                    pm("_billing_first_name") + ",'')||' '||COALESCE(" + pm("_billing_last_name") +
                    ",'')),COALESCE(" + pm("_billing_country") + ",''),COALESCE(" +
                    pm("_billing_state") + ",''),p.created,COALESCE(" + pm("_payment_method") +
                    ",''),p.status,COALESCE(" + pm("_order_total") + ",''),trim(COALESCE(" +
                    pm("_billing_address_1") + ",'')||', '||COALESCE(" + pm("_billing_city") +
                    ",'')||' '||COALESCE(" + pm("_billing_postcode") + ",''),', '),trim(COALESCE(" +
                    pm("_billing_address_1") + ",'')||char(10)||COALESCE(" +
                    pm("_billing_address_2") + ",''),char(10)),COALESCE(" + pm("_billing_city") +
                    ",''),COALESCE(" + pm("_billing_postcode") +
                    ",''),p.line,p.byte_offset FROM tmp_sdb_wppost p "
                    "ORDER BY p.rowid"));
    JoinedOrder legacy;
    TQ_RETURN_IF_ERROR(EachRow(q, [&]() -> Status {
      OrderRow r;
      r.o.source_table = q.Text(0);
      r.o.order_id = r.o.increment_id = q.Text(1);
      if (!q.IsNull(2)) r.customer_id = static_cast<uint64_t>(q.Int(2));
      r.o.email = q.Text(3);
      r.o.name = q.Text(4);
      r.country = q.Text(5);
      r.region = q.Text(6);
      if (!q.IsNull(7)) r.o.created_at = q.Int(7);
      r.o.payment_method = q.Text(8);
      r.o.status = q.Text(9);
      r.o.grand_total = q.Text(10);
      r.billing_address = q.Text(11);
      r.street = q.Text(12);
      r.city = q.Text(13);
      r.postcode = q.Text(14);
      r.o.line = static_cast<uint64_t>(q.Int(15));
      r.o.offset = static_cast<uint64_t>(q.Int(16));
      join_order(r, legacy);
      return insert_order(legacy);
    }));
  }

  // The scratch database failing before the customers are in it (it cannot be created or
  // written: a full disk, an I/O error) costs only time: this thread writes them as before.
  if (writer.started() && writer.WaitReached().ok()) {
    writer.GoOn();
    ReleaseHeldRows();
    // Each index is one sort of up to two million keys (see Finish).
    TQ_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-262144; PRAGMA threads=2"));
    Status indexed = CreateOrderIndexes(db_);
    TQ_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-65536; PRAGMA threads=0"));
    TQ_RETURN_IF_ERROR(indexed);
    if (clock) clock->Mark("order-index");
    TQ_RETURN_IF_ERROR(writer.Finish());
    if (clock) clock->Mark("customers");
    TQ_RETURN_IF_ERROR(writer.Attach(db_, "sdb_scratch"));
    // The table was emptied (Begin) and its indexes are created empty first: SQLite then
    // copies the scratch table's records and index entries as they are, in order, with their
    // row ids (its transfer of an identical table), instead of inserting and sorting again.
    TQ_RETURN_IF_ERROR(CreateCustomerIndexes(db_));
    TQ_RETURN_IF_ERROR(
        db_.Exec("INSERT INTO main.storedb_customer SELECT * FROM "
                 "sdb_scratch.storedb_customer"));
    s->customers = scratch_written;
    if (clock) clock->Mark("copy");
    return Status::Ok();
  }
  if (writer.started()) (void)writer.Finish();  // it ended (or will: no GoOn) on its error
  TQ_RETURN_IF_ERROR(MakeAndWrite<JoinedCustomer>(
      people_.customers(), threaded, make_customer,
      [&](const JoinedCustomer& j) { return insert_customer(ins_customer, j, &s->customers); }));
  if (clock) clock->Mark("customers");
  // WooCommerce registered customers: every user who is not store staff, after the streamed
  // Magento customers.
  if (staged_[kWpUser] > 0) {
    auto um = [](const char* key) { return Meta("user", key, "u.id"); };
    TQ_ASSIGN_OR_RETURN(
        Stmt q,
        db_.Prepare(
            "SELECT u.source,u.id,u.email,COALESCE(NULLIF(trim(COALESCE(" + um("first_name") +
            ",'')||' '||COALESCE(" + um("last_name") + ",'')),''),NULLIF(trim(COALESCE(" +
            um("billing_first_name") + ",'')||' '||COALESCE(" + um("billing_last_name") +
            ",'')),''),u.display_name),COALESCE(" + um("billing_country") + ",''),COALESCE(" +
            um("billing_state") +
            ",''),u.registered,u.line,u.byte_offset FROM tmp_sdb_wpuser u WHERE NOT EXISTS "
            "(SELECT 1 FROM tmp_sdb_meta m WHERE m.kind='user' AND m.id=u.id AND "
            "m.key='capabilities' AND (m.value LIKE '%administrator%' OR m.value LIKE "
            "'%shop_manager%' OR m.value LIKE '%editor%' OR m.value LIKE '%author%' OR m.value "
            "LIKE '%contributor%')) ORDER BY u.rowid"));
    JoinedCustomer wp;
    TQ_RETURN_IF_ERROR(EachRow(q, [&]() -> Status {
      CustomerRow r;
      r.magento = false;
      r.c.source_table = q.Text(0);
      r.c.entity_id = q.Text(1);
      r.c.email = q.Text(2);
      r.c.name = q.Text(3);
      r.country = q.Text(4);
      r.region = q.Text(5);
      if (!q.IsNull(6)) r.c.created_at = q.Int(6);
      r.c.line = static_cast<uint64_t>(q.Int(7));
      r.c.offset = static_cast<uint64_t>(q.Int(8));
      return write_customer(r, wp);
    }));
  }
  // Guests: one customer row per e-mail address that ordered without an account (the row
  // of its first order of the earliest time), grouped in memory as SQL grouped them before
  // (guest_customers.h).
  TQ_ASSIGN_OR_RETURN(Stmt ins_guest, db_.Prepare(kInsertGuest));
  TQ_RETURN_IF_ERROR(insert_guests(ins_guest, &s->customers));
  if (clock) clock->Mark("guests");
  return Status::Ok();
}

std::string CustomerScratchPath(const Case& c) { return c.dir() + "/storedb-customers.tmp"; }

}  // namespace tq::storedb
