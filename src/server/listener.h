// The connection side of `serve`: accepting, TLS, keep-alive and deadlines, in place of
// cpp-httplib's own loop (Debian's 0.11 has a read timeout per recv() only, so a client
// trickling one header byte every few seconds holds a worker thread for ever, and its task
// queue has no bound). cpp-httplib still parses requests and runs the routes: each request
// goes through its process_request() on a Stream of ours.
//
// Per connection: a request (line, headers, body) must arrive within `request_seconds` of
// its first byte being awaited, a response must be written within `write_seconds`, an idle
// keep-alive connection closes after `keep_alive_seconds`; past a deadline the connection is
// closed. Workers are a fixed pool; at most `max_queued` accepted connections wait for one,
// more are answered 503 at once and closed. Internal to the server component.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace tq::server {

struct ListenLimits {
  int threads = 64;
  int max_queued = 256;
  int request_seconds = 10;
  int write_seconds = 30;
  int keep_alive_seconds = 5;
  int keep_alive_max = 100;  // requests per connection
};

class Listener {
 public:
  virtual ~Listener() = default;
  // Routes and handlers are registered here.
  virtual httplib::Server& http() = 0;
  virtual Status Bind(const std::string& host, int port) = 0;  // port 0: any free port
  virtual int port() const = 0;
  virtual Status Run() = 0;  // until Stop()
  virtual void Stop() = 0;
  // Called every second or so from the accepting thread (housekeeping).
  std::function<void()> on_tick;
};

// Plain HTTP when cert_file and key_file are empty, else HTTPS.
Result<std::unique_ptr<Listener>> MakeListener(const ListenLimits& limits,
                                               const std::string& cert_file,
                                               const std::string& key_file);

}  // namespace tq::server
