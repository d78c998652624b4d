// The parallel read's batches (dump_batch.cc) on their own: a parser's calls recorded by the
// Recorder and replayed to a sink come back as they were made (values copied, not referenced),
// row indexes and generations moved past the read so far, and rows past those the sink reads
// in full counted instead, on both sides.
#include "storedb/dump_batch.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace tq::storedb {
namespace {

// Keeps every call, with copies of what the views pointed at.
struct Calls : DumpSink {
  uint64_t full = UINT64_MAX;  // rows of "orders" read in full
  std::vector<std::string> log;
  Status OnTable(const DumpTable& t) override {
    log.push_back("table " + t.name);
    return Status::Ok();
  }
  Status OnRow(const DumpRow& r) override {
    std::string s = "row " + r.table->name + " #" + std::to_string(r.index) + " g" +
                    std::to_string(r.schema_generation) + " @" + std::to_string(r.line) + ":" +
                    std::to_string(r.offset);
    for (const DumpValue& v : r.values)
      s += v.is_null() ? " NULL" : " '" + std::string(v.bytes) + "'";
    if (r.columns)
      for (const std::string& c : *r.columns) s += " [" + c + "]";
    log.push_back(s);
    return Status::Ok();
  }
  void OnProblem(const DumpProblem& p) override { log.push_back("problem " + p.reason); }
  uint64_t RowsReadInFull(const DumpTable& t) const override {
    return t.name == "orders" ? full : UINT64_MAX;
  }
  void OnRowsCounted(const DumpTable& t, uint64_t rows) override {
    log.push_back("counted " + t.name + " " + std::to_string(rows));
  }
};

struct Outlet : BatchOutlet {
  std::deque<std::unique_ptr<Batch>> pushed;
  uint64_t before = 0;  // rows of every table handed over before this parse
  bool Push(std::unique_ptr<Batch> b) override {
    pushed.push_back(std::move(b));
    return true;
  }
  bool Stopped() const override { return false; }
  std::unique_ptr<Batch> Reuse() override { return nullptr; }
  uint64_t DeliveredBefore(std::string_view) override { return before; }
};

// A parser's calls: two tables, a problem between rows, buffers overwritten after each call
// (as the parser reuses its own).
Status Feed(DumpSink& s, int orders) {
  DumpTable customers{"customers", {}, {}, 1, 0}, order_table{"orders", {}, {}, 9, 400};
  std::vector<std::string> cols = {"id", "email"};
  TQ_RETURN_IF_ERROR(s.OnTable(customers));
  std::string buf;
  std::vector<DumpValue> v(2);
  for (int i = 0; i < 2; ++i) {
    buf = std::to_string(i) + "a@example.com";
    v[0] = {ValueKind::kNumber, std::string_view(buf).substr(0, 1)};
    v[1] = {i ? ValueKind::kNull : ValueKind::kString, std::string_view(buf).substr(1)};
    DumpRow r;
    r.table = &customers, r.columns = &cols, r.values = v, r.line = 5, r.offset = 100 + i;
    r.index = static_cast<uint64_t>(i), r.schema_generation = 1;
    TQ_RETURN_IF_ERROR(s.OnRow(r));
    buf.assign(buf.size(), 'X');
  }
  s.OnProblem(DumpProblem::At("customers", 6, 150, "bad row", true));
  TQ_RETURN_IF_ERROR(s.OnTable(order_table));
  for (int i = 0; i < orders; ++i) {
    buf = "o" + std::to_string(i);
    v.resize(1);
    v[0] = {ValueKind::kString, buf};
    DumpRow r;
    r.table = &order_table, r.values = v, r.line = 10, r.offset = 500 + i;
    r.index = static_cast<uint64_t>(i), r.schema_generation = 2;
    TQ_RETURN_IF_ERROR(s.OnRow(r));
  }
  return Status::Ok();
}

std::vector<std::string> RecordAndReplay(Calls& sink, Outlet& out, const ReplayState& state,
                                         int orders) {
  Recorder rec(out, sink);
  EXPECT_TRUE(Feed(rec, orders).ok());
  EXPECT_TRUE(rec.Flush(true).ok());
  std::map<std::string, uint64_t, std::less<>> delivered = state.delivered;
  std::vector<DumpValue> values;
  for (const auto& b : out.pushed) EXPECT_TRUE(Replay(*b, sink, state, &delivered, &values).ok());
  return sink.log;
}

TEST(DumpBatch, ReplayGivesTheCallsAsMadeWithTheirValuesCopied) {
  Calls direct, replayed;
  ASSERT_TRUE(Feed(direct, 3).ok());
  Outlet out;
  EXPECT_EQ(RecordAndReplay(replayed, out, ReplayState{}, 3), direct.log);
  ASSERT_EQ(direct.log.size(), 8u);
  EXPECT_EQ(direct.log[1], "row customers #0 g1 @5:100 '0' 'a@example.com' [id] [email]");
  EXPECT_EQ(direct.log[2], "row customers #1 g1 @5:101 '1' NULL [id] [email]");
}

// A row's values are copied in one piece when the parser says they lie in one piece of
// memory and they are in order close together (as in the row as written, quotes and commas
// between them), else one by one (out of order, far apart, or not said to be in one piece); either
// way each value comes back as it was, the empty and NULL ones too, and the batch holds no more
// than the piece.
TEST(DumpBatch, ValuesInOrderAreCopiedInOnePieceAndOthersOneByOne) {
  const std::string text = "(7,'ab','',NULL,'c d')";
  std::string far(100000, '.');
  far.replace(0, 2, "xy");
  far.replace(far.size() - 2, 2, "zw");
  DumpTable table{"t", {}, {}, 1, 0};
  struct Case {
    std::vector<DumpValue> values;
    size_t arena;  // bytes the batch holds
    bool one_piece = true;
  };
  std::string_view t(text), f(far);
  std::vector<Case> cases = {
      {{{ValueKind::kNumber, t.substr(1, 1)},
        {ValueKind::kString, t.substr(4, 2)},
        {ValueKind::kString, t.substr(9, 0)},
        {ValueKind::kNull, std::string_view()},
        {ValueKind::kString, t.substr(17, 3)}},
       19},  // "7,'ab','',NULL,'c d": from the first value's start to the last one's end
      {{{ValueKind::kNumber, t.substr(1, 1)}, {ValueKind::kString, t.substr(4, 2)}},
       3,
       false},  // not known to be in one piece
      {{{ValueKind::kString, t.substr(17, 3)}, {ValueKind::kString, t.substr(4, 2)}},
       5},  // out of order
      {{{ValueKind::kString, f.substr(0, 2)}, {ValueKind::kString, f.substr(f.size() - 2)}},
       4},  // far apart
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    Calls sink;
    Outlet out;
    Recorder rec(out, sink);
    DumpRow r;
    r.table = &table;
    r.values = cases[i].values;
    r.one_piece = cases[i].one_piece;
    ASSERT_TRUE(rec.OnRow(r).ok());
    ASSERT_TRUE(rec.Flush(true).ok());
    ASSERT_EQ(out.pushed.size(), 1u);
    EXPECT_EQ(out.pushed[0]->arena.size(), cases[i].arena) << i;
    std::map<std::string, uint64_t, std::less<>> delivered;
    std::vector<DumpValue> values;
    ASSERT_TRUE(Replay(*out.pushed[0], sink, ReplayState{}, &delivered, &values).ok());
    std::string want = "row t #0 g0 @0:0";
    for (const DumpValue& v : cases[i].values)
      want += v.is_null() ? " NULL" : " '" + std::string(v.bytes) + "'";
    ASSERT_EQ(sink.log.size(), 1u);
    EXPECT_EQ(sink.log[0], want) << i;
  }
}

TEST(DumpBatch, IndexesAndGenerationsMovePastTheReadSoFar) {
  ReplayState state;
  state.row_index["customers"] = 1000;
  state.generation = 40;
  Calls replayed;
  Outlet out;
  std::vector<std::string> log = RecordAndReplay(replayed, out, state, 1);
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[1], "row customers #1000 g41 @5:100 '0' 'a@example.com' [id] [email]");
  EXPECT_EQ(log[2], "row customers #1001 g41 @5:101 '1' NULL [id] [email]");
  EXPECT_EQ(log.back(), "row orders #0 g42 @10:500 'o0'");
}

TEST(DumpBatch, RowsPastThoseReadInFullAreCounted) {
  // On the recording side: 2 of 5 orders read in full, 3 counted.
  Calls sink;
  sink.full = 2;
  Outlet out;
  std::vector<std::string> log = RecordAndReplay(sink, out, ReplayState{}, 5);
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[log.size() - 3], "row orders #0 g2 @10:500 'o0'");
  EXPECT_EQ(log[log.size() - 2], "row orders #1 g2 @10:501 'o1'");
  EXPECT_EQ(log.back(), "counted orders 3");
  // On the replaying side: an earlier chunk already handed over 1 order, which this parse did
  // not know (it recorded two in full): the second becomes a count.
  Calls later;
  later.full = 2;
  Outlet out2;
  ReplayState state;
  state.delivered["orders"] = 1;
  state.row_index["orders"] = 1;
  log = RecordAndReplay(later, out2, state, 5);
  std::vector<std::string> orders;
  uint64_t counted = 0;
  for (const std::string& l : log) {
    if (l.rfind("row orders", 0) == 0) orders.push_back(l);
    if (l.rfind("counted orders ", 0) == 0) counted += std::stoull(l.substr(15));
  }
  EXPECT_EQ(orders, std::vector<std::string>{"row orders #1 g2 @10:500 'o0'"});
  EXPECT_EQ(counted, 4u);
}

}  // namespace
}  // namespace tq::storedb
