// The guest customers of a dump's orders: one per e-mail address that ordered without an
// account, as storedb_customer has them (customers_join.cc). What SQLite gave for
//   SELECT source_table,email,name,country,region,min(created_at),line,byte_offset
//   FROM storedb_order WHERE evidence_id=? AND customer_id IS NULL AND email<>''
//   GROUP BY lower(email)
// over the orders written (read through the unique index on (evidence_id, order_id)), found
// in memory instead of a second pass over the two million orders: addresses compared in
// ASCII lower case (SQLite's lower()), the groups in byte order of that; in a group the
// orders by order id (bytes), the row shown that of the first order with the earliest
// created_at, or of the last order when none has a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tq::storedb {

struct GuestOrder {
  std::string_view source_table, order_id, email, name, country, region;
  std::optional<int64_t> created_at;
  uint64_t line = 0, offset = 0;
};

class GuestCustomers {
 public:
  // An order written without a customer id and with an e-mail address (its values copied).
  void Add(const GuestOrder& o);
  size_t orders() const { return orders_.size(); }
  uint64_t bytes() const;
  // Each guest customer, in order: the row shown, its created_at the group's earliest.
  Status ForEach(const std::function<Status(const GuestOrder&)>& fn) const;

 private:
  enum Field { kLowerEmail, kSource, kOrderId, kEmail, kName, kCountry, kRegion, kFields };
  struct Entry {
    uint64_t at = 0;  // in text_: the fields one after another
    uint32_t len[kFields] = {};
    std::optional<int64_t> created_at;
    uint64_t line = 0, offset = 0;
  };
  std::string_view Get(const Entry& e, Field f) const;
  std::string text_;
  std::vector<Entry> orders_;
};

}  // namespace tq::storedb
