// The live reader: libmariadb, a read-only session in one consistent-snapshot transaction,
// written out as a mysqldump-compatible SQL file (then collected as evidence, so the
// investigation always reads evidence, never the live server). mysql.h stays in this file.
#include <mysql.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/text.h"
#include "core/time.h"
#include "storedb/storedb.h"

namespace tq::storedb {

namespace {

std::string QuoteIdent(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

void AppendEscaped(std::string& out, const char* p, unsigned long n) {
  out += '\'';
  for (unsigned long i = 0; i < n; ++i) {
    char c = p[i];
    switch (c) {
      case '\0': out += "\\0"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '\x1a': out += "\\Z"; break;
      default: out += c;
    }
  }
  out += '\'';
}

void AppendHex(std::string& out, const char* p, unsigned long n) {
  static const char* kHex = "0123456789ABCDEF";
  if (n == 0) {
    out += "''";
    return;
  }
  out += "0x";
  for (unsigned long i = 0; i < n; ++i) {
    out += kHex[(static_cast<unsigned char>(p[i]) >> 4) & 15];
    out += kHex[static_cast<unsigned char>(p[i]) & 15];
  }
}

bool IsNumericType(enum_field_types t) {
  switch (t) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
    case MYSQL_TYPE_YEAR: return true;
    default: return false;
  }
}

class Connection {
 public:
  Connection() : m_(mysql_init(nullptr)) {}
  ~Connection() {
    if (m_) mysql_close(m_);
  }
  MYSQL* get() { return m_; }
  Status Error(std::string_view what) {
    return Status::Network(std::string(what) + ": " + mysql_error(m_) + " (error " +
                           std::to_string(mysql_errno(m_)) + ")");
  }
  Status Query(const std::string& sql) {
    if (mysql_real_query(m_, sql.data(), sql.size()) != 0) return Error(sql.substr(0, 80));
    return Status::Ok();
  }

 private:
  MYSQL* m_;
};

class OutFile {
 public:
  explicit OutFile(std::string path) : path_(std::move(path)) {
    f_ = std::fopen(path_.c_str(), "wbx");
  }
  ~OutFile() {
    if (f_) std::fclose(f_);
  }
  bool ok() const { return f_ != nullptr; }
  Status Write(const std::string& s) {
    if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) return Status::FromErrno(path_, errno);
    bytes_ += static_cast<int64_t>(s.size());
    return Status::Ok();
  }
  Status Close() {
    if (std::fflush(f_) != 0 || fsync(fileno(f_)) != 0) return Status::FromErrno(path_, errno);
    int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) return Status::FromErrno(path_, errno);
    return Status::Ok();
  }
  int64_t bytes() const { return bytes_; }

 private:
  std::string path_;
  FILE* f_ = nullptr;
  int64_t bytes_ = 0;
};

Status DumpTableRows(Connection& c, OutFile& out, const std::string& table, int64_t* rows) {
  TQ_RETURN_IF_ERROR(c.Query("SELECT * FROM " + QuoteIdent(table)));
  MYSQL_RES* res = mysql_use_result(c.get());
  if (!res) return c.Error("reading " + table);
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> guard(res, mysql_free_result);
  unsigned n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  std::string stmt;
  const std::string head = "INSERT INTO " + QuoteIdent(table) + " VALUES ";
  constexpr size_t kStatementBytes = 1 << 20;  // mysqldump's net_buffer_length default
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* len = mysql_fetch_lengths(res);
    stmt += stmt.empty() ? head + "(" : ",(";
    for (unsigned i = 0; i < n; ++i) {
      if (i) stmt += ',';
      if (!row[i])
        stmt += "NULL";
      else if (IsNumericType(fields[i].type))
        stmt.append(row[i], len[i]);
      else if (fields[i].charsetnr == 63 && fields[i].type != MYSQL_TYPE_TIMESTAMP &&
               fields[i].type != MYSQL_TYPE_DATETIME && fields[i].type != MYSQL_TYPE_DATE &&
               fields[i].type != MYSQL_TYPE_TIME)
        AppendHex(stmt, row[i], len[i]);  // binary: hex, as mysqldump --hex-blob
      else
        AppendEscaped(stmt, row[i], len[i]);
    }
    stmt += ')';
    ++*rows;
    if (stmt.size() >= kStatementBytes) {
      TQ_RETURN_IF_ERROR(out.Write(stmt + ";\n"));
      stmt.clear();
    }
  }
  if (mysql_errno(c.get()) != 0) return c.Error("reading rows of " + table);
  if (!stmt.empty()) TQ_RETURN_IF_ERROR(out.Write(stmt + ";\n"));
  return Status::Ok();
}

}  // namespace

Result<MysqlTarget> ParseMysqlDsn(std::string_view dsn) {
  MysqlTarget t;
  bool have_host = false;
  while (!dsn.empty()) {
    size_t semi = dsn.find(';');
    std::string part(Trim(dsn.substr(0, semi)));
    dsn = semi == std::string_view::npos ? std::string_view() : dsn.substr(semi + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos) return Status::Usage("--mysql: '" + part + "' is not key=value");
    std::string k(Trim(std::string_view(part).substr(0, eq)));
    std::string v(Trim(std::string_view(part).substr(eq + 1)));
    if (k == "host")
      t.host = v, have_host = true;
    else if (k == "user")
      t.user = v;
    else if (k == "database" || k == "db")
      t.database = v;
    else if (k == "socket")
      t.socket = v;
    else if (k == "port") {
      char* end = nullptr;
      unsigned long p = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end || p == 0 || p > 65535)
        return Status::Usage("--mysql: port '" + v + "' is not a TCP port");
      t.port = static_cast<unsigned>(p);
    } else if (k == "password" || k == "pass" || k == "pwd") {
      return Status::Usage(
          "--mysql: never put the password on the command line; set "
          "TOURNIQUET_MYSQL_PASSWORD or type it at the prompt");
    } else {
      return Status::Usage("--mysql: unknown key '" + k + "' (host, port, user, database, socket)");
    }
  }
  (void)have_host;
  if (t.user.empty()) return Status::Usage("--mysql: user=... is required");
  if (t.database.empty()) return Status::Usage("--mysql: database=... is required");
  return t;
}

Result<MysqlCollectStats> DumpLiveDatabase(const MysqlTarget& target, const std::string& password,
                                           const std::string& out_path) {
  Connection c;
  if (!c.get()) return Status::Internal("mysql_init failed (out of memory)");
  unsigned timeout = 15;
  mysql_options(c.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(c.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(c.get(), target.host.c_str(), target.user.c_str(), password.c_str(),
                          target.database.c_str(), target.port,
                          target.socket.empty() ? nullptr : target.socket.c_str(), 0))
    return c.Error("connecting to " + target.user + "@" + target.host + ":" +
                   std::to_string(target.port) + "/" + target.database);
  MysqlCollectStats stats;
  stats.server_version = mysql_get_server_info(c.get());
  // Read-only before anything else: the server must refuse any write this session could make.
  TQ_RETURN_IF_ERROR(c.Query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  TQ_RETURN_IF_ERROR(c.Query("SET SESSION TRANSACTION READ ONLY"));
  TQ_RETURN_IF_ERROR(c.Query("SET SESSION time_zone='+00:00'"));
  TQ_RETURN_IF_ERROR(c.Query("START TRANSACTION WITH CONSISTENT SNAPSHOT"));

  OutFile out(out_path);
  if (!out.ok()) return Status::FromErrno(out_path, errno);
  TQ_RETURN_IF_ERROR(out.Write(
      "-- tourniquet collect-mysql: read-only consistent snapshot\n-- Host: " + target.host + ":" +
      std::to_string(target.port) + "    Database: " + target.database +
      "    User: " + target.user + "\n-- Server version\t" + stats.server_version +
      "\n-- Started " + FormatUtc(NowMicros()) +
      "\n\n/*!40101 SET NAMES utf8mb4 */;\n"
      "/*!40103 SET TIME_ZONE='+00:00' */;\n/*!40014 SET FOREIGN_KEY_CHECKS=0 */;\n"
      "/*!40101 SET SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n\n"));
  TQ_RETURN_IF_ERROR(c.Query("SHOW FULL TABLES WHERE Table_type='BASE TABLE'"));
  std::vector<std::string> tables;
  {
    MYSQL_RES* res = mysql_store_result(c.get());
    if (!res) return c.Error("listing tables");
    while (MYSQL_ROW row = mysql_fetch_row(res)) tables.emplace_back(row[0] ? row[0] : "");
    mysql_free_result(res);
  }
  for (const std::string& t : tables) {
    TQ_RETURN_IF_ERROR(c.Query("SHOW CREATE TABLE " + QuoteIdent(t)));
    MYSQL_RES* res = mysql_store_result(c.get());
    if (!res) return c.Error("SHOW CREATE TABLE " + t);
    MYSQL_ROW row = mysql_fetch_row(res);
    std::string create = row && row[1] ? row[1] : "";
    mysql_free_result(res);
    TQ_RETURN_IF_ERROR(out.Write("--\n-- Table structure for table " + QuoteIdent(t) +
                                 "\n--\n\nDROP TABLE IF EXISTS " + QuoteIdent(t) + ";\n" + create +
                                 ";\n\n--\n-- Dumping data for table " + QuoteIdent(t) +
                                 "\n--\n\n"));
    TQ_RETURN_IF_ERROR(DumpTableRows(c, out, t, &stats.rows));
    TQ_RETURN_IF_ERROR(out.Write("\n"));
    ++stats.tables;
  }
  TQ_RETURN_IF_ERROR(c.Query("ROLLBACK"));  // nothing to commit: the session only read
  TQ_RETURN_IF_ERROR(out.Write("-- Dump completed on " + FormatUtc(NowMicros()) + "\n"));
  TQ_RETURN_IF_ERROR(out.Close());
  stats.bytes = out.bytes();
  return stats;
}

}  // namespace tq::storedb
