// File and memory inputs, and the gzip (zlib, multi-member) and zstd decoders in front of them.
#include "storedb/dump_input.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/direct_reader.h"

namespace tq::storedb {
namespace {

// A collected dump is read around the page cache (core/direct_reader.h): collect wrote it
// with O_DIRECT, so through the cache every page would be brought in and copied out again.
class FileInput : public ByteInput {
 public:
  explicit FileInput(std::unique_ptr<DirectReader> in) : in_(std::move(in)) {}
  Result<size_t> Read(char* out, size_t n) override { return in_->Read(out, n); }

 private:
  std::unique_ptr<DirectReader> in_;
};

class MemoryInput : public ByteInput {
 public:
  explicit MemoryInput(std::string_view bytes) : bytes_(bytes) {}
  Result<size_t> Read(char* out, size_t n) override {
    size_t k = std::min(n, bytes_.size() - pos_);
    std::memcpy(out, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// Replays the first bytes read for format detection, then reads on.
class PrefixedInput : public ByteInput {
 public:
  PrefixedInput(std::unique_ptr<ByteInput> in, std::string prefix)
      : in_(std::move(in)), prefix_(std::move(prefix)) {}
  Result<size_t> Read(char* out, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(out, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return in_->Read(out, n);
  }

 private:
  std::unique_ptr<ByteInput> in_;
  std::string prefix_;
  size_t pos_ = 0;
};

constexpr size_t kInChunk = 256 * 1024;

class GzipInput : public ByteInput {
 public:
  explicit GzipInput(std::unique_ptr<ByteInput> in) : in_(std::move(in)), buf_(kInChunk) {
    std::memset(&zs_, 0, sizeof zs_);
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
  }
  ~GzipInput() override { inflateEnd(&zs_); }
  Result<size_t> Read(char* out, size_t n) override {
    if (!ok_) return Status::BadInput("gzip: cannot initialise the decoder");
    zs_.next_out = reinterpret_cast<Bytef*>(out);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n && !done_) {
      if (zs_.avail_in == 0) {
        TQ_ASSIGN_OR_RETURN(size_t got, in_->Read(buf_.data(), buf_.size()));
        if (got == 0) {
          if (in_member_) return Status::BadInput("gzip: compressed data ends early (truncated?)");
          done_ = true;
          break;
        }
        zs_.next_in = reinterpret_cast<Bytef*>(buf_.data());
        zs_.avail_in = static_cast<uInt>(got);
      }
      in_member_ = true;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;  // another member may follow (concatenated gzip)
        if (inflateReset(&zs_) != Z_OK) return Status::BadInput("gzip: reset failed");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::BadInput(std::string("gzip: ") + (zs_.msg ? zs_.msg : "corrupt data"));
      }
    }
    return n - zs_.avail_out;
  }

 private:
  std::unique_ptr<ByteInput> in_;
  std::vector<char> buf_;
  z_stream zs_;
  bool ok_ = false, done_ = false, in_member_ = false;
};

class ZstdInput : public ByteInput {
 public:
  explicit ZstdInput(std::unique_ptr<ByteInput> in)
      : in_(std::move(in)), buf_(ZSTD_DStreamInSize()), ds_(ZSTD_createDStream()) {
    ZSTD_initDStream(ds_);
  }
  ~ZstdInput() override { ZSTD_freeDStream(ds_); }
  Result<size_t> Read(char* out, size_t n) override {
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos == 0 && !done_) {
      if (ib_.pos == ib_.size) {
        TQ_ASSIGN_OR_RETURN(size_t got, in_->Read(buf_.data(), buf_.size()));
        if (got == 0) {
          if (last_ != 0) return Status::BadInput("zstd: compressed data ends early (truncated?)");
          done_ = true;
          break;
        }
        ib_ = ZSTD_inBuffer{buf_.data(), got, 0};
      }
      last_ = ZSTD_decompressStream(ds_, &ob, &ib_);
      if (ZSTD_isError(last_))
        return Status::BadInput(std::string("zstd: ") + ZSTD_getErrorName(last_));
    }
    return ob.pos;
  }

 private:
  std::unique_ptr<ByteInput> in_;
  std::vector<char> buf_;
  ZSTD_DStream* ds_;
  ZSTD_inBuffer ib_{nullptr, 0, 0};
  size_t last_ = 0;
  bool done_ = false;
};

Result<std::unique_ptr<ByteInput>> Detect(std::unique_ptr<ByteInput> raw,
                                          std::string* compression) {
  std::string head(4, '\0');
  size_t have = 0;
  while (have < head.size()) {
    TQ_ASSIGN_OR_RETURN(size_t got, raw->Read(head.data() + have, head.size() - have));
    if (got == 0) break;
    have += got;
  }
  head.resize(have);
  auto in = std::make_unique<PrefixedInput>(std::move(raw), head);
  if (have >= 2 && head[0] == '\x1f' && head[1] == '\x8b') {
    *compression = "gzip";
    return std::unique_ptr<ByteInput>(std::make_unique<GzipInput>(std::move(in)));
  }
  if (have >= 4 && head == std::string("\x28\xb5\x2f\xfd", 4)) {
    *compression = "zstd";
    return std::unique_ptr<ByteInput>(std::make_unique<ZstdInput>(std::move(in)));
  }
  *compression = "none";
  return std::unique_ptr<ByteInput>(std::move(in));
}

}  // namespace

Result<std::unique_ptr<ByteInput>> OpenDumpInput(const std::string& path,
                                                 std::string* compression) {
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<DirectReader> in, DirectReader::Open(path));
  return Detect(std::make_unique<FileInput>(std::move(in)), compression);
}

std::unique_ptr<ByteInput> MemoryDumpInput(std::string_view bytes, std::string* compression) {
  Result<std::unique_ptr<ByteInput>> r = Detect(std::make_unique<MemoryInput>(bytes), compression);
  return std::move(r).value();  // memory reads cannot fail
}

}  // namespace tq::storedb
