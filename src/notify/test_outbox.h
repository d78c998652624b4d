// Test-only helpers shared by the delivery tests (send_test.cc) and the fault-injection tests
// (tests/fault): a case whose outbox holds one queued letter per recipient, the outbox's
// states by recipient, and send options for a loopback SMTP sink.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "notify/notify.h"

namespace tq::notify {

inline std::unique_ptr<Case> OutboxCase(const std::string& dir,
                                        const std::vector<std::string>& rcpts) {
  CaseInfo info;
  info.name = "send test";
  info.store_url = "https://shop.example";
  auto c = Case::Create(dir, info);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  EXPECT_TRUE(EnsureNotifySchema(**c).ok());
  Status s = (*c)->Transaction([&](Db& db) -> Status {
    TQ_ASSIGN_OR_RETURN(
        Stmt ins, db.Prepare("INSERT INTO notify_outbox(message_key, person_key, recipient, "
                             "sender, subject, body, body_sha256, message_id, state, created_at, "
                             "updated_at) VALUES(?,?,?,'privacy@shop.example','Your data',?,'',"
                             "?,'queued',0,0)"));
    for (size_t i = 0; i < rcpts.size(); ++i) {
      std::string n = std::to_string(i);
      ins.Bind(1, "letter:" + n).Bind(2, "customer:" + n).Bind(3, rcpts[i]);
      ins.Bind(4, "Dear customer " + n).Bind(5, "<tq." + n + "@shop.example>");
      TQ_RETURN_IF_ERROR(ins.Run());
      TQ_RETURN_IF_ERROR(ins.Reset());
    }
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::move(*c);
}

inline std::map<std::string, std::string> OutboxStates(Case& c, std::string_view column = "state") {
  std::map<std::string, std::string> out;
  auto st = c.db().Prepare("SELECT recipient, " + std::string(column) + " FROM notify_outbox");
  EXPECT_TRUE(st.ok());
  if (!st.ok()) return out;
  while (*st->Step()) out[st->String(0)] = st->String(1);
  return out;
}

// Confirmed delivery to `url` as fast as the sink takes it.
inline SendOptions ConfirmedSend(const std::string& url) {
  SendOptions o;
  o.smtp_url = url;
  o.confirm = true;
  o.rate_per_second = 0;
  o.backoff_seconds = 0.05;
  o.fsync_each = false;
  return o;
}

}  // namespace tq::notify
