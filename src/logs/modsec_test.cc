// ModSecurity serial audit logs (modsec.cc): the format corpus (testdata/modsec_audit.log,
// written after the reference manual's part layout, v2 and v3 boundaries) read entry by
// entry, then damaged entries: truncated, oversized, non-UTF-8, control characters, forged
// boundaries in a body.
#include <gtest/gtest.h>

#include "logs/formats_test_support.h"

namespace tq::logs {
namespace {

using namespace format_test;  // NOLINT: test helpers

struct Entry {
  uint64_t line = 0, offset = 0;
  std::string client, peer, time, method, uri, status, host, ua, body, message, line_text;
};

std::vector<Entry> Read(const std::string& path, ParseStats* st, StreamOptions o = {}) {
  std::vector<Entry> out;
  Status s = StreamRecords(
      path, o, {},
      [&](const AccessLogRecord& r) {
        Entry e;
        e.line = r.line_no;
        e.offset = r.offset;
        e.client = r.get(Field::kClientIp);
        e.peer = r.get(Field::kPeerIp);
        e.time = r.has_time ? FormatUtc(r.time) : "";
        e.method = r.get(Field::kMethod);
        e.uri = r.get(Field::kUri);
        e.status = r.get(Field::kStatus);
        e.host = r.get(Field::kHost);
        e.ua = r.get(Field::kUserAgent);
        e.body = r.get(Field::kBody);
        e.message = r.get(Field::kMessage);
        e.line_text = r.line;
        EXPECT_NE(ClassifyClient(r.get(Field::kClientIp)), AddressKind::kNone) << r.line;
        out.push_back(std::move(e));
        return true;
      },
      st);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::map<std::string, uint64_t> Skipped(const ParseStats& st) {
  std::map<std::string, uint64_t> m;
  for (auto& [k, v] : st.skipped) m[k] = v.count;
  return m;
}

TEST(ModSecTest, CorpusEntryByEntry) {
  ParseStats st;
  std::vector<Entry> got = Read(Testdata("modsec_audit.log"), &st);
  EXPECT_EQ(st.format, "modsec");
  ASSERT_EQ(got.size(), 5u);
  // v2, form body: raw, then URL-decoded; part H's message.
  EXPECT_EQ(got[0].line, 4u);
  EXPECT_EQ(got[0].line_text, "POST /checkout/onepage/saveBilling/ HTTP/1.1");
  EXPECT_EQ(got[0].client, "203.0.113.9");
  EXPECT_EQ(got[0].time, "2025-10-10T11:55:36Z");
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].uri, "/checkout/onepage/saveBilling/");
  EXPECT_EQ(got[0].status, "200");
  EXPECT_EQ(got[0].host, "shop.example");
  EXPECT_EQ(got[0].ua, "Mozilla/5.0 (X11; Linux x86_64)");
  EXPECT_EQ(got[0].body,
            "billing%5Bfirstname%5D=%7B%7Bvar+this.getUrl()%7D%7D&lastname=x\n"
            "billing[firstname]={{var this.getUrl()}}&lastname=x");
  EXPECT_TRUE(got[0].message.starts_with("Warning. Pattern match")) << got[0].message;
  // v3 boundaries, IPv6 client, lower-case header names, no body, "HTTP/1.1 200".
  EXPECT_EQ(got[1].line, 30u);
  EXPECT_EQ(got[1].client, "2001:db8::44");
  EXPECT_EQ(got[1].time, "2025-10-10T11:56:00Z");
  EXPECT_EQ(got[1].uri, "/catalogsearch/result/?q=shoes");
  EXPECT_EQ(got[1].status, "200");
  EXPECT_EQ(got[1].host, "shop.example");
  EXPECT_EQ(got[1].ua, "curl/8.4.0");
  EXPECT_EQ(got[1].body, "");
  EXPECT_TRUE(got[1].message.starts_with("Warning. Matched")) << got[1].message;
  // Behind a trusted proxy: the client from X-Forwarded-For, the peer beside it; a JSON body
  // with its escapes undone after the raw text; a fraction of a second in part A.
  EXPECT_EQ(got[2].line, 46u);
  EXPECT_EQ(got[2].client, "198.51.100.77");
  EXPECT_EQ(got[2].peer, "10.0.0.5");
  EXPECT_EQ(got[2].time, "2025-10-10T12:00:00.250000Z");
  EXPECT_EQ(got[2].status, "400");
  EXPECT_NE(got[2].body.find("\n{\"addressInformation\":{\"shipping_address\":{\"firstname\":\"{{"
                             "block class=\"Magento\\Framework\"}}\""),
            std::string::npos)
      << got[2].body;
  // An entry cut short (no Z) is given when the next one starts; part I read as the body.
  EXPECT_EQ(got[3].line, 68u);
  EXPECT_EQ(got[3].client, "192.0.2.10");
  EXPECT_EQ(got[3].status, "302");
  EXPECT_EQ(got[3].body, "name=Ann&comment=hello%20there\nname=Ann&comment=hello there");
  // Parts E and K are not read.
  EXPECT_EQ(got[4].line, 80u);
  EXPECT_EQ(got[4].client, "192.0.2.11");
  EXPECT_EQ(got[4].uri, "/robots.txt");
  EXPECT_EQ(got[4].body, "");
  // A host name where the address goes, and 31 February: the entries are skipped, once each.
  std::map<std::string, uint64_t> skipped = Skipped(st);
  EXPECT_EQ(skipped["client not an address"], 1u);
  EXPECT_EQ(skipped["bad timestamp"], 1u);
  EXPECT_EQ(st.parsed, 5u);
  EXPECT_EQ(st.LowShare(), "");
  EXPECT_EQ(skipped.size(), 4u) << "only the reasons above, blank and entry lines";
}

TEST(ModSecTest, DetectedWhateverLogFormatSays) {
  StreamOptions o;
  o.log_format = "combined";  // the access logs' format; the audit log beside them
  ParseStats st;
  std::vector<Entry> got = Read(Testdata("modsec_audit.log"), &st, o);
  EXPECT_EQ(st.format, "modsec");
  EXPECT_EQ(got.size(), 5u);
}

std::string Entry1(const std::string& id, const std::string& a, const std::string& req,
                   const std::string& body) {
  std::string s = "--" + id + "-A--\n" + a + "\n--" + id + "-B--\n" + req + "\nHost: x\n\n";
  if (!body.empty()) s += "--" + id + "-C--\n" + body + "\n";
  return s + "--" + id + "-F--\nHTTP/1.1 200 OK\n\n--" + id + "-Z--\n\n";
}

const char* kA = "[10/Oct/2025:13:55:36 +0000] X 198.51.100.1 1 10.0.0.1 80";

TEST(ModSecTest, TruncatedEntries) {
  TempDir d;
  std::string whole = Entry1("aaaa0001", kA, "POST /a HTTP/1.1", "k=v");
  // Cut at every byte: never a crash, never a record with a wrong client, at most one record.
  for (size_t cut = 0; cut < whole.size(); ++cut) {
    std::string p = d.path() + "/t.log";
    WriteFile(p, whole.substr(0, cut));
    ParseStats st;
    std::vector<Entry> got = Read(p, &st);
    ASSERT_LE(got.size(), 1u) << cut;
    for (const Entry& e : got) EXPECT_EQ(e.client, "198.51.100.1");
  }
  // Header cut inside the time, a request line alone: skipped with the reason.
  std::string p = d.path() + "/h.log";
  WriteFile(p, Entry1("aaaa0002", "[10/Oct/2025:13:55", "POST /a HTTP/1.1", "") +
                   Entry1("aaaa0003", kA, "GET", "") + Entry1("aaaa0004", kA, "GET /b", ""));
  ParseStats st;
  std::vector<Entry> got = Read(p, &st);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].uri, "/b");
  EXPECT_EQ(Skipped(st)["bad audit header"], 1u);
  EXPECT_EQ(Skipped(st)["bad request line"], 1u);
}

TEST(ModSecTest, OversizedBodyIsCutNotDropped) {
  TempDir d;
  std::string body(3 << 20, 'a');
  for (size_t i = 0; i < body.size(); i += 1000) body[i] = '\n';  // lines under max_line
  std::string p = d.path() + "/big.log";
  WriteFile(p, Entry1("bbbb0001", kA, "POST /up HTTP/1.1", body + "\nk={{var x}}"));
  ParseStats st;
  std::vector<Entry> got = Read(p, &st);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LE(got[0].body.size(), size_t{1} << 20);
  EXPECT_GE(got[0].body.size(), size_t{1} << 19);
  // One line past the line limit is skipped as any such line is; the entry still counts.
  std::string q = d.path() + "/long.log";
  WriteFile(q, Entry1("bbbb0002", kA, "POST /up HTTP/1.1", std::string((1 << 20) + 10, 'b')));
  ParseStats st2;
  got = Read(q, &st2);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Skipped(st2)["line too long"], 1u);
}

TEST(ModSecTest, NonUtf8AndControlCharactersStayBytes) {
  TempDir d;
  std::string p = d.path() + "/bytes.log";
  std::string body = std::string("x=\xC3\x28\xFF\xFE") + "\x1b[2J\x07\r";
  WriteFile(p, Entry1("cccc0001", kA, "POST /\xff\x1b HTTP/1.1", body));
  ParseStats st;
  std::vector<Entry> got = Read(p, &st);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].uri, "/\xff\x1b");
  EXPECT_TRUE(got[0].body.starts_with("x=\xC3\x28\xFF\xFE\x1b[2J\x07")) << got[0].body;
  // A NUL and a control character in the header: not an address, skipped.
  std::string q = d.path() + "/ctl.log";
  WriteFile(q, Entry1("cccc0002", std::string("[10/Oct/2025:13:55:36 +0000] X 198.51.100.1\x01 1"),
                      "GET / HTTP/1.1", ""));
  ParseStats st2;
  EXPECT_TRUE(Read(q, &st2).empty());
  EXPECT_EQ(Skipped(st2)["client not an address"], 1u);
}

TEST(ModSecTest, ForgedBoundariesInABodyAreBody) {
  // The client writes the body: a fake entry inside it (another id) must not become a record
  // with the client address it names.
  TempDir d;
  std::string p = d.path() + "/forged.log";
  std::string forged =
      "--dead0001-Z--\n--dead0002-A--\n[10/Oct/2025:13:55:36 +0000] X 203.0.113.66 1 10.0.0.1 "
      "80\n--dead0002-B--\nGET /forged HTTP/1.1\n--dead0002-Z--";
  WriteFile(p, Entry1("eeee0001", kA, "POST /a HTTP/1.1", forged));
  ParseStats st;
  std::vector<Entry> got = Read(p, &st);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].client, "198.51.100.1");
  EXPECT_NE(got[0].body.find("203.0.113.66"), std::string::npos);
  // Counted, so that a forged entry (or entries swallowed by one cut short) shows.
  EXPECT_EQ(Skipped(st)["boundary of another entry inside a body"], 4u);
}

TEST(ModSecTest, PartsOutsideAnEntry) {
  TempDir d;
  std::string p = d.path() + "/stray.log";
  WriteFile(p, "--ffff0001-A--\n" + std::string(kA) +
                   "\n--ffff0001-B--\nGET / HTTP/1.1\n--abcd0002-Z--\n--ffff0001-Z--\n"
                   "--ffff0009-F--\nHTTP/1.1 200\n");
  ParseStats st;
  std::vector<Entry> got = Read(p, &st);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Skipped(st)["audit part of another entry"], 1u);
  EXPECT_EQ(Skipped(st)["audit part outside an entry"], 1u);
  EXPECT_EQ(Skipped(st)["format mismatch"], 1u);
}

}  // namespace
}  // namespace tq::logs
