// investigate --clickhouse through the command line, with no server: an unreachable server
// (exit 6, the URL named), a broken --columns file (exit 3, file:line named) and --clickhouse
// without --source (exit 2).
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

TEST(InvestigateCluster, UnreachableServerBadColumnMapAndMissingSource) {
  fs::path dir = fs::temp_directory_path() / ("tq-cli-cluster-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string c = (dir / "case").string();
  ASSERT_EQ(Tq("init " + c + " --name cluster").code, 0);
  std::string base = "--case " + c + " investigate --only logs --clickhouse http://127.0.0.1:1/";
  Out dead = Tq(base + " --source t");
  EXPECT_EQ(dead.code, 6) << dead.text;
  EXPECT_NE(dead.text.find("http://127.0.0.1:1"), std::string::npos) << dead.text;
  // The column map is read before the server is asked anything: its error names file:line.
  std::string map = (dir / "map.toml").string();
  std::ofstream(map) << "[columns]\nclient = \"ClientIP\"\nclent = \"x\"\n";
  Out bad = Tq(base + " --source t --columns " + map);
  EXPECT_EQ(bad.code, 3) << bad.text;
  EXPECT_NE(bad.text.find(map + ":3:"), std::string::npos) << bad.text;
  Out nosrc = Tq(base);
  EXPECT_EQ(nosrc.code, 2) << nosrc.text;
  EXPECT_NE(nosrc.text.find("--source"), std::string::npos) << nosrc.text;
  fs::remove_all(dir);
}

}  // namespace
