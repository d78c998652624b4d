// Helpers shared by the logs format tests (client_test, detect_test, formats_test, ...): the
// format corpus in testdata/ and a reader that keeps each record's fields as strings.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>

#include "logs/logs.h"
#include "logs/parsers.h"
#include "support/testing.h"

namespace tq::logs::format_test {

using tq::testing::TempDir;
using tq::testing::WriteFile;

inline std::string Testdata(const std::string& f) {
  return std::string(TQ_SOURCE_DIR) + "/src/logs/testdata/" + f;
}

struct Got {
  uint64_t line;
  std::string client, peer, time, method, uri, stem, query, status, host, ua;
};

inline std::vector<Got> ReadAll(const std::string& path, ParseStats* st,
                                const StreamOptions& o = {}) {
  std::vector<Got> out;
  Status s = StreamRecords(
      path, o, {},
      [&](const AccessLogRecord& r) {
        out.push_back({r.line_no, std::string(r.get(Field::kClientIp)),
                       std::string(r.get(Field::kPeerIp)), r.has_time ? FormatUtc(r.time) : "",
                       std::string(r.get(Field::kMethod)), std::string(r.get(Field::kUri)),
                       std::string(r.get(Field::kUriStem)), std::string(r.get(Field::kQuery)),
                       std::string(r.get(Field::kStatus)), std::string(r.get(Field::kHost)),
                       std::string(r.get(Field::kUserAgent))});
        EXPECT_NE(ClassifyClient(r.get(Field::kClientIp)), AddressKind::kNone) << r.line;
        return true;
      },
      st);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

}  // namespace tq::logs::format_test
