// Platform and web server error logs onto the timeline (see platform_logs.h): the logs
// component reads the items (logs/platform_log.h), the lines that matter are picked here.
#include "analysis/platform_logs.h"

#include <algorithm>
#include <cctype>

#include "logs/platform_log.h"

namespace tq::analysis {
namespace {

constexpr size_t kMaxMessage = 2048;

// `text` contains `needle`; an address ("1.2.3.4") only as a whole (not in "11.2.3.45").
bool Names(std::string_view text, std::string_view needle) {
  if (needle.empty()) return false;
  bool address = std::isdigit(static_cast<unsigned char>(needle[0])) ||
                 needle.find(':') != std::string_view::npos;
  auto part = [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
  };
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    if (!address) return true;
    size_t end = at + needle.size();
    if ((at == 0 || !part(text[at - 1])) && (end == text.size() || !part(text[end]))) return true;
  }
  return false;
}

}  // namespace

Status ReadPlatformLogs(Case& c, const PlatformLogSelect& select, std::vector<PlatformEvent>* out,
                        PlatformLogStats* stats) {
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(c.db()));
  // Web server error logs write local times without a zone: the store's zone, else UTC.
  TimeZone zone = TimeZone::Utc();
  if (Result<CaseInfo> info = c.Info(); info.ok() && !info->timezone.empty())
    if (Result<TimeZone> z = TimeZone::Named(info->timezone); z.ok()) zone = *z;
  size_t first_new = out->size();
  for (const EvidenceItem& item : items) {
    if (item.kind != "file" || item.sha256.empty() ||
        !(logs::IsPlatformLogPath(item.original_path) || logs::IsErrorLogPath(item.original_path)))
      continue;
    ++stats->files;
    // The logs component reads the item; the lines that name an attacker's file or address,
    // or are errors inside the window, go on the timeline.
    logs::PlatformLogReadStats rs;
    logs::ReadPlatformLogItem(
        c.ObjectPath(item.sha256), zone,
        [&](const logs::PlatformLogLine& l) {
          const logs::PlatformLogHeader& h = l.header;
          std::string reason;
          for (const std::string& n : select.needles) {
            if (Names(h.message, n)) {
              reason = "names " + n;
              break;
            }
          }
          if (reason.empty() && logs::IsErrorLevel(h.level) && select.from && select.to &&
              h.time >= *select.from && h.time <= *select.to)
            reason = "error in the attack window";
          if (reason.empty()) return;
          if (out->size() - first_new >= select.max_events) {
            ++stats->dropped;
            return;
          }
          ++stats->selected;
          PlatformEvent e;
          e.time = h.time;
          e.level = h.level;
          e.channel = h.channel;
          e.message = std::string(h.message.substr(0, kMaxMessage));
          e.why = std::move(reason);
          e.evidence_id = item.id;
          e.line = static_cast<int64_t>(l.line);
          e.offset = static_cast<int64_t>(l.offset);
          out->push_back(std::move(e));
        },
        &rs);
    stats->lines += rs.lines;
    stats->parsed += rs.parsed;
    stats->continuation += rs.continuation;
    stats->skipped.Merge(rs.skipped);
    for (const std::string& p : rs.problems)
      stats->problems.push_back(item.original_path + ": " + p);
  }
  std::stable_sort(out->begin() + static_cast<std::ptrdiff_t>(first_new), out->end(),
                   [](const PlatformEvent& a, const PlatformEvent& b) { return a.time < b.time; });
  return Status::Ok();
}

}  // namespace tq::analysis
