// Sigma loading and matching: rules in the shapes SigmaHQ's webserver rules use (rewritten
// here, not copied), every supported modifier, conditions, and broken rule files.
#include "rules/rules.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "support/testing.h"

namespace tq::rules {
namespace {

std::string Line(std::string_view method, std::string_view uri, int status = 200,
                 std::string_view ua = "Mozilla/5.0", std::string_view ip = "203.0.113.9",
                 std::string_view bytes = "512") {
  return std::string(ip) + " - - [10/Oct/2025:13:55:36 +0200] \"" + std::string(method) + " " +
         std::string(uri) + " HTTP/1.1\" " + std::to_string(status) + " " + std::string(bytes) +
         " \"-\" \"" + std::string(ua) + "\"";
}

// Every rule a test writes gets its own id (a second rule with an id already loaded is
// skipped as a duplicate).
std::string NextIdSuffix() {
  static int n = 0;
  std::string digits = std::to_string(++n);
  return std::string(12 - digits.size(), '0') + digits;
}

std::string Rule(std::string_view detection, std::string_view title = "t") {
  return "title: " + std::string(title) + "\nid: 0f0e0d0c-0000-4000-8001-" + NextIdSuffix() +
         "\nstatus: test\nlevel: high\n"
         "logsource:\n  category: webserver\ndetection:\n" +
         std::string(detection);
}

struct Case {
  const char* name;
  std::string detection;
  std::string line;
  bool hit;
};

class MatchTest : public ::testing::TestWithParam<Case> {};

TEST_P(MatchTest, Matches) {
  const Case& c = GetParam();
  Result<RuleSetPtr> rs = LoadRulesFromText({{"r.yml", Rule(c.detection)}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  for (const RuleProblem& p : Skipped(**rs)) FAIL() << p.ToString();
  ASSERT_EQ(Rules(**rs).size(), 1u);
  auto parser = logs::NamedFormat("combined").value();
  Scanner s(**rs);
  EXPECT_EQ(!s.MatchLine(c.line, *parser).empty(), c.hit) << c.line;
}

// SigmaHQ shapes: keywords + method + status filter (SQL injection strings), contains|all
// with `1 of selection*` (DEWMODE), endswith + value lists (IIS tilde scan), c-uri aliases and
// parenthesised not (cPanel CRLF), `all of selection_*` (SharePoint tools), traversal lists.
const std::string kSqli =
    "  select_method:\n    cs-method: 'GET'\n  keywords:\n    - '=select '\n    - 'UNION SELECT'\n"
    "    - 'UNION%20SELECT'\n    - '@@version'\n  filter:\n    sc-status: 404\n"
    "  condition: select_method and keywords and not 1 of filter*\n";
const std::string kDew =
    "  selection1:\n    cs-uri-query|contains|all:\n      - '?dwn='\n      - '&fn='\n"
    "      - '.html?'\n  selection2:\n    cs-uri-query|contains|all:\n      - '&dwn='\n"
    "      - '?fn='\n      - '.html?'\n  condition: 1 of selection*\n";
const std::string kTilde =
    "  selection:\n    cs-uri-query|contains: '~1'\n    cs-uri-query|endswith: 'a.aspx'\n"
    "    cs-method:\n      - GET\n      - OPTIONS\n    sc-status:\n      - 200\n      - 301\n"
    "  condition: selection\n";
const std::string kCrlf =
    "  selection_login:\n    cs-method: 'POST'\n    c-uri-stem|contains: '/login/'\n"
    "    c-uri-query|contains: 'login_only=1'\n  selection_crlf:\n    c-uri|contains: '%0d%0a'\n"
    "  filter_scanners:\n    cs-useragent|contains:\n      - 'zgrab'\n      - 'Nmap'\n"
    "  condition: (selection_login or selection_crlf) and not filter_scanners\n";
const std::string kSharepoint =
    "  selection_endpoint:\n    cs-method: POST\n    cs-uri-stem|contains:\n      - '/_trust/'\n"
    "      - '/_layouts/15/'\n    sc-status: 200\n  selection_useragent:\n"
    "    cs-user-agent|contains:\n      - 'python-requests'\n      - 'curl/'\n"
    "  condition: all of selection_*\n";
const std::string kTraversal =
    "  selection:\n    cs-uri-query|contains:\n      - '../../../etc/'\n"
    "      - '..%252f..%252f..%252fetc%252f'\n  condition: selection\n";

INSTANTIATE_TEST_SUITE_P(
    SigmaHQShapes, MatchTest,
    ::testing::Values(
        Case{"sqli_hit", kSqli, Line("GET", "/p?id=1%20UNION%20SELECT%201"), true},
        Case{"sqli_filtered_404", kSqli, Line("GET", "/p?id=1%20UNION%20SELECT%201", 404), false},
        Case{"sqli_post_not", kSqli, Line("POST", "/p?id=1%20UNION%20SELECT%201"), false},
        Case{"sqli_keyword_case", kSqli, Line("GET", "/p?x=@@VERSION"), true},
        Case{"dew_hit", kDew, Line("GET", "/x.html?dwn=a&fn=b"), true},
        Case{"dew_miss", kDew, Line("GET", "/x.html?dwn=a"), false},
        Case{"tilde_hit", kTilde, Line("OPTIONS", "/x~1/a.aspx", 301), true},
        Case{"tilde_status", kTilde, Line("GET", "/x~1/a.aspx", 404), false},
        Case{"crlf_login", kCrlf, Line("POST", "/login/?login_only=1"), true},
        Case{"crlf_uri", kCrlf, Line("GET", "/x?a=%0d%0aSet-Cookie"), true},
        Case{"crlf_scanner", kCrlf, Line("GET", "/x?a=%0d%0a", 200, "zgrab/0.x"), false},
        Case{"sp_hit", kSharepoint, Line("POST", "/_layouts/15/x.aspx", 200, "curl/8.0"), true},
        Case{"sp_browser", kSharepoint, Line("POST", "/_layouts/15/x.aspx"), false},
        Case{"trav_hit", kTraversal, Line("GET", "/a?f=../../../etc/passwd"), true},
        Case{"trav_double_enc", kTraversal, Line("GET", "/a?f=..%252f..%252f..%252fetc%252fx"),
             true},
        Case{"trav_decoded", kTraversal, Line("GET", "/a?f=..%2f..%2f..%2fetc%2fpasswd"), true},
        Case{"trav_miss", kTraversal, Line("GET", "/a?f=etc"), false}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Modifiers, MatchTest,
    ::testing::Values(
        Case{"startswith", "  s:\n    cs-uri-stem|startswith: /admin\n  condition: s\n",
             Line("GET", "/ADMIN/x"), true},
        Case{"startswith_no", "  s:\n    cs-uri-stem|startswith: /admin\n  condition: s\n",
             Line("GET", "/x/admin"), false},
        Case{"endswith", "  s:\n    cs-uri-stem|endswith: .php\n  condition: s\n",
             Line("GET", "/a.php?x=1"), true},
        Case{"equals_exact", "  s:\n    cs-uri-stem: /a.php\n  condition: s\n",
             Line("GET", "/a.php?x"), true},
        Case{"equals_not_substring", "  s:\n    cs-uri-stem: /a.php\n  condition: s\n",
             Line("GET", "/b/a.php"), false},
        Case{"wildcard", "  s:\n    cs-uri-stem: '/pub/media/*.php'\n  condition: s\n",
             Line("GET", "/pub/media/x/y.php"), true},
        Case{"wildcard_no", "  s:\n    cs-uri-stem: '/pub/media/*.php'\n  condition: s\n",
             Line("GET", "/pub/media/x/y.php.jpg"), false},
        Case{"escaped_star", "  s:\n    cs-uri-query|contains: 'a\\*b'\n  condition: s\n",
             Line("GET", "/x?a*b"), true},
        Case{"escaped_star_literal", "  s:\n    cs-uri-query|contains: 'a\\*b'\n  condition: s\n",
             Line("GET", "/x?aXXb"), false},
        Case{"cased", "  s:\n    cs-uri-stem|contains|cased: Admin\n  condition: s\n",
             Line("GET", "/admin"), false},
        Case{"re", "  s:\n    cs-uri-stem|re: '^/[a-f0-9]{8}\\.php$'\n  condition: s\n",
             Line("GET", "/deadbeef.php"), true},
        Case{"re_case_sensitive",
             "  s:\n    cs-uri-stem|re: '^/[a-f0-9]{8}\\.php$'\n  condition: s\n",
             Line("GET", "/DEADBEEF.php"), false},
        Case{"re_i", "  s:\n    cs-uri-stem|re|i: '^/[a-f0-9]{8}\\.php$'\n  condition: s\n",
             Line("GET", "/DEADBEEF.php"), true},
        Case{"base64", "  s:\n    cs-uri-query|base64|contains: 'hello'\n  condition: s\n",
             Line("GET", "/x?q=aGVsbG8="), true},
        Case{"base64offset",
             "  s:\n    cs-uri-query|base64offset|contains: 'system('\n  condition: s\n",
             Line("GET", "/x?q=ZWNobyBzeXN0ZW0oJ2lkJyk7"), true},
        Case{"cidr", "  s:\n    c-ip|cidr: 203.0.113.0/24\n  condition: s\n", Line("GET", "/"),
             true},
        Case{"cidr_no", "  s:\n    c-ip|cidr: 10.0.0.0/8\n  condition: s\n", Line("GET", "/"),
             false},
        Case{"windash", "  s:\n    cs-uri-query|windash|contains: ' -enc '\n  condition: s\n",
             Line("GET", "/x? /enc abc"), true},
        Case{"exists", "  s:\n    cs-user-agent|exists: true\n  condition: s\n", Line("GET", "/"),
             true},
        Case{"exists_false", "  s:\n    cs-cookie|exists: true\n  condition: s\n", Line("GET", "/"),
             false},
        Case{"gte", "  s:\n    sc-bytes|gte: 1000000\n  condition: s\n",
             Line("GET", "/", 200, "x", "1.2.3.4", "73400320"), true},
        Case{"lt", "  s:\n    sc-bytes|lt: 100\n  condition: s\n", Line("GET", "/"), false},
        Case{"null_ua", "  s:\n    cs-referer: null\n  condition: s\n", Line("GET", "/"), true},
        Case{"keywords_plain", "  keywords:\n    - 'jndi:ldap'\n  condition: keywords\n",
             Line("GET", "/", 200, "${jndi:ldap://x}"), true},
        Case{"list_of_maps", "  s:\n    - cs-method: PUT\n    - cs-uri-stem: /x\n  condition: s\n",
             Line("GET", "/x"), true},
        Case{"all_of_them",
             "  a:\n    cs-method: GET\n  b:\n    cs-uri-stem: /x\n  condition: all of them\n",
             Line("GET", "/y"), false},
        Case{"not_alone", "  a:\n    cs-method: GET\n  condition: not a\n", Line("POST", "/y"),
             true},
        Case{"precedence",
             "  a:\n    cs-method: GET\n  b:\n    cs-uri-stem: /x\n  c:\n    sc-status: 500\n"
             "  condition: a or b and c\n",
             Line("GET", "/y"), true}),
    [](const auto& info) { return std::string(info.param.name); });

struct Broken {
  const char* name;
  std::string text;
  std::string problem;  // exact "file:line: title: reason"
};
class BrokenTest : public ::testing::TestWithParam<Broken> {};

TEST_P(BrokenTest, IsSkippedWithFileLineAndReason) {
  const Broken& b = GetParam();
  Result<RuleSetPtr> rs =
      LoadRulesFromText({{"bad.yml", b.text},
                         {"good.yml", Rule("  s:\n    cs-method: GET\n  condition: s\n", "good")}});
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(Skipped(**rs).size(), 1u);
  EXPECT_EQ(Skipped(**rs)[0].ToString(), b.problem);
  ASSERT_EQ(Rules(**rs).size(), 1u);  // the good rule still runs
  EXPECT_EQ(Rules(**rs)[0].title, "good");
}

INSTANTIATE_TEST_SUITE_P(
    Files, BrokenTest,
    ::testing::Values(
        Broken{"not_yaml", "title: [unclosed\n",
               "bad.yml:2: not YAML: end of sequence flow not found"},
        Broken{"not_a_map", "- a\n- b\n", "bad.yml:1: not a Sigma rule (no YAML map)"},
        Broken{"open_paren", Rule("  s:\n    cs-method: GET\n  condition: s and (\n"),
               "bad.yml:10: t: condition col 8: condition ends too early"},
        Broken{"unknown_selection", Rule("  s:\n    cs-method: GET\n  condition: s or x\n"),
               "bad.yml:10: t: condition names unknown selection 'x'"},
        Broken{"aggregation", Rule("  s:\n    cs-method: GET\n  condition: s | max(x) > 5\n"),
               "bad.yml:10: t: condition col 5: 'max' is not supported (only count)"},
        Broken{"bad_modifier", Rule("  s:\n    cs-uri-query|utf16le|base64: x\n  condition: s\n"),
               "bad.yml:9: t: modifier 'utf16le' is not supported"},
        Broken{
            "other_category",
            "title: p\nlogsource:\n  category: process_creation\ndetection:\n  s:\n    Image: x\n"
            "  condition: s\n",
            "bad.yml:3: p: logsource category is 'process_creation', not webserver"},
        Broken{"bad_regex", Rule("  s:\n    cs-uri-stem|re: '(?<=a)b('\n  condition: s\n"),
               "bad.yml:1: t: pattern '(?<=a)b(' does not compile: Missing close parenthesis for "
               "group started at index 7."},
        // Limits checked before yaml-cpp builds a node (rules/yaml_limits.h).
        Broken{"too_large", "title: x\n#" + std::string(256 * 1024, 'a') + "\n",
               "bad.yml:1: larger than 256 KiB (rule files are limited)"},
        Broken{"too_deep", "a:\n  b: " + std::string(40, '[') + std::string(40, ']') + "\n",
               "bad.yml:2: nested deeper than 32 levels"},
        Broken{"document_without_rule", "# a comment\n---\nx: 1\n", "bad.yml:3: no title"},
        Broken{"stray_flow_entry",
               ",Tt:", "bad.yml:1: more than one YAML document without a '---' line between them"}),
    [](const auto& info) { return std::string(info.param.name); });

// Loads each hostile file beside a good rule, in this process with its address space capped
// 512 MiB above what it already maps and a 20 s alarm; exits 0 when each was skipped for the
// expected reason. Run in a child (EXPECT_EXIT): a loader that allocates without end or
// loops kills the child, not the machine.
[[noreturn]] void LoadHostileFilesBounded(
    const std::vector<std::pair<std::string, std::string>>& files) {
  long pages = 0;
  if (FILE* f = fopen("/proc/self/statm", "r")) {
    if (fscanf(f, "%ld", &pages) != 1) pages = 0;
    fclose(f);
  }
  rlim_t cap =
      static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (512ull << 20);
  rlimit lim{cap, cap};
  if (pages == 0 || setrlimit(RLIMIT_AS, &lim) != 0) _exit(3);
  alarm(20);
  int bad = 0;
  for (const auto& [text, want] : files) {
    Result<RuleSetPtr> rs = LoadRulesFromText(
        {{"bad.yml", text},
         {"good.yml", Rule("  s:\n    cs-method: GET\n  condition: s\n", "good")}});
    if (!rs.ok() || Rules(**rs).size() != 1 || Skipped(**rs).size() != 1 ||
        Skipped(**rs)[0].where.reason.find(want) == std::string::npos) {
      fprintf(
          stderr, "%zu-byte file: %s\n", text.size(),
          rs.ok() && !Skipped(**rs).empty() ? Skipped(**rs)[0].ToString().c_str() : "not skipped");
      ++bad;
    }
  }
  _exit(bad ? 2 : 0);
}

// `,Tt:` once made yaml-cpp's LoadAll allocate until the OOM killer ran (24 GB).
TEST(RuleFileLimits, HostileFilesLoadInBoundedMemoryAndTime) {
  std::string laughs = "a: &a [";
  for (int i = 0; i < 100; ++i) laughs += "x,";
  laughs += "x]\nb: &b [";
  for (int i = 0; i < 60; ++i) laughs += "*a,";
  laughs += "*a]\nc: [*b, *b, *b, *b]\n";
  std::string many_aliases = "a: &a x\nb: [";
  for (int i = 0; i < 100; ++i) many_aliases += "*a,";
  many_aliases += "*a]\n";
  std::string dashes;
  for (int i = 0; i < 5000; ++i) dashes += "- ";
  dashes += "x\n";
  std::string docs;
  for (int i = 0; i < 20000; ++i) docs += "---\n";
  const std::vector<std::pair<std::string, std::string>> files = {
      {",Tt:", "more than one YAML document"},
      {",", "more than one YAML document"},
      {"[:", ""},
      {"{:", ""},
      {"{!\xdb:", ""},
      {std::string(100000, '['), "nested deeper than 32 levels"},
      {std::string(100000, '{'), "nested deeper than 32 levels"},
      {dashes, "nested deeper than 32 levels"},
      {laughs, "more than 20000 YAML nodes (aliases expanded)"},
      {many_aliases, "more than 64 aliases"},
      {docs, "more than 64 YAML documents"},
      {std::string(300 * 1024, ','), "larger than 256 KiB"},
  };
  EXPECT_EXIT(LoadHostileFilesBounded(files), ::testing::ExitedWithCode(0), "");
}

// What the server saw: a rule on `/pma/` matches the path however it was spelt (doubled
// slashes, dot segments, %2e, backslashes, overlong UTF-8), the raw and decoded targets still
// match as they are, and the query is not rewritten.
const std::string kPma = "  s:\n    cs-uri-stem|startswith: /pma/\n  condition: s\n";
const std::string kDotDot = "  s:\n    cs-uri-query|contains: '../'\n  condition: s\n";
INSTANTIATE_TEST_SUITE_P(
    NormalisedPath, MatchTest,
    ::testing::Values(Case{"plain", kPma, Line("GET", "/pma/index.php"), true},
                      Case{"double_slash", kPma, Line("GET", "//pma/index.php"), true},
                      Case{"dot_segment", kPma, Line("GET", "/./pma/index.php"), true},
                      Case{"dot_dot", kPma, Line("GET", "/x/../pma/index.php"), true},
                      Case{"encoded_dots", kPma, Line("GET", "/x/%2e%2e/pma/index.php"), true},
                      Case{"backslashes", kPma, Line("GET", "\\pma\\index.php"), true},
                      Case{"overlong_slash", kPma, Line("GET", "/%c0%afpma/index.php"), true},
                      Case{"above_root", kPma, Line("GET", "/../../pma/index.php"), true},
                      Case{"other_path", kPma, Line("GET", "/x/pma/index.php"), false},
                      Case{"query_not_rewritten", kPma, Line("GET", "/x?a=//pma/"), false},
                      Case{"traversal_raw_kept", kDotDot, Line("GET", "/x/../etc/passwd"), true},
                      Case{"traversal_encoded_kept", kDotDot, Line("GET", "/x/%2e%2e%2fetc/passwd"),
                           true}),
    [](const auto& info) { return std::string(info.param.name); });

// A field outside the webserver taxonomy (SigmaHQ's Evilginx rule reads the response body,
// `response`) loads: a text access log never carries it, so such a rule never hits there; a
// JSON lines log can, as a member of that name or one mapped with --json-field.
TEST(ExtraFieldTest, MatchedWhereTheLogCarriesTheField) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"r.yml",
        Rule("  sel_fn:\n    response|contains: 'function lp(){'\n"
             "  sel_dom:\n    response|contains:\n    - 'email.value'\n    - 'password.focus()'\n"
             "  sel_hdr:\n    x-proxy-header|exists: true\n"
             "  condition: (sel_fn and sel_dom) or sel_hdr\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 1u);
  EXPECT_TRUE(Skipped(**rs).empty());
  EXPECT_EQ(Rules(**rs)[0].extra_fields, (std::vector<std::string>{"response", "x-proxy-header"}));
  Scanner s(**rs);
  auto combined = logs::NamedFormat("combined").value();
  EXPECT_TRUE(s.MatchLine(Line("GET", "/login?x=function%20lp(){email.value"), *combined).empty());
  auto json = logs::NamedFormat("jsonl").value();
  const std::string head = R"j({"remote_addr":"203.0.113.9","request":"GET /login HTTP/1.1",)j";
  EXPECT_EQ(s.MatchLine(head + R"j("response":"<script>function lp(){ email.value=1 }</script>"})j",
                        *json),
            std::vector<uint32_t>{0});
  EXPECT_TRUE(
      s.MatchLine(head + R"j("response":"<script>function lp(){ }</script>"})j", *json).empty());
  EXPECT_EQ(s.MatchLine(head + R"j("x-proxy-header":"1"})j", *json), std::vector<uint32_t>{0});
  EXPECT_TRUE(s.MatchLine(head + R"j("x-proxy-header":""})j", *json).empty());
  // Mapped from elsewhere in the object.
  auto mapped = logs::JsonLinesFormat({{"response", "resp.body"}}).value();
  EXPECT_EQ(s.MatchLine(head + R"j("resp":{"body":"function lp(){password.focus()"}})j", *mapped),
            std::vector<uint32_t>{0});
  EXPECT_EQ(
      s.MatchLineDirect(head + R"j("resp":{"body":"function lp(){password.focus()"}})j", *mapped),
      std::vector<uint32_t>{0});
  EXPECT_FALSE(logs::JsonLinesFormat({{"bad name", "x"}}).ok());
}

TEST(RuleIds, ASecondRuleWithTheSameIdIsSkipped) {
  // SigmaHQ keeps a renamed rule's old file for a while: two files, one id.
  std::string rule =
      "title: Oracle EBS\nid: d033cb8a-0000-4000-8000-000000000009\nlevel: high\n"
      "logsource:\n  category: webserver\ndetection:\n  s:\n    cs-method: POST\n"
      "  condition: s\n";
  Result<RuleSetPtr> rs = LoadRulesFromText({{"new.yml", rule}, {"old.yml", rule}});
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(Rules(**rs).size(), 1u);
  EXPECT_EQ(Rules(**rs)[0].file, "new.yml");
  ASSERT_EQ(Skipped(**rs).size(), 1u);
  EXPECT_EQ(Skipped(**rs)[0].ToString(),
            "old.yml:1: Oracle EBS: duplicate rule id d033cb8a-0000-4000-8000-000000000009 "
            "(already loaded from new.yml:1)");
}

TEST(ConditionTest, ReportsColumn) {
  EXPECT_EQ(CheckCondition("a and", {"a"}).message(), "condition col 6: condition ends too early");
  EXPECT_EQ(CheckCondition("a b", {"a", "b"}).message(), "condition col 3: unexpected 'b'");
  EXPECT_TRUE(CheckCondition("not (a or 1 of b*) and all of them", {"a", "b1"}).ok());
  std::string deep(200, '(');
  EXPECT_FALSE(CheckCondition(deep + "a", {"a"}).ok());
}

TEST(ScanTest, ChunkScanMapsMatchesToTheRightLines) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"r.yml", Rule("  s:\n    cs-uri-query|contains: 'evil'\n  condition: s\n")}});
  ASSERT_TRUE(rs.ok());
  std::string chunk;
  for (int i = 1; i <= 1000; ++i)
    chunk +=
        Line("GET", i % 100 == 0 ? "/evil?x" : "/good", 200, i == 7 ? "evil-agent" : "ok") + "\n";
  struct Sink : LineSink {
    std::vector<uint64_t> lines;
    uint64_t records = 0;
    void OnRecord(const logs::AccessLogRecord& r, std::span<const uint32_t> h) override {
      ++records;
      if (!h.empty()) lines.push_back(r.line_no);
    }
    void OnSkip(std::string_view, uint64_t) override {}
  } sink;
  auto parser = logs::NamedFormat("combined").value();
  Scanner s(**rs);
  s.ScanChunk(chunk, 1, 0, *parser, sink);
  EXPECT_EQ(sink.records, 1000u);
  std::vector<uint64_t> want;
  for (int i = 100; i <= 1000; i += 100) want.push_back(i);  // not line 7: UA is not the URI
  EXPECT_EQ(sink.lines, want);
}

// Rule files are read from disk in pieces up to one byte past the limit: a file at the limit
// loads, one byte more is refused with its name, and neither is read past the limit.
TEST(LoadRulesTest, FilesOnDiskUpToTheLimit) {
  testing::TempDir dir;
  std::string rule = Rule("  s:\n    cs-method: GET\n  condition: s\n", "at the limit");
  std::string at_limit = rule + "#" + std::string(256 * 1024 - rule.size() - 2, 'a') + "\n";
  ASSERT_EQ(at_limit.size(), 256u * 1024);
  std::ofstream(dir / "a.yml", std::ios::binary) << at_limit;
  std::ofstream(dir / "b.yml", std::ios::binary)
      << Rule("  s:\n    cs-method: GET\n  condition: s\n", "over") << "#"
      << std::string(256 * 1024, 'b') << "\n";
  Result<RuleSetPtr> rs = LoadRules({dir.path()});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 1u);
  EXPECT_EQ(Rules(**rs)[0].title, "at the limit");
  ASSERT_EQ(Skipped(**rs).size(), 1u);
  EXPECT_EQ(Skipped(**rs)[0].ToString(),
            dir / "b.yml" + ":1: larger than 256 KiB (rule files are limited)");
}

}  // namespace
}  // namespace tq::rules
