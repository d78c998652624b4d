// tourniquet serve: the case in a browser for the task force (see src/server/server.h).
#include <signal.h>

#include <thread>

#include "cli/case_access.h"
#include "core/escape.h"
#include "server/server.h"

namespace tq::cli {
namespace {

Runner SetupServe(CLI::App& app, Globals& g) {
  auto o = std::make_shared<server::ServerOptions>();
  app.add_option("--listen", o->listen, "Address to bind (default 127.0.0.1: this machine only)");
  app.add_option("--port", o->port, "TCP port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--cert", o->cert_file, "TLS certificate chain (PEM): serve HTTPS")
      ->check(CLI::ExistingFile);
  app.add_option("--key", o->key_file, "TLS private key (PEM)")->check(CLI::ExistingFile);
  app.add_option("--threads", o->threads, "Worker threads, one per open connection (default 64)")
      ->check(CLI::Range(2, 1024));
  app.add_flag("!--no-cache", o->cache,
               "Compute every view afresh (by default views are cached until the case changes)");
  app.footer(
      "Example: tourniquet --case case serve --port 8443 --cert cert.pem --key key.pem\n"
      "Users: tourniquet user add NAME --role lead|investigator|comms|viewer");
  return [o, &g]() -> int {
    o->case_dir = CaseDir(g);
    Result<std::unique_ptr<server::Server>> s = server::Server::Create(*o);
    if (!s.ok()) return Fail(s.status());
    if (Status b = (*s)->Bind(); !b.ok()) return Fail(b);
    bool tls = !o->cert_file.empty();
    {
      Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
      if (c.ok())
        AuditOutcome(**c, g, "serve", Status::Ok(),
                     "listening on " + o->listen + ":" + std::to_string((*s)->port()));
    }
    // Stop cleanly on SIGINT/SIGTERM: the signals are taken by sigwait in this thread, the
    // server runs in another.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    Status result;
    std::thread runner([&] {
      result = (*s)->Run();
      ::kill(::getpid(), SIGTERM);  // wake sigwait if the server ends by itself
    });
    std::string host = o->listen.find(':') != std::string::npos ? "[" + o->listen + "]" : o->listen;
    PrintOut(std::string("Serving ") + EscapeTerminal(CaseDir(g)) + " on " +
             (tls ? "https://" : "http://") + host + ":" + std::to_string((*s)->port()) +
             "/  (Ctrl-C stops)\n");
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    (*s)->Stop();
    runner.join();
    if (!result.ok()) return Fail(result);
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("serve", "Task force: the case in a browser (JSON API + web UI)", 720, SetupServe);
}  // namespace tq::cli
