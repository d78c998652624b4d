// `tourniquet investigate` runs stages contributed by components, in order: logs (100),
// webroot (200), storedb (300), analysis (400). Each stage lives in its own
// src/cli/investigate_<name>.cc, adds its options to the investigate command and returns the
// function that runs it. Stages share one open case; each stage commits its own
// transaction(s), so a killed run keeps the stages that finished and re-runs refresh them.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "casefile/casefile.h"
#include "cli/command.h"
#include "logs/logs.h"

namespace tq::cli {

struct InvestigateContext {
  Globals& globals;
  Case& the_case;
  // Filled by each stage for the summary: one object per stage (valid JSON text) and
  // lines for the terminal.
  std::vector<std::pair<std::string, std::string>> json_sections;  // name -> JSON object
  std::vector<std::string> text_lines;
  // Stages add the number of findings they recorded (exit code 1 when > 0).
  int64_t findings = 0;
  // Per-item problems (an unreadable file, a skipped rule): reported, run continues, exit 3.
  std::vector<Status> item_errors;
  // How the logs stage reads logs, as the logs component takes them (its --log-format,
  // --json-field, --trusted-proxy and --time-format, with the case's time zone), or why its
  // options do not hold: converted once, by the logs stage's StagePlan::prepare, for every
  // stage of the run (read through LogReading).
  std::optional<Result<logs::StreamOptions>> log_stream{};
  // Set by the command while a stage runs when the stage after it has `beside` work: the
  // running stage calls FindingsCommitted() once every finding it makes is committed and only
  // its other results are left to write (the store database stage, before its customer and
  // order tables). Calling it more than once, or when nothing waits, does nothing.
  std::function<void()> findings_committed{};
  void FindingsCommitted() {
    if (findings_committed) std::exchange(findings_committed, nullptr)();
  }
};

// Where the logs stage keeps the request journal the analysis replays
// (logs/request_journal.h): derived from the evidence, rebuilt when missing.
inline std::string RequestJournalDir(const Case& c) { return c.dir() + "/cache/requests"; }

// ctx.log_stream: the logs stage's typed options, also when --only skips that stage. Fails for
// options that do not hold (a --json-field without '=', a bad --trusted-proxy).
Result<logs::StreamOptions> LogReading(const InvestigateContext& ctx);

using StageRunner = std::function<Status(InvestigateContext&)>;

// What a stage's setup gives the investigate command:
// - `run`, called in the stage's turn;
// - `prepare` (optional), called for every stage of the command, planned or not, before any
//   runs: it puts the stage's options, converted to typed values, in the context for the
//   stages that read them (the logs stage's log reading, for analysis). It fails only for
//   the case itself; options that do not hold are kept as the error the reader gets;
// - `early` (optional), for work that needs no earlier stage's results: called for every
//   planned stage but the first, before the first one runs. It starts that work on a thread
//   of its own and returns at once; `run` waits for it. The web root's file scan so runs on
//   the core the logs stage leaves idle. `early` may read the case database (the command's
//   thread); the work it starts must not.
// - `beside` (optional), for work that needs every earlier stage's findings but none of their
//   other results: called on the command's thread, as soon as the stage before it has
//   committed its findings (it calls ctx.FindingsCommitted()) or else when that stage ends,
//   whichever comes first. It starts that work on a thread of its own and returns at once;
//   the work runs beside the rest of the stage before, and `run` waits for it. The work reads
//   the case through a connection of its own, never ctx.the_case's, and writes nothing; `run`
//   writes its results. Not called for the first stage of a run. The analysis so replays the
//   requests while the store database stage writes its tables.
struct StagePlan {
  StageRunner run;
  StageRunner early = nullptr;
  StageRunner prepare = nullptr;
  StageRunner beside = nullptr;
  StagePlan(StageRunner r) : run(std::move(r)) {}  // NOLINT: a plain runner is a plan
  StagePlan(StageRunner r, StageRunner e, StageRunner p = nullptr)
      : run(std::move(r)), early(std::move(e)), prepare(std::move(p)) {}
};

struct InvestigateStage {
  const char* name;
  int order;
  StagePlan (*setup)(CLI::App& investigate_app, Globals& globals);
};

struct InvestigateStageRegistrar {
  InvestigateStageRegistrar(const char* name, int order,
                            StagePlan (*setup)(CLI::App& investigate_app, Globals& globals));
};
const std::vector<InvestigateStage>& InvestigateStages();

#define TQ_INVESTIGATE_STAGE(name, order, setup) \
  static ::tq::cli::InvestigateStageRegistrar TQ_CLI_CONCAT(tq_stage_, __LINE__)(name, order, setup)

}  // namespace tq::cli
