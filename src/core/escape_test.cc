// The escaping table: attacker bytes for terminal, HTML, CSV and JSON.
#include "core/escape.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace tq {
namespace {

struct EscapeCase {
  const char* name;
  std::string input;
  std::string terminal, html, csv, json;
};

const EscapeCase kCases[] = {
    {"plain", "GET /index.php", "GET /index.php", "GET /index.php", "\"GET /index.php\"",
     "GET /index.php"},
    {"ansi_clear_screen", "ua\x1b[2J\x1b[31mred", "ua\\e[2J\\e[31mred",
     "ua\xEF\xBF\xBD[2J\xEF\xBF\xBD[31mred", "\"ua\\x1B[2J\\x1B[31mred\"",
     "ua\\u001b[2J\\u001b[31mred"},
    {"osc_title", "\x1b]0;pwned\x07", "\\e]0;pwned\\x07", "\xEF\xBF\xBD]0;pwned\xEF\xBF\xBD",
     "\"\\x1B]0;pwned\\x07\"", "\\u001b]0;pwned\\u0007"},
    {"c1_csi",
     "a\xC2\x9B"
     "31mb",
     "a\\xC2\\x9B31mb",
     "a\xEF\xBF\xBD"
     "31mb",
     "\"a\xC2\x9B"
     "31mb\"",
     "a\xC2\x9B"
     "31mb"},
    {"script", "<script>alert('x')</script>", "<script>alert('x')</script>",
     "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "\"<script>alert('x')</script>\"",
     "\\u003cscript>alert('x')\\u003c/script>"},
    {"attribute_breakout", "\" onload=\"x", "\" onload=\"x", "&quot; onload=&quot;x",
     "\"\"\" onload=\"\"x\"", "\\\" onload=\\\"x"},
    {"invalid_utf8",
     "a\xff\xfe"
     "b",
     "a\\xFF\\xFEb",
     "a\xEF\xBF\xBD\xEF\xBF\xBD"
     "b",
     "\"a\\xFF\\xFEb\"", "a\\\\xFF\\\\xFEb"},
    {"truncated_utf8", "caf\xC3", "caf\\xC3", "caf\xEF\xBF\xBD", "\"caf\\xC3\"", "caf\\\\xC3"},
    {"overlong_slash", "\xC0\xAF", "\\xC0\\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", "\"\\xC0\\xAF\"",
     "\\\\xC0\\\\xAF"},
    {"surrogate", "\xED\xA0\x80", "\\xED\\xA0\\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
     "\"\\xED\\xA0\\x80\"", "\\\\xED\\\\xA0\\\\x80"},
    {"valid_unicode", "Müller 東京 🙂", "Müller 東京 🙂", "Müller 東京 🙂",
     "\"Müller 東京 🙂\"", "Müller 東京 🙂"},
    {"csv_formula_equals", "=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")",
     "=HYPERLINK(&quot;http://x&quot;)", "\"'=HYPERLINK(\"\"http://x\"\")\"",
     "=HYPERLINK(\\\"http://x\\\")"},
    {"csv_formula_plus", "+1+cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0",
     "+1+cmd|&#39; /C calc&#39;!A0", "\"'+1+cmd|' /C calc'!A0\"", "+1+cmd|' /C calc'!A0"},
    {"csv_formula_minus", "-2+3", "-2+3", "-2+3", "\"'-2+3\"", "-2+3"},
    {"csv_formula_at", "@SUM(A1)", "@SUM(A1)", "@SUM(A1)", "\"'@SUM(A1)\"", "@SUM(A1)"},
    {"newline_nul_tab", std::string("a\nb\0c\td", 7), "a\\nb\\x00c\\td",
     "a\nb\xEF\xBF\xBD"
     "c\td",
     "\"a\nb\\x00c\td\"", "a\\nb\\u0000c\\td"},
    {"backslash", "C:\\x41", "C:\\\\x41", "C:\\x41", "\"C:\\x41\"", "C:\\\\\\\\x41"},
    {"delete_between_runs",
     "abc\x7F"
     "def",
     "abc\\x7F"
     "def",
     "abc\xEF\xBF\xBD"
     "def",
     "\"abc\\x7F"
     "def\"",
     "abc\\u007f"
     "def"},
    {"empty", "", "", "", "\"\"", ""},
};

class EscapeTable : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeTable, Terminal) { EXPECT_EQ(EscapeTerminal(GetParam().input), GetParam().terminal); }
TEST_P(EscapeTable, Html) { EXPECT_EQ(EscapeHtml(GetParam().input), GetParam().html); }
TEST_P(EscapeTable, Csv) { EXPECT_EQ(EscapeCsvField(GetParam().input), GetParam().csv); }
TEST_P(EscapeTable, Json) { EXPECT_EQ(EscapeJson(GetParam().input), GetParam().json); }
// The appending forms add exactly the same bytes after what is there.
TEST_P(EscapeTable, AppendForms) {
  std::string csv = "x,", json = "[\"";
  AppendCsvField(GetParam().input, &csv);
  AppendJsonEscaped(GetParam().input, &json);
  EXPECT_EQ(csv, "x," + GetParam().csv);
  EXPECT_EQ(json, "[\"" + GetParam().json);
}

TEST_P(EscapeTable, OutputsAreValidUtf8AndFreeOfEscapeCharacters) {
  const std::string& in = GetParam().input;
  for (const std::string& out : {EscapeTerminal(in), EscapeHtml(in), EscapeJson(in)}) {
    EXPECT_TRUE(IsValidUtf8(out));
    EXPECT_EQ(out.find('\x1b'), std::string::npos);
    EXPECT_EQ(out.find('\0'), std::string::npos);
  }
}

// Decoding JSON by hand for the test: only the escapes EscapeJson writes.
std::string DecodeJsonBody(const std::string& body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out += body[i];
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u':
        out += static_cast<char>(std::stoi(body.substr(i + 1, 4), nullptr, 16));
        i += 4;
        break;
      default: out += e;
    }
  }
  return out;
}

TEST_P(EscapeTable, JsonRoundTripsTheOriginalBytes) {
  const std::string& in = GetParam().input;
  EXPECT_EQ(RecoverJsonBytes(DecodeJsonBody(EscapeJson(in))), in);
}

INSTANTIATE_TEST_SUITE_P(Hostile, EscapeTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

// Long runs of plain text are passed over 16 bytes at a time: a byte that needs escaping is
// found at every position of such a run, and escaped as it is alone.
TEST(EscapeJsonTest, SpecialBytesAtEveryPositionOfALongRun) {
  const std::string specials[] = {"\"",   "\\",   "<",        "\n",   std::string(1, '\0'),
                                  "\x1f", "\x7f", "\xc3\xa9", "\xff", "\xe2\x80\xa8"};
  std::string plain = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
  for (const std::string& sp : specials)
    for (size_t k = 0; k <= plain.size(); ++k) {
      std::string in = plain.substr(0, k) + sp + plain.substr(k);
      std::string got;
      AppendJsonEscaped(in, &got);
      EXPECT_EQ(got, EscapeJson(plain.substr(0, k)) + EscapeJson(sp) + EscapeJson(plain.substr(k)))
          << k;
    }
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(ExcerptTest, CutsOnCharacterBoundary) {
  EXPECT_EQ(Excerpt("abc", 10), "abc");
  EXPECT_EQ(Excerpt("ab\xC3\xA9", 3), "ab");
  EXPECT_EQ(Excerpt("abcdef", 4), "abcd");
}

TEST(JsonWriterTest, NestedAndEscaped) {
  JsonWriter w;
  w.BeginObject().Field("ua", "<script>\x1b").Key("list").BeginArray().Int(1).Bool(false).Null();
  w.Double(0.1).EndArray().Key("empty").BeginObject().EndObject().EndObject();
  EXPECT_EQ(w.str(), "{\"ua\":\"\\u003cscript>\\u001b\",\"list\":[1,false,null,0.1],\"empty\":{}}");
}

TEST(JsonWriterTest, PrettyPrints) {
  JsonWriter w(true);
  w.BeginObject().Field("a", 1).Key("b").BeginArray().String("x").EndArray().EndObject();
  EXPECT_EQ(w.str(), "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}");
}

}  // namespace
}  // namespace tq
