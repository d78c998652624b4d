// The affected-person computation: exposures joined with the store's people. Pure functions,
// so the rules are tested on hand-made records; scope_case.cc feeds them from the case.
#include "scope/scope.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "core/escape.h"
#include "scope/regions_data.h"

namespace tq::scope {
namespace {

constexpr int64_t kEdgeMicros = 60LL * 1000000;  // an order within a minute of a window edge

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

// "email:<trimmed, lower-case email>", else "customer:<id>", else "". One allocation.
std::string PersonKey(std::string_view email, std::optional<int64_t> customer_id) {
  size_t a = email.find_first_not_of(" \t\r\n");
  if (a != std::string_view::npos) {
    size_t b = email.find_last_not_of(" \t\r\n");
    std::string_view e = email.substr(a, b - a + 1);
    std::string key;
    key.reserve(6 + e.size());
    key += "email:";
    for (char c : e) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
  }
  if (customer_id) return "customer:" + std::to_string(*customer_id);
  return "";
}

enum : uint8_t {
  kAmbCreationUnknown = 1,
  kAmbGuest = 2,
  kAmbOrderTimeUnknown = 4,
  kAmbTablesUnknown = 8,
  kAmbRemovalUnknown = 16,
};

// The ambiguity texts, by flag.
constexpr std::pair<uint8_t, const char*> kAmbiguities[] = {
    {kAmbCreationUnknown, "account creation time unknown"},
    {kAmbGuest, "guest order, matched to the person by email only"},
    {kAmbOrderTimeUnknown, "order time unknown"},
    {kAmbTablesUnknown,
     "the dump's tables are unknown: every personal-data table is assumed taken"},
    {kAmbRemovalUnknown, "the skimmer's removal time is unknown; window closed at discovery"},
};

// How a record exposed its person.
enum class Via : uint8_t { kCardPayment, kDumpedAccount, kDumpedOrder };

// One record that exposed one person: what the second step turns into reasons.
struct Hit {
  uint32_t person;
  uint16_t exposure;
  Via via;
  uint8_t flags;    // kAmb*
  uint32_t record;  // index into customers (kDumpedAccount) or orders
  uint64_t cats;    // bits of Categories::names
  UnixMicros when;
  bool edge;  // an order at the skimmer window's edge
};

// Category lists as bits. Records mostly share a few lists: the last one is remembered.
// The PII map has eleven categories; should rows carry more than 63 distinct names, the rest
// share the last bit, reported as "other_personal_data" (never dropped).
struct Categories {
  static constexpr int kOther = 63;
  std::vector<std::string> names;
  std::unordered_map<std::string, int> bit;
  std::vector<std::string> last;
  uint64_t last_bits = 0;

  uint64_t Bits(const std::vector<std::string>& cats) {
    if (cats == last && !names.empty()) return last_bits;
    uint64_t bits = 0;
    for (const std::string& c : cats) {
      auto it = bit.find(c);
      if (it == bit.end()) {
        int b = names.size() < kOther ? static_cast<int>(names.size()) : kOther;
        if (b < kOther) names.push_back(c);
        it = bit.emplace(c, b).first;
      }
      bits |= uint64_t{1} << it->second;
    }
    last = cats;
    last_bits = bits;
    return bits;
  }
  std::string Name(int b) const { return b == kOther ? "other_personal_data" : names[b]; }
};

// Who a customer or order record names.
template <typename Record>
void CopyIdentity(const Record& r, AffectedPerson* p) {
  p->customer_id = r.customer_id;
  p->email = r.email;
  p->name = r.name;
  p->country = r.country;
  p->region = r.region;
}

bool DumpHolds(const Exposure& e, const std::string& table) {
  if (e.tables.empty()) return true;
  return std::find(e.tables.begin(), e.tables.end(), table) != e.tables.end();
}

}  // namespace

std::vector<std::string> SkimmedCategories(const OrderRecord& o) {
  // The checkout form: whatever of name, email, phone and address the order holds, and the
  // card typed into the payment form.
  std::vector<std::string> out;
  for (const char* c : {"name", "email", "phone", "postal_address"}) {
    if (std::find(o.categories.begin(), o.categories.end(), c) != o.categories.end())
      out.push_back(c);
  }
  out.push_back("payment_card");
  return out;
}

std::vector<AffectedPerson> ComputeAffected(const std::vector<CustomerRecord>& customers,
                                            const std::vector<OrderRecord>& orders,
                                            const std::vector<Exposure>& exposures,
                                            std::optional<UnixMicros> discovered_at) {
  // Step 1: every record that exposed somebody, as a compact hit; people by key.
  std::unordered_map<int64_t, uint32_t> by_id;  // customer id -> index in customers
  by_id.reserve(customers.size());
  for (uint32_t i = 0; i < customers.size(); ++i)
    if (customers[i].customer_id) by_id[*customers[i].customer_id] = i;
  std::unordered_map<std::string, uint32_t> index;
  std::vector<const std::string*> keys;
  std::vector<Hit> hits;
  Categories cats;
  auto person = [&](std::string&& key) {
    auto [it, fresh] = index.try_emplace(std::move(key), static_cast<uint32_t>(keys.size()));
    if (fresh) keys.push_back(&it->first);
    return it->second;
  };
  const uint64_t order_history = cats.Bits({"order_history"});
  std::vector<std::string> skimmed;
  for (size_t x = 0; x < exposures.size(); ++x) {
    const Exposure& e = exposures[x];
    const uint16_t ex = static_cast<uint16_t>(x);
    if (e.kind == Exposure::Kind::kSkimmer) {
      std::optional<UnixMicros> end = e.end ? e.end : discovered_at;
      for (uint32_t i = 0; i < orders.size(); ++i) {
        const OrderRecord& o = orders[i];
        if (!o.card_payment || !o.created_at || *o.created_at < e.start) continue;
        if (end && *o.created_at >= *end) continue;
        std::string key = PersonKey(o.email, o.customer_id);
        if (key.empty()) continue;
        bool edge =
            *o.created_at - e.start < kEdgeMicros || (end && *end - *o.created_at < kEdgeMicros);
        hits.push_back({person(std::move(key)), ex, Via::kCardPayment,
                        static_cast<uint8_t>(e.end ? 0 : kAmbRemovalUnknown), i,
                        cats.Bits(SkimmedCategories(o)), *o.created_at, edge});
      }
      continue;
    }
    // A dump: every row that existed when it was taken, of the tables it held.
    for (uint32_t i = 0; i < customers.size(); ++i) {
      const CustomerRecord& c = customers[i];
      if (!DumpHolds(e, c.source_table)) continue;
      if (c.created_at && *c.created_at >= e.start) continue;
      std::string key = PersonKey(c.email, c.customer_id);
      if (key.empty()) continue;
      hits.push_back({person(std::move(key)), ex, Via::kDumpedAccount,
                      static_cast<uint8_t>(c.created_at ? 0 : kAmbCreationUnknown), i,
                      cats.Bits(c.categories), e.start, false});
    }
    for (uint32_t i = 0; i < orders.size(); ++i) {
      const OrderRecord& o = orders[i];
      if (!DumpHolds(e, o.source_table)) continue;
      if (o.created_at && *o.created_at >= e.start) continue;
      std::string key = PersonKey(o.email, o.customer_id);
      if (key.empty()) continue;
      uint8_t flags = static_cast<uint8_t>((o.customer_id ? 0 : kAmbGuest) |
                                           (o.created_at ? 0 : kAmbOrderTimeUnknown));
      hits.push_back({person(std::move(key)), ex, Via::kDumpedOrder, flags, i,
                      cats.Bits(o.categories) | order_history, e.start, false});
    }
    // Everybody exposed so far, when the dump's tables are unknown.
    if (e.tables.empty()) hits.push_back({UINT32_MAX, ex, Via::kDumpedAccount, 0, 0, 0, 0, false});
  }

  // Step 2: hits grouped by person, in the order they were found (the first names the
  // person's identity), people by key.
  const uint32_t n = static_cast<uint32_t>(keys.size());
  std::vector<uint8_t> tables_unknown(n, 0);
  std::vector<uint32_t> start(n + 1, 0);
  for (const Hit& h : hits) {
    if (h.person == UINT32_MAX) {
      // Marks the people seen before this point.
      for (const Hit& g : hits) {
        if (&g == &h) break;
        if (g.person != UINT32_MAX) tables_unknown[g.person] = 1;
      }
      continue;
    }
    ++start[h.person + 1];
  }
  for (uint32_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<uint32_t> grouped(start[n]);
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (uint32_t i = 0; i < hits.size(); ++i)
      if (hits[i].person != UINT32_MAX) grouped[fill[hits[i].person]++] = i;
  }
  std::vector<uint32_t> by_key(n);
  for (uint32_t i = 0; i < n; ++i) by_key[i] = i;
  std::sort(by_key.begin(), by_key.end(),
            [&](uint32_t a, uint32_t b) { return *keys[a] < *keys[b]; });

  // Each person is built on its own: two threads take halves of the list.
  std::vector<AffectedPerson> out(n);
  auto build = [&](size_t from, size_t to) {
    std::vector<std::string> amb;
    std::unordered_map<std::string, std::pair<std::string, std::string>> places;
    std::string place_key;
    for (size_t at = from; at < to; ++at) {
      uint32_t who = by_key[at];
      AffectedPerson& p = out[at];
      p.person_key = *keys[who];
      uint64_t bits = 0;
      uint8_t flags = tables_unknown[who] ? kAmbTablesUnknown : 0;
      bool first = true;
      // Reasons: one per exposure and way, listing its orders.
      struct Group {
        uint16_t exposure;
        Via via;
        std::string refs, evidence;
        int count = 0;
      };
      std::vector<Group> groups;
      for (uint32_t k = start[who]; k < start[who + 1]; ++k) {
        const Hit& h = hits[grouped[k]];
        bits |= h.cats;
        flags |= h.flags;
        if (!p.first_exposure || h.when < *p.first_exposure) p.first_exposure = h.when;
        if (!p.last_exposure || h.when > *p.last_exposure) p.last_exposure = h.when;
        if (h.via == Via::kDumpedAccount) {
          const CustomerRecord& c = customers[h.record];
          if (first) CopyIdentity(c, &p);
          p.reasons.emplace_back("account in the stolen dump: " + exposures[h.exposure].description,
                                 c.evidence);
        } else {
          const OrderRecord& o = orders[h.record];
          if (first) {
            CopyIdentity(o, &p);
            // A registered customer keeps the account's identity.
            auto it = o.customer_id ? by_id.find(*o.customer_id) : by_id.end();
            if (it != by_id.end()) {
              const CustomerRecord& c = customers[it->second];
              if (!c.name.empty()) p.name = c.name;
              if (!c.country.empty()) {
                p.country = c.country;
                p.region = c.region;
              }
            }
          }
          if (h.edge)
            amb.push_back("order " + o.order_ref + " within a minute of the skimmer window's edge");
          auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
            return x.exposure == h.exposure && x.via == h.via;
          });
          if (g == groups.end()) {
            groups.push_back({h.exposure, h.via, "", "", 0});
            g = groups.end() - 1;
          }
          if (g->count++) {
            g->refs += ", ";
            if (g->evidence != o.evidence) g->evidence += ", " + o.evidence;
          } else {
            g->evidence = o.evidence;
          }
          g->refs += o.order_ref;
        }
        first = false;
      }
      for (const Group& g : groups) {
        std::string orders_text = (g.count > 1 ? "orders " : "order ") + g.refs;
        if (g.via == Via::kCardPayment) {
          p.reasons.emplace_back("paid by card while the skimmer was live (" + orders_text + ")",
                                 g.evidence);
        } else {
          p.reasons.emplace_back(
              orders_text + " in the stolen dump: " + exposures[g.exposure].description,
              g.evidence);
        }
      }
      for (int bit = 0; bit < 64; ++bit)
        if (bits & (uint64_t{1} << bit)) p.categories.push_back(cats.Name(bit));
      std::sort(p.categories.begin(), p.categories.end());
      // People share a few places: each (country, region) is looked up once.
      place_key.assign(p.country).append(1, '\0').append(p.region);
      auto place = places.find(place_key);
      if (place == places.end())
        place = places
                    .emplace(place_key, std::pair{RegionCode(p.country, p.region),
                                                  LanguageForCountry(p.country)})
                    .first;
      p.region = place->second.first;
      p.language = place->second.second;
      for (auto [flag, text] : kAmbiguities)
        if (flags & flag) amb.emplace_back(text);
      if (p.country.empty()) amb.emplace_back("no country on record");
      std::sort(amb.begin(), amb.end());
      amb.erase(std::unique(amb.begin(), amb.end()), amb.end());
      for (const auto& x : amb) p.ambiguity += (p.ambiguity.empty() ? "" : "; ") + x;
      amb.clear();
      // Reasons: deterministic order, no repeats.
      std::sort(p.reasons.begin(), p.reasons.end());
      p.reasons.erase(std::unique(p.reasons.begin(), p.reasons.end()), p.reasons.end());
    }
  };
  if (n >= 100000) {
    std::jthread half([&] { build(0, n / 2); });
    build(n / 2, n);
  } else {
    build(0, n);
  }
  return out;
}

std::string RegionCode(const std::string& country, const std::string& region) {
  std::string r = Trim(region);
  if (r.empty()) return "";
  std::string c = country;
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // "US-CA" as some stores write it.
  if (r.size() > 3 && r[2] == '-' && Lower(r.substr(0, 2)) == Lower(c)) r = r.substr(3);
  std::string lr = Lower(r);
  static const auto* table = [] {
    auto* m = new std::map<std::pair<std::string, std::string>, std::string>;
    std::istringstream in(kRegionsTsv);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream f(line);
      std::string cc, code, name;
      std::getline(f, cc, '\t');
      std::getline(f, code, '\t');
      std::getline(f, name);
      (*m)[{cc, Lower(code)}] = code;
      (*m)[{cc, Lower(name)}] = code;
    }
    return m;
  }();
  auto it = table->find({c, lr});
  if (it != table->end()) return it->second;
  std::string up = r;
  for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return up;
}

std::string Jurisdiction(const AffectedPerson& p) {
  std::string c = p.country;
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (c.empty()) return "";
  if ((c == "US" || c == "CA" || c == "AU") && !p.region.empty()) return c + "-" + p.region;
  return c;
}

std::string LanguageForCountry(const std::string& country) {
  static const std::map<std::string, std::string> kLang = {
      {"DE", "de"}, {"AT", "de"}, {"CH", "de"}, {"LI", "de"}, {"FR", "fr"}, {"BE", "fr"},
      {"LU", "fr"}, {"MC", "fr"}, {"ES", "es"}, {"MX", "es"}, {"AR", "es"}, {"CO", "es"},
      {"CL", "es"}, {"PE", "es"}, {"IT", "it"}, {"NL", "nl"}, {"PT", "pt"}, {"BR", "pt"},
      {"PL", "pl"}, {"SE", "sv"}, {"DK", "da"}, {"NO", "nb"}, {"FI", "fi"}, {"JP", "ja"},
      {"US", "en"}, {"GB", "en"}, {"IE", "en"}, {"CA", "en"}, {"AU", "en"}, {"NZ", "en"},
      {"SG", "en"}, {"IN", "en"}, {"ZA", "en"}, {"CZ", "cs"}, {"GR", "el"}, {"RO", "ro"},
      {"HU", "hu"}, {"TR", "tr"}, {"KR", "ko"}, {"CN", "zh"}};
  std::string c = country;
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto it = kLang.find(c);
  return it == kLang.end() ? "" : it->second;
}

std::string AffectedCsv(const std::vector<AffectedPerson>& people) {
  std::string out =
      "person_key,customer_id,email,name,country,region,jurisdiction,language,categories,"
      "first_exposure,last_exposure,reasons,ambiguity\n";
  out.reserve(out.size() + people.size() * 256);
  std::string cats, reasons;
  for (const AffectedPerson& p : people) {
    cats.clear();
    reasons.clear();
    for (const auto& c : p.categories) {
      if (!cats.empty()) cats += ';';
      cats += c;
    }
    for (const auto& [r, ev] : p.reasons) {
      if (!reasons.empty()) reasons += " | ";
      reasons.append(r).append(" [").append(ev) += ']';
    }
    auto field = [&out](std::string_view v, bool first = false) {
      if (!first) out += ',';
      out += EscapeCsvField(v);
    };
    field(p.person_key, true);
    field(p.customer_id ? std::to_string(*p.customer_id) : "");
    field(p.email);
    field(p.name);
    field(p.country);
    field(p.region);
    field(Jurisdiction(p));
    field(p.language);
    field(cats);
    field(p.first_exposure ? FormatUtc(*p.first_exposure) : "");
    field(p.last_exposure ? FormatUtc(*p.last_exposure) : "");
    field(reasons);
    field(p.ambiguity);
    out += '\n';
  }
  return out;
}

}  // namespace tq::scope
