// Magento 2 rows for the dump: stores, customers and addresses, orders with addresses, items,
// payments and grid rows, CMS blocks and pages, core_config_data, admins, OAuth tokens. A
// cutoff time lets the same code write the copy the attacker took at an earlier moment.
#include <cstdio>

#include "drill/dump.h"

namespace tq::drill {

namespace {

const char* CardName(const std::string& t) {
  if (t == "VI") return "Visa";
  if (t == "MC") return "MasterCard";
  if (t == "AE") return "American Express";
  return "Discover";
}

std::string Street(const Address& a) { return a.street; }

}  // namespace

Status EmitMagentoTable(DumpWriter& w, const TableDef* t, const DumpContext& c) {
  const Store& s = *c.store;
  const Breach& b = *c.breach;
  const std::string name = t->name;
  const UnixMicros cut = c.cutoff;
  const std::string currency = s.spec.timezone == "Europe/London" ? "GBP" : "EUR";
  if (name == "store_website") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, 2));
    TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("website_id", 0).Str("code", "admin").Str("name", "Admin")
                                 .Num("default_group_id", 0)));
    TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("website_id", 1).Str("code", "base")
                                 .Str("name", "Main Website").Num("default_group_id", 1)
                                 .Num("is_default", 1)));
  } else if (name == "store_group") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, 2));
    TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("group_id", 0).Num("website_id", 0).Str("name", "Default")
                                 .Num("root_category_id", 0).Num("default_store_id", 0)
                                 .Str("code", "default")));
    TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("group_id", 1).Num("website_id", 1)
                                 .Str("name", "Main Website Store").Num("root_category_id", 2)
                                 .Num("default_store_id", 1).Str("code", "main_website_store")));
  } else if (name == "store") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, 2));
    TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("store_id", 0).Str("code", "admin").Num("website_id", 0)
                                 .Num("group_id", 0).Str("name", "Admin").Num("is_active", 1)));
    TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("store_id", 1).Str("code", "default").Num("website_id", 1)
                                 .Num("group_id", 1).Str("name", "Default Store View")
                                 .Num("is_active", 1)));
  } else if (name == "customer_group") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, 4));
    const char* kGroups[] = {"NOT LOGGED IN", "General", "Wholesale", "Retailer"};
    for (int i = 0; i < 4; ++i) {
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("customer_group_id", i)
                                   .Str("customer_group_code", kGroups[i]).Num("tax_class_id", 3)));
    }
  } else if (name == "customer_entity" || name == "customer_address_entity") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, s.customers.size() + 1));
    for (const Customer& cu : s.customers) {
      if (cu.created >= cut) continue;
      Row r(t);
      if (name == "customer_entity") {
        r.Num("entity_id", cu.id).Num("website_id", 1).Str("email", cu.email).Num("group_id", 1)
            .Num("store_id", 1).Time("created_at", cu.created).Time("updated_at", cu.created)
            .Str("created_in", "Default Store View").Str("firstname", cu.first)
            .Str("lastname", cu.last).Str("password_hash", cu.password_hash)
            .Num("default_billing", cu.id).Num("default_shipping", cu.id);
        if (!cu.dob.empty()) r.Str("dob", cu.dob);
        if (cu.gender) r.Num("gender", cu.gender);
      } else {
        r.Num("entity_id", cu.id).Num("parent_id", cu.id).Time("created_at", cu.created)
            .Time("updated_at", cu.created).Str("city", cu.addr.city)
            .Str("country_id", cu.addr.country).Str("firstname", cu.first)
            .Str("lastname", cu.last).Str("postcode", cu.addr.postcode)
            .Str("street", Street(cu.addr)).Str("telephone", cu.phone);
        if (!cu.addr.region.empty()) r.Str("region", cu.addr.region);
      }
      TQ_RETURN_IF_ERROR(w.Add(r));
    }
  } else if (name.rfind("sales_order", 0) == 0 && name != "sales_order_status_history") {
    std::vector<const Order*> orders;
    for (const Order& o : s.orders) {
      if (o.time < cut) orders.push_back(&o);
    }
    for (const Order& o : b.extra_orders) {
      if (o.time < cut) orders.push_back(&o);
    }
    uint64_t item_id = 0;
    uint64_t n = orders.size();
    TQ_RETURN_IF_ERROR(w.BeginTable(t, name == "sales_order_address" ? 2 * n + 1 : n + 1));
    for (size_t i = 0; i < orders.size(); ++i) {
      const Order& o = *orders[i];
      const uint64_t id = i + 1;
      const bool guest = o.customer < 0;
      const std::string full = o.first + " " + o.last;
      const std::string addr = Street(o.addr) + "," + o.addr.city + "," + o.addr.region + "," +
                               o.addr.postcode;
      int qty = 0;
      for (const auto& it : o.items) qty += it.qty;
      const char* state = o.status == "complete" ? "complete"
                          : o.status == "canceled" ? "canceled"
                          : o.status == "pending"  ? "new" : "processing";
      if (name == "sales_order") {
        Row r(t);
        r.Num("entity_id", id).Str("state", state).Str("status", o.status)
            .Str("protect_code", RowHex(c, id, 6)).Str("shipping_description", "Flat Rate - Fixed")
            .Num("is_virtual", 0).Num("store_id", 1)
            .Dec("base_grand_total", o.grand).Dec("grand_total", o.grand)
            .Dec("base_subtotal", o.subtotal).Dec("subtotal", o.subtotal)
            .Dec("base_tax_amount", o.tax).Dec("tax_amount", o.tax)
            .Dec("base_shipping_amount", o.shipping).Dec("shipping_amount", o.shipping)
            .Dec("total_qty_ordered", qty).Dec("base_total_qty_ordered", qty)
            .Num("customer_is_guest", guest ? 1 : 0).Num("customer_note_notify", 1)
            .Num("billing_address_id", 2 * id - 1).Num("shipping_address_id", 2 * id)
            .Num("customer_group_id", guest ? 0 : 1).Num("email_sent", 1).Num("send_email", 1)
            .Num("quote_id", 4000 + id).Str("increment_id", o.increment_id.empty() ? std::to_string(100000000 + id) : o.increment_id)
            .Str("base_currency_code", currency).Str("global_currency_code", currency)
            .Str("order_currency_code", currency).Str("store_currency_code", currency)
            .Str("customer_email", o.email).Str("customer_firstname", o.first)
            .Str("customer_lastname", o.last).Str("remote_ip", IpToString(o.ip))
            .Str("shipping_method", "flatrate_flatrate")
            .Str("store_name", "Main Website\nMain Website Store\nDefault Store View")
            .Time("created_at", o.time).Time("updated_at", o.time)
            .Num("total_item_count", static_cast<int64_t>(o.items.size()))
            .Dec("base_to_global_rate", 1).Dec("base_to_order_rate", 1)
            .Dec("store_to_base_rate", 0).Dec("store_to_order_rate", 0)
            .Dec("shipping_incl_tax", o.shipping).Dec("base_shipping_incl_tax", o.shipping)
            .Dec("subtotal_incl_tax", o.subtotal + o.tax).Dec("weight", qty);
        if (!guest) r.Num("customer_id", s.customers[o.customer].id);
        if (o.status == "complete") {
          r.Dec("total_paid", o.grand).Dec("base_total_paid", o.grand)
              .Dec("total_invoiced", o.grand).Dec("base_total_invoiced", o.grand);
        }
        TQ_RETURN_IF_ERROR(w.Add(r));
      } else if (name == "sales_order_address") {
        for (int k = 0; k < 2; ++k) {
          Row r(t);
          r.Num("entity_id", 2 * id - 1 + k).Num("parent_id", id)
              .Str("postcode", o.addr.postcode).Str("lastname", o.last)
              .Str("street", Street(o.addr)).Str("city", o.addr.city).Str("email", o.email)
              .Str("telephone", o.phone).Str("country_id", o.addr.country)
              .Str("firstname", o.first).Str("address_type", k == 0 ? "billing" : "shipping");
          if (!o.addr.region.empty()) r.Str("region", o.addr.region);
          if (!guest) {
            r.Num("customer_id", s.customers[o.customer].id)
                .Num("customer_address_id", s.customers[o.customer].id);
          }
          TQ_RETURN_IF_ERROR(w.Add(r));
        }
        if (!b.extra_orders.empty() && &o == &b.extra_orders.front() && c.payload_address_pk) {
          *c.payload_address_pk = 2 * id;  // the shipping address carries the payload
        }
      } else if (name == "sales_order_item") {
        for (const OrderItem& it : o.items) {
          const Product& p = s.products[it.product];
          Row r(t);
          r.Num("item_id", static_cast<int64_t>(++item_id)).Num("order_id", id).Num("store_id", 1)
              .Time("created_at", o.time).Time("updated_at", o.time).Num("product_id", p.id)
              .Str("product_type", "simple").Str("sku", p.sku).Str("name", p.name)
              .Dec("qty_ordered", it.qty).Dec("price", p.price).Dec("base_price", p.price)
              .Dec("original_price", p.price).Dec("row_total", p.price * it.qty)
              .Dec("base_row_total", p.price * it.qty).Dec("price_incl_tax", p.price)
              .Dec("row_total_incl_tax", p.price * it.qty).Num("is_virtual", 0);
          TQ_RETURN_IF_ERROR(w.Add(r));
        }
      } else if (name == "sales_order_payment") {
        Row r(t);
        r.Num("entity_id", id).Num("parent_id", id).Dec("base_shipping_amount", o.shipping)
            .Dec("shipping_amount", o.shipping).Dec("base_amount_ordered", o.grand)
            .Dec("amount_ordered", o.grand)
            .Str("method", std::string(PayMethodCode(s, o.pay)));
        if (o.pay == PayKind::kCard) {
          r.Str("cc_last_4", o.last4).Str("cc_type", o.card_type)
              .Str("cc_exp_month", std::to_string(o.exp_month))
              .Str("cc_exp_year", std::to_string(o.exp_year))
              .Str("last_trans_id", RowAlnum(c, 1000000 + id, 8))
              .Str("additional_information",
                   std::string("{\"cc_type\":\"") + CardName(o.card_type) +
                       "\",\"cc_number\":\"xxxx-" + o.last4 + "\",\"method_title\":\"Credit Card\"}");
        } else {
          r.Str("additional_information", "{\"method_title\":\"" +
                                              std::string(PayMethodCode(s, o.pay)) + "\"}");
        }
        if (o.status == "complete") r.Dec("amount_paid", o.grand).Dec("base_amount_paid", o.grand);
        TQ_RETURN_IF_ERROR(w.Add(r));
      } else if (name == "sales_order_grid") {
        Row r(t);
        r.Num("entity_id", id).Str("status", o.status).Num("store_id", 1)
            .Str("store_name", "Main Website\nMain Website Store\nDefault Store View")
            .Dec("base_grand_total", o.grand).Dec("grand_total", o.grand)
            .Str("increment_id", o.increment_id.empty() ? std::to_string(100000000 + id) : o.increment_id)
            .Str("base_currency_code", currency).Str("order_currency_code", currency)
            .Str("shipping_name", full).Str("billing_name", full).Time("created_at", o.time)
            .Time("updated_at", o.time).Str("billing_address", addr)
            .Str("shipping_address", addr).Str("shipping_information", "Flat Rate - Fixed")
            .Str("customer_email", o.email).Str("customer_group", guest ? "0" : "1")
            .Dec("subtotal", o.subtotal).Dec("shipping_and_handling", o.shipping)
            .Str("customer_name", full).Str("payment_method", std::string(PayMethodCode(s, o.pay)));
        if (!guest) r.Num("customer_id", s.customers[o.customer].id);
        if (o.status == "complete") r.Dec("total_paid", o.grand).Dec("base_total_paid", o.grand);
        TQ_RETURN_IF_ERROR(w.Add(r));
      }
    }
  } else if (name == "core_config_data") {
    struct Kv {
      const char* path;
      std::string value;
    };
    const std::string base = "https://" + s.spec.host + "/";
    std::vector<Kv> kv = {
        {"web/seo/use_rewrites", "1"},
        {"web/unsecure/base_url", base},
        {"web/secure/base_url", base},
        {"web/secure/use_in_frontend", "1"},
        {"web/secure/use_in_adminhtml", "1"},
        {"general/locale/code", s.spec.timezone == "Europe/London" ? "en_GB" : "de_DE"},
        {"general/locale/timezone", s.spec.timezone},
        {"currency/options/base", currency},
        {"currency/options/default", currency},
        {"currency/options/allow", currency},
        {"general/region/display_all", "1"},
        {"catalog/search/engine", "opensearch"},
        {"admin/security/use_form_key", "1"},
        {"admin/security/session_lifetime", "3600"},
        {"payment/braintree/active", "1"},
        {"payment/braintree/title", "Credit Card"},
        {"payment/braintree/environment", "production"},
        {"payment/braintree/merchant_id", RowAlnum(c, 1, 16)},
        {"payment/checkmo/active", "1"},
        {"payment/paypal_express/active", "1"},
        {"payment/banktransfer/active", "1"},
        {"sales_email/general/async_sending", "1"},
        {"dev/js/merge_files", "0"},
        {"dev/js/minify_files", "1"},
        {"dev/css/minify_files", "1"},
        {"design/head/default_title", "Example Store"},
        // Look-alike: a legitimate tag manager <script> in the head include.
        {"design/head/includes",
         "<link  rel=\"stylesheet\" type=\"text/css\"  media=\"all\" href=\"{{MEDIA_URL}}styles.css\" />\n"
         "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
         "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?"
         "'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;"
         "f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-K7Q2XW');</script>"},
        {"design/footer/copyright", "Copyright © 2013-present Example Store. All rights reserved."},
        {"trans_email/ident_general/email", "owner@" + s.spec.host.substr(4)},
        {"trans_email/ident_sales/email", "sales@" + s.spec.host.substr(4)},
    };
    TQ_RETURN_IF_ERROR(w.BeginTable(t, kv.size() + 1));
    for (size_t i = 0; i < kv.size(); ++i) {
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("config_id", static_cast<int64_t>(i + 1))
                                   .Str("scope", "default").Num("scope_id", 0)
                                   .Str("path", kv[i].path).Str("value", kv[i].value)
                                   .Time("updated_at", s.spec.installed + 3600LL * 1000000 * i)));
    }
  } else if (name == "cms_block" || name == "cms_block_store") {
    struct Blk {
      const char* id;
      const char* title;
      std::string html;
    };
    std::vector<Blk> blocks = {
        {"home-promo", "Home Promo", "<div class=\"promo\"><a href=\"/sale.html\">Summer sale: up to 40% off</a></div>"},
        {"shipping-info", "Shipping Info", "<p>Free shipping on orders over 100.</p>"},
        {"size-guide", "Size Guide", "<table class=\"size\"><tr><th>S</th><th>M</th><th>L</th></tr></table>"},
        {"newsletter", "Newsletter", "<p>Sign up for 10% off your first order.</p>"},
        {"footer_links_block", "Footer Links",
         "<ul class=\"footer links\"><li><a href=\"/about-us\">About us</a></li><li><a "
         "href=\"/customer-service\">Customer Service</a></li></ul>"},
        {"contact-info", "Contact Info", "<p>Mon–Fri 9:00–17:00</p>"},
        // Look-alike: an inline image as base64 (no script).
        {"trust-badges", "Trust Badges",
         "<img alt=\"secure checkout\" src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/"
         "9hAAAAGUlEQVR42mNkYPhfz0AEYBxVSF+FAAhKDveksOjmAAAAAElFTkSuQmCC\">"},
    };
    TQ_RETURN_IF_ERROR(w.BeginTable(t, name == "cms_block" ? blocks.size() + 1 : 0));
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (name == "cms_block_store") {
        TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("block_id", static_cast<int64_t>(i + 1)).Num("store_id", 0)));
        continue;
      }
      UnixMicros updated = s.spec.installed + 86400LL * 1000000 * (10 + i);
      std::string html = blocks[i].html;
      if (b.skimmer_block_id == i + 1 && !b.cms_skimmer_html.empty()) {
        for (const auto& inj : b.truth.db_injections) {
          if (inj.table == "cms_block" && inj.t < cut) {
            html = b.cms_skimmer_html;
            updated = inj.t;
          }
        }
      }
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("block_id", static_cast<int64_t>(i + 1))
                                   .Str("title", blocks[i].title).Str("identifier", blocks[i].id)
                                   .Str("content", html)
                                   .Time("creation_time", s.spec.installed + 86400LL * 1000000 * (10 + i))
                                   .Time("update_time", updated).Num("is_active", 1)));
    }
  } else if (name == "cms_page" || name == "cms_page_store") {
    const char* kPages[][3] = {{"no-route", "404 Not Found", "<p>The page you requested was not found.</p>"},
                               {"home", "Home Page", "<p>{{widget type=\"Magento\\\\CatalogWidget\\\\Block\\\\Product\\\\ProductsList\" products_count=\"8\"}}</p>"},
                               {"enable-cookies", "Enable Cookies", "<p>Please enable cookies.</p>"},
                               {"privacy-policy-cookie-restriction-mode", "Privacy Policy", "<p>We respect your privacy.</p>"},
                               {"about-us", "About us", "<p>Small team, since 2013.</p>"},
                               {"customer-service", "Customer Service", "<p>Write to us any time.</p>"}};
    TQ_RETURN_IF_ERROR(w.BeginTable(t, name == "cms_page" ? 7 : 0));
    for (int i = 0; i < 6; ++i) {
      if (name == "cms_page_store") {
        TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("page_id", i + 1).Num("store_id", 0)));
        continue;
      }
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("page_id", i + 1).Str("title", kPages[i][1])
                                   .Str("page_layout", "1column").Str("identifier", kPages[i][0])
                                   .Str("content_heading", kPages[i][1]).Str("content", kPages[i][2])
                                   .Time("creation_time", s.spec.installed)
                                   .Time("update_time", s.spec.installed).Num("is_active", 1)));
    }
  } else if (name == "admin_user") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, s.admins.size() + b.rogue_admins.size() + 1));
    auto add = [&](const AdminUser& a) -> Status {
      if (a.created >= cut) return Status::Ok();
      return w.Add(Row(t).Num("user_id", a.id).Str("firstname", a.first).Str("lastname", a.last)
                       .Str("email", a.email).Str("username", a.username)
                       .Str("password", a.password_hash).Time("created", a.created)
                       .Time("modified", a.created).Time("logdate", std::min(cut, c.now) - 3600LL * 1000000 * (a.id + 2))
                       .Num("lognum", a.legit ? 200 + a.id * 17 : 2).Num("is_active", 1)
                       .Str("extra", "{\"configState\":{\"admin_dashboard\":\"1\"}}"));
    };
    for (const AdminUser& a : s.admins) TQ_RETURN_IF_ERROR(add(a));
    for (const AdminUser& a : b.rogue_admins) TQ_RETURN_IF_ERROR(add(a));
  } else if (name == "oauth_token") {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, b.tokens.size() + 1));
    for (const auto& tk : b.tokens) {
      if (tk.t >= cut) continue;
      TQ_RETURN_IF_ERROR(w.Add(Row(t).Num("entity_id", tk.id).Num("admin_id", tk.admin_id)
                                   .Str("type", "access").Str("token", tk.token)
                                   .Str("secret", RowAlnum(c, 2000000 + tk.id, 32)).Str("callback_url", "")
                                   .Num("authorized", 0).Num("user_type", 2)
                                   .Time("created_at", tk.t)));
    }
  } else {
    TQ_RETURN_IF_ERROR(w.BeginTable(t, 0));  // present and empty, as on a real store
  }
  return w.EndTable();
}

}  // namespace tq::drill
