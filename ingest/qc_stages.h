// The QC stages as pipeline hooks (issue 4), for the daemon to pass to ingest::Pipeline:
//   before de-identification: undecodable -> blank image (warning) -> burned-in text
//   after de-identification:  duplicate pixels (warning, or rejection per collection)
//   finished:                 per-submission QC log (obiactl qc report) and pixel hashes
// Each check is its own stage; they share decoded pixels through the thread's QC scratch.
#pragma once

#include "index/catalog.h"
#include "ingest/pipeline.h"
#include "ingest/qc_burned_in.h"
#include "ingest/qc_log.h"
#include "store/archive.h"

namespace obia::ingest {

struct QcSettings {
  BurnedInSettings burned_in;
  bool log = true;  // keep the per-submission log and pixel hashes in the catalog
};

// Where the collections' pixel rule files live: ARCHIVE/rules/<COLLECTION>.pixel
std::filesystem::path pixel_rules_dir(const store::ArchivePaths& paths);

// Never fails: without the QC log tables the duplicate-pixels stage and the log are left out
// (and the error logged). `log`, when given, receives the QC log the hooks write to (null when
// unavailable), so the daemon can flush it before reporting the inbox drained.
PipelineHooks make_qc_hooks(const store::ArchivePaths& paths, index::Catalog& catalog,
                            QcSettings settings = {}, std::shared_ptr<QcLog>* log = nullptr);

}  // namespace obia::ingest
