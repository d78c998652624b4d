// data/jurisdictions/letters.txt: per jurisdiction, the controller details a letter must
// carry and whether it may go by e-mail. Same record format as the duty table ("key: value"
// lines, records separated by blank lines, "#" comments); any error stops the load, because
// a letter sent by e-mail under a rule that was silently dropped cannot be called back.
#include <fstream>
#include <set>
#include <sstream>

#include "notify/delivery.h"

namespace tq::notify {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

const LetterRule* LetterRules::For(std::string_view j) const {
  auto find_code = [&](std::string_view code) -> const LetterRule* {
    for (const LetterRule& r : rules)
      for (const std::string& w : r.where)
        if (w == code) return &r;
    return nullptr;
  };
  if (!j.empty()) {
    if (const LetterRule* r = find_code(j)) return r;
    size_t dash = j.find('-');
    if (dash != std::string_view::npos)
      if (const LetterRule* r = find_code(j.substr(0, dash))) return r;
    std::string_view country = j.substr(0, dash);
    for (const LetterRule& r : rules)
      for (const std::string& w : r.where) {
        auto s = sets.find(w);
        if (s == sets.end()) continue;
        for (const std::string& m : s->second)
          if (m == j || m == country) return &r;
      }
  }
  return find_code("*");
}

Result<LetterRules> ParseLetterRules(std::string_view text, const std::string& file,
                                     const std::map<std::string, std::vector<std::string>>& sets) {
  LetterRules out;
  out.sets = sets;
  static const std::set<std::string, std::less<>> kFields(ControllerFieldNames().begin(),
                                                          ControllerFieldNames().end());
  LetterRule cur;
  std::set<std::string> keys, codes;
  auto err = [&](int line, const std::string& msg) {
    return Status::BadInput(msg).At(file, static_cast<uint64_t>(line));
  };
  auto finish = [&]() -> Status {
    if (keys.empty()) return Status::Ok();
    if (cur.where.empty()) return err(cur.line, "record without where");
    if (!keys.count("email")) return err(cur.line, "record without email");
    if (cur.source.empty() || cur.status.empty())
      return err(cur.line, "every rule names its source and status (V-P, V-S, UNV)");
    for (const std::string& w : cur.where)
      if (!codes.insert(w).second) return err(cur.line, "'" + w + "' has two rules");
    out.rules.push_back(std::move(cur));
    cur = LetterRule();
    keys.clear();
    return Status::Ok();
  };
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (line.size() > 4096) return err(line_no, "line longer than 4096 bytes");
    for (unsigned char ch : line)
      if (ch == 0 || (ch < 0x20 && ch != '\t' && ch != '\r'))
        return err(line_no, "control character in the table");
    std::string_view t = Trim(line);
    if (!t.empty() && t.front() == '#') continue;
    if (t.empty()) {
      TQ_RETURN_IF_ERROR(finish());
      continue;
    }
    size_t colon = t.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return err(line_no, "expected 'key: value', got '" + std::string(t.substr(0, 80)) + "'");
    std::string key(Trim(t.substr(0, colon)));
    std::string value(Trim(t.substr(colon + 1)));
    if (keys.empty()) cur.line = line_no;
    if (!keys.insert(key).second) return err(line_no, "key '" + key + "' given twice");
    if (keys.size() > 32) return err(line_no, "record too long");
    if (key == "where") {
      cur.where = Words(value);
      for (const std::string& w : cur.where) {
        bool code = w == "*" || sets.count(w);
        if (!code && w.size() >= 2 && w.size() <= 8) {
          code = true;
          for (char ch : w)
            if (!(isupper(static_cast<unsigned char>(ch)) || ch == '-')) code = false;
        }
        if (!code) return err(line_no, "where: '" + w.substr(0, 40) + "' is not a code or set");
      }
    } else if (key == "requires") {
      cur.required = Words(value);
      for (const std::string& f : cur.required)
        if (!kFields.count(f) || f == "eu_establishment")
          return err(line_no, "requires: unknown controller field '" + f.substr(0, 40) +
                                  "' (legal_name, postal_address, dpo, phone, website)");
    } else if (key == "email") {
      if (value == "allowed") {
        cur.email = EmailRule::kAllowed;
      } else if (value == "esign") {
        cur.email = EmailRule::kEsign;
      } else if (value == "authenticated") {
        cur.email = EmailRule::kAuthenticated;
      } else if (value == "consent") {
        cur.email = EmailRule::kConsent;
      } else {
        return err(line_no, "email: expected allowed, esign, authenticated or consent, got '" +
                                value.substr(0, 40) + "'");
      }
    } else if (key == "law") {
      cur.law = value;
    } else if (key == "source") {
      cur.source = value;
    } else if (key == "status") {
      if (value != "V-P" && value != "V-S" && value != "UNV")
        return err(line_no, "status: expected V-P, V-S or UNV");
      cur.status = value;
    } else if (key == "note") {
      cur.note = value;
    } else {
      return err(line_no, "unknown key '" + key.substr(0, 40) + "'");
    }
  }
  TQ_RETURN_IF_ERROR(finish());
  if (!codes.count("*")) return Status::BadInput(file + ": no rule for '*' (everyone else)");
  return out;
}

Result<LetterRules> LoadLetterRules(const std::string& path,
                                    const std::map<std::string, std::vector<std::string>>& sets) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(path, errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > (1u << 20)) return Status::BadInput(path + ": larger than 1 MiB");
  return ParseLetterRules(text, path, sets);
}

}  // namespace tq::notify
