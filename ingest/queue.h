// The ingest work queue and its worker pool. Files are queued when their writer releases them
// (never processed inside a FUSE request thread); wait_drained() backs `obiactl wait`.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ingest/pipeline.h"

namespace obia::ingest {

struct QueueStats {
  uint64_t queued = 0, active = 0, open_writers = 0;
  uint64_t archived = 0, duplicates = 0, quarantined = 0, retried = 0;
};

class IngestQueue {
 public:
  using Processor = std::function<Outcome(const Job&)>;
  IngestQueue(Processor process, unsigned workers);
  ~IngestQueue();
  IngestQueue(const IngestQueue&) = delete;
  IngestQueue& operator=(const IngestQueue&) = delete;

  void submit(Job job);  // a job already queued is not queued twice
  void writer_opened();
  void writer_closed();
  // True when nothing is queued, in progress, or open for writing in the inbox.
  bool wait_drained(std::chrono::milliseconds timeout);
  QueueStats stats() const;
  void stop();  // finishes files in progress, leaves the rest staged for the next start

 private:
  void worker();
  bool drained_locked() const;
  Processor process_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, idle_cv_;
  std::deque<Job> queue_;
  std::set<std::string> queued_keys_;
  QueueStats stats_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace obia::ingest
