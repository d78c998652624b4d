// ModSecurity audit logs in the serial format (SecAuditLogType Serial; ModSecurity v2 for
// Apache and nginx, libmodsecurity v3), read after the reference manual's "Audit Log" part
// layout. One transaction is one entry of parts, each opened by a boundary line:
//
//   --5a6f1c2e-A--                      v2: --ID-X--, v3: ---ID---X--
//   [10/Oct/2025:13:55:36 +0200] YtZ... 203.0.113.9 51234 10.0.0.2 443     (A: header)
//   --5a6f1c2e-B--
//   POST /checkout HTTP/1.1             (B: request line and headers, a blank line)
//   Host: shop.example
//   --5a6f1c2e-C--
//   firstname=...                       (C: request body; I: the same without files)
//   --5a6f1c2e-F--
//   HTTP/1.1 200 OK                     (F: response status line and headers)
//   --5a6f1c2e-H--
//   Message: Warning. Pattern match ... (H: trailer: rule messages, Stopwatch, Producer)
//   --5a6f1c2e-Z--                      (Z: end of the entry)
//
// The parser is fed line by line like any other: the lines of an entry are "audit entry
// line"s (not requests, so they do not count against the file's parsed share) and the entry
// becomes one record when its Z boundary comes (or when the next entry's A comes first). The
// record points at the entry's request line (its line number and offset, as the caller set
// them on the record before Parse), its time is part A's, its client part A's remote address
// (or the X-Forwarded-For rule when part B carries that header), and it carries the request
// body as `cs-body` (raw, then after a newline its URL- or JSON-decoded form when that
// differs) and part H's messages as `message`.
#include <algorithm>
#include <cstring>

#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {
namespace {

constexpr size_t kMaxBody = 1 << 20;       // kept for matching; the rest is cut
constexpr size_t kMaxMessages = 64 << 10;  // part H's messages kept
constexpr size_t kMaxHeaders = 256;        // part B header lines looked at
constexpr std::string_view kSkipForeignBoundary = "boundary of another entry inside a body";

bool Fail(std::string_view* reason, std::string_view why) {
  *reason = why;
  return false;
}

bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '@';
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A JSON body's string escapes undone (\" \\ \/ \n \t \uXXXX as UTF-8), so that a directive
// written as "\u007b\u007bvar ..." reads as the server's JSON decoder gives it to the
// application. False when there was nothing to undo.
bool JsonUnescape(std::string_view in, std::string* out) {
  if (in.find('\\') == std::string_view::npos) return false;
  out->clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\' || i + 1 >= in.size()) {
      out->push_back(c);
      continue;
    }
    char n = in[++i];
    changed = true;
    switch (n) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'u': {
        unsigned v = 0;
        bool ok = i + 4 < in.size();
        for (size_t k = 1; ok && k <= 4; ++k) {
          int h = HexDigit(in[i + k]);
          ok = h >= 0;
          v = v * 16 + static_cast<unsigned>(h < 0 ? 0 : h);
        }
        if (!ok) {
          out->append("\\u");
          break;
        }
        i += 4;
        if (v < 0x80) {
          out->push_back(static_cast<char>(v));
        } else if (v < 0x800) {
          out->push_back(static_cast<char>(0xc0 | (v >> 6)));
          out->push_back(static_cast<char>(0x80 | (v & 0x3f)));
        } else {  // surrogates are left as the three bytes they encode to: matching only
          out->push_back(static_cast<char>(0xe0 | (v >> 12)));
          out->push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3f)));
          out->push_back(static_cast<char>(0x80 | (v & 0x3f)));
        }
        break;
      }
      default: out->push_back(n);  // \" \\ \/ and anything else: the character itself
    }
  }
  return changed;
}

// A part's boundary: "--ID-X--" (v2) or "---ID---X--" (v3), ID of letters and digits.
bool Boundary(std::string_view line, std::string_view* id, char* part) {
  if (line.size() < 8 || line.size() > 80 || !line.starts_with("--") || !line.ends_with("--"))
    return false;
  std::string_view in = line.substr(2, line.size() - 4);  // "ID-X" or "-ID---X"
  if (in.size() < 3 || in[in.size() - 2] != '-') return false;
  char p = in.back();
  if (p < 'A' || p > 'Z') return false;
  in.remove_suffix(2);
  while (!in.empty() && in.back() == '-') in.remove_suffix(1);
  while (!in.empty() && in.front() == '-') in.remove_prefix(1);
  if (in.empty() || in.size() > 64 || !std::all_of(in.begin(), in.end(), IsIdChar)) return false;
  *id = in;
  *part = p;
  return true;
}

// One transaction's parts, as read so far.
struct Entry {
  std::string id;
  bool open = false, has_a = false, has_b = false;
  char part = 0;
  // A
  UnixMicros time = 0;
  std::string peer;
  // B
  std::string request_line;
  uint64_t req_line_no = 0, req_offset = 0;
  bool in_headers = false;
  size_t header_lines = 0;
  std::string host, user_agent, referer, cookie, content_type, xff;
  // C / I
  std::string body;
  bool body_from_c = false, body_newline = false;
  // F
  std::string status;
  bool status_seen = false;
  std::string_view bad;  // why part A did not hold (a fixed reason)
  // H
  std::string messages;
  void Reset() {
    id.clear();
    open = has_a = has_b = in_headers = body_from_c = body_newline = false;
    part = 0;
    time = 0;
    peer.clear();
    request_line.clear();
    req_line_no = req_offset = 0;
    header_lines = 0;
    host.clear(), user_agent.clear(), referer.clear(), cookie.clear(), content_type.clear();
    xff.clear();
    body.clear();
    status.clear();
    status_seen = false;
    bad = {};
    messages.clear();
  }
};

class ModSecParser : public LineParser {
 public:
  const std::string& name() const override { return name_; }
  std::unique_ptr<LineParser> Clone() const override {
    auto p = std::make_unique<ModSecParser>();
    p->trusted_ = trusted_;
    return p;
  }
  bool Stateful() const override { return true; }

  bool Parse(std::string_view line, AccessLogRecord& r, std::string_view* reason) override {
    std::string_view id;
    char part = 0;
    // A boundary of another entry inside a body part is body: the client wrote it (ModSecurity
    // writes an entry whole, so entries never interleave; the boundary's id is random). It is
    // still counted, with its own reason: a forged entry shows, and so would the entries
    // after one cut short inside its body (they are read as that body: never silently).
    bool foreign = false;
    if (Boundary(line, &id, &part) && !(foreign = cur_.open && id != cur_.id && InBody())) {
      if (part == 'A') {
        // An entry cut short (no Z) still holds a request: it is given now, before the new
        // entry starts (without a header or request line, skipped with that reason).
        bool pending = cur_.open;
        bool emitted = pending && Emit(r, reason);
        cur_.Reset();
        cur_.id = id;
        cur_.open = true;
        cur_.part = 'A';
        if (emitted) return true;
        if (pending) return false;
        return Fail(reason, kSkipAuditLine);
      }
      if (!cur_.open) return Fail(reason, "audit part outside an entry");
      if (id != cur_.id) return Fail(reason, "audit part of another entry");
      if (part == 'Z') {
        cur_.open = false;
        bool ok = Emit(r, reason);
        return ok;
      }
      cur_.part = part;
      if (part == 'B') cur_.in_headers = false;
      if (part == 'C' || part == 'I') cur_.body_newline = false;
      return Fail(reason, kSkipAuditLine);
    }
    if (!cur_.open) return Fail(reason, "format mismatch");
    switch (cur_.part) {
      case 'A': return HeaderA(line, reason);
      case 'B': return PartB(line, r, reason);
      case 'C':
      case 'I': PartBody(line, reason); return foreign ? Fail(reason, kSkipForeignBoundary) : false;
      case 'E': return Fail(reason, foreign ? kSkipForeignBoundary : kSkipAuditLine);
      case 'F':
        if (!cur_.status_seen) {  // "HTTP/1.1 200 OK"; anything else leaves sc-status out
          cur_.status_seen = true;
          size_t sp = line.find(' ');
          std::string_view code = sp == std::string_view::npos ? "" : line.substr(sp + 1, 3);
          if (line.starts_with("HTTP/") && code.size() == 3 &&
              std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
            cur_.status = code;
        }
        return Fail(reason, kSkipAuditLine);
      case 'H':
        if ((line.starts_with("Message: ") || line.starts_with("ModSecurity: ")) &&
            cur_.messages.size() + line.size() < kMaxMessages) {
          if (!cur_.messages.empty()) cur_.messages += '\n';
          cur_.messages += line.substr(line.find(' ') + 1);
        }
        return Fail(reason, kSkipAuditLine);
      default: return Fail(reason, kSkipAuditLine);  // D, G, J, K: not read
    }
  }

 private:
  // "[10/Oct/2025:13:55:36 +0200] UNIQUE_ID 203.0.113.9 51234 10.0.0.2 443"; v3 may give the
  // seconds a fraction ("13:55:36.123456").
  bool InBody() const { return cur_.part == 'C' || cur_.part == 'I' || cur_.part == 'E'; }

  // A broken header spoils the entry: it is skipped, with this reason, on its last line.
  bool HeaderA(std::string_view line, std::string_view* reason) {
    std::string_view why;
    if (!ReadHeaderA(line, &why)) cur_.bad = why;
    return Fail(reason, kSkipAuditLine);
  }

  bool ReadHeaderA(std::string_view line, std::string_view* reason) {
    if (cur_.has_a || !cur_.bad.empty()) return true;
    if (!line.starts_with('[')) return Fail(reason, "bad audit header");
    size_t close = line.find(']');
    if (close == std::string_view::npos) return Fail(reason, "bad audit header");
    std::string_view t = line.substr(1, close - 1);
    int64_t frac = 0;
    char buf[40];
    if (t.size() > 26 && t[20] == '.') {  // a fraction after the seconds
      size_t sp = t.find(' ', 20);
      if (sp == std::string_view::npos) return Fail(reason, "bad timestamp");
      int n = 0;
      for (size_t k = 21; k < sp; ++k, ++n) {
        if (t[k] < '0' || t[k] > '9' || n >= 9) return Fail(reason, "bad timestamp");
        if (n < 6) frac = frac * 10 + (t[k] - '0');
      }
      for (; n < 6; ++n) frac *= 10;
      if (20 + (t.size() - sp) > sizeof buf) return Fail(reason, "bad timestamp");
      std::memcpy(buf, t.data(), 20);
      std::memcpy(buf + 20, t.data() + sp, t.size() - sp);
      t = std::string_view(buf, 20 + t.size() - sp);
    }
    Result<UnixMicros> tm = ParseCommonLogTime(t);
    if (!tm.ok()) return Fail(reason, "bad timestamp");
    std::string_view rest = line.substr(close + 1);
    std::string_view tok[5];
    size_t n = 0, p = 0;
    while (n < 5 && p < rest.size()) {
      while (p < rest.size() && rest[p] == ' ') ++p;
      size_t e = rest.find(' ', p);
      if (e == std::string_view::npos) e = rest.size();
      if (e > p) tok[n++] = rest.substr(p, e - p);
      p = e;
    }
    if (n < 2) return Fail(reason, "bad audit header");
    // The remote address is the second value (after the unique id).
    if (ClassifyClient(tok[1]) == AddressKind::kNone) return Fail(reason, kSkipClient);
    cur_.time = *tm + frac;
    cur_.peer = tok[1];
    cur_.has_a = true;
    return true;
  }

  bool PartB(std::string_view line, AccessLogRecord& r, std::string_view* reason) {
    if (!cur_.bad.empty()) return Fail(reason, kSkipAuditLine);
    if (!cur_.has_b) {
      // The request line: METHOD TARGET [VERSION].
      size_t sp = line.find(' ');
      if (sp == 0 || sp == std::string_view::npos) {
        if (cur_.bad.empty()) cur_.bad = "bad request line";
        return Fail(reason, kSkipAuditLine);
      }
      cur_.request_line = line;
      cur_.req_line_no = r.line_no;
      cur_.req_offset = r.offset;
      cur_.has_b = true;
      cur_.in_headers = true;
      return Fail(reason, kSkipAuditLine);
    }
    if (!cur_.in_headers || ++cur_.header_lines > kMaxHeaders) return Fail(reason, kSkipAuditLine);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail(reason, kSkipAuditLine);
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    value = value.substr(0, 16 << 10);
    if (IEquals(name, "Host"))
      cur_.host = value;
    else if (IEquals(name, "User-Agent"))
      cur_.user_agent = value;
    else if (IEquals(name, "Referer"))
      cur_.referer = value;
    else if (IEquals(name, "Cookie"))
      cur_.cookie = value;
    else if (IEquals(name, "Content-Type"))
      cur_.content_type = value;
    else if (IEquals(name, "X-Forwarded-For"))
      cur_.xff = value;
    return Fail(reason, kSkipAuditLine);
  }

  bool PartBody(std::string_view line, std::string_view* reason) {
    // C is the body as received; I (a compact C without files) only when C is absent.
    bool c = cur_.part == 'C';
    if (!c && cur_.body_from_c) return Fail(reason, kSkipAuditLine);
    if (c && !cur_.body_from_c) {
      cur_.body.clear();
      cur_.body_from_c = true;
    }
    if (cur_.body.size() < kMaxBody) {
      if (cur_.body_newline) cur_.body += '\n';
      cur_.body.append(line.substr(0, kMaxBody - cur_.body.size()));
      cur_.body_newline = true;
    }
    return Fail(reason, kSkipAuditLine);
  }

  // The finished entry as a record (fields point into out_, valid until the next record).
  bool Emit(AccessLogRecord& r, std::string_view* reason) {
    *reason = {};
    if (!cur_.bad.empty()) return Fail(reason, cur_.bad);
    if (!cur_.has_a) return Fail(reason, "audit entry without a header (part A)");
    if (!cur_.has_b) return Fail(reason, "audit entry without a request (part B)");
    std::swap(out_, cur_);
    r.present = 0;
    r.field = {};
    r.kind = RecordKind::kAuditEntry;
    r.source = nullptr;
    r.time = out_.time;
    r.has_time = true;
    r.line = out_.request_line;
    r.line_no = out_.req_line_no;
    r.offset = out_.req_offset;
    std::string_view client = out_.peer;
    if (!out_.xff.empty()) {
      client = ForwardedClient(out_.peer, out_.xff, trusted());
      if (client != std::string_view(out_.peer)) SetRecordField(r, Field::kPeerIp, out_.peer);
    }
    SetRecordField(r, Field::kClientIp, client);
    SplitRequestLine(r, out_.request_line);
    auto set = [&](Field f, const std::string& v) {
      if (!v.empty()) SetRecordField(r, f, v);
    };
    set(Field::kHost, out_.host);
    set(Field::kUserAgent, out_.user_agent);
    set(Field::kReferer, out_.referer);
    set(Field::kCookie, out_.cookie);
    set(Field::kContentType, out_.content_type);
    set(Field::kStatus, out_.status);
    set(Field::kMessage, out_.messages);
    // The body as logged, then (after a newline) as the application decodes it: form fields
    // URL-decoded, JSON strings unescaped.
    if (!out_.body.empty()) {
      std::string& b = out_.body;
      size_t raw = b.size();
      std::string dec;
      bool form = out_.content_type.find("json") == std::string::npos &&
                  UrlDecode("?" + b.substr(0, std::min(raw, kMaxBody)), &dec);
      if (form)
        dec.erase(0, 1);
      else
        form = JsonUnescape(std::string_view(b).substr(0, raw), &dec);
      if (form && dec != std::string_view(b).substr(0, raw)) (b += '\n') += dec;
      SetRecordField(r, Field::kBody, b);
    }
    cur_.Reset();
    return true;
  }

  std::string name_ = "modsec";
  Entry cur_, out_;
};

}  // namespace

bool IsModSecurityBoundary(std::string_view line) {
  std::string_view id;
  char part = 0;
  return Boundary(line, &id, &part) && part == 'A';
}

std::unique_ptr<LineParser> ModSecurityFormat() { return std::make_unique<ModSecParser>(); }

}  // namespace tq::logs
