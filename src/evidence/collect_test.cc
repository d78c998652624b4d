// Collect through the API: what rows, objects and manifest lines a tree gives, re-runs,
// hard links, the readers other components use, labels, and verify on a clean store.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "core/io.h"
#include "core/sha256.h"
#include "evidence/evidence.h"
#include "evidence/manifest.h"
#include "evidence/store.h"
#include "support/testing.h"

namespace tq::evidence {
namespace {

using ::testing::ElementsAre;
using tq::testing::ReadFile;
using tq::testing::TempDir;
using tq::testing::WriteFile;

class CollectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "test";
    auto c = Case::Create(dir_ / "case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    case_ = std::move(*c);
    src_ = dir_ / "src";
    std::filesystem::create_directories(src_ + "/pub/media");
    WriteFile(src_ + "/index.php", "<?php echo 1;\n");
    WriteFile(src_ + "/pub/media/x.php", "<?php eval($_POST[1]);\n");
    WriteFile(src_ + "/pub/media/copy.php", "<?php echo 1;\n");  // same content as index.php
    WriteFile(src_ + "/" + std::string("odd\nname\xff"), "odd\n");
    ASSERT_EQ(::symlink("../../etc/passwd", (src_ + "/pub/link").c_str()), 0);
    ASSERT_EQ(::link((src_ + "/index.php").c_str(), (src_ + "/hard.php").c_str()), 0);
  }

  std::map<std::string, EvidenceItem> ByPath(std::string_view label = "") {
    std::map<std::string, EvidenceItem> out;
    auto items = ListEvidence(case_->db(), label);
    EXPECT_TRUE(items.ok());
    for (auto& e : *items) out[e.original_path] = e;
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Case> case_;
  std::string src_;
};

TEST_F(CollectTest, RecordsEveryEntryWithRawNamesAndDeduplicates) {
  CollectOptions opt;
  opt.label = "webroot";
  opt.actor = "tester";
  auto sum = Collect(*case_, {src_}, opt);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->files, 5u);
  EXPECT_EQ(sum->dirs, 3u);  // ., pub, pub/media
  EXPECT_EQ(sum->symlinks, 1u);
  EXPECT_EQ(sum->hardlinks, 2u);        // index.php and hard.php share an inode
  EXPECT_EQ(sum->objects_written, 3u);  // index.php, hard.php and copy.php are one object
  EXPECT_TRUE(sum->problems.empty());
  EXPECT_EQ(sum->public_key_hex.size(), 64u);
  EXPECT_EQ(sum->manifest_lines, 11u);  // 9 items, the seal that signs them, the custody record

  auto items = ByPath("webroot");
  ASSERT_EQ(items.size(), 9u);
  const EvidenceItem& x = items.at("pub/media/x.php");
  EXPECT_EQ(x.kind, "file");
  EXPECT_EQ(x.sha256, Sha256Hex("<?php eval($_POST[1]);\n"));
  EXPECT_EQ(x.source, std::filesystem::path(src_).lexically_normal().string());
  struct stat st;
  ASSERT_EQ(::lstat((src_ + "/pub/media/x.php").c_str(), &st), 0);
  EXPECT_EQ(x.mtime_ns, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec);
  EXPECT_EQ(x.mode, st.st_mode);
  EXPECT_EQ(items.at("pub/link").kind, "symlink");
  EXPECT_EQ(items.at("pub/link").symlink_target, "../../etc/passwd");
  EXPECT_EQ(items.at(std::string("odd\nname\xff")).sha256, Sha256Hex("odd\n"));
  EXPECT_EQ(items.at("index.php").sha256, items.at("pub/media/copy.php").sha256);

  // The object is read-only and holds the content.
  std::string path = case_->ObjectPath(x.sha256);
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  auto view = ObjectView::Open(*case_, x.sha256);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->bytes(), "<?php eval($_POST[1]);\n");
  std::string streamed;
  ASSERT_TRUE(ReadObject(*case_, x.sha256, [&](std::string_view chunk) {
                streamed.append(chunk);
                return true;
              }).ok());
  EXPECT_EQ(streamed, "<?php eval($_POST[1]);\n");

  auto files = FilesForLabel(*case_, "webroot");
  ASSERT_TRUE(files.ok());
  std::vector<std::string> names;
  for (auto& f : *files) names.push_back(f.original_path);
  EXPECT_THAT(names, ElementsAre("hard.php", "index.php", std::string("odd\nname\xff"),
                                 "pub/media/copy.php", "pub/media/x.php"));

  // The key is private to the case.
  ASSERT_EQ(::stat((case_->EvidenceDir() + "/keys/manifest.sk").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto report = Verify(*case_, VerifyOptions{.actor = "tester",
                                             .threads = 2,
                                             .expect_public_key = sum->public_key_hex,
                                             .expect_head = sum->manifest_head,
                                             .record_custody = true});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems[0].message;
  EXPECT_EQ(report->items, 9u);
  EXPECT_EQ(report->objects, 3u);
}

TEST_F(CollectTest, ReRunAddsNothingAndChangedFilesKeepTheFirstCopy) {
  CollectOptions opt;
  opt.label = "webroot";
  ASSERT_TRUE(Collect(*case_, {src_}, opt).ok());
  auto again = Collect(*case_, {src_}, opt);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->items_added, 0u);
  EXPECT_EQ(again->already_present, 9u);
  EXPECT_EQ(again->objects_written, 0u);

  WriteFile(src_ + "/pub/media/x.php", "<?php /* cleaned */\n");
  auto changed = Collect(*case_, {src_}, opt);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->items_added, 0u);
  ASSERT_EQ(changed->problems.size(), 1u);
  EXPECT_EQ(changed->problems[0].path, "pub/media/x.php");
  EXPECT_THAT(changed->problems[0].message,
              ::testing::HasSubstr("changed since it was first collected"));
  EXPECT_EQ(ByPath().at("pub/media/x.php").sha256, Sha256Hex("<?php eval($_POST[1]);\n"));

  auto custody = ListCustody(*case_);
  ASSERT_TRUE(custody.ok());
  ASSERT_EQ(custody->size(), 3u);
  EXPECT_EQ((*custody)[0].action, "collect");
  EXPECT_GT((*custody)[0].manifest_line, 0u);
  EXPECT_THAT(CustodyCsv(*custody), ::testing::StartsWith("id,at,actor,host,action,"));
}

TEST_F(CollectTest, FlippedObjectByteIsReportedWithItsLine) {
  CollectOptions opt;
  opt.label = "webroot";
  auto sum = Collect(*case_, {src_}, opt);
  ASSERT_TRUE(sum.ok());
  std::string sha = Sha256Hex("<?php eval($_POST[1]);\n");
  std::string path = case_->ObjectPath(sha);
  ::chmod(path.c_str(), 0644);
  WriteFile(path, "<?php eval($_POST[2]);\n");
  auto report = Verify(*case_, VerifyOptions{});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].kind, TamperKind::kObjectModified);
  EXPECT_THAT(report->problems[0].message, ::testing::HasSubstr("pub/media/x.php"));
  EXPECT_GT(report->problems[0].line, 0u);
}

// The items of a collect batch are signed by one seal line; verify still names each edited
// line (its hash is not the one sealed), and a line whose seal is gone or damaged.
TEST_F(CollectTest, SealedLinesEditedOrUnsealedAreNamed) {
  CollectOptions opt;
  opt.label = "webroot";
  ASSERT_TRUE(Collect(*case_, {src_}, opt).ok());
  std::string path = case_->EvidenceDir() + "/manifest.tqm";
  std::string text = ReadFile(path);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[3].substr(lines[3].size() - 2), "\t-");
  EXPECT_NE(lines[9].find("\tseal\t1\t"), std::string::npos);
  auto verify_with = [&](std::vector<std::string> edited) {
    std::string out;
    for (auto& l : edited) out += l + "\n";
    ::chmod(path.c_str(), 0644);
    WriteFile(path, out);
    VerifyOptions vo;
    vo.record_custody = false;
    auto report = Verify(*case_, vo);
    EXPECT_TRUE(report.ok());
    std::vector<std::pair<uint64_t, TamperKind>> got;
    if (report.ok())
      for (const auto& p : report->problems) got.emplace_back(p.line, p.kind);
    return std::make_pair(got, report.ok() && !report->problems.empty()
                                   ? report->problems[0].message
                                   : std::string());
  };
  // Two item lines edited (a path renamed, a size changed): each named, nothing else.
  std::vector<std::string> two = lines;
  two[3].insert(two[3].rfind('\t'), "x");  // the last field before the signature
  two[6].insert(two[6].rfind('\t'), "y");
  auto [problems, first] = verify_with(two);
  // Each edit also sets the item's row in the case database apart from its line.
  EXPECT_THAT(problems, ElementsAre(std::make_pair(uint64_t{4}, TamperKind::kLineEdited),
                                    std::make_pair(uint64_t{4}, TamperKind::kDatabaseMismatch),
                                    std::make_pair(uint64_t{7}, TamperKind::kLineEdited),
                                    std::make_pair(uint64_t{7}, TamperKind::kDatabaseMismatch)));
  EXPECT_THAT(first, ::testing::HasSubstr("manifest line 4 ("));
  EXPECT_THAT(first, ::testing::HasSubstr("is not the one its seal (line 10) signed"));
  // The seal's own signature broken: it signs nothing, each line it sealed is named.
  std::vector<std::string> bad_seal = lines;
  bad_seal[9].back() = bad_seal[9].back() == '0' ? '1' : '0';
  auto [unsealed, msg] = verify_with(bad_seal);
  size_t edited = 0;
  for (auto& [line, kind] : unsealed) edited += kind == TamperKind::kLineEdited;
  EXPECT_EQ(edited, 10u);  // 9 sealed lines and the seal itself
  EXPECT_THAT(msg, ::testing::HasSubstr("no valid seal signs it"));
  // Put back: clean.
  auto [none, no_msg] = verify_with(lines);
  EXPECT_TRUE(none.empty()) << no_msg;
}

// Files planted in the object store are not evidence: verify names each one, whether its
// name looks like an object (and even hashes right) or not.
TEST_F(CollectTest, FilesPlantedInTheObjectStoreAreReported) {
  CollectOptions opt;
  opt.label = "webroot";
  ASSERT_TRUE(Collect(*case_, {src_}, opt).ok());
  auto clean = Verify(*case_, VerifyOptions{});
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->ok());
  std::string planted = "<?php planted();\n";
  std::string sha = Sha256Hex(planted);
  std::filesystem::create_directories(case_->EvidenceDir() + "/objects/" + sha.substr(0, 2));
  WriteFile(case_->ObjectPath(sha), planted);
  WriteFile(case_->EvidenceDir() + "/objects/readme\x1b.txt", "x");
  auto report = Verify(*case_, VerifyOptions{});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 2u);
  std::string all;
  for (const TamperProblem& p : report->problems) {
    EXPECT_EQ(p.kind, TamperKind::kUnknownObject);
    all += p.message + "\n";
  }
  EXPECT_THAT(all, ::testing::HasSubstr("evidence/objects/" + sha.substr(0, 2) + "/" + sha));
  EXPECT_THAT(all, ::testing::HasSubstr("evidence/objects/readme\\e.txt"));
  EXPECT_EQ(TamperKindName(TamperKind::kUnknownObject), "unknown_object");
}

// A small object is created under its own name: a run killed while writing it leaves a
// short, read-only file there that no row names. The next collect of that content replaces
// it (it is not deduplicated against), and verify is clean.
TEST_F(CollectTest, TornObjectOfAKilledRunIsReplaced) {
  std::string content = "<?php eval($_POST[1]);\n";  // pub/media/x.php
  std::string sha = Sha256Hex(content);
  std::filesystem::create_directories(case_->EvidenceDir() + "/objects/" + sha.substr(0, 2));
  WriteFile(case_->ObjectPath(sha), content.substr(0, 7));
  ASSERT_EQ(::chmod(case_->ObjectPath(sha).c_str(), 0444), 0);
  CollectOptions opt;
  opt.label = "webroot";
  auto sum = Collect(*case_, {src_}, opt);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(ReadFile(case_->ObjectPath(sha)), content);
  auto report = Verify(*case_, VerifyOptions{});
  ASSERT_TRUE(report.ok());
  for (const TamperProblem& p : report->problems) ADD_FAILURE() << p.message;
}

// A collect killed mid-run leaves its batch 'running': the next collect marks it
// interrupted; one whose process still runs (this test's) is left alone.
TEST_F(CollectTest, KilledCollectBatchIsMarkedInterrupted) {
  CollectOptions opt;
  opt.label = "webroot";
  ASSERT_TRUE(Collect(*case_, {src_}, opt).ok());
  pid_t child = ::fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);  // now a pid no process has
  ASSERT_TRUE(
      case_
          ->Transaction([&](Db& db) -> Status {
            TQ_ASSIGN_OR_RETURN(Stmt st,
                                db.Prepare("INSERT INTO evidence_batches(started_at,"
                                           "actor,host,sources,pid) VALUES(1,'a',?,'x',?)"));
            for (int64_t pid : {static_cast<int64_t>(child), static_cast<int64_t>(::getpid())}) {
              st.Bind(1, internal::HostName()).Bind(2, pid);
              TQ_RETURN_IF_ERROR(st.Run());
              TQ_RETURN_IF_ERROR(st.Reset());
            }
            return Status::Ok();
          })
          .ok());
  auto gone = InterruptedCollects(case_->db());
  ASSERT_TRUE(gone.ok());
  ASSERT_EQ(gone->size(), 1u);
  ASSERT_TRUE(Collect(*case_, {src_}, opt).ok());
  auto states = case_->db().Prepare("SELECT pid, state FROM evidence_batches ORDER BY id");
  ASSERT_TRUE(states.ok());
  std::vector<std::string> seen;
  while (*states->Step())
    seen.push_back(std::to_string(states->Int(0) == child) + states->String(1));
  // first collect, the killed one, this process's (still running), the second collect
  EXPECT_EQ(seen, (std::vector<std::string>{"0done", "1interrupted", "0running", "0done"}));
}

TEST_F(CollectTest, UnknownLabelIsAUsageError) {
  CollectOptions opt;
  opt.label = "secrets";
  auto sum = Collect(*case_, {src_}, opt);
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().code(), ErrorCode::kUsage);
}

TEST(GuessLabel, Table) {
  TempDir dir;
  std::filesystem::create_directories(dir / "shop/app/etc");
  WriteFile(dir / "shop/app/etc/env.php", "<?php");
  std::filesystem::create_directories(dir / "wp");
  WriteFile(dir / "wp/wp-config.php", "<?php");
  std::filesystem::create_directories(dir / "var/log/nginx");
  WriteFile(dir / "var/log/nginx/access.log", "x");
  std::filesystem::create_directories(dir / "dumps");
  WriteFile(dir / "dumps/shop.sql.gz", "x");
  std::filesystem::create_directories(dir / "misc");
  WriteFile(dir / "misc/readme.txt", "x");
  struct Case {
    std::string path, label;
  } cases[] = {
      {dir / "shop", "webroot"},
      {dir / "wp", "webroot"},
      {dir / "var/log/nginx", "logs"},
      {dir / "var/log/nginx/access.log", "logs"},
      {"/nonexistent/access.log.2.gz", "logs"},
      {"/nonexistent/error_log", "logs"},
      {"/var/log/nginx/old.gz", "logs"},
      {dir / "dumps", "db"},
      {"/backups/shop.sql", "db"},
      {"/backups/shop.sql.zst", "db"},
      {"/backups/www.tar.gz", "webroot"},
      {dir / "misc", "other"},
      {"/tmp/notes.txt", "other"},
      {"-", "other"},
  };
  for (const Case& c : cases) EXPECT_EQ(GuessLabel(c.path), c.label) << c.path;
}

}  // namespace
}  // namespace tq::evidence

namespace tq::evidence {
namespace {

TEST_F(CollectTest, AddFileEvidenceIsSignedAndIdempotent) {
  std::string dump = dir_ / "dump.sql";
  WriteFile(dump, "INSERT INTO core_config_data VALUES (1,'x');\n");
  auto a = AddFileEvidence(*case_, dump, "mysql://ro@db/shop#2025-10-10T00:00:00Z",
                           "mysql://ro@db/shop", "db", "tester");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->sha256, Sha256Hex("INSERT INTO core_config_data VALUES (1,'x');\n"));
  auto b = AddFileEvidence(*case_, dump, "mysql://ro@db/shop#2025-10-10T00:00:00Z",
                           "mysql://ro@db/shop", "db", "tester");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->id, a->id);
  auto items = ListEvidence(case_->db(), "db");
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 1u);
  auto report = Verify(*case_, VerifyOptions{});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->items, 1u);
}

// The pool, its shares of files and the committer's batches do not change what a tree gives:
// one worker and four record the same items in the same (walk) order, and the same objects.
// The tree is large enough for several shares, wake-ups of the committer and two commits.
TEST_F(CollectTest, OneWorkerAndFourRecordTheSameItemsInTheSameOrder) {
  std::string tree = dir_ / "tree";
  for (int i = 0; i < 1100; ++i) {
    std::string d = tree + "/m" + std::to_string(i % 7) + "/d" + std::to_string(i % 5);
    std::filesystem::create_directories(d);
    // Mostly small, every 211th over the 1 MiB read buffer, some repeated (deduplicated).
    size_t size = i % 211 == 0 ? (1u << 20) + static_cast<size_t>(i) : static_cast<size_t>(i % 300);
    WriteFile(d + "/f" + std::to_string(i) + ".php",
              std::string(size, static_cast<char>('a' + i % 23)));
  }
  auto rows = [](Case& c) {
    std::vector<std::string> out;
    auto items = ListEvidence(c.db(), "webroot");
    EXPECT_TRUE(items.ok());
    for (const EvidenceItem& e : *items)
      out.push_back(e.original_path + "|" + e.kind + "|" + e.sha256 + "|" + std::to_string(e.size) +
                    "|" + std::to_string(e.mode) + "|" + std::to_string(e.mtime_ns) + "|" +
                    std::to_string(e.atime_ns) + "|" + e.skip_reason);
    return out;
  };
  CaseInfo info;
  info.name = "four";
  auto other = Case::Create(dir_ / "case4", info);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  CollectOptions one;
  one.label = "webroot";
  one.threads = 1;
  CollectOptions four = one;
  four.threads = 4;
  auto a = Collect(*case_, {tree}, one);
  auto b = Collect(**other, {tree}, four);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->items_added, 1100u + 1 + 7 + 35);  // files, ., m*, m*/d*
  EXPECT_EQ(b->items_added, a->items_added);
  EXPECT_EQ(b->objects_written, a->objects_written);
  EXPECT_EQ(b->bytes, a->bytes);
  EXPECT_TRUE(a->problems.empty());
  EXPECT_TRUE(b->problems.empty());
  std::vector<std::string> ra = rows(*case_), rb = rows(**other);
  ASSERT_EQ(ra.size(), a->items_added);
  EXPECT_EQ(ra, rb);
  // Walk order: here (no name is another's prefix) the byte order of the paths.
  std::vector<std::string> paths;
  for (const std::string& r : ra) paths.push_back(r.substr(0, r.find('|')));
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  for (Case* c : {case_.get(), other->get()}) {
    auto report = Verify(*c, VerifyOptions{});
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok());
  }
}

// Bytes that do not repeat (xorshift), `size` of them, with a whole 4 MiB zero run at 8 MiB.
std::string BigContent(size_t size) {
  std::string big;
  big.reserve(size);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  while (big.size() < size) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    big.append(reinterpret_cast<const char*>(&x), sizeof x);
  }
  big.resize(size);
  std::memset(big.data() + (8u << 20), 0, 4u << 20);  // a whole zero chunk: a hole
  return big;
}

// A file of 64 MiB and more takes the large-file path: read, hashed and written (around the
// page cache, O_DIRECT) by three threads in turn; its tail is not a whole block.
TEST_F(CollectTest, LargeFileIsCopiedWholeThroughTheDirectPath) {
  std::string big = BigContent((64u << 20) + 12345);
  std::filesystem::create_directories(dir_ / "big");
  WriteFile(dir_ / "big/dump.sql", big);
  CollectOptions opt;
  opt.label = "db";
  auto sum = Collect(*case_, {dir_ / "big/dump.sql"}, opt);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->bytes, big.size());
  auto items = ByPath("db");
  ASSERT_EQ(items.size(), 1u);
  const EvidenceItem& e = items.begin()->second;
  EXPECT_EQ(e.sha256, Sha256Hex(big));
  EXPECT_EQ(ReadFile(case_->ObjectPath(e.sha256)), big);
  auto report = Verify(*case_, VerifyOptions{});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

// The same file dropped from the page cache first: its chunks are read around the cache
// (O_DIRECT), where the file system allows it, and still give exactly its bytes and hash.
TEST_F(CollectTest, LargeFileNotInThePageCacheIsReadAroundIt) {
  std::string big = BigContent((64u << 20) + 4096 * 3 + 17);
  std::string path = dir_ / "cold.sql";
  WriteFile(path, big);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fdatasync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
  CollectOptions opt;
  opt.label = "db";
  auto sum = Collect(*case_, {path}, opt);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_TRUE(sum->problems.empty());
  EXPECT_EQ(sum->bytes, big.size());
  auto items = ByPath("db");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items.begin()->second.sha256, Sha256Hex(big));
  EXPECT_EQ(ReadFile(case_->ObjectPath(Sha256Hex(big))), big);
}

// Fails the `fail_at`th write of a whole read chunk (4 MiB: only the large-file path writes
// those) with ENOSPC; every other write goes through.
class FailNthChunkWrite : public io::Env {
 public:
  explicit FailNthChunkWrite(int fail_at) : fail_at_(fail_at) {}
  int WriteAll(int fd, std::string_view bytes) override {
    if (bytes.size() == (4u << 20) && ++chunk_writes_ == fail_at_) return ENOSPC;
    return io::Env::WriteAll(fd, bytes);
  }

 private:
  int fail_at_;
  int chunk_writes_ = 0;
};

// The store failing in the middle of a large file stops its reader and hasher threads (the
// collect returns instead of hanging), the item is reported and not recorded, and the next
// run stores it whole, with the small files of the first run kept once.
TEST_F(CollectTest, LargeFileStoreFailureIsReportedAndTheRerunStoresIt) {
  std::string big = BigContent((72u << 20) + 100);
  WriteFile(src_ + "/var.sql", big);
  CollectOptions opt;
  opt.label = "webroot";
  FailNthChunkWrite env(5);
  io::SetDefaultForTesting(&env);
  auto first = Collect(*case_, {src_}, opt);
  io::SetDefaultForTesting(nullptr);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->problems.size(), 1u);
  EXPECT_EQ(first->problems[0].path, "var.sql");
  EXPECT_THAT(first->problems[0].message, ::testing::HasSubstr("storing failed"));
  EXPECT_EQ(ByPath().count("var.sql"), 0u);
  EXPECT_EQ(first->items_added, 9u);

  auto second = Collect(*case_, {src_}, opt);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->problems.empty());
  EXPECT_EQ(second->items_added, 1u);
  EXPECT_EQ(second->already_present, 9u);
  EXPECT_EQ(ByPath().at("var.sql").sha256, Sha256Hex(big));
  EXPECT_EQ(ReadFile(case_->ObjectPath(Sha256Hex(big))), big);
  auto report = Verify(*case_, VerifyOptions{});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems[0].message;
}

// objects/ carries ext4's "top of a hierarchy" attribute, so that its objects/xx are spread
// over block groups (see SpreadSubdirectories); on a file system without file attributes
// there is nothing to check.
TEST_F(CollectTest, ObjectsDirectorySpreadsItsSubdirectories) {
  CollectOptions opt;
  opt.label = "webroot";
  ASSERT_TRUE(Collect(*case_, {src_}, opt).ok());
  std::string objects = case_->EvidenceDir() + "/objects";
  int fd = ::open(objects.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  int flags = 0;
  int got = ::ioctl(fd, FS_IOC_GETFLAGS, &flags);
  int err = errno;
  ::close(fd);
  if (got != 0 && (err == ENOTTY || err == EOPNOTSUPP || err == EINVAL))
    GTEST_SKIP() << "no file attributes on this file system";
  ASSERT_EQ(got, 0) << std::strerror(err);
  EXPECT_NE(flags & FS_TOPDIR_FL, 0);
}

// A direct writer handed bytes it cannot write around the cache (a misaligned buffer, then
// a short tail) falls back to buffered writes and still stores exactly those bytes.
TEST_F(CollectTest, DirectWriterFallsBackToBufferedWrites) {
  auto store = internal::ObjectStore::Open(*case_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto w = (*store)->NewWriter(/*direct=*/true);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  constexpr size_t kBlock = internal::kDirectAlign;
  char* raw = static_cast<char*>(std::aligned_alloc(kBlock, 4 * kBlock));
  ASSERT_NE(raw, nullptr);
  for (size_t i = 0; i < 4 * kBlock; ++i) raw[i] = static_cast<char>('a' + i % 26);
  std::string want;
  auto put = [&](std::string_view b) {
    want.append(b);
    ASSERT_TRUE((*w)->Write(b).ok());
  };
  put(std::string_view(raw, 2 * kBlock));  // aligned: direct
  put(std::string_view(raw + 1, kBlock));  // misaligned address: buffered from here
  put(std::string_view(raw, 2 * kBlock));  // aligned again, still buffered
  put(std::string_view(raw + 7, 100));     // a short tail
  std::free(raw);
  auto o = (*w)->Finish();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->sha256, Sha256Hex(want));
  EXPECT_EQ(o->size, want.size());
  EXPECT_EQ(ReadFile(case_->ObjectPath(o->sha256)), want);
}

}  // namespace
}  // namespace tq::evidence
