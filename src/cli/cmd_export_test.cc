// export through the command line, with no server: its help, an unreachable server (exit 6,
// the URL named) and credentials in the URL (exit 2, refused before anything is sent).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/cli_test_support.h"

namespace {

namespace fs = std::filesystem;

using tq::cli_test::Out;
using tq::cli_test::Tq;

TEST(CmdExport, HelpUnreachableServerAndCredentialsInTheUrl) {
  Out help = Tq("export --help");
  EXPECT_EQ(help.code, 0) << help.text;
  EXPECT_NE(help.text.find("clickhouse"), std::string::npos) << help.text;
  EXPECT_NE(help.text.find("TOURNIQUET_CLICKHOUSE_PASSWORD"), std::string::npos) << help.text;

  fs::path dir = fs::temp_directory_path() / ("tq-cli-export-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string c = (dir / "case").string();
  ASSERT_EQ(Tq("init " + c + " --name export").code, 0);
  // Port 1: nothing listens there.
  Out dead = Tq("--case " + c + " export clickhouse http://127.0.0.1:1/");
  EXPECT_EQ(dead.code, 6) << dead.text;
  EXPECT_NE(dead.text.find("http://127.0.0.1:1"), std::string::npos) << dead.text;
  Out pw = Tq("--case " + c + " export clickhouse http://tq:secret@127.0.0.1:1/");
  EXPECT_EQ(pw.code, 2) << pw.text;
  EXPECT_NE(pw.text.find("no credentials in the URL"), std::string::npos) << pw.text;
  // Only clickhouse is a target.
  EXPECT_EQ(Tq("--case " + c + " export elastic http://127.0.0.1:1/").code, 2);
  fs::remove_all(dir);
}

}  // namespace
