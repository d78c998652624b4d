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
//   scope_count(jurisdiction, category, people)  -- jurisdiction 'US-CA', 'CA-ON', 'AU-NSW' or a
//                country code; category '*' counts people whatever they lost
//   scope_exposure(id, kind, start, end, description, evidence)  -- what the run used
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
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

struct AffectedPerson {
  std::string person_key;
  std::optional<int64_t> customer_id;
  std::string email, name, country, region, language;
  std::vector<std::string> categories;  // sorted, unique
  std::optional<UnixMicros> first_exposure, last_exposure;
  std::vector<std::pair<std::string, std::string>> reasons;  // reason, evidence
  std::string ambiguity;
};

// Categories a skimmer on the payment page takes from a card payer: what the checkout form
// holds (the order's name, email, phone, address) and the card.
std::vector<std::string> SkimmedCategories(const OrderRecord& order);

// The affected people for these exposures, sorted by person key. Pure: no I/O.
// `discovered_at` closes a skimmer window that has no end.
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

}  // namespace tq::scope
