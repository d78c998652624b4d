// The customer and order rows of a dump held in memory until the dump has been read, and
// joined there: each order with its first billing address and first payment, each customer
// with its default billing address (else its address of lowest id) and what its addresses
// hold. The rows may come in any table order. The analyzer (customers_join.cc) writes each
// joined row once into storedb_customer / storedb_order, in the order the rows were added.
// Memory is counted (bytes()) and capped by the caller.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storedb/row_arena.h"

namespace tq::storedb {

struct HeldCustomer {
  std::string_view source_table, entity_id, default_billing, email, name;
  std::optional<int64_t> created_at;
  uint64_t line = 0, offset = 0, held = 0;  // held: category bits of the row itself
};

struct HeldOrder {
  std::string_view source_table, order_id, increment_id;
  std::optional<std::string_view> customer_id;  // as written in the dump; null for a guest
  std::string_view email, name, status, grand_total, payment_method;
  std::optional<int64_t> created_at;
  uint64_t line = 0, offset = 0, held = 0;
};

struct OrderBillingAddress {
  std::string_view first, last, country, region, street, city, postcode, email;
  bool any_phone = false;  // any billing address of the order has a phone number
};

struct OrderPayment {
  std::string_view method, cc_last4, cc_type;
};

struct CustomerAddressFacts {
  std::optional<std::pair<std::string_view, std::string_view>> place;  // country, region
  bool postal = false;  // an address with a street, city or postcode
  bool phone = false;   // an address with a phone number
};

class PeopleJoin {
 public:
  void AddCustomer(const HeldCustomer& c);
  void AddCustomerAddress(std::string_view id, std::string_view parent_id, std::string_view country,
                          std::string_view region, bool postal, bool phone);
  void AddOrder(const HeldOrder& o);
  void AddOrderAddress(std::string_view parent_id, const OrderBillingAddress& a);
  void AddPayment(std::string_view parent_id, const OrderPayment& p);

  size_t customers() const { return customers_.size(); }
  size_t orders() const { return orders_.size(); }
  HeldCustomer Customer(size_t i) const;  // views valid while this lives
  HeldOrder Order(size_t i) const;
  // Readies the lookups of order i (BillingAddress, Payment) a few orders ahead: the slot of
  // its id first (stage 0), then its records (stage 1), so that the lookups hit the cache.
  void PrefetchOrder(size_t i, int stage) const;
  // The first billing address and the first payment added for an order id.
  std::optional<OrderBillingAddress> BillingAddress(std::string_view order_id) const;
  std::optional<OrderPayment> Payment(std::string_view order_id) const;
  // `customer_key`: the customer id as SQLite prints it (IntegerAffinityText).
  CustomerAddressFacts CustomerAddresses(std::string_view customer_key) const;
  uint64_t bytes() const;
  void Clear();  // frees every held row

 private:
  uint32_t SourceIndex(std::string_view table);
  // The fields customer and order records end with: table, time, place and categories.
  void WriteWhere(std::string_view source_table, std::optional<int64_t> created_at, uint64_t line,
                  uint64_t offset, uint64_t held);
  void ReadWhere(RecordReader& r, std::string_view* source_table,
                 std::optional<int64_t>* created_at, uint64_t* line, uint64_t* offset,
                 uint64_t* held) const;
  // The record of kind 0 (billing address) or 1 (payment) of an order, after its parent_id.
  std::optional<RecordReader> OrderRecord(std::string_view order_id, int kind,
                                          uint32_t* flags) const;
  RowArena arena_;
  std::vector<std::string> sources_;  // the customer and order tables, by index
  std::map<std::string, uint32_t, std::less<>> source_ids_;
  uint32_t last_source_ = 0;
  std::vector<RowArena::Ref> customers_, orders_;
  // order id -> [0] first billing address, [1] first payment; flag 1: a billing phone.
  RowIndex by_order_{arena_, 0, 0};
  // customer key -> [0] its address of lowest id (the first such), [1] the first customer
  // row of that id naming a default billing address; flags kPostal, kPhone.
  RowIndex by_customer_{arena_, 1, 0};
  // address id -> [0] the first customer address of that id.
  RowIndex by_address_id_{arena_, 0};
  // The later customer rows of an id with a default billing address (a dump repeating a
  // customer), in order.
  std::map<std::string, std::vector<RowArena::Ref>, std::less<>> repeated_billing_;
  uint64_t repeated_bytes_ = 0;
  RecordWriter w_;
};

}  // namespace tq::storedb
