// The affected-person computation: exposures joined with the store's people. Pure functions,
// so the rules are tested on hand-made records; scope_case.cc feeds them from the case.
#include "scope/scope.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <sstream>

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

std::string PersonKey(const std::string& email, std::optional<int64_t> customer_id) {
  std::string e = Lower(Trim(email));
  if (!e.empty()) return "email:" + e;
  if (customer_id) return "customer:" + std::to_string(*customer_id);
  return "";
}

struct Builder {
  std::map<std::string, AffectedPerson> people;
  std::map<std::string, std::set<std::string>> cats;
  std::map<std::string, std::set<std::string>> ambiguities;

  AffectedPerson* Get(const std::string& key) {
    auto it = people.find(key);
    return it == people.end() ? nullptr : &it->second;
  }

  void Add(const std::string& key, const std::function<void(AffectedPerson&)>& identity,
           const std::vector<std::string>& categories, UnixMicros when, std::string reason,
           std::string evidence) {
    auto [it, fresh] = people.try_emplace(key);
    AffectedPerson& p = it->second;
    if (fresh) {
      p.person_key = key;
      identity(p);
    }
    for (const auto& c : categories) cats[key].insert(c);
    if (!p.first_exposure || when < *p.first_exposure) p.first_exposure = when;
    if (!p.last_exposure || when > *p.last_exposure) p.last_exposure = when;
    p.reasons.emplace_back(std::move(reason), std::move(evidence));
  }
};

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
  Builder b;
  std::map<int64_t, const CustomerRecord*> by_id;
  for (const CustomerRecord& c : customers)
    if (c.customer_id) by_id[*c.customer_id] = &c;

  auto customer_identity = [](const CustomerRecord& c) {
    return [&c](AffectedPerson& p) {
      p.customer_id = c.customer_id;
      p.email = c.email;
      p.name = c.name;
      p.country = c.country;
      p.region = c.region;
    };
  };
  auto order_identity = [&](const OrderRecord& o) {
    return [&o, &by_id](AffectedPerson& p) {
      p.customer_id = o.customer_id;
      p.email = o.email;
      p.name = o.name;
      p.country = o.country;
      p.region = o.region;
      // A registered customer keeps the account's identity.
      if (o.customer_id) {
        auto it = by_id.find(*o.customer_id);
        if (it != by_id.end()) {
          const CustomerRecord& c = *it->second;
          if (!c.name.empty()) p.name = c.name;
          if (!c.country.empty()) {
            p.country = c.country;
            p.region = c.region;
          }
        }
      }
    };
  };

  for (const Exposure& e : exposures) {
    if (e.kind == Exposure::Kind::kSkimmer) {
      std::optional<UnixMicros> end = e.end ? e.end : discovered_at;
      for (const OrderRecord& o : orders) {
        if (!o.card_payment || !o.created_at || *o.created_at < e.start) continue;
        if (end && *o.created_at >= *end) continue;
        std::string key = PersonKey(o.email, o.customer_id);
        if (key.empty()) continue;
        b.Add(key, order_identity(o), SkimmedCategories(o), *o.created_at,
              "paid by card while the skimmer was live (order " + o.order_ref + ")", o.evidence);
        if (*o.created_at - e.start < kEdgeMicros || (end && *end - *o.created_at < kEdgeMicros))
          b.ambiguities[key].insert("order " + o.order_ref +
                                    " within a minute of the skimmer "
                                    "window's edge");
        if (!e.end)
          b.ambiguities[key].insert(
              "the skimmer's removal time is unknown; window closed at "
              "discovery");
      }
      continue;
    }
    // A dump: every row that existed when it was taken, of the tables it held.
    std::set<int64_t> ordered_before;
    for (const OrderRecord& o : orders) {
      if (!DumpHolds(e, o.source_table)) continue;
      bool before = !o.created_at || *o.created_at < e.start;
      if (!before) continue;
      if (o.customer_id && by_id.count(*o.customer_id)) ordered_before.insert(*o.customer_id);
    }
    for (const CustomerRecord& c : customers) {
      if (!DumpHolds(e, c.source_table)) continue;
      if (c.created_at && *c.created_at >= e.start) continue;
      std::string key = PersonKey(c.email, c.customer_id);
      if (key.empty()) continue;
      std::vector<std::string> cat = c.categories;
      b.Add(key, customer_identity(c), cat, e.start, "account in the stolen dump: " + e.description,
            c.evidence);
      if (!c.created_at) b.ambiguities[key].insert("account creation time unknown");
    }
    for (const OrderRecord& o : orders) {
      if (!DumpHolds(e, o.source_table)) continue;
      if (o.created_at && *o.created_at >= e.start) continue;
      std::string key = PersonKey(o.email, o.customer_id);
      if (key.empty()) continue;
      std::vector<std::string> cat = o.categories;
      cat.push_back("order_history");
      b.Add(key, order_identity(o), cat, e.start,
            "order " + o.order_ref + " in the stolen dump: " + e.description, o.evidence);
      if (!o.customer_id)
        b.ambiguities[key].insert("guest order, matched to the person by email only");
      if (!o.created_at) b.ambiguities[key].insert("order time unknown");
    }
    if (e.tables.empty()) {
      for (auto& [key, p] : b.people)
        b.ambiguities[key].insert(
            "the dump's tables are unknown: every personal-data table "
            "is assumed taken");
    }
  }

  std::vector<AffectedPerson> out;
  out.reserve(b.people.size());
  for (auto& [key, p] : b.people) {
    p.categories.assign(b.cats[key].begin(), b.cats[key].end());
    p.region = RegionCode(p.country, p.region);
    p.language = LanguageForCountry(p.country);
    if (p.country.empty()) b.ambiguities[key].insert("no country on record");
    std::string amb;
    for (const auto& a : b.ambiguities[key]) amb += (amb.empty() ? "" : "; ") + a;
    p.ambiguity = amb;
    // Reasons: deterministic order, no repeats.
    std::sort(p.reasons.begin(), p.reasons.end());
    p.reasons.erase(std::unique(p.reasons.begin(), p.reasons.end()), p.reasons.end());
    out.push_back(std::move(p));
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
  for (const AffectedPerson& p : people) {
    std::string cats, reasons;
    for (const auto& c : p.categories) cats += (cats.empty() ? "" : ";") + c;
    for (const auto& [r, ev] : p.reasons)
      reasons += (reasons.empty() ? "" : " | ") + r + " [" + ev + "]";
    std::vector<std::string> fields = {p.person_key,
                                       p.customer_id ? std::to_string(*p.customer_id) : "",
                                       p.email,
                                       p.name,
                                       p.country,
                                       p.region,
                                       Jurisdiction(p),
                                       p.language,
                                       cats,
                                       p.first_exposure ? FormatUtc(*p.first_exposure) : "",
                                       p.last_exposure ? FormatUtc(*p.last_exposure) : "",
                                       reasons,
                                       p.ambiguity};
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ',';
      out += EscapeCsvField(fields[i]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace tq::scope
