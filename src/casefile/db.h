// A thin SQLite wrapper: prepared statements with typed binds and columns, and errors as
// Status. sqlite3.h stays in db.cc.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tq {

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binds are 1-based, as in SQLite. Text is bound as given (bytes, not validated).
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, uint64_t value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  // Text SQLite reads in place, without its own copy: the bytes must stay unchanged until the
  // statement is stepped and reset (bulk inserts from buffers the caller keeps).
  Stmt& BindUncopied(int index, std::string_view text);
  Stmt& BindBlob(int index, std::string_view bytes);
  Stmt& BindNull(int index);
  template <typename T>
  Stmt& Bind(int index, const std::optional<T>& v) {
    return v ? Bind(index, *v) : BindNull(index);
  }

  // Step: true when a row is ready, false when done.
  Result<bool> Step();
  // Step to completion (for INSERT/UPDATE).
  Status Run();
  Status Reset();  // also clears bindings

  int64_t Int(int col) const;
  double Double(int col) const;
  std::string_view Text(int col) const;  // valid until the next Step/Reset
  std::string String(int col) const { return std::string(Text(col)); }
  bool IsNull(int col) const;
  int ColumnCount() const;

 private:
  friend class Db;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Status Error(int rc) const;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  Status bind_error_;
};

class Db {
 public:
  // Opens (or creates, when `create`) a SQLite database in WAL mode with foreign keys on and
  // a busy timeout, so two commands on one case wait rather than fail at once.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool create,
                                          bool read_only = false);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Exec(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);
  // The same statement prepared once per connection and kept, reset and unbound, for SQL run
  // once per row from a function called in a loop (UpsertFinding): preparing costs more than
  // running a small upsert. Valid while the Db lives; reset it when done with it.
  Result<Stmt*> Cached(std::string_view sql);
  int64_t LastInsertRowid() const;
  int64_t Changes() const;
  // A single integer from a query ("SELECT count(*) FROM t"), or the error.
  Result<int64_t> QueryInt(std::string_view sql);

  // BEGIN IMMEDIATE / COMMIT / ROLLBACK. Prefer Case::Transaction.
  Status Begin();
  Status Commit();
  void Rollback();
  bool InTransaction() const;

  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Error(int rc, std::string_view what) const;
  sqlite3* db_;
  std::string path_;
  std::map<std::string, Stmt, std::less<>> cached_;
};

// True when the database has a table of that name (components read tables other components
// may not have created yet).
bool TableExists(Db& db, std::string_view table);

}  // namespace tq
