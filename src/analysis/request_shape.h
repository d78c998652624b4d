// The shapes of requests every PHP store shares: the admin area, login forms, downloads of
// archives and dumps, and how a file under the web root is reached by URL. Internal to
// analysis.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tq::analysis {

// Sigma levels: informational 0, low 1, medium 2, high 3, critical 4; unknown -1.
int LevelRank(std::string_view level);

// The admin area: Magento's admin front name ("/admin", "/admin_x1y2", "/index.php/admin"),
// WordPress's wp-admin and wp-login.php, a "/backend" front name.
bool IsAdminPath(std::string_view path);

// A login form post (customer or admin): POST to a path naming a login, or xmlrpc.php.
bool IsLoginPost(std::string_view method, std::string_view path);

// An archive, database dump or export a store does not normally serve.
bool IsDownloadPath(std::string_view path);

// The checkout calls of Magento's REST API (guest-carts and carts/mine, any store code): the
// ones that submit the shopper's address, and the ones that place the order.
enum class CheckoutCall { kNone, kAddress, kPlaceOrder };
// kAddress: POST .../shipping-information, .../billing-address; kPlaceOrder: POST
// .../payment-information, PUT .../order.
CheckoutCall CheckoutCallOf(std::string_view method, std::string_view path);

// URL paths that may reach a file given relative to the collected tree: the whole path and
// every suffix at a directory boundary that keeps a directory. Magento serves pub/ as the
// document root in production, so "pub/media/x.php" is reached as "/pub/media/x.php" and
// "/media/x.php".
std::vector<std::string> UrlPathsForWebrootFile(std::string_view relative_path);

}  // namespace tq::analysis
