// Shell histories and process listings. bash writes one command a line, with "#<epoch>"
// lines before each when HISTTIMEFORMAT is set; zsh's extended history is
// ": <epoch>:<duration>;command" with a trailing backslash continuing a command; fish keeps
// "- cmd: ..." / "  when: <epoch>". The MySQL client escapes spaces as "\040". A saved
// `ps aux` or `ps -ef` listing is read by its header: COMMAND/CMD is the last column.
#include <cctype>
#include <charconv>
#include <string>

#include "host/host.h"
#include "host/text.h"

namespace tq::host {
namespace {

// Seconds since the epoch in a plausible range (1995..2100), as microseconds.
std::optional<UnixMicros> Epoch(std::string_view digits) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  if (v < 788918400 || v > 4102444800) return std::nullopt;
  return v * 1'000'000;
}

constexpr size_t kMaxCommand = 64 * 1024;
constexpr size_t kMaxListed = 100000;  // processes read from one listing

}  // namespace

History ParseShellHistory(std::string_view text, uint64_t max_lines) {
  History h;
  std::optional<UnixMicros> pending_time;
  std::string cont;  // a zsh command continued by a trailing backslash
  uint64_t cont_line = 0;
  std::optional<UnixMicros> cont_time;
  LineReader lines(text);
  std::string_view line;
  // What is left of the line just read after its first `kept` bytes (a command is kept up to
  // kMaxCommand bytes).
  auto long_line = [&h](const LineReader& at, std::string_view line, size_t kept) {
    h.skipped.Add("a command longer than 64 KiB: judged by its first 64 KiB", at.number(),
                  at.offset() + kept, line.size() - kept);
  };
  for (;;) {
    if (h.lines >= max_lines) {
      h.truncated = lines.Next(&line);  // cut short only when a line was left
      if (h.truncated)
        lines.SkipFromHere(h.skipped, "past the first " + std::to_string(max_lines) + " lines");
      break;
    }
    if (!lines.Next(&line)) break;
    ++h.lines;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!cont.empty()) {
      bool more = !line.empty() && line.back() == '\\';
      size_t room = cont.size() + 1 < kMaxCommand ? kMaxCommand - cont.size() - 1 : 0;
      if (line.size() > room) long_line(lines, line, room);
      if (room > 0) {
        cont += '\n';
        cont.append(line.substr(0, room));
      }
      if (more) continue;
      h.commands.push_back({cont_line, cont_time, std::move(cont)});
      cont.clear();
      continue;
    }
    // bash: "#1700000000" before the command.
    if (line.size() > 1 && line[0] == '#') {
      if (auto t = Epoch(line.substr(1))) {
        pending_time = t;
        continue;
      }
    }
    HistoryCommand c;
    c.line = h.lines;
    c.time = pending_time;
    pending_time.reset();
    // zsh: ": 1700000000:0;command"
    if (line.starts_with(": ")) {
      size_t colon = line.find(':', 2), semi = line.find(';');
      if (colon != std::string_view::npos && semi != std::string_view::npos && colon < semi) {
        if (auto t = Epoch(line.substr(2, colon - 2))) {
          c.time = t;
          line = line.substr(semi + 1);
        }
      }
    }
    // fish: "- cmd: command" then "  when: 1700000000"
    if (line.starts_with("- cmd: ")) {
      line = line.substr(7);
    } else if (line.starts_with("  when: ")) {
      if (auto t = Epoch(Trim(line.substr(8))); t && !h.commands.empty())
        h.commands.back().time = t;
      continue;
    } else if (line.starts_with("  paths:") || line.starts_with("    - ")) {
      continue;
    }
    if (Trim(line).empty()) continue;
    if (line.size() > kMaxCommand) long_line(lines, line, kMaxCommand);
    c.command = std::string(line.substr(0, kMaxCommand));
    if (line.back() == '\\' && line.size() < kMaxCommand) {
      cont = std::move(c.command);
      cont.pop_back();
      cont_line = c.line;
      cont_time = c.time;
      continue;
    }
    h.commands.push_back(std::move(c));
  }
  if (!cont.empty()) h.commands.push_back({cont_line, cont_time, std::move(cont)});
  return h;
}

History ParseMysqlHistory(std::string_view text, uint64_t max_lines) {
  History h = ParseShellHistory(text, max_lines);
  for (HistoryCommand& c : h.commands) {
    std::string out;
    out.reserve(c.command.size());
    for (size_t i = 0; i < c.command.size(); ++i) {
      if (c.command[i] == '\\' && c.command.compare(i, 4, "\\040") == 0) {
        out += ' ';
        i += 3;
      } else {
        out += c.command[i];
      }
    }
    c.command = std::move(out);
  }
  return h;
}

CommandVerdict AnalyzeSqlStatement(std::string_view statement) {
  CommandVerdict v;
  std::string s(statement.substr(0, kMaxCommand));
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto has = [&](std::string_view n) { return s.find(n) != std::string::npos; };
  auto add = [&](Severity sev, const char* tech, const char* why) {
    if (v.reasons.empty() || sev > v.severity) {
      v.severity = sev;
      v.technique = tech;
    }
    v.reasons.push_back(why);
  };
  if (has("into outfile") || has("into dumpfile"))
    add(Severity::kHigh, "db_dump", "writes query results to a file on the server");
  if (has("insert into") && (has("admin_user") || has("wp_users") || has("authorization_role")))
    add(Severity::kHigh, "persistence", "adds an administrator account");
  if ((has("update") || has("insert")) &&
      (has("core_config_data") || has("wp_options") || has("cms_block") || has("cms_page")) &&
      (has("<script") || has("eval(") || has("atob(") || has("fromcharcode")))
    add(Severity::kCritical, "script_injection", "stores a script in the shop's content");
  if (has("select") &&
      (has("sales_order_payment") || has("customer_entity") || has("wp_users") ||
       has("admin_user") || has("wc_customer_lookup")) &&
      !has("count("))
    add(Severity::kMedium, "db_read", "reads customer, payment or account tables");
  if (has("drop table") || has("truncate table") || has("delete from"))
    add(Severity::kMedium, "destruction", "deletes data");
  return v;
}

ProcessListing ParsePsOutput(std::string_view text) {
  ProcessListing out;
  size_t cmd_col = 0, pid_col = 1;
  bool header = false;
  Preamble before;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    if (Trim(line).empty()) continue;
    if (out.processes.size() >= kMaxListed) {
      lines.SkipFromHere(out.skipped, "past the first 100,000 processes");
      break;
    }
    uint64_t line_no = lines.number();
    std::vector<std::string_view> cols;
    size_t i = 0;
    std::string_view rest;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (i >= line.size()) break;
      if (header && cols.size() == cmd_col) {
        rest = Trim(line.substr(i));
        break;
      }
      size_t j = i;
      while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
      cols.push_back(line.substr(i, j - i));
      i = j;
    }
    if (!header) {
      for (size_t k = 0; k < cols.size(); ++k) {
        if (cols[k] == "COMMAND" || cols[k] == "CMD" || cols[k] == "ARGS") cmd_col = k;
        if (cols[k] == "PID") pid_col = k;
      }
      header = cmd_col > 0;
      if (!header) before.Note(lines);
      if (header) before.Skip(out.skipped, "before the ps header", lines.offset());
      continue;
    }
    if (rest.empty() || cols.size() <= pid_col) {
      lines.Skip(out.skipped, "not a process row (fewer columns than the header)");
      continue;
    }
    out.processes.push_back({line_no, std::string(cols[0]), std::string(cols[pid_col]),
                             std::string(rest.substr(0, kMaxCommand))});
  }
  if (!header)
    before.Skip(out.skipped, "no ps header naming the command column (COMMAND, CMD or ARGS)",
                text.size());
  return out;
}

CommandVerdict AnalyzeProcess(const Process& p) {
  CommandVerdict v = AnalyzeCommand(p.command);
  if (p.command.find("(deleted)") != std::string::npos) {
    if (v.reasons.empty() || v.severity < Severity::kHigh) {
      v.severity = Severity::kHigh;
      v.technique = "deleted_binary";
    }
    v.reasons.push_back("runs from a file that was deleted after it started");
  }
  return v;
}

}  // namespace tq::host
