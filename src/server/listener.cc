// Accepting and serving connections with deadlines and a bounded queue (see listener.h).
#include "server/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>
#include <vector>

namespace tq::server {
namespace {

using Clock = std::chrono::steady_clock;

int MillisUntil(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return ms <= 0 ? 0 : static_cast<int>(std::min<int64_t>(ms, 60000));
}

// Waits for `events` on fd until `deadline`; false on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int ms = MillisUntil(deadline);
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (n == 0 || (errno != EINTR)) return false;
  }
}

void Address(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (a.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    port = ntohs(in->sin_port);
  } else if (a.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    port = ntohs(in6->sin6_port);
  }
  ip = buf;
}

// One connection as cpp-httplib's Stream, plain or TLS, on a non-blocking socket: every wait
// is bounded by the deadline of the request being read or the response being written.
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(int fd, SSL* ssl, const ListenLimits& l) : fd_(fd), ssl_(ssl), limits_(l) {}

  // A new request: its bytes must all arrive by now + request_seconds.
  void StartRequest() {
    read_deadline_ = Clock::now() + std::chrono::seconds(limits_.request_seconds);
    writing_ = false;
  }
  void SetReadDeadline(Clock::time_point t) { read_deadline_ = t; }

  // Idle keep-alive: true when a request starts within keep_alive_seconds.
  bool WaitRequest() {
    if (ssl_ && SSL_pending(ssl_) > 0) return true;
    return WaitFor(fd_, POLLIN, Clock::now() + std::chrono::seconds(limits_.keep_alive_seconds));
  }

  bool is_readable() const override {
    if (ssl_ && SSL_pending(ssl_) > 0) return true;
    return WaitFor(fd_, POLLIN, read_deadline_);
  }
  bool is_writable() const override { return WaitFor(fd_, POLLOUT, WriteDeadline()); }

  ssize_t read(char* ptr, size_t size) override {
    if (size == 0) return 0;
    for (;;) {
      if (ssl_) {
        int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
        if (n > 0) return n;
        int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_ZERO_RETURN) return 0;
        short ev = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (ev == 0 || !WaitFor(fd_, ev, read_deadline_)) return -1;
        continue;
      }
      ssize_t n = ::recv(fd_, ptr, size, 0);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !WaitFor(fd_, POLLIN, read_deadline_))
        return -1;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!writing_) {
      writing_ = true;
      write_deadline_ = Clock::now() + std::chrono::seconds(limits_.write_seconds);
    }
    size_t done = 0;
    while (done < size) {
      if (ssl_) {
        int n =
            SSL_write(ssl_, ptr + done, static_cast<int>(std::min<size_t>(size - done, 1 << 20)));
        if (n > 0) {
          done += static_cast<size_t>(n);
          continue;
        }
        int err = SSL_get_error(ssl_, n);
        short ev = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (ev == 0 || !WaitFor(fd_, ev, write_deadline_)) return -1;
        continue;
      }
      ssize_t n = ::send(fd_, ptr + done, size - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
          !WaitFor(fd_, POLLOUT, write_deadline_))
        return -1;
    }
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(fd_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(fd_, false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  Clock::time_point WriteDeadline() const {
    return writing_ ? write_deadline_ : Clock::now() + std::chrono::seconds(limits_.write_seconds);
  }
  int fd_;
  SSL* ssl_;
  const ListenLimits& limits_;
  Clock::time_point read_deadline_{}, write_deadline_{};
  bool writing_ = false;
};

template <class Base>
class GuardedServer final : public Base, public Listener {
 public:
  template <class... Args>
  explicit GuardedServer(const ListenLimits& l, Args&&... args)
      : Base(std::forward<Args>(args)...), limits_(l) {}

  httplib::Server& http() override { return *this; }

  Status Bind(const std::string& host, int port) override {
    if (port == 0) {
      port_ = this->bind_to_any_port(host);
    } else {
      port_ = this->bind_to_port(host, port) ? port : -1;
    }
    if (port_ < 0) return Status::Io("cannot listen on " + host + ":" + std::to_string(port));
    return Status::Ok();
  }
  int port() const override { return port_; }

  Status Run() override {
    for (int i = 0; i < std::max(1, limits_.threads); ++i)
      workers_.emplace_back([this] { Work(); });
    auto last_tick = Clock::now();
    while (!stopping_) {
      int lfd = this->svr_sock_;
      if (lfd < 0) break;
      pollfd p{lfd, POLLIN, 0};
      int n = ::poll(&p, 1, 200);
      if (on_tick && Clock::now() - last_tick > std::chrono::seconds(1)) {
        last_tick = Clock::now();
        on_tick();
      }
      if (n <= 0) continue;
      int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::unique_lock lock(mu_);
      if (static_cast<int>(queue_.size()) >= limits_.max_queued) {
        lock.unlock();
        // Every worker is busy and the line is full: say so at once instead of holding
        // the connection (best effort: the socket is non-blocking).
        static const char k503[] =
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n";
        if (!IsTls()) (void)!::send(fd, k503, sizeof k503 - 1, MSG_NOSIGNAL);
        ::close(fd);
        ++refused_;
        continue;
      }
      queue_.push_back(fd);
      lock.unlock();
      cv_.notify_one();
    }
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    for (int fd : queue_) ::close(fd);
    queue_.clear();
    return Status::Ok();
  }

  void Stop() override {
    {
      // Connections waiting for a client wake up now, not at their deadline.
      std::lock_guard lock(mu_);
      stopping_ = true;
      for (int fd : active_) ::shutdown(fd, SHUT_RDWR);
    }
    cv_.notify_all();
    int lfd = this->svr_sock_.exchange(INVALID_SOCKET);
    if (lfd >= 0) {
      ::shutdown(lfd, SHUT_RDWR);
      ::close(lfd);
    }
  }

 private:
  static constexpr bool IsTls() {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    return std::is_same_v<Base, httplib::SSLServer>;
#else
    return false;
#endif
  }

  void Work() {
    for (;;) {
      int fd;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        fd = queue_.front();
        queue_.pop_front();
      }
      {
        std::lock_guard lock(mu_);
        active_.insert(fd);
      }
      Serve(fd);
      {
        std::lock_guard lock(mu_);
        active_.erase(fd);
      }
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
    }
  }

  void Serve(int fd) {
    SSL* ssl = nullptr;
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    if constexpr (IsTls()) {
      ssl = SSL_new(this->ssl_context());
      if (!ssl) return;
      SSL_set_fd(ssl, fd);
      // The handshake has the same deadline as a request.
      auto deadline = Clock::now() + std::chrono::seconds(limits_.request_seconds);
      for (;;) {
        int rc = SSL_accept(ssl);
        if (rc == 1) break;
        int err = SSL_get_error(ssl, rc);
        short ev = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (ev == 0 || stopping_ || !WaitFor(fd, ev, deadline)) {
          SSL_free(ssl);
          return;
        }
      }
    }
#endif
    ConnStream stream(fd, ssl, limits_);
    for (int left = std::max(1, limits_.keep_alive_max); left > 0 && !stopping_; --left) {
      if (!stream.WaitRequest()) break;
      stream.StartRequest();
      bool closed = false;
      bool ok = this->process_request(stream, left == 1 || stopping_, closed,
                                      [ssl](httplib::Request& req) {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
                                        req.ssl = ssl;
#else
                                        (void)req;
                                        (void)ssl;
#endif
                                      });
      if (!ok || closed) break;
    }
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    if (ssl) {
      SSL_shutdown(ssl);  // one non-blocking try: a close_notify if the socket takes it
      SSL_free(ssl);
    }
#endif
  }

  ListenLimits limits_;
  int port_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> queue_;
  std::set<int> active_;  // connections being served
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
  std::atomic<int64_t> refused_{0};
};

}  // namespace

Result<std::unique_ptr<Listener>> MakeListener(const ListenLimits& limits,
                                               const std::string& cert_file,
                                               const std::string& key_file) {
  if (cert_file.empty() && key_file.empty())
    return std::unique_ptr<Listener>(new GuardedServer<httplib::Server>(limits));
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  if (cert_file.empty() || key_file.empty())
    return Status::Usage("TLS needs both --cert and --key");
  auto ssl = std::make_unique<GuardedServer<httplib::SSLServer>>(limits, cert_file.c_str(),
                                                                 key_file.c_str());
  if (!ssl->is_valid())
    return Status::BadInput("cannot load the certificate or key (" + cert_file + ", " + key_file +
                            ")");
  return std::unique_ptr<Listener>(std::move(ssl));
#else
  return Status::Usage("this build has no TLS support (OpenSSL was not found)");
#endif
}

}  // namespace tq::server
