// The jurisdiction table reader (data/jurisdictions/duties.txt) and the scope reader.
// The table is a plain "key: value" record file so that counsel can read and edit it;
// unknown keys, bad thresholds and bad deadlines are errors with file:line, never guesses.
// An error leaves out only the record it is in (listed in DutyTable::errors).
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/shipped.h"
#include "notify/notify.h"

namespace tq::notify {
namespace {

std::string_view Short(std::string_view s) { return s.substr(0, 80); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != ',') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool ParseCount(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 12) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

// "any", ">N", ">=N".
bool ParseThreshold(std::string_view s, bool* inclusive, int64_t* min) {
  if (s == "any") {
    *inclusive = true;
    *min = 0;
    return true;
  }
  if (s.starts_with(">=")) {
    *inclusive = true;
    return ParseCount(s.substr(2), min);
  }
  if (s.starts_with(">")) {
    *inclusive = false;
    return ParseCount(s.substr(1), min);
  }
  return false;
}

bool ParseDeadline(std::string_view s, DeadlineUnit* unit, int64_t* amount) {
  if (s == "immediately") {  // due the moment the breach is known (card brands)
    *unit = DeadlineUnit::kHours;
    *amount = 0;
    return true;
  }
  if (s == "none") {
    *unit = DeadlineUnit::kNone;
    *amount = 0;
    return true;
  }
  std::string_view num = s;
  if (s.ends_with("bd")) {
    *unit = DeadlineUnit::kBusinessDays;
    num.remove_suffix(2);
  } else if (s.ends_with("d")) {
    *unit = DeadlineUnit::kDays;
    num.remove_suffix(1);
  } else if (s.ends_with("h")) {
    *unit = DeadlineUnit::kHours;
    num.remove_suffix(1);
  } else {
    return false;
  }
  return ParseCount(num, amount) && *amount <= 100000;
}

// "2026-01-01" (UTC midnight); false on anything else.
bool ParseDay(std::string_view s, UnixMicros* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int64_t y = 0, m = 0, d = 0;
  if (!ParseCount(s.substr(0, 4), &y) || !ParseCount(s.substr(5, 2), &m) ||
      !ParseCount(s.substr(8, 2), &d))
    return false;
  if (y < 1970 ||
      !CheckCivil(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d), 0, 0, 0).empty())
    return false;
  *out = DaysFromCivil(static_cast<int>(y), static_cast<unsigned>(m), static_cast<unsigned>(d)) *
         86400LL * 1000000;
  return true;
}

const std::set<std::string, std::less<>>& KnownCategories() {
  static const std::set<std::string, std::less<>> k = {"name",
                                                       "email",
                                                       "phone",
                                                       "postal_address",
                                                       "date_of_birth",
                                                       "tax_id",
                                                       "ip_address",
                                                       "password_hash",
                                                       "payment_card",
                                                       "order_history",
                                                       "account_credentials"};
  return k;
}

struct Record {
  int line = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<int> lines;
};

Status FinishRecord(const Record& r, const std::string& file, DutyTable* table,
                    std::set<std::string>* ids) {
  if (r.fields.empty()) return Status::Ok();
  auto err = [&](int line, const std::string& msg) {
    return Status::BadInput(msg).At(file, static_cast<uint64_t>(line));
  };
  if (r.fields[0].first == "set") {
    std::string name = r.fields[0].second;
    std::vector<std::string> members;
    for (size_t i = 1; i < r.fields.size(); ++i) {
      const auto& [k, v] = r.fields[i];
      if (k == "members") {
        members = Words(v);
      } else if (k != "note") {
        return err(r.lines[i], "unknown key '" + k + "' in a set record (members, note)");
      }
    }
    if (name.empty() || members.empty()) return err(r.line, "set record needs a name and members");
    if (table->sets.count(name)) return err(r.line, "set '" + name + "' defined twice");
    table->sets[name] = std::move(members);
    return Status::Ok();
  }
  DutyRule d;
  d.line = r.line;
  std::set<std::string> seen;
  for (size_t i = 0; i < r.fields.size(); ++i) {
    const auto& [k, v] = r.fields[i];
    int line = r.lines[i];
    if (!seen.insert(k).second) return err(line, "key '" + k + "' given twice in one record");
    if (k == "id") {
      d.id = v;
    } else if (k == "name") {
      d.name = v;
    } else if (k == "where") {
      d.where = Words(v);
    } else if (k == "per") {
      if (v != "jurisdiction" && v != "all") return err(line, "per: expected jurisdiction or all");
      d.per_jurisdiction = v == "jurisdiction";
    } else if (k == "notify") {
      // assessment: no one to tell yet, a decision due by a date (Australia's 30 days).
      static const std::set<std::string, std::less<>> kinds = {
          "individuals", "regulator", "cra", "acquirer", "card_brand", "assessment"};
      if (!kinds.count(v))
        return err(line,
                   "notify: expected individuals, regulator, cra, acquirer, card_brand or "
                   "assessment");
      d.notify = v;
    } else if (k == "recipient") {
      d.recipient = v;
    } else if (k == "categories") {
      if (v != "any") {
        d.categories = Words(v);
        for (const std::string& c : d.categories)
          if (!KnownCategories().count(c)) return err(line, "unknown data category '" + c + "'");
        std::sort(d.categories.begin(), d.categories.end());
      }
    } else if (k == "people") {
      if (!ParseThreshold(v, &d.people_inclusive, &d.people_min))
        return err(line, "people: expected any, >N or >=N, got '" + v + "'");
    } else if (k == "scale") {
      bool inc = true;
      int64_t n = 0;
      if (!ParseThreshold(v, &inc, &n) || v == "any")
        return err(line, "scale: expected >N or >=N, got '" + v + "'");
      d.scale_min = inc ? n : n + 1;
    } else if (k == "deadline") {
      if (!ParseDeadline(v, &d.unit, &d.amount))
        return err(line, "deadline: expected Nh, Nd, Nbd, immediately or none, got '" + v + "'");
    } else if (k == "also_by") {
      if (v != "told") return err(line, "also_by: expected told, got '" + v + "'");
      d.also_by_told = true;
    } else if (k == "establishment") {
      d.establishment = Words(v);
      for (const std::string& e : d.establishment)
        if (e != "eea" && e != "none" && e != "unknown")
          return err(line, "establishment: expected eea, none or unknown, got '" + e + "'");
    } else if (k == "from") {
      if (v == "discovery") {
        d.after.clear();
      } else if (v.starts_with("after:") && v.size() > 6) {
        d.after = v.substr(6);
      } else {
        return err(line, "from: expected discovery or after:RULE_ID");
      }
    } else if (k == "deadline_text") {
      d.deadline_text = v;
    } else if (k == "template") {
      for (char ch : v)
        if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
          return err(line, "template: letters, digits and _ only");
      d.template_name = v;
    } else if (k == "law") {
      d.law = v;
    } else if (k == "source") {
      d.source = v;
    } else if (k == "status") {
      if (v != "V-P" && v != "V-S" && v != "UNV")
        return err(line, "status: expected V-P, V-S or UNV");
      d.status = v;
    } else if (k == "note") {
      d.note = v;
    } else if (k == "in_force_from" || k == "in_force_until") {
      UnixMicros day = 0;
      if (!ParseDay(v, &day)) return err(line, k + ": expected a date YYYY-MM-DD, got '" + v + "'");
      if (k == "in_force_from")
        d.in_force_from = day;
      else
        d.in_force_until = day + 86400LL * 1000000;  // to the end of that day
    } else {
      return err(line, "unknown key '" + k + "'");
    }
  }
  if (d.id.empty()) return err(r.line, "record without id");
  if (d.in_force_from && d.in_force_until && *d.in_force_until <= *d.in_force_from)
    return err(r.line, "rule " + d.id + ": in_force_until is before in_force_from");
  if (d.where.empty()) return err(r.line, "rule " + d.id + ": where is missing");
  if (d.notify.empty()) return err(r.line, "rule " + d.id + ": notify is missing");
  if (d.status.empty()) return err(r.line, "rule " + d.id + ": status is missing (V-P, V-S, UNV)");
  if (d.source.empty()) return err(r.line, "rule " + d.id + ": source is missing");
  if (!ids->insert(d.id).second) return err(r.line, "rule id '" + d.id + "' used twice");
  table->rules.push_back(std::move(d));
  return Status::Ok();
}

}  // namespace

bool DutyRule::InForce(UnixMicros discovered_at) const {
  return (!in_force_from || discovered_at >= *in_force_from) &&
         (!in_force_until || discovered_at < *in_force_until);
}

std::string DutyRule::ThresholdText() const {
  if (people_inclusive && people_min == 0) return "any";
  return (people_inclusive ? ">=" : ">") + std::to_string(people_min);
}

Result<DutyTable> ParseDutyTable(std::string_view text, const std::string& file) {
  DutyTable table;
  std::set<std::string> ids, broken_ids;
  Record cur;
  bool skipping = false;  // the current record had an error: its lines up to a blank go
  // One bad record costs only that duty: it is reported (file:line) and left out; the
  // others load.
  auto fail = [&](Status s) {
    for (const auto& [k, v] : cur.fields)
      if (k == "id") broken_ids.insert(v);
    table.errors.push_back(std::move(s));
    cur = Record();
    skipping = true;
  };
  auto finish = [&]() {
    if (!skipping) {
      Status s = FinishRecord(cur, file, &table, &ids);
      if (!s.ok()) fail(std::move(s));
    }
    cur = Record();
    skipping = false;
  };
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    ++line_no;
    bool last = nl == std::string_view::npos;
    pos = last ? text.size() + 1 : nl + 1;
    if (line.size() > 4096) {
      fail(Status::BadInput("line longer than 4096 bytes").At(file, line_no));
      continue;
    }
    bool control = false;
    for (unsigned char ch : line)
      if (ch == 0 || (ch < 0x20 && ch != '\t' && ch != '\r')) control = true;
    if (control) {
      fail(Status::BadInput("control character in the table").At(file, line_no));
      continue;
    }
    std::string_view t = Trim(line);
    if (!t.empty() && t.front() == '#') continue;
    if (t.empty()) {
      finish();
      continue;
    }
    if (skipping) continue;
    size_t colon = t.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      fail(Status::BadInput("expected 'key: value', got '" + std::string(Short(t)) + "'")
               .At(file, line_no));
      continue;
    }
    std::string key(Trim(t.substr(0, colon)));
    bool bad_key = false;
    for (char ch : key)
      if (!(islower(static_cast<unsigned char>(ch)) || ch == '_')) bad_key = true;
    if (bad_key) {
      fail(Status::BadInput("bad key '" + std::string(Short(key)) + "'").At(file, line_no));
      continue;
    }
    if (cur.fields.empty()) cur.line = line_no;
    cur.fields.emplace_back(key, std::string(Trim(t.substr(colon + 1))));
    cur.lines.push_back(line_no);
    if (cur.fields.size() > 64) fail(Status::BadInput("record too long").At(file, line_no));
  }
  finish();
  // Cross-record checks, until nothing changes (a rule left out can strand another that
  // counts from it): after:RULE names a loaded rule, not itself, and chains end.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < table.rules.size(); ++i) {
      const DutyRule& d = table.rules[i];
      std::string problem;
      if (!d.after.empty() && d.after == d.id) {
        problem = "deadline counts from itself";
      } else if (!d.after.empty() && !ids.count(d.after)) {
        problem = broken_ids.count(d.after)
                      ? "from: after:" + d.after + " names a rule left out for an error"
                      : "from: after:" + d.after + " names no rule";
      } else {
        std::string at = d.after;
        size_t hops = 0;
        while (!at.empty() && problem.empty()) {
          if (++hops > table.rules.size()) problem = "after: references form a cycle";
          auto it = std::find_if(table.rules.begin(), table.rules.end(),
                                 [&](const DutyRule& r) { return r.id == at; });
          at = it == table.rules.end() ? "" : it->after;
        }
      }
      if (problem.empty()) continue;
      table.errors.push_back(Status::BadInput("rule " + d.id + ": " + problem).At(file, d.line));
      ids.erase(d.id);
      broken_ids.insert(d.id);
      table.rules.erase(table.rules.begin() + static_cast<std::ptrdiff_t>(i));
      changed = true;
      break;
    }
  }
  return table;
}

Result<DutyTable> LoadDutyTable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(path, errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > (16u << 20)) return Status::BadInput(path + ": table larger than 16 MiB");
  return ParseDutyTable(text, path);
}

UnixMicros AddDeadline(UnixMicros from, DeadlineUnit unit, int64_t amount) {
  constexpr int64_t kHour = 3600LL * 1000000;
  constexpr int64_t kDay = 24 * kHour;
  switch (unit) {
    case DeadlineUnit::kNone: return from;
    case DeadlineUnit::kHours: return from + amount * kHour;
    case DeadlineUnit::kDays: return from + amount * kDay;
    case DeadlineUnit::kBusinessDays: {
      auto weekday = [&](UnixMicros x) {  // 0 = Sunday; 1970-01-01 was a Thursday
        int64_t days = x >= 0 ? x / kDay : (x - kDay + 1) / kDay;
        return ((days % 7) + 7 + 4) % 7;
      };
      // Counting from a Saturday or Sunday is counting from the Friday before; then whole
      // weeks at once (5 business days = 7 calendar days), then day by day.
      UnixMicros t = from;
      if (weekday(t) == 6) t -= kDay;
      if (weekday(t) == 0) t -= 2 * kDay;
      t += (amount / 5) * 7 * kDay;
      for (int64_t n = 0; n < amount % 5;) {
        t += kDay;
        int64_t wd = weekday(t);
        if (wd != 0 && wd != 6) ++n;
      }
      return t;
    }
  }
  return from;
}

std::string DefaultDataDir() {
  if (const char* env = std::getenv("TOURNIQUET_DATA"); env && *env) return env;
  return ShippedPath("data");
}

std::string AffectedPerson::Jurisdiction() const {
  if (country.empty()) return "";
  if (!region.empty() && (country == "US" || country == "CA" || country == "AU"))
    return country + "-" + region;
  return country;
}

Result<std::vector<AffectedPerson>> LoadAffectedPeople(Db& db) {
  TQ_ASSIGN_OR_RETURN(int64_t has, db.QueryInt("SELECT count(*) FROM sqlite_master WHERE "
                                               "type='table' AND name='scope_person'"));
  if (!has) return Status::NotFound("no scope yet: run `tourniquet scope` first");
  TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT person_key,email,name,country,region,language,"
                                          "categories,first_exposure,last_exposure FROM "
                                          "scope_person ORDER BY person_key"));
  std::vector<AffectedPerson> out;
  simdjson::dom::parser parser;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    AffectedPerson p;
    p.person_key = st.String(0);
    p.email = st.String(1);
    p.name = st.String(2);
    p.country = st.String(3);
    p.region = st.String(4);
    p.language = st.String(5);
    std::for_each(p.country.begin(), p.country.end(), [](char& c) { c = toupper(c); });
    std::for_each(p.region.begin(), p.region.end(), [](char& c) { c = toupper(c); });
    std::string cats = st.String(6);
    simdjson::dom::element doc;
    simdjson::dom::array arr;
    if (parser.parse(cats).get(doc) || doc.get_array().get(arr))
      return Status::BadInput("scope_person " + p.person_key + ": categories is not a JSON array");
    for (simdjson::dom::element e : arr) {
      std::string_view s;
      if (e.get_string().get(s))
        return Status::BadInput("scope_person " + p.person_key + ": category is not a string");
      p.categories.emplace_back(s);
    }
    std::sort(p.categories.begin(), p.categories.end());
    p.categories.erase(std::unique(p.categories.begin(), p.categories.end()), p.categories.end());
    if (!st.IsNull(7)) p.first_exposure = st.Int(7);
    if (!st.IsNull(8)) p.last_exposure = st.Int(8);
    out.push_back(std::move(p));
  }
  // When each person was told (a letter delivered): some deadlines end then (also_by: told).
  TQ_ASSIGN_OR_RETURN(int64_t outbox, db.QueryInt("SELECT count(*) FROM sqlite_master WHERE "
                                                  "type='table' AND name='notify_outbox'"));
  if (outbox) {
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < out.size(); ++i) index[out[i].person_key] = i;
    TQ_ASSIGN_OR_RETURN(Stmt told, db.Prepare("SELECT person_key, min(sent_at) FROM notify_outbox "
                                              "WHERE kind='letter' AND sent_at IS NOT NULL AND "
                                              "state IN ('sent','printed') GROUP BY person_key"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, told.Step());
      if (!row) break;
      auto it = index.find(told.String(0));
      if (it != index.end()) out[it->second].told_at = told.Int(1);
    }
  }
  return out;
}

}  // namespace tq::notify
