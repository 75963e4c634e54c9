// The QC log in the catalog's LMDB environment, fed by the pipeline's `finished` hook:
//   qc_submissions  collection + submission name -> counts (submitted, archived, duplicates,
//                   warnings by code, quarantined by reason), first/last time
//   qc_notes        collection + submission + '\0' + relative path -> warnings of that file
//   qc_pixels       collection + pixel hash -> remapped SOP Instance UID of the archived image
// A submission is what a curator copied in one go: the first path component under
// inbox/<C>/ (a folder), or the file itself when it was copied to the top level.
// record() is one write transaction. The ingest workers use enqueue() instead: records are
// committed in batches by a writer thread (at most `interval` after they arrive), so the log
// adds no disk flush per file; a daemon crash can lose the last fraction of a second of
// records (the catalog's own counters are exact). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "index/catalog.h"
#include "ingest/outcome.h"
#include "ingest/pipeline.h"
#include "ingest/qc_state.h"

namespace obia::ingest {

struct SubmissionCounts {
  std::string name;
  bool folder = false;  // a folder copied into the inbox (else a single file)
  uint64_t submitted = 0, archived = 0, duplicates = 0;
  std::map<std::string, uint64_t> warnings;     // warning code -> files
  std::map<std::string, uint64_t> quarantined;  // reason code -> files
  int64_t first = 0, last = 0;                  // unix seconds
  uint64_t quarantined_total() const;
};

struct FileNote {
  std::string submission;
  std::string relpath;
  std::vector<std::string> warnings;  // "code: detail"
};

struct PixelRecord {
  PixelHash hash{};
  std::string sop_uid;  // remapped
};

std::string submission_of(const std::filesystem::path& relpath);
// "blank-image: every pixel ..." -> "blank-image"
std::string warning_code(const std::string& warning);

class QcLog {
 public:
  // Opens (creating) the tables; fails only when the environment cannot take more tables.
  static Result<std::shared_ptr<QcLog>> open(const index::Catalog& catalog);

  // Writes one file's outcome now (one transaction).
  Status record(index::NodeId collection, const Job& job, const Outcome& outcome,
                const std::optional<PixelRecord>& pixels, int64_t now);
  // Queues it for the writer thread (started on first use: after obiafs has daemonised).
  void enqueue(index::NodeId collection, const Job& job, const Outcome& outcome,
               const std::optional<PixelRecord>& pixels, int64_t now);
  // Commits everything queued so far and waits for it.
  Status flush();
  ~QcLog();  // flushes and stops the writer
  Result<std::vector<SubmissionCounts>> submissions(index::NodeId collection) const;
  Result<std::vector<FileNote>> notes(index::NodeId collection) const;
  // The remapped SOP Instance UID archived with these pixels in the collection, if any.
  Result<std::optional<std::string>> pixel_owner(index::NodeId collection, const PixelHash& hash) const;

  QcLog(const index::Catalog& catalog, MDB_dbi submissions, MDB_dbi notes, MDB_dbi pixels)
      : catalog_(catalog), submissions_(submissions), notes_(notes), pixels_(pixels) {}
  QcLog(const QcLog&) = delete;
  QcLog& operator=(const QcLog&) = delete;

  std::chrono::milliseconds interval{100};

 private:
  struct Entry {
    index::NodeId collection = 0;
    std::filesystem::path relpath;
    Disposition disposition = Disposition::Quarantined;
    Reason reason = Reason::None;
    std::vector<std::string> warnings;
    std::optional<PixelRecord> pixels;
    int64_t now = 0;
  };
  Status apply(index::lmdb::Txn& txn, const Entry& e);
  Status commit(const std::vector<Entry>& batch);
  void writer();

  const index::Catalog& catalog_;
  MDB_dbi submissions_, notes_, pixels_;
  mutable std::mutex mu_;
  std::condition_variable wake_, done_;
  std::vector<Entry> pending_;
  uint64_t queued_ = 0, committed_ = 0;  // entries ever queued / written
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace obia::ingest
