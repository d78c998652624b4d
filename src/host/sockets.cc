// Saved socket listings (`ss -tanp`, `ss -tunap`, `netstat -tanp`): an established connection
// held by a shell or an interpreter to a remote address on a port no web shop talks to is how a
// reverse shell or an exfiltration channel looks from the host. Listening sockets of the same
// programs (a bind shell) count too. Columns are found by their header; the process column
// is ss's users:(("name",pid=N,fd=M)) or netstat's PID/name.
#include <cctype>
#include <string>

#include "host/host.h"
#include "host/text.h"

namespace tq::host {
namespace {

constexpr size_t kMaxListed = 100000;  // sockets read from one listing

std::vector<std::string_view> Columns(std::string_view line) {
  std::vector<std::string_view> cols;
  size_t i = 0;
  while (i < line.size() && cols.size() < 64) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    cols.push_back(line.substr(i, j - i));
    i = j;
  }
  return cols;
}

// "1.2.3.4:4444", "[2001:db8::1]:443", "*:22" -> the port, or -1.
int PortOf(std::string_view endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return -1;
  int port = 0;
  for (char c : endpoint.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return -1;
    port = port * 10 + (c - '0');
  }
  return colon + 1 < endpoint.size() ? port : -1;
}

std::string HostOf(std::string_view endpoint) {
  size_t colon = endpoint.rfind(':');
  std::string_view h = colon == std::string_view::npos ? endpoint : endpoint.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return std::string(h);
}

// The program name: ss users:(("php-fpm",pid=1,fd=2)) or netstat "1234/php".
std::string ProgramOf(std::string_view col) {
  size_t q = col.find("((\"");
  if (q != std::string_view::npos) {
    size_t end = col.find('"', q + 3);
    if (end != std::string_view::npos) return std::string(col.substr(q + 3, end - q - 3));
  }
  size_t slash = col.find('/');
  if (slash != std::string_view::npos && slash > 0 &&
      std::isdigit(static_cast<unsigned char>(col[0])))
    return std::string(col.substr(slash + 1));
  return "";
}

bool Interpreter(std::string_view prog) {
  for (std::string_view p : {"sh", "bash", "dash", "zsh", "ksh", "php", "perl", "python", "python2",
                             "python3", "ruby", "nc", "ncat", "netcat", "socat", "telnet"})
    if (prog == p) return true;
  return prog.starts_with("python3.") || prog.starts_with("php8") || prog.starts_with("php7");
}

bool Loopback(std::string_view host) {
  return host.starts_with("127.") || host == "::1" || host == "localhost" || host == "*" ||
         host == "0.0.0.0" || host == "::";
}

}  // namespace

SocketListing ParseSocketListing(std::string_view text) {
  SocketListing out;
  int state_col = -1, local_col = -1, peer_col = -1, proc_col = -1;
  bool header = false;
  Preamble before;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    uint64_t line_no = lines.number();
    std::vector<std::string_view> cols = Columns(line);
    if (cols.empty()) continue;
    if (out.sockets.size() >= kMaxListed) {
      lines.SkipFromHere(out.skipped, "past the first 100,000 sockets");
      break;
    }
    if (!header) {
      // ss: State Recv-Q Send-Q Local Address:Port Peer Address:Port Process
      // netstat: Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name
      int k = 0;
      for (size_t i = 0; i < cols.size(); ++i, ++k) {
        std::string_view c = cols[i];
        if (c == "State") state_col = k;
        if (c == "Local") local_col = k;
        if (c == "Peer" || c == "Foreign") peer_col = k;
        if (c == "Process" || c == "PID/Program") proc_col = k;
        // Two-word headers ("Local Address:Port") are one column of data.
        if ((c == "Local" || c == "Peer" || c == "Foreign") && i + 1 < cols.size()) ++i;
        if (c == "PID/Program" && i + 1 < cols.size() && cols[i + 1] == "name") ++i;
      }
      header = local_col >= 0 && peer_col >= 0;
      if (header) {
        before.Skip(out.skipped, "before the listing's header", lines.offset());
      } else {
        before.Note(lines);
        state_col = local_col = peer_col = proc_col = -1;
      }
      continue;
    }
    auto at = [&](int k) -> std::string_view {
      return k >= 0 && static_cast<size_t>(k) < cols.size() ? cols[k] : std::string_view();
    };
    // netstat puts the protocol first and the state after the addresses; ss may omit Netid.
    Socket s;
    s.line = line_no;
    s.state = std::string(at(state_col));
    s.local = std::string(at(local_col));
    s.peer = std::string(at(peer_col));
    s.program = ProgramOf(proc_col >= 0 ? at(proc_col) : cols.back());
    if (s.local.empty() || s.peer.empty()) {
      lines.Skip(out.skipped, "not a socket row (no local or peer address column)");
      continue;
    }
    out.sockets.push_back(std::move(s));
  }
  if (!header)
    before.Skip(out.skipped, "no listing header naming the local and peer address columns",
                text.size());
  return out;
}

CommandVerdict AnalyzeSocket(const Socket& s) {
  CommandVerdict v;
  if (!Interpreter(s.program)) return v;
  bool established = s.state == "ESTAB" || s.state == "ESTABLISHED";
  bool listening = s.state == "LISTEN";
  int peer_port = PortOf(s.peer), local_port = PortOf(s.local);
  std::string peer = HostOf(s.peer);
  if (established && !Loopback(peer) && peer_port != 80 && peer_port != 443 && peer_port != 3306 &&
      peer_port != 6379 && peer_port != 9000 && peer_port != 25 && peer_port != 587) {
    v.severity = Severity::kCritical;
    v.technique = "reverse_shell";
    v.reasons.push_back(s.program + " holds a connection to " + s.peer +
                        ": a shell or interpreter talking to a remote port no shop uses");
  } else if (listening && local_port > 0 && !HostOf(s.local).starts_with("127.") &&
             HostOf(s.local) != "::1" && s.program != "php" && s.program.rfind("php", 0) != 0) {
    v.severity = Severity::kHigh;
    v.technique = "bind_shell";
    v.reasons.push_back(s.program + " listens on " + s.local + ": a bind shell");
  }
  return v;
}

}  // namespace tq::host
