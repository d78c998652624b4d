// WordPress + WooCommerce rows for the dump: options, users and their meta (billing and
// shipping addresses), pages and products, HPOS orders with addresses and operational data,
// order items, the customer lookup table and REST API keys. Same cutoff logic as Magento.
#include <cstdio>

#include "drill/dump.h"

namespace tq::drill {

namespace {

uint64_t UserId(const Customer& c) { return c.id + 3; }
uint64_t OrderId(const Order& o) { return 1000 + o.id; }

std::string Serialized(const std::vector<std::string>& items) {
  std::string s = "a:" + std::to_string(items.size()) + ":{";
  for (size_t i = 0; i < items.size(); ++i) {
    s += "i:" + std::to_string(i) + ";s:" + std::to_string(items[i].size()) + ":\"" + items[i] +
         "\";";
  }
  return s + "}";
}

}  // namespace

Status EmitWooTable(DumpWriter& w, const TableDef* t, const DumpContext& c) {
  const Store& s = *c.store;
  const Breach& b = *c.breach;
  const std::string name = t->name;
  const UnixMicros cut = c.cutoff;
  const std::string site = "https://" + s.spec.host;
  if (name == "wp_options") {
    std::vector<std::string> plugins = {"woocommerce/woocommerce.php",
                                        "woocommerce-gateway-stripe/woocommerce-gateway-stripe.php",
                                        "woocommerce-paypal-payments/woocommerce-paypal-payments.php",
                                        "wordpress-seo/wp-seo.php"};
    for (const auto& f : b.truth.files) {
      if (f.kind == "webshell" && f.real_time < cut && f.path.find("plugins/") != std::string::npos) {
        std::string rel = f.path.substr(f.path.find("plugins/") + 8);
        plugins.push_back(rel);
      }
    }
    std::vector<std::pair<std::string, std::string>> kv = {
        {"siteurl", site},
        {"home", site},
        {"blogname", "Example Store"},
        {"blogdescription", "Clothing and accessories"},
        {"admin_email", s.admins[0].email},
        {"users_can_register", "1"},
        {"timezone_string", s.spec.timezone},
        {"template", "storefront"},
        {"stylesheet", "storefront"},
        {"active_plugins", Serialized(plugins)},
        {"db_version", "57155"},
        {"woocommerce_version", s.spec.version},
        {"woocommerce_db_version", s.spec.version},
        {"woocommerce_currency", "USD"},
        {"woocommerce_custom_orders_table_enabled", "yes"},
        {"woocommerce_default_country", "US:NY"},
        {"woocommerce_enable_guest_checkout", "yes"},
        {"woocommerce_stripe_settings",
         "a:3:{s:7:\"enabled\";s:3:\"yes\";s:8:\"testmode\";s:2:\"no\";s:15:\"publishable_key\";s:32:\"pk_live_" +
             RowAlnum(c, 3, 24) + "\";}"},
        {"wp_user_roles", "a:2:{s:13:\"administrator\";a:1:{s:4:\"name\";s:13:\"Administrator\";}"
                          "s:8:\"customer\";a:1:{s:4:\"name\";s:8:\"Customer\";}}"},
        {"xmlrpc_enabled", "1"},
    };
    TQ_RETURN_IF_ERROR(w.BeginTable(t, kv.size() + 1));
    for (size_t i = 0; i < kv.size(); ++i) {
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("option_id", static_cast<int64_t>(i + 1))
                                   .Str("option_name", kv[i].first).Str("option_value", kv[i].second)
                                   .Str("autoload", "yes")));
    }
  } else if (name == "wp_users" || name == "wp_usermeta") {
    uint64_t meta_id = 0;
    TQ_RETURN_IF_ERROR(w.BeginTable(t, name == "wp_users" ? s.customers.size() + 5 : 0));
    auto user = [&](uint64_t id, const std::string& login, const std::string& email,
                    const std::string& hash, UnixMicros created, const std::string& first,
                    const std::string& last, bool admin, const Customer* cu) -> Status {
      if (created >= cut) return Status::Ok();
      if (name == "wp_users") {
        return w.Add(Row(t).Num("ID", id).Str("user_login", login).Str("user_pass", hash)
                         .Str("user_nicename", Slug(login)).Str("user_email", email)
                         .Time("user_registered", created)
                         .Str("display_name", first + " " + last));
      }
      std::vector<std::pair<std::string, std::string>> m = {
          {"nickname", login}, {"first_name", first}, {"last_name", last},
          {"wp_capabilities", admin ? "a:1:{s:13:\"administrator\";b:1;}" : "a:1:{s:8:\"customer\";b:1;}"},
          {"wp_user_level", admin ? "10" : "0"}};
      if (cu) {
        const Address& a = cu->addr;
        for (const char* kind : {"billing", "shipping"}) {
          std::string k = kind;
          m.push_back({k + "_first_name", first});
          m.push_back({k + "_last_name", last});
          m.push_back({k + "_address_1", a.street});
          m.push_back({k + "_city", a.city});
          m.push_back({k + "_postcode", a.postcode});
          m.push_back({k + "_country", a.country});
          m.push_back({k + "_state", a.region_code});
        }
        m.push_back({"billing_email", cu->email});
        m.push_back({"billing_phone", cu->phone});
        if (!cu->dob.empty()) m.push_back({"account_birthday", cu->dob});
      }
      for (const auto& [k, v] : m) {
        TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("umeta_id", static_cast<int64_t>(++meta_id))
                                     .Num("user_id", id).Str("meta_key", k).Str("meta_value", v)));
      }
      return Status::Ok();
    };
    for (const AdminUser& a : s.admins) {
      TQ_RETURN_IF_ERROR(user(a.id, a.username, a.email, a.password_hash, a.created, a.first,
                              a.last, true, nullptr));
    }
    for (const Customer& cu : s.customers) {
      TQ_RETURN_IF_ERROR(user(UserId(cu), AsciiFold(cu.first) + AsciiFold(cu.last) +
                                               std::to_string(cu.id),
                              cu.email, cu.password_hash, cu.created, cu.first, cu.last, false, &cu));
    }
    for (const AdminUser& a : b.rogue_admins) {
      TQ_RETURN_IF_ERROR(user(a.id, a.username, a.email, a.password_hash, a.created, a.first,
                              a.last, true, nullptr));
    }
  } else if (name == "wp_posts" || name == "wp_postmeta") {
    uint64_t meta_id = 0;
    TQ_RETURN_IF_ERROR(w.BeginTable(t, name == "wp_posts" ? 1000 + s.orders.size() + 1 : 0));
    const char* kPages[][2] = {{"shop", "Shop"}, {"cart", "Cart"}, {"checkout", "Checkout"},
                               {"my-account", "My account"}, {"privacy-policy", "Privacy Policy"}};
    for (int i = 0; i < 5; ++i) {
      if (name != "wp_posts") break;
      std::string content = i == 2 ? "<!-- wp:woocommerce/checkout /-->"
                            : i == 1 ? "<!-- wp:woocommerce/cart /-->"
                                     : "<!-- wp:paragraph --><p></p><!-- /wp:paragraph -->";
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("ID", i + 2).Num("post_author", 1)
                                   .Time("post_date", s.spec.installed).Time("post_date_gmt", s.spec.installed)
                                   .Str("post_content", content).Str("post_title", kPages[i][1])
                                   .Str("post_excerpt", "").Str("post_status", "publish")
                                   .Str("comment_status", "closed").Str("post_name", kPages[i][0])
                                   .Str("to_ping", "").Str("pinged", "")
                                   .Time("post_modified", s.spec.installed)
                                   .Time("post_modified_gmt", s.spec.installed)
                                   .Str("post_content_filtered", "")
                                   .Str("guid", site + "/?page_id=" + std::to_string(i + 2))
                                   .Str("post_type", "page")));
    }
    for (const Product& p : s.products) {
      uint64_t id = 10 + p.id;
      if (name == "wp_posts") {
        TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("ID", id).Num("post_author", 1)
                                     .Time("post_date", s.spec.installed).Time("post_date_gmt", s.spec.installed)
                                     .Str("post_content", "<p>" + p.name + ": made to last.</p>")
                                     .Str("post_title", p.name).Str("post_excerpt", "")
                                     .Str("post_status", "publish").Str("comment_status", "open")
                                     .Str("post_name", p.url_key).Str("to_ping", "").Str("pinged", "")
                                     .Time("post_modified", s.spec.installed)
                                     .Time("post_modified_gmt", s.spec.installed)
                                     .Str("post_content_filtered", "")
                                     .Str("guid", site + "/?post_type=product&p=" + std::to_string(id))
                                     .Str("post_type", "product")));
      } else {
        char price[32];
        std::snprintf(price, sizeof price, "%.2f", p.price);
        for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
                 {"_sku", p.sku}, {"_price", price}, {"_regular_price", price},
                 {"_stock_status", "instock"}, {"_manage_stock", "no"}}) {
          TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("meta_id", static_cast<int64_t>(++meta_id))
                                       .Num("post_id", id).Str("meta_key", k).Str("meta_value", v)));
        }
      }
    }
    if (name == "wp_posts") {
      // HPOS keeps a placeholder post per order.
      for (const Order& o : s.orders) {
        if (o.time >= cut) continue;
        TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("ID", OrderId(o)).Num("post_author", 1)
                                     .Time("post_date", o.time).Time("post_date_gmt", o.time)
                                     .Str("post_content", "").Str("post_title", "")
                                     .Str("post_excerpt", "").Str("post_status", "draft")
                                     .Str("comment_status", "closed").Str("ping_status", "closed")
                                     .Str("to_ping", "").Str("pinged", "")
                                     .Time("post_modified", o.time).Time("post_modified_gmt", o.time)
                                     .Str("post_content_filtered", "")
                                     .Str("post_type", "shop_order_placehold")));
      }
    }
  } else if (name == "wp_wc_orders" || name == "wp_wc_order_addresses" ||
             name == "wp_wc_order_operational_data" || name == "wp_woocommerce_order_items" ||
             name == "wp_woocommerce_order_itemmeta" || name == "wp_wc_orders_meta") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, name == "wp_wc_orders" ? 0 : 1));
    uint64_t seq = 0, meta = 0;
    for (const Order& o : s.orders) {
      if (o.time >= cut) continue;
      const uint64_t id = OrderId(o);
      const std::string status = "wc-" + o.status;
      const std::string method(PayMethodCode(s, o.pay));
      const char* title = o.pay == PayKind::kCard ? "Credit Card (Stripe)"
                          : o.pay == PayKind::kPaypal ? "PayPal"
                          : o.pay == PayKind::kBankTransfer ? "Direct bank transfer" : "Check payments";
      if (name == "wp_wc_orders") {
        Row r(t);
        r.Num("id", id).Str("status", status).Str("currency", "USD").Str("type", "shop_order")
            .Dec("tax_amount", o.tax, 8).Dec("total_amount", o.grand, 8)
            .Num("customer_id", o.customer >= 0 ? UserId(s.customers[o.customer]) : 0)
            .Str("billing_email", o.email).Time("date_created_gmt", o.time)
            .Time("date_updated_gmt", o.time).Num("parent_order_id", 0)
            .Str("payment_method", method).Str("payment_method_title", title)
            .Str("transaction_id", o.pay == PayKind::kCard ? "ch_" + RowAlnum(c, id, 24) : "")
            .Str("ip_address", IpToString(o.ip)).Str("user_agent", o.ua).Str("customer_note", "");
        TQ_RETURN_IF_ERROR(w.Add(r));
      } else if (name == "wp_wc_order_addresses") {
        for (int k = 0; k < 2; ++k) {
          TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("id", static_cast<int64_t>(++seq)).Num("order_id", id)
                                       .Str("address_type", k == 0 ? "billing" : "shipping")
                                       .Str("first_name", o.first).Str("last_name", o.last)
                                       .Str("company", "").Str("address_1", o.addr.street)
                                       .Str("address_2", "").Str("city", o.addr.city)
                                       .Str("state", o.addr.region_code).Str("postcode", o.addr.postcode)
                                       .Str("country", o.addr.country).Str("email", o.email)
                                       .Str("phone", o.phone)));
        }
      } else if (name == "wp_wc_order_operational_data") {
        Row r(t);
        r.Num("id", static_cast<int64_t>(++seq)).Num("order_id", id).Str("created_via", "checkout")
            .Str("woocommerce_version", s.spec.version).Num("prices_include_tax", 0)
            .Num("coupon_usages_are_counted", 1).Num("download_permission_granted", 1)
            .Str("cart_hash", RowHex(c, 3000000 + id, 32)).Num("new_order_email_sent", 1)
            .Str("order_key", "wc_order_" + RowAlnum(c, 4000000 + id, 13)).Num("order_stock_reduced", 1)
            .Dec("shipping_tax_amount", 0, 8).Dec("shipping_total_amount", o.shipping, 8)
            .Dec("discount_tax_amount", 0, 8).Dec("discount_total_amount", 0, 8)
            .Num("recorded_sales", 1);
        if (o.status != "canceled") r.Time("date_paid_gmt", o.time);
        if (o.status == "complete") r.Time("date_completed_gmt", o.time + 86400LL * 1000000);
        TQ_RETURN_IF_ERROR(w.Add(r));
      } else if (name == "wp_wc_orders_meta") {
        TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("id", static_cast<int64_t>(++seq)).Num("order_id", id)
                                     .Str("meta_key", "_wc_order_attribution_source_type")
                                     .Str("meta_value", "organic")));
        if (o.pay == PayKind::kCard) {
          TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("id", static_cast<int64_t>(++seq)).Num("order_id", id)
                                       .Str("meta_key", "_stripe_source_id")
                                       .Str("meta_value", "src_" + RowAlnum(c, 5000000 + id, 24))));
        }
      } else {
        for (const OrderItem& it : o.items) {
          const Product& p = s.products[it.product];
          ++seq;
          if (name == "wp_woocommerce_order_items") {
            TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("order_item_id", static_cast<int64_t>(seq))
                                         .Str("order_item_name", p.name)
                                         .Str("order_item_type", "line_item").Num("order_id", id)));
          } else {
            char total[32];
            std::snprintf(total, sizeof total, "%.2f", p.price * it.qty);
            for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
                     {"_product_id", std::to_string(10 + p.id)},
                     {"_qty", std::to_string(it.qty)},
                     {"_line_total", total}}) {
              TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("meta_id", static_cast<int64_t>(++meta))
                                           .Num("order_item_id", static_cast<int64_t>(seq))
                                           .Str("meta_key", k).Str("meta_value", v)));
            }
          }
        }
      }
    }
  } else if (name == "wp_wc_customer_lookup") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, s.customers.size() + 1));
    for (const Customer& cu : s.customers) {
      if (cu.created >= cut) continue;
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("customer_id", cu.id).Num("user_id", UserId(cu))
                                   .Str("username", AsciiFold(cu.first) + AsciiFold(cu.last) +
                                                        std::to_string(cu.id))
                                   .Str("first_name", cu.first).Str("last_name", cu.last)
                                   .Str("email", cu.email).Time("date_registered", cu.created)
                                   .Time("date_last_active", cu.created)
                                   .Str("country", cu.addr.country).Str("postcode", cu.addr.postcode)
                                   .Str("city", cu.addr.city).Str("state", cu.addr.region_code)));
    }
  } else if (name == "wp_woocommerce_api_keys") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, 2 + b.tokens.size()));
    // A legitimate integration key (look-alike) and whatever the attacker created.
    std::string legit = RowHex(c, 6000000, 64);
    TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("key_id", 1).Num("user_id", 1)
                                 .Str("description", "ShipStation").Str("permissions", "read_write")
                                 .Str("consumer_key", legit).Str("consumer_secret", "cs_" + RowHex(c, 6000001, 40))
                                 .Str("truncated_key", legit.substr(57))
                                 .Time("last_access", c.now - 3600LL * 1000000)));
    for (const auto& tk : b.tokens) {
      if (tk.t >= cut) continue;
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("key_id", tk.id).Num("user_id", tk.admin_id)
                                   .Str("description", "sync").Str("permissions", "read_write")
                                   .Str("consumer_key", tk.token)
                                   .Str("consumer_secret", "cs_" + RowHex(c, 6000002, 40))
                                   .Str("truncated_key", tk.token.substr(57))));
    }
  } else {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, 0));
  }
  return w.EndTable();
}

}  // namespace tq::drill
