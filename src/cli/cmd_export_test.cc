// export through the command line, with no server: its help, an unreachable server (exit 6,
// the URL named) and credentials in the URL (exit 2, refused before anything is sent).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Out {
  int code = -1;
  std::string text;
};

Out Tq(const std::string& args) {
  Out o;
  std::string cmd = std::string(TQ_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) o.text.append(buf.data(), n);
  int st = ::pclose(p);
  o.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return o;
}

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
