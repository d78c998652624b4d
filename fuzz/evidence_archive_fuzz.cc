// libFuzzer target for archive members as collect reads them (libarchive: tar, cpio, zip and
// their gzip/bzip2/xz/zstd wrappings): any bytes must be read without a crash, a hang or an
// unbounded allocation; member names are data, each member's content goes to the object store
// and what it stored must be the size it claims.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "casefile/casefile.h"
#include "evidence/collect_internal.h"
#include "evidence/store.h"
#include "temp_case.h"

namespace {
using tq::EvidenceItem;
using tq::evidence::internal::CollectWork;

class StoringSink : public tq::evidence::internal::CollectSink {
 public:
  explicit StoringSink(tq::evidence::internal::ObjectStore& store) : store_(store) {
    options_.max_member_bytes = 8 << 20;  // keeps a fuzzed bomb small
  }
  void Emit(CollectWork&& w) override {
    // A stored member names its content by a whole SHA-256.
    if (w.item.kind == "file" && !w.item.sha256.empty() && w.item.sha256.size() != 64) std::abort();
    ++items_;
  }
  void Problem(const std::string&, const std::string&, const std::string&) override {}
  bool AlreadyHave(const EvidenceItem&) override { return false; }
  bool Aborted() const override { return false; }
  void AddBytes(uint64_t) override {}
  void AddTotal(uint64_t, uint64_t) override {}
  tq::evidence::internal::ObjectStore& store() override { return store_; }
  const tq::evidence::CollectOptions& options() const override { return options_; }

 private:
  tq::evidence::internal::ObjectStore& store_;
  tq::evidence::CollectOptions options_;
  uint64_t items_ = 0;
};

struct Fixture {
  std::unique_ptr<tq::Case> c;
  std::unique_ptr<tq::evidence::internal::ObjectStore> store;
};

Fixture& Shared() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    fx->c = tq::fuzz::NewTempCase("archive").c;
    auto s = tq::evidence::internal::ObjectStore::Open(*fx->c);
    if (!s.ok()) std::abort();
    fx->store = std::move(*s);
    return fx;
  }();
  return *f;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& fx = Shared();
  int fd = ::memfd_create("archive", 0);
  if (fd < 0) std::abort();
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  StoringSink sink(*fx.store);
  EvidenceItem base;
  base.source = "fuzz.tar";
  (void)tq::evidence::internal::ReadArchive(sink, "", fd, base);
  ::close(fd);
  return 0;
}
