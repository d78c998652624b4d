// Fuzzes the request journal's readers (logs/request_journal.h), which read what an earlier
// run left in the case's cache: the first byte picks the part, the rest is its bytes.
//   even: a MANIFEST (text: inputs, segments, "end"); read, and replayed when it parses (its
//         segment files are absent: every replay must end in an error, not a crash);
//   odd:  a segment file (blocks of sizes and zstd frames of varint records) under a manifest
//         that lists it; every request handed to the visitor has views of sane sizes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "logs/request_journal.h"
#include "remove_at_exit.h"

namespace {

const std::string& Dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/tq-journal-fuzz.XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    tq::fuzz::RemoveAtExit(tmpl);
    return std::string(tmpl);
  }();
  return dir;
}

void Write(const std::string& path, std::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::logs;
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string& dir = Dir();
  std::remove((dir + "/MANIFEST").c_str());
  std::remove((dir + "/segment-0.tqj").c_str());
  auto visit = [](int64_t, const JournalRequest& r) {
    for (std::string_view v : {r.client, r.method, r.path, r.query, r.user_agent, r.session})
      if (v.size() > (64u << 20)) std::abort();
    if (r.line < 0) std::abort();
  };
  if (data[0] % 2 == 0) {
    Write(dir + "/MANIFEST", body);
    auto m = ReadJournalManifest(dir);
    if (m.ok()) (void)ReplayJournal(dir, m.value(), visit);
    return 0;
  }
  Write(dir + "/segment-0.tqj", body);
  JournalManifest m;
  m.inputs.push_back({1, std::string(64, 'a'), 0, 0, 0, ""});
  m.segments.push_back({0, 0, 0, 1u << 20, "segment-0.tqj"});
  (void)ReplayJournal(dir, m, visit);
  return 0;
}
