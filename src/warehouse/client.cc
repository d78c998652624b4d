// The HTTP interface of ClickHouse through libcurl: one statement per POST (the statement in the
// URL and data in the body for INSERTs), basic authentication, retries on connection failures
// and 5xx answers that are not SQL errors, and errors that name the URL and the table.
// SELECTs ask for wait_end_of_query=1: the server buffers the answer, so an error in the middle
// of a query comes back as an error status, not as text after the first rows.
#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

// Where an answer goes: memory (at most 1 GiB: past that it is not a list of hits), or a file,
// of which the first 64 KiB are also kept in memory to read an error from.
struct Sink {
  std::string* mem;
  FILE* file = nullptr;
};

size_t Append(char* p, size_t size, size_t n, void* sink) {
  auto* k = static_cast<Sink*>(sink);
  size_t bytes = size * n;
  if (k->file) {
    if (std::fwrite(p, 1, bytes, k->file) != bytes) return 0;
    if (k->mem->size() < 65536) k->mem->append(p, std::min(bytes, 65536 - k->mem->size()));
    return bytes;
  }
  if (k->mem->size() + bytes > (size_t{1} << 30)) return 0;
  k->mem->append(p, bytes);
  return bytes;
}

std::string UrlEscape(CURL* c, std::string_view s) {
  char* e = curl_easy_escape(c, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// Codes of the server's SQL errors that say the data or the schema does not fit (exit 3):
// unknown identifier/column/table/database, type mismatch, cannot parse input, illegal type.
bool IsDataError(int code) {
  switch (code) {
    case 6:    // CANNOT_PARSE_TEXT
    case 16:   // NO_SUCH_COLUMN_IN_TABLE
    case 26:   // CANNOT_PARSE_QUOTED_STRING
    case 27:   // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    case 38:   // CANNOT_PARSE_DATE
    case 41:   // CANNOT_PARSE_DATETIME
    case 43:   // ILLEGAL_TYPE_OF_ARGUMENT
    case 47:   // UNKNOWN_IDENTIFIER
    case 53:   // TYPE_MISMATCH
    case 60:   // UNKNOWN_TABLE
    case 62:   // SYNTAX_ERROR
    case 69:   // ARGUMENT_OUT_OF_BOUND
    case 70:   // CANNOT_CONVERT_TYPE
    case 72:   // CANNOT_PARSE_NUMBER
    case 81:   // UNKNOWN_DATABASE
    case 117:  // INCORRECT_DATA
    case 386:  // NO_COMMON_TYPE
    case 427:  // CANNOT_COMPILE_REGEXP
      return true;
    default: return false;
  }
}

}  // namespace

bool ParseServerError(std::string_view body, int* code, std::string* text) {
  size_t at = body.find("Code: ");
  if (at == std::string_view::npos) return false;
  size_t p = at + 6;
  int c = 0;
  bool digits = false;
  while (p < body.size() && body[p] >= '0' && body[p] <= '9' && c < 100000) {
    c = c * 10 + (body[p++] - '0');
    digits = true;
  }
  if (!digits) return false;
  *code = c;
  std::string_view rest = body.substr(p);
  size_t d = rest.find("DB::Exception: ");
  std::string_view msg = d == std::string_view::npos ? rest : rest.substr(d + 15);
  size_t end = msg.find(", e.what()");
  if (end != std::string_view::npos) msg = msg.substr(0, end);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.remove_suffix(1);
  if (msg.size() > 500) msg = msg.substr(0, 500);
  text->clear();
  for (char ch : msg) *text += (static_cast<unsigned char>(ch) < 0x20) ? ' ' : ch;
  return true;
}

std::string SqlString(std::string_view s) {
  std::string o = "'";
  static const char* hex = "0123456789abcdef";
  for (unsigned char ch : s) {
    if (ch == '\'' || ch == '\\') {
      o += '\\';
      o += static_cast<char>(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      o += "\\x";
      o += hex[ch >> 4];
      o += hex[ch & 15];
    } else {
      o += static_cast<char>(ch);
    }
  }
  return o + "'";
}

std::string SqlIdent(std::string_view s) {
  std::string o = "`";
  for (char ch : s) {
    if (ch == '`' || ch == '\\') o += '\\';
    o += ch;
  }
  return o + "`";
}

Status ParseTsvRow(std::string_view body, size_t* pos, size_t columns, size_t row_no,
                   std::vector<std::string>* out) {
  size_t& p = *pos;
  std::vector<std::string>& row = *out;
  size_t n = 1;  // columns begun
  if (row.empty()) row.emplace_back();
  row[0].clear();
  for (;;) {
    if (p >= body.size()) return Status::BadInput("row " + std::to_string(row_no) + " unfinished");
    char ch = body[p++];
    if (ch == '\n') break;
    if (ch == '\t') {
      if (n >= columns)
        return Status::BadInput("row " + std::to_string(row_no) + " has more than " +
                                std::to_string(columns) + " columns");
      if (row.size() <= n) row.emplace_back();
      row[n++].clear();
      continue;
    }
    std::string& cell = row[n - 1];
    if (ch != '\\') {
      cell += ch;
      continue;
    }
    if (p >= body.size())
      return Status::BadInput("row " + std::to_string(row_no) + ": escape at the end");
    char e = body[p++];
    switch (e) {
      case 'n': cell += '\n'; break;
      case 't': cell += '\t'; break;
      case 'r': cell += '\r'; break;
      case 'b': cell += '\b'; break;
      case 'f': cell += '\f'; break;
      case '0': cell += '\0'; break;
      case 'a': cell += '\a'; break;
      case 'v': cell += '\v'; break;
      case 'x': {
        auto val = [](char h) -> int {
          if (h >= '0' && h <= '9') return h - '0';
          if (h >= 'a' && h <= 'f') return h - 'a' + 10;
          if (h >= 'A' && h <= 'F') return h - 'A' + 10;
          return -1;
        };
        if (p + 2 > body.size() || val(body[p]) < 0 || val(body[p + 1]) < 0)
          return Status::BadInput("row " + std::to_string(row_no) + ": bad \\x escape");
        cell += static_cast<char>(val(body[p]) * 16 + val(body[p + 1]));
        p += 2;
        break;
      }
      default: cell += e;  // \\ \' \" and any other byte stand for themselves
    }
  }
  row.resize(n);
  if (n != columns)
    return Status::BadInput("row " + std::to_string(row_no) + " has " + std::to_string(n) +
                            " columns, not " + std::to_string(columns));
  return Status::Ok();
}

Result<std::vector<std::vector<std::string>>> ParseTsv(std::string_view body, size_t columns) {
  std::vector<std::vector<std::string>> rows;
  size_t p = 0, row_no = 0;
  while (p < body.size()) {
    std::vector<std::string> row;
    TQ_RETURN_IF_ERROR(ParseTsvRow(body, &p, columns, ++row_no, &row));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::unique_ptr<Client>> Client::Connect(const Endpoint& e) {
  if (!(e.url.starts_with("http://") || e.url.starts_with("https://")))
    return Status::Usage("--clickhouse wants an http:// or https:// URL: " + e.url);
  if (e.url.find('@') != std::string::npos)
    return Status::Usage(
        "put no credentials in the URL (user: --clickhouse-user, password: "
        "$TOURNIQUET_CLICKHOUSE_PASSWORD)");
  static const bool global = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)global;
  std::unique_ptr<Client> c(new Client());
  c->e_ = e;
  while (!c->e_.url.empty() && c->e_.url.back() == '/') c->e_.url.pop_back();
  c->curl_ = curl_easy_init();
  if (!c->curl_) return Status::Internal("curl_easy_init failed");
  TQ_ASSIGN_OR_RETURN(std::string v, c->Query("SELECT version()"));
  while (!v.empty() && v.back() == '\n') v.pop_back();
  c->version_ = v;
  c->major_ = std::atoi(v.c_str());
  if (c->major_ <= 0)
    return Status::Network(c->e_.url + ": not a ClickHouse server (version() answered '" +
                           v.substr(0, 40) + "')");
  return c;
}

Client::~Client() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<std::string> Client::Query(const std::string& sql, const std::string& table,
                                  std::string_view body) {
  for (int attempt = 0;; ++attempt) {
    bool retry = false;
    Result<std::string> r = Once(sql, table, body, nullptr, &retry);
    if (r.ok() || !retry || attempt >= e_.retries) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
  }
}

Status Client::QueryToFile(const std::string& sql, const std::string& table, FILE* out) {
  for (int attempt = 0;; ++attempt) {
    bool retry = false;
    if (std::fflush(out) != 0 || ftruncate(fileno(out), 0) != 0 || std::fseek(out, 0, SEEK_SET))
      return Status::Io("a temporary file for the answer of " + e_.url + ": cannot rewrite");
    Result<std::string> r = Once(sql, table, {}, out, &retry);
    if (r.ok()) {
      if (std::fflush(out) != 0)
        return Status::Io("a temporary file for the answer of " + e_.url + ": cannot write");
      return Status::Ok();
    }
    if (!retry || attempt >= e_.retries) return r.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
  }
}

Result<std::string> Client::Once(const std::string& sql, const std::string& table,
                                 std::string_view body, FILE* to, bool* retry) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  // Tables are always named with their database: no `database=` here (it would have to exist
  // before export creates it).
  std::string url = e_.url + "/?";
  std::string post;
  std::string_view send = body;  // an INSERT's rows are sent from the caller's buffer, uncopied
  if (body.data() != nullptr) {
    url += "query=" + UrlEscape(c, sql);
  } else {
    // A rule pack is a long query: room for it (the defaults stop at 256 KiB and 50,000 AST
    // elements).
    url +=
        "wait_end_of_query=1&max_query_size=67108864&max_ast_elements=5000000"
        "&max_expanded_ast_elements=5000000";
    post = sql;
    send = post;
  }
  std::string out;
  Sink sink{&out, to};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, send.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(send.size()));
  curl_easy_setopt(c, CURLOPT_USERNAME, e_.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, e_.password.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(e_.timeout_s));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // the server compresses when asked
  std::string where = e_.url + (table.empty() ? "" : " (table " + table + ")");
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    // An INSERT whose answer was lost (a timeout, a connection reset after its rows went out)
    // may be in: sent again it could land twice. It is resent only when it never left (no
    // connection); otherwise the caller gets the error, and a re-run of the export counts
    // what is there before it sends anything.
    bool unsent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                  rc == CURLE_COULDNT_RESOLVE_PROXY;
    *retry = body.data() == nullptr || unsent;
    return Status::Network(where + ": " + curl_easy_strerror(rc) +
                           (*retry ? "" : " (the rows may be in; not sent again)"));
  }
  long http = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
  if (http == 200) {
    // An INSERT answers nothing; an error after its data began streaming comes as text.
    int code = 0;
    std::string text;
    if (body.data() != nullptr && !out.empty() && ParseServerError(out, &code, &text))
      return Status::Network(where + ": server error in the middle of the insert: " + text +
                             " (ClickHouse error " + std::to_string(code) + ")");
    return out;
  }
  int code = 0;
  std::string text;
  if (!ParseServerError(out, &code, &text)) {
    *retry = http >= 500;
    return Status::Network(where + ": HTTP " + std::to_string(http) + ": " + out.substr(0, 200));
  }
  std::string msg = where + ": " + text + " (ClickHouse error " + std::to_string(code) + ")";
  if (code == 192 || code == 193 || code == 194 || code == 195 || code == 516)
    return Status::Network(msg + "; the user and password ($TOURNIQUET_CLICKHOUSE_PASSWORD)");
  if (IsDataError(code)) return Status::BadInput(msg);
  // Timeouts and memory or network trouble inside the cluster may pass; limits do not.
  *retry = code == 159 || code == 209 || code == 210 || code == 279 || code == 241;
  return Status::Network(msg);
}

}  // namespace tq::warehouse
