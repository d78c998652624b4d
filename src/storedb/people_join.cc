// The customer and order rows held for the join (people_join.h). Records, by field:
//   customer:          entity_id, default_billing, email, name, source, created, line, offset,
//                      held
//   customer address:  id, parent_id, country, region
//   order:             order_id, increment_id, customer_id, email, name, status, grand_total,
//                      payment_method, has customer_id, source, created, line, offset, held
//   billing address:   parent_id, first, last, country, region, street, city, postcode, email
//   payment:           parent_id, method, cc_last4, cc_type
#include "storedb/people_join.h"

#include <unistd.h>

#include <algorithm>

#include "storedb/storedb.h"

namespace tq::storedb {

uint64_t DefaultPeopleBytes() {
  long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  uint64_t half =
      pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2 : 0;
  return std::max<uint64_t>(half, 1024ull << 20);
}

namespace {
constexpr uint32_t kBillingPhone = 1;
constexpr uint32_t kPostal = 1, kPhone = 2;
}  // namespace

uint32_t PeopleJoin::SourceIndex(std::string_view table) {
  // Rows come table by table: the last table asked for is nearly always the one.
  if (!sources_.empty() && sources_[last_source_] == table) return last_source_;
  auto [it, added] =
      source_ids_.try_emplace(std::string(table), static_cast<uint32_t>(sources_.size()));
  if (added) sources_.emplace_back(table);
  last_source_ = it->second;
  return last_source_;
}

void PeopleJoin::WriteWhere(std::string_view source_table, std::optional<int64_t> created_at,
                            uint64_t line, uint64_t offset, uint64_t held) {
  w_.Uint(SourceIndex(source_table)).OptionalInt(created_at).Uint(line).Uint(offset).Uint(held);
}

void PeopleJoin::ReadWhere(RecordReader& r, std::string_view* source_table,
                           std::optional<int64_t>* created_at, uint64_t* line, uint64_t* offset,
                           uint64_t* held) const {
  uint64_t source = r.Uint();
  *source_table = source < sources_.size() ? std::string_view(sources_[source]) : "";
  *created_at = r.OptionalInt();
  *line = r.Uint();
  *offset = r.Uint();
  *held = r.Uint();
}

void PeopleJoin::AddCustomer(const HeldCustomer& c) {
  w_.Clear();
  w_.Text(c.entity_id).Text(c.default_billing).Text(c.email).Text(c.name);
  WriteWhere(c.source_table, c.created_at, c.line, c.offset, c.held);
  RowArena::Ref ref = arena_.Add(w_.bytes());
  customers_.push_back(ref);
  if (c.default_billing.empty()) return;
  RowIndex::Entry& e = by_customer_.FindOrAdd(c.entity_id);
  if (e.refs[1] == RowIndex::kNone) {
    e.refs[1] = ref;
    return;
  }
  auto it = repeated_billing_.find(c.entity_id);
  if (it == repeated_billing_.end())
    it = repeated_billing_.emplace(std::string(c.entity_id), std::vector<RowArena::Ref>{}).first;
  it->second.push_back(ref);
  repeated_bytes_ += c.entity_id.size() + 64;
}

void PeopleJoin::AddCustomerAddress(std::string_view id, std::string_view parent_id,
                                    std::string_view country, std::string_view region, bool postal,
                                    bool phone) {
  w_.Clear();
  w_.Text(id).Text(parent_id).Text(country).Text(region);
  RowArena::Ref ref = arena_.Add(w_.bytes());
  RowIndex::Entry& by_id = by_address_id_.FindOrAdd(id);
  if (by_id.refs[0] == RowIndex::kNone) by_id.refs[0] = ref;
  RowIndex::Entry& e = by_customer_.FindOrAdd(parent_id);
  e.flags |= (postal ? kPostal : 0) | (phone ? kPhone : 0);
  // The address of lowest id (as an integer), the first one on a tie.
  if (e.refs[0] == RowIndex::kNone ||
      CastToInteger(id) < CastToInteger(RecordReader(arena_.Get(e.refs[0])).Text()))
    e.refs[0] = ref;
}

void PeopleJoin::AddOrder(const HeldOrder& o) {
  w_.Clear();
  w_.Text(o.order_id).Text(o.increment_id).Text(o.customer_id.value_or(""));
  w_.Text(o.email).Text(o.name).Text(o.status).Text(o.grand_total).Text(o.payment_method);
  w_.Uint(o.customer_id ? 1 : 0);
  WriteWhere(o.source_table, o.created_at, o.line, o.offset, o.held);
  orders_.push_back(arena_.Add(w_.bytes()));
}

void PeopleJoin::AddOrderAddress(std::string_view parent_id, const OrderBillingAddress& a) {
  RowIndex::Entry& e = by_order_.FindOrAdd(parent_id);
  if (a.any_phone) e.flags |= kBillingPhone;
  if (e.refs[0] != RowIndex::kNone) return;  // only the first is read
  w_.Clear();
  w_.Text(parent_id).Text(a.first).Text(a.last).Text(a.country).Text(a.region);
  w_.Text(a.street).Text(a.city).Text(a.postcode).Text(a.email);
  e.refs[0] = arena_.Add(w_.bytes());
}

void PeopleJoin::AddPayment(std::string_view parent_id, const OrderPayment& p) {
  RowIndex::Entry& e = by_order_.FindOrAdd(parent_id);
  if (e.refs[1] != RowIndex::kNone) return;  // only the first is read
  w_.Clear();
  w_.Text(parent_id).Text(p.method).Text(p.cc_last4).Text(p.cc_type);
  e.refs[1] = arena_.Add(w_.bytes());
}

void PeopleJoin::PrefetchOrder(size_t i, int stage) const {
  if (i >= orders_.size()) return;
  std::string_view order_id = RecordReader(arena_.Get(orders_[i])).Text();
  if (stage == 0) return by_order_.Prefetch(order_id);
  const RowIndex::Entry* e = by_order_.Find(order_id);
  if (!e) return;
  for (RowArena::Ref ref : e->refs)
    if (ref != RowIndex::kNone) arena_.Prefetch(ref);
}

HeldCustomer PeopleJoin::Customer(size_t i) const {
  RecordReader r(arena_.Get(customers_[i]));
  HeldCustomer c;
  c.entity_id = r.Text();
  c.default_billing = r.Text();
  c.email = r.Text();
  c.name = r.Text();
  ReadWhere(r, &c.source_table, &c.created_at, &c.line, &c.offset, &c.held);
  return c;
}

HeldOrder PeopleJoin::Order(size_t i) const {
  RecordReader r(arena_.Get(orders_[i]));
  HeldOrder o;
  o.order_id = r.Text();
  o.increment_id = r.Text();
  std::string_view customer_id = r.Text();
  o.email = r.Text();
  o.name = r.Text();
  o.status = r.Text();
  o.grand_total = r.Text();
  o.payment_method = r.Text();
  if (r.Uint()) o.customer_id = customer_id;
  ReadWhere(r, &o.source_table, &o.created_at, &o.line, &o.offset, &o.held);
  return o;
}

std::optional<RecordReader> PeopleJoin::OrderRecord(std::string_view order_id, int kind,
                                                    uint32_t* flags) const {
  const RowIndex::Entry* e = by_order_.Find(order_id);
  if (!e || e->refs[kind] == RowIndex::kNone) return std::nullopt;
  if (flags) *flags = e->flags;
  RecordReader r(arena_.Get(e->refs[kind]));
  r.Text();  // parent_id
  return r;
}

std::optional<OrderBillingAddress> PeopleJoin::BillingAddress(std::string_view order_id) const {
  uint32_t flags = 0;
  std::optional<RecordReader> r = OrderRecord(order_id, 0, &flags);
  if (!r) return std::nullopt;
  OrderBillingAddress a;
  for (std::string_view* field :
       {&a.first, &a.last, &a.country, &a.region, &a.street, &a.city, &a.postcode, &a.email})
    *field = r->Text();
  a.any_phone = flags & kBillingPhone;
  return a;
}

std::optional<OrderPayment> PeopleJoin::Payment(std::string_view order_id) const {
  std::optional<RecordReader> r = OrderRecord(order_id, 1, nullptr);
  if (!r) return std::nullopt;
  OrderPayment p;
  for (std::string_view* field : {&p.method, &p.cc_last4, &p.cc_type}) *field = r->Text();
  return p;
}

CustomerAddressFacts PeopleJoin::CustomerAddresses(std::string_view customer_key) const {
  CustomerAddressFacts out;
  const RowIndex::Entry* e = by_customer_.Find(customer_key);
  if (!e) return out;
  out.postal = e->flags & kPostal;
  out.phone = e->flags & kPhone;
  auto place_of = [&](RowArena::Ref ref) {
    RecordReader r(arena_.Get(ref));
    r.Text();  // id
    r.Text();  // parent_id
    std::string_view country = r.Text();
    return std::pair{country, r.Text()};
  };
  // The default billing address: of the customer rows of this id naming one, the first whose
  // address exists (whoever's address it is, as the dump's ids say).
  auto billing = [&](RowArena::Ref customer) -> bool {
    RecordReader r(arena_.Get(customer));
    r.Text();  // entity_id
    const RowIndex::Entry* a = by_address_id_.Find(r.Text());
    if (!a) return false;
    out.place = place_of(a->refs[0]);
    return true;
  };
  if (e->refs[1] != RowIndex::kNone && !billing(e->refs[1])) {
    auto it = repeated_billing_.find(customer_key);
    if (it != repeated_billing_.end())
      for (RowArena::Ref ref : it->second)
        if (billing(ref)) break;
  }
  if (!out.place && e->refs[0] != RowIndex::kNone) out.place = place_of(e->refs[0]);
  return out;
}

void PeopleJoin::Clear() {
  by_order_.Clear();
  by_customer_.Clear();
  by_address_id_.Clear();
  std::vector<RowArena::Ref>().swap(customers_);  // = {} would keep the capacity
  std::vector<RowArena::Ref>().swap(orders_);
  repeated_billing_.clear();
  repeated_bytes_ = 0;
  sources_.clear();
  source_ids_.clear();
  last_source_ = 0;
  arena_ = RowArena();
}

uint64_t PeopleJoin::bytes() const {
  return arena_.bytes() + by_order_.bytes() + by_customer_.bytes() + by_address_id_.bytes() +
         (customers_.capacity() + orders_.capacity()) * sizeof(RowArena::Ref) + repeated_bytes_;
}

}  // namespace tq::storedb
