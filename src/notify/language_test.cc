// Letters in the reader's language (issue 28): every shipped language has the California
// structure (title and the five headings, in the terms that country's notices use), the
// Art. 34(2) content where the GDPR applies, its exact card-code term, and calls a password
// hash hashed, never by that language's word for "encrypted".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "notify/notify.h"

namespace tq::notify {
namespace {

std::string Templates() { return std::string(TQ_SOURCE_DIR) + "/data/templates"; }

AffectedPerson Reader(std::string country, std::string lang, std::vector<std::string> cats) {
  AffectedPerson p;
  p.person_key = "customer:7";
  p.email = "reader@example.com";
  p.name = "Kim";
  p.country = country;
  p.language = lang;
  p.categories = cats;
  p.first_exposure = 1741132800LL * 1000000;  // 2025-03-05
  p.last_exposure = 1741305600LL * 1000000;   // 2025-03-07
  return p;
}

std::map<std::string, std::string> Extra() {
  return {{"organisation", "Example Shop"},
          {"legal_name", "Example Shop Ltd"},
          {"store_url", "https://shop.example"},
          {"contact", "privacy@shop.example"},
          {"dpo", "Dana Smith, dpo@shop.example"},
          {"incident", "The attacker guessed passwords (credential stuffing)."},
          {"notice_date", "2025-03-20"},
          {"discovered", "2025-03-14"}};
}

bool Has(const std::string& text, const std::string& s) {
  return text.find(s) != std::string::npos;
}

// Lower-cases ASCII only: the forbidden stems below are written in lower case, and the
// letters' capitalised words ("Verschlüsselt") are caught by their lower-case stem.
std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

struct LanguageCase {
  const char* lang;
  const char* country;
  const char* title;
  const char* headings[5];  // What Happened ... For More Information
  const char* card_code;    // the card security code as the country's banks call it
  const char* hashed;       // "stored hashed" in that language
  const char* id_number;    // tax or social security number
  const char* dpo;          // the contact point line (GDPR Art. 34(2)); "" outside the GDPR
  std::vector<const char*> encrypted;  // stems of the word for "encrypted": never for a hash
};

const std::vector<LanguageCase>& Cases() {
  static const std::vector<LanguageCase> k = {
      {"en",
       "GB",
       "Notice of Data Breach",
       {"What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do",
        "For More Information"},
       "security code (CVV/CVC)",
       "stored hashed",
       "tax or social security number",
       "Our data protection officer: Dana Smith",
       {"encrypt", "scrambled"}},
      {"de",
       "DE",
       "Mitteilung über eine Datenschutzverletzung",
       {"Was ist passiert?", "Welche Daten sind betroffen?", "Was wir unternehmen",
        "Was Sie tun können", "Weitere Informationen"},
       "Kartenprüfnummer (CVC/CVV)",
       "als Hashwert gespeichert",
       "Steuer- oder Sozialversicherungsnummer",
       "Unser Datenschutzbeauftragter: Dana Smith",
       {"verschlüssel", "chiffriert", "prüfziffer"}},
      {"fr",
       "FR",
       "Notification de violation de données",
       {"Que s'est-il passé ?", "Quelles données sont concernées ?", "Ce que nous faisons",
        "Ce que vous pouvez faire", "Pour plus d'informations"},
       "cryptogramme visuel (CVV/CVC)",
       "sous forme hachée",
       "numéro fiscal ou de sécurité sociale",
       "Notre délégué à la protection des données : Dana Smith",
       {"chiffr", "crypté"}},
      {"es",
       "ES",
       "Notificación de una violación de datos",
       {"¿Qué ha pasado?", "¿Qué datos están afectados?", "Qué estamos haciendo",
        "Qué puede hacer usted", "Más información"},
       "código de seguridad (CVV/CVC)",
       "guardada como hash",
       "número fiscal o de seguridad social",
       "Nuestro delegado de protección de datos: Dana Smith",
       {"cifrad", "encriptad", "criptograf"}},
      {"it",
       "IT",
       "Comunicazione di violazione dei dati personali",
       {"Cosa è successo", "Quali dati sono coinvolti", "Cosa stiamo facendo", "Cosa può fare",
        "Per ulteriori informazioni"},
       "codice di sicurezza (CVV/CVC)",
       "conservata come hash",
       "codice fiscale o numero di previdenza sociale",
       "Il nostro responsabile della protezione dei dati: Dana Smith",
       {"cifrat", "crittograf", "criptat"}},
      {"nl",
       "NL",
       "Kennisgeving van een datalek",
       {"Wat is er gebeurd?", "Om welke gegevens gaat het?", "Wat wij doen", "Wat u kunt doen",
        "Meer informatie"},
       "beveiligingscode (CVC/CVV)",
       "gehasht opgeslagen",
       "fiscaal nummer of burgerservicenummer",
       "Onze functionaris voor gegevensbescherming: Dana Smith",
       {"versleutel", "gecodeerd", "encrypt"}},
      {"pl",
       "PL",
       "Zawiadomienie o naruszeniu ochrony danych osobowych",
       {"Co się stało?", "Jakich danych dotyczy naruszenie?", "Co robimy", "Co mogą Państwo zrobić",
        "Więcej informacji"},
       "kod zabezpieczający (CVV/CVC)",
       "jako skrót (hash)",
       "numer identyfikacji podatkowej lub numer ubezpieczenia społecznego",
       "Nasz inspektor ochrony danych: Dana Smith",
       {"szyfr", "kodowan"}},
      {"pt",
       "PT",
       "Comunicação de violação de dados pessoais",
       {"O que aconteceu", "Quais dados foram envolvidos", "O que estamos fazendo",
        "O que pode fazer", "Mais informações"},
       "código de segurança (CVV/CVC)",
       "guardada como hash",
       "identificação fiscal (CPF/NIF) ou de segurança social",
       "O nosso encarregado de proteção de dados: Dana Smith",
       {"criptograf", "encriptad", "cifrad"}},
      {"sv",
       "SE",
       "Meddelande om personuppgiftsincident",
       {"Vad har hänt?", "Vilka uppgifter berörs?", "Vad vi gör", "Vad du kan göra",
        "Mer information"},
       "säkerhetskoden (CVV/CVC)",
       "lagrat som hashvärde",
       "skatte- eller socialförsäkringsnummer",
       "Vårt dataskyddsombud: Dana Smith",
       {"krypter", "chiffr"}},
      {"da",
       "DK",
       "Underretning om brud på persondatasikkerheden",
       {"Hvad er der sket?", "Hvilke oplysninger er berørt?", "Hvad vi gør", "Hvad du kan gøre",
        "Yderligere oplysninger"},
       "kontrolcifre (CVV/CVC)",
       "gemt som hashværdi",
       "skatte- eller socialsikringsnummer",
       "Vores databeskyttelsesrådgiver: Dana Smith",
       {"krypter"}},
      {"fi",
       "FI",
       "Ilmoitus henkilötietojen tietoturvaloukkauksesta",
       {"Mitä tapahtui?", "Mitä tietoja loukkaus koskee?", "Mitä teemme", "Mitä voit tehdä",
        "Lisätietoja"},
       "turvakoodi (CVV/CVC)",
       "tallennettu tiivisteenä (hash)",
       "vero- tai sosiaaliturvatunnuksesi",
       "Tietosuojavastaavamme: Dana Smith",
       // "salasana" (password) shares "sala": only the forms of "salata" (to encrypt).
       {"salattu", "salaus", "salauk", "salatt", "kryptat"}},
      {"cs",
       "CZ",
       "Oznámení o porušení zabezpečení osobních údajů",
       {"Co se stalo?", "Jakých údajů se to týká?", "Co děláme", "Co můžete udělat",
        "Další informace"},
       "bezpečnostní kód (CVV/CVC)",
       "uložené jako hash",
       "daňové identifikační číslo nebo číslo sociálního pojištění",
       "Náš pověřenec pro ochranu osobních údajů: Dana Smith",
       {"šifr", "kryptov"}},
      {"nb",
       "NO",
       "Varsel om brudd på personopplysningssikkerheten",
       {"Hva har skjedd?", "Hvilke opplysninger gjelder det?", "Hva vi gjør", "Hva du kan gjøre",
        "Mer informasjon"},
       "sikkerhetskoden (CVC/CVV)",
       "lagret som hashverdi",
       "skatte- eller trygdenummeret",
       "Vårt personvernombud: Dana Smith",
       {"krypter"}},
      // Turkey (KVKK) and Japan (APPI): not GDPR states, no DPO line is required; the
      // contact line still shows when a DPO is given.
      {"tr",
       "TR",
       "Kişisel Veri İhlali Bildirimi",
       {"Ne oldu?", "Hangi bilgileriniz etkilendi?", "Neler yapıyoruz", "Neler yapabilirsiniz",
        "Daha fazla bilgi için"},
       "güvenlik kodu (CVV/CVC)",
       "hash değeri olarak saklanmaktadır",
       "vergi veya sosyal güvenlik numaranız",
       "Veri koruma görevlimiz: Dana Smith",
       // "şifre" is the everyday word for password; "şifreli"/"şifrelen-" mean encrypted.
       {"şifreli", "şifrelen", "kriptol"}},
      {"ja",
       "JP",
       "個人情報の漏えいに関するお知らせ",
       {"発生した事案", "対象となる情報", "当社の対応", "お客様にお願いしたいこと",
        "お問い合わせ先"},
       "セキュリティコード（CVV/CVC）",
       "ハッシュ値として保存",
       "税・社会保障に関する番号",
       "当社の個人情報保護責任者：Dana Smith",
       {"暗号"}},
  };
  return k;
}

TEST(Language, EveryShippedLanguageIsTested) {
  // A letter.<lang>.txt added without a row here fails: each language gets its checks.
  std::set<std::string> shipped, tested;
  for (const auto& e : std::filesystem::directory_iterator(Templates())) {
    std::string name = e.path().filename().string();
    if (name.starts_with("letter.") && name.ends_with(".txt") && name.find('@') == name.npos)
      shipped.insert(name.substr(7, name.size() - 11));
  }
  for (const LanguageCase& c : Cases()) tested.insert(c.lang);
  EXPECT_EQ(shipped, tested);
  for (const char* lang : {"it", "nl", "pl", "pt", "sv", "da", "nb", "fi", "cs", "tr", "ja"})
    EXPECT_TRUE(shipped.count(lang)) << lang;
}

// A key missing from a language's strings falls back to the English text: a letter half in
// English. Every key the English letter uses must be translated (notice.* labels are for the
// English notices only; locale.first_day and locale.group_from are optional).
TEST(Language, EveryStringIsTranslated) {
  auto keys = [](const std::string& path) {
    std::ifstream in(path);
    std::set<std::string> out;
    for (std::string line; std::getline(in, line);) {
      size_t colon = line.find(':');
      if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
      std::string key = line.substr(0, colon);
      if (!key.starts_with("notice.")) out.insert(key);
    }
    return out;
  };
  std::set<std::string> en = keys(Templates() + "/strings.en.txt");
  EXPECT_GE(en.size(), 34u);  // 11 categories, 11 pieces of advice, 6 consequences...
  for (const LanguageCase& c : Cases()) {
    std::set<std::string> have = keys(Templates() + "/strings." + c.lang + ".txt");
    for (const std::string& k : en) EXPECT_TRUE(have.count(k)) << c.lang << ": no " << k;
    for (const std::string& k : have)
      EXPECT_TRUE(en.count(k) || k == "locale.first_day" || k == "locale.group_from")
          << c.lang << ": " << k << " is not a key of strings.en.txt";
  }
}

TEST(Language, TitleAndFiveHeadingsInTheReadersLanguage) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const LanguageCase& c : Cases()) {
    auto l = r->Render(Reader(c.country, c.lang, {"email", "payment_card"}), Extra());
    ASSERT_TRUE(l.ok()) << c.lang << ": " << l.status().ToString();
    EXPECT_EQ(l->language, c.lang);
    EXPECT_TRUE(l->body.starts_with(std::string(c.title) + "\n")) << c.lang << "\n" << l->body;
    EXPECT_TRUE(Has(l->subject, c.title)) << c.lang << ": " << l->subject;
    EXPECT_TRUE(Has(l->subject, "Example Shop")) << c.lang;
    // Each heading on a line of its own, in the California order.
    size_t at = 0;
    for (const char* h : c.headings) {
      size_t found = l->body.find("\n" + std::string(h) + "\n", at);
      EXPECT_NE(found, std::string::npos) << c.lang << ": heading " << h << "\n" << l->body;
      if (found != std::string::npos) at = found + 1;
    }
    EXPECT_TRUE(Has(l->body, c.card_code)) << c.lang << "\n" << l->body;
    // The contact point, the sender's legal name, the delay statement and the measures.
    EXPECT_TRUE(Has(l->body, c.dpo)) << c.lang << "\n" << l->body;
    EXPECT_TRUE(Has(l->body, "privacy@shop.example")) << c.lang;
    EXPECT_TRUE(l->body.ends_with("Example Shop Ltd\n")) << c.lang;
    // Nothing left unfilled, nothing from another language's strings.
    EXPECT_FALSE(Has(l->body, "{{")) << c.lang;
    if (std::string(c.lang) != "en") {
      EXPECT_FALSE(Has(l->body, "payment card")) << c.lang;
      EXPECT_FALSE(Has(l->body, "Dear ")) << c.lang;
    }
  }
}

TEST(Language, HashedPasswordIsHashedNeverEncrypted) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const LanguageCase& c : Cases()) {
    auto l = r->Render(
        Reader(c.country, c.lang, {"account_credentials", "email", "password_hash", "tax_id"}),
        Extra());
    ASSERT_TRUE(l.ok()) << c.lang << ": " << l.status().ToString();
    EXPECT_TRUE(Has(l->body, c.hashed)) << c.lang << "\n" << l->body;
    EXPECT_TRUE(Has(l->body, c.id_number)) << c.lang << "\n" << l->body;
    std::string low = Lower(l->subject + "\n" + l->body);
    for (const char* bad : c.encrypted) EXPECT_FALSE(Has(low, bad)) << c.lang << ": " << bad;
    // And no other shipped language's word either (a pasted English or German line).
    for (const char* bad : {"encrypt", "verschlüssel", "chiffr", "cifrad", "krypter", "暗号"})
      EXPECT_FALSE(Has(low, bad)) << c.lang << ": " << bad;
  }
}

// Dates in running text as the reader writes them (locale.h), never as ISO strings: the
// notice date, the day of discovery and the exposure window.
TEST(Language, DatesInRunningTextAreLocal) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::map<std::string, std::vector<std::string>> want = {
      {"en", {"March 20, 2025", "March 14, 2025", "March 5, 2025", "March 7, 2025"}},
      {"de", {"20. März 2025", "14. März 2025", "5. März 2025", "7. März 2025"}},
      {"fr", {"20 mars 2025", "14 mars 2025", "5 mars 2025", "7 mars 2025"}},
      {"es", {"20 de marzo de 2025", "14 de marzo de 2025", "5 de marzo de 2025"}},
      {"it", {"20 marzo 2025", "il 14 marzo 2025", "tra il\n5 marzo 2025 e il 7 marzo 2025"}},
      {"nl", {"20 maart 2025", "14 maart 2025", "5 maart 2025", "7 maart 2025"}},
      {"pl", {"20 marca 2025", "14 marca 2025", "od 5 marca 2025 do 7 marca 2025"}},
      {"pt", {"20 de março de 2025", "14 de março de 2025", "5 de março de 2025"}},
      {"sv", {"20 mars 2025", "den 14 mars 2025", "5 mars 2025", "den 7 mars 2025"}},
      {"da", {"20. marts 2025", "den 14. marts 2025", "5. marts 2025"}},
      {"nb", {"20. mars 2025", "14. mars 2025", "5. mars 2025", "7. mars 2025"}},
      {"fi", {"20. maaliskuuta 2025", "14. maaliskuuta 2025", "5. maaliskuuta 2025"}},
      {"cs", {"20. března 2025", "14. března 2025", "od 5. března 2025 do 7. března 2025"}},
      {"tr", {"20 Mart 2025", "14 Mart 2025 tarihinde", "5 Mart 2025 ile 7 Mart 2025"}},
      {"ja", {"2025年3月20日", "2025年3月14日", "2025年3月5日から2025年3月7日まで"}},
  };
  for (const LanguageCase& c : Cases()) {
    auto l = r->Render(Reader(c.country, c.lang, {"email"}), Extra());
    ASSERT_TRUE(l.ok()) << c.lang;
    auto w = want.find(c.lang);
    ASSERT_NE(w, want.end()) << c.lang;
    for (const std::string& s : w->second) EXPECT_TRUE(Has(l->body, s)) << c.lang << ": " << s;
    EXPECT_FALSE(Has(l->body, "2025-03")) << c.lang << "\n" << l->body;
  }
  // A date the case does not know is marked for confirmation, in the letter's language.
  auto extra = Extra();
  extra["discovered"] = "unknown";
  auto de = r->Render(Reader("DE", "de", {"email"}), extra);
  ASSERT_TRUE(de.ok());
  EXPECT_TRUE(Has(de->body, "am [Datum noch zu bestätigen] entdeckt")) << de->body;
}

// A law's block in the reader's language where it exists: a Spanish-speaking resident of
// Puerto Rico gets the toll-free number and website in Spanish, not an English paragraph
// inside a Spanish letter.
TEST(Language, PuertoRicoBlockInSpanish) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto extra = Extra();
  extra["phone"] = "1-800-555-0100";
  extra["website"] = "https://shop.example/incident";
  auto l = r->Render(Reader("PR", "es", {"email"}), extra);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->language, "es");
  EXPECT_TRUE(Has(l->body, "residentes de Puerto Rico): llámenos gratis al 1-800-555-0100"))
      << l->body;
  EXPECT_TRUE(Has(l->body, "https://shop.example/incident"));
  EXPECT_FALSE(Has(l->body, "Puerto Rico residents"));
  // Still refused without the number the law requires.
  auto missing = r->Render(Reader("PR", "es", {"email"}), Extra());
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Has(missing.status().ToString(), "phone")) << missing.status().ToString();
}

// The forbidden stems must be able to fire: each is found in a sentence that uses it.
TEST(Language, EncryptedStemsMatchTheirWords) {
  struct {
    const char* lang;
    const char* sentence;
  } samples[] = {{"en", "the password was encrypted"}, {"de", "das passwort war verschlüsselt"},
                 {"fr", "mot de passe chiffré"},       {"es", "contraseña cifrada"},
                 {"it", "password cifrata"},           {"nl", "versleuteld wachtwoord"},
                 {"pl", "hasło zaszyfrowane"},         {"pt", "senha criptografada"},
                 {"sv", "krypterat lösenord"},         {"da", "krypteret adgangskode"},
                 {"nb", "kryptert passord"},           {"fi", "salattu salasana"},
                 {"cs", "zašifrované heslo"},          {"tr", "şifrelenmiş parola"},
                 {"ja", "暗号化されたパスワード"}};
  for (const auto& s : samples) {
    bool fired = false;
    for (const LanguageCase& c : Cases())
      if (std::string(c.lang) == s.lang)
        for (const char* bad : c.encrypted) fired |= Has(Lower(s.sentence), bad);
    EXPECT_TRUE(fired) << s.lang << ": " << s.sentence;
  }
}

// The same facts in every language: as many categories, pieces of advice and consequences
// as the English letter for the same person, and the same exposure window sentence.
TEST(Language, SameFactsAsTheEnglishLetter) {
  auto r = LetterRenderer::Load(Templates());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> all = {
      "account_credentials", "date_of_birth", "email", "ip_address",     "name",  "order_history",
      "password_hash",       "payment_card",  "phone", "postal_address", "tax_id"};
  auto bullets = [](const std::string& body) {
    size_t n = 0;
    for (size_t at = body.find("\n  - "); at != std::string::npos; at = body.find("\n  - ", at + 1))
      ++n;
    return n;
  };
  auto en = r->Render(Reader("GB", "en", all), Extra());
  ASSERT_TRUE(en.ok());
  size_t want = bullets(en->body);
  EXPECT_GT(want, 20u);
  for (const LanguageCase& c : Cases()) {
    auto l = r->Render(Reader(c.country, c.lang, all), Extra());
    ASSERT_TRUE(l.ok()) << c.lang;
    EXPECT_EQ(bullets(l->body), want) << c.lang << "\n" << l->body;
    auto de = r->Render(Reader(c.country, c.lang, {"email"}), Extra());
    ASSERT_TRUE(de.ok());
    EXPECT_EQ(bullets(de->body), bullets(r->Render(Reader("GB", "en", {"email"}), Extra())->body))
        << c.lang;
  }
}

}  // namespace
}  // namespace tq::notify
