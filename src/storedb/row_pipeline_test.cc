// MakeAndWrite: every row made once and written in order, threaded or not, with batches
// reused; a write error stops the maker and is returned.
#include "storedb/row_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

namespace tq::storedb {
namespace {

struct Row {
  size_t i = 0;
  std::string text;
};

void ExpectInOrder(bool threaded, size_t count, size_t batch, size_t depth) {
  std::vector<size_t> written;
  std::atomic<size_t> made{0};
  Status s = MakeAndWrite<Row>(
      count, threaded,
      [&](size_t i, Row& r) {
        r.i = i;
        r.text.assign("row ").append(std::to_string(i));
        ++made;
      },
      [&](const Row& r) -> Status {
        EXPECT_EQ(r.text, "row " + std::to_string(r.i));
        written.push_back(r.i);
        return Status::Ok();
      },
      batch, depth);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(made.load(), count);
  ASSERT_EQ(written.size(), count);
  for (size_t i = 0; i < count; ++i) ASSERT_EQ(written[i], i);
}

TEST(StoreDbRowPipeline, EveryRowMadeOnceAndWrittenInOrder) {
  for (bool threaded : {false, true}) {
    ExpectInOrder(threaded, 0, 16, 2);
    ExpectInOrder(threaded, 1, 16, 2);
    ExpectInOrder(threaded, 16, 16, 2);  // one full batch
    ExpectInOrder(threaded, 17, 16, 2);  // and one row more
    ExpectInOrder(threaded, 10007, 64, 3);
    ExpectInOrder(threaded, 500, 1, 1);  // a row a batch, one batch ahead
  }
}

TEST(StoreDbRowPipeline, AWriteErrorStopsTheMakerAndIsReturned) {
  for (bool threaded : {false, true}) {
    std::atomic<size_t> made{0};
    size_t written = 0;
    Status s = MakeAndWrite<Row>(
        100000, threaded, [&](size_t i, Row& r) { r.i = i, ++made; },
        [&](const Row& r) -> Status {
          if (r.i == 300) return Status::BadInput("row 300 refused");
          ++written;
          return Status::Ok();
        },
        32, 2);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.message(), "row 300 refused");
    EXPECT_EQ(written, 300u);
    // The maker stopped within the batches it may run ahead (the one written, the two queued,
    // the one being made).
    EXPECT_LE(made.load(), 320u + 4 * 32u);
  }
}

}  // namespace
}  // namespace tq::storedb
