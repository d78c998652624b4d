// The in-memory join of customers and orders: which billing address, payment and place each
// row gets, whatever order the rows come in.
#include "storedb/people_join.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "storedb/storedb.h"

namespace tq::storedb {
namespace {

OrderBillingAddress Address(std::string_view first, std::string_view country, bool phone) {
  return {first, "Last", country, "R", "1 Street", "City", "75001", "a@x.test", phone};
}

TEST(PeopleJoin, OrdersGetTheirFirstBillingAddressAndPaymentAddedBeforeOrAfter) {
  PeopleJoin j;
  j.AddOrderAddress("2", Address("Early", "DE", false));  // before its order
  HeldOrder o;
  o.source_table = "sales_order";
  o.order_id = "1";
  o.increment_id = "1001";
  o.customer_id = "5";
  o.email = "o@x.test";
  o.created_at = -3;
  o.line = 7;
  o.offset = 99;
  o.held = 9;
  j.AddOrder(o);
  o.order_id = "2";
  o.customer_id.reset();
  o.created_at.reset();
  j.AddOrder(o);
  j.AddOrderAddress("1", Address("First", "FR", false));
  j.AddOrderAddress("1", Address("Second", "IT", true));  // not read, but its phone counts
  j.AddPayment("1", {"braintree", "1111", "VI"});
  j.AddPayment("1", {"checkmo", "", ""});
  j.AddOrderAddress("2", Address("Late", "ES", false));

  ASSERT_EQ(j.orders(), 2u);
  HeldOrder a = j.Order(0), b = j.Order(1);
  EXPECT_EQ(a.order_id, "1");
  EXPECT_EQ(a.increment_id, "1001");
  EXPECT_EQ(a.customer_id, std::optional<std::string_view>("5"));
  EXPECT_EQ(a.source_table, "sales_order");
  EXPECT_EQ(a.created_at, std::optional<int64_t>(-3));
  EXPECT_EQ(a.line, 7u);
  EXPECT_EQ(a.offset, 99u);
  EXPECT_EQ(a.held, 9u);
  EXPECT_EQ(b.customer_id, std::nullopt);
  EXPECT_EQ(b.created_at, std::nullopt);

  std::optional<OrderBillingAddress> a1 = j.BillingAddress("1");
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->first, "First");
  EXPECT_EQ(a1->country, "FR");
  EXPECT_TRUE(a1->any_phone);
  std::optional<OrderBillingAddress> a2 = j.BillingAddress("2");
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->first, "Early");
  EXPECT_FALSE(a2->any_phone);
  std::optional<OrderPayment> p1 = j.Payment("1");
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->method, "braintree");
  EXPECT_EQ(p1->cc_last4, "1111");
  EXPECT_FALSE(j.Payment("2"));
  EXPECT_FALSE(j.BillingAddress("3"));
  EXPECT_FALSE(j.BillingAddress("01"));  // ids are compared as text
}

TEST(PeopleJoin, CustomersGetTheirDefaultBillingAddressElseTheirAddressOfLowestId) {
  PeopleJoin j;
  HeldCustomer c;
  c.source_table = "customer_entity";
  c.entity_id = "10";
  c.default_billing = "103";  // added after the customer
  j.AddCustomer(c);
  j.AddCustomerAddress("9", "10", "DE", "Berlin", false, false);
  j.AddCustomerAddress("103", "10", "FR", "Paris", true, false);
  // Customer 20: no default billing; its addresses' ids compare as integers ("8" < "12"),
  // the first of equal ones wins ("8x" is 8 too).
  j.AddCustomerAddress("12", "20", "IT", "Roma", false, true);
  j.AddCustomerAddress("8", "20", "ES", "Madrid", false, false);
  j.AddCustomerAddress("8x", "20", "PT", "Lisboa", false, false);
  // Customer 30 is in the dump twice: the first row's default billing names no address, the
  // second's does (an address of another customer: the id is what counts).
  c.entity_id = "30";
  c.default_billing = "999";
  j.AddCustomer(c);
  c.default_billing = "9";
  j.AddCustomer(c);

  CustomerAddressFacts f10 = j.CustomerAddresses("10");
  ASSERT_TRUE(f10.place);
  EXPECT_EQ(f10.place->first, "FR");
  EXPECT_EQ(f10.place->second, "Paris");
  EXPECT_TRUE(f10.postal);
  EXPECT_FALSE(f10.phone);
  CustomerAddressFacts f20 = j.CustomerAddresses("20");
  ASSERT_TRUE(f20.place);
  EXPECT_EQ(f20.place->first, "ES");
  EXPECT_FALSE(f20.postal);
  EXPECT_TRUE(f20.phone);
  CustomerAddressFacts f30 = j.CustomerAddresses("30");
  ASSERT_TRUE(f30.place);
  EXPECT_EQ(f30.place->first, "DE");
  EXPECT_FALSE(f30.postal);  // the address belongs to customer 10
  EXPECT_FALSE(j.CustomerAddresses("40").place);

  ASSERT_EQ(j.customers(), 3u);
  EXPECT_EQ(j.Customer(0).entity_id, "10");
  EXPECT_EQ(j.Customer(2).default_billing, "9");
  EXPECT_GT(j.bytes(), 0u);
}

TEST(PeopleJoin, RowsKeepTheirTableAsTablesAlternate) {
  PeopleJoin j;
  std::vector<std::string> tables;
  for (int i = 0; i < 3000; ++i) tables.push_back("t" + std::to_string(i % 1000) + "_sales_order");
  for (size_t i = 0; i < tables.size(); ++i) {
    HeldOrder o;
    o.source_table = tables[i];
    std::string id = std::to_string(i);
    o.order_id = id;
    j.AddOrder(o);
  }
  ASSERT_EQ(j.orders(), tables.size());
  for (size_t i = 0; i < tables.size(); ++i) {
    ASSERT_EQ(j.Order(i).source_table, tables[i]) << i;
    ASSERT_EQ(j.Order(i).order_id, std::to_string(i)) << i;
  }
  j.Clear();
  EXPECT_EQ(j.orders(), 0u);
  EXPECT_EQ(j.bytes(), 0u);
}

// The memory cap of the join follows the machine: half of its memory, never under 1 GiB.
TEST(PeopleJoin, DefaultCapIsHalfTheMachinesMemory) {
  uint64_t phys = static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                  static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_GE(DefaultPeopleBytes(), 1024ull << 20);
  EXPECT_EQ(DefaultPeopleBytes(), std::max<uint64_t>(phys / 2, 1024ull << 20));
  EXPECT_EQ(AnalyzeOptions().max_people_bytes, DefaultPeopleBytes());
}

}  // namespace
}  // namespace tq::storedb
