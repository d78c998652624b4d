#include "report/report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "notify/notify.h"
#include "notify/statement.h"
#include "support/testing.h"

namespace tq::report {
namespace {

TEST(ReportTest, HtmlEscapesEveryBlock) {
  const std::string evil = "<script>alert(1)</script>\"'&";
  Document d;
  d.title = evil;
  Block p;
  p.items = {evil};
  Block l;
  l.kind = Block::kList;
  l.items = {evil};
  Block t;
  t.kind = Block::kTable;
  t.items = {evil};
  t.rows = {{evil}};
  d.blocks = {p, l, t};
  std::string html = RenderHtml(d);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  std::string md = RenderMarkdown(d);
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST(ReportTest, MarkdownEscapes) {
  struct {
    const char* in;
    const char* out;
  } cases[] = {{"a*b", "a\\*b"},
               {"[x](y)", "\\[x\\](y)"},
               {"<b>", "&lt;b&gt;"},
               {"a\nb", "a b"},
               {"`c`", "\\`c\\`"}};
  for (auto& c : cases) EXPECT_EQ(EscapeMarkdown(c.in), c.out) << c.in;
}

TEST(ReportTest, PublicDocumentsLeaveOutInternals) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "shop";
  info.store_url = "https://secret-host.example";
  info.platform = "magento";
  auto c = Case::Create(tmp.path() + "/case", info);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Transaction([&](Db& db) -> Status {
                    Finding f;
                    f.kind = "analysis.entry_vector";
                    f.component = "analysis";
                    f.summary = "Entry: XXE from 203.0.113.9: POST /rest/V1/guest-carts";
                    f.detail_json =
                        R"({"technique":"XXE","cve":"CVE-2024-34102","ip":"203.0.113.9"})";
                    f.dedupe_key = "e";
                    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
                    f.kind = "storedb.rogue_admin";
                    f.component = "storedb";
                    f.summary = "Suspicious admin account 'sysupport' <x@evil.test>";
                    f.detail_json = R"({"username":"sysupport"})";
                    f.dedupe_key = "r";
                    return UpsertFinding(db, f).status();
                  })
                  .ok());
  for (const char* kind : {"notice", "postmortem"}) {
    auto d = BuildPublic(**c, kind);
    ASSERT_TRUE(d.ok());
    for (const std::string& text : {RenderMarkdown(*d), RenderHtml(*d)})
      for (const char* bad : {"203.0.113.9", "sysupport", "evil.test", "secret-host", "/rest/"})
        EXPECT_EQ(text.find(bad), std::string::npos) << kind << " leaks " << bad;
  }
  auto internal = BuildInternal(**c);
  ASSERT_TRUE(internal.ok());
  EXPECT_NE(RenderMarkdown(*internal).find("203.0.113.9"), std::string::npos);
}

// ---- Statements that follow the case: per drill-like scenario, the post-mortem's sentences
// against the claims ledger and the case rows, and the GDPR notice's Art. 33(3) elements. ----

struct Scenario {
  const char* name;
  const char* technique;  // "" = the analysis found no entry
  const char* cve;
  bool tasks_done;   // every containment task done (else: only the block step is)
  int letters_sent;  // of 3
  bool one_day;      // attacker activity within one day
  bool skimmer, rogue_admin, webshell, exfil;
};

constexpr UnixMicros kMar5 = 1741132800LL * 1000000 + 3600LL * 1000000 * 9;  // 09:00 UTC
constexpr UnixMicros kDay = 86400LL * 1000000;

const char* kTasks[] = {
    "contain:block",       "contain:maintenance",   "contain:quarantine:x.php",
    "contain:account:u:7", "contain:sessions",      "contain:secret:crypt_key",
    "contain:fix:upgrade", "contain:hardening:2fa", "contain:hardening:integrity"};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<Case> BuildScenario(const std::string& dir, const Scenario& s) {
  CaseInfo info;
  info.name = s.name;
  info.store_url = "https://secret-host.example";
  info.platform = "magento";
  info.discovered_at = kMar5 + 10 * kDay;
  auto created = Case::Create(dir, info);
  EXPECT_TRUE(created.ok());
  std::unique_ptr<Case> c = std::move(*created);
  Status st = c->Transaction([&](Db& db) -> Status {
    Finding f;
    f.component = "analysis";
    if (*s.technique) {
      f.kind = "analysis.entry_vector";
      f.summary = "Entry from 203.0.113.9";
      f.detail_json = std::string(R"({"technique":")") + s.technique + R"(","cve":")" + s.cve +
                      R"(","ip":"203.0.113.9"})";
      f.dedupe_key = "e";
      TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
    }
    auto add = [&](bool on, const char* kind) -> Status {
      if (!on) return Status::Ok();
      f.kind = kind;
      f.summary = std::string(kind) + " sysupport /pub/x.php";
      f.detail_json = "{}";
      f.dedupe_key = kind;
      return UpsertFinding(db, f).status();
    };
    TQ_RETURN_IF_ERROR(add(s.skimmer, "storedb.injected_script"));
    TQ_RETURN_IF_ERROR(add(s.rogue_admin, "storedb.rogue_admin"));
    TQ_RETURN_IF_ERROR(add(s.webshell, "webroot.yara"));
    TQ_RETURN_IF_ERROR(add(s.exfil, "analysis.exfiltration"));
    TQ_ASSIGN_OR_RETURN(Stmt a, db.Prepare("INSERT INTO attackers(label,confidence,first_seen,"
                                           "last_seen) VALUES(?,0.9,?,?)"));
    int64_t first = kMar5, last = kMar5 + (s.one_day ? 3600LL * 1000000 : 4 * kDay);
    a.Bind(1, "attacker-1").Bind(2, first).Bind(3, last);
    TQ_RETURN_IF_ERROR(a.Run());
    for (const char* key : kTasks) {
      Task t;
      t.title = key;
      t.phase = 1;
      t.source = "contain";
      t.dedupe_key = key;
      TQ_RETURN_IF_ERROR(UpsertTask(db, t).status());
    }
    TQ_RETURN_IF_ERROR(db.Exec(s.tasks_done ? "UPDATE tasks SET status='done'"
                                            : "UPDATE tasks SET status='done' WHERE "
                                              "dedupe_key='contain:block'"));
    TQ_RETURN_IF_ERROR(db.Exec(
        "CREATE TABLE scope_person(id INTEGER PRIMARY KEY, person_key TEXT, country TEXT NOT "
        "NULL DEFAULT '');"
        "INSERT INTO scope_person(person_key,country) VALUES('c:1','DE'),('c:2','FR'),('c:3','');"
        "CREATE TABLE scope_count(jurisdiction TEXT, category TEXT, people INTEGER);"
        "INSERT INTO scope_count VALUES('DE','email',1),('FR','email',1),('','email',1),"
        "('DE','password_hash',1),('FR','payment_card',1),('DE','*',1),('FR','*',1),('','*',1);"));
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  // The notification plan and the letters, as `notify plan` and `notify render` make them.
  std::vector<notify::AffectedPerson> people(3);
  const char* countries[] = {"DE", "FR", ""};
  for (int i = 0; i < 3; ++i) {
    people[i].person_key = "c:" + std::to_string(i + 1);
    people[i].email = "p" + std::to_string(i + 1) + "@example.com";
    people[i].country = countries[i];
    people[i].categories = {"email"};
    people[i].first_exposure = kMar5;
    people[i].last_exposure = kMar5 + (s.one_day ? 3600LL * 1000000 : 4 * kDay);
  }
  people[0].categories = {"email", "password_hash"};
  people[1].categories = {"email", "payment_card"};
  auto table = notify::LoadDutyTable(std::string(TQ_SOURCE_DIR) + "/data/jurisdictions/duties.txt");
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  notify::Plan plan = notify::BuildPlan(*table, people, *info.discovered_at, kMar5 + 11 * kDay);
  EXPECT_TRUE(notify::EnsureNotifySchema(*c).ok());
  st = c->Transaction([&](Db& db) -> Status {
    TQ_RETURN_IF_ERROR(notify::StorePlan(db, plan, kMar5 + 11 * kDay));
    notify::RenderOptions o;
    o.templates_dir = std::string(TQ_SOURCE_DIR) + "/data/templates";
    o.out_dir = c->ReportsDir() + "/notify";
    o.sender = "privacy@shop.example";
    TQ_RETURN_IF_ERROR(notify::RenderAll(*c, plan, people, o).status());
    // Delivery itself is send.cc's (tested with a real SMTP server); here the outbox says it.
    TQ_ASSIGN_OR_RETURN(Stmt up, db.Prepare("UPDATE notify_outbox SET state='sent' WHERE "
                                            "kind='letter' AND person_key<=?"));
    up.Bind(1, "c:" + std::to_string(s.letters_sent));
    if (s.letters_sent > 0) TQ_RETURN_IF_ERROR(up.Run());
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

const Scenario kScenarios[] = {
    // cosmicsting: XXE with a CVE, skimmer; nothing done yet, no letter sent.
    {"cosmicsting-open", "Magento XXE via REST", "CVE-2024-34102", false, 0, false, true, false,
     false, false},
    // ... and the same case once every task is done and every letter delivered.
    {"cosmicsting-done", "Magento XXE via REST", "CVE-2024-34102", true, 3, false, true, false,
     false, false},
    // woo-stuffing: credential stuffing on one day, rogue admin, webshell, dump; some letters.
    {"woo-stuffing-open", "login form posts (credential stuffing)", "", false, 1, true, false, true,
     true, true},
    {"woo-stuffing-done", "login form posts (credential stuffing)", "", true, 3, true, false, true,
     true, true},
    // trojanorder: CVE at checkout, webshell, skimmer, dump.
    {"trojanorder-open", "template injection through a checkout field", "CVE-2022-24086", false, 0,
     false, true, false, true, true},
    // The analysis found no entry.
    {"entry-unknown", "", "", true, 3, false, false, false, true, false},
};

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(StatementTest, PostMortemSentencesFollowTheCase) {
  for (const Scenario& s : kScenarios) {
    SCOPED_TRACE(s.name);
    testing::TempDir tmp;
    std::unique_ptr<Case> c = BuildScenario(tmp.path() + "/case", s);
    ASSERT_TRUE(c);
    auto d = BuildPublic(*c, "postmortem");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    // The text is made of ledger sentences only: each paragraph and list item is a run of them.
    size_t next = 0;
    for (const Block& b : d->blocks) {
      if (b.kind == Block::kHeading || b.items.empty() || b.items[0].starts_with("DRAFT:"))
        continue;
      for (const std::string& item : b.items) {
        std::string rebuilt;
        while (next < d->claims.size() && rebuilt.size() < item.size())
          rebuilt += (rebuilt.empty() ? "" : " ") + d->claims[next++].text;
        EXPECT_EQ(rebuilt, item);
      }
    }
    EXPECT_EQ(next, d->claims.size());
    std::string text;
    for (const notify::Claim& cl : d->claims) {
      text += cl.text + "\n";
      // A sentence standing on a task that is not done may only say it is in progress.
      bool open_task = false;
      for (const notify::FactRef& r : cl.facts)
        open_task = open_task || (r.table == "tasks" && r.state != "done");
      if (open_task) {
        EXPECT_TRUE(Contains(cl.text, "we are") || Contains(cl.text, "We are") ||
                    Contains(cl.text, "[to confirm:"))
            << cl.text;
      }
    }
    // Remediations: stated done exactly when their tasks are.
    EXPECT_EQ(Contains(text, "Every administrator login requires a second factor."), s.tasks_done);
    EXPECT_EQ(Contains(text, "We replaced the passwords, keys and credentials"), s.tasks_done);
    EXPECT_EQ(Contains(text, "We are replacing the passwords, keys and credentials"),
              !s.tasks_done);
    EXPECT_TRUE(Contains(text, "We blocked the network addresses"));  // done in every scenario
    // Customers: told directly only when every letter is delivered.
    EXPECT_EQ(Contains(text, "have been told directly (3 letters delivered)"), s.letters_sent == 3);
    if (s.letters_sent == 0) {
      EXPECT_TRUE(Contains(text, "We are contacting the 3 customers"));
    } else if (s.letters_sent == 1) {
      EXPECT_TRUE(Contains(text, "We have written to 1 of the 3 customers"));
    }
    // The entry vector is the analysis' own.
    std::string technique = s.technique;
    bool stuffing = Contains(technique, "stuffing"), cve = *s.cve != 0;
    EXPECT_EQ(Contains(text, "credential stuffing"), stuffing);
    EXPECT_EQ(Contains(text, "security flaw"), cve);
    EXPECT_FALSE(Contains(text, "known, since fixed"));
    // A CVE is named only once its fix is done (no detail of an open weakness).
    if (cve) {
      EXPECT_EQ(Contains(text, s.cve), s.tasks_done);
    }
    EXPECT_EQ(Contains(text, "[to confirm: the entry vector]"), technique.empty());
    // The window: one day says so; never "between X and X".
    EXPECT_FALSE(Contains(text, "between 5 March 2025 and 5 March 2025"));
    if (s.tasks_done) {
      EXPECT_TRUE(Contains(text, s.one_day ? "online store on 5 March 2025."
                                           : "between 5 March 2025 and 9 March 2025."));
    } else {
      EXPECT_TRUE(Contains(text, "[to confirm: when the access ended"));
    }
    EXPECT_EQ(Contains(text, "copied card details"), s.skimmer);
    EXPECT_EQ(Contains(text, "created an administrator account"), s.rogue_admin);
    // Categories in order of harm, passwords called hashed.
    EXPECT_LT(text.find("payment card details"), text.find("hashed account passwords"));
    EXPECT_LT(text.find("hashed account passwords"), text.find("e-mail addresses (3 customers)"));
    EXPECT_FALSE(Contains(text, "ncrypt"));
    EXPECT_FALSE(Contains(text, "other personal data"));  // scope's '*' total is no category
    // Open markers: exactly the ones in the text.
    EXPECT_EQ(d->open_markers, notify::OpenMarkers(text));
    EXPECT_EQ(d->open_markers.empty(), s.tasks_done && !technique.empty()) << text;
    // Nothing internal leaks.
    for (const std::string& out : {RenderMarkdown(*d), RenderHtml(*d)})
      for (const char* bad : {"203.0.113.9", "sysupport", "x.php", "secret-host", "crypt_key"})
        EXPECT_FALSE(Contains(out, bad)) << bad;
  }
}

TEST(StatementTest, LedgerIsWrittenBesideEachPublicDocument) {
  testing::TempDir tmp;
  std::unique_ptr<Case> c = BuildScenario(tmp.path() + "/case", kScenarios[2]);
  ASSERT_TRUE(c);
  std::vector<Written> written;
  ASSERT_TRUE(c->Transaction([&](Db& db) -> Status {
                 TQ_ASSIGN_OR_RETURN(written, WriteReports(*c, db, ""));
                 return Status::Ok();
               }).ok());
  for (const char* doc : {"public-notice", "public-postmortem"}) {
    std::string ledger = ReadFile(c->ReportsDir() + "/" + doc + ".claims.json");
    ASSERT_FALSE(ledger.empty()) << doc;
    EXPECT_TRUE(Contains(ledger, std::string("\"document\": \"") + doc + "\""));
    EXPECT_TRUE(Contains(ledger, "\"table\": \"tasks\""));
    EXPECT_TRUE(Contains(ledger, "\"table\": \"notify_outbox\""));
    EXPECT_TRUE(Contains(ledger, "\"open_markers\": ["));
    EXPECT_TRUE(Contains(ledger, "[to confirm: when the access ended"));
  }
  bool listed = false;
  for (const Written& w : written)
    if (w.name == "public-postmortem.md") listed = !w.open_markers.empty();
  EXPECT_TRUE(listed);
  EXPECT_FALSE(Contains(ReadFile(c->ReportsDir() + "/public-postmortem.md"), "told directly"));
  // The statement notify wrote has its ledger too; it was rendered before any letter went out.
  std::string statement = ReadFile(c->ReportsDir() + "/notify/public_statement.claims.json");
  EXPECT_TRUE(Contains(statement, "We are contacting the 3 customers affected.")) << statement;
  EXPECT_TRUE(Contains(statement, "\"table\": \"notify_outbox\""));
}

TEST(StatementTest, GdprNoticeFillsEveryArticle33Element) {
  for (const Scenario& s : kScenarios) {
    SCOPED_TRACE(s.name);
    testing::TempDir tmp;
    std::unique_ptr<Case> c = BuildScenario(tmp.path() + "/case", s);
    ASSERT_TRUE(c);
    std::string n = ReadFile(c->ReportsDir() + "/notify/notices/EEA.gdpr.art33_all.txt");
    ASSERT_FALSE(n.empty());
    // Every element has a value from the case or an explicit marker; no template gap.
    auto value = [&](const std::string& label) {
      size_t at = n.find(label);
      if (at == std::string::npos) return std::string();
      size_t end = n.find('\n', at);
      return n.substr(at + label.size(), end - at - label.size());
    };
    EXPECT_TRUE(Contains(value("Legal basis: "), "Art. 33"));
    EXPECT_TRUE(Contains(value("Deadline: "), "2025-03-18"));  // 72 h after discovery
    EXPECT_FALSE(value("What happened: ").empty());            // (a) nature
    EXPECT_EQ(value("Approximate number of data subjects concerned: "), "2");
    EXPECT_TRUE(Contains(value("Approximate number of personal data records concerned: "), "4"));
    EXPECT_TRUE(Contains(n, "     - payment card numbers"));  // (a) categories
    EXPECT_EQ(value("Contact point for more information: "), "privacy@shop.example");  // (b)
    EXPECT_TRUE(Contains(value("Data protection officer: "), "[to confirm:"));
    size_t c3 = n.find("(Art. 33(3)(c))"), c4 = n.find("(Art. 33(3)(d))");
    ASSERT_NE(c3, std::string::npos);
    ASSERT_NE(c4, std::string::npos);
    EXPECT_TRUE(Contains(n.substr(c3, c4 - c3), "Fraudulent payments"));                     // (c)
    EXPECT_TRUE(Contains(n.substr(c4), s.tasks_done ? "We replaced" : "We are replacing"));  // (d)
    EXPECT_TRUE(Contains(n, "[to confirm: where 1 of the affected people live"));
    EXPECT_FALSE(Contains(n, "{{"));
    EXPECT_FALSE(Contains(n, "[to complete"));
    EXPECT_EQ(Contains(value("What happened: "), "credential stuffing"),
              Contains(s.technique, "stuffing"));
  }
}

}  // namespace
}  // namespace tq::report
