// Readers: decompressed bytes of a collected log file, whatever compression it carries.
// The compression is read from the magic bytes (rotated files are often renamed). gzip uses
// ISA-L's inflate (several times zlib's speed), with concatenated members and a report of
// how much was read before a truncated or corrupt member; zstd and bzip2 likewise.
#include <bzlib.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/direct_reader.h"
#include "logs/logs.h"

namespace tq::logs {
namespace {

constexpr size_t kInBuf = 1 << 18;

// A collected log is read around the page cache (core/direct_reader.h): collect wrote a large
// one with O_DIRECT, and through the cache every page would be brought in and copied out again.
class File {
 public:
  Status Open(const std::string& path) {
    path_ = path;
    TQ_ASSIGN_OR_RETURN(in_, DirectReader::Open(path));
    return Status::Ok();
  }
  Result<size_t> Read(char* buf, size_t n) {
    TQ_ASSIGN_OR_RETURN(size_t r, in_->Read(buf, n));
    consumed_ += r;
    return r;
  }
  // Reads [begin, end) of the file from now on.
  void Range(uint64_t begin, uint64_t end) { in_->Range(begin, end); }
  const std::string& path() const { return path_; }
  uint64_t consumed() const { return consumed_; }

 private:
  std::unique_ptr<DirectReader> in_;
  std::string path_;
  uint64_t consumed_ = 0;
};

// The first bytes of a file (its magic), read without bringing more of it into the page cache.
Result<size_t> ReadHead(const std::string& path, char* buf, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(path, errno);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
  ssize_t r;
  do {
    r = ::pread(fd, buf, n, 0);
  } while (r < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (r < 0) return Status::FromErrno(path, err);
  return static_cast<size_t>(r);
}

class PlainStream : public ByteStream {
 public:
  explicit PlainStream(uint64_t limit) : left_(limit) {}
  File file;
  Result<size_t> Read(char* buf, size_t n) override {
    if (left_ == 0) return size_t{0};
    if (n > left_) n = left_;
    Result<size_t> r = file.Read(buf, n);
    if (r.ok()) {
      left_ -= *r;
      produced_ += *r;
    }
    return r;
  }
  Compression compression() const override { return Compression::kPlain; }

 private:
  uint64_t left_;
};

// Shared input buffering for the decompressors.
class CompressedStream : public ByteStream {
 public:
  File file;
  uint64_t consumed() const override { return file.consumed() - (in_len_ - in_pos_); }

 protected:
  // Refills the input when empty; false at end of file.
  Result<bool> Fill() {
    if (in_pos_ < in_len_) return true;
    TQ_ASSIGN_OR_RETURN(size_t n, file.Read(in_.data(), in_.size()));
    in_pos_ = 0;
    in_len_ = n;
    return n > 0;
  }
  Status Damage(std::string_view what) {
    return Status::BadInput(std::string(what) + " after " + std::to_string(produced_) +
                            " bytes decompressed (" + std::to_string(file.consumed()) +
                            " compressed bytes read)")
        .At(file.path());
  }
  // A damage found while returning the bytes before it is reported on the next Read.
  Result<size_t> Deferred(size_t out, Status damage) {
    done_ = true;
    if (out == 0) return damage;
    pending_ = std::move(damage);
    return out;
  }
  bool TakePending(Status* s) {
    if (pending_.ok()) return false;
    *s = std::move(pending_);
    pending_ = Status::Ok();
    return true;
  }
  Status pending_;
  std::vector<char> in_ = std::vector<char>(kInBuf);
  size_t in_pos_ = 0, in_len_ = 0;
  bool done_ = false;
};

class GzipStream : public CompressedStream {
 public:
  GzipStream() { Reset(); }
  Compression compression() const override { return Compression::kGzip; }
  Result<size_t> Read(char* buf, size_t n) override {
    if (Status s; TakePending(&s)) return s;
    if (done_) return size_t{0};
    size_t out = 0;
    while (out == 0) {
      TQ_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) {
        done_ = true;
        if (in_member_) return Damage("truncated gzip member");
        return size_t{0};
      }
      if (!in_member_) {
        // A new member must start with the gzip magic; anything else is trailing junk
        // (zero padding from a crashed logrotate is common: tolerated).
        size_t i = in_pos_;
        while (i < in_len_ && in_[i] == 0) ++i;
        if (i == in_len_) {
          in_pos_ = i;
          continue;
        }
        in_pos_ = i;
        if (static_cast<unsigned char>(in_[i]) != 0x1f) {
          done_ = true;
          return Damage("data after the last gzip member is not gzip");
        }
        Reset();
        in_member_ = true;
      }
      st_.next_in = reinterpret_cast<uint8_t*>(in_.data() + in_pos_);
      st_.avail_in = static_cast<uint32_t>(in_len_ - in_pos_);
      st_.next_out = reinterpret_cast<uint8_t*>(buf);
      st_.avail_out = static_cast<uint32_t>(n);
      int rc = isal_inflate(&st_);
      in_pos_ = in_len_ - st_.avail_in;
      out = n - st_.avail_out;
      produced_ += out;
      if (rc < 0)
        return Deferred(out, Damage(rc == ISAL_INCORRECT_CHECKSUM ? "gzip checksum mismatch"
                                                                  : "corrupt gzip data"));
      if (st_.block_state == ISAL_BLOCK_FINISH) in_member_ = false;
    }
    return out;
  }

 private:
  void Reset() {
    isal_inflate_init(&st_);
    st_.crc_flag = ISAL_GZIP;
  }
  inflate_state st_;
  bool in_member_ = false;
};

class ZstdStream : public CompressedStream {
 public:
  ZstdStream() : ds_(ZSTD_createDStream()) { ZSTD_initDStream(ds_); }
  ~ZstdStream() override { ZSTD_freeDStream(ds_); }
  Compression compression() const override { return Compression::kZstd; }
  Result<size_t> Read(char* buf, size_t n) override {
    if (Status s; TakePending(&s)) return s;
    if (done_) return size_t{0};
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      TQ_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) {
        done_ = true;
        if (last_ != 0) return Damage("truncated zstd frame");
        return size_t{0};
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      size_t rc = ZSTD_decompressStream(ds_, &out, &in);
      in_pos_ = in.pos;
      produced_ += out.pos;
      if (ZSTD_isError(rc))
        return Deferred(out.pos,
                        Damage(std::string("corrupt zstd data (") + ZSTD_getErrorName(rc) + ")"));
      last_ = rc;
    }
    return out.pos;
  }

 private:
  ZSTD_DStream* ds_;
  size_t last_ = 0;
};

class Bzip2Stream : public CompressedStream {
 public:
  Bzip2Stream() { Init(); }
  ~Bzip2Stream() override {
    if (open_) BZ2_bzDecompressEnd(&bz_);
  }
  Compression compression() const override { return Compression::kBzip2; }
  Result<size_t> Read(char* buf, size_t n) override {
    if (Status s; TakePending(&s)) return s;
    if (done_) return size_t{0};
    size_t out = 0;
    while (out == 0) {
      TQ_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) {
        done_ = true;
        if (in_stream_) return Damage("truncated bzip2 stream");
        return size_t{0};
      }
      if (!open_) Init();
      bz_.next_in = in_.data() + in_pos_;
      bz_.avail_in = static_cast<unsigned>(in_len_ - in_pos_);
      bz_.next_out = buf;
      bz_.avail_out = static_cast<unsigned>(n);
      int rc = BZ2_bzDecompress(&bz_);
      in_pos_ = in_len_ - bz_.avail_in;
      out = n - bz_.avail_out;
      produced_ += out;
      in_stream_ = true;
      if (rc == BZ_STREAM_END) {  // concatenated streams (pbzip2) continue
        BZ2_bzDecompressEnd(&bz_);
        open_ = false;
        in_stream_ = false;
      } else if (rc != BZ_OK) {
        return Deferred(out, Damage("corrupt bzip2 data"));
      }
    }
    return out;
  }

 private:
  void Init() {
    std::memset(&bz_, 0, sizeof bz_);
    BZ2_bzDecompressInit(&bz_, 0, 0);
    open_ = true;
  }
  bz_stream bz_;
  bool open_ = false, in_stream_ = false;
};

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kBzip2: return "bzip2";
    default: return "plain";
  }
}

Compression DetectCompression(std::string_view h) {
  auto at = [&](size_t i) { return i < h.size() ? static_cast<unsigned char>(h[i]) : 0u; };
  if (at(0) == 0x1f && at(1) == 0x8b) return Compression::kGzip;
  if (at(0) == 0x28 && at(1) == 0xb5 && at(2) == 0x2f && at(3) == 0xfd) return Compression::kZstd;
  if (h.size() >= 4 && h.substr(0, 3) == "BZh" && at(3) >= '1' && at(3) <= '9')
    return Compression::kBzip2;
  return Compression::kPlain;
}

Result<std::unique_ptr<ByteStream>> OpenByteStream(const std::string& path) {
  char head[4] = {0, 0, 0, 0};
  TQ_ASSIGN_OR_RETURN(size_t got, ReadHead(path, head, sizeof head));
  Compression c = DetectCompression(std::string_view(head, got));
  std::unique_ptr<ByteStream> s;
  File* f = nullptr;
  switch (c) {
    case Compression::kGzip: {
      auto g = std::make_unique<GzipStream>();
      f = &g->file;
      s = std::move(g);
      break;
    }
    case Compression::kZstd: {
      auto z = std::make_unique<ZstdStream>();
      f = &z->file;
      s = std::move(z);
      break;
    }
    case Compression::kBzip2: {
      auto b = std::make_unique<Bzip2Stream>();
      f = &b->file;
      s = std::move(b);
      break;
    }
    default: {
      auto p = std::make_unique<PlainStream>(UINT64_MAX);
      f = &p->file;
      s = std::move(p);
    }
  }
  TQ_RETURN_IF_ERROR(f->Open(path));
  return s;
}

Result<std::unique_ptr<ByteStream>> OpenRange(const std::string& path, uint64_t begin,
                                              uint64_t end) {
  auto p = std::make_unique<PlainStream>(end - begin);
  TQ_RETURN_IF_ERROR(p->file.Open(path));
  p->file.Range(begin, end);
  return std::unique_ptr<ByteStream>(std::move(p));
}

}  // namespace tq::logs
