// Request shapes: the admin area, login posts, downloads, web-root URLs, checkout calls.
#include "analysis/request_shape.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tq::analysis {
namespace {

using ::testing::ElementsAre;

TEST(RequestShape, AdminPaths) {
  struct Case {
    const char* path;
    bool admin;
  } cases[] = {
      {"/admin/dashboard/", true},
      {"/admin_k9x2/sales/order/", true},
      {"/index.php/admin/", true},
      {"/wp-admin/post.php", true},
      {"/wp-login.php", true},
      {"/admin-chair.html", false},
      {"/catalog/admin/", false},
      {"/", false},
      {"", false},
      {"/index.php/catalog/", false},
  };
  for (const Case& c : cases) EXPECT_EQ(IsAdminPath(c.path), c.admin) << c.path;
}

TEST(RequestShape, DownloadsLoginsAndUrls) {
  EXPECT_TRUE(IsDownloadPath("/media/tmp/DB.SQL.GZ"));
  EXPECT_TRUE(IsDownloadPath("/var/export/customers.csv"));
  EXPECT_FALSE(IsDownloadPath("/static/app.js"));
  EXPECT_FALSE(IsDownloadPath("/robots.txt"));
  EXPECT_TRUE(IsLoginPost("POST", "/customer/account/loginPost/"));
  EXPECT_TRUE(IsLoginPost("POST", "/xmlrpc.php"));
  EXPECT_FALSE(IsLoginPost("GET", "/wp-login.php"));
  EXPECT_THAT(UrlPathsForWebrootFile("pub/media/x.php"),
              ElementsAre("/pub/media/x.php", "/media/x.php"));
  EXPECT_THAT(UrlPathsForWebrootFile("./wp-content/uploads/x.php"),
              ElementsAre("/wp-content/uploads/x.php", "/uploads/x.php"));
  EXPECT_THAT(UrlPathsForWebrootFile("x.php"), ElementsAre("/x.php"));
  EXPECT_EQ(LevelRank("Critical"), 4);
  EXPECT_EQ(LevelRank("bogus"), -1);
}

TEST(RequestShape, CheckoutCalls) {
  struct Case {
    const char* method;
    const char* path;
    CheckoutCall want;
  } cases[] = {
      {"POST", "/rest/default/V1/guest-carts/abc/shipping-information", CheckoutCall::kAddress},
      {"POST", "/rest/V1/carts/mine/billing-address", CheckoutCall::kAddress},
      {"POST", "/rest/en/V1/guest-carts/abc/payment-information/", CheckoutCall::kPlaceOrder},
      {"PUT", "/rest/V1/carts/mine/order", CheckoutCall::kPlaceOrder},
      {"GET", "/rest/V1/guest-carts/abc/shipping-information", CheckoutCall::kNone},
      {"POST", "/checkout/onepage/saveBilling/", CheckoutCall::kNone},
      {"POST", "/rest/V1/guest-carts", CheckoutCall::kNone},
      {"POST", "/blog/shipping-information", CheckoutCall::kNone},
      {"POST", "", CheckoutCall::kNone},
  };
  for (const Case& c : cases)
    EXPECT_EQ(CheckoutCallOf(c.method, c.path), c.want) << c.method << " " << c.path;
}

}  // namespace
}  // namespace tq::analysis
