// Worker pool for ingest jobs.
#include "ingest/queue.h"

#include "common/log.h"

namespace obia::ingest {
namespace {
std::string key_of(const Job& j) { return j.collection + "/" + j.relpath.string(); }
}  // namespace

IngestQueue::IngestQueue(Processor process, unsigned workers) : process_(std::move(process)) {
  if (workers == 0) workers = 1;
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { worker(); });
}

IngestQueue::~IngestQueue() { stop(); }

void IngestQueue::submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (!queued_keys_.insert(key_of(job)).second) return;
    queue_.push_back(std::move(job));
    stats_.queued = queue_.size();
  }
  work_cv_.notify_one();
}

void IngestQueue::writer_opened() {
  std::lock_guard lock(mu_);
  ++stats_.open_writers;
}

void IngestQueue::writer_closed() {
  std::lock_guard lock(mu_);
  if (stats_.open_writers > 0) --stats_.open_writers;
  if (drained_locked()) idle_cv_.notify_all();
}

bool IngestQueue::drained_locked() const {
  return queue_.empty() && stats_.active == 0 && stats_.open_writers == 0;
}

bool IngestQueue::wait_drained(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return drained_locked(); });
}

QueueStats IngestQueue::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void IngestQueue::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void IngestQueue::worker() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      queued_keys_.erase(key_of(job));
      stats_.queued = queue_.size();
      ++stats_.active;
    }
    Outcome o;
    try {
      o = process_(job);
    } catch (...) {
      log::error("ingest: unexpected exception; the file stays staged");
      o.disposition = Disposition::Retry;
    }
    {
      std::lock_guard lock(mu_);
      --stats_.active;
      switch (o.disposition) {
        case Disposition::Archived: ++stats_.archived; break;
        case Disposition::Duplicate: ++stats_.duplicates; break;
        case Disposition::Quarantined: ++stats_.quarantined; break;
        case Disposition::Retry: ++stats_.retried; break;
      }
      if (drained_locked()) idle_cv_.notify_all();
    }
  }
}

}  // namespace obia::ingest
