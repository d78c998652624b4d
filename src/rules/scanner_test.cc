// The chunk scan against the reference: every line of a large chunk (the pack's own attack and
// benign lines, between real traffic) must get exactly the rules that direct evaluation of
// every rule on that line alone gives, whatever its neighbours; and the prefilters (a literal
// counts only inside its field, regexes batched over many lines' values) keep line numbers and
// offsets right across line groups.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "rules/engine.h"
#include "rules/rules.h"

namespace tq::rules {
namespace {

namespace fs = std::filesystem;
const std::string kPack = std::string(TQ_SOURCE_DIR) + "/rules/sigma";

struct Collect : LineSink {
  std::map<uint64_t, std::vector<uint32_t>> hits;  // line -> rules
  std::map<uint64_t, uint64_t> offsets;            // line -> offset of the record
  uint64_t records = 0, skips = 0;
  void OnRecord(const logs::AccessLogRecord& r, std::span<const uint32_t> h) override {
    ++records;
    offsets[r.line_no] = r.offset;
    if (!h.empty()) hits[r.line_no].assign(h.begin(), h.end());
  }
  void OnSkip(std::string_view, uint64_t) override { ++skips; }
};

std::vector<std::string> PackAndCorpusLines() {
  std::vector<std::string> lines;
  for (const auto& e : fs::directory_iterator(fs::path(kPack) / "tests")) {
    std::ifstream in(e.path());
    std::string l;
    while (std::getline(in, l))
      if (l.size() > 2 && (l[0] == '+' || l[0] == '-')) lines.push_back(l.substr(2));
  }
  for (std::string dir : {std::string(TQ_SHARED_DIR), std::string(TQ_SOURCE_DIR) + "/../../shared"})
    for (const char* name : {"elastic-apache_logs.log", "lnav-logfile_access_log.0"}) {
      std::ifstream in(dir + "/corpus/logs/" + name);
      std::string l;
      for (int n = 0; n < 3000 && std::getline(in, l); ++n) lines.push_back(l);
    }
  return lines;
}

void ExpectChunkMatchesDirect(const RuleSet& rs, const std::vector<std::string>& lines,
                              size_t min_hit_lines, const std::string& format = "combined",
                              logs::LineParser* given = nullptr) {
  std::unique_ptr<logs::LineParser> named;
  if (!given) named = logs::NamedFormat(format).value();
  logs::LineParser* parser = given ? given : named.get();
  std::string chunk;
  for (const std::string& l : lines) (chunk += l) += '\n';
  Scanner scanner(rs);
  Collect got;
  scanner.ScanChunk(chunk, 1, 0, *parser, got);
  EXPECT_EQ(got.records + got.skips, lines.size());
  size_t hit_lines = 0;
  uint64_t offset = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    uint64_t line_no = i + 1;
    std::vector<uint32_t> want = scanner.MatchLineDirect(lines[i], *parser);
    std::vector<uint32_t> have =
        got.hits.count(line_no) ? got.hits[line_no] : std::vector<uint32_t>{};
    EXPECT_EQ(have, want) << "line " << line_no << ": " << lines[i];
    if (got.offsets.count(line_no)) {
      EXPECT_EQ(got.offsets[line_no], offset) << line_no;
    }
    hit_lines += !want.empty();
    offset += lines[i].size() + 1;
  }
  EXPECT_GE(hit_lines, min_hit_lines);
}

TEST(ScannerTest, ChunkScanEqualsDirectEvaluationOfThePack) {
  Result<RuleSetPtr> rs = LoadRules({kPack});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  std::vector<std::string> lines = PackAndCorpusLines();
  ASSERT_GT(lines.size(), 500u);
  ExpectChunkMatchesDirect(**rs, lines, 100);  // the pack's attack lines are in there
  // Other neighbours for every line.
  std::mt19937 rng(7);
  std::shuffle(lines.begin(), lines.end(), rng);
  ExpectChunkMatchesDirect(**rs, lines, 100);
}

std::string JsonString(std::string_view v) {
  std::string out = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      (out += '\\') += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      out += b;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The same lines as JSON (values escaped: the parser unescapes them into its own buffer, so
// these records are matched line by line, with the full chunk database).
TEST(ScannerTest, JsonLinesEqualDirectEvaluationOfThePack) {
  Result<RuleSetPtr> rs = LoadRules({kPack});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  auto combined = logs::NamedFormat("combined").value();
  std::vector<std::string> json;
  for (const std::string& l : PackAndCorpusLines()) {
    logs::AccessLogRecord r;
    std::string_view why;
    if (!combined->Parse(l, r, &why)) continue;
    using logs::Field;
    json.push_back("{\"remote_addr\":" + JsonString(r.get(Field::kClientIp)) +
                   ",\"request_method\":" + JsonString(r.get(Field::kMethod)) +
                   ",\"request_uri\":" + JsonString(r.get(Field::kUri)) +
                   ",\"status\":" + JsonString(r.get(Field::kStatus)) +
                   ",\"body_bytes_sent\":" + JsonString(r.get(Field::kBytesSent)) +
                   ",\"http_referer\":" + JsonString(r.get(Field::kReferer)) +
                   ",\"http_user_agent\":" + JsonString(r.get(Field::kUserAgent)) + "}");
  }
  ASSERT_GT(json.size(), 500u);
  ExpectChunkMatchesDirect(**rs, json, 100, "jsonl");
}

// A line and the rules (by index) it must hit, checked with the fast scan and directly.
struct LineCase {
  std::string line;
  std::vector<uint32_t> want;
};
template <size_t N>
void ExpectLines(Scanner& s, logs::LineParser& parser, const LineCase (&cases)[N]) {
  for (const LineCase& c : cases) {
    EXPECT_EQ(s.MatchLine(c.line, parser), c.want) << c.line;
    EXPECT_EQ(s.MatchLineDirect(c.line, parser), c.want) << c.line;
  }
}

// Every rule a test writes gets its own id (a second rule with an id already loaded is
// skipped as a duplicate).
std::string NextIdSuffix() {
  static int n = 0;
  std::string digits = std::to_string(++n);
  return std::string(12 - digits.size(), '0') + digits;
}

std::string Rule(std::string_view detection) {
  return "title: t\nid: 0f0e0d0c-0000-4000-8002-" + NextIdSuffix() +
         "\nstatus: test\nlevel: high\n"
         "logsource:\n  category: webserver\ndetection:\n" +
         std::string(detection);
}

std::string Line(std::string_view uri, std::string_view referer = "-",
                 std::string_view ua = "Mozilla/5.0") {
  return "203.0.113.9 - - [10/Oct/2025:13:55:36 +0200] \"GET " + std::string(uri) +
         " HTTP/1.1\" 200 512 \"" + std::string(referer) + "\" \"" + std::string(ua) + "\"";
}

// A literal bound to a field is found in the whole line by the chunk scan; only an occurrence
// inside the field counts (and one in the decoded request target).
TEST(ScannerTest, FieldLiteralCountsOnlyInsideItsField) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"r.yml", Rule("  selection:\n    cs-uri-stem|contains: 'html'\n  condition: selection\n")},
       {"s.yml", Rule("  selection:\n    cs-uri-query|startswith: 'http://'\n"
                      "  condition: selection\n")}});
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(Rules(**rs).size(), 2u);
  auto parser = logs::NamedFormat("combined").value();
  Scanner s(**rs);
  const LineCase cases[] = {
      {Line("/a", "http://x/", "Mozilla/5.0 (KHTML, like Gecko)"), {}},
      {Line("/index.HTML"), {0}},
      {Line("/a%68tml"), {0}},
      {Line("http://evil/x.html"), {0, 1}},
      {Line("/x?u=http://"), {}},
      {Line("/html"), {0}},
  };
  ExpectLines(s, *parser, cases);
}

// Only atoms under an even number of `not`s make a rule a candidate; the others are still
// evaluated when it is one.
TEST(ScannerTest, NegatedAtomsDoNotTriggerButCount) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"r.yml", Rule("  sel:\n    cs-uri-stem|contains: '/admin/'\n  filter:\n"
                      "    cs-uri-stem|endswith: '.css'\n  condition: sel and not filter\n")},
       {"s.yml", Rule("  sel:\n    cs-uri-stem|contains: '/admin/'\n  filter:\n"
                      "    cs-uri-stem|endswith: '.css'\n  condition: not (not sel or filter)\n")},
       {"t.yml", Rule("  filter:\n    cs-uri-stem|endswith: '.css'\n"
                      "  condition: not (not filter)\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 3u);
  auto parser = logs::NamedFormat("combined").value();
  Scanner s(**rs);
  const LineCase cases[] = {
      {Line("/admin/x.php"), {0, 1}},
      {Line("/admin/x.css"), {2}},
      {Line("/x.css"), {2}},
      {Line("/x.php"), {}},
  };
  ExpectLines(s, *parser, cases);
}

// A rule is evaluated only once each part it needs has a reported atom: `sel and ext` needs
// one of sel's and one of ext's, a disjunction one of each alternative's, and atoms only under
// a `not` are never searched for but evaluated when a rule using them is. Whatever the shape,
// the hits are those of direct evaluation.
TEST(ScannerTest, RulesNeedingSeveralPartsHitOnlyWithAllOfThem) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"a.yml", Rule("  sel:\n    cs-uri-stem|contains:\n    - '/images/'\n    - '/media/'\n"
                      "  ext:\n    cs-uri-stem|endswith: '.php'\n"
                      "  filter:\n    cs-uri-stem|contains: '/cache/'\n"
                      "  condition: sel and ext and not filter\n")},
       {"b.yml", Rule("  one:\n    cs-uri-query|contains: 'cmd='\n"
                      "  two:\n    cs-uri-query|contains: 'exec('\n"
                      "  agent:\n    cs-user-agent|contains: 'curl'\n"
                      "  condition: (one or two) and agent\n")},
       {"c.yml", Rule("  sel_a:\n    cs-uri-stem|contains: '/admin'\n"
                      "    cs-user-agent|contains: 'python'\n"
                      "  sel_b:\n    cs-uri-stem|re: '^/[a-z]+/shell\\.php$'\n"
                      "  condition: 1 of sel_*\n")},
       {"d.yml", Rule("  sel:\n    cs-uri-stem|contains: '/downloader/'\n"
                      "  filter:\n    cs-uri-stem|endswith:\n    - '.css'\n    - '.png'\n"
                      "  condition: not (filter or not sel)\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 4u);
  auto parser = logs::NamedFormat("combined").value();
  Scanner s(**rs);
  const LineCase cases[] = {
      {Line("/media/x.php"), {0}},
      {Line("/media/cache/x.php"), {}},
      {Line("/media/x.png"), {}},
      {Line("/x.php"), {}},
      {Line("/?cmd=id", "-", "curl/8.0"), {1}},
      {Line("/?q=exec(1)", "-", "curl/8.0"), {1}},
      {Line("/?cmd=id"), {}},
      {Line("/", "-", "curl/8.0"), {}},
      {Line("/admin/", "-", "python-requests"), {2}},
      {Line("/admin/"), {}},
      {Line("/up/shell.php"), {2}},
      {Line("/up/shell.php", "-", "curl/8.0"), {2}},
      {Line("/downloader/index.php"), {3}},
      {Line("/downloader/a.css"), {}},
      {Line("/media/downloader/a.php", "-", "curl/8.0"), {0, 3}},
  };
  ExpectLines(s, *parser, cases);
}

// A two-byte literal on a field ('{{' of template injection) is searched for like the longer
// ones, so a rule needing it is no longer evaluated on every line (the pack's exploit-payload
// rule was, on 98% of a store's lines); it still counts only inside its field, URL-decoded
// too, and in JSON values. Two-byte keywords on the whole line are not searched for.
TEST(ScannerTest, TwoByteFieldLiteralsArePrefiltered) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"r.yml", Rule("  payload:\n    cs-uri-query|contains:\n    - '{{'\n    - '../'\n"
                      "  answered:\n    sc-status|startswith: '2'\n"
                      "  condition: payload and answered\n")},
       {"k.yml", Rule("  keywords:\n    - '{%'\n  condition: keywords\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 2u);
  const RuleSet& set = **rs;
  for (uint32_t r : set.always_rules) EXPECT_NE(r, 0u) << "the payload rule is prefiltered";
  auto parser = logs::NamedFormat("combined").value();
  Scanner s(set);
  const LineCase cases[] = {
      {Line("/p?q={{7*7}}"), {0}},
      {Line("/p?q=%7B%7B7*7%7D%7D"), {0}},
      {Line("/p?q=%7b%7B"), {0}},
      {Line("/p?q=1", "http://x/?q={{"), {}},  // in the referer
      {Line("/p?q=1", "-", "agent {{"), {}},   // in the user agent
      {Line("/p?q={"), {}},
      {Line("/p?q=a{%b"), {1}},
      {Line("/p", "-", "{%"), {1}},
  };
  ExpectLines(s, *parser, cases);
  // Line by line (JSON values, unescaped into the parser's buffer) the same.
  auto jsonl = logs::NamedFormat("jsonl").value();
  Scanner sj(set);
  const LineCase json_cases[] = {
      {R"({"remote_addr":"203.0.113.9","request_method":"GET","request_uri":"/p?q={{1}}","status":"200"})",
       {0}},
      {R"({"remote_addr":"203.0.113.9","request_method":"GET","request_uri":"/p?q=\u007b\u007b1","status":"200"})",
       {0}},
      {R"({"remote_addr":"203.0.113.9","request_method":"GET","request_uri":"/p?q={{1}}","status":"404"})",
       {}},
  };
  ExpectLines(sj, *jsonl, json_cases);
}

// Regexes on a field are prefiltered over many lines' values joined together: anchors hold at
// each value's ends, a match never leaks into the next line, and hits keep their line number
// and offset across groups of lines.
TEST(ScannerTest, BatchedFieldRegexesKeepLinesApart) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"r.yml", Rule("  selection:\n    cs-uri-stem|re: '^/[a-z]+\\.php$'\n"
                      "  condition: selection\n")},
       {"s.yml", Rule("  selection:\n    cs-uri-stem|re: 'php$'\n    cs-query|re: '^q=\\d+$'\n"
                      "  condition: selection\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 2u);
  std::vector<std::string> lines;
  std::map<uint64_t, std::vector<uint32_t>> want;
  for (int i = 0; i < 1000; ++i) {
    switch (i % 7) {
      case 0: lines.push_back(Line("/abc.php")), want[i + 1] = {0}; break;
      case 1: lines.push_back(Line("/x/abc.php?q=12")), want[i + 1] = {1}; break;
      case 2: lines.push_back(Line("/")); break;  // "^/" then "[a-z]+\.php$" on the next line
      case 3: lines.push_back(Line("abc.php?q=1x")); break;
      case 4: lines.push_back(Line("/a%62c.php")), want[i + 1] = {0}; break;  // decoded
      case 5: lines.push_back(Line("/abc.phpx")); break;
      default: lines.push_back(Line("/abc.php?q=7")), want[i + 1] = {0, 1}; break;
    }
  }
  lines[500] = "garbage";
  want.erase(501);
  auto parser = logs::NamedFormat("combined").value();
  std::string chunk;
  for (const std::string& l : lines) (chunk += l) += '\n';
  Scanner s(**rs);
  Collect got;
  s.ScanChunk(chunk, 10, 1000, *parser, got);
  std::map<uint64_t, std::vector<uint32_t>> want_shifted;
  for (auto& [line, rules] : want) want_shifted[line + 9] = rules;
  EXPECT_EQ(got.hits, want_shifted);
  EXPECT_EQ(got.skips, 1u);
  EXPECT_EQ(got.offsets[10], 1000u);
  EXPECT_EQ(got.offsets[10 + 999], 1000 + chunk.size() - lines[999].size() - 1);
  ExpectChunkMatchesDirect(**rs, lines, 500);
}

// The path's literals are searched for in the request target's database, with the target's
// own literals: each counts only where it ends inside the path (not in the query, not across
// the '?'), in the decoded and normalised targets too, and in a path logged apart from its
// query ($uri?$args, which the parser joins: the path is then no prefix of the joined target).
TEST(ScannerTest, PathLiteralsSearchedInTheRequestTarget) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"a.yml", Rule("  sel:\n    cs-uri-stem|contains: '/admin'\n  condition: sel\n")},
       {"b.yml", Rule("  sel:\n    cs-uri-query|contains: 'cmd='\n  condition: sel\n")},
       {"c.yml", Rule("  sel:\n    cs-uri-stem|endswith: '.php'\n  condition: sel\n")},
       {"d.yml", Rule("  sel:\n    cs-uri-stem|contains: 'p?x'\n  condition: sel\n")},
       {"e.yml", Rule("  sel:\n    cs-uri-stem|re: '^/a[a-z]+n$'\n  condition: sel\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 5u);
  const RuleSet& set = **rs;
  constexpr auto kUri = static_cast<size_t>(logs::Field::kUri);
  constexpr auto kPath = static_cast<size_t>(logs::Field::kUriStem);
  // '/admin' and '.php' joined the target's database; 'p?x' (it spans a '?') and the regex
  // stay in the path's own.
  ASSERT_NE(set.field_db[kUri], nullptr);
  EXPECT_EQ(set.field_atoms[kUri].size() - set.uri_path_first, 2u);
  ASSERT_NE(set.field_db[kPath], nullptr);
  EXPECT_EQ(set.field_atoms[kPath].size(), 2u);
  std::vector<std::string> lines;
  for (int i = 0; i < 700; ++i) {
    switch (i % 10) {
      case 0: lines.push_back(Line("/admin")); break;
      case 1: lines.push_back(Line("/x?r=/admin")); break;       // only in the query
      case 2: lines.push_back(Line("/x.ph?p=1&cmd=id")); break;  // '.php' across the '?'
      case 3: lines.push_back(Line("/%61dmin/x.ph%70")); break;  // decoded
      case 4: lines.push_back(Line("/x/..//admin")); break;      // normalised
      case 5: lines.push_back(Line("/a.php?cmd=x")); break;
      case 6: lines.push_back(Line("/adm?in.php")); break;
      case 7: lines.push_back(Line("/x%3fadmin?y")); break;  // a '?' decoded inside the path
      case 8: lines.push_back(Line("/p%3Fx")); break;
      default: lines.push_back(Line("/ADMIN.PHP")); break;
    }
  }
  ExpectChunkMatchesDirect(set, lines, 400);
  const std::pair<const char*, std::vector<uint32_t>> want[] = {
      {"/admin", {0, 4}},       {"/x?r=/admin", {}}, {"/x.ph?p=1&cmd=id", {1}},
      {"/a.php?cmd=x", {1, 2}}, {"/adm?in.php", {}}, {"/ADMIN.PHP", {0, 2}}};
  auto combined = logs::NamedFormat("combined").value();
  Scanner s(set);
  for (const auto& [uri, rules] : want) EXPECT_EQ(s.MatchLine(Line(uri), *combined), rules) << uri;
  // The path and the query logged apart: the path is a value of its own.
  auto apart = logs::CompileLogFormat(
                   "$remote_addr - $remote_user [$time_local] \"$request_method $uri?$args "
                   "$server_protocol\" $status $body_bytes_sent \"$http_referer\" "
                   "\"$http_user_agent\"")
                   .value();
  std::vector<std::string> joined;
  for (const char* l : {"/admin?a=1", "/x?r=/admin", "/a.php?cmd=1", "/ad%3Fmin?x=.php"})
    joined.push_back(Line(l));
  for (size_t i = 0; i < 300; ++i) joined.push_back(joined[i % 4]);
  ExpectChunkMatchesDirect(set, joined, 100, "", apart.get());
}

// Rules that may hold without a reported atom are evaluated on every line; on most lines their
// value depends on the method, status and version alone and is kept per combination of them.
// Lines cycling through methods and statuses, with and without the other atoms, must get what
// direct evaluation gives.
TEST(ScannerTest, RulesOnMethodAndStatusMatchDirectEvaluation) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"a.yml", Rule("  sel:\n    cs-method:\n    - TRACE\n    - DEBUG\n  ok:\n"
                      "    sc-status: 404\n  condition: sel and not ok\n")},
       {"b.yml", Rule("  sel:\n    cs-method: POST\n  ua:\n    cs-user-agent:\n    - '-'\n"
                      "    - ''\n  condition: sel and ua\n")},
       {"c.yml", Rule("  err:\n    sc-status: 500\n  q:\n    cs-uri-query|contains: \"'\"\n"
                      "  condition: err and q\n")},
       {"d.yml", Rule("  m:\n    cs-method: CONNECT\n  abs:\n    cs-uri-query|startswith: "
                      "'http://'\n  condition: m or abs\n")},
       {"e.yml", Rule("  v:\n    cs-version: HTTP/1.0\n  css:\n    cs-uri-stem|endswith: "
                      "'.css'\n  condition: not v and not css\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 5u);
  const char* methods[] = {"GET", "POST", "TRACE", "DEBUG", "CONNECT", "get", "-"};
  const char* statuses[] = {"200", "404", "500", "301"};
  const char* versions[] = {"HTTP/1.1", "HTTP/1.0"};
  const char* uris[] = {"/a", "/x.css", "/p?id=1'", "http://evil/x", "/q?u=http://"};
  const char* agents[] = {"Mozilla/5.0", "-", ""};
  std::vector<std::string> lines;
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    auto pick = [&](auto& arr) { return arr[rng() % std::size(arr)]; };
    std::string req = std::string(pick(methods)) + " " + pick(uris) + " " + pick(versions);
    lines.push_back("198.51.100.7 - - [10/Oct/2025:13:55:36 +0200] \"" + req + "\" " +
                    pick(statuses) + " 10 \"-\" \"" + pick(agents) + "\"");
  }
  ExpectChunkMatchesDirect(**rs, lines, 1000);
}

// A rule evaluated on every line whose own atom was reported on the line (a filter's static
// suffix, on most lines of a store) is skipped when its method, status and version alone make
// it false, and evaluated otherwise: with its filter matched (a 404 of a .png), with its
// positive atom matched (a 200 of a .png for `or`), and past the first 16 distinct methods
// and statuses (their combinations then looked up by value, not by index).
TEST(ScannerTest, RulesTouchedByAnAtomAndManyDistinctValuesMatchDirectEvaluation) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"a.yml", Rule("  sel:\n    sc-status|startswith: '4'\n  static:\n"
                      "    cs-uri-stem|endswith:\n    - .png\n    - .css\n"
                      "  condition: sel and not static\n")},
       {"b.yml", Rule("  sel:\n    sc-status: 404\n  png:\n    cs-uri-stem|endswith: .png\n"
                      "  condition: sel or png\n")},
       {"c.yml", Rule("  m:\n    cs-method: M7\n  css:\n    cs-uri-stem|endswith: .css\n"
                      "  condition: m and not css\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(Rules(**rs).size(), 3u);
  const char* uris[] = {"/a.png", "/b.css", "/index.php", "/x.png?y=1", "/"};
  std::vector<std::string> lines;
  std::mt19937 rng(5);
  for (int i = 0; i < 4000; ++i) {
    // The first lines keep to a few methods and statuses; later ones bring new ones.
    unsigned spread = i < 1000 ? 3 : 40;
    std::string method = rng() % 2 ? "GET" : "M" + std::to_string(rng() % spread);
    std::string status = std::to_string(rng() % 2 ? 200 + rng() % 2 * 204 : 400 + rng() % spread);
    std::string req = method + " " + uris[rng() % std::size(uris)] + " HTTP/1.1";
    lines.push_back("198.51.100.7 - - [10/Oct/2025:13:55:36 +0200] \"" + req + "\" " + status +
                    " 10 \"-\" \"Mozilla/5.0\"");
  }
  ExpectChunkMatchesDirect(**rs, lines, 1000);
}

// A filter's plain comparisons in a rule evaluated on every line are not searched for on every
// line (the static suffixes were a third of the request target database's matches on a store's
// log): they are compared on the lines whose status leaves the rule open. A filter that is a
// regex stays in the databases (evaluating it directly on those lines would cost more).
TEST(ScannerTest, FiltersOfRulesOnEveryLineAreComparedNotSearched) {
  Result<RuleSetPtr> rs = LoadRulesFromText(
      {{"a.yml", Rule("  sel:\n    sc-status|startswith: '4'\n  static:\n"
                      "    cs-uri-stem|endswith:\n    - .png\n    - .css\n"
                      "  condition: sel and not static\n")},
       {"b.yml", Rule("  sel:\n    sc-status|startswith: '5'\n  rx:\n"
                      "    cs-uri-stem|re: '\\.(gif|svg)$'\n  condition: sel and not rx\n")}});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  size_t literals = 0, regexes = 0;
  for (const Atom& a : (*rs)->atoms) {
    if (a.kind == AtomKind::kEndsWith) {
      ++literals;
      EXPECT_FALSE(a.scanned || a.batched) << a.value;
    }
    if (a.kind == AtomKind::kRegex) {
      ++regexes;
      EXPECT_TRUE(a.scanned || a.batched) << a.value;
    }
  }
  EXPECT_EQ(literals, 2u);
  EXPECT_EQ(regexes, 1u);
  std::vector<std::string> lines;
  for (const char* status : {"200", "404", "503"})
    for (const char* uri : {"/a.png", "/b.css", "/c.gif", "/d.php"})
      lines.push_back(std::string("198.51.100.7 - - [10/Oct/2025:13:55:36 +0200] \"GET ") + uri +
                      " HTTP/1.1\" " + status + " 10 \"-\" \"Mozilla/5.0\"");
  ExpectChunkMatchesDirect(**rs, lines, 5);  // 404 and 503 of the two paths each filter keeps
}

}  // namespace
}  // namespace tq::rules
