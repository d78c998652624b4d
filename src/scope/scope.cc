// The affected-person computation: exposures joined with the store's people. Pure functions,
// so the rules are tested on hand-made records; scope_case.cc feeds them from the case.
#include "scope/scope.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "core/escape.h"
#include "core/text.h"
#include "scope/regions_data.h"

namespace tq::scope {
namespace {

constexpr int64_t kEdgeMicros = 60LL * 1000000;  // an order within a minute of a window edge

// What a skimmer on the payment page takes from a card payer, besides the card: whatever of
// these the order holds (the checkout form).
constexpr const char* kCheckoutForm[] = {"name", "email", "phone", "postal_address"};

enum : uint8_t {
  kAmbCreationUnknown = 1,
  kAmbGuest = 2,
  kAmbOrderTimeUnknown = 4,
};

// The ambiguity texts, by flag.
constexpr std::pair<uint8_t, const char*> kAmbiguities[] = {
    {kAmbCreationUnknown, "account creation time unknown"},
    {kAmbGuest, "guest order, matched to the person by email only"},
    {kAmbOrderTimeUnknown, "order time unknown"},
};

using Hit = AffectedSet::Hit;

// Who a record names.
template <typename Record>
void CopyIdentity(const Record& r, AffectedPerson* p) {
  p->customer_id = r.customer_id;
  p->email.assign(r.email);
  p->name.assign(r.name);
  p->country.assign(r.country);
  p->region.assign(r.region);
}

bool DumpHolds(const Exposure& e, const std::string& table) {
  if (e.tables.empty()) return true;
  return std::find(e.tables.begin(), e.tables.end(), table) != e.tables.end();
}

// The tables a dump held, as flags over People's table indexes.
std::vector<uint8_t> HeldTables(const Exposure& e, const People& people, size_t tables) {
  std::vector<uint8_t> held(tables, 0);
  for (size_t i = 0; i < tables; ++i)
    held[i] = DumpHolds(e, people.Table(static_cast<uint32_t>(i))) ? 1 : 0;
  return held;
}

// Person keys: one arena of keys, an open-addressing index by key that keeps each key's
// hash (a million people's keys are looked up millions of times).
class KeyIndex {
 public:
  explicit KeyIndex(size_t expected) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
  }
  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // The person for `key` (whose Hash is `hash`), added when new.
  uint32_t Find(std::string_view key, uint64_t hash) {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        uint32_t id = Add(key);
        s = {hash, id};
        if (keys_.size() * 2 > slots_.size()) Grow();
        return id;
      }
      if (s.hash == hash && keys_[s.id] == key) return s.id;
    }
  }
  const std::vector<std::string_view>& keys() const { return keys_; }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };
  uint32_t Add(std::string_view key) {
    if (blocks_.empty() || blocks_.back().size() + key.size() > blocks_.back().capacity()) {
      blocks_.emplace_back();
      blocks_.back().reserve(std::max<size_t>(key.size(), 1 << 20));
    }
    std::string& b = blocks_.back();
    size_t at = b.size();
    b.append(key);
    keys_.emplace_back(b.data() + at, key.size());
    return static_cast<uint32_t>(keys_.size() - 1);
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<std::string> blocks_;  // never reallocated: views stay valid
  std::vector<std::string_view> keys_;
  std::vector<Slot> slots_;
};

// "email:<trimmed, lower-case email>", else "customer:<id>", else "" into `key`.
void PersonKey(std::string_view email, std::optional<int64_t> customer_id, std::string* key) {
  key->clear();
  size_t a = email.find_first_not_of(" \t\r\n");
  if (a != std::string_view::npos) {
    size_t b = email.find_last_not_of(" \t\r\n");
    std::string_view e = email.substr(a, b - a + 1);
    key->append("email:");
    size_t at = key->size();
    key->append(e);
    // ASCII only, as std::tolower in the C locale.
    for (size_t i = at; i < key->size(); ++i) {
      char& c = (*key)[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return;
  }
  if (customer_id) key->append("customer:").append(std::to_string(*customer_id));
}

}  // namespace

uint64_t CategoryBits::Bit(std::string_view name) {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return uint64_t{1} << i;
  if (names_.size() < kOther) {
    names_.emplace_back(name);
    return uint64_t{1} << (names_.size() - 1);
  }
  return uint64_t{1} << kOther;
}

uint64_t CategoryBits::Bits(const std::vector<std::string>& names) {
  uint64_t bits = 0;
  for (const std::string& n : names) bits |= Bit(n);
  return bits;
}

std::vector<std::string> CategoryBits::Names(uint64_t bits) const {
  std::vector<std::string> out;
  for (size_t b = 0; b < names_.size(); ++b)
    if (bits & (uint64_t{1} << b)) out.push_back(names_[b]);
  if (bits & (uint64_t{1} << kOther)) out.emplace_back("other_personal_data");
  std::sort(out.begin(), out.end());
  return out;
}

std::string_view TextArena::Keep(std::string_view s) {
  if (s.empty()) return {};
  if (used_ + s.size() > size_) {
    size_ = std::max<size_t>(s.size(), 4 << 20);
    blocks_.push_back(std::make_unique<char[]>(size_));
    used_ = 0;
  }
  char* at = blocks_.back().get() + used_;
  std::memcpy(at, s.data(), s.size());
  used_ += s.size();
  return {at, s.size()};
}

People::People() {
  // The skimmer's and the order history's categories first, so they are never "other".
  for (const char* c : kCheckoutForm) categories_.Bit(c);
  categories_.Bit("payment_card");
  categories_.Bit("order_history");
}
People::~People() = default;

TextArena& People::NewArena() {
  std::lock_guard lock(mu_);
  arenas_.push_back(std::make_unique<TextArena>());
  return *arenas_.back();
}

uint64_t People::CategoryBitsOf(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  return categories_.Bits(names);
}
uint64_t People::CategoryBitOf(std::string_view name) {
  std::lock_guard lock(mu_);
  return categories_.Bit(name);
}
std::vector<std::string> People::CategoryNames(uint64_t bits) const {
  std::lock_guard lock(mu_);
  return categories_.Names(bits);
}

uint32_t People::TableIndex(std::string_view name) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < tables_.size(); ++i)
    if (tables_[i] == name) return static_cast<uint32_t>(i);
  tables_.emplace_back(name);
  return static_cast<uint32_t>(tables_.size() - 1);
}

size_t People::TableCount() const {
  std::lock_guard lock(mu_);
  return tables_.size();
}

uint32_t People::EvidenceIndex(std::string_view name) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = evidence_index_.try_emplace(std::string(name), evidence_.size());
  if (fresh) evidence_.emplace_back(name);
  return it->second;
}

void People::AppendEvidence(uint32_t evidence, int64_t line, std::string* out) const {
  out->append(evidence_[evidence]);
  if (line > 0) out->append(1, ':').append(std::to_string(line));
}

void People::SplitEvidence(std::string_view ref, uint32_t* evidence, int64_t* line) {
  // "store.sql:1234": the item and the line, as the case keeps them.
  size_t colon = ref.rfind(':');
  *line = 0;
  if (colon != std::string_view::npos && colon + 1 < ref.size() && ref[colon + 1] != '0' &&
      ref.size() - colon - 1 <= 18 &&
      ref.find_first_not_of("0123456789", colon + 1) == std::string_view::npos) {
    *line = std::stoll(std::string(ref.substr(colon + 1)));
    ref = ref.substr(0, colon);
  }
  *evidence = EvidenceIndex(ref);
}

template <typename Record, typename Packed>
void People::Pack(const Record& r, Packed* out) {
  if (!added_) added_ = &NewArena();
  out->customer_id = r.customer_id;
  out->email = added_->Keep(r.email);
  out->name = added_->Keep(r.name);
  out->country = added_->Keep(r.country);
  out->region = added_->Keep(r.region);
  out->created_at = r.created_at;
  out->categories = CategoryBitsOf(r.categories);
  out->table = TableIndex(r.source_table);
  SplitEvidence(r.evidence, &out->evidence, &out->line);
}

void People::Add(const CustomerRecord& r) {
  Customer c;
  Pack(r, &c);
  customers.push_back(c);
}

void People::Add(const OrderRecord& r) {
  Order o;
  Pack(r, &o);
  o.order_ref = added_->Keep(r.order_ref);
  o.card_payment = r.card_payment;
  orders.push_back(o);
}

namespace {

// The hits of the people whose key hashes to `part` (of `parts`), with their own key index:
// parts run on threads of their own and never share a person.
struct HitPart {
  explicit HitPart(size_t expected) : index(expected) {}
  KeyIndex index;
  std::vector<Hit> hits;
};

// Every record's person key and its hash, made once (on two threads for big stores) for all
// the exposures and parts that look at the record. An empty key: the record names nobody.
struct RecordKeys {
  std::vector<std::string_view> customer, order;
  std::vector<uint64_t> customer_hash, order_hash;
  TextArena text[2];
};

void MakeKeys(const People& people, size_t threads, RecordKeys* keys) {
  keys->customer.resize(people.customers.size());
  keys->customer_hash.resize(people.customers.size());
  keys->order.resize(people.orders.size());
  keys->order_hash.resize(people.orders.size());
  auto run = [&](size_t t) {
    std::string key;
    TextArena& text = keys->text[t];
    auto one = [&](std::string_view email, std::optional<int64_t> id, std::string_view* out,
                   uint64_t* hash) {
      PersonKey(email, id, &key);
      *out = text.Keep(key);
      *hash = key.empty() ? 0 : KeyIndex::Hash(key);
    };
    size_t nc = people.customers.size(), no = people.orders.size();
    for (size_t i = nc * t / threads; i < nc * (t + 1) / threads; ++i)
      one(people.customers[i].email, people.customers[i].customer_id, &keys->customer[i],
          &keys->customer_hash[i]);
    for (size_t i = no * t / threads; i < no * (t + 1) / threads; ++i)
      one(people.orders[i].email, people.orders[i].customer_id, &keys->order[i],
          &keys->order_hash[i]);
  };
  if (threads > 1) {
    std::jthread other([&] { run(1); });
    run(0);
  } else {
    run(0);
  }
}

void CollectHits(const People& people, const RecordKeys& record_keys,
                 const std::vector<Exposure>& exposures, std::optional<UnixMicros> discovered_at,
                 const uint64_t bits[3], size_t part, size_t parts, HitPart* out) {
  const auto& customers = people.customers;
  const auto& orders = people.orders;
  const uint64_t form = bits[0], card = bits[1], order_history = bits[2];
  const size_t tables = people.TableCount();
  KeyIndex& index = out->index;
  std::vector<Hit>& hits = out->hits;
  std::string_view key;
  uint64_t hash = 0;
  // The key of a record, when its person belongs to this part. The part is taken from the
  // hash's high bits: the index uses the low ones.
  auto mine = [&](std::string_view k, uint64_t h) {
    key = k;
    hash = h;
    return !key.empty() && (parts == 1 || (hash >> 40) % parts == part);
  };
  for (size_t x = 0; x < exposures.size(); ++x) {
    const Exposure& e = exposures[x];
    const uint16_t ex = static_cast<uint16_t>(x);
    if (e.kind == Exposure::Kind::kSkimmer) {
      std::optional<UnixMicros> end = e.end ? e.end : discovered_at;
      for (uint32_t i = 0; i < orders.size(); ++i) {
        const People::Order& o = orders[i];
        if (!o.card_payment || !o.created_at || *o.created_at < e.start) continue;
        if (end && *o.created_at >= *end) continue;
        if (!mine(record_keys.order[i], record_keys.order_hash[i])) continue;
        bool edge =
            *o.created_at - e.start < kEdgeMicros || (end && *end - *o.created_at < kEdgeMicros);
        hits.push_back({index.Find(key, hash), ex, Via::kCardPayment, 0, i,
                        (o.categories & form) | card, *o.created_at, edge});
      }
      continue;
    }
    // A dump: every row that existed when it was taken, of the tables it held.
    std::vector<uint8_t> held = HeldTables(e, people, tables);
    for (uint32_t i = 0; i < customers.size(); ++i) {
      const People::Customer& c = customers[i];
      if (!held[c.table]) continue;
      if (c.created_at && *c.created_at >= e.start) continue;
      if (!mine(record_keys.customer[i], record_keys.customer_hash[i])) continue;
      hits.push_back({index.Find(key, hash), ex, Via::kDumpedAccount,
                      static_cast<uint8_t>(c.created_at ? 0 : kAmbCreationUnknown), i, c.categories,
                      e.start, false});
    }
    for (uint32_t i = 0; i < orders.size(); ++i) {
      const People::Order& o = orders[i];
      if (!held[o.table]) continue;
      if (o.created_at && *o.created_at >= e.start) continue;
      if (!mine(record_keys.order[i], record_keys.order_hash[i])) continue;
      uint8_t flags = static_cast<uint8_t>((o.customer_id ? 0 : kAmbGuest) |
                                           (o.created_at ? 0 : kAmbOrderTimeUnknown));
      hits.push_back({index.Find(key, hash), ex, Via::kDumpedOrder, flags, i,
                      o.categories | order_history, e.start, false});
    }
  }
}

}  // namespace

AffectedSet ComputeAffected(People& people, const std::vector<Exposure>& exposures,
                            std::optional<UnixMicros> discovered_at, size_t threads) {
  // Step 1: every record that exposed somebody, as a compact hit; people by key. Big stores
  // are split by key between two threads.
  // What the checkout form shows, the card, and what an order row adds, as bits.
  uint64_t form = 0;
  for (const char* c : kCheckoutForm) form |= people.CategoryBitOf(c);
  const uint64_t bits[3] = {form, people.CategoryBitOf("payment_card"),
                            people.CategoryBitOf("order_history")};
  const size_t records = people.customers.size() + people.orders.size();
  const size_t parts = threads ? threads : records >= 200000 ? 2 : 1;
  std::vector<HitPart> part;
  for (size_t p = 0; p < parts; ++p) part.emplace_back(records / 2 / parts);
  RecordKeys record_keys;
  MakeKeys(people, std::min<size_t>(parts, 2), &record_keys);
  {
    std::vector<std::jthread> threads;
    for (size_t p = 1; p < parts; ++p)
      threads.emplace_back([&, p] {
        CollectHits(people, record_keys, exposures, discovered_at, bits, p, parts, &part[p]);
      });
    CollectHits(people, record_keys, exposures, discovered_at, bits, 0, parts, &part[0]);
  }
  // The parts, one after the other.
  AffectedSet set;
  std::vector<std::string_view> keys;
  std::vector<Hit> hits;
  for (HitPart& p : part) {
    uint32_t offset = static_cast<uint32_t>(keys.size());
    keys.insert(keys.end(), p.index.keys().begin(), p.index.keys().end());
    for (Hit h : p.hits) {
      h.person += offset;
      hits.push_back(h);
    }
  }

  // Step 2: hits grouped by person, in the order they were found (the first names the
  // person's identity), people by key.
  const uint32_t n = static_cast<uint32_t>(keys.size());
  std::vector<uint32_t> start(n + 1, 0);
  for (const Hit& h : hits) ++start[h.person + 1];
  for (uint32_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<uint32_t> grouped(start[n]);
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (uint32_t i = 0; i < hits.size(); ++i) grouped[fill[hits[i].person]++] = i;
  }
  std::vector<uint32_t> by_key(n);
  for (uint32_t i = 0; i < n; ++i) by_key[i] = i;
  auto less = [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; };
  if (parts > 1) {
    // Halves sorted on two threads, then merged.
    auto mid = by_key.begin() + n / 2;
    {
      std::jthread half([&] { std::sort(by_key.begin(), mid, less); });
      std::sort(mid, by_key.end(), less);
    }
    std::inplace_merge(by_key.begin(), mid, by_key.end(), less);
  } else {
    std::sort(by_key.begin(), by_key.end(), less);
  }

  // Step 3: the people in key order, their hits back to back (so that spelling people out
  // reads hits in order), categories and times folded.
  std::vector<uint32_t> order;  // hit indexes in key order
  order.reserve(grouped.size());
  size_t key_bytes = 0;
  set.people.resize(n);
  for (uint32_t at = 0; at < n; ++at) {
    uint32_t who = by_key[at];
    key_bytes += keys[who].size();
    AffectedSet::Person& p = set.people[at];
    p.hits_begin = static_cast<uint32_t>(order.size());
    order.insert(order.end(), grouped.begin() + start[who], grouped.begin() + start[who + 1]);
    p.hits_end = static_cast<uint32_t>(order.size());
  }
  std::vector<Hit> ordered(order.size());
  constexpr size_t kAhead = 16;
  for (size_t k = 0; k < order.size(); ++k) {
    if (k + kAhead < order.size()) __builtin_prefetch(&hits[order[k + kAhead]]);
    ordered[k] = hits[order[k]];
  }
  set.hits = std::move(ordered);
  set.keys.reserve(key_bytes);
  for (uint32_t at = 0; at < n; ++at) {
    AffectedSet::Person& p = set.people[at];
    for (uint32_t k = p.hits_begin; k < p.hits_end; ++k) {
      const Hit& h = set.hits[k];
      p.categories |= h.cats;
      p.flags |= h.flags;
      if (k == p.hits_begin || h.when < p.first) p.first = h.when;
      if (k == p.hits_begin || h.when > p.last) p.last = h.when;
    }
    set.keys.append(keys[by_key[at]]);
  }
  // Views into set.keys, now that it is complete.
  size_t off = 0;
  for (uint32_t at = 0; at < n; ++at) {
    size_t len = keys[by_key[at]].size();
    set.people[at].key = std::string_view(set.keys).substr(off, len);
    off += len;
  }
  return set;
}

PersonWriter::PersonWriter(const People& people, const std::vector<Exposure>& exposures,
                           const AffectedSet& set)
    : people_(people), exposures_(exposures), set_(set) {
  // Accounts by customer id: a table indexed by id when the ids are dense (stores count them
  // up from 1), else a hash map.
  int64_t max_id = -1;
  bool negative = false;
  for (const People::Customer& c : people.customers) {
    if (!c.customer_id) continue;
    max_id = std::max(max_id, *c.customer_id);
    negative = negative || *c.customer_id < 0;
  }
  size_t n = people.customers.size();
  if (!negative && max_id >= 0 && static_cast<uint64_t>(max_id) < 4 * n + 1024) {
    account_dense_.assign(static_cast<size_t>(max_id) + 1, UINT32_MAX);
    for (uint32_t i = 0; i < n; ++i)
      if (people.customers[i].customer_id)
        account_dense_[static_cast<size_t>(*people.customers[i].customer_id)] = i;
  } else {
    account_.reserve(n);
    for (uint32_t i = 0; i < n; ++i)
      if (people.customers[i].customer_id) account_[*people.customers[i].customer_id] = i;
  }
}

const People::Customer* PersonWriter::Account(int64_t customer_id) const {
  if (!account_dense_.empty()) {
    if (customer_id < 0 || static_cast<uint64_t>(customer_id) >= account_dense_.size())
      return nullptr;
    uint32_t i = account_dense_[static_cast<size_t>(customer_id)];
    return i == UINT32_MAX ? nullptr : &people_.customers[i];
  }
  auto it = account_.find(customer_id);
  return it == account_.end() ? nullptr : &people_.customers[it->second];
}

void PersonWriter::Expand(size_t index, AffectedPerson* out) {
  const AffectedSet::Person& sp = set_.people[index];
  AffectedPerson& p = *out;
  p.person_key.assign(sp.key);
  p.customer_id.reset();
  p.email.clear();
  p.name.clear();
  p.country.clear();
  p.region.clear();
  p.ambiguity.clear();
  p.first_exposure = sp.first;
  p.last_exposure = sp.last;
  // The strings of `out` and of this writer are reused from person to person.
  size_t reasons = 0, groups = 0;
  auto reason = [&]() -> Reason& {
    if (reasons == p.reasons.size()) p.reasons.emplace_back();
    return p.reasons[reasons++];
  };
  edges_.clear();
  bool first = true;
  for (uint32_t k = sp.hits_begin; k < sp.hits_end; ++k) {
    const Hit& h = set_.hits[k];
    evidence_.clear();
    if (h.via == Via::kDumpedAccount) {
      const People::Customer& c = people_.customers[h.record];
      if (first) CopyIdentity(c, &p);
      Reason& r = reason();
      r.exposure = h.exposure;
      r.text.assign("account in the stolen dump");
      r.own_length = r.text.size();
      r.text.append(": ").append(exposures_[h.exposure].description);
      r.evidence.clear();
      people_.AppendEvidence(c.evidence, c.line, &r.evidence);
    } else {
      const People::Order& o = people_.orders[h.record];
      if (first) {
        CopyIdentity(o, &p);
        // A registered customer keeps the account's identity.
        if (const People::Customer* c = o.customer_id ? Account(*o.customer_id) : nullptr) {
          if (!c->name.empty()) p.name.assign(c->name);
          if (!c->country.empty()) {
            p.country.assign(c->country);
            p.region.assign(c->region);
          }
        }
      }
      if (h.edge)
        edges_.push_back("order " + std::string(o.order_ref) +
                         " within a minute of the skimmer window's edge");
      people_.AppendEvidence(o.evidence, o.line, &evidence_);
      // Reasons: one per exposure and way, listing its orders.
      Group* g = nullptr;
      for (size_t i = 0; i < groups; ++i)
        if (groups_[i].exposure == h.exposure && groups_[i].via == h.via) g = &groups_[i];
      if (!g) {
        if (groups == groups_.size()) groups_.emplace_back();
        g = &groups_[groups++];
        g->exposure = h.exposure;
        g->via = h.via;
        g->count = 0;
        g->refs.clear();
      }
      if (g->count++) {
        g->refs += ", ";
        if (g->evidence != evidence_) g->evidence.append(", ").append(evidence_);
      } else {
        g->evidence.assign(evidence_);
      }
      g->refs.append(o.order_ref);
    }
    first = false;
  }
  for (size_t i = 0; i < groups; ++i) {
    const Group& g = groups_[i];
    Reason& r = reason();
    r.exposure = g.exposure;
    const char* orders = g.count > 1 ? "orders " : "order ";
    if (g.via == Via::kCardPayment) {
      r.text.assign("paid by card while the skimmer was live (").append(orders);
      r.text.append(g.refs).append(1, ')');
      r.own_length = r.text.size();
    } else {
      r.text.assign(orders).append(g.refs).append(" in the stolen dump");
      r.own_length = r.text.size();
      r.text.append(": ").append(exposures_[g.exposure].description);
    }
    r.evidence.assign(g.evidence);
  }
  p.reasons.resize(reasons);
  // Category sets are few: each is named once.
  auto names = category_names_.find(sp.categories);
  if (names == category_names_.end())
    names = category_names_.emplace(sp.categories, people_.CategoryNames(sp.categories)).first;
  p.categories = names->second;
  // People share a few places: each (country, region) is looked up once.
  place_key_.assign(p.country).append(1, '\0').append(p.region);
  auto place = places_.find(place_key_);
  if (place == places_.end())
    place = places_
                .emplace(place_key_,
                         std::pair{RegionCode(p.country, p.region), LanguageForCountry(p.country)})
                .first;
  p.region.assign(place->second.first);
  p.language.assign(place->second.second);
  // Ambiguities: sorted, no repeats, joined.
  amb_.clear();
  for (auto [flag, text] : kAmbiguities)
    if (sp.flags & flag) amb_.emplace_back(text);
  if (p.country.empty()) amb_.emplace_back("no country on record");
  for (const std::string& e : edges_) amb_.emplace_back(e);
  std::sort(amb_.begin(), amb_.end());
  amb_.erase(std::unique(amb_.begin(), amb_.end()), amb_.end());
  for (std::string_view x : amb_) {
    if (!p.ambiguity.empty()) p.ambiguity.append("; ");
    p.ambiguity.append(x);
  }
  // Reasons: deterministic order, no repeats.
  if (p.reasons.size() > 1) {
    std::sort(p.reasons.begin(), p.reasons.end());
    p.reasons.erase(std::unique(p.reasons.begin(), p.reasons.end()), p.reasons.end());
  }
}

std::vector<AffectedPerson> ComputeAffected(const std::vector<CustomerRecord>& customers,
                                            const std::vector<OrderRecord>& orders,
                                            const std::vector<Exposure>& exposures,
                                            std::optional<UnixMicros> discovered_at) {
  People people;
  for (const CustomerRecord& c : customers) people.Add(c);
  for (const OrderRecord& o : orders) people.Add(o);
  AffectedSet set = ComputeAffected(people, exposures, discovered_at);
  PersonWriter writer(people, exposures, set);
  std::vector<AffectedPerson> out(set.people.size());
  for (size_t i = 0; i < out.size(); ++i) writer.Expand(i, &out[i]);
  return out;
}

std::string ExposureAmbiguity(const Exposure& e) {
  if (e.kind == Exposure::Kind::kDump && e.tables.empty())
    return "the dump's tables are unknown: every personal-data table is assumed taken";
  if (e.kind == Exposure::Kind::kSkimmer && !e.end)
    return "the skimmer's removal time is unknown; window closed at discovery";
  return "";
}

std::string RegionCode(const std::string& country, const std::string& region) {
  std::string r(Trim(region));
  if (r.empty()) return "";
  std::string c = country;
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // "US-CA" as some stores write it.
  if (r.size() > 3 && r[2] == '-' && Lower(r.substr(0, 2)) == Lower(c)) r = r.substr(3);
  std::string lr = Lower(r);
  static const auto* table = [] {
    auto* m = new std::map<std::pair<std::string, std::string>, std::string>;
    std::istringstream in(kRegionsTsv);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream f(line);
      std::string cc, code, name;
      std::getline(f, cc, '\t');
      std::getline(f, code, '\t');
      std::getline(f, name);
      (*m)[{cc, Lower(code)}] = code;
      (*m)[{cc, Lower(name)}] = code;
    }
    return m;
  }();
  auto it = table->find({c, lr});
  if (it != table->end()) return it->second;
  std::string up = r;
  for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return up;
}

std::string Jurisdiction(const AffectedPerson& p) {
  std::string c = p.country;
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (c.empty()) return "";
  if ((c == "US" || c == "CA" || c == "AU") && !p.region.empty()) return c + "-" + p.region;
  return c;
}

std::string LanguageForCountry(const std::string& country) {
  static const std::map<std::string, std::string> kLang = {
      {"DE", "de"}, {"AT", "de"}, {"CH", "de"}, {"LI", "de"}, {"FR", "fr"}, {"BE", "fr"},
      {"LU", "fr"}, {"MC", "fr"}, {"ES", "es"}, {"MX", "es"}, {"AR", "es"}, {"CO", "es"},
      {"CL", "es"}, {"PE", "es"}, {"IT", "it"}, {"NL", "nl"}, {"PT", "pt"}, {"BR", "pt"},
      {"PL", "pl"}, {"SE", "sv"}, {"DK", "da"}, {"NO", "nb"}, {"FI", "fi"}, {"JP", "ja"},
      {"US", "en"}, {"GB", "en"}, {"IE", "en"}, {"CA", "en"}, {"AU", "en"}, {"NZ", "en"},
      {"SG", "en"}, {"IN", "en"}, {"ZA", "en"}, {"CZ", "cs"}, {"GR", "el"}, {"RO", "ro"},
      {"HU", "hu"}, {"TR", "tr"}, {"KR", "ko"}, {"CN", "zh"}};
  std::string c = country;
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto it = kLang.find(c);
  return it == kLang.end() ? "" : it->second;
}

void AppendAffectedCsvRow(const AffectedPerson& p, std::string* out) {
  thread_local std::string cats, reasons;
  cats.clear();
  reasons.clear();
  for (const auto& c : p.categories) {
    if (!cats.empty()) cats += ';';
    cats += c;
  }
  for (const Reason& r : p.reasons) {
    if (!reasons.empty()) reasons += " | ";
    reasons.append(r.text).append(" [").append(r.evidence) += ']';
  }
  auto field = [out](std::string_view v, bool first = false) {
    if (!first) *out += ',';
    AppendCsvField(v, out);
  };
  field(p.person_key, true);
  field(p.customer_id ? std::to_string(*p.customer_id) : "");
  field(p.email);
  field(p.name);
  field(p.country);
  field(p.region);
  field(Jurisdiction(p));
  field(p.language);
  field(cats);
  // Most people share their exposure times (a dump's): the last one is formatted once.
  thread_local std::optional<UnixMicros> last_time;
  thread_local std::string last_text;
  auto time = [&](std::optional<UnixMicros> t) -> const std::string& {
    if (t != last_time) {
      last_time = t;
      last_text = t ? FormatUtc(*t) : "";
    }
    return last_text;
  };
  field(time(p.first_exposure));
  field(time(p.last_exposure));
  field(reasons);
  field(p.ambiguity);
  *out += '\n';
}

std::string AffectedCsv(const std::vector<AffectedPerson>& people) {
  std::string out(kAffectedCsvHeader);
  out.reserve(out.size() + people.size() * 256);
  for (const AffectedPerson& p : people) AppendAffectedCsvRow(p, &out);
  return out;
}

}  // namespace tq::scope
