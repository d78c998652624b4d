// tourniquet collect-mysql DSN: reads a live MariaDB/MySQL read-only (one consistent-snapshot
// transaction), writes it as a mysqldump-compatible SQL file and keeps that file as "db"
// evidence in the case. The password comes from $TOURNIQUET_MYSQL_PASSWORD or a prompt,
// never from the command line (it would land in shell history, ps and the audit log).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "storedb/storedb.h"

namespace tq::cli {
namespace {

Result<std::string> ReadPassword(const storedb::MysqlTarget& t) {
  if (const char* env = std::getenv("TOURNIQUET_MYSQL_PASSWORD")) return std::string(env);
  if (!::isatty(STDIN_FILENO))
    return Status::Usage("no password: set TOURNIQUET_MYSQL_PASSWORD or run on a terminal");
  std::fprintf(stderr, "Password for %s@%s: ", EscapeTerminal(t.user).c_str(),
               EscapeTerminal(t.host).c_str());
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string pw;
  for (int c; (c = std::fgetc(stdin)) != EOF && c != '\n';) pw += static_cast<char>(c);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::fprintf(stderr, "\n");
  return pw;
}

struct CollectMysqlOptions {
  std::string dsn;
};

Runner SetupCollectMysql(CLI::App& app, Globals& g) {
  auto o = std::make_shared<CollectMysqlOptions>();
  app.add_option("DSN", o->dsn,
                 "'host=...;port=...;user=...;database=...' (optional socket=...); the password "
                 "comes from $TOURNIQUET_MYSQL_PASSWORD or a prompt")
      ->required();
  app.footer(
      "Reads every base table in one read-only, consistent-snapshot transaction (SET SESSION "
      "TRANSACTION READ ONLY; START TRANSACTION WITH CONSISTENT SNAPSHOT), writes a "
      "mysqldump-compatible file and stores it as evidence labelled 'db'.\n"
      "Example: TOURNIQUET_MYSQL_PASSWORD=... tourniquet --case case collect-mysql "
      "'host=127.0.0.1;port=3306;user=forensic;database=magento'");
  return [o, &g]() -> int {
    Result<storedb::MysqlTarget> target = storedb::ParseMysqlDsn(o->dsn);
    if (!target.ok()) return Fail(target.status());
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    Result<CaseLock> lock = LockCase(**c, "collect", "collect --mysql");
    if (!lock.ok()) return Fail(lock.status());
    Result<std::string> pw = ReadPassword(*target);
    if (!pw.ok()) return Fail(pw.status());
    std::string tmp = (*c)->EvidenceDir() + "/mysql-collect." + std::to_string(::getpid()) + ".sql";
    std::error_code ec;
    std::filesystem::create_directories((*c)->EvidenceDir(), ec);
    PrintNote(g, "reading " +
                     EscapeTerminal(target->user + "@" + target->host + ":" +
                                    std::to_string(target->port) + "/" + target->database) +
                     " (read-only snapshot)");
    Result<storedb::MysqlCollectStats> stats = storedb::DumpLiveDatabase(*target, *pw, tmp);
    if (!stats.ok()) {
      std::filesystem::remove(tmp, ec);
      AuditOutcome(**c, g, "collect-mysql", stats.status());
      return Fail(stats.status());
    }
    std::string source = "mysql://" + target->user + "@" + target->host + ":" +
                         std::to_string(target->port) + "/" + target->database;
    std::string original = source + "#" + FormatUtc(NowMicros());
    Result<EvidenceItem> item = storedb::StoreFileAsEvidence(**c, tmp, original, source, Actor(g));
    std::filesystem::remove(tmp, ec);
    std::string detail = item.ok() ? "db evidence " + item->sha256 + ", " +
                                         std::to_string(stats->tables) + " tables, " +
                                         std::to_string(stats->rows) + " rows"
                                   : "";
    AuditOutcome(**c, g, "collect-mysql", item.status(), detail);
    if (!item.ok()) return Fail(item.status());
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("evidence_id", item->id).Field("sha256", item->sha256);
      w.Field("original_path", item->original_path).Field("tables", stats->tables);
      w.Field("rows", stats->rows).Field("bytes", stats->bytes);
      w.Field("server_version", stats->server_version).EndObject();
      PrintOut(w.str() + "\n");
    } else {
      PrintOut("Collected " + std::to_string(stats->tables) + " tables, " +
               std::to_string(stats->rows) + " rows (" + std::to_string(stats->bytes) +
               " bytes) from " + EscapeTerminal(source) + "\nEvidence " + std::to_string(item->id) +
               " sha256 " + item->sha256 + "\nNext: tourniquet investigate\n");
    }
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("collect-mysql",
           "Collect a live MariaDB/MySQL store database read-only as evidence (until collect "
           "--mysql)",
           21, SetupCollectMysql);
}  // namespace tq::cli
