// The bounded batch channel between two threads: every batch once and in order, never more
// than the capacity queued, batches handed back to the producer, and either side ending it
// without the other hanging.
#include "core/batch_channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace tq {
namespace {

TEST(BatchChannel, EveryBatchOnceInOrderWithinTheCapacity) {
  BatchChannel<std::vector<int>> ch(2);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(ch.Push({i, i + 1}));
      ++pushed;
    }
    ch.Close();
  });
  int next = 0;
  while (std::optional<std::vector<int>> b = ch.Pop()) {
    // The producer is at most the capacity (plus the one it is pushing) ahead.
    EXPECT_LE(pushed.load(), next + 3);
    ASSERT_EQ(*b, (std::vector<int>{next, next + 1}));
    ++next;
  }
  producer.join();
  EXPECT_EQ(next, 1000);
  EXPECT_FALSE(ch.Pop().has_value());  // closed and drained stays so
}

TEST(BatchChannel, BatchesHandedBackAreReusedUpToTheLimit) {
  BatchChannel<std::unique_ptr<int>> ch(4, 2);
  for (int i = 0; i < 3; ++i) ch.Return(std::make_unique<int>(i));
  std::optional<std::unique_ptr<int>> a = ch.TakeReturned();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(**a, 1);  // the last kept first; the third was over the limit
  EXPECT_EQ(ch.TakeAllReturned().size(), 1u);
  EXPECT_FALSE(ch.TakeReturned().has_value());
}

TEST(BatchChannel, AStopEndsAProducerWaitingForRoom) {
  BatchChannel<int> ch(1);
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    for (int i = 0; i < 100 && !refused; ++i)
      if (!ch.Push(i)) refused = true;
    ch.Close();
  });
  std::optional<int> first = ch.Pop();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 0);
  ch.Stop();  // the consumer gives up: the producer's wait ends, its pushes fail
  producer.join();
  EXPECT_TRUE(refused);
  EXPECT_TRUE(ch.Stopped());
  EXPECT_FALSE(ch.Pop().has_value());  // what was queued was dropped
}

}  // namespace
}  // namespace tq
