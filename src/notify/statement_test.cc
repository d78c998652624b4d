// Statement sentences: readable windows, markers, the entry vector as found, the ledger.
#include "notify/statement.h"

#include <gtest/gtest.h>

#include "notify/notify.h"

namespace tq::notify {
namespace {

constexpr UnixMicros kMar5 = 1741132800LL * 1000000;  // 2025-03-05T00:00:00Z
constexpr UnixMicros kHour = 3600LL * 1000000;

TEST(Statement, ReadableRangeSaysOneDayOnce) {
  TimeZone utc = TimeZone::Utc();
  EXPECT_EQ(ReadableDate(kMar5 + 9 * kHour, utc), "5 March 2025");
  EXPECT_EQ(ReadableRange(kMar5 + kHour, kMar5 + 20 * kHour, utc), "on 5 March 2025");
  EXPECT_EQ(ReadableRange(kMar5, kMar5 + 100 * kHour, utc),
            "between 5 March 2025 and 9 March 2025");
  // Days are the store's: 23:30 UTC on 5 March is 6 March in Berlin.
  auto berlin = TimeZone::Named("Europe/Berlin");
  ASSERT_TRUE(berlin.ok());
  EXPECT_EQ(ReadableRange(kMar5 + 23 * kHour + kHour / 2, kMar5 + 30 * kHour, *berlin),
            "on 6 March 2025");
}

TEST(Statement, OpenMarkersInOrderWithoutDuplicates) {
  EXPECT_EQ(OpenMarkers("a [to confirm: x] b [to confirm: y] c [to confirm: x]"),
            (std::vector<std::string>{"[to confirm: x]", "[to confirm: y]"}));
  EXPECT_TRUE(OpenMarkers("nothing to confirm here [to complete]").empty());
  // An unterminated marker still counts (the text is broken, not resolved).
  EXPECT_EQ(OpenMarkers("x [to confirm: y").size(), 1u);
}

TEST(Statement, EntryVectorReadsAsTheAnalysisFoundIt) {
  struct {
    const char* technique;
    const char* cve;
    EntryKind kind;
    const char* says;
  } cases[] = {
      {"login form posts (credential stuffing)", "", EntryKind::kCredentialAttack,
       "credential stuffing"},
      {"WordPress login brute force", "", EntryKind::kCredentialAttack, "credential stuffing"},
      {"Magento XXE", "CVE-2024-34102", EntryKind::kVulnerability, "security flaw"},
      {"Magento XXE", "not-a-cve", EntryKind::kOther, "[to confirm: which weakness"},
      {"forged admin token", "", EntryKind::kStolenAdminAccess, "stolen administrator login"},
      {"admin area access by an unknown address", "", EntryKind::kStolenAdminAccess,
       "[to confirm: how the attacker obtained that login]"},
      {"request to an attacker artifact", "", EntryKind::kUnknown, "[to confirm: the entry"},
  };
  // The kind comes from LoadStatementFacts (by technique and a well-formed CVE id).
  for (const auto& c : cases) {
    StatementFacts f;
    f.entry_finding = 4;
    f.entry = ClassifyEntry(c.technique, c.cve);
    EXPECT_EQ(f.entry, c.kind) << c.technique;
    f.technique = c.technique;
    f.cve = c.kind == EntryKind::kVulnerability ? c.cve : "";
    Claim cl = EntryClaim(f);
    EXPECT_NE(cl.text.find(c.says), std::string::npos) << c.technique << ": " << cl.text;
    ASSERT_FALSE(cl.facts.empty());
    EXPECT_EQ(cl.facts[0].table, "findings");
    EXPECT_EQ(cl.facts[0].id, 4);
  }
  // An open fix keeps the CVE out of public text; a done fix names it.
  StatementFacts f;
  f.entry_finding = 1;
  f.entry = EntryKind::kVulnerability;
  f.cve = "CVE-2024-34102";
  f.tasks = {{9, "contain:fix:upgrade", "open"}};
  EXPECT_EQ(EntryClaim(f).text.find("CVE-"), std::string::npos);
  EXPECT_NE(EntryClaim(f).text.find("we are installing"), std::string::npos);
  f.tasks[0].status = "done";
  EXPECT_NE(EntryClaim(f).text.find("(CVE-2024-34102)"), std::string::npos);
}

TEST(Statement, NoTaskNoClaimAndCancelledIsNotDone) {
  StatementFacts f;
  EXPECT_TRUE(MeasureClaims(f).empty());
  f.tasks = {{1, "contain:hardening:2fa", "cancelled"}};
  EXPECT_TRUE(MeasureClaims(f).empty());
  f.tasks = {{1, "contain:secret:a", "done"}, {2, "contain:secret:b", "in_progress"}};
  std::vector<Claim> m = MeasureClaims(f);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].text, "We are replacing the passwords, keys and credentials the store uses.");
  EXPECT_EQ(m[0].facts.size(), 2u);
  f.tasks[1].status = "done";
  EXPECT_EQ(MeasureClaims(f)[0].text,
            "We replaced the passwords, keys and credentials the store uses.");
}

TEST(Statement, LedgerListsEveryClaimWithItsFacts) {
  std::vector<Claim> claims = {{"We blocked the network addresses the attacker used.",
                                {{"tasks", 3, "contain:block", "done"}}},
                               {"Text with \"quotes\" [to confirm: x]", {}}};
  std::string j = ClaimsLedgerJson("public-postmortem", claims);
  EXPECT_NE(j.find("\"document\": \"public-postmortem\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"table\": \"tasks\""), std::string::npos);
  EXPECT_NE(j.find("\"id\": 3"), std::string::npos);
  EXPECT_NE(j.find("\"state\": \"done\""), std::string::npos);
  EXPECT_NE(j.find("\\\"quotes\\\""), std::string::npos);
  EXPECT_NE(j.find("\"open_markers\": [\n    \"[to confirm: x]\""), std::string::npos) << j;
}

TEST(Statement, PasswordsAreHashedNeverEncrypted) {
  EXPECT_EQ(PublicCategoryLabel("password_hash"), "hashed account passwords");
  EXPECT_LT(CategoryHarmRank("payment_card"), CategoryHarmRank("password_hash"));
  EXPECT_LT(CategoryHarmRank("password_hash"), CategoryHarmRank("tax_id"));
  EXPECT_LT(CategoryHarmRank("tax_id"), CategoryHarmRank("email"));
}

// With the shipped table: card-scheme and PCI duties only when card data was exposed.
TEST(Statement, CardDutiesOnlyWithCardData) {
  auto table = LoadDutyTable(std::string(TQ_SOURCE_DIR) + "/data/jurisdictions/duties.txt");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto card_duties = [&](std::vector<std::string> cats) {
    AffectedPerson p;
    p.person_key = "c:1";
    p.country = "DE";
    p.categories = cats;
    Plan plan = BuildPlan(*table, {p}, kMar5, kMar5 + kHour);
    int required = 0, listed = 0;
    for (const Obligation& o : plan.obligations) {
      if (o.rule->notify != "acquirer" && o.rule->notify != "card_brand") continue;
      ++listed;
      if (o.threshold_met) {
        ++required;
        EXPECT_TRUE(o.status == "due" || o.status == "overdue") << o.key;
      } else {
        EXPECT_EQ(o.status, "not_required") << o.key;
      }
    }
    EXPECT_GT(listed, 0);
    return required;
  };
  EXPECT_EQ(card_duties({"email", "password_hash", "postal_address"}), 0);
  EXPECT_GE(card_duties({"email", "payment_card"}), 3);  // acquirer, Visa report, accounts
}

}  // namespace
}  // namespace tq::notify
