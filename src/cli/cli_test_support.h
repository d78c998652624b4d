// For the command-line tests (src/cli/*_test.cc): run the built binary (TQ_BINARY) with
// arguments through the shell and take its exit code and its output (stdout and stderr).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace tq::cli_test {

struct Out {
  int code = -1;
  std::string text;
};

inline Out Tq(const std::string& args) {
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

}  // namespace tq::cli_test
