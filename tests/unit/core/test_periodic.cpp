#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/periodic.h"

namespace obia {
namespace {

using namespace std::chrono_literals;

// Polls until `done` or a deadline; never a bare sleep as the result.
template <typename F>
bool eventually(F done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

TEST(PeriodicCheck, RunsOnDemandAndEveryPeriodNeverTwiceAtOnce) {
  std::atomic<int> runs{0}, inside{0}, overlaps{0};
  auto check = [&] {
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
    std::this_thread::sleep_for(100us);  // widens the window an overlap would need
    runs.fetch_add(1);
    inside.fetch_sub(1);
  };
  {
    PeriodicCheck p(2ms, check);
    int before = runs.load();
    p.run_now();  // synchronous: counted on return
    EXPECT_GE(runs.load(), before + 1);
    std::vector<std::thread> callers;
    for (int t = 0; t < 3; ++t)
      callers.emplace_back([&p] {
        for (int i = 0; i < 50; ++i) p.run_now();
      });
    for (auto& t : callers) t.join();
    EXPECT_GE(runs.load(), 151);
    int now = runs.load();
    EXPECT_TRUE(eventually([&] { return runs.load() >= now + 5; })) << "no periodic runs";
  }
  int stopped = runs.load();
  EXPECT_EQ(inside.load(), 0);  // the destructor waited for the run in progress
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(runs.load(), stopped);
}

TEST(PeriodicCheck, StopsPromptlyWithALongPeriod) {
  std::atomic<int> runs{0};
  auto start = std::chrono::steady_clock::now();
  {
    PeriodicCheck p(1h, [&] { runs.fetch_add(1); });
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // woken, not waiting an hour
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace obia
