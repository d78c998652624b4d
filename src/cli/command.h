// The subcommand table. Each src/cli/cmd_<name>.cc registers itself with TQ_COMMAND; main()
// builds the CLI11 app from the table, in `order`. Only cli prints or exits.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"
#include "core/result.h"

namespace tq::cli {

// Exit codes shared by every command (documented in README.md, "Exit codes").
enum ExitCode : int {
  kExitOk = 0,         // ran fine, nothing to flag
  kExitFound = 1,      // ran fine and found something (findings, tampering, overdue duties)
  kExitUsage = 2,      // bad command line
  kExitBadInput = 3,   // evidence, rules or data could not be read (or some items failed)
  kExitCaseError = 4,  // not a case, newer schema, corrupt or locked case file
  kExitIo = 5,         // the OS refused: permissions, disk full, missing file
  kExitNetwork = 6,    // a server (SMTP, MariaDB) refused or did not answer
  kExitIntegrity = 7,  // verify: an object, manifest line or signature does not match
  kExitInternal = 70,  // a bug
};
int ExitCodeFor(const Status& status);

// Options every command has (set before the subcommand or after it).
struct Globals {
  std::string case_dir;           // --case, or $TOURNIQUET_CASE, or "."
  bool json = false;              // --json: one JSON document on stdout
  std::string as_user;            // --as NAME for the audit log; default the OS user
  bool quiet = false;             // --quiet: no progress, no notes on stderr
  std::vector<std::string> argv;  // the whole command line, for the audit log
};

using Runner = std::function<int()>;

struct CommandDef {
  const char* name;
  const char* summary;
  int order;  // position in --help: by response phase
  // Adds the subcommand's options to `app` and returns what runs it.
  Runner (*setup)(CLI::App& app, Globals& globals);
};

struct CommandRegistrar {
  explicit CommandRegistrar(CommandDef def);
};
const std::vector<CommandDef>& Commands();

#define TQ_CLI_CONCAT2(a, b) a##b
#define TQ_CLI_CONCAT(a, b) TQ_CLI_CONCAT2(a, b)
#define TQ_COMMAND(name, summary, order, setup) \
  static ::tq::cli::CommandRegistrar TQ_CLI_CONCAT(tq_cmd_, __LINE__)({name, summary, order, setup})

// Printing, the only place it happens. Attacker bytes go through core/escape.h first.
void PrintError(const Status& status);                    // "tourniquet: error: ..." on stderr
void PrintNote(const Globals& g, std::string_view text);  // stderr, unless --quiet or --json
void PrintOut(std::string_view text);                     // stdout as is (already escaped)
// Reports an error and returns its exit code: `return Fail(status);`.
int Fail(const Status& status);

// The name closest to a mistyped `word` (edit distance, transpositions counting one), or ""
// when none is close enough to be what was meant.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& names);

// Where progress (core/progress.h) draws: stderr when it is a terminal and neither --quiet
// nor --json was given, else -1 (silent: a pipe or a log file gets no progress bytes).
int ProgressFd(const Globals& g);

}  // namespace tq::cli
