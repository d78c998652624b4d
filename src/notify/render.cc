// Messages: one letter per affected person (the categories they lost and what to do, in
// their language where a template exists), regulator notices with the fields the case
// knows, and the public statement. Letters go to the outbox; everything is also written
// under <case>/reports/notify/ for review.
//
// Templates are Mustache (kainjow). Values come from the case (customer names, emails: may
// be attacker-written) and are cleaned for their context: plain-text templates get no
// control characters, HTML templates get HTML escaping. A template file starts with
// "Subject: ..." and a blank line; strings.<lang>.txt holds "key: value" lines with the
// category labels and advice.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/escape.h"
#include "core/sha256.h"
#include "notify/delivery.h"
#include "notify/locale.h"
#include "notify/notify.h"
#include "notify/statement.h"

namespace tq::notify {

namespace mst = kainjow::mustache;

std::string CleanPlainText(std::string_view raw, bool allow_newline) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c < 0x80) {
      if (c == '\n' && allow_newline) {
        out += '\n';
      } else if (c == '\t' || c == '\n' || c == '\r') {
        out += ' ';
      } else if (c >= 0x20 && c != 0x7f) {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(raw.substr(i));
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    // C1 controls (U+0080..U+009F) and bidi overrides / isolates are dropped.
    uint32_t cp = 0;
    if (n == 2) cp = ((c & 0x1f) << 6) | (raw[i + 1] & 0x3f);
    if (n == 3) cp = ((c & 0x0f) << 12) | ((raw[i + 1] & 0x3f) << 6) | (raw[i + 2] & 0x3f);
    bool drop = (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
                (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
    if (!drop) out.append(raw.substr(i, n));
    i += n;
  }
  return out;
}

bool IsSafeMailAddress(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  size_t at = a.find('@');
  if (at == 0 || at == std::string_view::npos || a.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string_view local = a.substr(0, at), domain = a.substr(at + 1);
  if (local.size() > 64 || domain.size() < 3 || domain.find('.') == std::string_view::npos)
    return false;
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos)
    return false;
  for (unsigned char c : local)
    if (c <= 0x20 || c >= 0x7f ||
        std::string_view("\"(),:;<>@[\\]").find(c) != std::string_view::npos)
      return false;
  for (unsigned char c : domain)
    if (!(isalnum(c) || c == '-' || c == '.')) return false;
  return true;
}

namespace {

std::string ReadText(const std::string& path, Status* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = Status::FromErrno(path, errno);
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "Subject: ...\n\nbody". A letter layout for one law (letter.<lang>@<jurisdiction>.txt) or a
// block (block.<lang>@<jurisdiction>.txt) starts with "Law: <statute and source>" and may
// say "Requires: <field> ..." (controller details the law wants; rendering refuses without).
struct MessageTemplate {
  std::unique_ptr<mst::mustache> subject, body;
  std::string law;
  std::vector<std::string> required_fields;
};

// Strips the "Law:" and "Requires:" lines off the top; returns how many lines it took.
int TakeLayoutHeader(std::string& text, MessageTemplate& t) {
  int lines = 0;
  for (;;) {
    bool law = text.starts_with("Law:"), req = text.starts_with("Requires:");
    if (!law && !req) return lines;
    size_t nl = text.find('\n');
    std::string line = text.substr(0, nl);
    text.erase(0, nl == std::string::npos ? text.size() : nl + 1);
    ++lines;
    std::string value = line.substr(law ? 4 : 9);
    if (law) {
      t.law = CleanPlainText(value, false);
      while (!t.law.empty() && t.law.front() == ' ') t.law.erase(0, 1);
      continue;
    }
    std::istringstream words(value);
    for (std::string w; words >> w;) t.required_fields.push_back(w);
  }
}

Result<MessageTemplate> CompileBlock(const std::string& path) {
  Status err;
  std::string text = ReadText(path, &err);
  if (!err.ok()) return err;
  MessageTemplate t;
  int header = TakeLayoutHeader(text, t);
  if (t.law.empty()) return Status::BadInput("a block must start with 'Law: ...'").At(path, 1);
  t.body = std::make_unique<mst::mustache>(text);
  if (!t.body->is_valid())
    return Status::BadInput(t.body->error_message()).At(path, static_cast<uint64_t>(header + 1));
  t.body->set_custom_escape([](const std::string& s) { return CleanPlainText(s, false); });
  return t;
}

Result<MessageTemplate> CompileMessage(const std::string& path, bool html,
                                       bool law_layout = false) {
  Status err;
  std::string text = ReadText(path, &err);
  if (!err.ok()) return err;
  MessageTemplate header;
  int header_lines = TakeLayoutHeader(text, header);
  if (header_lines > 0 && !law_layout)
    return Status::BadInput("only a letter layout (letter.<lang>@<jurisdiction>.txt) has 'Law:'")
        .At(path, 1);
  if (law_layout && header.law.empty())
    return Status::BadInput("a letter layout must start with 'Law: ...'").At(path, 1);
  if (!text.starts_with("Subject:"))
    return Status::BadInput("template must start with 'Subject: ...'").At(path, 1);
  size_t nl = text.find('\n');
  if (nl == std::string::npos) return Status::BadInput("template has no body").At(path, 1);
  std::string subject = text.substr(8, nl - 8);
  while (!subject.empty() && subject.front() == ' ') subject.erase(0, 1);
  std::string body = text.substr(nl + 1);
  if (body.starts_with("\n")) body.erase(0, 1);
  MessageTemplate t;
  t.law = std::move(header.law);
  t.required_fields = std::move(header.required_fields);
  t.subject = std::make_unique<mst::mustache>(subject);
  t.body = std::make_unique<mst::mustache>(body);
  if (!t.subject->is_valid())
    return Status::BadInput("subject: " + t.subject->error_message()).At(path, 1);
  if (!t.body->is_valid()) return Status::BadInput(t.body->error_message()).At(path, 2);
  auto plain = [](const std::string& s) { return CleanPlainText(s, false); };
  t.subject->set_custom_escape(plain);
  if (!html) t.body->set_custom_escape(plain);
  return t;
}

// `lines`, when given, gets each key's line number (for errors about its value).
Result<std::map<std::string, std::string>> LoadStrings(
    const std::string& path, std::map<std::string, int>* lines = nullptr) {
  Status err;
  std::string text = ReadText(path, &err);
  if (!err.ok()) return err;
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos)
      return Status::BadInput("expected 'key: value'").At(path, static_cast<uint64_t>(n));
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    out[line.substr(0, colon)] = v;
    if (lines) (*lines)[line.substr(0, colon)] = n;
  }
  return out;
}

std::string DateOnly(UnixMicros t) { return FormatUtc(t).substr(0, 10); }

}  // namespace

struct LetterRenderer::Impl {
  struct Language {
    MessageTemplate letter;
    std::map<std::string, std::string> strings;
    LocaleFormat locale;  // how dates and counts are written in running text
    // The layouts and blocks of particular laws, by jurisdiction code ("US-MA", "US-NY").
    std::map<std::string, MessageTemplate> variants, blocks;
  };
  std::map<std::string, Language> languages;
  // Languages whose template or strings do not load: their letters are not written (never
  // in another language in silence); the other languages go on.
  std::map<std::string, Status> broken;
};

Result<LetterRenderer> LetterRenderer::Load(const std::string& dir) {
  auto impl = std::make_unique<Impl>();
  std::error_code ec;
  // Layouts for one law: letter.<lang>@<jurisdiction>.txt (a whole letter) and
  // block.<lang>@<jurisdiction>.txt (added to the base letter); attached once all are read.
  std::vector<std::tuple<std::string, std::string, bool, MessageTemplate>> laws;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    bool block = name.starts_with("block.");
    if ((!name.starts_with("letter.") && !block) || !name.ends_with(".txt")) continue;
    std::string lang = name.substr(block ? 6 : 7, name.size() - (block ? 10 : 11));
    size_t at = lang.find('@');
    if (at != std::string::npos) {
      std::string jur = lang.substr(at + 1);
      lang.resize(at);
      if (lang.empty() || jur.empty()) continue;
      Result<MessageTemplate> t = block ? CompileBlock(entry.path().string())
                                        : CompileMessage(entry.path().string(), false, true);
      if (!t.ok()) {
        // A law's layout that does not load stops that language's letters, not the others.
        impl->broken[lang] = t.status();
        continue;
      }
      laws.emplace_back(lang, jur, block, std::move(*t));
      continue;
    }
    if (block || lang.empty() || lang.size() > 8) continue;
    // letter.<lang>.txt with strings.<lang>.txt beside it.
    Result<MessageTemplate> t = CompileMessage(entry.path().string(), false);
    if (!t.ok()) {
      impl->broken[lang] = t.status();
      continue;
    }
    std::string strings_path = dir + "/strings." + lang + ".txt";
    std::map<std::string, int> lines;
    Result<std::map<std::string, std::string>> strings = LoadStrings(strings_path, &lines);
    if (!strings.ok()) {
      impl->broken[lang] = strings.status();
      continue;
    }
    Result<LocaleFormat> locale = ParseLocaleFormat(*strings, lines, strings_path);
    if (!locale.ok()) {
      impl->broken[lang] = locale.status();
      continue;
    }
    impl->languages[lang] =
        Impl::Language{std::move(*t), std::move(*strings), std::move(*locale), {}, {}};
  }
  if (ec) return Status::Io(dir + ": " + ec.message());
  if (!impl->languages.count("en") && !impl->broken.count("en"))
    return Status::BadInput(dir + ": no letter.en.txt (the fallback language)");
  for (auto& [lang, jur, block, t] : laws) {
    auto it = impl->languages.find(lang);
    if (it == impl->languages.end() && impl->broken.count(lang)) continue;
    if (it == impl->languages.end())
      return Status::BadInput(dir + ": " + (block ? "block." : "letter.") + lang + "@" + jur +
                              ".txt has no letter." + lang + ".txt");
    (block ? it->second.blocks : it->second.variants)[jur] = std::move(t);
  }
  return LetterRenderer(impl.release());
}

LetterRenderer::~LetterRenderer() { delete impl_; }
LetterRenderer::LetterRenderer(LetterRenderer&& o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
LetterRenderer& LetterRenderer::operator=(LetterRenderer&& o) noexcept {
  std::swap(impl_, o.impl_);
  return *this;
}

Result<Letter> LetterRenderer::Render(const AffectedPerson& p,
                                      const std::map<std::string, std::string>& extra) const {
  std::string lang = p.language.substr(0, p.language.find_first_of("-_"));
  std::transform(lang.begin(), lang.end(), lang.begin(), ::tolower);
  if (auto b = impl_->broken.find(lang); b != impl_->broken.end()) return b->second;
  auto it = impl_->languages.find(lang);
  if (it == impl_->languages.end()) it = impl_->languages.find("en");
  if (it == impl_->languages.end()) return impl_->broken.at("en");
  // The layout a law prescribes beats the reader's language: where the law's layout exists
  // only in English, the letter is in English.
  std::string country = p.country;
  std::transform(country.begin(), country.end(), country.begin(), ::toupper);
  std::vector<std::string> jurisdictions = {p.Jurisdiction(), country};
  if (country == "PR") jurisdictions.push_back("US-PR");  // Puerto Rico, filed as a country
  auto find_law = [&](auto member) -> std::pair<const MessageTemplate*, decltype(it)> {
    for (auto lit : {it, impl_->languages.find("en")}) {
      if (lit == impl_->languages.end()) continue;  // English did not load
      for (const std::string& j : jurisdictions) {
        auto& m = lit->second.*member;
        auto v = j.empty() ? m.end() : m.find(j);
        if (v != m.end()) return {&v->second, lit};
      }
    }
    return {nullptr, it};
  };
  auto [variant, variant_language] = find_law(&Impl::Language::variants);
  if (variant) it = variant_language;
  auto [block, block_language] = find_law(&Impl::Language::blocks);
  (void)block_language;
  Impl::Language& L = it->second;
  for (const MessageTemplate* law : {variant, block}) {
    if (!law) continue;
    for (const std::string& field : law->required_fields) {
      auto v = extra.find(field);
      if (v == extra.end() || v->second.empty())
        return Status::BadInput("a letter to " + p.Jurisdiction() + " needs the controller's " +
                                field + " (" + law->law + "): give notify render --" + field);
    }
  }
  const MessageTemplate& letter = variant ? *variant : L.letter;
  auto str = [&](const std::string& key) -> std::string {
    auto s = L.strings.find(key);
    if (s != L.strings.end()) return s->second;
    auto en = impl_->languages.find("en");  // absent when English did not load
    if (en == impl_->languages.end()) return "";
    auto e = en->second.strings.find(key);
    return e != en->second.strings.end() ? e->second : "";
  };
  mst::data d;
  for (const auto& [k, v] : extra) d.set(k, v);
  std::string name = CleanPlainText(p.name, false);
  d.set("name", name);
  d.set("has_name", name.empty() ? mst::data::type::bool_false : mst::data::type::bool_true);
  d.set("email", CleanPlainText(p.email, false));
  mst::data cats{mst::data::type::list};
  mst::data actions{mst::data::type::list};
  std::set<std::string> seen_actions;
  // Advice in a fixed order: the most urgent first.
  static const char* kOrder[] = {"payment_card",  "account_credentials", "password_hash", "tax_id",
                                 "date_of_birth", "postal_address",      "phone",         "email",
                                 "order_history", "ip_address",          "name"};
  std::vector<std::string> lost = p.categories;
  std::sort(lost.begin(), lost.end());
  lost.erase(std::unique(lost.begin(), lost.end()), lost.end());
  std::vector<std::string> ordered;
  for (const char* c : kOrder)
    if (std::binary_search(lost.begin(), lost.end(), std::string(c))) ordered.push_back(c);
  for (const std::string& c : lost)
    if (std::find(std::begin(kOrder), std::end(kOrder), c) == std::end(kOrder))
      ordered.push_back(c);
  for (const std::string& c : ordered) {
    std::string label = str("category." + c);
    mst::data item;
    item.set("label", label.empty() ? CleanPlainText(c, false) : label);
    cats.push_back(item);
  }
  for (const char* c : kOrder) {
    if (!std::binary_search(lost.begin(), lost.end(), std::string(c))) continue;
    std::string a = str(std::string("action.") + c);
    if (a.empty() || !seen_actions.insert(a).second) continue;
    mst::data item;
    item.set("text", a);
    actions.push_back(item);
  }
  std::string general = str("action.general");
  if (!general.empty()) {
    mst::data item;
    item.set("text", general);
    actions.push_back(item);
  }
  d.set("categories", cats);
  d.set("actions", actions);
  // Likely consequences (GDPR Art. 34(2)), most serious first, once each.
  mst::data consequences{mst::data::type::list};
  std::set<std::string> seen_consequences;
  for (const std::string& c : ordered) {
    std::string text = str("consequence." + c);
    if (text.empty() || !seen_consequences.insert(text).second) continue;
    mst::data item;
    item.set("text", text);
    consequences.push_back(item);
  }
  if (std::string text = str("consequence.general"); !text.empty()) {
    mst::data item;
    item.set("text", text);
    consequences.push_back(item);
  }
  d.set("consequences", consequences);
  // The general description: the case's own sentences in English, a plain one elsewhere.
  auto incident = extra.find("incident");
  d.set("incident", it->first == "en" && incident != extra.end() && !incident->second.empty()
                        ? incident->second
                        : str("incident.general"));
  auto delayed = extra.find("law_enforcement_delay");
  d.set("delay_statement",
        str(delayed != extra.end() && delayed->second == "yes" ? "delay.law_enforcement"
                                                               : "delay.none"));
  if (auto dpo = extra.find("dpo"); dpo == extra.end() || dpo->second.empty())
    d.set("dpo", mst::data::type::bool_false);
  // Dates in running text as the letter's language writes them; the case passes them as
  // ISO dates ("2026-12-06"), anything else is not a date (shown as "to be confirmed").
  auto local_date = [&](const std::string& iso) {
    std::optional<std::string> text = FormatIsoDate(L.locale, iso);
    return text ? *text : str("date.unknown");
  };
  for (const char* key : {"notice_date", "discovered"})
    if (auto v = extra.find(key); v != extra.end()) d.set(key, local_date(v->second));
  if (p.first_exposure) d.set("exposure_from", local_date(DateOnly(*p.first_exposure)));
  if (p.last_exposure) d.set("exposure_to", local_date(DateOnly(*p.last_exposure)));
  d.set("has_window", (p.first_exposure && p.last_exposure) ? mst::data::type::bool_true
                                                            : mst::data::type::bool_false);
  // One day reads "on <day>", never "between <day> and <day>".
  bool same_day = p.first_exposure && p.last_exposure &&
                  DateOnly(*p.first_exposure) == DateOnly(*p.last_exposure);
  d.set("same_day", same_day ? mst::data::type::bool_true : mst::data::type::bool_false);
  if (block) {
    std::string text = block->body->render(d);
    if (!block->body->is_valid()) return Status::BadInput(block->body->error_message());
    d.set("jurisdiction_block", text);  // our data, cleaned values inside: shown unescaped
  }
  Letter out;
  out.language = it->first;
  out.subject = CleanPlainText(letter.subject->render(d), false);
  out.body = letter.body->render(d);
  if (!letter.body->is_valid()) return Status::BadInput(letter.body->error_message());
  return out;
}

namespace {

std::string Domain(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? "tourniquet.invalid" : std::string(address.substr(at + 1));
}

std::string MessageIdFor(std::string_view message_key, std::string_view sender) {
  return "<tq." + Sha256Hex(message_key).substr(0, 32) + "@" + Domain(sender) + ">";
}

std::string SafeFileName(std::string_view s) {
  std::string out;
  for (char c : s)
    out += (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return out.substr(0, 120);
}

Status WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::FromErrno(path, errno);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::FromErrno(path, errno);
  return Status::Ok();
}

std::string HostOf(std::string_view url) {
  size_t s = url.find("://");
  if (s != std::string_view::npos) url.remove_prefix(s + 3);
  return std::string(url.substr(0, url.find_first_of("/:?#")));
}

}  // namespace

Result<RenderSummary> RenderAll(Case& c, const Plan& plan,
                                const std::vector<AffectedPerson>& people, const RenderOptions& o) {
  TQ_ASSIGN_OR_RETURN(CaseInfo info, c.Info());
  TimeZone zone = c.Zone();
  TQ_ASSIGN_OR_RETURN(LetterRenderer letters, LetterRenderer::Load(o.templates_dir));
  RenderSummary sum;
  std::string organisation = o.organisation.empty() ? HostOf(info.store_url) : o.organisation;
  if (organisation.empty()) organisation = info.name;
  std::string contact = o.contact.empty() ? o.sender : o.contact;
  // The general description in letters: the case's sentences that need no confirmation.
  std::string incident;
  {
    TQ_ASSIGN_OR_RETURN(StatementFacts early, LoadStatementFacts(c));
    Claim how = EntryClaim(early);
    if (OpenMarkers(how.text).empty()) incident = how.text;
    for (const Claim& cl : AfterEntryClaims(early))
      incident += (incident.empty() ? "" : " ") + cl.text;
  }
  std::map<std::string, std::string> extra = {
      {"organisation", CleanPlainText(organisation, false)},
      {"legal_name", CleanPlainText(o.legal_name.empty() ? organisation : o.legal_name, false)},
      {"store_url", CleanPlainText(info.store_url, false)},
      {"contact", CleanPlainText(contact, false)},
      {"dpo", CleanPlainText(o.dpo, false)},
      {"phone", CleanPlainText(o.phone, false)},
      {"website", CleanPlainText(o.website, false)},
      {"law_enforcement_delay", o.law_enforcement_delay ? "yes" : "no"},
      {"incident", incident},
      {"notice_date", DateOnly(NowMicros())},
      {"case_name", CleanPlainText(info.name, false)},
      {"discovered", info.discovered_at ? DateOnly(*info.discovered_at) : "unknown"}};

  std::error_code ec;
  std::filesystem::create_directories(o.out_dir + "/letters", ec);
  std::filesystem::create_directories(o.out_dir + "/notices", ec);
  if (ec) return Status::Io(o.out_dir + ": " + ec.message());

  // Every affected person gets a letter: the law sets minimums (who must be told, by
  // when; that is the plan), a store tells everyone whose data was taken.
  std::unordered_map<std::string, std::string> existing_state, existing_hash, existing_rcpt,
      existing_channel;
  // Per jurisdiction: required controller details and the e-mail rule (delivery.h).
  std::optional<LetterRules> rules;
  std::map<std::string, std::string> consent;
  if (!o.letter_rules.empty()) {
    TQ_ASSIGN_OR_RETURN(
        DutyTable sets,
        LoadDutyTable(
            std::filesystem::path(o.letter_rules).parent_path().append("duties.txt").string()));
    TQ_ASSIGN_OR_RETURN(LetterRules r, LoadLetterRules(o.letter_rules, sets.sets));
    rules = std::move(r);
    TQ_ASSIGN_OR_RETURN(consent, LoadConsent(c.db()));
  }
  ControllerDetails controller;
  controller.legal_name = o.legal_name;
  controller.postal_address = o.postal_address;
  controller.dpo = o.dpo;
  controller.phone = o.phone;
  controller.website = o.website;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, c.db().Prepare("SELECT message_key,state,body_sha256,recipient,"
                                                "channel FROM notify_outbox"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::string k = st.String(0);
      existing_state[k] = st.String(1);
      existing_hash[k] = st.String(2);
      existing_rcpt[k] = st.String(3);
      existing_channel[k] = st.String(4);
    }
  }
  UnixMicros now = NowMicros();
  TQ_ASSIGN_OR_RETURN(
      Stmt ins,
      c.db().Prepare("INSERT INTO notify_outbox(message_key,kind,person_key,recipient,"
                     "recipient_name,sender,language,subject,body,body_sha256,message_id,state,"
                     "created_at,updated_at,channel,channel_reason) "
                     "VALUES(?,'letter',?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  TQ_ASSIGN_OR_RETURN(
      Stmt upd, c.db().Prepare("UPDATE notify_outbox SET recipient=?,recipient_name=?,sender=?,"
                               "language=?,subject=?,body=?,body_sha256=?,state=?,updated_at=?,"
                               "channel=?,channel_reason=? WHERE message_key=?"));
  TQ_ASSIGN_OR_RETURN(Stmt hold, c.db().Prepare("UPDATE notify_outbox SET state='held', "
                                                "channel_reason=?, updated_at=? WHERE "
                                                "message_key=?"));
  std::string index = "letter,person_key,email,language,state,channel\n";
  std::set<std::string> detail_seen;
  int64_t n = 0, people_done = 0;
  const int64_t people_total = static_cast<int64_t>(people.size());
  for (const AffectedPerson& p : people) {
    if (o.progress && people_done++ % 256 == 0) o.progress(people_done - 1, people_total);
    const LetterRule* rule = rules ? rules->For(p.Jurisdiction()) : nullptr;
    if (rule) {
      // The law's required details: no letter without them (it is written once they are given).
      std::string missing;
      for (const std::string& f : rule->required)
        if (controller.Field(f).empty()) missing += (missing.empty() ? "" : ", ") + f;
      if (!missing.empty()) {
        ++sum.missing_details;
        std::string j = p.Jurisdiction().empty() ? "unknown country" : p.Jurisdiction();
        std::string flags = missing;
        std::replace(flags.begin(), flags.end(), '_', '-');
        std::string e = "letters to " + j + " need the controller's " + missing + " (" + rule->law +
                        "): give --" + flags + " to init or notify render";
        if (detail_seen.insert(j + "/" + missing).second) sum.detail_errors.push_back(e);
        // A letter queued by an earlier run without the check is held, not sent.
        auto old = existing_state.find("letter:" + p.person_key);
        if (old != existing_state.end() &&
            (old->second == "queued" || old->second == "deferred" || old->second == "failed" ||
             old->second == "no_address")) {
          TQ_RETURN_IF_ERROR(hold.Reset());
          hold.Bind(1, "held: the controller's " + missing + " missing").Bind(2, now);
          hold.Bind(3, old->first);
          TQ_RETURN_IF_ERROR(hold.Run());
        }
        continue;
      }
    }
    Result<Letter> rendered = letters.Render(p, extra);
    if (!rendered.ok()) {
      // This person's template is broken: no letter for them this run (their outbox row,
      // if any, stays as it was); the others go on, and the template is named.
      ++sum.template_skipped;
      std::string e = rendered.status().ToString();
      if (std::find(sum.template_errors.begin(), sum.template_errors.end(), e) ==
          sum.template_errors.end())
        sum.template_errors.push_back(e);
      continue;
    }
    Letter& l = *rendered;
    ++sum.letters;
    ++sum.by_language[l.language];
    std::string want = p.language.substr(0, p.language.find_first_of("-_"));
    if (!want.empty() && want != l.language) ++sum.fallback_language;
    std::string key = "letter:" + p.person_key;
    std::string hash = Sha256Hex(l.subject + "\n" + l.body);
    bool address_ok = IsSafeMailAddress(p.email);
    std::string state = address_ok ? "queued" : "no_address";
    ChannelChoice channel{"email", ""};
    if (rules) {
      auto cs = consent.find(p.person_key);
      channel = ChooseChannel(rule, cs == consent.end() ? "" : cs->second, address_ok);
      state = "queued";  // by post when there is no usable e-mail address
      ++(channel.channel == "post" ? sum.by_post : sum.by_email);
    } else if (!address_ok) {
      ++sum.no_address;
    }
    std::string name = CleanPlainText(p.name, false);
    auto it = existing_state.find(key);
    if (it == existing_state.end()) {
      TQ_RETURN_IF_ERROR(ins.Reset());
      ins.Bind(1, key).Bind(2, p.person_key).Bind(3, p.email).Bind(4, name).Bind(5, o.sender);
      ins.Bind(6, l.language).Bind(7, l.subject).Bind(8, l.body).Bind(9, hash);
      ins.Bind(10, MessageIdFor(key, o.sender)).Bind(11, state).Bind(12, now).Bind(13, now);
      ins.Bind(14, channel.channel).Bind(15, channel.reason);
      TQ_RETURN_IF_ERROR(ins.Run());
      ++sum.queued;
    } else if (it->second == "sent" || it->second == "sending" || it->second == "unconfirmed" ||
               it->second == "unknown" || it->second == "printed") {
      ++sum.kept_sent;  // never rewrite what may already be in someone's mailbox
      state = it->second;
    } else if (existing_hash[key] != hash || existing_rcpt[key] != p.email ||
               (it->second == "no_address") != (state == "no_address") ||
               existing_channel[key] != channel.channel || it->second == "held") {
      TQ_RETURN_IF_ERROR(upd.Reset());
      upd.Bind(1, p.email).Bind(2, name).Bind(3, o.sender).Bind(4, l.language);
      upd.Bind(5, l.subject).Bind(6, l.body).Bind(7, hash).Bind(8, state).Bind(9, now);
      upd.Bind(10, channel.channel).Bind(11, channel.reason).Bind(12, key);
      TQ_RETURN_IF_ERROR(upd.Run());
      ++sum.updated;
    } else {
      ++sum.unchanged;
      state = it->second;
    }
    ++n;
    if (o.write_letter_files) {
      char file[32];
      snprintf(file, sizeof file, "%06lld.txt", static_cast<long long>(n));
      TQ_RETURN_IF_ERROR(WriteFile(
          o.out_dir + "/letters/" + file,
          "To: " + CleanPlainText(p.email, false) + "\nSubject: " + l.subject + "\n\n" + l.body));
      index += std::string(file) + "," + EscapeCsvField(p.person_key) + "," +
               EscapeCsvField(p.email) + "," + l.language + "," + state + "," + channel.channel +
               "\n";
    }
  }
  if (o.write_letter_files) TQ_RETURN_IF_ERROR(WriteFile(o.out_dir + "/letters/index.csv", index));

  // Notices and the public statement (English templates; the regulator's language varies
  // and a reviewer edits them anyway).
  std::map<std::string, std::string> en_labels;
  LocaleFormat en_locale;  // counts and dates in the notices' running text
  {
    std::string path = o.templates_dir + "/strings.en.txt";
    std::map<std::string, int> lines;
    TQ_ASSIGN_OR_RETURN(auto s, LoadStrings(path, &lines));
    TQ_ASSIGN_OR_RETURN(en_locale, ParseLocaleFormat(s, lines, path));
    en_labels = std::move(s);
  }
  // The sentences every notice and the statement share, from the case (statement.h): what
  // happened, the window, what is done and what is in progress, who has been told.
  TQ_ASSIGN_OR_RETURN(StatementFacts facts, LoadStatementFacts(c));
  Claim entry = EntryClaim(facts), window = WindowClaim(facts), told = PeopleToldClaim(facts);
  std::vector<Claim> after = AfterEntryClaims(facts), measures = MeasureClaims(facts);
  std::optional<Claim> authorities = AuthoritiesClaim(facts);
  std::optional<Claim> unknown_country = UnknownCountryClaim(facts);
  auto texts = [](const std::vector<Claim>& claims) {
    mst::data list{mst::data::type::list};
    for (const Claim& cl : claims) {
      mst::data item;
      item.set("text", cl.text);
      list.push_back(item);
    }
    return list;
  };
  auto statement = [&](mst::data& d) {
    std::string nature = entry.text;
    for (const Claim& cl : after) nature += " " + cl.text;
    d.set("entry", entry.text);
    d.set("nature", nature);
    d.set("window", window.text);
    d.set("people_told", told.text);
    d.set("measures", texts(measures));
    d.set("public_categories", texts(CategoryClaims(facts)));
    d.set("has_measures",
          measures.empty() ? mst::data::type::bool_false : mst::data::type::bool_true);
    // Optional lines are set only when present: a set empty string still opens a section.
    if (authorities) d.set("authorities", authorities->text);
    if (unknown_country) d.set("unknown_country", unknown_country->text);
    d.set("dpo", o.dpo.empty() ? "[to confirm: the data protection officer's or privacy "
                                 "contact's name and contact details]"
                               : CleanPlainText(o.dpo, false));
    d.set("law_enforcement_delay",
          "[to confirm: whether notice was delayed at the request of law enforcement]");
  };
  // Case-level values plus what the given people lost (counts per category, window).
  auto base = [&](const std::vector<const AffectedPerson*>& group) {
    std::optional<UnixMicros> first, last;
    std::map<std::string, int64_t> per_category;
    for (const AffectedPerson* p : group) {
      if (p->first_exposure && (!first || *p->first_exposure < *first)) first = p->first_exposure;
      if (p->last_exposure && (!last || *p->last_exposure > *last)) last = p->last_exposure;
      for (const std::string& cat : p->categories) ++per_category[cat];
    }
    mst::data d;
    for (const auto& [k, v] : extra) d.set(k, v);
    if (auto day = FormatIsoDate(en_locale, extra.at("discovered"))) d.set("discovered", *day);
    auto grouped = [&](int64_t n) { return FormatCount(en_locale, n); };
    d.set("people_total", grouped(static_cast<int64_t>(group.size())));
    d.set("exposure_from", first ? FormatUtc(*first) : "unknown");
    d.set("exposure_to", last ? FormatUtc(*last) : "unknown");
    d.set("discovered_utc", info.discovered_at ? FormatUtc(*info.discovered_at) : "unknown");
    d.set("exposure_range", first && last ? ReadableRange(*first, *last, zone)
                                          : "[to confirm: when the data was exposed]");
    // Categories in order of harm (card data, passwords, identity data first).
    std::vector<std::pair<std::string, int64_t>> ordered(per_category.begin(), per_category.end());
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
      return CategoryHarmRank(a.first) < CategoryHarmRank(b.first);
    });
    mst::data cats{mst::data::type::list};
    int64_t items = 0;
    for (const auto& [cat, count] : ordered) {
      mst::data item;
      auto label = en_labels.find("notice." + cat);
      item.set("label", label != en_labels.end() ? label->second : cat);
      item.set("people", FormatCount(en_locale, count));
      cats.push_back(item);
      items += count;
    }
    d.set("categories", cats);
    d.set("records", grouped(items));
    bool identity = per_category.count("tax_id") || per_category.count("date_of_birth");
    d.set("has_identity", identity ? mst::data::type::bool_true : mst::data::type::bool_false);
    if (ordered.empty()) d.set("no_categories", "[to confirm: which personal data was involved]");
    statement(d);
    d.set("has_card", per_category.count("payment_card") ? mst::data::type::bool_true
                                                         : mst::data::type::bool_false);
    bool creds = per_category.count("password_hash") || per_category.count("account_credentials");
    d.set("has_credentials", creds ? mst::data::type::bool_true : mst::data::type::bool_false);
    return d;
  };
  std::map<std::string, std::vector<const AffectedPerson*>> by_jurisdiction;
  std::vector<const AffectedPerson*> everyone;
  for (const AffectedPerson& p : people) {
    std::string j = p.Jurisdiction();
    by_jurisdiction[j.empty() ? "unknown" : j].push_back(&p);
    everyone.push_back(&p);
  }
  for (const Obligation& ob : plan.obligations) {
    // Letters go to people; an assessment has no one to tell.
    if (!ob.threshold_met || ob.rule->notify == "individuals" || ob.rule->notify == "assessment")
      continue;
    std::string tname =
        ob.rule->template_name.empty() ? "notice_regulator" : ob.rule->template_name;
    TQ_ASSIGN_OR_RETURN(MessageTemplate t,
                        CompileMessage(o.templates_dir + "/" + tname + ".en.txt", false));
    std::vector<const AffectedPerson*> group;
    for (const std::string& j : ob.jurisdictions) {
      auto it = by_jurisdiction.find(j);
      if (it != by_jurisdiction.end())
        group.insert(group.end(), it->second.begin(), it->second.end());
    }
    mst::data d = base(group);
    d.set("recipient", ob.rule->recipient);
    d.set("duty", ob.rule->name);
    d.set("law", ob.rule->law);
    d.set("jurisdictions", [&] {
      std::string j;
      for (const std::string& x : ob.jurisdictions) j += (j.empty() ? "" : ", ") + x;
      return j;
    }());
    d.set("people", FormatCount(en_locale, ob.people));
    d.set("deadline_utc", ob.deadline ? FormatUtc(*ob.deadline) : "no fixed date");
    d.set("deadline_local", ob.deadline ? FormatInZone(*ob.deadline, zone) : "no fixed date");
    d.set("deadline_text", ob.rule->deadline_text);
    d.set("verification", ob.rule->status);
    if (!ob.rule->note.empty()) d.set("note", ob.rule->note);
    std::string text = "Subject: " + t.subject->render(d) + "\n\n" + t.body->render(d);
    std::string path = o.out_dir + "/notices/" + SafeFileName(ob.key) + ".txt";
    TQ_RETURN_IF_ERROR(WriteFile(path, text));
    sum.files.push_back(path);
    ++sum.notices;
  }
  for (const char* ext : {"txt", "html"}) {
    std::string src = o.templates_dir + "/public_statement.en." + ext;
    if (!std::filesystem::exists(src)) continue;
    TQ_ASSIGN_OR_RETURN(MessageTemplate t, CompileMessage(src, std::string(ext) == "html"));
    mst::data d = base(everyone);
    std::string path = o.out_dir + "/public_statement." + ext;
    TQ_RETURN_IF_ERROR(WriteFile(path, t.body->render(d)));
    sum.files.push_back(path);
  }
  // The statement's claims ledger: the sentences it is built from, with their facts.
  std::vector<Claim> ledger = {window, told};
  for (Claim& cl : CategoryClaims(facts)) ledger.push_back(std::move(cl));
  ledger.insert(ledger.end(), measures.begin(), measures.end());
  if (authorities) ledger.push_back(*authorities);
  std::string ledger_path = o.out_dir + "/public_statement.claims.json";
  TQ_RETURN_IF_ERROR(WriteFile(ledger_path, ClaimsLedgerJson("public_statement", ledger)));
  sum.files.push_back(ledger_path);
  return sum;
}

}  // namespace tq::notify
