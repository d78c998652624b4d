// RunDrill: options and scale presets, the store's dates per scenario, and the order the
// writers run in (dump before web root, because the attacker's copy of the database lies in
// the web root; logs last, because the download's size is the copy's size).
#include "drill/drill.h"

#include <dirent.h>
#include <sys/stat.h>

#include <chrono>

#include "drill/schedule.h"

namespace tq::drill {

Result<Platform> ParsePlatform(std::string_view name) {
  if (name == "magento") return Platform::kMagento;
  if (name == "woocommerce") return Platform::kWooCommerce;
  return Status::Usage("unknown platform '" + std::string(name) + "' (magento, woocommerce)");
}

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "nginx-combined") return LogFormat::kNginxCombined;
  if (name == "apache-combined") return LogFormat::kApacheCombined;
  if (name == "nginx-custom") return LogFormat::kNginxCustom;
  if (name == "jsonl") return LogFormat::kJsonLines;
  return Status::Usage("unknown log format '" + std::string(name) +
                       "' (nginx-combined, apache-combined, nginx-custom, jsonl)");
}

std::string_view LogFormatName(LogFormat f) {
  switch (f) {
    case LogFormat::kNginxCombined: return "nginx-combined";
    case LogFormat::kApacheCombined: return "apache-combined";
    case LogFormat::kNginxCustom: return "nginx-custom";
    case LogFormat::kJsonLines: return "jsonl";
  }
  return "";
}

namespace {

Status CheckOutDir(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return MakeDirs(dir);
  if (!S_ISDIR(st.st_mode)) return Status::Usage(dir + ": exists and is not a directory");
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Status::FromErrno(dir, errno);
  bool empty = true;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") empty = false;
  }
  ::closedir(d);
  if (!empty) return Status::Usage(dir + ": not empty (drill writes into a new directory)");
  return Status::Ok();
}

}  // namespace

Result<DrillSummary> RunDrill(const DrillOptions& in) {
  auto started = std::chrono::steady_clock::now();
  DrillOptions o = in;
  if (o.scenario == "magento-legacy") o.scenario = "trojanorder";  // accepted alias
  const ScenarioInfo* sc = nullptr;
  for (const auto& s : Scenarios()) {
    if (s.name == o.scenario) sc = &s;
  }
  if (!sc) {
    std::string names;
    for (const auto& s : Scenarios()) names += (names.empty() ? "" : ", ") + std::string(s.name);
    return Status::Usage("unknown scenario '" + o.scenario + "' (" + names + ")");
  }
  if (o.platform.empty()) o.platform = std::string(sc->platform);
  TQ_ASSIGN_OR_RETURN(Platform platform, ParsePlatform(o.platform));
  if (o.platform != sc->platform) {
    return Status::Usage("scenario " + o.scenario + " happens on " + std::string(sc->platform) +
                         ", not " + o.platform);
  }
  int days = 10, customers = 1500;
  uint64_t requests = 100000;
  if (o.scale == "medium") {
    days = 14;
    customers = 5000;
    requests = 1500000;  // about 0.45 GB of nginx combined
  } else if (o.scale == "large") {
    days = 14;
    customers = 20000;
    requests = 7000000;  // about 2 GB of nginx combined (~290 bytes a line)
  } else if (o.scale != "small") {
    return Status::Usage("unknown scale '" + o.scale + "' (small, medium, large)");
  }
  if (o.days) days = o.days;
  if (o.customers) customers = o.customers;
  if (o.requests) requests = o.requests;
  if (days < 5 || days > 400) return Status::Usage("--days must be between 5 and 400");
  if (customers < 100 || customers > 5000000) {
    return Status::Usage("--customers must be between 100 and 5000000");
  }
  if (requests < 1000) return Status::Usage("--requests must be at least 1000");
  o.days = days;
  o.customers = customers;
  o.requests = requests;
  TQ_RETURN_IF_ERROR(CheckOutDir(o.out_dir));

  int steps_done = 0;
  auto step = [&](std::string_view name) {
    if (o.progress) o.progress(name, steps_done++, 7);
  };
  Store store;
  StoreSpec& sp = store.spec;
  sp.platform = platform;
  sp.days = days;
  sp.customers = customers;
  sp.requests = requests;
  // Dates: when these breaches really happened, so versions and CVEs line up.
  int64_t end_local_day;  // days since epoch of the discovery day
  int64_t end_local_secs;
  if (o.scenario == "cosmicsting") {
    sp.version = "2.4.6-p5";
    sp.host = "www.nordlicht-moden.test";
    sp.timezone = "Europe/Berlin";
    end_local_day = DaysFromCivil(2024, 7, 19);
    end_local_secs = 14 * 3600 + 20 * 60;
    sp.db_name = "magento";
  } else if (o.scenario == "trojanorder") {
    sp.version = "2.4.3-p1";
    sp.host = "www.harbour-and-thread.test";
    sp.timezone = "Europe/London";
    end_local_day = DaysFromCivil(2022, 10, 14);
    end_local_secs = 11 * 3600 + 5 * 60;
    sp.db_name = "magento2";
  } else {
    sp.version = "8.9.1";
    sp.wp_version = "6.5.3";
    sp.host = "www.maple-and-pine-goods.test";
    sp.timezone = "America/New_York";
    end_local_day = DaysFromCivil(2025, 3, 14);
    end_local_secs = 16 * 3600 + 40 * 60;
    sp.db_name = "wordpress";
  }
  TQ_ASSIGN_OR_RETURN(TimeZone tz, TimeZone::Named(sp.timezone));
  store.tz = &tz;
  sp.log_end = tz.LocalToUtc((end_local_day * 86400 + end_local_secs) * kSec);
  sp.log_start = tz.LocalToUtc((end_local_day - (days - 1)) * 86400 * kSec);
  sp.installed = sp.log_start - 700 * kDay;
  Rng secrets(o.seed, 9);
  sp.db_user = platform == Platform::kMagento ? "magento" : "wp_shop";
  sp.db_password = secrets.Alnum(20);
  step("building the store");
  BuildStore(o.seed, &store);

  Breach breach;
  TQ_RETURN_IF_ERROR(BuildBreach(o, o.seed, &store, &breach));
  DrillSummary sum;
  step("writing the database dump");
  TQ_RETURN_IF_ERROR(WriteDump(o.out_dir, o.seed, store, &breach, &sum.dump_bytes));
  if (breach.leak_request >= 0) {
    Request& dl = breach.requests[breach.leak_request];
    dl.bytes = breach.leak_gz.size();
    breach.truth.exfil.push_back({dl.ip, dl.uri, dl.bytes, dl.evidence});
  }
  step("writing the platform logs");
  TQ_RETURN_IF_ERROR(WritePlatformLogs(o.out_dir, store, &breach));
  step("writing the web root");
  TQ_RETURN_IF_ERROR(WriteWebroot(o.out_dir, o.seed, store, &breach, &sum.webroot_files));
  step("writing the access logs");
  LogStats ls;
  TQ_RETURN_IF_ERROR(
      WriteAccessLogs(o.out_dir, o.seed, store, o.log_format, o.threads, &breach, &ls));
  if (o.waf_log) TQ_RETURN_IF_ERROR(WriteWafLog(o.out_dir, store, breach));
  step("writing the host files");
  TQ_RETURN_IF_ERROR(WriteHost(o.out_dir, o.seed, store, &breach));
  for (size_t i = 0; i < breach.evidence.size(); ++i) {
    if (breach.evidence[i].line == 0) {
      return Status::Internal("evidence slot " + std::to_string(i) + " was never written");
    }
  }
  step("writing the truth");
  TQ_RETURN_IF_ERROR(WriteTruth(o.out_dir, o, store, breach));
  TQ_RETURN_IF_ERROR(SetMtime(o.out_dir + "/webroot", sp.log_end));
  TQ_RETURN_IF_ERROR(SetMtime(o.out_dir + "/logs", sp.log_end));
  TQ_RETURN_IF_ERROR(SetMtime(o.out_dir + "/host", sp.log_end));
  TQ_RETURN_IF_ERROR(SetMtime(o.out_dir + "/db", sp.log_end + 25LL * 60 * kSec));
  TQ_RETURN_IF_ERROR(SetMtime(o.out_dir, sp.log_end + 30LL * 60 * kSec));

  sum.out_dir = o.out_dir;
  sum.scenario = o.scenario;
  sum.platform = o.platform;
  sum.platform_version = sp.version;
  sum.days = days;
  sum.customers = store.customers.size();
  sum.orders = store.orders.size() + breach.extra_orders.size();
  sum.log_lines = ls.lines;
  sum.log_bytes = ls.bytes;
  sum.log_files = ls.files;
  sum.affected = breach.truth.affected.size();
  sum.attacker_ips = breach.truth.attackers.size();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return sum;
}

}  // namespace tq::drill
