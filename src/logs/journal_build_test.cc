// Building the request journal from collected items (journal_build.cc): one thread or two give
// the same journal, a rebuild replaces the journal that was there, and a gzip item is read
// through its decompression like a plain one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logs/request_journal.h"
#include "support/testing.h"

namespace tq::logs {
namespace {

using tq::testing::TempDir;
using tq::testing::WriteFile;

std::string Combined(int n, int salt) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += "198.51.100." + std::to_string((i + salt) % 9) + " - - [11/Oct/2025:08:0" +
           std::to_string(i % 10) + ":00 +0000] \"GET /item/" + std::to_string(i * salt) +
           " HTTP/1.1\" 200 " + std::to_string(500 + i) + " \"-\" \"agent-" +
           std::to_string(i % 4) + "\"\n";
  return out;
}

// Every request of the journal in DIR as one line of text per request.
std::vector<std::string> Lines(const std::string& dir) {
  std::vector<std::string> out;
  Result<JournalManifest> m = ReadJournalManifest(dir);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return out;
  Status st = ReplayJournal(dir, *m, [&](int64_t id, const JournalRequest& r) {
    out.push_back(std::to_string(id) + " " + std::to_string(r.line) + " " +
                  std::to_string(r.offset) + " " + std::string(r.client) + " " +
                  std::string(r.path) + " " + std::to_string(r.bytes) + " " +
                  std::string(r.user_agent));
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(JournalBuild, OneThreadAndTwoGiveTheSameJournal) {
  TempDir tmp;
  WriteFile(tmp / "a.log", Combined(4000, 3));
  WriteFile(tmp / "b.log.gz", testing::GzipBytes(Combined(500, 5)));
  WriteFile(tmp / "c.log", Combined(7, 7));
  std::vector<JournalSource> in = {
      {1, "aa", tmp / "a.log"}, {2, "bb", tmp / "b.log.gz"}, {3, "cc", tmp / "c.log"}};
  ASSERT_TRUE(BuildRequestJournal(tmp / "one", in, {}, 1).ok());
  ASSERT_TRUE(BuildRequestJournal(tmp / "two", in, {}, 2).ok());
  std::vector<std::string> one = Lines(tmp / "one"), two = Lines(tmp / "two");
  ASSERT_EQ(one.size(), 4507u);
  EXPECT_EQ(one, two);
  // The gzip item is read decompressed: its first request, line 1 at offset 0.
  EXPECT_EQ(one[4000].substr(0, 6), "2 1 0 ");
}

TEST(JournalBuild, ARebuildReplacesTheJournalThatWasThere) {
  TempDir tmp;
  WriteFile(tmp / "a.log", Combined(100, 3));
  ASSERT_TRUE(BuildRequestJournal(tmp / "j", {{1, "aa", tmp / "a.log"}}, {}, 2).ok());
  ASSERT_EQ(Lines(tmp / "j").size(), 100u);
  WriteFile(tmp / "b.log", Combined(30, 11));
  Result<JournalManifest> m = BuildRequestJournal(tmp / "j", {{2, "bb", tmp / "b.log"}}, {}, 2);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->inputs.size(), 1u);
  EXPECT_EQ(m->inputs[0].evidence_id, 2);
  std::vector<std::string> got = Lines(tmp / "j");
  ASSERT_EQ(got.size(), 30u);
  EXPECT_EQ(got[0].substr(0, 2), "2 ");
}

}  // namespace
}  // namespace tq::logs
