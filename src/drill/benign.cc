// Legitimate activity with exact times, the part of a store's traffic that matters for the
// answer: every logged order's checkout, the admins' daily sessions from the office, an admin
// account created legitimately, a legitimate large export. Plus helpers the scenarios share.
#include <algorithm>
#include <cstdio>
#include <map>

#include "drill/schedule.h"

namespace tq::drill {

uint32_t AttackerIp(Rng& r) {
  static const uint8_t kOctets[] = {5,   31,  37,  45,  46,  62,  103, 141,
                                    146, 154, 167, 185, 193, 194, 195};
  uint32_t a = r.Pick(kOctets);
  return (a << 24) | (static_cast<uint32_t>(r.Below(256)) << 16) |
         (static_cast<uint32_t>(r.Below(256)) << 8) | static_cast<uint32_t>(2 + r.Below(250));
}

std::string_view AttackerUa(Rng& r) {
  static const char* kUas[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/125.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 "
      "Safari/537.36",
  };
  return r.Pick(kUas);
}

std::vector<int> CardOrdersBetween(const Store& s, UnixMicros from, UnixMicros to) {
  std::vector<int> out;
  for (size_t i = 0; i < s.orders.size(); ++i) {
    const Order& o = s.orders[i];
    if (o.pay == PayKind::kCard && o.time >= from && o.time < to)
      out.push_back(static_cast<int>(i));
  }
  return out;
}

static Affected* FindAffected(Breach* b, const std::string& email) {
  for (auto& a : b->truth.affected) {
    if (a.email == email) return &a;
  }
  return nullptr;
}

static void MergeCats(std::vector<std::string>* into, const std::vector<std::string>& cats) {
  for (const auto& c : cats) {
    if (std::find(into->begin(), into->end(), c) == into->end()) into->push_back(c);
  }
}

void AddDumpedPeople(const Store& s, UnixMicros t, const std::vector<std::string>& cats,
                     const std::string& reason, Breach* b) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < b->truth.affected.size(); ++i) index[b->truth.affected[i].email] = i;
  auto add = [&](int cust, const std::string& email, const std::string& name, const Address& addr,
                 std::vector<std::string> c) {
    auto it = index.find(email);
    if (it != index.end()) {
      Affected& a = b->truth.affected[it->second];
      MergeCats(&a.categories, c);
      if (a.reason.find(reason) == std::string::npos) a.reason += "; " + reason;
      return;
    }
    Affected a;
    a.customer = cust;
    a.email = email;
    a.name = name;
    a.country = addr.country;
    a.region = addr.region_code;
    a.categories = std::move(c);
    a.reason = reason;
    index[email] = b->truth.affected.size();
    b->truth.affected.push_back(std::move(a));
  };
  std::vector<bool> ordered(s.customers.size(), false);
  for (const Order& o : s.orders) {
    if (o.time < t && o.customer >= 0) ordered[o.customer] = true;
  }
  for (size_t i = 0; i < s.customers.size(); ++i) {
    const Customer& c = s.customers[i];
    if (c.created >= t) continue;
    std::vector<std::string> cc = cats;
    // The dumped tables hold a client IP only on orders: an account that never ordered
    // lost no IP address.
    if (!ordered[i]) cc.erase(std::remove(cc.begin(), cc.end(), "ip_address"), cc.end());
    if (ordered[i]) MergeCats(&cc, {"order_history"});
    if (!c.dob.empty()) MergeCats(&cc, {"date_of_birth"});
    add(static_cast<int>(i), c.email, c.first + " " + c.last, c.addr, cc);
  }
  for (const Order& o : s.orders) {
    if (o.time >= t || o.customer >= 0) continue;
    std::vector<std::string> cc = cats;
    cc.erase(std::remove(cc.begin(), cc.end(), "password_hash"), cc.end());
    cc.erase(std::remove(cc.begin(), cc.end(), "date_of_birth"), cc.end());
    MergeCats(&cc, {"order_history"});
    add(-1, o.email, o.first + " " + o.last, o.addr, cc);
  }
}

void AddCardVictim(const Store& s, const Order& o, Breach* b) {
  (void)s;
  std::string why = "paid by card while skimmer live (order " + o.increment_id + ")";
  std::vector<std::string> cats = {"name", "email", "phone", "postal_address", "payment_card"};
  if (Affected* a = FindAffected(b, o.email)) {
    MergeCats(&a->categories, cats);
    a->reason += "; " + why;
    return;
  }
  Affected a;
  a.customer = o.customer;
  a.email = o.email;
  a.name = o.first + " " + o.last;
  a.country = o.addr.country;
  a.region = o.addr.region_code;
  a.categories = cats;
  a.reason = why;
  b->truth.affected.push_back(std::move(a));
}

void AddBenignSchedule(uint64_t seed, const Store& s, Breach* b) {
  Rng r(seed, 3);
  const bool m = s.spec.platform == Platform::kMagento;
  const std::string site = "https://" + s.spec.host;
  // Checkouts: the logged orders, each with its shopping session.
  for (const Order& o : s.orders) {
    if (!o.in_logs) continue;
    const Product& p = s.products[o.items[0].product];
    UnixMicros t = o.time - static_cast<int64_t>(r.Range(4, 15)) * kMin;
    std::string page = m ? "/" + p.url_key + ".html" : "/product/" + p.url_key + "/";
    AddRequest(b, t, o.ip, "GET", page, 200, 54000 + r.Below(9000), o.ua,
               "https://www.google.com/");
    t += static_cast<int64_t>(r.Range(20, 120)) * kSec;
    if (m) {
      AddRequest(
          b, t, o.ip, "POST",
          "/checkout/cart/add/uenc/" + r.Alnum(24) + ",,/product/" + std::to_string(p.id) + "/",
          302, 0, o.ua, site + page);
      t += static_cast<int64_t>(r.Range(5, 60)) * kSec;
      AddRequest(b, t, o.ip, "GET", "/checkout/cart/", 200, 34000 + r.Below(3000), o.ua,
                 site + page);
      t += static_cast<int64_t>(r.Range(10, 90)) * kSec;
      AddRequest(b, t, o.ip, "GET", "/checkout/", 200, 41000 + r.Below(3000), o.ua,
                 site + "/checkout/cart/");
      std::string cart = o.customer >= 0 ? "/rest/default/V1/carts/mine/"
                                         : "/rest/default/V1/guest-carts/" + r.Alnum(32) + "/";
      AddRequest(b, o.time - 50 * kSec, o.ip, "POST", cart + "shipping-information", 200,
                 2900 + r.Below(400), o.ua, site + "/checkout/");
      AddRequest(b, o.time, o.ip, "POST", cart + "payment-information", 200, 11, o.ua,
                 site + "/checkout/");
      AddRequest(b, o.time + 2 * kSec, o.ip, "GET", "/checkout/onepage/success/", 200,
                 31000 + r.Below(2000), o.ua, site + "/checkout/");
    } else {
      AddRequest(b, t, o.ip, "POST", "/?wc-ajax=add_to_cart", 200, 1400 + r.Below(300), o.ua,
                 site + page);
      t += static_cast<int64_t>(r.Range(5, 60)) * kSec;
      AddRequest(b, t, o.ip, "GET", "/cart/", 200, 36000 + r.Below(3000), o.ua, site + page);
      t += static_cast<int64_t>(r.Range(10, 90)) * kSec;
      AddRequest(b, t, o.ip, "GET", "/checkout/", 200, 47000 + r.Below(3000), o.ua,
                 site + "/cart/");
      AddRequest(b, o.time - 3 * kSec, o.ip, "POST", "/?wc-ajax=update_order_review", 200,
                 9000 + r.Below(800), o.ua, site + "/checkout/");
      AddRequest(b, o.time, o.ip, "POST", "/?wc-ajax=checkout", 200, 180 + r.Below(40), o.ua,
                 site + "/checkout/");
      AddRequest(b, o.time + 2 * kSec, o.ip, "GET",
                 "/checkout/order-received/" + std::to_string(o.id + 1000) + "/?key=wc_order_" +
                     r.Alnum(13),
                 200, 43000 + r.Below(3000), o.ua, site + "/checkout/");
    }
  }
  // Admins: a morning session on every working day from the office.
  const std::string admin = m ? "/admin_q7x2" : "/wp-admin";
  const std::string office_ua =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/126.0.0.0 Safari/537.36";
  b->truth.benign.push_back({s.office_ip, "admin"});
  for (UnixMicros day = s.spec.log_start; day < s.spec.log_end - 10 * kHour; day += kDay) {
    UnixMicros t =
        day + 8 * kHour + static_cast<int64_t>(r.Below(90)) * kMin - s.tz->OffsetAt(day) * kSec;
    if (t < s.spec.log_start || t >= s.spec.log_end) continue;
    if (m) {
      AddRequest(b, t, s.office_ip, "GET", admin + "/", 200, 7400, office_ua);
      AddRequest(b, t + 9 * kSec, s.office_ip, "POST", admin + "/admin/index/index/", 302, 0,
                 office_ua, site + admin + "/");
      AddRequest(b, t + 10 * kSec, s.office_ip, "GET", admin + "/admin/dashboard/", 200, 48000,
                 office_ua, site + admin + "/");
      AddRequest(b, t + 40 * kSec, s.office_ip, "GET", admin + "/sales/order/", 200, 61000,
                 office_ua, site + admin + "/admin/dashboard/");
      AddRequest(b, t + 42 * kSec, s.office_ip, "GET",
                 admin + "/mui/index/render/?namespace=sales_order_grid&isAjax=true", 200,
                 88000 + r.Below(9000), office_ua, site + admin + "/sales/order/");
    } else {
      AddRequest(b, t, s.office_ip, "GET", "/wp-login.php", 200, 4400, office_ua);
      AddRequest(b, t + 9 * kSec, s.office_ip, "POST", "/wp-login.php", 302, 0, office_ua,
                 site + "/wp-login.php");
      AddRequest(b, t + 10 * kSec, s.office_ip, "GET", "/wp-admin/", 200, 71000, office_ua,
                 site + "/wp-login.php");
      AddRequest(b, t + 40 * kSec, s.office_ip, "GET", "/wp-admin/admin.php?page=wc-orders", 200,
                 96000 + r.Below(9000), office_ua, site + "/wp-admin/");
    }
  }
  // Day 2: a new admin for marketing, created properly from the office (a look-alike of a
  // rogue admin). Day 3 afternoon: a legitimate large export of all orders.
  UnixMicros t2 = s.spec.log_start + kDay + 10 * kHour + 13 * kMin;
  int ev_user = m ? AddEvidence(b, t2, s.office_ip, "POST", admin + "/admin/user/save/", 302, 0,
                                office_ua, site + admin + "/admin/user/new/")
                  : AddEvidence(b, t2, s.office_ip, "POST", "/wp-admin/user-new.php", 302, 0,
                                office_ua, site + "/wp-admin/user-new.php");
  b->truth.benign_events.push_back({t2, "admin_created",
                                    "store owner created an admin account for marketing",
                                    s.office_ip, ev_user});
  UnixMicros t3 = s.spec.log_start + 2 * kDay + 15 * kHour + 2 * kMin;
  uint64_t export_bytes = 80ULL * s.orders.size() * 60 + 5123;
  int ev_export =
      m ? AddEvidence(
              b, t3, s.office_ip, "GET",
              admin + "/mui/export/gridToCsv/?namespace=sales_order_grid&filters[placeholder]=true",
              200, export_bytes, office_ua, site + admin + "/sales/order/")
        : AddEvidence(b, t3, s.office_ip, "GET",
                      "/wp-admin/edit.php?post_type=product&page=product_exporter&nonce=" +
                          r.Hex(10) + "&action=download_product_csv&filename=wc-product-export.csv",
                      200, export_bytes, office_ua, site + "/wp-admin/edit.php?post_type=product");
  b->truth.benign_events.push_back({t3, "export",
                                    "store owner exported all orders to CSV from the office",
                                    s.office_ip, ev_export});
}

}  // namespace tq::drill
