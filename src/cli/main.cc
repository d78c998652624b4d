// tourniquet: main builds the command line from the subcommand table and runs one command.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"

namespace {
constexpr const char* kVersion = "0.1.0";

// The first word on the command line that is not a global option or its value: what the user
// meant as the command.
std::string CommandWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {  // CLI11 answers these whatever else is there
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help" || a == "--version") return "";
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--case" || a == "--as") {
      ++i;
      continue;
    }
    if (a == "--") return i + 1 < argc ? argv[i + 1] : "";
    if (!a.empty() && a[0] == '-') continue;
    return std::string(a);
  }
  return "";
}
}  // namespace

int main(int argc, char** argv) {
  using namespace tq::cli;
  Globals g;
  for (int i = 0; i < argc; ++i) g.argv.emplace_back(argv[i]);
  CLI::App app{
      "tourniquet: data-breach response for online stores.\n"
      "Shut it down, investigate, keep customers informed, run the task force, publish.",
      "tourniquet"};
  app.fallthrough();  // global options may follow the subcommand
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
  app.add_option("--case", g.case_dir, "Case directory (default: $TOURNIQUET_CASE, else .)");
  app.add_flag("--json", g.json, "Print one JSON document on stdout");
  app.add_option("--as", g.as_user, "Name to record in the audit log (default: the OS user)");
  app.add_flag("-q,--quiet", g.quiet, "No progress bar, no notes on stderr");
  app.footer(
      "Exit codes: 0 ok, nothing found; 1 ok, found something; 2 usage; 3 bad input;\n"
      "4 case error; 5 I/O; 6 network; 7 integrity failure; 70 internal error.\n"
      "Run `tourniquet COMMAND --help` for a command's options.");

  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (const CommandDef& def : Commands()) {
    CLI::App* sub = app.add_subcommand(def.name, def.summary);
    runners.emplace_back(sub, def.setup(*sub, g));
  }
  // A mistyped command: say which one was meant, as git does, instead of CLI11's "arguments
  // were not expected".
  if (std::string word = CommandWord(argc, argv); !word.empty()) {
    std::vector<std::string> names;
    for (const CommandDef& def : Commands()) names.emplace_back(def.name);
    if (std::find(names.begin(), names.end(), word) == names.end()) {
      std::string hint = DidYouMean(word, names);
      PrintError(tq::Status::Usage("unknown command '" + word + "'" +
                                   (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                   " (`tourniquet --help` lists the commands)"));
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    for (auto& [sub, run] : runners) {
      if (sub->parsed()) return run();
    }
  } catch (const std::exception& e) {
    PrintError(tq::Status::Internal(std::string("unexpected: ") + e.what()));
    return kExitInternal;
  }
  return kExitUsage;
}
