// Collected access logs as AccessRecords (see log_records.h).
#include "analysis/log_records.h"

#include <charconv>

#include "logs/logs.h"

namespace tq::analysis {
namespace {

int64_t Number(std::string_view s, int64_t if_none) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return if_none;
  return v;
}

}  // namespace

std::string_view SessionFromCookie(std::string_view cookie) {
  static constexpr std::string_view kNames[] = {
      "PHPSESSID=", "frontend=", "admin=", "wordpress_logged_in_", "wp_woocommerce_session_"};
  size_t pos = 0;
  while (pos < cookie.size()) {
    while (pos < cookie.size() && (cookie[pos] == ' ' || cookie[pos] == ';')) ++pos;
    size_t end = cookie.find(';', pos);
    if (end == std::string_view::npos) end = cookie.size();
    std::string_view pair = cookie.substr(pos, end - pos);
    for (std::string_view n : kNames) {
      size_t eq = pair.find('=');
      if (pair.starts_with(n) && eq != std::string_view::npos && eq + 1 < pair.size()) return pair;
    }
    pos = end + 1;
  }
  return {};
}

RecordSource CollectedLogRecords(Case& c, LogReadOptions options, LogReadStats* stats) {
  return [&c, options, stats](const RecordVisitor& visit) -> Status {
    TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(c.db(), "logs"));
    logs::StreamOptions so;
    so.log_format = options.log_format;
    so.json_field_map = options.json_field_map;
    TQ_RETURN_IF_ERROR(logs::ParserFor(so).status());
    LogReadStats local;
    for (const EvidenceItem& item : items) {
      if (item.kind != "file" || item.sha256.empty()) continue;
      ++local.files;
      logs::ParseStats ps;
      logs::RecordFilter all;
      Status s = logs::StreamRecords(
          c.ObjectPath(item.sha256), so, all,
          [&](const logs::AccessLogRecord& rec) {
            using logs::Field;
            AccessRecord r;
            r.time = rec.has_time ? rec.time : 0;
            r.client = rec.get(Field::kClientIp);
            r.method = rec.get(Field::kMethod);
            r.path = rec.get(Field::kUriStem);
            r.query = rec.get(Field::kQuery);
            r.status = static_cast<int>(Number(rec.get(Field::kStatus), 0));
            r.bytes = rec.has(Field::kBytesSent) ? Number(rec.get(Field::kBytesSent), 0) : -1;
            r.user_agent = rec.get(Field::kUserAgent);
            r.referrer = rec.get(Field::kReferer);
            if (rec.has(Field::kCookie)) r.session = SessionFromCookie(rec.get(Field::kCookie));
            r.evidence_id = item.id;
            r.line = static_cast<int64_t>(rec.line_no);
            r.offset = static_cast<int64_t>(rec.offset);
            visit(r);
            return true;
          },
          &ps);
      local.lines += static_cast<int64_t>(ps.lines);
      local.parsed += static_cast<int64_t>(ps.parsed);
      for (auto& [reason, sc] : ps.skipped) local.skipped += static_cast<int64_t>(sc.lines);
      if (!s.ok())
        local.problems.push_back(Status(s.code(), item.original_path + ": " + s.message()));
      if (!ps.read_error.empty())
        local.problems.push_back(Status::BadInput(item.original_path + ": " + ps.read_error));
    }
    if (stats && stats->files == 0) *stats = std::move(local);
    return Status::Ok();
  };
}

}  // namespace tq::analysis
