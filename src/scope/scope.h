// Scope: who is affected, what each of them lost, and where they live.
//
// Inputs: the investigation's exposures (a skimmer's live window, a database dump that left
// the server) and the store database's people (storedb_customer, storedb_order, with the
// personal-data categories each row holds). Output: one affected person per email (or
// customer id when there is no email), with the categories lost, first and last exposure,
// the reasons with their evidence, and an ambiguity note where the data cannot settle it.
//
// Case tables (contract shared with notify, report, serve, status):
//   scope_person(id, person_key UNIQUE, customer_id, email, name, country, region, language,
//                categories JSON, first_exposure, last_exposure, reasons JSON, ambiguity)
//                -- reasons: [{"reason", "exposure" (a scope_exposure id), "evidence"}];
//                the reason's text is completed by that exposure's description
//   scope_count(jurisdiction, category, people)  -- jurisdiction 'US-CA', 'CA-ON', 'AU-NSW' or a
//                country code; category '*' counts people whatever they lost
//   scope_exposure(id, kind, start, end, description, evidence, ambiguity)  -- what the run
//                used; ambiguity holds for everybody it took (a dump's unknown tables)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "core/time.h"

namespace tq::scope {

// A customer account in the store database.
struct CustomerRecord {
  std::optional<int64_t> customer_id;
  std::string email, name, country, region;
  std::optional<UnixMicros> created_at;
  std::vector<std::string> categories;  // what the account's rows hold (name, email, ...)
  std::string source_table;
  std::string evidence;  // "db/store.sql:1234" style reference
};

// An order (registered customer or guest).
struct OrderRecord {
  std::string order_ref;  // increment id or order id
  std::optional<int64_t> customer_id;
  std::string email, name, country, region;
  std::optional<UnixMicros> created_at;
  bool card_payment = false;
  std::vector<std::string> categories;  // what the order's rows hold
  std::string source_table;
  std::string evidence;
};

struct Exposure {
  enum class Kind { kSkimmer, kDump } kind = Kind::kSkimmer;
  UnixMicros start = 0;
  std::optional<UnixMicros> end;  // skimmer: removal (none = still live at discovery)
  std::string description;
  std::string evidence;
  // Dump: the tables it held (canonical names, e.g. customer_entity); empty = unknown, every
  // personal-data table is assumed taken (and said so).
  std::vector<std::string> tables;
};

// Category lists as bits. The PII map has eleven categories; should rows carry more than 63
// distinct names, the rest share the last bit, reported as "other_personal_data" (never
// dropped).
class CategoryBits {
 public:
  static constexpr int kOther = 63;
  uint64_t Bits(const std::vector<std::string>& names);
  uint64_t Bit(std::string_view name);
  // Sorted names of the set bits.
  std::vector<std::string> Names(uint64_t bits) const;

 private:
  std::vector<std::string> names_;
};

// Text kept in blocks that never move, for string_views that stay valid.
class TextArena {
 public:
  std::string_view Keep(std::string_view s);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0, size_ = 0;
};

// The store's people, packed for a million customers and millions of orders: strings live in
// arenas (string_views below point into them), category lists are bits, tables and evidence
// names are small indexes. Each loading thread fills an arena of its own (NewArena); the
// shared tables are guarded.
class People {
 public:
  struct Customer {
    std::optional<int64_t> customer_id;
    std::string_view email, name, country, region;
    std::optional<UnixMicros> created_at;
    uint64_t categories = 0;
    uint32_t table = 0;     // index into Table()
    uint32_t evidence = 0;  // index into EvidenceName()
    int64_t line = 0;
  };
  struct Order {
    std::string_view order_ref;
    std::optional<int64_t> customer_id;
    std::string_view email, name, country, region;
    std::optional<UnixMicros> created_at;
    uint64_t categories = 0;
    uint32_t table = 0;
    uint32_t evidence = 0;
    int64_t line = 0;
    bool card_payment = false;
  };

  People();
  ~People();
  People(const People&) = delete;
  People& operator=(const People&) = delete;

  // Copies of the records (tests, small inputs); "store.sql:1234" evidence is split into the
  // item and the line.
  void Add(const CustomerRecord& r);
  void Add(const OrderRecord& r);

  TextArena& NewArena();
  uint64_t CategoryBitsOf(const std::vector<std::string>& names);
  uint64_t CategoryBitOf(std::string_view name);
  std::vector<std::string> CategoryNames(uint64_t bits) const;
  uint32_t TableIndex(std::string_view name);
  uint32_t EvidenceIndex(std::string_view name);
  const std::string& Table(uint32_t i) const { return tables_[i]; }
  size_t TableCount() const;
  const std::string& EvidenceName(uint32_t i) const { return evidence_[i]; }
  // "store.sql:1234" (the line left off when unknown).
  void AppendEvidence(uint32_t evidence, int64_t line, std::string* out) const;

  std::vector<Customer> customers;
  std::vector<Order> orders;

 private:
  void SplitEvidence(std::string_view ref, uint32_t* evidence, int64_t* line);
  // What customers and orders share, copied into the Add() arena.
  template <typename Record, typename Packed>
  void Pack(const Record& r, Packed* out);

  mutable std::mutex mu_;  // guards the arena list and the three tables below
  std::vector<std::unique_ptr<TextArena>> arenas_;
  TextArena* added_ = nullptr;  // Add()'s
  CategoryBits categories_;
  std::vector<std::string> tables_, evidence_;
  std::unordered_map<std::string, uint32_t> evidence_index_;
};

// How a record exposed its person.
enum class Via : uint8_t { kCardPayment, kDumpedAccount, kDumpedOrder };

// The affected set, compact: one entry per person, and the records that exposed each.
struct AffectedSet {
  struct Hit {
    uint32_t person;
    uint16_t exposure;
    Via via;
    uint8_t flags;    // ambiguity flags
    uint32_t record;  // index into customers (kDumpedAccount) or orders
    uint64_t cats;
    UnixMicros when;
    bool edge;  // an order at the skimmer window's edge
  };
  struct Person {
    std::string_view key;  // into keys
    uint64_t categories = 0;
    UnixMicros first = 0, last = 0;
    uint8_t flags = 0;
    uint32_t hits_begin = 0, hits_end = 0;  // range of `hits`, in the order found
  };
  std::vector<Person> people;  // sorted by key
  std::vector<Hit> hits;       // grouped by person, in people's order
  std::string keys;            // the person keys, back to back
};

// Why a person is affected: "orders 100, 105 in the stolen dump: database dump /x.sql
// downloaded", with the evidence of those rows.
struct Reason {
  std::string text;
  std::string evidence;
  uint16_t exposure = 0;  // index into the exposures
  // The text without the exposure's description (": database dump ..."), as the case keeps
  // it beside the exposure's id.
  size_t own_length = 0;
  std::string_view Own() const { return std::string_view(text).substr(0, own_length); }
  bool operator<(const Reason& o) const {
    return std::tie(text, evidence, exposure) < std::tie(o.text, o.evidence, o.exposure);
  }
  bool operator==(const Reason& o) const {
    return text == o.text && evidence == o.evidence && exposure == o.exposure;
  }
};

struct AffectedPerson {
  std::string person_key;
  std::optional<int64_t> customer_id;
  std::string email, name, country, region, language;
  std::vector<std::string> categories;  // sorted, unique
  std::optional<UnixMicros> first_exposure, last_exposure;
  std::vector<Reason> reasons;  // sorted
  // What the data cannot settle for this person (no country, a guest matched by email only,
  // an order at a window's edge, ...); what holds for a whole exposure is the exposure's.
  std::string ambiguity;
};

// What the data cannot settle for everybody an exposure took: a dump whose tables are unknown,
// a skimmer whose removal time is unknown. "" when nothing.
std::string ExposureAmbiguity(const Exposure& e);

// The affected people for these exposures, sorted by person key. Pure: no I/O.
// `discovered_at` closes a skimmer window that has no end.
// `threads` 0 picks one for small stores and two for big ones; the result is the same.
AffectedSet ComputeAffected(People& people, const std::vector<Exposure>& exposures,
                            std::optional<UnixMicros> discovered_at, size_t threads = 0);

// Spells out one person of the set: identity, categories, reasons, region code, language and
// ambiguities. Keeps per-place lookups between calls; reuses `out`'s storage.
class PersonWriter {
 public:
  PersonWriter(const People& people, const std::vector<Exposure>& exposures,
               const AffectedSet& set);
  void Expand(size_t index, AffectedPerson* out);

 private:
  struct Group {  // one reason in the making
    uint16_t exposure = 0;
    Via via = Via::kCardPayment;
    std::string refs, evidence;
    int count = 0;
  };
  const People::Customer* Account(int64_t customer_id) const;

  const People& people_;
  const std::vector<Exposure>& exposures_;
  const AffectedSet& set_;
  std::vector<uint32_t> account_dense_;            // customer id -> index in customers
  std::unordered_map<int64_t, uint32_t> account_;  // the same, when ids are sparse
  std::unordered_map<std::string, std::pair<std::string, std::string>> places_;
  std::unordered_map<uint64_t, std::vector<std::string>> category_names_;
  std::string place_key_, evidence_;
  std::vector<Group> groups_;
  std::vector<std::string> edges_;
  std::vector<std::string_view> amb_;
};

// The same on record lists: packs them and spells out every person (tests, small inputs).
std::vector<AffectedPerson> ComputeAffected(const std::vector<CustomerRecord>& customers,
                                            const std::vector<OrderRecord>& orders,
                                            const std::vector<Exposure>& exposures,
                                            std::optional<UnixMicros> discovered_at);

// 'US-CA' for a US/Canadian/Australian person with a known region, else the country, else ''.
std::string Jurisdiction(const AffectedPerson& p);
// Normalises a region as stores keep it ("California", "ca", "Québec") to its code ("CA").
std::string RegionCode(const std::string& country, const std::string& region);
// Language for letters from the country (de for DE/AT, fr for FR, ...; '' when unknown).
std::string LanguageForCountry(const std::string& country);

struct ScopeSummary {
  int64_t people = 0;
  std::map<std::string, int64_t> per_category;
  std::map<std::string, int64_t> per_jurisdiction;
  int64_t ambiguous = 0;
  std::vector<Exposure> exposures;
  std::vector<std::string> notes;  // what the scope could not see (no db evidence, ...)
};

// Reads exposures and people from the case, computes the affected set, replaces the scope
// tables in one transaction, and writes <case>/reports/scope.csv.
Result<ScopeSummary> RunScope(Case& c);

// CSV of the affected people (every field escaped against formula injection).
std::string AffectedCsv(const std::vector<AffectedPerson>& people);
constexpr std::string_view kAffectedCsvHeader =
    "person_key,customer_id,email,name,country,region,jurisdiction,language,categories,"
    "first_exposure,last_exposure,reasons,ambiguity\n";
// One CSV row (with its newline), appended to `out`.
void AppendAffectedCsvRow(const AffectedPerson& p, std::string* out);

}  // namespace tq::scope
