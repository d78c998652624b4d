// A small SMTP server on 127.0.0.1 for the delivery tests (test-only, included by
// send_test.cc): a thread per connection, EHLO/MAIL/RCPT/DATA/RSET/NOOP/QUIT, no TLS and no
// AUTH. Records each message when its end-of-data arrives (before answering, as a real
// server commits first), with the connection it came on. It can hold the end-of-data reply
// of one recipient for a while, to stand for a server that answers too late.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tq::notify {

class TestSmtpSink {
 public:
  struct Message {
    std::string rcpt, data;
    int connection = 0;  // 1-based, in order of accept
    int number = 0;      // 1-based, in order of arrival; in the "250 ... queued as N" reply
  };

  TestSmtpSink() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::listen(listen_fd_, 64) == 0) {
      socklen_t len = sizeof a;
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
      port_ = ntohs(a.sin_port);
    }
    acceptor_ = std::thread([this] { Accept(); });
  }

  ~TestSmtpSink() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The first message to a recipient containing `needle` gets its end-of-data reply only
  // after `seconds`.
  void HoldReply(std::string needle, double seconds) {
    std::lock_guard lock(mu_);
    hold_[std::move(needle)] = seconds;
  }

  std::vector<Message> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  int connections() const { return connections_; }

 private:
  void Accept() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      int n = ++connections_;
      workers_.emplace_back([this, fd, n] {
        Serve(fd, n);
        ::close(fd);
      });
    }
  }

  bool Send(int fd, const std::string& s) {
    return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }

  // One line without its CRLF; false when the peer went or the sink stops.
  bool ReadLine(int fd, std::string& buf, std::string& line) {
    for (;;) {
      size_t nl = buf.find("\r\n");
      if (nl != std::string::npos) {
        line = buf.substr(0, nl);
        buf.erase(0, nl + 2);
        return true;
      }
      if (stop_ || buf.size() > (1 << 20)) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char tmp[4096];
      ssize_t got = ::recv(fd, tmp, sizeof tmp, 0);
      if (got <= 0) return false;
      buf.append(tmp, static_cast<size_t>(got));
    }
  }

  void Sleep(double seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!stop_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  void Serve(int fd, int connection) {
    std::string buf, line, rcpt;
    if (!Send(fd, "220 sink ESMTP\r\n")) return;
    while (ReadLine(fd, buf, line)) {
      std::string verb = line.substr(0, 4);
      for (char& ch : verb) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
      std::string reply = "250 OK\r\n";
      if (verb == "EHLO") {
        reply = "250-sink\r\n250 8BITMIME\r\n";
      } else if (verb == "MAIL" || verb == "RSET") {
        rcpt.clear();
      } else if (verb == "RCPT") {
        size_t lt = line.find('<'), gt = line.find('>');
        if (lt != std::string::npos && gt != std::string::npos && gt > lt)
          rcpt = line.substr(lt + 1, gt - lt - 1);
      } else if (verb == "DATA") {
        if (!Send(fd, "354 end with <CRLF>.<CRLF>\r\n")) return;
        std::string data;
        while (ReadLine(fd, buf, line) && line != ".") data += line + "\n";
        if (line != ".") return;
        double hold = 0;
        int number = 0;
        {
          std::lock_guard lock(mu_);
          number = static_cast<int>(messages_.size()) + 1;
          messages_.push_back({rcpt, data, connection, number});
          for (auto it = hold_.begin(); it != hold_.end(); ++it)
            if (rcpt.find(it->first) != std::string::npos) {
              hold = it->second;
              hold_.erase(it);
              break;
            }
        }
        Sleep(hold);
        reply = "250 2.0.0 Ok: queued as " + std::to_string(number) + "\r\n";
      } else if (verb == "QUIT") {
        Send(fd, "221 bye\r\n");
        return;
      } else if (verb != "NOOP" && verb != "HELO") {
        reply = "500 unknown command\r\n";
      }
      if (!Send(fd, reply)) return;
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;  // touched only by the acceptor, joined after it
  std::mutex mu_;
  std::vector<Message> messages_;
  std::map<std::string, double> hold_;
};

}  // namespace tq::notify
