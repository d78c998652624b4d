// `tourniquet serve`: the case in a browser for the task force. An HTTP(S) server
// (cpp-httplib) with a JSON API under /api/ and the web UI (web/, compiled in).
//
// Security: binds 127.0.0.1 unless told otherwise; TLS when given a certificate and key;
// users and roles from the taskforce component (Argon2id passwords); sessions are random
// 256-bit tokens in an HttpOnly, SameSite=Strict cookie (Secure under TLS), kept in memory
// (a restart logs everybody out) and idle-expired after 8 hours; every change (POST) needs
// the session's CSRF token in the X-CSRF-Token header; logins are slowed down (429 with
// Retry-After, the wait doubling from 1 s up to 5 minutes, the password not even checked
// meanwhile) per client address after 10 failures, per account and address after 3, and per
// account from all addresses together after 50 (so that nobody elsewhere can lock an
// account out without being slowed down first); an attempt is counted before its password
// is checked, so parallel guesses cannot slip past the count; password checks run a few at
// a time; every change and every login writes an audit row, except that failed and refused
// logins from one address are written as one row per minute with their count; a strict
// Content-Security-Policy (no inline script, no third party) on every response.
//
// Tables read (other components write them; a missing table reads as an empty list, and
// their rows are returned column by column, so added columns show up without a change here):
//   core:      case_info, findings, evidence_items, attackers, attacker_addresses, tasks,
//              audit_log
//   taskforce: taskforce_task_comment, taskforce_task_finding, taskforce_postmortem,
//              taskforce_action_item, server_user
//   scope:     scope_person (all columns; the per-jurisdiction counts use the column
//              `jurisdiction` if present, else `country` plus `region` when present)
//   notify:    notify_obligation (deadlines: the first of the columns deadline_at, due_at,
//              deadline holding Unix microseconds; a title from jurisdiction, authority, kind,
//              name), notify_outbox (the letters; `state`)
//   report:    report_document (all columns)
//   analysis:  timeline_event or analysis_timeline (all columns; `at` or `time` or
//              `event_time` in Unix microseconds orders and filters it; `evidence_id` links
//              to the evidence). Without either table the timeline is built from the
//              findings that carry an event_time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "taskforce/taskforce.h"

namespace tq::server {

struct ServerOptions {
  std::string case_dir;
  std::string listen = "127.0.0.1";
  int port = 8080;                  // 0: any free port
  std::string cert_file, key_file;  // both set: HTTPS
  // One thread serves one keep-alive connection at a time: more clients than threads wait,
  // at most `max_queued` of them (more get 503 at once).
  int threads = 64;
  int max_queued = 256;
  // A request (line, headers, body) must arrive within this many seconds, or the connection
  // is closed: a client trickling its headers cannot hold a thread.
  int request_seconds = 10;
  // Password checks (Argon2id, 64 MiB each) running at once; more wait, a few at most.
  int password_checks = 2;
  bool cache = true;  // cache views until the case changes (off: for measuring)
};

// One API route, for documentation and for the tests that walk them all.
struct ApiRouteInfo {
  const char* method;        // GET | POST
  const char* path;          // "/api/tasks/{id}"
  const char* example_path;  // "/api/tasks/1"
  taskforce::Permission permission;
  bool personal_data;  // returns data about customers (403 for viewer/investigator)
};
const std::vector<ApiRouteInfo>& ApiRoutes();

class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options);
  virtual ~Server() = default;
  // Binds (the port is known after this); then Run() serves until Stop().
  virtual Status Bind() = 0;
  virtual int port() const = 0;
  virtual Status Run() = 0;
  virtual void Stop() = 0;
};

}  // namespace tq::server
