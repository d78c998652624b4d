// The request journal: what a scan writes reads back field for field (across blocks and
// dictionary slots, with a range's shifts), a journal built from the items equals what
// StreamRecords parses, and every kind of damage reads as an error naming the journal.
#include "logs/request_journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "support/testing.h"

namespace tq::logs {
namespace {

using tq::testing::ReadFile;
using tq::testing::TempDir;
using tq::testing::WriteFile;

struct Seen {
  int64_t evidence_id, line, offset, bytes;
  UnixMicros time;
  int status;
  std::string client, method, path, query, ua, session;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> Replay(const std::string& dir, Status* status) {
  std::vector<Seen> out;
  Result<JournalManifest> m = ReadJournalManifest(dir);
  if (!m.ok()) {
    *status = m.status();
    return out;
  }
  *status = ReplayJournal(dir, *m, [&](int64_t id, const JournalRequest& r) {
    out.push_back({id, r.line, r.offset, r.bytes, r.time, r.status, std::string(r.client),
                   std::string(r.method), std::string(r.path), std::string(r.query),
                   std::string(r.user_agent), std::string(r.session)});
  });
  return out;
}

// A journal of one segment written by `write` (its records in one input), read back.
std::vector<Seen> OneSegment(const std::string& dir,
                             const std::function<void(JournalSegmentWriter&)>& write,
                             Status* status) {
  Result<std::string> staging = BeginJournal(dir);
  if (!staging.ok()) {
    *status = staging.status();
    return {};
  }
  auto w = JournalSegmentWriter::Create(*staging + "/segment-0.tqj");
  if (!w.ok()) {
    *status = w.status();
    return {};
  }
  write(**w);
  *status = (*w)->Finish();
  if (!status->ok()) return {};
  uint64_t n = (*w)->records();
  JournalManifest m;
  m.inputs.push_back({1, "", n, n, 0, ""});
  m.segments.push_back({0, 0, 0, n, "segment-0.tqj"});
  *status = CommitJournal(dir, m);
  if (!status->ok()) return {};
  return Replay(dir, status);
}

// Combined lines with a cookie: clients, paths and agents repeat (dictionary slots) and
// vary (literals); one agent is longer than a slot keeps.
std::string Lines(int n) {
  std::string out;
  std::string long_agent(300, 'A');
  for (int i = 0; i < n; ++i) {
    out += "192.0.2." + std::to_string(i % 7) +
           " - - [10/Oct/2025:13:55:" + (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
           " +0000] \"" + (i % 5 ? "GET" : "POST") + " /p/" + std::to_string(i % 50) +
           (i % 3 ? "?q=" + std::to_string(i) : "") + " HTTP/1.1\" " + (i % 11 ? "200" : "404") +
           " " + (i % 13 ? std::to_string(100 + i) : "-") + " \"-\" \"" +
           (i % 17 ? "Mozilla/5.0 (" + std::to_string(i % 3) + ")" : long_agent) + "\"\n";
  }
  return out;
}

TEST(SessionFromCookie, Names) {
  EXPECT_EQ(SessionFromCookie("a=b; PHPSESSID=abc123; c=d"), "PHPSESSID=abc123");
  EXPECT_EQ(SessionFromCookie("frontend=xyz"), "frontend=xyz");
  EXPECT_EQ(SessionFromCookie("wordpress_logged_in_5f3=admin%7C1"),
            "wordpress_logged_in_5f3=admin%7C1");
  EXPECT_EQ(SessionFromCookie("PHPSESSID=; x=y"), "");
  EXPECT_EQ(SessionFromCookie(""), "");
  EXPECT_EQ(SessionFromCookie(";;;"), "");
}

TEST(RequestJournal, WhatTheScanWritesReadsBackFieldForField) {
  TempDir tmp;
  std::string log = tmp / "access.log";
  WriteFile(log, Lines(40000));  // more than one 1 MB block
  std::vector<Seen> want;
  ParseStats ps;
  std::string dir = tmp / "journal";
  Result<std::string> staging = BeginJournal(dir);
  ASSERT_TRUE(staging.ok()) << staging.status().ToString();
  // Two segments of one file, as a scan's two ranges: the second one's lines and offsets
  // count from its start, the manifest's shifts put them back.
  auto first = JournalSegmentWriter::Create(*staging + "/segment-0.tqj");
  auto second = JournalSegmentWriter::Create(*staging + "/segment-1.tqj");
  ASSERT_TRUE(first.ok() && second.ok());
  uint64_t split_line = 0, split_offset = 0;
  ASSERT_TRUE(StreamRecords(
                  log, {}, {},
                  [&](const AccessLogRecord& r) {
                    std::string_view status = r.get(Field::kStatus);
                    std::string_view bytes = r.get(Field::kBytesSent);
                    want.push_back(
                        {7, static_cast<int64_t>(r.line_no), static_cast<int64_t>(r.offset),
                         bytes == "-" ? 0 : std::stoll(std::string(bytes)), r.time,
                         std::stoi(std::string(status)), std::string(r.get(Field::kClientIp)),
                         std::string(r.get(Field::kMethod)), std::string(r.get(Field::kUriStem)),
                         std::string(r.get(Field::kQuery)), std::string(r.get(Field::kUserAgent)),
                         ""});
                    if (r.line_no <= 25000) {
                      (*first)->Add(r);
                      split_line = r.line_no;
                      split_offset = r.offset + r.line.size() + 1;
                    } else {
                      AccessLogRecord shifted = r;
                      shifted.line_no -= split_line;
                      shifted.offset -= split_offset;
                      (*second)->Add(shifted);
                    }
                    return true;
                  },
                  &ps)
                  .ok());
  ASSERT_TRUE((*first)->Finish().ok());
  ASSERT_TRUE((*second)->Finish().ok());
  JournalManifest m;
  m.inputs.push_back({7, "ab12", ps.lines, ps.parsed, 0, ""});
  m.segments.push_back({0, 0, 0, (*first)->records(), "segment-0.tqj"});
  m.segments.push_back({0, split_line, split_offset, (*second)->records(), "segment-1.tqj"});
  ASSERT_TRUE(CommitJournal(dir, m).ok());
  EXPECT_FALSE(std::filesystem::exists(*staging));
  Status st;
  std::vector<Seen> got = Replay(dir, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), 40000u);
  EXPECT_EQ(got, want);
  EXPECT_EQ(got[17].ua, std::string(300, 'A'));
  // Far smaller than the log: slots and zstd.
  uint64_t size = std::filesystem::file_size(dir + "/segment-0.tqj") +
                  std::filesystem::file_size(dir + "/segment-1.tqj");
  EXPECT_LT(size * 4, std::filesystem::file_size(log));
  Result<JournalManifest> back = ReadJournalManifest(dir);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->inputs[0].lines, 40000u);
  EXPECT_EQ(back->inputs[0].sha256, "ab12");
}

TEST(RequestJournal, KeepsOnlyRequestsAndTheSessionCookie) {
  TempDir tmp;
  std::string dir = tmp / "journal";
  Result<std::string> staging = BeginJournal(dir);
  ASSERT_TRUE(staging.ok());
  auto w = JournalSegmentWriter::Create(*staging + "/segment-0.tqj");
  ASSERT_TRUE(w.ok());
  AccessLogRecord r;
  r.field[static_cast<size_t>(Field::kClientIp)] = "198.51.100.4";
  r.field[static_cast<size_t>(Field::kCookie)] = "x=1; PHPSESSID=s1";
  r.field[static_cast<size_t>(Field::kStatus)] = "2x0";
  r.present = 1u << static_cast<unsigned>(Field::kCookie);
  r.line_no = 3;
  (*w)->Add(r);
  r.kind = RecordKind::kAuditEntry;  // repeats a request: not one of its own
  (*w)->Add(r);
  ASSERT_TRUE((*w)->Finish().ok());
  ASSERT_EQ((*w)->records(), 1u);
  JournalManifest m;
  m.inputs.push_back({1, "", 3, 1, 0, "gzip: truncated"});
  m.segments.push_back({0, 0, 0, 1, "segment-0.tqj"});
  ASSERT_TRUE(CommitJournal(dir, m).ok());
  Status st;
  std::vector<Seen> got = Replay(dir, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].session, "PHPSESSID=s1");
  EXPECT_EQ(got[0].status, 0) << "not a number";
  EXPECT_EQ(got[0].bytes, -1) << "not logged";
  EXPECT_EQ(got[0].time, 0);
  EXPECT_EQ(got[0].line, 3);
  EXPECT_EQ(ReadJournalManifest(dir)->inputs[0].problem, "gzip: truncated");
}

TEST(RequestJournal, BuiltFromTheItemsEqualsWhatTheParserReads) {
  TempDir tmp;
  WriteFile(tmp / "a.log", Lines(3000) + "\xff not a log line\n");
  WriteFile(tmp / "b.log", Lines(10));
  std::vector<JournalSource> in = {
      {11, "aa", tmp / "a.log"}, {12, "bb", tmp / "b.log"}, {13, "cc", tmp / "missing.log"}};
  Result<JournalManifest> m = BuildRequestJournal(tmp / "journal", in, {}, 2);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->inputs.size(), 3u);
  EXPECT_EQ(m->inputs[0].lines, 3001u);
  EXPECT_EQ(m->inputs[0].parsed, 3000u);
  EXPECT_EQ(m->inputs[0].skipped, 1u);
  EXPECT_NE(m->inputs[2].problem.find("missing.log"), std::string::npos) << m->inputs[2].problem;
  Status st;
  std::vector<Seen> got = Replay(tmp / "journal", &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), 3010u);
  EXPECT_EQ(got[0].evidence_id, 11);
  EXPECT_EQ(got[2999].line, 3000);
  EXPECT_EQ(got[3000].evidence_id, 12);
  EXPECT_EQ(got[3000].line, 1);
  EXPECT_EQ(got[3000].offset, 0);
  EXPECT_EQ(got[3001].offset, static_cast<int64_t>(Lines(1).size()));
}

// Client addresses: a dotted quad is kept as four bytes only when its text is what they give
// back; every other form (leading zeros, out of range, IPv6, a name, a port) reads back as
// written.
TEST(RequestJournal, ClientAddressesReadBackAsWritten) {
  TempDir tmp;
  const std::vector<std::string> clients = {
      "0.0.0.0",     "255.255.255.255", "10.1.2.3",  "192.168.100.20", "010.1.2.3",
      "1.2.3.256",   "1.2.3",           "1.2.3.4.5", "1.2.3.4 ",       "1..2.3",
      "2001:db8::1", "::ffff:1.2.3.4",  "host-a",    "1.2.3.4:8080",   "1.2.3.04",
      "1234.1.1.1",  "9.9.9.9",         "",          "0.0.0.00",       "100.200.250.255"};
  Status st;
  std::vector<Seen> got = OneSegment(
      tmp / "journal",
      [&](JournalSegmentWriter& w) {
        AccessLogRecord r;
        for (size_t i = 0; i < clients.size(); ++i) {
          r.field[static_cast<size_t>(Field::kClientIp)] = clients[i];
          r.line_no = i + 1;
          r.offset = i * 10;
          w.Add(r);
        }
      },
      &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), clients.size());
  for (size_t i = 0; i < clients.size(); ++i) EXPECT_EQ(got[i].client, clients[i]) << i;
}

// More distinct agents and paths than the dictionary has slots, in a repeating order, and
// agents either side of the longest a slot keeps: sets fill, slots are replaced, and every
// value reads back as written.
TEST(RequestJournal, ValuesPastTheDictionarysSlotsReadBackAsWritten) {
  TempDir tmp;
  std::string dir = tmp / "journal";
  std::vector<std::string> agents, paths;
  for (int i = 0; i < 3000; ++i) agents.push_back("agent/" + std::to_string(i * 7919 % 3001));
  for (size_t n : {207, 208, 209, 400}) agents.push_back(std::string(n, 'a' + n % 26));
  for (int i = 0; i < 2500; ++i) paths.push_back("/p/" + std::to_string(i));
  std::vector<std::pair<std::string, std::string>> want;
  Status st;
  std::vector<Seen> got = OneSegment(
      dir,
      [&](JournalSegmentWriter& w) {
        AccessLogRecord r;
        r.field[static_cast<size_t>(Field::kClientIp)] = "192.0.2.1";
        for (size_t i = 0; i < 60000; ++i) {
          // Mostly the first hundred of each (kept), now and then any of them (replacing).
          const std::string& a = agents[i % 5 ? i % 100 : (i * 31) % agents.size()];
          const std::string& p = paths[i % 3 ? i % 200 : (i * 17) % paths.size()];
          r.field[static_cast<size_t>(Field::kUserAgent)] = a;
          r.field[static_cast<size_t>(Field::kUriStem)] = p;
          r.line_no = i + 1;
          w.Add(r);
          want.emplace_back(a, p);
        }
      },
      &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].ua, want[i].first) << i;
    ASSERT_EQ(got[i].path, want[i].second) << i;
  }
  // The repeated values went by slot: the whole segment (addresses, numbers and codes too) is
  // smaller than the values alone.
  size_t written = 0;
  for (auto& [a, p] : want) written += a.size() + p.size();
  EXPECT_LT(std::filesystem::file_size(dir + "/segment-0.tqj"), written);
}

// Add of a span (the scan's groups) writes the same bytes as Add of each record, whatever the
// groups' sizes, with records of other kinds among the requests.
TEST(RequestJournal, AddingAGroupWritesWhatAddingEachRecordWrites) {
  TempDir tmp;
  std::vector<std::string> text;  // the records' values
  text.reserve(4 * 6000);
  std::vector<AccessLogRecord> recs(6000);
  for (size_t i = 0; i < recs.size(); ++i) {
    AccessLogRecord& r = recs[i];
    text.push_back(i % 9 ? "203.0.113." + std::to_string(i % 250)
                         : "2001:db8::" + std::to_string(i));
    r.field[static_cast<size_t>(Field::kClientIp)] = text.back();
    text.push_back("/shop/item-" + std::to_string(i * 13 % 700));
    r.field[static_cast<size_t>(Field::kUriStem)] = text.back();
    text.push_back("Mozilla/5.0 agent " + std::string(i % 300, 'x') + std::to_string(i % 97));
    r.field[static_cast<size_t>(Field::kUserAgent)] = text.back();
    text.push_back("PHPSESSID=" + std::to_string(i % 40));
    r.field[static_cast<size_t>(Field::kCookie)] = text.back();
    r.present = i % 4 ? 1u << static_cast<unsigned>(Field::kCookie) : 0;
    r.field[static_cast<size_t>(Field::kMethod)] = i % 5 ? "GET" : "POST";
    r.field[static_cast<size_t>(Field::kStatus)] = "200";
    r.kind = i % 11 == 3 ? RecordKind::kAuditEntry : RecordKind::kRequest;
    r.line_no = i + 1;
    r.offset = i * 120;
    r.time = static_cast<UnixMicros>(1700000000000000 + i * 1000000);
    r.has_time = i % 17 != 0;
  }
  auto write = [&](const std::string& path, size_t group) {
    auto w = JournalSegmentWriter::Create(path);
    EXPECT_TRUE(w.ok());
    std::vector<const AccessLogRecord*> ptrs;
    for (size_t i = 0; i < recs.size(); i += group) {
      ptrs.clear();
      for (size_t j = i; j < std::min(recs.size(), i + group); ++j) ptrs.push_back(&recs[j]);
      if (group == 1)
        (*w)->Add(*ptrs[0]);
      else
        (*w)->Add(std::span<const AccessLogRecord* const>(ptrs));
    }
    EXPECT_TRUE((*w)->Finish().ok());
    return ReadFile(path);
  };
  std::string one = write(tmp / "one.tqj", 1);
  EXPECT_GT(one.size(), 1000u);
  for (size_t group : {2, 7, 16, 17, 256, 6000})
    EXPECT_EQ(write(tmp / "group.tqj", group), one) << group;
}

// The logs stage allows 16 MB for what it holds besides its tables during the scan (two
// writers, one a thread) and after it: the writers' bound for the default longest line fits.
TEST(RequestJournal, TwoWritersFitTheStagesAllowance) {
  EXPECT_LE(2 * JournalSegmentWriter::MaxBytes(size_t{1} << 20), size_t{16} << 20);
}

class DamagedJournal : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(tmp_ / "a.log", Lines(20000));
    Result<JournalManifest> m = BuildRequestJournal(dir_, {{1, "aa", tmp_ / "a.log"}}, {}, 1);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    segment_ = dir_ + "/" + m->segments[0].file;
  }
  std::string ReplayError() {
    Status st;
    Replay(dir_, &st);
    return st.ok() ? "" : st.ToString();
  }
  TempDir tmp_;
  std::string dir_ = tmp_ / "journal";
  std::string segment_;
};

TEST_F(DamagedJournal, AFlippedByteIsAnError) {
  std::string bytes = ReadFile(segment_);
  bytes[bytes.size() / 2] ^= 0x5a;
  WriteFile(segment_, bytes);
  EXPECT_NE(ReplayError().find("request journal " + segment_ + " damaged"), std::string::npos)
      << ReplayError();
}

TEST_F(DamagedJournal, ACutSegmentIsAnError) {
  std::string bytes = ReadFile(segment_);
  WriteFile(segment_, bytes.substr(0, bytes.size() - 3));
  EXPECT_NE(ReplayError().find("damaged: block cut short"), std::string::npos) << ReplayError();
  WriteFile(segment_, bytes.substr(0, 5));
  EXPECT_NE(ReplayError().find("damaged: block header cut short"), std::string::npos);
}

TEST_F(DamagedJournal, AMissingSegmentIsAnError) {
  std::filesystem::remove(segment_);
  EXPECT_NE(ReplayError().find("damaged: No such file"), std::string::npos) << ReplayError();
}

TEST_F(DamagedJournal, FewerRecordsThanTheManifestSaysIsAnError) {
  std::string manifest = ReadFile(dir_ + "/MANIFEST");
  size_t at = manifest.find(" 20000 segment-0.tqj");
  ASSERT_NE(at, std::string::npos) << manifest;
  manifest.replace(at, 6, " 20001");
  WriteFile(dir_ + "/MANIFEST", manifest);
  EXPECT_NE(ReplayError().find("20000 records where the manifest says 20001"), std::string::npos)
      << ReplayError();
}

TEST_F(DamagedJournal, ABadManifestIsAnErrorAndNoneIsNotFound) {
  for (std::string bad : {"", "tourniquet-request-journal 2\ninputs x\n",
                          "tourniquet-request-journal 2\ninputs 1\n1 aa 1 1 0 zz\n",
                          "tourniquet-request-journal 2\ninputs 0\nsegments 1\n0 0 0 1 x\nend\n",
                          "tourniquet-request-journal 2\ninputs 1\n1 aa 1 1 0 -\nsegments 1\n"
                          "0 0 0 1 ../../etc/passwd\nend\n",
                          "tourniquet-request-journal 2\ninputs 0\nsegments 0\n",
                          // A journal of the first format (other codes): rebuilt, not read.
                          "tourniquet-request-journal 1\ninputs 0\nsegments 0\nend\n"}) {
    WriteFile(dir_ + "/MANIFEST", bad);
    Result<JournalManifest> m = ReadJournalManifest(dir_);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), ErrorCode::kBadInput);
    EXPECT_NE(m.status().message().find("MANIFEST damaged"), std::string::npos);
  }
  std::filesystem::remove(dir_ + "/MANIFEST");
  EXPECT_EQ(ReadJournalManifest(dir_).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tq::logs
