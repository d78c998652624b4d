// The store model: catalogue, customers (20+ countries, every US state, carrier-NAT sharing),
// order history with payments, and the store's own admins. Everything the dump, the web root
// and the traffic generator draw from.
#include <algorithm>
#include <cstdio>
#include <set>

#include "drill/internal.h"

namespace tq::drill {

namespace {

// First octets of consumer access networks (customers) and of hosting networks (attackers
// live elsewhere, see scenarios): the two never overlap, so no customer shares an attacker's
// address by accident.
const uint8_t kConsumerOctets[] = {24,  50,  67,  68,  71,  73,  76,  77,  78,  79,  80,
                                   81,  82,  83,  84,  86,  87,  88,  89,  90,  92,  93,
                                   95,  98,  99,  108, 109, 151, 174, 176, 178, 188, 217};

uint32_t ConsumerIp(Rng& r) {
  uint32_t a = r.Pick(kConsumerOctets);
  return (a << 24) | (static_cast<uint32_t>(r.Below(256)) << 16) |
         (static_cast<uint32_t>(r.Below(256)) << 8) | static_cast<uint32_t>(1 + r.Below(254));
}

const char* kAdjectives[] = {"Classic", "Organic", "Vintage", "Everyday", "Premium", "Slim",
                             "Relaxed", "Heritage", "Urban", "Alpine", "Coastal", "Nordic"};
const char* kMaterials[] = {"Cotton", "Linen", "Wool", "Leather", "Denim", "Merino", "Canvas",
                            "Bamboo", "Cashmere", "Suede"};
const struct {
  const char* item;
  const char* category;
  int lo, hi;
} kItems[] = {{"Tee", "women/tops", 19, 39},        {"Hoodie", "men/tops", 49, 89},
              {"Jacket", "men/jackets", 99, 249},    {"Scarf", "accessories", 19, 69},
              {"Tote Bag", "accessories/bags", 29, 89}, {"Sneaker", "shoes", 69, 159},
              {"Dress", "women/dresses", 59, 149},   {"Chino", "men/bottoms", 49, 99},
              {"Beanie", "accessories", 15, 39},     {"Backpack", "accessories/bags", 59, 139},
              {"Cardigan", "women/tops", 59, 129},   {"Boot", "shoes", 99, 229}};

const char* kUas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.71 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 "
    "Safari/537.36",
};

std::string Phone(Rng& r, const char* prefix) {
  char b[40];
  std::snprintf(b, sizeof b, "%s %03d %03d %04d", prefix, static_cast<int>(r.Range(200, 989)),
                static_cast<int>(r.Range(100, 999)), static_cast<int>(r.Below(10000)));
  return b;
}

void MakeAddress(Rng& r, const Country& c, Address* a) {
  a->country = c.code;
  char num[16];
  std::snprintf(num, sizeof num, "%d", static_cast<int>(r.Range(1, 240)));
  std::string street = r.Pick(StreetNames());
  a->street = c.code == std::string_view("US") || c.code == std::string_view("GB") ||
                      c.code == std::string_view("CA") || c.code == std::string_view("AU") ||
                      c.code == std::string_view("IE") || c.code == std::string_view("NZ")
                  ? std::string(num) + " " + street
                  : street + " " + num;
  char pc[16];
  if (c.code == std::string_view("US")) {
    const UsState& s = r.Pick(UsStates());
    a->city = s.city;
    a->region_code = s.code;
    a->region = s.name;
    std::snprintf(pc, sizeof pc, "%s%02d", s.zip_prefix, static_cast<int>(r.Below(100)));
  } else {
    a->city = r.Pick(c.cities.empty() ? std::vector<const char*>{"Capital"} : c.cities);
    if (!c.regions.empty()) {
      a->region_code = r.Pick(c.regions);
      a->region = a->region_code;
    }
    if (c.code == std::string_view("GB")) {
      std::snprintf(pc, sizeof pc, "SW%d %dAB", static_cast<int>(r.Range(1, 20)),
                    static_cast<int>(r.Range(1, 9)));
    } else if (c.code == std::string_view("CA")) {
      std::snprintf(pc, sizeof pc, "M%dV %dK%d", static_cast<int>(r.Below(10)),
                    static_cast<int>(r.Below(10)), static_cast<int>(r.Below(10)));
    } else {
      std::snprintf(pc, sizeof pc, "%05d", static_cast<int>(r.Range(1000, 99999)));
    }
  }
  a->postcode = pc;
}

const Country& PickCountry(Rng& r) {
  int total = 0;
  for (const auto& c : Countries()) total += c.weight;
  int x = static_cast<int>(r.Below(total));
  for (const auto& c : Countries()) {
    if (x < c.weight) return c;
    x -= c.weight;
  }
  return Countries()[0];
}

std::string PasswordHash(Rng& r, Platform p) {
  if (p == Platform::kMagento) {
    // Magento 2.4: hash:salt:version (argon2id13 = "3_32_2_67108864", older SHA-256 = "1").
    if (r.Chance(0.7)) return r.Hex(64) + ":" + r.Alnum(32) + ":3_32_2_67108864";
    return r.Hex(64) + ":" + r.Alnum(32) + ":1";
  }
  static const char kItoa[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string h = "$P$B";
  for (int i = 0; i < 31; ++i) h += kItoa[r.Below(64)];
  return h;
}

}  // namespace

std::string_view PayMethodCode(const Store& s, PayKind k) {
  bool m = s.spec.platform == Platform::kMagento;
  switch (k) {
    case PayKind::kCard: return m ? "braintree" : "stripe";
    case PayKind::kPaypal: return m ? "paypal_express" : "ppcp-gateway";
    case PayKind::kBankTransfer: return m ? "banktransfer" : "bacs";
    case PayKind::kCheckMo: return m ? "checkmo" : "cheque";
  }
  return "";
}

void BuildStore(uint64_t seed, Store* s) {
  Rng r(seed, 1);
  const StoreSpec& sp = s->spec;
  // Catalogue.
  std::vector<std::string> seen;
  uint32_t pid = 1;
  for (int i = 0; i < 240; ++i) {
    const auto& it = kItems[i % std::size(kItems)];
    std::string name = std::string(kAdjectives[(i / 12) % std::size(kAdjectives)]) + " " +
                       kMaterials[(i * 7 + i / 12) % std::size(kMaterials)] + " " + it.item;
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    Product p;
    p.id = pid++;
    char sku[32];
    std::snprintf(sku, sizeof sku, "%c%c%04u", it.item[0], kMaterials[i % 10][0], p.id * 7 + 100);
    p.sku = sku;
    p.name = name;
    p.url_key = Slug(name);
    p.category = it.category;
    p.price = static_cast<double>(r.Range(it.lo, it.hi)) - 0.01;
    s->products.push_back(p);
  }
  s->categories = {"women", "women/tops", "women/dresses", "men", "men/tops", "men/jackets",
                   "men/bottoms", "shoes", "accessories", "accessories/bags", "sale",
                   "new-arrivals"};

  // Carrier-NAT pool: a few addresses shared by many mobile customers.
  for (int i = 0; i < 12; ++i) s->nat_pool.push_back(ConsumerIp(r));
  s->office_ip = ConsumerIp(r);

  // Customers: every US state at least once, every country at least once.
  const int n = sp.customers;
  s->customers.reserve(n);
  const auto& countries = Countries();
  const int64_t hist = sp.log_end - sp.installed;
  std::set<std::string> emails;
  for (int i = 0; i < n; ++i) {
    Customer c;
    c.id = static_cast<uint32_t>(i + 1);
    const Country* country = &PickCountry(r);
    if (i < static_cast<int>(countries.size())) country = &countries[i];
    MakeAddress(r, *country, &c.addr);
    if (i >= static_cast<int>(countries.size()) &&
        i < static_cast<int>(countries.size() + UsStates().size())) {
      const UsState& st = UsStates()[i - countries.size()];
      c.addr = Address{};
      MakeAddress(r, countries[0], &c.addr);
      c.addr.region_code = st.code;
      c.addr.region = st.name;
      c.addr.city = st.city;
    }
    c.first = r.Pick(FirstNames(c.addr.country));
    c.last = r.Pick(LastNames(c.addr.country));
    std::string local = AsciiFold(c.first);
    switch (r.Below(4)) {
      case 0: local += "." + AsciiFold(c.last); break;
      case 1: local = local.substr(0, 1) + AsciiFold(c.last); break;
      case 2: local += AsciiFold(c.last) + std::to_string(r.Range(1, 99)); break;
      default: local += "_" + AsciiFold(c.last).substr(0, 4) + std::to_string(r.Range(70, 2005));
    }
    if (local.size() < 3) local += std::to_string(c.id);
    c.email = local + "@" + r.Pick(EmailDomains());
    if (!emails.insert(c.email).second) {
      c.email = local + std::to_string(c.id) + "@" + r.Pick(EmailDomains());
      emails.insert(c.email);
    }
    const char* prefix = country->phone_prefix;
    c.phone = Phone(r, prefix);
    if (r.Chance(0.4)) {
      char dob[16];
      std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", static_cast<int>(r.Range(1945, 2005)),
                    static_cast<int>(r.Range(1, 12)), static_cast<int>(r.Range(1, 28)));
      c.dob = dob;
    }
    c.gender = static_cast<int>(r.Below(3));
    // Older customers first: creation times increase with the id.
    c.created = sp.installed + hist * i / n + static_cast<int64_t>(r.Below(3600)) * 1000000;
    c.password_hash = PasswordHash(r, sp.platform);
    c.nat = r.Chance(0.08);
    c.ip = c.nat ? r.Pick(s->nat_pool) : ConsumerIp(r);
    c.ua = r.Pick(kUas);
    s->customers.push_back(std::move(c));
  }

  // Orders: about two per customer over the store's life, 15% of them in the logged days.
  const int norders = n * 2;
  s->orders.reserve(norders);
  const int64_t logged = sp.log_end - sp.log_start;
  for (int i = 0; i < norders; ++i) {
    Order o;
    o.id = static_cast<uint32_t>(i + 1);
    char inc[16];
    std::snprintf(inc, sizeof inc, "%09u", 100000000 + o.id);
    o.increment_id = inc;
    bool recent = i >= norders * 85 / 100;
    if (recent) {
      int k = i - norders * 85 / 100, m = norders - norders * 85 / 100;
      o.time = sp.log_start + logged * k / m + static_cast<int64_t>(r.Below(logged / m + 1));
      o.in_logs = true;
    } else {
      o.time = sp.installed + (sp.log_start - sp.installed) * i / (norders * 85 / 100) +
               static_cast<int64_t>(r.Below(86400)) * 1000000;
    }
    if (o.time >= sp.log_end) o.time = sp.log_end - 3600LL * 1000000;
    if (r.Chance(0.8)) {
      // A registered customer who existed at the time.
      auto it = std::partition_point(s->customers.begin(), s->customers.end(),
                                     [&](const Customer& c) { return c.created < o.time; });
      int limit = std::max(1, static_cast<int>(it - s->customers.begin()));
      o.customer = static_cast<int>(r.Below(limit));
      const Customer& c = s->customers[o.customer];
      o.first = c.first;
      o.last = c.last;
      o.email = c.email;
      o.phone = c.phone;
      o.addr = c.addr;
      o.ip = c.ip;
      o.ua = c.ua;
    } else {
      const Country& country = PickCountry(r);
      MakeAddress(r, country, &o.addr);
      o.first = r.Pick(FirstNames(o.addr.country));
      o.last = r.Pick(LastNames(o.addr.country));
      o.email = AsciiFold(o.first) + "." + AsciiFold(o.last) + std::to_string(r.Range(1, 999)) +
                "@" + r.Pick(EmailDomains());
      o.phone = Phone(r, country.phone_prefix);
      o.ip = r.Chance(0.1) ? r.Pick(s->nat_pool) : ConsumerIp(r);
      o.ua = r.Pick(kUas);
    }
    double p = r.Unit();
    o.pay = p < 0.65 ? PayKind::kCard
                     : p < 0.9 ? PayKind::kPaypal
                               : p < 0.95 ? PayKind::kBankTransfer : PayKind::kCheckMo;
    if (o.pay == PayKind::kCard) {
      static const char* kTypes[] = {"VI", "VI", "VI", "MC", "MC", "AE", "DI"};
      o.card_type = r.Pick(kTypes);
      char l4[8];
      std::snprintf(l4, sizeof l4, "%04d", static_cast<int>(r.Below(10000)));
      o.last4 = l4;
      o.exp_month = static_cast<int>(r.Range(1, 12));
      o.exp_year = ToCivil(o.time / 1000000).year + static_cast<int>(r.Range(1, 5));
    }
    int nitems = static_cast<int>(r.Range(1, 3));
    for (int k = 0; k < nitems; ++k) {
      OrderItem it;
      it.product = static_cast<int>(r.Below(s->products.size()));
      it.qty = r.Chance(0.8) ? 1 : 2;
      o.items.push_back(it);
      o.subtotal += s->products[it.product].price * it.qty;
    }
    o.shipping = o.subtotal > 100 ? 0 : 5.95;
    o.tax = static_cast<double>(static_cast<int64_t>(o.subtotal * 0.08 * 100 + 0.5)) / 100;
    o.grand = o.subtotal + o.shipping + o.tax;
    o.status = o.time > sp.log_end - 2 * 86400LL * 1000000 ? "processing" : "complete";
    if (r.Chance(0.03)) o.status = "canceled";
    s->orders.push_back(std::move(o));
  }

  // The store's own admins (legitimate).
  Rng ra(seed, 2);
  const Country& home = Countries()[sp.platform == Platform::kMagento ? 1 : 0];
  const char* kLogins[] = {"admin", "j.weber", "ops-team"};
  for (int i = 0; i < 2; ++i) {
    AdminUser a;
    a.id = static_cast<uint32_t>(i + 1);
    a.first = ra.Pick(FirstNames(home.code));
    a.last = ra.Pick(LastNames(home.code));
    a.username = kLogins[i];
    a.email = AsciiFold(a.first) + "." + AsciiFold(a.last) + "@" + sp.host.substr(4);
    a.password_hash = PasswordHash(ra, sp.platform);
    a.created = sp.installed + i * 86400LL * 1000000 * 30;
    s->admins.push_back(a);
  }
  // A third admin, created legitimately during the logged days (see benign.cc).
  AdminUser a;
  a.id = 3;
  a.first = ra.Pick(FirstNames(home.code));
  a.last = ra.Pick(LastNames(home.code));
  a.username = sp.platform == Platform::kMagento ? "marketing" : "marketing-team";
  a.email = "marketing@" + sp.host.substr(4);
  a.password_hash = PasswordHash(ra, sp.platform);
  a.created = sp.log_start + 86400LL * 1000000 + 10 * 3600LL * 1000000 + 13 * 60LL * 1000000;
  s->admins.push_back(a);
  s->crypt_key = ra.Hex(32);
}

}  // namespace tq::drill
