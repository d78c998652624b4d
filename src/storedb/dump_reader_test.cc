// The one-thread dump read (dump_reader.cc): plain, gzip and zstd dumps, and truncated
// compression with its exact message.
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "storedb/dump.h"
#include "storedb/dump_collect_testing.h"
namespace tq::storedb {
namespace {

using testing::Collect;
using testing::kHeader;
using testing::Parse;

std::string Gzip(const std::string& s) {
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

TEST(DumpReader, GzipAndZstdAndTruncatedCompression) {
  std::string sql = "INSERT INTO t VALUES (1,'a'),(2,'b');\n";
  Collect g;
  DumpStats st = Parse(Gzip(sql), &g);
  EXPECT_EQ(g.rows.size(), 2u);
  EXPECT_EQ(st.compression, "gzip");
  std::string z(ZSTD_compressBound(sql.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), sql.data(), sql.size(), 3));
  Collect zc;
  st = Parse(z, &zc);
  EXPECT_EQ(zc.rows.size(), 2u);
  EXPECT_EQ(st.compression, "zstd");
  std::string cut = Gzip(sql + sql + sql);
  cut.resize(cut.size() / 2);
  Collect t;
  Result<DumpStats> r = ReadDumpBytes(cut, "d.sql.gz", t);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("d.sql.gz: gzip: compressed data ends early"),
            std::string::npos)
      << r.status().message();
}
}  // namespace
}  // namespace tq::storedb
