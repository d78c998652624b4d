// Test support for the dump reader's tests (dump_reader, dump_parser, dump_values): a sink that
// keeps every call, the one-thread read of a string into it, a dump's usual header, and gzip.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storedb/dump.h"

namespace tq::storedb::testing {

struct Collect : DumpSink {
  std::vector<DumpTable> tables;
  std::vector<std::vector<std::pair<ValueKind, std::string>>> rows;
  std::vector<std::string> row_tables;
  std::vector<uint64_t> offsets, lines;
  std::vector<DumpProblem> problems;
  Status OnTable(const DumpTable& t) override {
    tables.push_back(t);
    return Status::Ok();
  }
  Status OnRow(const DumpRow& r) override {
    std::vector<std::pair<ValueKind, std::string>> v;
    for (const DumpValue& x : r.values) v.emplace_back(x.kind, std::string(x.bytes));
    rows.push_back(v);
    row_tables.push_back(r.table->name);
    offsets.push_back(r.offset);
    lines.push_back(r.line);
    return Status::Ok();
  }
  void OnProblem(const DumpProblem& p) override { problems.push_back(p); }
};

inline DumpStats Parse(std::string_view sql, Collect* c, DumpOptions o = {}) {
  Result<DumpStats> r = ReadDumpBytes(sql, "dump.sql", *c, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : DumpStats{};
}

inline constexpr std::string_view kHeader =
    "-- MariaDB dump 10.19\n/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
    "DROP TABLE IF EXISTS `wp2_users`;\n"
    "/*!40101 SET @saved_cs_client     = @@character_set_client */;\n"
    "CREATE TABLE `wp2_users` (\n"
    "  `ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
    "  `user_login` varchar(60) NOT NULL DEFAULT '',\n"
    "  `user_pass` varchar(255) NOT NULL DEFAULT '',\n"
    "  `meta` longblob,\n"
    "  PRIMARY KEY (`ID`),\n"
    "  KEY `user_login_key` (`user_login`)\n"
    ") ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"
    "/*!40000 ALTER TABLE `wp2_users` DISABLE KEYS */;\n";

// The bytes of a gzip file holding `s`.
inline std::string Gzip(const std::string& s) {
  uLongf n = compressBound(s.size()) + 64;
  std::string out(n, '\0');
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  zs.avail_in = s.size();
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = n;
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace tq::storedb::testing
