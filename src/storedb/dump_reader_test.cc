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
using testing::Gzip;
using testing::kHeader;
using testing::Parse;

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
