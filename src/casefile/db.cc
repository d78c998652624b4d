// SQLite wrapper: every SQLite error becomes a Status naming the database file.
#include "casefile/db.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

namespace tq {
namespace {
// Percent-encodes what a SQLite URI filename cannot hold literally.
std::string UriEscape(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7F) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}
}  // namespace

Stmt::Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_), bind_error_(std::move(o.bind_error_)) {
  o.stmt_ = nullptr;
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    bind_error_ = std::move(o.bind_error_);
    o.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Status Stmt::Error(int rc) const {
  std::string msg = "database error: ";
  msg += db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    return Status::CaseError(
        "the case is busy: another tourniquet command is writing to it; "
        "wait for it to finish and run this again");
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
    return Status::CaseError(msg + " (case.db is damaged; restore it from a copy)");
  if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN || rc == SQLITE_FULL || rc == SQLITE_IOERR)
    return Status::Io(msg);
  return Status::Internal(msg);
}

static void NoteBind(Status& slot, sqlite3* db, int rc) {
  if (rc != SQLITE_OK && slot.ok())
    slot = Status::Internal(std::string("bind failed: ") + sqlite3_errmsg(db));
}

Stmt& Stmt::Bind(int i, int64_t v) {
  NoteBind(bind_error_, db_, sqlite3_bind_int64(stmt_, i, v));
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  NoteBind(bind_error_, db_, sqlite3_bind_double(stmt_, i, v));
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  NoteBind(bind_error_, db_,
           sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}
Stmt& Stmt::BindUncopied(int i, std::string_view v) {
  NoteBind(bind_error_, db_,
           sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view v) {
  NoteBind(bind_error_, db_, sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT));
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  NoteBind(bind_error_, db_, sqlite3_bind_null(stmt_, i));
  return *this;
}

Result<bool> Stmt::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(rc);
}

Status Stmt::Run() {
  for (;;) {
    Result<bool> r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

Status Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = Status::Ok();
  return Status::Ok();
}

int64_t Stmt::Int(int c) const { return sqlite3_column_int64(stmt_, c); }
double Stmt::Double(int c) const { return sqlite3_column_double(stmt_, c); }
std::string_view Stmt::Text(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  return p ? std::string_view(static_cast<const char*>(p), n) : std::string_view();
}
bool Stmt::IsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
int Stmt::ColumnCount() const { return sqlite3_column_count(stmt_); }

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create, bool read_only) {
  // SQLite's memory statistics take a process-wide mutex on every allocation it makes (each
  // value bound, each row built): a tenth of the time of writing a large drill's hits,
  // clients and findings. Nothing here reads them. Set once, before SQLite's first use (a
  // later call would fail harmlessly and change nothing).
  static std::once_flag no_memstatus;
  std::call_once(no_memstatus, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  std::string target = path;
  if (read_only) {
    // A WAL database in a directory we cannot write (a case on read-only media, or owned by
    // someone else) cannot create its -shm file: open it as immutable, which is what it is.
    std::string dir = path.substr(0, path.find_last_of('/') + 1);
    if (::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0) {
      flags |= SQLITE_OPEN_URI;
      target = "file:" + UriEscape(path) + "?immutable=1";
    }
  }
  int rc = sqlite3_open_v2(target.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = path + ": cannot open: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Status::CaseError(std::move(msg));
  }
  std::unique_ptr<Db> out(new Db(db, path));
  // Another command holding the write lock: wait for it (10 s by default).
  int timeout_ms = 10'000;
  if (const char* env = std::getenv("TOURNIQUET_BUSY_TIMEOUT_MS")) timeout_ms = std::atoi(env);
  sqlite3_busy_timeout(db, timeout_ms);
  sqlite3_extended_result_codes(db, 0);
  if (!read_only) {
    // A new file gets 16 KiB pages: the case takes bulk writes (rule hits, clients, scope's
    // people) that go to the write-ahead log and then the database a page at a time, and a
    // quarter of the pages costs a fifth less to write (logs stage, 2 GB bench). A file that
    // exists keeps the page size it was created with (this changes nothing there).
    TQ_RETURN_IF_ERROR(out->Exec("PRAGMA page_size=16384"));
    // journal_mode is the first statement that reads the file: a damaged or foreign file
    // shows here.
    TQ_RETURN_IF_ERROR(out->Exec("PRAGMA journal_mode=WAL"));
    TQ_RETURN_IF_ERROR(out->Exec("PRAGMA synchronous=NORMAL"));
  } else {
    TQ_RETURN_IF_ERROR(out->Exec("PRAGMA schema_version"));
  }
  TQ_RETURN_IF_ERROR(out->Exec("PRAGMA foreign_keys=ON"));
  return out;
}

Db::~Db() {
  cached_.clear();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

Status Db::Error(int rc, std::string_view what) const {
  std::string detail = sqlite3_errmsg(db_);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    return Status::CaseError(path_ +
                             ": the case is busy: another tourniquet command is "
                             "writing to it; wait for it to finish and run this again");
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
    return Status::CaseError(path_ + ": not a valid case database (" + detail +
                             "); restore case.db from a copy or start a new case");
  if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN)
    return Status::Io(path_ + ": cannot write (" + detail +
                      "); check the case directory's permissions");
  if (rc == SQLITE_FULL || rc == SQLITE_IOERR) return Status::Io(path_ + ": " + detail);
  return Status::Internal(path_ + ": " + std::string(what.substr(0, 80)) + ": " + detail);
}

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Status::Ok();
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Stmt(db_, st);
}

Result<Stmt*> Db::Cached(std::string_view sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    TQ_ASSIGN_OR_RETURN(Stmt st, Prepare(sql));
    it = cached_.emplace(std::string(sql), std::move(st)).first;
  }
  TQ_RETURN_IF_ERROR(it->second.Reset());
  return &it->second;
}

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int64_t Db::Changes() const { return sqlite3_changes64(db_); }

Result<int64_t> Db::QueryInt(std::string_view sql) {
  TQ_ASSIGN_OR_RETURN(Stmt st, Prepare(sql));
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no row for: " + std::string(sql));
  return st.Int(0);
}

Status Db::Begin() { return Exec("BEGIN IMMEDIATE"); }
Status Db::Commit() { return Exec("COMMIT"); }
void Db::Rollback() {
  if (InTransaction()) (void)Exec("ROLLBACK");
}
bool Db::InTransaction() const { return !sqlite3_get_autocommit(db_); }

bool TableExists(Db& db, std::string_view table) {
  auto st = db.Prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  if (!st.ok()) return false;
  st->Bind(1, table);
  auto row = st->Step();
  return row.ok() && *row;
}

}  // namespace tq
