// A mysqldump-style writer (MariaDB 10.11 mysqldump layout): header and footer SET lines,
// per table DROP TABLE IF EXISTS, the real CREATE TABLE, LOCK TABLES and extended INSERTs
// split at about 1 MB like net_buffer_length. Internal to drill.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace tq::drill {

struct ColumnDef {
  const char* name;
  bool numeric;
  const char* unset;  // SQL literal when the row does not set the column; "@NOW" = dump time
};
struct TableDef {
  const char* platform;
  const char* name;
  const char* create;  // "... ENGINE=InnoDB@AUTO ..." (@AUTO becomes AUTO_INCREMENT=N)
  std::vector<ColumnDef> columns;
};
const std::vector<TableDef>& SchemaTables();
const TableDef* FindTable(std::string_view name);

// mysql_real_escape_string: \0 \n \r \\ ' " and \x1a (\Z) escaped; other bytes as they are.
void SqlEscape(std::string_view in, std::string* out);
std::string SqlQuote(std::string_view in);

// One row under construction: columns start at their unset literal.
class Row {
 public:
  explicit Row(const TableDef* t);
  Row& Str(std::string_view col, std::string_view value);
  Row& Num(std::string_view col, int64_t value);
  Row& Dec(std::string_view col, double value, int scale = 4);
  Row& Null(std::string_view col);
  Row& Time(std::string_view col, UnixMicros t);  // 'YYYY-MM-DD HH:MM:SS' UTC
  const std::vector<std::string>& values() const { return v_; }

 private:
  size_t Index(std::string_view col) const;
  const TableDef* t_;
  std::vector<std::string> v_;
};

class DumpWriter {
 public:
  // Writes to `path`; `db_name` appears in the header; `now` is the dump time.
  DumpWriter(std::string path, std::string db_name, UnixMicros now);
  ~DumpWriter();
  Status Open();
  // Begins a table: structure then LOCK TABLES. auto_increment = next id (0 = none).
  Status BeginTable(const TableDef* t, uint64_t auto_increment);
  Status Add(const Row& row);
  Status EndTable();
  Status Close();
  uint64_t bytes() const { return bytes_; }
  const std::map<std::string, uint64_t>& row_counts() const { return counts_; }

 private:
  Status Flush(bool all);
  std::string path_, db_;
  UnixMicros now_;
  FILE* f_ = nullptr;
  std::string buf_;
  const TableDef* table_ = nullptr;
  size_t insert_len_ = 0;  // bytes of the INSERT statement in progress, 0 = none open
  uint64_t bytes_ = 0;
  std::map<std::string, uint64_t> counts_;
};

}  // namespace tq::drill
