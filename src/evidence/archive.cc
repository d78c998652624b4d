// Archives through libarchive (tar, with gzip/bzip2/xz/zstd; zip; cpio), from a file or a
// stream (`ssh store tar c /var/www | tourniquet collect -`). Member names are data: they are
// stored as the item's original path and never used to create a file, so `../../etc/passwd`
// and `/etc/shadow` are harmless. Zip bombs are stopped by an expansion ratio and a size
// limit per member and for the whole archive.
#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "evidence/collect_internal.h"

namespace tq::evidence::internal {
namespace {

constexpr uint64_t kRatioFloor = 1 << 20;  // ratios are judged once a member passes 1 MiB

int64_t Nanos(bool set, time_t sec, long nsec) {
  return set ? static_cast<int64_t>(sec) * 1'000'000'000 + nsec : 0;
}

struct ArchiveCloser {
  struct archive* a;
  ~ArchiveCloser() { archive_read_free(a); }
};

std::string ArchiveError(struct archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown libarchive error";
}

}  // namespace

bool ReadArchive(CollectSink& sink, const std::string& path, int fd, const EvidenceItem& base) {
  struct archive* a = archive_read_new();
  ArchiveCloser closer{a};
  // Only built-in decoders: archive_read_support_filter_all would also run external
  // programs (lrzip, lzop, ...) on attacker bytes.
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_lzma(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_compress(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  archive_read_support_format_zip(a);
  archive_read_support_format_cpio(a);
  int r = path.empty() ? archive_read_open_fd(a, fd, 1 << 16)
                       : archive_read_open_filename(a, path.c_str(), 1 << 16);
  if (r != ARCHIVE_OK) return false;
  const CollectOptions& opt = sink.options();
  struct HardlinkTarget {
    std::string sha256;
    uint64_t size;
  };
  std::unordered_map<std::string, HardlinkTarget> members;
  std::vector<char> zeros;
  uint64_t members_seen = 0, archive_out = 0;
  bool stop = false;
  while (!stop && !sink.Aborted()) {
    struct archive_entry* entry = nullptr;
    r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_RETRY) continue;
    if (r < ARCHIVE_WARN) {
      if (members_seen == 0) return false;  // not an archive after all
      sink.Problem(base.source, "",
                   "archive damaged after " + std::to_string(members_seen) +
                       " members: " + ArchiveError(a) + " (the rest is not collected)");
      break;
    }
    ++members_seen;
    CollectWork w;
    w.item = base;
    const char* name = archive_entry_pathname(entry);
    w.item.original_path = name ? name : "";
    w.item.mode = static_cast<uint32_t>(archive_entry_mode(entry));
    w.item.uid = archive_entry_uid(entry);
    w.item.gid = archive_entry_gid(entry);
    const char* uname = archive_entry_uname(entry);
    const char* gname = archive_entry_gname(entry);
    w.item.owner = uname ? uname : "";
    w.item.group = gname ? gname : "";
    w.item.mtime_ns = Nanos(archive_entry_mtime_is_set(entry), archive_entry_mtime(entry),
                            archive_entry_mtime_nsec(entry));
    w.item.ctime_ns = Nanos(archive_entry_ctime_is_set(entry), archive_entry_ctime(entry),
                            archive_entry_ctime_nsec(entry));
    w.item.atime_ns = Nanos(archive_entry_atime_is_set(entry), archive_entry_atime(entry),
                            archive_entry_atime_nsec(entry));
    w.item.collected_at = NowMicros();
    const char* hardlink = archive_entry_hardlink(entry);
    mode_t type = archive_entry_filetype(entry);
    if (hardlink) {
      auto it = members.find(hardlink);
      if (it == members.end()) {
        w.item.kind = "skipped";
        w.item.skip_reason = "hard link to a member not in the archive before it";
        w.problem = w.item.skip_reason;
      } else {
        w.item.kind = "file";
        w.item.sha256 = it->second.sha256;
        w.item.size = it->second.size;
        w.link_group = std::string("archive:") + hardlink;
        w.nlink = 2;
      }
      archive_read_data_skip(a);
    } else if (type == AE_IFDIR) {
      w.item.kind = "dir";
    } else if (type == AE_IFLNK) {
      w.item.kind = "symlink";
      const char* target = archive_entry_symlink(entry);
      w.item.symlink_target = target ? target : "";
    } else if (type == AE_IFREG) {
      w.item.kind = "file";
      w.item.size = archive_entry_size_is_set(entry)
                        ? static_cast<uint64_t>(std::max<int64_t>(0, archive_entry_size(entry)))
                        : 0;
      if (sink.AlreadyHave(w.item)) {
        archive_read_data_skip(a);
        continue;
      }
      Result<std::unique_ptr<ObjectWriter>> writer = sink.store().NewWriter();
      if (!writer.ok()) {
        sink.Problem(base.source, w.item.original_path, writer.status().ToString());
        return true;
      }
      int64_t raw_start = archive_filter_bytes(a, -1);
      uint64_t out = 0;
      std::string failure;
      for (;;) {
        const void* block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        r = archive_read_data_block(a, &block, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
          failure = "member truncated or damaged after " + std::to_string(out) +
                    " bytes: " + ArchiveError(a);
          stop = r == ARCHIVE_FATAL;
          break;
        }
        // Sparse members: a jump in offset is a run of zeros.
        if (offset > 0 && static_cast<uint64_t>(offset) > out) {
          uint64_t gap = static_cast<uint64_t>(offset) - out;
          if (zeros.empty()) zeros.assign(1 << 20, 0);
          while (gap > 0 && failure.empty()) {
            size_t k = static_cast<size_t>(std::min<uint64_t>(gap, zeros.size()));
            Status s = (*writer)->Write(std::string_view(zeros.data(), k));
            if (!s.ok()) failure = "storing failed: " + s.ToString();
            gap -= k;
            out += k;
          }
        }
        if (!failure.empty()) break;
        Status s = (*writer)->Write(std::string_view(static_cast<const char*>(block), size));
        if (!s.ok()) {
          failure = "storing failed: " + s.ToString();
          break;
        }
        out += size;
        archive_out += size;
        sink.AddBytes(size);
        uint64_t raw =
            static_cast<uint64_t>(std::max<int64_t>(1, archive_filter_bytes(a, -1) - raw_start));
        uint64_t raw_total =
            static_cast<uint64_t>(std::max<int64_t>(1, archive_filter_bytes(a, -1)));
        if (out > opt.max_member_bytes) {
          failure = "possible zip bomb: expands past the size limit of " +
                    std::to_string(opt.max_member_bytes) + " bytes: not collected";
        } else if (out > kRatioFloor && static_cast<double>(out) > opt.max_ratio * raw) {
          failure = "possible zip bomb: expands more than " +
                    std::to_string(static_cast<int>(opt.max_ratio)) + ":1 (" + std::to_string(out) +
                    " bytes from " + std::to_string(raw) + " compressed): not collected";
        } else if (archive_out > kRatioFloor * 64 &&
                   static_cast<double>(archive_out) > opt.max_ratio * raw_total) {
          failure = "possible zip bomb: the archive expands more than " +
                    std::to_string(static_cast<int>(opt.max_ratio)) +
                    ":1 overall: stopped at this member";
          stop = true;
        }
        if (!failure.empty()) break;
      }
      if (failure.empty()) {
        Result<StoredObject> stored = (*writer)->Finish();
        if (!stored.ok()) {
          sink.Problem(base.source, w.item.original_path, stored.status().ToString());
          return true;
        }
        w.item.sha256 = stored->sha256;
        w.item.size = stored->size;
        w.new_object = stored->written;
        members[w.item.original_path] = {stored->sha256, stored->size};
      } else {
        if (failure.rfind("possible zip bomb", 0) == 0 && !stop) archive_read_data_skip(a);
        w.item.kind = "skipped";
        w.item.size = out;
        w.item.skip_reason = failure;
        w.problem = failure;
      }
      sink.Emit(std::move(w));
      continue;
    } else {
      w.item.kind = "special";
      w.item.skip_reason = "special file in the archive: not extracted";
    }
    if (!sink.AlreadyHave(w.item)) sink.Emit(std::move(w));
  }
  return true;
}

}  // namespace tq::evidence::internal
