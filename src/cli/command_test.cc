// The command line's shared behaviour, on the real binary: a mistyped command gets a
// suggestion, and exit codes follow README's table where the case lacks what a command names
// (a task, an attacker) or has not been investigated yet.
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

class CommandLine : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tq-cmdline-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Out init = Tq("init " + (dir_ / "case").string() + " --name t");
    ASSERT_EQ(init.code, 0) << init.text;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Case() const { return "--case " + (dir_ / "case").string() + " "; }
  fs::path dir_;
};

TEST_F(CommandLine, MistypedCommandGetsASuggestion) {
  struct {
    const char* args;
    const char* said;
  } cases[] = {
      {"investigat", "unknown command 'investigat'; did you mean 'investigate'?"},
      {"invetsigate", "did you mean 'investigate'?"},  // a transposition
      {"reprot --draft", "did you mean 'report'?"},
      {"--quiet timelime", "did you mean 'timeline'?"},
      {"--case x notfiy plan", "did you mean 'notify'?"},
      {"inv", "did you mean 'investigate'?"},  // a prefix
      {"xyzzy", "unknown command 'xyzzy' (`tourniquet --help` lists the commands)"},
  };
  for (const auto& c : cases) {
    Out o = Tq(c.args);
    EXPECT_EQ(o.code, 2) << c.args << ": " << o.text;
    EXPECT_NE(o.text.find(c.said), std::string::npos) << c.args << ": " << o.text;
  }
  // --help wins whatever precedes it, as CLI11 has it.
  Out help = Tq("xyzzy --help");
  EXPECT_EQ(help.code, 0) << help.text;
  // A real command is not second-guessed.
  Out ok = Tq("drill --help");
  EXPECT_EQ(ok.code, 0) << ok.text;
  EXPECT_EQ(ok.text.find("did you mean"), std::string::npos);
}

TEST_F(CommandLine, NamedThingsTheCaseLacksAreUsageErrors) {
  Out task = Tq(Case() + "task done 999");
  EXPECT_EQ(task.code, 2) << task.text;
  EXPECT_NE(task.text.find("no task #999"), std::string::npos) << task.text;
  Out attacker = Tq(Case() + "timeline --attacker attacker-42");
  EXPECT_EQ(attacker.code, 2) << attacker.text;
  EXPECT_NE(attacker.text.find("--attacker attacker-42: no such attacker in the case"),
            std::string::npos)
      << attacker.text;
}

TEST_F(CommandLine, NotInvestigatedYetIsACaseError) {
  Out timeline = Tq(Case() + "timeline");
  EXPECT_EQ(timeline.code, 4) << timeline.text;
  EXPECT_NE(timeline.text.find("no timeline yet"), std::string::npos) << timeline.text;
}

}  // namespace
