// tourniquet user add NAME --role ROLE | user list | user roles: the people who may log in
// to `tourniquet serve`. The password comes from $TOURNIQUET_PASSWORD or a prompt, never
// from the command line (argv is visible to every local user and lands in the audit log).
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "taskforce/taskforce.h"

namespace tq::cli {
namespace {

Result<std::string> ReadPassword() {
  if (const char* env = std::getenv("TOURNIQUET_PASSWORD"); env && *env) return std::string(env);
  if (!::isatty(STDIN_FILENO))
    return Status::Usage("no password: set TOURNIQUET_PASSWORD or run on a terminal");
  auto prompt = [](const char* text) -> std::string {
    std::cerr << text << std::flush;
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string line;
    std::getline(std::cin, line);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
    return line;
  };
  std::string first = prompt("Password: ");
  std::string second = prompt("Again: ");
  if (first != second) return Status::Usage("the passwords differ");
  return first;
}

Runner SetupUser(CLI::App& app, Globals& g) {
  auto name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>();
  app.require_subcommand(1);
  CLI::App* add = app.add_subcommand("add", "Add a user (or change role and password)");
  add->add_option("NAME", *name, "Login name")->required();
  add->add_option("--role", *role, "lead | investigator | comms | viewer")
      ->required()
      ->check(CLI::IsMember({"lead", "investigator", "comms", "viewer"}));
  CLI::App* list = app.add_subcommand("list", "List users and their roles");
  CLI::App* roles = app.add_subcommand("roles", "What each role may see and do");
  app.footer("Example: TOURNIQUET_PASSWORD=... tourniquet user add alice --role investigator");
  return [&g, name, role, add, list, roles]() -> int {
    if (*roles) {
      std::string out;
      JsonWriter w(true);
      w.BeginArray();
      for (const taskforce::RoleRow& r : taskforce::RoleTable()) {
        w.BeginObject().Field("role", taskforce::RoleName(r.role)).Key("permissions");
        w.BeginArray();
        out += std::string(taskforce::RoleName(r.role)) + ": " + r.summary + "\n   ";
        for (size_t i = 0; i < r.permissions.size(); ++i) {
          w.String(taskforce::PermissionName(r.permissions[i]));
          out += (i ? ", " : "") + std::string(taskforce::PermissionName(r.permissions[i]));
        }
        w.EndArray().Field("summary", r.summary).EndObject();
        out += "\n";
      }
      w.EndArray();
      PrintOut(g.json ? w.str() + "\n" : out);
      return kExitOk;
    }
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    if (!c.ok()) return Fail(c.status());
    if (Status s = taskforce::EnsureSchema(**c); !s.ok()) return Fail(s);
    if (*list) {
      auto users = taskforce::ListUsers((*c)->db());
      if (!users.ok()) return Fail(users.status());
      JsonWriter w(true);
      w.BeginArray();
      std::string out;
      for (const auto& u : *users) {
        w.BeginObject().Field("name", u.name).Field("role", taskforce::RoleName(u.role));
        w.Field("disabled", u.disabled).EndObject();
        out += u.name + "  " + std::string(taskforce::RoleName(u.role)) + "\n";
      }
      w.EndArray();
      if (users->empty()) out = "No users yet: tourniquet user add NAME --role lead\n";
      PrintOut(g.json ? w.str() + "\n" : out);
      return kExitOk;
    }
    (void)add;
    Status s = taskforce::ValidateUserName(*name);
    Result<std::string> password = s.ok() ? ReadPassword() : Result<std::string>(s);
    if (!password.ok()) {
      AuditOutcome(**c, g, "user add", password.status(), *name);
      return Fail(password.status());
    }
    s = (*c)->Transaction([&](Db& db) {
      return taskforce::AddUser(db, *name, *taskforce::RoleFromName(*role), *password).status();
    });
    AuditOutcome(**c, g, "user add", s, *name + " role " + *role);
    if (!s.ok()) return Fail(s);
    PrintOut(g.json ? "{\"user\":\"" + EscapeJson(*name) + "\",\"role\":\"" + *role + "\"}\n"
                    : "User " + *name + " (" + *role + ") saved\n");
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("user", "Task force: users of `serve` and their roles (Argon2id passwords)", 710,
           SetupUser);
}  // namespace tq::cli
