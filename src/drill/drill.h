// drill: generates a breached online store (web server logs, web root, database dump) and
// its ground truth (truth.json), for practice, demos, end-to-end tests and benchmarks.
// The output is a pure function of DrillOptions: the same options give byte-identical files.
// The truth.json schema is documented in src/drill/TRUTH.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tq::drill {

enum class Platform { kMagento, kWooCommerce };
enum class LogFormat { kNginxCombined, kApacheCombined, kNginxCustom, kJsonLines };

struct DrillOptions {
  std::string out_dir;
  uint64_t seed = 1;
  std::string scenario = "cosmicsting";
  std::string platform;         // "" = the scenario's platform; else must match it
  std::string scale = "small";  // small | medium | large: presets for the three below
  int days = 0;                 // 0 = from the scale; days of logs (>= 5)
  int customers = 0;            // 0 = from the scale
  uint64_t requests = 0;        // 0 = from the scale; approximate access-log lines
  LogFormat log_format = LogFormat::kNginxCombined;
  bool waf_log = false;  // also write a ModSecurity serial audit log with request bodies
  int threads = 2;       // log writer threads
  // Told each step's name before it starts, with the steps done and their number.
  std::function<void(std::string_view step, int done, int total)> progress;
};

struct DrillSummary {
  std::string out_dir;
  std::string scenario;
  std::string platform;
  std::string platform_version;
  int days = 0;
  uint64_t customers = 0;
  uint64_t orders = 0;
  uint64_t log_lines = 0;
  uint64_t log_bytes = 0;  // uncompressed
  uint64_t log_files = 0;
  uint64_t webroot_files = 0;
  uint64_t dump_bytes = 0;
  uint64_t affected = 0;
  uint64_t attacker_ips = 0;
  double seconds = 0;
};

// The scenarios, in the order --help lists them: name and one-line description.
struct ScenarioInfo {
  std::string_view name;
  std::string_view platform;  // "magento" | "woocommerce"
  std::string_view summary;
};
const std::vector<ScenarioInfo>& Scenarios();

Result<Platform> ParsePlatform(std::string_view name);
Result<LogFormat> ParseLogFormat(std::string_view name);
std::string_view LogFormatName(LogFormat f);

// Writes OUT/webroot, OUT/logs, OUT/db/store.sql, OUT/host (the server's /etc, crontabs,
// keys and histories), OUT/known_keys.pub and OUT/truth.json. OUT must not exist or be empty.
Result<DrillSummary> RunDrill(const DrillOptions& options);

}  // namespace tq::drill
