#include "common/periodic.h"

namespace obia {

PeriodicCheck::PeriodicCheck(std::chrono::milliseconds period, std::function<void()> check)
    : period_(period), check_(std::move(check)) {
  thread_ = std::thread([this] { loop(); });
}

PeriodicCheck::~PeriodicCheck() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicCheck::run_now() {
  std::lock_guard lock(mu_);
  check_();
}

void PeriodicCheck::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, period_);
    if (!stopping_) check_();
  }
}

}  // namespace obia
