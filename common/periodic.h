// A background thread that runs one check every period and on demand, never two at once
// (the watches of daemon/ that poll the catalog for changes made by other processes).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace obia {

class PeriodicCheck {
 public:
  // The first periodic run is one period after construction; call run_now() for an earlier one.
  PeriodicCheck(std::chrono::milliseconds period, std::function<void()> check);
  ~PeriodicCheck();  // waits for a run in progress, then stops
  PeriodicCheck(const PeriodicCheck&) = delete;
  PeriodicCheck& operator=(const PeriodicCheck&) = delete;
  void run_now();  // returns once the check has run

 private:
  void loop();
  const std::chrono::milliseconds period_;
  const std::function<void()> check_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace obia
