#include "core/releaser.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tq {
namespace {

// Counts its destructions, and where they ran.
struct Tracked {
  std::atomic<int>* destroyed;
  std::thread::id* where;
  Tracked(std::atomic<int>* d, std::thread::id* w) : destroyed(d), where(w) {}
  Tracked(Tracked&& o) noexcept : destroyed(o.destroyed), where(o.where) { o.destroyed = nullptr; }
  ~Tracked() {
    if (!destroyed) return;
    *where = std::this_thread::get_id();
    ++*destroyed;
  }
};

TEST(Releaser, FreesWhatIsHandedOverOnAnotherThread) {
  std::atomic<int> destroyed{0};
  std::thread::id where;
  Releaser r;
  EXPECT_TRUE(r.Idle());
  r.Free(Tracked(&destroyed, &where));
  r.Wait();
  EXPECT_TRUE(r.Idle());
  EXPECT_EQ(destroyed.load(), 1);
  EXPECT_NE(where, std::this_thread::get_id());
}

TEST(Releaser, MovesFromTheGarbage) {
  std::vector<std::string> v(1000, std::string(100, 'x'));
  Releaser r;
  r.Free(std::move(v));
  EXPECT_TRUE(v.empty());  // NOLINT(bugprone-use-after-move): moved-from vectors are empty
  r.Wait();
  EXPECT_TRUE(r.Idle());
}

TEST(Releaser, DestructorFreesEverythingHandedOver) {
  std::atomic<int> destroyed{0};
  std::thread::id where;
  {
    Releaser r;
    for (int i = 0; i < 100; ++i) r.Free(Tracked(&destroyed, &where));
  }
  EXPECT_EQ(destroyed.load(), 100);
}

TEST(Releaser, NothingHandedOverStartsNoThread) {
  Releaser r;
  r.Wait();  // returns at once
  EXPECT_TRUE(r.Idle());
}

}  // namespace
}  // namespace tq
